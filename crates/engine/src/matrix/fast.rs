//! The fast computation: one policy evaluation per class of operations per (principal, key).
//!
//! Why it is exact. A cell's request has the same context for every operation (no request
//! parameters, see the module docs of [`super`]), and the organization policies that apply
//! depend on the action's service only (`kms` for every column). So a statement's Resource,
//! Principal and Condition elements answer the same for every operation, and the statements
//! that apply to operation `o` are those whose Action/NotAction matches `o` among a set that
//! does not depend on `o`. Two operations that every Action/NotAction of the policies of a
//! (principal, key) pair matches alike (the same signature) get the same applying statements,
//! hence the same policy decision and deciding statements. Condition keys that vary by
//! operation in AWS (`kms:EncryptionAlgorithm`, `kms:GrantOperations`,
//! `kms:GrantIsForAWSResource`, `kms:ReEncryptOnSameKey`, `kms:RotationPeriodInDays`,
//! `kms:ScheduleKeyDeletionPendingWindowInDays`, `kms:BypassPolicyLockoutSafetyCheck`,
//! `aws:TagKeys`, ...) are request parameters, absent from every cell, so no statement's
//! condition needs a per-operation evaluation.
//!
//! Signatures are computed per principal (its identity policies, boundary, SCPs) and per key
//! (its key policy, RCPs); a pair's class is the pair of the two. What does depend on the
//! operation is applied per cell after the class's decision: grants (a bitset per grant), the
//! cross-account rule and the key-state gate (a table per key), exactly as
//! [`crate::kms::authz::authorize_key`] and `kms::ops` apply them.

use super::check::via_of;
use super::world::{Col, Op, Prepared, Row};
use super::{AccessMatrix, Cell, MatrixError, Via, MAX_CELLS};
use crate::iam::context::Request;
use crate::iam::evaluate::{authorize, OrgPolicies};
use crate::iam::policy::Statement;
use crate::trace::Decision;
use std::collections::HashMap;

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

/// For each operation, its class among `ops` for the given statements: operations with the
/// same match vector over the statements share a class id.
fn classes<'a>(stmts: impl Iterator<Item = &'a Statement> + Clone, ops: &[Op]) -> Vec<u16> {
    let chars: Vec<Vec<char>> = ops.iter().map(|o| o.action_lc.chars().collect()).collect();
    let mut seen: HashMap<Vec<bool>, u16> = HashMap::new();
    ops.iter()
        .zip(&chars)
        .map(|(op, ch)| {
            let sig: Vec<bool> = stmts
                .clone()
                .map(|s| action_matches(s, &op.action_lc, ch))
                .collect();
            let next = u16::try_from(seen.len()).unwrap_or(u16::MAX);
            *seen.entry(sig).or_insert(next)
        })
        .collect()
}

fn org<'a>(o: &'a OrgPolicies<'a>) -> impl Iterator<Item = &'a Statement> + Clone {
    let levels: &'a [crate::iam::evaluate::OrgLevel<'a>] = match o {
        OrgPolicies::Levels(l) => l,
        OrgPolicies::NotApplicable(_) => &[],
    };
    levels
        .iter()
        .flat_map(|l| l.policies.iter().flat_map(|p| p.policy.statements.iter()))
}

fn row_classes(row: &Row<'_>, ops: &[Op]) -> Vec<u16> {
    let stmts = row
        .identity
        .iter()
        .chain(row.boundary.iter())
        .flat_map(|p| p.policy.statements.iter())
        .chain(org(&row.scps));
    classes(stmts, ops)
}

fn col_classes(col: &Col<'_>, ops: &[Op]) -> Vec<u16> {
    let stmts = col.def.policy.statements.iter().chain(org(&col.rcps));
    classes(stmts, ops)
}

/// Interns reason strings.
#[derive(Default)]
struct Reasons {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Reasons {
    fn id(&mut self, deciding: &[String]) -> u32 {
        if deciding.is_empty() {
            return 0;
        }
        let text = deciding.join(", ");
        if let Some(&i) = self.index.get(&text) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(text.clone());
        self.index.insert(text, i);
        i
    }
}

/// Computes every cell.
pub(super) fn compute(prep: &Prepared<'_>) -> Result<AccessMatrix, MatrixError> {
    let (np, nk, no) = (prep.rows.len(), prep.cols.len(), prep.ops.len());
    let cells_n = np.saturating_mul(nk).saturating_mul(no);
    if cells_n > MAX_CELLS {
        return Err(MatrixError::TooLarge {
            cells: cells_n,
            principals: np,
            keys: nk,
            operations: no,
            max: MAX_CELLS,
        });
    }
    let row_cls: Vec<Vec<u16>> = prep
        .rows
        .iter()
        .map(|r| row_classes(r, &prep.ops))
        .collect();
    let col_cls: Vec<Vec<u16>> = prep
        .cols
        .iter()
        .map(|c| col_classes(c, &prep.ops))
        .collect();
    let mut reasons = Reasons {
        list: vec![String::new()],
        ..Reasons::default()
    };
    let grant_reasons: Vec<u32> = prep
        .grants
        .iter()
        .map(|g| reasons.id(&[format!("grant:{}", g.id)]))
        .collect();
    let mut cells = Vec::with_capacity(cells_n);
    // Per pair: the classes met so far, with their decision.
    let mut memo: Vec<((u16, u16), Decided)> = Vec::new();
    for (row, rc) in prep.rows.iter().zip(&row_cls) {
        for (col, cc) in prep.cols.iter().zip(&col_cls) {
            memo.clear();
            let mut request: Option<Request> = None;
            // Grants on this key that name this caller.
            let mine: Vec<usize> = col
                .grants
                .iter()
                .copied()
                .filter(|&g| {
                    prep.grants.get(g).is_some_and(|g| {
                        crate::kms::grant::grantee_matches(&g.grantee, &row.principal)
                    })
                })
                .collect();
            for (o, op) in prep.ops.iter().enumerate() {
                if prep.refused_cross_account(row, col, op) {
                    cells.push(Cell {
                        decision: Decision::ImplicitDeny,
                        via: Via::NotCrossAccount,
                        state_error: None,
                        reason: 0,
                    });
                    continue;
                }
                let class = (
                    rc.get(o).copied().unwrap_or(u16::MAX),
                    cc.get(o).copied().unwrap_or(u16::MAX),
                );
                let decided = match memo.iter().find(|(c, _)| *c == class) {
                    Some((_, d)) => *d,
                    None => {
                        let req = request.get_or_insert_with(|| Request {
                            principal: row.principal.clone(),
                            action: String::new(),
                            resource: col.view.arn.clone(),
                            resource_account: Some(col.account.clone()),
                            partition: prep.s.defaults.partition.clone(),
                            context: prep.context(row, col),
                        });
                        req.action.clear();
                        req.action.push_str("kms:");
                        req.action.push_str(op.name);
                        let resp = authorize(&prep.input(row, col, req), false);
                        let d = Decided {
                            decision: resp.decision,
                            org_blocked: resp.org_blocked,
                            via: via_of(resp.decision, &resp.deciding, false),
                            reason: reasons.id(&resp.deciding),
                        };
                        memo.push((class, d));
                        d
                    }
                };
                cells.push(cell(prep, col, o, &mine, &grant_reasons, decided));
            }
        }
    }
    Ok(AccessMatrix {
        principals: prep.rows.iter().map(|r| r.view.clone()).collect(),
        keys: prep.cols.iter().map(|c| c.view.clone()).collect(),
        operations: prep.ops.iter().map(|o| o.name).collect(),
        cells,
        reasons: reasons.list,
    })
}

/// A class's policy decision.
#[derive(Clone, Copy)]
struct Decided {
    decision: Decision,
    org_blocked: bool,
    via: Via,
    reason: u32,
}

/// The cell from its class's decision, then grants and the key-state gate, in the order and
/// with the rules of [`crate::kms::authz::authorize_key`] and `kms::ops`.
fn cell(
    prep: &Prepared<'_>,
    col: &Col<'_>,
    o: usize,
    mine: &[usize],
    grant_reasons: &[u32],
    d: Decided,
) -> Cell {
    // A grant allows only what nothing denies and no SCP or RCP blocks; the first one in
    // effect that covers the operation is the one named.
    let by_grant = (d.decision == Decision::ImplicitDeny && !d.org_blocked)
        .then(|| {
            mine.iter().copied().find(|&g| {
                prep.grant_ops
                    .get(g)
                    .and_then(|ops| ops.get(o))
                    .copied()
                    .unwrap_or(false)
            })
        })
        .flatten();
    let (decision, via, reason) = match by_grant {
        Some(g) => (
            Decision::Allow,
            Via::Grant,
            grant_reasons.get(g).copied().unwrap_or(0),
        ),
        None => (d.decision, d.via, d.reason),
    };
    Cell {
        decision,
        via,
        state_error: if decision == Decision::Allow {
            col.gate.get(o).copied().flatten()
        } else {
            None
        },
        reason,
    }
}
