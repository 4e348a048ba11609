//! Amazon Resource Names and AWS's rules for matching them against patterns.
//!
//! An ARN is `arn:partition:service:region:account-id:resource`. When a policy's `Resource` or an
//! `Arn*` condition compares an ARN with a pattern, AWS compares the first five parts one by one
//! (a wildcard there does not cross a `:`), and the resource part as a whole (where `*` may span
//! `/` and `:`). A pattern that is not ARN-shaped (`*` alone, or any string for non-ARN
//! resources) is matched against the whole text.

use super::wildcard::{Pattern, Tok};
use std::fmt;

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct AccountId(String);

impl AccountId {
    /// Accepts exactly 12 ASCII digits.
    pub fn parse(s: &str) -> Option<AccountId> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| AccountId(s.to_string()))
    }

    /// `111122223333`, the account AWS's documentation uses, and the scenario default.
    pub fn example() -> AccountId {
        AccountId("111122223333".to_string())
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The account principal, `arn:PARTITION:iam::ACCOUNT:root`.
    pub fn root_arn(&self, partition: &str) -> String {
        format!("arn:{partition}:iam::{}:root", self.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed ARN. Fields borrow nothing: ARNs are small and live in traces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// `iam`, `kms`, `s3`, ...
    pub service: String,
    /// Empty for global services.
    pub region: String,
    /// Empty for S3 buckets.
    pub account: String,
    /// Everything after the fifth colon.
    pub resource: String,
}

impl Arn {
    /// Parses `arn:...` with at least six colon-separated parts. The resource part may contain
    /// further colons.
    pub fn parse(s: &str) -> Option<Arn> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?.to_string();
        let service = parts.next()?.to_string();
        let region = parts.next()?.to_string();
        let account = parts.next()?.to_string();
        let resource = parts.next()?.to_string();
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// A resource name prepared once per request for matching against many patterns.
#[derive(Debug, Clone)]
pub struct PreparedResource {
    raw: String,
    /// Characters and ARN fields, built on first use: patterns without wildcards never need them.
    split: std::cell::OnceCell<Split>,
}

/// A resource's characters, and its six ARN fields when it is an ARN.
type Split = (Vec<char>, Option<[Vec<char>; 6]>);

impl PreparedResource {
    /// Prepares `resource` for matching.
    pub fn new(resource: &str) -> Self {
        PreparedResource {
            raw: resource.to_string(),
            split: std::cell::OnceCell::new(),
        }
    }

    fn split(&self) -> &Split {
        self.split.get_or_init(|| {
            let fields = Arn::parse(&self.raw).map(|arn| {
                [
                    "arn".chars().collect(),
                    arn.partition.chars().collect(),
                    arn.service.chars().collect(),
                    arn.region.chars().collect(),
                    arn.account.chars().collect(),
                    arn.resource.chars().collect(),
                ]
            });
            (self.raw.chars().collect(), fields)
        })
    }
}

/// Matches a resource pattern against a resource name with AWS's ARN rules.
pub fn resource_matches(pattern: &Pattern, resource: &str) -> bool {
    resource_matches_prepared(pattern, &PreparedResource::new(resource))
}

/// [`resource_matches`] for a prepared resource.
pub fn resource_matches_prepared(pattern: &Pattern, resource: &PreparedResource) -> bool {
    if let Some(lit) = pattern.resource_literal() {
        // No wildcard: per-segment matching reduces to equality of the whole text, provided the
        // pattern is a well-formed ARN (or not ARN-like at all, decided when it was compiled); a
        // malformed `arn:` pattern falls through to the rules below, which refuse it, exactly
        // as with a wildcard.
        return lit == resource.raw;
    }
    let toks = pattern.toks();
    if toks == [Tok::Any] {
        return true;
    }
    let (chars, fields) = resource.split();
    match (pattern.arn_parts(), fields) {
        (Some(p), Some(fields)) => p
            .iter()
            .zip(fields.iter())
            .all(|(pt, field)| pt.matches_chars(field, false)),
        // An ARN-shaped pattern never matches a resource that is not an ARN.
        (Some(_), None) => false,
        // `arn:` with fewer than six parts is not a usable ARN pattern.
        (None, _)
            if toks.starts_with(&[Tok::Lit('a'), Tok::Lit('r'), Tok::Lit('n'), Tok::Lit(':')]) =>
        {
            false
        }
        (None, _) => pattern.matches_chars(chars, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_arns() {
        let a = Arn::parse("arn:aws:kms:us-east-1:111122223333:key/abc").unwrap();
        assert_eq!(a.account, "111122223333");
        assert_eq!(a.resource, "key/abc");
        let s3 = Arn::parse("arn:aws:s3:::bucket/a:b").unwrap();
        assert_eq!(s3.resource, "bucket/a:b");
        assert!(Arn::parse("arn:aws:kms").is_none());
        assert!(Arn::parse("not-an-arn").is_none());
        assert!(AccountId::parse("111122223333").is_some());
        assert!(AccountId::parse("11112222333").is_none());
    }

    #[test]
    fn segment_rules() {
        let m = |p: &str, r: &str| resource_matches(&Pattern::new(p), r);
        assert!(m("*", "arn:aws:kms:us-east-1:111122223333:key/abc"));
        assert!(m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:eu-west-1:111122223333:key/abc"
        ));
        // A wildcard in the region does not swallow the account.
        assert!(!m(
            "arn:aws:kms:*:key/abc",
            "arn:aws:kms:us-east-1:111122223333:key/abc"
        ));
        // In the resource part `*` crosses `/` and `:`.
        assert!(m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c"));
        assert!(m("arn:aws:s3:::*", "arn:aws:s3:::bucket/key"));
        assert!(!m("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key"));
        // Case-sensitive.
        assert!(!m("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        // Resource part with a wildcard across the whole rest.
        assert!(m(
            "arn:aws:kms:us-east-1:111122223333:*",
            "arn:aws:kms:us-east-1:111122223333:alias/x"
        ));
        assert!(!m("arn:aws:kms:us-east-1:111122223333:*", "plain"));
    }
}
