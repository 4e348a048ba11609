//! Users and groups: create, read, list, delete, tags, permissions boundaries, inline and
//! attached policies, group membership.

use super::{
    check_name, fail, object, parse_document, path_param, policy_size, request_tag_context,
    tag_list, ErrorCode, IdError, Op,
};
use crate::iam::arn::AccountId;
use crate::iam::context::Context;
use crate::iam::policy::PolicyKind;
use crate::scenario::{unique_id, Group, User};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Inline policies of one user: at most 2,048 characters together (white space not counted).
const USER_INLINE_QUOTA: usize = 2_048;
/// Inline policies of one group.
const GROUP_INLINE_QUOTA: usize = 5_120;
/// Managed policies attached to one user, group or role.
pub(super) const ATTACHED_QUOTA: usize = 10;
/// Tags on one user or role.
pub(super) const TAG_QUOTA: usize = 50;

pub(super) fn user_arn(op: &Op<'_>, account: &AccountId, name: &str) -> String {
    let path = op
        .iam
        .users
        .iter()
        .find(|u| &u.account == account && u.name == name)
        .map_or("/", |u| u.path.as_str());
    op.arn(account, "user", path, name)
}

fn no_user(name: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("The user with name {name} cannot be found."),
    }
}

fn no_group(name: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("The group with name {name} cannot be found."),
    }
}

pub(super) fn find_user(op: &Op<'_>, account: &AccountId, name: &str) -> Result<usize, IdError> {
    op.iam
        .users
        .iter()
        .position(|u| &u.account == account && u.name == name)
        .ok_or_else(|| no_user(name))
}

/// The `UserName` parameter, or the calling user's own name when it is left out (as IAM does
/// for a user's own access keys and GetUser).
pub(super) fn user_name_or_caller(op: &Op<'_>) -> Result<String, IdError> {
    match op.str_opt("UserName")? {
        Some(n) => {
            check_name("UserName", n, 64)?;
            Ok(n.to_string())
        }
        None => match super::caller_is_user(op.caller) {
            Some(n) => Ok(n.to_string()),
            None => fail(
                ErrorCode::ValidationError,
                "Must specify userName when calling with non-User credentials",
            ),
        },
    }
}

pub(super) fn user_json(op: &Op<'_>, u: &User) -> Value {
    let arn = op.arn(&u.account, "user", &u.path, &u.name);
    let mut v = object(vec![
        ("Path", json!(u.path)),
        ("UserName", json!(u.name)),
        ("UserId", json!(unique_id("AIDA", &arn))),
        ("Arn", json!(arn)),
        ("CreateDate", json!(op.date(u.created))),
    ]);
    if let (Some(b), Some(o)) = (&u.boundary, v.as_object_mut()) {
        o.insert(
            "PermissionsBoundary".into(),
            json!({"PermissionsBoundaryType": "Policy",
                   "PermissionsBoundaryArn": policy_arn_by_name(op, &u.account, b)}),
        );
    }
    if let (false, Some(o)) = (u.tags.is_empty(), v.as_object_mut()) {
        o.insert("Tags".into(), tag_list(&u.tags));
    }
    v
}

/// The ARN of the managed policy `name` of `account`.
pub(super) fn policy_arn_by_name(op: &Op<'_>, account: &AccountId, name: &str) -> String {
    let path = op
        .iam
        .policies
        .iter()
        .find(|p| &p.account == account && p.name == name)
        .map_or("/", |p| p.path.as_str());
    op.arn(account, "policy", path, name)
}

/// Finds the customer managed policy an ARN names.
pub(super) fn resolve_policy_arn(op: &Op<'_>, arn: &str) -> Result<usize, IdError> {
    let not_found = || IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("Policy {arn} does not exist or is not attachable."),
    };
    let a = crate::iam::arn::Arn::parse(arn).ok_or_else(|| IdError {
        code: ErrorCode::InvalidInput,
        message: format!("ARN {arn} is not valid."),
    })?;
    let Some(rest) = a.resource.strip_prefix("policy/") else {
        return Err(IdError {
            code: ErrorCode::InvalidInput,
            message: format!("ARN {arn} is not valid."),
        });
    };
    let account = AccountId::parse(&a.account).ok_or_else(not_found)?;
    let (path, name) = match rest.rsplit_once('/') {
        Some((p, n)) => (format!("/{p}/"), n),
        None => ("/".to_string(), rest),
    };
    op.iam
        .policies
        .iter()
        .position(|p| p.account == account && p.name == name && p.path == path)
        .ok_or_else(not_found)
}

/// The name of the customer managed policy an ARN names (see [`resolve_policy_arn`]).
pub(super) fn policy_name_of(op: &Op<'_>, arn: &str) -> Result<String, IdError> {
    let i = resolve_policy_arn(op, arn)?;
    Ok(op
        .iam
        .policies
        .get(i)
        .map(|p| p.name.clone())
        .unwrap_or_default())
}

/// The context of a request that names a managed policy: `iam:PolicyARN`.
pub(super) fn with_policy_arn(arn: &str) -> Context {
    let mut c = Context::default();
    c.insert_single("iam:PolicyARN", arn.to_string());
    c
}

/// Merges tags, within the quota; a refused merge changes nothing.
fn tags_into(
    existing: &mut Vec<(String, String)>,
    new: Vec<(String, String)>,
) -> Result<(), IdError> {
    let mut merged = existing.clone();
    for (k, v) in new {
        merged.retain(|(ek, _)| ek != &k);
        merged.push((k, v));
    }
    if merged.len() > TAG_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            "The number of tags has reached the maximum limit.",
        );
    }
    *existing = merged;
    Ok(())
}

pub(super) fn create_user(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    check_name("UserName", name, 64)?;
    let path = path_param(op)?;
    let tags = op.tags()?;
    let account = op.caller_account()?;
    let arn = op.arn(&account, "user", &path, name);
    let boundary = op.str_opt("PermissionsBoundary")?;
    let mut ctx = request_tag_context(&tags);
    if let Some(b) = boundary {
        ctx.insert_single("iam:PermissionsBoundary", b.to_string());
    }
    op.authorize("iam:CreateUser", &arn, None, &ctx)?;
    if !tags.is_empty() {
        op.authorize("iam:TagUser", &arn, None, &ctx)?;
    }
    if op
        .iam
        .users
        .iter()
        .any(|u| u.account == account && u.name == name)
    {
        return fail(
            ErrorCode::EntityAlreadyExists,
            format!("User with name {name} already exists."),
        );
    }
    let boundary = match boundary {
        Some(b) => Some(policy_name_of(op, b)?),
        None => None,
    };
    if tags.len() > TAG_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            "The number of tags has reached the maximum limit.",
        );
    }
    let user = User {
        name: name.to_string(),
        account,
        path,
        attached: Vec::new(),
        inline: Vec::new(),
        groups: Vec::new(),
        boundary,
        tags,
        access_keys: Vec::new(),
        inline_sizes: BTreeMap::new(),
        created: Some(op.now),
        pos: crate::json::Pos::default(),
    };
    let out = json!({ "User": user_json(op, &user) });
    op.iam.users.push(user);
    Ok(out)
}

pub(super) fn get_user(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = user_name_or_caller(op)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, &name);
    op.authorize("iam:GetUser", &arn, None, &Context::default())?;
    let i = find_user(op, &account, &name)?;
    let u = op.iam.users.get(i).ok_or_else(|| no_user(&name))?;
    Ok(json!({ "User": user_json(op, u) }))
}

pub(super) fn list_users(op: &mut Op<'_>) -> Result<Value, IdError> {
    let account = op.caller_account()?;
    let prefix = op.str_opt("PathPrefix")?.unwrap_or("/").to_string();
    let arn = op.arn(&account, "user", "/", "");
    op.authorize("iam:ListUsers", &arn, None, &Context::default())?;
    let users: Vec<Value> = op
        .iam
        .users
        .iter()
        .filter(|u| u.account == account && u.path.starts_with(&prefix))
        .map(|u| user_json(op, u))
        .collect();
    Ok(json!({ "Users": users, "IsTruncated": false }))
}

pub(super) fn delete_user(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    check_name("UserName", name, 64)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    op.authorize("iam:DeleteUser", &arn, None, &Context::default())?;
    let i = find_user(op, &account, name)?;
    let u = op.iam.users.get(i).ok_or_else(|| no_user(name))?;
    let conflict = if !u.access_keys.is_empty() {
        Some("Cannot delete entity, must delete access keys first.")
    } else if !u.attached.is_empty() {
        Some("Cannot delete entity, must detach all policies first.")
    } else if !u.inline.is_empty() {
        Some("Cannot delete entity, must delete policies first.")
    } else if !u.groups.is_empty() {
        Some("Cannot delete entity, must remove users from group first.")
    } else {
        None
    };
    if let Some(m) = conflict {
        return fail(ErrorCode::DeleteConflict, m);
    }
    op.iam.users.remove(i);
    Ok(json!({}))
}

pub(super) fn tag_user(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    let tags = op.tags()?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    op.authorize("iam:TagUser", &arn, None, &request_tag_context(&tags))?;
    let i = find_user(op, &account, name)?;
    if let Some(u) = op.iam.users.get_mut(i) {
        tags_into(&mut u.tags, tags)?;
    }
    Ok(json!({}))
}

pub(super) fn put_boundary(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    let boundary = op.str_req("PermissionsBoundary")?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    let mut ctx = Context::default();
    ctx.insert_single("iam:PermissionsBoundary", boundary.to_string());
    op.authorize("iam:PutUserPermissionsBoundary", &arn, None, &ctx)?;
    let i = find_user(op, &account, name)?;
    let pname = policy_name_of(op, boundary)?;
    if let Some(u) = op.iam.users.get_mut(i) {
        u.boundary = Some(pname);
    }
    Ok(json!({}))
}

pub(super) fn put_user_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    let pname = op.str_req("PolicyName")?;
    check_name("PolicyName", pname, 128)?;
    let text = &op.doc_req("PolicyDocument")?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    op.authorize("iam:PutUserPolicy", &arn, None, &Context::default())?;
    let i = find_user(op, &account, name)?;
    let doc = parse_document(text, PolicyKind::Identity)?;
    let u = op.iam.users.get_mut(i).ok_or_else(|| no_user(name))?;
    put_inline(
        &mut u.inline,
        &mut u.inline_sizes,
        pname,
        doc,
        text,
        USER_INLINE_QUOTA,
        "user",
        name,
    )?;
    Ok(json!({}))
}

/// Adds or replaces an inline policy, within the entity's aggregate quota.
#[allow(clippy::too_many_arguments)]
pub(super) fn put_inline(
    inline: &mut Vec<(String, crate::iam::policy::Policy)>,
    sizes: &mut BTreeMap<String, usize>,
    pname: &str,
    doc: crate::iam::policy::Policy,
    text: &str,
    quota: usize,
    kind: &str,
    entity: &str,
) -> Result<(), IdError> {
    let size = policy_size(text);
    let others: usize = sizes
        .iter()
        .filter(|(k, _)| k.as_str() != pname)
        .map(|(_, v)| *v)
        .sum();
    if others + size > quota {
        return fail(
            ErrorCode::LimitExceeded,
            format!("Maximum policy size of {quota} bytes exceeded for {kind} {entity}"),
        );
    }
    sizes.insert(pname.to_string(), size);
    match inline.iter_mut().find(|(n, _)| n == pname) {
        Some(slot) => slot.1 = doc,
        None => inline.push((pname.to_string(), doc)),
    }
    Ok(())
}

pub(super) fn attach_user_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    let parn = op.str_req("PolicyArn")?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    op.authorize("iam:AttachUserPolicy", &arn, None, &with_policy_arn(parn))?;
    let i = find_user(op, &account, name)?;
    let pname = policy_name_of(op, parn)?;
    if let Some(u) = op.iam.users.get_mut(i) {
        attach(&mut u.attached, pname, "PoliciesPerUser")?;
    }
    Ok(json!({}))
}

/// Attaches a policy name (idempotent), within the quota.
pub(super) fn attach(
    attached: &mut Vec<String>,
    pname: String,
    quota: &str,
) -> Result<(), IdError> {
    if attached.contains(&pname) {
        return Ok(());
    }
    if attached.len() >= ATTACHED_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for {quota}: {ATTACHED_QUOTA}"),
        );
    }
    attached.push(pname);
    Ok(())
}

pub(super) fn detach_user_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("UserName")?;
    let parn = op.str_req("PolicyArn")?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, name);
    op.authorize("iam:DetachUserPolicy", &arn, None, &with_policy_arn(parn))?;
    let i = find_user(op, &account, name)?;
    let pname = policy_name_of(op, parn)?;
    let u = op.iam.users.get_mut(i).ok_or_else(|| no_user(name))?;
    if !u.attached.contains(&pname) {
        return fail(
            ErrorCode::NoSuchEntity,
            format!("Policy {parn} was not found."),
        );
    }
    u.attached.retain(|a| a != &pname);
    Ok(json!({}))
}

fn group_arn(op: &Op<'_>, account: &AccountId, name: &str) -> String {
    let path = op
        .iam
        .groups
        .iter()
        .find(|g| &g.account == account && g.name == name)
        .map_or("/", |g| g.path.as_str());
    op.arn(account, "group", path, name)
}

fn find_group(op: &Op<'_>, account: &AccountId, name: &str) -> Result<usize, IdError> {
    op.iam
        .groups
        .iter()
        .position(|g| &g.account == account && g.name == name)
        .ok_or_else(|| no_group(name))
}

pub(super) fn create_group(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("GroupName")?;
    check_name("GroupName", name, 128)?;
    let path = path_param(op)?;
    let account = op.caller_account()?;
    let arn = op.arn(&account, "group", &path, name);
    op.authorize("iam:CreateGroup", &arn, None, &Context::default())?;
    if op
        .iam
        .groups
        .iter()
        .any(|g| g.account == account && g.name == name)
    {
        return fail(
            ErrorCode::EntityAlreadyExists,
            format!("Group with name {name} already exists."),
        );
    }
    op.iam.groups.push(Group {
        name: name.to_string(),
        account,
        path: path.clone(),
        attached: Vec::new(),
        inline: Vec::new(),
        inline_sizes: BTreeMap::new(),
    });
    Ok(json!({ "Group": {
        "Path": path, "GroupName": name, "GroupId": unique_id("AGPA", &arn),
        "Arn": arn, "CreateDate": op.date(None) } }))
}

pub(super) fn add_user_to_group(op: &mut Op<'_>) -> Result<Value, IdError> {
    let gname = op.str_req("GroupName")?;
    let uname = op.str_req("UserName")?;
    let account = op.caller_account()?;
    let arn = group_arn(op, &account, gname);
    op.authorize("iam:AddUserToGroup", &arn, None, &Context::default())?;
    find_group(op, &account, gname)?;
    let i = find_user(op, &account, uname)?;
    if let Some(u) = op.iam.users.get_mut(i) {
        if !u.groups.iter().any(|g| g == gname) {
            u.groups.push(gname.to_string());
        }
    }
    Ok(json!({}))
}

pub(super) fn attach_group_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let gname = op.str_req("GroupName")?;
    let parn = op.str_req("PolicyArn")?;
    let account = op.caller_account()?;
    let arn = group_arn(op, &account, gname);
    op.authorize("iam:AttachGroupPolicy", &arn, None, &with_policy_arn(parn))?;
    let g = find_group(op, &account, gname)?;
    let pname = policy_name_of(op, parn)?;
    if let Some(grp) = op.iam.groups.get_mut(g) {
        attach(&mut grp.attached, pname, "PoliciesPerGroup")?;
    }
    Ok(json!({}))
}

pub(super) fn put_group_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let gname = op.str_req("GroupName")?;
    let pname = op.str_req("PolicyName")?;
    check_name("PolicyName", pname, 128)?;
    let text = &op.doc_req("PolicyDocument")?;
    let account = op.caller_account()?;
    let arn = group_arn(op, &account, gname);
    op.authorize("iam:PutGroupPolicy", &arn, None, &Context::default())?;
    let g = find_group(op, &account, gname)?;
    let doc = parse_document(text, PolicyKind::Identity)?;
    let grp = op.iam.groups.get_mut(g).ok_or_else(|| no_group(gname))?;
    put_inline(
        &mut grp.inline,
        &mut grp.inline_sizes,
        pname,
        doc,
        text,
        GROUP_INLINE_QUOTA,
        "group",
        gname,
    )?;
    Ok(json!({}))
}
