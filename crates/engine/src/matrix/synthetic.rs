//! A synthetic organization of any size, with the kinds of policies real accounts have, for
//! measuring the matrix (the native and in-browser benchmarks use the same document).
//!
//! Two accounts in an organization (an SCP on the production OU denies key deletion to all
//! but admins); managed policies for key users (by matching `team` tags, a policy variable),
//! key administrators, read-only auditors and a deny of decryption outside the organization's
//! network; users and roles spread over teams and both accounts; keys whose policies are
//! AWS's default, the console's (administrators, users, grants for AWS resources), or one
//! that also lets the partner account use the key; a few disabled keys; grants, some with an
//! encryption-context constraint.

use serde_json::{json, Value};

const MAIN: &str = "111122223333";
const PARTNER: &str = "444455556666";

fn doc(statements: Value) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

fn key_id(i: usize) -> String {
    format!("{i:08x}-aaaa-4bbb-8ccc-dddddddddddd")
}

fn key_policy(i: usize) -> Value {
    let root = json!({ "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{MAIN}:root") }, "Action": "kms:*", "Resource": "*" });
    let admins = json!({ "Sid": "Allow access for Key Administrators", "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{MAIN}:role/admin-0") },
        "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                   "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                   "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                   "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"],
        "Resource": "*" });
    let users = json!({ "Sid": "Allow use of the key", "Effect": "Allow",
        "Principal": { "AWS": [format!("arn:aws:iam::{MAIN}:role/app-{}", i % 7),
                               format!("arn:aws:iam::{MAIN}:user/user-{}", i % 50)] },
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*" });
    let grants = json!({ "Sid": "Allow attachment of persistent resources", "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{MAIN}:role/app-{}", i % 7) },
        "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
        "Condition": { "Bool": { "kms:GrantIsForAWSResource": "true" } } });
    let partner = json!({ "Sid": "Allow the partner account", "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{PARTNER}:root") },
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
        "Condition": { "StringEquals": { "kms:CallerAccount": PARTNER } } });
    let deny_untagged = json!({ "Sid": "Deny use outside the team", "Effect": "Deny",
        "Principal": "*", "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*",
        "Condition": { "StringNotEqualsIfExists": { "aws:PrincipalTag/team": format!("team-{}", i % 5) },
                       "Null": { "aws:PrincipalTag/team": "false" } } });
    match i % 4 {
        0 => json!("default"),
        1 => doc(json!([root, admins, users, grants])),
        2 => doc(json!([root, admins, users, grants, partner])),
        _ => doc(json!([root, users, deny_untagged])),
    }
}

/// A scenario with `principals` rows (users and roles in two accounts, plus the two roots) and
/// `keys` keys: `principals x keys x operations` matrix cells.
pub fn scenario(principals: usize, keys: usize) -> String {
    let people = principals.saturating_sub(2);
    let roles = people / 4;
    let users = people - roles;
    let policies = json!([
        { "name": "KeyUser", "document": doc(json!([{ "Sid": "UseTeamKeys", "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": format!("arn:aws:kms:us-east-1:{MAIN}:key/*"),
            "Condition": { "StringEquals": { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }])) },
        { "name": "KeyAdmin", "document": doc(json!([{ "Sid": "Admin", "Effect": "Allow",
            "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                       "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                       "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                       "kms:CancelKeyDeletion"], "Resource": "*" }])) },
        { "name": "Auditor", "document": doc(json!([{ "Sid": "Read", "Effect": "Allow",
            "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*" }])) },
        { "name": "NoDecryptOffNetwork", "document": doc(json!([{ "Sid": "DenyOffNetwork", "Effect": "Deny",
            "Action": "kms:Decrypt", "Resource": "*",
            "Condition": { "NotIpAddressIfExists": { "aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"] },
                           "Bool": { "aws:ViaAWSService": "false" } } }])) },
        { "name": "KeyUser", "account": PARTNER, "document": doc(json!([{ "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
            "Resource": format!("arn:aws:kms:us-east-1:{MAIN}:key/*") }])) }
    ]);
    let attached = |i: usize| -> Value {
        match i % 6 {
            0 => json!(["KeyAdmin"]),
            1 => json!(["Auditor"]),
            2 => json!(["KeyUser", "NoDecryptOffNetwork"]),
            _ => json!(["KeyUser"]),
        }
    };
    let user_list: Vec<Value> = (0..users)
        .map(|i| {
            let partner = i % 10 == 1;
            json!({ "name": format!("user-{i}"), "account": if partner { PARTNER } else { MAIN },
                    "attached": if partner { json!(["KeyUser"]) } else { attached(i) },
                    "tags": { "team": format!("team-{}", i % 5) } })
        })
        .collect();
    let trust = doc(
        json!([{ "Effect": "Allow", "Principal": { "AWS": format!("arn:aws:iam::{MAIN}:root") },
        "Action": "sts:AssumeRole" }]),
    );
    let role_list: Vec<Value> = (0..roles)
        .map(|i| {
            let name = if i == 0 { "admin-0".to_string() } else { format!("app-{}", i - 1) };
            json!({ "name": name, "trust": trust, "attached": if i == 0 { json!(["KeyAdmin"]) } else { attached(i + 3) },
                    "tags": { "team": format!("team-{}", i % 5) } })
        })
        .collect();
    let key_list: Vec<Value> = (0..keys)
        .map(|i| {
            let mut k = json!({ "id": key_id(i), "policy": key_policy(i),
                "tags": { "team": format!("team-{}", i % 5), "env": if i % 3 == 0 { "prod" } else { "dev" } } });
            if let Value::Object(m) = &mut k {
                if i % 25 == 24 {
                    m.insert("state".into(), json!("Disabled"));
                }
                if i % 10 == 0 {
                    m.insert("aliases".into(), json!([format!("alias/key-{i}")]));
                }
            }
            k
        })
        .collect();
    let grant_list: Vec<Value> = (0..keys)
        .filter(|i| i % 2 == 0)
        .map(|i| {
            let mut g = json!({ "keyId": key_id(i), "grantee": format!("arn:aws:iam::{MAIN}:user/user-{}", (i * 7) % users.max(1)),
                "operations": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
                "issuingAccount": MAIN });
            if let (Value::Object(m), true) = (&mut g, i % 4 == 0) {
                m.insert("constraints".into(), json!({ "encryptionContextSubset": { "app": "billing" } }));
            }
            g
        })
        .collect();
    let scenario = json!({
        "kmslab": 1,
        "title": format!("Synthetic organization: {principals} principals, {keys} keys"),
        "defaults": { "account": MAIN, "region": "us-east-1", "time": "2026-11-22T12:00:00Z" },
        "organization": {
            "management": "999988887777",
            "id": "o-synthetic1",
            "accounts": { MAIN: { "name": "prod", "path": ["r-root", "ou-prod"] },
                          PARTNER: { "name": "partner", "path": ["r-root"] } },
            "scps": [
                { "id": "p-full", "targets": ["r-root", "ou-prod"], "document": doc(json!([{ "Effect": "Allow", "Action": "*", "Resource": "*" }])) },
                { "id": "p-no-deletion", "targets": ["ou-prod"], "document": doc(json!([{ "Effect": "Deny",
                    "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"], "Resource": "*",
                    "Condition": { "ArnNotLike": { "aws:PrincipalArn": format!("arn:aws:iam::{MAIN}:role/admin-*") } } }])) }
            ]
        },
        "iam": { "policies": policies, "users": user_list, "roles": role_list },
        "keys": key_list,
        "grants": grant_list,
        "steps": []
    });
    scenario.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_a_scenario_of_the_size_asked() {
        let s = crate::parse_scenario(&super::scenario(12, 9)).unwrap();
        assert_eq!(s.principal_arns().len(), 12);
        assert_eq!(s.keys.len(), 9);
    }
}
