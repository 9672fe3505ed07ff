#!/usr/bin/env bash
# tests/pki/cli-pki.sh DIR: make_pki of lib.sh once into DIR, for the build
# (target cachet_cli_pki); make_pki in each CLI suite then copies DIR
# ($CACHET_CLI_PKI) instead of making three RSA keys again.
set -euo pipefail
out=${1:?usage: tests/pki/cli-pki.sh DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
unset CACHET_CLI_PKI
export CACHET=${CACHET:-unused}
# shellcheck source=tests/cli/lib.sh
source "$(dirname "$0")/../cli/lib.sh"
make_pki
cp -r pki/. "$out/"
touch "$out/.complete"
