//! Reading a scenario's `lab` object, with located errors like the rest of the scenario.

use super::{
    Check, CheckKind, Lab, LabId, OnlyCheck, PolicyCheck, PolicyTarget, StepMatcher, Task, TaskId,
    Track,
};
use crate::json::{Json, JsonPath, JsonValue, Member};
use crate::scenario::{error_at, Node, ScenarioError, Step};
use std::collections::BTreeSet;

/// Reads one step in the scenario step format (the scenario parser's own reader, with the
/// scenario's defaults).
pub(crate) type StepReader<'r> = dyn Fn(Node<'_>, usize) -> Result<Step, ScenarioError> + 'r;

/// The finding codes `crate::lint` reports, so a typo in `noFindings` is an error instead of a
/// check that can never fail.
const FINDING_CODES: &[&str] = &[
    "allow-with-notaction",
    "allow-with-notprincipal",
    "forallvalues-without-null-guard",
    "kms-star-on-star",
    "missing-version",
    "multivalued-without-set-operator",
    "public-access",
    "set-operator-on-single-value",
    "unknown-condition-key",
    "unknown-operator",
    "wildcard-principal",
];

/// A caller put in an `only` step while it is read: the format requires a caller for a call,
/// and each probed principal replaces it.
const PLACEHOLDER_CALLER: &str = "arn:aws:iam::000000000000:root";

/// Parses the `lab` object at `n`.
pub(crate) fn parse_lab(n: Node<'_>, read_step: &StepReader<'_>) -> Result<Lab, ScenarioError> {
    let ms = n.object("`lab`", &["id", "track", "order", "summary", "tasks"])?;
    let id = required_string(ms, n, "id", "a lab")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(child(ms, n, "id").map_or_else(
            || n.err("bad id"),
            |c| {
                c.node().err(format!(
                    "lab id `{id}` must be lowercase letters, digits and `-`"
                ))
            },
        ));
    }
    let track = match required_string(ms, n, "track", "a lab")?.as_str() {
        "seeds" => Track::Seeds,
        "course" => Track::Course,
        other => {
            let message = format!("unknown track `{other}`: write `seeds` or `course`");
            return Err(match child(ms, n, "track") {
                Some(c) => c.node().err(message),
                None => n.err(message),
            });
        }
    };
    let order = match child(ms, n, "order") {
        Some(c) => u32::try_from(c.node().u64("`order`")?)
            .map_err(|_| c.node().err("`order` must be at most 4294967295"))?,
        None => return Err(n.err("a lab needs `order` (its position in its track)")),
    };
    let summary = required_string(ms, n, "summary", "a lab")?;
    let tasks_n = child(ms, n, "tasks").ok_or_else(|| n.err("a lab needs `tasks`"))?;
    let items = tasks_n.node().array("`tasks`")?;
    if items.is_empty() {
        return Err(tasks_n.node().err("a lab needs at least one task"));
    }
    let mut tasks = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, j) in items.iter().enumerate() {
        let p = tasks_n.path.index(i);
        let task = parse_task(Node { json: j, path: &p }, read_step)?;
        if !seen.insert(task.id.clone()) {
            return Err(error_at(
                &p.key("id"),
                j.pos,
                format!("duplicate task id `{}`", task.id),
            ));
        }
        tasks.push(task);
    }
    Ok(Lab {
        id: LabId(id),
        track,
        order,
        summary,
        tasks,
    })
}

fn parse_task(n: Node<'_>, read_step: &StepReader<'_>) -> Result<Task, ScenarioError> {
    let ms = n.object("a task", &["id", "title", "description", "hints", "checks"])?;
    let id = TaskId(required_string(ms, n, "id", "a task")?);
    let title = required_string(ms, n, "title", "a task")?;
    let description = required_string(ms, n, "description", "a task")?;
    let hints = match child(ms, n, "hints") {
        Some(h) => h.node().strings("a hint")?,
        None => Vec::new(),
    };
    let checks_n = child(ms, n, "checks")
        .ok_or_else(|| n.err(format!("task `{id}` needs `checks` (how it is verified)")))?;
    let items = checks_n.node().array("`checks`")?;
    if items.is_empty() {
        return Err(checks_n
            .node()
            .err(format!("task `{id}` needs at least one check")));
    }
    let checks = items
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let p = checks_n.path.index(i);
            parse_check(Node { json: j, path: &p }, read_step)
        })
        .collect::<Result<_, _>>()?;
    Ok(Task {
        id,
        title,
        description,
        hints,
        checks,
    })
}

fn parse_check(n: Node<'_>, read_step: &StepReader<'_>) -> Result<Check, ScenarioError> {
    const KINDS: &[&str] = &["steps", "only", "policy", "sequence", "expectations"];
    let ms = n.object(
        "a check",
        &[
            "description",
            "steps",
            "only",
            "policy",
            "sequence",
            "expectations",
        ],
    )?;
    let description = match child(ms, n, "description") {
        Some(d) => Some(d.node().string("`description`")?.to_string()),
        None => None,
    };
    let given: Vec<&Member> = ms
        .iter()
        .filter(|m| KINDS.contains(&m.key.as_str()))
        .collect();
    let m = match given.as_slice() {
        [m] => *m,
        [] => {
            return Err(
                n.err("a check needs one of `steps`, `only`, `policy`, `sequence` or `expectations`".to_string())
            )
        }
        [_, second, ..] => {
            return Err(error_at(
                &n.path.key(&second.key),
                second.key_pos,
                "a check gives one of `steps`, `only`, `policy`, `sequence` or `expectations`, not several",
            ))
        }
    };
    let p = n.path.key(&m.key);
    let c = Node {
        json: &m.value,
        path: &p,
    };
    let kind = match m.key.as_str() {
        "steps" => {
            let steps = read_steps(c, "`steps`", read_step)?;
            if !steps.iter().any(|s| s.expect.is_some()) {
                return Err(
                    c.err("a `steps` check needs a step with `expect` (otherwise it cannot fail)")
                );
            }
            CheckKind::Steps(steps)
        }
        "only" => CheckKind::Only(Box::new(parse_only(c, read_step)?)),
        "policy" => CheckKind::Policy(parse_policy(c)?),
        "expectations" => {
            // One spelling, so a lab reads the same everywhere and a typo is not a silent
            // "true".
            if c.string("`expectations`")? != "hold" {
                return Err(c.err("`expectations` must be \"hold\""));
            }
            CheckKind::Expectations
        }
        _ => CheckKind::Sequence(parse_sequence(c)?),
    };
    Ok(Check {
        description,
        kind,
        pos: n.json.pos,
    })
}

fn read_steps(
    n: Node<'_>,
    what: &str,
    read_step: &StepReader<'_>,
) -> Result<Vec<Step>, ScenarioError> {
    let items = n.array(what)?;
    if items.is_empty() {
        return Err(n.err(format!("{what} needs at least one step")));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, j)| {
            read_step(
                Node {
                    json: j,
                    path: &n.path.index(i),
                },
                i,
            )
        })
        .collect()
}

fn parse_only(n: Node<'_>, read_step: &StepReader<'_>) -> Result<OnlyCheck, ScenarioError> {
    let ms = n.object("`only`", &["principals", "setup", "step"])?;
    let principals = match child(ms, n, "principals") {
        Some(c) => c.node().strings("`principals`")?,
        None => return Err(n.err(
            "`only` needs `principals`: the users and roles that must be allowed (may be empty)",
        )),
    };
    let setup = match child(ms, n, "setup") {
        Some(c) => read_steps(c.node(), "`setup`", read_step)?,
        None => Vec::new(),
    };
    let step_n = child(ms, n, "step")
        .ok_or_else(|| n.err("`only` needs `step`: the call each principal makes"))?;
    let fields = step_n.node().object(
        "the `only` step",
        &[
            "id",
            "description",
            "call",
            "input",
            "resource",
            "context",
            "grantTokens",
        ],
    )?;
    if child(fields, step_n.node(), "call").is_none() {
        return Err(step_n.node().err("the `only` step needs `call`"));
    }
    // The step reader wants a caller for a call; each probed principal replaces this one.
    let mut with_caller: Vec<Member> = fields.to_vec();
    with_caller.push(Member {
        key: "caller".into(),
        key_pos: step_n.json.pos,
        value: Json {
            value: JsonValue::String(PLACEHOLDER_CALLER.into()),
            pos: step_n.json.pos,
        },
    });
    let json = Json {
        value: JsonValue::Object(with_caller),
        pos: step_n.json.pos,
    };
    let mut step = read_step(
        Node {
            json: &json,
            path: &step_n.path,
        },
        0,
    )?;
    step.caller = None;
    Ok(OnlyCheck {
        principals,
        setup,
        step,
    })
}

fn parse_policy(n: Node<'_>) -> Result<PolicyCheck, ScenarioError> {
    let ms = n.object(
        "`policy`",
        &[
            "key",
            "managedPolicy",
            "noFindings",
            "actionsWithin",
            "resourcesWithin",
        ],
    )?;
    let key = child(ms, n, "key")
        .map(|c| c.node().string("`key`").map(str::to_string))
        .transpose()?;
    let managed = child(ms, n, "managedPolicy")
        .map(|c| c.node().string("`managedPolicy`").map(str::to_string))
        .transpose()?;
    let target =
        match (key, managed) {
            (Some(k), None) => PolicyTarget::Key(k),
            (None, Some(m)) => PolicyTarget::Managed(m),
            _ => return Err(n.err(
                "a `policy` check names one document: `key` (a key id) or `managedPolicy` (a name)",
            )),
        };
    let no_findings = match child(ms, n, "noFindings") {
        Some(c) => {
            let codes = c.node().strings("`noFindings`")?;
            if let Some(bad) = codes.iter().find(|x| !FINDING_CODES.contains(&x.as_str())) {
                return Err(c.node().err(format!(
                    "`{bad}` is not a finding code; the codes are {}",
                    FINDING_CODES.join(", ")
                )));
            }
            codes
        }
        None => Vec::new(),
    };
    let list = |k: &str| {
        child(ms, n, k)
            .map(|c| c.node().strings(&format!("`{k}`")))
            .transpose()
    };
    let actions_within = list("actionsWithin")?;
    let resources_within = list("resourcesWithin")?;
    if no_findings.is_empty() && actions_within.is_none() && resources_within.is_none() {
        return Err(n.err(
            "a `policy` check needs an assertion: `noFindings`, `actionsWithin` or `resourcesWithin`",
        ));
    }
    Ok(PolicyCheck {
        target,
        no_findings,
        actions_within,
        resources_within,
    })
}

fn parse_sequence(n: Node<'_>) -> Result<Vec<StepMatcher>, ScenarioError> {
    let items = n.array("`sequence`")?;
    if items.is_empty() {
        return Err(n.err("`sequence` needs at least one entry"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let p = n.path.index(i);
            let e = Node { json: j, path: &p };
            let ms = e.object(
                "a `sequence` entry",
                &[
                    "description",
                    "call",
                    "input",
                    "output",
                    "caller",
                    "notAccessKeyId",
                ],
            )?;
            let opt = |k: &str| {
                child(ms, e, k)
                    .map(|c| c.node().string(&format!("`{k}`")).map(str::to_string))
                    .transpose()
            };
            let call = opt("call")?.ok_or_else(|| e.err("a `sequence` entry needs `call`"))?;
            let object = |k: &str| match child(ms, e, k) {
                Some(c) if c.json.as_object().is_some() => Ok(Some(c.json.to_serde())),
                Some(c) => Err(c.node().err(format!(
                    "`{k}` must be an object, found {}",
                    c.json.type_name()
                ))),
                None => Ok(None),
            };
            let input = object("input")?;
            let output = object("output")?;
            Ok(StepMatcher {
                description: opt("description")?,
                call,
                input,
                output,
                caller: opt("caller")?,
                not_access_key_id: opt("notAccessKeyId")?,
            })
        })
        .collect()
}

/// The member `k` of the object `n`, with its own path.
fn child<'a>(ms: &'a [Member], n: Node<'_>, k: &str) -> Option<Child<'a>> {
    ms.iter().find(|m| m.key == k).map(|m| Child {
        json: &m.value,
        path: n.path.key(k),
    })
}

/// A member's value and path (a [`Node`] borrows its path, so the path lives here).
struct Child<'a> {
    json: &'a Json,
    path: JsonPath,
}

impl Child<'_> {
    fn node(&self) -> Node<'_> {
        Node {
            json: self.json,
            path: &self.path,
        }
    }
}

fn required_string(
    ms: &[Member],
    n: Node<'_>,
    k: &str,
    what: &str,
) -> Result<String, ScenarioError> {
    match ms.iter().find(|m| m.key == k) {
        Some(m) => Node {
            json: &m.value,
            path: &n.path.key(k),
        }
        .string(&format!("`{k}`"))
        .map(str::to_string),
        None => Err(n.err(format!("{what} needs `{k}`"))),
    }
}
