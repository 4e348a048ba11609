//! CreateCustomKeyStore, DescribeCustomKeyStores, ConnectCustomKeyStore,
//! DisconnectCustomKeyStore, UpdateCustomKeyStore, DeleteCustomKeyStore, and the checks a key
//! in a custom key store needs (CreateKey in a store, every cryptographic use).
//!
//! These operations are authorized by IAM policies only (`Resource: "*"`): a key store has no
//! policy of its own. Creating the first store also needs `iam:CreateServiceLinkedRole`, because
//! KMS creates `AWSServiceRoleForKeyManagementServiceCustomKeyStores` on the caller's behalf.

use super::{Call, Effect, Failure, OpResult};
use crate::keystore::cloudhsm::{CloudHsmSettings, Connection};
use crate::keystore::{ConnectionState, KeyStore, KeyStoreBackend, KeyStoreType};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::Origin;
use serde_json::{json, Value};

/// The service-linked role CreateCustomKeyStore needs.
const SLR_SERVICE: &str = "cks.kms.amazonaws.com";
const SLR_NAME: &str = "AWSServiceRoleForKeyManagementServiceCustomKeyStores";

fn fail(code: ErrorCode, message: impl Into<String>) -> Failure {
    KmsError::new(code, message).into()
}

fn account(call: &Call<'_, '_, '_>) -> Result<crate::iam::arn::AccountId, Failure> {
    call.env.iam.caller().account.clone().ok_or_else(|| {
        fail(
            ErrorCode::ValidationException,
            "a service principal has no custom key stores",
        )
    })
}

fn find(call: &Call<'_, '_, '_>, id: &str) -> Result<usize, Failure> {
    let acct = account(call)?;
    call.world
        .key_stores
        .iter()
        .position(|s| s.id == id && s.account == acct)
        .ok_or_else(|| {
            fail(
                ErrorCode::CustomKeyStoreNotFoundException,
                format!("Custom key store {id} does not exist in this account and Region."),
            )
        })
}

fn store_json(call: &Call<'_, '_, '_>, s: &KeyStore) -> Value {
    let mut v = json!({
        "CustomKeyStoreId": s.id,
        "CustomKeyStoreName": s.name,
        "CustomKeyStoreType": s.kind.as_str(),
        "ConnectionState": s.state.as_str(),
        "CreationDate": s.created.epoch_seconds(),
    });
    if let Some(o) = v.as_object_mut() {
        if let Some(c) = &s.cloudhsm {
            o.insert("CloudHsmClusterId".into(), json!(c.cluster_id));
            o.insert("TrustAnchorCertificate".into(), json!(c.trust_anchor));
        }
        if let Some(code) = s.error_code {
            o.insert("ConnectionErrorCode".into(), json!(code));
        }
        if let Some(x) = &s.external {
            o.insert("XksProxyConfiguration".into(), x.kms.describe());
        }
    }
    let _ = call;
    v
}

fn password_param(call: &Call<'_, '_, '_>) -> Result<Option<String>, Failure> {
    let Some(p) = call.str_opt("KeyStorePassword")? else {
        return Ok(None);
    };
    if !(7..=32).contains(&p.chars().count()) {
        return Err(KmsError::validation(
            "1 validation error detected: Value at 'keyStorePassword' failed to satisfy constraint: Member must have length between 7 and 32",
        )
        .into());
    }
    Ok(Some(p.to_string()))
}

/// Finds a cluster a store may use: it exists, is active, and no other store of the account
/// uses it.
fn usable_cluster(
    call: &Call<'_, '_, '_>,
    cluster_id: &str,
    except: Option<&str>,
) -> Result<usize, Failure> {
    let i = call
        .world
        .clusters
        .iter()
        .position(|c| c.id == cluster_id && !c.deleted)
        .ok_or_else(|| {
            fail(
                ErrorCode::CloudHsmClusterNotFoundException,
                format!(
                    "AWS CloudHSM cluster {cluster_id} does not exist in this account and Region."
                ),
            )
        })?;
    if call.world.clusters.get(i).is_some_and(|c| !c.active) {
        return Err(fail(
            ErrorCode::CloudHsmClusterNotActiveException,
            format!("AWS CloudHSM cluster {cluster_id} is not active."),
        ));
    }
    // A cluster may back one store, and may not share a backup history with the cluster of
    // another store.
    let lineage = call
        .world
        .clusters
        .get(i)
        .map(|c| c.lineage.clone())
        .unwrap_or_default();
    let in_use = call.world.key_stores.iter().any(|s| {
        Some(s.id.as_str()) != except
            && s.cloudhsm.as_ref().is_some_and(|c| {
                c.cluster_id == cluster_id
                    || call
                        .world
                        .clusters
                        .iter()
                        .any(|x| x.id == c.cluster_id && x.lineage == lineage)
            })
    });
    if in_use {
        return Err(fail(
            ErrorCode::CloudHsmClusterInUseException,
            format!(
                "AWS CloudHSM cluster {cluster_id} is already associated with a custom key store."
            ),
        ));
    }
    Ok(i)
}

pub(super) fn create(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "CreateCustomKeyStore",
        &[
            "CustomKeyStoreName",
            "CloudHsmClusterId",
            "TrustAnchorCertificate",
            "KeyStorePassword",
            "CustomKeyStoreType",
            "XksProxyUriEndpoint",
            "XksProxyUriPath",
            "XksProxyVpcEndpointServiceName",
            "XksProxyAuthenticationCredential",
            "XksProxyConnectivity",
        ],
    )?;
    let name = call.str_req("CustomKeyStoreName")?.to_string();
    if !(1..=256).contains(&name.chars().count()) {
        return Err(KmsError::validation("1 validation error detected: Value at 'customKeyStoreName' failed to satisfy constraint: Member must have length between 1 and 256").into());
    }
    let kind_s = call
        .str_opt("CustomKeyStoreType")?
        .unwrap_or("AWS_CLOUDHSM")
        .to_string();
    let kind = KeyStoreType::parse(&kind_s).ok_or_else(|| {
        KmsError::validation(format!("1 validation error detected: Value '{kind_s}' at 'customKeyStoreType' failed to satisfy constraint: Member must satisfy enum value set: [EXTERNAL_KEY_STORE, AWS_CLOUDHSM]"))
    })?;
    // Input first: the CloudHSM parameters are required and checked before authorization.
    let hsm_params = if kind == KeyStoreType::AwsCloudHsm {
        let cluster_id = call.str_req("CloudHsmClusterId")?.to_string();
        let anchor = call.str_req("TrustAnchorCertificate")?.to_string();
        let password = password_param(call)?.ok_or_else(|| {
            KmsError::validation("1 validation error detected: Value null at 'keyStorePassword' failed to satisfy constraint: Member must not be null")
        })?;
        Some((cluster_id, anchor, password))
    } else {
        None
    };
    let ctx = call.base_context();
    call.authorize_iam("kms:CreateCustomKeyStore", "*", ctx)?;
    let acct = account(call)?;
    let mut effects = Vec::new();
    if !call.env.key_store_role_exists {
        // KMS creates the service-linked role with the caller's permission.
        let mut sctx = call.base_context();
        sctx.insert_single("iam:AWSServiceName", SLR_SERVICE);
        let arn = format!(
            "arn:{}:iam::{acct}:role/aws-service-role/{SLR_SERVICE}/{SLR_NAME}",
            call.env.partition
        );
        call.authorize_iam("iam:CreateServiceLinkedRole", &arn, sctx)?;
        effects.push(Effect::CreateKeyStoreServiceLinkedRole(acct.clone()));
    }
    if call
        .world
        .key_stores
        .iter()
        .any(|s| s.account == acct && s.name == name)
    {
        return Err(fail(
            ErrorCode::CustomKeyStoreNameInUseException,
            format!("Custom key store name {name} is already in use in this account and Region."),
        ));
    }
    if kind == KeyStoreType::ExternalKeyStore {
        return Err(fail(
            ErrorCode::UnsupportedOperationException,
            "creating an external key store through the API is not simulated; define it in the scenario's `keyStores`",
        ));
    }
    let Some((cluster_id, anchor, password)) = hsm_params else {
        return Err(fail(
            ErrorCode::UnsupportedOperationException,
            "not a CloudHSM key store",
        ));
    };
    let ci = usable_cluster(call, &cluster_id, None)?;
    let (trust_anchor, hsms) = call
        .world
        .clusters
        .get(ci)
        .map(|c| (c.trust_anchor.clone(), c.active_hsms))
        .unwrap_or_default();
    if trust_anchor != anchor {
        return Err(fail(
            ErrorCode::IncorrectTrustAnchorException,
            format!("The trust anchor certificate does not match the one of AWS CloudHSM cluster {cluster_id}."),
        ));
    }
    if hsms < 2 {
        return Err(fail(
            ErrorCode::CloudHsmClusterInvalidConfigurationException,
            format!("AWS CloudHSM cluster {cluster_id} must have at least two active HSMs in different Availability Zones; it has {hsms}."),
        ));
    }
    let mut id_bytes = [0u8; 9];
    rand_core::Rng::fill_bytes(call.env.rng, &mut id_bytes);
    let hex: String = id_bytes.iter().map(|b| format!("{b:02x}")).collect();
    let id = format!("cks-{}", hex.get(..17).unwrap_or(&hex));
    call.world.key_stores.push(KeyStore {
        id: id.clone(),
        name,
        account: acct,
        kind,
        state: ConnectionState::Disconnected,
        error_code: None,
        transition_at: None,
        created: call.env.now,
        cloudhsm: Some(CloudHsmSettings {
            cluster_id,
            trust_anchor: anchor,
            password,
        }),
        external: None,
        last_check: None,
    });
    call.effects.extend(effects);
    Ok(json!({ "CustomKeyStoreId": id }))
}

pub(super) fn describe(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "DescribeCustomKeyStores",
        &["CustomKeyStoreId", "CustomKeyStoreName", "Limit", "Marker"],
    )?;
    let id = call.str_opt("CustomKeyStoreId")?.map(str::to_string);
    let name = call.str_opt("CustomKeyStoreName")?.map(str::to_string);
    let ctx = call.base_context();
    call.authorize_iam("kms:DescribeCustomKeyStores", "*", ctx)?;
    let acct = account(call)?;
    let stores: Vec<Value> = call
        .world
        .key_stores
        .iter()
        .filter(|s| s.account == acct)
        .filter(|s| id.as_ref().is_none_or(|i| &s.id == i))
        .filter(|s| name.as_ref().is_none_or(|n| &s.name == n))
        .map(|s| store_json(call, s))
        .collect();
    if stores.is_empty() && (id.is_some() || name.is_some()) {
        return Err(fail(
            ErrorCode::CustomKeyStoreNotFoundException,
            format!(
                "Custom key store {} does not exist in this account and Region.",
                id.or(name).unwrap_or_default()
            ),
        ));
    }
    Ok(json!({ "CustomKeyStores": stores, "Truncated": false }))
}

pub(super) fn connect(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("ConnectCustomKeyStore", &["CustomKeyStoreId"])?;
    let id = call.str_req("CustomKeyStoreId")?.to_string();
    let ctx = call.base_context();
    call.authorize_iam("kms:ConnectCustomKeyStore", "*", ctx)?;
    let i = find(call, &id)?;
    let now = call.env.now;
    let (state, cluster_id) = match call.world.key_stores.get(i) {
        Some(s) => (s.state, s.cloudhsm.as_ref().map(|c| c.cluster_id.clone())),
        None => return Err(fail(ErrorCode::CustomKeyStoreNotFoundException, id)),
    };
    match state {
        // Already connected or on its way: nothing to do.
        ConnectionState::Connected | ConnectionState::Connecting => Ok(json!({})),
        ConnectionState::Failed => Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} is in the FAILED connection state. Disconnect it before you try to connect it again."),
        )),
        ConnectionState::Disconnecting => Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} is disconnecting. Wait until it is DISCONNECTED, then connect it."),
        )),
        ConnectionState::Disconnected => {
            // An inactive cluster is detected at once: the store stays DISCONNECTED.
            if let Some(cid) = cluster_id {
                if call.world.clusters.iter().any(|c| c.id == cid && !c.active) {
                    return Err(fail(
                        ErrorCode::CloudHsmClusterNotActiveException,
                        format!("AWS CloudHSM cluster {cid} is not active."),
                    ));
                }
            }
            if let Some(s) = call.world.key_stores.get_mut(i) {
                s.start_connecting(now);
            }
            Ok(json!({}))
        }
    }
}

pub(super) fn disconnect(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DisconnectCustomKeyStore", &["CustomKeyStoreId"])?;
    let id = call.str_req("CustomKeyStoreId")?.to_string();
    let ctx = call.base_context();
    call.authorize_iam("kms:DisconnectCustomKeyStore", "*", ctx)?;
    let i = find(call, &id)?;
    let now = call.env.now;
    let state = match call.world.key_stores.get(i) {
        Some(s) => s.state,
        None => return Err(fail(ErrorCode::CustomKeyStoreNotFoundException, id)),
    };
    match state {
        // Valid in every other connection state (the API reference of
        // CustomKeyStoreInvalidStateException): a FAILED store is disconnected before it is
        // connected again.
        ConnectionState::Connected | ConnectionState::Connecting | ConnectionState::Failed => {
            if let Some(s) = call.world.key_stores.get_mut(i) {
                s.start_disconnecting(now);
            }
            Ok(json!({}))
        }
        // Already on its way down or down: the request is refused, not a no-op.
        ConnectionState::Disconnecting => Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} is already disconnecting."),
        )),
        ConnectionState::Disconnected => Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} is already disconnected."),
        )),
    }
}

pub(super) fn update(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow(
        "UpdateCustomKeyStore",
        &[
            "CustomKeyStoreId",
            "NewCustomKeyStoreName",
            "KeyStorePassword",
            "CloudHsmClusterId",
            "XksProxyUriEndpoint",
            "XksProxyUriPath",
            "XksProxyVpcEndpointServiceName",
            "XksProxyAuthenticationCredential",
            "XksProxyConnectivity",
        ],
    )?;
    let id = call.str_req("CustomKeyStoreId")?.to_string();
    let new_name = call.str_opt("NewCustomKeyStoreName")?.map(str::to_string);
    let password = password_param(call)?;
    let new_cluster = call.str_opt("CloudHsmClusterId")?.map(str::to_string);
    let xks = xks_params(call)?;
    let ctx = call.base_context();
    call.authorize_iam("kms:UpdateCustomKeyStore", "*", ctx)?;
    let i = find(call, &id)?;
    let acct = account(call)?;
    if let Some(n) = &new_name {
        if call
            .world
            .key_stores
            .iter()
            .any(|s| s.account == acct && &s.name == n && s.id != id)
        {
            return Err(fail(
                ErrorCode::CustomKeyStoreNameInUseException,
                format!("Custom key store name {n} is already in use in this account and Region."),
            ));
        }
    }
    let state = call.world.key_stores.get(i).map(|s| s.state);
    let is_hsm = call
        .world
        .key_stores
        .get(i)
        .is_some_and(|s| s.kind == KeyStoreType::AwsCloudHsm);
    // A CloudHSM key store changes only while disconnected (its name too); an external key
    // store's name, path and credential may change while it is connected.
    let hsm_change = new_name.is_some() || password.is_some() || new_cluster.is_some();
    if is_hsm && hsm_change && state != Some(ConnectionState::Disconnected) {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} must be DISCONNECTED to be updated."),
        ));
    }
    // An external key store's name, path and credential change while it is CONNECTED or
    // DISCONNECTED, never on its way between the two or FAILED (UpdateCustomKeyStore API
    // reference); its other settings only while DISCONNECTED (`xks_update`).
    let xks_change = new_name.is_some() || xks.any();
    if !is_hsm
        && xks_change
        && !matches!(
            state,
            Some(ConnectionState::Connected | ConnectionState::Disconnected)
        )
    {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!(
                "Custom key store {id} is {}: an external key store can be updated only while it is CONNECTED or DISCONNECTED.",
                state.map_or("gone", |s| s.as_str())
            ),
        ));
    }
    if let Some(cid) = &new_cluster {
        let ci = usable_cluster(call, cid, Some(&id))?;
        let old_lineage = call
            .world
            .key_stores
            .get(i)
            .and_then(|s| s.cloudhsm.as_ref())
            .and_then(|c| call.world.clusters.iter().find(|x| x.id == c.cluster_id))
            .map(|c| c.lineage.clone());
        let new_lineage = call.world.clusters.get(ci).map(|c| c.lineage.clone());
        // The replacement must share the original cluster's backup history.
        if old_lineage.is_some() && old_lineage != new_lineage {
            return Err(fail(
                ErrorCode::CloudHsmClusterNotRelatedException,
                format!("AWS CloudHSM cluster {cid} is not related to the custom key store's cluster (it does not share its backup history)."),
            ));
        }
    }
    let xks_changes = xks_update(call, i, state, xks)?;
    if let Some(s) = call.world.key_stores.get_mut(i) {
        if let (Some(config), Some(ext)) = (xks_changes, s.external.as_mut()) {
            ext.kms = config;
        }
        if let Some(n) = new_name {
            s.name = n;
        }
        if let Some(c) = s.cloudhsm.as_mut() {
            if let Some(p) = password {
                c.password = p;
            }
            if let Some(cid) = new_cluster {
                c.cluster_id = cid;
            }
        }
    }
    Ok(json!({}))
}

pub(super) fn delete(call: &mut Call<'_, '_, '_>) -> OpResult {
    call.allow("DeleteCustomKeyStore", &["CustomKeyStoreId"])?;
    let id = call.str_req("CustomKeyStoreId")?.to_string();
    let ctx = call.base_context();
    call.authorize_iam("kms:DeleteCustomKeyStore", "*", ctx)?;
    let i = find(call, &id)?;
    if call.world.key_stores.get(i).map(|s| s.state) != Some(ConnectionState::Disconnected) {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!("Custom key store {id} must be DISCONNECTED before it can be deleted."),
        ));
    }
    if call
        .world
        .keys
        .values()
        .any(|k| k.key_store.as_deref() == Some(id.as_str()))
    {
        return Err(fail(
            ErrorCode::CustomKeyStoreHasCMKsException,
            format!("Custom key store {id} still has KMS keys; schedule their deletion and wait until they are deleted."),
        ));
    }
    call.world.key_stores.remove(i);
    Ok(json!({}))
}

/// CreateKey in a custom key store: the store exists, fits the origin, is connected, and its
/// backend can create key material.
pub(super) fn check_can_create_key(
    call: &mut Call<'_, '_, '_>,
    store_id: &str,
    origin: Origin,
) -> Result<(), Failure> {
    let i = find(call, store_id)?;
    let Some(s) = call.world.key_stores.get(i) else {
        return Err(fail(ErrorCode::CustomKeyStoreNotFoundException, store_id));
    };
    let fits = matches!(
        (s.kind, origin),
        (KeyStoreType::AwsCloudHsm, Origin::AwsCloudhsm)
            | (KeyStoreType::ExternalKeyStore, Origin::ExternalKeyStore)
    );
    if !fits {
        return Err(KmsError::validation(format!(
            "Origin {} does not match custom key store {store_id}, whose type is {}",
            origin.as_str(),
            s.kind.as_str()
        ))
        .into());
    }
    if s.state != ConnectionState::Connected {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!(
                "Custom key store {store_id} is not connected (its connection state is {}).",
                s.state.as_str()
            ),
        ));
    }
    if let Some(settings) = s.cloudhsm.clone() {
        Connection::new(&settings, &mut call.world.clusters)
            .can_create_key()
            .map_err(backend_error)?;
    }
    Ok(())
}

/// A cryptographic use of a key in a custom key store: its backend must be able to serve it.
pub(super) fn check_backend(call: &mut Call<'_, '_, '_>, key_id: &str) -> Result<(), Failure> {
    let Some(store_id) = call
        .world
        .keys
        .get(key_id)
        .and_then(|k| k.key_store.clone())
    else {
        return Ok(());
    };
    let settings = call
        .world
        .key_stores
        .iter()
        .find(|s| s.id == store_id)
        .and_then(|s| s.cloudhsm.clone());
    if let Some(settings) = settings {
        Connection::new(&settings, &mut call.world.clusters)
            .can_serve()
            .map_err(backend_error)?;
    }
    Ok(())
}

fn backend_error(e: crate::keystore::BackendError) -> Failure {
    KmsError::named(e.exception, e.message.clone())
        .unwrap_or_else(|| KmsError::new(ErrorCode::KMSInternalException, e.message))
        .into()
}

/// The KMS exception for a proxy failure.
pub(super) fn xks_error(e: crate::keystore::xks::XksError) -> Failure {
    backend_error(e.into())
}

/// Request metadata for a call to an external key store's proxy on behalf of this call.
pub(super) fn request_metadata(
    call: &mut Call<'_, '_, '_>,
    key_arn: Option<String>,
) -> crate::keystore::xks::RequestMetadata {
    crate::keystore::xks::RequestMetadata {
        aws_principal_arn: call.env.iam.caller().arn.clone(),
        kms_key_arn: key_arn,
        kms_operation: call.op.clone(),
        kms_request_id: crate::keystore::request_id(call.env.rng),
        kms_via_service: call
            .env
            .step_context
            .get("kms:ViaService")
            .and_then(|v| v.values().first().map(|s| s.to_string())),
        ..Default::default()
    }
}

/// Sends one request to store `i`'s proxy on behalf of this call: request metadata for
/// `key_arn`, what KMS has on record (`config`, or the store's own), the exchange kept for the
/// inspector, and a proxy failure mapped to its KMS exception. `missing` is the exception when
/// the store has no proxy.
fn with_proxy<T>(
    call: &mut Call<'_, '_, '_>,
    i: usize,
    key_arn: Option<String>,
    config: Option<&crate::keystore::xks::XksProxyConfiguration>,
    missing: ErrorCode,
    send: impl FnOnce(
        &mut crate::keystore::xks::XksProxy,
        &crate::keystore::xks::XksCall<'_>,
        &mut rand_chacha::ChaCha20Rng,
    ) -> crate::keystore::xks::Outcome<T>,
) -> Result<T, Failure> {
    let md = request_metadata(call, key_arn);
    let (region, now) = (call.env.region, call.env.now);
    let Some(crate::keystore::xks::XksStore { kms, proxy }) = call
        .world
        .key_stores
        .get_mut(i)
        .and_then(|s| s.external.as_mut())
    else {
        return Err(fail(missing, "not an external key store"));
    };
    let xcall = crate::keystore::xks::XksCall {
        config: config.unwrap_or(kms),
        region,
        now,
        metadata: &md,
    };
    let out = send(proxy, &xcall, call.env.rng);
    call.exchanges.push(out.exchange);
    out.result.map_err(xks_error)
}

/// CreateKey in an external key store: the external key must exist in the proxy, be enabled,
/// be AES_256 with ENCRYPT and DECRYPT, and not back another KMS key of the store.
pub(super) fn check_external_key(
    call: &mut Call<'_, '_, '_>,
    store_id: &str,
    xks_key_id: &str,
) -> Result<(), Failure> {
    let in_use = call.world.keys.values().any(|k| {
        k.key_store.as_deref() == Some(store_id) && k.xks_key_id.as_deref() == Some(xks_key_id)
    });
    if in_use {
        return Err(fail(
            ErrorCode::XksKeyAlreadyInUseException,
            format!("The external key {xks_key_id} is already associated with a KMS key in custom key store {store_id}."),
        ));
    }
    let i = find(call, store_id)?;
    let metadata = with_proxy(
        call,
        i,
        None,
        None,
        ErrorCode::CustomKeyStoreInvalidStateException,
        |proxy, xcall, rng| crate::keystore::xks::get_key_metadata(proxy, xcall, xks_key_id, rng),
    )?;
    crate::keystore::xks::validate_for_create_key(&metadata).map_err(xks_error)
}

/// Finds a key's external key store and its proxy for a cryptographic call.
fn proxy_of(call: &Call<'_, '_, '_>, store_id: &str) -> Result<usize, Failure> {
    call.world
        .key_stores
        .iter()
        .position(|s| s.id == store_id && s.external.is_some())
        .ok_or_else(|| {
            fail(
                ErrorCode::KMSInvalidStateException,
                format!("External key store {store_id} does not exist."),
            )
        })
}

/// The external layer of Encrypt: the proxy encrypts the KMS layer's blob under the external
/// key, with the blob's header (which names the KMS key) as AAD.
pub(super) fn external_encrypt(
    call: &mut Call<'_, '_, '_>,
    key_id: &str,
    store_id: &str,
    xks_key_id: &str,
    inner: &[u8],
) -> Result<Vec<u8>, Failure> {
    let invalid = |e: crate::crypto::BlobError| KmsError::validation(e.to_string());
    let aad = crate::crypto::ExternalBlob::header(key_id).map_err(invalid)?;
    let key_arn = call.key_arn(key_id);
    let i = proxy_of(call, store_id)?;
    let ct = with_proxy(
        call,
        i,
        Some(key_arn),
        None,
        ErrorCode::KMSInvalidStateException,
        |proxy, xcall, rng| {
            crate::keystore::xks::encrypt(proxy, xcall, xks_key_id, inner, &aad, rng)
        },
    )?;
    crate::crypto::ExternalBlob {
        key_id: key_id.to_string(),
        iv: ct.initialization_vector,
        tag: ct.authentication_tag,
        metadata: ct.ciphertext_metadata.unwrap_or_default(),
        ciphertext: ct.ciphertext,
    }
    .to_bytes()
    .map_err(|e| invalid(e).into())
}

/// The external layer of Decrypt: the proxy returns the KMS layer's blob.
pub(super) fn external_decrypt(
    call: &mut Call<'_, '_, '_>,
    blob: &crate::crypto::ExternalBlob,
) -> Result<Vec<u8>, Failure> {
    let key = call
        .world
        .keys
        .get(&blob.key_id)
        .ok_or_else(|| KmsError::key_not_found(&blob.key_id))?;
    let (Some(store_id), Some(xks_key_id)) = (key.key_store.clone(), key.xks_key_id.clone()) else {
        return Err(KmsError::new(ErrorCode::InvalidCiphertextException, "").into());
    };
    let aad = crate::crypto::ExternalBlob::header(&blob.key_id)
        .map_err(|e| KmsError::validation(e.to_string()))?;
    let key_arn = call.key_arn(&blob.key_id);
    let i = proxy_of(call, &store_id)?;
    let sealed = crate::keystore::xks::XksCiphertext {
        ciphertext: blob.ciphertext.clone(),
        initialization_vector: blob.iv.clone(),
        authentication_tag: blob.tag.clone(),
        ciphertext_metadata: (!blob.metadata.is_empty()).then(|| blob.metadata.clone()),
    };
    let secret = with_proxy(
        call,
        i,
        Some(key_arn),
        None,
        ErrorCode::KMSInvalidStateException,
        |proxy, xcall, rng| {
            crate::keystore::xks::decrypt(proxy, xcall, &xks_key_id, &sealed, &aad, rng)
        },
    )?;
    Ok(secret.expose().to_vec())
}

/// UpdateCustomKeyStore's external key store parameters, checked for form (before
/// authorization, as AWS validates input first).
#[derive(Default)]
struct XksParams {
    endpoint: Option<String>,
    path: Option<String>,
    connectivity: Option<crate::keystore::xks::config::Connectivity>,
    vpc_name: Option<String>,
    credential: Option<crate::keystore::sigv4::Credential>,
}

impl XksParams {
    /// Whether any external key store setting is to change.
    fn any(&self) -> bool {
        self.endpoint.is_some()
            || self.path.is_some()
            || self.connectivity.is_some()
            || self.vpc_name.is_some()
            || self.credential.is_some()
    }
}

fn xks_params(call: &Call<'_, '_, '_>) -> Result<XksParams, Failure> {
    use crate::keystore::xks::config::{check_endpoint, check_uri_path, Connectivity};
    let endpoint = call.str_opt("XksProxyUriEndpoint")?.map(str::to_string);
    if let Some(e) = &endpoint {
        check_endpoint(e).map_err(KmsError::validation)?;
    }
    let path = call.str_opt("XksProxyUriPath")?.map(str::to_string);
    if let Some(p) = &path {
        check_uri_path(p).map_err(KmsError::validation)?;
    }
    let connectivity = match call.str_opt("XksProxyConnectivity")? {
        None => None,
        Some("PUBLIC_ENDPOINT") => Some(Connectivity::PublicEndpoint),
        Some("VPC_ENDPOINT_SERVICE") => Some(Connectivity::VpcEndpointService),
        Some(other) => {
            return Err(KmsError::validation(format!(
            "XksProxyConnectivity must be PUBLIC_ENDPOINT or VPC_ENDPOINT_SERVICE, found {other}"
        ))
            .into())
        }
    };
    let vpc_name = call
        .str_opt("XksProxyVpcEndpointServiceName")?
        .map(str::to_string);
    let credential = match call.input.get("XksProxyAuthenticationCredential") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => {
            let id = o.get("AccessKeyId").and_then(Value::as_str).unwrap_or_default();
            let secret = o.get("RawSecretAccessKey").and_then(Value::as_str).unwrap_or_default();
            let id_ok = (20..=30).contains(&id.len())
                && id.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
            let secret_ok = (43..=64).contains(&secret.len())
                && secret.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
            if !id_ok || !secret_ok {
                return Err(KmsError::validation("1 validation error detected: XksProxyAuthenticationCredential needs an AccessKeyId of 20 to 30 characters of A-Z and 2-7 and a RawSecretAccessKey of 43 to 64 base64 characters").into());
            }
            Some(crate::keystore::sigv4::Credential::new(id, secret))
        }
        Some(_) => {
            return Err(KmsError::validation(
                "XksProxyAuthenticationCredential must be {\"AccessKeyId\": ..., \"RawSecretAccessKey\": ...}",
            )
            .into())
        }
    };
    Ok(XksParams {
        endpoint,
        path,
        connectivity,
        vpc_name,
        credential,
    })
}

/// The external key store part of UpdateCustomKeyStore: the new proxy settings, tested against
/// the proxy as KMS does for a public endpoint (a wrong credential or path fails the update and
/// changes nothing). The name, path and credential may change at any time (that is how the
/// credential is rotated); the endpoint, VPC endpoint service and connectivity only while the
/// store is disconnected.
fn xks_update(
    call: &mut Call<'_, '_, '_>,
    i: usize,
    state: Option<ConnectionState>,
    params: XksParams,
) -> Result<Option<crate::keystore::xks::XksProxyConfiguration>, Failure> {
    let XksParams {
        endpoint,
        path,
        connectivity,
        vpc_name,
        credential,
    } = params;
    let needs_disconnect = endpoint.is_some() || connectivity.is_some() || vpc_name.is_some();
    if !needs_disconnect && path.is_none() && credential.is_none() {
        return Ok(None);
    }
    let Some(mut config) = call
        .world
        .key_stores
        .get(i)
        .and_then(|s| s.external.as_ref())
        .map(|x| x.kms.clone())
    else {
        return Err(KmsError::validation(
            "the XksProxy parameters apply only to an external key store",
        )
        .into());
    };
    if needs_disconnect && state != Some(ConnectionState::Disconnected) {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            "The external key store must be DISCONNECTED to change its proxy endpoint, VPC endpoint service or connectivity; its name, path and credential can change at any time.",
        ));
    }
    if let Some(e) = endpoint {
        config.uri_endpoint = e;
    }
    if let Some(p) = path {
        config.uri_path = p;
    }
    if let Some(c) = connectivity {
        config.connectivity = c;
    }
    if vpc_name.is_some() {
        config.vpc_endpoint_service_name = vpc_name;
    }
    if let Some(c) = credential {
        config.credential = c;
    }
    // KMS tests a public endpoint's new settings at once (xks-troubleshooting: "when you create
    // and update the external key store").
    if config.connectivity == crate::keystore::xks::config::Connectivity::PublicEndpoint {
        with_proxy(
            call,
            i,
            None,
            Some(&config),
            ErrorCode::CustomKeyStoreInvalidStateException,
            crate::keystore::xks::get_health_status,
        )?;
    }
    Ok(Some(config))
}

/// GenerateRandom with `CustomKeyStoreId`: a connected CloudHSM key store.
pub(super) fn check_random_source(
    call: &mut Call<'_, '_, '_>,
    store_id: &str,
) -> Result<(), Failure> {
    let i = find(call, store_id)?;
    let Some(s) = call.world.key_stores.get(i) else {
        return Err(fail(ErrorCode::CustomKeyStoreNotFoundException, store_id));
    };
    if s.kind == KeyStoreType::ExternalKeyStore {
        return Err(fail(
            ErrorCode::UnsupportedOperationException,
            "GenerateRandom is not supported for an external key store.",
        ));
    }
    if s.state != ConnectionState::Connected {
        return Err(fail(
            ErrorCode::CustomKeyStoreInvalidStateException,
            format!(
                "Custom key store {store_id} is not connected (its connection state is {}).",
                s.state.as_str()
            ),
        ));
    }
    Ok(())
}
