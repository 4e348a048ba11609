//! Compose a request by hand and evaluate it against the scenario's world.

use super::outcome_line;
use super::TraceView;
use kmslab_engine::iam::context::ContextValue;
use kmslab_engine::scenario::{evaluate_adhoc, AdHocRequest};
use kmslab_engine::StepResult;
use leptos::prelude::*;

/// Reads `key=value` lines; a key given on several lines becomes a multi-valued key.
pub(crate) fn parse_context(src: &str) -> Result<Vec<(String, ContextValue)>, String> {
    let mut out: Vec<(String, ContextValue)> = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| format!("context line {}: write `key=value`", i + 1))?;
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match out.iter_mut().find(|(ek, _)| ek == &k) {
            Some((_, ContextValue::Single(first))) => {
                let first = std::mem::take(first);
                if let Some(entry) = out.iter_mut().find(|(ek, _)| ek == &k) {
                    entry.1 = ContextValue::Multi(vec![first, v]);
                }
            }
            Some((_, ContextValue::Multi(vals))) => vals.push(v),
            None => out.push((k, ContextValue::Single(v))),
        }
    }
    Ok(out)
}

/// The request being composed: one signal per field, so another panel (a step's detail)
/// can fill the form.
#[derive(Clone, Copy)]
pub struct RequestDraft {
    /// The caller ARN (or `service:NAME`).
    pub caller: RwSignal<String>,
    /// `service:Action`.
    pub action: RwSignal<String>,
    /// The resource ARN; empty means `*`.
    pub resource: RwSignal<String>,
    /// Context as `key=value` lines.
    pub context: RwSignal<String>,
}

impl RequestDraft {
    /// A draft with a first example request filled in.
    pub fn new() -> Self {
        Self {
            caller: RwSignal::new("arn:aws:iam::111122223333:user/nps-service".into()),
            action: RwSignal::new("kms:Decrypt".into()),
            resource: RwSignal::new(String::new()),
            context: RwSignal::new("aws:SourceIp=203.0.113.10".into()),
        }
    }

    /// Copies a step's caller, action and resource (as the engine resolved them) and the context
    /// keys the step supplied into the form (not the trace's whole context: it mixes them with
    /// keys the simulator derives).
    pub fn fill_from(&self, step: &StepResult) {
        let request = step.trace.as_ref().map(|t| &t.request);
        let caller = request
            .map(|r| r.principal.clone())
            .or_else(|| step.caller.clone());
        let action = request
            .map(|r| r.action.clone())
            .or_else(|| step.call.clone());
        let resource = request
            .map(|r| r.resource.clone())
            .or_else(|| step.resource.clone());
        self.caller.set(caller.unwrap_or_default());
        self.action.set(action.unwrap_or_default());
        self.resource.set(resource.unwrap_or_default());
        // One `key=value` line per value: the form reads repeated keys back as a set.
        let lines: Vec<String> = step
            .context
            .iter()
            .flat_map(|(k, v)| v.values().into_iter().map(move |x| format!("{k}={x}")))
            .collect();
        self.context.set(lines.join("\n"));
    }
}

impl Default for RequestDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// A form: caller, action, resource, context; Evaluate shows the decision and trace.
#[component]
pub fn ComposeForm(
    /// The scenario text (its world is what the request is evaluated against).
    text: RwSignal<String>,
    /// The request's fields.
    draft: RequestDraft,
    /// Where the result goes.
    result: RwSignal<Option<Result<StepResult, String>>>,
) -> impl IntoView {
    let RequestDraft {
        caller,
        action,
        resource,
        context,
    } = draft;
    // The caller follows the scenario: one that was among its principals (or the form's first
    // example) and is not among the new scenario's gives way to its first principal; a caller
    // the user typed from elsewhere stays. Mid-edit text compares with the last that read.
    Effect::new(move |prev: Option<Option<Vec<String>>>| {
        let before = prev.flatten();
        let Some(now) = text.with(|t| crate::cache::scenario(t).ok().map(|s| s.principal_arns()))
        else {
            return before;
        };
        let gone = caller
            .with_untracked(|c| before.as_ref().is_none_or(|b| b.contains(c)) && !now.contains(c));
        if let Some(first) = now.first().filter(|_| gone) {
            caller.set(first.clone());
        }
        Some(now)
    });
    let evaluate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = parse_context(&context.get_untracked()).and_then(|ctx| {
            let s = crate::cache::scenario(&text.get_untracked()).map_err(|e| e.to_string())?;
            evaluate_adhoc(
                &s,
                &AdHocRequest {
                    caller: caller.get_untracked(),
                    action: action.get_untracked(),
                    resource: resource.get_untracked(),
                    context: ctx,
                },
            )
            .map_err(|e| e.to_string())
        });
        result.set(Some(r));
    };
    let field = move |label: &'static str,
                      id: &'static str,
                      sig: RwSignal<String>,
                      hint: &'static str| {
        view! {
            <label>
                <span>{label}</span>
                <input type="text" data-testid=id placeholder=hint prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <form class="compose" id="compose" on:submit=evaluate>
            <h2>"Compose a request"</h2>
            <p class="hint">"Authorization only, against the scenario's policies (a kms: action is decided under the key policy when the resource is a key ARN)."</p>
            {field("Caller", "compose-caller", caller, "arn:aws:iam::ACCOUNT:user/NAME")}
            {field("Action", "compose-action", action, "service:Action")}
            {field("Resource", "compose-resource", resource, "an ARN, or empty for *")}
            <label>
                <span>"Context"</span>
                <textarea data-testid="compose-context" rows="3" placeholder="aws:SourceIp=203.0.113.10" prop:value=move || context.get() on:input=move |ev| context.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" data-testid="evaluate">"Evaluate"</button>
            {move || result.get().map(|r| match r {
                Ok(step) => view! { <div class="adhoc" data-testid="adhoc-result">{outcome_line(&step)}{step.trace.clone().map(|t| view! { <TraceView trace=t /> })}</div> }.into_any(),
                Err(e) => view! { <p class="parse-error" role="alert" data-testid="adhoc-error">{e}</p> }.into_any(),
            })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_lines() {
        let c = parse_context("a:b=1\n\naws:TagKeys=x\naws:TagKeys=y").unwrap();
        assert_eq!(c[0], ("a:b".into(), ContextValue::Single("1".into())));
        assert_eq!(
            c[1],
            (
                "aws:TagKeys".into(),
                ContextValue::Multi(vec!["x".into(), "y".into()])
            )
        );
        assert!(parse_context("novalue").is_err());
    }
}
