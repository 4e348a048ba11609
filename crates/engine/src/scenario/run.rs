//! Running a scenario's steps and checking their expectations.

mod snapshot;

use super::model::*;
use super::read::error_at;
use super::world::{is_derived_key, Caller};
use super::ScenarioError;
use crate::crypto::asym::PairCache;
use crate::crypto::KeyMaterial;
use crate::iam::arn::AccountId;
use crate::iam::context::{Context, ContextValue, PrincipalKind, Request};
use crate::iam::evaluate::{authorize, AuthzInput, ResourceKind, ResourcePolicy, Response};
use crate::iam::policy::Policy;
use crate::identity::{AuthzQuestion, Op, SessionCredentials};
use crate::json::{Json, JsonPath, JsonValue, Pos};
use crate::kms::authz::IamSide;
use crate::kms::model::{Alias, Grant, Key, KeyState, KmsWorld, Origin};
use crate::kms::ops::{advance, execute, Env};
use crate::time::Instant;
use crate::trace::{Decision, Layer, Trace};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// What one step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    /// The step's id, or `#N`.
    pub id: String,
    /// Its index in `steps`.
    pub index: usize,
    /// The operation, if the step made a call.
    pub call: Option<String>,
    /// The caller's ARN, once resolved.
    pub caller: Option<String>,
    /// The resource the call was authorized against.
    pub resource: Option<String>,
    /// The simulated time of the call.
    pub time: String,
    /// The context keys the step itself supplied (its `context`), as written: the keys the
    /// simulator derives are in the trace's request, not here.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_map")]
    pub context: Vec<(String, ContextValue)>,
    /// The authorization decision (none when the call failed before authorization).
    pub decision: Option<Decision>,
    /// The AWS exception the call ended with, or `None` for success.
    pub error: Option<String>,
    /// AWS's message for the error.
    pub message: Option<String>,
    /// One line saying why.
    pub reason: String,
    /// The call's output (AWS-shaped), for operations the simulator executes.
    pub output: Option<serde_json::Value>,
    /// Whether the step only decided authorization (the operation itself is not simulated).
    pub authorization_only: bool,
    /// The decision trace.
    pub trace: Option<Trace>,
    /// The calls KMS made to an external key store proxy for this step (signed requests,
    /// answers, AAD, integrity check), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proxy_calls: Vec<crate::keystore::xks::Exchange>,
    /// How the step fared against its `expect`, if it has one. A step that did not run
    /// (`not_run`) always has one, failed: a scenario whose step cannot be made is broken
    /// whether or not the step says what it expects.
    pub expectation: Option<ExpectationResult>,
    /// Why the step did not run, when it did not: a `${step.path}` reference that cannot be
    /// resolved (the step it names failed, so its output is missing), located at the string
    /// that holds it. Such a step has `error` [`UNRESOLVED_REFERENCE`], no decision and no
    /// trace, and the run goes on with the next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<ScenarioError>,
}

/// The `error` of a step that did not run because a reference in it cannot be resolved
/// ([`StepResult::not_run`]). kmslab's own name, not an AWS exception: no request was made.
pub const UNRESOLVED_REFERENCE: &str = "UnresolvedReference";

/// Writes key-value pairs as a JSON object, in their order (a step's context as it was given).
fn as_map<S: serde::Serializer>(
    pairs: &[(String, ContextValue)],
    ser: S,
) -> Result<S::Ok, S::Error> {
    ser.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// The outcome of checking a step's `expect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectationResult {
    /// Whether every expected field held.
    pub passed: bool,
    /// What did not hold, one line each.
    pub failures: Vec<String>,
}

/// The result of running a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// The scenario's title.
    pub title: Option<String>,
    /// Every step, in order.
    pub steps: Vec<StepResult>,
    /// Steps whose `expect` held.
    pub passed: usize,
    /// Steps whose `expect` did not hold.
    pub failed: usize,
    /// The KMS world after the last step.
    pub kms: crate::kms::view::KmsView,
    /// The IAM world after the last step.
    pub iam: crate::identity::view::IamView,
}

/// A request composed by hand (the app's "compose a request" form).
#[derive(Debug, Clone, Default)]
pub struct AdHocRequest {
    /// The caller ARN or `service:NAME`.
    pub caller: String,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (`*` when empty).
    pub resource: String,
    /// Context keys.
    pub context: Vec<(String, ContextValue)>,
}

/// Settings of a run that change how fast it goes, never what it gives.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// A memo of key pairs shared between runs (see [`PairCache`]): the app and the lab
    /// checker run the same scenario again and again.
    pub pairs: Option<&'a PairCache>,
}

/// Runs every step in order.
pub fn run_scenario(s: &Scenario) -> Result<RunReport, ScenarioError> {
    run_scenario_with(s, RunOptions::default())
}

/// Runs every step in order, with `opts`.
pub fn run_scenario_with(s: &Scenario, opts: RunOptions<'_>) -> Result<RunReport, ScenarioError> {
    let mut run = Run::start(s, opts);
    for step in &s.steps {
        run.step(step)?;
    }
    Ok(run.into_report())
}

/// The world after every step of `s`, as a scenario without steps ([`Run::world`]): what the
/// access matrix shows when asked about the world the steps leave.
pub fn world_after_steps(s: &Scenario, opts: RunOptions<'_>) -> Result<Scenario, ScenarioError> {
    let mut run = Run::start(s, opts);
    for step in &s.steps {
        run.step(step)?;
    }
    Ok(run.world())
}

/// The grants before the first step, as a run builds them (ids drawn from the seed where the
/// scenario gives none, after everything else `World::new` draws).
pub(crate) fn initial_grants(s: &Scenario) -> Vec<Grant> {
    World::new(s, None).kms.grants
}

/// A run in progress: the simulated world after the steps run so far. Cloning it forks the
/// world, so more steps can be tried from the same point without running the first ones again
/// (a lab's checks each add their steps after the learner's).
#[derive(Clone)]
pub struct Run<'a> {
    scenario: &'a Scenario,
    clock: Instant,
    world: World<'a>,
    live: Live<'a>,
    outputs: Outputs,
    steps: Vec<StepResult>,
}

impl<'a> Run<'a> {
    /// The world of `s` before its first step.
    pub fn start(s: &'a Scenario, opts: RunOptions<'a>) -> Run<'a> {
        Run {
            scenario: s,
            clock: s.defaults.time,
            world: World::new(s, opts.pairs),
            live: Live::new(s),
            outputs: Outputs::default(),
            steps: Vec::with_capacity(s.steps.len()),
        }
    }

    /// Runs `step` (one of the scenario's, or one added after them: its `index` places it in
    /// error paths). A step that refers to an output that is not there (`${enc.CiphertextBlob}`
    /// after `enc` was denied) does not run: its result says so ([`StepResult::not_run`]) and
    /// the run goes on. An error means the scenario itself is wrong where the step needs it (a
    /// caller that is not in the world, a context key that contradicts a derived one): a full
    /// run stops there; the step's result is then not among [`Run::results`], but time may have
    /// passed and the world may be partly changed, so a run that returned an error must not be
    /// stepped again (fork it before a step that may fail if the world before it is still
    /// wanted).
    pub fn step(&mut self, step: &Step) -> Result<(), ScenarioError> {
        let s = self.scenario;
        let clock = match step.advance {
            Some(d) => self.clock.plus(d),
            None => self.clock,
        };
        // Time passing (expired material, finished deletions) is applied even when the step
        // then fails to run, as a full run would have before stopping.
        self.clock = clock;
        advance(
            &mut self.world.kms,
            clock,
            &s.defaults.region,
            &mut self.world.rng,
        );
        let r = run_step(&mut self.live, &mut self.world, step, clock, &self.outputs)?;
        if let Some(id) = &step.id {
            self.outputs.record(id, &r);
        }
        self.steps.push(r);
        Ok(())
    }

    /// The results of the steps run so far, in order.
    pub fn results(&self) -> &[StepResult] {
        &self.steps
    }

    /// The report of the steps run so far, with the world they leave.
    pub fn into_report(self) -> RunReport {
        let s = self.scenario;
        let steps = self.steps;
        let passed = steps
            .iter()
            .filter(|r| r.expectation.as_ref().is_some_and(|e| e.passed))
            .count();
        let failed = steps
            .iter()
            .filter(|r| r.expectation.as_ref().is_some_and(|e| !e.passed))
            .count();
        RunReport {
            title: s.title.clone(),
            steps,
            passed,
            failed,
            kms: crate::kms::view::view(&self.world.kms, &s.defaults.partition),
            iam: crate::identity::view::view(
                &self.live.get().iam,
                &s.defaults.partition,
                self.clock,
            ),
        }
    }
}

/// Decides one composed request against the scenario's initial world: authorization only,
/// the operation never runs (the form has no request parameters to run it with). A `kms:`
/// action whose resource names a key (key id, key ARN, alias name or alias ARN) is decided as
/// KMS decides a request on that key: its key policy, IAM where the key policy delegates,
/// grants, the `kms:` context keys (`kms:RequestAlias` for an alias) and the key-state gate.
/// Any other request is decided against its resource (`*` when empty) by its policies. An
/// action AWS KMS does not have gets a warning in the reason.
pub fn evaluate_adhoc(s: &Scenario, req: &AdHocRequest) -> Result<StepResult, ScenarioError> {
    let resource = match req.resource.trim() {
        "" => "*",
        r => r,
    };
    let action = req.action.trim();
    let step = Step {
        id: Some("adhoc".into()),
        index: 0,
        pos: Pos::default(),
        caller: Some(CallerSpec::Caller(req.caller.trim().to_string())),
        call: Some(action.to_string()),
        resource: Some(resource.to_string()),
        input: None,
        context: req
            .context
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), Pos::default()))
            .collect(),
        grant_tokens: Vec::new(),
        advance: None,
        session: None,
        expect: None,
        description: None,
        positions: StepPositions::default(),
    };
    let Some((service, name)) = action
        .split_once(':')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
    else {
        return Err(form_error(format!(
            "action: `{action}` is not an action: write `service:Action`"
        )));
    };
    // The request was written in a form, not in a document: errors name the form's field.
    let sp = step_path(&step);
    let form = |e: ScenarioError| super::edit::form_error(e, 0, "action");
    let caller = s
        .resolve_caller(req.caller.trim())
        .map_err(|m| form(error_at(&sp.key("caller"), Pos::default(), m)))?;
    let now = s.defaults.time;
    let step_ctx = step_context(s, &caller, None, None, &step, now, &sp).map_err(form)?;
    let mut r = blank_result(&step, now);
    r.caller = Some(caller.principal.arn.clone());
    let kms = service.eq_ignore_ascii_case("kms");
    let known = crate::kms::catalog::ACTIONS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(name));
    // Alias management is authorized on the alias itself (and the key), as IAM names it.
    let on_key = match known {
        Some(op) if kms && !matches!(*op, "CreateAlias" | "UpdateAlias" | "DeleteAlias") => {
            s.resolve_key_id(resource).map(|k| {
                (
                    *op,
                    k,
                    resource.starts_with("alias/") || resource.contains(":alias/"),
                )
            })
        }
        _ => None,
    };
    let mut r = match on_key {
        Some((op, key, by_alias)) => {
            let alias = by_alias.then(|| alias_name(resource));
            decide_on_key(s, &caller, now, &step_ctx, op, key, alias, r)
        }
        None => {
            r.resource = Some(resource.to_string());
            authorize_only(r, s, &caller, None, now, &step_ctx, action, resource)
        }
    };
    if kms && known.is_none() {
        let hint = if name.eq_ignore_ascii_case("ReEncrypt") {
            " (ReEncrypt is authorized as `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key)".to_string()
        } else {
            crate::kms::catalog::nearest(name, crate::kms::catalog::ACTIONS)
                .map(|n| format!(" (did you mean `kms:{n}`?)"))
                .unwrap_or_default()
        };
        r.reason = format!(
            "warning: AWS KMS has no action `{action}`{hint}: no request ever asks for it, and a policy matches the name only through a wildcard such as `kms:*`. {}",
            r.reason
        );
    }
    Ok(r)
}

/// The result of a request on another account's key that the operation does not allow across
/// accounts ("Cross-account use: No" in the API reference): refused before any policy is read,
/// so there is no decision.
fn cross_account_refusal(mut r: StepResult, caller: &str, op: &str, arn: &str) -> StepResult {
    let why = format!("{op} cannot be used on a KMS key in another account");
    r.error = Some("AccessDeniedException".into());
    r.message = Some(format!(
        "User: {caller} is not authorized to perform: kms:{op} on resource: {arn} because {why}"
    ));
    r.reason = cross_account_reason(&why);
    r
}

/// The reason of a request refused by the API's cross-account rule.
fn cross_account_reason(why: &str) -> String {
    format!("{why} (the API's cross-account rule), so no policy was evaluated")
}

/// `alias/NAME` from an alias name or an alias ARN.
fn alias_name(resource: &str) -> &str {
    resource
        .find("alias/")
        .and_then(|i| resource.get(i..))
        .unwrap_or(resource)
}

/// Decides `kms:OP` on `key` without running it, as KMS authorizes a request on the key:
/// the cross-account rule, the key policy with IAM where it delegates, grants (in effect at the
/// scenario's start, with the encryption context the request's `kms:EncryptionContext:` keys
/// give), then the key-state gate.
#[allow(clippy::too_many_arguments)]
fn decide_on_key(
    s: &Scenario,
    caller: &Caller<'_>,
    now: Instant,
    step_ctx: &Context,
    op: &str,
    key: &KeyDef,
    alias: Option<&str>,
    mut r: StepResult,
) -> StepResult {
    let arn = key.arn(&s.defaults.partition);
    let action = format!("kms:{op}");
    r.resource = Some(arn.clone());
    let api = match op {
        "ReEncryptFrom" | "ReEncryptTo" => "ReEncrypt",
        other => other,
    };
    if caller.principal.account.as_ref() != Some(&key.account)
        && !crate::kms::ops::CROSS_ACCOUNT_OPERATIONS.contains(&api)
    {
        return cross_account_refusal(r, &caller.principal.arn, op, &arn);
    }
    let iam = StepIam {
        s,
        caller,
        session: None,
        now,
        step_context: step_ctx,
    };
    let mut ctx = crate::matrix::key_context(key);
    if let Some(a) = &caller.principal.account {
        ctx.insert_single("kms:CallerAccount", a.to_string());
    }
    if let Some(a) = alias {
        ctx.insert_single("kms:RequestAlias", a);
    }
    // The encryption context the request's condition keys describe, for grant constraints.
    let ec: BTreeMap<String, String> = step_ctx
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("kms:EncryptionContext:")?;
            Some((name.to_string(), v.values().first()?.to_string()))
        })
        .collect();
    let world = World::new(s, None);
    let grant_op = crate::kms::model::GRANT_OPERATIONS
        .iter()
        .find(|g| **g == op)
        .copied();
    let d = crate::kms::authz::authorize_key(
        &iam,
        &crate::kms::authz::KeyRequest {
            action: &action,
            grant_operation: grant_op,
            key_arn: &arn,
            key_id: &key.id,
            account: &key.account,
            policy: &key.policy,
            context: &ctx,
            encryption_context: &ec,
        },
        &world.kms.grants,
        now,
        s.grant_propagation,
        &[],
    );
    let mut resp = d.response;
    r.decision = Some(resp.decision);
    r.reason = resp.summary.clone();
    if resp.decision == Decision::Allow {
        let state = world
            .kms
            .keys
            .get(&key.id)
            .map_or(key.state, |k| world.kms.effective_state(k));
        let (gate, refused) = crate::kms::state::gate(api, state, key.origin, &arn);
        if let Some(t) = resp.trace.as_mut() {
            t.key_state = Some(gate);
        }
        if let Err(e) = refused {
            r.reason = format!("authorized, then {}", e.code.as_str());
            r.error = Some(e.code.as_str().to_string());
            r.message = Some(e.message);
        }
    } else {
        r.error = Some("AccessDeniedException".into());
        if let Some(t) = &resp.trace {
            r.message = Some(access_denied_message(
                &caller.principal.arn,
                &action,
                &arn,
                t,
            ));
        }
    }
    r.trace = resp.trace;
    r
}

/// An error about a form's field, named in `message`: no place in a document.
fn form_error(message: String) -> ScenarioError {
    ScenarioError {
        file: None,
        path: String::new(),
        pos: Pos::default(),
        message,
    }
}

fn step_path(step: &Step) -> JsonPath {
    JsonPath::root().key("steps").index(step.index)
}

/// The outputs of the steps run so far, by step id, for `${id.path}` references, and why a
/// step that has an id has no output (so that a reference to it can say so).
#[derive(Clone, Default)]
struct Outputs {
    values: BTreeMap<String, serde_json::Value>,
    missing: BTreeMap<String, String>,
}

impl Outputs {
    /// Records how the step `id` ended.
    fn record(&mut self, id: &str, r: &StepResult) {
        match &r.output {
            Some(out) => {
                self.values.insert(id.to_string(), out.clone());
                self.missing.remove(id);
            }
            None => {
                self.values.remove(id);
                let why = if r.not_run.is_some() {
                    "which did not run either, so it has no output".to_string()
                } else if let Some(e) = &r.error {
                    format!("which ended with `{e}`, so it has no output")
                } else {
                    "which has no output (it only decided authorization)".to_string()
                };
                self.missing.insert(id.to_string(), why);
            }
        }
    }
}

/// Replaces `${step.path}` references in a string with earlier steps' outputs. Policy variables
/// (`${aws:username}`) contain a colon and are left alone.
fn resolve_refs(text: &str, outputs: &Outputs) -> Result<String, String> {
    // Most values (base64 payloads among them) hold no reference: one byte scan, one copy.
    if !text.as_bytes().windows(2).any(|w| w == b"${") {
        return Ok(text.to_string());
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let inner_end = after.find('}');
        let inner = inner_end.and_then(|e| after.get(2..e));
        match inner {
            Some(inner) if !inner.contains(':') && inner.contains('.') && !inner.contains(' ') => {
                let (id, path) = inner.split_once('.').unwrap_or((inner, ""));
                let value = outputs.values.get(id).ok_or_else(|| {
                    let why = outputs.missing.get(id).map_or(
                        "which has not run before this step or has no output",
                        String::as_str,
                    );
                    format!("`${{{inner}}}` refers to step `{id}`, {why}")
                })?;
                let mut cur = value;
                for part in path.split('.') {
                    cur = match cur {
                        serde_json::Value::Object(m) => m.get(part),
                        serde_json::Value::Array(a) => {
                            part.parse::<usize>().ok().and_then(|i| a.get(i))
                        }
                        _ => None,
                    }
                    .ok_or_else(|| {
                        format!("`${{{inner}}}`: the output of step `{id}` has no field `{path}`")
                    })?;
                }
                match cur {
                    serde_json::Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                rest = after.get(inner.len() + 3..).unwrap_or("");
            }
            _ => {
                out.push_str("${");
                rest = after.get(2..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Resolves the references in an `expect` value (already checked when the step's own input
/// resolved; one that does not resolve is compared as written).
fn resolve_json(v: &serde_json::Value, outputs: &Outputs) -> Result<serde_json::Value, String> {
    Ok(match v {
        serde_json::Value::String(s) => serde_json::Value::String(resolve_refs(s, outputs)?),
        serde_json::Value::Array(a) => serde_json::Value::Array(
            a.iter()
                .map(|x| resolve_json(x, outputs))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), resolve_json(x, outputs)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// `j` (written at `path`) with its references resolved, or the first one that cannot be,
/// located at the string that holds it.
fn resolve_located(
    j: &Json,
    path: &JsonPath,
    outputs: &Outputs,
) -> Result<serde_json::Value, ScenarioError> {
    Ok(match &j.value {
        JsonValue::String(s) => serde_json::Value::String(
            resolve_refs(s, outputs).map_err(|m| error_at(path, j.pos, m))?,
        ),
        JsonValue::Array(items) => serde_json::Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| resolve_located(x, &path.index(i), outputs))
                .collect::<Result<_, _>>()?,
        ),
        JsonValue::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|m| {
                    Ok((
                        m.key.clone(),
                        resolve_located(&m.value, &path.key(&m.key), outputs)?,
                    ))
                })
                .collect::<Result<_, ScenarioError>>()?,
        ),
        _ => j.to_serde(),
    })
}

/// A step's references, resolved: its credentials, input, grant tokens and resource as the
/// call makes them.
struct Resolved {
    caller: Option<CallerSpec>,
    input: Option<serde_json::Value>,
    grant_tokens: Vec<String>,
    resource: Option<String>,
}

/// Resolves every reference of `step` before anything of it runs, so that a step that cannot
/// be made changes nothing (no access key records a use).
fn resolve_step(step: &Step, outputs: &Outputs, sp: &JsonPath) -> Result<Resolved, ScenarioError> {
    let at = &step.positions;
    let caller = match &step.caller {
        Some(CallerSpec::Caller(c)) => Some(CallerSpec::Caller(
            resolve_refs(c, outputs).map_err(|m| error_at(&sp.key("caller"), at.caller, m))?,
        )),
        Some(CallerSpec::AccessKey(k)) => Some(CallerSpec::AccessKey(
            resolve_refs(k, outputs).map_err(|m| error_at(&sp.key("accessKeyId"), at.caller, m))?,
        )),
        None => None,
    };
    let input = step
        .input
        .as_ref()
        .map(|j| resolve_located(j, &sp.key("input"), outputs))
        .transpose()?;
    let grant_tokens = step
        .grant_tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            resolve_refs(t, outputs)
                .map_err(|m| error_at(&sp.key("grantTokens").index(i), at.grant_tokens, m))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let resource = step
        .resource
        .as_ref()
        .map(|r| {
            resolve_refs(r, outputs).map_err(|m| error_at(&sp.key("resource"), at.resource, m))
        })
        .transpose()?;
    Ok(Resolved {
        caller,
        input,
        grant_tokens,
        resource,
    })
}

/// The result of a step that did not run because of `why`.
fn not_run(mut r: StepResult, why: ScenarioError) -> StepResult {
    r.error = Some(UNRESOLVED_REFERENCE.into());
    r.reason = format!("not run: {why}");
    r.expectation = Some(ExpectationResult {
        passed: false,
        failures: vec![
            "the step did not run: a reference in it cannot be resolved (see its reason)".into(),
        ],
    });
    r.not_run = Some(why);
    r
}

/// The AWS error code for an authorization failure, by service protocol.
fn access_denied_code(service: &str) -> &'static str {
    match service {
        "iam" | "sts" | "s3" => "AccessDenied",
        "ec2" => "UnauthorizedOperation",
        _ => "AccessDeniedException",
    }
}

fn access_denied_message(caller: &str, action: &str, resource: &str, trace: &Trace) -> String {
    // With the article, as AWS's own message writes it ("in an identity-based policy").
    let layer_of = |id: &str| -> &'static str {
        match id.split(':').next().unwrap_or_default() {
            "scp" => "a service control policy",
            "rcp" => "a resource control policy",
            "key-policy" | "resource" => "a resource-based policy",
            "boundary" => "a permissions boundary",
            "session" => "a session policy",
            _ => "an identity-based policy",
        }
    };
    let why = match trace.decision {
        Decision::ExplicitDeny => format!(
            "with an explicit deny in {}",
            trace
                .deciding
                .first()
                .map(|d| layer_of(d))
                .unwrap_or("a policy")
        ),
        _ => {
            let blocked_by = trace
                .reasoning
                .iter()
                .find(|r| r.starts_with("SCPs:") || r.starts_with("RCPs:"));
            match blocked_by {
                Some(r) if r.starts_with("SCPs") => {
                    "because no service control policy allows the action".to_string()
                }
                Some(_) => "because no resource control policy allows the action".to_string(),
                None if trace.summary.contains("identity-based") => {
                    format!("because no identity-based policy allows the {action} action")
                }
                None if trace
                    .layers
                    .iter()
                    .any(|l| matches!(l.layer, Layer::KeyPolicy | Layer::Resource)) =>
                {
                    "because no resource-based policy allows the action".to_string()
                }
                None => format!("because no identity-based policy allows the {action} action"),
            }
        }
    };
    format!("User: {caller} is not authorized to perform: {action} on resource: {resource} {why}")
}

fn finish(mut r: StepResult, step: &Step, outputs: &Outputs) -> StepResult {
    if let Some(exp) = &step.expect {
        let mut failures = Vec::new();
        if let Some(d) = exp.decision {
            let got = r
                .decision
                .map_or("none (the call failed before authorization)", |x| {
                    x.as_str()
                });
            if r.decision != Some(d) {
                failures.push(format!("decision: expected {}, got {got}", d.as_str()));
            }
        }
        if let Some(e) = &exp.error {
            if e != &r.error {
                failures.push(format!(
                    "error: expected {}, got {}",
                    e.as_deref().unwrap_or("success"),
                    r.error.as_deref().unwrap_or("success")
                ));
            }
        }
        if let Some(want) = &exp.output {
            let resolved = resolve_json(want, outputs);
            let want = resolved.as_ref().unwrap_or(want);
            match &r.output {
                Some(got) if subset(want, got) => {}
                Some(got) => failures.push(format!("output: expected a subset {want}, got {got}")),
                None => failures.push(format!(
                    "output: expected {want}, but the step has no output"
                )),
            }
        }
        if let Some(want) = &exp.deciding {
            let got = r
                .trace
                .as_ref()
                .map(|t| t.deciding.clone())
                .unwrap_or_default();
            let want: Vec<String> = want
                .iter()
                .map(|w| resolve_refs(w, outputs).unwrap_or_else(|_| w.clone()))
                .collect();
            let mut a = want.clone();
            let mut b = got.clone();
            a.sort();
            b.sort();
            if a != b {
                failures.push(format!(
                    "deciding: expected [{}], got [{}]",
                    want.join(", "),
                    got.join(", ")
                ));
            }
        }
        r.expectation = Some(ExpectationResult {
            passed: failures.is_empty(),
            failures,
        });
    }
    r
}

/// Whether every field of `want` is in `got` with the same value (objects recursively).
fn subset(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    match (want, got) {
        (serde_json::Value::Object(w), serde_json::Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| subset(v, gv))),
        // Arrays match element by element (same length, each element a subset), so a list of
        // objects can be checked without repeating their every field.
        (serde_json::Value::Array(w), serde_json::Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(wv, gv)| subset(wv, gv))
        }
        _ => want == got,
    }
}

/// The scenario's IAM side as the steps change it: the scenario itself until a step first
/// changes something (most runs never do), then an owned copy of its world (without the steps).
#[derive(Clone)]
struct Live<'a> {
    base: &'a Scenario,
    owned: Option<Box<Scenario>>,
}

impl<'a> Live<'a> {
    fn new(base: &'a Scenario) -> Self {
        Live { base, owned: None }
    }

    fn get(&self) -> &Scenario {
        self.owned.as_deref().unwrap_or(self.base)
    }

    fn to_mut(&mut self) -> &mut Scenario {
        let base = self.base;
        self.owned
            .get_or_insert_with(|| Box::new(base.world_copy()))
    }
}

/// The mutable simulated world while a scenario runs.
#[derive(Clone)]
struct World<'p> {
    kms: KmsWorld,
    rng: ChaCha20Rng,
    /// The memo of derived key pairs the run was given.
    pairs: Option<&'p PairCache>,
    /// What is left of the run's key-generation budget (`limits::KEY_GENERATION_BUDGET`).
    generation_budget: std::cell::Cell<u32>,
}

impl<'p> World<'p> {
    /// The world at the first step: the scenario's keys (material given or generated from the
    /// seed, in order), their aliases and its grants (fully propagated).
    fn new(s: &Scenario, pairs: Option<&'p PairCache>) -> World<'p> {
        let mut rng = crate::crypto::seeded_rng(s.seed);
        let mut kms = KmsWorld {
            key_stores: s.stores.clone(),
            clusters: s.clusters.clone(),
            ..KmsWorld::default()
        };
        for k in &s.keys {
            use crate::kms::spec::KeySpec;
            let pending = k.origin == Origin::External && k.state == KeyState::PendingImport;
            let materials = match (&k.material, k.spec) {
                (Some(m), _) => vec![m.clone()],
                (None, KeySpec::Symmetric) if !pending => vec![KeyMaterial::generate(&mut rng)],
                (None, _) => Vec::new(),
            };
            // An imported key declared with its material accepts only that material again.
            let mut imported = crate::kms::byok::ImportState::default();
            if let (Origin::External, Some(m)) = (k.origin, materials.first()) {
                imported.accept(m.expose());
            }
            let pair = match k.spec {
                KeySpec::Pair(p) => Some(crate::crypto::asym::LazyPair::new(p, &mut rng)),
                _ => None,
            };
            let hmac_key = match k.spec {
                KeySpec::Hmac(a) if !pending => {
                    Some(crate::crypto::Secret::random(&mut rng, a.key_len()))
                }
                _ => None,
            };
            let created = k.created.unwrap_or(s.defaults.time);
            kms.keys.insert(
                k.id.clone(),
                Key {
                    id: k.id.clone(),
                    account: k.account.clone(),
                    region: k.region.clone(),
                    description: k.description.clone(),
                    spec: k.spec,
                    usage: k.usage,
                    origin: k.origin,
                    key_store: k.key_store.clone(),
                    xks_key_id: k.external_key_id.clone(),
                    state: k.state,
                    created,
                    deletion_date: k
                        .deletion_date
                        .filter(|_| k.state == KeyState::PendingDeletion),
                    pending_window_days: (k.state == KeyState::PendingDeletion).then_some(30),
                    materials,
                    pair,
                    hmac_key,
                    import: imported,
                    rotation_enabled: k.rotation_enabled,
                    rotation_period_days: k.rotation_period_days,
                    next_rotation: k.rotation_enabled.then(|| {
                        s.defaults.time.plus(crate::time::Duration::seconds(
                            i64::from(k.rotation_period_days) * 86_400,
                        ))
                    }),
                    rotations: Vec::new(),
                    policy: k.policy.clone(),
                    policy_text: k.policy_text.clone(),
                    tags: k.tags.iter().cloned().collect(),
                },
            );
            for a in &k.aliases {
                kms.aliases.push(Alias {
                    name: a.clone(),
                    account: k.account.clone(),
                    region: k.region.clone(),
                    target: k.id.clone(),
                    created,
                });
            }
        }
        for g in &s.grants {
            let mut id_bytes = [0u8; 32];
            rand_core::Rng::fill_bytes(&mut rng, &mut id_bytes);
            let generated: String = id_bytes.iter().map(|b| format!("{b:02x}")).collect();
            let id = g.grant_id.clone().unwrap_or(generated);
            kms.grants.push(Grant {
                token: format!("token-{id}"),
                id,
                name: g.name.clone(),
                key_id: g.key_id.clone(),
                grantee: g.grantee.clone(),
                retiring: g.retiring.clone(),
                operations: g.operations.clone(),
                constraint: g.constraint.clone(),
                issuing_account: g.issuing_account.clone(),
                // Long before the first step (fully propagated), unless a step made it.
                created: g.created.unwrap_or(Instant(i64::MIN / 4)),
                deleted: g.deleted,
            });
        }
        World {
            kms,
            rng,
            pairs,
            generation_budget: std::cell::Cell::new(super::limits::KEY_GENERATION_BUDGET),
        }
    }
}

/// The IAM side of one step, for the KMS engine: the caller's policies, boundary, session and
/// organization, and the step's context.
struct StepIam<'a> {
    s: &'a Scenario,
    caller: &'a Caller<'a>,
    session: Option<&'a SessionSpec>,
    now: Instant,
    step_context: &'a Context,
}

impl IamSide for StepIam<'_> {
    fn caller(&self) -> &crate::iam::context::Principal {
        &self.caller.principal
    }

    fn evaluate(
        &self,
        action: &str,
        resource: &str,
        resource_account: Option<&AccountId>,
        key_policy: Option<&Policy>,
        extra: &Context,
    ) -> Response {
        authorize_request(
            self.s,
            self.caller,
            self.session,
            self.now,
            self.step_context,
            action,
            resource,
            resource_account,
            key_policy.map(|p| ResourcePolicy {
                kind: ResourceKind::KmsKey,
                name: resource.to_string(),
                policy: p,
            }),
            extra,
        )
    }
}

/// The result of `step` at `now` before anything of it happened.
fn blank_result(step: &Step, now: Instant) -> StepResult {
    StepResult {
        id: step.name(),
        index: step.index,
        call: step.call.clone(),
        caller: None,
        resource: None,
        time: now.to_string(),
        context: step
            .context
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect(),
        decision: None,
        error: None,
        message: None,
        reason: String::new(),
        output: None,
        authorization_only: true,
        trace: None,
        proxy_calls: Vec::new(),
        expectation: None,
        not_run: None,
    }
}

#[allow(clippy::too_many_lines)]
fn run_step(
    live: &mut Live<'_>,
    world: &mut World<'_>,
    step: &Step,
    now: Instant,
    outputs: &Outputs,
) -> Result<StepResult, ScenarioError> {
    let sp = step_path(step);
    let mut r = blank_result(step, now);
    let Some(call) = &step.call else {
        r.reason = format!("time advanced to {now}");
        return Ok(finish(r, step, outputs));
    };
    let (service, operation) = call.split_once(':').unwrap_or((call.as_str(), ""));
    // A reference to an output that is not there (the step it names failed): this step cannot
    // be made, and the run goes on without it.
    let resolved = match resolve_step(step, outputs, &sp) {
        Ok(x) => x,
        Err(why) => {
            // Who would have called, when the step says it without a reference.
            if let Some(CallerSpec::Caller(c)) = step.caller.as_ref() {
                if !c.contains("${") {
                    r.caller = Some(c.clone());
                }
            }
            return Ok(not_run(r, why));
        }
    };

    // Authentication: an access key names its user (or STS session), and must be usable.
    let (caller_arn, sts_session, creds) =
        match authenticate(live, step, resolved.caller.as_ref(), service, now, &sp)? {
            Auth::Ok {
                arn,
                session,
                creds,
            } => (arn, session, creds),
            Auth::Refused {
                code,
                message,
                reason,
            } => {
                r.error = Some(code.into());
                r.message = Some(message.into());
                r.reason = reason;
                return Ok(finish(r, step, outputs));
            }
        };
    if step.resource.is_none() && crate::identity::is_identity_call(call) {
        // Authorization reads the world as it stood before the call; the call then changes it.
        let before = live.get().world_copy();
        return run_identity_step(
            &before,
            &mut live.to_mut().iam,
            world,
            step,
            r,
            &caller_arn,
            sts_session,
            creds,
            now,
            resolved.input,
            outputs,
        );
    }
    let s: &Scenario = live.get();
    let session = sts_session.as_ref().or(step.session.as_ref());
    let caller: Caller<'_> = s
        .resolve_caller(&caller_arn)
        .map_err(|m| error_at(&sp.key("caller"), step.positions.caller, m))?;
    r.caller = Some(caller.principal.arn.clone());
    let Resolved {
        input,
        grant_tokens,
        resource,
        ..
    } = resolved;

    let step_ctx = step_context(s, &caller, session, creds, step, now, &sp)?;

    if service == "kms" && step.resource.is_none() {
        // Read with the document for its steps; a step built in code is checked here.
        if let Some(m) = crate::kms::catalog::unknown_operation(operation) {
            return Err(error_at(&sp.key("call"), step.positions.call, m));
        }
        let iam = StepIam {
            s,
            caller: &caller,
            session,
            now,
            step_context: &step_ctx,
        };
        let key_store_role_exists = caller.principal.account.as_ref().is_some_and(|a| {
            s.iam
                .roles
                .iter()
                .any(|r| &r.account == a && r.name == crate::identity::KEY_STORE_ROLE)
        });
        let mut env = Env {
            partition: &s.defaults.partition,
            region: &s.defaults.region,
            now,
            grant_propagation: s.grant_propagation,
            iam: &iam,
            grant_tokens: &grant_tokens,
            step_context: &step_ctx,
            rng: &mut world.rng,
            pairs: world.pairs,
            generation_budget: &world.generation_budget,
            key_store_role_exists,
        };
        let empty = serde_json::Value::Object(serde_json::Map::new());
        let outcome = execute(
            &mut world.kms,
            &mut env,
            operation,
            input.as_ref().unwrap_or(&empty),
        )
        .map_err(|e| input_error(step, &sp, e.0))?;
        r.authorization_only = false;
        r.decision = outcome.decision;
        r.resource = outcome.trace.as_ref().map(|t| t.request.resource.clone());
        match outcome.result {
            Ok(v) => {
                r.reason = outcome
                    .trace
                    .as_ref()
                    .map(|t| t.summary.clone())
                    .unwrap_or_else(|| "done".into());
                r.output = Some(v);
            }
            Err(e) => {
                r.reason = match (&outcome.trace, outcome.decision) {
                    (Some(_), Some(Decision::Allow)) => {
                        format!("authorized, then {}", e.code.as_str())
                    }
                    (Some(t), _) => t.summary.clone(),
                    // The only AccessDenied without a decision: the API's cross-account rule.
                    (None, None)
                        if e.code == crate::kms::error::ErrorCode::AccessDeniedException =>
                    {
                        e.message
                            .split_once(" because ")
                            .map_or_else(|| e.message.clone(), |(_, why)| cross_account_reason(why))
                    }
                    (None, _) => {
                        format!("the call failed before authorization: {}", e.code.as_str())
                    }
                };
                r.error = Some(e.code.as_str().to_string());
                r.message = Some(e.message);
            }
        }
        r.trace = outcome.trace;
        r.proxy_calls = outcome.proxy_calls;
        let partition = s.defaults.partition.clone();
        // Changes outside KMS (the service-linked role CreateCustomKeyStore creates).
        for effect in outcome.effects {
            match effect {
                crate::kms::ops::Effect::CreateKeyStoreServiceLinkedRole(account) => {
                    let exists =
                        live.get().iam.roles.iter().any(|r| {
                            r.account == account && r.name == crate::identity::KEY_STORE_ROLE
                        });
                    if let (false, Some(mut role)) = (
                        exists,
                        crate::identity::service_linked_role(
                            crate::identity::KEY_STORE_ROLE,
                            &account,
                            &partition,
                        ),
                    ) {
                        role.created = Some(now);
                        let world = live.to_mut();
                        world.iam.roles.push(role);
                        world
                            .iam
                            .service_linked_roles
                            .push(crate::identity::KEY_STORE_ROLE.to_string());
                    }
                }
            }
        }
        return Ok(finish(r, step, outputs));
    }

    // Any other action: authorization only, against the step's resource.
    let resource = resource.unwrap_or_else(|| "*".to_string());
    r.resource = Some(resource.clone());
    let r = authorize_only(r, s, &caller, session, now, &step_ctx, call, &resource);
    Ok(finish(r, step, outputs))
}

/// Decides `action` on `resource` by the caller's policies and the resource's own policy, if
/// it has one (a key's policy when `resource` is a key ARN), without running anything.
#[allow(clippy::too_many_arguments)]
fn authorize_only(
    mut r: StepResult,
    s: &Scenario,
    caller: &Caller<'_>,
    session: Option<&SessionSpec>,
    now: Instant,
    step_ctx: &Context,
    action: &str,
    resource: &str,
) -> StepResult {
    let (resource_policy, mut resource_account) = match s.resource_policy(resource) {
        Some((p, a)) => (Some(p), a),
        None => (None, None),
    };
    if resource_account.is_none() {
        resource_account =
            crate::iam::arn::Arn::parse(resource).and_then(|a| AccountId::parse(&a.account));
    }
    let resp = authorize_request(
        s,
        caller,
        session,
        now,
        step_ctx,
        action,
        resource,
        resource_account.as_ref(),
        resource_policy,
        &Context::default(),
    );
    r.decision = Some(resp.decision);
    r.reason = resp.summary.clone();
    if resp.decision != Decision::Allow {
        let service = action.split_once(':').map_or(action, |(sv, _)| sv);
        r.error = Some(access_denied_code(service).into());
        if let Some(t) = &resp.trace {
            r.message = Some(access_denied_message(
                &caller.principal.arn,
                action,
                resource,
                t,
            ));
        }
    }
    r.trace = resp.trace;
    r
}

/// A problem with a step's input that the operation found, located at the parameter it names
/// (`` `EncryptionContext.app` must be a string ``: at that value) or else at the input.
fn input_error(step: &Step, sp: &JsonPath, message: String) -> ScenarioError {
    let mut path = sp.key("input");
    let Some(mut at) = step.input.as_ref() else {
        return error_at(&path, step.pos, message);
    };
    let named = message
        .strip_prefix('`')
        .and_then(|m| m.split_once('`'))
        .map_or("", |(name, _)| name);
    for part in named.split('.') {
        match at.get(part) {
            Some(v) => {
                path = path.key(part);
                at = v;
            }
            None => break,
        }
    }
    error_at(&path, at.pos, message)
}

/// The step's context: keys the caller controls (and `aws:MultiFactorAuthPresent` for an MFA
/// session). Keys AWS derives may be repeated, never contradicted.
fn step_context(
    s: &Scenario,
    caller: &Caller<'_>,
    session: Option<&SessionSpec>,
    creds: Option<SessionCredentials>,
    step: &Step,
    now: Instant,
    sp: &JsonPath,
) -> Result<Context, ScenarioError> {
    let derived = s.derived_context(caller, session, now, None);
    let mut step_ctx = Context::default();
    step_ctx.insert_single("aws:SecureTransport", "true");
    step_ctx.insert_single("aws:RequestedRegion", s.defaults.region.clone());
    let mfa = creds == Some(SessionCredentials::UserSession { mfa: true });
    if mfa {
        step_ctx.insert_single("aws:MultiFactorAuthPresent", "true");
    }
    for (k, v, _) in &step.context {
        // An MFA session's `aws:MultiFactorAuthPresent` comes from its credentials; without
        // one, a step may say the caller signed in with MFA (a console user, say).
        if mfa && k.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") {
            if v.values() != ["true"] {
                let p = sp.key("context").key(k);
                return Err(error_at(&p, step.pos, format!("context key `{k}` is derived by the simulator (here: `true`: the credentials are a session made with MFA); a step cannot set it to something else")));
            }
            continue;
        }
        if is_derived_key(k) || derived.contains(k) {
            if derived.get(k).is_some_and(|d| d != v)
                || (derived.get(k).is_none()
                    && !k.to_ascii_lowercase().starts_with("aws:resourceaccount"))
            {
                let p = sp.key("context").key(k);
                let have = derived
                    .get(k)
                    .map(|x| x.values().join(", "))
                    .unwrap_or_else(|| "nothing".into());
                return Err(error_at(&p, step.pos, format!("context key `{k}` is derived by the simulator (here: `{have}`); a step cannot set it to something else")));
            }
        } else {
            step_ctx.insert(k, v.clone());
        }
    }
    Ok(step_ctx)
}

/// How a step's credentials authenticated.
enum Auth {
    /// The caller's ARN, its STS session policies and tags, and the kind of temporary
    /// credentials, if any.
    Ok {
        arn: String,
        session: Option<SessionSpec>,
        creds: Option<SessionCredentials>,
    },
    /// Refused before any policy is read.
    Refused {
        code: &'static str,
        message: &'static str,
        reason: String,
    },
}

/// Authenticates the step's `caller` or `accessKeyId` (`spec`, its references resolved). A
/// long-term key must exist and be active (its last use is recorded); temporary credentials
/// must exist and not have expired.
fn authenticate(
    live: &mut Live<'_>,
    step: &Step,
    spec: Option<&CallerSpec>,
    service: &str,
    now: Instant,
    sp: &JsonPath,
) -> Result<Auth, ScenarioError> {
    let k = match spec {
        Some(CallerSpec::Caller(c)) => {
            return Ok(Auth::Ok {
                arn: c.clone(),
                session: None,
                creds: None,
            })
        }
        Some(CallerSpec::AccessKey(k)) => k.clone(),
        None => {
            return Err(error_at(
                sp,
                step.pos,
                "a step with `call` needs `caller` or `accessKeyId`",
            ))
        }
    };
    let iam_like = matches!(service, "iam" | "sts" | "s3" | "ec2");
    let invalid = if iam_like {
        "InvalidClientTokenId"
    } else {
        "UnrecognizedClientException"
    };
    let partition = live.get().defaults.partition.clone();
    let region = live.get().defaults.region.clone();
    let found = live.get().iam.users.iter().enumerate().find_map(|(ui, u)| {
        u.access_keys
            .iter()
            .position(|a| a.id == k)
            .map(|ki| (ui, ki, u.access_keys.get(ki).is_some_and(|a| a.active)))
    });
    if let Some((ui, ki, active)) = found {
        if !active {
            return Ok(Auth::Refused {
                code: invalid,
                message: "The security token included in the request is invalid.",
                reason: format!("access key `{k}` is inactive, so the request is not authenticated and no policy is read"),
            });
        }
        // AWS records a key's last use whenever it signs a request, allowed or not.
        let u = live.to_mut().iam.users.get_mut(ui);
        let arn = u.as_ref().map(|u| {
            format!(
                "arn:{partition}:iam::{}:user{}{}",
                u.account, u.path, u.name
            )
        });
        if let Some(key) = u.and_then(|u| u.access_keys.get_mut(ki)) {
            key.last_used = Some((now, service.to_string(), region));
        }
        return Ok(Auth::Ok {
            arn: arn.unwrap_or_default(),
            session: None,
            creds: None,
        });
    }
    let live = live.get();
    if let Some(sess) = live.iam.sessions.iter().find(|x| x.access_key_id == k) {
        if now >= sess.expires {
            return Ok(Auth::Refused {
                code: if iam_like {
                    "ExpiredToken"
                } else {
                    "ExpiredTokenException"
                },
                message: "The security token included in the request is expired",
                reason: format!(
                    "the temporary credentials `{k}` expired at {}",
                    sess.expires
                ),
            });
        }
        // Credentials of a user or role deleted since are no longer valid.
        let gone = match &sess.kind {
            SessionKind::Role { account, role, .. } => !live
                .iam
                .roles
                .iter()
                .any(|r| &r.account == account && &r.name == role),
            SessionKind::User { account, user, .. } => {
                !user.is_empty()
                    && !live
                        .iam
                        .users
                        .iter()
                        .any(|u| &u.account == account && &u.name == user)
            }
        };
        if gone {
            return Ok(Auth::Refused {
                code: invalid,
                message: "The security token included in the request is invalid.",
                reason: format!("the temporary credentials `{k}` belong to a user or role that no longer exists"),
            });
        }
        return Ok(match &sess.kind {
            SessionKind::Role {
                account,
                role,
                session_name,
                spec,
                chained,
            } => Auth::Ok {
                arn: format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session_name}"),
                session: Some(spec.as_ref().clone()),
                creds: Some(SessionCredentials::RoleSession { chained: *chained }),
            },
            SessionKind::User { account, user, mfa } => Auth::Ok {
                arn: if user.is_empty() {
                    account.root_arn(&partition)
                } else {
                    let path = live
                        .iam
                        .users
                        .iter()
                        .find(|u| &u.account == account && &u.name == user)
                        .map_or("/", |u| u.path.as_str());
                    format!("arn:{partition}:iam::{account}:user{path}{user}")
                },
                session: None,
                creds: Some(SessionCredentials::UserSession { mfa: *mfa }),
            },
        });
    }
    Ok(Auth::Refused {
        code: invalid,
        message: "The security token included in the request is invalid.",
        reason: format!(
            "access key `{k}` does not exist (or was deleted), so the request is not authenticated"
        ),
    })
}

/// Decides one request of a step: the caller's identity policies, boundary, session policies,
/// SCPs and RCPs, and the resource's policy when it has one.
#[allow(clippy::too_many_arguments)]
fn authorize_request(
    s: &Scenario,
    caller: &Caller<'_>,
    session: Option<&SessionSpec>,
    now: Instant,
    step_ctx: &Context,
    action: &str,
    resource: &str,
    resource_account: Option<&AccountId>,
    resource_policy: Option<ResourcePolicy<'_>>,
    extra: &Context,
) -> Response {
    let mut context = s.derived_context(caller, session, now, resource_account);
    for (k, v) in extra.iter() {
        context.insert(k, v.clone());
    }
    for (k, v) in step_ctx.iter() {
        if !context.contains(k) {
            context.insert(k, v.clone());
        }
    }
    let request = Request {
        principal: caller.principal.clone(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: resource_account.cloned(),
        partition: s.defaults.partition.clone(),
        context,
    };
    let is_service = matches!(caller.principal.kind, PrincipalKind::Service { .. });
    let input = AuthzInput {
        request: &request,
        identity: if is_service {
            Vec::new()
        } else {
            s.identity_policies(caller)
        },
        boundary: s.boundary(caller),
        session: s.session_policies(caller, session),
        scps: s.org_policies(
            caller.principal.account.as_ref(),
            &caller.principal,
            false,
            action,
        ),
        rcps: s.org_policies(resource_account, &caller.principal, true, action),
        resource_policy,
    };
    authorize(&input, true)
}

/// Runs an IAM or STS call: authorized against `before` (the world before the call), then
/// applied to `iam`.
#[allow(clippy::too_many_arguments)]
fn run_identity_step(
    before: &Scenario,
    iam: &mut crate::scenario::Iam,
    world: &mut World<'_>,
    step: &Step,
    mut r: StepResult,
    caller_arn: &str,
    sts_session: Option<SessionSpec>,
    creds: Option<SessionCredentials>,
    now: Instant,
    input: Option<serde_json::Value>,
    outputs: &Outputs,
) -> Result<StepResult, ScenarioError> {
    let sp = step_path(step);
    let call = step.call.as_deref().unwrap_or_default();
    let s = before;
    let caller: Caller<'_> = s
        .resolve_caller(caller_arn)
        .map_err(|m| error_at(&sp.key("caller"), step.positions.caller, m))?;
    r.caller = Some(caller.principal.arn.clone());
    r.authorization_only = false;
    let session = sts_session.as_ref().or(step.session.as_ref());
    // Credentials from GetSessionToken reach IAM only with MFA.
    if call.starts_with("iam:") && creds == Some(SessionCredentials::UserSession { mfa: false }) {
        r.error = Some("InvalidClientTokenId".into());
        r.message = Some("The security token included in the request is invalid.".into());
        r.reason = "temporary credentials from GetSessionToken without MFA cannot call IAM".into();
        return Ok(finish(r, step, outputs));
    }
    let input = input.unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    let step_ctx = step_context(s, &caller, session, creds, step, now, &sp)?;
    let authz = |q: &AuthzQuestion<'_>| {
        authorize_request(
            s,
            &caller,
            session,
            now,
            &step_ctx,
            q.action,
            q.resource,
            q.resource_account,
            q.trust.map(|p| ResourcePolicy {
                kind: ResourceKind::RoleTrust,
                name: format!("trust policy of {}", q.resource),
                policy: p,
            }),
            q.context,
        )
    };
    let mut op = Op::new(
        iam,
        &caller.principal,
        creds,
        &authz,
        &input,
        now,
        &s.defaults.partition,
        &s.defaults.region,
        // KMS uses the role while the account has CloudHSM key stores.
        world.kms.key_stores.iter().any(|ks| {
            ks.kind == crate::keystore::KeyStoreType::AwsCloudHsm
                && caller.principal.account.as_ref() == Some(&ks.account)
        }),
        &mut world.rng,
    );
    op.caller_session = session.cloned();
    let outcome = crate::identity::execute(&mut op, call);
    r.decision = outcome.decision;
    r.resource = outcome.trace.as_ref().map(|t| t.request.resource.clone());
    match outcome.result {
        Ok(v) => {
            r.reason = outcome.trace.as_ref().map_or_else(
                || "done (no authorization needed)".into(),
                |t| t.summary.clone(),
            );
            r.output = Some(v);
        }
        Err(e) => {
            r.error = Some(e.code.as_str().to_string());
            match (&outcome.denied, &outcome.trace) {
                (Some((action, resource)), Some(t)) => {
                    r.message = Some(access_denied_message(
                        &caller.principal.arn,
                        action,
                        resource,
                        t,
                    ));
                    r.reason = t.summary.clone();
                }
                _ => {
                    r.reason = match outcome.decision {
                        Some(Decision::Allow) => format!("authorized, then {}", e.code.as_str()),
                        _ => format!("the call failed: {}", e.code.as_str()),
                    };
                    r.message = Some(e.message);
                }
            }
        }
    }
    r.trace = outcome.trace;
    Ok(finish(r, step, outputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_generation_is_charged_to_the_run_and_refused_past_its_budget() {
        let src = r#"{"kmslab": 1,
          "iam": {"users": [{"name": "alice", "inline": {"all": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}}]},
          "keys": [{"id": "1234abcd-12ab-34cd-56ef-1234567890ab"},
                   {"id": "5678abcd-12ab-34cd-56ef-1234567890ab", "spec": "ECC_NIST_P256", "usage": "SIGN_VERIFY"}],
          "steps": [
            {"caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:GenerateDataKeyPair",
             "input": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "KeyPairSpec": "ECC_NIST_P256"}},
            {"caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:GetPublicKey",
             "input": {"KeyId": "5678abcd-12ab-34cd-56ef-1234567890ab"}},
            {"caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:GenerateDataKeyPair",
             "input": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "KeyPairSpec": "RSA_2048"}},
            {"caller": "arn:aws:iam::111122223333:user/alice", "call": "kms:GenerateDataKeyPair",
             "input": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "KeyPairSpec": "RSA_3072"}}
          ]}"#;
        let s = crate::parse_scenario(src).unwrap();
        let mut run = Run::start(&s, RunOptions::default());
        // As if the run had already generated 37 RSA_2048 pairs: 3 units are left.
        run.world.generation_budget.set(3);
        // ECC pairs cost nothing; an RSA_2048 pair costs 1.
        for step in &s.steps[..3] {
            run.step(step).unwrap();
        }
        assert_eq!(run.world.generation_budget.get(), 2);
        assert!(run.results().iter().all(|r| r.error.is_none()));
        // An RSA_3072 pair (4) is refused before any generation, located at the step.
        let e = run.step(&s.steps[3]).unwrap_err();
        assert_eq!(e.path, "$.steps[3].input");
        assert_eq!(
            e.message,
            "`kms:GenerateDataKeyPair` would generate an RSA_3072 key pair, which costs 4 of the run's key-generation budget of 40 (RSA_2048 counts 1, RSA_3072 4, RSA_4096 10), and 2 are left: RSA key generation takes seconds in the browser, so kmslab stops here; use fewer or smaller RSA keys, or split the scenario"
        );
        assert_eq!(run.world.generation_budget.get(), 2);
    }

    /// The NPS example with the first Encrypt made from outside the corporate network: it is
    /// denied, so the three Decrypts that use its ciphertext cannot be made.
    const DENIED_ENCRYPT: &str = r#"{"kmslab": 1,
      "iam": {"users": [{"name": "nps", "accessKeys": [{"id": "AKIAIOSFODNN7EXAMPLE"}],
        "inline": {"p": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
          {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
           "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}}}]},
      "keys": [{"id": "1234abcd-12ab-34cd-56ef-1234567890ab", "aliases": ["alias/nps"]}],
      "steps": [
        {"id": "enc", "caller": "arn:aws:iam::111122223333:user/nps", "call": "kms:Encrypt",
         "input": {"KeyId": "alias/nps", "Plaintext": "aGVsbG8="},
         "context": {"aws:SourceIp": "198.51.100.9"}, "expect": {"decision": "Allow"}},
        {"id": "dec", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "call": "kms:Decrypt",
         "input": {"CiphertextBlob": "${enc.CiphertextBlob}"},
         "context": {"aws:SourceIp": "203.0.113.10"}},
        {"id": "again", "caller": "arn:aws:iam::111122223333:user/nps", "call": "kms:Decrypt",
         "input": {"CiphertextBlob": "${dec.Plaintext}"}, "expect": {"error": null}},
        {"id": "later", "caller": "arn:aws:iam::111122223333:user/nps", "call": "kms:Encrypt",
         "input": {"KeyId": "alias/nps", "Plaintext": "aGVsbG8="},
         "context": {"aws:SourceIp": "203.0.113.10"}, "expect": {"decision": "Allow"}}
      ]}"#;

    #[test]
    fn a_step_whose_reference_cannot_resolve_does_not_run_and_the_run_goes_on() {
        let s = crate::parse_scenario(DENIED_ENCRYPT).unwrap();
        let report = run_scenario(&s).unwrap();
        let ids: Vec<&str> = report.steps.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["enc", "dec", "again", "later"]);
        let [enc, dec, again, later] = &report.steps[..] else {
            panic!("four results")
        };
        assert_eq!(enc.decision, Some(Decision::ExplicitDeny));
        assert!(enc.not_run.is_none());
        // Not run, located at the string that holds the reference, saying why.
        assert_eq!(dec.decision, None);
        assert_eq!(dec.error.as_deref(), Some(UNRESOLVED_REFERENCE));
        // An access key is not looked up for a step that does not run.
        assert_eq!(dec.caller, None);
        assert_eq!(
            again.caller.as_deref(),
            Some("arn:aws:iam::111122223333:user/nps")
        );
        assert!(dec.trace.is_none());
        let why = dec.not_run.as_ref().unwrap();
        assert_eq!(why.path, "$.steps[1].input.CiphertextBlob");
        assert_eq!(why.pos.line, 13);
        assert_eq!(
            why.message,
            "`${enc.CiphertextBlob}` refers to step `enc`, which ended with `AccessDeniedException`, so it has no output"
        );
        assert_eq!(dec.reason, format!("not run: {why}"));
        // A step without `expect` that cannot run still fails the run.
        assert!(dec.expectation.as_ref().is_some_and(|e| !e.passed));
        // The access key did not sign anything: the step changed nothing.
        assert!(report.iam.users[0].access_keys[0].last_used.is_none());
        // A reference to a step that did not run says so.
        assert_eq!(
            again.not_run.as_ref().unwrap().message,
            "`${dec.Plaintext}` refers to step `dec`, which did not run either, so it has no output"
        );
        assert!(again.expectation.as_ref().is_some_and(|e| !e.passed));
        // The independent step after them ran.
        assert_eq!(later.decision, Some(Decision::Allow));
        assert!(later.expectation.as_ref().is_some_and(|e| e.passed));
        assert_eq!((report.passed, report.failed), (1, 3));
    }

    fn compose(
        s: &Scenario,
        caller: &str,
        action: &str,
        resource: &str,
        ctx: &[(&str, &str)],
    ) -> StepResult {
        evaluate_adhoc(
            s,
            &AdHocRequest {
                caller: caller.into(),
                action: action.into(),
                resource: resource.into(),
                context: ctx
                    .iter()
                    .map(|(k, v)| (k.to_string(), ContextValue::Single(v.to_string())))
                    .collect(),
            },
        )
        .unwrap()
    }

    const NPS_USER: &str = "arn:aws:iam::111122223333:user/nps-service";
    const CORP: (&str, &str) = ("aws:SourceIp", "203.0.113.10");

    #[test]
    fn a_composed_request_is_only_authorized_never_run() {
        let s = crate::parse_scenario(include_str!(
            "../../../../scenarios/examples/nps-least-privilege.json"
        ))
        .unwrap();
        // No resource: decided on `*`, not run (a Decrypt without a ciphertext used to be
        // refused with a ValidationException).
        let r = compose(&s, NPS_USER, "kms:Decrypt", "", &[CORP]);
        assert!(r.authorization_only);
        assert_eq!(r.output, None);
        assert_eq!(r.resource.as_deref(), Some("*"));
        assert_eq!(r.decision, Some(Decision::ImplicitDeny));
        assert_eq!(r.error.as_deref(), Some("AccessDeniedException"));
        // An alias names its key, as KMS resolves a KeyId, with kms:RequestAlias.
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let r = compose(
            &s,
            NPS_USER,
            "kms:Decrypt",
            "alias/nps",
            &[CORP, ("kms:EncryptionContext:app", "nps")],
        );
        assert_eq!(r.resource.as_deref(), Some(key));
        assert_eq!(r.decision, Some(Decision::Allow), "{}", r.reason);
        let t = r.trace.unwrap();
        assert_eq!(t.request.resource, key);
        assert!(t
            .request
            .context
            .iter()
            .any(|(k, v)| k == "kms:RequestAlias" && v == &["alias/nps"]));
        // The key policy decides with the alias ARN too.
        let r = compose(
            &s,
            NPS_USER,
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:alias/nps",
            &[("aws:SourceIp", "198.51.100.7")],
        );
        assert_eq!(r.decision, Some(Decision::ExplicitDeny));
    }

    #[test]
    fn a_composed_kms_action_that_does_not_exist_is_flagged() {
        let s = crate::parse_scenario(include_str!(
            "../../../../scenarios/examples/nps-least-privilege.json"
        ))
        .unwrap();
        let r = compose(&s, NPS_USER, "kms:Decryptt", "alias/nps", &[CORP]);
        assert!(
            r.reason.starts_with(
                "warning: AWS KMS has no action `kms:Decryptt` (did you mean `kms:Decrypt`?)"
            ),
            "{}",
            r.reason
        );
        let r = compose(&s, NPS_USER, "kms:Decrypt", "alias/nps", &[CORP]);
        assert!(!r.reason.contains("warning"), "{}", r.reason);
        let r = compose(&s, NPS_USER, "s3:GetObject", "", &[]);
        assert!(!r.reason.contains("warning"), "{}", r.reason);
    }

    #[test]
    fn a_composed_request_on_a_key_counts_grants_and_the_cross_account_rule() {
        let s = crate::parse_scenario(
            r#"{"kmslab": 1,
              "iam": {"roles": [{"name": "app"}]},
              "keys": [{"id": "k1", "aliases": ["alias/app"]},
                       {"id": "k2", "account": "444455556666"}],
              "grants": [{"keyId": "k1", "grantee": "arn:aws:iam::111122223333:role/app",
                          "operations": ["Decrypt"]}],
              "steps": []}"#,
        )
        .unwrap();
        let app = "arn:aws:sts::111122223333:assumed-role/app/s";
        let r = compose(&s, app, "kms:Decrypt", "alias/app", &[]);
        assert_eq!(r.decision, Some(Decision::Allow), "{}", r.reason);
        assert!(r.trace.unwrap().deciding[0].starts_with("grant:"));
        let r = compose(&s, app, "kms:Encrypt", "k1", &[]);
        assert_eq!(r.decision, Some(Decision::ImplicitDeny));
        let r = compose(
            &s,
            app,
            "kms:ScheduleKeyDeletion",
            "arn:aws:kms:us-east-1:444455556666:key/k2",
            &[],
        );
        assert_eq!(r.decision, None);
        assert_eq!(r.error.as_deref(), Some("AccessDeniedException"));
        assert_eq!(
            r.reason,
            "ScheduleKeyDeletion cannot be used on a KMS key in another account (the API's cross-account rule), so no policy was evaluated"
        );
    }

    #[test]
    fn access_denied_messages_use_the_right_article() {
        let s = crate::parse_scenario(
            r#"{"kmslab": 1,
              "iam": {"users": [{"name": "u", "inline": {"p": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}}}]},
              "steps": [{"caller": "arn:aws:iam::111122223333:user/u", "call": "s3:GetObject",
                         "resource": "arn:aws:s3:::b/k"}]}"#,
        )
        .unwrap();
        let r = run_scenario(&s).unwrap();
        assert_eq!(
            r.steps[0].message.as_deref(),
            Some("User: arn:aws:iam::111122223333:user/u is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in an identity-based policy")
        );
    }

    #[test]
    fn a_call_the_cross_account_rule_refuses_has_no_decision() {
        let s = crate::parse_scenario(include_str!(
            "../../../../scenarios/examples/cross-account-key.json"
        ))
        .unwrap();
        let r = run_scenario(&s).unwrap();
        let step = r
            .steps
            .iter()
            .find(|x| x.id == "no-schedule-deletion")
            .unwrap();
        assert_eq!(step.decision, None);
        assert!(step.trace.is_none());
        assert_eq!(step.error.as_deref(), Some("AccessDeniedException"));
        assert_eq!(
            step.reason,
            "ScheduleKeyDeletion cannot be used on a KMS key in another account (the API's cross-account rule), so no policy was evaluated"
        );
        // The access matrix's trace of such a cell says the same.
        let opts = crate::matrix::MatrixOptions::default();
        let m = crate::matrix::access_matrix(&s, &opts).unwrap();
        let (p, k, o) = (0..m.principals.len())
            .flat_map(|p| (0..m.keys.len()).map(move |k| (p, k)))
            .flat_map(|(p, k)| (0..m.operations.len()).map(move |o| (p, k, o)))
            .find(|&(p, k, o)| {
                m.cell(p, k, o)
                    .is_some_and(|c| c.via == crate::matrix::Via::NotCrossAccount)
            })
            .unwrap();
        let cell = crate::matrix::trace_for(&s, &m, p, k, o).unwrap();
        assert_eq!(cell.decision, None);
        assert!(cell
            .reason
            .ends_with("(the API's cross-account rule), so no policy was evaluated"));
    }

    #[test]
    fn references() {
        let mut outs = Outputs::default();
        outs.values.insert(
            "k".to_string(),
            serde_json::json!({"AccessKey": {"AccessKeyId": "AKIA1"}, "List": [1, 2]}),
        );
        assert_eq!(
            resolve_refs("${k.AccessKey.AccessKeyId}", &outs).unwrap(),
            "AKIA1"
        );
        assert_eq!(resolve_refs("x-${k.List.1}-y", &outs).unwrap(), "x-2-y");
        assert_eq!(
            resolve_refs("${aws:username}", &outs).unwrap(),
            "${aws:username}"
        );
        assert!(resolve_refs("${missing.X}", &outs)
            .unwrap_err()
            .contains("`missing`"));
        assert!(resolve_refs("${k.Nope}", &outs)
            .unwrap_err()
            .contains("no field `Nope`"));
    }

    #[test]
    fn subset_matching() {
        let got = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}});
        assert!(subset(&serde_json::json!({"b": {"c": 2}}), &got));
        assert!(!subset(&serde_json::json!({"b": {"c": 3}}), &got));
        assert!(!subset(&serde_json::json!({"z": 1}), &got));
        let list = serde_json::json!([{"a": 1, "b": 2}, {"a": 3}]);
        assert!(subset(&serde_json::json!([{"a": 1}, {}]), &list));
        assert!(!subset(&serde_json::json!([{"a": 1}]), &list));
        assert!(!subset(&serde_json::json!([{"a": 3}, {"a": 1}]), &list));
    }
}
