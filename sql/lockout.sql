-- The policy lockout safety check, on put and on create.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice');
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
-- The caller (an unmapped superuser: the account root) would lose kms:PutKeyPolicy.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*"}]}');
\echo :LAST_ERROR_SQLSTATE
-- A condition the request does not meet counts as not allowing.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}');
\echo :LAST_ERROR_SQLSTATE
-- Narrower grants that still allow PutKeyPolicy pass.
SELECT kms_put_key_policy(:'k', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:Put*","kms:Get*","kms:List*","kms:Describe*"],"Resource":"*"}}');
-- Bypassing the check: the policy is stored although it denies every later
-- put made without the bypass flag.
\set deny_unless_bypass '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"false"}}}]}'
\set deny_bypass '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"true"}}}]}'
\set root_only '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
SELECT kms_put_key_policy(:'k', :'deny_unless_bypass');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', :'deny_unless_bypass', bypass_policy_lockout_safety_check => true);
-- The current policy now refuses a put without the flag ...
SELECT kms_put_key_policy(:'k', :'root_only');
\echo :LAST_ERROR_SQLSTATE
-- ... and allows one with it.
SELECT kms_put_key_policy(:'k', :'deny_bypass', bypass_policy_lockout_safety_check => true);
-- A Deny on kms:BypassPolicyLockoutSafetyCheck = true: bypassing is refused,
-- the same put without the flag passes the check and is stored.
SELECT kms_put_key_policy(:'k', :'root_only', bypass_policy_lockout_safety_check => true);
\echo :LAST_ERROR_SQLSTATE
SELECT kms_put_key_policy(:'k', :'root_only');
SELECT kms_get_key_policy(:'k');
-- CreateKey with a policy: the same check, before anything is created.
SELECT count(*) AS keys_before FROM kms_policy.keys \gset
\set VERBOSITY terse
SELECT kms_create_key('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*","Resource":"*"}}');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
SELECT count(*) = :keys_before AS nothing_created FROM kms_policy.keys;
SELECT key_state FROM kms_create_key('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},"Action":"kms:*","Resource":"*"}}',
                                    bypass_policy_lockout_safety_check => true);
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Alice');
