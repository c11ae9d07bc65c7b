#!/usr/bin/env bash
# Install everything, build, start a throwaway PostgreSQL 15 and show the main
# job: create a key, put a policy, get it back, and see a refusal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null
export PATH=/usr/lib/postgresql/15/bin:$PATH
pg_virtualenv -v 15 psql -X -v ON_ERROR_STOP=0 -f tools/demo.sql
