-- Direct writes to the tables are held to the API's rules, superusers
-- included, with the API's SQLSTATEs.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
-- A good document is stored.
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES (:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
-- Bad documents are refused, on INSERT and UPDATE alike.
UPDATE kms_policy.key_policies SET policy = '{"Statement":{"Effect":"Allow"' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy = '{"a":1,"a":2}' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy = '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy = '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}' || repeat(' ', 32768) WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy = '{"Id":"€","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy = '' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy_name = 'other' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.key_policies SET policy_name = 'bad name' WHERE key_id = :'k';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES ('00000000-0000-4000-8000-000000000000', '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
COPY kms_policy.key_policies (key_id, policy_name, policy) FROM stdin;
1234abcd-12ab-34cd-56ef-1234567890ab	default	{"Statement":{"Effect":"Allow","Principal":"*","Action":"","Resource":"*"}}
\.
-- The table still holds the good document.
SELECT policy FROM kms_policy.key_policies;
-- Key rows are checked too.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('not-a-uuid', 'aws', 'us-east-1', '111122223333');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('00000000-0000-4000-8000-000000000000', 'aws-cn', 'us-east-1', '111122223333');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('00000000-0000-4000-8000-000000000000', 'aws', 'us-east-1', '1111');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.keys (key_id, partition, region, account_id, multi_region)
VALUES ('00000000-0000-4000-8000-000000000000', 'aws', 'us-east-1', '111122223333', true);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO kms_policy.keys (key_id, dialect, partition, region, account_id)
VALUES ('00000000-0000-4000-8000-000000000000', 'gcp', 'aws', 'us-east-1', '111122223333');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
UPDATE kms_policy.keys SET account_id = '444455556666';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.keys SET region = 'us-west-2';
\echo :LAST_ERROR_SQLSTATE
-- The trigger functions check how they are called.
SELECT kms_policy.key_policies_validate();
\echo :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE t (key_id text, policy_name text, policy text);
CREATE TRIGGER t_after AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION kms_policy.key_policies_validate();
INSERT INTO t VALUES (:'k', 'default', '{}');
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER t_stmt BEFORE DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.keys_validate();
DROP TRIGGER t_after ON t;
DELETE FROM t;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t_stmt ON t;
-- The statement guards and the AFTER DELETE trigger too.
CREATE TRIGGER t_guard BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION kms_policy.guard_direct_write();
INSERT INTO t VALUES (:'k', 'default', '{}');
\echo :SQLSTATE
DROP TRIGGER t_guard ON t;
CREATE TRIGGER t_guard BEFORE TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.guard_direct_write();
TRUNCATE t;
\echo :SQLSTATE
DROP TRIGGER t_guard ON t;
CREATE TRIGGER t_truncate BEFORE INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION kms_policy.refuse_truncate();
INSERT INTO t VALUES (:'k', 'default', '{}');
\echo :SQLSTATE
DROP TRIGGER t_truncate ON t;
CREATE TRIGGER t_deleted BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION kms_policy.keys_deleted();
INSERT INTO t VALUES (:'k', 'default', '{}');
DELETE FROM t;
\echo :SQLSTATE
DROP TABLE t;
DELETE FROM kms_policy.keys;
