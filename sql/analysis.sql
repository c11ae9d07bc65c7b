-- Access analysis: kms_check_no_new_access, kms_check_access_not_granted,
-- kms_check_no_public_access, kms_key_access, kms_key_policy_diff.
-- Every FAIL witness is replayed through kms_authorize on keys holding the
-- two policies; kms_key_access is compared with kms_authorize for every
-- registered principal and every KMS action.
\set VERBOSITY default
SET kms_policy.check_principals = off;
\set root 'arn:aws:iam::111122223333:root'
\set rootstmt '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}'

-- Two keys to replay witnesses on: N holds the policy that gains, O the other.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id) VALUES
 ('aaaaaaaa-0000-4000-8000-000000000001', 'aws', 'us-east-1', '111122223333'),
 ('aaaaaaaa-0000-4000-8000-000000000002', 'aws', 'us-east-1', '111122223333');
\set kn 'aaaaaaaa-0000-4000-8000-000000000001'
\set ko 'aaaaaaaa-0000-4000-8000-000000000002'
INSERT INTO kms_policy.key_policies (key_id, policy) VALUES
 (:'kn', '{"Statement":[' || :'rootstmt' || ']}'),
 (:'ko', '{"Statement":[' || :'rootstmt' || ']}');

-- The analysis counts a grant through the account principal or to another
-- account as access (identity policies can use it): the callers a witness
-- names get an identity policy that allows everything, so that kms_authorize
-- decides with the same meaning.
-- (A role session has the policies of its role.)
CREATE FUNCTION pg_temp.caller(p text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE holder text := regexp_replace(p, '^arn:aws:sts::([0-9]+):assumed-role/([^/]+)/.*$',
                                      'arn:aws:iam::\1:role/\2');
BEGIN
  IF holder LIKE 'arn:%' AND holder NOT LIKE '%:root' THEN
    PERFORM kms_register_principal(holder);
    PERFORM kms_put_identity_policy(holder, 'everything',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}');
  END IF;
END $$;

-- new vs old: the answer's results, and every FAIL witness replayed:
-- kms_authorize on N (new) is Allow and on O (old) is not.
CREATE FUNCTION pg_temp.check_pair(new_policy text, old_policy text,
    OUT results text, OUT fails int, OUT replayed_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  UPDATE kms_policy.key_policies SET policy = new_policy WHERE key_id = 'aaaaaaaa-0000-4000-8000-000000000001';
  UPDATE kms_policy.key_policies SET policy = old_policy WHERE key_id = 'aaaaaaaa-0000-4000-8000-000000000002';
  results := (SELECT string_agg(DISTINCT c.result, ',') FROM kms_check_no_new_access(new_policy, old_policy) c);
  fails := 0;
  replayed_ok := true;
  FOR r IN SELECT * FROM kms_check_no_new_access(new_policy, old_policy) c WHERE c.result = 'FAIL' LOOP
    PERFORM pg_temp.caller(r.principal);
    fails := fails + 1;
    IF kms_authorize('aaaaaaaa-0000-4000-8000-000000000001', r.principal, r.action, r.context) <> 'Allow'
       OR kms_authorize('aaaaaaaa-0000-4000-8000-000000000002', r.principal, r.action, r.context) = 'Allow' THEN
      RAISE WARNING 'witness not replayed: % % %', r.principal, r.action, r.context;
      replayed_ok := false;
    END IF;
  END LOOP;
END $$;

CREATE TEMP TABLE pairs (n serial, what text, new_stmt text, old_stmt text);
INSERT INTO pairs (what, new_stmt, old_stmt) VALUES
 ('same policy', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}'),
 ('another account', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Carol"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}',
                 '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}'),
 ('wider network', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}'),
 ('narrower network', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.1.0.0/16"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}'),
 ('pattern vs value', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:dept":"it-*"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it-1"}}}'),
 ('IfExists', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:EncryptionContext:dept":"it"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it"}}}'),
 ('deadline moved', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2031-01-01T00:00:00Z"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}'),
 ('sets', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":"dept"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["dept","app"]}}}'),
 ('deny removed', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}'),
 ('deny added', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}'),
 ('numbers', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}'),
 ('account condition', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]}}}',
                 '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}');

SELECT n, what, (pg_temp.check_pair('{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',' || new_stmt || ']}',
                                    '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',' || old_stmt || ']}')).*
FROM pairs ORDER BY n;

-- What a FAIL row says, in full, for two of them.
SELECT result, principal, action, context, reason
FROM kms_check_no_new_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Carol"},"Action":"kms:Decrypt","Resource":"*"}]}',
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ']}');
SELECT result, principal, action, context
FROM kms_check_no_new_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/7"}}}]}',
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}')
ORDER BY principal LIMIT 3;

-- Where it cannot decide exactly, it says so: never a PASS.
SELECT result, reason FROM kms_check_no_new_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}}]}',
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ']}') LIMIT 1;

-- CheckAccessNotGranted: the actions (patterns too), optionally for principals.
\set p2 '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}'
SELECT result, principal, action, context FROM kms_check_access_not_granted(:'p2', ARRAY['kms:Decrypt'], ARRAY['444455556666']) ORDER BY principal;
SELECT result FROM kms_check_access_not_granted(:'p2', ARRAY['kms:PutKeyPolicy', 'kms:Schedule*'], ARRAY['arn:aws:iam::444455556666:root']);
SELECT count(*) AS fails, count(DISTINCT action) AS actions
FROM kms_check_access_not_granted(:'p2', ARRAY['kms:Put*']) WHERE result = 'FAIL';
SELECT kms_check_access_not_granted(:'p2', ARRAY['kms:Frobnicate']);
SELECT kms_check_access_not_granted(:'p2', ARRAY['s3:GetObject']);
SELECT kms_check_access_not_granted(:'p2', ARRAY[]::text[]);
SELECT kms_check_access_not_granted(:'p2', ARRAY['kms:Decrypt'], ARRAY['not a principal']);

-- CheckNoPublicAccess: callers of accounts neither the key nor the policy names.
SELECT result, principal, action FROM kms_check_no_public_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}');
SELECT result FROM kms_check_no_public_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}]}');
SELECT result FROM kms_check_no_public_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"}]}');
SELECT result, reason FROM kms_check_no_public_access(
  '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Public*"}}}]}') LIMIT 1;
-- Every kind of outsider: a user of the name a condition compares with, the
-- account itself, a session; a pattern that fixes the account names no one
-- outside.  Each FAIL witness is replayed through kms_authorize.
CREATE FUNCTION pg_temp.check_public(stmt text, OUT results text, OUT witnesses text, OUT replayed_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE
  doc text := '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},' || stmt || ']}';
  r record;
BEGIN
  UPDATE kms_policy.key_policies SET policy = doc WHERE key_id = 'aaaaaaaa-0000-4000-8000-000000000001';
  results := (SELECT string_agg(DISTINCT c.result, ',') FROM kms_check_no_public_access(doc) c);
  replayed_ok := true;
  FOR r IN SELECT * FROM kms_check_no_public_access(doc) c WHERE c.result = 'FAIL' ORDER BY c.action LOOP
    PERFORM pg_temp.caller(r.principal);
    witnesses := coalesce(witnesses || ' ', '') || r.principal;
    IF kms_authorize('aaaaaaaa-0000-4000-8000-000000000001', r.principal, r.action, r.context) <> 'Allow' THEN
      RAISE WARNING 'witness not replayed: % % %', r.principal, r.action, r.context;
      replayed_ok := false;
    END IF;
  END LOOP;
END $$;
SELECT c, (pg_temp.check_public('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":' || c || '}')).*
FROM (VALUES ('{"StringEquals":{"aws:username":"bob"}}'),
             ('{"StringEquals":{"aws:PrincipalType":"Account"}}'),
             ('{"StringLike":{"aws:PrincipalArn":"arn:aws:sts::*:assumed-role/Deploy/*"}}'),
             ('{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Svc*"}}'),
             ('{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::444455556666:*","arn:aws:sts::111122223333:assumed-role/*"]}}'),
             ('{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Svc*"}}')) v(c);

-- A document the put refuses: the put's own error.
SELECT kms_check_no_new_access('{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}', :'p2');
SELECT kms_put_key_policy(:'kn', '{"Version":"2012-10-17","Statement":[{"Effect":"Alow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}');
SELECT kms_check_no_new_access(NULL, :'p2');
SELECT kms_check_no_public_access('not json');

-- kms_key_access agrees with kms_authorize: every registered principal the
-- policy names, and one of an account nobody names, x the 56 KMS actions.
SELECT pg_temp.caller(p) FROM unnest(ARRAY['arn:aws:iam::111122223333:user/Alice',
  'arn:aws:iam::444455556666:user/Carol', 'arn:aws:iam::777788889999:user/Mallory']) p;
UPDATE kms_policy.key_policies SET policy = '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',
  {"Sid":"AliceUses","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"},
  {"Sid":"CarolOverTls","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Carol"},"Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
  {"Sid":"AnyoneDescribes","Effect":"Allow","Principal":"*","Action":"kms:DescribeKey","Resource":"*"},
  {"Sid":"NoDeletion","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}'
WHERE key_id = :'kn';
SELECT principal, action, access, conditions, statement FROM kms_key_access(:'kn')
WHERE principal <> :'root' ORDER BY principal, action;
SELECT count(*) AS root_rows, count(*) FILTER (WHERE access = 'delegated') AS delegated
FROM kms_key_access(:'kn') WHERE principal = :'root';

-- For each (principal, action): what kms_key_access says (the principal's own
-- row, the account root's delegated row for identities of the key's account,
-- the "*" row for anyone else), and what kms_authorize decides with no
-- context and with the context a Condition needs.
CREATE TEMP TABLE agreement AS
WITH callers(p, outsider) AS (VALUES
  ('arn:aws:iam::111122223333:user/Alice', false), ('arn:aws:iam::444455556666:user/Carol', false),
  ('arn:aws:iam::777788889999:user/Mallory', true), (:'root', false)),
-- the root's rows on O (kms:*, no Deny): all 56 KMS actions
acts AS (SELECT DISTINCT action FROM kms_key_access(:'ko') WHERE principal = :'root')
SELECT c.p, a.action,
  (SELECT string_agg(k.access, ',' ORDER BY k.access) FROM kms_key_access(:'kn') k
   WHERE k.action = a.action AND (k.principal = c.p OR (c.outsider AND k.principal = '*')
         OR (k.principal = :'root' AND c.p LIKE 'arn:aws:iam::111122223333:%'))) AS says,
  kms_authorize(:'kn', c.p, a.action) AS bare,
  kms_authorize(:'kn', c.p, a.action, '{"aws:SecureTransport":"true"}') AS tls
FROM callers c, acts a;
SELECT count(*) AS pairs FROM agreement;
-- allowed: Allow in any context; no row: never Allow; allowed_if: Allow in some
SELECT p, action, says, bare, tls FROM agreement
WHERE (says IS NULL AND 'Allow' IN (bare, tls))
   OR (says ~ '(^|,)(allowed|delegated)(,|$)' AND (bare <> 'Allow' OR tls <> 'Allow'))
   OR (says = 'allowed_if' AND 'Allow' NOT IN (bare, tls));
SELECT says, bare, tls, count(*) FROM agreement GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- an action no key policy names for Mallory: kms_check_access_not_granted agrees
SELECT result FROM kms_check_access_not_granted(kms_get_key_policy(:'kn'), ARRAY['kms:Encrypt'],
  ARRAY['arn:aws:iam::777788889999:user/Mallory']);

-- kms_key_policy_diff: what a change gained and lost, from the history.
\set kd 'aaaaaaaa-0000-4000-8000-000000000003'
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'kd', 'aws', 'us-east-1', '111122223333');
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES (:'kd', '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ']}');
SELECT kms_put_key_policy(:'kd', '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Carol"},"Action":"kms:Decrypt","Resource":"*"}]}');
SELECT kms_put_key_policy(:'kd', '{"Version":"2012-10-17","Statement":[' || :'rootstmt' || ',
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Carol"},"Action":"kms:Encrypt","Resource":"*"}]}');
SELECT version, operation FROM kms_key_policy_history(:'kd') ORDER BY version;
SELECT result, principal, action, context FROM kms_key_policy_diff(:'kd', 1, 2) ORDER BY result, principal, action;
SELECT result, principal, action FROM kms_key_policy_diff(:'kd', 2, 3) ORDER BY result, principal, action;
SELECT result, reason FROM kms_key_policy_diff(:'kd', 3, 3);
SELECT kms_key_policy_diff(:'kd', 1, 9);
SELECT kms_key_policy_diff(:'kd', NULL, 2);

-- Permissions: the key functions show the policy's content (kms:GetKeyPolicy);
-- the checks read nothing stored and need only EXECUTE.
CREATE ROLE regress_analysis_user;
CREATE ROLE regress_analysis_reader;
GRANT EXECUTE ON FUNCTION kms_key_access(text), kms_key_policy_diff(text, bigint, bigint),
  kms_check_no_public_access(text) TO regress_analysis_user, regress_analysis_reader;
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Dave');
SELECT kms_map_role('regress_analysis_user', 'arn:aws:iam::111122223333:user/Dave'),
       kms_map_role('regress_analysis_reader', 'arn:aws:iam::111122223333:user/Alice');
SET ROLE regress_analysis_user;
SELECT count(*) FROM kms_key_access(:'kd');
SELECT count(*) FROM kms_key_policy_diff(:'kd', 1, 2);
SELECT result FROM kms_check_no_public_access(:'p2');
SELECT count(*) FROM kms_check_no_new_access(:'p2', :'p2');
RESET ROLE;
-- Alice's identity policy allows kms:* (the key's policy delegates to it)
SET ROLE regress_analysis_reader;
SELECT count(*) FROM kms_key_access(:'kd');
SELECT result, action FROM kms_key_policy_diff(:'kd', 1, 2);
RESET ROLE;

-- A single-valued key takes one value (the analysis relies on it).
SELECT kms_authorize(:'kn', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt',
                     '{"aws:SourceIp": ["10.0.0.1", "192.0.2.1"]}');
SELECT kms_authorize(:'kn', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt',
                     '{"aws:SourceIp": ["10.0.0.1"], "kms:EncryptionContextKeys": ["a", "b"]}');

-- Clean up.
SELECT kms_unmap_role('regress_analysis_user'), kms_unmap_role('regress_analysis_reader');
DROP OWNED BY regress_analysis_user, regress_analysis_reader;
DROP ROLE regress_analysis_user, regress_analysis_reader;
DELETE FROM kms_policy.identity_policies;
DELETE FROM kms_policy.keys;
ALTER TABLE kms_policy.key_policy_history DISABLE TRIGGER key_policy_history_guard;
DELETE FROM kms_policy.key_policy_history;
ALTER TABLE kms_policy.key_policy_history ENABLE ALWAYS TRIGGER key_policy_history_guard;
SELECT count(*) FROM (SELECT kms_deregister_principal(arn) FROM kms_policy.principals) d;
