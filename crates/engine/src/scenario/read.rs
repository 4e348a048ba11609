//! Typed access to located JSON with errors that name the JSON path and position.

use super::ScenarioError;
use crate::json::{Json, JsonPath, JsonValue, Member, Pos};

/// A JSON node with its path, for reading scenario sections.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    /// The value.
    pub json: &'a Json,
    /// Its path.
    pub path: &'a JsonPath,
}

/// Builds an error at a node.
pub fn error_at(path: &JsonPath, pos: Pos, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        file: None,
        path: path.to_string(),
        pos,
        message: message.into(),
    }
}

impl<'a> Node<'a> {
    /// An error at this node.
    pub fn err(&self, message: impl Into<String>) -> ScenarioError {
        error_at(self.path, self.json.pos, message)
    }

    /// The object's members, checking that every key is one of `allowed` (or starts with `x-`).
    pub fn object(&self, what: &str, allowed: &[&str]) -> Result<&'a [Member], ScenarioError> {
        let members = self.json.as_object().ok_or_else(|| {
            self.err(format!(
                "{what} must be an object, found {}",
                self.json.type_name()
            ))
        })?;
        for m in members {
            if !allowed.contains(&m.key.as_str()) && !m.key.starts_with("x-") {
                let hint = suggest(&m.key, allowed)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(error_at(
                    &self.path.key(&m.key),
                    m.key_pos,
                    format!("unknown field `{}` in {what}{hint}", m.key),
                ));
            }
        }
        Ok(members)
    }

    /// The array items.
    pub fn array(&self, what: &str) -> Result<&'a [Json], ScenarioError> {
        match &self.json.value {
            JsonValue::Array(items) => Ok(items),
            _ => Err(self.err(format!(
                "{what} must be an array, found {}",
                self.json.type_name()
            ))),
        }
    }

    /// The string.
    pub fn string(&self, what: &str) -> Result<&'a str, ScenarioError> {
        self.json.as_str().ok_or_else(|| {
            self.err(format!(
                "{what} must be a string, found {}",
                self.json.type_name()
            ))
        })
    }

    /// A string or an array of strings.
    pub fn strings(&self, what: &str) -> Result<Vec<String>, ScenarioError> {
        match &self.json.value {
            JsonValue::String(s) => Ok(vec![s.clone()]),
            JsonValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, j)| {
                    let p = self.path.index(i);
                    Node { json: j, path: &p }.string(what).map(str::to_string)
                })
                .collect(),
            _ => Err(self.err(format!(
                "{what} must be a string or an array of strings, found {}",
                self.json.type_name()
            ))),
        }
    }

    /// A map of string to string (tags, encryption context).
    pub fn string_map(&self, what: &str) -> Result<Vec<(String, String)>, ScenarioError> {
        let members = self.json.as_object().ok_or_else(|| {
            self.err(format!(
                "{what} must be an object of strings, found {}",
                self.json.type_name()
            ))
        })?;
        members
            .iter()
            .map(|m| {
                let p = self.path.key(&m.key);
                let v = Node {
                    json: &m.value,
                    path: &p,
                }
                .string(&format!("the value of `{}`", m.key))?;
                Ok((m.key.clone(), v.to_string()))
            })
            .collect()
    }

    /// A whole non-negative integer.
    pub fn u64(&self, what: &str) -> Result<u64, ScenarioError> {
        match &self.json.value {
            JsonValue::Number(n) => n
                .parse::<u64>()
                .map_err(|_| self.err(format!("{what} must be a whole number, found `{n}`"))),
            _ => Err(self.err(format!(
                "{what} must be a number, found {}",
                self.json.type_name()
            ))),
        }
    }
}

/// The closest allowed name, for typos.
pub(crate) fn suggest<'b>(key: &str, allowed: &[&'b str]) -> Option<&'b str> {
    let k = key.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (edit_distance(&k, &a.to_ascii_lowercase()), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
