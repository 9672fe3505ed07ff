# Revocation through the cli (issue 3 contract): `certs revoke-check`, `certs import-crl`
# and `encrypt --to ADDRESS --revocation none|soft|hard` against a real `openssl ocsp`
# responder and a CRL served by `python3 -m http.server`, both on loopback. The test PKI is
# tests/pki/mkrevocation.sh (good, revoked, unknown and plain@example.com).
source "$(dirname "$0")/lib.sh"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
po=$(free_port)
ph=$(free_port)
while [ "$ph" = "$po" ]; do ph=$(free_port); done
bash "$CACHET_SRC/tests/pki/mkrevocation.sh" "$WORK/rev" "$po" "$ph" >"$WORK/mk.log" 2>&1 ||
    fail "mkrevocation.sh: $(tail -3 "$WORK/mk.log")"
ocsp_url="http://127.0.0.1:$po"
crl_url="http://127.0.0.1:$ph/ca.crl"

ocsp_pid=""
http_pid=""
stop_servers() {
    [ -z "$ocsp_pid" ] || kill "$ocsp_pid" 2>/dev/null || true
    [ -z "$http_pid" ] || kill "$http_pid" 2>/dev/null || true
    [ -z "$ocsp_pid" ] || wait "$ocsp_pid" 2>/dev/null || true
    [ -z "$http_pid" ] || wait "$http_pid" 2>/dev/null || true
    ocsp_pid=""
    http_pid=""
}
trap 'stop_servers; rm -rf "$WORK"' EXIT

# `openssl ocsp` must not be probed with a bare connection (one closed without a request
# wedges its accept loop): it is ready when it says so in its log.
openssl ocsp -index rev/ca.db/index.txt -CA rev/ca.crt -rsigner rev/ocsp.crt -rkey rev/ocsp.key \
    -port "$po" -ignore_err >"$WORK/ocsp.log" 2>&1 &
ocsp_pid=$!
python3 -m http.server "$ph" --bind 127.0.0.1 --directory rev/www >"$WORK/http.log" 2>&1 &
http_pid=$!
for _ in $(seq 200); do
    if grep -q "waiting for OCSP client connections" "$WORK/ocsp.log" &&
        (exec 3<>"/dev/tcp/127.0.0.1/$ph") 2>/dev/null; then
        break
    fi
    sleep 0.05
done
grep -q "waiting for OCSP client connections" "$WORK/ocsp.log" || fail "the OCSP responder did not start"

fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
export CACHET_STORE=$WORK/store.db
expect_exit 0 "$CACHET" certs import --anchor rev/ca.crt
expect_exit 0 "$CACHET" certs import rev/good.crt rev/revoked.crt rev/unknown.crt rev/plain.crt
expect_stdout "imported 4 new, 0 already known"
a_message msg.eml

# Nothing to ask (and no CRL of its issuer stored yet): not checked, which is not a failure.
expect_exit 0 "$CACHET" certs revoke-check "$(fp rev/plain.crt)"
expect_stdout "not_checked"
expect_stderr "the certificate names no OCSP responder or CRL distribution point"

# --- responder and distribution point up: OCSP answers ---
expect_exit 0 "$CACHET" certs revoke-check "$(fp rev/good.crt)"
expect_stdout "good (ocsp $ocsp_url)"
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/revoked.crt)"
expect_stdout "revoked (ocsp $ocsp_url)"
expect_stderr "keyCompromise"
expect_exit 1 "$CACHET" certs revoke-check --json "$(fp rev/revoked.crt)"
json_check out.txt 'r["state"] == "revoked"' 'r["method"] == "ocsp"' \
    "r['source'] == '$ocsp_url'" 'r["revoked_at"] is not None' 'r["detail"] == "keyCompromise"'
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/unknown.crt)"
expect_stdout "unknown (ocsp $ocsp_url)"
expect_stderr "OCSP responder $ocsp_url does not know the certificate"

expect_exit 0 "$CACHET" encrypt --to good@example.com --in msg.eml --out good.eml
[ -s good.eml ] || fail "encrypt to good@example.com wrote nothing"
for policy in soft hard; do
    rm -f revoked.eml
    expect_exit 1 "$CACHET" encrypt --to revoked@example.com --revocation $policy --in msg.eml --out revoked.eml
    expect_stderr "certificate for revoked@example.com is revoked (OCSP from $ocsp_url"
    expect_no_file revoked.eml
done
expect_exit 0 "$CACHET" encrypt --to revoked@example.com --revocation none --in msg.eml --out none.eml
expect_exit 0 "$CACHET" encrypt --to unknown@example.com --revocation soft --in msg.eml --out unknown.eml
expect_stderr "warning: revocation status of the certificate for unknown@example.com is unknown"
[ -s unknown.eml ] || fail "soft policy: encrypt to unknown@example.com wrote nothing"
rm -f unknown-hard.eml
expect_exit 1 "$CACHET" encrypt --to unknown@example.com --revocation hard --in msg.eml --out unknown-hard.eml
expect_stderr "with unknown revocation status (OCSP responder $ocsp_url does not know the certificate"
expect_no_file unknown-hard.eml

# --- responder down: the CRL over HTTP answers, and is cached in the store ---
# (a new store: the one above has cached the CRL while checking unknown@example.com)
kill "$ocsp_pid"
wait "$ocsp_pid" 2>/dev/null || true
ocsp_pid=""
export CACHET_STORE=$WORK/down.db
expect_exit 0 "$CACHET" certs import --anchor rev/ca.crt
expect_exit 0 "$CACHET" certs import rev/good.crt rev/revoked.crt
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/revoked.crt)"
expect_stdout "revoked (crl $crl_url)"
rm -f revoked.eml
expect_exit 1 "$CACHET" encrypt --to revoked@example.com --revocation soft --in msg.eml --out revoked.eml
expect_stderr "certificate for revoked@example.com is revoked (CRL from the store"
expect_no_file revoked.eml
expect_exit 0 "$CACHET" certs revoke-check "$(fp rev/good.crt)"
expect_stdout "good (crl store)"

# --- both down: the cached CRL still answers; a store without one knows nothing ---
kill "$http_pid"
wait "$http_pid" 2>/dev/null || true
http_pid=""
expect_exit 0 "$CACHET" certs revoke-check "$(fp rev/good.crt)"
expect_stdout "good (crl store)"
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/revoked.crt)"
expect_stdout "revoked (crl store)"

export CACHET_STORE=$WORK/fresh.db
expect_exit 0 "$CACHET" certs import --anchor rev/ca.crt
expect_exit 0 "$CACHET" certs import rev/good.crt rev/revoked.crt
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/good.crt)"
expect_stdout "unknown"
expect_stderr "OCSP responder $ocsp_url did not answer: connection refused"
expect_stderr "CRL $crl_url could not be fetched: connection refused"
expect_exit 0 "$CACHET" encrypt --to good@example.com --in msg.eml --out soft.eml
expect_stderr "warning: revocation status of the certificate for good@example.com is unknown"
[ -s soft.eml ] || fail "soft policy with both sources down wrote nothing"
rm -f hard.eml
expect_exit 1 "$CACHET" encrypt --to good@example.com --revocation hard --in msg.eml --out hard.eml
expect_stderr "with unknown revocation status (OCSP responder $ocsp_url did not answer: connection refused"
expect_no_file hard.eml

# --- a CRL imported by hand: verified against the stored issuer, then used ---
expect_exit 1 "$CACHET" certs import-crl rev/wrongkey.crl
expect_exit 0 "$CACHET" certs import-crl rev/ca.crl.pem
expect_exit 0 "$CACHET" certs revoke-check "$(fp rev/good.crt)"
expect_stdout "good (crl store)"
expect_exit 1 "$CACHET" certs revoke-check "$(fp rev/revoked.crt)"
expect_stdout "revoked (crl store)"
rm -f revoked.eml
expect_exit 1 "$CACHET" encrypt --to revoked@example.com --revocation hard --in msg.eml --out revoked.eml
expect_stderr "certificate for revoked@example.com is revoked (CRL from the store"
expect_no_file revoked.eml
echo "revocation: ok"
