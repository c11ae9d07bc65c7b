#!/usr/bin/env bash
# Install everything and run the whole test suite of kms_policy:
#   core unit tests (cmocka, ASan/LSan), a bounded libFuzzer run, the
#   regression and isolation suites (twice on one throwaway cluster), TAP
#   tests, and the benchmarks' smoke run.
# The last line is "N passed, N failed"; the exit status is 0 only if N failed
# is 0.  Environment: FUZZ_SECONDS, per fuzz target (default 20; 5 targets).
# Every test runs Debian's own clients, the ones tools/deps.sh installs:
# /usr/bin/python3 with python3-boto3 (boto3 1.26) and /usr/bin/aws (awscli
# 2.9), never whatever python3 or aws comes first on PATH; what those clients'
# older models hide is checked on the wire with raw HTTP requests.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PATH=/usr/lib/postgresql/15/bin:$PATH
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
log=$(mktemp -d)
passed=0
failed=0

count() {  # count <name> <passes> <failures>
    passed=$((passed + $2)); failed=$((failed + $3))
    echo "== $1: $2 passed, $3 failed"
}

show_fail() {  # print a failing step's log tail and diffs
    tail -n 60 "$1"
    for d in regression.diffs output_iso/regression.diffs; do
        [ -s "$d" ] && { echo "---- $d"; head -n 200 "$d"; }
    done
}

if ! bash tools/deps.sh > "$log/deps" 2>&1; then
    cat "$log/deps"; count deps 0 1; echo "$passed passed, $failed failed"; exit 1
fi

# Build with warnings as errors and assertions, then install.
if make -s clean >/dev/null 2>&1 && \
   make PG_CONFIG=$PG_CONFIG PG_CFLAGS="-Wall -Werror -DUSE_ASSERT_CHECKING" > "$log/build" 2>&1 && \
   make PG_CONFIG=$PG_CONFIG install > "$log/install" 2>&1; then
    count build 1 0
else
    cat "$log/build" "$log/install" 2>/dev/null | tail -n 80
    count build 0 1; echo "$passed passed, $failed failed"; exit 1
fi

# Core unit tests: cmocka in TAP form.
CMOCKA_MESSAGE_OUTPUT=TAP make -s PG_CONFIG=$PG_CONFIG unit > "$log/unit" 2>&1
rc=$?
p=$(grep -cE '^ok [0-9]+' "$log/unit"); f=$(grep -cE '^not ok [0-9]+' "$log/unit")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && show_fail "$log/unit"
count "unit tests" "$p" "$f"

# Regression and isolation tests, twice on the same cluster (each file
# cleans up after itself).
pg_virtualenv -v 15 sh -c "make PG_CONFIG=$PG_CONFIG installcheck && make PG_CONFIG=$PG_CONFIG installcheck" > "$log/regress" 2>&1
rc=$?
p=$(grep -cE '^(ok|test) .*\.\.\. ok' "$log/regress"); f=$(grep -cE '\.\.\. (FAILED|failed)' "$log/regress")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && show_fail "$log/regress"
count "regression and isolation tests" "$p" "$f"

# TAP tests: initdb refuses root, so they run as postgres in a copy.
tap=$(mktemp -d)
cp -a "$root/." "$tap/"
chown -R postgres "$tap"
runuser -u postgres -- make -C "$tap" PG_CONFIG=$PG_CONFIG prove_installcheck PROVE_FLAGS=-v > "$log/tap" 2>&1
rc=$?
p=$(grep -cE '^ok [0-9]+' "$log/tap"); f=$(grep -cE '^not ok [0-9]+' "$log/tap")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && tail -n 80 "$log/tap"
count "TAP tests" "$p" "$f"
rm -rf "$tap"

# The KMS endpoint: boto3 and the AWS CLI against kms-policy-endpoint in front
# of a throwaway cluster (TAP-style lines).
bash tools/endpoint_test.sh > "$log/endpoint" 2>&1
rc=$?
p=$(grep -cE '^ok [0-9]+' "$log/endpoint"); f=$(grep -cE '^not ok [0-9]+' "$log/endpoint")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
[ "$f" -ne 0 ] && tail -n 60 "$log/endpoint"
count "endpoint tests" "$p" "$f"

# The benchmark harness's smoke run (1,000 keys, 2 s rounds): it must run
# to the end; its figures are not checked (benchmarks are never timed tests).
if bash bench/run --quick --out "$log/BENCHMARKS.md" > "$log/bench" 2>&1; then
    count "benchmark smoke run" 1 0
else
    tail -n 40 "$log/bench"; count "benchmark smoke run" 0 1
fi

# Bounded fuzzing of the core: policies, operands, request contexts, the
# compiled form against the reference evaluator, the access analysis against
# request evaluation (ASan, LSan, UBSan).
if make -s PG_CONFIG=$PG_CONFIG fuzz FUZZ_SECONDS="$FUZZ_SECONDS" > "$log/fuzz" 2>&1; then
    grep -E '^==|Done [0-9]+ runs' "$log/fuzz"
    count "fuzzing (5 targets, ${FUZZ_SECONDS}s each)" 1 0
else
    tail -n 60 "$log/fuzz"; count "fuzzing (5 targets, ${FUZZ_SECONDS}s each)" 0 1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
