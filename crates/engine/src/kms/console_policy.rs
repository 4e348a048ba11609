//! The default key policy the AWS KMS console writes (key-policy-default.md): the account
//! statement, the key administrators statement, and the key users statements, whose
//! "Allow use of the key" actions depend on the key's type. (CreateKey without a policy gets
//! only the account statement: [`crate::kms::ops::default_policy_text`].)

use crate::kms::model::Origin;
use crate::kms::spec::{KeySpec, KeyUsage};
use serde_json::{json, Value};

/// The actions of "Allow use of the key" for a key of this spec and usage
/// (key-policy-default.md, "Allows key users to use a KMS key for cryptographic operations").
pub fn key_user_actions(spec: KeySpec, usage: KeyUsage) -> &'static [&'static str] {
    match (spec, usage) {
        (KeySpec::Symmetric, _) => &[
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey",
        ],
        (KeySpec::Hmac(_), _) => &["kms:DescribeKey", "kms:GenerateMac", "kms:VerifyMac"],
        (KeySpec::Pair(_), KeyUsage::EncryptDecrypt) => &[
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:DescribeKey",
            "kms:GetPublicKey",
        ],
        (KeySpec::Pair(_), _) => &[
            "kms:DescribeKey",
            "kms:GetPublicKey",
            "kms:Sign",
            "kms:Verify",
        ],
    }
}

/// The key administrators' actions; a key without material also gets `kms:ImportKeyMaterial`
/// ("special-purpose keys").
pub fn key_admin_actions(origin: Origin) -> Vec<&'static str> {
    let mut a = vec![
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
    ];
    if origin == Origin::External {
        a.push("kms:ImportKeyMaterial");
    }
    a
}

fn principals(p: &[String]) -> Value {
    match p {
        [one] => json!(one),
        many => json!(many),
    }
}

/// The console's default key policy, as JSON text. `admins` and `users` are principal ARNs;
/// a statement whose list is empty is left out, as the console does.
pub fn console_key_policy_text(
    account: &str,
    partition: &str,
    admins: &[String],
    users: &[String],
    spec: KeySpec,
    usage: KeyUsage,
    origin: Origin,
) -> String {
    let mut statements = vec![json!({
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
        "Action": "kms:*",
        "Resource": "*"
    })];
    if !admins.is_empty() {
        statements.push(json!({
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {"AWS": principals(admins)},
            "Action": key_admin_actions(origin),
            "Resource": "*"
        }));
    }
    if !users.is_empty() {
        statements.push(json!({
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": {"AWS": principals(users)},
            "Action": key_user_actions(spec, usage),
            "Resource": "*"
        }));
        statements.push(json!({
            "Sid": "Allow attachment of persistent resources",
            "Effect": "Allow",
            "Principal": {"AWS": principals(users)},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
        }));
    }
    let doc =
        json!({"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": statements});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::asym::PairSpec;
    use crate::crypto::mac::MacAlgorithm;

    #[test]
    fn use_statement_differs_by_type() {
        let users = vec!["arn:aws:iam::111122223333:user/u".to_string()];
        let text = |spec, usage, origin| {
            console_key_policy_text("111122223333", "aws", &users, &users, spec, usage, origin)
        };
        let sym = text(KeySpec::Symmetric, KeyUsage::EncryptDecrypt, Origin::AwsKms);
        assert!(sym.contains("kms:GenerateDataKey*") && !sym.contains("kms:Sign"));
        assert!(!sym.contains("kms:ImportKeyMaterial"));
        let hmac = text(
            KeySpec::Hmac(MacAlgorithm::HmacSha256),
            KeyUsage::GenerateVerifyMac,
            Origin::AwsKms,
        );
        assert!(hmac.contains("kms:GenerateMac") && !hmac.contains("kms:Encrypt"));
        let sign = text(
            KeySpec::Pair(PairSpec::EccNistP256),
            KeyUsage::SignVerify,
            Origin::AwsKms,
        );
        assert!(sign.contains("kms:Sign") && sign.contains("kms:GetPublicKey"));
        let rsa = text(
            KeySpec::Pair(PairSpec::Rsa2048),
            KeyUsage::EncryptDecrypt,
            Origin::AwsKms,
        );
        assert!(rsa.contains("kms:GetPublicKey") && !rsa.contains("kms:GenerateDataKey"));
        let ext = text(
            KeySpec::Symmetric,
            KeyUsage::EncryptDecrypt,
            Origin::External,
        );
        assert!(ext.contains("kms:ImportKeyMaterial"));
        assert!(crate::kms::ops::parse_policy_text(&ext).is_ok());
    }
}
