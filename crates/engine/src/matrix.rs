//! The access matrix: for a whole scenario, every principal x every KMS key x every KMS
//! operation on a key, with the outcome of each cell: allowed (by the key policy, IAM or a
//! grant), explicitly or implicitly denied, and the key-state exception when the key's state
//! refuses an allowed operation.
//!
//! **Which world.** The scenario's initial world: its IAM, keys, aliases, tags and grants as
//! declared, at `defaults.time`, before any step runs. That is the world the app's "compose a
//! request" form ([`crate::scenario::evaluate_adhoc`]) decides against; the world after the
//! steps lives inside the runner and is not exposed.
//!
//! **Which request.** A cell is the request `kms:OPERATION` on the key's ARN by the principal,
//! with every context key AWS derives (the caller's, `aws:ResourceAccount`, and those KMS sets
//! for a key: `kms:CallerAccount`, `kms:KeyOrigin`, `kms:KeySpec`, `kms:KeyUsage`,
//! `kms:MultiRegion`, `kms:ResourceAliases`, `aws:ResourceTag/*`), the context keys the options
//! give ([`MatrixOptions::context`]), and none a particular request would add: no grant tokens,
//! no request parameters (`kms:EncryptionAlgorithm`, `kms:GrantOperations`, ...), no alias in
//! the request, no session. Every cell agrees exactly with the full authorization path for that
//! request ([`check_cell`], which runs [`crate::kms::authz::authorize_key`] and the key-state
//! gate of [`crate::kms::state`]); `crates/engine/tests/matrix.rs` checks every cell of every
//! scenario in `scenarios/` against it.
//!
//! **Encryption context.** Without one ([`MatrixOptions::encryption_context`] empty) no cell has
//! an encryption context, and a grant's constraint is judged as for a request without one. With
//! one, the cells of the operations whose request takes an encryption context
//! ([`crate::kms::model::takes_encryption_context`]: Encrypt, Decrypt, ReEncryptFrom (its source
//! context), ReEncryptTo (its destination context), GenerateDataKey(WithoutPlaintext) and
//! GenerateDataKeyPair(WithoutPlaintext)) carry it as the runner builds such a request: the
//! condition keys `kms:EncryptionContext:KEY` and `kms:EncryptionContextKeys`
//! (`kms::ops::encryption_context_keys`), grant constraints judged against it
//! ([`crate::kms::grant::constraint_holds`]), and Encrypt under an asymmetric key refused with
//! `ValidationException` after authorization, as the runner refuses it
//! ([`crate::kms::spec::encryption_context_gate`]). The other operations' cells are unchanged.
//!
//! **Speed.** Under that request the context does not depend on the operation, except for the
//! encryption context, which the operations that take one add: so a policy statement's
//! Principal, Resource and Condition elements give one answer for the operations without an
//! encryption context and one for those with it; only Action/NotAction, grants, the
//! cross-account rule and the key-state gate depend on the operation itself. Those checks run
//! once per (principal, key), twice with an encryption context and only for the statements
//! that can read it (`stmt.rs`), and the policy evaluator runs once per distinct set of
//! applying statements per principal, not once per cell (`fast.rs`); a million cells take well
//! under a second in wasm (`docs/access-matrix.md`).

mod check;
mod export;
mod fast;
mod stmt;
pub mod synthetic;
mod world;

pub use check::{check_cell, check_cell_with, trace_for, CellReport};
pub use export::{Filtered, KeptCell, MatrixFilter, OutcomeFilter};
pub(crate) use world::key_context;

use crate::iam::context::ContextValue;
use crate::kms::error::ErrorCode;
use crate::kms::model::KeyState;
use crate::trace::Decision;
use serde::Serialize;
use std::collections::BTreeMap;

/// The most cells a matrix may have: beyond it the matrix would not fit a browser tab's memory
/// comfortably (8 bytes a cell).
pub const MAX_CELLS: usize = 8_000_000;

/// Choices for computing a matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixOptions {
    /// Whether the accounts' root users are rows (they are in AWS; hiding them leaves the
    /// principals the scenario declares).
    pub include_roots: bool,
    /// Context keys every cell's request carries, as a step's `context` gives them
    /// (`aws:SourceIp`, `aws:ViaService`, `aws:MultiFactorAuthPresent`, ...). Keys the
    /// simulator derives for each caller or key are refused ([`MatrixError::DerivedKey`]), and
    /// so are `kms:EncryptionContext*` keys ([`MatrixError::EncryptionContextKey`]): give the
    /// encryption context itself in [`MatrixOptions::encryption_context`].
    pub context: Vec<(String, ContextValue)>,
    /// The encryption context of the requests of the operations that take one (Encrypt,
    /// Decrypt, ReEncrypt's two sides, GenerateDataKey*, GenerateDataKeyPair*), as a step's
    /// `EncryptionContext` gives it; empty for none (every cell as for a request without one).
    pub encryption_context: BTreeMap<String, String>,
}

impl Default for MatrixOptions {
    fn default() -> Self {
        MatrixOptions {
            include_roots: true,
            context: Vec::new(),
            encryption_context: BTreeMap::new(),
        }
    }
}

/// Why a matrix (or one of its cells) cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// The matrix would be too large.
    #[error("the matrix would have {cells} cells ({principals} principals x {keys} keys x {operations} operations), more than the {max} a matrix may have")]
    TooLarge {
        /// Cells asked for.
        cells: usize,
        /// Rows.
        principals: usize,
        /// Keys.
        keys: usize,
        /// Operations.
        operations: usize,
        /// [`MAX_CELLS`].
        max: usize,
    },
    /// A principal of the scenario cannot call (a malformed ARN).
    #[error("principal `{arn}` cannot be a caller: {why}")]
    Principal {
        /// The ARN.
        arn: String,
        /// The resolver's message.
        why: String,
    },
    /// No such principal in the scenario.
    #[error("there is no principal `{0}` in the scenario")]
    NoSuchPrincipal(String),
    /// No such key in the scenario.
    #[error("there is no key `{0}` in the scenario")]
    NoSuchKey(String),
    /// Not an operation of the matrix.
    #[error("`{0}` is not a KMS operation on a key (the matrix has {1})")]
    NoSuchOperation(String, String),
    /// A cell index out of range.
    #[error("there is no cell ({0}, {1}, {2}) in the matrix")]
    NoSuchCell(usize, usize, usize),
    /// A context key the simulator derives for each cell.
    #[error("`{0}` is set by the simulator for each cell (from the caller or the key); the matrix's context takes keys a request carries, such as aws:SourceIp or aws:ViaService")]
    DerivedKey(String),
    /// An encryption-context key among the context keys: the encryption context is given on
    /// its own ([`MatrixOptions::encryption_context`]).
    #[error("`{0}` comes from a request's encryption context: give the encryption context itself in the matrix's encryption context option instead (the operations that take one carry it, and grant constraints read it)")]
    EncryptionContextKey(String),
    /// An encryption context KMS refuses before authorizing (too large).
    #[error("the encryption context would be refused before authorization: {0}")]
    EncryptionContextRefused(String),
}

/// What made an allowed cell allowed, or a refused one refused before any policy was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Via {
    /// Nothing allowed (the cell is denied by policy).
    Nothing,
    /// The key policy alone.
    KeyPolicy,
    /// IAM policies, where the key policy delegates to the account.
    Iam,
    /// Both: the key policy and the caller's IAM policies (cross-account use needs both).
    KeyPolicyAndIam,
    /// A grant.
    Grant,
    /// The operation cannot be used on a key in another account, whatever the policies say
    /// (the API reference's "Cross-account use: No").
    NotCrossAccount,
}

impl Via {
    /// The name in CSV and the app.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Nothing => "",
            Via::KeyPolicy => "key policy",
            Via::Iam => "IAM",
            Via::KeyPolicyAndIam => "key policy + IAM",
            Via::Grant => "grant",
            Via::NotCrossAccount => "not cross-account",
        }
    }
}

/// The outcome of one cell, in one word (colour and filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    /// Allowed, and the key's state lets the operation run.
    Allowed,
    /// Allowed, but the key's state refuses the operation (its exception is in the cell).
    AllowedButStateRefuses,
    /// An explicit deny applies.
    ExplicitDeny,
    /// Nothing allows (or the operation is not available across accounts).
    ImplicitDeny,
}

impl Outcome {
    /// The name in CSV and the app.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "Allowed",
            Outcome::AllowedButStateRefuses => "AllowedButStateRefuses",
            Outcome::ExplicitDeny => "ExplicitDeny",
            Outcome::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// One cell: 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The authorization decision (with grants).
    pub decision: Decision,
    /// What allowed it.
    pub via: Via,
    /// The key-state exception when the decision is Allow and the key's state refuses.
    pub state_error: Option<ErrorCode>,
    /// Index of the deciding statements in [`AccessMatrix::reasons`].
    pub reason: u32,
}

impl Cell {
    /// The outcome in one word.
    pub fn outcome(&self) -> Outcome {
        match (self.decision, self.state_error) {
            (Decision::Allow, None) => Outcome::Allowed,
            (Decision::Allow, Some(_)) => Outcome::AllowedButStateRefuses,
            (Decision::ExplicitDeny, _) => Outcome::ExplicitDeny,
            (Decision::ImplicitDeny, _) => Outcome::ImplicitDeny,
        }
    }
}

/// Which kind of principal a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RowKind {
    /// An IAM user.
    User,
    /// A session of an IAM role (`assumed-role/ROLE/console`).
    RoleSession,
    /// An account's root user.
    Root,
}

/// A row: a principal that can call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixPrincipal {
    /// The caller ARN.
    pub arn: String,
    /// User, role session or root.
    pub kind: RowKind,
    /// Its account.
    pub account: String,
}

/// A key of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixKey {
    /// Key id.
    pub id: String,
    /// Key ARN.
    pub arn: String,
    /// Its account.
    pub account: String,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// The state requests see.
    pub state: KeyState,
}

/// The matrix: `principals.len() x keys.len() x operations.len()` cells, principal-major.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessMatrix {
    /// Rows: users, a session of every role, and (by default) every account's root user.
    pub principals: Vec<MatrixPrincipal>,
    /// Every key of the scenario.
    pub keys: Vec<MatrixKey>,
    /// The KMS operations on a key (`Encrypt`, `DescribeKey`, ...), in the engine's order.
    pub operations: Vec<&'static str>,
    /// The cells: index `(p * keys + k) * operations + o`.
    pub cells: Vec<Cell>,
    /// The deciding statements of cells (`key-policy:SID, identity:POLICY:SID`, `grant:ID`),
    /// each once; a cell points at one.
    pub reasons: Vec<String>,
    /// The context keys every cell's request carried ([`MatrixOptions::context`]); a cell's
    /// trace ([`trace_for`]) is computed with them.
    pub context: Vec<(String, ContextValue)>,
    /// The encryption context the cells of the operations that take one carried
    /// ([`MatrixOptions::encryption_context`]; empty for none); a cell's trace uses it too.
    pub encryption_context: BTreeMap<String, String>,
}

impl AccessMatrix {
    /// The cell of principal `p`, key `k`, operation `o`.
    pub fn cell(&self, p: usize, k: usize, o: usize) -> Option<Cell> {
        self.index(p, k, o).and_then(|i| self.cells.get(i).copied())
    }

    fn index(&self, p: usize, k: usize, o: usize) -> Option<usize> {
        (p < self.principals.len() && k < self.keys.len() && o < self.operations.len())
            .then(|| (p * self.keys.len() + k) * self.operations.len() + o)
    }

    /// The deciding statements of a cell, joined (empty when nothing decided).
    pub fn reason(&self, c: &Cell) -> &str {
        usize::try_from(c.reason)
            .ok()
            .and_then(|i| self.reasons.get(i))
            .map_or("", String::as_str)
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the matrix has no cell.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Computes the access matrix of the scenario's initial world (pass the result of
/// [`crate::scenario::world_after_steps`] for the world its steps leave).
pub fn access_matrix(
    s: &crate::Scenario,
    opts: &MatrixOptions,
) -> Result<AccessMatrix, MatrixError> {
    let prep = world::Prepared::new(s, opts, None, None)?;
    fast::compute(&prep)
}

/// The matrix's operations: every KMS operation the engine executes that acts on one key, in
/// the engine's order ([`crate::kms::ops::OPERATIONS`]). An operation that authorizes two
/// actions on two keys (`ReEncrypt`: `ReEncryptFrom` on the source, `ReEncryptTo` on the
/// destination, both grant operations) is two columns, one per action.
pub fn operations() -> Vec<&'static str> {
    world::operations().into_iter().map(|o| o.name).collect()
}
