//! The scenario model: the simulated world and the steps, as parsed.

use crate::crypto::KeyMaterial;
use crate::iam::arn::AccountId;
use crate::iam::context::ContextValue;
use crate::iam::policy::Policy;
use crate::iam::wildcard::Pattern;
use crate::json::{Json, Pos};
use crate::kms::model::{Constraint, KeyState, Origin};
use crate::time::{Duration, Instant};
use crate::trace::Decision;
use std::collections::BTreeMap;

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `title`.
    pub title: Option<String>,
    /// `description` (markdown).
    pub description: Option<String>,
    /// `defaults`.
    pub defaults: Defaults,
    /// `seed` for the simulated random generator.
    pub seed: u64,
    /// `grantPropagation`: how long a created grant takes to be usable without a token.
    pub grant_propagation: Duration,
    /// `organization`.
    pub organization: Option<Organization>,
    /// `iam`.
    pub iam: Iam,
    /// `resources`.
    pub resources: Vec<ResourceDef>,
    /// `keys`.
    pub keys: Vec<KeyDef>,
    /// `grants`.
    pub grants: Vec<GrantDef>,
    /// `keyStores`, as written.
    pub key_stores: Vec<Json>,
    /// The custom key stores, read from `keyStores`.
    pub stores: Vec<crate::keystore::KeyStore>,
    /// CloudHSM clusters: those of the stores and those in `cloudHsmClusters`.
    pub clusters: Vec<crate::keystore::cloudhsm::Cluster>,
    /// `steps`.
    pub steps: Vec<Step>,
    /// `lab`: the tasks, when the scenario is a lab (see `docs/labs.md`).
    pub lab: Option<crate::lab::Lab>,
}

/// `defaults`.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// `aws` unless given.
    pub partition: String,
    /// `us-east-1` unless given.
    pub region: String,
    /// `111122223333` unless given.
    pub account: AccountId,
    /// The simulated clock at the first step.
    pub time: Instant,
}

/// `organization`.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The management account (never limited by SCPs or RCPs).
    pub management: AccountId,
    /// `id` (`o-...`), for `aws:PrincipalOrgID`. An extension; optional.
    pub id: Option<String>,
    /// Member accounts and their OU path.
    pub accounts: BTreeMap<AccountId, OrgAccount>,
    /// SCPs.
    pub scps: Vec<OrgPolicy>,
    /// RCPs.
    pub rcps: Vec<OrgPolicy>,
}

/// An account in the organization.
#[derive(Debug, Clone)]
pub struct OrgAccount {
    /// Its name.
    pub name: Option<String>,
    /// `["r-root", "ou-..."]`, from the root down.
    pub path: Vec<String>,
}

/// An SCP or RCP with its attachment targets.
#[derive(Debug, Clone)]
pub struct OrgPolicy {
    /// The policy id (`p-...`).
    pub id: String,
    /// Roots, OUs or account ids it is attached to.
    pub targets: Vec<String>,
    /// The document.
    pub document: Policy,
}

/// `iam`.
#[derive(Debug, Clone, Default)]
pub struct Iam {
    /// Customer managed policies.
    pub policies: Vec<ManagedPolicy>,
    /// Users.
    pub users: Vec<User>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Service-linked role names that exist.
    pub service_linked_roles: Vec<String>,
    /// STS sessions issued by AssumeRole and GetSessionToken during the run.
    pub sessions: Vec<StsSession>,
    /// Service-linked role deletion tasks started during the run.
    pub deletion_tasks: Vec<DeletionTask>,
}

/// Temporary credentials issued by STS, and what they stand for.
#[derive(Debug, Clone)]
pub struct StsSession {
    /// `ASIA...`.
    pub access_key_id: String,
    /// When the credentials stop working.
    pub expires: Instant,
    /// Whose session it is.
    pub kind: SessionKind,
}

/// Whose temporary credentials these are.
#[derive(Debug, Clone)]
pub enum SessionKind {
    /// An assumed-role session (AssumeRole).
    Role {
        /// The role's account.
        account: AccountId,
        /// The role's name.
        role: String,
        /// The session name.
        session_name: String,
        /// The session policies and session tags passed to AssumeRole (boxed: a session
        /// policy is far larger than the other variant).
        spec: Box<SessionSpec>,
        /// Whether it was assumed from another role session (role chaining).
        chained: bool,
    },
    /// A user's session (GetSessionToken): the user's own permissions.
    User {
        /// The user's account.
        account: AccountId,
        /// The user's name.
        user: String,
        /// Whether MFA was given to GetSessionToken.
        mfa: bool,
    },
}

/// A DeleteServiceLinkedRole task.
#[derive(Debug, Clone)]
pub struct DeletionTask {
    /// `task/aws-service-role/SERVICE/ROLE/ID`.
    pub id: String,
    /// The role's account.
    pub account: AccountId,
    /// The role's name.
    pub role: String,
    /// `SUCCEEDED` or `FAILED`.
    pub status: &'static str,
    /// Why it failed.
    pub reason: Option<String>,
}

/// A customer managed policy.
#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    /// Its name.
    pub name: String,
    /// Its account.
    pub account: AccountId,
    /// Path (`/` unless given).
    pub path: String,
    /// Description.
    pub description: Option<String>,
    /// The default version's document.
    pub document: Policy,
    /// Every version, oldest first (at most 5); the scenario's document is `v1`.
    pub versions: Vec<PolicyVersionDef>,
    /// The default version's id.
    pub default_version: String,
    /// The number of the next version (`v2` after `v1`; ids are never reused).
    pub next_version: u32,
    /// When it was created (`None`: before the scenario's first step).
    pub created: Option<Instant>,
}

/// One version of a managed policy.
#[derive(Debug, Clone)]
pub struct PolicyVersionDef {
    /// `v1`, `v2`, ...
    pub id: String,
    /// The document.
    pub document: Policy,
    /// The document as written (what GetPolicyVersion returns).
    pub text: String,
    /// When it was created (`None`: before the first step).
    pub created: Option<Instant>,
}

/// An IAM user.
#[derive(Debug, Clone)]
pub struct User {
    /// Name.
    pub name: String,
    /// Account.
    pub account: AccountId,
    /// Path (`/` unless given).
    pub path: String,
    /// Attached managed policy names.
    pub attached: Vec<String>,
    /// Inline policies by name.
    pub inline: Vec<(String, Policy)>,
    /// Group names.
    pub groups: Vec<String>,
    /// Permissions boundary policy name.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Access keys.
    pub access_keys: Vec<AccessKeyDef>,
    /// The size of each inline policy, in characters other than white space (AWS's measure).
    pub inline_sizes: BTreeMap<String, usize>,
    /// When it was created (`None`: before the first step).
    pub created: Option<Instant>,
    /// Where it is written.
    pub pos: Pos,
}

/// An access key in the scenario.
#[derive(Debug, Clone)]
pub struct AccessKeyDef {
    /// `AKIA...`.
    pub id: String,
    /// `Active` or `Inactive`.
    pub active: bool,
    /// When it was created (`None`: before the first step).
    pub created: Option<Instant>,
    /// The last request it signed: when, to which service, in which region.
    pub last_used: Option<(Instant, String, String)>,
}

/// An IAM group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Account.
    pub account: AccountId,
    /// Path.
    pub path: String,
    /// Attached managed policy names.
    pub attached: Vec<String>,
    /// Inline policies.
    pub inline: Vec<(String, Policy)>,
    /// The size of each inline policy (characters other than white space).
    pub inline_sizes: BTreeMap<String, usize>,
}

/// An IAM role.
#[derive(Debug, Clone)]
pub struct Role {
    /// Name.
    pub name: String,
    /// Account.
    pub account: AccountId,
    /// Path.
    pub path: String,
    /// The trust policy.
    pub trust: Option<Policy>,
    /// Attached managed policy names.
    pub attached: Vec<String>,
    /// Inline policies.
    pub inline: Vec<(String, Policy)>,
    /// Permissions boundary policy name.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Description.
    pub description: Option<String>,
    /// The trust policy as written (what GetRole returns).
    pub trust_text: String,
    /// The size of each inline policy (characters other than white space).
    pub inline_sizes: BTreeMap<String, usize>,
    /// The longest session AssumeRole may ask for, in seconds (3600 unless given).
    pub max_session_seconds: u32,
    /// For a service-linked role, the service that owns it (`cks.kms.amazonaws.com`).
    pub service_linked: Option<String>,
    /// When it was created (`None`: before the first step).
    pub created: Option<Instant>,
}

/// A resource with a resource-based policy.
#[derive(Debug, Clone)]
pub struct ResourceDef {
    /// Its ARN.
    pub arn: String,
    /// Owning account.
    pub account: Option<AccountId>,
    /// Which request resources use this policy.
    pub covers: Vec<Pattern>,
    /// The policy.
    pub policy: Policy,
    /// Tags, for `aws:ResourceTag/...` (an extension).
    pub tags: Vec<(String, String)>,
}

/// A KMS key as the scenario declares it.
#[derive(Debug, Clone)]
pub struct KeyDef {
    /// Key spec (`spec`, default `SYMMETRIC_DEFAULT`).
    pub spec: crate::kms::spec::KeySpec,
    /// Key usage (`usage`, default the spec's first).
    pub usage: crate::kms::spec::KeyUsage,
    /// The key id (UUID-like).
    pub id: String,
    /// Owning account.
    pub account: AccountId,
    /// Region.
    pub region: String,
    /// Alias names (`alias/...`).
    pub aliases: Vec<String>,
    /// The key policy (AWS's default one when the scenario says `"default"` or nothing).
    pub policy: Policy,
    /// Whether `policy` is the default key policy.
    pub policy_is_default: bool,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// The key policy as text (GetKeyPolicy returns it).
    pub policy_text: String,
    /// Description.
    pub description: String,
    /// Origin.
    pub origin: Origin,
    /// State.
    pub state: KeyState,
    /// Custom key store id.
    pub key_store: Option<String>,
    /// `externalKeyId`: the external key of a key in an external key store.
    pub external_key_id: Option<String>,
    /// Given key material (otherwise generated from the seed).
    pub material: Option<KeyMaterial>,
    /// Automatic rotation.
    pub rotation_enabled: bool,
    /// Rotation period in days.
    pub rotation_period_days: u32,
    /// When a key pending deletion is deleted.
    pub deletion_date: Option<Instant>,
    /// Creation date.
    pub created: Option<Instant>,
}

/// A grant that exists when the scenario starts (fully propagated), or, in a world taken after
/// steps ([`crate::scenario::world_after_steps`]), one that exists then.
#[derive(Debug, Clone)]
pub struct GrantDef {
    /// The key id it is on.
    pub key_id: String,
    /// `grantId`, or generated.
    pub grant_id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// Grantee principal ARN.
    pub grantee: String,
    /// Retiring principal ARN.
    pub retiring: Option<String>,
    /// Operations.
    pub operations: Vec<String>,
    /// Constraint.
    pub constraint: Option<Constraint>,
    /// Issuing account.
    pub issuing_account: AccountId,
    /// When a step created it (`None`: before the first step, so fully propagated). Not read
    /// from scenario documents.
    pub created: Option<Instant>,
    /// When a step retired or revoked it (the deletion propagates like the creation). Not read
    /// from scenario documents.
    pub deleted: Option<Instant>,
}

impl KeyDef {
    /// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID`.
    pub fn arn(&self, partition: &str) -> String {
        format!(
            "arn:{partition}:kms:{}:{}:key/{}",
            self.region, self.account, self.id
        )
    }
}

/// What a step's `caller` or `accessKeyId` says (before `${...}` references are resolved).
#[derive(Debug, Clone)]
pub enum CallerSpec {
    /// A principal ARN or `service:NAME`.
    Caller(String),
    /// An access key id.
    AccessKey(String),
}

/// Session details for an assumed-role caller (an extension: `step.session`).
#[derive(Debug, Clone, Default)]
pub struct SessionSpec {
    /// The inline session policy.
    pub policy: Option<Policy>,
    /// Managed session policies, by name.
    pub managed: Vec<String>,
    /// Session tags (override the role's tags of the same key).
    pub tags: Vec<(String, String)>,
    /// Keys of the session tags that pass on to sessions assumed from this one.
    pub transitive: Vec<String>,
    /// The source identity set when the session was created (it stays across role chaining).
    pub source_identity: Option<String>,
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// `id`, if given.
    pub id: Option<String>,
    /// Position in `steps`.
    pub index: usize,
    /// Where the step starts.
    pub pos: Pos,
    /// Who calls.
    pub caller: Option<CallerSpec>,
    /// `service:Operation`.
    pub call: Option<String>,
    /// The resource ARN.
    pub resource: Option<String>,
    /// `input`, as written.
    pub input: Option<Json>,
    /// `context`, as written.
    pub context: Vec<(String, ContextValue, Pos)>,
    /// `grantTokens`.
    pub grant_tokens: Vec<String>,
    /// `advance`.
    pub advance: Option<Duration>,
    /// `session`.
    pub session: Option<SessionSpec>,
    /// `expect`.
    pub expect: Option<Expect>,
    /// `description`.
    pub description: Option<String>,
    /// Where some of its fields are written, for errors found after parsing.
    pub positions: StepPositions,
}

/// Where a step's fields are written (their values' positions), so that an error found after
/// parsing (a caller that does not resolve, a reference to an output that is not there) points
/// at the value rather than at the step. A step built in code has `Pos::default()` (line 0):
/// no place in any document.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepPositions {
    /// `caller` or `accessKeyId`.
    pub caller: Pos,
    /// `call`.
    pub call: Pos,
    /// `resource`.
    pub resource: Pos,
    /// `grantTokens`.
    pub grant_tokens: Pos,
}

impl Step {
    /// The step's name in reports: its id, or `#N`.
    pub fn name(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("#{}", self.index))
    }
}

/// `expect`.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Expected decision.
    pub decision: Option<Decision>,
    /// Expected error: `Some(None)` means success.
    pub error: Option<Option<String>>,
    /// Expected output subset.
    pub output: Option<serde_json::Value>,
    /// Expected deciding statements.
    pub deciding: Option<Vec<String>>,
}
