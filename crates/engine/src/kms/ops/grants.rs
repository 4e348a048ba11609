//! CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

use super::{Call, Failure, InputError, OpResult};
use crate::iam::context::ContextValue;
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::grant::{grantee_matches, in_effect, narrower};
use crate::kms::model::{Constraint, Grant, GRANT_OPERATIONS};
use crate::trace::Decision;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A grantee or retiring principal: an IAM/STS principal ARN or an account (not a service,
/// group or organization).
fn check_principal(field: &str, p: &str) -> Result<(), Failure> {
    let arn = crate::iam::arn::Arn::parse(p);
    let ok = match &arn {
        Some(a) if a.service == "iam" => {
            a.resource == "root"
                || a.resource.starts_with("user/")
                || a.resource.starts_with("role/")
        }
        Some(a) if a.service == "sts" => {
            a.resource.starts_with("assumed-role/") || a.resource.starts_with("federated-user/")
        }
        _ => false,
    };
    if !ok {
        return Err(KmsError::validation(format!(
            "Invalid {field} `{p}`: a grant names an IAM user, role, assumed-role session or account ARN (not a service, group or organization)"
        ))
        .into());
    }
    Ok(())
}

fn constraint_param(call: &Call<'_, '_, '_>) -> Result<Option<Constraint>, Failure> {
    let Some(v) = call.input.get("Constraints").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let obj = v
        .as_object()
        .ok_or_else(|| Failure::Input(InputError("`Constraints` must be an object".into())))?;
    let read = |name: &str| -> Result<Option<BTreeMap<String, String>>, Failure> {
        let Some(m) = obj.get(name) else {
            return Ok(None);
        };
        let m = m.as_object().ok_or_else(|| {
            Failure::Input(InputError(format!(
                "`Constraints.{name}` must be an object of strings"
            )))
        })?;
        if m.len() > 8 {
            return Err(KmsError::validation(
                "A grant constraint can have at most 8 encryption context pairs.",
            )
            .into());
        }
        m.iter()
            .map(|(k, v)| {
                let v = v.as_str().ok_or_else(|| {
                    Failure::Input(InputError(format!(
                        "`Constraints.{name}.{k}` must be a string"
                    )))
                })?;
                if v.len() > 384 {
                    return Err(KmsError::validation(
                        "A grant constraint value cannot exceed 384 characters.",
                    )
                    .into());
                }
                Ok((k.clone(), v.to_string()))
            })
            .collect::<Result<BTreeMap<_, _>, Failure>>()
            .map(Some)
    };
    for k in obj.keys() {
        if k != "EncryptionContextEquals" && k != "EncryptionContextSubset" {
            return Err(Failure::Input(InputError(format!("`Constraints.{k}` is not a grant constraint (use EncryptionContextEquals or EncryptionContextSubset)"))));
        }
    }
    match (
        read("EncryptionContextEquals")?,
        read("EncryptionContextSubset")?,
    ) {
        (Some(_), Some(_)) => Err(KmsError::validation(
            "Specify EncryptionContextEquals or EncryptionContextSubset, not both.",
        )
        .into()),
        (Some(e), None) => Ok(Some(Constraint::Equals(e))),
        (None, Some(s)) => Ok(Some(Constraint::Subset(s))),
        (None, None) => Ok(None),
    }
}

fn grant_json(call: &Call<'_, '_, '_>, g: &Grant) -> Value {
    let mut v = json!({
        "KeyId": call.key_arn(&g.key_id),
        "GrantId": g.id,
        "CreationDate": g.created.epoch_seconds(),
        "GranteePrincipal": g.grantee,
        "IssuingAccount": format!("arn:{}:iam::{}:root", call.env.partition, g.issuing_account),
        "Operations": g.operations,
    });
    if let Value::Object(o) = &mut v {
        if let Some(n) = &g.name {
            o.insert("Name".into(), json!(n));
        }
        if let Some(r) = &g.retiring {
            o.insert("RetiringPrincipal".into(), json!(r));
        }
        match &g.constraint {
            Some(Constraint::Equals(m)) => {
                o.insert(
                    "Constraints".into(),
                    json!({ "EncryptionContextEquals": m }),
                );
            }
            Some(Constraint::Subset(m)) => {
                o.insert(
                    "Constraints".into(),
                    json!({ "EncryptionContextSubset": m }),
                );
            }
            None => {}
        }
    }
    v
}

/// "Grants per KMS key: 50,000" (the quotas page; grants.md): a key that already has that many
/// grants takes no new one.
fn grant_quota(active: usize, key: &str) -> Result<(), KmsError> {
    if active >= crate::iam::policy::limits::GRANTS_PER_KEY {
        return Err(KmsError::new(
            ErrorCode::LimitExceededException,
            format!(
                "The request was rejected because the KMS key {key} already has {active} grants, the quota of grants per KMS key"
            ),
        ));
    }
    Ok(())
}

pub(super) fn create_grant(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "CreateGrant",
        &[
            "KeyId",
            "GranteePrincipal",
            "RetiringPrincipal",
            "Operations",
            "Constraints",
            "GrantTokens",
            "Name",
            "DryRun",
        ],
    )?;
    let key_name = call.str_req("KeyId")?.to_string();
    let grantee = call.str_req("GranteePrincipal")?.to_string();
    check_principal("grantee principal", &grantee)?;
    let retiring = call.str_opt("RetiringPrincipal")?.map(str::to_string);
    if let Some(r) = &retiring {
        check_principal("retiring principal", r)?;
    }
    let ops = call.strings("Operations")?.unwrap_or_default();
    if ops.is_empty() {
        return Err(KmsError::validation("1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null").into());
    }
    for o in &ops {
        if !GRANT_OPERATIONS.contains(&o.as_str()) {
            return Err(KmsError::validation(format!("1 validation error detected: Value '[{o}]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{}]]", GRANT_OPERATIONS.join(", "))).into());
        }
    }
    let name = call.str_opt("Name")?.map(str::to_string);
    if let Some(n) = &name {
        let ok = !n.is_empty()
            && n.len() <= 256
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":/_-".contains(c));
        if !ok {
            return Err(KmsError::validation(format!("1 validation error detected: Value '{n}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")).into());
        }
    }
    let constraint = constraint_param(call)?;
    let r = call.resolve(&key_name)?;
    let key = call.key(&r.id)?;
    // Encryption context constraints exist only for symmetric encryption keys (the other
    // key types take no encryption context).
    if constraint.is_some() && key.spec != crate::kms::spec::KeySpec::Symmetric {
        return Err(KmsError::validation(format!(
            "Grant constraints are not supported for a KMS key with key spec {}",
            key.spec.as_str()
        ))
        .into());
    }
    // grants.md: "The grant operations must be supported by the KMS key in the grant".
    let supported = crate::kms::spec::grant_operations(key.spec, key.usage);
    if let Some(bad) = ops.iter().find(|o| !supported.contains(&o.as_str())) {
        return Err(KmsError::validation(format!(
            "Grant operation {bad} is not supported for a KMS key with key spec {} and key usage {}; it supports {}",
            key.spec.as_str(),
            key.usage.as_str(),
            supported.join(", ")
        ))
        .into());
    }
    let ec: BTreeMap<String, String> = match &constraint {
        Some(Constraint::Equals(m) | Constraint::Subset(m)) => m.clone(),
        None => BTreeMap::new(),
    };
    let mut ctx = call.key_context(key, r.alias.as_deref(), Some(&ec));
    if ec.is_empty() {
        ctx = call.key_context(key, r.alias.as_deref(), None);
    }
    ctx.insert_single("kms:GranteePrincipal", grantee.clone());
    if let Some(rp) = &retiring {
        ctx.insert_single("kms:RetiringPrincipal", rp.clone());
    }
    ctx.insert("kms:GrantOperations", ContextValue::Multi(ops.clone()));
    if let Some(c) = &constraint {
        ctx.insert_single(
            "kms:GrantConstraintType",
            match c {
                Constraint::Equals(_) => "EncryptionContextEquals",
                Constraint::Subset(_) => "EncryptionContextSubset",
            },
        );
    }
    let via_service = call.env.step_context.contains("kms:ViaService");
    ctx.insert_single("kms:GrantIsForAWSResource", via_service.to_string());
    call.authorize_key(
        "kms:CreateGrant",
        Some("CreateGrant"),
        &r.id,
        ctx,
        &ec,
        None,
    )?;
    // A grant that allows CreateGrant may only create grants no wider than itself.
    if let Some(parent_id) = call
        .trace
        .as_ref()
        .and_then(|t| t.deciding.first())
        .and_then(|d| d.strip_prefix("grant:"))
        .map(str::to_string)
    {
        if let Some(parent) = call.world.grants.iter().find(|g| g.id == parent_id) {
            if !narrower(&ops, constraint.as_ref(), parent) {
                call.decision = Some(Decision::ImplicitDeny);
                return Err(KmsError::new(
                    ErrorCode::AccessDeniedException,
                    format!("Grant {parent_id} allows CreateGrant only for grants with a subset of its operations and an equally strict encryption context constraint"),
                )
                .into());
            }
        }
    }
    // Idempotent by Name: the same request returns the same grant.
    if let Some(n) = &name {
        if let Some(g) = call.world.grants.iter().find(|g| {
            g.deleted.is_none()
                && g.key_id == r.id
                && g.name.as_ref() == Some(n)
                && g.grantee == grantee
                && g.operations == ops
                && g.retiring == retiring
                && g.constraint == constraint
        }) {
            return Ok(json!({ "GrantToken": g.token, "GrantId": g.id }));
        }
    }
    let active = call
        .world
        .grants
        .iter()
        .filter(|g| g.deleted.is_none() && g.key_id == r.id)
        .count();
    grant_quota(active, &key_name)?;
    let id = call.hex_id(32);
    let mut tok = vec![0u8; 48];
    rand_core::Rng::fill_bytes(call.env.rng, &mut tok);
    let token = Call::b64(&tok);
    let issuing_account = call
        .env
        .iam
        .caller()
        .account
        .clone()
        .unwrap_or_else(crate::iam::arn::AccountId::example);
    call.world.grants.push(Grant {
        id: id.clone(),
        token: token.clone(),
        name,
        key_id: r.id,
        grantee,
        retiring,
        operations: ops,
        constraint,
        issuing_account,
        created: call.env.now,
        deleted: None,
    });
    Ok(json!({ "GrantToken": token, "GrantId": id }))
}

pub(super) fn list_grants(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "ListGrants",
        &["KeyId", "GrantId", "GranteePrincipal", "Limit", "Marker"],
    )?;
    let key_name = call.str_req("KeyId")?.to_string();
    let grant_id = call.str_opt("GrantId")?.map(str::to_string);
    let grantee = call.str_opt("GranteePrincipal")?.map(str::to_string);
    let r = call.resolve(&key_name)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    ctx.insert_single(
        "kms:GrantIsForAWSResource",
        call.env.step_context.contains("kms:ViaService").to_string(),
    );
    call.authorize_key("kms:ListGrants", None, &r.id, ctx, &BTreeMap::new(), None)?;
    let items: Vec<Value> = call
        .world
        .grants
        .iter()
        .filter(|g| g.key_id == r.id && g.deleted.is_none())
        .filter(|g| grant_id.as_ref().is_none_or(|id| &g.id == id))
        .filter(|g| grantee.as_ref().is_none_or(|p| &g.grantee == p))
        .map(|g| grant_json(call, g))
        .collect();
    Ok(json!({ "Grants": items, "Truncated": false }))
}

pub(super) fn list_retirable(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "ListRetirableGrants",
        &["RetiringPrincipal", "Limit", "Marker"],
    )?;
    let rp = call.str_req("RetiringPrincipal")?.to_string();
    let ctx = call.base_context();
    call.authorize_iam("kms:ListRetirableGrants", "*", ctx)?;
    let items: Vec<Value> = call
        .world
        .grants
        .iter()
        .filter(|g| g.deleted.is_none() && g.retiring.as_ref() == Some(&rp))
        .map(|g| grant_json(call, g))
        .collect();
    Ok(json!({ "Grants": items, "Truncated": false }))
}

/// Finds the grant a RetireGrant or RevokeGrant names.
fn find_grant(call: &mut Call<'_, '_, '_>, by_token: bool) -> Result<usize, Failure> {
    if by_token {
        if let Some(t) = call.str_opt("GrantToken")? {
            return call
                .world
                .grants
                .iter()
                .position(|g| g.token == t && g.deleted.is_none())
                .ok_or_else(|| {
                    KmsError::new(
                        ErrorCode::InvalidGrantTokenException,
                        "The grant token is not valid.",
                    )
                    .into()
                });
        }
    }
    let key_name = call.str_req("KeyId")?.to_string();
    let grant_id = call.str_req("GrantId")?.to_string();
    let r = call.resolve(&key_name)?;
    let now = call.env.now;
    let delay = call.env.grant_propagation;
    let tokens = call.env.grant_tokens.to_vec();
    call.world
        .grants
        .iter()
        .position(|g| {
            g.id == grant_id
                && g.key_id == r.id
                && g.deleted.is_none()
                && in_effect(g, now, delay, &tokens).0
        })
        .ok_or_else(|| {
            KmsError::new(
                ErrorCode::NotFoundException,
                format!("Grant ID {grant_id} not found"),
            )
            .into()
        })
}

pub(super) fn retire_grant(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("RetireGrant", &["GrantToken", "KeyId", "GrantId", "DryRun"])?;
    let idx = find_grant(call, true)?;
    let g = call
        .world
        .grants
        .get(idx)
        .cloned()
        .ok_or_else(|| KmsError::new(ErrorCode::NotFoundException, "Grant not found"))?;
    let caller = call.env.iam.caller().clone();
    let key = call.key(&g.key_id)?;
    let arn = key.arn(call.env.partition);
    // The kms:RetireGrant permission counts in IAM policies only, never in a key policy; it lets
    // principals of the issuing (or retiring) account retire, and its explicit deny stops anyone.
    let ctx = call.base_context();
    let own = caller.account.clone();
    let mut resp = call
        .env
        .iam
        .evaluate("kms:RetireGrant", &arn, own.as_ref(), None, &ctx);
    let retiring = g
        .retiring
        .as_deref()
        .is_some_and(|r| grantee_matches(r, &caller));
    let grantee =
        grantee_matches(&g.grantee, &caller) && g.operations.iter().any(|o| o == "RetireGrant");
    let account_root =
        |acct: &crate::iam::arn::AccountId| format!("arn:{}:iam::{acct}:root", call.env.partition);
    let in_account = |acct: &crate::iam::arn::AccountId| caller.account.as_ref() == Some(acct);
    let via_account = in_account(&g.issuing_account)
        || g.retiring.as_deref().is_some_and(|r| {
            caller
                .account
                .as_ref()
                .is_some_and(|a| r == account_root(a))
        });
    let (decision, why) = match (resp.decision, retiring, grantee, via_account) {
        // An explicit deny of kms:RetireGrant stops even the principals the grant names.
        (Decision::ExplicitDeny, ..) => (Decision::ExplicitDeny, "an explicit deny of kms:RetireGrant applies".to_string()),
        // The grant's retiring principal may retire it.
        (_, true, _, _) => (Decision::Allow, "the caller is the grant's retiring principal".to_string()),
        // The grantee may retire it when the grant includes RetireGrant.
        (_, false, true, _) => (Decision::Allow, "the caller is the grantee and the grant allows RetireGrant".to_string()),
        // The issuing (or retiring) account delegates through IAM.
        (Decision::Allow, false, false, true) => (Decision::Allow, "the caller's account issued (or may retire) the grant and IAM allows kms:RetireGrant".to_string()),
        (_, false, false, _) => (Decision::ImplicitDeny, "the caller is neither the retiring principal, nor a grantee allowed to retire, nor allowed by the issuing account's IAM".to_string()),
    };
    resp.decision = decision;
    resp.summary = why.clone();
    if let Some(t) = resp.trace.as_mut() {
        t.decision = decision;
        t.summary = why;
        t.reasoning.push(format!("RetireGrant: {}", t.summary));
        if decision == Decision::Allow && resp.deciding.is_empty() {
            t.deciding = vec![format!("grant:{}", g.id)];
        }
    }
    call.decision = Some(decision);
    let message = super::denied_message(&caller.arn, "kms:RetireGrant", &arn, &resp);
    call.trace = resp.trace;
    if decision != Decision::Allow {
        return Err(KmsError::new(ErrorCode::AccessDeniedException, message).into());
    }
    let now = call.env.now;
    if let Some(gm) = call.world.grants.get_mut(idx) {
        gm.deleted = Some(now);
    }
    Ok(json!({}))
}

pub(super) fn revoke_grant(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("RevokeGrant", &["KeyId", "GrantId", "DryRun"])?;
    let key_name = call.str_req("KeyId")?.to_string();
    let grant_id = call.str_req("GrantId")?.to_string();
    let r = call.resolve(&key_name)?;
    let key = call.key(&r.id)?;
    let mut ctx = call.key_context(key, r.alias.as_deref(), None);
    ctx.insert_single(
        "kms:GrantIsForAWSResource",
        call.env.step_context.contains("kms:ViaService").to_string(),
    );
    call.authorize_key("kms:RevokeGrant", None, &r.id, ctx, &BTreeMap::new(), None)?;
    let now = call.env.now;
    let g = call
        .world
        .grants
        .iter_mut()
        .find(|g| g.id == grant_id && g.key_id == r.id && g.deleted.is_none())
        .ok_or_else(|| {
            KmsError::new(
                ErrorCode::NotFoundException,
                format!("Grant ID {grant_id} not found"),
            )
        })?;
    g.deleted = Some(now);
    Ok(json!({}))
}

#[cfg(test)]
mod quota_tests {
    use super::grant_quota;
    use crate::kms::error::ErrorCode;

    #[test]
    fn the_fifty_thousandth_grant_is_the_last() {
        assert!(grant_quota(49_999, "k").is_ok());
        let e = grant_quota(50_000, "k").err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::LimitExceededException));
    }
}
