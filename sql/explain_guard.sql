-- Who may see what a key policy says.  kms_explain_authorization shows every
-- statement (Sids, principals, condition values) and kms_authorize answers
-- for any principal in any context, so both need what reading the policy
-- needs: kms:GetKeyPolicy on the key, or an administrator.  An
-- AccessDeniedException names the kind of policy that decided, as AWS does;
-- which statement decided (the detail) is shown only to a caller who may
-- read the policy.
\set VERBOSITY default
CREATE ROLE regress_kms_worker;
CREATE ROLE regress_kms_reader;
CREATE ROLE regress_kms_auditor;
CREATE ROLE regress_kms_admins;
GRANT regress_kms_admins TO regress_kms_auditor;
GRANT EXECUTE ON FUNCTION kms_authorize(text, text, text, jsonb),
    kms_explain_authorization(text, text, text, jsonb),
    kms_get_key_policy(text, text), kms_describe_key(text), kms_disable_key(text),
    kms_schedule_key_deletion(text, integer)
    TO regress_kms_worker, regress_kms_reader, regress_kms_auditor;
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
\set worker 'arn:aws:iam::111122223333:user/Worker'
SELECT kms_register_principal(:'worker'),
       kms_register_principal('arn:aws:iam::111122223333:user/Reader');
SELECT kms_map_role('regress_kms_worker', :'worker'),
       kms_map_role('regress_kms_reader', 'arn:aws:iam::111122223333:user/Reader');
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},
 {"Sid":"WorkerUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Worker"},
  "Action":["kms:Decrypt","kms:DescribeKey","kms:DisableKey"],"Resource":"*",
  "Condition":{"StringEquals":{"kms:EncryptionContext:token":"s3cr3t-shared-token"}}},
 {"Sid":"NoDeletionByWorker","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/Worker"},
  "Action":"kms:ScheduleKeyDeletion","Resource":"*"},
 {"Sid":"ReaderReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Reader"},
  "Action":["kms:GetKeyPolicy","kms:DescribeKey"],"Resource":"*"}]}');

-- Worker may not read the policy: no explanation, no decision, and nothing
-- of the policy in the error.
SET ROLE regress_kms_worker;
SELECT * FROM kms_explain_authorization(:'k', :'worker', 'kms:Decrypt',
                                        '{"kms:EncryptionContext:token": "guess"}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', :'worker', 'kms:Decrypt',
                     '{"kms:EncryptionContext:token": "s3cr3t-shared-token"}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_authorize(:'k', 'arn:aws:iam::111122223333:root', 'kms:GetKeyPolicy');
\echo :LAST_ERROR_SQLSTATE
-- His own refusals: the kind of policy, no statement, no Sid.
SELECT kms_get_key_policy(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k', 7);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A Deny in an identity policy is reported as one.
SELECT kms_put_identity_policy(:'worker', 'nodescribe', '{"Version":"2012-10-17","Statement":
 {"Sid":"NoDescribe","Effect":"Deny","Action":"kms:DescribeKey","Resource":"*"}}');
SET ROLE regress_kms_worker;
SELECT key_state FROM kms_describe_key(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT kms_put_identity_policy('arn:aws:iam::111122223333:user/Reader', 'nodisable', '{"Version":"2012-10-17","Statement":
 {"Sid":"NoDisable","Effect":"Deny","Action":"kms:DisableKey","Resource":"*"}}');

-- Reader may read the policy: explanations, decisions about anyone, and the
-- deciding statement in his own refusals (here his identity policy's Deny).
SET ROLE regress_kms_reader;
SELECT policy, statement, sid, effect, outcome, detail
FROM kms_explain_authorization(:'k', :'worker', 'kms:Decrypt',
                               '{"kms:EncryptionContext:token": "guess"}');
SELECT kms_authorize(:'k', :'worker', 'kms:Decrypt',
                     '{"kms:EncryptionContext:token": "s3cr3t-shared-token"}');
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Administrators (superusers and members of kms_policy.administrator_role)
-- need no mapping and no kms:GetKeyPolicy.
SET kms_policy.administrator_role = 'regress_kms_admins';
SET ROLE regress_kms_auditor;
SELECT kms_authorize(:'k', :'worker', 'kms:ScheduleKeyDeletion');
SELECT count(*) AS rows FROM kms_explain_authorization(:'k', :'worker', 'kms:Decrypt');
RESET ROLE;
RESET kms_policy.administrator_role;
-- Without the setting the auditor is an unmapped role like any other.
SET ROLE regress_kms_auditor;
SELECT kms_authorize(:'k', :'worker', 'kms:ScheduleKeyDeletion');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SELECT kms_unmap_role('regress_kms_worker'), kms_unmap_role('regress_kms_reader');
SELECT kms_delete_identity_policy(:'worker', 'nodescribe'),
       kms_delete_identity_policy('arn:aws:iam::111122223333:user/Reader', 'nodisable');
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal(:'worker'),
       kms_deregister_principal('arn:aws:iam::111122223333:user/Reader');
REVOKE EXECUTE ON FUNCTION kms_authorize(text, text, text, jsonb),
    kms_explain_authorization(text, text, text, jsonb),
    kms_get_key_policy(text, text), kms_describe_key(text), kms_disable_key(text),
    kms_schedule_key_deletion(text, integer)
    FROM regress_kms_worker, regress_kms_reader, regress_kms_auditor;
DROP ROLE regress_kms_worker, regress_kms_reader, regress_kms_auditor, regress_kms_admins;
