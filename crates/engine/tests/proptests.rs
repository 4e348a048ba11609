//! More property tests, beside `properties.rs` (which checks the basic cases): these widen the
//! inputs to find what the first set cannot reach.
//!
//! - Wildcards: long star-heavy patterns (the leftmost-run algorithm with `?` in middle runs),
//!   Unicode case folding, literal `*` / `?` from policy variables, and the fast entry points
//!   agreeing with each other; all against a dynamic-programming glob written here.
//! - ARNs: patterns and resources of every shape (too few or too many colons, wildcards in the
//!   `arn` part, colons in the resource part, non-ARN resources, empty partition), against a
//!   reference that splits both into six parts.
//! - The combining rule over bigger worlds than `properties.rs`: several identity and session
//!   policies, SCP *and* RCP levels (a level may have no policy at all), generic resource
//!   policies and KMS key policies with several statements naming the user, the account root,
//!   the bare account id, `*`, or another account; statements that apply or miss through
//!   `Action`, `NotAction`, wildcards, `NotResource` and conditions. Checked against a reference
//!   model of AWS's documented rule, and traced vs. untraced decisions and deciding lists.
//! - The JSON reader: structured token soup (escapes, surrogates, numbers, nesting) never
//!   panics and agrees with `serde_json` on what is valid; valid documents round-trip; every
//!   example scenario survives truncation, insertion, deletion and byte edits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_engine::iam::arn::PreparedResource;
use kmslab_engine::iam::arn::{resource_matches, resource_matches_prepared, AccountId};
use kmslab_engine::iam::context::{Context, Principal, PrincipalKind, Request};
use kmslab_engine::iam::evaluate::{
    authorize, AuthzInput, NamedPolicy, OrgLevel, OrgPolicies, ResourceKind, ResourcePolicy,
};
use kmslab_engine::iam::policy::{Policy, PolicyKind};
use kmslab_engine::iam::wildcard::{match_toks, Pattern, Tok};
use kmslab_engine::json::{self, JsonPath};
use kmslab_engine::Decision;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------

/// The reference glob: dynamic programming over (token, character) positions, no cleverness.
fn glob_toks(p: &[Tok], t: &[char], fold: bool) -> bool {
    let eq = |a: char, b: char| a == b || (fold && a.to_lowercase().eq(b.to_lowercase()));
    // reach[j]: the first i tokens can match the first j characters.
    let mut reach = vec![false; t.len() + 1];
    reach[0] = true;
    for tok in p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match tok {
                Tok::Any => reach[j] || (j > 0 && next[j - 1]),
                Tok::One => j > 0 && reach[j - 1],
                Tok::Lit(c) => j > 0 && reach[j - 1] && eq(*c, t[j - 1]),
            };
        }
        reach = next;
    }
    reach[t.len()]
}

fn toks_of(p: &str) -> Vec<Tok> {
    p.chars()
        .map(|c| match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            c => Tok::Lit(c),
        })
        .collect()
}

fn glob(p: &str, t: &str, fold: bool) -> bool {
    glob_toks(&toks_of(p), &t.chars().collect::<Vec<_>>(), fold)
}

/// A text, and a pattern made from it by replacing, inserting and wildcarding, so that a good
/// share of the cases match (random pairs almost never do once they are long).
fn related_pair(alpha: &'static str, max: usize) -> impl Strategy<Value = (String, String)> {
    let text = proptest::string::string_regex(&format!("[{alpha}]{{0,{max}}}")).unwrap();
    (text, prop::collection::vec((0u8..6, 0usize..64), 0..8)).prop_map(|(t, edits)| {
        let mut p: Vec<char> = t.chars().collect();
        for (op, at) in edits {
            let i = if p.is_empty() { 0 } else { at % (p.len() + 1) };
            match op {
                0 | 1 => p.insert(i, '*'),
                2 if i < p.len() => p[i] = '?',
                3 if i < p.len() => {
                    let j = (i + at % 5 + 1).min(p.len());
                    p.splice(i..j, ['*']);
                }
                4 => p.insert(i, '?'),
                _ => p.insert(i, 'a'),
            }
        }
        (p.into_iter().collect(), t)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Long patterns with many stars and `?` in the middle runs, over a two-letter alphabet so
    /// that runs occur at many places in the text.
    #[test]
    fn long_star_patterns_match_reference(p in "[ab*?]{0,24}", t in "[ab]{0,40}") {
        prop_assert_eq!(Pattern::new(&p).matches(&t), glob(&p, &t, false), "pattern {:?} text {:?}", p, t);
    }

    /// Patterns derived from the text (so they often match) with edits that make them miss.
    #[test]
    fn related_patterns_match_reference((p, t) in related_pair("ab:/", 30)) {
        let pat = Pattern::new(&p);
        prop_assert_eq!(pat.matches(&t), glob(&p, &t, false), "pattern {:?} text {:?}", p, t);
        prop_assert_eq!(pat.matches_ignore_case(&t), glob(&p, &t, true), "pattern {:?} text {:?} (folded)", p, t);
    }

    /// Case folding beyond ASCII: the Kelvin sign, sharp s, dotless and dotted i.
    #[test]
    fn unicode_folding_matches_reference(p in "[aAkK\u{212a}ßẞıIİi*?]{0,8}", t in "[aAkK\u{212a}ßẞıIİi]{0,10}") {
        let pat = Pattern::new(&p);
        prop_assert_eq!(pat.matches(&t), glob(&p, &t, false), "pattern {:?} text {:?}", p, t);
        prop_assert_eq!(pat.matches_ignore_case(&t), glob(&p, &t, true), "pattern {:?} text {:?} (folded)", p, t);
    }

    /// Tokens with literal `*` and `?` (what a `${*}` or `${?}` variable produces) stay literal,
    /// and every entry point agrees: `from_toks`, `matches_chars`, `match_toks`.
    #[test]
    fn literal_wildcards_from_variables(
        toks in prop::collection::vec(prop_oneof![
            Just(Tok::Any), Just(Tok::One), Just(Tok::Lit('a')), Just(Tok::Lit('b')),
            Just(Tok::Lit('*')), Just(Tok::Lit('?')),
        ], 0..10),
        t in "[ab*?]{0,12}",
        fold in any::<bool>(),
    ) {
        let tc: Vec<char> = t.chars().collect();
        let expected = glob_toks(&toks, &tc, fold);
        let pat = Pattern::from_toks(toks.clone());
        prop_assert_eq!(pat.matches_chars(&tc, fold), expected, "toks {:?} text {:?}", toks, t);
        prop_assert_eq!(match_toks(&toks, &tc, fold), expected);
        let whole = if fold { pat.matches_ignore_case(&t) } else { pat.matches(&t) };
        prop_assert_eq!(whole, expected);
        // A pattern without wildcard tokens reports its literal, which is exactly what it matches.
        if let Some(lit) = pat.literal_str() {
            prop_assert!(!pat.has_wildcard());
            prop_assert_eq!(pat.matches(&t), lit == t);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ARNs
// ---------------------------------------------------------------------------------------------

/// AWS's ARN rule, written from the documentation: an ARN-shaped pattern (`arn:` and six parts)
/// matches only an ARN, the first five parts one by one (a wildcard there cannot cross `:`) and
/// the resource part as a whole. `arn:` with fewer parts matches nothing; anything else is a
/// plain wildcard match of the whole text.
fn reference_arn(pattern: &str, resource: &str) -> bool {
    let pp: Vec<&str> = pattern.splitn(6, ':').collect();
    let rp: Vec<&str> = resource.splitn(6, ':').collect();
    // A wildcard-free pattern that is not ARN-like matches its own text only; an `arn:` one
    // follows the ARN rules like any other (a malformed one matches nothing).
    if !pattern.contains(['*', '?']) && !pattern.starts_with("arn:") {
        return pattern == resource;
    }
    if pattern.starts_with("arn:") {
        if pp.len() < 6 {
            return false;
        }
        // An ARN has a partition and a service.
        let is_arn = rp.len() == 6 && rp[0] == "arn" && !rp[1].is_empty() && !rp[2].is_empty();
        return is_arn && pp.iter().zip(&rp).all(|(p, r)| glob(p, r, false));
    }
    glob(pattern, resource, false)
}

/// A colon-joined string of `n` parts, the first from `heads`, the rest from `part`.
fn colon_joined(
    heads: &'static [&'static str],
    part: &'static str,
    n: std::ops::Range<usize>,
) -> impl Strategy<Value = String> {
    (
        prop::sample::select(heads),
        prop::collection::vec(proptest::string::string_regex(part).unwrap(), n),
    )
        .prop_map(|(h, rest)| {
            let mut s = h.to_string();
            for r in rest {
                s.push(':');
                s.push_str(&r);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arn_shapes_match_reference(
        pattern in colon_joined(&["arn", "arn", "arn", "ar?", "a*", "*", "x"], "[ab*?/]{0,3}", 2..9),
        resource in colon_joined(&["arn", "arn", "arn", "ar", "x"], "[ab/]{0,3}", 2..9),
    ) {
        let pat = Pattern::new(&pattern);
        let expected = reference_arn(&pattern, &resource);
        prop_assert_eq!(resource_matches(&pat, &resource), expected, "pattern {:?} resource {:?}", pattern, resource);
    }

    /// Realistic KMS and S3 names with wildcards dropped in anywhere, and one prepared resource
    /// reused across many patterns (as the evaluator does) giving the same answers.
    #[test]
    fn realistic_arns_match_reference(
        region in prop::sample::select(&["us-east-1", "eu-west-1", ""][..]),
        account in prop::sample::select(&["111122223333", "444455556666", ""][..]),
        res in prop::sample::select(&["key/abcd-12", "alias/app", "bucket/a/b:c", "key/"][..]),
        service in prop::sample::select(&["kms", "s3"][..]),
        stars in prop::collection::vec((0usize..60, prop_oneof![Just('*'), Just('?')], 0usize..4), 0..4),
    ) {
        let resource = format!("arn:aws:{service}:{region}:{account}:{res}");
        let prepared = PreparedResource::new(&resource);
        // The resource itself, and versions with runs of characters replaced by wildcards.
        let mut patterns = vec![resource.clone()];
        let mut p: Vec<char> = resource.chars().collect();
        for (at, w, len) in stars {
            let i = at % (p.len() + 1);
            let j = (i + len).min(p.len());
            p.splice(i..j, [w]);
            patterns.push(p.iter().collect());
        }
        for pattern in &patterns {
            let pat = Pattern::new(pattern);
            let expected = reference_arn(pattern, &resource);
            prop_assert_eq!(resource_matches(&pat, &resource), expected, "pattern {:?} resource {:?}", pattern, resource);
            prop_assert_eq!(resource_matches_prepared(&pat, &prepared), expected, "prepared: pattern {:?}", pattern);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The combining rule
// ---------------------------------------------------------------------------------------------

/// A statement: its effect, whether it applies to the request, and which of several ways it
/// is written (so matching is exercised through every element, not one fixed form).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stmt {
    deny: bool,
    applies: bool,
    form: u8,
}

/// Who a resource-policy statement names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Names {
    /// The caller's user ARN.
    User,
    /// `arn:aws:iam::CALLER-ACCOUNT:root`.
    Root,
    /// The caller's bare account id.
    AccountId,
    /// `"*"`.
    Everyone,
    /// Another account's root.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ResStmt {
    stmt: Stmt,
    names: Names,
}

#[derive(Debug, Clone)]
struct World {
    identity: Vec<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Vec<Stmt>>>,
    /// Levels, each with its policies (possibly none).
    scps: Option<Vec<Vec<Vec<Stmt>>>>,
    rcps: Option<Vec<Vec<Vec<Stmt>>>>,
    same_account: bool,
    /// The resource policy: KMS key policy or generic, and its statements.
    resource: Option<(bool, Vec<ResStmt>)>,
}

const USER: &str = "arn:aws:iam::111122223333:user/alice";
const CALLER_ACCOUNT: &str = "111122223333";
const RESOURCE_ACCOUNT_X: &str = "444455556666";
const RES: &str = "arn:aws:s3:::bucket/key";

fn stmt() -> impl Strategy<Value = Stmt> {
    (any::<bool>(), any::<bool>(), 0u8..5).prop_map(|(deny, applies, form)| Stmt {
        deny,
        applies,
        form,
    })
}

fn stmts() -> impl Strategy<Value = Vec<Stmt>> {
    prop::collection::vec(stmt(), 1..3)
}

fn levels() -> impl Strategy<Value = Option<Vec<Vec<Vec<Stmt>>>>> {
    prop::option::weighted(
        0.5,
        prop::collection::vec(prop::collection::vec(stmts(), 0..3), 1..4),
    )
}

fn world() -> impl Strategy<Value = World> {
    let names = prop_oneof![
        Just(Names::User),
        Just(Names::Root),
        Just(Names::AccountId),
        Just(Names::Everyone),
        Just(Names::Other),
    ];
    (
        prop::collection::vec(stmts(), 0..3),
        prop::option::of(stmts()),
        prop::option::of(prop::collection::vec(stmts(), 1..3)),
        levels(),
        levels(),
        any::<bool>(),
        prop::option::of((
            any::<bool>(),
            prop::collection::vec(
                (stmt(), names).prop_map(|(stmt, names)| ResStmt { stmt, names }),
                1..4,
            ),
        )),
    )
        .prop_map(
            |(identity, boundary, session, scps, rcps, same_account, resource)| World {
                identity,
                boundary,
                session,
                scps,
                rcps,
                same_account,
                resource,
            },
        )
}

/// The statement body (without `Effect`, `Sid` and `Principal`) for the request
/// `s3:GetObject` on `arn:aws:s3:::bucket/key` by `alice`.
fn body(s: Stmt) -> &'static str {
    match (s.applies, s.form) {
        (true, 0) => r#""Action":"s3:GetObject","Resource":"*""#,
        (true, 1) => r#""Action":["s3:Put*","s3:Get*"],"Resource":"arn:aws:s3:::bucket/*""#,
        (true, 2) => r#""NotAction":"s3:Put*","Resource":"arn:aws:s3:::bucket/key""#,
        (true, 3) => {
            r#""Action":"S3:getobject","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"}}"#
        }
        (true, _) => r#""Action":"*","NotResource":"arn:aws:s3:::other/*""#,
        (false, 0) => r#""Action":"s3:PutObject","Resource":"*""#,
        (false, 1) => r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*""#,
        (false, 2) => {
            r#""Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"bob"}}"#
        }
        (false, 3) => r#""NotAction":"s3:Get*","Resource":"*""#,
        (false, _) => {
            r#""Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/x":"y"}}"#
        }
    }
}

/// A policy of several statements; Sids say the effect (`A`/`D`) so deciding lists can be
/// checked.
fn policy(stmts: &[(Stmt, Option<&str>)], kind: PolicyKind) -> Policy {
    let list: Vec<String> = stmts
        .iter()
        .enumerate()
        .map(|(i, (s, principal))| {
            let p = principal
                .map(|p| {
                    if p == "*" {
                        r#","Principal":"*""#.to_string()
                    } else {
                        format!(r#","Principal":{{"AWS":"{p}"}}"#)
                    }
                })
                .unwrap_or_default();
            format!(
                r#"{{"Sid":"{}{i}","Effect":"{}",{}{p}}}"#,
                if s.deny { "D" } else { "A" },
                if s.deny { "Deny" } else { "Allow" },
                body(*s)
            )
        })
        .collect();
    let src = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        list.join(",")
    );
    Policy::from_json(&json::parse(&src).unwrap(), kind, &JsonPath::root())
        .unwrap_or_else(|e| panic!("{src}: {e:?}"))
}

fn plain(stmts: &[Stmt], kind: PolicyKind) -> Policy {
    let principal = (kind == PolicyKind::Rcp).then_some("*");
    let with: Vec<(Stmt, Option<&str>)> = stmts.iter().map(|s| (*s, principal)).collect();
    policy(&with, kind)
}

fn principal_of(n: Names) -> &'static str {
    match n {
        Names::User => USER,
        Names::Root => "arn:aws:iam::111122223333:root",
        Names::AccountId => CALLER_ACCOUNT,
        Names::Everyone => "*",
        Names::Other => "arn:aws:iam::999999999999:root",
    }
}

/// AWS's documented evaluation logic for an IAM user (no role session): explicit deny, then
/// every RCP and SCP level, then the resource side (same account: a grant to the user ARN or
/// `*` is enough alone; a key policy that grants nothing shuts IAM out; across accounts the
/// resource policy must trust the user or its account and IAM must allow too), then identity
/// policies limited by the boundary and session policies.
fn reference(w: &World) -> Decision {
    let applies = |s: &Stmt, deny: bool| s.applies && s.deny == deny;
    let any = |ps: &[Vec<Stmt>], deny: bool| ps.iter().flatten().any(|s| applies(s, deny));
    let res_applies = |r: &ResStmt, deny: bool| applies(&r.stmt, deny) && r.names != Names::Other;
    let res = w
        .resource
        .as_ref()
        .map(|(_, r)| r.as_slice())
        .unwrap_or(&[]);
    let org = [&w.scps, &w.rcps];
    let deny = any(&w.identity, true)
        || w.boundary
            .as_ref()
            .is_some_and(|b| b.iter().any(|s| applies(s, true)))
        || w.session.as_ref().is_some_and(|s| any(s, true))
        || org
            .iter()
            .any(|o| o.iter().flatten().any(|level| any(level, true)))
        || res.iter().any(|r| res_applies(r, true));
    if deny {
        return Decision::ExplicitDeny;
    }
    if org
        .iter()
        .any(|o| o.iter().flatten().any(|level| !any(level, false)))
    {
        return Decision::ImplicitDeny;
    }
    let identity_ok = any(&w.identity, false)
        && w.boundary
            .as_ref()
            .is_none_or(|b| b.iter().any(|s| applies(s, false)))
        && w.session.as_ref().is_none_or(|s| any(s, false));
    let grant = |names: &[Names]| {
        res.iter()
            .any(|r| res_applies(r, false) && names.contains(&r.names))
    };
    let direct = grant(&[Names::User, Names::Everyone]);
    let account = grant(&[Names::Root, Names::AccountId]);
    let kms_key = w.resource.as_ref().is_some_and(|(kms, _)| *kms);
    let allowed = match (w.same_account, kms_key) {
        (true, false) => direct || identity_ok,
        (true, true) => direct || (account && identity_ok),
        (false, _) => (direct || account) && identity_ok,
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn named<'a>(p: &'a Policy, n: String) -> NamedPolicy<'a> {
    NamedPolicy {
        name: n,
        via: None,
        policy: p,
    }
}

fn org_input<'a>(levels: &'a Option<Vec<Vec<Policy>>>, short: &str) -> OrgPolicies<'a> {
    match levels {
        None => OrgPolicies::NotApplicable("none".into()),
        Some(levels) => OrgPolicies::Levels(
            levels
                .iter()
                .enumerate()
                .map(|(i, ps)| OrgLevel {
                    target: format!("ou-{i}"),
                    policies: ps
                        .iter()
                        .enumerate()
                        .map(|(j, p)| named(p, format!("{short}{i}-{j}")))
                        .collect(),
                })
                .collect(),
        ),
    }
}

struct Built {
    request: Request,
    identity: Vec<Policy>,
    boundary: Option<Policy>,
    session: Option<Vec<Policy>>,
    scps: Option<Vec<Vec<Policy>>>,
    rcps: Option<Vec<Vec<Policy>>>,
    resource: Option<(bool, Policy)>,
}

fn build(w: &World) -> Built {
    let mut context = Context::default();
    context.insert_single("aws:username", "alice");
    let org = |o: &Option<Vec<Vec<Vec<Stmt>>>>, kind| {
        o.as_ref().map(|levels| {
            levels
                .iter()
                .map(|ps| ps.iter().map(|s| plain(s, kind)).collect())
                .collect()
        })
    };
    Built {
        request: Request {
            principal: Principal {
                arn: USER.into(),
                account: AccountId::parse(CALLER_ACCOUNT),
                kind: PrincipalKind::User {
                    name: "alice".into(),
                },
            },
            action: "s3:GetObject".into(),
            resource: RES.into(),
            resource_account: AccountId::parse(if w.same_account {
                CALLER_ACCOUNT
            } else {
                RESOURCE_ACCOUNT_X
            }),
            partition: "aws".into(),
            context,
        },
        identity: w
            .identity
            .iter()
            .map(|s| plain(s, PolicyKind::Identity))
            .collect(),
        boundary: w.boundary.as_ref().map(|s| plain(s, PolicyKind::Identity)),
        session: w
            .session
            .as_ref()
            .map(|ss| ss.iter().map(|s| plain(s, PolicyKind::Identity)).collect()),
        scps: org(&w.scps, PolicyKind::Scp),
        rcps: org(&w.rcps, PolicyKind::Rcp),
        resource: w.resource.as_ref().map(|(kms, stmts)| {
            let with: Vec<(Stmt, Option<&str>)> = stmts
                .iter()
                .map(|r| (r.stmt, Some(principal_of(r.names))))
                .collect();
            (*kms, policy(&with, PolicyKind::Resource))
        }),
    }
}

fn input(b: &Built) -> AuthzInput<'_> {
    AuthzInput {
        request: &b.request,
        identity: b
            .identity
            .iter()
            .enumerate()
            .map(|(i, p)| named(p, format!("id{i}")))
            .collect(),
        boundary: b.boundary.as_ref().map(|p| named(p, "boundary".into())),
        session: b.session.as_ref().map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| named(p, format!("session{i}")))
                .collect()
        }),
        scps: org_input(&b.scps, "scp"),
        rcps: org_input(&b.rcps, "rcp"),
        resource_policy: b.resource.as_ref().map(|(kms, p)| ResourcePolicy {
            kind: if *kms {
                ResourceKind::KmsKey
            } else {
                ResourceKind::Generic
            },
            name: RES.into(),
            policy: p,
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn bigger_worlds_match_reference(w in world()) {
        let built = build(&w);
        let inp = input(&built);
        let fast = authorize(&inp, false);
        let traced = authorize(&inp, true);
        prop_assert_eq!(fast.decision, reference(&w), "world {:?}\nsummary: {}", w, fast.summary);
        prop_assert_eq!(traced.decision, fast.decision);
        prop_assert_eq!(&traced.deciding, &fast.deciding);
        prop_assert_eq!(&traced.summary, &fast.summary);
        prop_assert_eq!(traced.org_blocked, fast.org_blocked);
        prop_assert!(fast.trace.is_none());
        let trace = traced.trace.as_ref().unwrap();
        prop_assert_eq!(trace.decision, traced.decision);
        prop_assert_eq!(&trace.deciding, &traced.deciding);
        // The deciding list names statements of the deciding kind: denies for an explicit deny,
        // allows for an allow, none for an implicit deny.
        let sid = |id: &str| id.rsplit(':').next().unwrap_or("").to_string();
        match fast.decision {
            Decision::ExplicitDeny => {
                prop_assert!(!fast.deciding.is_empty());
                prop_assert!(fast.deciding.iter().all(|d| sid(d).starts_with('D')), "{:?}", fast.deciding);
            }
            Decision::Allow => {
                prop_assert!(!fast.deciding.is_empty());
                prop_assert!(fast.deciding.iter().all(|d| sid(d).starts_with('A')), "{:?}", fast.deciding);
            }
            Decision::ImplicitDeny => prop_assert!(fast.deciding.is_empty()),
        }
        // A blocking SCP or RCP level means nothing can allow (an explicit deny still wins).
        if fast.org_blocked {
            prop_assert_ne!(fast.decision, Decision::Allow);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON reader and the scenario parser
// ---------------------------------------------------------------------------------------------

/// Fragments that make JSON readers trip: escapes, surrogate halves, number edge cases,
/// literals, structure, multi-byte characters, control characters.
const FRAGMENTS: &[&str] = &[
    "{", "}", "[", "]", ":", ",", "\"", "\"a\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u00e9",
    "\\n", "\\x", "0", "-", "1", ".", "e", "E+", "1e999", "-0.0e-7", "01", "true", "false", "null",
    "nul", " ", "\n", "\t", "\u{0}", "\u{1f}", "é", "💥", "\u{feff}", "/*", "\r\n",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

/// Generated JSON values: strings with escapes and any characters, integers, floats, nesting.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        (-1e6f64..1e6).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
        "[\"\\\\/a\u{0}-\u{1f}é💥]{0,6}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-c\"\\\\é]{0,3}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON equality, with floats compared to within a few ULPs: `to_serde` re-reads the number's
/// text with `serde_json`, whose default float reader may differ from the writer in the last
/// digit (that is `serde_json`'s `float_roundtrip` feature, not the engine).
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Token soup never panics, and the reader accepts exactly what a strict RFC 8259 reader
    /// (`serde_json`) accepts, except duplicate keys, which it rejects on purpose, and numbers
    /// beyond `f64`, which it keeps as written.
    #[test]
    fn soup_never_panics_and_agrees_with_serde(s in soup()) {
        let ours = json::parse(&s);
        let _ = kmslab_engine::parse_scenario(&s);
        let theirs = serde_json::from_str::<serde_json::Value>(&s);
        if let Ok(v) = &theirs {
            prop_assert!(ours.is_ok(), "serde_json accepts {:?} ({:?}), the reader says {:?}", s, v, ours);
        }
        if ours.is_ok() && theirs.is_err() {
            let err = theirs.unwrap_err().to_string();
            prop_assert!(err.contains("out of range"), "the reader accepts {:?}, serde_json says {}", s, err);
        }
    }

    /// Valid documents, compact and pretty, read back to the same value.
    #[test]
    fn valid_json_round_trips(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
        let parsed = json::parse(&text);
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", text, parsed);
        let back = parsed.unwrap().to_serde();
        prop_assert!(same_json(&back, &v), "{} read back as {}", text, back);
    }
}

const EXAMPLES: &[(&str, &str)] = &[
    (
        "nps-least-privilege",
        include_str!("../../../scenarios/examples/nps-least-privilege.json"),
    ),
    (
        "cross-account-key",
        include_str!("../../../scenarios/examples/cross-account-key.json"),
    ),
    (
        "grants-and-tokens",
        include_str!("../../../scenarios/examples/grants-and-tokens.json"),
    ),
    (
        "scp-guardrail",
        include_str!("../../../scenarios/examples/scp-guardrail.json"),
    ),
];

#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
    /// Copy a span elsewhere (duplicates keys, members, whole steps).
    Splice(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        prop::sample::select(b"{}[]:,\"\\0123456789-.eE tfn*?$".to_vec()),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..200, any::<usize>()).prop_map(|(i, n, j)| Edit::Splice(i, n, j)),
    ]
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut b = src.as_bytes().to_vec();
    for e in edits {
        let len = b.len().max(1);
        match *e {
            Edit::Set(i, x) if !b.is_empty() => b[i % len] = x,
            Edit::Insert(i, x) => b.insert(i % (b.len() + 1), x),
            Edit::Delete(i, n) if !b.is_empty() => {
                let i = i % len;
                b.drain(i..(i + n).min(b.len()));
            }
            Edit::Truncate(i) => b.truncate(i % (b.len() + 1)),
            Edit::Splice(i, n, j) if !b.is_empty() => {
                let i = i % len;
                let span: Vec<u8> = b[i..(i + n).min(b.len())].to_vec();
                let j = j % (b.len() + 1);
                b.splice(j..j, span);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every example scenario, edited a little, parses or fails with an error, and if it
    /// parses it runs or fails with an error: nothing panics.
    #[test]
    fn edited_examples_never_panic(which in 0..EXAMPLES.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let (_, src) = EXAMPLES[which];
        let text = apply(src, &edits);
        let _ = json::parse(&text);
        if let Ok(s) = kmslab_engine::parse_scenario(&text) {
            let _ = kmslab_engine::run_scenario(&s);
        }
    }
}

/// The unedited examples parse and run (so the mutation test starts from valid input).
#[test]
fn examples_parse_and_run() {
    for (name, src) in EXAMPLES {
        let s = kmslab_engine::parse_scenario(src).unwrap_or_else(|e| panic!("{name}: {e}"));
        kmslab_engine::run_scenario(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Nesting right at and beyond the reader's depth limit, in arrays, objects and mixtures, is
/// an error or a value, never a stack overflow; so is a scenario whose document nests deeply.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for depth in [
        json::MAX_DEPTH - 1,
        json::MAX_DEPTH,
        json::MAX_DEPTH + 1,
        10_000,
        200_000,
    ] {
        let arrays = "[".repeat(depth) + &"]".repeat(depth);
        let objects = "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth);
        let mixed = "[{\"a\":".repeat(depth / 2) + "1" + &"}]".repeat(depth / 2);
        let unclosed = "[".repeat(depth);
        for s in [&arrays, &objects, &mixed, &unclosed] {
            let r = json::parse(s);
            if depth > json::MAX_DEPTH + 1 {
                assert!(r.is_err(), "depth {depth} accepted");
            }
            let doc = format!(
                r#"{{"kmslab":1,"iam":{{"policies":[{{"name":"P","document":{s}}}]}},"steps":[]}}"#
            );
            let _ = kmslab_engine::parse_scenario(&doc);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Share links: any text survives the round trip, including texts built from repeats (the
    /// back-references) and non-ASCII characters.
    #[test]
    fn share_links_round_trip(parts in prop::collection::vec("[a-c{}\":, \n€𝄞]{0,12}", 0..40), reps in 1usize..20) {
        let text: String = parts.iter().flat_map(|p| std::iter::repeat_n(p.as_str(), reps)).collect();
        let link = kmslab_engine::share::encode(&text);
        prop_assert_eq!(kmslab_engine::share::decode(&link), Ok(text));
    }

    /// Any fragment, random or a valid link with one character changed, is decoded or refused
    /// with a reason, never a panic.
    #[test]
    fn share_links_refuse_garbage(junk in "[A-Za-z0-9_\\-]{0,200}", text in "[a-z{}\": ]{0,200}", at in 0usize..400, with in "[A-Za-z0-9_\\-]") {
        let _ = kmslab_engine::share::decode(&junk);
        let link = kmslab_engine::share::encode(&text);
        let mut chars: Vec<char> = link.chars().collect();
        let i = at % chars.len().max(1);
        if let Some(c) = chars.get_mut(i) {
            *c = with.chars().next().unwrap_or('A');
        }
        let changed: String = chars.into_iter().collect();
        if changed != link {
            let _ = kmslab_engine::share::decode(&changed);
        }
    }
}
