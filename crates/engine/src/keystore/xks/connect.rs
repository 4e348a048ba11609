//! A connection attempt (ConnectCustomKeyStore) for an external key store, ending in success
//! or one of the `ConnectionErrorCode` values AWS documents for external key stores (KMS
//! developer guide, "Connection error codes for external key stores").
//!
//! As the guide's "Connecting an external key store" describes: for VPC endpoint service
//! connectivity KMS first checks the endpoint service (it must exist under the name KMS has,
//! in KMS's region, and meet the requirements the guide lists); then, for either connectivity,
//! it sends GetHealthStatus, which validates the endpoint, the path and the credential. A
//! proxy reporting every key manager `UNAVAILABLE` fails with `XKS_PROXY_NOT_REACHABLE`.
//!
//! The guide lists the missing KMS principal under both `XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND`
//! (as a possible cause) and `XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION` (as a
//! requirement); kmslab answers the latter. `INTERNAL_ERROR` and `NETWORK_ERRORS` (KMS-side
//! failures) are never produced.

use super::client::{health_call, HealthStatus, XksCall};
use super::config::{Connectivity, XksProxy, XksProxyConfiguration};
use super::errors::Failure;
use super::{Exchange, ProxyErrorName, RequestMetadata};
use crate::time::Instant;
use rand_core::Rng;

/// Why an external key store failed to connect. Serializes as AWS's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ConnectionErrorCode {
    InternalError,
    InvalidCredentials,
    NetworkErrors,
    XksProxyAccessDenied,
    XksProxyInvalidConfiguration,
    XksProxyInvalidResponse,
    XksProxyInvalidTlsConfiguration,
    XksProxyNotReachable,
    XksProxyTimedOut,
    XksVpcEndpointServiceInvalidConfiguration,
    XksVpcEndpointServiceNotFound,
}

impl ConnectionErrorCode {
    /// AWS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionErrorCode::InternalError => "INTERNAL_ERROR",
            ConnectionErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ConnectionErrorCode::NetworkErrors => "NETWORK_ERRORS",
            ConnectionErrorCode::XksProxyAccessDenied => "XKS_PROXY_ACCESS_DENIED",
            ConnectionErrorCode::XksProxyInvalidConfiguration => "XKS_PROXY_INVALID_CONFIGURATION",
            ConnectionErrorCode::XksProxyInvalidResponse => "XKS_PROXY_INVALID_RESPONSE",
            ConnectionErrorCode::XksProxyInvalidTlsConfiguration => {
                "XKS_PROXY_INVALID_TLS_CONFIGURATION"
            }
            ConnectionErrorCode::XksProxyNotReachable => "XKS_PROXY_NOT_REACHABLE",
            ConnectionErrorCode::XksProxyTimedOut => "XKS_PROXY_TIMED_OUT",
            ConnectionErrorCode::XksVpcEndpointServiceInvalidConfiguration => {
                "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"
            }
            ConnectionErrorCode::XksVpcEndpointServiceNotFound => {
                "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
            }
        }
    }

    /// The code for a failed GetHealthStatus. The guide names the codes; which proxy error
    /// leads to which follows the management exceptions of the spec's table
    /// (`XksProxyUriUnreachableException` → not reachable, or timed out for timeouts;
    /// `XksProxyInvalidResponseException` → invalid response; the credential and URI path
    /// exceptions → `INVALID_CREDENTIALS`, `XKS_PROXY_INVALID_CONFIGURATION`). An
    /// `InternalException` (the key manager failed) counts as not reachable, as the guide says
    /// of unavailable key managers.
    pub fn for_failure(f: &Failure) -> Self {
        use ProxyErrorName as N;
        match f {
            Failure::TcpConnection | Failure::NotConnected => {
                ConnectionErrorCode::XksProxyNotReachable
            }
            Failure::TlsConnection(_) => ConnectionErrorCode::XksProxyInvalidTlsConfiguration,
            Failure::Timeout | Failure::Proxy(N::DependencyTimeoutException) => {
                ConnectionErrorCode::XksProxyTimedOut
            }
            Failure::MalformedResponse(_) => ConnectionErrorCode::XksProxyInvalidResponse,
            Failure::Proxy(N::AuthenticationFailedException) => {
                ConnectionErrorCode::InvalidCredentials
            }
            Failure::Proxy(N::AccessDeniedException) => ConnectionErrorCode::XksProxyAccessDenied,
            Failure::Proxy(N::InvalidUriPathException) => {
                ConnectionErrorCode::XksProxyInvalidConfiguration
            }
            Failure::Proxy(
                N::ThrottlingException | N::InternalException | N::InvalidStateException,
            ) => ConnectionErrorCode::XksProxyNotReachable,
            Failure::Proxy(
                N::ValidationException
                | N::UnsupportedOperationException
                | N::KeyNotFoundException
                | N::InvalidCiphertextException
                | N::InvalidKeyUsageException,
            ) => ConnectionErrorCode::XksProxyInvalidResponse,
        }
    }
}

impl serde::Serialize for ConnectionErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The outcome of a connection attempt.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConnectionCheck {
    /// The proxy's health, or the connection error code.
    pub result: Result<HealthStatus, ConnectionErrorCode>,
    /// What was wrong, in words (empty on success).
    pub reason: String,
    /// The GetHealthStatus exchange (`None` when a VPC check failed before any request).
    pub exchange: Option<Exchange>,
}

/// The VPC endpoint service checks (guide: `XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND` and
/// `XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION`).
fn check_vpc(
    proxy: &XksProxy,
    config: &XksProxyConfiguration,
    region: &str,
) -> Result<(), (ConnectionErrorCode, String)> {
    use ConnectionErrorCode::{
        XksVpcEndpointServiceInvalidConfiguration as Invalid,
        XksVpcEndpointServiceNotFound as NotFound,
    };
    let wanted = config.vpc_endpoint_service_name.clone().unwrap_or_default();
    let Some(svc) = proxy
        .vpc_endpoint_service
        .as_ref()
        .filter(|s| s.exists && s.name == wanted)
    else {
        return Err((NotFound, format!("no VPC endpoint service `{wanted}`")));
    };
    let svc_region = svc
        .name
        .strip_prefix("com.amazonaws.vpce.")
        .and_then(|r| r.split('.').next())
        .unwrap_or_default();
    if svc_region != region {
        return Err((
            NotFound,
            format!(
                "VPC endpoint service `{}` is in `{svc_region}`, not `{region}`",
                svc.name
            ),
        ));
    }
    let principal = super::client::kms_client_cn(region);
    if let Some(allowed) = &svc.allowed_principals {
        if !allowed.iter().any(|p| *p == principal || p == "*") {
            return Err((
                Invalid,
                format!("its allowed principals do not include `{principal}`"),
            ));
        }
    }
    if svc.acceptance_required {
        return Err((
            Invalid,
            "it requires acceptance of connection requests".into(),
        ));
    }
    if svc.availability_zones < 2 {
        return Err((
            Invalid,
            format!(
                "its load balancer spans {} Availability Zone(s); at least two are required",
                svc.availability_zones
            ),
        ));
    }
    if svc.load_balancer != "NETWORK" {
        return Err((Invalid, "it must use a network load balancer".into()));
    }
    let host = config.host();
    if svc
        .private_dns_name
        .as_ref()
        .is_some_and(|n| n.to_ascii_lowercase() != host)
    {
        return Err((
            Invalid,
            format!("its private DNS name is not the endpoint's host `{host}`"),
        ));
    }
    if !svc.private_dns_verified {
        return Err((
            Invalid,
            "the domain of its private DNS name is not verified".into(),
        ));
    }
    Ok(())
}

/// Runs a connection attempt at `now` (`kmsOperation` `ConnectCustomKeyStore`).
pub fn check_connection<R: Rng + ?Sized>(
    proxy: &mut XksProxy,
    config: &XksProxyConfiguration,
    region: &str,
    now: Instant,
    kms_request_id: &str,
    rng: &mut R,
) -> ConnectionCheck {
    if config.connectivity == Connectivity::VpcEndpointService {
        if let Err((code, reason)) = check_vpc(proxy, config, region) {
            return ConnectionCheck {
                result: Err(code),
                reason,
                exchange: None,
            };
        }
    }
    let metadata = RequestMetadata {
        kms_operation: "ConnectCustomKeyStore".into(),
        kms_request_id: kms_request_id.into(),
        ..RequestMetadata::default()
    };
    let call = XksCall {
        config,
        region,
        now,
        metadata: &metadata,
    };
    let (exchange, result) = health_call(proxy, &call, rng);
    let (result, reason) = match result {
        Ok(h) if h.all_unavailable() => (
            Err(ConnectionErrorCode::XksProxyNotReachable),
            "the proxy reports every external key manager UNAVAILABLE".to_string(),
        ),
        Ok(h) => (Ok(h), String::new()),
        Err(f) => {
            let reason = match &f {
                Failure::Proxy(n) => format!("the proxy answered {}", n.as_str()),
                Failure::TcpConnection => "no TCP connection to the proxy".to_string(),
                Failure::TlsConnection(why) => format!("TLS handshake failed: {why}"),
                Failure::Timeout => "the proxy did not answer within 250 ms".to_string(),
                Failure::MalformedResponse(why) => format!("malformed answer: {why}"),
                Failure::NotConnected => "not connected".to_string(),
            };
            (Err(ConnectionErrorCode::for_failure(&f)), reason)
        }
    };
    ConnectionCheck {
        result,
        reason,
        exchange: Some(exchange),
    }
}
