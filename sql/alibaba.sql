-- The Alibaba Cloud dialect: acs: ARNs, key- IDs, Version "1", RAM principals,
-- Alibaba's error codes.
\set VERBOSITY default
SELECT key_id AS ali_key, arn AS ali_arn, dialect, account_id, region, key_state
  FROM kms_create_key(dialect => 'alibaba', description => 'alibaba key') \gset
SELECT :'ali_key' ~ '^key-[a-z0-9]{24}$' AS alibaba_key_id,
       :'ali_arn' = 'acs:kms:cn-hangzhou:1192853035118460:key/' || :'ali_key' AS acs_arn;
-- The default policy in Alibaba's shape (seed 003).
SELECT kms_get_key_policy(:'ali_key');
SELECT kms_get_key_policy(:'ali_arn', 'default') = kms_get_key_policy(:'ali_key') AS same_by_arn;
SELECT * FROM kms_list_key_policies(:'ali_key');
DELETE FROM kms_policy.keys;

-- A fixed key for deterministic messages.
INSERT INTO kms_policy.keys (key_id, dialect, partition, region, account_id)
VALUES ('key-hzz630494463ejqjx0000', 'alibaba', '', 'cn-hangzhou', '1192853035118460');
\set k 'key-hzz630494463ejqjx0000'
-- Seed 003's policy (the masked account digits filled in): a cross-account
-- RAM principal must be registered first.
SELECT kms_register_principal('acs:ram::1903253031260000:root');
SELECT kms_put_key_policy(:'k', '{"Statement": [{"Action": ["kms:*"],"Effect": "Allow","Principal": {"RAM": ["acs:ram::1903253031260000:*","acs:ram::1192853035118460:*"]},"Resource": ["*"],"Sid": "kms default key policy"}],"Version": "1" }');
SELECT kms_get_key_policy('acs:kms:cn-hangzhou:1192853035118460:key/key-hzz630494463ejqjx0000');
-- RAM users and roles.
SELECT kms_register_principal('acs:ram::1192853035118460:user/for_test_policy'),
       kms_register_principal('acs:ram::1192853035118460:role/ops');
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Sid":"admins/ops+1=a.b@c-d","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]},{"Effect":"Allow","Principal":{"RAM":"acs:ram::1192853035118460:user/for_test_policy"},"Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"192.168.0.0/16"}}}]}');
-- Alibaba's grammar, refused with InvalidParameter (KA001).
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["ecs:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Sid":"bad#sid","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:group/g"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:user/nobody"]},"Action":["kms:*"],"Resource":["*"]}]}');
\echo :LAST_ERROR_SQLSTATE
-- Alibaba's limit is 32768 bytes of UTF-8: 16400 two-byte characters are
-- fewer than 32768 characters but more than 32768 bytes.
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"acs:SourceVpc":"' || repeat(E'\u00e9', 16400) || '"}}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"acs:SourceVpc":"' || repeat(E'\u00e9', 16000) || '"}}}]}');
-- Alibaba identifiers and their errors.
SELECT kms_get_key_policy(:'k', 'other');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('key-doesnotexist0000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('acs:kms:cn-shanghai:1192853035118460:key/key-hzz630494463ejqjx0000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('acs:kms:cn-hangzhou:1192853035118460:alias/my-alias');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('key-NOT_VALID');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 0);
\echo :LAST_ERROR_SQLSTATE
-- Key states under Alibaba's codes.
SELECT kms_schedule_key_deletion(:'k', 7) IS NOT NULL AS scheduled;
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k') IS NOT NULL AS readable_while_pending_deletion;
-- Both kinds of keys side by side.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
SELECT dialect, arn FROM kms_list_keys() ORDER BY dialect;
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
