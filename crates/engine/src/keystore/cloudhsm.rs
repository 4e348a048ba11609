//! The simulated AWS CloudHSM side of a CloudHSM key store: clusters (HSM count, subnets,
//! network), the `kmsuser` crypto user KMS logs in as, and the connection rules with AWS's
//! `ConnectionErrorCode` values (KMS developer guide, "Troubleshooting a custom key store").

use super::{BackendError, KeyStoreBackend};
use crate::time::Instant;
use std::fmt;

/// Failed `kmsuser` logins after which CloudHSM locks the account (the guide: "after five
/// failed attempts ... AWS CloudHSM locks the user account").
pub const LOCKOUT_AFTER: u32 = 5;

/// The `kmsuser` crypto user in a cluster.
#[derive(Clone, PartialEq, Eq)]
pub struct KmsUser {
    /// Its password in the cluster.
    pub password: String,
    /// Someone is logged in as `kmsuser` (KMS cannot then rotate its password and log in).
    pub logged_in_elsewhere: bool,
    /// Locked after too many failed logins.
    pub locked_out: bool,
    /// Failed logins since the last success.
    pub failed_logins: u32,
}

impl fmt::Debug for KmsUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsUser")
            .field("password", &"<redacted>")
            .field("logged_in_elsewhere", &self.logged_in_elsewhere)
            .field("locked_out", &self.locked_out)
            .field("failed_logins", &self.failed_logins)
            .finish()
    }
}

/// A simulated CloudHSM cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// `cluster-...`.
    pub id: String,
    /// Initialized and active (a cluster that is not cannot back a store).
    pub active: bool,
    /// Active HSMs.
    pub active_hsms: u32,
    /// The `kmsuser` crypto user, if created.
    pub kmsuser: Option<KmsUser>,
    /// All of the cluster's subnets still exist.
    pub subnets_found: bool,
    /// Every subnet has a free IP address.
    pub free_addresses: bool,
    /// KMS can reach the cluster over the network.
    pub network_reachable: bool,
    /// AWS fails the attempt internally (to practise the retry advice).
    pub internal_error: bool,
    /// The backup lineage: a store's cluster may be replaced only by a related cluster.
    pub lineage: String,
    /// The cluster's trust anchor certificate (what CreateCustomKeyStore must be given).
    pub trust_anchor: String,
    /// KMS is logged in as `kmsuser` (while a store is connected).
    pub kms_logged_in: bool,
    /// The cluster was deleted (and not replaced): KMS no longer finds it.
    pub deleted: bool,
}

/// A CloudHSM key store's settings.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudHsmSettings {
    /// The associated cluster.
    pub cluster_id: String,
    /// The trust anchor given at creation.
    pub trust_anchor: String,
    /// The `kmsuser` password KMS has on record (KeyStorePassword); it logs in with this.
    pub password: String,
}

impl fmt::Debug for CloudHsmSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudHsmSettings")
            .field("cluster_id", &self.cluster_id)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A store's view of its cluster, as a [`KeyStoreBackend`].
pub struct Connection<'a> {
    settings: &'a CloudHsmSettings,
    clusters: &'a mut [Cluster],
}

impl<'a> Connection<'a> {
    /// The backend of a store with `settings`, over the scenario's clusters.
    pub fn new(settings: &'a CloudHsmSettings, clusters: &'a mut [Cluster]) -> Self {
        Connection { settings, clusters }
    }

    fn cluster(&self) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.id == self.settings.cluster_id && !c.deleted)
    }
}

impl KeyStoreBackend for Connection<'_> {
    fn attempt_connection(&mut self, _now: Instant) -> Result<(), &'static str> {
        let password = self.settings.password.clone();
        let Some(c) = self
            .clusters
            .iter_mut()
            .find(|c| c.id == self.settings.cluster_id && !c.deleted)
        else {
            return Err("CLUSTER_NOT_FOUND");
        };
        // The order follows what KMS must do: find the cluster's network, reach it, then log
        // in as kmsuser.
        if c.internal_error {
            return Err("INTERNAL_ERROR");
        }
        if !c.subnets_found {
            return Err("SUBNET_NOT_FOUND");
        }
        if !c.free_addresses {
            return Err("INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET");
        }
        if c.active_hsms == 0 {
            return Err("INSUFFICIENT_CLOUDHSM_HSMS");
        }
        if !c.network_reachable {
            return Err("NETWORK_ERRORS");
        }
        let Some(user) = c.kmsuser.as_mut() else {
            return Err("USER_NOT_FOUND");
        };
        if user.locked_out {
            return Err("USER_LOCKED_OUT");
        }
        if user.logged_in_elsewhere {
            return Err("USER_LOGGED_IN");
        }
        if user.password != password {
            user.failed_logins = user.failed_logins.saturating_add(1);
            if user.failed_logins >= LOCKOUT_AFTER {
                user.locked_out = true;
            }
            return Err("INVALID_CREDENTIALS");
        }
        user.failed_logins = 0;
        c.kms_logged_in = true;
        Ok(())
    }

    fn can_create_key(&self) -> Result<(), BackendError> {
        let hsms = self.cluster().map_or(0, |c| c.active_hsms);
        // The guide: creating KMS keys needs at least two active HSMs; other operations one.
        if hsms < 2 {
            return Err(BackendError {
                exception: "CloudHsmClusterInvalidConfigurationException",
                message: format!(
                    "The CloudHSM cluster {} must contain at least two active HSMs to create KMS keys in it; it has {hsms}.",
                    self.settings.cluster_id
                ),
            });
        }
        Ok(())
    }

    fn can_serve(&self) -> Result<(), BackendError> {
        match self.cluster() {
            Some(c) if c.active_hsms > 0 && c.network_reachable => Ok(()),
            _ => Err(BackendError {
                exception: "KMSInvalidStateException",
                message: "KMS cannot communicate with your CloudHSM cluster".into(),
            }),
        }
    }
}

/// KMS logs out of the store's cluster (the store was disconnected).
pub fn log_out(settings: &CloudHsmSettings, clusters: &mut [Cluster]) {
    if let Some(c) = clusters.iter_mut().find(|c| c.id == settings.cluster_id) {
        c.kms_logged_in = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        Cluster {
            id: "cluster-1".into(),
            active: true,
            active_hsms: 2,
            kmsuser: Some(KmsUser {
                password: "right".into(),
                logged_in_elsewhere: false,
                locked_out: false,
                failed_logins: 0,
            }),
            subnets_found: true,
            free_addresses: true,
            network_reachable: true,
            internal_error: false,
            lineage: "cluster-1".into(),
            trust_anchor: "anchor".into(),
            kms_logged_in: false,
            deleted: false,
        }
    }

    fn settings(password: &str) -> CloudHsmSettings {
        CloudHsmSettings {
            cluster_id: "cluster-1".into(),
            trust_anchor: "anchor".into(),
            password: password.into(),
        }
    }

    #[test]
    fn connection_error_codes() {
        let now = Instant(0);
        let mut cs = vec![cluster()];
        assert_eq!(
            Connection::new(&settings("right"), &mut cs).attempt_connection(now),
            Ok(())
        );
        assert!(cs[0].kms_logged_in);
        let mut cs = vec![Cluster {
            active_hsms: 0,
            ..cluster()
        }];
        assert_eq!(
            Connection::new(&settings("right"), &mut cs).attempt_connection(now),
            Err("INSUFFICIENT_CLOUDHSM_HSMS")
        );
        let mut cs = vec![Cluster {
            kmsuser: None,
            ..cluster()
        }];
        assert_eq!(
            Connection::new(&settings("right"), &mut cs).attempt_connection(now),
            Err("USER_NOT_FOUND")
        );
        let mut none: Vec<Cluster> = Vec::new();
        assert_eq!(
            Connection::new(&settings("right"), &mut none).attempt_connection(now),
            Err("CLUSTER_NOT_FOUND")
        );
    }

    #[test]
    fn wrong_passwords_lock_the_user_out() {
        let now = Instant(0);
        let mut cs = vec![cluster()];
        for _ in 0..LOCKOUT_AFTER {
            assert_eq!(
                Connection::new(&settings("wrong"), &mut cs).attempt_connection(now),
                Err("INVALID_CREDENTIALS")
            );
        }
        assert_eq!(
            Connection::new(&settings("right"), &mut cs).attempt_connection(now),
            Err("USER_LOCKED_OUT")
        );
        assert!(!format!("{:?}", settings("right")).contains("right"));
    }
}
