-- The three policy operations work in every key state; state changes follow
-- KMS's rules.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
\set k '1234abcd-12ab-34cd-56ef-1234567890ab'
\set policy '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}'
SELECT kms_put_key_policy(:'k', :'policy');
-- Every one of the eight states, set directly by an administrator.
CREATE TEMP TABLE seen (state text, get_ok boolean, list text[], described text);
DO $$
DECLARE
    k constant text := '1234abcd-12ab-34cd-56ef-1234567890ab';
    p constant text := '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}';
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport',
                             'PendingReplicaDeletion', 'Unavailable', 'Updating'] LOOP
        UPDATE kms_policy.keys
           SET key_state = s,
               deletion_date = CASE WHEN s = 'PendingDeletion' THEN now() + interval '7 days' END
         WHERE key_id = k;
        PERFORM kms_put_key_policy(k, p);
        INSERT INTO seen
        SELECT s, kms_get_key_policy(k) = p, (kms_list_key_policies(k)).policy_names,
               (kms_describe_key(k)).key_state;
    END LOOP;
END
$$;
SELECT * FROM seen ORDER BY state;
DROP TABLE seen;
UPDATE kms_policy.keys SET key_state = 'Enabled', deletion_date = NULL;
-- An invalid state or a deletion date without PendingDeletion is refused.
\set VERBOSITY terse
UPDATE kms_policy.keys SET key_state = 'Deleted';
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.keys SET deletion_date = now();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- The state functions.
SELECT kms_disable_key(:'k');
SELECT key_state FROM kms_describe_key(:'k');
SELECT kms_disable_key(:'k');
SELECT kms_enable_key(:'k');
SELECT key_state FROM kms_describe_key(:'k');
SELECT d BETWEEN now() + interval '7 days' - interval '1 minute'
           AND now() + interval '7 days' + interval '1 minute' AS in_7_days
  FROM (SELECT kms_schedule_key_deletion(:'k', 7) AS d) s;
SELECT key_state, deletion_date IS NOT NULL AS has_deletion_date FROM kms_describe_key(:'k');
SELECT kms_disable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_cancel_key_deletion(:'k');
SELECT key_state, deletion_date FROM kms_describe_key(:'k');
SELECT kms_cancel_key_deletion(:'k');
\echo :LAST_ERROR_SQLSTATE
UPDATE kms_policy.keys SET key_state = 'PendingImport';
SELECT kms_enable_key(:'k');
\echo :LAST_ERROR_SQLSTATE
SELECT kms_schedule_key_deletion(:'k', 30) IS NOT NULL AS scheduled_from_pending_import;
DELETE FROM kms_policy.keys;
