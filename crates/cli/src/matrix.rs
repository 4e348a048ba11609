//! `kmslab matrix`: the access matrix of a scenario (who may do what with which key) on the
//! command line, as a readable summary, CSV (the app's export) or JSON, so a review or a CI job
//! can read it or keep it under version control and diff it.

use crate::{out, outln};
use kmslab_engine::crypto::asym::PairCache;
use kmslab_engine::iam::context::ContextValue;
use kmslab_engine::matrix::{
    access_matrix, AccessMatrix, Cell, MatrixFilter, MatrixOptions, Outcome, OutcomeFilter, Via,
};
use kmslab_engine::parse_scenario;
use kmslab_engine::scenario::{world_after_steps, RunOptions};
use std::collections::BTreeMap;
use std::process::ExitCode;

pub const USAGE: &str = "usage: kmslab matrix [OPTIONS] FILE

  --after-steps          the world the scenario's steps leave (default: before any step)
  --no-roots             leave the accounts' root users out of the rows
  --context KEY=VALUE    a context key every cell's request carries (repeat the option for
                         more keys; repeating a key makes it multi-valued)
  --encryption-context KEY=VALUE
                         a pair of the encryption context the operations that take one
                         (Encrypt, Decrypt, ReEncrypt, GenerateDataKey*) carry in every cell
                         (repeat the option for more pairs)
  --principal TEXT       keep principals whose ARN contains TEXT (case-insensitive)
  --key TEXT             keep keys whose id, ARN or an alias contains TEXT
  --operation TEXT       keep operations whose name contains TEXT
  --outcome WHICH        any (default), allowed, allowed-state-refuses, denied, explicit-deny,
                         implicit-deny
  --csv                  print the kept cells as CSV (RFC 4180), as the app exports them
  --json                 print the matrix as one JSON document

exit status: 0 the matrix was computed, 2 the file cannot be read, is not a valid scenario, or
the options are wrong";

/// What `kmslab matrix` was asked.
#[derive(Debug, Default)]
struct Opts {
    after_steps: bool,
    options: MatrixOptions,
    filter: MatrixFilter,
    /// Whether `--outcome` was given (the summary then lists implicit denies too).
    outcome_given: bool,
    format: Format,
    file: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
enum Format {
    #[default]
    Summary,
    Csv,
    Json,
}

fn outcome_filter(name: &str) -> Result<OutcomeFilter, String> {
    Ok(match name {
        "any" => OutcomeFilter::Any,
        "allowed" => OutcomeFilter::Allowed,
        "allowed-state-refuses" => OutcomeFilter::AllowedButStateRefuses,
        "denied" => OutcomeFilter::Denied,
        "explicit-deny" => OutcomeFilter::ExplicitDeny,
        "implicit-deny" => OutcomeFilter::ImplicitDeny,
        other => {
            return Err(format!(
                "`--outcome {other}`: write any, allowed, allowed-state-refuses, denied, explicit-deny or implicit-deny"
            ))
        }
    })
}

/// Adds `KEY=VALUE` to the context; a key given again becomes multi-valued (as the app's
/// request-context lines do).
fn add_context(ctx: &mut Vec<(String, ContextValue)>, pair: &str) -> Result<(), String> {
    let (k, v) = pair
        .split_once('=')
        .ok_or_else(|| format!("`--context {pair}`: write `--context KEY=VALUE`"))?;
    let (k, v) = (k.trim().to_string(), v.trim().to_string());
    if k.is_empty() {
        return Err(format!("`--context {pair}`: the key is empty"));
    }
    match ctx.iter_mut().find(|(ek, _)| *ek == k) {
        Some((_, ContextValue::Multi(vals))) => vals.push(v),
        Some((_, single)) => {
            let first = match single {
                ContextValue::Single(f) => std::mem::take(f),
                ContextValue::Multi(_) => String::new(),
            };
            *single = ContextValue::Multi(vec![first, v]);
        }
        None => ctx.push((k, ContextValue::Single(v))),
    }
    Ok(())
}

/// Adds `KEY=VALUE` to the encryption context (a key may be given once: an encryption context is
/// a map of strings).
fn add_encryption_context(ec: &mut BTreeMap<String, String>, pair: &str) -> Result<(), String> {
    let (k, v) = pair.split_once('=').ok_or_else(|| {
        format!("`--encryption-context {pair}`: write `--encryption-context KEY=VALUE`")
    })?;
    if k.is_empty() {
        return Err(format!("`--encryption-context {pair}`: the key is empty"));
    }
    if ec.insert(k.to_string(), v.to_string()).is_some() {
        return Err(format!(
            "`--encryption-context {pair}`: `{k}` is given twice (an encryption context has one value per key)"
        ));
    }
    Ok(())
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match a.as_str() {
            "--after-steps" => o.after_steps = true,
            "--no-roots" => o.options.include_roots = false,
            "--context" => add_context(&mut o.options.context, &value(a)?)?,
            "--encryption-context" => {
                add_encryption_context(&mut o.options.encryption_context, &value(a)?)?
            }
            "--principal" => o.filter.principal = value(a)?,
            "--key" => o.filter.key = value(a)?,
            "--operation" => o.filter.operation = value(a)?,
            "--outcome" => {
                o.filter.outcome = outcome_filter(&value(a)?)?;
                o.outcome_given = true;
            }
            "--csv" | "--json" if o.format != Format::Summary => {
                return Err("give one of `--csv` and `--json`".into())
            }
            "--csv" => o.format = Format::Csv,
            "--json" => o.format = Format::Json,
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option `{s}`")),
            f if o.file.is_some() => {
                return Err(format!(
                    "one scenario file at a time (`{f}` is a second one)"
                ))
            }
            f => o.file = Some(f.to_string()),
        }
    }
    if o.file.is_none() {
        return Err("no scenario file given".into());
    }
    Ok(o)
}

/// `kmslab matrix ...`.
pub fn main(args: &[String]) -> ExitCode {
    let opts = match parse_opts(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kmslab matrix: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let file = opts.file.clone().unwrap_or_default();
    let computed = super::read(&file).and_then(|src| {
        let s = parse_scenario(&src).map_err(|e| e.in_file(&file).to_string())?;
        let world = if opts.after_steps {
            let pairs = PairCache::default();
            world_after_steps(
                &s,
                RunOptions {
                    pairs: Some(&pairs),
                },
            )
            .map_err(|e| e.in_file(&file).to_string())?
        } else {
            s
        };
        access_matrix(&world, &opts.options).map_err(|e| format!("{file}: {e}"))
    });
    let m = match computed {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match opts.format {
        Format::Csv => out!("{}", m.to_csv(&opts.filter)),
        Format::Json => match serde_json::to_string_pretty(&to_json(&m, &opts, &file)) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("error: cannot serialize the matrix: {e}");
                return ExitCode::from(2);
            }
        },
        Format::Summary => out!("{}", summary(&m, &opts, &file)),
    }
    ExitCode::SUCCESS
}

fn world_name(opts: &Opts) -> &'static str {
    if opts.after_steps {
        "after the steps"
    } else {
        "before the steps"
    }
}

/// The kept cells as one JSON document, with what the matrix was computed for.
fn to_json(m: &AccessMatrix, opts: &Opts, file: &str) -> serde_json::Value {
    let cells: Vec<serde_json::Value> = m
        .kept_cells(&opts.filter)
        .map(|kc| {
            let c = kc.cell;
            serde_json::json!({
                "principal": kc.principal.arn,
                "keyId": kc.key.id,
                "keyArn": kc.key.arn,
                "operation": kc.operation,
                "outcome": c.outcome().as_str(),
                "decision": c.decision.as_str(),
                "via": c.via.as_str(),
                "stateException": c.state_error.map(|e| e.as_str()),
                "deciding": m.reason(&c),
            })
        })
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = m
        .counts()
        .iter()
        .map(|(o, n)| (o.as_str().to_string(), serde_json::json!(n)))
        .collect();
    serde_json::json!({
        "file": file,
        "world": if opts.after_steps { "afterSteps" } else { "beforeSteps" },
        "context": m
            .context
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!(v)))
            .collect::<serde_json::Map<String, serde_json::Value>>(),
        "encryptionContext": m.encryption_context,
        "principals": m.principals,
        "keys": m.keys,
        "operations": m.operations,
        "counts": counts,
        "cells": cells,
    })
}

/// One line per (outcome, what decided) group of a (principal, key) pair, with its operations.
fn summary(m: &AccessMatrix, opts: &Opts, file: &str) -> String {
    let mut out = format!(
        "{file}: {} x {} x {} = {} ({})\n",
        count(m.principals.len(), "principal"),
        count(m.keys.len(), "key"),
        count(m.operations.len(), "operation"),
        count(m.len(), "cell"),
        world_name(opts)
    );
    let counts: Vec<String> = m
        .counts()
        .iter()
        .map(|(o, n)| format!("{} {n}", o.as_str()))
        .collect();
    out.push_str(&format!("  {}\n", counts.join(", ")));
    if !m.context.is_empty() {
        let ctx: Vec<String> = m
            .context
            .iter()
            .map(|(k, v)| match v {
                ContextValue::Single(s) => format!("{k}={s}"),
                ContextValue::Multi(vs) => format!("{k}=[{}]", vs.join(", ")),
            })
            .collect();
        out.push_str(&format!("  every request carries {}\n", ctx.join(", ")));
    }
    if !m.encryption_context.is_empty() {
        let ec: Vec<String> = m
            .encryption_context
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!(
            "  the operations that take an encryption context carry {}\n",
            ec.join(", ")
        ));
    }
    // Implicit denies are most cells: the summary counts them per pair instead of listing
    // them, unless an outcome filter asks for them.
    let list_implicit = opts.outcome_given;
    let mut pairs = 0usize;
    let mut cells = m.kept_cells(&opts.filter).peekable();
    while let Some(first) = cells.peek().copied() {
        pairs += 1;
        let key = first.key;
        let aliases = if key.aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", key.aliases.join(", "))
        };
        out.push_str(&format!(
            "\n{} on key {}{aliases}\n",
            first.principal.arn, key.id
        ));
        // Groups in the order their first operation appears.
        let mut groups: Vec<(Cell, Vec<&str>)> = Vec::new();
        let mut implicit = 0usize;
        while let Some(kc) = cells.next_if(|kc| {
            std::ptr::eq(kc.principal, first.principal) && std::ptr::eq(kc.key, first.key)
        }) {
            let c = kc.cell;
            if c.outcome() == Outcome::ImplicitDeny && !list_implicit {
                implicit += 1;
                continue;
            }
            match groups.iter_mut().find(|(g, _)| same_group(g, &c)) {
                Some((_, ops)) => ops.push(kc.operation),
                None => groups.push((c, vec![kc.operation])),
            }
        }
        for (c, ops) in &groups {
            out.push_str(&format!(
                "  {:<23} {}",
                c.outcome().as_str(),
                ops.join(", ")
            ));
            let mut why = Vec::new();
            if c.via != Via::Nothing {
                why.push(format!("via {}", c.via.as_str()));
            }
            if let Some(e) = c.state_error {
                why.push(e.as_str().to_string());
            }
            let reason = m.reason(c);
            if !reason.is_empty() {
                why.push(reason.to_string());
            }
            if !why.is_empty() {
                out.push_str(&format!("  [{}]", why.join("; ")));
            }
            out.push('\n');
        }
        if implicit > 0 {
            out.push_str(&format!(
                "  {:<23} {} more\n",
                "ImplicitDeny",
                count(implicit, "operation")
            ));
        }
    }
    if pairs == 0 {
        out.push_str("\nno cell passes the filter\n");
    }
    out
}

/// `1 key`, `2 keys`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn same_group(a: &Cell, b: &Cell) -> bool {
    a.decision == b.decision
        && a.via == b.via
        && a.state_error == b.state_error
        && a.reason == b.reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_repeated_context_key_becomes_multi_valued() {
        let o = parse_opts(&args(&[
            "--context",
            "aws:SourceVpc=vpc-1",
            "--context",
            "aws:SourceVpc=vpc-2",
            "--context",
            "aws:SourceIp = 203.0.113.7",
            "f.json",
        ]))
        .unwrap();
        assert_eq!(
            o.options.context,
            vec![
                (
                    "aws:SourceVpc".to_string(),
                    ContextValue::Multi(vec!["vpc-1".into(), "vpc-2".into()])
                ),
                (
                    "aws:SourceIp".to_string(),
                    ContextValue::Single("203.0.113.7".into())
                ),
            ]
        );
    }

    #[test]
    fn wrong_options_are_named() {
        let e = |a: &[&str]| parse_opts(&args(a)).unwrap_err();
        assert_eq!(e(&["--outcome", "maybe", "f.json"]), "`--outcome maybe`: write any, allowed, allowed-state-refuses, denied, explicit-deny or implicit-deny");
        assert_eq!(
            e(&["--context", "novalue", "f.json"]),
            "`--context novalue`: write `--context KEY=VALUE`"
        );
        assert_eq!(
            e(&["--csv", "--json", "f.json"]),
            "give one of `--csv` and `--json`"
        );
        assert_eq!(
            e(&["a.json", "b.json"]),
            "one scenario file at a time (`b.json` is a second one)"
        );
        assert_eq!(e(&["--key"]), "`--key` needs a value");
        assert_eq!(e(&["--after-steps"]), "no scenario file given");
        assert_eq!(
            e(&["--frobnicate", "f.json"]),
            "unknown option `--frobnicate`"
        );
    }
}
