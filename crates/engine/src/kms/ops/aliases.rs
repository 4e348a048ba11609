//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases.
//!
//! Alias operations need permission on the alias (an IAM policy: aliases have no policy of
//! their own) and on the key or keys involved (key policy, or IAM where delegated).

use super::{Call, Failure, OpResult};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::Alias;
use crate::kms::spec::KeySpec;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn check_name(name: &str) -> Result<(), Failure> {
    let valid = name.starts_with("alias/")
        && name.len() > 6
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    if !valid {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$")).into());
    }
    if name.starts_with("alias/aws/") {
        return Err(KmsError::new(
            ErrorCode::NotFoundException,
            format!(
                "Alias names that begin with alias/aws/ are reserved for AWS managed keys: {name}"
            ),
        )
        .into());
    }
    Ok(())
}

fn alias_arn(call: &Call<'_, '_, '_>, name: &str) -> String {
    let acct = call
        .env
        .iam
        .caller()
        .account
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_default();
    format!(
        "arn:{}:kms:{}:{acct}:{name}",
        call.env.partition, call.env.region
    )
}

/// Resolves a target key for an alias: a key id or key ARN, never an alias.
fn target(call: &mut Call<'_, '_, '_>) -> Result<String, Failure> {
    let t = call.str_req("TargetKeyId")?.to_string();
    if t.starts_with("alias/") || t.contains(":alias/") {
        return Err(KmsError::validation(
            "Aliases must refer to keys. Specify a key ID or key ARN as TargetKeyId.",
        )
        .into());
    }
    Ok(call.resolve(&t)?.id)
}

fn find(call: &Call<'_, '_, '_>, name: &str) -> Option<usize> {
    let acct = call.env.iam.caller().account.clone();
    call.world.aliases.iter().position(|a| {
        a.name == name && Some(&a.account) == acct.as_ref() && a.region == call.env.region
    })
}

fn on_key(call: &mut Call<'_, '_, '_>, action: &str, key_id: &str) -> Result<(), Failure> {
    on_key_gated(call, action, key_id, None)
}

/// Authorizes `action` on a key; `gate` names the key-state row to apply (default: the action's).
fn on_key_gated(
    call: &mut Call<'_, '_, '_>,
    action: &str,
    key_id: &str,
    gate: Option<&str>,
) -> Result<(), Failure> {
    let key = call.key(key_id)?;
    let ctx = call.key_context(key, None, None);
    call.authorize_key(action, None, key_id, ctx, &BTreeMap::new(), gate)
}

pub(super) fn create_alias(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("CreateAlias", &["AliasName", "TargetKeyId"])?;
    let name = call.str_req("AliasName")?.to_string();
    check_name(&name)?;
    let key_id = target(call)?;
    let arn = alias_arn(call, &name);
    let ctx = call.base_context();
    call.authorize_iam("kms:CreateAlias", &arn, ctx)?;
    on_key(call, "kms:CreateAlias", &key_id)?;
    if find(call, &name).is_some() {
        return Err(KmsError::new(
            ErrorCode::AlreadyExistsException,
            format!("An alias with the name {arn} already exists"),
        )
        .into());
    }
    let account = call.key(&key_id)?.account.clone();
    if Some(&account) != call.env.iam.caller().account.as_ref() {
        return Err(KmsError::validation(
            "An alias and its key must be in the same account and Region.",
        )
        .into());
    }
    call.world.aliases.push(Alias {
        name,
        account,
        region: call.env.region.to_string(),
        target: key_id,
        created: call.env.now,
    });
    Ok(json!({}))
}

pub(super) fn update_alias(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("UpdateAlias", &["AliasName", "TargetKeyId"])?;
    let name = call.str_req("AliasName")?.to_string();
    check_name(&name)?;
    let new_key = target(call)?;
    let arn = alias_arn(call, &name);
    let idx = find(call, &name).ok_or_else(|| {
        KmsError::new(
            ErrorCode::NotFoundException,
            format!("Alias {arn} is not found."),
        )
    })?;
    let old_key = call
        .world
        .aliases
        .get(idx)
        .map(|a| a.target.clone())
        .unwrap_or_default();
    let ctx = call.base_context();
    call.authorize_iam("kms:UpdateAlias", &arn, ctx)?;
    // The key the alias leaves may be pending deletion (key-state table, footnote 10): only
    // the destination key's state is checked.
    on_key_gated(call, "kms:UpdateAlias", &old_key, Some("DescribeKey"))?;
    on_key(call, "kms:UpdateAlias", &new_key)?;
    same_kind(call, &name, &old_key, &new_key)?;
    if let Some(a) = call.world.aliases.get_mut(idx) {
        a.target = new_key;
    }
    Ok(json!({}))
}

/// UpdateAlias moves an alias only between keys of the same type (symmetric, asymmetric or
/// HMAC) and the same key usage, so code that uses the alias keeps working (UpdateAlias API
/// reference). An RSA key and an ECC key with the same usage are the same type.
fn same_kind(
    call: &Call<'_, '_, '_>,
    alias: &str,
    old_key: &str,
    new_key: &str,
) -> Result<(), Failure> {
    let kind = |spec: KeySpec| match spec {
        KeySpec::Symmetric => "symmetric",
        KeySpec::Pair(_) => "asymmetric",
        KeySpec::Hmac(_) => "HMAC",
    };
    let (Ok(old), Ok(new)) = (call.key(old_key), call.key(new_key)) else {
        // The alias's old key is gone from the world: nothing to compare with.
        return Ok(());
    };
    if kind(old.spec) != kind(new.spec) || old.usage != new.usage {
        return Err(KmsError::new(
            ErrorCode::ValidationException,
            format!(
                "{alias} points to a {} key with KeyUsage {}; UpdateAlias cannot point it to a {} key with KeyUsage {} ({new_key}). Use DeleteAlias and CreateAlias to move an alias to a different type of key.",
                kind(old.spec),
                old.usage.as_str(),
                kind(new.spec),
                new.usage.as_str()
            ),
        )
        .into());
    }
    Ok(())
}

pub(super) fn delete_alias(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DeleteAlias", &["AliasName"])?;
    let name = call.str_req("AliasName")?.to_string();
    check_name(&name)?;
    let arn = alias_arn(call, &name);
    let idx = find(call, &name).ok_or_else(|| {
        KmsError::new(
            ErrorCode::NotFoundException,
            format!("Alias {arn} is not found."),
        )
    })?;
    let key = call
        .world
        .aliases
        .get(idx)
        .map(|a| a.target.clone())
        .unwrap_or_default();
    let ctx = call.base_context();
    call.authorize_iam("kms:DeleteAlias", &arn, ctx)?;
    on_key(call, "kms:DeleteAlias", &key)?;
    call.world.aliases.remove(idx);
    Ok(json!({}))
}

pub(super) fn list_aliases(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ListAliases", &["KeyId", "Limit", "Marker"])?;
    let key = match call.str_opt("KeyId")? {
        Some(k) => {
            let k = k.to_string();
            Some(call.resolve(&k)?.id)
        }
        None => None,
    };
    let ctx = call.base_context();
    call.authorize_iam("kms:ListAliases", "*", ctx)?;
    let acct = call.env.iam.caller().account.clone();
    let items: Vec<Value> = call
        .world
        .aliases
        .iter()
        .filter(|a| Some(&a.account) == acct.as_ref() && a.region == call.env.region)
        .filter(|a| key.as_ref().is_none_or(|k| &a.target == k))
        .map(|a| {
            json!({
                "AliasName": a.name,
                "AliasArn": format!("arn:{}:kms:{}:{}:{}", call.env.partition, a.region, a.account, a.name),
                "TargetKeyId": a.target,
                "CreationDate": a.created.epoch_seconds(),
            })
        })
        .collect();
    Ok(json!({ "Aliases": items, "Truncated": false }))
}
