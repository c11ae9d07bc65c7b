-- Every write path into kms_policy's tables: the predefined roles
-- pg_read_all_data and pg_write_all_data, DELETE of a key's policy, TRUNCATE,
-- and session_replication_role = replica.
\set VERBOSITY default
CREATE ROLE regress_kms_writer;
GRANT pg_write_all_data TO regress_kms_writer;
CREATE ROLE regress_kms_reader;
GRANT pg_read_all_data TO regress_kms_reader;
CREATE ROLE regress_kms_app;

-- k1 denies Alice kms:Decrypt; her identity policy allows it, so under the
-- default key policy (delegation to identity policies) she would be allowed.
\set k1 '1234abcd-12ab-34cd-56ef-1234567890ab'
\set k2 '0000aaaa-0000-4000-8000-000000000002'
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'k1', 'aws', 'us-east-1', '111122223333'),
       (:'k2', 'aws', 'us-east-1', '111122223333');
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice');
SELECT kms_map_role('regress_kms_app', 'arn:aws:iam::111122223333:user/Alice');
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'decrypt',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}');
SELECT kms_put_key_policy(:'k1', '{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"NoDecryptForAlice","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}]}');
SELECT kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt') AS alice_decrypt;
-- The state every refused write below must leave untouched.
CREATE TEMP VIEW regress_state AS
SELECT (SELECT string_agg(key_id || ':' || key_state, ',' ORDER BY key_id) FROM kms_policy.keys) AS keys,
       (SELECT string_agg(key_id || ':' || md5(policy), ',' ORDER BY key_id) FROM kms_policy.key_policies) AS policies,
       (SELECT string_agg(arn, ',' ORDER BY arn) FROM kms_policy.principals) AS principals,
       (SELECT string_agg(role::text || '=' || principal, ',' ORDER BY role::text) FROM kms_policy.role_principals) AS mappings,
       (SELECT string_agg(principal || '/' || policy_name, ',' ORDER BY principal) FROM kms_policy.identity_policies) AS identity_policies,
       (SELECT string_agg(key_id || '>' || principal, ',' ORDER BY key_id, principal) FROM kms_policy.key_policy_principals) AS refs;
CREATE TEMP TABLE regress_before AS SELECT * FROM regress_state;
ANALYZE kms_policy.keys, kms_policy.key_policies, kms_policy.principals,
    kms_policy.role_principals, kms_policy.identity_policies, kms_policy.key_policy_principals;

-- pg_read_all_data bypasses privileges, not row-level security: its members
-- see no row of any table, nor the planner's statistics of their columns.
SET ROLE regress_kms_reader;
SELECT (SELECT count(*) FROM kms_policy.keys) AS keys,
       (SELECT count(*) FROM kms_policy.key_policies) AS key_policies,
       (SELECT count(*) FROM kms_policy.principals) AS principals,
       (SELECT count(*) FROM kms_policy.role_principals) AS role_principals,
       (SELECT count(*) FROM kms_policy.identity_policies) AS identity_policies,
       (SELECT count(*) FROM kms_policy.key_policy_principals) AS key_policy_principals;
COPY kms_policy.key_policies TO stdout;
SELECT count(*) AS statistics_rows FROM pg_catalog.pg_stats WHERE schemaname = 'kms_policy';
RESET ROLE;

-- pg_write_all_data: every INSERT, UPDATE, DELETE and COPY on every table is
-- refused (writing data is not kms:PutKeyPolicy, nor administering identities).
SET ROLE regress_kms_writer;
INSERT INTO kms_policy.role_principals (role, role_name, principal)
VALUES ('regress_kms_writer', 'regress_kms_writer', 'arn:aws:iam::111122223333:root');
\echo :SQLSTATE
\set VERBOSITY terse
UPDATE kms_policy.role_principals SET principal = 'arn:aws:iam::111122223333:root';
\echo :SQLSTATE
DELETE FROM kms_policy.role_principals;
\echo :SQLSTATE
-- (COPY FROM is refused by row-level security itself.)
COPY kms_policy.role_principals (role, role_name, principal) FROM stdin;
regress_kms_writer	regress_kms_writer	arn:aws:iam::111122223333:root
\.
\echo :SQLSTATE
UPDATE kms_policy.key_policies SET policy = '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}';
\echo :SQLSTATE
DELETE FROM kms_policy.key_policies;
\echo :SQLSTATE
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES ('0000aaaa-0000-4000-8000-000000000002', '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}');
\echo :SQLSTATE
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('0000aaaa-0000-4000-8000-000000000003', 'aws', 'us-east-1', '111122223333');
\echo :SQLSTATE
UPDATE kms_policy.keys SET key_state = 'Disabled';
\echo :SQLSTATE
DELETE FROM kms_policy.keys;
\echo :SQLSTATE
INSERT INTO kms_policy.principals (arn, dialect, kind, account_id)
VALUES ('arn:aws:iam::111122223333:user/Mallory', 'aws', 'user', '111122223333');
\echo :SQLSTATE
UPDATE kms_policy.principals SET registered_at = '2020-01-01 00:00:00+00';
\echo :SQLSTATE
DELETE FROM kms_policy.principals;
\echo :SQLSTATE
INSERT INTO kms_policy.identity_policies (principal, policy_name, policy)
VALUES ('arn:aws:iam::111122223333:user/Alice', 'all', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :SQLSTATE
UPDATE kms_policy.identity_policies SET policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}';
\echo :SQLSTATE
DELETE FROM kms_policy.identity_policies;
\echo :SQLSTATE
DELETE FROM kms_policy.key_policy_principals;
\echo :SQLSTATE
INSERT INTO kms_policy.key_policy_principals (key_id, policy_name, principal)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'default', 'arn:aws:iam::111122223333:user/Alice');
\echo :SQLSTATE
-- TRUNCATE is not part of pg_write_all_data.
TRUNCATE kms_policy.key_policies;
\echo :SQLSTATE
\set VERBOSITY default
RESET ROLE;
SELECT s = b AS unchanged FROM regress_state s, regress_before b;

-- A role the owner granted table privileges to sees no row, and its writes
-- and TRUNCATE are refused all the same.
CREATE ROLE regress_kms_granted;
GRANT USAGE ON SCHEMA kms_policy TO regress_kms_granted;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON kms_policy.key_policies TO regress_kms_granted;
SET ROLE regress_kms_granted;
\set VERBOSITY terse
SELECT count(*) AS visible FROM kms_policy.key_policies;
UPDATE kms_policy.key_policies SET policy = policy;
\echo :SQLSTATE
TRUNCATE kms_policy.key_policies;
\echo :SQLSTATE
RESET ROLE;
-- BYPASSRLS (a superuser's grant) reads the rows; its writes stay refused.
ALTER ROLE regress_kms_writer BYPASSRLS;
GRANT pg_read_all_data TO regress_kms_writer;
SET ROLE regress_kms_writer;
SELECT count(*) AS visible FROM kms_policy.key_policies;
UPDATE kms_policy.key_policies SET policy = policy;
\echo :SQLSTATE
DELETE FROM kms_policy.key_policies;
\echo :SQLSTATE
\set VERBOSITY default
RESET ROLE;
SELECT s = b AS unchanged FROM regress_state s, regress_before b;

-- The table owner and superusers may write directly, but a key's policy is
-- never deleted or moved while the key exists: that would put the key under
-- the default key policy, turning Alice's ExplicitDeny into Allow.
DELETE FROM kms_policy.key_policies WHERE key_id = :'k1';
\echo :SQLSTATE
UPDATE kms_policy.key_policies SET key_id = :'k2' WHERE key_id = :'k1';
\echo :SQLSTATE
SELECT kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt') AS alice_decrypt;
-- Deleting the key deletes its policy with it.
SELECT kms_put_key_policy(:'k2', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
DELETE FROM kms_policy.keys WHERE key_id = :'k2';
SELECT key_id FROM kms_policy.key_policies ORDER BY 1;
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'k2', 'aws', 'us-east-1', '111122223333');
DELETE FROM regress_before;
INSERT INTO regress_before SELECT * FROM regress_state;

-- TRUNCATE skips row triggers: refused on every table, for everyone.
-- (Without CASCADE, PostgreSQL itself refuses key_policies: key_policy_principals
-- references it.)
TRUNCATE kms_policy.key_policy_principals;
\echo :SQLSTATE
\set VERBOSITY terse
TRUNCATE kms_policy.key_policies CASCADE;
\echo :SQLSTATE
TRUNCATE kms_policy.keys CASCADE;
\echo :SQLSTATE
TRUNCATE kms_policy.principals CASCADE;
\echo :SQLSTATE
TRUNCATE kms_policy.role_principals;
\echo :SQLSTATE
TRUNCATE kms_policy.identity_policies;
\echo :SQLSTATE
\set VERBOSITY default
SELECT s = b AS unchanged FROM regress_state s, regress_before b;

-- session_replication_role = replica (what a logical-replication apply
-- worker runs with) fires the triggers too: they are ENABLE ALWAYS.  Foreign
-- keys are not checked in this mode; the triggers check what they would.
SET session_replication_role = replica;
\set VERBOSITY terse
UPDATE kms_policy.key_policies SET policy = '{"a":1,"a":2}' WHERE key_id = :'k1';
\echo :SQLSTATE
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES ('00000000-0000-4000-8000-000000000000', '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}');
\echo :SQLSTATE
DELETE FROM kms_policy.key_policies WHERE key_id = :'k1';
\echo :SQLSTATE
DELETE FROM kms_policy.principals WHERE arn = 'arn:aws:iam::111122223333:user/Alice';
\echo :SQLSTATE
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('not-a-uuid', 'aws', 'us-east-1', '111122223333');
\echo :SQLSTATE
INSERT INTO kms_policy.role_principals (role, role_name, principal)
VALUES ('regress_kms_writer', 'regress_kms_writer', 'arn:aws:iam::111122223333:user/Nobody');
\echo :SQLSTATE
INSERT INTO kms_policy.identity_policies (principal, policy_name, policy)
VALUES ('arn:aws:iam::111122223333:user/Alice', 'bad', '{"Statement":{}}');
\echo :SQLSTATE
TRUNCATE kms_policy.key_policies CASCADE;
\echo :SQLSTATE
TRUNCATE kms_policy.key_policy_principals;
\echo :SQLSTATE
\set VERBOSITY default
SELECT s = b AS unchanged FROM regress_state s, regress_before b;
-- A key deleted in this mode still takes its policy with it.
SELECT kms_put_key_policy(:'k2', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
DELETE FROM kms_policy.keys WHERE key_id = :'k2';
SELECT key_id FROM kms_policy.key_policies ORDER BY 1;
RESET session_replication_role;
SELECT kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt') AS alice_decrypt;

-- Every table of the extension has row-level security on (and no policy),
-- the direct-write and TRUNCATE guards, and every trigger ENABLE ALWAYS.
SELECT c.relname
  FROM pg_class c WHERE c.relnamespace = 'kms_policy'::regnamespace AND c.relkind = 'r'
   AND (NOT c.relrowsecurity OR c.relforcerowsecurity
        OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
        OR NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid
                        WHERE t.tgrelid = c.oid AND f.proname = 'refuse_truncate'
                          AND t.tgtype = 32 + 2)
        OR NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid
                        WHERE t.tgrelid = c.oid AND f.proname = 'guard_direct_write'
                          AND t.tgtype = 4 + 8 + 16 + 2));
SELECT t.tgrelid::regclass AS tbl, t.tgname
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'kms_policy'::regnamespace AND NOT t.tgisinternal
   AND t.tgenabled <> 'A';
SELECT t.tgrelid::regclass AS tbl, t.tgname, f.proname
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc f ON f.oid = t.tgfoid
 WHERE c.relnamespace = 'kms_policy'::regnamespace AND NOT t.tgisinternal
 ORDER BY 1, 2;

-- Clean up.
SELECT kms_unmap_role('regress_kms_app');
DELETE FROM kms_policy.keys;
DELETE FROM kms_policy.identity_policies;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DROP VIEW regress_state;
DROP TABLE regress_before;
DROP OWNED BY regress_kms_granted;
DROP ROLE regress_kms_writer, regress_kms_reader, regress_kms_app, regress_kms_granted;
