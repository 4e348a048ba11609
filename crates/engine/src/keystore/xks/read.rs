//! Reading the located JSON of a `proxy` object: typed fields, and errors that name the JSON
//! path and position (the same [`ScenarioError`] the scenario reader returns).

use crate::json::{Json, JsonPath, JsonValue, Member, Pos};
use crate::scenario::ScenarioError;
use crate::time::Instant;

/// An error at `path`. `crate::scenario::read::error_at` lives in a private module; this builds
/// the same value.
pub(super) fn error_at(path: &JsonPath, pos: Pos, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        file: None,
        path: path.to_string(),
        pos,
        message: message.into(),
    }
}

/// A JSON object being read: its members, path and position.
pub(super) struct Obj<'a> {
    pub(super) members: &'a [Member],
    pub(super) path: JsonPath,
    pub(super) pos: Pos,
}

impl<'a> Obj<'a> {
    /// Reads `json` as an object whose keys are all in `allowed` (or start with `x-`).
    pub(super) fn new(
        json: &'a Json,
        path: &JsonPath,
        what: &str,
        allowed: &[&str],
    ) -> Result<Self, ScenarioError> {
        let members = json.as_object().ok_or_else(|| {
            error_at(
                path,
                json.pos,
                format!("{what} must be an object, found {}", json.type_name()),
            )
        })?;
        if let Some(m) = members
            .iter()
            .find(|m| !allowed.contains(&m.key.as_str()) && !m.key.starts_with("x-"))
        {
            let list = allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(error_at(
                &path.key(&m.key),
                m.key_pos,
                format!(
                    "unknown field `{}` in {what} (expected one of {list})",
                    m.key
                ),
            ));
        }
        Ok(Obj {
            members,
            path: path.clone(),
            pos: json.pos,
        })
    }

    pub(super) fn err(&self, message: impl Into<String>) -> ScenarioError {
        error_at(&self.path, self.pos, message)
    }

    pub(super) fn get(&self, key: &str) -> Option<(&'a Json, JsonPath)> {
        self.members
            .iter()
            .find(|m| m.key == key)
            .map(|m| (&m.value, self.path.key(key)))
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>, ScenarioError> {
        self.get(key)
            .map(|(j, p)| {
                j.as_str().map(str::to_string).ok_or_else(|| {
                    error_at(
                        &p,
                        j.pos,
                        format!("`{key}` must be a string, found {}", j.type_name()),
                    )
                })
            })
            .transpose()
    }

    pub(super) fn required(&self, key: &str, what: &str) -> Result<String, ScenarioError> {
        self.string(key)?
            .ok_or_else(|| self.err(format!("{what} needs `{key}`")))
    }

    pub(super) fn strings(&self, key: &str) -> Result<Option<Vec<(String, Pos)>>, ScenarioError> {
        let Some((j, p)) = self.get(key) else {
            return Ok(None);
        };
        match &j.value {
            JsonValue::String(s) => Ok(Some(vec![(s.clone(), j.pos)])),
            JsonValue::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    it.as_str().map(|s| (s.to_string(), it.pos)).ok_or_else(|| {
                        error_at(
                            &p.index(i),
                            it.pos,
                            format!("`{key}` must hold strings, found {}", it.type_name()),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            _ => Err(error_at(
                &p,
                j.pos,
                format!(
                    "`{key}` must be a string or an array of strings, found {}",
                    j.type_name()
                ),
            )),
        }
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>, ScenarioError> {
        self.get(key)
            .map(|(j, p)| match j.value {
                JsonValue::Bool(b) => Ok(b),
                _ => Err(error_at(
                    &p,
                    j.pos,
                    format!("`{key}` must be true or false"),
                )),
            })
            .transpose()
    }

    pub(super) fn int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, ScenarioError> {
        self.get(key)
            .map(|(j, p)| match &j.value {
                JsonValue::Number(n) => n
                    .parse::<i64>()
                    .ok()
                    .filter(|v| (min..=max).contains(v))
                    .ok_or_else(|| {
                        error_at(
                            &p,
                            j.pos,
                            format!(
                                "`{key}` must be a whole number from {min} to {max}, found `{n}`"
                            ),
                        )
                    }),
                _ => Err(error_at(
                    &p,
                    j.pos,
                    format!("`{key}` must be a number, found {}", j.type_name()),
                )),
            })
            .transpose()
    }

    pub(super) fn array(
        &self,
        key: &str,
    ) -> Result<Option<Vec<(&'a Json, JsonPath)>>, ScenarioError> {
        self.get(key)
            .map(|(j, p)| match &j.value {
                JsonValue::Array(items) => Ok(items
                    .iter()
                    .enumerate()
                    .map(|(i, it)| (it, p.index(i)))
                    .collect()),
                _ => Err(error_at(
                    &p,
                    j.pos,
                    format!("`{key}` must be an array, found {}", j.type_name()),
                )),
            })
            .transpose()
    }

    pub(super) fn instant(&self, key: &str) -> Result<Option<Instant>, ScenarioError> {
        let Some((j, p)) = self.get(key) else {
            return Ok(None);
        };
        let s = self.string(key)?.unwrap_or_default();
        Instant::parse_iso(&s)
            .map(Some)
            .map_err(|e| error_at(&p, j.pos, e.to_string()))
    }
}

/// The path and position of member `key`, or of the object when it is absent.
pub(super) fn pos_of(o: &Obj<'_>, key: &str) -> (JsonPath, Pos) {
    o.get(key)
        .map(|(j, p)| (p, j.pos))
        .unwrap_or_else(|| (o.path.clone(), o.pos))
}
