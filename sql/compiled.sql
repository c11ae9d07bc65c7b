-- The compiled form of key policies (kms_policy.key_policies.compiled): made
-- by the validation trigger from the document on every write, whatever the
-- write put in the column; read and evaluated in place by read calls; a
-- form of another format is compiled again from the document, a corrupt
-- one is an error, never a decision.
\set VERBOSITY default
CREATE ROLE regress_kms_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_kms_app;
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice');
SELECT kms_map_role('regress_kms_app', 'arn:aws:iam::111122223333:user/Alice');
\set k1 '1234abcd-12ab-34cd-56ef-1234567890ab'
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'k1', 'aws', 'us-east-1', '111122223333');
-- Alice reads the key, and decrypts only with a tenant context; nobody may
-- schedule its deletion.
SELECT kms_put_key_policy(:'k1', '{"Version":"2012-10-17","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"AliceReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},
  "Action":["kms:GetKeyPolicy","kms:ListKeyPolicies","kms:DescribeKey"],"Resource":"*"},
 {"Sid":"AliceDecrypts","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Alice"},
  "Action":"kms:Decrypt","Resource":"*",
  "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"t1"}}},
 {"Sid":"NoDeletion","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}');

-- The stored form: the core's magic "kpcb", format 1, its own length.
SELECT substr(compiled, 1, 4) = 'kpcb'::bytea AS magic,
       get_byte(compiled, 4) + 256 * get_byte(compiled, 5) AS format,
       octet_length(compiled) = get_byte(compiled, 16) + 256 * get_byte(compiled, 17)
         + 65536 * get_byte(compiled, 18) AS own_length
  FROM kms_policy.key_policies WHERE key_id = :'k1';
CREATE TEMP TABLE regress_form AS
SELECT compiled FROM kms_policy.key_policies WHERE key_id = :'k1';
CREATE TEMP VIEW regress_decisions AS
SELECT kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt',
                     '{"kms:EncryptionContext:tenant": "t1"}') AS alice_t1,
       kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt',
                     '{"kms:EncryptionContext:tenant": "t2"}') AS alice_t2,
       kms_authorize(:'k1', '111122223333', 'kms:ScheduleKeyDeletion') AS root_delete,
       kms_authorize(:'k1', '111122223333', 'kms:PutKeyPolicy') AS root_put;
SELECT * FROM regress_decisions;

-- Whatever a direct write puts in the column, the trigger recomputes it from
-- the document: the same bytes as before.
UPDATE kms_policy.key_policies SET compiled = '\x00' WHERE key_id = :'k1';
SELECT compiled = (SELECT compiled FROM regress_form) AS recomputed
  FROM kms_policy.key_policies WHERE key_id = :'k1';
UPDATE kms_policy.key_policies
   SET compiled = (SELECT compiled FROM kms_policy.key_policies p WHERE p.key_id = :'k1') || '\x00'::bytea
 WHERE key_id = :'k1';
SELECT compiled = (SELECT compiled FROM regress_form) AS recomputed
  FROM kms_policy.key_policies WHERE key_id = :'k1';
-- A form taken from another document cannot be planted either.
\set k2 '0000aaaa-0000-4000-8000-000000000002'
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES (:'k2', 'aws', 'us-east-1', '111122223333');
SELECT kms_put_key_policy(:'k2', '{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}');
UPDATE kms_policy.key_policies
   SET compiled = (SELECT compiled FROM kms_policy.key_policies p WHERE p.key_id = :'k2')
 WHERE key_id = :'k1';
SELECT compiled = (SELECT compiled FROM regress_form) AS recomputed
  FROM kms_policy.key_policies WHERE key_id = :'k1';
SELECT * FROM regress_decisions;

-- Below, the trigger is disabled (only a superuser can do this) to put bytes
-- in the column that no write through the trigger could store: what a read
-- makes of stored bytes that are not the form of the document.
ALTER TABLE kms_policy.key_policies DISABLE TRIGGER key_policies_validate;

-- Another format (the format and its complement, outside the checksum): a
-- form written before an upgrade.  It is not trusted: the document is
-- compiled again, and decides as before.
UPDATE kms_policy.key_policies
   SET compiled = set_byte(set_byte(set_byte(set_byte(compiled, 4, 2), 5, 0), 6, 253), 7, 255)
 WHERE key_id = :'k1';
SELECT * FROM regress_decisions;
SELECT kms_get_key_policy(:'k1') = policy AS get_returns_the_document
  FROM kms_policy.key_policies WHERE key_id = :'k1';
-- The form of k2's document (it allows everyone everything) stored with k1's
-- document: the form is what read calls evaluate, so this is the one case a
-- disabled trigger shows; the tests above show that no write with the
-- trigger can store it.
UPDATE kms_policy.key_policies
   SET compiled = (SELECT compiled FROM kms_policy.key_policies p WHERE p.key_id = :'k2')
 WHERE key_id = :'k1';
SELECT kms_authorize(:'k1', '111122223333', 'kms:ScheduleKeyDeletion') AS root_delete_with_k2_form;

-- Corrupt forms: truncated, one byte changed, empty.  Every read call that
-- would evaluate them fails with XX001 (data_corrupted); none decides.
UPDATE kms_policy.key_policies SET compiled = (SELECT substr(compiled, 1, octet_length(compiled) - 1) FROM regress_form)
 WHERE key_id = :'k1';
SELECT kms_authorize(:'k1', '111122223333', 'kms:PutKeyPolicy');
SET ROLE regress_kms_app;
SELECT kms_get_key_policy(:'k1');
SELECT * FROM kms_list_key_policies(:'k1');
RESET ROLE;
UPDATE kms_policy.key_policies
   SET compiled = (SELECT set_byte(compiled, octet_length(compiled) / 2,
                                   get_byte(compiled, octet_length(compiled) / 2) # 1) FROM regress_form)
 WHERE key_id = :'k1';
SELECT kms_authorize(:'k1', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt',
                     '{"kms:EncryptionContext:tenant": "t1"}');
UPDATE kms_policy.key_policies SET compiled = '\x' WHERE key_id = :'k1';
SELECT kms_describe_key(:'k1');
-- A put evaluates the stored form too: refused, nothing written.
SELECT kms_put_key_policy(:'k1', (SELECT policy FROM kms_policy.key_policies WHERE key_id = :'k1'));
SELECT compiled = '\x' AS unchanged FROM kms_policy.key_policies WHERE key_id = :'k1';

-- With the trigger back, the administrator's fix named in the hint.
ALTER TABLE kms_policy.key_policies ENABLE ALWAYS TRIGGER key_policies_validate;
UPDATE kms_policy.key_policies SET policy = policy WHERE key_id = :'k1';
SELECT compiled = (SELECT compiled FROM regress_form) AS recomputed
  FROM kms_policy.key_policies WHERE key_id = :'k1';
SELECT * FROM regress_decisions;

-- Clean up.
SELECT kms_unmap_role('regress_kms_app');
DELETE FROM kms_policy.keys;
SELECT kms_deregister_principal('arn:aws:iam::111122223333:user/Alice');
DROP VIEW regress_decisions;
DROP TABLE regress_form;
DROP OWNED BY regress_kms_app;
DROP ROLE regress_kms_app;
