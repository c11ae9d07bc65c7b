-- Callers as PostgreSQL roles: mapping, enforcement, AccessDenied for every
-- operation, and no way around the checks for an unprivileged role.
\set VERBOSITY default
CREATE ROLE regress_kms_alice;
CREATE ROLE regress_kms_bob;
CREATE ROLE regress_kms_nobody;
CREATE ROLE regress_kms_admin;
GRANT EXECUTE ON FUNCTION kms_get_key_policy(text, text), kms_put_key_policy(text, text, text, boolean, bigint),
    kms_list_key_policies(text, integer, text), kms_describe_key(text), kms_list_keys(),
    kms_create_key(text, text, boolean, boolean, text), kms_disable_key(text), kms_enable_key(text),
    kms_schedule_key_deletion(text, integer), kms_cancel_key_deletion(text)
    TO regress_kms_alice, regress_kms_bob, regress_kms_nobody;
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice'),
       kms_register_principal('arn:aws:iam::111122223333:user/Bob');
SELECT kms_map_role('regress_kms_alice', 'arn:aws:iam::111122223333:user/Alice'),
       kms_map_role('regress_kms_bob', 'arn:aws:iam::111122223333:user/Bob');
SELECT role, principal FROM kms_policy.role_principals ORDER BY 1;
-- Alice administers the key; Bob may only describe it.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Bob"},"Action":"kms:DescribeKey","Resource":"*"}]}');

SET ROLE regress_kms_alice;
SELECT length(kms_get_key_policy(:'k')) > 0 AS alice_reads;
SELECT policy_names FROM kms_list_key_policies(:'k');
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Bob"},"Action":"kms:DescribeKey","Resource":"*"}]}');
-- The lockout check uses Alice's identity: a policy without her is refused.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
-- Alice is a user of the account: CreateKey and ListKeys need identity policies.
SELECT kms_create_key();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM kms_list_keys();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Alice', 'keys', '{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["kms:CreateKey","kms:ListKeys"],"Resource":"*"},
 {"Effect":"Deny","Action":"kms:CreateKey","Resource":"*","Condition":{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"true"}}}]}');
SET ROLE regress_kms_alice;
SELECT key_state, dialect FROM kms_create_key(description => 'by Alice');
SELECT count(*) AS keys FROM kms_list_keys();
-- Her identity policy denies bypassing the lockout check on CreateKey.
SELECT kms_create_key('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}',
                      bypass_policy_lockout_safety_check => true);
\echo :LAST_ERROR_SQLSTATE
-- The lockout check on create uses her identity too: a policy that only
-- delegates to the account is refused, as her identity policy does not allow
-- kms:PutKeyPolicy.
\set VERBOSITY terse
SELECT kms_create_key('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;
DELETE FROM kms_policy.keys WHERE description = 'by Alice';

CREATE SCHEMA regress_kms_evil AUTHORIZATION regress_kms_bob;
-- Bob logs in (session authorization, not just a role).
SET SESSION AUTHORIZATION regress_kms_bob;
SELECT key_state FROM kms_describe_key(:'k');
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_key_policies(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_enable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_cancel_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_list_keys();
\echo :LAST_ERROR_SQLSTATE
-- No way around it: the tables, the mapping, the registry, the settings.
SELECT * FROM kms_policy.key_policies;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.role_principals VALUES ('regress_kms_bob', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_map_role('regress_kms_bob', 'arn:aws:iam::111122223333:root');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Mallory');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Bob', 'p', '{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
SET kms_policy.account_id = '444455556666';
\echo :LAST_ERROR_SQLSTATE
SET kms_policy.check_principals = off;
\echo :LAST_ERROR_SQLSTATE
-- A search_path and temporary functions of one's own change nothing (the
-- functions pin theirs).
-- An "=" that is always true, in a schema of Bob's put before pg_catalog,
-- would make every key lookup match if the API's queries could see it.
CREATE FUNCTION regress_kms_evil.always_true(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_kms_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_kms_evil.always_true);
CREATE FUNCTION regress_kms_evil.superuser_arg(oid) RETURNS boolean LANGUAGE sql AS 'SELECT true';
SET search_path = regress_kms_evil, pg_temp, public, pg_catalog;
SELECT 'a'::text = 'b'::text AS evil_operator_works_here;
SELECT key_state FROM kms_describe_key(:'k');
SELECT key_state FROM kms_describe_key('00000000-0000-4000-8000-000000000000');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
-- SET ROLE to a role Bob is not a member of is refused by PostgreSQL itself.
SET ROLE regress_kms_alice;
\echo :LAST_ERROR_SQLSTATE
SELECT current_user;
RESET SESSION AUTHORIZATION;

-- A role with no mapping is refused.
SET ROLE regress_kms_nobody;
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Membership: SET ROLE to a mapped role acts as that role's principal.
GRANT regress_kms_alice TO regress_kms_nobody;
SET ROLE regress_kms_nobody;
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_kms_alice;
SELECT length(kms_get_key_policy(:'k')) > 0 AS as_alice;
RESET ROLE;

-- A SECURITY DEFINER wrapper calls as its owner, as PostgreSQL sees it.
CREATE FUNCTION public.regress_kms_wrapper(k text) RETURNS text
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
    AS 'SELECT public.kms_get_key_policy(k)';
ALTER FUNCTION public.regress_kms_wrapper(text) OWNER TO regress_kms_bob;
GRANT EXECUTE ON FUNCTION public.regress_kms_wrapper(text) TO regress_kms_alice;
SET ROLE regress_kms_alice;
SELECT public.regress_kms_wrapper(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP FUNCTION public.regress_kms_wrapper(text);

-- Unmapping.
SELECT kms_unmap_role('regress_kms_alice') AS unmapped, kms_unmap_role('regress_kms_alice') AS unmapped_again;
SET ROLE regress_kms_alice;
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Mapping needs a known principal.
SELECT kms_map_role('regress_kms_alice', 'arn:aws:iam::111122223333:user/Unknown');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_map_role('regress_kms_alice', 'not an arn');
\echo :LAST_ERROR_SQLSTATE

-- Clean up.
SELECT kms_unmap_role('regress_kms_bob');
DELETE FROM kms_policy.keys;
DELETE FROM kms_policy.identity_policies;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DROP SCHEMA regress_kms_evil CASCADE;
DROP OWNED BY regress_kms_alice, regress_kms_bob, regress_kms_nobody, regress_kms_admin;
DROP ROLE regress_kms_alice, regress_kms_bob, regress_kms_nobody, regress_kms_admin;
