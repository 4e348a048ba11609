//! A serializable view of the IAM world after a run (no secrets): what the app's IAM view lists.

use crate::scenario::{Iam, SessionKind};
use crate::time::Instant;
use serde::Serialize;

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Attached managed policies.
    pub attached: Vec<String>,
    /// Inline policy names.
    pub inline: Vec<String>,
    /// Groups.
    pub groups: Vec<String>,
    /// Permissions boundary.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Access keys.
    pub access_keys: Vec<AccessKeyView>,
}

/// An access key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyView {
    /// `AKIA...`.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Created (`None`: before the first step).
    pub created: Option<String>,
    /// Last use: when, service, region.
    pub last_used: Option<(String, String, String)>,
}

/// A role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// The trust policy text.
    pub trust: String,
    /// Attached managed policies.
    pub attached: Vec<String>,
    /// Inline policy names.
    pub inline: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// The owning service, for a service-linked role.
    pub service_linked: Option<String>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// Members.
    pub members: Vec<String>,
    /// Attached managed policies.
    pub attached: Vec<String>,
}

/// A managed policy with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    /// Name.
    pub name: String,
    /// ARN.
    pub arn: String,
    /// The default version id.
    pub default_version: String,
    /// Versions, oldest first: id and document text.
    pub versions: Vec<(String, String)>,
}

/// An STS session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// `ASIA...`.
    pub access_key_id: String,
    /// Whose session (ARN).
    pub principal: String,
    /// When it expires.
    pub expires: String,
    /// Whether it had expired at the end of the run.
    pub expired: bool,
}

/// The IAM world.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IamView {
    /// Users.
    pub users: Vec<UserView>,
    /// Groups.
    pub groups: Vec<GroupView>,
    /// Roles.
    pub roles: Vec<RoleView>,
    /// Customer managed policies.
    pub policies: Vec<PolicyView>,
    /// STS sessions issued during the run.
    pub sessions: Vec<SessionView>,
}

/// The view of `iam` at `now`.
pub fn view(iam: &Iam, partition: &str, now: Instant) -> IamView {
    let arn = |acct: &dyn std::fmt::Display, kind: &str, path: &str, name: &str| {
        format!("arn:{partition}:iam::{acct}:{kind}{path}{name}")
    };
    IamView {
        users: iam
            .users
            .iter()
            .map(|u| UserView {
                name: u.name.clone(),
                arn: arn(&u.account, "user", &u.path, &u.name),
                attached: u.attached.clone(),
                inline: u.inline.iter().map(|(n, _)| n.clone()).collect(),
                groups: u.groups.clone(),
                boundary: u.boundary.clone(),
                tags: u.tags.clone(),
                access_keys: u
                    .access_keys
                    .iter()
                    .map(|k| AccessKeyView {
                        id: k.id.clone(),
                        status: if k.active { "Active" } else { "Inactive" }.into(),
                        created: k.created.map(|c| c.to_string()),
                        last_used: k
                            .last_used
                            .as_ref()
                            .map(|(t, s, r)| (t.to_string(), s.clone(), r.clone())),
                    })
                    .collect(),
            })
            .collect(),
        groups: iam
            .groups
            .iter()
            .map(|g| GroupView {
                name: g.name.clone(),
                arn: arn(&g.account, "group", &g.path, &g.name),
                members: iam
                    .users
                    .iter()
                    .filter(|u| u.account == g.account && u.groups.contains(&g.name))
                    .map(|u| u.name.clone())
                    .collect(),
                attached: g.attached.clone(),
            })
            .collect(),
        roles: iam
            .roles
            .iter()
            .map(|r| RoleView {
                name: r.name.clone(),
                arn: arn(&r.account, "role", &r.path, &r.name),
                trust: r.trust_text.clone(),
                attached: r.attached.clone(),
                inline: r.inline.iter().map(|(n, _)| n.clone()).collect(),
                description: r.description.clone(),
                service_linked: r.service_linked.clone(),
            })
            .collect(),
        policies: iam
            .policies
            .iter()
            .map(|p| PolicyView {
                name: p.name.clone(),
                arn: arn(&p.account, "policy", &p.path, &p.name),
                default_version: p.default_version.clone(),
                versions: p
                    .versions
                    .iter()
                    .map(|v| (v.id.clone(), v.text.clone()))
                    .collect(),
            })
            .collect(),
        sessions: iam
            .sessions
            .iter()
            .map(|s| SessionView {
                access_key_id: s.access_key_id.clone(),
                principal: match &s.kind {
                    SessionKind::Role {
                        account,
                        role,
                        session_name,
                        ..
                    } => {
                        format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session_name}")
                    }
                    SessionKind::User { account, user, .. } if user.is_empty() => {
                        format!("arn:{partition}:iam::{account}:root")
                    }
                    SessionKind::User { account, user, .. } => {
                        format!("arn:{partition}:iam::{account}:user/{user}")
                    }
                },
                expires: s.expires.to_string(),
                expired: now >= s.expires,
            })
            .collect(),
    }
}
