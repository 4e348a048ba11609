//! The request: who calls, which action, on which resource, with which context keys.

use super::arn::AccountId;
use std::collections::BTreeMap;

/// A context key's value: most keys carry one value, some (`aws:TagKeys`,
/// `kms:EncryptionContextKeys`, `aws:CalledVia`) carry a set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// One value.
    Single(String),
    /// A set of values (possibly empty).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice-like list.
    pub fn values(&self) -> Vec<&str> {
        match self {
            ContextValue::Single(s) => vec![s.as_str()],
            ContextValue::Multi(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// The request context. Condition key names are case-insensitive in AWS, so entries are found
/// by their lowercased name; the name as first written is kept for display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, (String, ContextValue)>,
}

impl Context {
    /// Sets `key` to one value, replacing what was there.
    pub fn insert_single(&mut self, key: &str, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// Sets `key` to a value.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.entries
            .insert(key.to_ascii_lowercase(), (key.to_string(), value));
    }

    /// The value of `key`, if the request has it.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.entries.get(&key.to_ascii_lowercase()).map(|(_, v)| v)
        } else {
            self.entries.get(key).map(|(_, v)| v)
        }
    }

    /// The value of a key already in lowercase (no allocation on the hot path).
    pub fn get_lowercase(&self, key_lc: &str) -> Option<&ContextValue> {
        self.entries.get(key_lc).map(|(_, v)| v)
    }

    /// The single value of `key` (a policy variable cannot use a multi-valued key).
    pub fn single(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            ContextValue::Single(s) => Some(s),
            ContextValue::Multi(_) => None,
        }
    }

    /// A copy without the given keys.
    pub fn without(&self, keys: &[&str]) -> Context {
        let mut c = self.clone();
        for k in keys {
            c.entries.remove(&k.to_ascii_lowercase());
        }
        c
    }

    /// Whether the key is present.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&key.to_ascii_lowercase())
    }

    /// All entries, by display name, sorted by lowercased name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.values().map(|(k, v)| (k.as_str(), v))
    }
}

/// What kind of principal makes the call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum PrincipalKind {
    /// The account's root user, `arn:aws:iam::ACCOUNT:root`.
    Root,
    /// An IAM user.
    User {
        /// The user name.
        name: String,
    },
    /// An IAM role used directly (rare: roles act through sessions).
    Role {
        /// The role name.
        name: String,
    },
    /// A session of an assumed role.
    AssumedRole {
        /// The role name.
        role: String,
        /// The role's ARN, `arn:aws:iam::ACCOUNT:role/ROLE`.
        role_arn: String,
        /// The session name.
        session: String,
    },
    /// A federated user session (`GetFederationToken`).
    FederatedUser {
        /// The federated user name.
        name: String,
    },
    /// An AWS service principal such as `kms.amazonaws.com`.
    Service {
        /// The service principal name.
        name: String,
    },
}

/// The caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Principal {
    /// The caller's ARN (for services, `service:NAME`).
    pub arn: String,
    /// The caller's account (none for service principals).
    pub account: Option<AccountId>,
    /// What the caller is.
    pub kind: PrincipalKind,
}

impl Principal {
    /// The principal identities a `NotPrincipal` list must name, all of them, to exclude this
    /// caller: AWS checks the account as well as the user, and the role as well as the session.
    pub fn chain(&self, partition: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(acct) = &self.account {
            out.push(acct.root_arn(partition));
        }
        match &self.kind {
            PrincipalKind::Root | PrincipalKind::Service { .. } => {}
            PrincipalKind::AssumedRole { role_arn, .. } => {
                out.push(role_arn.clone());
                out.push(self.arn.clone());
            }
            PrincipalKind::User { .. }
            | PrincipalKind::Role { .. }
            | PrincipalKind::FederatedUser { .. } => out.push(self.arn.clone()),
        }
        if let PrincipalKind::Service { name } = &self.kind {
            out.push(name.clone());
        }
        out
    }
}

/// One authorization request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Who calls.
    pub principal: Principal,
    /// `service:Action`, as called (AWS matches it case-insensitively).
    pub action: String,
    /// The resource ARN (or `*` for actions that take no resource).
    pub resource: String,
    /// The account that owns the resource, when known.
    pub resource_account: Option<AccountId>,
    /// The partition (`aws`), for building account ARNs.
    pub partition: String,
    /// Context keys, supplied and derived.
    pub context: Context,
}
