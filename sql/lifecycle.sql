-- The extension's life cycle: DROP EXTENSION removes its schema and tables,
-- CREATE EXTENSION refuses to reuse a schema someone else created, and a
-- session that used the API before keeps working after a re-create (its
-- saved plans and compiled policies follow the new tables).
\set VERBOSITY terse
SELECT key_id AS k FROM kms_create_key() \gset
SELECT length(kms_get_key_policy(:'k')) AS before_drop;
DROP EXTENSION kms_policy;
SELECT count(*) AS schemas_left FROM pg_namespace WHERE nspname = 'kms_policy';
CREATE SCHEMA kms_policy;
CREATE EXTENSION kms_policy;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA kms_policy;
CREATE EXTENSION kms_policy;
SELECT count(*) AS keys_after_recreate FROM kms_list_keys();
-- (the old key is gone; its random ID would make the message vary)
\set VERBOSITY sqlstate
SELECT kms_get_key_policy(:'k');
\set VERBOSITY terse
SELECT key_id AS k FROM kms_create_key() \gset
SELECT length(kms_get_key_policy(:'k')) AS after_recreate;
DELETE FROM kms_policy.keys;
