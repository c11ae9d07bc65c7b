-- grammar_corpus: a table-driven corpus of key-policy documents, valid and
-- invalid, in both dialects, each with the outcome the README and AWS's
-- documentation call for ('ok' or the SQLSTATE).  The documents are written
-- straight into kms_policy.key_policies, so the validation trigger decides
-- (no authorization, no lockout safety check): this file is about the grammar.
-- Documents stored with a WARNING (an action that names no KMS action) show it
-- once, although the upsert in check() fires the trigger on INSERT and UPDATE.
--
-- Where the implementation disagrees with the README/AWS, the expected value
-- stays what the README/AWS says and the row shows WRONG (see the summary).
SET client_min_messages = warning;

INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
INSERT INTO kms_policy.keys (key_id, dialect, partition, region, account_id)
VALUES ('key-hzz630494463ejqjx0000', 'alibaba', '', 'cn-hangzhou', '1192853035118460');

-- The principals the valid documents name (the endpoint's own account root,
-- arn:aws:iam::111122223333:root / acs:ram::1192853035118460:*, needs none).
SELECT p AS principal, kms_register_principal(p) AS registered
  FROM unnest(ARRAY[
    'arn:aws:iam::111122223333:user/ExampleUser',
    'arn:aws:iam::111122223333:user/ExampleAdminUser',
    'arn:aws:iam::111122223333:role/ExampleAdminRole',
    'arn:aws:iam::111122223333:role/ExamplePowerUserRole',
    'arn:aws:iam::111122223333:user/root',
    '444455556666',
    'arn:aws:iam::444455556666:role/CrossAccountRole',
    'arn:aws:iam::111122223333:role/service-role/ExamplePathRole',
    'arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/JaneDoe',
    'arn:aws:sts::111122223333:assumed-role/ExampleAdminRole/AdminSession',
    'arn:aws:sts::111122223333:federated-user/ExampleFederatedUser',
    'arn:aws-cn:iam::444455556666:user/ExampleCnUser',
    'arn:aws-us-gov:iam::444455556666:role/ExampleGovRole',
    'acs:ram::1903253031260000:root',
    'acs:ram::1903253031260000:user/cross_account_user',
    'acs:ram::1192853035118460:user/for_test_policy',
    'acs:ram::1192853035118460:role/ExampleRamRole'
  ]) AS p;

-- fill(doc, filler, target, bytes): replace @@ in doc by as many copies of
-- filler as fit, then pad with spaces to exactly target characters (or UTF-8
-- bytes when bytes is true).  Used for the size cases.
CREATE FUNCTION pg_temp.fill(doc text, filler text, target integer, bytes boolean)
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  base text := replace(doc, '@@', '');
  r text;
BEGIN
  IF bytes THEN
    r := replace(doc, '@@', repeat(filler, (target - octet_length(base)) / octet_length(filler)));
    RETURN r || repeat(' ', target - octet_length(r));
  END IF;
  r := replace(doc, '@@', repeat(filler, (target - length(base)) / length(filler)));
  RETURN r || repeat(' ', target - length(r));
END $f$;

-- check(dialect, doc): store doc as the policy of the dialect's key, through
-- the trigger; 'ok', or the SQLSTATE with the error's message and detail.
CREATE FUNCTION pg_temp.check(dialect text, doc text,
                              OUT result text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $f$
DECLARE
  k text := CASE dialect WHEN 'aws' THEN '1234abcd-12ab-34cd-56ef-1234567890ab'
                         WHEN 'alibaba' THEN 'key-hzz630494463ejqjx0000' END;
BEGIN
  INSERT INTO kms_policy.key_policies (key_id, policy) VALUES (k, doc)
    ON CONFLICT (key_id, policy_name) DO UPDATE SET policy = EXCLUDED.policy;
  result := 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS result = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                          detail = PG_EXCEPTION_DETAIL;
END $f$;

CREATE TEMP TABLE corpus (
  n        serial PRIMARY KEY,
  dialect  text NOT NULL CHECK (dialect IN ('aws', 'alibaba')),
  label    text NOT NULL UNIQUE,
  expected text NOT NULL CHECK (expected IN ('ok', 'KM002', 'KM003', 'KM004', 'KM007', 'KA001')),
  doc      text NOT NULL
);

-- ===== The example policies of the seed documents and the spec (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'seed 000: default key policy, AWS byte layout', 'ok', $j${
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}$j$),
('aws', 'seed 001: default key policy as printed in the API reference', 'ok', $j${
 "Version" : "2012-10-17",
 "Id" : "key-default-1",
 "Statement" : [ {
 "Sid" : "Enable IAM User Permissions",
 "Effect" : "Allow",
 "Principal" : {
 "AWS" : "arn:aws:iam::111122223333:root"
 },
 "Action" : "kms:*",
 "Resource" : "*"
 } ]
 }$j$),
('aws', 'spec 6: default key policy with CRLF line ends', 'ok',
 replace($j${
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}$j$, E'\n', E'\r\n')),
('aws', 'seed 002: Java/C#/Ruby ExampleUser policy', 'ok',
 $j${  "Version": "2012-10-17",  "Statement": [{    "Sid": "Allow access for ExampleUser",    "Effect": "Allow",    "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},    "Action": [      "kms:Encrypt",      "kms:GenerateDataKey*",      "kms:Decrypt",      "kms:DescribeKey",      "kms:ReEncrypt*"    ],    "Resource": "*"  }]}$j$),
('aws', 'seed 002: Python ExampleUser policy (leading newline)', 'ok', $j$
{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Allow access for ExampleUser",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
        "Action": [
            "kms:Encrypt",
            "kms:GenerateDataKey*",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:ReEncrypt*"
        ],
        "Resource": "*"
    }]
}$j$),
('aws', 'seed 002: PHP policy (user/root, duplicate Sids, trailing spaces)', 'ok', $j${ 
        "Version": "2012-10-17", 
        "Id": "custom-policy-2016-12-07", 
        "Statement": [ 
            { "Sid": "Enable IAM User Permissions", 
            "Effect": "Allow", 
            "Principal": 
               { "AWS": "arn:aws:iam::111122223333:user/root" }, 
            "Action": [ "kms:*" ], 
            "Resource": "*" }, 
            { "Sid": "Enable IAM User Permissions", 
            "Effect": "Allow", 
            "Principal":
               { "AWS": "arn:aws:iam::111122223333:user/ExampleUser" }, 
            "Action": [
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:Decrypt*",
                "kms:DescribeKey*",
                "kms:ReEncrypt*"
            ], 
            "Resource": "*" }
        ]
    } $j$),
('aws', 'seed 002: Node.js policy (duplicate Sids)', 'ok', $j${
    "Version": "2012-10-17",
    "Id": "custom-policy-2016-12-07",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:user/ExampleUser"
            },
            "Action": [
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:Decrypt*",
                "kms:DescribeKey*",
                "kms:ReEncrypt*"
            ],
            "Resource": "*"
        } 
    ]
}$j$),
('aws', 'seed 002: PowerShell policy', 'ok', $j${
    "Version": "2012-10-17", 
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:user/ExampleUser"
            },
            "Action": [
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:Decrypt*",
                "kms:DescribeKey*",
                "kms:ReEncrypt*"
            ],
            "Resource": "*"
        }]
    }$j$),
('aws', 'seed 004: four statements, Bool condition, trailing newline', 'ok', $j${
    "Version": "2012-10-17",
    "Id": "custom-policy-2016-12-07",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:root"
            },
            "Action": "kms:*",
            "Resource": "*"
        },
        {
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    "arn:aws:iam::111122223333:user/ExampleAdminUser",
                    "arn:aws:iam::111122223333:role/ExampleAdminRole"
                ]
            },
            "Action": [
                "kms:Create*",
                "kms:Describe*",
                "kms:Enable*",
                "kms:List*",
                "kms:Put*",
                "kms:Update*",
                "kms:Revoke*",
                "kms:Disable*",
                "kms:Get*",
                "kms:Delete*",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion"
            ],
            "Resource": "*"
        },
        {
            "Sid": "Allow use of the key",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:role/ExamplePowerUserRole"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey"
            ],
            "Resource": "*"
        },
        {
            "Sid": "Allow attachment of persistent resources",
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::111122223333:role/ExamplePowerUserRole"
            },
            "Action": [
                "kms:CreateGrant",
                "kms:ListGrants",
                "kms:RevokeGrant"
            ],
            "Resource": "*",
            "Condition": {
                "Bool": {
                    "kms:GrantIsForAWSResource": "true"
                }
            }
        }
    ]
}
$j$),
('aws', 'README Getting Started policy', 'ok', $j${
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ExampleUser"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}
  ]}$j$),
('aws', 'README Getting Started: kms:GetKeyPolcy stored with a WARNING', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:GetKeyPolcy","Resource":"*"}}$j$);

-- ===== Strict JSON (RFC 8259), where json-c alone would be lenient =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'json: duplicate top-level key Version', 'KM003',
 $j${"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: duplicate top-level key Statement', 'KM003',
 $j${"Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"},"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: duplicate key Effect in a statement', 'KM003',
 $j${"Statement":{"Effect":"Allow","Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: duplicate key AWS in Principal', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333","AWS":"444455556666"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: duplicate condition key in an operator block', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:CallerAccount":"444455556666"}}}}$j$),
('aws', 'json: duplicate key in the second statement of an array', 'KM003',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Action":"kms:Encrypt","Resource":"*"}]}$j$),
('aws', 'json: duplicate key after unescaping ("Effect" vs "\u0045ffect")', 'KM003',
 $j${"Statement":{"Effect":"Allow","\u0045ffect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: duplicate key after unescaping ("a" vs "\u0061" in Condition)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:a":"1","kms:EncryptionContext:\u0061":"2"}}}}$j$),
('aws', 'json: duplicate top-level key after unescaping ({"a":1,"\u0061":2})', 'KM003',
 $j${"a":1,"\u0061":2}$j$),
('aws', 'json: escaped key name that is unique ("\u0053id")', 'ok',
 $j${"Statement":{"\u0053id":"escaped","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: single-quoted keys', 'KM003',
 $j${'Statement':{'Effect':'Allow','Principal':{'AWS':'111122223333'},'Action':'kms:*','Resource':'*'}}$j$),
('aws', 'json: single-quoted value', 'KM003',
 $j${"Statement":{"Effect":'Allow',"Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: NaN as a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":NaN}}}}$j$),
('aws', 'json: Infinity as a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":Infinity}}}}$j$),
('aws', 'json: -Infinity as a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":-Infinity}}}}$j$),
('aws', 'json: raw tab inside a string', 'KM003',
 $j${"Statement":{"Sid":"a$j$ || chr(9) || $j$b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: raw line feed inside a string', 'KM003',
 $j${"Statement":{"Sid":"a$j$ || chr(10) || $j$b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: raw carriage return inside a string', 'KM003',
 $j${"Statement":{"Sid":"a$j$ || chr(13) || $j$b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: raw tab, LF, CR between tokens', 'ok',
 $j${$j$ || chr(9) || $j$"Statement"$j$ || chr(13) || chr(10) || $j$:$j$ || chr(9) || $j${"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: escaped \t \n \r \u0009 \u001f inside a string', 'ok',
 $j${"Statement":{"Sid":"a\tb\nc\rd\u0009e\u001f","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: raw U+0001 inside a string (not a policy character)', 'KM007',
 $j${"Statement":{"Sid":"a$j$ || chr(1) || $j$b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: \u0000 escape', 'KM003',
 $j${"Statement":{"Sid":"a\u0000b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: lone high surrogate \ud800', 'KM003',
 $j${"Statement":{"Sid":"a\ud800b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: lone low surrogate \udc00', 'KM003',
 $j${"Statement":{"Sid":"\udc00","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: high surrogate followed by \u0041', 'KM003',
 $j${"Statement":{"Sid":"\ud800\u0041","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: surrogates in the wrong order', 'KM003',
 $j${"Statement":{"Sid":"\ude00\ud83d","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: valid surrogate pair escape \ud83d\ude00', 'ok',
 $j${"Statement":{"Sid":"smile \ud83d\ude00","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: escaped \u20ac (the document itself is ASCII)', 'ok',
 $j${"Statement":{"Sid":"price in \u20ac","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: escaped solidus and backslash', 'ok',
 $j${"Statement":{"Sid":"a\/b\\c\"d","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: invalid escape \x41', 'KM003',
 $j${"Statement":{"Sid":"\x41","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', E'json: invalid escape \\''', 'KM003',
 $j${"Statement":{"Sid":"it\'s","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: truncated \u escape', 'KM003',
 $j${"Statement":{"Sid":"\u12","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: integer 99999999999999999999 (beyond int64)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":99999999999999999999}}}}$j$),
('aws', 'json: integer 9223372036854775808 (int64 max + 1)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":9223372036854775808}}}}$j$),
('aws', 'json: integer 9223372036854775807 (int64 max)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":9223372036854775807}}}}$j$),
('aws', 'json: integer -9223372036854775808 (int64 min)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":-9223372036854775808}}}}$j$),
('aws', 'json: number 1.5e999 (beyond double)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":1.5e999}}}}$j$),
('aws', 'json: number 1.5e308, -0, 0.25E-3', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":[1.5e308,-0,0.25E-3]}}}}$j$),
('aws', 'json: number 1. (no fraction digits)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":1.}}}}$j$),
('aws', 'json: number 01 (leading zero)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":01}}}}$j$),
('aws', 'json: number .5', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":.5}}}}$j$),
('aws', 'json: number +1', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":+1}}}}$j$),
('aws', 'json: number 1e (no exponent digits)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":1e}}}}$j$),
('aws', 'json: hexadecimal number 0x10', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":0x10}}}}$j$),
('aws', 'json: trailing garbage after the object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}} x$j$),
('aws', 'json: a second object after the first', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}{}$j$),
('aws', 'json: trailing whitespace of every kind after the object', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$ || E'\n\t \r\n'),
('aws', 'json: trailing comma in an object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*",}}$j$),
('aws', 'json: trailing comma in an array', 'KM003',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},]}$j$),
('aws', 'json: empty array element (double comma)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Encrypt",,"kms:Decrypt"],"Resource":"*"}}$j$),
('aws', 'json: /* block comment */', 'KM003',
 $j${/* default */"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: // line comment', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"} // all
}$j$),
('aws', 'json: # comment', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}} # all$j$),
('aws', 'json: top-level array', 'KM003',
 $j$[{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}]$j$),
('aws', 'json: top-level string', 'KM003', $j$"{}"$j$),
('aws', 'json: top-level number', 'KM003', $j$42$j$),
('aws', 'json: top-level null', 'KM003', $j$null$j$),
('aws', 'json: top-level true', 'KM003', $j$true$j$),
('aws', 'json: empty object', 'KM003', $j${}$j$),
('aws', 'json: whitespace only', 'KM003', E' \n\t'),
('aws', 'json: empty document', 'KM007', ''),
('aws', 'json: unterminated string', 'KM003',
 $j${"Statement":{"Effect":"Allow,"Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: unterminated object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}$j$),
('aws', 'json: missing colon', 'KM003',
 $j${"Statement":{"Effect" "Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: missing comma', 'KM003',
 $j${"Statement":{"Effect":"Allow" "Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: unquoted key', 'KM003',
 $j${Statement:{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'json: misspelt literal tru', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":tru}}}}$j$),
('aws', 'json: capitalised literal True', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":True}}}}$j$),
('aws', 'json: nesting depth 32 (allowed by JSON, refused by the grammar)', 'KM003',
 '{"Statement":' || repeat('[', 31) || repeat(']', 31) || '}'),
('aws', 'json: nesting depth 33', 'KM003',
 '{"Statement":' || repeat('[', 32) || repeat(']', 32) || '}'),
('aws', 'json: nesting depth 33 in a condition value', 'KM003',
 '{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":'
 || repeat('[', 29) || '"111122223333"' || repeat(']', 29) || '}}}}'),
('aws', 'json: nesting depth 10001, unbalanced', 'KM003',
 '{"Statement":' || repeat('[{"a":', 5000));

-- ===== Characters and sizes (AWS): characters and length first (KM007), then
-- the 32768-character quota (KM004), then JSON =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'chars: raw U+20AC (euro sign)', 'KM007',
 $j${"Statement":{"Sid":"$j$ || chr(8364) || $j$","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+1F600 (emoji)', 'KM007',
 $j${"Statement":{"Sid":"$j$ || chr(128512) || $j$","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+0100, just above the range', 'KM007',
 $j${"Statement":{"Sid":"$j$ || chr(256) || $j$","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+FEFF byte order mark before the document', 'KM007',
 chr(65279) || $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+000B vertical tab between tokens', 'KM007',
 $j${"Statement":$j$ || chr(11) || $j${"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+000C form feed between tokens', 'KM007',
 $j${"Statement":$j$ || chr(12) || $j${"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw e-acute, y-diaeresis (U+00E9, U+00FF) in a Sid', 'ok',
 $j${"Statement":{"Sid":"caf$j$ || chr(233) || chr(255) || $j$","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'chars: raw U+007F and U+0085 in a Sid (inside U+0020..U+00FF)', 'ok',
 $j${"Statement":{"Sid":"a$j$ || chr(127) || chr(133) || $j$b","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'size: exactly 32768 characters', 'ok',
 pg_temp.fill($j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, ' ', 32768, false)),
('aws', 'size: 32769 characters', 'KM004',
 pg_temp.fill($j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, ' ', 32769, false)),
('aws', 'size: 32768 characters of which most are e-acute (65000+ UTF-8 bytes)', 'ok',
 pg_temp.fill($j${"Statement":{"Sid":"@@","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, chr(233), 32768, false)),
('aws', 'size: 32769 characters of which most are e-acute', 'KM004',
 pg_temp.fill($j${"Statement":{"Sid":"@@","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, chr(233), 32769, false)),
('aws', 'size: exactly 131072 characters', 'KM004',
 pg_temp.fill($j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, ' ', 131072, false)),
('aws', 'size: 131073 characters', 'KM007',
 pg_temp.fill($j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$, ' ', 131073, false)),
('aws', 'size: 40000 x (the quota is checked before JSON)', 'KM004', repeat('x', 40000)),
('aws', 'size: 40000 characters with a U+20AC (characters before the quota)', 'KM007',
 pg_temp.fill('{"Id":"' || chr(8364) || '"}', ' ', 40000, false));

-- ===== Top-level elements (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'top: Version 2012-10-17', 'ok',
 $j${"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version 2008-10-17', 'ok',
 $j${"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version absent', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version 2012-10-18', 'KM003',
 $j${"Version":"2012-10-18","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version "1" (the Alibaba version) on an AWS key', 'KM003',
 $j${"Version":"1","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version empty string', 'KM003',
 $j${"Version":"","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version as a number', 'KM003',
 $j${"Version":2012,"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version null', 'KM003',
 $j${"Version":null,"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Version as an array', 'KM003',
 $j${"Version":["2012-10-17"],"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Id with spaces', 'ok',
 $j${"Id":"key-consolepolicy 2","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Id empty string', 'ok',
 $j${"Id":"","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Id as a number', 'KM003',
 $j${"Id":7,"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Id as an object', 'KM003',
 $j${"Id":{"a":"b"},"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: unknown element', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},"Comment":"x"}$j$),
('aws', 'top: element name in the wrong case (statement)', 'KM003',
 $j${"statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'top: Statement missing', 'KM003', $j${"Version":"2012-10-17","Id":"x"}$j$),
('aws', 'top: Statement empty array', 'KM003', $j${"Version":"2012-10-17","Statement":[]}$j$),
('aws', 'top: Statement as a string', 'KM003', $j${"Version":"2012-10-17","Statement":"Allow"}$j$),
('aws', 'top: Statement null', 'KM003', $j${"Version":"2012-10-17","Statement":null}$j$),
('aws', 'top: Statement array of a string', 'KM003', $j${"Statement":["x"]}$j$),
('aws', 'top: Statement array of an empty object', 'KM003', $j${"Statement":[{}]}$j$),
('aws', 'top: Statement array holding an array', 'KM003',
 $j${"Statement":[[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]]}$j$),
('aws', 'top: elements in any order', 'ok',
 $j${"Statement":[{"Resource":"*","Action":"kms:*","Principal":{"AWS":"111122223333"},"Effect":"Allow","Sid":"reversed"}],"Id":"x","Version":"2012-10-17"}$j$);

-- ===== Statement elements (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'stmt: Sid as a number', 'KM003',
 $j${"Statement":{"Sid":1,"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Sid null', 'KM003',
 $j${"Statement":{"Sid":null,"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Sid as an array', 'KM003',
 $j${"Statement":{"Sid":["a"],"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Sid empty string', 'ok',
 $j${"Statement":{"Sid":"","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Sid with spaces and punctuation', 'ok',
 $j${"Statement":{"Sid":"Allow use of the key (2024) #1: ok!","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: the same Sid in three statements', 'ok',
 $j${"Statement":[{"Sid":"s","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Sid":"s","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"},{"Sid":"s","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}$j$),
('aws', 'stmt: Effect Deny', 'ok',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}$j$),
('aws', 'stmt: Effect in lower case (allow)', 'KM003',
 $j${"Statement":{"Effect":"allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Effect Permit', 'KM003',
 $j${"Statement":{"Effect":"Permit","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Effect missing', 'KM003',
 $j${"Statement":{"Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Effect as an array', 'KM003',
 $j${"Statement":{"Effect":["Allow"],"Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal missing', 'KM003',
 $j${"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal missing in the second statement', 'KM003',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Sid":"no principal","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}$j$),
('aws', 'stmt: NotPrincipal instead of Principal', 'KM003',
 $j${"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal and NotPrincipal', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Action and NotAction', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","NotAction":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'stmt: neither Action nor NotAction', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Resource":"*"}}$j$),
('aws', 'stmt: NotAction with Deny', 'ok',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","NotAction":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}$j$),
('aws', 'stmt: NotAction with Allow', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"NotAction":"kms:ScheduleKeyDeletion","Resource":"*"}}$j$),
('aws', 'stmt: Resource missing', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*"}}$j$),
('aws', 'stmt: Resource ["*"]', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":["*"]}}$j$),
('aws', 'stmt: Resource the key ARN', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}$j$),
('aws', 'stmt: Resource "*" and an ARN', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":["*","arn:aws:kms:*:111122223333:key/*"]}}$j$),
('aws', 'stmt: Resource empty array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":[]}}$j$),
('aws', 'stmt: Resource empty string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":""}}$j$),
('aws', 'stmt: NotResource instead of Resource', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","NotResource":"*"}}$j$),
('aws', 'stmt: unknown element', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Description":"x"}}$j$),
('aws', 'stmt: element name in the wrong case (effect)', 'KM003',
 $j${"Statement":{"effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Action as a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":5,"Resource":"*"}}$j$),
('aws', 'stmt: Action empty array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":[],"Resource":"*"}}$j$),
('aws', 'stmt: Action array holding a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Decrypt",5],"Resource":"*"}}$j$),
('aws', 'stmt: Action as an object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":{"kms":"*"},"Resource":"*"}}$j$),
('aws', 'stmt: Action null', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":null,"Resource":"*"}}$j$),
('aws', 'stmt: Principal empty array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":[],"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal empty string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"","Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal empty object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal AWS empty array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Principal a bare ARN string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"kms:*","Resource":"*"}}$j$),
('aws', 'stmt: Condition as a string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":"none"}}$j$),
('aws', 'stmt: Condition as an array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":[]}}$j$),
('aws', 'stmt: Condition null', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":null}}$j$),
('aws', 'stmt: Condition empty object', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{}}}$j$);

-- ===== Principals (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'principal: "*"', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: {"AWS":"*"}', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: {"AWS":["*"]}', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: own account ID', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: registered account ID of another account', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","444455556666"]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unregistered account ID', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"555566667777"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: root ARN of another registered account', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: root ARN of an unregistered account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::555566667777:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: user, role, cross-account role ARNs', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/ExampleUser","arn:aws:iam::111122223333:role/ExampleAdminRole","arn:aws:iam::444455556666:role/CrossAccountRole"]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: role ARN with a path', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/service-role/ExamplePathRole"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: user ARN with a path', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/JaneDoe"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: assumed-role session ARN', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/ExampleAdminRole/AdminSession"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: federated-user ARN', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:federated-user/ExampleFederatedUser"},"Action":"kms:*","Resource":"*"}}$j$),
-- Registered, but of another partition: no such principal exists for a key
-- of the aws partition.
('aws', 'principal: aws-cn user ARN (registered, other partition)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::444455556666:user/ExampleCnUser"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: aws-us-gov role ARN (registered, other partition)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-us-gov:iam::444455556666:role/ExampleGovRole"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: aws-cn root ARN of an unregistered account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::777788889999:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unregistered user of another account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Nobody"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unregistered user of the own account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Nobody"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unregistered role in a list of registered ones', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/ExampleUser","arn:aws:iam::111122223333:role/Missing"]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unregistered assumed-role session', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/ExampleAdminRole/OtherSession"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: IAM group', 'KM002',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: instance profile', 'KM002',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:instance-profile/WebServer"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: wildcard user/*', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: wildcard in the role name', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Example*"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: wildcard account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: ? wildcard in a user name', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ExampleUse?"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: ARN without a resource part', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: IAM ARN with a region', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:us-east-1:111122223333:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: ARN with an 11-digit account', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::11112222333:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: ARN with an empty user name', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: assumed-role ARN without a session', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/ExampleAdminRole"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: unknown partition', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws-mars:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: S3 bucket ARN', 'KM002',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::examplebucket"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: 11-digit account ID', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"11112222333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: 13-digit account ID', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"1111222233334"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: bob', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: AWS value a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":111122223333},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: AWS value a nested array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":[["111122223333"]]},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: Service', 'ok',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}$j$),
('aws', 'principal: Service list, regional and .amazonaws.com.cn names', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"Service":["logs.us-east-1.amazonaws.com","s3.amazonaws.com.cn"]},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: AWS and Service together', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"cloudtrail.amazonaws.com"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: Service without a domain', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Service":"cloudtrail"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: Service of another domain', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Service":"kms.example.com"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: Service "*"', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Service":"*"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: Federated', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: Federated SAML provider', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/ExampleProvider"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: CanonicalUser', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: unknown principal type', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"Group":"Admins"},"Action":"kms:Decrypt","Resource":"*"}}$j$),
('aws', 'principal: type in the wrong case (aws)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"aws":"111122223333"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'principal: RAM principal on an AWS key', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":"kms:*","Resource":"*"}}$j$);

-- ===== Actions (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'action: "*"', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}}$j$),
('aws', 'action: any case (KMS:ENCRYPT, kms:decrypt)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["KMS:ENCRYPT","kms:decrypt"],"Resource":"*"}}$j$),
('aws', 'action: wildcards kms:Get*, kms:*Key*, kms:Encryp?', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Get*","kms:*Key*","kms:Encryp?","kms:**"],"Resource":"*"}}$j$),
('aws', 'action: the three key-policy actions and kms:CreateKey', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:GetKeyPolicy","kms:PutKeyPolicy","kms:ListKeyPolicies","kms:CreateKey"],"Resource":"*"}}$j$),
('aws', 'action: other services (s3:GetObject, iam:Pass?ole, ec2:*)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["s3:GetObject","iam:Pass?ole","ec2:*"],"Resource":"*"}}$j$),
('aws', 'action: typo kms:GetKeyPolcy (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:GetKeyPolcy","Resource":"*"}}$j$),
('aws', 'action: typo in the second item (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Encrypt","kms:Bogus"],"Resource":"*"}}$j$),
('aws', 'action: typo in NotAction (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Deny","Principal":"*","NotAction":"kms:Decrypt2","Resource":"*"}}$j$),
('aws', 'action: pattern kms:Foo* matching no action (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Foo*","Resource":"*"}}$j$),
('aws', 'action: pattern kms:? matching no action (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:?","Resource":"*"}}$j$),
('aws', 'action: kms:Decrypt:extra (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt:extra","Resource":"*"}}$j$),
('aws', 'action: "kms" without a colon (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms","Resource":"*"}}$j$),
('aws', 'action: ":x" without a service (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":":x","Resource":"*"}}$j$),
('aws', 'action: "kms:" without a name (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:","Resource":"*"}}$j$),
('aws', 'action: empty string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"","Resource":"*"}}$j$),
('aws', 'action: a space in the name (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Get Key*","Resource":"*"}}$j$);

-- ===== Conditions (AWS) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'cond: String operators', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"},"StringNotEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"},"StringEqualsIgnoreCase":{"aws:PrincipalType":"user"},"StringNotEqualsIgnoreCase":{"kms:KeySpec":"symmetric_default"},"StringLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/App-*"},"StringNotLike":{"aws:userid":"AIDA?*:temp"}}}}$j$),
('aws', 'cond: policy variable ${aws:username}', 'ok',
 $j${"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:owner":"${aws:username}"}}}}$j$),
('aws', 'cond: Numeric operators, string and JSON number values', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericEquals":{"aws:MultiFactorAuthAge":"3600"},"NumericNotEquals":{"aws:MultiFactorAuthAge":0},"NumericLessThan":{"aws:MultiFactorAuthAge":"1.5"},"NumericLessThanEquals":{"aws:MultiFactorAuthAge":["10","-20"]},"NumericGreaterThan":{"aws:MultiFactorAuthAge":-1},"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":2.5}}}}$j$),
('aws', 'cond: Numeric value not a number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"abc"}}}}$j$),
('aws', 'cond: Numeric value empty string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":""}}}}$j$),
('aws', 'cond: Numeric value a JSON boolean', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericEquals":{"aws:MultiFactorAuthAge":true}}}}$j$),
('aws', 'cond: Numeric value a policy variable', 'KM003',
 $j${"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"${aws:EpochTime}"}}}}$j$),
('aws', 'cond: Date operators, ISO 8601 and epoch values', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2030-01-01"},"DateEquals":{"aws:TokenIssueTime":"1700000000"},"DateNotEquals":{"aws:TokenIssueTime":1700000000},"DateLessThanEquals":{"aws:CurrentTime":"2030-06-30T12:00:00+02:00"},"DateGreaterThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00.123Z"}}}}$j$),
('aws', 'cond: Date value not a date', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}}}$j$),
('aws', 'cond: Date value with month 13', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-13-01T00:00:00Z"}}}}$j$),
('aws', 'cond: Date value a JSON boolean', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":true}}}}$j$),
('aws', 'cond: Bool with "true" and JSON false', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true","kms:GrantIsForAWSResource":false}}}}$j$),
('aws', 'cond: Bool kms:BypassPolicyLockoutSafetyCheck (JSON true)', 'ok',
 $j${"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":true}}}]}$j$),
('aws', 'cond: Bool value yes', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}$j$),
('aws', 'cond: Bool value a JSON number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":1}}}}$j$),
('aws', 'cond: BinaryEquals base64', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"BinaryEquals":{"kms:EncryptionContext:blob":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}}}$j$),
('aws', 'cond: BinaryEquals value not base64', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"BinaryEquals":{"kms:EncryptionContext:blob":"not base64!"}}}}$j$),
('aws', 'cond: IpAddress / NotIpAddress, IPv4, IPv6, bare address', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]},"NotIpAddress":{"aws:SourceIp":"203.0.113.7"}}}}$j$),
('aws', 'cond: IpAddress octet 300', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}}$j$),
('aws', 'cond: IpAddress prefix /33', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}$j$),
('aws', 'cond: IpAddress banana', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"banana"}}}}$j$),
('aws', 'cond: IpAddress a JSON number', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":10}}}}$j$),
('aws', 'cond: Arn operators', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/App"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-*"},"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/Bad"},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Temp*"}}}}$j$),
('aws', 'cond: Null with "true" and JSON false', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"aws:SourceIp":"true","kms:EncryptionContext:dept":false}}}}$j$),
('aws', 'cond: Null value maybe', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"aws:SourceIp":"maybe"}}}}$j$),
('aws', 'cond: NullIfExists', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"NullIfExists":{"aws:SourceIp":"true"}}}}$j$),
('aws', 'cond: IfExists on every other family', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"},"DateGreaterThanIfExists":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"},"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"},"BinaryEqualsIfExists":{"kms:EncryptionContext:blob":"AAEC"},"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"},"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::*"}}}}$j$),
('aws', 'cond: IfExists twice', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExistsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}$j$),
('aws', 'cond: ForAnyValue / ForAllValues on multivalued keys', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:CreateGrant","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["dept","project"]},"ForAllValues:StringLike":{"aws:TagKeys":"env-*"},"ForAllValues:StringEqualsIfExists":{"kms:GrantOperations":["Decrypt","Encrypt"]}}}}$j$),
('aws', 'cond: ForAnyValue on a single-valued key', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:CallerAccount":["111122223333","444455556666"]}}}}$j$),
('aws', 'cond: ForAllValues with kms:EncryptionContext:dept (OverlyPermissiveCondition)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:dept":"it"}}}}$j$),
('aws', 'cond: ForAllValues with aws:RequestTag/env (OverlyPermissiveCondition)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:TagResource","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:RequestTag/env":"prod"}}}}$j$),
('aws', 'cond: ForAllValues with kms:CallerAccount (single-valued)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:CallerAccount":"111122223333"}}}}$j$),
('aws', 'cond: unknown operator StringEqualz', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualz":{"kms:CallerAccount":"111122223333"}}}}$j$),
('aws', 'cond: unknown set qualifier ForSomeValues:', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"kms:EncryptionContextKeys":"dept"}}}}$j$),
('aws', 'cond: set qualifier without an operator (ForAnyValue:)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:":{"kms:EncryptionContextKeys":"dept"}}}}$j$),
('aws', 'cond: unknown aws: key', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceIpAddress":"10.0.0.1"}}}}$j$),
('aws', 'cond: unknown kms: key', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContextt:dept":"it"}}}}$j$),
('aws', 'cond: key of another service (s3:prefix)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/*"}}}}$j$),
('aws', 'cond: key names are case-insensitive', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"},"StringEquals":{"KMS:CallerAccount":"111122223333"}}}}$j$),
('aws', 'cond: templated keys kms:EncryptionContext:x, aws:RequestTag/x, aws:PrincipalTag/x', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:Department":"IT","aws:RequestTag/env":"prod","aws:PrincipalTag/team":"blue"}}}}$j$),
('aws', 'cond: forbidden key aws:ResourceTag/env', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}}$j$),
('aws', 'cond: forbidden key kms:ResourceAliases', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}}}$j$),
('aws', 'cond: both forbidden keys in two statements', 'KM003',
 $j${"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/finance-*"}}},{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}$j$),
('aws', 'cond: JSON number and boolean values of a String operator', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":111122223333,"kms:EncryptionContext:flag":[true,"x",1.5]}}}}$j$),
('aws', 'cond: value an empty array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":[]}}}}$j$),
('aws', 'cond: value an object', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":{"a":"b"}}}}}$j$),
('aws', 'cond: value null', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":null}}}}$j$),
('aws', 'cond: null inside a value array', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":["111122223333",null]}}}}$j$),
('aws', 'cond: operator block a string', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":"kms:CallerAccount"}}}$j$);

-- ===== The Alibaba Cloud dialect (errors are InvalidParameter, KA001) =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('alibaba', 'ali seed 003: default policy, masked digits filled in', 'ok',
 $j${"Statement": [{"Action": ["kms:*"],"Effect": "Allow","Principal": {"RAM": ["acs:ram::1903253031260000:*","acs:ram::1192853035118460:*"]},"Resource": ["*"],"Sid": "kms default key policy"}],"Version": "1" }$j$),
('alibaba', 'ali: README default policy (own account only)', 'ok',
 $j${"Version":"1","Statement":[{"Sid":"kms default key policy","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Version missing', 'KA001',
 $j${"Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Version 2012-10-17', 'KA001',
 $j${"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Version as a number', 'KA001',
 $j${"Version":1,"Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Id element', 'KA001',
 $j${"Version":"1","Id":"key-policy-1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Statement empty array', 'KA001', $j${"Version":"1","Statement":[]}$j$),
('alibaba', 'ali: RAM root, user and role of the own account', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:root","acs:ram::1192853035118460:user/for_test_policy","acs:ram::1192853035118460:role/ExampleRamRole"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM root and user of another registered account', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1903253031260000:root","acs:ram::1903253031260000:user/cross_account_user"]},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM value a string, Action and Resource strings', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":"acs:ram::1192853035118460:*"},"Action":"kms:Decrypt","Resource":"*"}]}$j$),
('alibaba', 'ali: RAM user not registered', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:user/nobody"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM account not registered', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1555566667777000:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM ARN with a short account', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::123:root"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM group', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:group/admins"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
-- Alibaba's docs list the key's account and RAM users/roles as principals,
-- no "everyone": a bare "*" is refused.
('alibaba', 'ali: RAM "*"', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["*"]},"Action":["kms:Decrypt"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: RAM value an AWS ARN', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["arn:aws:iam::111122223333:root"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: AWS principal', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Principal "*"', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":"*","Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Principal missing', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Action of another service', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["ecs:DescribeInstances"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Action list with one non-kms item', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:Encrypt","oss:GetObject"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Action "*"', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Deny with kms: wildcards', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]},{"Effect":"Deny","Principal":{"RAM":["acs:ram::1192853035118460:user/for_test_policy"]},"Action":["kms:Schedule*","kms:Delete*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Effect in lower case', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: NotAction', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Deny","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"NotAction":["kms:Decrypt"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Sid with every allowed character', 'ok',
 $j${"Version":"1","Statement":[{"Sid":"AZaz09_/+=.@- x","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Sid with !', 'KA001',
 $j${"Version":"1","Statement":[{"Sid":"bad!","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Sid with a raw e-acute', 'KA001',
 $j${"Version":"1","Statement":[{"Sid":"caf$j$ || chr(233) || $j$","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Sid of 128 characters', 'ok',
 $j${"Version":"1","Statement":[{"Sid":"$j$ || repeat('s', 128) || $j$","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Sid of 129 characters', 'KA001',
 $j${"Version":"1","Statement":[{"Sid":"$j$ || repeat('s', 129) || $j$","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: Resource an ARN', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["acs:kms:cn-hangzhou:1192853035118460:key/*"]}]}$j$),
('alibaba', 'ali: Resource missing', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"]}]}$j$),
('alibaba', 'ali: condition acs:SourceIp and acs:CurrentTime', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:user/for_test_policy"]},"Action":["kms:Decrypt"],"Resource":["*"],"Condition":{"IpAddress":{"acs:SourceIp":["192.168.0.0/16","10.0.0.1"]},"DateLessThan":{"acs:CurrentTime":"2030-01-01T00:00:00+08:00"},"Bool":{"acs:SecureTransport":"true"}}}]}$j$),
('alibaba', 'ali: condition acs:SourceIp bad CIDR', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"IpAddress":{"acs:SourceIp":"192.168.0.0/40"}}}]}$j$),
('alibaba', 'ali: condition unknown acs: key', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"acs:Bogus":"x"}}}]}$j$),
('alibaba', 'ali: condition aws:SourceIp', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}$j$),
('alibaba', 'ali: bad JSON (trailing comma)', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]},]}$j$),
('alibaba', 'ali: duplicate key', 'KA001',
 $j${"Version":"1","Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$),
('alibaba', 'ali: e-acute in a condition value', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"kms:EncryptionContext:city":"Orl$j$ || chr(233) || $j$ans"}}}]}$j$),
('alibaba', 'ali: U+20AC in a condition value (no AWS character set)', 'ok',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"kms:EncryptionContext:currency":"$j$ || chr(8364) || $j$"}}}]}$j$),
('alibaba', 'ali size: exactly 32768 bytes', 'ok',
 pg_temp.fill($j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$, ' ', 32768, true)),
('alibaba', 'ali size: 32769 bytes', 'KA001',
 pg_temp.fill($j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}$j$, ' ', 32769, true)),
('alibaba', 'ali size: 32768 bytes, mostly e-acute (about 16400 characters)', 'ok',
 pg_temp.fill($j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"kms:EncryptionContext:city":"@@"}}}]}$j$, chr(233), 32768, true)),
('alibaba', 'ali size: 32769 bytes, mostly e-acute (about 16400 characters)', 'KA001',
 pg_temp.fill($j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"],"Condition":{"StringEquals":{"kms:EncryptionContext:city":"@@"}}}]}$j$, chr(233), 32769, true));

-- ===== Issue 7: fidelity details found against real, public policies =====
INSERT INTO corpus (dialect, label, expected, doc) VALUES
('aws', 'issue7: Principal AWS empty string (no principal)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":""},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'issue7: principal ARN without a service (invalid principals)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws::111122223333:root"},"Action":"kms:*","Resource":"*"}}$j$),
('aws', 'issue7: action kms=GenerateDataKey (WARNING)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:*","kms=GenerateDataKey"],"Resource":"*"}}$j$),
('aws', 'issue7: DateLessThan 2025-02-29 (not a date)', 'KM003',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2025-02-29"}}}}$j$),
('aws', 'issue7: DateLessThan 2024-02-29 (a leap day)', 'ok',
 $j${"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-02-29"}}}}$j$),
('alibaba', 'issue7: ali action kms=Decrypt (Alibaba refuses it)', 'KA001',
 $j${"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms=Decrypt"],"Resource":["*"]}]}$j$);

-- ===== Run the corpus =====
CREATE TEMP TABLE outcome AS
  SELECT c.n, r.result, r.message, r.detail
    FROM corpus c, LATERAL pg_temp.check(c.dialect, c.doc) r
   ORDER BY c.n;

\pset format unaligned
\pset fieldsep ' | '
-- One row per document: the outcome, whether it is the expected one, and the
-- error message (which starts with the exception name).
SELECT c.n, c.dialect, c.label, o.result,
       CASE WHEN o.result = c.expected THEN 'ok' ELSE 'WRONG (expected ' || c.expected || ')' END AS match,
       coalesce(o.message, '(stored)') AS message
  FROM corpus c JOIN outcome o USING (n)
 ORDER BY c.n;

-- The size cases really have the sizes their labels give.
SELECT c.n, c.label, length(c.doc) AS characters, octet_length(c.doc) AS utf8_bytes
  FROM corpus c
 WHERE c.label LIKE 'size:%' OR c.label LIKE 'ali size:%'
 ORDER BY c.n;

-- Representative refusals with the detail: the JSON path or byte offset.
SELECT c.n, c.label, o.result, o.message, o.detail
  FROM corpus c JOIN outcome o USING (n)
 WHERE c.label IN (
   'json: duplicate key Effect in a statement',
   'json: duplicate key after unescaping ("a" vs "\u0061" in Condition)',
   'json: raw tab inside a string',
   'json: lone high surrogate \ud800',
   'json: integer 99999999999999999999 (beyond int64)',
   'json: trailing garbage after the object',
   'json: nesting depth 32 (allowed by JSON, refused by the grammar)',
   'json: nesting depth 33',
   'chars: raw U+20AC (euro sign)',
   'size: 131073 characters',
   'stmt: Principal missing in the second statement',
   'principal: unregistered role in a list of registered ones',
   'principal: IAM group',
   'principal: Federated',
   'stmt: Principal AWS empty array',
   'principal: wildcard account',
   'principal: ARN with an 11-digit account',
   'action: empty string',
   'cond: Date value not a date',
   'cond: ForAllValues with kms:EncryptionContext:dept (OverlyPermissiveCondition)',
   'cond: both forbidden keys in two statements',
   'ali: Action list with one non-kms item',
   'issue7: Principal AWS empty string (no principal)',
   'issue7: principal ARN without a service (invalid principals)',
   'issue7: DateLessThan 2025-02-29 (not a date)',
   'ali size: 32769 bytes, mostly e-acute (about 16400 characters)')
 ORDER BY c.n;

-- Summary: WRONG must be 0.
SELECT count(*) AS documents,
       count(*) FILTER (WHERE c.dialect = 'aws') AS aws,
       count(*) FILTER (WHERE c.dialect = 'alibaba') AS alibaba,
       count(*) FILTER (WHERE c.expected = 'ok') AS valid,
       count(*) FILTER (WHERE c.expected <> 'ok') AS invalid,
       count(*) FILTER (WHERE o.result IS DISTINCT FROM c.expected) AS wrong
  FROM corpus c JOIN outcome o USING (n);
\pset format aligned
\pset fieldsep '|'

-- Clean up, so that the file can run again on the same cluster.
DELETE FROM kms_policy.keys;
SELECT count(kms_deregister_principal(arn)) AS deregistered
  FROM (SELECT arn FROM kms_policy.principals ORDER BY arn) p;
SELECT count(*) AS principals_left FROM kms_policy.principals;
DROP TABLE outcome, corpus;
DROP FUNCTION pg_temp.check(text, text), pg_temp.fill(text, text, integer, boolean);
RESET client_min_messages;
