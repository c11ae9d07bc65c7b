-- kms_validate_policy: findings about a policy document, in the manner of
-- IAM Access Analyzer's ValidatePolicy.  A bad document is an ERROR row with
-- the message kms_put_key_policy raises, never an error; a good one has no
-- ERROR row; each lint code on a minimal document; bad arguments raise.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');

-- The error kms_put_key_policy raises for a document (NULL: none), without
-- the lockout safety check (not a property of the document alone); a put that
-- succeeds is rolled back, so nothing is stored and no history is written.
CREATE FUNCTION pg_temp.put_error(doc text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', doc,
                               bypass_policy_lockout_safety_check => true);
    RAISE EXCEPTION USING ERRCODE = 'P0009', MESSAGE = 'accepted';
EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE = 'P0009' THEN
        RETURN NULL;
    END IF;
    RETURN SQLERRM;
END
$$;

-- Refused documents: one ERROR row each, whose message is the put's message
-- after the exception's name, and whose path is where the put's detail points.
CREATE TEMP TABLE bad (label text, doc text);
INSERT INTO bad VALUES
  ('syntax', '{"Statement": [}'),
  ('empty', ''),
  ('too large', '{"Id": "' || repeat('x', 32800) || '", "Statement": []}'),
  ('no principal', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}'),
  ('invalid arn', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},"Action":"kms:*","Resource":"*"}]}'),
  ('NotPrincipal', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}'),
  ('ForAllValues', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:CallerAccount":"111122223333"}}}]}'),
  ('bad value', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"NumericLessThan":{"kms:GrantConstraintType":"ten"}}}]}');
SELECT b.label, v.finding_type, v.issue_code, v.path, v.message,
       pg_temp.put_error(b.doc) AS put_error,
       substr(pg_temp.put_error(b.doc), position(': ' IN pg_temp.put_error(b.doc)) + 2) = v.message AS same_message
  FROM bad b, kms_validate_policy(b.doc) v
 ORDER BY b.label;
-- exactly one row per refused document
SELECT b.label, count(*) AS findings
  FROM bad b, kms_validate_policy(b.doc) v GROUP BY b.label ORDER BY b.label;

-- A good document: no finding at all.
\set good '{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}'
SELECT count(*) AS findings FROM kms_validate_policy(:'good');
-- The default key policy.
SELECT count(*) AS findings
  FROM kms_validate_policy('{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}');

-- Each lint finding on a minimal document (none is an ERROR: the put accepts
-- every one of these documents).
CREATE TEMP TABLE lint (label text, doc text);
INSERT INTO lint VALUES
  ('unknown action', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:GetKeyPolcy","kms:Fly*"],"Resource":"*"}]}'),
  ('not action', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"NotAction":"kms:ScheduleKeyDeletion","Resource":"*"}}'),
  ('public', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}]}'),
  ('public, restricted', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}'),
  ('redundant action', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Encrypt","kms:*","kms:Get*","kms:GetKeyPolicy","kms:encrypt"],"Resource":"*"}]}'),
  ('redundant statement', '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"B","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"C","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}'),
  ('type mismatch', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*","Condition":{"NumericLessThan":{"aws:SourceIp":"10"},"DateLessThan":{"kms:CallerAccount":"2030-01-01T00:00:00Z"}}}]}'),
  ('set operator', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:CallerAccount":"111122223333"}}}]}'),
  ('impossible range', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2029-12-31T00:00:00Z"},"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}'),
  ('possible range', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*","Condition":{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"},"NumericLessThanEquals":{"aws:MultiFactorAuthAge":["10","3600"]}}}]}'),
  ('missing version', '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}]}'),
  ('outdated version', '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}]}'),
  ('duplicate sid', '{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"},{"Sid":"","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Encrypt","Resource":"*"}]}');
SELECT l.label, v.finding_type, v.issue_code, v.path, v.message
  FROM lint l, kms_validate_policy(l.doc) v
 ORDER BY l.label, v.path, v.issue_code;
-- none of them is refused, by the validation or by the put
SELECT l.label, pg_temp.put_error(l.doc) AS put_error,
       (SELECT count(*) FROM kms_validate_policy(l.doc) WHERE finding_type = 'ERROR') AS errors
  FROM lint l ORDER BY l.label;

-- Alibaba Cloud documents and identity policies.
SELECT count(*) AS findings
  FROM kms_validate_policy('{"Version":"1","Statement":[{"Sid":"kms default key policy","Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}', 'alibaba');
SELECT finding_type, issue_code, path, message
  FROM kms_validate_policy('{"Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1192853035118460:*"]},"Action":["kms:*"],"Resource":["*"]}]}', 'alibaba');
SELECT finding_type, issue_code, path, message
  FROM kms_validate_policy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["kms:Decrypt","kms:*"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}}', kind => 'identity');
SELECT finding_type, issue_code, path, message
  FROM kms_validate_policy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}}');
-- NULL for an optional argument is its default
SELECT count(*) AS findings FROM kms_validate_policy(:'good', NULL, NULL);

-- Bad arguments raise, as everywhere in the API.
SELECT * FROM kms_validate_policy(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kms_validate_policy(NULL, 'alibaba');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kms_validate_policy(:'good', 'gcp');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kms_validate_policy(:'good', 'aws', 'resource');
\echo :LAST_ERROR_SQLSTATE

-- No KMS permission is needed, only EXECUTE: it reads no stored policy.
CREATE ROLE regress_validator;
SELECT has_function_privilege('regress_validator', 'kms_validate_policy(text, text, text)', 'EXECUTE') AS public_execute;
GRANT EXECUTE ON FUNCTION kms_validate_policy(text, text, text) TO regress_validator;
SET ROLE regress_validator;
SELECT issue_code, path FROM kms_validate_policy('{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION kms_validate_policy(text, text, text) FROM regress_validator;
DROP ROLE regress_validator;

DELETE FROM kms_policy.keys;
