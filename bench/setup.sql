-- bench/setup.sql -- objects the benchmark (bench/run) needs in each database:
-- the registered principals, the policy generator and the plain-SQL twin.
-- Run as a superuser after CREATE EXTENSION kms_policy.  Not a test.
\set ON_ERROR_STOP on

-- Principals the policies name (a principal must be registered to be named).
SELECT count(kms_register_principal(p)) AS principals_registered FROM (
    SELECT 'arn:aws:iam::111122223333:role/BenchApp'
    UNION ALL SELECT 'arn:aws:iam::111122223333:role/KeyAdmin'
    UNION ALL SELECT format('arn:aws:iam::111122223333:role/Svc%s', lpad(s::text, 2, '0'))
              FROM generate_series(0, 49) s
    UNION ALL SELECT format('arn:aws:iam::111122223333:user/U%s', lpad(u::text, 3, '0'))
              FROM generate_series(0, 199) u) p(p);

-- The deterministic key ID of key number i (a UUID shape: version 4, variant 8).
-- pgbench scripts compute the same expression inline.
CREATE FUNCTION bench_key_id(i integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN '00000000-0000-4000-8000-' || lpad(i::text, 12, '0');

-- A realistic key policy for key i: about 2 KB (an administrator statement,
-- the application's statement with conditions naming registered principals,
-- a users' statement with network conditions, a conditional deny).  With
-- big, users' statements are appended up to about 32 KB (under the 32768
-- character quota).
CREATE FUNCTION bench_policy(i integer, big boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    acct constant text := 'arn:aws:iam::111122223333:';
    svc  text := acct || 'role/Svc' || lpad((i % 50)::text, 2, '0');
    head text;
    tail text;
    body text := '';
    extra text;
    n integer := 0;
    u integer;
BEGIN
    head := format(
'{
  "Version": "2012-10-17",
  "Id": "bench-policy-%s",
  "Statement": [
    {
      "Sid": "EnableRootAccess",
      "Effect": "Allow",
      "Principal": {"AWS": "%sroot"},
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Sid": "AllowApplication",
      "Effect": "Allow",
      "Principal": {"AWS": ["%srole/BenchApp", "%s"]},
      "Action": ["kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListKeyPolicies", "kms:DescribeKey",
                 "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
      "Resource": "*",
      "Condition": {
        "StringEquals": {"kms:CallerAccount": "111122223333"},
        "ArnLike": {"aws:PrincipalArn": ["%srole/BenchApp", "%srole/Svc*", "%srole/KeyAdmin"]},
        "DateLessThan": {"aws:CurrentTime": "2100-01-01T00:00:00Z"},
        "StringEqualsIfExists": {"kms:EncryptionContext:tenant": ["t%s", "t1", "shared"]}
      }
    },', i, acct, acct, svc, acct, acct, acct, i % 1000);
    u := (i * 7) % 196;
    tail := format('
    {
      "Sid": "AllowUsersFromTheNetwork",
      "Effect": "Allow",
      "Principal": {"AWS": ["%suser/U%s", "%suser/U%s", "%suser/U%s", "%suser/U%s"]},
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "*",
      "Condition": {
        "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"]},
        "Bool": {"aws:SecureTransport": "true"},
        "StringLikeIfExists": {"kms:ViaService": "ec2.*.amazonaws.com"}
      }
    },
    {
      "Sid": "DenyDeletionExceptKeyAdmin",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:PrincipalArn": ["%sroot", "%srole/KeyAdmin"]}}
    }
  ]
}', acct, lpad(u::text, 3, '0'), acct, lpad((u + 1)::text, 3, '0'),
    acct, lpad((u + 2)::text, 3, '0'), acct, lpad((u + 3)::text, 3, '0'), acct, acct);
    IF big THEN
        LOOP
            u := (i + n * 13) % 196;
            extra := format('
    {
      "Sid": "AllowUserGroup%s",
      "Effect": "Allow",
      "Principal": {"AWS": ["%suser/U%s", "%suser/U%s", "%suser/U%s"]},
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "*",
      "Condition": {
        "StringEquals": {"kms:EncryptionContext:team": "team-%s"},
        "IpAddress": {"aws:SourceIp": ["10.%s.0.0/16", "172.16.0.0/12"]},
        "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}
      }
    },', n, acct, lpad(u::text, 3, '0'), acct, lpad((u + 1)::text, 3, '0'),
                acct, lpad((u + 2)::text, 3, '0'), n, n % 256);
            EXIT WHEN length(head) + length(body) + length(extra) + length(tail) > 32000;
            body := body || extra;
            n := n + 1;
        END LOOP;
    END IF;
    RETURN head || body || tail;
END $$;

-- The plain-SQL twin: the same rows, no kms_policy in the way.
CREATE TABLE bench_plain (key_id text PRIMARY KEY, policy text NOT NULL);

-- The application role's rights (the role itself is cluster-wide: bench/run
-- creates it once).  It is mapped to a principal the policies allow.
GRANT EXECUTE ON FUNCTION kms_get_key_policy(text, text), kms_list_key_policies(text, integer, text),
    kms_put_key_policy(text, text, text, boolean, bigint), kms_authorize(text, text, text, jsonb),
    kms_describe_key(text) TO bench_app;
SELECT kms_map_role('bench_app', 'arn:aws:iam::111122223333:role/BenchApp');
GRANT SELECT, UPDATE ON bench_plain TO bench_app;
GRANT EXECUTE ON FUNCTION bench_key_id(integer), bench_policy(integer, boolean) TO bench_app;
