//! Customer managed policies and their versions: at most five versions, one of them the
//! default (the one that takes effect), 6,144 characters each without white space.

use super::users::resolve_policy_arn;
use super::{
    check_name, fail, object, parse_document, path_param, policy_size, url_encode, ErrorCode,
    IdError, Op,
};
use crate::iam::context::Context;
use crate::iam::policy::PolicyKind;
use crate::scenario::{unique_id, ManagedPolicy, PolicyVersionDef};
use serde_json::{json, Value};

/// A managed policy's size quota.
const POLICY_SIZE_QUOTA: usize = 6_144;
/// Versions kept per managed policy.
const VERSION_QUOTA: usize = 5;

fn check_size(text: &str) -> Result<(), IdError> {
    if policy_size(text) > POLICY_SIZE_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for PolicySize: {POLICY_SIZE_QUOTA}"),
        );
    }
    Ok(())
}

fn policy_json(op: &Op<'_>, p: &ManagedPolicy) -> Value {
    let arn = op.arn(&p.account, "policy", &p.path, &p.name);
    let attached = |names: &[String]| names.iter().filter(|n| *n == &p.name).count();
    let count = op
        .iam
        .users
        .iter()
        .filter(|u| u.account == p.account)
        .map(|u| attached(&u.attached))
        .chain(
            op.iam
                .groups
                .iter()
                .filter(|g| g.account == p.account)
                .map(|g| attached(&g.attached)),
        )
        .chain(
            op.iam
                .roles
                .iter()
                .filter(|r| r.account == p.account)
                .map(|r| attached(&r.attached)),
        )
        .sum::<usize>();
    let boundaries = op
        .iam
        .users
        .iter()
        .filter(|u| u.account == p.account && u.boundary.as_deref() == Some(&p.name))
        .count()
        + op.iam
            .roles
            .iter()
            .filter(|r| r.account == p.account && r.boundary.as_deref() == Some(&p.name))
            .count();
    let updated = p
        .versions
        .iter()
        .find(|v| v.id == p.default_version)
        .and_then(|v| v.created);
    let mut v = object(vec![
        ("PolicyName", json!(p.name)),
        ("PolicyId", json!(unique_id("ANPA", &arn))),
        ("Arn", json!(arn)),
        ("Path", json!(p.path)),
        ("DefaultVersionId", json!(p.default_version)),
        ("AttachmentCount", json!(count)),
        ("PermissionsBoundaryUsageCount", json!(boundaries)),
        ("IsAttachable", json!(true)),
        ("CreateDate", json!(op.date(p.created))),
        ("UpdateDate", json!(op.date(updated.or(p.created)))),
    ]);
    if let (Some(d), Some(o)) = (&p.description, v.as_object_mut()) {
        o.insert("Description".into(), json!(d));
    }
    v
}

fn version_json(op: &Op<'_>, p: &ManagedPolicy, v: &PolicyVersionDef) -> Value {
    json!({
        "VersionId": v.id,
        "IsDefaultVersion": v.id == p.default_version,
        "CreateDate": op.date(v.created.or(p.created)),
    })
}

fn not_found(arn: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("Policy {arn} was not found."),
    }
}

fn version_missing(arn: &str, vid: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("Policy {arn} version {vid} does not exist or is not attachable."),
    }
}

/// The index of the policy `arn` names.
fn found(op: &Op<'_>, arn: &str) -> Result<usize, IdError> {
    resolve_policy_arn(op, arn).map_err(|_| not_found(arn))
}

/// The policy at index `i` (found by [`found`]).
fn at<'o>(op: &'o Op<'_>, i: usize, arn: &str) -> Result<&'o ManagedPolicy, IdError> {
    op.iam.policies.get(i).ok_or_else(|| not_found(arn))
}

fn at_mut<'o>(op: &'o mut Op<'_>, i: usize, arn: &str) -> Result<&'o mut ManagedPolicy, IdError> {
    op.iam.policies.get_mut(i).ok_or_else(|| not_found(arn))
}

pub(super) fn create_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("PolicyName")?;
    check_name("PolicyName", name, 128)?;
    let path = path_param(op)?;
    let text = &op.doc_req("PolicyDocument")?;
    let description = op.str_opt("Description")?.map(str::to_string);
    let account = op.caller_account()?;
    let arn = op.arn(&account, "policy", &path, name);
    op.authorize("iam:CreatePolicy", &arn, None, &Context::default())?;
    if op
        .iam
        .policies
        .iter()
        .any(|p| p.account == account && p.name == name)
    {
        return fail(
            ErrorCode::EntityAlreadyExists,
            format!("A policy called {name} already exists. Duplicate names are not allowed."),
        );
    }
    check_size(text)?;
    let document = parse_document(text, PolicyKind::Identity)?;
    let p = ManagedPolicy {
        name: name.to_string(),
        account,
        path,
        description,
        document: document.clone(),
        versions: vec![PolicyVersionDef {
            id: "v1".into(),
            document,
            text: text.to_string(),
            created: Some(op.now),
        }],
        default_version: "v1".into(),
        next_version: 2,
        created: Some(op.now),
    };
    let out = json!({ "Policy": policy_json(op, &p) });
    op.iam.policies.push(p);
    Ok(out)
}

pub(super) fn get_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    op.authorize("iam:GetPolicy", arn, None, &Context::default())?;
    let i = found(op, arn)?;
    let p = at(op, i, arn)?;
    Ok(json!({ "Policy": policy_json(op, p) }))
}

pub(super) fn get_policy_version(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    let vid = op.str_req("VersionId")?;
    op.authorize("iam:GetPolicyVersion", arn, None, &Context::default())?;
    let i = found(op, arn)?;
    let p = at(op, i, arn)?;
    let v = p
        .versions
        .iter()
        .find(|v| v.id == vid)
        .ok_or_else(|| version_missing(arn, vid))?;
    let mut out = version_json(op, p, v);
    if let Some(o) = out.as_object_mut() {
        o.insert("Document".into(), json!(url_encode(&v.text)));
    }
    Ok(json!({ "PolicyVersion": out }))
}

pub(super) fn create_policy_version(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    let text = &op.doc_req("PolicyDocument")?;
    let set_default = match op.input.get("SetAsDefault") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return fail(
                ErrorCode::ValidationError,
                "1 validation error detected: Value at 'setAsDefault' must be a boolean",
            )
        }
    };
    op.authorize("iam:CreatePolicyVersion", arn, None, &Context::default())?;
    let i = found(op, arn)?;
    check_size(text)?;
    let document = parse_document(text, PolicyKind::Identity)?;
    let now = op.now;
    let p = at_mut(op, i, arn)?;
    if p.versions.len() >= VERSION_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        );
    }
    let id = format!("v{}", p.next_version);
    p.next_version += 1;
    p.versions.push(PolicyVersionDef {
        id: id.clone(),
        document: document.clone(),
        text: text.to_string(),
        created: Some(now),
    });
    if set_default {
        p.default_version = id.clone();
        p.document = document;
    }
    Ok(json!({ "PolicyVersion": {
        "VersionId": id, "IsDefaultVersion": set_default, "CreateDate": now.to_string() } }))
}

pub(super) fn set_default_version(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    let vid = op.str_req("VersionId")?;
    op.authorize(
        "iam:SetDefaultPolicyVersion",
        arn,
        None,
        &Context::default(),
    )?;
    let i = found(op, arn)?;
    let p = at_mut(op, i, arn)?;
    let v = p
        .versions
        .iter()
        .find(|v| v.id == vid)
        .ok_or_else(|| version_missing(arn, vid))?;
    p.document = v.document.clone();
    p.default_version = vid.to_string();
    Ok(json!({}))
}

pub(super) fn list_policy_versions(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    op.authorize("iam:ListPolicyVersions", arn, None, &Context::default())?;
    let i = found(op, arn)?;
    let p = at(op, i, arn)?;
    let versions: Vec<Value> = p
        .versions
        .iter()
        .rev()
        .map(|v| version_json(op, p, v))
        .collect();
    Ok(json!({ "Versions": versions, "IsTruncated": false }))
}

pub(super) fn delete_policy_version(op: &mut Op<'_>) -> Result<Value, IdError> {
    let arn = op.str_req("PolicyArn")?;
    let vid = op.str_req("VersionId")?;
    op.authorize("iam:DeletePolicyVersion", arn, None, &Context::default())?;
    let i = found(op, arn)?;
    let p = at_mut(op, i, arn)?;
    if p.default_version == vid {
        return fail(
            ErrorCode::DeleteConflict,
            "Cannot delete the default version of a policy.",
        );
    }
    let before = p.versions.len();
    p.versions.retain(|v| v.id != vid);
    if p.versions.len() == before {
        return Err(version_missing(arn, vid));
    }
    Ok(json!({}))
}
