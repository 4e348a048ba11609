//! A serializable view of the KMS world (no secrets): what the app shows after a run.

use super::model::{Constraint, KmsWorld};
use serde::Serialize;

/// One key, as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Key id.
    pub id: String,
    /// Key ARN.
    pub arn: String,
    /// State.
    pub state: String,
    /// Description.
    pub description: String,
    /// Aliases pointing at it.
    pub aliases: Vec<String>,
    /// Origin.
    pub origin: String,
    /// Automatic rotation on.
    pub rotation_enabled: bool,
    /// Rotations done (backing keys beyond the first).
    pub rotations: usize,
    /// Deletion date, while pending deletion.
    pub deletion_date: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// The key policy text.
    pub policy: String,
}

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantView {
    /// Grant id.
    pub id: String,
    /// Key id.
    pub key_id: String,
    /// Name.
    pub name: Option<String>,
    /// Grantee.
    pub grantee: String,
    /// Retiring principal.
    pub retiring: Option<String>,
    /// Operations.
    pub operations: Vec<String>,
    /// Constraint, in words.
    pub constraint: Option<String>,
    /// Whether it was retired or revoked.
    pub deleted: bool,
}

/// The KMS world.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KmsView {
    /// Keys.
    pub keys: Vec<KeyView>,
    /// Grants.
    pub grants: Vec<GrantView>,
}

/// The view of a world.
pub fn view(w: &KmsWorld, partition: &str) -> KmsView {
    KmsView {
        keys: w
            .keys
            .values()
            .map(|k| KeyView {
                id: k.id.clone(),
                arn: k.arn(partition),
                state: k.state.as_str().to_string(),
                description: k.description.clone(),
                aliases: w
                    .aliases
                    .iter()
                    .filter(|a| a.target == k.id)
                    .map(|a| a.name.clone())
                    .collect(),
                origin: k.origin.as_str().to_string(),
                rotation_enabled: k.rotation_enabled,
                rotations: k.rotations.len(),
                deletion_date: k.deletion_date.map(|d| d.to_string()),
                tags: k.tags.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
                policy: k.policy_text.clone(),
            })
            .collect(),
        grants: w
            .grants
            .iter()
            .map(|g| GrantView {
                id: g.id.clone(),
                key_id: g.key_id.clone(),
                name: g.name.clone(),
                grantee: g.grantee.clone(),
                retiring: g.retiring.clone(),
                operations: g.operations.clone(),
                constraint: g.constraint.as_ref().map(|c| {
                    let (kind, m) = match c {
                        Constraint::Equals(m) => ("EncryptionContextEquals", m),
                        Constraint::Subset(m) => ("EncryptionContextSubset", m),
                    };
                    format!(
                        "{kind} {{{}}}",
                        m.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }),
                deleted: g.deleted.is_some(),
            })
            .collect(),
    }
}
