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
SELECT n, (SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', doc)) IS NULL AS put,
       kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab') = doc AS identical,
       md5(kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab')) = md5(doc) AS same_md5,
       length(doc) AS chars
  FROM docs ORDER BY n;
SELECT kms_get_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab') FROM docs WHERE n = 3 AND
       (SELECT kms_put_key_policy('1234abcd-12ab-34cd-56ef-1234567890ab', doc)) IS NULL;
DROP TABLE docs;
DELETE FROM kms_policy.keys;
