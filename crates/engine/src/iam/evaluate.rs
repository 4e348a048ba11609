//! Policy evaluation across policy types: AWS's combining rule, with the trace that explains it.
//!
//! Every statement of every applicable policy is matched against the request (action, then
//! resource, then principal, then conditions, stopping at the first element that does not
//! match). The layers' results are then combined by [`combine`], one `match` whose arms are
//! AWS's documented rules, in order:
//! explicit deny anywhere; RCPs and SCPs (every level of the OU path must allow); resource-based
//! policies (same account: the resource policy alone can allow; cross-account: both sides must);
//! KMS key policies (IAM policies count only where the key policy delegates to the account);
//! identity-based policies, permissions boundaries and session policies.

mod combine;
mod principal;

use super::arn::{resource_matches_prepared, PreparedResource};
use super::context::{PrincipalKind, Request};
use super::policy::{Effect, Policy, Statement};
use crate::trace::{
    Check, Decision, Layer, LayerTrace, LayerVerdict, PolicyTrace, RequestView, StatementTrace,
    Trace,
};
use combine::{combine, relation, Facts, Gate, OrgBlock, PathPart, ResourceSide};
use principal::{match_principal, PrincipalMatch};

/// KMS condition keys that AWS evaluates in IAM policies only, never in key policies.
const IAM_ONLY_KMS_KEYS: &[&str] = &["kms:ResourceAliases"];

/// A policy with the name it has in traces.
#[derive(Debug, Clone)]
pub struct NamedPolicy<'a> {
    /// The name (managed policy name, `inline:NAME`, SCP id).
    pub name: String,
    /// How it reaches the caller (`attached to group admins`), for the trace.
    pub via: Option<String>,
    /// The document.
    pub policy: &'a Policy,
}

/// One level of an organization path (root, OU, account) with the policies attached there.
#[derive(Debug, Clone)]
pub struct OrgLevel<'a> {
    /// The target id (`r-root`, `ou-prod`, an account id).
    pub target: String,
    /// The SCPs or RCPs attached there.
    pub policies: Vec<NamedPolicy<'a>>,
}

/// SCPs or RCPs for a request: the levels that apply, or why none do.
#[derive(Debug, Clone)]
pub enum OrgPolicies<'a> {
    /// Not applicable, with the reason (no organization, management account, service principal).
    NotApplicable(String),
    /// Every level of the path; each must allow.
    Levels(Vec<OrgLevel<'a>>),
}

/// What kind of resource policy is involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// S3, SQS, SNS, Secrets Manager, ...: a same-account grant suffices on its own.
    Generic,
    /// A KMS key policy: IAM policies count only where it delegates to the account.
    KmsKey,
    /// A role's trust policy (AssumeRole): required even within the account.
    RoleTrust,
}

/// The resource's policy.
#[derive(Debug, Clone)]
pub struct ResourcePolicy<'a> {
    /// Generic or KMS.
    pub kind: ResourceKind,
    /// A name for the trace (the resource ARN).
    pub name: String,
    /// The document.
    pub policy: &'a Policy,
}

/// Everything the evaluation needs: the request and the policies that may apply to it.
#[derive(Debug, Clone)]
pub struct AuthzInput<'a> {
    /// The request.
    pub request: &'a Request,
    /// The caller's identity-based policies (managed, inline, through groups).
    pub identity: Vec<NamedPolicy<'a>>,
    /// The caller's permissions boundary.
    pub boundary: Option<NamedPolicy<'a>>,
    /// Session policies, for a session created with them (`None` for no session policy).
    pub session: Option<Vec<NamedPolicy<'a>>>,
    /// SCPs for the caller's account.
    pub scps: OrgPolicies<'a>,
    /// RCPs for the resource's account.
    pub rcps: OrgPolicies<'a>,
    /// The resource-based policy, if the resource has one.
    pub resource_policy: Option<ResourcePolicy<'a>>,
}

/// An authorization decision with its reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The outcome.
    pub decision: Decision,
    /// The statements that decided.
    pub deciding: Vec<String>,
    /// One line saying why.
    pub summary: String,
    /// The full explanation, when asked for.
    pub trace: Option<Trace>,
    /// Whether an SCP or RCP level did not allow the request (nothing else can then allow it).
    pub org_blocked: bool,
}

/// The request prepared once for matching many statements.
struct Prepared<'a> {
    req: &'a Request,
    /// The caller has a permissions boundary (a Deny with NotPrincipal then always applies).
    has_boundary: bool,
    action_lc: String,
    action: std::cell::OnceCell<Vec<char>>,
    resource: PreparedResource,
}

/// What one statement did.
struct StmtResult {
    applies: bool,
    principal: Option<PrincipalMatch>,
}

/// The outcome of one layer.
#[derive(Default)]
struct LayerOutcome {
    allows: Vec<(String, Option<PrincipalMatch>)>,
    denies: Vec<String>,
}

/// The evaluation state that the trace accumulates.
struct Recorder {
    tracing: bool,
    layers: Vec<LayerTrace>,
    missing: Vec<String>,
    errors: Vec<String>,
}

/// Decides a request. With `tracing`, the response carries the full [`Trace`]; without it, the
/// same decision is reached with no explanatory text built (the fast path for bulk checks).
pub fn authorize(input: &AuthzInput<'_>, tracing: bool) -> Response {
    let req = input.request;
    let has_boundary = input.boundary.is_some();
    let prep = Prepared {
        req,
        has_boundary,
        action_lc: req.action.to_lowercase(),
        action: std::cell::OnceCell::new(),
        resource: PreparedResource::new(&req.resource),
    };
    let mut rec = Recorder {
        tracing,
        layers: Vec::new(),
        missing: Vec::new(),
        errors: Vec::new(),
    };

    let rcp = eval_org(&prep, &input.rcps, Layer::Rcp, &mut rec);
    let scp = eval_org(&prep, &input.scps, Layer::Scp, &mut rec);
    let (res_layer, resource) = match &input.resource_policy {
        Some(rp) => {
            let layer = match rp.kind {
                ResourceKind::Generic | ResourceKind::RoleTrust => Layer::Resource,
                ResourceKind::KmsKey => Layer::KeyPolicy,
            };
            let named = NamedPolicy {
                // Key and resource policies are named by statement only; the name is for the trace.
                name: if tracing {
                    rp.name.clone()
                } else {
                    String::new()
                },
                // A policy kmslab wrote says so where a document's policy would have a line.
                via: rp.policy.generated.clone(),
                policy: rp.policy,
            };
            // Some KMS condition keys count in IAM policies only: a key policy never sees them.
            let hidden: Vec<&str> = IAM_ONLY_KMS_KEYS
                .iter()
                .copied()
                .filter(|k| layer == Layer::KeyPolicy && req.context.contains(k))
                .collect();
            let outcome = if hidden.is_empty() {
                eval_layer(&prep, layer, layer.title(), &[named], None, &mut rec)
            } else {
                let mut filtered = req.clone();
                filtered.context = req.context.without(&hidden);
                let fprep = Prepared {
                    req: &filtered,
                    has_boundary,
                    action_lc: prep.action_lc.clone(),
                    action: std::cell::OnceCell::new(),
                    resource: PreparedResource::new(&req.resource),
                };
                // Said only where it matters: a key policy condition on such a key, which
                // finds it absent (every key with an alias has kms:ResourceAliases).
                let read: Vec<&str> = hidden
                    .iter()
                    .copied()
                    .filter(|k| {
                        rp.policy
                            .statements
                            .iter()
                            .any(|st| st.conditions.iter().any(|c| c.key.eq_ignore_ascii_case(k)))
                    })
                    .collect();
                let note = (tracing && !read.is_empty()).then(|| match read.as_slice() {
                    [one] => format!(
                        "`{one}` counts in IAM policies only, so the key policy's condition on it finds it absent"
                    ),
                    _ => format!(
                        "`{}` count in IAM policies only, so the key policy's conditions on them find them absent",
                        read.join("`, `")
                    ),
                });
                eval_layer(&fprep, layer, layer.title(), &[named], note, &mut rec)
            };
            (Some(layer), Some(outcome))
        }
        None => (None, None),
    };
    let identity_note = if !tracing {
        None
    } else {
        match &req.principal.kind {
            PrincipalKind::Root => {
                Some("the root user is not limited by identity-based policies".to_string())
            }
            PrincipalKind::Service { .. } => {
                Some("a service principal has no identity-based policies".to_string())
            }
            _ if input.identity.is_empty() => {
                Some("the caller has no identity-based policies".to_string())
            }
            _ => None,
        }
    };
    let identity = eval_layer(
        &prep,
        Layer::Identity,
        Layer::Identity.title(),
        &input.identity,
        identity_note,
        &mut rec,
    );
    let boundary = input.boundary.as_ref().map(|b| {
        eval_layer(
            &prep,
            Layer::Boundary,
            Layer::Boundary.title(),
            std::slice::from_ref(b),
            None,
            &mut rec,
        )
    });
    let session = input.session.as_ref().map(|s| {
        eval_layer(
            &prep,
            Layer::Session,
            Layer::Session.title(),
            s,
            None,
            &mut rec,
        )
    });

    // Facts for the combining rule.
    let mut denies: Vec<String> = Vec::new();
    for o in rcp.iter().flatten().chain(scp.iter().flatten()) {
        denies.extend(o.denies.iter().cloned());
    }
    for o in resource
        .iter()
        .chain(std::iter::once(&identity))
        .chain(boundary.iter())
        .chain(session.iter())
    {
        denies.extend(o.denies.iter().cloned());
    }
    let org = org_gate(&input.rcps, rcp.as_deref(), Layer::Rcp)
        .or_else(|| org_gate(&input.scps, scp.as_deref(), Layer::Scp));
    // The root user holds every permission of its account: its own account's side of a request
    // always allows (resource policies, key policies and SCPs still apply).
    let root_user =
        matches!(req.principal.kind, PrincipalKind::Root) && req.principal.account.is_some();
    let identity_allows = root_user || !identity.allows.is_empty();
    let gate = |o: &Option<LayerOutcome>| match o {
        None => Gate::Absent,
        Some(l) if l.allows.is_empty() => Gate::NoAllow,
        Some(_) => Gate::Allows,
    };
    let facts = Facts {
        explicit_deny: !denies.is_empty(),
        org,
        relation: relation(req),
        resource: match (&input.resource_policy, res_layer) {
            (Some(rp), _) if rp.kind == ResourceKind::RoleTrust => ResourceSide::RoleTrust,
            (_, Some(Layer::KeyPolicy)) => ResourceSide::KmsKey,
            (_, Some(_)) => ResourceSide::Generic,
            (_, None) => ResourceSide::NoPolicy,
        },
        grant: resource
            .as_ref()
            .and_then(|r| r.allows.iter().filter_map(|(_, m)| *m).max()),
        identity_allows,
        root_user,
        boundary: gate(&boundary),
        session: gate(&session),
    };
    let combined = combine(&facts);
    let (decision, summary, path) = (combined.decision, combined.summary, combined.path);

    let mut deciding = Vec::new();
    match decision {
        Decision::ExplicitDeny => deciding = denies,
        Decision::Allow => {
            for p in &path {
                let from: Option<&LayerOutcome> = match p {
                    PathPart::Resource => resource.as_ref(),
                    PathPart::Identity => Some(&identity),
                    PathPart::Boundary => boundary.as_ref(),
                    PathPart::Session => session.as_ref(),
                };
                if let Some(o) = from {
                    // On the resource side only the statements that named the caller the way
                    // the rule used decided: a statement naming the account does not decide a
                    // request that a statement naming the caller allows on its own.
                    deciding.extend(
                        o.allows
                            .iter()
                            .filter(|(_, m)| *p != PathPart::Resource || *m == facts.grant)
                            .map(|(id, _)| id.clone()),
                    );
                }
            }
        }
        Decision::ImplicitDeny => {}
    }

    let trace = tracing.then(|| {
        let mut reasoning = Vec::new();
        reasoning.push(if facts.explicit_deny {
            format!("explicit deny: {}", deciding.join(", "))
        } else {
            "no statement explicitly denies".to_string()
        });
        reasoning.push(match &facts.org {
            Some(b) => b.describe(),
            None => "RCPs and SCPs: every applicable level allows (or none applies)".to_string(),
        });
        reasoning.push(facts.describe_resource());
        reasoning.push(format!(
            "identity-based policies: {}",
            if root_user {
                "the root user needs none: it holds every permission of its account"
            } else if identity.allows.is_empty() {
                "no statement allows"
            } else {
                "a statement allows"
            }
        ));
        reasoning.push(format!(
            "permissions boundary: {}",
            facts.boundary.describe()
        ));
        reasoning.push(format!("session policies: {}", facts.session.describe()));
        reasoning.push(format!("outcome: {} ({summary})", decision.as_str()));
        let mut missing = std::mem::take(&mut rec.missing);
        missing.sort_by_key(|k| k.to_ascii_lowercase());
        missing.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        Trace {
            request: RequestView {
                principal: req.principal.arn.clone(),
                action: req.action.clone(),
                resource: req.resource.clone(),
                context: req
                    .context
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            v.values().into_iter().map(str::to_string).collect(),
                        )
                    })
                    .collect(),
            },
            layers: std::mem::take(&mut rec.layers),
            decision,
            deciding: deciding.clone(),
            summary: summary.clone(),
            rule: combined.rule,
            stopped_by: combined.stopped_by,
            reasoning,
            missing_keys: missing,
            errors: std::mem::take(&mut rec.errors),
            grants: Vec::new(),
            key_state: None,
        }
    });
    Response {
        decision,
        deciding,
        summary,
        trace,
        org_blocked: facts.org.is_some(),
    }
}

fn org_gate(
    input: &OrgPolicies<'_>,
    outcomes: Option<&[LayerOutcome]>,
    layer: Layer,
) -> Option<OrgBlock> {
    let (OrgPolicies::Levels(levels), Some(outcomes)) = (input, outcomes) else {
        return None;
    };
    levels
        .iter()
        .zip(outcomes)
        .find(|(_, o)| o.allows.is_empty())
        .map(|(l, _)| OrgBlock {
            layer,
            target: l.target.clone(),
        })
}

fn eval_org(
    prep: &Prepared<'_>,
    org: &OrgPolicies<'_>,
    layer: Layer,
    rec: &mut Recorder,
) -> Option<Vec<LayerOutcome>> {
    let short = if layer == Layer::Scp { "SCPs" } else { "RCPs" };
    match org {
        OrgPolicies::NotApplicable(why) => {
            if rec.tracing {
                rec.layers.push(LayerTrace {
                    layer,
                    title: layer.title().to_string(),
                    target: None,
                    verdict: LayerVerdict::NotApplicable,
                    note: Some(why.clone()),
                    policies: vec![],
                });
            }
            None
        }
        OrgPolicies::Levels(levels) => Some(
            levels
                .iter()
                .map(|l| {
                    let note = l.policies.is_empty().then(|| {
                        format!(
                            "no {short} are attached at `{}`, so nothing is allowed there",
                            l.target
                        )
                    });
                    let outcome = eval_layer(
                        prep,
                        layer,
                        &format!("{short} at {}", l.target),
                        &l.policies,
                        note,
                        rec,
                    );
                    if let Some(t) = rec.layers.last_mut().filter(|_| rec.tracing) {
                        t.target = Some(l.target.clone());
                    }
                    outcome
                })
                .collect(),
        ),
    }
}

fn eval_layer(
    prep: &Prepared<'_>,
    layer: Layer,
    title: &str,
    policies: &[NamedPolicy<'_>],
    note: Option<String>,
    rec: &mut Recorder,
) -> LayerOutcome {
    let mut out = LayerOutcome::default();
    let mut ptraces = Vec::new();
    for np in policies {
        let mut straces = Vec::new();
        for stmt in &np.policy.statements {
            let mut st = None;
            let r = eval_statement(
                prep,
                stmt,
                rec,
                if rec.tracing { Some(&mut st) } else { None },
            );
            let id = || statement_id(layer, &np.name, stmt);
            if r.applies {
                match stmt.effect {
                    Effect::Allow => out.allows.push((id(), r.principal)),
                    Effect::Deny => out.denies.push(id()),
                }
            }
            if let Some(mut t) = st {
                t.id = id();
                straces.push(t);
            }
        }
        if rec.tracing {
            ptraces.push(PolicyTrace {
                name: np.name.clone(),
                via: np.via.clone(),
                statements: straces,
            });
        }
    }
    if rec.tracing {
        let verdict = if !out.denies.is_empty() {
            LayerVerdict::Deny
        } else if !out.allows.is_empty() {
            LayerVerdict::Allow
        } else {
            LayerVerdict::NoMatch
        };
        rec.layers.push(LayerTrace {
            layer,
            title: title.to_string(),
            target: None,
            verdict,
            note,
            policies: ptraces,
        });
    }
    out
}

/// The statement's name in `deciding`: `identity:POLICY:SID`, or `key-policy:SID` for the
/// single-policy layers.
pub fn statement_id(layer: Layer, policy: &str, stmt: &Statement) -> String {
    match layer {
        Layer::KeyPolicy | Layer::Resource => format!("{}:{}", layer.prefix(), stmt.label()),
        _ => format!("{}:{}:{}", layer.prefix(), policy, stmt.label()),
    }
}

fn eval_statement(
    prep: &Prepared<'_>,
    stmt: &Statement,
    rec: &mut Recorder,
    trace: Option<&mut Option<StatementTrace>>,
) -> StmtResult {
    let tracing = trace.is_some();
    let mut st = tracing.then(|| StatementTrace {
        id: String::new(),
        sid: stmt.sid.clone(),
        index: stmt.index,
        effect: stmt.effect,
        applies: false,
        action: Check {
            matched: false,
            detail: String::new(),
        },
        resource: None,
        principal: None,
        names: None,
        conditions: Vec::new(),
        line: stmt.pos.line,
    });
    let finish = |st: Option<StatementTrace>, trace: Option<&mut Option<StatementTrace>>| {
        if let Some(slot) = trace {
            *slot = st;
        }
    };

    // Action (case-insensitive).
    let hit = stmt
        .action
        .patterns
        .iter()
        .find(|(_, p)| match p.literal_str() {
            Some(lit) => lit == prep.action_lc,
            None => p.matches_chars(
                prep.action.get_or_init(|| prep.action_lc.chars().collect()),
                false,
            ),
        });
    let action_ok = hit.is_some() != stmt.action.negated;
    if let Some(st) = st.as_mut() {
        st.action = Check {
            matched: action_ok,
            detail: match (stmt.action.negated, hit) {
                (false, Some((raw, _))) => format!("`{}` matches `{raw}`", prep.req.action),
                (false, None) => format!("`{}` matches no entry of `Action`", prep.req.action),
                (true, Some((raw, _))) => {
                    format!(
                        "`{}` matches `{raw}` in `NotAction`, so it is excluded",
                        prep.req.action
                    )
                }
                (true, None) => format!("`{}` is not listed in `NotAction`", prep.req.action),
            },
        };
    }
    if !action_ok {
        finish(st, trace);
        return StmtResult {
            applies: false,
            principal: None,
        };
    }

    // Resource (case-sensitive, ARN segment rules, policy variables).
    if let Some(rb) = &stmt.resource {
        let mut hit: Option<&str> = None;
        let mut missing_var = None;
        for t in &rb.patterns {
            match t.resolve(&prep.req.context) {
                Ok(r) => {
                    if resource_matches_prepared(r.pattern(), &prep.resource) {
                        hit = Some(t.raw());
                        break;
                    }
                }
                Err(m) => {
                    rec.missing.push(m.0.clone());
                    missing_var = Some(m.0);
                }
            }
        }
        let ok = hit.is_some() != rb.negated;
        if let Some(st) = st.as_mut() {
            let field = if rb.negated {
                "NotResource"
            } else {
                "Resource"
            };
            let mut detail = match hit {
                Some(raw) => format!("`{}` matches `{raw}` in `{field}`", prep.req.resource),
                None => format!("`{}` matches no entry of `{field}`", prep.req.resource),
            };
            if let Some(k) = missing_var {
                detail.push_str(&format!(
                    " (policy variable `${{{k}}}` has no value in the request)"
                ));
            }
            st.resource = Some(Check {
                matched: ok,
                detail,
            });
        }
        if !ok {
            finish(st, trace);
            return StmtResult {
                applies: false,
                principal: None,
            };
        }
    }

    // Principal (resource-based, trust and key policies).
    let mut pmatch = None;
    if let Some(pb) = &stmt.principal {
        let (mut ok, m, mut detail) = match_principal(pb, &prep.req.principal, &prep.req.partition);
        pmatch = m;
        // IAM's NotPrincipal rule: a Deny with NotPrincipal applies to every principal that has
        // a permissions boundary, even one the element lists.
        if !ok && pb.negated && stmt.effect == Effect::Deny && prep.has_boundary {
            ok = true;
            pmatch = Some(PrincipalMatch::Direct);
            detail = format!(
                "{detail}; but the caller has a permissions boundary, and a Deny with `NotPrincipal` always applies to such principals"
            );
        }
        if let Some(st) = st.as_mut() {
            st.principal = Some(Check {
                matched: ok,
                detail,
            });
            st.names = pmatch.filter(|_| ok).map(|m| match m {
                PrincipalMatch::Account => crate::trace::Named::Account,
                PrincipalMatch::Role => crate::trace::Named::Role,
                PrincipalMatch::Direct => crate::trace::Named::Caller,
            });
        }
        if !ok {
            finish(st, trace);
            return StmtResult {
                applies: false,
                principal: None,
            };
        }
    }

    // Conditions, all of which must hold.
    let mut all = true;
    for c in &stmt.conditions {
        let out = c.evaluate(&prep.req.context, tracing);
        if out.missing_key {
            rec.missing.push(c.key.clone());
            if tracing && !crate::lint::known_condition_key(&c.key) {
                let e = format!(
                    "statement {}: `{}` is not a condition key AWS defines, so no request has it",
                    stmt.label(),
                    c.key
                );
                if !rec.errors.contains(&e) {
                    rec.errors.push(e);
                }
            }
        }
        for t in &c.values {
            for k in t.variable_keys() {
                if !prep.req.context.contains(k) {
                    rec.missing.push(k.to_string());
                }
            }
        }
        if let super::condition::Operator::Unknown(name) = &c.operator {
            let e = format!(
                "unknown condition operator `{name}` in statement {}",
                stmt.label()
            );
            if !rec.errors.contains(&e) {
                rec.errors.push(e);
            }
        }
        if let Some(t) = out.trace {
            if let Some(e) = &t.error {
                if !matches!(c.operator, super::condition::Operator::Unknown(_)) {
                    rec.errors.push(format!("statement {}: {e}", stmt.label()));
                }
            }
            if let Some(st) = st.as_mut() {
                st.conditions.push(t);
            }
        }
        if !out.result {
            all = false;
            if !tracing {
                break;
            }
        }
    }
    if let Some(st) = st.as_mut() {
        st.applies = all;
    }
    finish(st, trace);
    StmtResult {
        applies: all,
        principal: if all {
            pmatch
                .or(Some(PrincipalMatch::Direct))
                .filter(|_| stmt.principal.is_some())
        } else {
            None
        },
    }
}
