//! Judging the user's scenario against a lab's tasks.
//!
//! Every check runs on the user's scenario as the user has edited it: the scenario's own steps
//! run first (whether they meet their own `expect` is the user's business), then the check's
//! probes, each check on its own copy of the world those steps leave, so one check's calls
//! never change what another sees. The user's steps run once per check of the whole lab, not
//! once per check: a lab with an import would otherwise generate its RSA wrapping key a dozen
//! times.

use super::policy::assess_policy;
use super::{Check, CheckKind, Lab, LabReport, OnlyCheck, PolicyTarget, StepMatcher, TaskStatus};
use crate::iam::policy::{Policy, PolicyKind};
use crate::json::JsonPath;
use crate::scenario::{
    CallerSpec, Run, RunOptions, RunReport, Scenario, ScenarioError, Step, StepResult,
};
use crate::trace::Decision;

/// The session name of a role probed by an `only` check.
const PROBE_SESSION: &str = "lab-check";

/// Checks every task of `lab` against the user's scenario `user` (with a key-pair memo of its
/// own, so the checks' forks of the user's world share the pairs they derive).
pub fn check_lab(lab: &Lab, user: &Scenario) -> LabReport {
    let pairs = crate::crypto::asym::PairCache::default();
    check_lab_with(
        lab,
        user,
        RunOptions {
            pairs: Some(&pairs),
        },
    )
}

/// The user's steps, run: the world they leave (to fork for each check) and their report.
struct Base<'a> {
    run: Run<'a>,
    report: RunReport,
}

/// Checks every task of `lab` against the user's scenario `user`, running it with `opts`.
pub fn check_lab_with(lab: &Lab, user: &Scenario, opts: RunOptions<'_>) -> LabReport {
    let base = run_user(user, opts);
    let tasks = lab
        .tasks
        .iter()
        .map(|task| {
            let failures: Vec<String> = match &base {
                Err(e) => vec![format!("your scenario does not run: {e}")],
                Ok(base) => task
                    .checks
                    .iter()
                    .flat_map(|c| check_one(c, user, base))
                    .collect(),
            };
            TaskStatus {
                id: task.id.clone(),
                passed: failures.is_empty(),
                failures,
            }
        })
        .collect();
    LabReport { tasks }
}

fn run_user<'a>(user: &'a Scenario, opts: RunOptions<'a>) -> Result<Base<'a>, ScenarioError> {
    let mut run = Run::start(user, opts);
    for step in &user.steps {
        run.step(step)?;
    }
    let report = run.clone().into_report();
    Ok(Base { run, report })
}

fn check_one(check: &Check, user: &Scenario, base: &Base<'_>) -> Vec<String> {
    let label = check.description.as_deref();
    match &check.kind {
        CheckKind::Steps(steps) => check_steps(label, steps, &base.run),
        CheckKind::Only(only) => check_only(label, only, base),
        CheckKind::Policy(pc) => {
            let (found, name, missing) = match &pc.target {
                PolicyTarget::Key(id) => (
                    base.report
                        .kms
                        .keys
                        .iter()
                        .find(|k| &k.id == id)
                        .map(|k| (k.policy.clone(), PolicyKind::Resource)),
                    format!("the key policy of key `{id}`"),
                    format!("key `{id}`"),
                ),
                PolicyTarget::Managed(n) => (
                    base.report
                        .iam
                        .policies
                        .iter()
                        .find(|p| &p.name == n)
                        .and_then(|p| {
                            p.versions
                                .iter()
                                .find(|(v, _)| v == &p.default_version)
                                .map(|(_, text)| (text.clone(), PolicyKind::Identity))
                        }),
                    format!("the managed policy `{n}`"),
                    format!("customer managed policy `{n}`"),
                ),
            };
            let label = label.unwrap_or(&name);
            let Some((text, kind)) = found else {
                return vec![format!("{label}: your scenario has no {missing}")];
            };
            let policy = crate::json::parse(&text)
                .map_err(|e| e.message)
                .and_then(|doc| {
                    Policy::from_json(&doc, kind, &JsonPath::root()).map_err(|e| e.message)
                });
            match policy {
                Ok(p) => assess_policy(&p, pc, &name)
                    .into_iter()
                    .map(|f| format!("{label}: {f}"))
                    .collect(),
                Err(e) => vec![format!("{label}: {name} is not a usable policy: {e}")],
            }
        }
        CheckKind::Sequence(matchers) => check_sequence(label, matchers, user, &base.report),
        CheckKind::Expectations => check_expectations(label, &base.report),
    }
}

/// What a check's steps did after the user's steps.
struct Probed {
    /// The results of the check's steps, in order (only those that ran).
    results: Vec<StepResult>,
    /// Why the run stopped early: a step could not run (a reference to the output of a step
    /// that failed, a caller the user's world does not have).
    stopped: Option<String>,
}

/// Runs `extra` on a copy of the world the user's steps left. When a step cannot run (it
/// refers to the output of a step that failed, or its caller is not in the user's world), the
/// check stops there: the steps before it still count, and the message names the check's own
/// preparation steps that failed first (usually the reason).
fn run_after(base: &Run<'_>, extra: &[Step]) -> Probed {
    let n = base.results().len();
    let mut run = base.clone();
    let mut stopped = None;
    for (k, step) in extra.iter().enumerate() {
        let mut step = step.clone();
        step.index = n + k;
        if let Err(e) = run.step(&step) {
            stopped = Some(e.message);
            break;
        }
        // A probe that did not run has nothing to judge; the message says why instead.
        if let Some(e) = run.results().last().and_then(|r| r.not_run.as_ref()) {
            stopped = Some(e.message.clone());
            break;
        }
    }
    let mut results = run.results().get(n..).unwrap_or_default().to_vec();
    if stopped.is_some() {
        results.retain(|r| r.not_run.is_none());
    }
    let stopped = stopped.map(|reason| {
        let mut message = format!("the check could not run on your scenario: {reason}");
        for (r, s) in results.iter().zip(extra) {
            if s.expect.is_none() && r.error.is_some() {
                message.push_str(&format!(
                    "; its preparation step `{}` failed first: {}",
                    r.id,
                    why(r)
                ));
            }
        }
        message
    });
    Probed { results, stopped }
}

/// How a step is named in a message: its description, the check's, or who calls what.
fn step_label(check: Option<&str>, step: &Step, r: &StepResult) -> String {
    step.description
        .clone()
        .or_else(|| check.map(str::to_string))
        .unwrap_or_else(|| {
            format!(
                "`{}` calling {}",
                short(r.caller.as_deref().unwrap_or("?")),
                r.call.as_deref().unwrap_or("nothing")
            )
        })
}

/// Why a step ended as it did: AWS's message when there is one, else the decision's summary.
fn why(r: &StepResult) -> String {
    match (&r.error, &r.message) {
        (Some(code), Some(m)) => format!("{code}: {m}"),
        (Some(code), None) => format!("{code}: {}", r.reason),
        _ => r.reason.clone(),
    }
}

fn check_steps(label: Option<&str>, steps: &[Step], base: &Run<'_>) -> Vec<String> {
    let probed = run_after(base, steps);
    let mut out: Vec<String> = probed
        .results
        .iter()
        .zip(steps)
        .filter_map(|(r, s)| {
            let e = r.expectation.as_ref().filter(|e| !e.passed)?;
            Some(format!(
                "{}: {} (why: {})",
                step_label(label, s, r),
                brief(&e.failures.join("; ")),
                why(r)
            ))
        })
        .collect();
    // A step that cannot run usually follows one that failed its `expect` (its output is
    // missing): that failure already says what to fix.
    if let (Some(m), true) = (probed.stopped, out.is_empty()) {
        out.push(format!("{}: {m}", label.unwrap_or("a check")));
    }
    out
}

/// At most a few lines of text: an expected output compared with a whole AWS response would
/// otherwise fill the task list.
fn brief(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX).collect();
    out.push_str("...");
    out
}

/// A principal an `only` check probes: its user or role ARN, and the ARN it calls as.
struct Probe {
    identity: String,
    caller: String,
}

/// Every IAM user, and a session of every role that people or applications can assume, in the
/// world after the user's steps.
fn principals(base: &RunReport) -> Vec<Probe> {
    let mut out: Vec<Probe> = base
        .iam
        .users
        .iter()
        .map(|u| Probe {
            identity: u.arn.clone(),
            caller: u.arn.clone(),
        })
        .collect();
    for r in base.iam.roles.iter().filter(|r| r.service_linked.is_none()) {
        let parts: Vec<&str> = r.arn.splitn(6, ':').collect();
        if let [_, partition, _, _, account, _] = parts.as_slice() {
            out.push(Probe {
                identity: r.arn.clone(),
                caller: format!(
                    "arn:{partition}:sts::{account}:assumed-role/{}/{PROBE_SESSION}",
                    r.name
                ),
            });
        }
    }
    out
}

/// The resource part of an ARN (`user/alice`), or the whole text.
fn short(arn: &str) -> &str {
    arn.splitn(6, ':').nth(5).unwrap_or(arn)
}

fn check_only(label: Option<&str>, only: &OnlyCheck, base: &Base<'_>) -> Vec<String> {
    let call = only.step.call.as_deref().unwrap_or("the call");
    let default_label = format!("who can call {call}");
    let label = label.unwrap_or(&default_label);
    let world = principals(&base.report);
    let mut out: Vec<String> = only
        .principals
        .iter()
        .filter(|p| !world.iter().any(|w| &w.identity == *p))
        .map(|p| format!("{label}: `{p}` is not a user or role in your scenario"))
        .collect();
    let mut steps = only.setup.clone();
    steps.extend(world.iter().map(|w| {
        let mut s = only.step.clone();
        s.caller = Some(CallerSpec::Caller(w.caller.clone()));
        s.id = None;
        s
    }));
    let probed = run_after(&base.run, &steps);
    if let Some(m) = probed.stopped {
        out.push(format!("{label}: {m}"));
        return out;
    }
    let (setup, probes) = probed
        .results
        .split_at(only.setup.len().min(probed.results.len()));
    for (r, s) in setup.iter().zip(&only.setup) {
        if let Some(e) = r.expectation.as_ref().filter(|e| !e.passed) {
            out.push(format!(
                "{label}: the check's preparation ({}) did not work: {} (why: {})",
                step_label(None, s, r),
                brief(&e.failures.join("; ")),
                why(r)
            ));
        }
    }
    let allowed_list = if only.principals.is_empty() {
        "nobody".to_string()
    } else {
        only.principals
            .iter()
            .map(|p| format!("`{}`", short(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (r, w) in probes.iter().zip(&world) {
        let should = only.principals.contains(&w.identity);
        let allowed = r.decision == Some(Decision::Allow);
        let who = short(&w.identity);
        if should && !allowed {
            let got = r.decision.map_or("no decision", |d| d.as_str());
            out.push(format!(
                "{label}: `{who}` should be allowed to call {call}, but got {got} (why: {})",
                why(r)
            ));
        } else if !should && allowed {
            let by = r
                .trace
                .as_ref()
                .map(|t| t.deciding.join(", "))
                .filter(|d| !d.is_empty())
                .map(|d| format!(" by {d}"))
                .unwrap_or_default();
            out.push(format!(
                "{label}: `{who}` is also allowed to call {call}{by}, but only {allowed_list} should be"
            ));
        }
    }
    out
}

/// Whether `want` is contained in `got`: objects member by member (recursively), anything
/// else equal.
fn subset(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    match (want, got) {
        (serde_json::Value::Object(w), serde_json::Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| subset(v, gv))),
        _ => want == got,
    }
}

fn matches(m: &StepMatcher, s: &Step, r: &StepResult) -> bool {
    r.call
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case(&m.call))
        && r.error.is_none()
        // Only calls that happened: a step that only asks for a decision changes nothing.
        && !r.authorization_only
        && m.input.as_ref().is_none_or(|want| {
            s.input
                .as_ref()
                .is_some_and(|i| subset(want, &i.to_serde()))
        })
        && m.output.as_ref().is_none_or(|want| {
            r.output
                .as_ref()
                .is_some_and(|got| subset(want, got))
        })
        && m.caller
            .as_ref()
            .is_none_or(|c| r.caller.as_deref().is_some_and(|got| same_principal(c, got)))
        && m.not_access_key_id
            .as_ref()
            .is_none_or(|old| matches!(&s.caller, Some(CallerSpec::AccessKey(k)) if k != old))
}

/// Whether the caller `got` is `want`: the same ARN, or a session of the role `want`
/// (`arn:aws:sts::A:assumed-role/NAME/SESSION` for `arn:aws:iam::A:role/NAME`; role paths are
/// not part of a session ARN, so they are ignored).
pub(super) fn same_principal(want: &str, got: &str) -> bool {
    if want == got {
        return true;
    }
    let (w, g): (Vec<&str>, Vec<&str>) =
        (want.splitn(6, ':').collect(), got.splitn(6, ':').collect());
    match (w.as_slice(), g.as_slice()) {
        ([_, wp, "iam", _, wa, wr], [_, gp, "sts", _, ga, gr]) => {
            let role = wr.strip_prefix("role/").and_then(|r| r.rsplit('/').next());
            let session_role = gr
                .strip_prefix("assumed-role/")
                .and_then(|r| r.split('/').next());
            wp == gp && wa == ga && role.is_some() && role == session_role
        }
        _ => false,
    }
}

fn describe(m: &StepMatcher) -> String {
    m.description
        .clone()
        .unwrap_or_else(|| format!("a successful {} call", m.call))
}

/// Every `expect` of the user's steps holds; a step that did not run fails its expectation.
fn check_expectations(label: Option<&str>, base: &RunReport) -> Vec<String> {
    let label = label.unwrap_or("what your steps expect");
    let mut failures: Vec<String> = base
        .steps
        .iter()
        .filter_map(|r| {
            let e = r.expectation.as_ref().filter(|e| !e.passed)?;
            let why = e
                .failures
                .first()
                .map_or_else(|| "it does not hold".to_string(), Clone::clone);
            Some(format!(
                "{label}: step `{}` does not do what its `expect` says ({why})",
                r.id
            ))
        })
        .collect();
    if failures.is_empty() && base.steps.iter().all(|r| r.expectation.is_none()) {
        failures.push(format!(
            "{label}: none of your steps has an `expect`, so nothing says what they should do"
        ));
    }
    failures
}

fn check_sequence(
    label: Option<&str>,
    matchers: &[StepMatcher],
    user: &Scenario,
    base: &RunReport,
) -> Vec<String> {
    let label = label.unwrap_or("the order of your steps");
    let pairs: Vec<(&Step, &StepResult)> = user.steps.iter().zip(&base.steps).collect();
    let mut next = 0;
    let mut previous: Option<(&StepMatcher, &StepResult)> = None;
    for m in matchers {
        let found = pairs
            .iter()
            .enumerate()
            .skip(next)
            .find(|(_, (s, r))| matches(m, s, r));
        match found {
            Some((i, (_, r))) => {
                next = i + 1;
                previous = Some((m, r));
            }
            None => {
                let earlier = pairs
                    .iter()
                    .take(next)
                    .find(|(s, r)| matches(m, s, r))
                    .map(|(_, r)| {
                        format!(" (step `{}` does, but too early: the order matters)", r.id)
                    })
                    .unwrap_or_default();
                let after = previous
                    .map(|(pm, pr)| format!(" after {} (step `{}`)", describe(pm), pr.id))
                    .unwrap_or_default();
                return vec![format!(
                    "{label}: none of your steps makes {}{after}{earlier}",
                    describe(m)
                )];
            }
        }
    }
    Vec::new()
}
