-- The README demo: create a key, put a policy, get it back, see a refusal (run by tools/demo.sh).
\pset footer off
\set VERBOSITY default
\echo '== CREATE EXTENSION kms_policy'
CREATE EXTENSION kms_policy;
\echo '== kms_create_key(): a key with the default key policy'
SELECT key_id, arn, key_state FROM kms_create_key(description => 'demo key') \gset
\echo :arn
\echo '== kms_get_key_policy(key): the default policy, byte for byte as AWS returns it'
SELECT kms_get_key_policy(:'key_id') AS policy;
\echo '== kms_register_principal + kms_put_key_policy: allow ExampleUser to use the key'
SELECT kms_register_principal('arn:aws:iam::111122223333:user/ExampleUser');
SELECT kms_put_key_policy(:'key_id', $${
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kms:*",
        "Resource": "*"
    }, {
        "Sid": "Allow access for ExampleUser",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
        "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*"],
        "Resource": "*"
    }]
}$$);
\echo '== kms_get_key_policy(key): the new policy back'
SELECT kms_get_key_policy(:'key_id') AS policy;
\echo '== kms_list_key_policies(key)'
SELECT * FROM kms_list_key_policies(:'key_id');
\echo '== kms_key_access(key): who may do what under this policy'
SELECT principal, access, count(*) AS actions, string_agg(action, ' ' ORDER BY action) FILTER (WHERE access <> 'delegated') AS which
  FROM kms_key_access(:'key_id') GROUP BY principal, access ORDER BY principal;
\echo '== kms_authorize: may ExampleUser decrypt? may it change the policy?'
SELECT kms_authorize(:'key_id', 'arn:aws:iam::111122223333:user/ExampleUser', 'kms:Decrypt') AS decrypt,
       kms_authorize(:'key_id', 'arn:aws:iam::111122223333:user/ExampleUser', 'kms:PutKeyPolicy') AS put_key_policy;
\echo '== a refusal: a typo in a condition operator'
SELECT kms_put_key_policy(:'key_id', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"StringEqual":{"kms:CallerAccount":"111122223333"}}}]}');
\echo '== a refusal: a direct UPDATE by a superuser is held to the same rules'
UPDATE kms_policy.key_policies SET policy = '{"Statement": [{"Effect": "Allow"}]}' WHERE key_id = :'key_id';
\echo '== a refusal: a policy that would lock the caller out'
SELECT kms_put_key_policy(:'key_id', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ExampleUser"},"Action":"kms:Decrypt","Resource":"*"}]}');
\echo '== the policy is unchanged'
SELECT kms_get_key_policy(:'key_id') AS policy;
\echo '== its history: every change, none of the refused ones'
SELECT version, operation, role, principal, left(sha256, 16) AS sha256_prefix
  FROM kms_key_policy_history(:'key_id');
