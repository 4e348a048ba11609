//! The full authorization path for one cell (what the fast computation must agree with), and
//! the trace of a cell for people.

use super::world::{type_gate, Col, Prepared, Row};
use super::{AccessMatrix, MatrixError, MatrixOptions, Via};
use crate::iam::arn::AccountId;
use crate::iam::context::{Context, Principal, Request};
use crate::iam::evaluate::{authorize, AuthzInput, ResourceKind, ResourcePolicy, Response};
use crate::iam::policy::Policy;
use crate::kms::authz::{authorize_key, IamSide, KeyRequest};
use crate::kms::error::ErrorCode;
use crate::kms::model::Grant;
use crate::kms::state;
use crate::scenario::{Scenario, StepResult};
use crate::trace::{Decision, Trace};

/// The IAM side of one cell, as the scenario runner's step has it (no session, the step's
/// default context).
struct CellIam<'a, 's> {
    prep: &'a Prepared<'s>,
    row: &'a Row<'s>,
    col: &'a Col<'s>,
    tracing: bool,
}

impl IamSide for CellIam<'_, '_> {
    fn caller(&self) -> &Principal {
        &self.row.principal
    }

    fn evaluate(
        &self,
        action: &str,
        resource: &str,
        resource_account: Option<&AccountId>,
        key_policy: Option<&Policy>,
        extra: &Context,
    ) -> Response {
        let s = self.prep.s;
        let mut context = self.row.derived.clone();
        if let Some(a) = resource_account {
            context.insert_single("aws:ResourceAccount", a.to_string());
        }
        for (k, v) in extra.iter() {
            context.insert(k, v.clone());
        }
        for (k, v) in self.prep.step_ctx.iter() {
            if !context.contains(k) {
                context.insert(k, v.clone());
            }
        }
        let request = Request {
            principal: self.row.principal.clone(),
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account: resource_account.cloned(),
            partition: s.defaults.partition.clone(),
            context,
        };
        let p = &self.row.principal;
        let input = AuthzInput {
            request: &request,
            identity: self.row.identity.clone(),
            boundary: self.row.boundary.clone(),
            session: None,
            scps: s.org_policies(p.account.as_ref(), p, false, action),
            rcps: s.org_policies(resource_account, p, true, action),
            resource_policy: key_policy.map(|policy| ResourcePolicy {
                kind: ResourceKind::KmsKey,
                name: self.col.view.arn.clone(),
                policy,
            }),
        };
        authorize(&input, self.tracing)
    }
}

/// One cell decided by the full path, with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct CellReport {
    /// The decision, grants included.
    pub decision: Decision,
    /// What allowed it.
    pub via: Via,
    /// The deciding statements (`grant:ID` for a grant).
    pub deciding: Vec<String>,
    /// The exception of an allowed request the key's state (or its type) refuses.
    pub state_error: Option<ErrorCode>,
    /// The full trace (none when the cross-account rule refused before authorization).
    pub trace: Option<Trace>,
    /// One line saying why.
    pub summary: String,
}

/// What allowed an Allow, from its deciding statements.
pub(super) fn via_of(decision: Decision, deciding: &[String], by_grant: bool) -> Via {
    if by_grant {
        return Via::Grant;
    }
    if decision != Decision::Allow {
        return Via::Nothing;
    }
    let key = deciding.iter().any(|d| d.starts_with("key-policy:"));
    let iam = deciding.iter().any(|d| d.starts_with("identity:"));
    match (key, iam) {
        (true, true) => Via::KeyPolicyAndIam,
        (false, true) => Via::Iam,
        _ => Via::KeyPolicy,
    }
}

/// Decides one cell by the full path: the cross-account rule, then
/// [`crate::kms::authz::authorize_key`] (key policy, IAM, grants) with the scenario runner's
/// IAM side, then the key-state and key-type gates, exactly as `kms::ops` does for a call with
/// the options' encryption context where the operation takes one, and without grant tokens or
/// other request parameters.
pub(super) fn full_path(
    prep: &Prepared<'_>,
    row: &Row<'_>,
    col: &Col<'_>,
    o: usize,
    tracing: bool,
) -> CellReport {
    let Some(op) = prep.ops.get(o) else {
        return CellReport {
            decision: Decision::ImplicitDeny,
            via: Via::Nothing,
            deciding: Vec::new(),
            state_error: None,
            trace: None,
            summary: String::new(),
        };
    };
    if prep.refused_cross_account(row, col, op) {
        return CellReport {
            decision: Decision::ImplicitDeny,
            via: Via::NotCrossAccount,
            deciding: Vec::new(),
            state_error: None,
            trace: None,
            summary: format!("{} cannot be used on a KMS key in another account", op.name),
        };
    }
    let iam = CellIam {
        prep,
        row,
        col,
        tracing,
    };
    let mut ctx = Context::default();
    if let Some(a) = &row.principal.account {
        ctx.insert_single("kms:CallerAccount", a.to_string());
    }
    for (k, v) in col.key_ctx.iter() {
        ctx.insert(k, v.clone());
    }
    // The encryption context's condition keys, as `kms::ops` derives them for the request.
    let ec = prep.request_ec(op);
    crate::kms::ops::encryption_context_keys(&mut ctx, ec);
    let action = format!("kms:{}", op.name);
    let keyed: Vec<Grant> = col
        .grants
        .iter()
        .filter_map(|&i| prep.grants.get(i).cloned())
        .collect();
    let d = authorize_key(
        &iam,
        &KeyRequest {
            action: &action,
            grant_operation: op.grant_op,
            key_arn: &col.view.arn,
            key_id: &col.def.id,
            account: &col.account,
            policy: &col.def.policy,
            context: &ctx,
            encryption_context: ec,
        },
        &keyed,
        prep.now,
        prep.s.grant_propagation,
        &[],
    );
    let mut resp = d.response;
    let mut state_error = None;
    if resp.decision == Decision::Allow {
        let (gate, r) = state::gate(op.name, col.view.state, col.def.origin, &col.view.arn);
        // The key-state gate, then the key-type gates, as the runner applies them.
        state_error = r
            .err()
            .or_else(|| type_gate(op.name, col.def.spec, col.def.usage, &col.view.arn, ec).err())
            .map(|e| e.code);
        if let Some(t) = resp.trace.as_mut() {
            t.key_state = Some(gate);
        }
    }
    CellReport {
        decision: resp.decision,
        via: via_of(resp.decision, &resp.deciding, d.by_grant.is_some()),
        deciding: resp.deciding,
        state_error,
        trace: resp.trace,
        summary: resp.summary,
    }
}

fn op_index(prep: &Prepared<'_>, operation: &str) -> Result<usize, MatrixError> {
    prep.ops
        .iter()
        .position(|o| o.name == operation)
        .ok_or_else(|| {
            let all: Vec<&str> = prep.ops.iter().map(|o| o.name).collect();
            MatrixError::NoSuchOperation(operation.to_string(), all.join(", "))
        })
}

/// Decides one cell (principal ARN, key id, operation name) by the full authorization path,
/// with the trace: what the fast matrix must agree with.
pub fn check_cell(
    s: &Scenario,
    principal: &str,
    key_id: &str,
    operation: &str,
) -> Result<CellReport, MatrixError> {
    check_cell_with(s, &MatrixOptions::default(), principal, key_id, operation)
}

/// [`check_cell`] with the options' context keys in the request, and their encryption context
/// in the request of an operation that takes one.
pub fn check_cell_with(
    s: &Scenario,
    opts: &MatrixOptions,
    principal: &str,
    key_id: &str,
    operation: &str,
) -> Result<CellReport, MatrixError> {
    let prep = Prepared::new(s, opts, Some(principal), Some(key_id))?;
    let o = op_index(&prep, operation)?;
    match (prep.rows.first(), prep.cols.first()) {
        (Some(row), Some(col)) => Ok(full_path(&prep, row, col, o, true)),
        _ => Err(MatrixError::NoSuchPrincipal(principal.to_string())),
    }
}

/// The full trace of cell `(p, k, o)` of `m` (computed from `s`), as a step result the app's
/// trace view shows: the request, every policy layer, the grants and the key-state gate.
pub fn trace_for(
    s: &Scenario,
    m: &AccessMatrix,
    p: usize,
    k: usize,
    o: usize,
) -> Result<StepResult, MatrixError> {
    let (Some(pr), Some(key), Some(op)) = (m.principals.get(p), m.keys.get(k), m.operations.get(o))
    else {
        return Err(MatrixError::NoSuchCell(p, k, o));
    };
    let opts = MatrixOptions {
        include_roots: true,
        context: m.context.clone(),
        encryption_context: m.encryption_context.clone(),
    };
    let r = check_cell_with(s, &opts, &pr.arn, &key.id, op)?;
    let ec = if crate::kms::model::takes_encryption_context(op) {
        m.encryption_context.clone()
    } else {
        Default::default()
    };
    let action = format!("kms:{op}");
    let (error, message, reason) = match (r.decision, r.state_error) {
        (Decision::Allow, None) => (None, None, r.summary.clone()),
        (Decision::Allow, Some(code)) => (
            Some(code.as_str().to_string()),
            r.trace
                .as_ref()
                .and_then(|t| t.key_state.as_ref())
                .and_then(|g| g.error.clone())
                .or_else(|| {
                    s.keys.iter().find(|d| d.id == key.id).and_then(|d| {
                        type_gate(op, d.spec, d.usage, &key.arn, &ec)
                            .err()
                            .map(|e| e.message)
                    })
                }),
            format!("authorized, then {}", code.as_str()),
        ),
        // Refused by the API's cross-account rule before any policy was read, as the runner
        // reports such a call.
        _ if r.via == Via::NotCrossAccount => (
            Some(ErrorCode::AccessDeniedException.as_str().to_string()),
            Some(format!(
                "User: {} is not authorized to perform: {action} on resource: {} because {}",
                pr.arn, key.arn, r.summary
            )),
            format!(
                "{} (the API's cross-account rule), so no policy was evaluated",
                r.summary
            ),
        ),
        _ => (
            Some(ErrorCode::AccessDeniedException.as_str().to_string()),
            Some(format!(
                "User: {} is not authorized to perform: {action} on resource: {}",
                pr.arn, key.arn
            )),
            r.summary.clone(),
        ),
    };
    Ok(StepResult {
        id: format!("{} x {} x {op}", pr.arn, key.id),
        index: 0,
        call: Some(action),
        caller: Some(pr.arn.clone()),
        resource: Some(key.arn.clone()),
        time: s.defaults.time.to_string(),
        context: Vec::new(),
        decision: (r.via != Via::NotCrossAccount).then_some(r.decision),
        error,
        message,
        reason,
        output: None,
        authorization_only: true,
        trace: r.trace,
        proxy_calls: Vec::new(),
        expectation: None,
        not_run: None,
    })
}
