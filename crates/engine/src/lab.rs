//! Labs: a scenario with a `lab` object of tasks, each task checked automatically against the
//! user's own version of the scenario.
//!
//! A lab file is an ordinary scenario (its `description` is the lab's markdown instructions)
//! with a top-level `lab` object that [`crate::parse_scenario`] reads into [`Lab`]. The user
//! edits the scenario (policies, steps); [`check_lab`] then runs the user's scenario and judges
//! each task's [`Check`]s against what the user built, never against the lab file's own text:
//!
//! - [`CheckKind::Steps`]: probe steps run after the user's steps; every `expect` must hold.
//! - [`CheckKind::Only`]: exactly the named principals (among every IAM user and role of the
//!   world) can make a call.
//! - [`CheckKind::Policy`]: assertions on a key policy or managed policy as it stands after the
//!   user's steps (no findings of a kind, only these actions, only these resources).
//! - [`CheckKind::Sequence`]: the user's own steps did these things, in this order (access-key
//!   rotation: create, switch, then delete).
//!
//! The format is documented in `docs/labs.md`.

mod check;
mod parse;
mod policy;

pub use check::{check_lab, check_lab_with};
pub(crate) use parse::parse_lab;

use crate::json::Pos;
use crate::scenario::Step;
use serde::Serialize;
use std::fmt;

/// A lab's id (`seed-001-nps`): unique across all labs, used in URLs and test ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LabId(pub String);

/// A task's id, unique within its lab.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TaskId(pub String);

impl fmt::Display for LabId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Which list a lab belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Track {
    /// One lab per seed walkthrough (`/work/shared/seeds/`).
    Seeds,
    /// The course: from a first key policy to cross-account grants.
    Course,
}

impl Track {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Seeds => "seeds",
            Track::Course => "course",
        }
    }
}

/// The `lab` object of a scenario.
#[derive(Debug, Clone)]
pub struct Lab {
    /// `id`.
    pub id: LabId,
    /// `track`.
    pub track: Track,
    /// `order`: position in its track.
    pub order: u32,
    /// `summary`: one line for the lab index.
    pub summary: String,
    /// `tasks`, in the order the user should do them.
    pub tasks: Vec<Task>,
}

/// One task of a lab.
#[derive(Debug, Clone)]
pub struct Task {
    /// `id`.
    pub id: TaskId,
    /// `title`.
    pub title: String,
    /// `description` (markdown).
    pub description: String,
    /// `hints`, each revealing more than the one before.
    pub hints: Vec<String>,
    /// `checks`: the task passes when every check passes.
    pub checks: Vec<Check>,
}

/// One automatic check of a task.
#[derive(Debug, Clone)]
pub struct Check {
    /// `description`: what the check verifies, in the user's terms (used in failure messages).
    pub description: Option<String>,
    /// What is checked.
    pub kind: CheckKind,
    /// Where the check is written in the lab file.
    pub pos: Pos,
}

/// The kinds of check.
#[derive(Debug, Clone)]
pub enum CheckKind {
    /// `steps`: probe steps run on the world after the user's steps; each `expect` must hold.
    Steps(Vec<Step>),
    /// `only`: which principals can make a call (boxed: it holds a whole step).
    Only(Box<OnlyCheck>),
    /// `policy`: assertions on a policy document as it stands after the user's steps.
    Policy(PolicyCheck),
    /// `sequence`: the user's own steps did these things in this order.
    Sequence(Vec<StepMatcher>),
    /// `expectations: "hold"`: every `expect` of the user's own steps holds (and there is at
    /// least one): for labs that ask the learner to correct what their steps expect.
    Expectations,
}

/// `only`: exactly `principals` get `Allow` for `step` among every IAM user and role in the
/// world after the user's steps (roles are probed as an assumed-role session). The account
/// root users are left out: with the default key policy they can always use a key, by design,
/// and a lab asks about the identities people and applications use. Service-linked roles are
/// left out too: only their service can assume them.
#[derive(Debug, Clone)]
pub struct OnlyCheck {
    /// The principals that must be allowed (user or role ARNs); every other one must not be.
    pub principals: Vec<String>,
    /// Steps run once before the probes (for example an `Encrypt` whose ciphertext the
    /// `Decrypt` probe uses); a setup step's `expect`, if any, must hold.
    pub setup: Vec<Step>,
    /// The call made by each principal in turn (no `caller`, no `expect`).
    pub step: Step,
}

/// Which policy a [`PolicyCheck`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTarget {
    /// `key`: the key policy of the key with this id.
    Key(String),
    /// `managedPolicy`: the default version of the customer managed policy with this name.
    Managed(String),
}

/// `policy`: assertions on one policy document, as it stands after the user's steps.
#[derive(Debug, Clone)]
pub struct PolicyCheck {
    /// The document.
    pub target: PolicyTarget,
    /// `noFindings`: lint finding codes that must not be reported (`kms-star-on-star`).
    pub no_findings: Vec<String>,
    /// `actionsWithin`: every `Allow` statement's `Action` entries are among these (compared
    /// without regard to case); `NotAction` in an `Allow` statement fails.
    pub actions_within: Option<Vec<String>>,
    /// `resourcesWithin`: every `Allow` statement's `Resource` entries are among these;
    /// `NotResource` in an `Allow` statement fails.
    pub resources_within: Option<Vec<String>>,
}

/// One entry of a `sequence`: a user step that the simulator executed (not an authorization-only
/// step), that succeeded, and that matches every given field.
#[derive(Debug, Clone)]
pub struct StepMatcher {
    /// `description`: what the step does, in the user's terms.
    pub description: Option<String>,
    /// `call`: the operation (`iam:CreateAccessKey`).
    pub call: String,
    /// `input`: a subset of the step's input as written.
    pub input: Option<serde_json::Value>,
    /// `output`: a subset of the step's output (`{"PendingWindowInDays": 30}`).
    pub output: Option<serde_json::Value>,
    /// `caller`: the resolved caller ARN; a role ARN also matches its sessions.
    pub caller: Option<String>,
    /// `notAccessKeyId`: the step is signed with an access key, and not this one.
    pub not_access_key_id: Option<String>,
}

/// How the user's scenario fares against a lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabReport {
    /// One entry per task, in the lab's order.
    pub tasks: Vec<TaskStatus>,
}

impl LabReport {
    /// How many tasks pass.
    pub fn passed(&self) -> usize {
        self.tasks.iter().filter(|t| t.passed).count()
    }

    /// Whether every task passes.
    pub fn complete(&self) -> bool {
        self.tasks.iter().all(|t| t.passed)
    }
}

/// One task's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    /// The task's id.
    pub id: TaskId,
    /// Whether every check passes.
    pub passed: bool,
    /// Why not, one plain-language sentence per failed check.
    pub failures: Vec<String>,
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests;
