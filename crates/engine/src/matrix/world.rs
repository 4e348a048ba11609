//! The scenario's initial world prepared for the matrix: rows, keys, columns, grants, and the
//! request context of a cell (with the encryption context for the operations that take one).

use super::{MatrixError, MatrixKey, MatrixOptions, MatrixPrincipal, RowKind};
use crate::iam::arn::AccountId;
use crate::iam::context::{Context, ContextValue, Principal, PrincipalKind, Request};
use crate::iam::evaluate::{AuthzInput, NamedPolicy, OrgPolicies, ResourceKind, ResourcePolicy};
use crate::kms::error::{ErrorCode, KmsError};
use crate::kms::model::{
    takes_encryption_context, Grant, KeySpec, KeyState, KeyUsage, GRANT_OPERATIONS,
};
use crate::kms::spec::{encryption_context_gate, usage_gate};
use crate::kms::{grant, state};
use crate::scenario::{KeyDef, Scenario};
use crate::time::Instant;
use std::collections::BTreeMap;

/// Operations of [`crate::kms::ops::OPERATIONS`] that are not authorized against one key:
/// account-wide calls (resource `*`), custom key store calls, and RetireGrant (decided per
/// grant by its retiring principal and grantee, not per key).
const NOT_ON_A_KEY: &[&str] = &[
    "CreateKey",
    "ListKeys",
    "ListAliases",
    "GenerateRandom",
    "ListRetirableGrants",
    "RetireGrant",
];

/// One column: an IAM action on a key.
#[derive(Debug, Clone)]
pub(super) struct Op {
    /// `Encrypt`.
    pub name: &'static str,
    /// `kms:Encrypt`, lowercased for matching.
    pub action_lc: String,
    /// The grant operation it corresponds to, if grants can allow it.
    pub grant_op: Option<&'static str>,
    /// Whether it works on keys of other accounts.
    pub cross_account: bool,
    /// Whether its request carries the caller's encryption context
    /// ([`crate::kms::model::takes_encryption_context`]).
    pub takes_ec: bool,
}

/// The columns, from the engine's operation list.
pub(super) fn operations() -> Vec<Op> {
    let mut names: Vec<&'static str> = Vec::new();
    for &op in crate::kms::ops::OPERATIONS {
        if NOT_ON_A_KEY.contains(&op) || op.contains("CustomKeyStore") {
            continue;
        }
        // An operation whose authorization is split into `OpFrom` and `OpTo` grant operations
        // (ReEncrypt) is two actions on two keys.
        let halves: Vec<&'static str> = GRANT_OPERATIONS
            .iter()
            .copied()
            .filter(|g| {
                g.strip_prefix(op)
                    .is_some_and(|rest| rest == "From" || rest == "To")
            })
            .collect();
        if halves.is_empty() {
            names.push(op);
        } else {
            names.extend(halves);
        }
    }
    names
        .into_iter()
        .map(|name| Op {
            name,
            action_lc: format!("kms:{name}").to_ascii_lowercase(),
            grant_op: GRANT_OPERATIONS.iter().copied().find(|g| *g == name),
            // "Cross-account use: Yes" in the API reference: the list `kms::ops` enforces
            // (ReEncrypt's two sides are its two columns here).
            cross_account: crate::kms::ops::CROSS_ACCOUNT_OPERATIONS
                .contains(&name.trim_end_matches("From").trim_end_matches("To")),
            takes_ec: takes_encryption_context(name),
        })
        .collect()
}

/// A row, with everything about the caller that does not depend on the key.
pub(super) struct Row<'s> {
    pub view: MatrixPrincipal,
    pub principal: Principal,
    pub identity: Vec<NamedPolicy<'s>>,
    pub boundary: Option<NamedPolicy<'s>>,
    pub scps: OrgPolicies<'s>,
    /// The context AWS derives for the caller (without `aws:ResourceAccount`).
    pub derived: Context,
}

/// A key, with everything about it that does not depend on the caller.
pub(super) struct Col<'s> {
    pub view: MatrixKey,
    pub def: &'s KeyDef,
    pub account: AccountId,
    /// The context keys KMS derives for a request on the key (without `kms:CallerAccount`).
    pub key_ctx: Context,
    pub rcps: OrgPolicies<'s>,
    /// Indexes into [`Prepared::grants`] of the grants on this key, in world order.
    pub grants: Vec<usize>,
    /// Per operation: the key-state exception for an allowed request.
    pub gate: Vec<Option<ErrorCode>>,
}

/// The world prepared once for many cells.
pub(super) struct Prepared<'s> {
    pub s: &'s Scenario,
    pub now: Instant,
    pub rows: Vec<Row<'s>>,
    pub cols: Vec<Col<'s>>,
    pub ops: Vec<Op>,
    /// The grants as the runner builds them (ids from the seed where the scenario gives none).
    pub grants: Vec<Grant>,
    /// Per grant, per operation: whether the grant allows it to its grantee here (operation
    /// listed, in effect, constraint met by the operation's request: the options' encryption
    /// context where the operation takes one, none otherwise).
    pub grant_ops: Vec<Vec<bool>>,
    /// The keys every step's context has (`aws:SecureTransport`, `aws:RequestedRegion`) and
    /// the options' context keys.
    pub step_ctx: Context,
    /// The options' context keys, as given.
    pub user_context: Vec<(String, ContextValue)>,
    /// The options' encryption context (empty: none).
    pub ec: BTreeMap<String, String>,
    /// The condition keys the encryption context gives the requests of the operations that take
    /// one (`kms:EncryptionContext:*`, `kms:EncryptionContextKeys`), as the runner derives them;
    /// `None` without an encryption context.
    pub ec_keys: Option<Context>,
}

/// No encryption context.
static NO_EC: BTreeMap<String, String> = BTreeMap::new();

impl<'s> Prepared<'s> {
    /// Prepares the scenario; `only_principal` and `only_key` keep one row or one key.
    pub fn new(
        s: &'s Scenario,
        opts: &MatrixOptions,
        only_principal: Option<&str>,
        only_key: Option<&str>,
    ) -> Result<Prepared<'s>, MatrixError> {
        let ops = operations();
        let now = s.defaults.time;
        let mut rows = Vec::new();
        for arn in s.principal_arns() {
            if only_principal.is_some_and(|p| p != arn) {
                continue;
            }
            let c = s
                .resolve_caller(&arn)
                .map_err(|why| MatrixError::Principal {
                    arn: arn.clone(),
                    why,
                })?;
            let kind = match c.principal.kind {
                PrincipalKind::Root => RowKind::Root,
                PrincipalKind::AssumedRole { .. } => RowKind::RoleSession,
                _ => RowKind::User,
            };
            if kind == RowKind::Root && !opts.include_roots && only_principal.is_none() {
                continue;
            }
            rows.push(Row {
                view: MatrixPrincipal {
                    arn: arn.clone(),
                    kind,
                    account: c
                        .principal
                        .account
                        .as_ref()
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                },
                identity: s.identity_policies(&c),
                boundary: s.boundary(&c),
                scps: s.org_policies(c.principal.account.as_ref(), &c.principal, false, "kms:*"),
                derived: s.derived_context(&c, None, now, None),
                principal: c.principal,
            });
        }
        if let Some(p) = only_principal.filter(|_| rows.is_empty()) {
            return Err(MatrixError::NoSuchPrincipal(p.to_string()));
        }
        // The runner refuses an encryption context KMS refuses before authorizing anything.
        crate::kms::ops::encryption_context_limit(&opts.encryption_context)
            .map_err(|e| MatrixError::EncryptionContextRefused(e.message))?;
        let ec = &opts.encryption_context;
        let grants = initial_grants(s);
        let grant_ops = grants
            .iter()
            .map(|g| {
                ops.iter()
                    .map(|o| {
                        o.grant_op.is_some_and(|op| {
                            g.operations.iter().any(|x| x == op)
                                && grant::in_effect(g, now, s.grant_propagation, &[]).0
                                && g.constraint.as_ref().is_none_or(|c| {
                                    grant::constraint_holds(c, op, request_ec(o, ec)).0
                                })
                        })
                    })
                    .collect()
            })
            .collect();
        let mut cols = Vec::new();
        for def in &s.keys {
            if only_key.is_some_and(|k| k != def.id) {
                continue;
            }
            let arn = def.arn(&s.defaults.partition);
            let state = effective_state(s, def);
            cols.push(Col {
                gate: ops
                    .iter()
                    .map(|o| {
                        // The key-state gate, then the key-type gates (in the runner's order).
                        state::check(o.name, state, def.origin, &arn)
                            .err()
                            .or_else(|| {
                                type_gate(o.name, def.spec, def.usage, &arn, request_ec(o, ec))
                                    .err()
                            })
                            .map(|e| e.code)
                    })
                    .collect(),
                view: MatrixKey {
                    id: def.id.clone(),
                    arn,
                    account: def.account.to_string(),
                    aliases: def.aliases.clone(),
                    state,
                },
                def,
                account: def.account.clone(),
                key_ctx: key_context(def),
                // RCPs depend on the action's service only (kms for every column).
                rcps: s.org_policies(
                    Some(&def.account),
                    &Principal {
                        arn: String::new(),
                        account: None,
                        kind: PrincipalKind::Root,
                    },
                    true,
                    "kms:*",
                ),
                grants: grants
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.key_id == def.id)
                    .map(|(i, _)| i)
                    .collect(),
            });
        }
        if let Some(k) = only_key.filter(|_| cols.is_empty()) {
            return Err(MatrixError::NoSuchKey(k.to_string()));
        }
        let mut step_ctx = Context::default();
        step_ctx.insert_single("aws:SecureTransport", "true");
        step_ctx.insert_single("aws:RequestedRegion", s.defaults.region.clone());
        // As a step's context: the caller's keys after the defaults (they may replace
        // aws:SecureTransport), never one the simulator derives.
        for (k, v) in &opts.context {
            if is_cell_derived(k) {
                return Err(MatrixError::DerivedKey(k.clone()));
            }
            if k.to_ascii_lowercase().starts_with("kms:encryptioncontext") {
                return Err(MatrixError::EncryptionContextKey(k.clone()));
            }
            step_ctx.insert(k, v.clone());
        }
        // An empty encryption context is none: the cells are those of requests without one.
        let ec_keys = (!ec.is_empty()).then(|| {
            let mut c = Context::default();
            crate::kms::ops::encryption_context_keys(&mut c, ec);
            c
        });
        Ok(Prepared {
            s,
            now,
            rows,
            cols,
            ops,
            grants,
            grant_ops,
            step_ctx,
            user_context: opts.context.clone(),
            ec: ec.clone(),
            ec_keys,
        })
    }

    /// The encryption context of `op`'s request: the options' where the operation takes one.
    pub fn request_ec(&self, op: &Op) -> &BTreeMap<String, String> {
        request_ec(op, &self.ec)
    }

    /// The request context of a cell of an operation that takes the encryption context: `plain`
    /// (the cell's context without it, [`Prepared::context`]) with the condition keys the
    /// encryption context gives; `None` without an encryption context (the context is `plain`).
    pub fn with_ec(&self, plain: &Context) -> Option<Context> {
        self.ec_keys.as_ref().map(|keys| {
            let mut ctx = plain.clone();
            for (k, v) in keys.iter() {
                ctx.insert(k, v.clone());
            }
            ctx
        })
    }

    /// The request context of a cell, as the runner builds it: derived keys, then the keys KMS
    /// derives for the key, then the step's keys where not already set.
    pub fn context(&self, row: &Row<'_>, col: &Col<'_>) -> Context {
        let mut ctx = row.derived.clone();
        ctx.insert_single("aws:ResourceAccount", col.account.to_string());
        if let Some(a) = &row.principal.account {
            ctx.insert_single("kms:CallerAccount", a.to_string());
        }
        for (k, v) in col.key_ctx.iter() {
            ctx.insert(k, v.clone());
        }
        for (k, v) in self.step_ctx.iter() {
            if !ctx.contains(k) {
                ctx.insert(k, v.clone());
            }
        }
        ctx
    }

    /// The policy evaluation's input for a request of `row` on `col`.
    pub fn input<'r>(
        &'r self,
        row: &'r Row<'s>,
        col: &'r Col<'s>,
        request: &'r Request,
    ) -> AuthzInput<'r> {
        AuthzInput {
            request,
            identity: if matches!(row.principal.kind, PrincipalKind::Service { .. }) {
                Vec::new()
            } else {
                row.identity.clone()
            },
            boundary: row.boundary.clone(),
            session: None,
            scps: row.scps.clone(),
            rcps: col.rcps.clone(),
            resource_policy: Some(ResourcePolicy {
                kind: ResourceKind::KmsKey,
                name: col.view.arn.clone(),
                policy: &col.def.policy,
            }),
        }
    }

    /// Whether the cross-account rule refuses `op` for `row` on `col` before authorization.
    pub fn refused_cross_account(&self, row: &Row<'_>, col: &Col<'_>, op: &Op) -> bool {
        row.principal.account.as_ref() != Some(&col.account) && !op.cross_account
    }
}

/// The encryption context of `op`'s request when the caller gives `ec`.
fn request_ec<'a>(op: &Op, ec: &'a BTreeMap<String, String>) -> &'a BTreeMap<String, String> {
    if op.takes_ec {
        ec
    } else {
        &NO_EC
    }
}

/// The key-type gates after the key-state gate, in the runner's order: the operation must suit
/// the key's spec and usage, then its encryption context the key's type.
pub(super) fn type_gate(
    op: &str,
    spec: KeySpec,
    usage: KeyUsage,
    arn: &str,
    ec: &BTreeMap<String, String>,
) -> Result<(), KmsError> {
    usage_gate(op, spec, usage, arn)?;
    encryption_context_gate(op, spec, ec)
}

/// The state a request sees: a key in a custom key store that is not connected is Unavailable
/// (unless pending deletion), as [`crate::kms::model::KmsWorld::effective_state`] says.
fn effective_state(s: &Scenario, k: &KeyDef) -> KeyState {
    let disconnected = k.key_store.as_ref().is_some_and(|id| {
        s.stores
            .iter()
            .find(|st| &st.id == id)
            .is_none_or(|st| st.state != crate::keystore::ConnectionState::Connected)
    });
    if disconnected && k.state != KeyState::PendingDeletion {
        KeyState::Unavailable
    } else {
        k.state
    }
}

/// Whether the simulator sets `key` for each cell: the caller's keys (as for a step), and the
/// keys KMS derives from the key and the caller's account.
fn is_cell_derived(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    crate::scenario::is_derived_key(key)
        || k.starts_with("aws:resourcetag/")
        || matches!(
            k.as_str(),
            "kms:calleraccount"
                | "kms:keyorigin"
                | "kms:keyspec"
                | "kms:keyusage"
                | "kms:multiregion"
                | "kms:resourcealiases"
        )
}

/// The keys KMS derives for a request on the key when the request names it by ARN (no
/// `kms:RequestAlias`) and carries no encryption context.
pub(crate) fn key_context(k: &KeyDef) -> Context {
    let mut c = Context::default();
    c.insert_single("kms:KeyOrigin", k.origin.as_str());
    c.insert_single("kms:KeySpec", k.spec.as_str());
    c.insert_single("kms:KeyUsage", k.usage.as_str());
    c.insert_single("kms:MultiRegion", "false");
    if !k.aliases.is_empty() {
        c.insert(
            "kms:ResourceAliases",
            ContextValue::Multi(k.aliases.clone()),
        );
    }
    for (tk, v) in &k.tags {
        c.insert_single(&format!("aws:ResourceTag/{tk}"), v.clone());
    }
    c
}

/// The scenario's grants as the runner's first step sees them: ids given or drawn from the
/// seed, fully propagated (or, in a world taken after steps, created when the steps made them).
fn initial_grants(s: &Scenario) -> Vec<Grant> {
    // The runner's own grants: the same ids, and (for a world taken after steps) the same
    // creation and deletion times, so propagation is judged as the runner judges it.
    crate::scenario::initial_grants(s)
}
