-- Policies come back byte for byte: whitespace, key order, escapes, Latin-1.
\set VERBOSITY default
INSERT INTO kms_policy.keys (key_id, partition, region, account_id)
VALUES ('1234abcd-12ab-34cd-56ef-1234567890ab', 'aws', 'us-east-1', '111122223333');
CREATE TEMP TABLE docs (n int, doc text);
INSERT INTO docs VALUES
 -- tabs, CR LF line ends, blank lines, trailing whitespace
 (1, E'{\r\n\t"Statement" :\t[ {\r\n\t\t"Effect":"Allow" ,\r\n\r\n\t\t"Principal":"*",\t"Action":"kms:*",  "Resource":"*" } ]   \r\n}\t \n\n'),
 -- keys in an unusual order, minimal whitespace, no Version
 (2, '{"Statement":{"Resource":["*"],"Action":["kms:*"],"Principal":{"AWS":["111122223333"]},"Effect":"Allow","Sid":""}}'),
 -- Latin-1 characters raw and escaped, escaped solidus and quotes
 (3, E'{"Id":"Schl\u00fcssel-\u00e9t\u00e9 \u00a9 \u00ff","Statement":[{"Sid":"caf\\u00e9 \\"quoted\\" \\/ slash","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}'),
 -- every allowed character class once: U+0020..U+007E, U+007F, U+0080..U+00FF
 (4, '{"Id":"' || (SELECT string_agg(chr(c), '') FROM generate_series(32, 255) c WHERE c NOT IN (34, 92)) ||
     '","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}}');
CREATE FUNCTION pg_temp.put_then_get(doc text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', doc);
    RETURN kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab');
END $$;
SELECT n, pg_temp.put_then_get(doc) = doc AS identical,
       md5(pg_temp.put_then_get(doc)) = md5(doc) AS same_md5,
       length(doc) AS chars, octet_length(doc) AS utf8_bytes
  FROM docs ORDER BY n;
-- What the table holds is the document as sent, too.
SELECT p.policy = d.doc AS stored_as_sent FROM kms_policy.key_policies p, docs d WHERE d.n = 4;
SELECT pg_temp.put_then_get(doc) FROM docs WHERE n = 3;
SELECT pg_temp.put_then_get(doc) FROM docs WHERE n = 1;
DROP TABLE docs;
DELETE FROM kms_policy.keys;
