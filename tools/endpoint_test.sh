#!/usr/bin/env bash
# Tests of kms-policy-endpoint (issue 12), as root: boto3 and the AWS CLI,
# unchanged, against the endpoint in front of a throwaway cluster.
#   PG_CONFIG            PostgreSQL to build against and run (default: Debian's 15)
# Prints TAP lines; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)
MAX_BODY=65536
# Debian's own clients, never whatever python3 or aws comes first on PATH: the
# packages python3-boto3 and awscli belong to /usr/bin/python3 and /usr/bin/aws.
PYTHON=/usr/bin/python3
AWS_CLI=/usr/bin/aws

need=()
for p in libmicrohttpd-dev libpq-dev libssl-dev libjson-c-dev python3-boto3 awscli; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}" >/dev/null || { echo "not ok - apt-get install ${need[*]}"; exit 1; }
fi

tmp=$(mktemp -d /tmp/kms-endpoint-test.XXXXXX)
chmod 755 "$tmp"
endpoint_pid= endpoint2_pid=
cleanup() {
    [ -n "$endpoint_pid" ] && kill -TERM "$endpoint_pid" 2>/dev/null
    [ -n "$endpoint2_pid" ] && kill -TERM "$endpoint2_pid" 2>/dev/null
    [ -d "$tmp/data" ] && runuser -u postgres -- "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

if ! { make -s PG_CONFIG="$PG_CONFIG" && make -s PG_CONFIG="$PG_CONFIG" install &&
       make -s -C endpoint PG_CONFIG="$PG_CONFIG" CFLAGS="-O2 -g -Werror"; } > "$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log"; echo "not ok - build"; exit 1
fi

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pgport=$(free_port)
chown postgres "$tmp"
runuser -u postgres -- "$bindir/initdb" -D "$tmp/data" -U postgres -A trust >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; echo "not ok - initdb"; exit 1; }
runuser -u postgres -- "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/pg.log" -w \
    -o "-p $pgport -k $tmp -c listen_addresses=''" start >/dev/null ||
    { cat "$tmp/pg.log"; echo "not ok - cluster start"; exit 1; }

export PSQL="$bindir/psql -X -q -At -v ON_ERROR_STOP=1 -h $tmp -p $pgport -U postgres -d postgres"
psql() { $PSQL "$@"; }

psql > "$tmp/setup.log" 2>&1 <<'SQL' || { cat "$tmp/setup.log"; echo "not ok - setup"; exit 1; }
CREATE EXTENSION kms_policy;
CREATE ROLE app NOLOGIN;
CREATE ROLE reader NOLOGIN;
CREATE ROLE kms_endpoint LOGIN;
GRANT app, reader TO kms_endpoint;
GRANT EXECUTE ON FUNCTION kms_create_key, kms_describe_key, kms_list_keys, kms_get_key_policy,
    kms_put_key_policy, kms_list_key_policies, kms_enable_key, kms_disable_key,
    kms_schedule_key_deletion, kms_cancel_key_deletion TO app, reader;
SELECT kms_map_role('app', 'arn:aws:iam::111122223333:root');
SELECT kms_register_principal('arn:aws:iam::111122223333:user/Reader');
SELECT kms_map_role('reader', 'arn:aws:iam::111122223333:user/Reader');
SQL

real=$(psql -c "SELECT to_regproc('kms_endpoint_authenticate') IS NOT NULL AND to_regproc('kms_create_access_key') IS NOT NULL")
if [ "$real" = t ]; then
    mode=real
    read -r AKID SECRET < <(psql -F ' ' -c "SELECT access_key_id, secret_access_key FROM kms_create_access_key('app')")
    read -r RAKID RSECRET < <(psql -F ' ' -c "SELECT access_key_id, secret_access_key FROM kms_create_access_key('reader')")
else
    echo "not ok 1 - the extension has kms_endpoint_authenticate and kms_create_access_key"
    exit 1
fi
psql -c "GRANT EXECUTE ON FUNCTION kms_endpoint_authenticate TO kms_endpoint" >/dev/null || exit 1

start_endpoint() {  # start_endpoint <port> <log> <options...>; sets started_pid
    local port=$1 log=$2; shift 2
    "$root/endpoint/kms-policy-endpoint" --listen "127.0.0.1:$port" \
        --dsn "host=$tmp port=$pgport dbname=postgres user=kms_endpoint" --region us-east-1 "$@" 2> "$log" &
    started_pid=$!
    for _ in $(seq 50); do
        grep -q "listening on" "$log" && break
        kill -0 "$started_pid" 2>/dev/null || break
        sleep 0.1
    done
}
port=$(free_port)
start_endpoint "$port" "$tmp/endpoint.log" --pool 4 --pool-wait-ms 200 --max-body $MAX_BODY
endpoint_pid=$started_pid
port2=$(free_port)
start_endpoint "$port2" "$tmp/endpoint2.log" --pool 1 --pool-wait-ms 100
endpoint2_pid=$started_pid
export ENDPOINT="http://127.0.0.1:$port" ENDPOINT2="http://127.0.0.1:$port2" AKID SECRET RAKID RSECRET MAX_BODY AWS_CLI

"$PYTHON" "$root/endpoint/test/endpoint_client.py" | tee "$tmp/tap.log" | grep -v '^1\.\.'
client_rc=${PIPESTATUS[0]}
n=$(grep -cE '^(not )?ok ' "$tmp/tap.log")
failed=$(grep -cE '^not ok ' "$tmp/tap.log")
[ "$client_rc" -ne 0 ] && [ "$failed" -eq 0 ] && { n=$((n + 1)); failed=1; echo "not ok $n - the client script ran to its end (rc $client_rc)"; }

for which in endpoint endpoint2; do
    pidvar=${which}_pid
    kill -TERM "${!pidvar}"
    wait "${!pidvar}"; rc=$?
    printf -v "$pidvar" ''
    n=$((n + 1))
    if [ $rc -eq 0 ] && grep -q "stopped" "$tmp/$which.log"; then
        echo "ok $n - $which stops on SIGTERM with status 0"
    else
        echo "not ok $n - $which stops on SIGTERM with status 0 (rc $rc)"; failed=$((failed + 1))
    fi
done
echo "1..$n"
echo "# mode: $mode; $((n - failed)) passed, $failed failed"
[ "$failed" -ne 0 ] && { echo "# endpoint log (tail):"; tail -n 30 "$tmp/endpoint.log" | sed 's/^/#   /'; }
[ "$failed" -eq 0 ]
