//! Custom key stores: a KMS key store whose key material lives outside KMS's own HSMs, in an
//! AWS CloudHSM cluster the customer owns or behind an external key store proxy.
//!
//! A store has a connection state that changes on the simulated clock (ConnectCustomKeyStore
//! starts connecting, the attempt ends `CONNECTED` or `FAILED` with a connection error code
//! later), and its keys are `Unavailable` while it is not connected. The backends are
//! simulations injected through [`KeyStoreBackend`]: deterministic, and driven only by the
//! scenario's settings.

pub mod cloudhsm;
pub mod sigv4;
pub mod xks;

use crate::iam::arn::AccountId;
use crate::time::{Duration, Instant};

/// The two kinds of custom key store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStoreType {
    /// Backed by an AWS CloudHSM cluster.
    AwsCloudHsm,
    /// Backed by an external key manager through an XKS proxy.
    ExternalKeyStore,
}

impl KeyStoreType {
    /// AWS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStoreType::AwsCloudHsm => "AWS_CLOUDHSM",
            KeyStoreType::ExternalKeyStore => "EXTERNAL_KEY_STORE",
        }
    }

    /// Reads AWS's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "AWS_CLOUDHSM" => Some(KeyStoreType::AwsCloudHsm),
            "EXTERNAL_KEY_STORE" => Some(KeyStoreType::ExternalKeyStore),
            _ => None,
        }
    }
}

/// A store's connection state (DescribeCustomKeyStores `ConnectionState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Connected: its keys can be used.
    Connected,
    /// A connection attempt is in progress.
    Connecting,
    /// Not connected (never connected, or disconnected on purpose).
    Disconnected,
    /// Disconnecting.
    Disconnecting,
    /// The last connection attempt failed; `ConnectionErrorCode` says why. It must be
    /// disconnected before it can be connected again.
    Failed,
}

impl ConnectionState {
    /// AWS's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connected => "CONNECTED",
            ConnectionState::Connecting => "CONNECTING",
            ConnectionState::Disconnected => "DISCONNECTED",
            ConnectionState::Disconnecting => "DISCONNECTING",
            ConnectionState::Failed => "FAILED",
        }
    }

    /// Reads AWS's name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CONNECTED" => Some(ConnectionState::Connected),
            "CONNECTING" => Some(ConnectionState::Connecting),
            "DISCONNECTED" => Some(ConnectionState::Disconnected),
            "DISCONNECTING" => Some(ConnectionState::Disconnecting),
            "FAILED" => Some(ConnectionState::Failed),
            _ => None,
        }
    }
}

/// How long a connection attempt takes on the simulated clock. AWS documents that connecting
/// "can take an extended amount of time"; five minutes keeps labs short.
pub const CONNECT_TIME: Duration = Duration(300_000);
/// How long disconnecting takes.
pub const DISCONNECT_TIME: Duration = Duration(60_000);

/// Why a backend refused a cryptographic request: the KMS exception name and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    /// The KMS exception (`KMSInvalidStateException`, ...).
    pub exception: &'static str,
    /// AWS's message.
    pub message: String,
}

/// What KMS needs from a custom key store's backend.
pub trait KeyStoreBackend {
    /// Runs a connection attempt now: `Ok` when it would succeed, or the
    /// `ConnectionErrorCode` it fails with. An attempt may change the backend (a wrong
    /// password counts towards a lockout).
    fn attempt_connection(&mut self, now: Instant) -> Result<(), &'static str>;

    /// Whether a new KMS key can be created now (material generated in the backend), or the
    /// exception CreateKey answers.
    fn can_create_key(&self) -> Result<(), BackendError>;

    /// Whether the backend can serve a cryptographic operation now.
    fn can_serve(&self) -> Result<(), BackendError>;
}

/// A custom key store.
#[derive(Debug, Clone)]
pub struct KeyStore {
    /// `cks-...`.
    pub id: String,
    /// Its name (unique in the account and region).
    pub name: String,
    /// Owning account.
    pub account: AccountId,
    /// Kind.
    pub kind: KeyStoreType,
    /// Connection state.
    pub state: ConnectionState,
    /// Why the last connection attempt failed.
    pub error_code: Option<&'static str>,
    /// When the current CONNECTING / DISCONNECTING ends.
    pub transition_at: Option<Instant>,
    /// When it was created.
    pub created: Instant,
    /// The CloudHSM settings (for `AWS_CLOUDHSM`).
    pub cloudhsm: Option<cloudhsm::CloudHsmSettings>,
    /// The external key store: what KMS has on record and the proxy simulation (for
    /// `EXTERNAL_KEY_STORE`).
    pub external: Option<xks::XksStore>,
    /// The proxy exchanges of the last connection attempt (for the app's inspector).
    pub last_check: Option<xks::Exchange>,
}

impl KeyStore {
    /// Starts a connection attempt (CONNECTING until [`CONNECT_TIME`] has passed).
    pub fn start_connecting(&mut self, now: Instant) {
        self.state = ConnectionState::Connecting;
        self.error_code = None;
        self.transition_at = Some(now.plus(CONNECT_TIME));
    }

    /// Starts disconnecting.
    pub fn start_disconnecting(&mut self, now: Instant) {
        self.state = ConnectionState::Disconnecting;
        self.transition_at = Some(now.plus(DISCONNECT_TIME));
    }
}

/// An external key store as a [`KeyStoreBackend`]: KMS reaches the external key manager only
/// through the XKS proxy, so connecting is the proxy's health check (after the VPC endpoint
/// service and mTLS checks), and each key is checked with GetKeyMetadata when it is created.
pub struct ExternalBackend<'a, R: rand_core::Rng + ?Sized> {
    /// The store's settings and its proxy.
    pub store: &'a mut xks::XksStore,
    /// KMS's region (SigV4 scope, the mTLS client certificate's name).
    pub region: &'a str,
    /// The seeded generator (request ids, IVs).
    pub rng: &'a mut R,
    /// The exchange of the last connection attempt, for the inspector.
    pub last_check: Option<xks::Exchange>,
}

impl<R: rand_core::Rng + ?Sized> KeyStoreBackend for ExternalBackend<'_, R> {
    fn attempt_connection(&mut self, now: Instant) -> Result<(), &'static str> {
        let request_id = request_id(self.rng);
        let check = xks::check_connection(
            &mut self.store.proxy,
            &self.store.kms,
            self.region,
            now,
            &request_id,
            self.rng,
        );
        self.last_check = check.exchange;
        check.result.map(|_| ()).map_err(|c| c.as_str())
    }

    fn can_create_key(&self) -> Result<(), BackendError> {
        // Which external key backs the new KMS key is checked with GetKeyMetadata.
        Ok(())
    }

    fn can_serve(&self) -> Result<(), BackendError> {
        // Each request goes to the proxy, which answers for itself.
        Ok(())
    }
}

/// A KMS request id (a UUID from the seeded generator).
pub fn request_id<R: rand_core::Rng + ?Sized>(rng: &mut R) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        h.get(..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..).unwrap_or_default()
    )
}

/// Moves every store's CONNECTING / DISCONNECTING on to its end state at `now`. A connection
/// attempt's outcome is decided when it ends, against the cluster as it is then.
pub fn advance<R: rand_core::Rng + ?Sized>(
    stores: &mut [KeyStore],
    clusters: &mut [cloudhsm::Cluster],
    now: Instant,
    region: &str,
    rng: &mut R,
) {
    for s in stores.iter_mut() {
        let Some(at) = s.transition_at.filter(|t| *t <= now) else {
            continue;
        };
        s.transition_at = None;
        match s.state {
            ConnectionState::Connecting => {
                // Both kinds of store connect through the one backend trait.
                let outcome = match (&s.kind, &s.cloudhsm, s.external.as_mut()) {
                    (KeyStoreType::AwsCloudHsm, Some(settings), _) => {
                        cloudhsm::Connection::new(settings, clusters).attempt_connection(at)
                    }
                    (KeyStoreType::ExternalKeyStore, _, Some(ext)) => {
                        let mut backend = ExternalBackend {
                            store: ext,
                            region,
                            rng: &mut *rng,
                            last_check: None,
                        };
                        let r = backend.attempt_connection(at);
                        s.last_check = backend.last_check;
                        r
                    }
                    _ => Err("INTERNAL_ERROR"),
                };
                match outcome {
                    Ok(()) => s.state = ConnectionState::Connected,
                    Err(code) => {
                        s.state = ConnectionState::Failed;
                        s.error_code = Some(code);
                    }
                }
            }
            ConnectionState::Disconnecting => {
                s.state = ConnectionState::Disconnected;
                if let Some(settings) = &s.cloudhsm {
                    cloudhsm::log_out(settings, clusters);
                }
            }
            _ => {}
        }
    }
}
