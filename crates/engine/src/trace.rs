//! The decision trace: a plain value that says, in evaluation order, why a request was allowed
//! or denied. The CLI prints it, `--json` serializes it, and the app renders it; none of them
//! decides anything.

mod explain;
mod hints;

pub use explain::{summarize, Summary};
pub use hints::{hints, Hint, HintKind};

use crate::iam::condition::ConditionTrace;
use serde::Serialize;

/// AWS's three authorization outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Some policy allows and nothing denies.
    Allow,
    /// A statement with `"Effect": "Deny"` applies.
    ExplicitDeny,
    /// Nothing allows (or a required layer does not allow).
    ImplicitDeny,
}

impl Decision {
    /// The name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Parses a scenario's `expect.decision`.
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "Allow" => Some(Decision::Allow),
            "ExplicitDeny" => Some(Decision::ExplicitDeny),
            "ImplicitDeny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

/// The policy layers, in the order AWS evaluates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// Resource control policies of the resource's account.
    Rcp,
    /// Service control policies of the caller's account.
    Scp,
    /// A resource-based policy (not a key policy).
    Resource,
    /// A KMS key policy.
    KeyPolicy,
    /// The caller's identity-based policies.
    Identity,
    /// The caller's permissions boundary.
    Boundary,
    /// The session policies of an assumed-role or federated session.
    Session,
}

impl Layer {
    /// The prefix used in statement names (`identity:Policy:Sid`).
    pub fn prefix(self) -> &'static str {
        match self {
            Layer::Rcp => "rcp",
            Layer::Scp => "scp",
            Layer::Resource => "resource",
            Layer::KeyPolicy => "key-policy",
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::Session => "session",
        }
    }

    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Rcp => "Resource control policies (RCPs)",
            Layer::Scp => "Service control policies (SCPs)",
            Layer::Resource => "Resource-based policy",
            Layer::KeyPolicy => "Key policy",
            Layer::Identity => "Identity-based policies",
            Layer::Boundary => "Permissions boundary",
            Layer::Session => "Session policies",
        }
    }
}

/// Which of AWS's combining rules decided the request: the arm of the evaluator's combining
/// rule that applied, so that explanations follow the evaluator instead of re-deriving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Rule {
    /// A statement with `"Effect": "Deny"` applies somewhere.
    ExplicitDeny,
    /// A level of the organization path has no SCP (or RCP) that allows the request.
    OrgNotAllowed {
        /// [`Layer::Scp`] or [`Layer::Rcp`].
        layer: Layer,
        /// The root, OU or account where nothing allows.
        target: String,
    },
    /// A resource policy names the calling service principal.
    ServiceAllowed,
    /// No resource policy names the calling service principal.
    ServiceNotAllowed,
    /// Within one account, the resource's policy names the caller itself.
    ResourceNamesCaller,
    /// Within one account, the resource's policy names the caller's role.
    ResourceAllowsRole,
    /// The key policy delegates to the account, so IAM policies decide.
    KeyPolicyDelegates,
    /// The key policy neither names the caller nor delegates to the account.
    KeyPolicyNoDelegation,
    /// The role's trust policy trusts the caller's account, so IAM must allow too.
    TrustAllowsAccount,
    /// The role's trust policy does not allow the caller.
    TrustNotAllowed,
    /// Within one account, the resource policy allows the account and IAM decides.
    ResourceAllowsAccount,
    /// No resource policy is involved (or it does not name the caller): IAM policies decide.
    IdentityOnly,
    /// Across accounts, the resource's policy trusts the caller, and the caller's IAM must allow.
    CrossAccount,
    /// Across accounts, no policy of the resource's account allows the caller.
    CrossAccountNoResource,
}

/// The principal-side layer that did not allow, when a rule needed it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoppedBy {
    /// No identity-based policy allows.
    Identity,
    /// The permissions boundary does not allow.
    Boundary,
    /// The session policies do not allow.
    Session,
}

/// One match check of a statement element (action, resource, principal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Whether the element matched the request.
    pub matched: bool,
    /// What matched, or why nothing did.
    pub detail: String,
}

/// How a resource-based statement's principal named the caller: the difference between a
/// statement that grants on its own and one that delegates to the account's IAM policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Named {
    /// The caller's account (`arn:aws:iam::ACCOUNT:root`): its IAM policies decide.
    Account,
    /// The role whose session calls.
    Role,
    /// The caller itself (its ARN, the service, or `*`).
    Caller,
}

/// How a statement fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace {
    /// The statement's name for `deciding` (e.g. `identity:NPS_KMS_Policy:ServiceAccount`).
    pub id: String,
    /// `Sid`, if written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Index in its policy.
    pub index: usize,
    /// `Allow` or `Deny`.
    pub effect: crate::iam::policy::Effect,
    /// Whether every element matched, so that the statement applies to the request.
    pub applies: bool,
    /// The action check.
    pub action: Check,
    /// The resource check (not evaluated when the action did not match).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Check>,
    /// The principal check (resource-based policies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Check>,
    /// How the statement's principal named the caller, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Named>,
    /// Each condition (evaluated only when the other elements matched).
    pub conditions: Vec<ConditionTrace>,
    /// Line of the statement in its source, when known.
    pub line: u32,
}

/// One policy in a layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyTrace {
    /// The policy's name (managed policy name, `user/inline-name`, SCP id, resource ARN).
    pub name: String,
    /// Where the policy came from (e.g. `attached to group admins`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Each statement.
    pub statements: Vec<StatementTrace>,
}

/// A layer's verdict on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LayerVerdict {
    /// The layer does not apply to this request.
    NotApplicable,
    /// A statement in the layer denies.
    Deny,
    /// A statement allows and none denies.
    Allow,
    /// Nothing in the layer applies.
    NoMatch,
}

/// One layer: its policies and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerTrace {
    /// Which layer.
    pub layer: Layer,
    /// A title for people, with the level for SCPs/RCPs (`SCPs at ou-prod`).
    pub title: String,
    /// For SCPs and RCPs, the root, OU or account the policies are attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The layer's verdict.
    pub verdict: LayerVerdict,
    /// Why the layer does not apply, or what its verdict means here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The policies.
    pub policies: Vec<PolicyTrace>,
}

/// The whole explanation of one authorization decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// The request as evaluated.
    pub request: RequestView,
    /// The layers in evaluation order.
    pub layers: Vec<LayerTrace>,
    /// The outcome.
    pub decision: Decision,
    /// The statements that decided it (denies for a deny, the allows on the path for an allow).
    pub deciding: Vec<String>,
    /// One line saying why.
    pub summary: String,
    /// The combining rule that decided (before any grant or KMS-specific rule changed the
    /// decision; compare [`Rule`]'s outcome with `decision`).
    pub rule: Rule,
    /// The principal-side layer that stopped an otherwise allowed path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<StoppedBy>,
    /// The combining rule's reasoning, step by step.
    pub reasoning: Vec<String>,
    /// Context keys that policies read but the request does not have.
    pub missing_keys: Vec<String>,
    /// Problems found while evaluating (unknown operators, unreadable values).
    pub errors: Vec<String>,
    /// KMS grants on the key that were considered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<crate::kms::grant::GrantTrace>,
    /// The KMS key-state gate, once authorization passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_state: Option<crate::kms::state::StateGate>,
}

/// The request, as shown at the top of a trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    /// The caller's ARN.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Every context key and its values, supplied and derived.
    pub context: Vec<(String, Vec<String>)>,
}

impl Trace {
    /// The trace as indented plain text, for terminals and logs.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |indent: usize, s: &str| {
            out.push_str(&"  ".repeat(indent));
            out.push_str(s);
            out.push('\n');
        };
        line(
            0,
            &format!(
                "request: {} {} on {}",
                self.request.principal, self.request.action, self.request.resource
            ),
        );
        for (k, v) in &self.request.context {
            line(1, &format!("{k} = {}", v.join(", ")));
        }
        for l in &self.layers {
            let verdict = match l.verdict {
                LayerVerdict::NotApplicable => "not applicable",
                LayerVerdict::Deny => "DENY",
                LayerVerdict::Allow => "allow",
                LayerVerdict::NoMatch => "no match",
            };
            line(0, &format!("[{}] {verdict}", l.title));
            if let Some(n) = &l.note {
                line(1, &format!("note: {n}"));
            }
            for p in &l.policies {
                let via = p
                    .via
                    .as_ref()
                    .map(|v| format!(" ({v})"))
                    .unwrap_or_default();
                line(1, &format!("policy {}{via}", p.name));
                for s in &p.statements {
                    let mark = if s.applies { "APPLIES" } else { "skip" };
                    line(2, &format!("{} {:?} {mark}", s.id, s.effect));
                    let check =
                        |c: &Check| format!("{} {}", if c.matched { "+" } else { "-" }, c.detail);
                    line(3, &format!("action:    {}", check(&s.action)));
                    if let Some(r) = &s.resource {
                        line(3, &format!("resource:  {}", check(r)));
                    }
                    if let Some(p) = &s.principal {
                        line(3, &format!("principal: {}", check(p)));
                    }
                    for c in &s.conditions {
                        let req = c
                            .request_values
                            .as_ref()
                            .map_or("(missing)".to_string(), |v| format!("[{}]", v.join(", ")));
                        line(
                            3,
                            &format!(
                                "condition: {} {} {} [{}] vs request {req}: {}",
                                if c.result { "+" } else { "-" },
                                c.operator,
                                c.key,
                                c.policy_values.join(", "),
                                c.explanation
                            ),
                        );
                        if let Some(e) = &c.error {
                            line(4, &format!("error: {e}"));
                        }
                    }
                }
            }
        }
        if !self.grants.is_empty() {
            line(0, "[Grants]");
            for g in &self.grants {
                line(
                    1,
                    &format!(
                        "grant {} to {} for [{}]: {}",
                        g.grant_id,
                        g.grantee,
                        g.operations.join(", "),
                        if g.applies { "APPLIES" } else { "skip" }
                    ),
                );
                line(
                    2,
                    &format!(
                        "grantee {} / operation {} / {}",
                        if g.grantee_matches { "+" } else { "-" },
                        if g.operation_matches { "+" } else { "-" },
                        g.effect_note
                    ),
                );
                if let Some(c) = &g.constraint {
                    line(
                        2,
                        &format!(
                            "constraint {} {c}",
                            if g.constraint_holds { "+" } else { "-" }
                        ),
                    );
                }
            }
        }
        if let Some(k) = &self.key_state {
            line(
                0,
                &format!(
                    "[Key state] {} for {}: {}",
                    k.state,
                    k.operation,
                    k.error.as_deref().unwrap_or("allowed")
                ),
            );
        }
        line(0, "reasoning:");
        for r in &self.reasoning {
            line(1, r);
        }
        if !self.deciding.is_empty() {
            line(0, &format!("deciding: {}", self.deciding.join(", ")));
        }
        if !self.missing_keys.is_empty() {
            line(
                0,
                &format!(
                    "context keys read by policies but absent from the request: {}",
                    self.missing_keys.join(", ")
                ),
            );
        }
        for e in &self.errors {
            line(0, &format!("error: {e}"));
        }
        out
    }
}
