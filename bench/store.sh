#!/usr/bin/env bash
# bench/store.sh [N]: the certificate store in figures. Makes N certificates
# (default 500, EC P-256, one CA), then times, for the SQLite store and (when
# $CACHET_TEST_PG is set) the PostgreSQL one:
#   import   all N in one `cachet certs import`
#   find     `cachet certs find ADDRESS` (mean of 50 runs, whole process)
#   encrypt  a 10 KiB message `encrypt --to ADDRESS` vs `--to FILE` (mean of 50 runs)
# and, when gpgsm is installed, gpgsm's own import and lookup of the same
# certificates beside them. Prints one table; figures, not pass/fail.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cachet=${CACHET:-$here/build/cachet}
n=${1:-500}
[ -x "$cachet" ] || { echo "bench: no cachet at $cachet (scripts/run demo builds it, or set CACHET)" >&2; exit 2; }
w=$(mktemp -d "${TMPDIR:-/tmp}/cachet-bench.XXXXXX")
trap 'rm -rf "$w"' EXIT
cd "$w"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
    -days 3650 -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
for i in $(seq "$n"); do
    openssl req -new -key leaf.key -subj "/CN=user$i" -out r.csr 2>/dev/null
    openssl x509 -req -in r.csr -CA ca.crt -CAkey ca.key -set_serial "$((1000 + i))" -days 365 \
        -extfile <(printf 'subjectAltName=email:user%s@example.com\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=emailProtection\n' "$i") \
        -out "u$i.crt" 2>/dev/null
done
cat u*.crt >all.pem
head -c 10240 /dev/urandom | base64 | sed 's/^/ /' | { printf 'From: a@example.com\nTo: user7@example.com\nSubject: bench\n\n'; cat; } >msg.eml

now() { date +%s.%N; }
mean_ms() { # CMD... run 50 times
    local t0 t1
    t0=$(now)
    for _ in $(seq 50); do "$@" >/dev/null 2>&1; done
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) * 1000 / 50 }'
}

row() { printf '%-34s %12s\n' "$1" "$2"; }
run_store() {
    local label=$1 url=$2
    export CACHET_STORE=$url
    "$cachet" certs import --anchor ca.crt >/dev/null
    local t0 t1
    t0=$(now)
    "$cachet" certs import all.pem >/dev/null
    t1=$(now)
    row "$label import $n certs (s)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    row "$label certs find (ms)" "$(mean_ms "$cachet" certs find user7@example.com)"
    row "$label encrypt --to address (ms)" "$(mean_ms "$cachet" encrypt --to user7@example.com --in msg.eml --out out.eml)"
    unset CACHET_STORE
}

printf '%-34s %12s\n' "measure (N=$n)" "figure"
run_store sqlite "$w/store.db"
row "sqlite file size (KiB)" "$(($(stat -c %s "$w/store.db") / 1024))"
if [ -n "${CACHET_TEST_PG:-}" ]; then
    db="cachet_bench_$$"
    psql -X -q "$CACHET_TEST_PG" -c "CREATE DATABASE $db" >/dev/null
    run_store postgresql "${CACHET_TEST_PG%/*}/$db"
    psql -X -q "$CACHET_TEST_PG" -c "DROP DATABASE $db" >/dev/null
fi
row "file: encrypt --to FILE (ms)" "$(mean_ms "$cachet" encrypt --to u7.crt --in msg.eml --out out.eml)"
if command -v gpgsm >/dev/null; then
    export GNUPGHOME=$w/gnupg
    mkdir -m 700 "$GNUPGHOME"
    t0=$(now)
    gpgsm --batch --import all.pem >/dev/null 2>&1
    t1=$(now)
    row "gpgsm import $n certs (s)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
    row "gpgsm --list-keys address (ms)" "$(mean_ms gpgsm --list-keys user7@example.com)"
fi
