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
    to_scenario(doc).map(|(text, _)| text)
}

/// Prints the edited document and reads it back: the text and the scenario it is.
fn to_scenario(doc: &Json) -> Result<(String, super::Scenario), ScenarioError> {
    let out = doc.to_pretty();
    let s = super::parse_scenario(&out)?;
    Ok((out, s))
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
    to_text(&appended(src, extra)?)
}

/// Runs `src` with `extra` steps appended (the app's consoles: their calls run after the
/// scenario's own steps), reading the combined document once.
///
/// The scenario's own steps keep their places in `src`; an error in an appended step (which
/// the user wrote in a form, not in the document) names the form's field instead of a place in
/// a document the user never sees (`input \`Plaintext\`: not valid base64 ...`), and so does an
/// appended step that cannot run (it refers to an output that is not there), so that a console
/// does not keep a call that was never made.
pub fn run_with_steps(
    src: &str,
    extra: &[serde_json::Value],
    opts: super::RunOptions<'_>,
) -> Result<super::RunReport, ScenarioError> {
    let mut s = super::parse_scenario(src)?;
    let first = s.steps.len();
    let form = |e: ScenarioError| form_error(e, first, "operation");
    // `src` is a scenario (just read): its JSON needs no second check.
    let doc = json::parse(src).map_err(|e| error_at(&JsonPath::root(), e.pos, e.message))?;
    let (_, combined) = to_scenario(&append_steps(doc, extra)?).map_err(form)?;
    s.steps.extend(combined.steps.into_iter().skip(first));
    let report = super::run_scenario_with(&s, opts).map_err(form)?;
    if let Some(why) = report
        .steps
        .iter()
        .skip(first)
        .find_map(|r| r.not_run.clone())
    {
        return Err(form(why));
    }
    Ok(report)
}

/// An error in a step a form composed (index `first` or later): the place in the document is
/// replaced by the form's field, named in the message (`caller: ...`, `input \`Plaintext\`:
/// ...`; `call` is the form's `call_label`). Errors elsewhere are returned as they are.
pub(crate) fn form_error(e: ScenarioError, first: usize, call_label: &str) -> ScenarioError {
    let Some((index, rest)) = e
        .path
        .strip_prefix("$.steps[")
        .and_then(|r| r.split_once(']'))
    else {
        return e;
    };
    if index.parse::<usize>().map_or(true, |i| i < first) {
        return e;
    }
    let mut segments = path_segments(rest).into_iter();
    let field = segments.next().unwrap_or_default();
    let inner: Vec<String> = segments.collect();
    let inner = inner.join(".");
    let label = match field.as_str() {
        "" => String::new(),
        "caller" | "accessKeyId" => "caller".to_string(),
        "call" => call_label.to_string(),
        "grantTokens" => "grant tokens".to_string(),
        other if inner.is_empty() => other.to_string(),
        other => format!("{other} `{inner}`"),
    };
    let mut message = e.message;
    // `caller \`x\` is not an ARN`, `\`Plaintext\` is not valid base64`: the label names it.
    let named = if inner.is_empty() {
        vec![format!("{field} ")]
    } else {
        vec![
            format!("`{inner}` is "),
            format!("`{inner}` "),
            format!("{field} key `{inner}` "),
        ]
    };
    if let Some(rest) = named.iter().find_map(|n| message.strip_prefix(n.as_str())) {
        message = rest.to_string();
    }
    ScenarioError {
        file: None,
        path: String::new(),
        pos: Pos::default(),
        message: if label.is_empty() {
            message
        } else {
            format!("{label}: {message}")
        },
    }
}

/// The segments of a JSON path after `$.steps[N]` (`.input.EncryptionContext["a b"]` gives
/// `input`, `EncryptionContext`, `a b`; an index gives its number).
fn path_segments(mut rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(r.get(..end).unwrap_or_default().to_string());
            rest = r.get(end..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix('[') {
            // A quoted key (JSON string) or an index.
            let quoted = r.starts_with('"');
            let end = if quoted {
                json_string_end(r)
            } else {
                r.find(']').unwrap_or(r.len())
            };
            let inside = r.get(..end).unwrap_or_default();
            out.push(if quoted {
                serde_json::from_str::<String>(inside).unwrap_or_else(|_| inside.to_string())
            } else {
                inside.to_string()
            });
            rest = r.get(end + 1..).unwrap_or_default();
        } else {
            return out;
        }
    }
}

/// The length of the JSON string at the start of `s` (quotes included).
fn json_string_end(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The next free step id `PREFIX-N` for a console: one past the highest such id among the
/// scenario's steps and `extra`, so calls made after saving earlier ones never collide.
pub fn next_step_id(src: &str, extra: &[serde_json::Value], prefix: &str) -> String {
    let number = |id: &str| {
        id.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|n| n.parse::<usize>().ok())
    };
    let in_scenario = super::parse_scenario(src).ok().and_then(|s| {
        s.steps
            .iter()
            .filter_map(|st| st.id.as_deref().and_then(number))
            .max()
    });
    let in_extra = extra
        .iter()
        .filter_map(|st| st.get("id").and_then(|v| v.as_str()).and_then(number))
        .max();
    format!("{prefix}-{}", in_scenario.max(in_extra).unwrap_or(0) + 1)
}

/// The document `src` with `extra` steps appended to its `steps`.
fn appended(src: &str, extra: &[serde_json::Value]) -> Result<Json, ScenarioError> {
    append_steps(as_document(src)?, extra)
}

/// `doc` with `extra` steps appended to its `steps`.
fn append_steps(mut doc: Json, extra: &[serde_json::Value]) -> Result<Json, ScenarioError> {
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
    Ok(doc)
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

/// One step of a path into a scenario document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// An object member (created when missing, as the last step of a set).
    Key(String),
    /// The array element whose `id` member is this (`keyStores`, `keys`, ...).
    Id(String),
    /// The array element at this index.
    Index(usize),
}

/// What [`edit_value`] does at the end of its path.
#[derive(Debug, Clone, PartialEq)]
pub enum DocEdit {
    /// Sets the value (a missing last object member is appended).
    Set(serde_json::Value),
    /// Removes the object member or array element.
    Remove,
    /// Inserts a copy of the array element right after it (how a form adds a statement, a key
    /// or a step: from a valid neighbour, never from an empty shape the scenario would refuse).
    Duplicate,
}

/// Follows `path` from `at`; `create_last` appends a missing last object member (as `null`).
fn navigate<'a>(
    mut at: &'a mut Json,
    path: &[PathStep],
    create_last: bool,
) -> Result<&'a mut Json, ScenarioError> {
    let mut shown = JsonPath::root();
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let here = shown.clone();
        let missing = |what: String| error_at(&here, Pos::default(), what);
        at = match step {
            PathStep::Key(k) => {
                shown = shown.key(k);
                let members = members_mut(at)
                    .ok_or_else(|| missing(format!("`{k}` is not inside an object")))?;
                if !members.iter().any(|m| &m.key == k) {
                    if !(last && create_last) {
                        return Err(missing(format!("the scenario has no `{k}` here")));
                    }
                    members.push(Member {
                        key: k.clone(),
                        key_pos: Pos::default(),
                        value: Json {
                            value: JsonValue::Null,
                            pos: Pos::default(),
                        },
                    });
                }
                members
                    .iter_mut()
                    .find(|m| &m.key == k)
                    .map(|m| &mut m.value)
                    .ok_or_else(|| missing(format!("the scenario has no `{k}` here")))?
            }
            PathStep::Id(id) => {
                let JsonValue::Array(items) = &mut at.value else {
                    return Err(missing(format!("no list holds an entry with id `{id}`")));
                };
                let i = items
                    .iter()
                    .position(|x| x.get("id").and_then(Json::as_str) == Some(id.as_str()))
                    .ok_or_else(|| missing(format!("no entry has id `{id}`")))?;
                shown = shown.index(i);
                items
                    .get_mut(i)
                    .ok_or_else(|| missing(format!("no entry has id `{id}`")))?
            }
            PathStep::Index(i) => {
                let JsonValue::Array(items) = &mut at.value else {
                    return Err(missing(format!(
                        "there is no list here to take item {i} of"
                    )));
                };
                shown = shown.index(*i);
                let len = items.len();
                items
                    .get_mut(*i)
                    .ok_or_else(|| missing(format!("the list has {len} items, not {}", i + 1)))?
            }
        };
    }
    Ok(at)
}

/// The scenario document `src` with the value at `path` set to `value` (members in the user's
/// order kept; a missing last member is appended). The app's controls use it, for example to
/// take a CloudHSM cluster's HSMs away or inject a proxy fault.
pub fn with_value(
    src: &str,
    path: &[PathStep],
    value: &serde_json::Value,
) -> Result<String, ScenarioError> {
    edit_value(src, path, &DocEdit::Set(value.clone()))
}

/// The scenario document `src` with one edit at `path` (the app's section forms use it). The
/// result must still be a valid scenario: an edit that would break it is refused with the
/// scenario's own located error, and `src` is left as it was.
pub fn edit_value(src: &str, path: &[PathStep], edit: &DocEdit) -> Result<String, ScenarioError> {
    let mut doc = as_document(src)?;
    match edit {
        DocEdit::Set(value) => {
            *navigate(&mut doc, path, true)? = Json::from_serde(value, Pos::default());
        }
        DocEdit::Remove | DocEdit::Duplicate => {
            let Some((last, parent_path)) = path.split_last() else {
                return Err(error_at(
                    &JsonPath::root(),
                    Pos::default(),
                    "the whole scenario cannot be removed or copied",
                ));
            };
            let parent = navigate(&mut doc, parent_path, false)?;
            let here = JsonPath::root();
            let refuse = |what: String| error_at(&here, Pos::default(), what);
            match (&mut parent.value, last) {
                (JsonValue::Object(members), PathStep::Key(k)) => {
                    if *edit == DocEdit::Duplicate {
                        return Err(refuse(format!(
                            "`{k}` is a member: only list items can be copied"
                        )));
                    }
                    let before = members.len();
                    members.retain(|m| &m.key != k);
                    if members.len() == before {
                        return Err(refuse(format!("the scenario has no `{k}` here")));
                    }
                }
                (JsonValue::Array(items), step @ (PathStep::Index(_) | PathStep::Id(_))) => {
                    let i = match step {
                        PathStep::Index(i) => Some(*i),
                        PathStep::Id(id) => items
                            .iter()
                            .position(|x| x.get("id").and_then(Json::as_str) == Some(id.as_str())),
                        PathStep::Key(_) => None,
                    }
                    .filter(|i| *i < items.len())
                    .ok_or_else(|| refuse("that list item does not exist".to_string()))?;
                    if *edit == DocEdit::Remove {
                        items.remove(i);
                    } else if let Some(mut copy) = items.get(i).cloned() {
                        rename_copy(&mut copy, items);
                        items.insert(i + 1, copy);
                    }
                }
                _ => {
                    return Err(refuse(
                        "the path does not lead to a member or a list item".into(),
                    ))
                }
            }
        }
    }
    to_text(&doc)
}

/// Gives a copied list item fresh identifiers (`id`, `name`, `Sid`: what the scenario or IAM
/// requires to be unique among siblings): `x` becomes `x-copy`, then `x-copy-2`, ...
fn rename_copy(copy: &mut Json, siblings: &[Json]) {
    let Some(members) = members_mut(copy) else {
        return;
    };
    for m in members.iter_mut() {
        if !matches!(m.key.as_str(), "id" | "name" | "Sid") {
            continue;
        }
        let JsonValue::String(old) = &m.value.value else {
            continue;
        };
        let taken = |c: &str| {
            siblings
                .iter()
                .any(|s| s.get(&m.key).and_then(Json::as_str) == Some(c))
        };
        // `Sid`s are alphanumeric only, so they get a plain number.
        let sep = if m.key == "Sid" { "Copy" } else { "-copy" };
        let mut n = 1;
        let mut candidate = format!("{old}{sep}");
        while taken(&candidate) {
            n += 1;
            candidate = format!("{old}{sep}{}{n}", if m.key == "Sid" { "" } else { "-" });
        }
        m.value.value = JsonValue::String(candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str =
        r#"{"kmslab":1,"keys":[{"id":"k1"},{"id":"k2","policy":"default"}],"steps":[]}"#;

    /// A world with one user who may use the key, and one step of the user's own.
    const WORLD: &str = r#"{"kmslab": 1,
  "iam": {"users": [{"name": "alice", "inline": {"p": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}}]},
  "keys": [{"id": "k1", "aliases": ["alias/k"]}],
  "steps": [
    {"id": "mine", "caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:DescribeKey",
     "input": {"KeyId": "k1"}}]}"#;

    fn console_error(step: serde_json::Value) -> String {
        run_with_steps(WORLD, &[step], super::super::RunOptions::default())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_in_a_console_call_name_the_form_field_not_a_hidden_place() {
        let alice = "arn:aws:iam::111122223333:user/alice";
        assert_eq!(
            console_error(serde_json::json!({"id": "c", "caller": alice, "call": "kms:Encrypt",
                "input": {"KeyId": "alias/k", "Plaintext": "not base64"}})),
            "input `Plaintext`: not valid base64: a space at character 4 is not a base64 character (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`, and `=` at the end)"
        );
        assert_eq!(
            console_error(
                serde_json::json!({"id": "c", "caller": alice, "call": "kms:Encrypt",
                "input": {"KeyID": "alias/k"}})
            ),
            "input `KeyID`: not a parameter of `kms:Encrypt`; did you mean `KeyId`?"
        );
        assert_eq!(
            console_error(serde_json::json!({"id": "c", "caller": "arn:aws:iam::111122223333:user/alcie",
                "call": "kms:Encrypt", "input": {"KeyId": "alias/k", "Plaintext": "aGk="}})),
            "caller: `arn:aws:iam::111122223333:user/alcie`: there is no user `alcie` in account `111122223333`; did you mean `alice`?"
        );
        // A call that uses the output of a step that was denied is not made (and not kept).
        assert_eq!(
            console_error(serde_json::json!({"id": "c", "caller": alice, "call": "kms:Decrypt",
                "input": {"CiphertextBlob": "${mine.CiphertextBlob}"}})),
            "input `CiphertextBlob`: `${mine.CiphertextBlob}` refers to step `mine`, which ended with `AccessDeniedException`, so it has no output"
        );
        // A call that runs is reported as usual.
        let ok = run_with_steps(
            WORLD,
            &[
                serde_json::json!({"id": "c", "caller": alice, "call": "kms:Encrypt",
                "input": {"KeyId": "alias/k", "Plaintext": "aGk="}}),
            ],
            super::super::RunOptions::default(),
        )
        .unwrap();
        assert_eq!(ok.steps.len(), 2);
    }

    #[test]
    fn errors_in_the_scenario_own_steps_keep_their_place_in_it() {
        let src = WORLD.replace(
            r#""input": {"KeyId": "k1"}}"#,
            r#""input": {"KeyId": "k1"}, "context": {"aws:username": "bob"}}"#,
        );
        let e = run_with_steps(&src, &[], super::super::RunOptions::default()).unwrap_err();
        assert_eq!(e.path, r#"$.steps[0].context["aws:username"]"#);
        assert_eq!(e.pos.line, 6, "{e}");
    }

    #[test]
    fn a_composed_request_names_its_fields() {
        let s = crate::parse_scenario(WORLD).unwrap();
        let ask = |caller: &str, action: &str| {
            super::super::evaluate_adhoc(
                &s,
                &super::super::AdHocRequest {
                    caller: caller.into(),
                    action: action.into(),
                    ..Default::default()
                },
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            ask("arn:aws:iam:111122223333:user/alice", "kms:ListKeys"),
            "caller: `arn:aws:iam:111122223333:user/alice` is not an ARN or `service:NAME` (an IAM ARN has an empty Region: `arn:aws:iam::111122223333:user/alice`)"
        );
        assert_eq!(
            ask("arn:aws:iam::111122223333:user/alice", "ListKeys"),
            "action: `ListKeys` is not an action: write `service:Action`"
        );
    }

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
    fn sets_a_nested_value() {
        let src = r#"{"kmslab":1,"keyStores":[{"id":"cks-1","cluster":{"id":"cluster-a","activeHsms":2,"kmsuser":{"password":"pw12345"}}}],"steps":[]}"#;
        let path = [
            PathStep::Key("keyStores".into()),
            PathStep::Id("cks-1".into()),
            PathStep::Key("cluster".into()),
            PathStep::Key("activeHsms".into()),
        ];
        let out = with_value(src, &path, &serde_json::json!(0)).unwrap();
        assert_eq!(
            crate::parse_scenario(&out).unwrap().clusters[0].active_hsms,
            0
        );
        let add = [
            PathStep::Key("keyStores".into()),
            PathStep::Id("cks-1".into()),
            PathStep::Key("cluster".into()),
            PathStep::Key("networkReachable".into()),
        ];
        let out = with_value(&out, &add, &serde_json::json!(false)).unwrap();
        assert!(!crate::parse_scenario(&out).unwrap().clusters[0].network_reachable);
        let bad = [
            PathStep::Key("keyStores".into()),
            PathStep::Id("cks-9".into()),
        ];
        assert!(with_value(src, &bad, &serde_json::json!(1))
            .unwrap_err()
            .message
            .contains("`cks-9`"));
        // A value the scenario format refuses is refused, and nothing changes.
        assert!(with_value(src, &path, &serde_json::json!("many")).is_err());
    }

    #[test]
    fn step_ids_follow_the_scenario_and_the_extra_steps() {
        let text = r#"{"kmslab": 1, "steps": [{"id": "iam-3", "advance": "PT1S"}, {"id": "x", "advance": "PT1S"}]}"#;
        assert_eq!(next_step_id(text, &[], "iam"), "iam-4");
        assert_eq!(
            next_step_id(text, &[serde_json::json!({"id": "iam-7"})], "iam"),
            "iam-8"
        );
        assert_eq!(
            next_step_id(r#"{"kmslab": 1, "steps": []}"#, &[], "iam"),
            "iam-1"
        );
        let text = r#"{"kmslab":1,"steps":[{"id":"console-2","advance":"PT1M"},{"id":"other","advance":"PT1M"}]}"#;
        assert_eq!(next_step_id(text, &[], "console"), "console-3");
        let log = [serde_json::json!({"id": "console-7"})];
        assert_eq!(next_step_id(text, &log, "console"), "console-8");
        assert_eq!(next_step_id("not json", &[], "console"), "console-1");
        let report = run_with_steps(
            text,
            &[serde_json::json!({"id": "w", "advance": "PT1M"})],
            Default::default(),
        )
        .unwrap();
        assert_eq!(report.steps.len(), 3);
    }

    #[test]
    fn console_steps_count_against_the_evaluation_budget() {
        use crate::scenario::limits::EVALUATION_BUDGET;
        // One key policy of 200 statements: 5,000 steps are within the budget, and
        // 5,001 (the scenario's one plus 5,000 made in a console) are not.
        let statements: Vec<serde_json::Value> = (0..200)
            .map(|i| serde_json::json!({"Sid": format!("S{i}"), "Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*"}))
            .collect();
        let src = serde_json::json!({
            "kmslab": 1,
            "keys": [{"id": "k1", "policy": {"Version": "2012-10-17", "Statement": statements}}],
            "steps": [{"advance": "PT1S"}]
        })
        .to_string();
        let step = serde_json::json!({"advance": "PT1S"});
        let within = vec![step.clone(); 4_999];
        if let Err(e) = run_with_steps(&src, &within, Default::default()) {
            panic!("{e}");
        }
        let over = vec![step; 5_000];
        let e = run_with_steps(&src, &over, Default::default()).unwrap_err();
        assert_eq!(e.path, "$.steps");
        assert!(
            e.message.contains(&format!("5001 steps over 200 policy statements could need 1000200 statement evaluations; kmslab's budget is {EVALUATION_BUDGET}")),
            "{}",
            e.message
        );
    }

    #[test]
    fn appends_steps() {
        let out = with_steps(SRC, &[serde_json::json!({"advance": "PT1M"})]).unwrap();
        assert_eq!(crate::parse_scenario(&out).unwrap().steps.len(), 1);
        assert!(with_steps("{", &[]).is_err());
    }

    #[test]
    fn form_edits_remove_copy_and_refuse_what_breaks_the_scenario() {
        let k = |s: &str| PathStep::Key(s.into());
        // Copy a key: the copy gets a fresh id, twice over.
        let once = edit_value(SRC, &[k("keys"), PathStep::Index(0)], &DocEdit::Duplicate).unwrap();
        let twice =
            edit_value(&once, &[k("keys"), PathStep::Index(0)], &DocEdit::Duplicate).unwrap();
        let ids: Vec<String> = crate::parse_scenario(&twice)
            .unwrap()
            .keys
            .iter()
            .map(|k| k.id.clone())
            .collect();
        assert_eq!(ids, ["k1", "k1-copy-2", "k1-copy", "k2"]);
        // Remove an item and a member.
        let fewer = edit_value(
            &twice,
            &[k("keys"), PathStep::Id("k1-copy".into())],
            &DocEdit::Remove,
        )
        .unwrap();
        assert_eq!(crate::parse_scenario(&fewer).unwrap().keys.len(), 3);
        let no_policy = edit_value(
            SRC,
            &[k("keys"), PathStep::Index(1), k("policy")],
            &DocEdit::Remove,
        )
        .unwrap();
        assert!(!no_policy.contains("\"policy\""));
        // Edits that break the scenario are refused with its located error.
        let err = edit_value(SRC, &[k("kmslab")], &DocEdit::Remove).unwrap_err();
        assert!(err.message.contains("kmslab"), "{err}");
        let err = edit_value(SRC, &[k("keys"), PathStep::Index(7)], &DocEdit::Remove).unwrap_err();
        assert!(err.message.contains("does not exist"), "{err}");
        let err = edit_value(SRC, &[k("keys")], &DocEdit::Duplicate).unwrap_err();
        assert!(err.message.contains("only list items"), "{err}");
        let err = edit_value(
            SRC,
            &[k("keys"), PathStep::Index(5), k("id")],
            &DocEdit::Set(serde_json::json!("x")),
        )
        .unwrap_err();
        assert!(err.message.contains("2 items"), "{err}");
    }
}
