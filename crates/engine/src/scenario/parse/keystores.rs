//! The `keyStores` section (custom key stores and, for CloudHSM stores, their clusters) and the
//! `cloudHsmClusters` extension (clusters a CreateCustomKeyStore step can use).

use super::{acct_or_default, field, opt_string, Ctx};
use crate::json::{self, Json, JsonValue};
use crate::keystore::cloudhsm::{CloudHsmSettings, Cluster, KmsUser};
use crate::keystore::{ConnectionState, KeyStore, KeyStoreType};
use crate::scenario::read::{error_at, Node};
use crate::scenario::ScenarioError;

fn opt_bool(ms: &[json::Member], n: Node<'_>, k: &str) -> Result<Option<bool>, ScenarioError> {
    match field(ms, k) {
        None => Ok(None),
        Some(m) => match m.value.value {
            JsonValue::Bool(b) => Ok(Some(b)),
            _ => Err(error_at(
                &n.path.key(k),
                m.value.pos,
                format!("`{k}` must be true or false"),
            )),
        },
    }
}

fn opt_u32(ms: &[json::Member], n: Node<'_>, k: &str) -> Result<Option<u32>, ScenarioError> {
    match field(ms, k) {
        None => Ok(None),
        Some(m) => {
            let v = Node {
                json: &m.value,
                path: &n.path.key(k),
            }
            .u64(&format!("`{k}`"))?;
            u32::try_from(v)
                .map(Some)
                .map_err(|_| error_at(&n.path.key(k), m.value.pos, format!("`{k}` is too large")))
        }
    }
}

/// One cluster object.
pub(super) fn parse_cluster(n: Node<'_>) -> Result<Cluster, ScenarioError> {
    let fs = n.object(
        "a CloudHSM cluster",
        &[
            "id",
            "active",
            "activeHsms",
            "kmsuser",
            "subnetsFound",
            "freeAddresses",
            "networkReachable",
            "internalError",
            "lineage",
            "trustAnchor",
            "deleted",
        ],
    )?;
    let id =
        opt_string(fs, n, "id")?.ok_or_else(|| n.err("a cluster needs `id` (`cluster-...`)"))?;
    if !id.starts_with("cluster-") {
        return Err(n.err(format!(
            "cluster id `{id}` must look like `cluster-1a23b4cdefg`"
        )));
    }
    let kmsuser = match field(fs, "kmsuser") {
        None => None,
        Some(m) if matches!(m.value.value, JsonValue::Null) => None,
        Some(m) => {
            let p = n.path.key("kmsuser");
            let un = Node {
                json: &m.value,
                path: &p,
            };
            let us = un.object("`kmsuser`", &["password", "loggedIn", "lockedOut"])?;
            Some(KmsUser {
                password: opt_string(us, un, "password")?
                    .ok_or_else(|| un.err("`kmsuser` needs `password`"))?,
                logged_in_elsewhere: opt_bool(us, un, "loggedIn")?.unwrap_or(false),
                locked_out: opt_bool(us, un, "lockedOut")?.unwrap_or(false),
                failed_logins: 0,
            })
        }
    };
    Ok(Cluster {
        active: opt_bool(fs, n, "active")?.unwrap_or(true),
        active_hsms: opt_u32(fs, n, "activeHsms")?.unwrap_or(2),
        kmsuser,
        subnets_found: opt_bool(fs, n, "subnetsFound")?.unwrap_or(true),
        free_addresses: opt_bool(fs, n, "freeAddresses")?.unwrap_or(true),
        network_reachable: opt_bool(fs, n, "networkReachable")?.unwrap_or(true),
        internal_error: opt_bool(fs, n, "internalError")?.unwrap_or(false),
        lineage: opt_string(fs, n, "lineage")?.unwrap_or_else(|| id.clone()),
        trust_anchor: opt_string(fs, n, "trustAnchor")?
            .unwrap_or_else(|| format!("trust-anchor-of-{id}")),
        kms_logged_in: false,
        deleted: opt_bool(fs, n, "deleted")?.unwrap_or(false),
        id,
    })
}

/// The key stores, and every cluster (those inside stores and those listed on their own).
pub(super) fn parse_key_stores(
    stores: &[Json],
    clusters: &[Json],
    base: &json::JsonPath,
    clusters_base: &json::JsonPath,
    ctx: &Ctx<'_>,
    seed: u64,
) -> Result<(Vec<KeyStore>, Vec<Cluster>), ScenarioError> {
    // External keys' material comes from its own stream of the scenario's seed, so adding a
    // store does not change the ciphertexts of the rest of the scenario.
    let mut rng = crate::crypto::seeded_rng(seed ^ 0x584b_535f_4b45_5953);
    let mut out_clusters: Vec<Cluster> = Vec::new();
    for (i, j) in clusters.iter().enumerate() {
        let p = clusters_base.index(i);
        let c = parse_cluster(Node { json: j, path: &p })?;
        if out_clusters.iter().any(|x| x.id == c.id) {
            return Err(error_at(&p, j.pos, format!("duplicate cluster `{}`", c.id)));
        }
        out_clusters.push(c);
    }
    let mut out = Vec::new();
    for (i, j) in stores.iter().enumerate() {
        let p = base.index(i);
        let n = Node { json: j, path: &p };
        let fs = n.object(
            "a custom key store",
            &[
                "id",
                "name",
                "type",
                "account",
                "connectionState",
                "connectionErrorCode",
                "cluster",
                "clusterId",
                "trustAnchor",
                "keyStorePassword",
                "proxy",
            ],
        )?;
        let id =
            opt_string(fs, n, "id")?.ok_or_else(|| n.err("a key store needs `id` (`cks-...`)"))?;
        if !id.starts_with("cks-") {
            return Err(n.err(format!(
                "key store id `{id}` must look like `cks-1234567890abcdef0`"
            )));
        }
        if out.iter().any(|s: &KeyStore| s.id == id) {
            return Err(n.err(format!("duplicate key store `{id}`")));
        }
        let kind_s = opt_string(fs, n, "type")?.unwrap_or_else(|| "AWS_CLOUDHSM".into());
        let kind = KeyStoreType::parse(&kind_s).ok_or_else(|| {
            n.err(format!(
                "key store type `{kind_s}` must be `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`"
            ))
        })?;
        let state_s =
            opt_string(fs, n, "connectionState")?.unwrap_or_else(|| "DISCONNECTED".into());
        let state = ConnectionState::parse(&state_s).ok_or_else(|| {
            n.err(format!("connection state `{state_s}` must be one of CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING, FAILED"))
        })?;
        let cloudhsm = match kind {
            KeyStoreType::AwsCloudHsm => {
                let cluster_id = match (field(fs, "cluster"), opt_string(fs, n, "clusterId")?) {
                    (Some(m), None) => {
                        let cp = p.key("cluster");
                        let c = parse_cluster(Node {
                            json: &m.value,
                            path: &cp,
                        })?;
                        let cid = c.id.clone();
                        if out_clusters.iter().any(|x| x.id == cid) {
                            return Err(error_at(&cp, m.value.pos, format!("cluster `{cid}` is defined twice")));
                        }
                        out_clusters.push(c);
                        cid
                    }
                    (None, Some(cid)) => {
                        if !out_clusters.iter().any(|x| x.id == cid) {
                            return Err(n.err(format!("`clusterId` `{cid}` is not in `cloudHsmClusters`")));
                        }
                        cid
                    }
                    _ => return Err(n.err("a CloudHSM key store needs `cluster` (the cluster itself) or `clusterId` (one of `cloudHsmClusters`)")),
                };
                let cluster = out_clusters.iter().find(|c| c.id == cluster_id);
                let password = match opt_string(fs, n, "keyStorePassword")? {
                    Some(pw) => pw,
                    None => cluster
                        .and_then(|c| c.kmsuser.as_ref())
                        .map(|u| u.password.clone())
                        .unwrap_or_default(),
                };
                let trust_anchor = opt_string(fs, n, "trustAnchor")?
                    .or_else(|| cluster.map(|c| c.trust_anchor.clone()))
                    .unwrap_or_default();
                if state == ConnectionState::Connected {
                    if let Some(c) = out_clusters.iter_mut().find(|c| c.id == cluster_id) {
                        c.kms_logged_in = true;
                    }
                }
                Some(CloudHsmSettings {
                    cluster_id,
                    trust_anchor,
                    password,
                })
            }
            KeyStoreType::ExternalKeyStore => None,
        };
        let external =
            match (kind, field(fs, "proxy")) {
                (KeyStoreType::ExternalKeyStore, Some(m)) => Some(
                    crate::keystore::xks::parse_proxy(&m.value, &p.key("proxy"), &mut rng)?,
                ),
                (KeyStoreType::ExternalKeyStore, None) => {
                    return Err(
                        n.err("an external key store needs `proxy` (its XKS proxy settings)")
                    )
                }
                (KeyStoreType::AwsCloudHsm, Some(_)) => return Err(n.err(
                    "`proxy` belongs to an EXTERNAL_KEY_STORE; a CloudHSM key store has `cluster`",
                )),
                (KeyStoreType::AwsCloudHsm, None) => None,
            };
        let error_code = match opt_string(fs, n, "connectionErrorCode")? {
            None => None,
            Some(c) => Some(
                known_error_code(&c)
                    .ok_or_else(|| n.err(format!("`{c}` is not a ConnectionErrorCode")))?,
            ),
        };
        out.push(KeyStore {
            name: opt_string(fs, n, "name")?.unwrap_or_else(|| id.clone()),
            account: acct_or_default(fs, n, ctx)?,
            kind,
            state,
            error_code,
            // A store written as CONNECTING or DISCONNECTING is mid-way at the first step and
            // finishes after the usual time.
            transition_at: match state {
                ConnectionState::Connecting => {
                    Some(ctx.defaults.time.plus(crate::keystore::CONNECT_TIME))
                }
                ConnectionState::Disconnecting => {
                    Some(ctx.defaults.time.plus(crate::keystore::DISCONNECT_TIME))
                }
                _ => None,
            },
            created: ctx.defaults.time,
            cloudhsm,
            external,
            last_check: None,
            id,
        });
    }
    Ok((out, out_clusters))
}

/// The ConnectionErrorCode values AWS documents.
const CONNECTION_ERROR_CODES: &[&str] = &[
    "INVALID_CREDENTIALS",
    "CLUSTER_NOT_FOUND",
    "NETWORK_ERRORS",
    "INTERNAL_ERROR",
    "INSUFFICIENT_CLOUDHSM_HSMS",
    "USER_LOCKED_OUT",
    "USER_NOT_FOUND",
    "USER_LOGGED_IN",
    "SUBNET_NOT_FOUND",
    "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
    "XKS_PROXY_ACCESS_DENIED",
    "XKS_PROXY_NOT_REACHABLE",
    "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
    "XKS_PROXY_INVALID_RESPONSE",
    "XKS_PROXY_INVALID_CONFIGURATION",
    "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
    "XKS_PROXY_TIMED_OUT",
    "XKS_PROXY_INVALID_TLS_CONFIGURATION",
];

fn known_error_code(c: &str) -> Option<&'static str> {
    CONNECTION_ERROR_CODES.iter().copied().find(|k| *k == c)
}
