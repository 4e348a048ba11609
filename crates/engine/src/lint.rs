//! Policy findings, in the spirit of IAM Access Analyzer's policy checks: valid policies that
//! probably do not do what their author meant.

use crate::iam::condition::{OpKind, Operator, SetQualifier};
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

/// Condition keys AWS defines globally (lowercase), for the unknown-key check.
const GLOBAL_KEYS: &[&str] = &[
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltype",
    "aws:referer",
    "aws:requestedregion",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:tagkeys",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:vpcsourceip",
    "aws:rolesessionname",
    "aws:sourceidentity",
    "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4",
    "aws:isMfaPresent",
];

/// KMS condition keys (lowercase, without the `kms:EncryptionContext:` family).
const KMS_KEYS: &[&str] = &[
    "kms:bypasspolicylockoutsafetycheck",
    "kms:calleraccount",
    "kms:datakeypairspec",
    "kms:encryptionalgorithm",
    "kms:encryptioncontextkeys",
    "kms:expirationmodel",
    "kms:grantconstrainttype",
    "kms:grantisforawsresource",
    "kms:grantoperations",
    "kms:granteeprincipal",
    "kms:keyorigin",
    "kms:keyspec",
    "kms:keyusage",
    "kms:macalgorithm",
    "kms:messagetype",
    "kms:multiregion",
    "kms:multiregionkeytype",
    "kms:primaryregion",
    "kms:reencryptonsamekey",
    "kms:requestalias",
    "kms:resourcealiases",
    "kms:replicaregion",
    "kms:retiringprincipal",
    "kms:rotationperiodindays",
    "kms:schedulekeydeletionpendingwindowindays",
    "kms:signingalgorithm",
    "kms:validto",
    "kms:viaservice",
    "kms:wrappingalgorithm",
    "kms:wrappingkeyspec",
    "kms:xkskeyid",
];

/// Multi-valued keys: a set operator is needed to compare them meaningfully.
const MULTI_VALUED: &[&str] = &[
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "aws:resourceorgpaths",
    "aws:sourceorgpaths",
    "kms:encryptioncontextkeys",
    "kms:grantoperations",
    "kms:resourcealiases",
];

/// Whether AWS defines `key` (only `aws:` and `kms:` keys are checked; other services' keys are
/// too many to list and pass).
pub fn known_condition_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if let Some(rest) = k.strip_prefix("aws:") {
        return ["principaltag/", "requesttag/", "resourcetag/"]
            .iter()
            .any(|p| rest.starts_with(p) && rest.len() > p.len())
            || GLOBAL_KEYS.iter().any(|g| g.eq_ignore_ascii_case(&k));
    }
    if k.starts_with("kms:") {
        return k
            .strip_prefix("kms:encryptioncontext:")
            .is_some_and(|r| !r.is_empty())
            || KMS_KEYS.contains(&k.as_str());
    }
    true
}

/// Lints one policy whose document sits at `base` in its file.
pub fn lint_policy(p: &Policy, name: &str, base: &JsonPath, out: &mut Vec<Finding>) {
    let mut push = |severity, code, path: String, pos, message: String| {
        out.push(Finding {
            severity,
            code,
            policy: name.to_string(),
            path,
            pos,
            message,
        })
    };
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
        push(Severity::Warning, "variables-need-2012", base.key("Version").to_string(), Pos::default(),
            "the policy uses `${...}` but its version is not `2012-10-17`, so the variables are taken literally".into());
    } else if !p.version_given {
        push(Severity::Suggestion, "missing-version", base.to_string(), Pos::default(),
            "`Version` is missing, so AWS reads the policy as `2008-10-17`; write `\"Version\": \"2012-10-17\"`".into());
    }
    let many = p.statements.len() > 1;
    for s in &p.statements {
        let sp = if many {
            base.key("Statement").index(s.index)
        } else {
            base.key("Statement")
        };
        if let Some(pb) = &s.principal {
            if pb.negated && s.effect == Effect::Allow {
                push(Severity::Warning, "allow-with-notprincipal", sp.key("NotPrincipal").to_string(), s.pos,
                    format!("statement {} allows everyone except the listed principals (`Allow` with `NotPrincipal`); name the principals in `Principal` instead", s.label()));
            }
            for (ty, v) in pb.entries.iter().flatten() {
                if *ty == PrincipalType::Aws && v != "*" && (v.contains('*') || v.contains('?')) {
                    push(Severity::Error, "wildcard-principal", sp.key("Principal").to_string(), s.pos,
                        format!("`{v}`: AWS does not match wildcards inside a principal ARN; use `\"*\"` with a condition such as `aws:PrincipalArn`"));
                }
            }
            if pb.entries.is_none()
                && !pb.negated
                && s.effect == Effect::Allow
                && s.conditions.is_empty()
                && p.kind == PolicyKind::Resource
            {
                push(Severity::Warning, "public-access", sp.key("Principal").to_string(), s.pos,
                    format!("statement {} allows `\"Principal\": \"*\"` with no condition: anyone, in any account, can perform its actions", s.label()));
            }
        }
        // `"*"` on `"*"` is an administrator policy by design; `kms:*` on `*` is the usual
        // over-grant to an application that needs two or three KMS operations.
        let all_kms = s
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
            && all_kms
            && all_res
            && s.conditions.is_empty()
        {
            push(Severity::Warning, "kms-star-on-star", sp.to_string(), s.pos,
                format!("statement {} allows every KMS action on every key; a non-administrator needs only the operations it uses, on the keys it uses", s.label()));
        }
        if s.effect == Effect::Allow && s.action.negated {
            push(Severity::Warning, "allow-with-notaction", sp.key("NotAction").to_string(), s.pos,
                format!("statement {} allows every action except those listed (`Allow` with `NotAction`), including actions AWS adds later", s.label()));
        }
        for c in &s.conditions {
            let cp = sp.key("Condition").key(&c.operator_name).key(&c.key);
            match &c.operator {
                Operator::Unknown(name) => push(
                    Severity::Error,
                    "unknown-operator",
                    cp.to_string(),
                    c.pos,
                    format!(
                        "`{name}` is not a condition operator: the condition can never hold{}",
                        if name.starts_with("Null") {
                            " (`Null` takes no `IfExists`)"
                        } else {
                            ""
                        }
                    ),
                ),
                Operator::Known {
                    kind, qualifier, ..
                } => {
                    let key_lc = c.key.to_ascii_lowercase();
                    if !known_condition_key(&c.key) {
                        push(Severity::Warning, "unknown-condition-key", cp.to_string(), c.pos,
                            format!("`{}` is not a condition key AWS defines: the request will never have it", c.key));
                    }
                    let multi = MULTI_VALUED.contains(&key_lc.as_str());
                    if multi && qualifier.is_none() && *kind != OpKind::Null {
                        push(Severity::Warning, "multivalued-without-set-operator", cp.to_string(), c.pos,
                            format!("`{}` carries a set of values; use `ForAllValues:` or `ForAnyValue:` with `{}`", c.key, kind.name()));
                    }
                    if !multi
                        && qualifier.is_some()
                        && known_condition_key(&c.key)
                        && (key_lc.starts_with("aws:") || key_lc.starts_with("kms:"))
                    {
                        push(
                            Severity::Suggestion,
                            "set-operator-on-single-value",
                            cp.to_string(),
                            c.pos,
                            format!(
                                "`{}` has a single value; a set operator is not needed",
                                c.key
                            ),
                        );
                    }
                    if *qualifier == Some(SetQualifier::ForAllValues) && s.effect == Effect::Allow {
                        let guarded = s.conditions.iter().any(|o| {
                            o.key.eq_ignore_ascii_case(&c.key)
                                && matches!(
                                    o.operator,
                                    Operator::Known {
                                        kind: OpKind::Null,
                                        ..
                                    }
                                )
                                && o.values
                                    .iter()
                                    .any(|v| v.raw().eq_ignore_ascii_case("false"))
                        });
                        if !guarded {
                            push(Severity::Warning, "forallvalues-without-null-guard", cp.to_string(), c.pos,
                                format!("`ForAllValues:` is true when `{}` is missing or empty, so this allow also applies to requests without it; add `\"Null\": {{\"{}\": \"false\"}}`", c.key, c.key));
                        }
                    }
                }
            }
        }
    }
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
        if !k.policy_is_default {
            let kp = root.key("keys").index(i).key("policy");
            lint_policy(&k.policy, &format!("key {}", k.id), &kp, &mut out);
            let root_arn = k.account.root_arn(&s.defaults.partition);
            let admin = k.policy.statements.iter().any(|st| {
                st.effect == Effect::Allow
                    && st.conditions.is_empty()
                    && st.action.patterns.iter().any(|(a, _)| {
                        a == "*"
                            || a.eq_ignore_ascii_case("kms:*")
                            || a.eq_ignore_ascii_case("kms:PutKeyPolicy")
                    })
                    && st.principal.as_ref().is_some_and(|pb| !pb.negated)
            });
            let delegates = k.policy.statements.iter().any(|st| {
                st.effect == Effect::Allow
                    && st.principal.as_ref().is_some_and(|pb| {
                        pb.entries
                            .iter()
                            .flatten()
                            .any(|(_, v)| v == &root_arn || v == k.account.as_str())
                    })
            });
            if !admin && !delegates {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: "key-policy-lockout",
                    policy: format!("key {}", k.id),
                    path: kp.to_string(),
                    pos: Pos::default(),
                    message: "no statement lets anyone call `kms:PutKeyPolicy`, and the policy does not delegate to the account: nobody could fix this key's policy (AWS's lockout safety check refuses it)".into(),
                });
            }
        }
    }
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
            lint_policy(&p, name, &JsonPath::root(), &mut findings);
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
