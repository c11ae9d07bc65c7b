#!/usr/bin/env bash
# bench/endpoint_bench.sh -- GetKeyPolicy through kms-policy-endpoint (boto3,
# N client threads) beside the same call in SQL (pgbench, N clients), on one
# throwaway cluster, as root.  Not a test.  moto is not a Debian package, so
# the comparison is with the SQL call.
#   bash bench/endpoint_bench.sh [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
clients=${2:-$(nproc)}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)
bash tools/deps.sh >/dev/null
make -s PG_CONFIG="$PG_CONFIG" >/dev/null && make -s PG_CONFIG="$PG_CONFIG" install >/dev/null

tmp=$(mktemp -d /tmp/kms-endpoint-bench.XXXXXX)
chmod 755 "$tmp"; chown postgres "$tmp"
ep=
cleanup() {
    [ -n "$ep" ] && kill -TERM "$ep" 2>/dev/null && wait "$ep" 2>/dev/null
    runuser -u postgres -- "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pgport=$(port); httpport=$(port)
runuser -u postgres -- "$bindir/initdb" -A trust -D "$tmp/data" >/dev/null
runuser -u postgres -- "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/pg.log" -w \
    -o "-p $pgport -k $tmp -c listen_addresses='127.0.0.1' -c synchronous_commit=off" start >/dev/null
psql() { "$bindir/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -p "$pgport" -U postgres -d postgres "$@"; }
psql <<'SQL'
CREATE EXTENSION kms_policy;
CREATE ROLE bench_app LOGIN;
SELECT kms_map_role('bench_app', 'arn:aws:iam::111122223333:root');
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO bench_app;
CREATE ROLE kms_endpoint LOGIN;
GRANT bench_app TO kms_endpoint;
GRANT EXECUTE ON FUNCTION kms_endpoint_authenticate TO kms_endpoint;
SQL
read -r akid secret < <(psql -F ' ' -c "SELECT * FROM kms_create_access_key('bench_app')")
key=$(psql -c "SET ROLE bench_app; SELECT key_id FROM kms_create_key()" | tail -1)
"$bindir/kms-policy-endpoint" --listen "127.0.0.1:$httpport" --pool "$clients" \
    --dsn "host=$tmp port=$pgport dbname=postgres user=kms_endpoint" 2>"$tmp/endpoint.log" &
ep=$!
sleep 0.5

# The endpoint: boto3 clients in threads, one client each, for $secs seconds.
http_rate=$(AKID=$akid SECRET=$secret URL="http://127.0.0.1:$httpport" KEY=$key SECS=$secs N=$clients /usr/bin/python3 - <<'PY'
import os, threading, time, boto3
from botocore.config import Config
url, key, secs, n = os.environ["URL"], os.environ["KEY"], float(os.environ["SECS"]), int(os.environ["N"])
def client():
    return boto3.client("kms", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=os.environ["AKID"], aws_secret_access_key=os.environ["SECRET"],
                        config=Config(retries={"max_attempts": 1}))
counts = [0] * n
def run(i):
    c = client()
    c.get_key_policy(KeyId=key, PolicyName="default")      # warm-up
    end = time.monotonic() + secs
    while time.monotonic() < end:
        c.get_key_policy(KeyId=key, PolicyName="default")
        counts[i] += 1
threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
[t.start() for t in threads]; [t.join() for t in threads]
print(round(sum(counts) / secs))
PY
)

# The SQL call: pgbench, the same number of clients, as the same role.
echo "SELECT kms_get_key_policy('$key');" > "$tmp/get.sql"
sql_rate=$("$bindir/pgbench" -n -M prepared -h 127.0.0.1 -p "$pgport" -U bench_app -c "$clients" -j "$clients" \
    -T "$secs" -f "$tmp/get.sql" postgres 2>/dev/null | sed -n 's/^tps = \([0-9]*\).*/\1/p')

echo "GetKeyPolicy through kms-policy-endpoint (boto3, $clients threads, ${secs} s): $http_rate requests/s"
echo "kms_get_key_policy in SQL (pgbench -M prepared, $clients clients, ${secs} s): $sql_rate calls/s"
