#!/usr/bin/env bash
# tests/valgrind/run.sh BUILD_DIR [SUITE...]
# Runs CLI suites (tests/cli/SUITE.sh) with every cachet command under valgrind memcheck
# (tests/valgrind/cachet-memcheck); a memory error or a definite/indirect leak fails the
# suite (exit 99 from the command). BUILD_DIR: a build without sanitizers (valgrind and
# ASan do not mix), RelWithDebInfo for readable stacks. Without SUITEs: the CI set below;
# `all`: every CLI suite.
# Environment: JOBS (default nproc).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: tests/valgrind/run.sh BUILD_DIR [SUITE...]}" && pwd)
shift
jobs=${JOBS:-$(nproc)}

# The CI set. Every command under memcheck costs 1.5-2 s of CPU (measured: inspect, decrypt), so
# the 38 CLI suites take far over CI's ~5 minutes for this step (measured on the shared 2-core
# machine: 10 suites in 23 min wall); CI runs the suites that reach the most library code per
# command: the four operations with every key type (roundtrip), layers (nested), several
# signers (multisig), the output forms (formats), every cipher and recipient kind
# (issue5_ciphers, issue5_secrets), ESS attributes (ess_labels), countersignatures with the
# store (countersign_store), signed-enveloped-signed layers (triple_wrap) and signed receipts
# (receipts). `all` runs every suite.
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
    suites=(roundtrip nested multisig formats issue5_ciphers issue5_secrets ess_labels
            countersign_store triple_wrap receipts)
elif [ "${suites[*]}" = all ]; then
    suites=()
    for f in "$here"/tests/cli/*.sh; do
        name=$(basename "$f" .sh)
        [ "$name" = lib ] || suites+=("$name")
    done
fi

if grep -q '^CACHET_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "valgrind: $build is a sanitizer build; use a plain one" >&2
    exit 2
fi
[ -x "$build/cachet" ] || { echo "valgrind: no $build/cachet (build target cachet-cli)" >&2; exit 2; }
# The suppression of OpenSSL's GCM report (cachet.supp) is safe only while the cipher layer
# checks its own inputs under memcheck: prove that it does before anything else.
probe=$build/tests/cachet_valgrind_probe
[ -x "$probe" ] || { echo "valgrind: no $probe (build target cachet_valgrind_probe)" >&2; exit 2; }
probe_rc=0
probe_out=$(valgrind -q --error-exitcode=99 "$probe" 2>&1) || probe_rc=$?
if [ $probe_rc != 99 ] || ! grep -q "Uninitialised byte(s) found during client check request" <<<"$probe_out"; then
    echo "valgrind: the cipher layer did not report undefined input (exit $probe_rc); was it built" >&2
    echo "without valgrind/memcheck.h? Install valgrind and reconfigure $build." >&2
    printf '%s\n' "$probe_out" >&2
    exit 1
fi
echo "memcheck probe: undefined cipher input is reported"

vectors=$(sed -n 's/^CACHET_VECTORS_DIR:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null || true)

export CACHET="$here/tests/valgrind/cachet-memcheck" CACHET_MEMCHECK_BIN="$build/cachet"
export CACHETD="$build/cachetd" CACHET_SRC="$here" CACHET_BUILD="$build"
export CACHET_VECTORS="${CACHET_VECTORS:-${vectors:-$here/../shared/vectors}}"
# The build's test PKIs, copied by mkpki.sh and make_pki, as CTest has them (tests/CMakeLists.txt).
[ ! -f "$build/test-pki/.complete" ] || export CACHET_TEST_PKI="$build/test-pki"
[ ! -f "$build/test-cli-pki/.complete" ] || export CACHET_CLI_PKI="$build/test-cli-pki"
# The system python3 first, as CTest has it (tests/CMakeLists.txt: a shim is slow).
[ ! -d "$build/test-bin" ] || export PATH="$build/test-bin:$PATH"

logs=$(mktemp -d "${TMPDIR:-/tmp}/cachet-memcheck.XXXXXX")
trap 'rm -rf "$logs"' EXIT
t0=$SECONDS
# shellcheck disable=SC2016
printf '%s\n' "${suites[@]}" | xargs -P "$jobs" -I{} bash -c '
    s=$SECONDS; rc=0
    bash "$2/tests/run-suite.sh" "$2/tests/cli/$3.sh" >"$1/$3.log" 2>&1 || rc=$?
    echo "$3 $rc $((SECONDS - s))" >>"$1/results"' _ "$logs" "$here" {}

status=0
while read -r name rc secs; do
    case $rc in
        0) echo "memcheck cli.$name: ok (${secs}s)" ;;
        77) echo "memcheck cli.$name: skipped (${secs}s)" ;;
        *)
            echo "memcheck cli.$name: FAILED with $rc (${secs}s)"
            tail -n 60 "$logs/$name.log"
            status=1
            ;;
    esac
done < <(sort "$logs/results")
echo "== memcheck: ${#suites[@]} CLI suites in $((SECONDS - t0)) s"
exit $status
