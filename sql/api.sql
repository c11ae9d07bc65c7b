-- The key-policy operations over the key registry: the seeds' examples.
\set VERBOSITY default
SET kms_policy.region = 'us-west-2';

-- A key created without a policy gets AWS's default key policy, byte for byte.
SELECT key_id AS new_key, arn AS new_arn, key_state, description, multi_region, dialect,
       account_id, region
  FROM kms_create_key(description => 'regress key') \gset
SELECT :'new_key' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid_v4_key_id,
       :'new_arn' = 'arn:aws:kms:us-west-2:111122223333:key/' || :'new_key' AS arn_ok;
SELECT key_state, description, multi_region, dialect, account_id, region
  FROM kms_describe_key(:'new_key');
SELECT kms_get_key_policy(:'new_key') = E'{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}' AS default_policy_is_awss;
-- The same by key ARN, and with the policy name given or NULL.
SELECT kms_get_key_policy(:'new_arn', 'default') = kms_get_key_policy(:'new_key', NULL) AS same_by_arn;
SELECT kms_get_key_policy(:'new_key');
-- A multi-Region key: mrk- + 32 hex digits.
SELECT key_id ~ '^mrk-[0-9a-f]{32}$' AS mrk_id, multi_region
  FROM kms_create_key(multi_region => true);
-- kms_list_keys shows both.
SELECT count(*) AS keys, bool_and(region = 'us-west-2') AS all_here FROM kms_list_keys();
DELETE FROM kms_policy.keys;

-- The seeds' key: 1234abcd-12ab-34cd-56ef-1234567890ab in us-west-2.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id, description)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-west-2', '111122223333', 'seed key');
INSERT INTO kms_policy.key_policies (key_id, policy) VALUES
('1234abcd-12ab-34cd-56ef-1234567890ab', E'{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}');
SELECT kms_register_principal(p) FROM (VALUES
    ('arn:aws:iam::111122223333:user/ExampleUser'),
    ('arn:aws:iam::111122223333:user/ExampleAdminUser'),
    ('arn:aws:iam::111122223333:role/ExampleAdminRole'),
    ('arn:aws:iam::111122223333:role/ExamplePowerUserRole'),
    ('arn:aws:iam::111122223333:user/root')) v(p);

-- Seed 002, ListKeyPolicies (every SDK): {"PolicyNames": ["default"], "Truncated": false}
SELECT * FROM kms_list_key_policies('arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
SELECT * FROM kms_list_key_policies('1234abcd-12ab-34cd-56ef-1234567890ab', 1);
SELECT * FROM kms_list_key_policies('1234abcd-12ab-34cd-56ef-1234567890ab', 1000, 'a');
SELECT * FROM kms_list_key_policies('1234abcd-12ab-34cd-56ef-1234567890ab', "limit" => NULL, marker => 'default');

-- Seed 000/001, GetKeyPolicy example: the default policy, by key ID.
SELECT kms_get_key_policy(key_id => '1234abcd-12ab-34cd-56ef-1234567890ab', policy_name => 'default');

-- Seed 002, PutKeyPolicy (Java, C#, Python, Ruby): the ExampleUser policy.
-- It does not allow the caller (the account root) kms:PutKeyPolicy, so the
-- lockout safety check refuses it unless bypassed, as AWS does.
SELECT kms_put_key_policy('arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', $$
{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Allow access for ExampleUser",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
        "Action": [
            "kms:Encrypt",
            "kms:GenerateDataKey*",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:ReEncrypt*"
        ],
        "Resource": "*"
    }]
}$$, 'default');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy('arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', $$
{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Allow access for ExampleUser",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
        "Action": [
            "kms:Encrypt",
            "kms:GenerateDataKey*",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:ReEncrypt*"
        ],
        "Resource": "*"
    }]
}$$, 'default', bypass_policy_lockout_safety_check => true);
-- Stored byte for byte (read as the table owner: the root may no longer read it).
SELECT policy FROM kms_policy.key_policies;
SELECT kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
-- ExampleUser may now use the key, and nothing else.
SELECT kms_authorize('1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:iam::111122223333:user/ExampleUser', a) AS decision, a AS action
  FROM unnest(ARRAY['kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:PutKeyPolicy', 'kms:GetKeyPolicy']) a;

-- Seed 002 PHP: two statements with the same Sid; "user/root" is a user
-- named root, not the account, so the lockout check refuses it for the root.
-- (First a superuser restores the default policy by a direct, validated UPDATE.)
UPDATE kms_policy.key_policies
   SET policy = E'{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}';
SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', '{ 
        "Version": "2012-10-17", 
        "Id": "custom-policy-2016-12-07", 
        "Statement": [ 
            { "Sid": "Enable IAM User Permissions", 
            "Effect": "Allow", 
            "Principal": 
               { "AWS": "arn:aws:iam::111122223333:user/root" }, 
            "Action": [ "kms:*" ], 
            "Resource": "*" }, 
            { "Sid": "Enable IAM User Permissions", 
            "Effect": "Allow", 
            "Principal":
               { "AWS": "arn:aws:iam::111122223333:user/ExampleUser" }, 
            "Action": [
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:Decrypt*",
                "kms:DescribeKey*",
                "kms:ReEncrypt*"
            ], 
            "Resource": "*" }
        ]
    } ');
\echo :LAST_ERROR_SQLSTATE

-- Seed 002 Node.js: the same with the account root: accepted.
SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', '{
    "Version": "2012-10-17",
    "Id": "custom-policy-2016-12-07",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:user/ExampleUser"
            },
            "Action": [
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:Decrypt*",
                "kms:DescribeKey*",
                "kms:ReEncrypt*"
            ],
            "Resource": "*"
        } 
    ]
}');
SELECT md5(kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab')) = md5(policy) AS stored_verbatim
  FROM kms_policy.key_policies;

-- Seed 004, put_key_policy example: the four-statement policy (with a
-- trailing newline), then get it back.
SELECT kms_put_key_policy(
    key_id => '1234abcd-12ab-34cd-56ef-1234567890ab',
    policy => E'{\n    "Version": "2012-10-17",\n    "Id": "custom-policy-2016-12-07",\n    "Statement": [\n        {\n            "Sid": "Enable IAM User Permissions",\n            "Effect": "Allow",\n            "Principal": {\n                "AWS": "arn:aws:iam::111122223333:root"\n            },\n            "Action": "kms:*",\n            "Resource": "*"\n        },\n        {\n            "Sid": "Allow access for Key Administrators",\n            "Effect": "Allow",\n            "Principal": {\n                "AWS": [\n                    "arn:aws:iam::111122223333:user/ExampleAdminUser",\n                    "arn:aws:iam::111122223333:role/ExampleAdminRole"\n                ]\n            },\n            "Action": [\n                "kms:Create*",\n                "kms:Describe*",\n                "kms:Enable*",\n                "kms:List*",\n                "kms:Put*",\n                "kms:Update*",\n                "kms:Revoke*",\n                "kms:Disable*",\n                "kms:Get*",\n                "kms:Delete*",\n                "kms:ScheduleKeyDeletion",\n                "kms:CancelKeyDeletion"\n            ],\n            "Resource": "*"\n        },\n        {\n            "Sid": "Allow use of the key",\n            "Effect": "Allow",\n            "Principal": {\n                "AWS": "arn:aws:iam::111122223333:role/ExamplePowerUserRole"\n            },\n            "Action": [\n                "kms:Encrypt",\n                "kms:Decrypt",\n                "kms:ReEncrypt*",\n                "kms:GenerateDataKey*",\n                "kms:DescribeKey"\n            ],\n            "Resource": "*"\n        },\n        {\n            "Sid": "Allow attachment of persistent resources",\n            "Effect": "Allow",\n            "Principal": {\n                "AWS": "arn:aws:iam::111122223333:role/ExamplePowerUserRole"\n            },\n            "Action": [\n                "kms:CreateGrant",\n                "kms:ListGrants",\n                "kms:RevokeGrant"\n            ],\n            "Resource": "*",\n            "Condition": {\n                "Bool": {\n                    "kms:GrantIsForAWSResource": "true"\n                }\n            }\n        }\n    ]\n}\n',
    policy_name => 'default');
SELECT kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', 'default');
SELECT length(kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab')) AS chars,
       right(kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab'), 1) = E'\n' AS trailing_newline_kept;
-- The key administrators may read and change it; the power user may not.
SELECT p AS principal, kms_authorize('1234abcd-12ab-34cd-56ef-1234567890ab', p, 'kms:PutKeyPolicy') AS put,
       kms_authorize('1234abcd-12ab-34cd-56ef-1234567890ab', p, 'kms:Decrypt') AS decrypt
  FROM unnest(ARRAY['arn:aws:iam::111122223333:user/ExampleAdminUser',
                    'arn:aws:sts::111122223333:assumed-role/ExampleAdminRole/alice',
                    'arn:aws:iam::111122223333:role/ExamplePowerUserRole']) p;

-- Clean up.
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
RESET kms_policy.region;
