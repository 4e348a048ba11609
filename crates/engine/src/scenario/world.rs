//! The simulated world a scenario describes: who a caller is, which policies apply to a request,
//! and the request context keys AWS derives itself.

use super::model::*;
use super::read::error_at;
use super::ScenarioError;
use crate::iam::arn::{AccountId, Arn};
use crate::iam::context::{Context, ContextValue, Principal, PrincipalKind};
use crate::iam::evaluate::{NamedPolicy, OrgLevel, OrgPolicies, ResourceKind, ResourcePolicy};
use crate::iam::policy::Policy;
use crate::json::{JsonPath, Pos};
use crate::time::Instant;
use std::sync::OnceLock;

/// Checks cross-references inside the world: attached policies, groups and boundaries exist.
pub fn check_references(s: &Scenario) -> Result<(), ScenarioError> {
    let root = JsonPath::root();
    let has_policy = |name: &str, acct: &AccountId| {
        s.iam
            .policies
            .iter()
            .any(|p| p.name == name && &p.account == acct)
    };
    for (i, u) in s.iam.users.iter().enumerate() {
        let p = root.key("iam").key("users").index(i);
        for a in &u.attached {
            if !has_policy(a, &u.account) {
                return Err(error_at(&p.key("attached"), u.pos, format!("user `{}` attaches `{a}`, which is not a managed policy in `iam.policies` of account `{}`", u.name, u.account)));
            }
        }
        if let Some(b) = &u.boundary {
            if !has_policy(b, &u.account) {
                return Err(error_at(
                    &p.key("boundary"),
                    u.pos,
                    format!(
                        "boundary `{b}` of user `{}` is not a managed policy in `iam.policies`",
                        u.name
                    ),
                ));
            }
        }
        for g in &u.groups {
            if !s
                .iam
                .groups
                .iter()
                .any(|x| &x.name == g && x.account == u.account)
            {
                return Err(error_at(
                    &p.key("groups"),
                    u.pos,
                    format!(
                        "user `{}` is in group `{g}`, which is not in `iam.groups`",
                        u.name
                    ),
                ));
            }
        }
    }
    for (i, g) in s.iam.groups.iter().enumerate() {
        for a in &g.attached {
            if !has_policy(a, &g.account) {
                let p = root.key("iam").key("groups").index(i).key("attached");
                return Err(error_at(&p, Pos::default(), format!("group `{}` attaches `{a}`, which is not a managed policy in `iam.policies`", g.name)));
            }
        }
    }
    for (i, r) in s.iam.roles.iter().enumerate() {
        let p = root.key("iam").key("roles").index(i);
        for a in r.attached.iter().chain(r.boundary.iter()) {
            if !has_policy(a, &r.account) {
                return Err(error_at(
                    &p,
                    Pos::default(),
                    format!(
                        "role `{}` uses `{a}`, which is not a managed policy in `iam.policies`",
                        r.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks each step's `caller` against the world the document declares, so that a typo is
/// marked where it is written while the user types. A caller whose ARN is malformed is always
/// an error; one naming a user or role the document does not declare is an error unless an
/// earlier step may create users (or roles): then only the run can tell. Callers written with
/// `${...}` references are left to the run.
pub fn check_callers(s: &Scenario) -> Result<(), ScenarioError> {
    let steps_path = JsonPath::root().key("steps");
    let (mut users_created, mut roles_created) = (false, false);
    for (i, step) in s.steps.iter().enumerate() {
        if let Some(CallerSpec::Caller(arn)) = &step.caller {
            if !arn.contains("${") {
                let error = match s.find_caller(arn) {
                    Ok(_) => None,
                    Err(CallerError::Malformed(m)) => Some(m),
                    Err(CallerError::Unknown(m)) => {
                        let created = if arn.contains(":assumed-role/") {
                            roles_created
                        } else {
                            users_created
                        };
                        (!created).then_some(m)
                    }
                };
                if let Some(m) = error {
                    let p = steps_path.index(i).key("caller");
                    return Err(error_at(&p, step.positions.caller, m));
                }
            }
        }
        match step.call.as_deref() {
            Some("iam:CreateUser") => users_created = true,
            Some("iam:CreateRole" | "iam:CreateServiceLinkedRole") => roles_created = true,
            _ => {}
        }
    }
    Ok(())
}

/// Who the caller is, with the policies that come with it.
pub struct Caller<'a> {
    /// The principal.
    pub principal: Principal,
    /// The user, if the caller is one.
    pub user: Option<&'a User>,
    /// The role, if the caller is a session of one.
    pub role: Option<&'a Role>,
}

/// The default key policy: the account may use IAM policies to control access to the key.
pub fn default_key_policy() -> &'static Policy {
    static P: OnceLock<Option<Policy>> = OnceLock::new();
    let p = P.get_or_init(|| {
        let src = r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let j = crate::json::parse(src).ok()?;
        Policy::from_json(&j, crate::iam::policy::PolicyKind::Resource, &JsonPath::root()).ok()
    });
    match p {
        Some(p) => p,
        None => empty_policy(),
    }
}

fn empty_policy() -> &'static Policy {
    static E: OnceLock<Policy> = OnceLock::new();
    E.get_or_init(|| Policy {
        version: crate::iam::policy::PolicyVersion::V2012_10_17,
        version_given: true,
        version_pos: Pos::default(),
        id: None,
        statements: Vec::new(),
        kind: crate::iam::policy::PolicyKind::Resource,
        generated: None,
    })
}

/// The default key policy written for `account` (the `ACCOUNT` placeholder replaced).
pub fn default_key_policy_for(account: &AccountId, partition: &str) -> Policy {
    let mut p = default_key_policy()
        .clone()
        .generated("generated default key policy");
    for s in &mut p.statements {
        if let Some(pb) = &mut s.principal {
            if let Some(entries) = &mut pb.entries {
                for (_, v) in entries.iter_mut() {
                    *v = account.root_arn(partition);
                }
            }
        }
    }
    p
}

/// Why a caller does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallerError {
    /// The ARN is not a caller's ARN at all: no world can have it.
    Malformed(String),
    /// A user or role this world does not have (a step may create it).
    Unknown(String),
}

impl CallerError {
    fn into_message(self) -> String {
        match self {
            CallerError::Malformed(m) | CallerError::Unknown(m) => m,
        }
    }
}

/// A hint for an IAM or STS ARN written with one colon where the empty Region needs two
/// (`arn:aws:iam:111122223333:user/x`), the slip that makes it unreadable.
fn missing_colons(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(5, ':').collect();
    match parts.as_slice() {
        ["arn", partition, service @ ("iam" | "sts"), account, rest]
            if AccountId::parse(account).is_some() && !rest.is_empty() =>
        {
            format!(
                " (an {} ARN has an empty Region: `arn:{partition}:{service}::{account}:{rest}`)",
                service.to_ascii_uppercase()
            )
        }
        _ => String::new(),
    }
}

impl Scenario {
    /// A copy of the world the scenario describes, without its steps: what a run changes.
    pub fn world_copy(&self) -> Scenario {
        Scenario {
            title: self.title.clone(),
            description: self.description.clone(),
            defaults: self.defaults.clone(),
            seed: self.seed,
            grant_propagation: self.grant_propagation,
            organization: self.organization.clone(),
            iam: self.iam.clone(),
            resources: self.resources.clone(),
            keys: self.keys.clone(),
            grants: self.grants.clone(),
            key_stores: self.key_stores.clone(),
            stores: self.stores.clone(),
            clusters: self.clusters.clone(),
            steps: Vec::new(),
            // The world, not the exercise: runs never read the lab.
            lab: None,
        }
    }

    /// Principals a form can call as: every user, a session of every role, and the accounts'
    /// root users.
    pub fn principal_arns(&self) -> Vec<String> {
        let p = &self.defaults.partition;
        let mut out: Vec<String> = self
            .iam
            .users
            .iter()
            .map(|u| format!("arn:{p}:iam::{}:user{}{}", u.account, u.path, u.name))
            .collect();
        out.extend(
            self.iam
                .roles
                .iter()
                .map(|r| format!("arn:{p}:sts::{}:assumed-role/{}/console", r.account, r.name)),
        );
        let mut accounts: Vec<&AccountId> = self
            .iam
            .users
            .iter()
            .map(|u| &u.account)
            .chain(self.keys.iter().map(|k| &k.account))
            .collect();
        accounts.push(&self.defaults.account);
        accounts.sort();
        accounts.dedup();
        out.extend(accounts.into_iter().map(|a| a.root_arn(p)));
        out
    }

    fn find_user(&self, acct: &AccountId, name: &str) -> Option<&User> {
        self.iam
            .users
            .iter()
            .find(|u| &u.account == acct && u.name == name)
    }

    fn find_role(&self, acct: &AccountId, name: &str) -> Option<&Role> {
        self.iam
            .roles
            .iter()
            .find(|r| &r.account == acct && r.name == name)
    }

    fn managed(&self, acct: &AccountId, name: &str) -> Option<&ManagedPolicy> {
        self.iam
            .policies
            .iter()
            .find(|p| &p.account == acct && p.name == name)
    }

    /// Resolves a caller ARN (or `service:NAME`) to a principal of this world.
    pub fn resolve_caller(&self, arn: &str) -> Result<Caller<'_>, String> {
        self.find_caller(arn).map_err(CallerError::into_message)
    }

    /// [`Scenario::resolve_caller`], saying whether the ARN is malformed or names a user or role
    /// the world does not have (which a step may create).
    pub(crate) fn find_caller(&self, arn: &str) -> Result<Caller<'_>, CallerError> {
        let partition = &self.defaults.partition;
        let malformed = |m: String| CallerError::Malformed(m);
        if let Some(svc) = arn.strip_prefix("service:") {
            if !svc.ends_with(".amazonaws.com") {
                return Err(malformed(format!(
                    "`{arn}`: a service principal looks like `service:kms.amazonaws.com`"
                )));
            }
            return Ok(Caller {
                principal: Principal {
                    arn: arn.to_string(),
                    account: None,
                    kind: PrincipalKind::Service {
                        name: svc.to_string(),
                    },
                },
                user: None,
                role: None,
            });
        }
        let a = Arn::parse(arn).ok_or_else(|| {
            malformed(format!(
                "caller `{arn}` is not an ARN or `service:NAME`{}",
                missing_colons(arn)
            ))
        })?;
        let account = AccountId::parse(&a.account).ok_or_else(|| {
            malformed(format!(
                "caller `{arn}` has no valid account id{}",
                missing_colons(arn)
            ))
        })?;
        match (a.service.as_str(), a.resource.split_once('/')) {
            ("iam", None) if a.resource == "root" => Ok(Caller {
                principal: Principal { arn: arn.to_string(), account: Some(account), kind: PrincipalKind::Root },
                user: None,
                role: None,
            }),
            ("iam", Some(("user", rest))) => {
                let name = rest.rsplit('/').next().unwrap_or(rest);
                let user = self.find_user(&account, name).ok_or_else(|| {
                    let names: Vec<&str> = self.iam.users.iter().filter(|u| u.account == account).map(|u| u.name.as_str()).collect();
                    let hint = super::read::suggest(name, &names).map_or_else(|| " (add it to `iam.users`, or create it in an earlier step)".to_string(), |n| format!("; did you mean `{n}`?"));
                    CallerError::Unknown(format!("caller `{arn}`: there is no user `{name}` in account `{account}`{hint}"))
                })?;
                let expected = format!("arn:{partition}:iam::{account}:user{}{name}", user.path);
                if expected != arn {
                    return Err(malformed(format!("caller `{arn}`: user `{name}` has path `{}`, so its ARN is `{expected}`", user.path)));
                }
                Ok(Caller {
                    principal: Principal { arn: arn.to_string(), account: Some(account), kind: PrincipalKind::User { name: name.to_string() } },
                    user: Some(user),
                    role: None,
                })
            }
            ("sts", Some(("assumed-role", rest))) => {
                let (role_name, session) = rest.split_once('/').ok_or_else(|| {
                    malformed(format!("caller `{arn}`: an assumed-role ARN is `arn:{partition}:sts::ACCOUNT:assumed-role/ROLE/SESSION`"))
                })?;
                let role = self.find_role(&account, role_name).ok_or_else(|| {
                    let names: Vec<&str> = self.iam.roles.iter().filter(|r| r.account == account).map(|r| r.name.as_str()).collect();
                    let hint = super::read::suggest(role_name, &names).map_or_else(|| " (add it to `iam.roles`, or create it in an earlier step)".to_string(), |n| format!("; did you mean `{n}`?"));
                    CallerError::Unknown(format!("caller `{arn}`: there is no role `{role_name}` in account `{account}`{hint}"))
                })?;
                Ok(Caller {
                    principal: Principal {
                        arn: arn.to_string(),
                        account: Some(account.clone()),
                        kind: PrincipalKind::AssumedRole {
                            role: role_name.to_string(),
                            role_arn: format!("arn:{partition}:iam::{account}:role{}{role_name}", role.path),
                            session: session.to_string(),
                        },
                    },
                    user: None,
                    role: Some(role),
                })
            }
            ("iam", Some(("role", _))) => Err(malformed(format!(
                "caller `{arn}` is a role: a role calls through a session, `arn:{partition}:sts::{account}:assumed-role/ROLE/SESSION`"
            ))),
            _ => Err(malformed(format!(
                "caller `{arn}` is not a user, an assumed-role session, an account root or `service:NAME`"
            ))),
        }
    }

    /// The caller's identity-based policies: attached, inline, and through groups.
    pub fn identity_policies<'a>(&'a self, c: &Caller<'a>) -> Vec<NamedPolicy<'a>> {
        let mut out = Vec::new();
        let mut attach = |acct: &AccountId,
                          names: &[String],
                          inline: &'a [(String, Policy)],
                          via: Option<String>| {
            for n in names {
                if let Some(p) = self.managed(acct, n) {
                    out.push(NamedPolicy {
                        name: n.clone(),
                        via: via.clone(),
                        policy: &p.document,
                    });
                }
            }
            for (n, p) in inline {
                out.push(NamedPolicy {
                    name: n.clone(),
                    via: Some(
                        via.clone()
                            .map_or("inline".to_string(), |v| format!("inline, {v}")),
                    ),
                    policy: p,
                });
            }
        };
        if let Some(u) = c.user {
            attach(&u.account, &u.attached, &u.inline, None);
            for g in &u.groups {
                if let Some(grp) = self
                    .iam
                    .groups
                    .iter()
                    .find(|x| &x.name == g && x.account == u.account)
                {
                    attach(
                        &grp.account,
                        &grp.attached,
                        &grp.inline,
                        Some(format!("through group {g}")),
                    );
                }
            }
        }
        if let Some(r) = c.role {
            attach(
                &r.account,
                &r.attached,
                &r.inline,
                Some(format!("role {}", r.name)),
            );
        }
        out
    }

    /// The caller's permissions boundary.
    pub fn boundary<'a>(&'a self, c: &Caller<'a>) -> Option<NamedPolicy<'a>> {
        let (acct, name) = match (c.user, c.role) {
            (Some(u), _) => (&u.account, u.boundary.as_ref()?),
            (None, Some(r)) => (&r.account, r.boundary.as_ref()?),
            _ => return None,
        };
        let p = self.managed(acct, name)?;
        Some(NamedPolicy {
            name: name.clone(),
            via: None,
            policy: &p.document,
        })
    }

    /// Session policies for a step's session, if any.
    pub fn session_policies<'a>(
        &'a self,
        c: &Caller<'a>,
        s: Option<&'a SessionSpec>,
    ) -> Option<Vec<NamedPolicy<'a>>> {
        let s = s?;
        if s.policy.is_none() && s.managed.is_empty() {
            return None;
        }
        let acct = c.principal.account.as_ref()?;
        let mut out = Vec::new();
        if let Some(p) = &s.policy {
            out.push(NamedPolicy {
                name: "inline-session-policy".into(),
                via: None,
                policy: p,
            });
        }
        for n in &s.managed {
            if let Some(p) = self.managed(acct, n) {
                out.push(NamedPolicy {
                    name: n.clone(),
                    via: Some("managed session policy".into()),
                    policy: &p.document,
                });
            }
        }
        Some(out)
    }

    /// SCPs (for the caller's account) or RCPs (for the resource's account).
    pub fn org_policies(
        &self,
        account: Option<&AccountId>,
        caller: &Principal,
        rcp: bool,
        action: &str,
    ) -> OrgPolicies<'_> {
        let kind = if rcp { "RCPs" } else { "SCPs" };
        let Some(org) = &self.organization else {
            return OrgPolicies::NotApplicable("there is no organization in this scenario".into());
        };
        // SCPs limit the organization's own principals, never AWS services; RCPs limit access
        // to the organization's resources, by anyone (services included), for the services
        // that support them.
        if !rcp && matches!(caller.kind, PrincipalKind::Service { .. }) {
            return OrgPolicies::NotApplicable(format!(
                "{kind} never apply to AWS service principals"
            ));
        }
        let service = action
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if rcp && !RCP_SERVICES.contains(&service.as_str()) {
            return OrgPolicies::NotApplicable(format!(
                "RCPs do not apply to `{service}` (they cover {})",
                RCP_SERVICES.join(", ")
            ));
        }
        let Some(account) = account else {
            return OrgPolicies::NotApplicable(format!(
                "the {} has no account",
                if rcp { "resource" } else { "caller" }
            ));
        };
        if *account == org.management {
            return OrgPolicies::NotApplicable(format!(
                "{kind} do not limit the management account `{account}`"
            ));
        }
        let Some(member) = org.accounts.get(account) else {
            return OrgPolicies::NotApplicable(format!(
                "account `{account}` is not in the organization"
            ));
        };
        let list = if rcp { &org.rcps } else { &org.scps };
        let targets = member
            .path
            .iter()
            .cloned()
            .chain(std::iter::once(account.to_string()));
        let levels: Vec<OrgLevel<'_>> = targets
            .map(|t| OrgLevel {
                policies: list
                    .iter()
                    .filter(|p| p.targets.contains(&t))
                    .map(|p| NamedPolicy {
                        name: p.id.clone(),
                        via: Some(format!("attached to {t}")),
                        policy: &p.document,
                    })
                    .collect(),
                target: t,
            })
            // AWS requires at least one policy on every level; a level the scenario leaves
            // empty is taken as not restricting.
            .filter(|l| !l.policies.is_empty())
            .collect();
        if levels.is_empty() {
            return OrgPolicies::NotApplicable(format!(
                "no {kind} are attached on the path of account `{account}`"
            ));
        }
        OrgPolicies::Levels(levels)
    }

    /// The resource-based policy for `resource`, with its owning account.
    pub fn resource_policy(
        &self,
        resource: &str,
    ) -> Option<(ResourcePolicy<'_>, Option<AccountId>)> {
        if let Some(k) = self.find_key(resource) {
            return Some((
                ResourcePolicy {
                    kind: ResourceKind::KmsKey,
                    name: k.arn(&self.defaults.partition),
                    policy: &k.policy,
                },
                Some(k.account.clone()),
            ));
        }
        let r = self.resources.iter().find(|r| {
            r.covers
                .iter()
                .any(|c| crate::iam::arn::resource_matches(c, resource))
        })?;
        Some((
            ResourcePolicy {
                kind: ResourceKind::Generic,
                name: r.arn.clone(),
                policy: &r.policy,
            },
            r.account.clone(),
        ))
    }

    /// The key whose ARN is `resource`.
    pub fn find_key(&self, resource: &str) -> Option<&KeyDef> {
        self.keys
            .iter()
            .find(|k| k.arn(&self.defaults.partition) == resource)
    }

    /// Resolves a `KeyId` input (id, key ARN, alias name or alias ARN) to a key.
    pub fn resolve_key_id(&self, key_id: &str) -> Option<&KeyDef> {
        let partition = &self.defaults.partition;
        self.keys.iter().find(|k| {
            k.id == key_id
                || k.arn(partition) == key_id
                || k.aliases.iter().any(|a| {
                    a == key_id
                        || format!("arn:{partition}:kms:{}:{}:{a}", k.region, k.account) == key_id
                })
        })
    }

    /// The context keys AWS sets itself for a request; a step may not contradict them.
    pub fn derived_context(
        &self,
        c: &Caller<'_>,
        session: Option<&SessionSpec>,
        now: Instant,
        resource_account: Option<&AccountId>,
    ) -> Context {
        let mut ctx = Context::default();
        let p = &c.principal;
        let partition = &self.defaults.partition;
        ctx.insert_single("aws:CurrentTime", now.to_string());
        ctx.insert_single("aws:EpochTime", now.epoch_seconds().to_string());
        let is_service = matches!(p.kind, PrincipalKind::Service { .. });
        ctx.insert_single("aws:PrincipalIsAWSService", is_service.to_string());
        if let Some(acct) = resource_account {
            ctx.insert_single("aws:ResourceAccount", acct.to_string());
        }
        match &p.kind {
            PrincipalKind::Service { name } => {
                ctx.insert_single("aws:PrincipalServiceName", name.clone());
                return ctx;
            }
            PrincipalKind::Root => {
                ctx.insert_single("aws:PrincipalType", "Account");
                ctx.insert_single("aws:PrincipalArn", p.arn.clone());
                if let Some(a) = &p.account {
                    ctx.insert_single("aws:userid", a.to_string());
                }
            }
            PrincipalKind::User { name } => {
                ctx.insert_single("aws:PrincipalType", "User");
                ctx.insert_single("aws:PrincipalArn", p.arn.clone());
                ctx.insert_single("aws:username", name.clone());
                ctx.insert_single("aws:userid", unique_id("AIDA", &p.arn));
            }
            PrincipalKind::AssumedRole {
                role_arn,
                session: sname,
                ..
            } => {
                ctx.insert_single("aws:PrincipalType", "AssumedRole");
                ctx.insert_single("aws:PrincipalArn", role_arn.clone());
                ctx.insert_single(
                    "aws:userid",
                    format!("{}:{sname}", unique_id("AROA", role_arn)),
                );
                ctx.insert_single("aws:RoleSessionName", sname.clone());
            }
            PrincipalKind::Role { .. } | PrincipalKind::FederatedUser { .. } => {
                ctx.insert_single("aws:PrincipalArn", p.arn.clone());
            }
        }
        if let Some(acct) = &p.account {
            ctx.insert_single("aws:PrincipalAccount", acct.to_string());
            if let Some(org) = &self.organization {
                if let Some(member) = org.accounts.get(acct) {
                    if let Some(id) = &org.id {
                        ctx.insert_single("aws:PrincipalOrgID", id.clone());
                        let path = member
                            .path
                            .iter()
                            .fold(format!("{id}/"), |acc, t| format!("{acc}{t}/"));
                        ctx.insert("aws:PrincipalOrgPaths", ContextValue::Multi(vec![path]));
                    }
                }
            }
        }
        let mut tags: Vec<(String, String)> = c
            .user
            .map(|u| u.tags.clone())
            .or_else(|| c.role.map(|r| r.tags.clone()))
            .unwrap_or_default();
        if let Some(si) = session.and_then(|s| s.source_identity.as_ref()) {
            ctx.insert_single("aws:SourceIdentity", si.clone());
        }
        if let Some(s) = session {
            for (k, v) in &s.tags {
                tags.retain(|(tk, _)| !tk.eq_ignore_ascii_case(k));
                tags.push((k.clone(), v.clone()));
            }
        }
        for (k, v) in tags {
            ctx.insert_single(&format!("aws:PrincipalTag/{k}"), v);
        }
        let _ = partition;
        ctx
    }
}

/// A stable, AWS-shaped unique id (`AIDA` + 17 characters) derived from an ARN, so that
/// `aws:userid` is the same on every run.
pub fn unique_id(prefix: &str, arn: &str) -> String {
    // FNV-1a, then base-32 digits: deterministic and dependency-free. Not a secret.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut s = String::from(prefix);
    let mut x = h;
    for i in 0..17 {
        if i == 12 {
            x = h.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15;
        }
        let idx = usize::try_from(x % 32).unwrap_or(0);
        s.push(char::from(*ALPHABET.get(idx).unwrap_or(&b'A')));
        x /= 32;
    }
    s
}

/// The services whose resources RCPs protect.
pub const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];

/// Keys that the simulator derives and a step's `context` must not contradict.
pub fn is_derived_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "aws:currenttime"
            | "aws:epochtime"
            | "aws:principalarn"
            | "aws:principalaccount"
            | "aws:principaltype"
            | "aws:userid"
            | "aws:username"
            | "aws:principalisawsservice"
            | "aws:principalservicename"
            | "aws:resourceaccount"
            | "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:rolesessionname"
    ) || k.starts_with("aws:principaltag/")
}
