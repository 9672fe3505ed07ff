# Issue 5: several signers in one command (repeated --cert/--key pairs, or --p12
# several times): one SignerInfo each (signerInfos is a SET: no order is promised), each with its own
# certificate; verify reports and checks them all; openssl verifies the result;
# one key that does not load fails the whole command with nothing written.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
leaf dave dave@example.com ed25519

# The From address is alice's: the other signers' addresses do not match it.
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --cert pki/carol.crt --key pki/carol.key \
    --cert pki/dave.crt --key pki/dave.key --in msg.eml --out s3.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --no-address-check --json --in s3.eml --out v.eml
json_check out.txt 'r["status"] == "valid"' 'len(r["layers"]) == 1' 'len(r["layers"][0]["signers"]) == 3' \
    'sorted(s["emails"][0] for s in r["layers"][0]["signers"]) == ["alice@example.com", "carol@example.com", "dave@example.com"]' \
    'all(s["signature"] == "valid" and s["chain"] == "trusted" for s in r["layers"][0]["signers"])' \
    'sorted(s["algorithm"][:5] for s in r["layers"][0]["signers"]) == ["ecdsa", "ed255", "rsaEn"]'
grep -q "the figures are attached" v.eml || fail "content"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --no-address-check --in s3.eml --out v.eml
expect_stderr "cachet: signed by alice@example.com"
expect_stderr "cachet: signed by carol@example.com"
expect_stderr "cachet: signed by dave@example.com"
expect_stderr "cachet: verification successful"
expect_exit 0 "$CACHET" inspect --in s3.eml
expect_stdout "3 signer(s)"
# The micalg of multipart/signed names every signer's digest (Ed25519 signs with SHA-512).
grep -q 'micalg="sha-256,sha-512"' s3.eml || fail "micalg of three signers"
# SignedData.digestAlgorithms lists each signer's digest (RFC 5652 §5.3: SHOULD be among them).
expect_exit 0 "$CACHET" sign --raw --cert pki/alice.crt --key pki/alice.key --cert pki/dave.crt --key pki/dave.key \
    --in msg.eml --out s-ed.der
openssl cms -cmsout -print -inform DER -in s-ed.der >s-ed.txt
sed -n '/digestAlgorithms:/,/encapContentInfo:/p' s-ed.txt >algs.txt
grep -q 'algorithm: sha256' algs.txt && grep -q 'algorithm: sha512' algs.txt ||
    fail "digestAlgorithms lacks sha256 or sha512: $(tr '\n' ' ' <algs.txt)"
[ "$(grep -c 'd.issuerAndSerialNumber\|d.subjectKeyIdentifier' s-ed.txt)" = 2 ] || fail "not two SignerInfos"
# openssl verifies every signer (its 3.0 CMS cannot verify Ed25519: two signers here)
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --cert pki/carol.crt --key pki/carol.key \
    --in msg.eml --out s2.eml
openssl cms -verify -in s2.eml -CAfile pki/ca.crt -out o.txt -certsout certs.pem 2>/dev/null ||
    fail "openssl rejects the two signers"
[ "$(grep -c 'BEGIN CERTIFICATE' certs.pem)" = 2 ] || fail "not two certificates in the message"
grep -q "the figures are attached" o.txt || fail "openssl content"

# With the address check, a signer whose address is not From makes it fail, though each signature is valid.
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --json --in s3.eml --out never.eml
json_check out.txt 'r["from_mismatch"] is True' \
    'sorted((s["emails"][0], s["address_match"]) for s in r["layers"][0]["signers"]) == [("alice@example.com", True), ("carol@example.com", False), ("dave@example.com", False)]'
expect_no_file never.eml

# --p12 several times, one --pass for them all; opaque and raw forms.
export P12PASS=p12-secret
for who in alice carol; do
    openssl pkcs12 -export -in pki/$who.crt -inkey pki/$who.key -passout env:P12PASS -out $who.p12 2>/dev/null
done
expect_exit 0 "$CACHET" sign --p12 alice.p12 --p12 carol.p12 --pass env:P12PASS --opaque --in msg.eml --out s2.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --no-address-check --json --in s2.eml --out v.eml
json_check out.txt 'r["status"] == "valid"' 'len(r["layers"][0]["signers"]) == 2' \
    'sorted(s["emails"][0] for s in r["layers"][0]["signers"]) == ["alice@example.com", "carol@example.com"]'
expect_exit 0 "$CACHET" sign --raw --digest sha384 --cert pki/carol.crt --key pki/carol.key --cert pki/alice.crt \
    --key pki/alice.key --in msg.eml --out s2.der
openssl cms -verify -inform DER -binary -in s2.der -content msg.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null ||
    fail "openssl rejects the raw two-signer SignedData"
expect_exit 0 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --json --in s2.der
json_check out.txt 'r["status"] == "valid"' 'len(r["layers"][0]["signers"]) == 2' \
    'all(s["digest"] == "sha384" for s in r["layers"][0]["signers"])'

# One key that cannot be loaded (or does not match its certificate): nothing is signed.
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --cert pki/carol.crt --key pki/missing.key \
    --in msg.eml --out never.eml
expect_stderr "cannot open key file pki/missing.key"
expect_no_file never.eml
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --cert pki/carol.crt --key pki/bob.key \
    --in msg.eml --out never.eml
expect_stderr "loading the key and certificate"
expect_no_file never.eml
expect_exit 2 "$CACHET" sign --p12 alice.p12 --p12 carol.p12 --pass pass:wrong --in msg.eml --out never.eml
expect_no_file never.eml
no_temp_files .
echo "issue5_multi: ok"
