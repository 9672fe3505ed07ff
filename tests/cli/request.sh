# cachet request: PKCS#10 requests checked with openssl (signature, address in
# the SAN, key type), PEM or application/pkcs10 MIME, new or existing keys.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" pki >/dev/null 2>&1
export CACHET_STORE=$WORK/store/store.db

# check_req FILE(PEM) EMAIL KEYTEXT: a verified request for EMAIL whose key text mentions KEYTEXT.
check_req() {
    openssl req -in "$1" -verify -noout 2>&1 | grep "verify OK" >/dev/null || fail "$1: signature does not verify"
    openssl req -in "$1" -noout -text >req.txt 2>/dev/null || fail "$1: openssl cannot read it"
    grep -qF "email:$2" req.txt || fail "$1: no rfc822Name $2 in the SAN: $(cat req.txt)"
    grep -qF -- "$3" req.txt || fail "$1: expected '$3' in the request: $(cat req.txt)"
}

# ---- new keys ----
expect_exit 0 "$CACHET" request --email dora@example.com --new ec:P-256 --key-out dora.key --out dora.csr
expect_stderr "new key written to dora.key (not encrypted)"
head -1 dora.csr | grep -x -- "-----BEGIN CERTIFICATE REQUEST-----" >/dev/null || fail "not a PEM request"
check_req dora.csr dora@example.com "prime256v1"
[ "$(stat -c %a dora.key)" = 600 ] || fail "a generated key file is not 0600"
# the request's key is the one written out
cmp -s <(openssl req -in dora.csr -noout -pubkey) <(openssl pkey -in dora.key -pubout) ||
    fail "the request does not carry the generated key"

expect_exit 0 "$CACHET" request --email erin@example.com --new ed25519 --key-out erin.key
check_req out.txt erin@example.com "ED25519"
# the default is RSA 3072
expect_exit 0 "$CACHET" request --email rsa@example.com --key-out rsa.key --out rsa.csr
check_req rsa.csr rsa@example.com "3072 bit"
# a passphrase encrypts the new key
export KEYPASS=s3cret
expect_exit 0 "$CACHET" request --email enc@example.com --new ec:P-256 --key-out enc.key --pass env:KEYPASS --out enc.csr
expect_stderr "(encrypted with --pass)"
head -1 enc.key | grep "ENCRYPTED PRIVATE KEY" >/dev/null || fail "--pass did not encrypt the new key"
openssl pkey -in enc.key -passin pass:s3cret -noout || fail "the new key does not open with --pass"

# ---- an existing key (plain and encrypted) ----
expect_exit 0 "$CACHET" request --email alice@example.com --key pki/alice.key --out alice.csr
check_req alice.csr alice@example.com "2048 bit"
cmp -s <(openssl req -in alice.csr -noout -pubkey) <(openssl pkey -in pki/alice.key -pubout) ||
    fail "the request does not carry the given key"
expect_exit 0 "$CACHET" request --email enc@example.com --key enc.key --pass env:KEYPASS --out enc2.csr
check_req enc2.csr enc@example.com "prime256v1"
expect_exit 2 "$CACHET" request --email enc@example.com --key enc.key --pass pass:wrong --out bad.csr
expect_no_file bad.csr

# ---- --mime: application/pkcs10 (RFC 2311 3.7) ----
expect_exit 0 "$CACHET" request --email alice@example.com --key pki/alice.key --mime --out alice.p10.eml
tr -d '\r' <alice.p10.eml >mime.txt
grep -qi "^Content-Type: application/pkcs10" mime.txt || fail "--mime lacks Content-Type: application/pkcs10"
grep -qi "^Content-Transfer-Encoding: base64" mime.txt || fail "--mime lacks base64 transfer encoding"
grep -qi "filename=.*\.p10" mime.txt || fail "--mime lacks a .p10 file name"
sed '1,/^$/d' mime.txt | base64 -d >alice.p10.der || fail "the MIME body is not base64"
openssl req -inform DER -in alice.p10.der -verify -noout 2>&1 | grep "verify OK" >/dev/null ||
    fail "the MIME body is not a valid PKCS#10 request"

# ---- usage errors: exit 2, nothing written ----
expect_exit 2 "$CACHET" request --new ec:P-256 --key-out k1.key
expect_stderr "--email ADDRESS is required"
expect_exit 2 "$CACHET" request --email "not an address" --key-out k1.key
expect_stderr "is not an address"
expect_exit 2 "$CACHET" request --email a@example.com --key pki/alice.key --new ec:P-256
expect_exit 2 "$CACHET" request --email a@example.com --new ec:P-256
expect_stderr "needs --key-out F"
expect_exit 2 "$CACHET" request --email a@example.com --new dsa:1024 --key-out k2.key --out k2.csr
expect_no_file k2.csr
expect_exit 2 "$CACHET" request --email a@example.com --key pki/none.key
expect_stderr "cannot open key file pki/none.key"
cp dora.key keep.key
expect_exit 2 "$CACHET" request --email a@example.com --new ec:P-256 --key-out dora.key
expect_stderr "is never overwritten"
cmp -s dora.key keep.key || fail "an existing key file was overwritten"
no_temp_files "$WORK"
echo "request: ok"
