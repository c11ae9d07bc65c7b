-- Every error path of the key-policy operations, with its SQLSTATE.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id, multi_region)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333', false),
       ('mrk-1234abcd12ab34cd56ef1234567890ab', 'aws', 'us-east-1', '111122223333', true);
SELECT kms_put_key_policy(k, '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}')
  FROM (VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab'), ('mrk-1234abcd12ab34cd56ef1234567890ab')) v(k);
\set policy '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'

-- ValidationException (KM007): NULL or out-of-range members.
SELECT kms_get_key_policy(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(repeat('a', 2049));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(NULL, :'policy');
\echo :LAST_ERROR_SQLSTATE
-- An optional member's NULL is its default (bypass: false): the put succeeds.
SELECT kms_put_key_policy(:'k', :'policy', 'default', NULL);
SELECT kms_put_key_policy(:'k', '');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k', '');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k', 'no-such');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k', repeat('x', 129));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 1001);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 10, '');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 10, repeat('m', 1025));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 10, E'tab\there');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k', 10, 'euro €');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_describe_key(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_create_key(dialect => 'gcp');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_create_key(description => repeat('d', 8193));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k', 6);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k', 31);
\echo :LAST_ERROR_SQLSTATE
-- characters outside U+0009, U+000A, U+000D, U+0020..U+00FF
SELECT kms_put_key_policy(:'k', '{"Statement":{"Sid":"€","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', E'{"Statement":\x01{}}');
\echo :LAST_ERROR_SQLSTATE
-- more than 131072 characters
SELECT kms_put_key_policy(:'k', '{"Id":"' || repeat('x', 131070) || '"}');
\echo :LAST_ERROR_SQLSTATE

-- NotFoundException (KM001): the policy name, then the key.
SELECT kms_get_key_policy(:'k', 'foo');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k', 'Default');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', :'policy', 'foo');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('fake-key-id');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('mrk-fake-key-id');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('134f2428cec14b25a1ae9048164dba47');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('alias/ExampleAlias');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('00000000-0000-4000-8000-000000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('mrk-00000000000000000000000000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
-- a key of another account does not exist for this endpoint
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies('arn:aws:kms:us-east-1:111122223333:key/not-a-key-id');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_describe_key('00000000-0000-4000-8000-000000000000');
\echo :LAST_ERROR_SQLSTATE
-- the same key ID in another region (the setting moves the endpoint)
SET kms_policy.region = 'eu-west-1';
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET kms_policy.region;

-- InvalidArnException (KM002): malformed key ARNs and alias ARNs.
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:111122223333:alias/ExampleAlias');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:111122223333');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:s3:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:123:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:nope:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws-cn:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy('arn:aws:kms:us-east-1:111122223333:foo/x');
\echo :LAST_ERROR_SQLSTATE

-- MalformedPolicyDocumentException (KM003): JSON syntax with the byte offset.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":Allow}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '["not an object"]');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', :'policy' || ' trailing');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE

-- LimitExceededException (KM004): more than 32768 characters, whitespace counted.
SELECT kms_put_key_policy(:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}' || repeat(' ', 32768));
\echo :LAST_ERROR_SQLSTATE
-- exactly 32768 characters is accepted
SELECT kms_put_key_policy(:'k', rpad(:'policy', 32768, ' '));
SELECT length(kms_get_key_policy(:'k'));
-- 32768 characters of which some are Latin-1 (two bytes each in UTF-8) is accepted too
SELECT kms_put_key_policy(:'k', rpad('{"Id":"' || repeat('é', 100) || '",' || substr(:'policy', 2), 32768, ' '));
SELECT length(kms_get_key_policy(:'k')) AS chars, octet_length(kms_get_key_policy(:'k')) AS utf8_bytes;

-- KMSInvalidStateException (KM005): state changes that the state forbids.
SELECT kms_schedule_key_deletion(:'k', 7) > now() AS scheduled;
SELECT kms_schedule_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_enable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_cancel_key_deletion(:'k');
SELECT kms_cancel_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE

-- A failed call changes nothing.
SELECT md5(policy) AS before FROM kms_policy.key_policies WHERE key_id = :'k' \gset
SELECT kms_put_key_policy(:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"","Resource":"*"}}');
SELECT md5(policy) = :'before' AS unchanged FROM kms_policy.key_policies WHERE key_id = :'k';
SELECT count(*) AS keys_before FROM kms_policy.keys \gset
SELECT kms_create_key('{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"","Resource":"*"}}');
SELECT count(*) = :keys_before AS no_key_created FROM kms_policy.keys;

DELETE FROM kms_policy.keys;
