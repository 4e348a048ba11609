//! The IAM console: the users, groups, roles, managed policies and STS sessions of the simulated
//! world, and a form that runs IAM and STS operations as a chosen caller — a principal ARN, or
//! an access key or temporary credentials the world holds. Calls run after the scenario's own
//! steps, as steps `iam-N`; their log can be saved into the scenario, and each call's outcome
//! and decision trace can be shown again from the log.

use super::{outcome_line, PolicyVersions, TraceView};
use kmslab_engine::identity::view::{GroupView, IamView, RoleView, SessionView, UserView};
use kmslab_engine::identity::{example_input, OPERATIONS};
use kmslab_engine::scenario::{next_step_id, with_steps};
use kmslab_engine::{Decision, RunReport, StepResult};
use leptos::prelude::*;

/// Runs the scenario with the console's calls appended; returns the report.
fn run_with(text: &str, log: &[serde_json::Value]) -> Result<RunReport, String> {
    crate::cache::run_with(text, log)
}

/// For every access key id a step of the run created (`AccessKey.AccessKeyId` or
/// `Credentials.AccessKeyId` in its output), a `${step.…}` reference to it: a saved call then
/// keeps working when the scenario's seed or earlier steps change the id.
fn key_references(report: &RunReport) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for step in report.steps.iter().filter(|s| !s.id.starts_with('#')) {
        let Some(output) = &step.output else { continue };
        for (object, field) in [("AccessKey", "AccessKeyId"), ("Credentials", "AccessKeyId")] {
            if let Some(id) = output
                .get(object)
                .and_then(|o| o.get(field))
                .and_then(|v| v.as_str())
            {
                out.push((id.to_string(), format!("${{{}.{object}.{field}}}", step.id)));
            }
        }
    }
    out
}

/// The step's authentication member for the chosen caller: `caller` for a principal ARN,
/// `accessKeyId` (by reference where a step created it) for an access key or credentials.
fn caller_member(caller: &str, refs: &[(String, String)]) -> (&'static str, String) {
    if caller.starts_with("arn:") {
        ("caller", caller.to_string())
    } else {
        let value = refs
            .iter()
            .rev()
            .find(|(id, _)| id == caller)
            .map_or_else(|| caller.to_string(), |(_, r)| r.clone());
        ("accessKeyId", value)
    }
}

/// The example input of `call` in the scenario's default account and partition.
fn template(call: &str, account: &str, partition: &str) -> String {
    serde_json::to_string_pretty(&example_input(call, account, partition)).unwrap_or_default()
}

/// `k=v, k=v`.
fn tags_line(tags: &[(String, String)]) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list of names, or a dash.
fn names(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join(", ")
    }
}

fn user_card(u: UserView) -> impl IntoView {
    view! {
        <div class="iam-item" data-testid=format!("user-{}", u.name)>
            <p class="iam-name"><strong>{u.name.clone()}</strong>" "<code class="arn">{u.arn.clone()}</code></p>
            <dl class="iam-props">
                <dt>"Attached"</dt><dd data-testid="user-attached">{names(&u.attached)}</dd>
                <dt>"Inline"</dt><dd>{names(&u.inline)}</dd>
                <dt>"Groups"</dt><dd>{names(&u.groups)}</dd>
                <dt>"Boundary"</dt><dd>{u.boundary.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Tags"</dt><dd data-testid="user-tags">{if u.tags.is_empty() { "—".into() } else { tags_line(&u.tags) }}</dd>
                <dt>"Access keys"</dt>
                <dd>
                    {u.access_keys.is_empty().then_some("none")}
                    <ul class="access-keys">
                        {u.access_keys.into_iter().map(|k| {
                            let active = k.status == "Active";
                            view! {
                                <li data-testid="access-key" data-key-id=k.id.clone()>
                                    <code data-testid="access-key-id">{k.id.clone()}</code>" "
                                    <span class=if active { "badge allow" } else { "badge none" } data-testid="access-key-status">{k.status.clone()}</span>
                                    <br/>
                                    <small>
                                        "created " {k.created.clone().unwrap_or_else(|| "before the first step".into())}
                                        "; last used " <span data-testid="access-key-last-used">{k.last_used.clone().map_or_else(|| "never".to_string(), |(when, service, region)| format!("{when} ({service}, {region})"))}</span>
                                    </small>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </dd>
            </dl>
        </div>
    }
}

fn group_card(g: GroupView) -> impl IntoView {
    view! {
        <div class="iam-item" data-testid=format!("group-{}", g.name)>
            <p class="iam-name"><strong>{g.name.clone()}</strong>" "<code class="arn">{g.arn.clone()}</code></p>
            <dl class="iam-props">
                <dt>"Members"</dt><dd data-testid="group-members">{names(&g.members)}</dd>
                <dt>"Attached"</dt><dd>{names(&g.attached)}</dd>
            </dl>
        </div>
    }
}

fn role_card(r: RoleView) -> impl IntoView {
    view! {
        <div class="iam-item" data-testid=format!("role-{}", r.name)>
            <p class="iam-name">
                <strong>{r.name.clone()}</strong>
                {r.service_linked.clone().map(|s| view! { " " <span class="badge implicit" data-testid="service-linked" title=format!("service-linked role of {s}")>{format!("service-linked: {s}")}</span> })}
                " " <code class="arn">{r.arn.clone()}</code>
            </p>
            {r.description.clone().map(|d| view! { <p class="hint">{d}</p> })}
            <dl class="iam-props">
                <dt>"Attached"</dt><dd>{names(&r.attached)}</dd>
                <dt>"Inline"</dt><dd>{names(&r.inline)}</dd>
            </dl>
            <details data-testid="role-trust">
                <summary>"Trust policy"</summary>
                <pre class="policy-text">{super::policy_diff::pretty(&r.trust)}</pre>
            </details>
        </div>
    }
}

fn session_row(s: SessionView) -> impl IntoView {
    view! {
        <li data-testid=format!("session-{}", s.access_key_id)>
            <code>{s.access_key_id.clone()}</code>" "
            <span class=if s.expired { "badge deny" } else { "badge allow" } data-testid="session-state">
                {if s.expired { "expired" } else { "valid" }}
            </span>
            <br/><small><code class="arn">{s.principal.clone()}</code>{format!(" — expires {}", s.expires)}</small>
        </li>
    }
}

/// A call's outcome, output and decision trace (open when the call was not allowed).
fn call_detail(s: StepResult) -> impl IntoView {
    let open = s.decision != Some(Decision::Allow);
    view! {
        <div class="step-detail" data-testid="iam-result">
            <h3>{format!("{} — {}", s.id, s.call.clone().unwrap_or_default())}</h3>
            {s.caller.clone().map(|c| view! { <p class="hint">"as " <code class="arn" data-testid="iam-result-caller">{c}</code></p> })}
            {outcome_line(&s)}
            {s.output.as_ref().map(|o| view! { <pre class="output" data-testid="iam-output">{serde_json::to_string_pretty(o).unwrap_or_default()}</pre> })}
            {s.trace.clone().map(|t| view! { <details class="trace-box" open=open><summary>"Decision trace"</summary><TraceView trace=t /></details> })}
        </div>
    }
}

/// The IAM console.
#[component]
pub fn IamConsole(
    /// The scenario text (its world is where the calls run; Save writes the calls into it).
    text: RwSignal<String>,
) -> impl IntoView {
    let log = RwSignal::new(Vec::<serde_json::Value>::new());
    let report = RwSignal::new(None::<Result<RunReport, String>>);
    // The id of the call whose result is shown (the last one, unless one is picked in the log).
    let shown = RwSignal::new(None::<String>);
    let scenario_principals = Memo::new(move |_| {
        text.with(|t| {
            crate::cache::scenario(t)
                .map(|s| s.principal_arns())
                .unwrap_or_default()
        })
    });
    let defaults = Memo::new(move |_| {
        text.with(|t| {
            crate::cache::scenario(t)
                .map(|s| (s.defaults.account.to_string(), s.defaults.partition.clone()))
                .unwrap_or_else(|_| ("111122223333".into(), "aws".into()))
        })
    });
    // The world after the last successful run (kept while a later call is refused), and the
    // references to the access keys its steps created.
    let world = RwSignal::new(IamView::default());
    let refs = RwSignal::new(Vec::<(String, String)>::new());
    let calls = RwSignal::new(Vec::<StepResult>::new());
    Effect::new(move |_| {
        report.with(|r| {
            if let Some(Ok(r)) = r {
                world.set(r.iam.clone());
                refs.set(key_references(r));
                let ids: Vec<String> = log.with_untracked(|l| {
                    l.iter()
                        .filter_map(|s| s.get("id").and_then(|v| v.as_str()).map(String::from))
                        .collect()
                });
                calls.set(
                    r.steps
                        .iter()
                        .filter(|s| ids.contains(&s.id))
                        .cloned()
                        .collect(),
                );
            }
        })
    });
    // Principals: the scenario's, then users the calls created (they can be named as callers).
    let principals = Memo::new(move |_| {
        let mut out = scenario_principals.get();
        world.with(|w| {
            for u in &w.users {
                if !out.contains(&u.arn) {
                    out.push(u.arn.clone());
                }
            }
        });
        out
    });

    let caller = RwSignal::new(String::new());
    let op = RwSignal::new(String::from("iam:CreateUser"));
    let input = RwSignal::new(String::new());
    // A caller the world no longer offers (another scenario was loaded, a key was deleted)
    // gives way to the first principal.
    Effect::new(move |_| {
        let offered = caller.with_untracked(|c| {
            principals.with(|p| p.contains(c))
                || world.with(|w| {
                    w.users
                        .iter()
                        .any(|u| u.access_keys.iter().any(|k| k.id == *c))
                        || w.sessions.iter().any(|s| s.access_key_id == *c)
                })
        });
        if !offered {
            if let Some(p) = principals.with(|p| p.first().cloned()) {
                caller.set(p);
            }
        }
    });
    // The last template written into the input: a change of the scenario's account refreshes
    // the input only while it still holds that template, never text the user typed.
    let template_text = RwSignal::new(String::new());
    let fill_template = move || {
        let (account, partition) = defaults.get_untracked();
        let tpl = template(&op.get_untracked(), &account, &partition);
        template_text.set(tpl.clone());
        input.set(tpl);
    };
    fill_template();
    Effect::new(move |prev: Option<(String, String)>| {
        let d = defaults.get();
        let untouched = input.with_untracked(|i| template_text.with_untracked(|t| i == t));
        if untouched && prev.is_some_and(|p| p != d) {
            fill_template();
        }
        d
    });
    // The world follows the scenario: an edit or a loaded example shows its identities.
    Effect::new(move |_| {
        let t = text.get();
        report.set(Some(run_with(&t, &log.get_untracked())));
    });
    let refresh = move || report.set(Some(run_with(&text.get_untracked(), &log.get_untracked())));

    // Appends one call to the log and runs the scenario with it; a call the scenario cannot
    // take (bad input JSON, a reference to a missing output) is reported and not logged.
    let submit = move |call: String, inp: serde_json::Value| {
        let source = text.get_untracked();
        let id = log.with_untracked(|l| next_step_id(&source, l, "iam"));
        let (member, who) = refs.with_untracked(|r| caller_member(&caller.get_untracked(), r));
        let mut step = serde_json::Map::new();
        step.insert("id".into(), id.clone().into());
        step.insert(member.into(), who.into());
        step.insert("call".into(), call.into());
        if inp.as_object().is_none_or(|o| !o.is_empty()) {
            step.insert("input".into(), inp);
        }
        let mut next = log.get_untracked();
        next.push(serde_json::Value::Object(step));
        let r = run_with(&source, &next);
        if r.is_ok() {
            log.set(next);
            shown.set(Some(id));
        }
        report.set(Some(r));
    };
    let run_call = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match serde_json::from_str::<serde_json::Value>(&input.get_untracked()) {
            Ok(inp) if inp.is_object() => submit(op.get_untracked(), inp),
            Ok(_) => report.set(Some(Err("the input must be a JSON object".into()))),
            Err(e) => report.set(Some(Err(format!("the input is not JSON: {e}")))),
        }
    };
    let save = move |_| {
        if let Ok(doc) = with_steps(&text.get_untracked(), &log.get_untracked()) {
            log.set(Vec::new());
            calls.set(Vec::new());
            shown.set(None);
            text.set(text.with_untracked(|t| crate::splice::keep_layout(t, doc)));
        }
    };
    let shown_call = move || {
        let id = shown.get()?;
        calls.with(|c| c.iter().find(|s| s.id == id).cloned())
    };

    view! {
        <section class="iam" data-testid="iam-console">
            <div class="pane-head">
                <h2>"IAM console"</h2>
                <button type="button" data-testid="iam-refresh" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            <form class="compose" on:submit=run_call>
                <label>
                    <span>"Caller"</span>
                    <select data-testid="iam-caller" on:change=move |ev| caller.set(event_target_value(&ev)) prop:value=move || caller.get()>
                        <optgroup label="Principals">
                            {move || principals.get().into_iter().map(|p| {
                                let selected = caller.with_untracked(|c| *c == p);
                                view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                            }).collect_view()}
                        </optgroup>
                        <optgroup label="Access keys">
                            {move || world.with(|w| w.users.iter().flat_map(|u| u.access_keys.iter().map(move |k| (k.id.clone(), format!("{} — {} ({})", k.id, u.name, k.status)))).collect::<Vec<_>>()).into_iter().map(|(id, label)| {
                                let selected = caller.with_untracked(|c| *c == id);
                                view! { <option value=id selected=selected>{label}</option> }
                            }).collect_view()}
                        </optgroup>
                        <optgroup label="STS credentials">
                            {move || world.with(|w| w.sessions.iter().map(|s| (s.access_key_id.clone(), format!("{} — {}{}", s.access_key_id, s.principal, if s.expired { " (expired)" } else { "" }))).collect::<Vec<_>>()).into_iter().map(|(id, label)| {
                                let selected = caller.with_untracked(|c| *c == id);
                                view! { <option value=id selected=selected>{label}</option> }
                            }).collect_view()}
                        </optgroup>
                    </select>
                </label>
                <label>
                    <span>"Operation"</span>
                    <select data-testid="iam-op" prop:value=move || op.get() on:change=move |ev| { op.set(event_target_value(&ev)); fill_template(); }>
                        {OPERATIONS.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Input"</span>
                    <textarea data-testid="iam-input" rows="6" spellcheck="false" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))></textarea>
                </label>
                <p class="hint">"An access key or STS credentials as the caller sign the call as their owner. Refer to earlier calls as ${iam-1.Policy.Arn}."</p>
                <div class="buttons">
                    <button type="submit" data-testid="iam-run">"Run call"</button>
                    " "
                    <button type="button" data-testid="iam-save" on:click=save disabled=move || log.with(Vec::is_empty)>
                        {move || format!("Save {} call(s) into the scenario", log.with(Vec::len))}
                    </button>
                </div>
            </form>
            {move || match report.get() {
                Some(Err(e)) => Some(view! { <p class="parse-error" role="alert" data-testid="iam-error">{e}</p> }),
                _ => None,
            }}
            <Show when=move || calls.with(|c| !c.is_empty())>
                <ol class="iam-log" data-testid="iam-log">
                    {move || calls.get().into_iter().map(|s| {
                        let id = s.id.clone();
                        let current = shown.with(|x| x.as_deref() == Some(s.id.as_str()));
                        let decision = s.decision.map_or("no decision", |d| d.as_str());
                        view! {
                            <li class:current=current>
                                <button type="button" class="link" data-testid=format!("iam-log-{}", s.id) on:click=move |_| shown.set(Some(id.clone()))>
                                    {format!("{} {}", s.id, s.call.clone().unwrap_or_default())}
                                </button>
                                " " <span class=format!("badge {}", super::decision_class(s.decision))>{decision}</span>
                                " " <small>{s.error.clone().unwrap_or_else(|| "success".into())}</small>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </Show>
            {move || shown_call().map(call_detail)}
            <div class="iam-world">
                <h3>"Users"</h3>
                <div data-testid="iam-users">
                    {move || world.with(|w| w.users.is_empty()).then(|| view! { <p class="hint">"No users."</p> })}
                    {move || world.with(|w| w.users.clone()).into_iter().map(user_card).collect_view()}
                </div>
                <h3>"Groups"</h3>
                <div data-testid="iam-groups">
                    {move || world.with(|w| w.groups.is_empty()).then(|| view! { <p class="hint">"No groups."</p> })}
                    {move || world.with(|w| w.groups.clone()).into_iter().map(group_card).collect_view()}
                </div>
                <h3>"Roles"</h3>
                <div data-testid="iam-roles">
                    {move || world.with(|w| w.roles.is_empty()).then(|| view! { <p class="hint">"No roles."</p> })}
                    {move || world.with(|w| w.roles.clone()).into_iter().map(role_card).collect_view()}
                </div>
                <h3>"Customer managed policies"</h3>
                <div data-testid="iam-policies">
                    {move || world.with(|w| w.policies.is_empty()).then(|| view! { <p class="hint">"No managed policies."</p> })}
                    {move || world.with(|w| w.policies.clone()).into_iter().map(|p| view! { <PolicyVersions policy=p /> }).collect_view()}
                </div>
                <h3>"STS sessions"</h3>
                <ul class="sessions" data-testid="iam-sessions">
                    {move || world.with(|w| w.sessions.is_empty()).then(|| view! { <li class="hint">"No sessions."</li> })}
                    {move || world.with(|w| w.sessions.clone()).into_iter().map(session_row).collect_view()}
                </ul>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_are_named_by_reference_where_a_step_created_them() {
        let refs = vec![(
            "AKIAEXAMPLE".to_string(),
            "${iam-4.AccessKey.AccessKeyId}".to_string(),
        )];
        assert_eq!(
            caller_member("AKIAEXAMPLE", &refs),
            ("accessKeyId", "${iam-4.AccessKey.AccessKeyId}".to_string())
        );
        assert_eq!(
            caller_member("ASIAOTHER", &refs),
            ("accessKeyId", "ASIAOTHER".to_string())
        );
        assert_eq!(
            caller_member("arn:aws:iam::111122223333:user/admin", &refs),
            ("caller", "arn:aws:iam::111122223333:user/admin".to_string())
        );
    }

    #[test]
    fn templates_name_the_scenario_account() {
        let t = template("iam:AttachUserPolicy", "444455556666", "aws-cn");
        assert!(
            t.contains("arn:aws-cn:iam::444455556666:policy/ExamplePolicy"),
            "{t}"
        );
    }
}
