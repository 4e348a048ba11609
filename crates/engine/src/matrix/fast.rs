//! The fast computation: the policy evaluator runs once per distinct set of applying
//! statements per principal, not once per cell.
//!
//! Why it is exact. A cell's request has the same context for every operation (no request
//! parameters, see [`super`]), except that, when the matrix has an encryption context, the
//! operations that take one add its condition keys; and the organization policies that apply
//! depend on the action's service only (`kms` for every column). So a statement's Resource,
//! Principal and Condition elements answer the same for every operation of a (principal, key)
//! pair that has the same one of those two contexts; `stmt.rs` runs those checks once per pair
//! with the evaluator's rules, and a second time with the encryption context for the statements
//! that can read it (the others answer the same). The statements that apply to operation `o`
//! are then those of the set of `o`'s context whose Action/NotAction matches `o` (a table per
//! statement). The evaluator's answer (decision, deciding statements, whether an SCP or RCP
//! blocks) is a function of the caller, the key's account and which statements apply with how
//! their Principal names the caller; so one evaluation serves every cell, of any key of the
//! same account, whose applying statements are the same (the memo of a row). Key-policy
//! statements of different keys count as the same when their effect and label (the name in
//! `deciding`) are. Condition keys that vary by operation in AWS (`kms:EncryptionAlgorithm`,
//! `kms:GrantOperations`, `kms:GrantIsForAWSResource`, `kms:ReEncryptOnSameKey`,
//! `kms:RotationPeriodInDays`, `kms:ScheduleKeyDeletionPendingWindowInDays`,
//! `kms:BypassPolicyLockoutSafetyCheck`, `aws:TagKeys`, ...) are request parameters, absent
//! from every cell, so no condition needs evaluating per operation.
//!
//! What does depend on the operation is applied per cell after the policy decision: grants
//! (a table per grant), the cross-account rule and the key-state gate (a table per key),
//! exactly as [`crate::kms::authz::authorize_key`] and `kms::ops` apply them.

use super::check::via_of;
use super::stmt::{
    applies, op_matches, reads_encryption_context, Named, Stmt, Target, IAM_ONLY_KMS_KEYS,
};
use super::world::{Col, Op, Prepared, Row};
use super::{AccessMatrix, Cell, MatrixError, Via, MAX_CELLS};
use crate::iam::arn::PreparedResource;
use crate::iam::context::{Context, Request};
use crate::iam::evaluate::{authorize, OrgPolicies};
use crate::iam::policy::{Effect, Statement};
use crate::trace::Decision;
use std::collections::HashMap;

fn org<'a>(o: &'a OrgPolicies<'a>) -> impl Iterator<Item = &'a Statement> {
    let levels: &'a [crate::iam::evaluate::OrgLevel<'a>] = match o {
        OrgPolicies::Levels(l) => l,
        OrgPolicies::NotApplicable(_) => &[],
    };
    levels
        .iter()
        .flat_map(|l| l.policies.iter().flat_map(|p| p.policy.statements.iter()))
}

/// Statement identities for the memo: a row's own statements by position, key-policy
/// statements by effect and label, RCP statements by address (shared by every key of the
/// account).
const ROW: u64 = 0;
const KEY_POLICY: u64 = 1 << 60;
const RCP: u64 = 2 << 60;

fn row_stmts<'a>(row: &'a Row<'a>, prep: &Prepared<'_>, chars: &[Vec<char>]) -> Vec<Stmt<'a>> {
    row.identity
        .iter()
        .chain(row.boundary.iter())
        .flat_map(|p| p.policy.statements.iter())
        .chain(org(&row.scps))
        .enumerate()
        .map(|(i, s)| Stmt {
            s,
            ops: op_matches(s, &prep.ops, chars),
            key_policy: false,
            uid: ROW | u64::try_from(i).unwrap_or(0),
            ec: prep.ec_keys.is_some() && reads_encryption_context(s),
        })
        .collect()
}

fn col_stmts<'a>(
    col: &'a Col<'a>,
    prep: &Prepared<'_>,
    chars: &[Vec<char>],
    labels: &mut HashMap<(bool, String), u64>,
) -> Vec<Stmt<'a>> {
    let mut v: Vec<Stmt<'a>> = col
        .def
        .policy
        .statements
        .iter()
        .map(|s| {
            let n = u64::try_from(labels.len()).unwrap_or(0);
            let id = *labels
                .entry((s.effect == Effect::Allow, s.label()))
                .or_insert(n);
            Stmt {
                s,
                ops: op_matches(s, &prep.ops, chars),
                key_policy: true,
                uid: KEY_POLICY | id,
                ec: prep.ec_keys.is_some() && reads_encryption_context(s),
            }
        })
        .collect();
    v.extend(org(&col.rcps).map(|s| Stmt {
        s,
        ops: op_matches(s, &prep.ops, chars),
        key_policy: false,
        uid: RCP | (std::ptr::from_ref(s) as usize as u64),
        ec: prep.ec_keys.is_some() && reads_encryption_context(s),
    }));
    v
}

/// The statements that apply to a pair's requests, apart from their Action.
type Applying<'a, 'b> = Vec<(&'a Stmt<'b>, Named)>;

/// The applying statements of operation `op`'s request: those under the encryption context when
/// the operation takes one and they differ, those without it otherwise.
fn set_of<'x, 'a, 'b>(
    op: &Op,
    plain: &'x Applying<'a, 'b>,
    with_ec: Option<&'x Applying<'a, 'b>>,
) -> (bool, &'x Applying<'a, 'b>) {
    match with_ec {
        Some(a) if op.takes_ec => (true, a),
        _ => (false, plain),
    }
}

/// Groups the operations by which applying statements (of their request's context) their
/// Action matches: operations in one group get one policy decision. Fills each operation's
/// group.
fn classes(
    plain: &Applying<'_, '_>,
    with_ec: Option<&Applying<'_, '_>>,
    ops: &[Op],
    out: &mut Vec<u16>,
) {
    out.clear();
    let mut seen: Vec<(bool, Vec<bool>)> = Vec::new();
    for (o, op) in ops.iter().enumerate() {
        let (ec, applying) = set_of(op, plain, with_ec);
        let sig = (
            ec,
            applying
                .iter()
                .map(|(s, _)| s.ops.get(o).copied().unwrap_or(true))
                .collect::<Vec<bool>>(),
        );
        let id = match seen.iter().position(|x| *x == sig) {
            Some(i) => i,
            None => {
                seen.push(sig);
                seen.len() - 1
            }
        };
        out.push(u16::try_from(id).unwrap_or(u16::MAX));
    }
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
    let chars: Vec<Vec<char>> = prep
        .ops
        .iter()
        .map(|o| o.action_lc.chars().collect())
        .collect();
    let mut labels = HashMap::new();
    let col_st: Vec<Vec<Stmt<'_>>> = prep
        .cols
        .iter()
        .map(|c| col_stmts(c, prep, &chars, &mut labels))
        .collect();
    // Key policies that test an IAM-only key see a context without it.
    let hides: Vec<bool> = prep
        .cols
        .iter()
        .map(|c| {
            c.def.policy.statements.iter().any(|s| {
                s.conditions.iter().any(|cd| {
                    IAM_ONLY_KMS_KEYS
                        .iter()
                        .any(|k| cd.key.eq_ignore_ascii_case(k))
                })
            })
        })
        .collect();
    // Keys of the same account with the same KMS context keys (tags, aliases, origin) give a
    // caller the same request context: it is built once per such group and row.
    let mut groups: HashMap<String, usize> = HashMap::new();
    let ctx_group: Vec<usize> = prep
        .cols
        .iter()
        .map(|c| {
            let mut sig = c.account.to_string();
            for (k, v) in c.key_ctx.iter() {
                sig.push('\n');
                sig.push_str(k);
                for x in v.values() {
                    sig.push('\t');
                    sig.push_str(x);
                }
            }
            let n = groups.len();
            *groups.entry(sig).or_insert(n)
        })
        .collect();
    let arns: Vec<PreparedResource> = prep
        .cols
        .iter()
        .map(|c| PreparedResource::new(&c.view.arn))
        .collect();
    let mut accounts: Vec<&crate::iam::arn::AccountId> = Vec::new();
    let col_account: Vec<usize> = prep
        .cols
        .iter()
        .map(|c| match accounts.iter().position(|a| **a == c.account) {
            Some(i) => i,
            None => {
                accounts.push(&c.account);
                accounts.len() - 1
            }
        })
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
    let mut class_of: Vec<u16> = Vec::with_capacity(no);
    let mut per_class: Vec<Option<Decided>> = Vec::new();
    for row in &prep.rows {
        let rs = row_stmts(row, prep, &chars);
        // The row's memo: (key account, applying statements) -> decision.
        let mut memo: HashMap<(usize, Vec<(u64, Named)>), Decided> = HashMap::new();
        // Per group: the request context, and the one with the encryption context if any.
        let mut contexts: Vec<Option<(Context, Option<Context>)>> = vec![None; groups.len()];
        for ((((col, cs), (&acct, &hide)), &group), arn) in prep
            .cols
            .iter()
            .zip(&col_st)
            .zip(col_account.iter().zip(&hides))
            .zip(&ctx_group)
            .zip(&arns)
        {
            let Some(slot) = contexts.get_mut(group) else {
                continue;
            };
            let (context, ec_context) = &*slot.get_or_insert_with(|| {
                let plain = prep.context(row, col);
                let with_ec = prep.with_ec(&plain);
                (plain, with_ec)
            });
            let hidden = hide.then(|| context.without(IAM_ONLY_KMS_KEYS));
            let hidden_ec = ec_context
                .as_ref()
                .filter(|_| hide)
                .map(|c| c.without(IAM_ONLY_KMS_KEYS));
            let target = Target {
                caller: &row.principal,
                partition: &prep.s.defaults.partition,
                has_boundary: row.boundary.is_some(),
                arn,
            };
            let mut applying: Applying<'_, '_> = Vec::new();
            let mut applying_ec: Applying<'_, '_> = Vec::new();
            let mut ec_differs = false;
            for st in rs.iter().chain(cs) {
                // Key policies see the context without IAM-only keys.
                let ctx = match (&hidden, st.key_policy) {
                    (Some(h), true) => h,
                    _ => context,
                };
                let plain = applies(st.s, &target, ctx);
                if let Some(n) = plain {
                    applying.push((st, n));
                }
                // With an encryption context, only a statement that can read it may answer
                // differently; the check runs a second time for those alone.
                if let Some(full) = ec_context {
                    let with_ec = if st.ec {
                        let ctx = match (&hidden_ec, st.key_policy) {
                            (Some(h), true) => h,
                            _ => full,
                        };
                        applies(st.s, &target, ctx)
                    } else {
                        plain
                    };
                    ec_differs |= with_ec != plain;
                    if let Some(n) = with_ec {
                        applying_ec.push((st, n));
                    }
                }
            }
            // The same statements apply with and without it: one set serves every operation.
            let applying_ec = ec_differs.then_some(applying_ec);
            classes(&applying, applying_ec.as_ref(), &prep.ops, &mut class_of);
            per_class.clear();
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
                let class = usize::from(class_of.get(o).copied().unwrap_or(u16::MAX));
                if per_class.len() <= class {
                    per_class.resize(class + 1, None);
                }
                let decided = match per_class.get(class).copied().flatten() {
                    Some(d) => d,
                    None => {
                        let (_, applying) = set_of(op, &applying, applying_ec.as_ref());
                        // The operation's own request (when the two sets agree either context
                        // gives the same answer, since the same statements apply).
                        let context = match (op.takes_ec, ec_context) {
                            (true, Some(c)) => c,
                            _ => context,
                        };
                        let key: Vec<(u64, Named)> = applying
                            .iter()
                            .filter(|(s, _)| s.ops.get(o).copied().unwrap_or(true))
                            .map(|(s, n)| (s.uid, *n))
                            .collect();
                        let d = match memo.get(&(acct, key.clone())) {
                            Some(d) => *d,
                            None => {
                                let request = Request {
                                    principal: row.principal.clone(),
                                    action: format!("kms:{}", op.name),
                                    resource: col.view.arn.clone(),
                                    resource_account: Some(col.account.clone()),
                                    partition: prep.s.defaults.partition.clone(),
                                    context: context.clone(),
                                };
                                let resp = authorize(&prep.input(row, col, &request), false);
                                let d = Decided {
                                    decision: resp.decision,
                                    org_blocked: resp.org_blocked,
                                    via: via_of(resp.decision, &resp.deciding, false),
                                    reason: reasons.id(&resp.deciding),
                                };
                                memo.insert((acct, key), d);
                                d
                            }
                        };
                        if let Some(slot) = per_class.get_mut(class) {
                            *slot = Some(d);
                        }
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
        context: prep.user_context.clone(),
        encryption_context: prep.ec.clone(),
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
