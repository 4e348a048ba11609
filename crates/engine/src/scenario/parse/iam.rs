//! The `iam` section: managed policies, users, groups and roles.

use super::{acct_or_default, field, opt_map, opt_string, opt_strings, policy, sized_policy, Ctx};
use crate::iam::policy::limits::PolicySlot;
use crate::iam::policy::{Policy, PolicyKind};
use crate::identity::{policy_size, service_linked_role};
use crate::json;
use crate::scenario::model::*;
use crate::scenario::read::{error_at, Node};
use crate::scenario::ScenarioError;
use std::collections::BTreeMap;

/// Inline policies and their sizes.
type Inline = (Vec<(String, Policy)>, BTreeMap<String, usize>);

fn inline_policies(n: Node<'_>, slot: PolicySlot) -> Result<Inline, ScenarioError> {
    let ms = n
        .json
        .as_object()
        .ok_or_else(|| n.err("`inline` must be an object mapping policy names to documents"))?;
    let mut sizes = BTreeMap::new();
    let policies = ms
        .iter()
        .map(|m| {
            let p = n.path.key(&m.key);
            sizes.insert(m.key.clone(), policy_size(&m.value.to_pretty()));
            Ok((
                m.key.clone(),
                policy(
                    Node {
                        json: &m.value,
                        path: &p,
                    },
                    PolicyKind::Identity,
                )?,
            ))
        })
        .collect::<Result<Vec<_>, ScenarioError>>()?;
    // IAM's inline quota is on all of a principal's inline policies together.
    let total: usize = ms.iter().map(|m| slot.size_of(&m.value)).sum();
    if let Some(message) = slot.check(total) {
        return Err(n.err(message));
    }
    Ok((policies, sizes))
}

fn inline_field(
    fs: &[json::Member],
    node: Node<'_>,
    slot: PolicySlot,
) -> Result<Inline, ScenarioError> {
    match field(fs, "inline") {
        Some(f) => inline_policies(
            Node {
                json: &f.value,
                path: &node.path.key("inline"),
            },
            slot,
        ),
        None => Ok((Vec::new(), BTreeMap::new())),
    }
}

fn name_of(ms: &[json::Member], n: Node<'_>, what: &str) -> Result<String, ScenarioError> {
    let name = opt_string(ms, n, "name")?.ok_or_else(|| n.err(format!("{what} needs `name`")))?;
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !ok {
        return Err(n.err(format!(
            "`{name}` is not a valid IAM name (letters, digits and `+=,.@_-`, at most 128)"
        )));
    }
    Ok(name)
}

pub(super) fn parse_iam(n: Node<'_>, ctx: &Ctx<'_>) -> Result<Iam, ScenarioError> {
    let ms = n.object(
        "`iam`",
        &["policies", "users", "groups", "roles", "serviceLinkedRoles"],
    )?;
    let mut iam = Iam::default();
    let each = |k: &str,
                f: &mut dyn FnMut(Node<'_>) -> Result<(), ScenarioError>|
     -> Result<(), ScenarioError> {
        if let Some(m) = field(ms, k) {
            let p = n.path.key(k);
            for (i, j) in (Node {
                json: &m.value,
                path: &p,
            })
            .array(&format!("`{k}`"))?
            .iter()
            .enumerate()
            {
                f(Node {
                    json: j,
                    path: &p.index(i),
                })?;
            }
        }
        Ok(())
    };
    each("policies", &mut |node| {
        let fs = node.object(
            "a managed policy",
            &["name", "account", "description", "path", "document"],
        )?;
        let name = name_of(fs, node, "a managed policy")?;
        let (document, text) = match field(fs, "document") {
            Some(f) => (
                sized_policy(
                    Node {
                        json: &f.value,
                        path: &node.path.key("document"),
                    },
                    PolicyKind::Identity,
                    PolicySlot::Managed,
                )?,
                f.value.to_pretty(),
            ),
            None => return Err(node.err(format!("managed policy `{name}` needs `document`"))),
        };
        let account = acct_or_default(fs, node, ctx)?;
        if iam
            .policies
            .iter()
            .any(|p: &ManagedPolicy| p.name == name && p.account == account)
        {
            return Err(node.err(format!(
                "duplicate managed policy `{name}` in account `{account}`"
            )));
        }
        iam.policies.push(ManagedPolicy {
            name,
            account,
            path: path_of(fs, node)?,
            description: opt_string(fs, node, "description")?,
            versions: vec![PolicyVersionDef {
                id: "v1".into(),
                document: document.clone(),
                text,
                created: None,
            }],
            document,
            default_version: "v1".into(),
            next_version: 2,
            created: None,
        });
        Ok(())
    })?;
    each("users", &mut |node| {
        let fs = node.object(
            "a user",
            &[
                "name",
                "account",
                "path",
                "attached",
                "inline",
                "groups",
                "boundary",
                "tags",
                "accessKeys",
                "id",
            ],
        )?;
        let name = name_of(fs, node, "a user")?;
        let account = acct_or_default(fs, node, ctx)?;
        if iam
            .users
            .iter()
            .any(|u: &User| u.name == name && u.account == account)
        {
            return Err(node.err(format!("duplicate user `{name}` in account `{account}`")));
        }
        let mut access_keys = Vec::new();
        if let Some(f) = field(fs, "accessKeys") {
            let p = node.path.key("accessKeys");
            for (i, j) in (Node {
                json: &f.value,
                path: &p,
            })
            .array("`accessKeys`")?
            .iter()
            .enumerate()
            {
                let kp = p.index(i);
                let kn = Node { json: j, path: &kp };
                let kf = kn.object("an access key", &["id", "status", "secret"])?;
                let id =
                    opt_string(kf, kn, "id")?.ok_or_else(|| kn.err("an access key needs `id`"))?;
                if !(16..=128).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    return Err(kn.err(format!("`{id}` is not an access key id (16 to 128 letters and digits, e.g. `AKIAIOSFODNN7EXAMPLE`)")));
                }
                let active = match opt_string(kf, kn, "status")?.as_deref() {
                    None | Some("Active") => true,
                    Some("Inactive") => false,
                    Some(o) => {
                        return Err(error_at(
                            &kp.key("status"),
                            j.pos,
                            format!(
                                "access key status must be `Active` or `Inactive`, found `{o}`"
                            ),
                        ))
                    }
                };
                access_keys.push(AccessKeyDef {
                    id,
                    active,
                    created: None,
                    last_used: None,
                });
            }
        }
        let (inline, inline_sizes) = inline_field(fs, node, PolicySlot::UserInline)?;
        iam.users.push(User {
            path: path_of(fs, node)?,
            attached: opt_strings(fs, node, "attached")?,
            inline,
            inline_sizes,
            created: None,
            groups: opt_strings(fs, node, "groups")?,
            boundary: opt_string(fs, node, "boundary")?,
            tags: opt_map(fs, node, "tags")?,
            access_keys,
            pos: node.json.pos,
            name,
            account,
        });
        Ok(())
    })?;
    each("groups", &mut |node| {
        let fs = node.object(
            "a group",
            &["name", "account", "path", "attached", "inline"],
        )?;
        let name = name_of(fs, node, "a group")?;
        let (inline, inline_sizes) = inline_field(fs, node, PolicySlot::GroupInline)?;
        iam.groups.push(Group {
            account: acct_or_default(fs, node, ctx)?,
            path: path_of(fs, node)?,
            attached: opt_strings(fs, node, "attached")?,
            inline,
            inline_sizes,
            name,
        });
        Ok(())
    })?;
    each("roles", &mut |node| {
        let fs = node.object(
            "a role",
            &[
                "name",
                "account",
                "path",
                "trust",
                "attached",
                "inline",
                "boundary",
                "tags",
                "description",
                "id",
                "maxSessionDuration",
            ],
        )?;
        let name = name_of(fs, node, "a role")?;
        let (inline, inline_sizes) = inline_field(fs, node, PolicySlot::RoleInline)?;
        let max_session_seconds = match field(fs, "maxSessionDuration") {
            None => 3600,
            Some(m) => match &m.value.value {
                json::JsonValue::Number(n) => match n.parse::<u32>() {
                    Ok(v) if (3600..=43_200).contains(&v) => v,
                    _ => {
                        return Err(error_at(
                            &node.path.key("maxSessionDuration"),
                            m.value.pos,
                            format!(
                                "`maxSessionDuration` is seconds from 3600 to 43200, found `{n}`"
                            ),
                        ))
                    }
                },
                _ => {
                    return Err(error_at(
                        &node.path.key("maxSessionDuration"),
                        m.value.pos,
                        "`maxSessionDuration` must be a number of seconds",
                    ))
                }
            },
        };
        iam.roles.push(Role {
            description: opt_string(fs, node, "description")?,
            trust_text: field(fs, "trust")
                .map(|f| f.value.to_pretty())
                .unwrap_or_default(),
            inline_sizes,
            max_session_seconds,
            service_linked: None,
            created: None,
            account: acct_or_default(fs, node, ctx)?,
            path: path_of(fs, node)?,
            trust: field(fs, "trust")
                .map(|f| {
                    sized_policy(
                        Node {
                            json: &f.value,
                            path: &node.path.key("trust"),
                        },
                        PolicyKind::Trust,
                        PolicySlot::Trust,
                    )
                })
                .transpose()?,
            attached: opt_strings(fs, node, "attached")?,
            inline,
            boundary: opt_string(fs, node, "boundary")?,
            tags: opt_map(fs, node, "tags")?,
            name,
        });
        Ok(())
    })?;
    iam.service_linked_roles = opt_strings(ms, n, "serviceLinkedRoles")?;
    for (i, name) in iam.service_linked_roles.iter().enumerate() {
        let role = service_linked_role(name, &ctx.defaults.account, &ctx.defaults.partition)
            .ok_or_else(|| {
                error_at(
                    &n.path.key("serviceLinkedRoles").index(i),
                    n.json.pos,
                    format!("`{name}` is not a service-linked role kmslab knows (AWSServiceRoleForKeyManagementServiceCustomKeyStores, AWSServiceRoleForKeyManagementServiceMultiRegionKeys)"),
                )
            })?;
        if !iam
            .roles
            .iter()
            .any(|r| r.name == role.name && r.account == role.account)
        {
            iam.roles.push(role);
        }
    }
    Ok(iam)
}

fn path_of(fs: &[json::Member], node: Node<'_>) -> Result<String, ScenarioError> {
    let path = opt_string(fs, node, "path")?.unwrap_or_else(|| "/".into());
    if !path.starts_with('/') || !path.ends_with('/') {
        return Err(node.err(format!("IAM path `{path}` must begin and end with `/`")));
    }
    Ok(path)
}
