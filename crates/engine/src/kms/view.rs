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

/// A custom key store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyStoreView {
    /// `cks-...`.
    pub id: String,
    /// Name.
    pub name: String,
    /// `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`.
    pub kind: String,
    /// Connection state.
    pub state: String,
    /// The last connection error code.
    pub error_code: Option<String>,
    /// When the current CONNECTING / DISCONNECTING ends.
    pub transition_at: Option<String>,
    /// The CloudHSM cluster id.
    pub cluster_id: Option<String>,
    /// The cluster's active HSMs.
    pub active_hsms: Option<u32>,
    /// The `kmsuser` account, in words (`present`, `locked out`, `logged in elsewhere`, `missing`).
    pub kmsuser: Option<String>,
    /// Keys in the store.
    pub keys: Vec<String>,
    /// An external key store's proxy settings, as DescribeCustomKeyStores shows them.
    pub proxy: Option<serde_json::Value>,
    /// The proxy exchange of the last connection attempt.
    pub last_check: Option<serde_json::Value>,
}

/// The KMS world.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KmsView {
    /// Keys.
    pub keys: Vec<KeyView>,
    /// Grants.
    pub grants: Vec<GrantView>,
    /// Custom key stores.
    pub key_stores: Vec<KeyStoreView>,
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
                state: w.effective_state(k).as_str().to_string(),
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
        key_stores: w
            .key_stores
            .iter()
            .map(|s| {
                let cluster = s
                    .cloudhsm
                    .as_ref()
                    .and_then(|c| w.clusters.iter().find(|x| x.id == c.cluster_id));
                KeyStoreView {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    kind: s.kind.as_str().to_string(),
                    state: s.state.as_str().to_string(),
                    error_code: s.error_code.map(str::to_string),
                    transition_at: s.transition_at.map(|t| t.to_string()),
                    cluster_id: s.cloudhsm.as_ref().map(|c| c.cluster_id.clone()),
                    active_hsms: cluster.map(|c| c.active_hsms),
                    kmsuser: cluster.map(|c| {
                        match &c.kmsuser {
                            None => "missing",
                            Some(u) if u.locked_out => "locked out",
                            Some(u) if u.logged_in_elsewhere => "logged in elsewhere",
                            Some(_) => "present",
                        }
                        .to_string()
                    }),
                    keys: w
                        .keys
                        .values()
                        .filter(|k| k.key_store.as_deref() == Some(s.id.as_str()))
                        .map(|k| k.id.clone())
                        .collect(),
                    proxy: s.external.as_ref().map(|x| x.kms.describe()),
                    last_check: s
                        .last_check
                        .as_ref()
                        .and_then(|e| serde_json::to_value(e).ok()),
                }
            })
            .collect(),
    }
}
