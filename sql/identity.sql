-- Identity policies in evaluation: every one of them is read (no cap), each
-- in its principal's own dialect.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
INSERT INTO kms_policy.keys (key_id, dialect, partition, region, account_id)
VALUES ('key-hzz630494463ejqjx0000', 'alibaba', '', 'cn-hangzhou', '1192853035118460');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
\set ak 'key-hzz630494463ejqjx0000'
\set bob 'arn:aws:iam::111122223333:user/Bob'
\set dave 'acs:ram::1192853035118460:user/dave'
SELECT kms_register_principal(:'bob') AS bob, kms_register_principal(:'dave') AS dave;
-- The AWS key delegates to its account; the Alibaba key names nobody but its
-- account: identity policies decide for Bob and Dave.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');

-- 33 identity policies: p00 .. p31 allow, p32 (last in name order) denies.
SELECT count(*) AS written FROM (
  SELECT kms_put_identity_policy(:'bob', pg_catalog.format('p%s', pg_catalog.lpad(i::text, 2, '0')),
         '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}')
    FROM generate_series(0, 31) i) s;
SELECT kms_put_identity_policy(:'bob', 'p32',
  '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}}');
SELECT count(*) AS identity_policies FROM kms_policy.identity_policies WHERE principal = :'bob';
-- The deny is read however many policies come before it.
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS with_33;
SELECT kms_delete_identity_policy(:'bob', 'p00');
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS with_32;
SELECT policy, effect, outcome FROM kms_explain_authorization(:'k', :'bob', 'kms:Decrypt')
 WHERE effect = 'Deny' OR policy = 'decision';
-- More policies than the compiled-policy cache holds (64 entries), all read,
-- in a session that compiles other documents in between: every compiled
-- identity policy stays valid while it is evaluated.
SELECT count(*) AS written FROM (
  SELECT kms_put_identity_policy(:'bob', pg_catalog.format('q%s', pg_catalog.lpad(i::text, 3, '0')),
         pg_catalog.format('{"Version":"2012-10-17","Statement":{"Sid":"Q%s","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}', i))
    FROM generate_series(0, 99) i) s;
SELECT kms_authorize(:'k', :'bob', 'kms:Encrypt') AS encrypt_with_132,
       kms_authorize(:'k', :'bob', 'kms:Decrypt') AS decrypt_with_132;
SELECT count(*) AS statements_evaluated
  FROM kms_explain_authorization(:'k', :'bob', 'kms:Encrypt') WHERE policy <> 'decision';
SELECT count(*) AS deleted FROM (
  SELECT kms_delete_identity_policy(:'bob', principal_policy) FROM (
    SELECT policy_name AS principal_policy FROM kms_policy.identity_policies
     WHERE principal = :'bob' ORDER BY 1) n) s;

-- Each principal's identity policies are compiled in its own dialect: an AWS
-- user's IAM policy and a RAM user's RAM policy.
SELECT kms_put_identity_policy(:'bob', 'use',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
SELECT kms_put_identity_policy(:'dave', 'use',
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:*"],"Resource":["*"]}]}');
-- In their own dialect they decide ...
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS bob_aws_key,
       kms_authorize(:'ak', :'dave', 'kms:Decrypt') AS dave_alibaba_key;
-- ... and across dialects they give a clean decision, not a syntax error: a
-- principal of the other cloud is of no account of the key and has no
-- identity permission on it.
SELECT kms_authorize(:'ak', :'bob', 'kms:Decrypt') AS bob_alibaba_key,
       kms_authorize(:'k', :'dave', 'kms:Decrypt') AS dave_aws_key;
SELECT policy, outcome, detail FROM kms_explain_authorization(:'ak', :'bob', 'kms:Decrypt');
-- Even a key policy open to everybody does not let them in: they are of
-- another account, and no identity policy of theirs applies.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}');
SELECT kms_authorize(:'k', :'dave', 'kms:Decrypt') AS dave_aws_key_open_to_all;

-- A mapped caller's identity rows are locked while read, except in a
-- read-only transaction (and on a hot standby), where the API still works.
CREATE ROLE regress_identity_bob;
GRANT EXECUTE ON FUNCTION kms_describe_key(text) TO regress_identity_bob;
SELECT kms_map_role('regress_identity_bob', :'bob');
SET ROLE regress_identity_bob;
SELECT key_state FROM kms_describe_key(:'k');
BEGIN TRANSACTION READ ONLY;
SELECT key_state FROM kms_describe_key(:'k');
COMMIT;
RESET ROLE;
SELECT kms_unmap_role('regress_identity_bob');
DROP OWNED BY regress_identity_bob;
DROP ROLE regress_identity_bob;

-- Identity policies belong to registered principals.
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Nobody', 'use',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
INSERT INTO kms_policy.identity_policies (principal, policy_name, policy)
VALUES ('arn:aws:iam::111122223333:user/Nobody', 'use',
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- Clean up.
SELECT kms_delete_identity_policy(:'bob', 'use'), kms_delete_identity_policy(:'dave', 'use');
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
