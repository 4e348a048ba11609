//! The decision trace: the engine's plain-language summary first, then what would change the
//! outcome, then (collapsed) the reasoning and every layer, policy, statement and condition,
//! with what matched in green and what did not in red.

use crate::markdown::code_spans;
use kmslab_engine::trace::{
    hints, summarize, Check, HintKind, LayerVerdict, StatementTrace, Trace,
};
use leptos::prelude::*;

fn check_view(label: &'static str, c: &Check) -> impl IntoView {
    let class = if c.matched { "check ok" } else { "check no" };
    view! {
        <li class=class>
            <span class="what">{label}</span>
            <span class="mark">{if c.matched { "✓" } else { "✗" }}</span>
            " "
            {c.detail.clone()}
        </li>
    }
}

fn statement_view(s: StatementTrace) -> impl IntoView {
    let class = if s.applies { "stmt applies" } else { "stmt" };
    let head = format!(
        "{} — {:?}{}",
        s.id,
        s.effect,
        if s.applies { " — applies" } else { "" }
    );
    view! {
        <details class=class open=s.applies>
            // Line 0: a policy kmslab generated (its policy says so), nowhere in the document.
            <summary>{head}{(s.line > 0).then(|| view! { <span class="line">{format!(" (line {})", s.line)}</span> })}</summary>
            <ul class="checks">
                {check_view("action", &s.action)}
                {s.resource.as_ref().map(|c| check_view("resource", c))}
                {s.principal.as_ref().map(|c| check_view("principal", c))}
                {s.conditions.into_iter().map(|c| {
                    let class = if c.result { "check ok" } else { "check no" };
                    let req = c.request_values.as_ref().map_or("(missing)".to_string(), |v| format!("[{}]", v.join(", ")));
                    view! {
                        <li class=class>
                            <span class="what">"condition"</span>
                            <span class="mark">{if c.result { "✓" } else { "✗" }}</span>
                            " "
                            <code>{format!("{} {} [{}]", c.operator, c.key, c.policy_values.join(", "))}</code>
                            {format!(" — request {req}: {}", c.explanation)}
                            {c.error.map(|e| view! { <span class="trace-error">{format!(" error: {e}")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}

/// The plain-language summary: the decision as a badge, then the paragraph.
fn summary_view(trace: &Trace) -> impl IntoView {
    let sum = summarize(trace);
    let class = format!(
        "trace-summary {}{}",
        super::decision_class(Some(trace.decision)),
        if sum.refused { " refused" } else { "" }
    );
    view! {
        <p class=class data-testid="trace-summary">
            <span class=format!("badge {}", super::decision_class(Some(trace.decision)))>{trace.decision.as_str()}</span>
            " "
            <strong class="headline">{sum.headline}</strong>
            ": "
            <span class="summary-text">{code_spans(&sum.text)}</span>
        </p>
    }
}

/// What would change the outcome, when the engine can tell.
fn hints_view(trace: &Trace) -> impl IntoView {
    let hints = hints(trace);
    (!hints.is_empty()).then(|| {
        view! {
            <div class="trace-hints">
                <h4>"What would change the outcome"</h4>
                <ul data-testid="trace-hints">
                    {hints.into_iter().map(|h| view! {
                        <li class=format!("hint {}", hint_class(h.kind)) data-testid="trace-hint" data-kind=hint_class(h.kind)>{code_spans(&h.text)}</li>
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// A stable name for a hint kind (CSS class and `data-kind`).
fn hint_class(k: HintKind) -> &'static str {
    match k {
        HintKind::MissingContextKey => "missing-context-key",
        HintKind::ConditionFailed => "condition-failed",
        HintKind::ResourceMismatch => "resource-mismatch",
        HintKind::PrincipalMismatch => "principal-mismatch",
        HintKind::AddAllow => "add-allow",
        HintKind::DelegateToIam => "delegate-to-iam",
        HintKind::ChangeDeny => "change-deny",
        HintKind::Grant => "grant",
        HintKind::KeyState => "key-state",
    }
}

/// A whole trace: the summary and hints first, then the evaluation in detail (collapsed).
#[component]
pub fn TraceView(
    /// The trace to render.
    trace: Trace,
) -> impl IntoView {
    view! {
        <div class="trace" data-testid="trace">
            {summary_view(&trace)}
            {hints_view(&trace)}
            {(!trace.errors.is_empty()).then(|| view! {
                <ul class="trace-errors" role="alert" data-testid="trace-errors">
                    {trace.errors.iter().map(|e| view! { <li>{code_spans(e)}</li> }).collect_view()}
                </ul>
            })}
            <details class="trace-detail" data-testid="trace-detail">
                <summary>"Evaluation details: every layer, statement and condition"</summary>
                <p class="engine-reason">{format!("Combining rule: {}", trace.summary)}</p>
            {(!trace.missing_keys.is_empty()).then(|| view! {
                <p class="missing" data-testid="missing-keys">
                    <strong>"Missing context keys: "</strong>
                    {trace.missing_keys.iter().enumerate().map(|(i, k)| view! {
                        {(i > 0).then_some(", ")}<code>{k.clone()}</code>
                    }).collect_view()}
                    " — the policies read them but the request does not have them."
                </p>
            })}
            <ol class="reasoning">
                {trace.reasoning.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
            </ol>
            {(!trace.deciding.is_empty()).then(|| view! {
                <p class="deciding" data-testid="deciding">"Decided by: " {trace.deciding.join(", ")}</p>
            })}
            <details class="request">
                <summary>{format!("Request: {} {} on {}", trace.request.principal, trace.request.action, trace.request.resource)}</summary>
                <table class="context">
                    {trace.request.context.iter().map(|(k, v)| view! { <tr><td><code>{k.clone()}</code></td><td>{v.join(", ")}</td></tr> }).collect_view()}
                </table>
            </details>
            {trace.layers.into_iter().map(|l| {
                let (verdict, class) = match l.verdict {
                    LayerVerdict::NotApplicable => ("not applicable", "layer na"),
                    LayerVerdict::Deny => ("denies", "layer deny"),
                    LayerVerdict::Allow => ("allows", "layer allow"),
                    LayerVerdict::NoMatch => ("no statement applies", "layer nomatch"),
                };
                let open = matches!(l.verdict, LayerVerdict::Allow | LayerVerdict::Deny);
                view! {
                    <details class=class open=open>
                        <summary>{format!("{} — {verdict}", l.title)}</summary>
                        {l.note.map(|n| view! { <p class="note">{n}</p> })}
                        {l.policies.into_iter().map(|p| {
                            let head = match &p.via { Some(v) => format!("{} ({v})", p.name), None => p.name.clone() };
                            view! {
                                <div class="policy">
                                    <h4>{head}</h4>
                                    {p.statements.into_iter().map(statement_view).collect_view()}
                                </div>
                            }
                        }).collect_view()}
                    </details>
                }
            }).collect_view()}
            {(!trace.grants.is_empty()).then(|| view! {
                <details class="layer grants" open=true>
                    <summary>"Grants"</summary>
                    <ul class="checks">
                        {trace.grants.iter().map(|g| {
                            let class = if g.applies { "check ok" } else { "check no" };
                            let text = format!(
                                "grant {} to {} for [{}]: grantee {}, operation {}, {}{}",
                                g.grant_id, g.grantee, g.operations.join(", "),
                                if g.grantee_matches { "matches" } else { "differs" },
                                if g.operation_matches { "included" } else { "not included" },
                                g.effect_note,
                                g.constraint.as_ref().map(|c| format!("; {c}")).unwrap_or_default(),
                            );
                            view! { <li class=class>{text}</li> }
                        }).collect_view()}
                    </ul>
                </details>
            })}
            {trace.key_state.map(|k| view! {
                <p class=if k.allowed { "keystate ok" } else { "keystate no" } data-testid="key-state">
                    {format!("Key state {} for {}: {}", k.state, k.operation, k.error.unwrap_or_else(|| "allowed".into()))}
                </p>
            })}
            </details>
        </div>
    }
}
