-- Identity administration (principals, role mappings, identity policies) is
-- for superusers and members of kms_policy.administrator_role: EXECUTE on the
-- functions does not open it, and neither does the right to read and write
-- the tables (pg_read_all_data, pg_write_all_data).
\set VERBOSITY default
CREATE ROLE regress_id_app;
CREATE ROLE regress_id_admins NOLOGIN;
CREATE ROLE regress_id_alice IN ROLE regress_id_admins;
-- The common blanket grant, and the right to read and write every table.
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_id_app, regress_id_alice;
GRANT pg_read_all_data, pg_write_all_data TO regress_id_app, regress_id_alice;
SELECT kms_register_principal('arn:aws:iam::111122223333:role/App') AS app,
       kms_register_principal('arn:aws:iam::111122223333:user/Powerless') AS powerless;
SELECT kms_map_role('regress_id_app', 'arn:aws:iam::111122223333:role/App');
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:role/App', 'use',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}');
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
-- A key administered by its account's root only (Powerless may decrypt).
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Powerless"},"Action":"kms:Decrypt","Resource":"*"}]}');
SELECT key_id, policy_name, principal FROM kms_policy.key_policy_principals;

SET ROLE regress_id_app;
-- Every administration function refuses, before it writes anything.
SELECT kms_map_role('regress_id_app', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_map_role(CURRENT_USER::regrole, '111122223333');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_map_role((SELECT rolname FROM pg_roles WHERE oid = 10)::regrole, 'arn:aws:iam::111122223333:user/Powerless');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_unmap_role('regress_id_app');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Mallory');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Powerless');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:role/App', 'all',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_delete_identity_policy('arn:aws:iam::111122223333:role/App', 'use');
\echo :LAST_ERROR_SQLSTATE
-- Direct writes are refused the same way, by the tables' triggers.
\set VERBOSITY terse
INSERT INTO kms_policy.role_principals (role, role_name, principal)
VALUES ('regress_id_app', 'regress_id_app', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.role_principals SET principal = 'arn:aws:iam::111122223333:root';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.role_principals;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.principals (arn, dialect, kind, account_id)
VALUES ('arn:aws:iam::111122223333:user/Mallory', 'aws', 'user', '111122223333');
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.principals SET registered_at = registered_at;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.principals WHERE arn = 'arn:aws:iam::111122223333:user/Powerless';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.identity_policies (principal, policy_name, policy)
VALUES ('arn:aws:iam::111122223333:role/App', 'all', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.identity_policies SET policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.identity_policies;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.key_policy_principals;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- So the app is still itself, and the key refuses it.
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT role, role_name, principal, principal_ref FROM kms_policy.role_principals ORDER BY role_name;
SELECT principal, policy_name FROM kms_policy.identity_policies ORDER BY 1, 2;
SELECT arn FROM kms_policy.principals ORDER BY arn;
SELECT count(*) AS key_policy_principals FROM kms_policy.key_policy_principals;

-- A superuser names an administrator role: its members administer through
-- the API, and nobody else does.  Writing the tables directly needs the
-- tables' owner or a superuser (the direct-write guard): an administrator
-- with pg_write_all_data is refused, and row security hides the rows from it.
SET kms_policy.administrator_role = 'regress_id_admins';
SET ROLE regress_id_alice;
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice') AS alice;
SELECT kms_map_role('regress_id_app', 'arn:aws:iam::111122223333:user/Alice');
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'use',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}');
SELECT kms_delete_identity_policy('arn:aws:iam::111122223333:user/Alice', 'use') AS deleted;
UPDATE kms_policy.role_principals SET principal = 'arn:aws:iam::111122223333:role/App'
 WHERE role_name = 'regress_id_app';
SELECT role_name, principal FROM kms_policy.role_principals;
SELECT kms_unmap_role('regress_id_app') AS unmapped;
SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Alice') AS deregistered;
RESET ROLE;
SET ROLE regress_id_app;
SELECT kms_map_role('regress_id_app', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Only a superuser sets the administrator role.
SET ROLE regress_id_alice;
SET kms_policy.administrator_role = 'regress_id_app';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET kms_policy.administrator_role;

-- Mappings are bound to roles that exist, by OID and name.
-- kms_map_role refuses an OID that names no role.
SELECT kms_map_role('4000000000'::regrole, 'arn:aws:iam::111122223333:role/App');
\echo :LAST_ERROR_SQLSTATE
-- A dropped role's mapping does not pass to a new role of the same name (a
-- new OID) ...
CREATE ROLE regress_id_old_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_id_old_admin;
SELECT kms_map_role('regress_id_old_admin', 'arn:aws:iam::111122223333:root');
SELECT oid AS old_oid FROM pg_roles WHERE rolname = 'regress_id_old_admin' \gset
DROP OWNED BY regress_id_old_admin;
DROP ROLE regress_id_old_admin;
CREATE ROLE regress_id_old_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_id_old_admin;
SET ROLE regress_id_old_admin;
SELECT kms_describe_key(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- ... nor can a row be written for a role whose OID and name do not match.
\set VERBOSITY terse
INSERT INTO kms_policy.role_principals (role, role_name, principal)
VALUES ('regress_id_app', 'regress_id_old_admin', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.role_principals SET principal = 'arn:aws:iam::111122223333:role/App'
 WHERE role = :old_oid::oid::regrole;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- A renamed role is no longer mapped until it is mapped again.
SELECT kms_map_role('regress_id_app', 'arn:aws:iam::111122223333:role/App');
ALTER ROLE regress_id_app RENAME TO regress_id_app2;
SET ROLE regress_id_app2;
SELECT kms_describe_key(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
ALTER ROLE regress_id_app2 RENAME TO regress_id_app;
-- kms_unmap_role removes the mapping of a dropped role, by its OID.
SELECT count(*) AS orphans FROM kms_policy.role_principals r
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE oid = r.role);
SELECT kms_unmap_role(:old_oid::oid::regrole) AS unmapped_orphan;
SELECT count(*) AS orphans FROM kms_policy.role_principals r
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE oid = r.role);

-- Clean up.
SELECT kms_unmap_role('regress_id_app');
SELECT kms_delete_identity_policy('arn:aws:iam::111122223333:role/App', 'use');
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DELETE FROM kms_policy.keys;
DROP OWNED BY regress_id_app, regress_id_alice, regress_id_old_admin;
DROP ROLE regress_id_app, regress_id_alice, regress_id_admins, regress_id_old_admin;
