-- Issue 7 in the policy core: one parser per condition operand kind, shared by
-- the validator and the evaluator ("stored" means "evaluable as written");
-- bounded, interruptible evaluation of large request contexts; fidelity
-- details found against real policies (empty and malformed principals,
-- actions that name no KMS action).
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
\set bob 'arn:aws:iam::111122223333:user/Bob'
SELECT kms_register_principal(:'bob');
INSERT INTO kms_policy.key_policies (key_id, policy)
VALUES (:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');

-- with_root(stmt): a key policy of the account root's kms:* and stmt.
CREATE FUNCTION pg_temp.with_root(stmt text) RETURNS text LANGUAGE sql AS $f$
  SELECT '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},'
         || stmt || ']}'
$f$;

-- ===== Dates: February 29 exists only in leap years =====
-- 2025 is no leap year: the validator used to store this value, which the
-- evaluator then never matched.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2025-02-29T00:00:00Z"}}}'));
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"1900-02-29"}}}'));
\echo :LAST_ERROR_SQLSTATE
-- 2024-02-29 is a date, stored and matched (2024-02-29T00:00:00Z is epoch
-- 1709164800).
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"2024-02-29"},"DateLessThan":{"aws:EpochTime":"2024-02-29T12:00:00+01:00"}}}'));
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"aws:CurrentTime":"2024-02-29T00:00:00Z","aws:EpochTime":"1709164800"}') AS leap_day,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"aws:CurrentTime":"1709164800","aws:EpochTime":"1709164800.5"}') AS leap_day_epoch,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"aws:CurrentTime":"2024-03-01","aws:EpochTime":"1709164800"}') AS next_day,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"aws:CurrentTime":"2024-02-29T00:00:00Z","aws:EpochTime":"1709204400"}') AS at_the_bound;

-- ===== The other kinds: what is stored is what is evaluated =====
-- A JSON number in exponent form is a number for both; a number has at most
-- 160 digits from its first non-zero digit on, for both.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericEquals":{"kms:EncryptionContext:n":1.5E3},"BinaryEquals":{"kms:EncryptionContext:b":"QUJD"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"kms:EncryptionContext:t":"TRUE"}}}'));
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:n":"1500.000","kms:EncryptionContext:b":"QUJD","aws:SourceIp":"203.0.113.9","kms:EncryptionContext:t":"true"}') AS all_match,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:n":"15e2","kms:EncryptionContext:b":"QUJD","aws:SourceIp":"203.0.113.9","kms:EncryptionContext:t":"true"}') AS exponent_request,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:n":"+1500","kms:EncryptionContext:b":"QUJD","aws:SourceIp":"203.0.113.9","kms:EncryptionContext:t":"true"}') AS plus_sign_is_no_number,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:n":"1500","kms:EncryptionContext:b":"QUJD","aws:SourceIp":"203.0.113.9/32","kms:EncryptionContext:t":"true"}') AS cidr_is_no_address;
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericEquals":{"kms:EncryptionContext:n":"0.000' || repeat('9', 160) || '"}}}'));
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericEquals":{"kms:EncryptionContext:n":"' || repeat('1', 161) || '"}}}'));
\echo :LAST_ERROR_SQLSTATE
-- '?' in StringLike is one character, also a multi-byte one.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:city":"Orl?ans"}}}'));
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', jsonb_build_object('kms:EncryptionContext:city', 'Orl' || chr(233) || 'ans')) AS one_character,
       kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:city":"Orlxxans"}') AS two_characters;

-- ===== Principals: AWS's messages =====
-- An empty principal is "no principal".
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":[]},"Action":"kms:Decrypt","Resource":"*"}'));
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":""},"Action":"kms:Decrypt","Resource":"*"}'));
\echo :LAST_ERROR_SQLSTATE
-- A malformed principal ARN is "one or more invalid principals".
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::11112222333:root"},"Action":"kms:Decrypt","Resource":"*"}'));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws::us-east-1:111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}'));
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"kms:Decrypt","Resource":"*"}'));
-- A well-formed ARN that cannot be a principal stays InvalidArnException.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},"Action":"kms:Decrypt","Resource":"*"}'));
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:instance-profile/Web"},"Action":"kms:Decrypt","Resource":"*"}'));

-- ===== Actions that name no KMS action: stored, with a WARNING =====
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Sid":"Typos","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Bob"},"Action":["kms=GenerateDataKey","kms:Foo","kms:Decrypt"],"Resource":"*"}'));
-- The statement grants nothing through them.
SELECT kms_authorize(:'k', :'bob', 'kms:GenerateDataKey') AS generate_data_key,
       kms_authorize(:'k', :'bob', 'kms:Decrypt') AS decrypt;
-- Every store warns, also when the compiled policy is cached.
UPDATE kms_policy.key_policies SET policy = policy WHERE key_id = :'k';
-- An identity policy warns as well.
SELECT kms_put_identity_policy(:'bob', 'typo', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Dcrypt","Resource":"*"}}');
-- An empty action is still refused.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"","Resource":"*"}'));

-- ===== Bounded work =====
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:EncryptionContext:k500":"v*"},"StringEquals":{"kms:EncryptionContext:k1000":"v1000"}}}'));
SET statement_timeout = '2s';
-- A context of 100,000 keys: refused at once by the size limit (it used to
-- run for minutes, deaf to statement_timeout and pg_cancel_backend).
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     (SELECT jsonb_object_agg('kms:EncryptionContext:k' || i, 'v' || i)
                        FROM generate_series(1, 100000) i));
-- Too many values, too many bytes.
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     jsonb_build_object('aws:TagKeys', (SELECT jsonb_agg(i) FROM generate_series(1, 5000) i)));
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     jsonb_build_object('kms:EncryptionContext:big', repeat('x', 300000)));
\echo :LAST_ERROR_SQLSTATE
-- 1,000 keys are within the limits and evaluated at once (hashed look-ups).
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     (SELECT jsonb_object_agg('kms:EncryptionContext:k' || i, 'v' || i)
                        FROM generate_series(1, 1000) i)) AS thousand_keys,
       kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     (SELECT jsonb_object_agg('KMS:ENCRYPTIONCONTEXT:K' || i, 'v' || i)
                        FROM generate_series(1, 1000) i)) AS keys_in_upper_case;
-- Work within the limits that takes long is interrupted by the timeout: a
-- StringLike pattern that backtracks over a 250,000-byte request value.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:slow":"*' || repeat('a', 16000) || 'b"}}}'));
SET statement_timeout = '1s';
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt',
                     jsonb_build_object('kms:EncryptionContext:slow', repeat('a', 250000)));
RESET statement_timeout;
-- The backend is fine afterwards.
SELECT kms_authorize(:'k', :'bob', 'kms:Decrypt', '{"kms:EncryptionContext:slow":"ab"}') AS after_the_timeout;

-- Explanations stay small whatever the context holds: one row per
-- statement, each detail at most 400 bytes.
SELECT kms_put_key_policy(:'k', pg_temp.with_root('{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"nope"}}}'));
SELECT count(*) AS rows, max(octet_length(detail)) <= 400 AS details_bounded,
       bool_or(detail LIKE '%...') AS ellipsis
  FROM kms_explain_authorization(:'k', :'bob', 'kms:Decrypt',
                                 jsonb_build_object('aws:TagKeys', (SELECT jsonb_agg(repeat('t', 100) || i) FROM generate_series(1, 2000) i)));

DELETE FROM kms_policy.identity_policies;
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DROP FUNCTION pg_temp.with_root(text);
