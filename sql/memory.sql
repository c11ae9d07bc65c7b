-- 10,000 rejected puts in one backend leave its memory flat: the core frees
-- every json-c object on every error path, and the cache holds only
-- accepted documents.  Measured as the backend's resident set size (which
-- includes json-c's malloc'd memory) after a warm-up.
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab',
    '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
CREATE FUNCTION pg_temp.rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint $$;
CREATE FUNCTION pg_temp.rejected_puts(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    refused int := 0;
    docs text[] := ARRAY[
        -- syntax error deep inside a large tree
        '{"Statement":[' || repeat('{"Effect":"Allow","Principal":{"AWS":["111122223333"]},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"},', 40) || '{"Effect":Allow}]}',
        -- grammar error after the whole tree is built
        '{"Statement":[' || repeat('{"Effect":"Allow","Principal":{"AWS":["111122223333"]},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"},', 40) || '{"Effect":"Allow","Principal":"*","Action":"kms:Bogus","Resource":"*"}]}',
        -- invalid ARN in a principal
        '{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/Admins"},"Action":"kms:*","Resource":"*"}}',
        -- duplicate key
        '{"Statement":{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}}',
        -- lockout
        '{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}}'];
BEGIN
    FOR i IN 1..n LOOP
        BEGIN
            PERFORM kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', docs[1 + i % 5]);
        EXCEPTION WHEN OTHERS THEN
            refused := refused + 1;
        END;
    END LOOP;
    RETURN refused;
END $$;
SELECT pg_temp.rejected_puts(2000) AS warm_up_refused;
SELECT pg_temp.rss_kb() AS before_kb \gset
SELECT pg_temp.rejected_puts(10000) AS refused;
SELECT pg_temp.rss_kb() - :before_kb < 2048 AS memory_flat;
DELETE FROM kms_policy.keys;
