//! AWS's combining rule: from the layers' verdicts to one decision.
//!
//! [`combine`] is one exhaustive `match` over the facts the layers established; each arm is a
//! rule from the IAM and KMS documentation, commented with the rule it applies.

use super::principal::PrincipalMatch;
use crate::iam::context::{PrincipalKind, Request};
use crate::trace::{Decision, Layer, Rule, StoppedBy};

/// Where the caller stands relative to the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    /// Caller and resource in one account (or a resource with no owning account).
    SameAccount,
    /// Caller from another account.
    CrossAccount,
    /// An AWS service principal.
    Service,
}

pub(super) fn relation(req: &Request) -> Relation {
    match (
        &req.principal.kind,
        &req.principal.account,
        &req.resource_account,
    ) {
        (PrincipalKind::Service { .. }, _, _) => Relation::Service,
        (_, Some(a), Some(r)) if a != r => Relation::CrossAccount,
        _ => Relation::SameAccount,
    }
}

/// Which resource policy applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResourceSide {
    /// None.
    NoPolicy,
    /// An ordinary resource-based policy.
    Generic,
    /// A KMS key policy.
    KmsKey,
    /// A role's trust policy (AssumeRole).
    RoleTrust,
}

/// A boundary or session-policy gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    /// The caller has none: no limit.
    Absent,
    /// It allows the request.
    Allows,
    /// It does not allow the request: an implicit deny wherever it limits.
    NoAllow,
}

impl Gate {
    pub(super) fn passes(self) -> bool {
        self != Gate::NoAllow
    }

    pub(super) fn describe(self) -> &'static str {
        match self {
            Gate::Absent => "none applies",
            Gate::Allows => "allows",
            Gate::NoAllow => "does not allow",
        }
    }
}

/// An SCP or RCP level that does not allow the request.
pub(super) struct OrgBlock {
    pub(super) layer: Layer,
    pub(super) target: String,
}

impl OrgBlock {
    pub(super) fn describe(&self) -> String {
        format!(
            "{}: no policy attached at `{}` allows the request, and every level of the path must",
            if self.layer == Layer::Scp {
                "SCPs"
            } else {
                "RCPs"
            },
            self.target
        )
    }
}

/// The facts the combining rule decides on.
pub(super) struct Facts {
    pub(super) explicit_deny: bool,
    pub(super) org: Option<OrgBlock>,
    pub(super) relation: Relation,
    pub(super) resource: ResourceSide,
    /// The strongest way an allowing resource-policy statement named the caller.
    pub(super) grant: Option<PrincipalMatch>,
    pub(super) identity_allows: bool,
    /// The caller is its account's root user, whose side allows without any policy.
    pub(super) root_user: bool,
    pub(super) boundary: Gate,
    pub(super) session: Gate,
}

impl Facts {
    /// What allows on the principal's side of an allowed request, in a few words: the root
    /// user needs no policy for it.
    fn principal_allows(&self) -> &'static str {
        if self.root_user {
            "the root user holds every permission of its account"
        } else {
            "an identity-based policy allows"
        }
    }

    pub(super) fn describe_resource(&self) -> String {
        let what = match self.resource {
            ResourceSide::NoPolicy => return "resource-based policy: none".to_string(),
            ResourceSide::Generic => "resource-based policy",
            ResourceSide::KmsKey => "key policy",
            ResourceSide::RoleTrust => "the role's trust policy",
        };
        match self.grant {
            None => format!("{what}: no statement allows the caller"),
            Some(PrincipalMatch::Account) => {
                format!("{what}: allows the caller's account, so the account's IAM policies decide")
            }
            Some(PrincipalMatch::Role) => format!("{what}: allows the caller's role"),
            Some(PrincipalMatch::Direct) => format!("{what}: allows the caller directly"),
        }
    }
}

/// The layers whose allow statements make up an allowed path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathPart {
    Resource,
    Identity,
    Boundary,
    Session,
}

/// The principal side on its own: identity-based policies, then boundary and session limits.
pub(super) fn identity_path(f: &Facts, who: &str) -> (Decision, String, Vec<PathPart>) {
    if !f.identity_allows {
        return (
            Decision::ImplicitDeny,
            format!("no identity-based policy allows the request{who}"),
            vec![],
        );
    }
    limits_path(f, vec![PathPart::Identity])
}

/// Permissions boundary and session policies, which limit what other policies grant.
pub(super) fn limits_path(f: &Facts, mut path: Vec<PathPart>) -> (Decision, String, Vec<PathPart>) {
    if !f.boundary.passes() {
        return (
            Decision::ImplicitDeny,
            "the permissions boundary does not allow the request".into(),
            vec![],
        );
    }
    if !f.session.passes() {
        return (
            Decision::ImplicitDeny,
            "the session policy does not allow the request".into(),
            vec![],
        );
    }
    if f.boundary == Gate::Allows {
        path.push(PathPart::Boundary);
    }
    if f.session == Gate::Allows {
        path.push(PathPart::Session);
    }
    (Decision::Allow, "allowed".into(), path)
}

/// What the combining rule decided, and which of its rules did.
pub(super) struct Combined {
    pub(super) decision: Decision,
    /// One line saying why.
    pub(super) summary: String,
    /// The layers whose allow statements decided.
    pub(super) path: Vec<PathPart>,
    /// The rule (the `match` arm) that applied.
    pub(super) rule: Rule,
    /// The principal-side layer that did not allow, when the rule needed it.
    pub(super) stopped_by: Option<StoppedBy>,
}

/// AWS's combining rule: the decision, a one-line reason, the layers whose allow statements
/// decided, and the rule that applied.
pub(super) fn combine(f: &Facts) -> Combined {
    let (rule, (decision, summary, path)) = decide(f);
    // Rules that go through the principal's side name the layer that stopped them.
    let stopped_by = match rule {
        _ if decision != Decision::ImplicitDeny => None,
        Rule::ResourceAllowsRole => limit_stop(f),
        Rule::KeyPolicyDelegates
        | Rule::TrustAllowsAccount
        | Rule::ResourceAllowsAccount
        | Rule::IdentityOnly
        | Rule::CrossAccount => {
            if f.identity_allows {
                limit_stop(f)
            } else {
                Some(StoppedBy::Identity)
            }
        }
        _ => None,
    };
    Combined {
        decision,
        summary,
        path,
        rule,
        stopped_by,
    }
}

fn limit_stop(f: &Facts) -> Option<StoppedBy> {
    if !f.boundary.passes() {
        Some(StoppedBy::Boundary)
    } else if !f.session.passes() {
        Some(StoppedBy::Session)
    } else {
        None
    }
}

/// The rule's `match`: each arm is one of AWS's documented rules.
fn decide(f: &Facts) -> (Rule, (Decision, String, Vec<PathPart>)) {
    use PrincipalMatch::{Account, Direct, Role};
    use Relation::{CrossAccount, SameAccount, Service};
    use ResourceSide::{Generic, KmsKey, NoPolicy, RoleTrust};
    let with = |(d, s, p): (Decision, String, Vec<PathPart>), extra: &str| {
        let s = if d == Decision::Allow {
            extra.to_string()
        } else {
            s
        };
        (d, s, p)
    };
    let prepend = |mut path: Vec<PathPart>| {
        path.insert(0, PathPart::Resource);
        path
    };
    match (f.explicit_deny, &f.org, f.relation, f.resource, f.grant) {
        // An explicit deny in any policy overrides every allow.
        (true, ..) => (
            Rule::ExplicitDeny,
            (
                Decision::ExplicitDeny,
                "an explicit deny applies, and a deny always wins".into(),
                vec![],
            ),
        ),
        // Every level of the organization path must allow through its SCPs / RCPs.
        (false, Some(block), ..) => (
            Rule::OrgNotAllowed {
                layer: block.layer,
                target: block.target.clone(),
            },
            (Decision::ImplicitDeny, block.describe(), vec![]),
        ),
        // A service principal has no identity policies: only a resource policy naming it allows.
        (false, None, Service, _, Some(Direct)) => (
            Rule::ServiceAllowed,
            (
                Decision::Allow,
                "the resource policy allows the service principal".into(),
                vec![PathPart::Resource],
            ),
        ),
        (false, None, Service, _, _) => (
            Rule::ServiceNotAllowed,
            (
                Decision::ImplicitDeny,
                "no resource policy allows the service principal, and it has no identity policies"
                    .into(),
                vec![],
            ),
        ),
        // Same account, a policy naming the user or session ARN (or everyone) directly: enough
        // on its own; boundaries and session policies do not limit such a grant.
        (false, None, SameAccount, Generic | KmsKey | RoleTrust, Some(Direct)) => (
            Rule::ResourceNamesCaller,
            (
                Decision::Allow,
                "the resource policy names the caller, which is enough within one account".into(),
                vec![PathPart::Resource],
            ),
        ),
        // Same account, a policy naming the role: the session's boundary and session policies
        // still limit it, identity policies are not needed.
        (false, None, SameAccount, Generic | KmsKey | RoleTrust, Some(Role)) => (
            Rule::ResourceAllowsRole,
            with(
                limits_path(f, vec![PathPart::Resource]),
                "the resource policy allows the caller's role within its account",
            ),
        ),
        // A key policy that delegates to the account: IAM policies decide, as for any request.
        (false, None, SameAccount, KmsKey, Some(Account)) => (
            Rule::KeyPolicyDelegates,
            with(
                identity_path(f, " (the key policy delegates to IAM)").map_path(prepend),
                &if f.root_user {
                    format!(
                        "the key policy delegates to the account, and {}",
                        f.principal_allows()
                    )
                } else {
                    "the key policy delegates to the account's IAM policies, and they allow".into()
                },
            ),
        ),
        // A key policy that neither names the caller nor delegates to the account: IAM policies
        // are ignored, whatever they say.
        (false, None, SameAccount, KmsKey, None) => (
            Rule::KeyPolicyNoDelegation,
            (
                Decision::ImplicitDeny,
                if f.identity_allows {
                    "the key policy does not allow the account to use IAM policies, so the IAM allow was ignored".into()
                } else {
                    "the key policy does not allow the caller, and does not delegate to IAM policies".into()
                },
                vec![],
            ),
        ),
        // A trust policy that trusts the account: the account's IAM policies must also allow
        // sts:AssumeRole, as for a key policy that delegates.
        (false, None, SameAccount, RoleTrust, Some(Account)) => (
            Rule::TrustAllowsAccount,
            with(
                identity_path(
                    f,
                    " (the trust policy trusts the account, so IAM must allow too)",
                )
                .map_path(prepend),
                &format!(
                    "the role's trust policy trusts the account, and {}",
                    f.principal_allows()
                ),
            ),
        ),
        // A role can be assumed only by a principal its trust policy allows: an identity policy
        // alone is never enough.
        (false, None, SameAccount, RoleTrust, None) => (
            Rule::TrustNotAllowed,
            (
                Decision::ImplicitDeny,
                if f.identity_allows {
                    "the role's trust policy does not allow the caller, so the IAM allow is not enough".into()
                } else {
                    "the role's trust policy does not allow the caller".into()
                },
                vec![],
            ),
        ),
        // Same account, ordinary resource: identity policies and the resource policy are a union.
        (false, None, SameAccount, Generic, Some(Account)) => (
            Rule::ResourceAllowsAccount,
            with(
                identity_path(f, "").map_path(prepend),
                &format!(
                    "the resource policy allows the account, and {}",
                    f.principal_allows()
                ),
            ),
        ),
        (false, None, SameAccount, Generic | NoPolicy, None)
        | (false, None, SameAccount, NoPolicy, Some(_)) => (
            Rule::IdentityOnly,
            with(
                identity_path(f, ""),
                &format!("{}, and nothing limits it", f.principal_allows()),
            ),
        ),
        // Across accounts both sides must allow: the resource's policy trusts the caller (or its
        // account), and the caller's own account allows through IAM.
        (
            false,
            None,
            CrossAccount,
            Generic | KmsKey | RoleTrust,
            Some(Account | Role | Direct),
        ) => (
            Rule::CrossAccount,
            with(
                identity_path(
                    f,
                    " in the caller's account (cross-account access needs both sides)",
                )
                .map_path(prepend),
                &if f.root_user {
                    "cross-account: the resource policy trusts the caller, and the caller is the root user of its account, which holds every permission there".into()
                } else {
                    "cross-account: the resource policy trusts the caller and the caller's IAM policies allow".to_string()
                },
            ),
        ),
        (false, None, CrossAccount, _, _) => (
            Rule::CrossAccountNoResource,
            (
                Decision::ImplicitDeny,
                "cross-account request, and no policy of the resource's account allows the caller"
                    .into(),
                vec![],
            ),
        ),
    }
}

trait MapPath {
    fn map_path(self, f: impl FnOnce(Vec<PathPart>) -> Vec<PathPart>) -> Self;
}

impl MapPath for (Decision, String, Vec<PathPart>) {
    fn map_path(self, f: impl FnOnce(Vec<PathPart>) -> Vec<PathPart>) -> Self {
        if self.0 == Decision::Allow {
            (self.0, self.1, f(self.2))
        } else {
            self
        }
    }
}
