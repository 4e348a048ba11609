//! Which statements of a (principal, key) pair's policies apply, apart from their Action:
//! the Resource, Principal and Condition checks of the evaluator
//! ([`crate::iam::evaluate::authorize`]), which do not depend on the operation in a matrix
//! cell's request, except through the encryption context that the requests of some operations
//! carry (so a statement that can read it is checked once with it and once without).

use super::world::Op;
use crate::iam::arn::{resource_matches_prepared, AccountId, PreparedResource};
use crate::iam::context::{Context, Principal, PrincipalKind};
use crate::iam::policy::{Effect, PrincipalBlock, PrincipalType, Statement};
use crate::iam::vars::Template;

/// KMS condition keys AWS evaluates in IAM policies only, never in key policies ("AWS KMS
/// condition keys": `kms:ResourceAliases`); the evaluator hides them from the key policy.
pub(super) const IAM_ONLY_KMS_KEYS: &[&str] = &["kms:ResourceAliases"];

/// How a statement's Principal names the caller, ordered as the evaluator ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Named {
    /// The statement has no Principal element (identity policies, SCPs).
    NoPrincipal,
    /// The account.
    Account,
    /// The role of the calling session.
    Role,
    /// `*`, the caller itself, or the service.
    Direct,
}

/// A statement of a pair's policies, with the operations its Action/NotAction matches.
pub(super) struct Stmt<'a> {
    pub s: &'a Statement,
    /// Per operation (column), whether Action/NotAction matches.
    pub ops: Vec<bool>,
    /// In a key policy (which does not see IAM-only condition keys).
    pub key_policy: bool,
    /// An identity for the memo: the same value for statements that count the same way in
    /// every pair of a row (see `fast.rs`).
    pub uid: u64,
    /// Whether the matrix has an encryption context and the statement may read it
    /// ([`reads_encryption_context`]): only such statements are checked again with it.
    pub ec: bool,
}

/// Whether the statement's Resource or Condition may read a request's encryption context: a
/// condition on a `kms:EncryptionContext*` key, or a policy variable anywhere in them (which
/// could name one). Otherwise its Resource, Principal and Condition checks answer the same with
/// and without an encryption context, since the context is all that differs.
pub(super) fn reads_encryption_context(s: &Statement) -> bool {
    s.resource
        .as_ref()
        .is_some_and(|r| r.patterns.iter().any(Template::has_variables))
        || s.conditions.iter().any(|c| {
            c.key
                .get(..21)
                .is_some_and(|p| p.eq_ignore_ascii_case("kms:encryptioncontext"))
                || c.values.iter().any(Template::has_variables)
        })
}

/// Whether a statement's Action/NotAction matches the action (lowercase), as the evaluator
/// matches it: case-insensitively, literal or wildcard.
fn action_matches(stmt: &Statement, action_lc: &str, chars: &[char]) -> bool {
    let hit = stmt
        .action
        .patterns
        .iter()
        .any(|(_, p)| match p.literal_str() {
            Some(lit) => lit == action_lc,
            None => p.matches_chars(chars, false),
        });
    hit != stmt.action.negated
}

/// The action match of `s` for every operation.
pub(super) fn op_matches(s: &Statement, ops: &[Op], chars: &[Vec<char>]) -> Vec<bool> {
    ops.iter()
        .zip(chars)
        .map(|(o, ch)| action_matches(s, &o.action_lc, ch))
        .collect()
}

/// The account in an account principal (`111122223333` or `arn:aws:iam::111122223333:root`),
/// read as [`AccountId::parse`] and [`crate::iam::arn::Arn::parse`] read it, without allocating (this runs for
/// every key-policy statement of every pair).
fn account_of_entry(value: &str) -> Option<&str> {
    if AccountId::parse(value).is_some() {
        return Some(value);
    }
    let mut parts = value.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let (partition, service, _region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (!partition.is_empty() && service == "iam" && resource == "root").then_some(account)
}

/// Matches Principal / NotPrincipal against the caller, with the evaluator's rules ("AWS JSON
/// policy elements: Principal" and "NotPrincipal").
fn named(pb: &PrincipalBlock, caller: &Principal, partition: &str) -> Option<Named> {
    let Some(entries) = &pb.entries else {
        return (!pb.negated).then_some(Named::Direct);
    };
    if pb.negated {
        // Excluded only when every identity of the caller's chain is listed.
        let listed = |id: &String| {
            entries.iter().any(|(_, v)| {
                v == id
                    || account_of_entry(v).is_some_and(|a| {
                        caller.account.as_ref().is_some_and(|c| c.as_str() == a)
                            && *id == format!("arn:{partition}:iam::{a}:root")
                    })
            })
        };
        return caller
            .chain(partition)
            .iter()
            .any(|id| !listed(id))
            .then_some(Named::Direct);
    }
    entries
        .iter()
        .filter_map(|(ty, v)| match ty {
            PrincipalType::Aws if v == "*" => Some(Named::Direct),
            PrincipalType::Aws => match account_of_entry(v) {
                Some(acct) => caller
                    .account
                    .as_ref()
                    .filter(|a| {
                        a.as_str() == acct && !matches!(caller.kind, PrincipalKind::Service { .. })
                    })
                    .map(|_| Named::Account),
                None if *v == caller.arn => Some(Named::Direct),
                None => match &caller.kind {
                    PrincipalKind::AssumedRole { role_arn, .. } if role_arn == v => {
                        Some(Named::Role)
                    }
                    _ => None,
                },
            },
            PrincipalType::Service => match &caller.kind {
                PrincipalKind::Service { name } if name == v => Some(Named::Direct),
                _ => None,
            },
            PrincipalType::Federated | PrincipalType::CanonicalUser => {
                (*v == caller.arn).then_some(Named::Direct)
            }
        })
        .max()
}

/// What the evaluator needs to know about the caller and the resource.
pub(super) struct Target<'a> {
    pub caller: &'a Principal,
    pub partition: &'a str,
    pub has_boundary: bool,
    /// The key's ARN, prepared once for matching.
    pub arn: &'a PreparedResource,
}

/// Whether the statement applies to the pair's request for the operations its Action
/// matches, and how its Principal names the caller: the evaluator's Resource, Principal and
/// Condition checks, in its order and with its rules.
pub(super) fn applies(s: &Statement, t: &Target<'_>, ctx: &Context) -> Option<Named> {
    if let Some(rb) = &s.resource {
        let hit = rb.patterns.iter().any(|p| {
            p.resolve(ctx)
                .is_ok_and(|r| resource_matches_prepared(r.pattern(), t.arn))
        });
        if hit == rb.negated {
            return None;
        }
    }
    let how = match &s.principal {
        None => Named::NoPrincipal,
        Some(pb) => match named(pb, t.caller, t.partition) {
            Some(m) => m,
            // IAM's NotPrincipal rule: a Deny with NotPrincipal applies to every principal
            // with a permissions boundary.
            None if pb.negated && s.effect == Effect::Deny && t.has_boundary => Named::Direct,
            None => return None,
        },
    };
    s.conditions
        .iter()
        .all(|c| c.evaluate(ctx, false).result)
        .then_some(how)
}
