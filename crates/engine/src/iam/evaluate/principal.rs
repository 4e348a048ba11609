//! Matching `Principal` and `NotPrincipal` against the caller, and how a statement named it.

use crate::iam::arn::{AccountId, Arn};
use crate::iam::context::{Principal, PrincipalKind};
use crate::iam::policy::{PrincipalBlock, PrincipalType};

/// How a resource-policy statement named the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// The account (`arn:aws:iam::ACCT:root` or the bare id): delegation to that account's IAM.
    Account,
    /// The role whose session is calling: limited by the session's boundary and policies.
    Role,
    /// `"*"`, the exact user/session ARN, or the service: a direct grant.
    Direct,
}

/// The account id in an account principal (`111122223333` or `arn:aws:iam::111122223333:root`).
pub fn account_of_entry(value: &str) -> Option<String> {
    if AccountId::parse(value).is_some() {
        return Some(value.to_string());
    }
    let arn = Arn::parse(value)?;
    (arn.service == "iam" && arn.resource == "root").then_some(arn.account)
}

/// Matches `Principal` / `NotPrincipal` against the caller.
pub fn match_principal(
    pb: &PrincipalBlock,
    caller: &Principal,
    partition: &str,
) -> (bool, Option<PrincipalMatch>, String) {
    let Some(entries) = &pb.entries else {
        return if pb.negated {
            (
                false,
                None,
                "`NotPrincipal: \"*\"` excludes everyone".into(),
            )
        } else {
            (
                true,
                Some(PrincipalMatch::Direct),
                "`Principal: \"*\"` matches everyone".into(),
            )
        };
    };
    if pb.negated {
        // The caller is excluded only when every identity in its chain is listed.
        let chain = caller.chain(partition);
        let listed = |id: &str| {
            entries.iter().any(|(_, v)| {
                v == id
                    || account_of_entry(v).is_some_and(|a| {
                        caller.account.as_ref().is_some_and(|c| c.as_str() == a)
                            && id == format!("arn:{partition}:iam::{a}:root")
                    })
            })
        };
        let unlisted: Vec<&String> = chain.iter().filter(|id| !listed(id)).collect();
        return if unlisted.is_empty() {
            (false, None, format!("`{}` is listed in `NotPrincipal` (with its account), so the statement does not apply", caller.arn))
        } else {
            (
                true,
                Some(PrincipalMatch::Direct),
                format!(
                    "`NotPrincipal` does not exclude the caller: `{}` is not listed",
                    unlisted
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("`, `")
                ),
            )
        };
    }
    let mut best: Option<(PrincipalMatch, &str)> = None;
    for (ty, v) in entries {
        let m = match ty {
            PrincipalType::Aws if v == "*" => Some(PrincipalMatch::Direct),
            PrincipalType::Aws => {
                if let Some(acct) = account_of_entry(v) {
                    caller
                        .account
                        .as_ref()
                        .filter(|a| {
                            a.as_str() == acct
                                && !matches!(caller.kind, PrincipalKind::Service { .. })
                        })
                        .map(|_| PrincipalMatch::Account)
                } else if *v == caller.arn {
                    Some(PrincipalMatch::Direct)
                } else {
                    match &caller.kind {
                        PrincipalKind::AssumedRole { role_arn, .. } if role_arn == v => {
                            Some(PrincipalMatch::Role)
                        }
                        _ => None,
                    }
                }
            }
            PrincipalType::Service => match &caller.kind {
                PrincipalKind::Service { name } if name == v => Some(PrincipalMatch::Direct),
                _ => None,
            },
            PrincipalType::Federated | PrincipalType::CanonicalUser => {
                (*v == caller.arn).then_some(PrincipalMatch::Direct)
            }
        };
        if let Some(m) = m {
            if best.is_none_or(|(b, _)| m > b) {
                best = Some((m, v.as_str()));
            }
        }
    }
    match best {
        Some((m, v)) => {
            let how = match m {
                PrincipalMatch::Account => "the caller's account",
                PrincipalMatch::Role => "the caller's role",
                PrincipalMatch::Direct => "the caller",
            };
            (true, Some(m), format!("`{v}` names {how}"))
        }
        None => (
            false,
            None,
            format!("`{}` is not named in `Principal`", caller.arn),
        ),
    }
}
