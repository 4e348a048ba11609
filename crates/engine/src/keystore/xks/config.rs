//! An external key store's settings, read from the scenario's `keyStores[].proxy` object.
//!
//! One object describes both sides of the wire:
//!
//! - what KMS has on record for the store ([`XksProxyConfiguration`], the API's
//!   `XksProxyConfiguration`): `connectivity`, `uriEndpoint`, `uriPath`, the VPC endpoint
//!   service name, and the SigV4 `credential` KMS signs with;
//! - the customer's side ([`XksProxy`]): the credentials the proxy accepts
//!   (`acceptedCredentials`, default: KMS's `credential`; two of them during a rotation), the
//!   path it serves (`servedUriPath`, default `uriPath`), its `externalKeys`, `authorization`
//!   rules, `latencyMs`, `clockSkewMs`, injected `faults`, whether it is `reachable`, its TLS
//!   `serverCertificate`, optional `mtls`, its `ekmFleet` (what GetHealthStatus reports) and, for
//!   `VPC_ENDPOINT_SERVICE` connectivity, the `vpcEndpointService`.
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `connectivity` | `PUBLIC_ENDPOINT` | or `VPC_ENDPOINT_SERVICE` (then `vpcEndpointService` is required) |
//! | `uriEndpoint` | required | `https://` and a host name |
//! | `uriPath` | required | `[/prefix]/kms/xks/v1`, at most 128 of `A-Z a-z 0-9 / - _` |
//! | `credential` | required | `{accessKeyId, secret}`: 20-30 of `A-Z 2-7`; 43-64 of `A-Z a-z 0-9 + / =` |
//! | `acceptedCredentials` | `[credential]` | the `{accessKeyId, secret}` list the proxy verifies against |
//! | `servedUriPath` | `uriPath` | the base path the proxy answers on |
//! | `externalKeys` | `[]` | `{id, status: ENABLED\|DISABLED, usage: [ENCRYPT, DECRYPT, ...], keySpec: AES_256, material: base64 of 32 bytes (default: from the generator), ciphertextMetadata: text of at most 20 bytes}` |
//! | `authorization` | none | `{"Statement": [...]}`, see [`super::authz`] |
//! | `latencyMs` | 20 | time to answer; over 250 KMS times out |
//! | `clockSkewMs` | 0 | the proxy's clock minus KMS's (SigV4 allows five minutes) |
//! | `faults` | `[]` | `{on: GetKeyMetadata\|Encrypt\|Decrypt\|GetHealthStatus\|*, error: NAME or latencyMs: N, from, until: ISO 8601, times: N}`; `NAME` is an XKS error name or `Unreachable`, `TlsHandshakeFailure`, `MalformedResponse`, `CorruptResponse` |
//! | `reachable` | true | whether a TCP connection can be made |
//! | `serverCertificate` | valid for the host | `{commonName, notAfter, trustedCa}` |
//! | `mtls` | none | `{clientCertificateCn}`: the client certificate the proxy requires |
//! | `ekmFleet` | one `ACTIVE` | 1-10 `{id, model, healthStatus: ACTIVE\|DEGRADED\|UNAVAILABLE}` |
//! | `vpcEndpointService` | none | `{name, exists: true, allowedPrincipals (default: correct for KMS), acceptanceRequired: false, privateDnsName (default: the host), privateDnsVerified: true, availabilityZones: 2, loadBalancer: NETWORK\|GATEWAY}` |
//!
//! A value KMS itself would refuse (CreateCustomKeyStore's constraints on the endpoint, path and
//! credential) is a scenario error; a proxy that disagrees with KMS (another path, another
//! credential, a clock five minutes off) is a lab, and fails the way AWS does at run time.

use super::authz::AuthorizationPolicy;
use super::read::{error_at, pos_of, Obj};
use super::{unb64, ProxyErrorName, XksOperation, MAX_CIPHERTEXT_METADATA};
use crate::crypto::KeyMaterial;
use crate::json::{Json, JsonPath};
use crate::keystore::sigv4::Credential;
use crate::scenario::ScenarioError;
use crate::time::Instant;
use rand_core::Rng;

/// How KMS reaches the proxy (`XksProxyConnectivity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Connectivity {
    /// A publicly routable HTTPS endpoint.
    PublicEndpoint,
    /// An Amazon VPC endpoint service in the customer's account.
    VpcEndpointService,
}

impl Connectivity {
    /// AWS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Connectivity::PublicEndpoint => "PUBLIC_ENDPOINT",
            Connectivity::VpcEndpointService => "VPC_ENDPOINT_SERVICE",
        }
    }
}

/// What KMS has on record for an external key store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XksProxyConfiguration {
    /// Connectivity.
    pub connectivity: Connectivity,
    /// `https://host` (`XksProxyUriEndpoint`).
    pub uri_endpoint: String,
    /// `[/prefix]/kms/xks/v1` (`XksProxyUriPath`).
    pub uri_path: String,
    /// `XksProxyVpcEndpointServiceName` (VPC connectivity only).
    pub vpc_endpoint_service_name: Option<String>,
    /// `XksProxyAuthenticationCredential`: what KMS signs with.
    pub credential: Credential,
}

impl XksProxyConfiguration {
    /// The host of the endpoint, lowercase (the `Host` header).
    pub fn host(&self) -> String {
        self.uri_endpoint
            .strip_prefix("https://")
            .unwrap_or(&self.uri_endpoint)
            .to_ascii_lowercase()
    }

    /// The URL of an operation.
    pub fn url(&self, op: XksOperation, external_key_id: &str) -> String {
        format!("{}{}", self.uri_endpoint, self.path(op, external_key_id))
    }

    /// The request path of an operation.
    pub fn path(&self, op: XksOperation, external_key_id: &str) -> String {
        format!("{}{}", self.uri_path, op.path(external_key_id))
    }

    /// `XksProxyConfiguration` as DescribeCustomKeyStores shows it (no secret).
    pub fn describe(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "AccessKeyId": self.credential.access_key_id,
            "Connectivity": self.connectivity.as_str(),
            "UriEndpoint": self.uri_endpoint,
            "UriPath": self.uri_path,
        });
        if let (Some(name), Some(m)) = (&self.vpc_endpoint_service_name, v.as_object_mut()) {
            m.insert("VpcEndpointServiceName".into(), name.clone().into());
        }
        v
    }
}

/// An external key's status in the key manager (GetKeyMetadata `keyStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExternalKeyStatus {
    /// Usable.
    Enabled,
    /// Not usable until enabled in the key manager.
    Disabled,
}

impl ExternalKeyStatus {
    /// The spec's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExternalKeyStatus::Enabled => "ENABLED",
            ExternalKeyStatus::Disabled => "DISABLED",
        }
    }
}

/// Key usage values a key manager may report (spec GetKeyMetadata `keyUsage`: `ENCRYPT`,
/// `DECRYPT`, and for PKCS#11 managers `DERIVE`, `SIGN`, `VERIFY`, `WRAP`, `UNWRAP`).
pub const KEY_USAGES: [&str; 7] = [
    "ENCRYPT", "DECRYPT", "DERIVE", "SIGN", "VERIFY", "WRAP", "UNWRAP",
];

/// A key in the external key manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalKey {
    /// Its id (spec: up to 128 of `A-Za-z0-9-._`).
    pub id: String,
    /// ENABLED or DISABLED.
    pub status: ExternalKeyStatus,
    /// What it may be used for.
    pub usage: Vec<String>,
    /// `AES_256` (what KMS needs) or anything else a key manager might hold.
    pub key_spec: String,
    /// The 256-bit key material (never leaves the proxy).
    pub material: KeyMaterial,
    /// Vendor bytes the proxy returns with each ciphertext and binds into the AAD.
    pub ciphertext_metadata: Option<Vec<u8>>,
}

/// What an injected fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FaultKind {
    /// The proxy answers with this error.
    Error(ProxyErrorName),
    /// No TCP connection can be made.
    Unreachable,
    /// The TLS handshake fails.
    TlsHandshakeFailure,
    /// The proxy answers 200 with a body that is not the API's JSON.
    MalformedResponse,
    /// A bit of the returned ciphertext (Encrypt, after the CDIV is computed) or plaintext
    /// (Decrypt) flips on the way back.
    CorruptResponse,
    /// Only adds latency.
    Latency,
}

impl FaultKind {
    /// The name a scenario uses.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Error(e) => e.as_str(),
            FaultKind::Unreachable => "Unreachable",
            FaultKind::TlsHandshakeFailure => "TlsHandshakeFailure",
            FaultKind::MalformedResponse => "MalformedResponse",
            FaultKind::CorruptResponse => "CorruptResponse",
            FaultKind::Latency => "Latency",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        if let Some(e) = ProxyErrorName::parse(s) {
            return Some(FaultKind::Error(e));
        }
        [
            FaultKind::Unreachable,
            FaultKind::TlsHandshakeFailure,
            FaultKind::MalformedResponse,
            FaultKind::CorruptResponse,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// An injected fault: on an operation (or all), in a time window, a number of times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The operation (`None`: every operation).
    pub on: Option<XksOperation>,
    /// What happens.
    pub kind: FaultKind,
    /// Extra latency, for [`FaultKind::Latency`].
    pub latency_ms: i64,
    /// Active from (inclusive).
    pub from: Option<Instant>,
    /// Active until (exclusive).
    pub until: Option<Instant>,
    /// How many more times it fires (`None`: always).
    pub remaining: Option<u32>,
}

impl Fault {
    /// Whether it applies to `op` at `now`.
    pub fn active(&self, op: XksOperation, now: Instant) -> bool {
        self.on.is_none_or(|o| o == op)
            && self.from.is_none_or(|f| now >= f)
            && self.until.is_none_or(|u| now < u)
            && self.remaining != Some(0)
    }
}

/// The health of one external key manager instance (GetHealthStatus `healthStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EkmInstance {
    /// Its id.
    pub id: String,
    /// Its model.
    pub model: String,
    /// `ACTIVE`, `DEGRADED` or `UNAVAILABLE`.
    pub health_status: String,
}

/// The proxy's TLS server certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCertificate {
    /// Subject CN (`xks.example.com` or `*.example.com`).
    pub common_name: String,
    /// Expiry (`None`: not expired in any scenario).
    pub not_after: Option<Instant>,
    /// Issued by a CA KMS trusts.
    pub trusted_ca: bool,
}

/// The customer's VPC endpoint service in front of the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcEndpointService {
    /// `com.amazonaws.vpce.<region>.vpce-svc-...`.
    pub name: String,
    /// Whether it exists.
    pub exists: bool,
    /// Allowed principals (`None`: correctly configured for KMS in any region).
    pub allowed_principals: Option<Vec<String>>,
    /// Whether connections need manual acceptance.
    pub acceptance_required: bool,
    /// The private DNS name (`None`: the endpoint's host).
    pub private_dns_name: Option<String>,
    /// Whether the private DNS name's domain is verified.
    pub private_dns_verified: bool,
    /// Availability Zones of the NLB's subnets.
    pub availability_zones: u32,
    /// `NETWORK` or `GATEWAY` load balancer.
    pub load_balancer: String,
}

/// The simulated external key store proxy and what stands around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XksProxy {
    /// The host it answers on (the endpoint's host as first configured).
    pub host: String,
    /// The base path it serves (`.../kms/xks/v1`).
    pub served_uri_path: String,
    /// The SigV4 credentials it accepts.
    pub accepted_credentials: Vec<Credential>,
    /// The keys in the external key manager.
    pub external_keys: Vec<ExternalKey>,
    /// Secondary authorization rules (`None`: every request metadata is authorized).
    pub authorization: Option<AuthorizationPolicy>,
    /// Time to answer a request.
    pub latency_ms: i64,
    /// The proxy's clock minus KMS's.
    pub clock_skew_ms: i64,
    /// Injected faults.
    pub faults: Vec<Fault>,
    /// Whether KMS can open a TCP connection at all.
    pub reachable: bool,
    /// mTLS: the client certificate CN the proxy requires.
    pub mtls_client_cn: Option<String>,
    /// Its TLS certificate.
    pub server_certificate: ServerCertificate,
    /// The VPC endpoint service (VPC connectivity).
    pub vpc_endpoint_service: Option<VpcEndpointService>,
    /// The key managers behind it.
    pub ekm_fleet: Vec<EkmInstance>,
}

impl XksProxy {
    /// The external key `id`.
    pub fn key(&self, id: &str) -> Option<&ExternalKey> {
        self.external_keys.iter().find(|k| k.id == id)
    }

    /// The first active fault for `op` that `pick` selects, consumed (its count goes down).
    pub fn take_fault(
        &mut self,
        op: XksOperation,
        now: Instant,
        pick: impl Fn(FaultKind) -> bool,
    ) -> Option<FaultKind> {
        let f = self
            .faults
            .iter_mut()
            .find(|f| f.active(op, now) && pick(f.kind))?;
        if let Some(n) = f.remaining.as_mut() {
            *n = n.saturating_sub(1);
        }
        Some(f.kind)
    }

    /// The latency of a request for `op` at `now`: the base plus every active latency fault
    /// (each consumed).
    pub fn take_latency(&mut self, op: XksOperation, now: Instant) -> i64 {
        let mut total = self.latency_ms;
        for f in self.faults.iter_mut() {
            if f.kind == FaultKind::Latency && f.active(op, now) {
                total = total.saturating_add(f.latency_ms);
                if let Some(n) = f.remaining.as_mut() {
                    *n = n.saturating_sub(1);
                }
            }
        }
        total
    }
}

/// Both sides of an external key store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XksStore {
    /// What KMS has on record.
    pub kms: XksProxyConfiguration,
    /// The proxy simulation.
    pub proxy: XksProxy,
}

/// Latency of a proxy that the scenario does not slow down.
pub const DEFAULT_LATENCY_MS: i64 = 20;

/// The proxy object's fields.
const PROXY_FIELDS: &[&str] = &[
    "connectivity",
    "uriEndpoint",
    "uriPath",
    "servedUriPath",
    "vpcEndpointService",
    "credential",
    "acceptedCredentials",
    "externalKeys",
    "authorization",
    "latencyMs",
    "clockSkewMs",
    "faults",
    "reachable",
    "mtls",
    "serverCertificate",
    "ekmFleet",
];

/// Reads a `keyStores[].proxy` object. Key material not given as `material` comes from `rng`,
/// drawn in the order the keys are listed.
pub fn parse_proxy<R: Rng + ?Sized>(
    json: &Json,
    path: &JsonPath,
    rng: &mut R,
) -> Result<XksStore, ScenarioError> {
    let o = Obj::new(json, path, "an external key store proxy", PROXY_FIELDS)?;
    let connectivity = match o.string("connectivity")?.as_deref() {
        None | Some("PUBLIC_ENDPOINT") => Connectivity::PublicEndpoint,
        Some("VPC_ENDPOINT_SERVICE") => Connectivity::VpcEndpointService,
        Some(other) => {
            let (p, pos) = pos_of(&o, "connectivity");
            return Err(error_at(
                &p,
                pos,
                format!("`connectivity` must be `PUBLIC_ENDPOINT` or `VPC_ENDPOINT_SERVICE`, found `{other}`"),
            ));
        }
    };
    let uri_endpoint = o.required("uriEndpoint", "an external key store proxy")?;
    let host = check_endpoint(&uri_endpoint).map_err(|m| {
        let (p, pos) = pos_of(&o, "uriEndpoint");
        error_at(&p, pos, m)
    })?;
    let uri_path = o.required("uriPath", "an external key store proxy")?;
    check_uri_path(&uri_path).map_err(|m| {
        let (p, pos) = pos_of(&o, "uriPath");
        error_at(&p, pos, m)
    })?;
    let served_uri_path = o
        .string("servedUriPath")?
        .unwrap_or_else(|| uri_path.clone());
    let credential = match o.get("credential") {
        Some((j, p)) => parse_credential(j, &p, true)?,
        None => {
            return Err(o.err(
                "an external key store proxy needs `credential` (`accessKeyId` and `secret`)",
            ))
        }
    };
    let accepted_credentials = match o.array("acceptedCredentials")? {
        None => vec![credential.clone()],
        Some(items) => items
            .into_iter()
            .map(|(j, p)| parse_credential(j, &p, false))
            .collect::<Result<_, _>>()?,
    };
    let vpc = match o.get("vpcEndpointService") {
        Some((j, p)) => Some(parse_vpc(j, &p)?),
        None => None,
    };
    match (connectivity, &vpc) {
        (Connectivity::VpcEndpointService, None) => {
            return Err(o.err("`VPC_ENDPOINT_SERVICE` connectivity needs `vpcEndpointService`"))
        }
        (Connectivity::PublicEndpoint, Some(_)) => {
            let (p, pos) = pos_of(&o, "vpcEndpointService");
            return Err(error_at(
                &p,
                pos,
                "`vpcEndpointService` is only for `VPC_ENDPOINT_SERVICE` connectivity",
            ));
        }
        _ => {}
    }
    let mut external_keys: Vec<ExternalKey> = Vec::new();
    for (j, p) in o.array("externalKeys")?.unwrap_or_default() {
        let key = parse_external_key(j, &p, rng)?;
        if external_keys.iter().any(|k| k.id == key.id) {
            return Err(error_at(
                &p,
                j.pos,
                format!("external key `{}` is listed twice", key.id),
            ));
        }
        external_keys.push(key);
    }
    let authorization = match o.get("authorization") {
        Some((j, p)) => Some(AuthorizationPolicy::parse(j, &p)?),
        None => None,
    };
    let faults = o
        .array("faults")?
        .unwrap_or_default()
        .into_iter()
        .map(|(j, p)| parse_fault(j, &p))
        .collect::<Result<Vec<_>, _>>()?;
    let mtls_client_cn = match o.get("mtls") {
        Some((j, p)) => {
            let m = Obj::new(j, &p, "`mtls`", &["clientCertificateCn"])?;
            Some(m.required("clientCertificateCn", "`mtls`")?)
        }
        None => None,
    };
    let server_certificate = match o.get("serverCertificate") {
        Some((j, p)) => {
            let c = Obj::new(
                j,
                &p,
                "`serverCertificate`",
                &["commonName", "notAfter", "trustedCa"],
            )?;
            ServerCertificate {
                common_name: c.string("commonName")?.unwrap_or_else(|| host.clone()),
                not_after: c.instant("notAfter")?,
                trusted_ca: c.bool("trustedCa")?.unwrap_or(true),
            }
        }
        None => ServerCertificate {
            common_name: host.clone(),
            not_after: None,
            trusted_ca: true,
        },
    };
    let ekm_fleet = match o.array("ekmFleet")? {
        None => vec![EkmInstance {
            id: "ekm-1".into(),
            model: "kmslab simulated key manager".into(),
            health_status: "ACTIVE".into(),
        }],
        Some(items) => {
            if items.is_empty() || items.len() > 10 {
                let (p, pos) = pos_of(&o, "ekmFleet");
                return Err(error_at(
                    &p,
                    pos,
                    "`ekmFleet` must list 1 to 10 key managers (spec GetHealthStatus)",
                ));
            }
            items
                .into_iter()
                .map(|(j, p)| parse_ekm(j, &p))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(XksStore {
        kms: XksProxyConfiguration {
            connectivity,
            uri_endpoint,
            uri_path,
            vpc_endpoint_service_name: vpc.as_ref().map(|v| v.name.clone()),
            credential,
        },
        proxy: XksProxy {
            host,
            served_uri_path,
            accepted_credentials,
            external_keys,
            authorization,
            latency_ms: o
                .int("latencyMs", 0, 3_600_000)?
                .unwrap_or(DEFAULT_LATENCY_MS),
            clock_skew_ms: o
                .int("clockSkewMs", -31_536_000_000, 31_536_000_000)?
                .unwrap_or(0),
            faults,
            reachable: o.bool("reachable")?.unwrap_or(true),
            mtls_client_cn,
            server_certificate,
            vpc_endpoint_service: vpc,
            ekm_fleet,
        },
    })
}

/// `XksProxyUriEndpoint`: `https://` and a fully qualified host name of `a-z A-Z 0-9 . -`, no
/// port or path (spec "API operations": a domain name, not an IP address). Returns the host.
pub(crate) fn check_endpoint(e: &str) -> Result<String, String> {
    let bad = || {
        format!("`uriEndpoint` must be `https://` followed by a fully qualified host name, e.g. `https://xks.example.com`, found `{e}`")
    };
    let host = e.strip_prefix("https://").ok_or_else(bad)?;
    let labels: Vec<&str> = host.split('.').collect();
    let ok_chars = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let all_numeric = labels.iter().all(|l| l.chars().all(|c| c.is_ascii_digit()));
    if !ok_chars
        || labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
        || all_numeric
        || e.len() > 128
    {
        return Err(bad());
    }
    Ok(host.to_ascii_lowercase())
}

/// `XksProxyUriPath` (spec "API operations"): at most 128 characters of `a-z A-Z 0-9 / - _`,
/// ending in `/kms/xks/v<version>`.
pub(crate) fn check_uri_path(p: &str) -> Result<(), String> {
    let chars_ok = p
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'));
    let version_ok = p.rsplit_once("/kms/xks/v").is_some_and(|(prefix, v)| {
        (1..=2).contains(&v.len())
            && v.chars().all(|c| c.is_ascii_digit())
            && (prefix.is_empty() || (prefix.starts_with('/') && prefix.len() > 1))
    });
    if !chars_ok || !version_ok || p.len() > 128 {
        return Err(format!(
            "`uriPath` must be at most 128 characters of `a-z A-Z 0-9 / - _` ending in `/kms/xks/v1` (e.g. `/example/kms/xks/v1`), found `{p}`"
        ));
    }
    Ok(())
}

/// A credential object. KMS's own (`strict`) must meet CreateCustomKeyStore's rules (spec
/// Appendix A): an access key id of 20 to 30 of `A-Z 2-7`, a secret of 43 to 64 of
/// `A-Z a-z 0-9 + / =`.
fn parse_credential(j: &Json, p: &JsonPath, strict: bool) -> Result<Credential, ScenarioError> {
    let c = Obj::new(j, p, "a proxy credential", &["accessKeyId", "secret"])?;
    let id = c.required("accessKeyId", "a proxy credential")?;
    let secret = c.required("secret", "a proxy credential")?;
    if strict {
        let id_ok = (20..=30).contains(&id.len())
            && id
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ('2'..='7').contains(&ch));
        if !id_ok {
            let (pp, pos) = pos_of(&c, "accessKeyId");
            return Err(error_at(
                &pp,
                pos,
                format!(
                    "`accessKeyId` must be 20 to 30 characters of `A-Z` and `2-7`, found `{id}`"
                ),
            ));
        }
        let secret_ok = (43..=64).contains(&secret.len())
            && secret
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '+' | '/' | '='));
        if !secret_ok {
            let (pp, pos) = pos_of(&c, "secret");
            // The secret itself is not echoed.
            return Err(error_at(
                &pp,
                pos,
                format!(
                    "`secret` must be 43 to 64 characters of `A-Z a-z 0-9 + / =` ({} given)",
                    secret.chars().count()
                ),
            ));
        }
    } else if id.is_empty() || secret.is_empty() {
        return Err(c.err("a proxy credential needs a non-empty `accessKeyId` and `secret`"));
    }
    Ok(Credential::new(id, secret))
}

fn parse_external_key<R: Rng + ?Sized>(
    j: &Json,
    p: &JsonPath,
    rng: &mut R,
) -> Result<ExternalKey, ScenarioError> {
    let k = Obj::new(
        j,
        p,
        "an external key",
        &[
            "id",
            "status",
            "usage",
            "keySpec",
            "material",
            "ciphertextMetadata",
        ],
    )?;
    let id = k.required("id", "an external key")?;
    // Spec "API operations": at most 128 characters of letters, digits, `-`, `.` and `_`.
    if id.is_empty()
        || id.len() > 128
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        let (pp, pos) = pos_of(&k, "id");
        return Err(error_at(
            &pp,
            pos,
            format!("external key id `{id}` must be 1 to 128 characters of `A-Z a-z 0-9 - . _`"),
        ));
    }
    let status = match k.string("status")?.as_deref() {
        None | Some("ENABLED") => ExternalKeyStatus::Enabled,
        Some("DISABLED") => ExternalKeyStatus::Disabled,
        Some(other) => {
            let (pp, pos) = pos_of(&k, "status");
            return Err(error_at(
                &pp,
                pos,
                format!("`status` must be `ENABLED` or `DISABLED`, found `{other}`"),
            ));
        }
    };
    let usage = match k.strings("usage")? {
        None => vec!["ENCRYPT".to_string(), "DECRYPT".to_string()],
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for (u, pos) in list {
                if !KEY_USAGES.contains(&u.as_str()) {
                    let (pp, _) = pos_of(&k, "usage");
                    return Err(error_at(
                        &pp,
                        pos,
                        format!(
                            "key usage `{u}` is not one of `{}`",
                            KEY_USAGES.join("`, `")
                        ),
                    ));
                }
                if !out.contains(&u) {
                    out.push(u);
                }
            }
            out
        }
    };
    let material = match k.string("material")? {
        None => KeyMaterial::generate(rng),
        Some(b) => unb64(&b)
            .and_then(|bytes| KeyMaterial::from_bytes(&bytes))
            .ok_or_else(|| {
                let (pp, pos) = pos_of(&k, "material");
                error_at(&pp, pos, "`material` must be 32 bytes in base64")
            })?,
    };
    let ciphertext_metadata = match k.string("ciphertextMetadata")? {
        None => None,
        Some(s) if !s.is_empty() && s.len() <= MAX_CIPHERTEXT_METADATA => Some(s.into_bytes()),
        Some(s) => {
            let (pp, pos) = pos_of(&k, "ciphertextMetadata");
            return Err(error_at(
                &pp,
                pos,
                format!("`ciphertextMetadata` must be 1 to 20 bytes (spec Encrypt), found `{s}`"),
            ));
        }
    };
    Ok(ExternalKey {
        id,
        status,
        usage,
        key_spec: k
            .string("keySpec")?
            .unwrap_or_else(|| "AES_256".to_string()),
        material,
        ciphertext_metadata,
    })
}

fn parse_fault(j: &Json, p: &JsonPath) -> Result<Fault, ScenarioError> {
    let f = Obj::new(
        j,
        p,
        "a fault",
        &["on", "error", "latencyMs", "from", "until", "times"],
    )?;
    let on = match f.string("on")?.as_deref() {
        None | Some("*") => None,
        Some(s) => Some(XksOperation::parse(s).ok_or_else(|| {
            let (pp, pos) = pos_of(&f, "on");
            error_at(
                &pp,
                pos,
                format!("`on` must be `GetKeyMetadata`, `Encrypt`, `Decrypt`, `GetHealthStatus` or `*`, found `{s}`"),
            )
        })?),
    };
    let latency = f.int("latencyMs", 0, 3_600_000)?;
    let kind = match (f.string("error")?, latency) {
        (Some(e), None) => FaultKind::parse(&e).ok_or_else(|| {
            let (pp, pos) = pos_of(&f, "error");
            error_at(
                &pp,
                pos,
                format!(
                    "unknown fault `{e}`: use an XKS error name (`DependencyTimeoutException`, `ThrottlingException`, ...) or `Unreachable`, `TlsHandshakeFailure`, `MalformedResponse`, `CorruptResponse`"
                ),
            )
        })?,
        (None, Some(_)) => FaultKind::Latency,
        _ => return Err(f.err("a fault needs exactly one of `error` and `latencyMs`")),
    };
    let remaining = f
        .int("times", 1, i64::from(u32::MAX))?
        .and_then(|t| u32::try_from(t).ok());
    Ok(Fault {
        on,
        kind,
        latency_ms: latency.unwrap_or(0),
        from: f.instant("from")?,
        until: f.instant("until")?,
        remaining,
    })
}

fn parse_vpc(j: &Json, p: &JsonPath) -> Result<VpcEndpointService, ScenarioError> {
    let v = Obj::new(
        j,
        p,
        "`vpcEndpointService`",
        &[
            "name",
            "exists",
            "allowedPrincipals",
            "acceptanceRequired",
            "privateDnsName",
            "privateDnsVerified",
            "availabilityZones",
            "loadBalancer",
        ],
    )?;
    let name = v.required("name", "`vpcEndpointService`")?;
    if !name.starts_with("com.amazonaws.vpce.") || !name.contains(".vpce-svc-") {
        let (pp, pos) = pos_of(&v, "name");
        return Err(error_at(
            &pp,
            pos,
            format!("VPC endpoint service name `{name}` must look like `com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0`"),
        ));
    }
    let load_balancer = v
        .string("loadBalancer")?
        .unwrap_or_else(|| "NETWORK".into());
    if load_balancer != "NETWORK" && load_balancer != "GATEWAY" {
        let (pp, pos) = pos_of(&v, "loadBalancer");
        return Err(error_at(
            &pp,
            pos,
            format!("`loadBalancer` must be `NETWORK` or `GATEWAY`, found `{load_balancer}`"),
        ));
    }
    Ok(VpcEndpointService {
        name,
        exists: v.bool("exists")?.unwrap_or(true),
        allowed_principals: v
            .strings("allowedPrincipals")?
            .map(|l| l.into_iter().map(|(s, _)| s).collect()),
        acceptance_required: v.bool("acceptanceRequired")?.unwrap_or(false),
        private_dns_name: v.string("privateDnsName")?,
        private_dns_verified: v.bool("privateDnsVerified")?.unwrap_or(true),
        availability_zones: v
            .int("availabilityZones", 0, 64)?
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(2),
        load_balancer,
    })
}

fn parse_ekm(j: &Json, p: &JsonPath) -> Result<EkmInstance, ScenarioError> {
    let e = Obj::new(j, p, "a key manager", &["id", "model", "healthStatus"])?;
    let health_status = e.string("healthStatus")?.unwrap_or_else(|| "ACTIVE".into());
    if !["ACTIVE", "DEGRADED", "UNAVAILABLE"].contains(&health_status.as_str()) {
        let (pp, pos) = pos_of(&e, "healthStatus");
        return Err(error_at(
            &pp,
            pos,
            format!("`healthStatus` must be `ACTIVE`, `DEGRADED` or `UNAVAILABLE`, found `{health_status}`"),
        ));
    }
    Ok(EkmInstance {
        id: e.required("id", "a key manager")?,
        model: e
            .string("model")?
            .unwrap_or_else(|| "kmslab simulated key manager".into()),
        health_status,
    })
}
