# cachet certs-only: certs-only messages (RFC 8551 3.6) from files and stored
# fingerprints, read by openssl and imported back by cachet certs import.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" pki >/dev/null 2>&1
export CACHET_STORE=$WORK/store/store.db

fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }
# subjects FILE(DER PKCS#7): the CNs openssl finds, sorted, one line.
subjects() { openssl pkcs7 -inform DER -in "$1" -print_certs -noout | sed -n 's/^subject=.*CN = \([^,]*\).*/\1/p' | sort | tr '\n' ' '; }

# ---- S/MIME (default): headers, and openssl reads the certificates ----
expect_exit 0 "$CACHET" certs-only --out co.p7c pki/alice.crt pki/bob.crt
tr -d '\r' <co.p7c >co.txt
grep -qi '^Content-Type: application/pkcs7-mime; *smime-type=certs-only' co.txt ||
    fail "no certs-only Content-Type: $(head -5 co.txt)"
grep -qi 'name=.*\.p7c' co.txt || fail "no .p7c name"
openssl smime -pk7out -in co.p7c -out co.p7.pem 2>/dev/null || fail "openssl smime cannot read it"
openssl pkcs7 -in co.p7.pem -outform DER -out co.p7b || fail "openssl pkcs7 cannot read it"
[ "$(subjects co.p7b)" = "Alice Bob " ] || fail "expected Alice and Bob, got '$(subjects co.p7b)'"

# ---- DER and PEM ----
expect_exit 0 "$CACHET" certs-only --format der --out co.der pki/carol.crt
[ "$(subjects co.der)" = "Carol " ] || fail "DER: expected Carol, got '$(subjects co.der)'"
expect_exit 0 "$CACHET" certs-only --format pem pki/carol.crt pki/inter.crt
head -1 out.txt | grep -- "-----BEGIN" >/dev/null || fail "--format pem is not PEM"
cp out.txt co.pem
openssl cms -cmsout -inform PEM -in co.pem -outform DER -out co-pem.der || fail "openssl cannot read the PEM form"
[ "$(subjects co-pem.der)" = "Cachet Test Intermediate CA Carol " ] || fail "PEM: got '$(subjects co-pem.der)'"

# ---- stored certificates by fingerprint (any unique prefix of 8+ digits) ----
"$CACHET" certs import pki/ca.crt pki/dave.crt >/dev/null
CA=$(fp pki/ca.crt)
DAVE=$(fp pki/dave.crt)
expect_exit 0 "$CACHET" certs-only --format der --out fp.der "${CA:0:8}" "$DAVE" pki/erin.crt
[ "$(subjects fp.der)" = "Cachet Test Root CA Dave Erin " ] || fail "by fingerprint: got '$(subjects fp.der)'"

# ---- imported back ----
for f in co.p7c co.der co.pem fp.der; do
    expect_exit 0 "$CACHET" certs import --store "$WORK/re-$f.db" "$f"
done
expect_exit 0 "$CACHET" certs import --store "$WORK/re.db" co.p7c
[ "$(cat out.txt)" = "imported 2 new, 0 already known" ] || fail "re-import: $(cat out.txt)"
expect_exit 0 "$CACHET" certs find --store "$WORK/re.db" bob@example.com --json
json_check out.txt "len(r) == 1" "r[0]['fingerprint'] == '$(fp pki/bob.crt)'"
expect_exit 0 "$CACHET" certs import --store "$WORK/re.db" fp.der
[ "$(cat out.txt)" = "imported 3 new, 0 already known" ] || fail "re-import DER: $(cat out.txt)"

# ---- errors: exit status, nothing written ----
expect_exit 2 "$CACHET" certs-only --out e1.p7c pki/missing.crt
expect_stderr "cannot open certificate file pki/missing.crt"
expect_no_file e1.p7c
expect_exit 1 "$CACHET" certs-only --out e2.p7c 0123456789abcdef
expect_stderr "no certificate with fingerprint 0123456789abcdef"
expect_no_file e2.p7c
expect_exit 2 "$CACHET" certs-only --out e3.p7c
expect_stderr "give at least one certificate"
expect_exit 2 "$CACHET" certs-only --format xml pki/alice.crt
expect_exit 2 "$CACHET" certs-only --out e4.p7c pki/alice.key
expect_no_file e4.p7c
no_temp_files "$WORK"
echo "certs_only: ok"

# ---- inspect: a certs-only message is not an RFC 3183 empty signature layer ----
expect_exit 0 "$CACHET" inspect --in co.p7c
grep -q 'empty' out.txt && fail "certs-only reported as an empty signature layer: $(cat out.txt)"
expect_exit 0 "$CACHET" sign --empty --in co.txt --out empty.eml
expect_exit 0 "$CACHET" inspect --in empty.eml
grep -q 'signed (empty: no signers)' out.txt || fail "the empty layer is not reported: $(cat out.txt)"
