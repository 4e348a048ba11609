//! Reading a scenario document into the model, with located errors.

mod iam;
mod keystores;
mod kms;
pub mod limits;
mod refs;
mod step;

use super::model::*;
use super::read::{error_at, Node};
use super::ScenarioError;
use crate::iam::arn::{AccountId, Arn};
use crate::iam::policy::limits::PolicySlot;
use crate::iam::policy::{Policy, PolicyKind};
use crate::iam::wildcard::Pattern;
use crate::json::{self, Json, JsonPath};
use crate::time::{Duration, Instant};
use iam::parse_iam;
use kms::{parse_grant, parse_key};
use std::collections::BTreeMap;
use step::parse_step;

/// The default simulated time when `defaults.time` is absent.
pub const DEFAULT_TIME: &str = "2026-01-01T00:00:00Z";
/// The default seed when `seed` is absent.
pub const DEFAULT_SEED: u64 = 0x6b6d_736c_6162; // "kmslab"

/// Parses a scenario document.
pub fn parse_scenario(src: &str) -> Result<Scenario, ScenarioError> {
    limits::check_document_size(src)?;
    let doc = json::parse(src).map_err(|e| ScenarioError {
        file: None,
        path: "$".into(),
        pos: e.pos,
        message: e.message,
    })?;
    let census = limits::census(&doc)?;
    let root = JsonPath::root();
    let top = Node {
        json: &doc,
        path: &root,
    };
    let members = top.object(
        "a scenario",
        &[
            "kmslab",
            "title",
            "description",
            "defaults",
            "seed",
            "grantPropagation",
            "organization",
            "iam",
            "keyStores",
            "cloudHsmClusters",
            "resources",
            "keys",
            "grants",
            "steps",
            "lab",
        ],
    )?;
    let get = |k: &str| members.iter().find(|m| m.key == k);

    match get("kmslab") {
        Some(m) => {
            let p = root.key("kmslab");
            let v = Node {
                json: &m.value,
                path: &p,
            }
            .u64("`kmslab`")?;
            if v != 1 {
                return Err(error_at(
                    &p,
                    m.value.pos,
                    format!(
                        "unsupported scenario format version `{v}`: this kmslab reads version 1"
                    ),
                ));
            }
        }
        None => return Err(top.err("missing `\"kmslab\": 1` (the scenario format version)")),
    }
    let text = |k: &str| -> Result<Option<String>, ScenarioError> {
        get(k)
            .map(|m| {
                let p = root.key(k);
                Node {
                    json: &m.value,
                    path: &p,
                }
                .string(&format!("`{k}`"))
                .map(str::to_string)
            })
            .transpose()
    };
    let title = text("title")?;
    let description = text("description")?;

    let defaults = match get("defaults") {
        Some(m) => parse_defaults(Node {
            json: &m.value,
            path: &root.key("defaults"),
        })?,
        None => Defaults {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: default_account(),
            time: Instant::parse_iso(DEFAULT_TIME).unwrap_or(Instant(0)),
        },
    };
    let seed = match get("seed") {
        Some(m) => Node {
            json: &m.value,
            path: &root.key("seed"),
        }
        .u64("`seed`")?,
        None => DEFAULT_SEED,
    };
    let grant_propagation = match get("grantPropagation") {
        Some(m) => {
            let p = root.key("grantPropagation");
            let n = Node {
                json: &m.value,
                path: &p,
            };
            Duration::parse_iso(n.string("`grantPropagation`")?)
                .map_err(|e| n.err(e.to_string()))?
        }
        None => Duration::seconds(60),
    };
    let ctx = Ctx {
        defaults: &defaults,
    };
    let organization = get("organization")
        .map(|m| {
            parse_org(
                Node {
                    json: &m.value,
                    path: &root.key("organization"),
                },
                &ctx,
            )
        })
        .transpose()?;
    let iam = match get("iam") {
        Some(m) => parse_iam(
            Node {
                json: &m.value,
                path: &root.key("iam"),
            },
            &ctx,
        )?,
        None => Iam::default(),
    };
    let resources = match get("resources") {
        Some(m) => {
            let p = root.key("resources");
            let n = Node {
                json: &m.value,
                path: &p,
            };
            n.array("`resources`")?
                .iter()
                .enumerate()
                .map(|(i, j)| {
                    parse_resource(Node {
                        json: j,
                        path: &p.index(i),
                    })
                })
                .collect::<Result<_, _>>()?
        }
        None => Vec::new(),
    };
    let keys = match get("keys") {
        Some(m) => {
            let p = root.key("keys");
            let n = Node {
                json: &m.value,
                path: &p,
            };
            let items = n.array("`keys`")?;
            let keys = items
                .iter()
                .enumerate()
                .map(|(i, j)| {
                    parse_key(
                        Node {
                            json: j,
                            path: &p.index(i),
                        },
                        &ctx,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            check_unique_keys(&keys, items, &p)?;
            keys
        }
        None => Vec::new(),
    };
    let raw_list = |k: &str| -> Result<Vec<Json>, ScenarioError> {
        match get(k) {
            Some(m) => {
                let p = root.key(k);
                Ok(Node {
                    json: &m.value,
                    path: &p,
                }
                .array(&format!("`{k}`"))?
                .to_vec())
            }
            None => Ok(Vec::new()),
        }
    };
    let grants = match get("grants") {
        Some(m) => {
            let p = root.key("grants");
            let n = Node {
                json: &m.value,
                path: &p,
            };
            n.array("`grants`")?
                .iter()
                .enumerate()
                .map(|(i, j)| {
                    parse_grant(
                        Node {
                            json: j,
                            path: &p.index(i),
                        },
                        &keys,
                        &ctx,
                    )
                })
                .collect::<Result<_, _>>()?
        }
        None => Vec::new(),
    };
    let key_stores = raw_list("keyStores")?;
    let cluster_list = raw_list("cloudHsmClusters")?;
    let (stores, clusters) = keystores::parse_key_stores(
        &key_stores,
        &cluster_list,
        &root.key("keyStores"),
        &root.key("cloudHsmClusters"),
        &ctx,
        seed,
    )?;
    let steps_m =
        get("steps").ok_or_else(|| top.err("missing `steps` (an array, possibly empty)"))?;
    let sp = root.key("steps");
    let steps_n = Node {
        json: &steps_m.value,
        path: &sp,
    };
    let mut steps = Vec::new();
    let mut ids = BTreeMap::new();
    let step_items = steps_n.array("`steps`")?;
    limits::check_steps(step_items, &sp, steps_m.value.pos, &census)?;
    for (i, j) in step_items.iter().enumerate() {
        let step = parse_step(
            Node {
                json: j,
                path: &sp.index(i),
            },
            i,
            &ctx,
        )?;
        if let Some(id) = &step.id {
            if ids.insert(id.clone(), i).is_some() {
                return Err(error_at(
                    &sp.index(i).key("id"),
                    step.pos,
                    format!("duplicate step id `{id}`"),
                ));
            }
        }
        steps.push(step);
    }
    refs::check_step_references(&steps, &sp)?;
    let lab = get("lab")
        .map(|m| {
            let read_step = |n: Node<'_>, i: usize| parse_step(n, i, &ctx);
            crate::lab::parse_lab(
                Node {
                    json: &m.value,
                    path: &root.key("lab"),
                },
                &read_step,
            )
        })
        .transpose()?;
    let scenario = Scenario {
        title,
        description,
        defaults,
        seed,
        grant_propagation,
        organization,
        iam,
        resources,
        keys,
        grants,
        key_stores,
        stores,
        clusters,
        steps,
        lab,
    };
    super::world::check_references(&scenario)?;
    super::world::check_callers(&scenario)?;
    Ok(scenario)
}

/// Refuses two keys with the same ARN, and an alias name used twice in one account and Region
/// (aliases are unique there: AWS KMS Developer Guide, "Aliases in AWS KMS").
fn check_unique_keys(keys: &[KeyDef], items: &[Json], p: &JsonPath) -> Result<(), ScenarioError> {
    let mut ids = BTreeMap::new();
    let mut aliases = BTreeMap::new();
    for (i, (k, j)) in keys.iter().zip(items).enumerate() {
        let place = (k.account.as_str().to_string(), k.region.clone());
        if let Some(first) = ids.insert((place.clone(), k.id.clone()), i) {
            return Err(error_at(
                &p.index(i).key("id"),
                j.get("id").map_or(j.pos, |v| v.pos),
                format!(
                    "duplicate key id `{}` in account `{}` and Region `{}` (first at `keys[{first}]`)",
                    k.id, place.0, place.1
                ),
            ));
        }
        for a in &k.aliases {
            if let Some(first) = aliases.insert((place.clone(), a.clone()), i) {
                return Err(error_at(
                    &p.index(i).key("aliases"),
                    j.get("aliases").map_or(j.pos, |v| v.pos),
                    format!(
                        "alias `{a}` is already used by `keys[{first}]`: an alias names one key in its account and Region"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn default_account() -> AccountId {
    AccountId::example()
}

pub(super) struct Ctx<'a> {
    pub(super) defaults: &'a Defaults,
}

pub(super) fn account(n: Node<'_>, what: &str) -> Result<AccountId, ScenarioError> {
    let s = n.string(what)?;
    AccountId::parse(s).ok_or_else(|| n.err(format!("`{s}` is not an AWS account id (12 digits)")))
}

pub(super) fn field<'a>(members: &'a [json::Member], k: &str) -> Option<&'a json::Member> {
    members.iter().find(|m| m.key == k)
}

fn parse_defaults(n: Node<'_>) -> Result<Defaults, ScenarioError> {
    let ms = n.object("`defaults`", &["partition", "region", "account", "time"])?;
    let s = |k: &str, d: &str| -> Result<String, ScenarioError> {
        match field(ms, k) {
            Some(m) => Ok(Node {
                json: &m.value,
                path: &n.path.key(k),
            }
            .string(&format!("`{k}`"))?
            .to_string()),
            None => Ok(d.to_string()),
        }
    };
    let partition = s("partition", "aws")?;
    // The partitions of "AWS partitions" in the AWS General Reference.
    const PARTITIONS: [&str; 7] = [
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
    ];
    if !PARTITIONS.contains(&partition.as_str()) {
        return Err(error_at(
            &n.path.key("partition"),
            field(ms, "partition").map_or(n.json.pos, |m| m.value.pos),
            format!(
                "`{partition}` is not an AWS partition (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e` or `aws-iso-f`)"
            ),
        ));
    }
    let region = s("region", "us-east-1")?;
    let account = match field(ms, "account") {
        Some(m) => account(
            Node {
                json: &m.value,
                path: &n.path.key("account"),
            },
            "`account`",
        )?,
        None => default_account(),
    };
    let time = match field(ms, "time") {
        Some(m) => {
            let p = n.path.key("time");
            let tn = Node {
                json: &m.value,
                path: &p,
            };
            Instant::parse_iso(tn.string("`time`")?).map_err(|e| tn.err(e.to_string()))?
        }
        None => Instant::parse_iso(DEFAULT_TIME).unwrap_or(Instant(0)),
    };
    Ok(Defaults {
        partition,
        region,
        account,
        time,
    })
}

/// Parses a policy document found at `n` after checking it against AWS's size limit for
/// `slot`, as the API that would create it does.
pub(super) fn sized_policy(
    n: Node<'_>,
    kind: PolicyKind,
    slot: PolicySlot,
) -> Result<Policy, ScenarioError> {
    if let Some(message) = slot.check(slot.size_of(n.json)) {
        return Err(n.err(message));
    }
    policy(n, kind)
}

/// Parses a policy document found at `n`.
pub(super) fn policy(n: Node<'_>, kind: PolicyKind) -> Result<Policy, ScenarioError> {
    Policy::from_json(n.json, kind, n.path).map_err(|e| ScenarioError {
        file: None,
        path: e.path,
        pos: e.pos,
        message: e.message,
    })
}

fn parse_org(n: Node<'_>, ctx: &Ctx<'_>) -> Result<Organization, ScenarioError> {
    let ms = n.object(
        "`organization`",
        &["management", "id", "accounts", "scps", "rcps"],
    )?;
    let management = match field(ms, "management") {
        Some(m) => account(
            Node {
                json: &m.value,
                path: &n.path.key("management"),
            },
            "`management`",
        )?,
        None => return Err(n.err("`organization` needs `management` (the management account id)")),
    };
    let id = field(ms, "id")
        .map(|m| {
            Node {
                json: &m.value,
                path: &n.path.key("id"),
            }
            .string("`id`")
            .map(str::to_string)
        })
        .transpose()?;
    let mut accounts = BTreeMap::new();
    if let Some(m) = field(ms, "accounts") {
        let ap = n.path.key("accounts");
        let an = Node {
            json: &m.value,
            path: &ap,
        };
        let members = an
            .json
            .as_object()
            .ok_or_else(|| an.err("`accounts` must be an object keyed by account id"))?;
        for am in members {
            let p = ap.key(&am.key);
            let acct = AccountId::parse(&am.key).ok_or_else(|| {
                error_at(
                    &p,
                    am.key_pos,
                    format!("`{}` is not an AWS account id (12 digits)", am.key),
                )
            })?;
            let node = Node {
                json: &am.value,
                path: &p,
            };
            let fs = node.object("an organization account", &["name", "path"])?;
            let name = field(fs, "name")
                .map(|f| {
                    Node {
                        json: &f.value,
                        path: &p.key("name"),
                    }
                    .string("`name`")
                    .map(str::to_string)
                })
                .transpose()?;
            let path = match field(fs, "path") {
                Some(f) => Node {
                    json: &f.value,
                    path: &p.key("path"),
                }
                .strings("`path`")?,
                None => Vec::new(),
            };
            accounts.insert(acct, OrgAccount { name, path });
        }
    }
    let _ = ctx;
    let list = |k: &str, kind: PolicyKind| -> Result<Vec<OrgPolicy>, ScenarioError> {
        let Some(m) = field(ms, k) else {
            return Ok(Vec::new());
        };
        let p = n.path.key(k);
        let ln = Node {
            json: &m.value,
            path: &p,
        };
        ln.array(&format!("`{k}`"))?
            .iter()
            .enumerate()
            .map(|(i, j)| {
                let ip = p.index(i);
                let node = Node { json: j, path: &ip };
                let fs = node.object(
                    "an organization policy",
                    &["id", "name", "targets", "document"],
                )?;
                let id = match field(fs, "id").or_else(|| field(fs, "name")) {
                    Some(f) => Node {
                        json: &f.value,
                        path: &ip.key(&f.key),
                    }
                    .string("`id`")?
                    .to_string(),
                    None => return Err(node.err("an organization policy needs `id`")),
                };
                let targets = match field(fs, "targets") {
                    Some(f) => Node {
                        json: &f.value,
                        path: &ip.key("targets"),
                    }
                    .strings("`targets`")?,
                    None => {
                        return Err(node.err(format!(
                            "policy `{id}` needs `targets` (roots, OUs or account ids)"
                        )))
                    }
                };
                let document = match field(fs, "document") {
                    Some(f) => sized_policy(
                        Node {
                            json: &f.value,
                            path: &ip.key("document"),
                        },
                        kind,
                        PolicySlot::Organization(kind),
                    )?,
                    None => return Err(node.err(format!("policy `{id}` needs `document`"))),
                };
                Ok(OrgPolicy {
                    id,
                    targets,
                    document,
                })
            })
            .collect()
    };
    let scps = list("scps", PolicyKind::Scp)?;
    let rcps = list("rcps", PolicyKind::Rcp)?;
    Ok(Organization {
        management,
        id,
        accounts,
        scps,
        rcps,
    })
}

pub(super) fn opt_strings(
    ms: &[json::Member],
    n: Node<'_>,
    k: &str,
) -> Result<Vec<String>, ScenarioError> {
    match field(ms, k) {
        Some(m) => Node {
            json: &m.value,
            path: &n.path.key(k),
        }
        .strings(&format!("`{k}`")),
        None => Ok(Vec::new()),
    }
}

pub(super) fn opt_string(
    ms: &[json::Member],
    n: Node<'_>,
    k: &str,
) -> Result<Option<String>, ScenarioError> {
    field(ms, k)
        .map(|m| {
            Node {
                json: &m.value,
                path: &n.path.key(k),
            }
            .string(&format!("`{k}`"))
            .map(str::to_string)
        })
        .transpose()
}

pub(super) fn opt_map(
    ms: &[json::Member],
    n: Node<'_>,
    k: &str,
) -> Result<Vec<(String, String)>, ScenarioError> {
    match field(ms, k) {
        Some(m) => Node {
            json: &m.value,
            path: &n.path.key(k),
        }
        .string_map(&format!("`{k}`")),
        None => Ok(Vec::new()),
    }
}

pub(super) fn acct_or_default(
    ms: &[json::Member],
    n: Node<'_>,
    ctx: &Ctx<'_>,
) -> Result<AccountId, ScenarioError> {
    match field(ms, "account") {
        Some(m) => account(
            Node {
                json: &m.value,
                path: &n.path.key("account"),
            },
            "`account`",
        ),
        None => Ok(ctx.defaults.account.clone()),
    }
}

fn parse_resource(n: Node<'_>) -> Result<ResourceDef, ScenarioError> {
    let fs = n.object(
        "a resource",
        &["arn", "account", "covers", "policy", "tags"],
    )?;
    let arn = opt_string(fs, n, "arn")?.ok_or_else(|| n.err("a resource needs `arn`"))?;
    let parsed = Arn::parse(&arn).ok_or_else(|| {
        n.err(format!(
            "`{arn}` is not an ARN (`arn:partition:service:region:account:resource`)"
        ))
    })?;
    let account = match field(fs, "account") {
        Some(m) => Some(account(
            Node {
                json: &m.value,
                path: &n.path.key("account"),
            },
            "`account`",
        )?),
        None => AccountId::parse(&parsed.account),
    };
    let covers = match field(fs, "covers") {
        Some(m) => Node {
            json: &m.value,
            path: &n.path.key("covers"),
        }
        .strings("`covers`")?
        .iter()
        .map(|c| Pattern::new(c))
        .collect(),
        None => vec![Pattern::literal(&arn)],
    };
    let policy = match field(fs, "policy") {
        Some(m) => policy(
            Node {
                json: &m.value,
                path: &n.path.key("policy"),
            },
            PolicyKind::Resource,
        )?,
        None => return Err(n.err(format!("resource `{arn}` needs `policy`"))),
    };
    Ok(ResourceDef {
        arn,
        account,
        covers,
        policy,
        tags: opt_map(fs, n, "tags")?,
    })
}
