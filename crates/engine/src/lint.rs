//! Policy findings, in the spirit of IAM Access Analyzer's policy checks: valid policies that
//! probably do not do what their author meant. Each finding has a stable code, a severity, a
//! message and the JSON path and line:column of what it is about.
//!
//! [`lint_policy`] checks one document on its own (statements here, conditions in
//! `conditions`); [`lint_key_policy`] adds what only applies to key policies; [`lint_scenario`]
//! checks every policy of a scenario, plus what needs the whole scenario (`scenario`): a key
//! policy that locks everyone out, full access given to a principal that is not an admin.

mod conditions;
mod keys;
mod scenario;

pub use keys::known_condition_key;

use crate::iam::policy::{Effect, Policy, PolicyKind, PolicyVersion, PrincipalType};
use crate::json::{JsonPath, Pos};
use crate::scenario::Scenario;
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The policy cannot work as written (an unknown operator never matches).
    Error,
    /// Probably a mistake or a security risk.
    Warning,
    /// Worth knowing.
    Suggestion,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// A stable code (`unknown-operator`).
    pub code: &'static str,
    /// Which policy (`iam.policies[NPS_KMS_Policy]`).
    pub policy: String,
    /// JSON path of the statement or element.
    pub path: String,
    /// Line and column.
    pub pos: Pos,
    /// What and why.
    pub message: String,
}

/// Where one policy's findings go, with the policy's name.
struct Sink<'a> {
    policy: &'a str,
    out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: &JsonPath,
        pos: Pos,
        message: String,
    ) {
        self.out.push(Finding {
            severity,
            code,
            policy: self.policy.to_string(),
            path: path.to_string(),
            pos,
            message,
        });
    }
}

/// What a document is, beyond its [`PolicyKind`]: key policies have checks of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Any,
    KeyPolicy,
}

/// Lints one policy whose document sits at `base` in its file.
pub fn lint_policy(p: &Policy, name: &str, base: &JsonPath, out: &mut Vec<Finding>) {
    lint_document(p, name, base, Target::Any, out);
}

/// Lints a KMS key policy: [`lint_policy`]'s checks, plus condition keys a key policy never
/// sees and every-KMS-action grants to principals that are not administrators.
pub fn lint_key_policy(p: &Policy, name: &str, base: &JsonPath, out: &mut Vec<Finding>) {
    lint_document(p, name, base, Target::KeyPolicy, out);
}

/// The path of a statement: `Statement` itself for a single statement written as an object.
fn statement_path(p: &Policy, base: &JsonPath, index: usize) -> JsonPath {
    if p.statements.len() > 1 {
        base.key("Statement").index(index)
    } else {
        base.key("Statement")
    }
}

/// Whether an action pattern allows every KMS action (`kms:*` or `*`).
fn all_kms(pattern: &str) -> bool {
    pattern == "*" || pattern.eq_ignore_ascii_case("kms:*")
}

/// Whether a principal ARN names an administrator or the account (its root user): the
/// principals that the default key policy and AWS's examples give every KMS action.
fn admin_or_root(principal: &str) -> bool {
    principal.to_ascii_lowercase().contains("admin")
        || principal.ends_with(":root")
        || crate::iam::arn::AccountId::parse(principal).is_some()
}

fn lint_document(p: &Policy, name: &str, base: &JsonPath, target: Target, out: &mut Vec<Finding>) {
    let mut sink = Sink { policy: name, out };
    let has_vars = p.statements.iter().any(|s| {
        s.resource
            .iter()
            .flat_map(|r| r.patterns.iter())
            .any(|t| t.raw().contains("${"))
            || s.conditions
                .iter()
                .flat_map(|c| c.values.iter())
                .any(|t| t.raw().contains("${"))
    });
    if p.version == PolicyVersion::V2008_10_17 && has_vars {
        sink.push(Severity::Warning, "variables-need-2012", &base.key("Version"), p.version_pos,
            "the policy uses `${...}` but its version is not `2012-10-17`, so the variables are taken literally".into());
    } else if !p.version_given {
        sink.push(Severity::Suggestion, "missing-version", base, p.version_pos,
            "`Version` is missing, so AWS reads the policy as `2008-10-17`; write `\"Version\": \"2012-10-17\"`".into());
    }
    for s in &p.statements {
        let sp = statement_path(p, base, s.index);
        if let Some(pb) = &s.principal {
            if pb.negated && s.effect == Effect::Allow {
                sink.push(Severity::Warning, "allow-with-notprincipal", &sp.key("NotPrincipal"), s.pos,
                    format!("statement `{}` allows everyone except the listed principals (`Allow` with `NotPrincipal`); name the principals in `Principal` instead", s.label()));
            }
            for (ty, v) in pb.entries.iter().flatten() {
                if *ty == PrincipalType::Aws && v != "*" && (v.contains('*') || v.contains('?')) {
                    sink.push(Severity::Error, "wildcard-principal", &sp.key("Principal"), s.pos,
                        format!("`{v}`: AWS does not match wildcards inside a principal ARN; use `\"*\"` with a condition such as `aws:PrincipalArn`"));
                }
            }
            if pb.entries.is_none()
                && !pb.negated
                && s.effect == Effect::Allow
                && s.conditions.is_empty()
                && p.kind == PolicyKind::Resource
            {
                sink.push(Severity::Warning, "public-access", &sp.key("Principal"), s.pos,
                    format!("statement `{}` allows `\"Principal\": \"*\"` with no condition: anyone, in any account, can perform its actions", s.label()));
            }
        }
        // `"*"` on `"*"` is an administrator policy by design; `kms:*` on `*` is the usual
        // over-grant to an application that needs two or three KMS operations.
        let kms_star = s
            .action
            .patterns
            .iter()
            .any(|(a, _)| a.eq_ignore_ascii_case("kms:*"));
        let all_res = s
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.patterns.iter().any(|t| t.raw() == "*"));
        if p.kind == PolicyKind::Identity
            && s.effect == Effect::Allow
            && !s.action.negated
            && kms_star
            && all_res
            && s.conditions.is_empty()
        {
            sink.push(Severity::Warning, "kms-star-on-star", &sp, s.pos,
                format!("statement `{}` allows every KMS action on every key; a non-administrator needs only the operations it uses, on the keys it uses", s.label()));
        }
        // In a key policy, `Resource: "*"` is the key itself; every KMS action on it is key
        // administration, which the default key policy gives only to the account.
        if target == Target::KeyPolicy
            && s.effect == Effect::Allow
            && !s.action.negated
            && s.action.patterns.iter().any(|(a, _)| all_kms(a))
            && s.conditions.is_empty()
        {
            for (ty, v) in pb_entries(s) {
                if ty == PrincipalType::Aws && v != "*" && !admin_or_root(v) {
                    sink.push(Severity::Warning, "kms-star-for-non-admin", &sp.key("Action"), s.pos,
                        format!("statement `{}` gives `{v}` every KMS action on this key, including `kms:PutKeyPolicy` and `kms:ScheduleKeyDeletion`; a principal that only uses the key needs only its operations", s.label()));
                }
            }
        }
        if s.effect == Effect::Allow && s.action.negated {
            sink.push(Severity::Warning, "allow-with-notaction", &sp.key("NotAction"), s.pos,
                format!("statement `{}` allows every action except those listed (`Allow` with `NotAction`), including actions AWS adds later", s.label()));
        }
        if s.effect == Effect::Deny
            && s.action.negated
            && s.resource.as_ref().is_some_and(|r| r.negated)
        {
            sink.push(Severity::Warning, "deny-notaction-notresource", &sp.key("NotAction"), s.pos,
                format!("statement `{}` denies only requests whose action and resource are both unlisted (`Deny` with `NotAction` and `NotResource`): every action on a listed resource, and a listed action on any resource, escape the deny; to deny everything but those actions on those resources, write one `Deny` with `NotAction` and one with `NotResource`", s.label()));
        }
        conditions::check(s, &sp, target == Target::KeyPolicy, &mut sink);
    }
}

/// A statement's `Principal` entries (none for `"*"` or no principal).
fn pb_entries(s: &crate::iam::policy::Statement) -> Vec<(PrincipalType, &str)> {
    s.principal
        .iter()
        .filter(|pb| !pb.negated)
        .flat_map(|pb| pb.entries.iter().flatten())
        .map(|(t, v)| (*t, v.as_str()))
        .collect()
}

/// Lints every policy in a scenario.
pub fn lint_scenario(s: &Scenario) -> Vec<Finding> {
    let mut out = Vec::new();
    let root = JsonPath::root();
    for (i, p) in s.iam.policies.iter().enumerate() {
        lint_policy(
            &p.document,
            &format!("policy {}", p.name),
            &root.key("iam").key("policies").index(i).key("document"),
            &mut out,
        );
    }
    for (i, u) in s.iam.users.iter().enumerate() {
        for (n, p) in &u.inline {
            lint_policy(
                p,
                &format!("user {} inline {n}", u.name),
                &root.key("iam").key("users").index(i).key("inline").key(n),
                &mut out,
            );
        }
    }
    for (i, g) in s.iam.groups.iter().enumerate() {
        for (n, p) in &g.inline {
            lint_policy(
                p,
                &format!("group {} inline {n}", g.name),
                &root.key("iam").key("groups").index(i).key("inline").key(n),
                &mut out,
            );
        }
    }
    for (i, r) in s.iam.roles.iter().enumerate() {
        let rp = root.key("iam").key("roles").index(i);
        if let Some(t) = &r.trust {
            lint_policy(
                t,
                &format!("role {} trust", r.name),
                &rp.key("trust"),
                &mut out,
            );
        }
        for (n, p) in &r.inline {
            lint_policy(
                p,
                &format!("role {} inline {n}", r.name),
                &rp.key("inline").key(n),
                &mut out,
            );
        }
    }
    for (i, r) in s.resources.iter().enumerate() {
        lint_policy(
            &r.policy,
            &r.arn,
            &root.key("resources").index(i).key("policy"),
            &mut out,
        );
    }
    for (i, k) in s.keys.iter().enumerate() {
        // The default key policy delegates to the account: nothing to find, nothing locked.
        if !k.policy_is_default {
            let kp = root.key("keys").index(i).key("policy");
            lint_key_policy(&k.policy, &format!("key {}", k.id), &kp, &mut out);
            out.extend(scenario::key_policy_lockout(s, k, &kp));
        }
    }
    scenario::full_access_for_non_admins(s, &mut out);
    if let Some(org) = &s.organization {
        for (i, p) in org.scps.iter().enumerate() {
            lint_policy(
                &p.document,
                &format!("SCP {}", p.id),
                &root
                    .key("organization")
                    .key("scps")
                    .index(i)
                    .key("document"),
                &mut out,
            );
        }
        for (i, p) in org.rcps.iter().enumerate() {
            lint_policy(
                &p.document,
                &format!("RCP {}", p.id),
                &root
                    .key("organization")
                    .key("rcps")
                    .index(i)
                    .key("document"),
                &mut out,
            );
        }
    }
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.pos.line.cmp(&b.pos.line))
    });
    out
}

/// What checking one policy text found: the reason it cannot be used (syntax or structure,
/// located), or the findings on a policy that parses. The app's policy editors show this as the
/// user types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheck {
    /// Why the text is not a usable policy, with its position in the text; `None` when it parses.
    pub error: Option<TextError>,
    /// Findings on the parsed policy (empty when it does not parse).
    pub findings: Vec<Finding>,
}

/// A located problem in a text the user typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextError {
    /// JSON path of the offending value (`$` for a syntax error).
    pub path: String,
    /// Line and column in the text.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: at {}: {}", self.pos, self.path, self.message)
    }
}

/// Checks a policy document given as text: AWS's size limit for its kind (32,768 characters for
/// a key policy, 6,144 characters without white space for a managed policy), JSON syntax and
/// the policy grammar (each with line and column in `text`), then the findings of
/// [`lint_policy`].
pub fn check_policy_text(text: &str, kind: PolicyKind, name: &str) -> PolicyCheck {
    check_text(text, kind, name, Target::Any)
}

/// [`check_policy_text`] for a KMS key policy: the findings of [`lint_key_policy`] as well.
pub fn check_key_policy_text(text: &str, name: &str) -> PolicyCheck {
    check_text(text, PolicyKind::Resource, name, Target::KeyPolicy)
}

fn check_text(text: &str, kind: PolicyKind, name: &str, target: Target) -> PolicyCheck {
    let failed = |path: String, pos: Pos, message: String| PolicyCheck {
        error: Some(TextError { path, pos, message }),
        findings: Vec::new(),
    };
    let (limit, counted) = match kind {
        PolicyKind::Identity => (6_144, text.chars().filter(|c| !c.is_whitespace()).count()),
        _ => (32_768, text.chars().count()),
    };
    if counted > limit {
        return failed(
            "$".into(),
            Pos { line: 1, column: 1 },
            format!("the policy has {counted} characters; AWS accepts at most {limit} for this kind of policy"),
        );
    }
    let doc = match crate::json::parse(text) {
        Ok(d) => d,
        Err(e) => return failed("$".into(), e.pos, e.message),
    };
    match Policy::from_json(&doc, kind, &JsonPath::root()) {
        Ok(p) => {
            let mut findings = Vec::new();
            lint_document(&p, name, &JsonPath::root(), target, &mut findings);
            findings.sort_by(|a, b| {
                a.severity
                    .cmp(&b.severity)
                    .then(a.pos.line.cmp(&b.pos.line))
            });
            PolicyCheck {
                error: None,
                findings,
            }
        }
        Err(e) => failed(e.path, e.pos, e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn codes(src: &str, kind: PolicyKind) -> Vec<&'static str> {
        let p = Policy::from_json(&parse(src).unwrap(), kind, &JsonPath::root()).unwrap();
        let mut out = Vec::new();
        lint_policy(&p, "p", &JsonPath::root(), &mut out);
        out.iter().map(|f| f.code).collect()
    }

    #[test]
    fn version_findings_are_located() {
        let at = |src: &str| {
            let p = Policy::from_json(
                &parse(src).unwrap(),
                PolicyKind::Identity,
                &JsonPath::root(),
            )
            .unwrap();
            let mut out = Vec::new();
            lint_policy(&p, "p", &JsonPath::root(), &mut out);
            out.iter()
                .map(|f| (f.code, f.pos.line, f.pos.column))
                .collect::<Vec<_>>()
        };
        // At the old version's value.
        assert_eq!(
            at("{\n  \"Version\": \"2008-10-17\",\n  \"Statement\": [{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}\"}]}"),
            [("variables-need-2012", 2, 14)]
        );
        // No `Version`: where the document starts.
        assert_eq!(
            at("\n  {\"Statement\": [{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"),
            [("missing-version", 2, 3)]
        );
    }

    #[test]
    fn findings() {
        let c = codes(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        );
        assert_eq!(c, ["kms-star-on-star"]);
        let c = codes(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*",
                "Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["app"]},"StringEqual":{"aws:username":"x"}}}]}"#,
            PolicyKind::Identity,
        );
        assert!(c.contains(&"forallvalues-without-null-guard"), "{c:?}");
        assert!(c.contains(&"unknown-operator"), "{c:?}");
        let c = codes(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*",
                "Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["app"]},"Null":{"kms:EncryptionContextKeys":"false"}}}]}"#,
            PolicyKind::Identity,
        );
        assert!(!c.contains(&"forallvalues-without-null-guard"), "{c:?}");
        let c = codes(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"s3:GetObject","Resource":"*"},
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"*"},
                {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
            PolicyKind::Resource,
        );
        assert!(c.contains(&"allow-with-notprincipal"));
        assert!(c.contains(&"wildcard-principal"));
        assert!(c.contains(&"public-access"));
        let c = codes(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}"}]}"#,
            PolicyKind::Identity,
        );
        assert_eq!(c, ["variables-need-2012"]);
        let c = codes(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"a","aws:Bogus":"x"}}}]}"#,
            PolicyKind::Identity,
        );
        assert!(c.contains(&"multivalued-without-set-operator"));
        assert!(c.contains(&"unknown-condition-key"));
    }

    #[test]
    fn policy_text_check_locates_errors() {
        let c = check_policy_text("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"Allow\" \"Action\": \"kms:*\" } ]\n}", PolicyKind::Resource, "k");
        let e = c.error.unwrap();
        assert_eq!((e.pos.line, e.path.as_str()), (3, "$"), "{e}");
        let c = check_policy_text(
            "{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Effect\":\"Alow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
            PolicyKind::Resource,
            "k",
        );
        let e = c.error.unwrap();
        assert_eq!(e.path, "$.Statement[0].Effect");
        assert_eq!(e.pos.line, 2);
        assert!(e.message.contains("`Alow`"), "{}", e.message);
        let c = check_policy_text(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#,
            PolicyKind::Resource,
            "k",
        );
        assert!(c.error.is_none());
        assert!(
            c.findings.iter().any(|f| f.code == "public-access"),
            "{:?}",
            c.findings
        );
        let big = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::{}"}}]}}"#,
            "a".repeat(6_100)
        );
        let c = check_policy_text(&big, PolicyKind::Identity, "p");
        assert!(c.error.unwrap().message.contains("at most 6144"));
        let big_key_policy = big.replace(r#""Effect""#, r#""Principal":"*","Effect""#);
        assert!(
            check_policy_text(&big_key_policy, PolicyKind::Resource, "k")
                .error
                .is_none()
        );
    }
}
