//! Access keys: at most two per user, the secret shown once at creation, Active or Inactive,
//! and the last use recorded on the simulated clock.

use super::users::{find_user, user_arn, user_name_or_caller};
use super::{fail, ErrorCode, IdError, Op};
use crate::iam::context::Context;
use crate::scenario::AccessKeyDef;
use serde_json::{json, Value};

/// Access keys per user.
const KEYS_PER_USER: usize = 2;

fn key_id_param<'a>(op: &Op<'a>) -> Result<&'a str, IdError> {
    let id = op.str_req("AccessKeyId")?;
    if !(16..=128).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return fail(
            ErrorCode::ValidationError,
            format!("1 validation error detected: Value '{id}' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+"),
        );
    }
    Ok(id)
}

fn no_such_key(id: &str) -> IdError {
    IdError {
        code: ErrorCode::NoSuchEntity,
        message: format!("The Access Key with id {id} cannot be found"),
    }
}

pub(super) fn create(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = user_name_or_caller(op)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, &name);
    op.authorize("iam:CreateAccessKey", &arn, None, &Context::default())?;
    let i = find_user(op, &account, &name)?;
    if op.iam.users.get(i).map_or(0, |u| u.access_keys.len()) >= KEYS_PER_USER {
        return fail(
            ErrorCode::LimitExceeded,
            format!("Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}"),
        );
    }
    let id = op.random_id("AKIA", 16);
    // The secret is returned once and never kept: as in AWS, it cannot be read back.
    let secret = op.random_secret(40);
    let now = op.now;
    if let Some(u) = op.iam.users.get_mut(i) {
        u.access_keys.push(AccessKeyDef {
            id: id.clone(),
            active: true,
            created: Some(now),
            last_used: None,
        });
    }
    Ok(json!({ "AccessKey": {
        "UserName": name, "AccessKeyId": id, "Status": "Active",
        "SecretAccessKey": secret, "CreateDate": now.to_string() } }))
}

pub(super) fn update(op: &mut Op<'_>) -> Result<Value, IdError> {
    let id = key_id_param(op)?.to_string();
    let status = op.str_req("Status")?;
    let active = match status {
        "Active" => true,
        "Inactive" => false,
        other => {
            return fail(
                ErrorCode::ValidationError,
                format!("1 validation error detected: Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
            )
        }
    };
    let name = user_name_or_caller(op)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, &name);
    op.authorize("iam:UpdateAccessKey", &arn, None, &Context::default())?;
    let i = find_user(op, &account, &name)?;
    let key = op
        .iam
        .users
        .get_mut(i)
        .and_then(|u| u.access_keys.iter_mut().find(|k| k.id == id))
        .ok_or_else(|| no_such_key(&id))?;
    key.active = active;
    Ok(json!({}))
}

pub(super) fn delete(op: &mut Op<'_>) -> Result<Value, IdError> {
    let id = key_id_param(op)?.to_string();
    let name = user_name_or_caller(op)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, &name);
    op.authorize("iam:DeleteAccessKey", &arn, None, &Context::default())?;
    let i = find_user(op, &account, &name)?;
    let Some(u) = op.iam.users.get_mut(i) else {
        return Err(no_such_key(&id));
    };
    let before = u.access_keys.len();
    u.access_keys.retain(|k| k.id != id);
    if u.access_keys.len() == before {
        return Err(no_such_key(&id));
    }
    Ok(json!({}))
}

pub(super) fn list(op: &mut Op<'_>) -> Result<Value, IdError> {
    let name = user_name_or_caller(op)?;
    let account = op.caller_account()?;
    let arn = user_arn(op, &account, &name);
    op.authorize("iam:ListAccessKeys", &arn, None, &Context::default())?;
    let i = find_user(op, &account, &name)?;
    let keys: Vec<Value> = op
        .iam
        .users
        .get(i)
        .map(|u| {
            u.access_keys
                .iter()
                .map(|k| {
                    json!({"UserName": name, "AccessKeyId": k.id,
                           "Status": if k.active { "Active" } else { "Inactive" },
                           "CreateDate": op.date(k.created)})
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({ "AccessKeyMetadata": keys, "IsTruncated": false }))
}

pub(super) fn last_used(op: &mut Op<'_>) -> Result<Value, IdError> {
    let id = key_id_param(op)?.to_string();
    let owner = op.iam.users.iter().find_map(|u| {
        u.access_keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| (u.account.clone(), u.name.clone(), k.last_used.clone()))
    });
    let account = op.caller_account()?;
    let resource = match &owner {
        Some((acct, name, _)) => user_arn(op, acct, name),
        None => op.arn(&account, "user", "/", "*"),
    };
    op.authorize(
        "iam:GetAccessKeyLastUsed",
        &resource,
        None,
        &Context::default(),
    )?;
    let Some((_, name, used)) = owner else {
        return Err(no_such_key(&id));
    };
    let last = match used {
        Some((at, service, region)) => json!({
            "LastUsedDate": at.to_string(), "ServiceName": service, "Region": region }),
        None => json!({ "ServiceName": "N/A", "Region": "N/A" }),
    };
    Ok(json!({ "UserName": name, "AccessKeyLastUsed": last }))
}
