#!/usr/bin/env bash
# Evaluations per second from SQL: kms_authorize and kms_get_key_policy
# through pgbench against a throwaway cluster (run as root after make install).
#   bash bench/sql_bench.sh [seconds]
# Superseded by bench/run (side by side with plain SQL, writes BENCHMARKS.md);
# kept because "make bench" calls it.
# Prints one "sql <case>: N calls/s" line per case.  Not a test.
set -euo pipefail
secs=${1:-10}
export PATH=/usr/lib/postgresql/15/bin:$PATH
cd "$(dirname "$0")"
pg_virtualenv -v 15 bash -c "
set -e
psql -qX -c 'CREATE EXTENSION kms_policy' >/dev/null
psql -qX -c \"SELECT kms_register_principal('arn:aws:iam::111122223333:user/Alice')\" >/dev/null
key=\$(psql -qXtA -c \"SELECT key_id FROM kms_create_key(policy => '{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"111122223333\\\"},\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":\\\"*\\\"},{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::111122223333:user/Alice\\\"},\\\"Action\\\":[\\\"kms:Decrypt\\\",\\\"kms:Encrypt\\\"],\\\"Resource\\\":\\\"*\\\",\\\"Condition\\\":{\\\"StringEquals\\\":{\\\"kms:EncryptionContext:dept\\\":\\\"it\\\"}}}]}')\")
# pgbench reads :name as a variable, so the call with its colons lives in a function.
psql -qX -c \"CREATE FUNCTION bench_authorize() RETURNS text LANGUAGE sql AS \\\$\\\$ SELECT kms_authorize('\$key', 'arn:aws:iam::111122223333:user/Alice', 'kms:Decrypt', '{\\\"kms:EncryptionContext:dept\\\":\\\"it\\\"}') \\\$\\\$\" >/dev/null
echo 'SELECT bench_authorize();' > /tmp/kms_authorize.sql
echo \"SELECT kms_get_key_policy('\$key');\" > /tmp/kms_get.sql
for c in authorize get; do
  tps=\$(pgbench -n -M prepared -T $secs -c 1 -f /tmp/kms_\$c.sql 2>/dev/null | sed -n 's/^tps = \\([0-9.]*\\).*/\\1/p')
  echo \"sql kms_\$c: \$tps calls/s (1 client, prepared)\"
done
"
