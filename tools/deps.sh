#!/usr/bin/env bash
# Install what building and testing kms_policy needs on Debian 12 (as root).
set -euo pipefail
pkgs=(make gcc pkg-config postgresql-15 postgresql-server-dev-15 libjson-c-dev
      libcmocka-dev clang libclang-rt-14-dev libipc-run-perl ca-certificates
      libmicrohttpd-dev libpq-dev libssl-dev python3-boto3 awscli)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
