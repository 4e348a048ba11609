//! Key lifecycle, policies, rotation and tags.

use super::{new_key_id, Call, Failure, OpResult};
use crate::crypto::asym::LazyPair;
use crate::crypto::{KeyMaterial, Secret};
use crate::iam::context::ContextValue;
use crate::iam::policy::{Policy, PolicyKind};
use crate::json::JsonPath;
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::{Key, KeySpec, KeyState, KeyUsage, Origin, RotationRecord};
use crate::time::Duration;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The key policy CreateKey writes when none is given: the account may use IAM policies.
pub fn default_policy_text(account: &str, partition: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:{partition}:iam::{account}:root\"\n    }},\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}

/// Parses a key policy given as text, as PutKeyPolicy and CreateKey receive it.
pub fn parse_policy_text(text: &str) -> Result<Policy, KmsError> {
    if text.len() > 32_768 {
        return Err(KmsError::validation(
            "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 32768",
        ));
    }
    let doc = crate::json::parse(text).map_err(|e| {
        KmsError::new(
            ErrorCode::MalformedPolicyDocumentException,
            format!("the policy is not valid JSON at {}: {}", e.pos, e.message),
        )
    })?;
    Policy::from_json(&doc, PolicyKind::Resource, &JsonPath::root()).map_err(|e| {
        KmsError::new(
            ErrorCode::MalformedPolicyDocumentException,
            format!(
                "{} (at {}, line {} column {})",
                e.message, e.path, e.pos.line, e.pos.column
            ),
        )
    })
}

/// AWS's policy lockout safety check: the new policy must let the caller call PutKeyPolicy.
fn lockout_check(
    call: &Call<'_, '_, '_>,
    policy: &Policy,
    arn: &str,
    account: &crate::iam::arn::AccountId,
) -> Result<(), Failure> {
    let ctx = call.base_context();
    let r = call
        .env
        .iam
        .evaluate("kms:PutKeyPolicy", arn, Some(account), Some(policy), &ctx);
    if r.decision != crate::trace::Decision::Allow {
        return Err(KmsError::new(
            ErrorCode::MalformedPolicyDocumentException,
            "The new key policy will not allow you to update the key policy in the future.",
        )
        .into());
    }
    Ok(())
}

fn tags_param(call: &Call<'_, '_, '_>) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    let Some(v) = call.input.get("Tags") else {
        return Ok(out);
    };
    let items = v.as_array().ok_or_else(|| {
        Failure::Input(super::InputError(
            "`Tags` must be an array of {\"TagKey\", \"TagValue\"}".into(),
        ))
    })?;
    for t in items {
        let k = t.get("TagKey").and_then(Value::as_str);
        let val = t.get("TagValue").and_then(Value::as_str);
        let (Some(k), Some(val)) = (k, val) else {
            return Err(Failure::Input(super::InputError(
                "each tag needs `TagKey` and `TagValue` strings".into(),
            )));
        };
        if k.is_empty() || k.len() > 128 || val.len() > 256 {
            return Err(KmsError::new(
                ErrorCode::TagException,
                format!("Tag key `{k}` must be 1 to 128 characters and its value at most 256"),
            )
            .into());
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(KmsError::new(
                ErrorCode::TagException,
                "Tag keys beginning with aws: are reserved for AWS use",
            )
            .into());
        }
        out.insert(k.to_string(), val.to_string());
    }
    Ok(out)
}

fn request_tags_context(c: &mut crate::iam::context::Context, tags: &BTreeMap<String, String>) {
    for (k, v) in tags {
        c.insert_single(&format!("aws:RequestTag/{k}"), v.clone());
    }
    if !tags.is_empty() {
        c.insert(
            "aws:TagKeys",
            ContextValue::Multi(tags.keys().cloned().collect()),
        );
    }
}

pub(super) fn create_key(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "CreateKey",
        &[
            "Policy",
            "Description",
            "KeyUsage",
            "KeySpec",
            "CustomerMasterKeySpec",
            "Origin",
            "Tags",
            "BypassPolicyLockoutSafetyCheck",
            "MultiRegion",
            "CustomKeyStoreId",
            "XksKeyId",
        ],
    )?;
    let description = call.str_opt("Description")?.unwrap_or("").to_string();
    if description.len() > 8192 {
        return Err(KmsError::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192").into());
    }
    let spec_s = call
        .str_opt("KeySpec")?
        .or(call.str_opt("CustomerMasterKeySpec")?)
        .unwrap_or("SYMMETRIC_DEFAULT")
        .to_string();
    let spec = KeySpec::parse(&spec_s).ok_or_else(|| {
        KmsError::validation(format!(
            "1 validation error detected: Value '{spec_s}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            KeySpec::all().map(KeySpec::as_str).collect::<Vec<_>>().join(", ")
        ))
    })?;
    // "Key usage": the default is ENCRYPT_DECRYPT, which HMAC and ECC keys do not allow.
    let usage = match call.str_opt("KeyUsage")? {
        Some(u) => KeyUsage::parse(u).ok_or_else(|| KmsError::validation(format!("1 validation error detected: Value '{u}' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC]")))?,
        None => KeyUsage::EncryptDecrypt,
    };
    if !spec.usages().contains(&usage) {
        return Err(KmsError::validation(format!(
            "The operation failed because the KeyUsage value of the CMK is {}. To perform this operation, the KeyUsage value must be {}.",
            usage.as_str(),
            spec.usages().iter().map(|u| u.as_str()).collect::<Vec<_>>().join(" or ")
        ))
        .into());
    }
    let origin_s = call.str_opt("Origin")?.unwrap_or("AWS_KMS").to_string();
    let store_id = call.str_opt("CustomKeyStoreId")?.map(str::to_string);
    let origin = match Origin::parse(&origin_s) {
        Some(o @ (Origin::AwsKms | Origin::External)) if store_id.is_none() => o,
        Some(o @ (Origin::AwsCloudhsm | Origin::ExternalKeyStore)) if store_id.is_some() => o,
        Some(o @ (Origin::AwsCloudhsm | Origin::ExternalKeyStore)) => return Err(KmsError::validation(format!("Origin {} requires a CustomKeyStoreId", o.as_str())).into()),
        Some(_) => return Err(KmsError::new(ErrorCode::UnsupportedOperationException, format!("CustomKeyStoreId can only be used with Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not {origin_s}")).into()),
        None => return Err(KmsError::validation(format!("1 validation error detected: Value '{origin_s}' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL, AWS_KMS, EXTERNAL_KEY_STORE]")).into()),
    };
    if call.bool_opt("MultiRegion")? == Some(true) {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            "multi-Region keys are not simulated",
        )
        .into());
    }
    let bypass = call
        .bool_opt("BypassPolicyLockoutSafetyCheck")?
        .unwrap_or(false);
    let tags = tags_param(call)?;
    let mut ctx = call.base_context();
    ctx.insert_single("kms:KeySpec", spec.as_str());
    ctx.insert_single("kms:KeyUsage", usage.as_str());
    ctx.insert_single("kms:KeyOrigin", origin.as_str());
    ctx.insert_single("kms:MultiRegion", "false");
    ctx.insert_single("kms:BypassPolicyLockoutSafetyCheck", bypass.to_string());
    request_tags_context(&mut ctx, &tags);
    call.authorize_iam("kms:CreateKey", "*", ctx)?;
    let account = call
        .env
        .iam
        .caller()
        .account
        .clone()
        .ok_or_else(|| KmsError::validation("a service principal cannot create keys"))?;
    let id = new_key_id(call.env.rng);
    let arn = format!(
        "arn:{}:kms:{}:{account}:key/{id}",
        call.env.partition, call.env.region
    );
    if !tags.is_empty() {
        // Tagging at creation also needs kms:TagResource, from an IAM policy.
        let mut tctx = call.base_context();
        request_tags_context(&mut tctx, &tags);
        call.authorize_iam("kms:TagResource", &arn, tctx)?;
    }
    let (policy, policy_text) = match call.str_opt("Policy")? {
        Some(text) => {
            let p = parse_policy_text(text)?;
            if !bypass {
                lockout_check(call, &p, &arn, &account)?;
            }
            (p, text.to_string())
        }
        None => {
            let text = default_policy_text(account.as_str(), call.env.partition);
            (parse_policy_text(&text)?, text)
        }
    };
    let xks_param = call.str_opt("XksKeyId")?.map(str::to_string);
    let xks_key_id = match (origin, xks_param) {
        (Origin::ExternalKeyStore, Some(x)) => Some(x),
        (Origin::ExternalKeyStore, None) => {
            return Err(KmsError::validation(
                "XksKeyId is required to create a KMS key in an external key store",
            )
            .into())
        }
        (_, Some(_)) => {
            return Err(KmsError::validation(
                "XksKeyId is only valid with Origin EXTERNAL_KEY_STORE",
            )
            .into())
        }
        (_, None) => None,
    };
    if let Some(sid) = &store_id {
        super::keystores::check_can_create_key(call, sid, origin)?;
        if let Some(x) = &xks_key_id {
            super::keystores::check_external_key(call, sid, x)?;
        }
    }
    // Key material in a CloudHSM key store is generated in the cluster; the simulation keeps
    // it with the key, and every use asks the cluster (see keystores::check_backend).
    // An external key store key also has KMS-generated material: the inner layer of its
    // double encryption.
    if spec != KeySpec::Symmetric && store_id.is_some() {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("KeySpec {spec_s} is not supported for custom key stores"),
        )
        .into());
    }
    if matches!(spec, KeySpec::Pair(_)) && origin == Origin::External {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!("kmslab imports symmetric and HMAC key material; importing `{spec_s}` key pairs is not simulated"),
        )
        .into());
    }
    let generated = origin != Origin::External;
    let materials = if generated && spec == KeySpec::Symmetric {
        vec![KeyMaterial::generate(call.env.rng)]
    } else {
        Vec::new()
    };
    let pair = match spec {
        KeySpec::Pair(p) if generated => Some(LazyPair::new(p, call.env.rng)),
        _ => None,
    };
    let hmac_key = match spec {
        KeySpec::Hmac(a) if generated => Some(Secret::random(call.env.rng, a.key_len())),
        _ => None,
    };
    let key = Key {
        id: id.clone(),
        account,
        region: call.env.region.to_string(),
        description,
        spec,
        usage,
        origin,
        key_store: store_id,
        xks_key_id,
        state: if origin == Origin::External {
            KeyState::PendingImport
        } else {
            KeyState::Enabled
        },
        created: call.env.now,
        deletion_date: None,
        pending_window_days: None,
        materials,
        pair,
        hmac_key,
        import: Default::default(),
        rotation_enabled: false,
        rotation_period_days: 365,
        next_rotation: None,
        rotations: Vec::new(),
        policy,
        policy_text,
        tags,
    };
    let meta = call.metadata(&key);
    call.world.keys.insert(id, key);
    Ok(json!({ "KeyMetadata": meta }))
}

/// Resolves `KeyId`, authorizes `kms:OP` on the key and applies the state gate.
fn on_key(call: &mut Call<'_, '_, '_>, op: &str, grant: bool) -> Result<String, Failure> {
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let ctx = call.key_context(key, r.alias.as_deref(), None);
    call.authorize_key(
        &format!("kms:{op}"),
        grant.then_some(op),
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    Ok(r.id)
}

fn key_mut<'k>(call: &'k mut Call<'_, '_, '_>, id: &str) -> Result<&'k mut Key, Failure> {
    call.world
        .keys
        .get_mut(id)
        .ok_or_else(|| KmsError::key_not_found(id).into())
}

pub(super) fn describe_key(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DescribeKey", &["KeyId", "GrantTokens"])?;
    let id = on_key(call, "DescribeKey", true)?;
    let meta = call.metadata(call.key(&id)?);
    Ok(json!({ "KeyMetadata": meta }))
}

pub(super) fn list_keys(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ListKeys", &["Limit", "Marker"])?;
    let ctx = call.base_context();
    call.authorize_iam("kms:ListKeys", "*", ctx)?;
    let acct = call.env.iam.caller().account.clone();
    let keys: Vec<Value> = call
        .world
        .keys
        .values()
        .filter(|k| Some(&k.account) == acct.as_ref() && k.region == call.env.region)
        .map(|k| json!({ "KeyId": k.id, "KeyArn": k.arn(call.env.partition) }))
        .collect();
    Ok(json!({ "Keys": keys, "Truncated": false }))
}

pub(super) fn update_description(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("UpdateKeyDescription", &["KeyId", "Description"])?;
    let d = call.str_req("Description")?.to_string();
    if d.len() > 8192 {
        return Err(KmsError::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192").into());
    }
    let id = on_key(call, "UpdateKeyDescription", false)?;
    key_mut(call, &id)?.description = d;
    Ok(json!({}))
}

pub(super) fn set_enabled(call: &mut Call<'_, '_, '_>, enable: bool) -> OpResult {
    let op = if enable { "EnableKey" } else { "DisableKey" };
    call.allow(op, &["KeyId"])?;
    let id = on_key(call, op, false)?;
    let k = key_mut(call, &id)?;
    // An unavailable key (custom key store disconnected) keeps its state until it is available.
    if k.state != KeyState::Unavailable {
        k.state = if enable {
            KeyState::Enabled
        } else {
            KeyState::Disabled
        };
    }
    Ok(json!({}))
}

pub(super) fn schedule_deletion(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ScheduleKeyDeletion", &["KeyId", "PendingWindowInDays"])?;
    let days = call.u64_opt("PendingWindowInDays")?.unwrap_or(30);
    if !(7..=30).contains(&days) {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30")).into());
    }
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    ctx.insert_single(
        "kms:ScheduleKeyDeletionPendingWindowInDays",
        days.to_string(),
    );
    call.authorize_key(
        "kms:ScheduleKeyDeletion",
        None,
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    let now = call.env.now;
    let partition = call.env.partition.to_string();
    let days32 = u32::try_from(days).unwrap_or(30);
    let k = key_mut(call, &r.id)?;
    let when = now.plus(Duration::seconds(i64::from(days32) * 86_400));
    k.state = KeyState::PendingDeletion;
    k.deletion_date = Some(when);
    k.pending_window_days = Some(days32);
    let arn = k.arn(&partition);
    Ok(
        json!({ "KeyId": arn, "DeletionDate": when.epoch_seconds(), "KeyState": "PendingDeletion", "PendingWindowInDays": days }),
    )
}

pub(super) fn cancel_deletion(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("CancelKeyDeletion", &["KeyId"])?;
    let id = on_key(call, "CancelKeyDeletion", false)?;
    let partition = call.env.partition.to_string();
    let k = key_mut(call, &id)?;
    // A key whose deletion is cancelled comes back disabled.
    k.state = KeyState::Disabled;
    k.deletion_date = None;
    k.pending_window_days = None;
    Ok(json!({ "KeyId": k.arn(&partition) }))
}

fn policy_name(call: &Call<'_, '_, '_>) -> Result<(), Failure> {
    match call.str_opt("PolicyName")? {
        None | Some("default") => Ok(()),
        Some(other) => Err(KmsError::new(
            ErrorCode::NotFoundException,
            format!("No such policy exists: {other}"),
        )
        .into()),
    }
}

pub(super) fn put_key_policy(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "PutKeyPolicy",
        &[
            "KeyId",
            "Policy",
            "PolicyName",
            "BypassPolicyLockoutSafetyCheck",
        ],
    )?;
    policy_name(call)?;
    let text = call.str_req("Policy")?.to_string();
    let bypass = call
        .bool_opt("BypassPolicyLockoutSafetyCheck")?
        .unwrap_or(false);
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    ctx.insert_single("kms:BypassPolicyLockoutSafetyCheck", bypass.to_string());
    call.authorize_key("kms:PutKeyPolicy", None, &r.id, ctx, &BTreeMap::new(), None)?;
    let policy = parse_policy_text(&text)?;
    let key = call.key(&r.id)?;
    let (arn, account) = (key.arn(call.env.partition), key.account.clone());
    if !bypass {
        lockout_check(call, &policy, &arn, &account)?;
    }
    let k = key_mut(call, &r.id)?;
    k.policy = policy;
    k.policy_text = text;
    Ok(json!({}))
}

pub(super) fn get_key_policy(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("GetKeyPolicy", &["KeyId", "PolicyName"])?;
    policy_name(call)?;
    let id = on_key(call, "GetKeyPolicy", false)?;
    Ok(json!({ "Policy": call.key(&id)?.policy_text, "PolicyName": "default" }))
}

pub(super) fn list_key_policies(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ListKeyPolicies", &["KeyId", "Limit", "Marker"])?;
    on_key(call, "ListKeyPolicies", false)?;
    Ok(json!({ "PolicyNames": ["default"], "Truncated": false }))
}

pub(super) fn enable_rotation(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("EnableKeyRotation", &["KeyId", "RotationPeriodInDays"])?;
    let period = call.u64_opt("RotationPeriodInDays")?.unwrap_or(365);
    if !(90..=2560).contains(&period) {
        return Err(KmsError::validation(format!("1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560")).into());
    }
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    ctx.insert_single("kms:RotationPeriodInDays", period.to_string());
    call.authorize_key(
        "kms:EnableKeyRotation",
        None,
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    let now = call.env.now;
    let p = u32::try_from(period).unwrap_or(365);
    let k = key_mut(call, &r.id)?;
    k.rotation_enabled = true;
    k.rotation_period_days = p;
    k.next_rotation = Some(now.plus(Duration::seconds(i64::from(p) * 86_400)));
    Ok(json!({}))
}

pub(super) fn disable_rotation(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DisableKeyRotation", &["KeyId"])?;
    let id = on_key(call, "DisableKeyRotation", false)?;
    let k = key_mut(call, &id)?;
    k.rotation_enabled = false;
    k.next_rotation = None;
    Ok(json!({}))
}

pub(super) fn rotation_status(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("GetKeyRotationStatus", &["KeyId"])?;
    let id = on_key(call, "GetKeyRotationStatus", false)?;
    let k = call.key(&id)?;
    let mut out =
        json!({ "KeyId": k.arn(call.env.partition), "KeyRotationEnabled": k.rotation_enabled });
    if let (true, Value::Object(o)) = (k.rotation_enabled, &mut out) {
        o.insert("RotationPeriodInDays".into(), json!(k.rotation_period_days));
        if let Some(n) = k.next_rotation {
            o.insert("NextRotationDate".into(), json!(n.epoch_seconds()));
        }
    }
    Ok(out)
}

pub(super) fn rotate_on_demand(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("RotateKeyOnDemand", &["KeyId"])?;
    let id = on_key(call, "RotateKeyOnDemand", false)?;
    let on_demand = call
        .key(&id)?
        .rotations
        .iter()
        .filter(|r| r.kind == "ON_DEMAND")
        .count();
    if on_demand >= 10 {
        return Err(KmsError::new(
            ErrorCode::LimitExceededException,
            "The key has reached the limit of 10 on-demand rotations.",
        )
        .into());
    }
    let material = KeyMaterial::generate(call.env.rng);
    let now = call.env.now;
    let partition = call.env.partition.to_string();
    let k = key_mut(call, &id)?;
    k.materials.push(material);
    k.rotations.push(RotationRecord {
        date: now,
        kind: "ON_DEMAND",
    });
    Ok(json!({ "KeyId": k.arn(&partition) }))
}

pub(super) fn list_rotations(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ListKeyRotations", &["KeyId", "Limit", "Marker"])?;
    let id = on_key(call, "ListKeyRotations", false)?;
    let k = call.key(&id)?;
    if k.origin != Origin::AwsKms {
        return Err(KmsError::new(
            ErrorCode::UnsupportedOperationException,
            format!(
                "{} origin is {} which is not valid for this operation.",
                k.arn(call.env.partition),
                k.origin.as_str()
            ),
        )
        .into());
    }
    let arn = k.arn(call.env.partition);
    let rotations: Vec<Value> = k
        .rotations
        .iter()
        .map(|r| json!({ "KeyId": arn, "RotationDate": r.date.epoch_seconds(), "RotationType": r.kind }))
        .collect();
    Ok(json!({ "Rotations": rotations, "Truncated": false }))
}

pub(super) fn tag_resource(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("TagResource", &["KeyId", "Tags"])?;
    let tags = tags_param(call)?;
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    request_tags_context(&mut ctx, &tags);
    call.authorize_key("kms:TagResource", None, &r.id, ctx, &BTreeMap::new(), None)?;
    let k = key_mut(call, &r.id)?;
    let mut merged = k.tags.clone();
    merged.extend(tags);
    if merged.len() > 50 {
        return Err(KmsError::new(
            ErrorCode::LimitExceededException,
            "A key can have at most 50 tags.",
        )
        .into());
    }
    k.tags = merged;
    Ok(json!({}))
}

pub(super) fn untag_resource(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("UntagResource", &["KeyId", "TagKeys"])?;
    let keys = call.strings("TagKeys")?.unwrap_or_default();
    let key_id = call.str_req("KeyId")?.to_string();
    let r = call.resolve(&key_id)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    if !keys.is_empty() {
        ctx.insert("aws:TagKeys", ContextValue::Multi(keys.clone()));
    }
    call.authorize_key(
        "kms:UntagResource",
        None,
        &r.id,
        ctx,
        &BTreeMap::new(),
        None,
    )?;
    let k = key_mut(call, &r.id)?;
    for t in keys {
        k.tags.remove(&t);
    }
    Ok(json!({}))
}

pub(super) fn list_tags(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ListResourceTags", &["KeyId", "Limit", "Marker"])?;
    let id = on_key(call, "ListResourceTags", false)?;
    let tags: Vec<Value> = call
        .key(&id)?
        .tags
        .iter()
        .map(|(k, v)| json!({ "TagKey": k, "TagValue": v }))
        .collect();
    Ok(json!({ "Tags": tags, "Truncated": false }))
}
