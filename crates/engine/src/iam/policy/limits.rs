//! AWS's size limits on policy documents and KMS inputs, in one place so that scenario parsing,
//! the policy editors and the simulated APIs refuse the same documents AWS refuses.
//!
//! Sources: the IAM User Guide page "IAM and AWS STS quotas" (managed policy 6,144 characters,
//! inline policies per user 2,048, per role 10,240, per group 5,120, role trust policy 2,048,
//! session policy 2,048; IAM does not count white space); the AWS Organizations User Guide page
//! "Quotas and service limits for AWS Organizations" (SCP and RCP 5,120 characters); and the
//! AWS KMS Developer Guide page "Resource quotas" (`resource-limits.md`: key policy document
//! 32 KB, grants per KMS key 50,000, cited by `grants.md`) and the API reference of `Encrypt`
//! (plaintext up to 4,096 bytes) and "Encryption context" (at most 8,192 bytes).

use super::PolicyKind;
use crate::json::Json;

/// A customer managed policy: 6,144 characters, white space not counted.
pub const MANAGED_POLICY_CHARS: usize = 6_144;
/// All inline policies of one user together: 2,048 characters.
pub const USER_INLINE_CHARS: usize = 2_048;
/// All inline policies of one role together: 10,240 characters.
pub const ROLE_INLINE_CHARS: usize = 10_240;
/// All inline policies of one group together: 5,120 characters.
pub const GROUP_INLINE_CHARS: usize = 5_120;
/// A role's trust policy: 2,048 characters (the default quota).
pub const TRUST_POLICY_CHARS: usize = 2_048;
/// A session policy passed to `AssumeRole`: 2,048 characters.
pub const SESSION_POLICY_CHARS: usize = 2_048;
/// A service control policy: 5,120 characters.
pub const SCP_CHARS: usize = 5_120;
/// A resource control policy: 5,120 characters.
pub const RCP_CHARS: usize = 5_120;
/// A KMS key policy: 32 KB (32,768 bytes), white space included.
pub const KEY_POLICY_BYTES: usize = 32_768;
/// `Encrypt` plaintext: 4,096 bytes.
pub const PLAINTEXT_BYTES: usize = 4_096;
/// An encryption context: 8,192 bytes.
pub const ENCRYPTION_CONTEXT_BYTES: usize = 8_192;
/// Grants on one KMS key: 50,000.
pub const GRANTS_PER_KEY: usize = 50_000;

/// Which document a size limit applies to, with how AWS counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySlot {
    /// A customer managed policy.
    Managed,
    /// The inline policies of a user (together).
    UserInline,
    /// The inline policies of a role (together).
    RoleInline,
    /// The inline policies of a group (together).
    GroupInline,
    /// A role's trust policy.
    Trust,
    /// A session policy.
    Session,
    /// An organization policy of this kind (SCP or RCP).
    Organization(PolicyKind),
    /// A KMS key policy.
    KeyPolicy,
}

impl PolicySlot {
    /// The most AWS accepts, in [`PolicySlot::unit`]s.
    pub fn limit(self) -> usize {
        match self {
            PolicySlot::Managed => MANAGED_POLICY_CHARS,
            PolicySlot::UserInline => USER_INLINE_CHARS,
            PolicySlot::RoleInline => ROLE_INLINE_CHARS,
            PolicySlot::GroupInline => GROUP_INLINE_CHARS,
            PolicySlot::Trust => TRUST_POLICY_CHARS,
            PolicySlot::Session => SESSION_POLICY_CHARS,
            PolicySlot::Organization(PolicyKind::Rcp) => RCP_CHARS,
            PolicySlot::Organization(_) => SCP_CHARS,
            PolicySlot::KeyPolicy => KEY_POLICY_BYTES,
        }
    }

    /// What the limit counts.
    pub fn unit(self) -> &'static str {
        match self {
            PolicySlot::KeyPolicy => "bytes",
            _ => "characters without white space",
        }
    }

    /// The document's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            PolicySlot::Managed => "a managed policy",
            PolicySlot::UserInline => "a user's inline policies together",
            PolicySlot::RoleInline => "a role's inline policies together",
            PolicySlot::GroupInline => "a group's inline policies together",
            PolicySlot::Trust => "a trust policy",
            PolicySlot::Session => "a session policy",
            PolicySlot::Organization(PolicyKind::Rcp) => "a resource control policy",
            PolicySlot::Organization(_) => "a service control policy",
            PolicySlot::KeyPolicy => "a key policy",
        }
    }

    /// The size of `text` as AWS counts it for this slot.
    pub fn size_of_text(self, text: &str) -> usize {
        match self {
            PolicySlot::KeyPolicy => text.len(),
            _ => text.chars().filter(|c| !c.is_whitespace()).count(),
        }
    }

    /// The size of a document read from a scenario. The source text's layout belongs to the
    /// scenario, not to the policy, so the document is measured written compactly (no white
    /// space between tokens), as a user would paste it into the console at its smallest.
    pub fn size_of(self, doc: &Json) -> usize {
        self.size_of_text(&doc.to_serde().to_string())
    }

    /// The message when `size` is over the limit, or `None` when it fits.
    pub fn check(self, size: usize) -> Option<String> {
        (size > self.limit()).then(|| {
            format!(
                "{} is {size} {}; AWS accepts at most {}",
                self.name(),
                self.unit(),
                self.limit()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_policies_count_bytes_and_iam_policies_skip_white_space() {
        assert_eq!(PolicySlot::KeyPolicy.size_of_text("{ \"é\" }"), 8);
        assert_eq!(PolicySlot::Managed.size_of_text("{ \"é\" }"), 5);
        let doc = crate::json::parse("{\n  \"a\": [1, 2]\n}").unwrap();
        assert_eq!(PolicySlot::Managed.size_of(&doc), "{\"a\":[1,2]}".len());
    }

    #[test]
    fn limits_are_awss() {
        assert_eq!(PolicySlot::Managed.check(6_144), None);
        assert_eq!(
            PolicySlot::Managed.check(6_145).unwrap(),
            "a managed policy is 6145 characters without white space; AWS accepts at most 6144"
        );
        assert_eq!(PolicySlot::Organization(PolicyKind::Scp).limit(), 5_120);
        assert_eq!(PolicySlot::KeyPolicy.limit(), 32_768);
    }
}
