//! The access matrix: every principal x every key x every KMS operation on a key, computed by
//! one engine call ([`kmslab_engine::matrix::access_matrix`]) on demand, with the request
//! context and the encryption context the user gives; filters, a page of the table at a time,
//! a cell's full trace on click, and the filtered cells as CSV.

use super::{outcome_line, TraceView};
use kmslab_engine::matrix::{
    access_matrix, trace_for, AccessMatrix as Matrix, MatrixFilter, MatrixOptions, Outcome,
    OutcomeFilter,
};
use kmslab_engine::scenario::world_after_steps;
use kmslab_engine::{parse_scenario, Scenario, StepResult};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// At most this many cells are rendered at once; more rows are reached page by page.
const RENDERED_CELLS: usize = 3_000;

/// A computed matrix with the world it was computed from (a cell's trace is computed from the
/// same world, even after the editor changes).
#[derive(Clone)]
struct Computed {
    matrix: Arc<Matrix>,
    world: Arc<Scenario>,
}

/// The world the matrix describes: the scenario before its steps, or the world they leave.
fn world_of(src: &str, after_steps: bool) -> Result<Scenario, String> {
    let s = parse_scenario(src).map_err(|e| e.to_string())?;
    if !after_steps {
        return Ok(s);
    }
    crate::cache::with_options(|opts| world_after_steps(&s, opts))
        .map_err(|e| format!("the steps do not run, so there is no world after them: {e}"))
}

/// Reads the encryption context: a JSON object of strings (`{"app": "nps"}`), as a step's
/// `EncryptionContext`; empty text is none. An error names the line and column.
fn parse_encryption_context(src: &str) -> Result<BTreeMap<String, String>, String> {
    if src.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let at = |p: kmslab_engine::json::Pos| {
        format!("encryption context, line {}, column {}", p.line, p.column)
    };
    let json =
        kmslab_engine::json::parse(src).map_err(|e| format!("{}: {}", at(e.pos), e.message))?;
    let members = json.as_object().ok_or_else(|| {
        format!(
            "{}: write a JSON object of strings such as {{\"app\": \"nps\"}}, not {}",
            at(json.pos),
            json.type_name()
        )
    })?;
    members
        .iter()
        .map(|m| match m.value.as_str() {
            Some(v) => Ok((m.key.clone(), v.to_string())),
            None => Err(format!(
                "{}: the value of `{}` must be a string, not {}",
                at(m.value.pos),
                m.key,
                m.value.type_name()
            )),
        })
        .collect()
}

/// The encryption context in one line, as the user would write it.
fn show_encryption_context(ec: &BTreeMap<String, String>) -> String {
    serde_json::to_string(ec).unwrap_or_default()
}

/// The CSS class, symbol and words (the legend's, what a screen reader says) of an outcome.
fn outcome_look(o: Outcome) -> (&'static str, &'static str, &'static str) {
    match o {
        Outcome::Allowed => ("m-allow", "✓", "allowed"),
        Outcome::AllowedButStateRefuses => (
            "m-state",
            "!",
            "allowed, but the key's state or type refuses",
        ),
        Outcome::ExplicitDeny => ("m-deny", "✗", "explicit deny"),
        Outcome::ImplicitDeny => ("m-implicit", "·", "implicit deny"),
    }
}

/// A compact row label: the resource part of the ARN (`user/alice`), with the account for a
/// root user (`111122223333:root`), which otherwise all look alike.
fn short(arn: &str) -> String {
    let mut parts = arn.rsplit(':');
    match (parts.next(), parts.next()) {
        (Some("root"), Some(account)) => format!("{account}:root"),
        (Some(last), _) => last.to_string(),
        _ => arn.to_string(),
    }
}

/// The matrix panel.
#[component]
pub fn AccessMatrix(
    /// The scenario text; its world before or after its steps is what the matrix describes.
    text: RwSignal<String>,
) -> impl IntoView {
    let computed: RwSignal<Option<Result<Computed, String>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let roots = RwSignal::new(true);
    let after_steps = RwSignal::new(false);
    // `key=value` lines every cell's request carries (as a step's `context`).
    let context_text = RwSignal::new(String::new());
    // A JSON object: the encryption context of the operations that take one.
    let ec_text = RwSignal::new(String::new());
    let principal = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let operation = RwSignal::new(String::new());
    let outcome = RwSignal::new(OutcomeFilter::Any);
    let page = RwSignal::new(0usize);
    let selected: RwSignal<Option<(usize, usize, usize)>> = RwSignal::new(None);
    let trace: RwSignal<Option<Result<StepResult, String>>> = RwSignal::new(None);
    let export_error: RwSignal<Option<String>> = RwSignal::new(None);

    let filter = move || MatrixFilter {
        principal: principal.get(),
        key: key.get(),
        operation: operation.get(),
        outcome: outcome.get(),
    };

    let compute = move |_| {
        busy.set(true);
        selected.set(None);
        trace.set(None);
        page.set(0);
        // Let the browser paint "Computing…" before the engine call takes the thread.
        set_timeout(
            move || {
                let src = text.get_untracked();
                let r = context_text
                    .with_untracked(|c| super::compose::parse_context(c))
                    .and_then(|context| {
                        ec_text
                            .with_untracked(|t| parse_encryption_context(t))
                            .map(|ec| (context, ec))
                    })
                    .map(|(context, encryption_context)| MatrixOptions {
                        include_roots: roots.get_untracked(),
                        context,
                        encryption_context,
                    })
                    .and_then(|opts| world_of(&src, after_steps.get_untracked()).map(|s| (opts, s)))
                    .and_then(|(opts, s)| {
                        access_matrix(&s, &opts)
                            .map_err(|e| e.to_string())
                            .map(|m| Computed {
                                matrix: Arc::new(m),
                                world: Arc::new(s),
                            })
                    });
                computed.set(Some(r));
                busy.set(false);
            },
            std::time::Duration::from_millis(10),
        );
    };

    let open_cell = move |c: &Computed, p: usize, k: usize, o: usize| {
        selected.set(Some((p, k, o)));
        let r = trace_for(&c.world, &c.matrix, p, k, o).map_err(|e| e.to_string());
        trace.set(Some(r));
    };

    let export = move |_| {
        if let Some(Ok(c)) = computed.get_untracked() {
            let f = filter();
            let csv = c.matrix.to_csv(&f);
            export_error.set(
                crate::browser::download("access-matrix.csv", "text/csv", &csv)
                    .err()
                    .map(|e| format!("the CSV could not be offered: {e}")),
            );
        }
    };

    let text_filter =
        move |label: &'static str, id: &'static str, sig: RwSignal<String>, hint: &'static str| {
            view! {
                <label>
                    <span>{label}</span>
                    <input type="search" data-testid=id placeholder=hint
                        prop:value=move || sig.get()
                        on:input=move |ev| { sig.set(event_target_value(&ev)); page.set(0); } />
                </label>
            }
        };

    let table = move || {
        let c = match computed.get() {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                return view! { <p class="parse-error" role="alert" data-testid="matrix-error">{e}</p> }
                    .into_any()
            }
            None => return ().into_any(),
        };
        let m = c.matrix.clone();
        let f = filter();
        let view_ = m.filter(&f);
        let cols = view_.operations.clone();
        let per_page = (RENDERED_CELLS / cols.len().max(1)).clamp(1, 500);
        let pages = view_.rows.len().div_ceil(per_page).max(1);
        let current = page.get().min(pages - 1);
        let first = current * per_page;
        let rows: Vec<(usize, usize)> = view_
            .rows
            .iter()
            .copied()
            .skip(first)
            .take(per_page)
            .collect();
        let counts = m.counts();
        let summary = format!(
            "{} principals x {} keys x {} operations = {} cells: {}",
            m.principals.len(),
            m.keys.len(),
            m.operations.len(),
            m.len(),
            counts
                .iter()
                .map(|(o, n)| format!("{n} {}", o.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let shown = format!(
            "{} matching cells in {} rows; rows {}–{} shown (page {} of {pages})",
            view_.cells,
            view_.rows.len(),
            if rows.is_empty() { 0 } else { first + 1 },
            first + rows.len(),
            current + 1
        );
        let header = cols
            .iter()
            .filter_map(|&o| m.operations.get(o))
            .map(|op| view! { <th class="m-op" title=*op><span>{*op}</span></th> })
            .collect_view();
        let body = rows
            .into_iter()
            .map(|(p, k)| {
                let (Some(pr), Some(kd)) = (m.principals.get(p), m.keys.get(k)) else {
                    return ().into_any();
                };
                let key_label = kd
                    .aliases
                    .first()
                    .cloned()
                    .unwrap_or_else(|| kd.id.clone());
                let cells = cols
                    .iter()
                    .map(|&o| {
                        let Some(cell) = m.cell(p, k, o) else {
                            return ().into_any();
                        };
                        let (class, symbol, words) = outcome_look(cell.outcome());
                        let kept = f.outcome.keeps(cell.outcome());
                        let op = m.operations.get(o).copied().unwrap_or_default();
                        let title = format!(
                            "{op}: {}{}{}{}",
                            cell.outcome().as_str(),
                            if cell.via.as_str().is_empty() { String::new() } else { format!(" via {}", cell.via.as_str()) },
                            cell.state_error.map(|e| format!(" ({})", e.as_str())).unwrap_or_default(),
                            if m.reason(&cell).is_empty() { String::new() } else { format!(" — {}", m.reason(&cell)) },
                        );
                        let is_selected = move || selected.get() == Some((p, k, o));
                        let c2 = c.clone();
                        view! {
                            <td class=move || format!("m-cell {class}{}{}", if kept { "" } else { " m-dim" }, if is_selected() { " m-selected" } else { "" })
                                data-testid="matrix-cell"
                                data-principal=pr.arn.clone()
                                data-key=kd.id.clone()
                                data-op=op
                                data-outcome=cell.outcome().as_str()
                                title=title
                                on:click=move |_| open_cell(&c2, p, k, o)>
                                <button type="button" aria-label=format!("{op} by {} on {}: {words}", pr.arn, kd.id)>{symbol}</button>
                            </td>
                        }
                        .into_any()
                    })
                    .collect_view();
                view! {
                    <tr data-testid="matrix-row">
                        <th class="m-principal" title=pr.arn.clone()>{short(&pr.arn)}</th>
                        <th class="m-key" title=kd.arn.clone()>{key_label}</th>
                        {cells}
                    </tr>
                }
                .into_any()
            })
            .collect_view();
        let with_ec = (!m.encryption_context.is_empty()).then(|| {
            format!(
                "Encryption context of Encrypt, Decrypt, ReEncryptFrom, ReEncryptTo, GenerateDataKey* and GenerateDataKeyPair*: {}",
                show_encryption_context(&m.encryption_context)
            )
        });
        // Nothing to tabulate: a sentence says why instead of an empty table.
        let empty = if m.keys.is_empty() || m.principals.is_empty() {
            Some(if m.keys.is_empty() {
                "This world has no KMS key, so there is no cell to decide: add one under `keys` (or, for a key a step creates, choose the world after the steps)."
            } else {
                "This world has no principal to ask for: add a user or a role under `iam`."
            }.to_string())
        } else if view_.rows.is_empty() {
            Some("No cell matches the filters.".to_string())
        } else {
            None
        };
        if let Some(sentence) = empty {
            return view! {
                <p class="m-summary" data-testid="matrix-summary">{summary}</p>
                <p class="hint" data-testid="matrix-empty">{crate::markdown::code_spans(&sentence)}</p>
            }
            .into_any();
        }
        view! {
            <p class="m-summary" data-testid="matrix-summary">{summary}</p>
            {with_ec.map(|t| view! { <p class="m-shown" data-testid="matrix-computed-ec">{t}</p> })}
            <p class="m-shown" data-testid="matrix-shown">{shown}</p>
            <div class="m-pager">
                <button type="button" data-testid="matrix-prev" disabled={current == 0}
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"◀ Previous"</button>
                <button type="button" data-testid="matrix-next" disabled={current + 1 >= pages}
                    on:click=move |_| page.update(|p| *p += 1)>"Next ▶"</button>
            </div>
            <div class="m-scroll">
                <table class="m-table" data-testid="matrix-table">
                    <thead><tr><th>"Principal"</th><th>"Key"</th>{header}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="matrix" data-testid="matrix-panel">
            <h2>"Access matrix"</h2>
            <p class="hint">
                "Who may do what with which key, before the scenario's steps or in the world they \
                 leave (keys, grants, policies and users they created or changed): each cell is \
                 kms:OPERATION on the key by the principal, with the request context you give (say \
                 aws:SourceIp), the encryption context you give on the operations that take one \
                 (Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateDataKeyPair*; grant \
                 constraints read it too), and no grant tokens or request parameters. Click a cell \
                 for its full trace."
            </p>
            <div class="m-controls">
                <fieldset class="m-world" data-testid="matrix-world">
                    <legend>"World"</legend>
                    <label class="m-check">
                        <input type="radio" name="matrix-world" data-testid="matrix-world-start"
                            prop:checked=move || !after_steps.get()
                            on:change=move |_| after_steps.set(false) />
                        " before the steps"
                    </label>
                    <label class="m-check">
                        <input type="radio" name="matrix-world" data-testid="matrix-world-after"
                            prop:checked=move || after_steps.get()
                            on:change=move |_| after_steps.set(true) />
                        " after the steps"
                    </label>
                </fieldset>
                <label class="m-context">
                    <span>"Request context (key=value lines, in every cell)"</span>
                    <textarea data-testid="matrix-context" rows="2" placeholder="aws:SourceIp=203.0.113.10"
                        prop:value=move || context_text.get()
                        on:input=move |ev| context_text.set(event_target_value(&ev))></textarea>
                </label>
                <label class="m-context">
                    <span>"Encryption context (a JSON object; empty for none)"</span>
                    <textarea data-testid="matrix-encryption-context" rows="2" placeholder="{\"app\": \"nps\"}"
                        prop:value=move || ec_text.get()
                        on:input=move |ev| ec_text.set(event_target_value(&ev))></textarea>
                </label>
                <label class="m-check">
                    <input type="checkbox" data-testid="matrix-roots" prop:checked=move || roots.get()
                        on:change=move |ev| roots.set(event_target_checked(&ev)) />
                    " include the accounts' root users"
                </label>
                <button type="button" data-testid="matrix-compute" on:click=compute disabled=move || busy.get()>
                    {move || if busy.get() { "Computing…" } else { "Compute access matrix" }}
                </button>
            </div>
            {move || matches!(computed.get(), Some(Ok(_))).then(|| view! {
                <div class="m-filters">
                    {text_filter("Principal", "matrix-filter-principal", principal, "user/alice")}
                    {text_filter("Key", "matrix-filter-key", key, "key id or alias")}
                    {text_filter("Operation", "matrix-filter-operation", operation, "Decrypt")}
                    <label>
                        <span>"Outcome"</span>
                        <select data-testid="matrix-filter-outcome"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let chosen = OutcomeFilter::ALL
                                    .iter()
                                    .find(|(_, name)| *name == v)
                                    .map_or(OutcomeFilter::Any, |(f, _)| *f);
                                outcome.set(chosen);
                                page.set(0);
                            }>
                            {OutcomeFilter::ALL.iter().map(|(f, name)| view! {
                                <option value=*name selected=move || outcome.get() == *f>{*name}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="button" data-testid="matrix-export" on:click=export>"Export CSV"</button>
                </div>
            })}
            {move || export_error.get().map(|e| view! { <p class="parse-error" role="alert">{e}</p> })}
            <ul class="m-legend">
                <li><span class="m-allow">"✓"</span>" allowed"</li>
                <li><span class="m-state">"!"</span>" allowed, but the key's state or type refuses"</li>
                <li><span class="m-deny">"✗"</span>" explicit deny"</li>
                <li><span class="m-implicit">"·"</span>" implicit deny"</li>
            </ul>
            {table}
            {move || trace.get().map(|r| match r {
                Ok(step) => view! {
                    <div class="m-trace" data-testid="matrix-trace">
                        <h3>{format!("{} by {} on {}", step.call.clone().unwrap_or_default(), step.caller.clone().unwrap_or_default(), step.resource.clone().unwrap_or_default())}</h3>
                        {outcome_line(&step)}
                        {step.trace.clone().map(|t| view! { <TraceView trace=t /> })}
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="parse-error" role="alert" data-testid="matrix-trace-error">{e}</p> }.into_any(),
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_contexts_are_json_objects_of_strings() {
        assert_eq!(parse_encryption_context("  \n"), Ok(BTreeMap::new()));
        let ec = parse_encryption_context(r#"{"app": "nps", "dept": "it"}"#).unwrap_or_default();
        assert_eq!(show_encryption_context(&ec), r#"{"app":"nps","dept":"it"}"#);
        let e = parse_encryption_context("{\n  \"app\": }").unwrap_err();
        assert!(
            e.starts_with("encryption context, line 2, column 10: "),
            "{e}"
        );
        let e = parse_encryption_context(r#"["app"]"#).unwrap_err();
        assert!(e.contains("line 1, column 1: write a JSON object"), "{e}");
        let e = parse_encryption_context(r#"{"app": 1}"#).unwrap_err();
        assert!(
            e.contains("column 9: the value of `app` must be a string, not a number"),
            "{e}"
        );
    }

    #[test]
    fn short_labels() {
        assert_eq!(short("arn:aws:iam::111122223333:user/alice"), "user/alice");
        assert_eq!(short("arn:aws:iam::111122223333:root"), "111122223333:root");
        assert_eq!(outcome_look(Outcome::ExplicitDeny).0, "m-deny");
    }
}
