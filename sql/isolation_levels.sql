-- The API in every isolation level and in read-only transactions, in one
-- session (the concurrent cases are the isolation specs key_delete,
-- key_revocation, concurrent_put and create_key).  Calls read the latest
-- committed state plus the transaction's own writes; calls that write lock
-- the key row first, which a read-only transaction refuses (25006).
\set VERBOSITY terse
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
\set v1 '{"Id":"v1","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
\set v2 '{"Id":"v2","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'

-- Each level: a put, then the transaction's own policy is what it reads and
-- what its next calls are decided on; state changes see each other.
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT kms_put_key_policy(:'k', :'v1');
SELECT substr(kms_get_key_policy(:'k'), 1, 10) AS policy;
SELECT kms_disable_key(:'k');
SELECT key_state FROM kms_describe_key(:'k');
SELECT kms_enable_key(:'k');
COMMIT;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT kms_put_key_policy(:'k', :'v2');
SELECT substr(kms_get_key_policy(:'k'), 1, 10) AS policy;
SELECT kms_schedule_key_deletion(:'k', 7) IS NOT NULL AS scheduled;
SELECT key_state FROM kms_describe_key(:'k');
SELECT kms_cancel_key_deletion(:'k');
SELECT kms_authorize(:'k', 'arn:aws:iam::111122223333:root', 'kms:PutKeyPolicy');
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT kms_put_key_policy(:'k', :'v1');
SELECT substr(kms_get_key_policy(:'k'), 1, 10) AS policy;
SELECT kms_enable_key(:'k');
SELECT policy_names FROM kms_list_key_policies(:'k');
SELECT count(*) AS keys FROM kms_list_keys();
COMMIT;
-- A rolled-back put leaves the committed policy.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT kms_put_key_policy(:'k', :'v2');
ROLLBACK;
SELECT substr(kms_get_key_policy(:'k'), 1, 10) AS policy;

-- Read-only transactions: reads work, writes are PostgreSQL's read-only error.
BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE;
SELECT substr(kms_get_key_policy(:'k'), 1, 10) AS policy;
SELECT key_state FROM kms_describe_key(:'k');
SELECT kms_authorize(:'k', 'arn:aws:iam::111122223333:root', 'kms:Decrypt');
SELECT count(*) > 0 AS explained FROM kms_explain_authorization(:'k', 'arn:aws:iam::111122223333:root', 'kms:Decrypt');
COMMIT;
BEGIN READ ONLY;
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT kms_put_key_policy(:'k', :'v2');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT key_state FROM kms_describe_key(:'k');

DELETE FROM kms_policy.keys;
