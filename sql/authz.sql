-- Policy evaluation through kms_authorize: every operator family, NotAction,
-- Deny precedence, wildcards, policy variables, delegation, both dialects.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
SELECT kms_register_principal(p) FROM unnest(ARRAY[
    'arn:aws:iam::111122223333:user/Alice', 'arn:aws:iam::111122223333:user/Bob',
    'arn:aws:iam::111122223333:role/path/Admin', '444455556666']) p;
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES (:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
\set root 'arn:aws:iam::111122223333:root'
\set alice 'arn:aws:iam::111122223333:user/Alice'
\set bob 'arn:aws:iam::111122223333:user/Bob'

-- Each case: a key policy (the account root keeps kms:* so the lockout
-- check passes), a principal, an action, a context, and AWS's answer.
CREATE TEMP TABLE cases (n serial, what text, stmt text, principal text, action text,
                         context jsonb, expected text);
INSERT INTO cases (what, stmt, principal, action, context, expected) VALUES
 ('user named directly', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}', :'alice', 'kms:Decrypt', '{}', 'Allow'),
 ('other user', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('action case-insensitive', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"KMS:decrypt","Resource":"*"}', :'alice', 'kms:Decrypt', '{}', 'Allow'),
 ('wildcard *', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*Key*","Resource":"*"}', :'alice', 'kms:DescribeKey', '{}', 'Allow'),
 ('wildcard ? one char', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:?ncrypt","Resource":"*"}', :'alice', 'kms:Encrypt', '{}', 'Allow'),
 ('wildcard ? exactly one char', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:ReEncrypt????","Resource":"*"}', :'alice', 'kms:ReEncryptTo', '{}', 'ImplicitDeny'),
 ('wildcard ? four chars', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:ReEncrypt????","Resource":"*"}', :'alice', 'kms:ReEncryptFrom', '{}', 'Allow'),
 ('star matches all', '{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}', :'bob', 'kms:Sign', '{}', 'Allow'),
 ('NotAction allows the rest', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"NotAction":"kms:Decrypt","Resource":"*"}', :'alice', 'kms:Encrypt', '{}', 'Allow'),
 ('NotAction excludes listed', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"NotAction":["kms:Decrypt"],"Resource":"*"}', :'alice', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('Deny beats root Allow', '{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}', :'root', 'kms:Decrypt', '{}', 'ExplicitDeny'),
 ('Deny NotAction', '{"Effect":"Deny","Principal":"*","NotAction":"kms:Get*","Resource":"*"}', :'root', 'kms:GetKeyPolicy', '{}', 'Allow'),
 ('account principal Deny covers users', '{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}', :'alice', 'kms:Decrypt', '{}', 'ExplicitDeny'),
 ('role session matches role', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/path/Admin"},"Action":"kms:Decrypt","Resource":"*"}', 'arn:aws:sts::111122223333:assumed-role/Admin/s1', 'kms:Decrypt', '{}', 'Allow'),
 ('service principal', '{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', '{}', 'Allow'),
 ('StringEquals', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:dept":"it"}', 'Allow'),
 ('StringEquals case-sensitive', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:dept":"IT"}', 'ImplicitDeny'),
 ('StringEquals key absent', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"it"}}}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('StringNotEquals key absent', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:dept":"it"}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('StringNotEquals several values', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:dept":["it","hr"]}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:dept":"hr"}', 'ImplicitDeny'),
 ('StringEqualsIgnoreCase', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"kms:EncryptionContext:dept":"IT"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:dept":"it"}', 'Allow'),
 ('StringLike', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:app":"web-?-*"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:app":"web-1-prod"}', 'Allow'),
 ('StringNotLike', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotLike":{"kms:EncryptionContext:app":"web-*"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:app":"web-1"}', 'ImplicitDeny'),
 ('context key case-insensitive', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"KMS:encryptioncontext:DEPT":"it"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:dept":"it"}', 'Allow'),
 ('NumericLessThan', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}', :'bob', 'kms:Decrypt', '{"aws:MultiFactorAuthAge":"120"}', 'Allow'),
 ('NumericGreaterThanEquals fails', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":3600}}}', :'bob', 'kms:Decrypt', '{"aws:MultiFactorAuthAge":"120"}', 'ImplicitDeny'),
 ('DateGreaterThan (CurrentTime filled in)', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('DateLessThan epoch', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"1577836800"}}}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('Bool JSON true', '{"Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}', :'bob', 'kms:CreateGrant', '{"kms:GrantIsForAWSResource":"true"}', 'Allow'),
 ('Bool false', '{"Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}', :'bob', 'kms:CreateGrant', '{"kms:GrantIsForAWSResource":false}', 'ImplicitDeny'),
 ('BinaryEquals', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"BinaryEquals":{"kms:EncryptionContext:blob":"QmluYXJ5"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:blob":"QmluYXJ5"}', 'Allow'),
 ('IpAddress CIDR', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}', :'bob', 'kms:Decrypt', '{"aws:SourceIp":"10.1.2.3"}', 'Allow'),
 ('IpAddress IPv6', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}}', :'bob', 'kms:Decrypt', '{"aws:SourceIp":"2001:db8::1"}', 'Allow'),
 ('NotIpAddress', '{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.168.0.0/16"}}}', :'root', 'kms:Decrypt', '{"aws:SourceIp":"10.1.2.3"}', 'ExplicitDeny'),
 ('ArnLike per part', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/A*"}}}', :'alice', 'kms:Decrypt', '{}', 'Allow'),
 ('ArnNotEquals', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/Alice"}}}', :'alice', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('IfExists absent', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('IfExists present', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}', :'bob', 'kms:Decrypt', '{"kms:ViaService":"s3.us-east-1.amazonaws.com"}', 'ImplicitDeny'),
 ('Null true', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"kms:EncryptionContext:dept":"true"}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('Null false', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"kms:EncryptionContext:dept":false}}}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('ForAnyValue', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["dept","app"]}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContextKeys":["x","app"]}', 'Allow'),
 ('ForAnyValue absent', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["dept","app"]}}}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny'),
 ('ForAllValues', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["dept","app"]}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContextKeys":["x","app"]}', 'ImplicitDeny'),
 ('ForAllValues absent is true', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["dept","app"]}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('several operators AND', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}', :'bob', 'kms:Decrypt', '{"aws:SourceIp":"172.16.0.1"}', 'ImplicitDeny'),
 ('CallerAccount filled in', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}', :'bob', 'kms:Decrypt', '{}', 'Allow'),
 ('policy variable 2012', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}}', :'alice', 'kms:Decrypt', '{"kms:EncryptionContext:owner":"Alice"}', 'Allow'),
 ('policy variable other user', '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}}', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:owner":"Alice"}', 'ImplicitDeny'),
 ('cross-account principal without identity policy', '{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"}', 'arn:aws:iam::444455556666:root', 'kms:Decrypt', '{}', 'Allow'),
 ('account delegation without identity policy', '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}', :'bob', 'kms:Decrypt', '{}', 'ImplicitDeny');

CREATE FUNCTION pg_temp.with_root(stmt text, version text DEFAULT '2012-10-17') RETURNS text LANGUAGE sql AS $$
    SELECT '{"Version":"' || version || '","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},' || stmt || ']}' $$;
-- (The policy is written directly, validated by the trigger: the cases test
-- evaluation, not the lockout check, and some deny the next put.)
CREATE FUNCTION pg_temp.decide(c cases) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kms_policy.key_policies SET policy = pg_temp.with_root(c.stmt)
     WHERE key_id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    RETURN kms_authorize('1234abcd-12ab-34cd-56ef-1234567890ab', c.principal, c.action, c.context);
END $$;
SELECT n, what, pg_temp.decide(c) AS decision, expected,
       CASE WHEN pg_temp.decide(c) = expected THEN 'ok' ELSE 'WRONG' END AS result
  FROM cases c ORDER BY n;

-- Policy variables are literal text under Version 2008-10-17 (and without Version).
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:owner":"${aws:username}"}}}', '2008-10-17'));
SELECT kms_authorize(:'k', :'alice', 'kms:Decrypt', '{"kms:EncryptionContext:owner":"Alice"}') AS value_alice,
       kms_authorize(:'k', :'alice', 'kms:Decrypt', '{"kms:EncryptionContext:owner":"${aws:username}"}') AS value_literal;

-- Delegation: the account principal lets identity policies decide for users
-- and roles of the account.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:Encrypt","Resource":"*"}'));
SELECT kms_put_identity_policy(:'bob', 'kms-use', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}]}');
SELECT kms_put_identity_policy(:'alice', 'deny-decrypt', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}');
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:role/path/Admin', 'admin', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}');
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS bob_decrypt,
       kms_authorize(:'k', :'bob', 'kms:Sign') AS bob_sign,
       kms_authorize(:'k', :'alice', 'kms:Encrypt') AS alice_encrypt_identity_deny,
       kms_authorize(:'k', 'arn:aws:sts::111122223333:assumed-role/Admin/s9', 'kms:PutKeyPolicy') AS admin_session,
       kms_authorize(:'k', 'arn:aws:iam::111122223333:user/Nobody', 'kms:Decrypt') AS unknown_user;
-- The explanation shows the delegation and whether identity policies granted it.
SELECT policy, statement, effect, outcome, detail
  FROM kms_explain_authorization(:'k', :'bob', 'kms:Decrypt');
-- Identity policies that do not name the key do not help.
SELECT kms_put_identity_policy(:'bob', 'kms-use', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-west-2:111122223333:key/*"}]}');
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS bob_other_region_only;
-- Identity-policy grammar: no Principal, ARN resources.
SELECT kms_put_identity_policy(:'bob', 'bad', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_identity_policy(:'bob', 'bad name!', '{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_identity_policy('444455556666', 'p', '{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_delete_identity_policy(:'bob', 'kms-use') AS deleted, kms_delete_identity_policy(:'bob', 'kms-use') AS deleted_again;
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt') AS bob_after_delete;

-- kms_explain_authorization says which statements matched and why.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Sid":"OnlyFromVpn","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}'));
SELECT decision, policy, statement, sid, effect, outcome, detail
  FROM kms_explain_authorization(:'k', :'root', 'kms:Decrypt', '{"aws:SourceIp":"192.0.2.1"}');
SELECT decision, policy, statement, sid, effect, outcome, detail
  FROM kms_explain_authorization(:'k', :'root', 'kms:Decrypt', '{"aws:SourceIp":"10.9.9.9"}');

-- Bad arguments.
SELECT kms_authorize(:'k', NULL, 'kms:Decrypt');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypy');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', :'bob', 'kms:*');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', 'arn:aws:iam::111122223333:group/G', 'kms:Decrypt');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"a":{"b":1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize('00000000-0000-4000-8000-000000000000', :'bob', 'kms:Decrypt');
\echo :LAST_ERROR_SQLSTATE

-- Alibaba: same-account callers need the key policy OR their RAM policy.
INSERT INTO kms_policy.keys (key_id, dialect, partition, region, account_id)
VALUES ('key-hzz630494463ejqjx0000', 'alibaba', '', 'cn-hangzhou', '1192853035118460');
SELECT kms_register_principal('acs:ram::1192853035118460:user/alice'),
       kms_register_principal('acs:ram::1903253031260000:root');
SELECT kms_put_key_policy('key-hzz630494463ejqjx0000', '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:user/alice"]},"Action":["kms:Decrypt"],"Resource":["*"]},{"Effect":"Allow","Principal":{"RAM":["acs:ram::1903253031260000:*"]},"Action":["kms:Encrypt"],"Resource":["*"]}]}');
SELECT kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1192853035118460:user/alice', 'kms:Decrypt') AS alice_decrypt,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1192853035118460:user/alice', 'kms:Encrypt') AS alice_encrypt,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1903253031260000:user/carol', 'kms:Encrypt') AS cross_account_no_ram,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1192853035118460:root', 'kms:Decrypt') AS own_root;

-- A RAM policy lets a same-account user in without the key policy; not a
-- user of another account.
SELECT kms_register_principal('acs:ram::1192853035118460:user/dave'),
       kms_register_principal('acs:ram::1903253031260000:user/carol');
SELECT kms_put_identity_policy('acs:ram::1192853035118460:user/dave', 'ram-use', '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Encrypt"],"Resource":["acs:kms:*:1192853035118460:key/*"]}]}');
SELECT kms_put_identity_policy('acs:ram::1903253031260000:user/carol', 'ram-use', '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Decrypt"],"Resource":["*"]}]}');
SELECT kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1192853035118460:user/dave', 'kms:Encrypt') AS dave_ram_only,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1192853035118460:user/dave', 'kms:Decrypt') AS dave_decrypt,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1903253031260000:user/carol', 'kms:Decrypt') AS carol_ram_only_cross_account,
       kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1903253031260000:user/carol', 'kms:Encrypt') AS carol_key_policy_only;
SELECT kms_put_identity_policy('acs:ram::1903253031260000:user/carol', 'ram-use', '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":["*"]}]}');
SELECT kms_authorize('key-hzz630494463ejqjx0000', 'acs:ram::1903253031260000:user/carol', 'kms:Encrypt') AS carol_both;
-- RAM policies have no Principal and name acs: resources.
SELECT kms_put_identity_policy('acs:ram::1192853035118460:user/dave', 'bad', '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Encrypt"],"Resource":["arn:aws:kms:*:*:key/*"]}]}');
\echo :LAST_ERROR_SQLSTATE

-- Enforcement takes aws:SourceIp from the client's address (when the session
-- has one; a Unix-socket session has none): a Deny for exactly that address
-- refuses the caller's own GetKeyPolicy if and only if there is an address.
-- kms_authorize, which answers for any principal, does not use it.
CREATE FUNCTION pg_temp.source_ip_enforced() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    ip text := pg_catalog.host(pg_catalog.inet_client_addr());
    denied boolean := false;
BEGIN
    UPDATE kms_policy.key_policies SET policy = pg_temp.with_root(
        '{"Effect":"Deny","Principal":"*","Action":"kms:GetKeyPolicy","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"'
        || coalesce(ip, '192.0.2.1') || '"}}}')
     WHERE key_id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    BEGIN
        PERFORM kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab');
    EXCEPTION WHEN SQLSTATE 'KM008' THEN
        denied := true;
    END;
    RETURN denied = (ip IS NOT NULL)
       AND kms_authorize('1234abcd-12ab-34cd-56ef-1234567890ab',
                         'arn:aws:iam::111122223333:root', 'kms:GetKeyPolicy') = 'Allow';
END $$;
SELECT pg_temp.source_ip_enforced();
-- A principal of another partition does not exist for an aws key.
SELECT kms_register_principal('arn:aws-cn:iam::111122223333:user/Alice');
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::111122223333:user/Alice"},"Action":"kms:Decrypt","Resource":"*"}'));
\echo :LAST_ERROR_SQLSTATE

DELETE FROM kms_policy.identity_policies;
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DROP FUNCTION pg_temp.decide(cases);
DROP TABLE cases;
