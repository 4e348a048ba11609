//! The `keys` and `grants` sections.

use super::{acct_or_default, field, opt_map, opt_string, opt_strings, sized_policy, Ctx};
use crate::crypto::KeyMaterial;
use crate::iam::policy::limits::PolicySlot;
use crate::iam::policy::PolicyKind;
use crate::json::JsonValue;
use crate::kms::model::{Constraint, KeyState, Origin, GRANT_OPERATIONS};
use crate::scenario::model::*;
use crate::scenario::read::{error_at, Node};
use crate::scenario::ScenarioError;
use crate::time::Instant;
use std::collections::BTreeMap;

pub(super) fn parse_key(n: Node<'_>, ctx: &Ctx<'_>) -> Result<KeyDef, ScenarioError> {
    let fs = n.object(
        "a key",
        &[
            "id",
            "account",
            "region",
            "aliases",
            "description",
            "spec",
            "usage",
            "origin",
            "keyStore",
            "externalKeyId",
            "state",
            "policy",
            "tags",
            "rotation",
            "material",
            "multiRegion",
            "creationDate",
            "deletionDate",
        ],
    )?;
    let sub = |k: &str| n.path.key(k);
    let at = |k: &str| field(fs, k).map_or(n.json.pos, |m| m.value.pos);
    let id = opt_string(fs, n, "id")?.ok_or_else(|| n.err("a key needs `id`"))?;
    if id.is_empty() || id.len() > 128 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(n.err(format!("`{id}` is not a key id (letters, digits and `-`)")));
    }
    let aliases = opt_strings(fs, n, "aliases")?;
    for (i, a) in aliases.iter().enumerate() {
        let ok = a.starts_with("alias/")
            && !a.starts_with("alias/aws/")
            && a.len() > 6
            && a.len() <= 256
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
        if !ok {
            let (path, pos) = match field(fs, "aliases").map(|m| &m.value.value) {
                Some(JsonValue::Array(items)) => (
                    sub("aliases").index(i),
                    items.get(i).map_or(at("aliases"), |j| j.pos),
                ),
                _ => (sub("aliases"), at("aliases")),
            };
            return Err(error_at(&path, pos, format!("alias `{a}` must match `alias/[a-zA-Z0-9/_-]+` and not start with `alias/aws/`")));
        }
    }
    let account = acct_or_default(fs, n, ctx)?;
    let spec_s = opt_string(fs, n, "spec")?.unwrap_or_else(|| "SYMMETRIC_DEFAULT".into());
    let spec = crate::kms::spec::KeySpec::parse(&spec_s).ok_or_else(|| {
        error_at(
            &sub("spec"),
            at("spec"),
            format!(
                "key spec `{spec_s}` is not simulated (kmslab has {})",
                crate::kms::spec::KeySpec::all()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    // "Key usage": the first usage a spec allows is its default (ENCRYPT_DECRYPT for
    // symmetric and RSA keys, SIGN_VERIFY for ECC, GENERATE_VERIFY_MAC for HMAC).
    let usage =
        match opt_string(fs, n, "usage")? {
            None => spec
                .usages()
                .first()
                .copied()
                .unwrap_or(crate::kms::spec::KeyUsage::EncryptDecrypt),
            Some(u) => {
                crate::kms::spec::KeyUsage::parse(&u)
                    .filter(|k| spec.usages().contains(k))
                    .ok_or_else(|| {
                        error_at(
                            &sub("usage"),
                            at("usage"),
                            format!(
                        "key usage `{u}` does not go with key spec `{spec_s}` (it takes {})",
                        spec.usages().iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                        )
                    })?
            }
        };
    let origin = match opt_string(fs, n, "origin")? {
        None => Origin::AwsKms,
        Some(o) => Origin::parse(&o).ok_or_else(|| {
            error_at(
                &sub("origin"),
                at("origin"),
                format!(
                    "`{o}` is not an origin (AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE)"
                ),
            )
        })?,
    };
    let default_state = if origin == Origin::External {
        KeyState::PendingImport
    } else {
        KeyState::Enabled
    };
    let state = match opt_string(fs, n, "state")? {
        None => default_state,
        Some(s) => KeyState::parse(&s).ok_or_else(|| error_at(&sub("state"), at("state"), format!("`{s}` is not a key state (`Enabled`, `Disabled`, `PendingDeletion`, `PendingReplicaDeletion`, `PendingImport`, `Unavailable`, `Creating` or `Updating`)")))?,
    };
    let material = match opt_string(fs, n, "material")? {
        None => None,
        Some(b64) => {
            let bytes = crate::b64::decode(&b64).map_err(|e| {
                error_at(
                    &sub("material"),
                    at("material"),
                    format!("`material` is not valid base64: {e}"),
                )
            })?;
            Some(KeyMaterial::from_bytes(&bytes).ok_or_else(|| {
                error_at(
                    &sub("material"),
                    at("material"),
                    format!(
                        "`material` must be 32 bytes (256 bits), found {}",
                        bytes.len()
                    ),
                )
            })?)
        }
    };
    let (mut rotation_enabled, mut rotation_period_days) = (false, 365);
    if let Some(m) = field(fs, "rotation") {
        let rp = sub("rotation");
        let rn = Node {
            json: &m.value,
            path: &rp,
        };
        let rf = rn.object("`rotation`", &["enabled", "periodInDays"])?;
        for f in rf {
            match (f.key.as_str(), &f.value.value) {
                ("enabled", JsonValue::Bool(b)) => rotation_enabled = *b,
                ("periodInDays", JsonValue::Number(x)) => {
                    rotation_period_days = x
                        .parse::<u32>()
                        .ok()
                        .filter(|d| (90..=2560).contains(d))
                        .ok_or_else(|| {
                            error_at(
                                &rp.key("periodInDays"),
                                f.value.pos,
                                format!("`periodInDays` must be 90 to 2560, found `{x}`"),
                            )
                        })?;
                }
                (k, _) => {
                    return Err(error_at(
                        &rp.key(k),
                        f.value.pos,
                        format!("`rotation.{k}` has the wrong type"),
                    ))
                }
            }
        }
    }
    let instant = |k: &str| -> Result<Option<Instant>, ScenarioError> {
        opt_string(fs, n, k)?
            .map(|s| Instant::parse_iso(&s).map_err(|e| error_at(&sub(k), at(k), e.to_string())))
            .transpose()
    };
    let mut deletion_date = instant("deletionDate")?;
    if state == KeyState::PendingDeletion && deletion_date.is_none() {
        deletion_date = Some(
            ctx.defaults
                .time
                .plus(crate::time::Duration::seconds(30 * 86_400)),
        );
    }
    // `policy`: "default" (CreateKey's default), the console's default key policy for this key
    // type (`{"console": {"administrators": [...], "users": [...]}}`), or a policy document.
    let console = field(fs, "policy")
        .filter(|m| m.value.get("console").is_some())
        .map(|m| -> Result<String, ScenarioError> {
            let pn = Node {
                json: &m.value,
                path: &sub("policy"),
            };
            let pf = pn.object("`policy`", &["console"])?;
            let cm = field(pf, "console").ok_or_else(|| pn.err("`console` is missing"))?;
            let cpath = sub("policy").key("console");
            let cn = Node {
                json: &cm.value,
                path: &cpath,
            };
            let cf = cn.object("`console`", &["administrators", "users"])?;
            let admins = opt_strings(cf, cn, "administrators")?;
            let users = opt_strings(cf, cn, "users")?;
            Ok(crate::kms::console_policy::console_key_policy_text(
                account.as_str(),
                &ctx.defaults.partition,
                &admins,
                &users,
                spec,
                usage,
                origin,
            ))
        })
        .transpose()?;
    let (policy, policy_is_default, policy_text) = match (console, field(fs, "policy")) {
        (Some(text), _) => {
            let p = crate::kms::ops::parse_policy_text(&text)
                .map_err(|e| error_at(&sub("policy"), at("policy"), e.message))?
                .generated("generated default key policy (the console's)");
            (p, false, text)
        }
        (None, Some(m)) if m.value.as_str().is_some_and(|s| s != "default") => {
            return Err(error_at(
                &sub("policy"),
                m.value.pos,
                format!(
                    "`{}` is not a key policy: give a policy document, `\"default\"` for the default key policy, or `{{\"console\": {{...}}}}` for the console's",
                    m.value.as_str().unwrap_or_default()
                ),
            ));
        }
        (None, Some(m)) if m.value.as_str() != Some("default") => {
            let p = sized_policy(
                Node {
                    json: &m.value,
                    path: &sub("policy"),
                },
                PolicyKind::Resource,
                PolicySlot::KeyPolicy,
            )?;
            let text = m.value.to_pretty();
            (p, false, text)
        }
        _ => (
            crate::scenario::world::default_key_policy_for(&account, &ctx.defaults.partition),
            true,
            crate::kms::ops::default_policy_text(account.as_str(), &ctx.defaults.partition),
        ),
    };
    if spec != crate::kms::spec::KeySpec::Symmetric && material.is_some() {
        return Err(error_at(
            &sub("material"),
            at("material"),
            "`material` is for SYMMETRIC_DEFAULT keys".to_string(),
        ));
    }
    Ok(KeyDef {
        spec,
        usage,
        region: opt_string(fs, n, "region")?.unwrap_or_else(|| ctx.defaults.region.clone()),
        aliases,
        policy_is_default,
        policy,
        policy_text,
        tags: opt_map(fs, n, "tags")?,
        description: opt_string(fs, n, "description")?.unwrap_or_default(),
        origin,
        state,
        key_store: opt_string(fs, n, "keyStore")?,
        external_key_id: opt_string(fs, n, "externalKeyId")?,
        material,
        rotation_enabled,
        rotation_period_days,
        deletion_date,
        created: instant("creationDate")?,
        account,
        id,
    })
}

fn context_map(n: Node<'_>) -> Result<BTreeMap<String, String>, ScenarioError> {
    Ok(n.string_map("an encryption context")?.into_iter().collect())
}

pub(super) fn parse_grant(
    n: Node<'_>,
    keys: &[KeyDef],
    ctx: &Ctx<'_>,
) -> Result<GrantDef, ScenarioError> {
    let fs = n.object(
        "a grant",
        &[
            "keyId",
            "grantId",
            "name",
            "grantee",
            "retiring",
            "operations",
            "constraints",
            "issuingAccount",
        ],
    )?;
    let key_name = opt_string(fs, n, "keyId")?.ok_or_else(|| n.err("a grant needs `keyId`"))?;
    let partition = &ctx.defaults.partition;
    let key = keys
        .iter()
        .find(|k| k.id == key_name || k.arn(partition) == key_name || k.aliases.contains(&key_name))
        .ok_or_else(|| {
            error_at(
                &n.path.key("keyId"),
                n.json.pos,
                format!("grant on `{key_name}`: no key in `keys` has that id, ARN or alias"),
            )
        })?;
    let grantee = opt_string(fs, n, "grantee")?
        .ok_or_else(|| n.err("a grant needs `grantee` (a principal ARN)"))?;
    let operations = opt_strings(fs, n, "operations")?;
    if operations.is_empty() {
        return Err(n.err("a grant needs `operations`"));
    }
    for o in &operations {
        if !GRANT_OPERATIONS.contains(&o.as_str()) {
            return Err(error_at(
                &n.path.key("operations"),
                n.json.pos,
                format!(
                    "`{o}` is not a grant operation ({})",
                    GRANT_OPERATIONS.join(", ")
                ),
            ));
        }
    }
    let constraint = match field(fs, "constraints") {
        Some(m) => {
            let cp = n.path.key("constraints");
            let cn = Node {
                json: &m.value,
                path: &cp,
            };
            let cf = cn.object(
                "`constraints`",
                &["encryptionContextEquals", "encryptionContextSubset"],
            )?;
            match (
                field(cf, "encryptionContextEquals"),
                field(cf, "encryptionContextSubset"),
            ) {
                (Some(e), None) => Some(Constraint::Equals(context_map(Node {
                    json: &e.value,
                    path: &cp.key("encryptionContextEquals"),
                })?)),
                (None, Some(s)) => Some(Constraint::Subset(context_map(Node {
                    json: &s.value,
                    path: &cp.key("encryptionContextSubset"),
                })?)),
                (Some(_), Some(_)) => {
                    return Err(cn.err(
                        "give `encryptionContextEquals` or `encryptionContextSubset`, not both",
                    ))
                }
                (None, None) => None,
            }
        }
        None => None,
    };
    let issuing_account = match field(fs, "issuingAccount") {
        Some(_) => super::account(
            Node {
                json: &field(fs, "issuingAccount")
                    .map_or(n.json, |m| &m.value)
                    .clone(),
                path: &n.path.key("issuingAccount"),
            },
            "`issuingAccount`",
        )?,
        None => key.account.clone(),
    };
    Ok(GrantDef {
        key_id: key.id.clone(),
        grant_id: opt_string(fs, n, "grantId")?,
        name: opt_string(fs, n, "name")?,
        grantee,
        retiring: opt_string(fs, n, "retiring")?,
        operations,
        constraint,
        issuing_account,
        created: None,
        deleted: None,
    })
}
