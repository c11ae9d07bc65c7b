-- The principal registry: principals named by key policies must exist.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
SELECT kms_put_key_policy(:'k', '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
-- The endpoint's own account and services need no registration.
SELECT kms_put_key_policy(:'k', '{"Statement":[
  {"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root"]},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"Service":["cloudtrail.amazonaws.com","logs.us-east-1.amazonaws.com"]},"Action":"kms:Encrypt","Resource":"*"},
  {"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}]}');
-- Unknown principals are refused, each with its path.
SELECT kms_put_key_policy(:'k', '{"Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/Alice"]},"Action":"kms:Decrypt","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kms:Decrypt","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
-- Registration: users, roles, sessions, other accounts (by ID or root ARN).
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice') AS alice,
       kms_register_principal('arn:aws:iam::111122223333:user/Alice') AS alice_again,
       kms_register_principal('444455556666') AS account_by_id,
       kms_register_principal('arn:aws:iam::111122223333:role/path/Admin') AS role,
       kms_register_principal('arn:aws:sts::111122223333:assumed-role/Admin/s1') AS session,
       kms_register_principal('arn:aws:sts::111122223333:federated-user/Bob') AS federated;
SELECT arn, dialect, kind, account_id FROM kms_policy.principals ORDER BY arn;
SELECT kms_put_key_policy(:'k', '{"Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/Alice","444455556666",
     "arn:aws:iam::111122223333:role/path/Admin","arn:aws:sts::111122223333:assumed-role/Admin/s1"]},
   "Action":"kms:Decrypt","Resource":"*"}]}');
-- Bad registrations.
SELECT kms_register_principal('arn:aws:iam::111122223333:group/Admins');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal('*');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal('cloudtrail.amazonaws.com');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Al*');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_register_principal(NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kms_policy.principals (arn, dialect, kind, account_id)
VALUES ('arn:aws:iam::111122223333:user/Eve', 'aws', 'role', '111122223333');
\echo :LAST_ERROR_SQLSTATE
-- A principal a stored policy names cannot be removed, by the API or directly.
SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Alice');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kms_policy.principals WHERE arn = 'arn:aws:iam::444455556666:root';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.principals SET arn = 'arn:aws:iam::111122223333:user/Alice2', kind = 'user'
 WHERE arn = 'arn:aws:iam::111122223333:user/Alice';
\echo :LAST_ERROR_SQLSTATE
-- Unused ones can.
SELECT kms_deregister_principal('arn:aws:sts::111122223333:federated-user/Bob') AS removed,
       kms_deregister_principal('arn:aws:sts::111122223333:federated-user/Bob') AS removed_again;
-- The check can be turned off by a superuser.
SET kms_policy.check_principals = off;
SELECT kms_put_key_policy(:'k', '{"Statement":[
  {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/Nobody"},"Action":"kms:Decrypt","Resource":"*"}]}');
RESET kms_policy.check_principals;
-- Now that the policy no longer names them, they can go.
SELECT kms_deregister_principal(arn) FROM kms_policy.principals ORDER BY arn;
DELETE FROM kms_policy.keys;
