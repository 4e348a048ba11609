//! Roles: create and read, trust policies, inline and attached policies, and service-linked
//! roles (fixed trust and policy, only the description editable, deletion through a task that
//! fails while the service still uses the role).

use super::users::{attach, policy_arn_by_name, policy_name_of, put_inline, with_policy_arn};
use super::{
    check_name, fail, object, parse_document, path_param, request_tag_context, tag_list, ErrorCode,
    IdError, Op,
};
use crate::iam::arn::AccountId;
use crate::iam::context::Context;
use crate::iam::policy::{Policy, PolicyKind};
use crate::scenario::{unique_id, DeletionTask, Role};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Inline policies of one role, together.
const ROLE_INLINE_QUOTA: usize = 10_240;
/// A role's trust policy.
const TRUST_QUOTA: usize = 2_048;

/// The service-linked roles kmslab knows: (service, role name, policy name, policy document).
const SERVICE_LINKED: &[(&str, &str, &str, &str)] = &[
    (
        "cks.kms.amazonaws.com",
        "AWSServiceRoleForKeyManagementServiceCustomKeyStores",
        "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudhsm:DescribeClusters","ec2:AuthorizeSecurityGroupIngress","ec2:CreateNetworkInterface","ec2:CreateSecurityGroup","ec2:DeleteSecurityGroup","ec2:DescribeSecurityGroups","ec2:RevokeSecurityGroupEgress"],"Resource":"*"}]}"#,
    ),
    (
        "mrk.kms.amazonaws.com",
        "AWSServiceRoleForKeyManagementServiceMultiRegionKeys",
        "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:SynchronizeMultiRegionKey","Resource":"*"}]}"#,
    ),
];

fn trust_for(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn parse_fixed(text: &str, kind: PolicyKind) -> Option<Policy> {
    let j = crate::json::parse(text).ok()?;
    Policy::from_json(&j, kind, &crate::json::JsonPath::root()).ok()
}

/// The service-linked role `name` as AWS creates it in `account`: its path, fixed trust policy
/// and the AWS managed policy it carries. `None` for a role kmslab does not know.
pub fn service_linked_role(name: &str, account: &AccountId, _partition: &str) -> Option<Role> {
    let (service, role, pname, ptext) = SERVICE_LINKED.iter().find(|s| s.1 == name)?;
    let trust_text = trust_for(service);
    let trust = parse_fixed(&trust_text, PolicyKind::Trust)?;
    let policy = parse_fixed(ptext, PolicyKind::Identity)?;
    Some(Role {
        name: (*role).to_string(),
        account: account.clone(),
        path: format!("/aws-service-role/{service}/"),
        trust: Some(trust),
        attached: Vec::new(),
        inline: vec![((*pname).to_string(), policy)],
        boundary: None,
        tags: Vec::new(),
        description: None,
        trust_text,
        inline_sizes: BTreeMap::new(),
        max_session_seconds: 3600,
        service_linked: Some((*service).to_string()),
        created: None,
    })
}

pub(super) fn role_arn(op: &Op<'_>, account: &AccountId, name: &str) -> String {
    let path = op
        .iam
        .roles
        .iter()
        .find(|r| &r.account == account && r.name == name)
        .map_or("/", |r| r.path.as_str());
    op.arn(account, "role", path, name)
}

fn no_role(name: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("The role with name {name} cannot be found."),
    }
}

fn find_role(op: &Op<'_>, account: &AccountId, name: &str) -> Result<usize, IdError> {
    op.iam
        .roles
        .iter()
        .position(|r| &r.account == account && r.name == name)
        .ok_or_else(|| no_role(name))
}

fn role_json(op: &Op<'_>, r: &Role) -> Value {
    let arn = op.arn(&r.account, "role", &r.path, &r.name);
    let mut v = object(vec![
        ("Path", json!(r.path)),
        ("RoleName", json!(r.name)),
        ("RoleId", json!(unique_id("AROA", &arn))),
        ("Arn", json!(arn)),
        ("CreateDate", json!(op.date(r.created))),
        (
            "AssumeRolePolicyDocument",
            json!(super::url_encode(&r.trust_text)),
        ),
        ("MaxSessionDuration", json!(r.max_session_seconds)),
    ]);
    if let Some(o) = v.as_object_mut() {
        if let Some(d) = &r.description {
            o.insert("Description".into(), json!(d));
        }
        if let Some(b) = &r.boundary {
            o.insert(
                "PermissionsBoundary".into(),
                json!({"PermissionsBoundaryType": "Policy",
                       "PermissionsBoundaryArn": policy_arn_by_name(op, &r.account, b)}),
            );
        }
        if !r.tags.is_empty() {
            o.insert("Tags".into(), tag_list(&r.tags));
        }
    }
    v
}

fn protected(r: &Role) -> Result<(), IdError> {
    if r.service_linked.is_some() {
        return fail(
            ErrorCode::UnmodifiableEntity,
            format!(
                "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
                r.name
            ),
        );
    }
    Ok(())
}

pub(super) fn create_role(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    check_name("RoleName", name, 64)?;
    let path = path_param(op)?;
    let trust_text = &op.doc_req("AssumeRolePolicyDocument")?;
    let description = op.str_opt("Description")?.map(str::to_string);
    let max = op.int_opt("MaxSessionDuration")?.unwrap_or(3600);
    let tags = op.tags()?;
    let boundary = op.str_opt("PermissionsBoundary")?;
    if !(3600..=43_200).contains(&max) {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{max}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200"),
        );
    }
    let account = op.caller_account()?;
    let arn = op.arn(&account, "role", &path, name);
    let mut ctx = request_tag_context(&tags);
    if let Some(b) = boundary {
        ctx.insert_single("iam:PermissionsBoundary", b.to_string());
    }
    op.authorize("iam:CreateRole", &arn, None, &ctx)?;
    if !tags.is_empty() {
        op.authorize("iam:TagRole", &arn, None, &ctx)?;
    }
    if op
        .iam
        .roles
        .iter()
        .any(|r| r.account == account && r.name == name)
    {
        return fail(
            ErrorCode::EntityAlreadyExists,
            format!("Role with name {name} already exists."),
        );
    }
    if tags.len() > super::users::TAG_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            "The number of tags has reached the maximum limit.",
        );
    }
    if super::policy_size(trust_text) > TRUST_QUOTA {
        return fail(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for ACLSizePerRole: {TRUST_QUOTA}"),
        );
    }
    let trust = parse_document(trust_text, PolicyKind::Trust)?;
    let boundary = match boundary {
        Some(b) => Some(policy_name_of(op, b)?),
        None => None,
    };
    let role = Role {
        name: name.to_string(),
        account,
        path,
        trust: Some(trust),
        attached: Vec::new(),
        inline: Vec::new(),
        boundary,
        tags,
        description,
        trust_text: trust_text.to_string(),
        inline_sizes: BTreeMap::new(),
        max_session_seconds: u32::try_from(max).unwrap_or(3600),
        service_linked: None,
        created: Some(op.now),
    };
    let out = json!({ "Role": role_json(op, &role) });
    op.iam.roles.push(role);
    Ok(out)
}

pub(super) fn get_role(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    let account = op.caller_account()?;
    let arn = role_arn(op, &account, name);
    op.authorize("iam:GetRole", &arn, None, &Context::default())?;
    let i = find_role(op, &account, name)?;
    let r = op.iam.roles.get(i).cloned();
    Ok(json!({ "Role": r.map(|r| role_json(op, &r)) }))
}

pub(super) fn update_role_description(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    let description = op.str_req("Description")?;
    if description.chars().count() > 1000 {
        return fail(
            ErrorCode::ValidationError,
            "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000",
        );
    }
    let account = op.caller_account()?;
    let arn = role_arn(op, &account, name);
    op.authorize("iam:UpdateRoleDescription", &arn, None, &Context::default())?;
    let i = find_role(op, &account, name)?;
    // The one edit a service-linked role accepts.
    if let Some(r) = op.iam.roles.get_mut(i) {
        r.description = Some(description.to_string());
    }
    let r = op.iam.roles.get(i).cloned();
    Ok(json!({ "Role": r.map(|r| role_json(op, &r)) }))
}

pub(super) fn attach_role_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    let parn = op.str_req("PolicyArn")?;
    let account = op.caller_account()?;
    let arn = role_arn(op, &account, name);
    op.authorize("iam:AttachRolePolicy", &arn, None, &with_policy_arn(parn))?;
    let i = find_role(op, &account, name)?;
    if let Some(r) = op.iam.roles.get(i) {
        protected(r)?;
    }
    let pname = policy_name_of(op, parn)?;
    if let Some(r) = op.iam.roles.get_mut(i) {
        attach(&mut r.attached, pname, "PoliciesPerRole")?;
    }
    Ok(json!({}))
}

pub(super) fn put_role_policy(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    let pname = op.str_req("PolicyName")?;
    check_name("PolicyName", pname, 128)?;
    let text = &op.doc_req("PolicyDocument")?;
    let account = op.caller_account()?;
    let arn = role_arn(op, &account, name);
    op.authorize("iam:PutRolePolicy", &arn, None, &Context::default())?;
    let i = find_role(op, &account, name)?;
    if let Some(r) = op.iam.roles.get(i) {
        protected(r)?;
    }
    let doc = parse_document(text, PolicyKind::Identity)?;
    let r = op.iam.roles.get_mut(i).ok_or_else(|| no_role(name))?;
    put_inline(
        &mut r.inline,
        &mut r.inline_sizes,
        pname,
        doc,
        text,
        ROLE_INLINE_QUOTA,
        "role",
        name,
    )?;
    Ok(json!({}))
}

pub(super) fn create_service_linked_role(op: &mut Op<'_>) -> Result<Value, IdError> {
    let service = op.str_req("AWSServiceName")?;
    let description = op.str_opt("Description")?.map(str::to_string);
    let account = op.caller_account()?;
    let Some((_, name, _, _)) = SERVICE_LINKED.iter().find(|s| s.0 == service) else {
        return fail(
            ErrorCode::InvalidInput,
            format!("Service name {service} is not a supported service or does not support service-linked roles (kmslab knows cks.kms.amazonaws.com and mrk.kms.amazonaws.com)."),
        );
    };
    let arn = op.arn(
        &account,
        "role",
        &format!("/aws-service-role/{service}/"),
        name,
    );
    let mut ctx = Context::default();
    ctx.insert_single("iam:AWSServiceName", service.to_string());
    op.authorize("iam:CreateServiceLinkedRole", &arn, None, &ctx)?;
    if op
        .iam
        .roles
        .iter()
        .any(|r| r.account == account && r.name == *name)
    {
        return fail(
            ErrorCode::InvalidInput,
            format!("Service role name {name} has been taken in this account, please try a different suffix."),
        );
    }
    let Some(mut role) = service_linked_role(name, &account, op.partition) else {
        return fail(
            ErrorCode::InvalidInput,
            format!("Service name {service} is not supported."),
        );
    };
    role.description = description;
    role.created = Some(op.now);
    let out = json!({ "Role": role_json(op, &role) });
    op.iam.roles.push(role);
    if !op.iam.service_linked_roles.iter().any(|n| n == name) {
        op.iam.service_linked_roles.push((*name).to_string());
    }
    Ok(out)
}

pub(super) fn delete_service_linked_role(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = op.str_req("RoleName")?;
    let account = op.caller_account()?;
    let arn = role_arn(op, &account, name);
    op.authorize(
        "iam:DeleteServiceLinkedRole",
        &arn,
        None,
        &Context::default(),
    )?;
    let i = find_role(op, &account, name)?;
    let Some(service) = op.iam.roles.get(i).and_then(|r| r.service_linked.clone()) else {
        return fail(
            ErrorCode::InvalidInput,
            format!("Role {name} is not a service-linked role; delete it with DeleteRole."),
        );
    };
    let id = format!(
        "task/aws-service-role/{service}/{name}/{}",
        op.random_id("", 8).to_lowercase()
    );
    // The service refuses while it still uses the role: for custom key stores, while any exists.
    let in_use = service == "cks.kms.amazonaws.com" && op.custom_key_stores;
    if in_use {
        op.iam.deletion_tasks.push(DeletionTask {
            id: id.clone(),
            account,
            role: name.to_string(),
            status: "FAILED",
            reason: Some(format!(
                "AWS KMS uses {name} for the custom key stores of this account; delete them first."
            )),
        });
    } else {
        op.iam.roles.remove(i);
        op.iam.service_linked_roles.retain(|n| n != name);
        op.iam.deletion_tasks.push(DeletionTask {
            id: id.clone(),
            account,
            role: name.to_string(),
            status: "SUCCEEDED",
            reason: None,
        });
    }
    Ok(json!({ "DeletionTaskId": id }))
}

pub(super) fn deletion_status(op: &mut Op<'_>) -> Result<Value, IdError> {
    let id = op.str_req("DeletionTaskId")?;
    let account = op.caller_account()?;
    let task = op
        .iam
        .deletion_tasks
        .iter()
        .find(|t| t.id == id && t.account == account)
        .cloned();
    let role = task.as_ref().map_or_else(
        || id.split('/').nth(3).unwrap_or_default().to_string(),
        |t| t.role.clone(),
    );
    let service = id.split('/').nth(2).unwrap_or_default();
    let arn = op.arn(
        &account,
        "role",
        &format!("/aws-service-role/{service}/"),
        &role,
    );
    op.authorize(
        "iam:GetServiceLinkedRoleDeletionStatus",
        &arn,
        None,
        &Context::default(),
    )?;
    let Some(t) = task else {
        return fail(
            ErrorCode::NoSuchEntity,
            format!("Deletion task {id} cannot be found."),
        );
    };
    let mut out = json!({ "Status": t.status });
    if let (Some(r), Some(o)) = (&t.reason, out.as_object_mut()) {
        o.insert(
            "Reason".into(),
            json!({ "Reason": r, "RoleUsageList": [ { "Region": op.region, "Resources": [] } ] }),
        );
    }
    Ok(out)
}
