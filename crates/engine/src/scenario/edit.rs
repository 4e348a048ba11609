//! Edits the app makes to a scenario document: append the console's calls as steps, set a
//! key's policy. Each edit re-reads the result, so an edit can never leave a scenario the engine
//! refuses; a refused edit leaves the caller's text as it was.

use super::read::error_at;
use super::ScenarioError;
use crate::iam::policy::PolicyKind;
use crate::json::{self, Json, JsonPath, JsonValue, Member, Pos};
use crate::lint::check_policy_text;

fn as_document(src: &str) -> Result<Json, ScenarioError> {
    super::parse_scenario(src)?;
    json::parse(src).map_err(|e| error_at(&JsonPath::root(), e.pos, e.message))
}

/// Prints the edited document (members in the user's order) and re-reads it.
fn to_text(doc: &Json) -> Result<String, ScenarioError> {
    let out = doc.to_pretty();
    super::parse_scenario(&out)?;
    Ok(out)
}

fn members_mut(j: &mut Json) -> Option<&mut Vec<Member>> {
    match &mut j.value {
        JsonValue::Object(m) => Some(m),
        _ => None,
    }
}

/// The scenario document `src` with `extra` steps appended (pretty-printed, the document's own
/// member order kept). Used to save calls made from the app's KMS console into the scenario.
pub fn with_steps(src: &str, extra: &[serde_json::Value]) -> Result<String, ScenarioError> {
    let mut doc = as_document(src)?;
    let steps = members_mut(&mut doc)
        .and_then(|ms| ms.iter_mut().find(|m| m.key == "steps"))
        .map(|m| &mut m.value.value);
    match steps {
        Some(JsonValue::Array(steps)) => {
            steps.extend(extra.iter().map(|v| Json::from_serde(v, Pos::default())))
        }
        _ => {
            return Err(error_at(
                &JsonPath::root(),
                Pos::default(),
                "the scenario has no `steps` array",
            ))
        }
    }
    to_text(&doc)
}

/// The scenario document `src` with the key `key_id`'s initial policy set to `policy_text`
/// (pretty-printed, member order kept). The policy text is checked first; its errors are
/// located in `policy_text` itself (line and column there, JSON path from the policy's root).
pub fn with_key_policy(
    src: &str,
    key_id: &str,
    policy_text: &str,
) -> Result<String, ScenarioError> {
    if let Some(e) = check_policy_text(policy_text, PolicyKind::Resource, key_id).error {
        return Err(ScenarioError {
            file: None,
            path: e.path,
            pos: e.pos,
            message: format!("the key policy cannot be used: {}", e.message),
        });
    }
    let policy =
        json::parse(policy_text).map_err(|e| error_at(&JsonPath::root(), e.pos, e.message))?;
    let mut doc = as_document(src)?;
    let key = members_mut(&mut doc)
        .and_then(|ms| ms.iter_mut().find(|m| m.key == "keys"))
        .and_then(|m| match &mut m.value.value {
            JsonValue::Array(keys) => keys
                .iter_mut()
                .find(|k| k.get("id").and_then(Json::as_str) == Some(key_id)),
            _ => None,
        })
        .and_then(members_mut)
        .ok_or_else(|| {
            error_at(
                &JsonPath::root().key("keys"),
                Pos::default(),
                format!("the scenario defines no key `{key_id}`"),
            )
        })?;
    match key.iter_mut().find(|m| m.key == "policy") {
        Some(m) => m.value = policy,
        None => key.push(Member {
            key: "policy".into(),
            key_pos: Pos::default(),
            value: policy,
        }),
    }
    to_text(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str =
        r#"{"kmslab":1,"keys":[{"id":"k1"},{"id":"k2","policy":"default"}],"steps":[]}"#;

    #[test]
    fn sets_a_key_policy_and_keeps_the_rest() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Only","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let out = with_key_policy(SRC, "k2", policy).unwrap();
        let s = crate::parse_scenario(&out).unwrap();
        assert_eq!(s.keys.len(), 2);
        assert!(
            s.keys[1].policy_text.contains("\"Only\""),
            "{}",
            s.keys[1].policy_text
        );
        assert!(out.contains("\"id\": \"k1\""));
        // The document keeps its own member order.
        assert!(out.starts_with("{\n  \"kmslab\": 1,\n  \"keys\""), "{out}");
        assert!(
            out.find("\"Sid\"").unwrap() < out.find("\"Effect\"").unwrap(),
            "{out}"
        );
    }

    #[test]
    fn refuses_bad_policies_with_their_position() {
        let e = with_key_policy(
            SRC,
            "k1",
            "{\n \"Statement\": [ {\"Effect\": \"Allow\",, } ]\n}",
        )
        .unwrap_err();
        assert_eq!(e.pos.line, 2, "{e}");
        let e = with_key_policy(
            SRC,
            "nope",
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("`nope`"), "{e}");
    }

    #[test]
    fn appends_steps() {
        let out = with_steps(SRC, &[serde_json::json!({"advance": "PT1M"})]).unwrap();
        assert_eq!(crate::parse_scenario(&out).unwrap().steps.len(), 1);
        assert!(with_steps("{", &[]).is_err());
    }
}
