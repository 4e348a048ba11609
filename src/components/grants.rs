//! The grants part of the KMS view: the world's grants with Retire and Revoke buttons, and a
//! form that creates a grant. Every button is a KMS call made as the console's caller, so the
//! outcome and its trace are the engine's (a caller the key policy does not allow is refused).

use kmslab_engine::kms::model::GRANT_OPERATIONS;
use kmslab_engine::kms::view::{GrantView, KeyView};
use leptos::prelude::*;

/// Reads `key=value` lines into an encryption-context object.
fn context_lines(src: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut out = serde_json::Map::new();
    for (i, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| format!("constraint line {}: write `key=value`", i + 1))?;
        out.insert(k.trim().to_string(), v.trim().into());
    }
    Ok(out)
}

/// Builds CreateGrant's input from the form's fields.
fn create_grant_input(
    key: &str,
    grantee: &str,
    operations: &[String],
    retiring: &str,
    name: &str,
    constraint: &str,
    pairs: &str,
) -> Result<serde_json::Value, String> {
    let mut input = serde_json::json!({
        "KeyId": key,
        "GranteePrincipal": grantee.trim(),
        "Operations": operations,
    });
    let obj = input
        .as_object_mut()
        .ok_or_else(|| "internal: the input is not an object".to_string())?;
    if !retiring.trim().is_empty() {
        obj.insert("RetiringPrincipal".into(), retiring.trim().into());
    }
    if !name.trim().is_empty() {
        obj.insert("Name".into(), name.trim().into());
    }
    if !constraint.is_empty() {
        let pairs = context_lines(pairs)?;
        obj.insert(
            "Constraints".into(),
            serde_json::json!({ constraint: pairs }),
        );
    }
    Ok(input)
}

/// The grants list and the create-grant form.
#[component]
pub fn GrantsPanel(
    /// The keys of the world after the console's last run.
    keys: Signal<Vec<KeyView>>,
    /// Its grants, retired and revoked ones included.
    grants: Signal<Vec<GrantView>>,
    /// The scenario's principals, offered as grantees.
    principals: Signal<Vec<String>>,
    /// Runs a KMS call, `(operation, input)`, as the console's caller.
    call: Callback<(String, serde_json::Value)>,
) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let grantee = RwSignal::new(String::new());
    let ops = RwSignal::new(vec![String::from("Decrypt")]);
    let retiring = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let constraint = RwSignal::new(String::new());
    let pairs = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let current = key.get_untracked();
        let first = keys.with(|ks| {
            (!ks.iter().any(|k| k.id == current)).then(|| ks.first().map(|k| k.id.clone()))
        });
        if let Some(Some(k)) = first {
            key.set(k);
        }
    });
    let toggle = move |op: &'static str, on: bool| {
        ops.update(|v| {
            v.retain(|o| o != op);
            if on {
                v.push(op.to_string());
            }
        });
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = create_grant_input(
            &key.get_untracked(),
            &grantee.get_untracked(),
            &ops.get_untracked(),
            &retiring.get_untracked(),
            &name.get_untracked(),
            &constraint.get_untracked(),
            &pairs.get_untracked(),
        );
        match input {
            Ok(input) => {
                form_error.set(None);
                call.run(("CreateGrant".into(), input));
            }
            Err(e) => form_error.set(Some(e)),
        }
    };

    view! {
        <section class="grants" data-testid="grants-panel">
            <h3>"Grants"</h3>
            <ul data-testid="kms-grants">
                {move || grants.get().into_iter().map(|g| {
                    let retire_id = g.id.clone();
                    let revoke = (g.key_id.clone(), g.id.clone());
                    view! {
                        <li class:retired=g.deleted data-testid="grant">
                            <code title=g.id.clone()>{g.id.chars().take(12).collect::<String>()}"…"</code>
                            {format!(" on {} to {} for [{}]{}{}{}", g.key_id, g.grantee, g.operations.join(", "),
                                g.constraint.map(|c| format!(", {c}")).unwrap_or_default(),
                                g.retiring.map(|r| format!(", retiring principal {r}")).unwrap_or_default(),
                                if g.deleted { " (retired/revoked)" } else { "" })}
                            {(!g.deleted).then(|| view! {
                                " "
                                <button type="button" class="small" data-testid="grant-retire"
                                    title="RetireGrant as the caller: the retiring principal, a grantee the grant allows RetireGrant, or the account"
                                    on:click=move |_| call.run(("RetireGrant".into(), serde_json::json!({ "GrantId": retire_id.clone() })))>
                                    "Retire"
                                </button>
                                " "
                                <button type="button" class="small" data-testid="grant-revoke"
                                    title="RevokeGrant as the caller: allowed by the key policy or IAM"
                                    on:click=move |_| call.run(("RevokeGrant".into(), serde_json::json!({ "KeyId": revoke.0.clone(), "GrantId": revoke.1.clone() })))>
                                    "Revoke"
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="compose grant-form" data-testid="grant-form" on:submit=create>
                <h4>"Create a grant"</h4>
                <label>
                    <span>"Key"</span>
                    <select data-testid="grant-key" prop:value=move || key.get() on:change=move |ev| key.set(event_target_value(&ev))>
                        // Options made anew keep the chosen key selected (the select would
                        // otherwise show its first option while the grant is made on another).
                        {move || keys.get().into_iter().map(|k| {
                            let selected = key.with_untracked(|c| *c == k.id);
                            view! { <option value=k.id.clone() selected=selected>{k.id.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Grantee"</span>
                    <input data-testid="grant-grantee" list="grant-principals" placeholder="arn:aws:iam::111122223333:role/app"
                        prop:value=move || grantee.get() on:input=move |ev| grantee.set(event_target_value(&ev)) />
                </label>
                <datalist id="grant-principals">
                    {move || principals.get().into_iter().map(|p| view! { <option value=p></option> }).collect_view()}
                </datalist>
                <fieldset class="ops" data-testid="grant-ops">
                    <legend>"Operations"</legend>
                    {GRANT_OPERATIONS.iter().map(|op| {
                        let op: &'static str = op;
                        view! {
                            <label class="op-check">
                                <input type="checkbox" value=op
                                    prop:checked=move || ops.with(|v| v.iter().any(|o| o == op))
                                    on:change=move |ev| toggle(op, event_target_checked(&ev)) />
                                {op}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label>
                    <span>"Retiring principal"</span>
                    <input data-testid="grant-retiring" list="grant-principals" placeholder="optional"
                        prop:value=move || retiring.get() on:input=move |ev| retiring.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>"Name"</span>
                    <input data-testid="grant-name" placeholder="optional; a second CreateGrant with the same name returns the same grant"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>"Constraint"</span>
                    <select data-testid="grant-constraint" prop:value=move || constraint.get() on:change=move |ev| constraint.set(event_target_value(&ev))>
                        <option value="">"none"</option>
                        <option value="EncryptionContextEquals">"EncryptionContextEquals"</option>
                        <option value="EncryptionContextSubset">"EncryptionContextSubset"</option>
                    </select>
                </label>
                <label class:hidden=move || constraint.with(String::is_empty)>
                    <span>"Context pairs"</span>
                    <textarea data-testid="grant-pairs" rows="2" placeholder="app=nps" spellcheck="false"
                        prop:value=move || pairs.get() on:input=move |ev| pairs.set(event_target_value(&ev))></textarea>
                </label>
                <div class="buttons">
                    <button type="submit" data-testid="grant-create">"Create grant"</button>
                </div>
                {move || form_error.get().map(|e| view! { <p class="parse-error" role="alert">{e}</p> })}
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::create_grant_input;

    #[test]
    fn builds_create_grant_input() {
        let ops = vec!["Decrypt".to_string()];
        let v = create_grant_input(
            "k",
            " arn:aws:iam::1:role/a ",
            &ops,
            "",
            "n",
            "EncryptionContextSubset",
            "app = nps\n\n",
        )
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"KeyId": "k", "GranteePrincipal": "arn:aws:iam::1:role/a",
                "Operations": ["Decrypt"], "Name": "n",
                "Constraints": {"EncryptionContextSubset": {"app": "nps"}}})
        );
        assert!(
            create_grant_input("k", "g", &ops, "", "", "EncryptionContextEquals", "x").is_err()
        );
    }
}
