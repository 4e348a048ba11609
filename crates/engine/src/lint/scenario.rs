//! Findings that need the whole scenario: a key policy that locks everyone out, and full access
//! (`"*"` on `"*"`) reaching a user or role that is not an administrator.

use super::{statement_path, Finding, Severity};
use crate::iam::context::Request;
use crate::iam::evaluate::{authorize, AuthzInput, ResourceKind, ResourcePolicy};
use crate::iam::policy::{Effect, Policy, Statement};
use crate::json::{JsonPath, Pos};
use crate::scenario::{KeyDef, Scenario};
use crate::trace::Decision;
use std::collections::BTreeMap;

/// AWS's policy lockout safety check, asked of every principal the scenario knows: the key
/// policy must let someone call `kms:PutKeyPolicy`. The check is the one `PutKeyPolicy` and
/// `CreateKey` run for their caller (the request authorized under the new key policy, with the
/// caller's IAM policies, boundary and SCPs), here without a step's own context keys.
pub(super) fn key_policy_lockout(s: &Scenario, key: &KeyDef, path: &JsonPath) -> Option<Finding> {
    let partition = &s.defaults.partition;
    let arn = key.arn(partition);
    let action = "kms:PutKeyPolicy";
    let someone = s.principal_arns().iter().any(|p| {
        let Ok(caller) = s.resolve_caller(p) else {
            return false;
        };
        let mut context = s.derived_context(&caller, None, s.defaults.time, Some(&key.account));
        if let Some(a) = &caller.principal.account {
            context.insert_single("kms:CallerAccount", a.to_string());
        }
        let request = Request {
            principal: caller.principal.clone(),
            action: action.to_string(),
            resource: arn.clone(),
            resource_account: Some(key.account.clone()),
            partition: partition.clone(),
            context,
        };
        let input = AuthzInput {
            request: &request,
            identity: s.identity_policies(&caller),
            boundary: s.boundary(&caller),
            session: None,
            scps: s.org_policies(
                caller.principal.account.as_ref(),
                &caller.principal,
                false,
                action,
            ),
            rcps: s.org_policies(Some(&key.account), &caller.principal, true, action),
            resource_policy: Some(ResourcePolicy {
                kind: ResourceKind::KmsKey,
                name: arn.clone(),
                policy: &key.policy,
            }),
        };
        authorize(&input, false).decision == Decision::Allow
    });
    (!someone).then(|| Finding {
        severity: Severity::Warning,
        code: "key-policy-lockout",
        policy: format!("key {}", key.id),
        path: path.to_string(),
        pos: key.policy.statements.first().map_or(Pos::default(), |st| st.pos),
        message: format!(
            "no principal of this scenario may call `kms:PutKeyPolicy` on key `{}` under this policy, so nobody could change it again: AWS's lockout safety check refuses such a policy; allow the account (`{}`) or a key administrator",
            key.id,
            key.account.root_arn(partition)
        ),
    })
}

/// Whether a statement grants every action on every resource, unconditionally.
fn full_access(st: &Statement) -> bool {
    st.effect == Effect::Allow
        && !st.action.negated
        && st.action.patterns.iter().any(|(a, _)| a == "*")
        && st
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.patterns.iter().any(|t| t.raw() == "*"))
        && st.conditions.is_empty()
}

/// Whether a user, group or role name says it is for administrators.
fn admin_name(name: &str) -> bool {
    name.to_ascii_lowercase().contains("admin")
}

/// `"*"` on `"*"` reaching users and roles that are not administrators (a user counts as one
/// through an admin-named group): one finding per statement, naming who holds it.
pub(super) fn full_access_for_non_admins(s: &Scenario, out: &mut Vec<Finding>) {
    let root = JsonPath::root().key("iam");
    // Statement path -> (policy name, statement, holders).
    let mut hits: BTreeMap<String, (String, Pos, String, Vec<String>)> = BTreeMap::new();
    let mut record = |policy: &Policy, name: &str, base: &JsonPath, holder: &str| {
        for st in policy.statements.iter().filter(|st| full_access(st)) {
            let e = hits
                .entry(statement_path(policy, base, st.index).to_string())
                .or_insert_with(|| (name.to_string(), st.pos, st.label(), Vec::new()));
            if !e.3.iter().any(|h| h == holder) {
                e.3.push(holder.to_string());
            }
        }
    };
    let managed = |acct: &crate::iam::arn::AccountId, n: &str| {
        s.iam
            .policies
            .iter()
            .enumerate()
            .find(|(_, p)| &p.account == acct && p.name == n)
    };
    for (i, u) in s.iam.users.iter().enumerate() {
        if admin_name(&u.name) {
            continue;
        }
        let holder = format!("user/{}", u.name);
        for n in &u.attached {
            if let Some((pi, p)) = managed(&u.account, n) {
                let base = root.key("policies").index(pi).key("document");
                record(&p.document, &format!("policy {n}"), &base, &holder);
            }
        }
        for (n, p) in &u.inline {
            let base = root.key("users").index(i).key("inline").key(n);
            record(p, &format!("user {} inline {n}", u.name), &base, &holder);
        }
        for (gi, g) in s.iam.groups.iter().enumerate() {
            if !u.groups.contains(&g.name) || g.account != u.account || admin_name(&g.name) {
                continue;
            }
            for n in &g.attached {
                if let Some((pi, p)) = managed(&g.account, n) {
                    let base = root.key("policies").index(pi).key("document");
                    record(&p.document, &format!("policy {n}"), &base, &holder);
                }
            }
            for (n, p) in &g.inline {
                let base = root.key("groups").index(gi).key("inline").key(n);
                record(p, &format!("group {} inline {n}", g.name), &base, &holder);
            }
        }
    }
    for (i, r) in s.iam.roles.iter().enumerate() {
        if admin_name(&r.name) {
            continue;
        }
        let holder = format!("role/{}", r.name);
        for n in &r.attached {
            if let Some((pi, p)) = managed(&r.account, n) {
                let base = root.key("policies").index(pi).key("document");
                record(&p.document, &format!("policy {n}"), &base, &holder);
            }
        }
        for (n, p) in &r.inline {
            let base = root.key("roles").index(i).key("inline").key(n);
            record(p, &format!("role {} inline {n}", r.name), &base, &holder);
        }
    }
    for (path, (policy, pos, label, holders)) in hits {
        out.push(Finding {
            severity: Severity::Warning,
            code: "full-access-for-non-admin",
            policy,
            path,
            pos,
            message: format!(
                "statement `{label}` allows every action on every resource (`\"*\"` on `\"*\"`) to `{}`, which {} not named as an administrator; grant only the actions and resources it uses",
                holders.join("`, `"),
                if holders.len() > 1 { "are" } else { "is" }
            ),
        });
    }
}
