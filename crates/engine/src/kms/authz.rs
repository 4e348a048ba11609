//! KMS authorization: the key policy and IAM (through [`IamSide`]), then grants.
//!
//! The key policy is the primary control: IAM policies count only where it delegates to the
//! account (that rule lives in the IAM combining rule, for `ResourceKind::KmsKey`). Grants add
//! allow-only permissions: they cannot lift an explicit deny, nor an SCP or RCP that does not
//! allow the request.

use super::grant::{self, GrantTrace};
use super::model::Grant;
use crate::iam::arn::AccountId;
use crate::iam::context::{Context, Principal};
use crate::iam::evaluate::Response;
use crate::iam::policy::Policy;
use crate::time::{Duration, Instant};
use crate::trace::Decision;
use std::collections::BTreeMap;

/// The IAM side of a request, supplied by the caller of the KMS engine (the scenario runner):
/// it knows the caller's identity policies, boundary, session and organization.
pub trait IamSide {
    /// The caller.
    fn caller(&self) -> &Principal;

    /// Decides `action` on `resource` (owned by `resource_account`) with the request context
    /// extended by `extra`, under `key_policy` when the resource is a KMS key.
    fn evaluate(
        &self,
        action: &str,
        resource: &str,
        resource_account: Option<&AccountId>,
        key_policy: Option<&Policy>,
        extra: &Context,
    ) -> Response;
}

/// A request on a key, for authorization.
pub struct KeyRequest<'a> {
    /// `kms:Decrypt`.
    pub action: &'a str,
    /// The grant operation this action corresponds to (`Decrypt`), if grants can allow it.
    pub grant_operation: Option<&'a str>,
    /// The key ARN.
    pub key_arn: &'a str,
    /// The key id.
    pub key_id: &'a str,
    /// The key's account.
    pub account: &'a AccountId,
    /// The key policy.
    pub policy: &'a Policy,
    /// Context keys KMS derives for this request.
    pub context: &'a Context,
    /// The encryption context, for grant constraints.
    pub encryption_context: &'a BTreeMap<String, String>,
}

/// The result: the decision, with the grant that decided if one did.
pub struct KeyDecision {
    /// The IAM/key-policy response, with its decision replaced when a grant allowed.
    pub response: Response,
    /// Every grant on the key considered, for the trace.
    pub grants: Vec<GrantTrace>,
    /// The grant that allowed the request, if the policies did not.
    pub by_grant: Option<String>,
}

/// Authorizes a request on a key: policies first, then grants.
pub fn authorize_key(
    iam: &dyn IamSide,
    req: &KeyRequest<'_>,
    grants: &[Grant],
    now: Instant,
    delay: Duration,
    tokens: &[String],
) -> KeyDecision {
    let mut response = iam.evaluate(
        req.action,
        req.key_arn,
        Some(req.account),
        Some(req.policy),
        req.context,
    );
    let traces: Vec<GrantTrace> = match req.grant_operation {
        Some(op) => grants
            .iter()
            .filter(|g| g.key_id == req.key_id)
            .map(|g| {
                grant::evaluate(
                    g,
                    op,
                    iam.caller(),
                    req.encryption_context,
                    now,
                    delay,
                    tokens,
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let allowing = traces
        .iter()
        .find(|t| t.applies)
        .map(|t| t.grant_id.clone());
    let by_grant = match (response.decision, response.org_blocked, &allowing) {
        // An explicit deny in any policy wins over every grant.
        (Decision::ExplicitDeny, _, _) => None,
        // The key policy (and IAM, where delegated) already allow: grants are not needed.
        (Decision::Allow, _, _) => None,
        // An SCP or RCP that does not allow the request limits grants too.
        (Decision::ImplicitDeny, true, _) => None,
        // A grant in effect, naming the caller and the operation, with its constraint met.
        (Decision::ImplicitDeny, false, Some(id)) => Some(id.clone()),
        // Nothing allows.
        (Decision::ImplicitDeny, false, None) => None,
    };
    if let Some(id) = &by_grant {
        response.decision = Decision::Allow;
        response.deciding = vec![format!("grant:{id}")];
        response.summary = format!("grant `{id}` allows the operation for the caller");
        if let Some(t) = response.trace.as_mut() {
            t.decision = Decision::Allow;
            t.deciding = response.deciding.clone();
            t.summary = response.summary.clone();
            t.reasoning.push(format!(
                "grants: `{id}` allows the request, so it is allowed"
            ));
        }
    } else if let Some(t) = response.trace.as_mut() {
        // Say why a grant that names the caller and the operation did not help.
        if response.decision == Decision::ImplicitDeny {
            if let Some(near) = traces
                .iter()
                .find(|g| g.grantee_matches && g.operation_matches)
            {
                let why = if !near.in_effect {
                    near.effect_note.clone()
                } else {
                    near.constraint.clone().unwrap_or_default()
                };
                response.summary = format!(
                    "{}; grant `{}` names the caller but does not apply: {why}",
                    response.summary, near.grant_id
                );
                t.summary = response.summary.clone();
            }
        }
        if req.grant_operation.is_some() {
            t.reasoning
                .push(match (traces.is_empty(), response.decision) {
                    (true, _) => "grants: the key has none".into(),
                    (false, Decision::ImplicitDeny) => "grants: none allows the request".into(),
                    (false, _) => "grants: not needed".into(),
                });
        }
    }
    if let Some(t) = response.trace.as_mut() {
        t.grants = traces.clone();
    }
    KeyDecision {
        response,
        grants: traces,
        by_grant,
    }
}
