//! The bundled examples gallery: scenarios from `scenarios/examples/`, compiled into the app.
//! Adding an example is one line here.

/// An example: a short name (used in `data-testid`), its title and the scenario JSON.
pub struct Example {
    /// Stable name, e.g. `nps-least-privilege`.
    pub name: &'static str,
    /// The scenario document.
    pub source: &'static str,
}

/// Every bundled example, in gallery order.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "nps-least-privilege",
        source: include_str!("../scenarios/examples/nps-least-privilege.json"),
    },
    Example {
        name: "grants-and-tokens",
        source: include_str!("../scenarios/examples/grants-and-tokens.json"),
    },
    Example {
        name: "cross-account-key",
        source: include_str!("../scenarios/examples/cross-account-key.json"),
    },
    Example {
        name: "scp-guardrail",
        source: include_str!("../scenarios/examples/scp-guardrail.json"),
    },
];

/// The example's title, read from its `title` field.
pub fn title_of(source: &str) -> String {
    serde_json::from_str::<serde_json::Value>(source)
        .ok()
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_string))
        .unwrap_or_else(|| "(untitled)".to_string())
}
