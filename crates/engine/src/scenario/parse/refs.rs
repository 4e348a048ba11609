//! Checks `${step.Output}` references in steps (in `input`, `caller`, `accessKeyId`,
//! `resource` and `grantTokens`) before anything runs: a reference to a
//! step that does not exist, to the step itself, or to a later step (two steps that refer to
//! each other form a circle, and one of the two always points forward) is a located error at
//! the string that holds it, rather than a failure halfway through the run.
//!
//! The reference syntax is the one `run.rs` resolves: `${id.path}` with no `:` and no space
//! inside (policy variables such as `${aws:username}` have a colon and are left alone).

use crate::json::{Json, JsonPath, JsonValue};
use crate::scenario::model::{CallerSpec, Step};
use crate::scenario::read::error_at;
use crate::scenario::ScenarioError;
use std::collections::BTreeMap;

/// Refuses references that can never resolve because of the steps' order or ids.
pub fn check_step_references(steps: &[Step], steps_path: &JsonPath) -> Result<(), ScenarioError> {
    let ids: BTreeMap<&str, usize> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.id.as_deref().map(|id| (id, i)))
        .collect();
    for (i, step) in steps.iter().enumerate() {
        let problem = |text: &str| -> Option<String> {
            references(text).find_map(|(inner, id)| match ids.get(id) {
                None => Some(format!(
                    "`${{{inner}}}` refers to step `{id}`, but no step has that id"
                )),
                Some(&j) if j == i => Some(format!(
                    "`${{{inner}}}` refers to this step's own output: a step can use only the outputs of the steps before it"
                )),
                Some(&j) if j > i => Some(format!(
                    "`${{{inner}}}` refers to step `{id}` (`steps[{j}]`), which runs after this one: a step can use only the outputs of the steps before it"
                )),
                Some(_) => None,
            })
        };
        let here = steps_path.index(i);
        let at = &step.positions;
        let mut strings: Vec<(JsonPath, crate::json::Pos, &str)> = Vec::new();
        match &step.caller {
            Some(CallerSpec::Caller(c)) => strings.push((here.key("caller"), at.caller, c)),
            Some(CallerSpec::AccessKey(k)) => {
                strings.push((here.key("accessKeyId"), at.caller, k));
            }
            None => {}
        }
        if let Some(r) = &step.resource {
            strings.push((here.key("resource"), at.resource, r));
        }
        for (k, t) in step.grant_tokens.iter().enumerate() {
            strings.push((here.key("grantTokens").index(k), at.grant_tokens, t));
        }
        let found = strings
            .into_iter()
            .find_map(|(path, pos, text)| problem(text).map(|m| (path, pos, m)))
            .or_else(|| {
                let input = step.input.as_ref()?;
                first_problem(input, &here.key("input"), &problem)
            });
        if let Some((path, pos, message)) = found {
            return Err(error_at(&path, pos, message));
        }
    }
    Ok(())
}

/// The `(inner, id)` of each step reference in `text`.
fn references(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split("${").skip(1).filter_map(|after| {
        let inner = after.get(..after.find('}')?)?;
        if inner.contains(':') || inner.contains(' ') {
            return None;
        }
        let (id, _) = inner.split_once('.')?;
        Some((inner, id))
    })
}

type Problem = (JsonPath, crate::json::Pos, String);

fn first_problem(
    j: &Json,
    path: &JsonPath,
    problem: &dyn Fn(&str) -> Option<String>,
) -> Option<Problem> {
    match &j.value {
        JsonValue::String(s) => problem(s).map(|m| (path.clone(), j.pos, m)),
        JsonValue::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| first_problem(item, &path.index(i), problem)),
        JsonValue::Object(members) => members
            .iter()
            .find_map(|m| first_problem(&m.value, &path.key(&m.key), problem)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn finds_step_references_but_not_policy_variables() {
        let found: Vec<_> =
            references("a${enc.CiphertextBlob}b${aws:username}${x.y.0}${no dot}").collect();
        assert_eq!(found, vec![("enc.CiphertextBlob", "enc"), ("x.y.0", "x")]);
    }
}
