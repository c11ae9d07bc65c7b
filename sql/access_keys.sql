-- Access keys of the KMS endpoint (issue 12): administered by identity
-- administrators only; kms_endpoint_authenticate checks a request's
-- Signature Version 4 inside the database and names the role to act as.
\set VERBOSITY default
CREATE ROLE regress_ak_app;
CREATE ROLE regress_ak_bound;
CREATE ROLE regress_ak_dropme;
CREATE ROLE regress_ak_endpoint;
CREATE ROLE regress_ak_admins NOLOGIN;
CREATE ROLE regress_ak_alice IN ROLE regress_ak_admins;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_ak_app, regress_ak_alice;
GRANT pg_read_all_data, pg_write_all_data TO regress_ak_app;
GRANT EXECUTE ON FUNCTION kms_endpoint_authenticate(text, text, text, text, text) TO regress_ak_endpoint;
GRANT regress_ak_bound TO regress_ak_endpoint;

-- EXECUTE on every function does not make an administrator: refused in C
-- before anything is written.
SET ROLE regress_ak_app;
SELECT * FROM kms_create_access_key('regress_ak_app');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT * FROM kms_list_access_keys();
\echo :LAST_ERROR_SQLSTATE
SELECT kms_delete_access_key('AKIAIOSFODNN7EXAMPLE');
\echo :LAST_ERROR_SQLSTATE
-- nor does the right to read and write every table
SELECT count(*) FROM kms_policy.access_keys;
INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name)
VALUES ('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'regress_ak_app', 'regress_ak_app');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS access_keys FROM kms_policy.access_keys;

-- An administrator creates a key: "AKIA" and 16 of [A-Z2-7]; a secret of 40
-- of [A-Za-z0-9/+], returned only here.
SET kms_policy.administrator_role = 'regress_ak_admins';
SET ROLE regress_ak_alice;
CREATE TEMP TABLE regress_created AS SELECT * FROM kms_create_access_key('regress_ak_bound');
SELECT access_key_id ~ '^AKIA[A-Z2-7]{16}$' AS id_well_formed,
       secret_access_key ~ '^[A-Za-z0-9/+]{40}$' AS secret_well_formed
  FROM regress_created;
-- The list never shows the secret.
SELECT l.access_key_id = c.access_key_id AS same_id, l.role, l.created_at <= now() AS created
  FROM kms_list_access_keys() l, regress_created c;
SELECT array_agg(a ORDER BY n) AS list_columns
  FROM pg_proc p, unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS u(a, m, n)
 WHERE p.proname = 'kms_list_access_keys' AND m = 't';
-- Two keys differ.
SELECT a.access_key_id <> b.access_key_id AS ids_differ,
       a.secret_access_key <> b.secret_access_key AS secrets_differ
  FROM regress_created a, kms_create_access_key('regress_ak_bound') b;
RESET ROLE;
SELECT k.secret = c.secret_access_key AS stored_secret_returned, k.role, k.role_name
  FROM kms_policy.access_keys k JOIN regress_created c USING (access_key_id);
-- The role must exist.
SELECT * FROM kms_create_access_key(4294967000::oid::regrole);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kms_create_access_key(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_delete_access_key(access_key_id) AS deleted FROM kms_policy.access_keys ORDER BY 1;
SELECT kms_delete_access_key('AKIANOSUCHKEY2345678') AS deleted;

-- Direct writes (as a superuser) are checked by the row trigger: the role
-- must exist under its name, the identifier and secret be well formed.
INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name)
VALUES ('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'regress_ak_bound', 'regress_ak_other');
INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name)
VALUES ('akia-bad', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'regress_ak_bound', 'regress_ak_bound');
INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name)
VALUES ('AKIAIOSFODNN7EXAMPLE', 'short', 'regress_ak_bound', 'regress_ak_bound');
-- AWS's documented example credentials, with a signature computed outside
-- the database (Python's hmac and hashlib) for service kms:
--   date 20150830T123600Z, region us-east-1, canonical request hash
--   5cebd18863d7dcf1ac8698cab93b34b27bc19fac9639b97268392b8decf5292f
INSERT INTO kms_policy.access_keys (access_key_id, secret, role, role_name)
VALUES ('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'regress_ak_bound', 'regress_ak_bound'),
       ('AKIAIOSFODNN7EXAMPL2', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'regress_ak_dropme', 'regress_ak_dropme');
\set sts 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/kms/aws4_request\n5cebd18863d7dcf1ac8698cab93b34b27bc19fac9639b97268392b8decf5292f'
\set sig '60dca1fda67a8bdf7b1fb8cb3a9ceed35553e53af5191808f5025fc415233238'

-- The fixed vector is old: only a superuser may turn the date check off.
SET ROLE regress_ak_endpoint;
SET kms_policy.endpoint_max_clock_skew = 0;
RESET ROLE;
SET kms_policy.endpoint_max_clock_skew = 0;
SET ROLE regress_ak_endpoint;
-- The endpoint's role: EXECUTE on kms_endpoint_authenticate alone.
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts', :'sig') AS role;
SET ROLE regress_ak_bound;
SELECT current_user;
SET ROLE regress_ak_endpoint;
-- a wrong signature; the right one in capitals
\set VERBOSITY default
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts',
  '60dca1fda67a8bdf7b1fb8cb3a9ceed35553e53af5191808f5025fc415233239');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts', upper(:'sig'));
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts', '');
-- the same signature for another string to sign
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  replace(E:'sts', '5cebd', '5cebe'), :'sig');
-- an unknown access key
\set VERBOSITY default
SELECT kms_endpoint_authenticate('AKIANOSUCHKEY2345678', '20150830T123600Z', 'us-east-1', E:'sts', :'sig');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT kms_endpoint_authenticate(NULL, '20150830T123600Z', 'us-east-1', E:'sts', :'sig');
-- malformed strings to sign
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts' || E'\n', :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  replace(E:'sts', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  replace(E:'sts', '5cebd18863', '5CEBD18863'), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  replace(E:'sts', '/kms/', '/iam/'), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  replace(E:'sts', E'\n20150830/', E'\n20150831/'), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1',
  split_part(E:'sts', E'\n', 1) || E'\n' || split_part(E:'sts', E'\n', 2) || E'\n' || split_part(E:'sts', E'\n', 3), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', NULL, :'sig');
-- the request's region is not the string to sign's
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'eu-west-1', E:'sts', :'sig');
-- malformed dates
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '2015-08-30T12:36:00Z', 'us-east-1', E:'sts', :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150230T123600Z', 'us-east-1',
  replace(E:'sts', '20150830', '20150230'), :'sig');
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600', 'us-east-1', E:'sts', :'sig');
-- The endpoint's role administers nothing and reads no table.
SELECT * FROM kms_list_access_keys();
SELECT count(*) FROM kms_policy.access_keys;
RESET ROLE;

-- With the default 15 minutes, the fixed vector's date is expired, a date an
-- hour ahead is not yet current, and a date of now is checked further.
RESET kms_policy.endpoint_max_clock_skew;
SHOW kms_policy.endpoint_max_clock_skew;
CREATE FUNCTION pg_temp.try_authenticate(d text, sts text, sig text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', d, 'us-east-1', sts, sig);
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[0-9]{8}T[0-9]{6}Z', 'YYYYMMDDTHHMMSSZ', 'g');
END $$;
SELECT pg_temp.try_authenticate('20150830T123600Z', E:'sts', :'sig') AS expired;
SELECT pg_temp.try_authenticate(d, 'AWS4-HMAC-SHA256' || E'\n' || d || E'\n' || left(d, 8) || '/us-east-1/kms/aws4_request' || E'\n' || repeat('0', 64), :'sig') AS ahead
  FROM to_char(now() AT TIME ZONE 'UTC' + interval '1 hour', 'YYYYMMDD"T"HH24MISS"Z"') AS d;
SELECT pg_temp.try_authenticate(d, 'AWS4-HMAC-SHA256' || E'\n' || d || E'\n' || left(d, 8) || '/us-east-1/kms/aws4_request' || E'\n' || repeat('0', 64), :'sig') AS now
  FROM to_char(now() AT TIME ZONE 'UTC' - interval '10 minutes', 'YYYYMMDD"T"HH24MISS"Z"') AS d;
SET kms_policy.endpoint_max_clock_skew = 0;

-- A deleted key is unknown at once.
SELECT kms_delete_access_key('AKIAIOSFODNN7EXAMPLE') AS deleted;
SELECT kms_delete_access_key('AKIAIOSFODNN7EXAMPLE') AS deleted_again;
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPLE', '20150830T123600Z', 'us-east-1', E:'sts', :'sig');
-- The key of a dropped role: unknown, and never passes to the role that
-- gets its OID; the administrator deletes it.
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPL2', '20150830T123600Z', 'us-east-1', E:'sts', :'sig') AS role;
DROP ROLE regress_ak_dropme;
\set VERBOSITY default
SELECT kms_endpoint_authenticate('AKIAIOSFODNN7EXAMPL2', '20150830T123600Z', 'us-east-1', E:'sts', :'sig');
\set VERBOSITY terse
SELECT access_key_id, role FROM kms_list_access_keys();
SELECT kms_delete_access_key('AKIAIOSFODNN7EXAMPL2') AS deleted;
RESET kms_policy.endpoint_max_clock_skew;
RESET kms_policy.administrator_role;

-- Clean up.
SELECT count(*) AS access_keys FROM kms_policy.access_keys;
DROP OWNED BY regress_ak_app, regress_ak_alice, regress_ak_endpoint;
DROP ROLE regress_ak_app, regress_ak_bound, regress_ak_endpoint, regress_ak_alice, regress_ak_admins;
