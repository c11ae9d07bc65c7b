-- The key policy history (issue 11): every change appends one version, with
-- its SHA-256, who made it and how; expected_version guards against lost
-- updates; the history is append-only for everyone.
\set VERBOSITY default
CREATE ROLE regress_hist_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_hist_app;
SELECT kms_register_principal('arn:aws:iam::111122223333:role/HistApp');
SELECT kms_map_role('regress_hist_app', 'arn:aws:iam::111122223333:role/HistApp');
\set k 'cafe0000-0000-4000-8000-00000000a011'
\set root_and_app '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/HistApp"},"Action":["kms:GetKeyPolicy","kms:PutKeyPolicy"],"Resource":"*"}]}'
\set only_root '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}'

-- A key created directly has no history until its policy is written.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'k', 'aws', 'us-east-1', '111122223333');
SELECT kms_key_policy_version(:'k') AS version_without_policy;

-- The superuser (unmapped: the account root) puts; then the mapped
-- application puts with the right expected version.
SELECT kms_put_key_policy(:'k', :'root_and_app');
SET ROLE regress_hist_app;
SELECT kms_key_policy_version(:'k') AS app_sees_version;
SELECT kms_put_key_policy(:'k', :'root_and_app', expected_version => 1);
-- A stale expected version: ConflictException, nothing changes.
SELECT kms_put_key_policy(:'k', replace(:'root_and_app', '"App"', '"Stale"'), expected_version => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_key_policy_version(:'k') AS still_version_2;
RESET ROLE;

-- A direct write by the superuser is a version too; an UPDATE that leaves
-- the document as it was is no change.
UPDATE kms_policy.key_policies SET policy = :'only_root' WHERE key_id = :'k';
UPDATE kms_policy.key_policies SET updated_at = now() WHERE key_id = :'k';
-- A refused put leaves no row (the application lost its grant with the
-- direct write); neither does a rolled-back put.
SET ROLE regress_hist_app;
SELECT kms_put_key_policy(:'k', :'only_root');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
BEGIN;
SELECT kms_put_key_policy(:'k', :'root_and_app');
ROLLBACK;

-- The history, newest first: versions without gaps, the digest of the
-- document, the principal and role, the operation, the lockout bypass.
SELECT version, sha256 = encode(sha256(convert_to(policy, 'UTF8')), 'hex') AS digest_ok,
       length(sha256) AS hex_len, principal, role, operation,
       bypass_policy_lockout_safety_check AS bypass
  FROM kms_key_policy_history(:'k');
SELECT policy = kms_get_key_policy(:'k') AS newest_is_stored
  FROM kms_key_policy_history(:'k') LIMIT 1;
SELECT kms_key_policy_version(:'k') AS version;

-- kms_create_key writes version 1 (the default policy, or the given one).
SELECT key_id AS k2 FROM kms_create_key(:'only_root') \gset
SELECT version, operation, role, bypass_policy_lockout_safety_check AS bypass,
       policy = :'only_root' AS given_policy
  FROM kms_key_policy_history(:'k2');

-- Reading history needs kms:GetKeyPolicy: the application may not read k2's
-- (k2's ID is random: the errors show their SQLSTATE only).
SET ROLE regress_hist_app;
\set VERBOSITY sqlstate
SELECT count(*) FROM kms_key_policy_history(:'k2');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_key_policy_version(:'k2');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
\set VERBOSITY terse

-- Append-only, for superusers too; TRUNCATE and direct inserts are refused.
UPDATE kms_policy.key_policy_history SET policy = 'x';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.key_policy_history;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE kms_policy.key_policy_history;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.key_policy_history
SELECT key_id, policy_name, version + 100, policy, sha256, changed_at, principal, role,
       operation, bypass_policy_lockout_safety_check
  FROM kms_policy.key_policy_history WHERE key_id = :'k' AND version = 1;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- A deleted key's history stays, readable to an administrator.
DELETE FROM kms_policy.keys WHERE key_id = :'k';
SELECT count(*) AS history_of_deleted_key FROM kms_key_policy_history(:'k');
SELECT count(*) AS by_arn FROM kms_key_policy_history('arn:aws:kms:us-east-1:111122223333:key/' || :'k');
SET ROLE regress_hist_app;
\set VERBOSITY terse
SELECT count(*) FROM kms_key_policy_history(:'k');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;

-- Clean up (a purge needs the guard disabled, deliberately, as the README says).
DELETE FROM kms_policy.keys;
ALTER TABLE kms_policy.key_policy_history DISABLE TRIGGER key_policy_history_guard;
DELETE FROM kms_policy.key_policy_history;
ALTER TABLE kms_policy.key_policy_history ENABLE ALWAYS TRIGGER key_policy_history_guard;
SELECT kms_unmap_role('regress_hist_app');
SELECT kms_deregister_principal('arn:aws:iam::111122223333:role/HistApp');
DROP OWNED BY regress_hist_app;
DROP ROLE regress_hist_app;
