# cachet countersign (RFC 5652 11.4): multipart/signed (only the signature
# part changes, part 1 byte for byte), opaque and raw CMS; cachet verify
# reports the countersigner, openssl cms -verify still accepts the main
# signature; the RFC 4134 vector; tampering and usage errors.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.txt
CRED_ALICE=(--cert pki/alice.crt --key pki/alice.key)
CRED_CAROL=(--cert pki/carol.crt --key pki/carol.key)
CRED_BOB=(--cert pki/bob.crt --key pki/bob.key)

# same_but_signature A B: the two messages differ only inside the body of the
# application/pkcs7-signature part (headers, part 1, boundaries identical).
same_but_signature() {
    python3 - "$1" "$2" <<'PY' || fail "$1 and $2 differ outside the signature body"
import re, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
def split(m):
    i = m.rindex(b"Content-Type: application/pkcs7-signature")
    j = m.index(b"\r\n\r\n", i) + 4
    k = m.index(b"\r\n--", j)
    return m[:j], m[j:k], m[k:]
pa, sa, ta = split(a)
pb, sb, tb = split(b)
sys.exit(0 if pa == pb and ta == tb and sa != sb else 1)
PY
}

# ---- multipart/signed ----
expect_exit 0 "$CACHET" sign "${CRED_ALICE[@]}" --in msg.txt --out signed.eml
expect_exit 0 "$CACHET" countersign "${CRED_CAROL[@]}" --in signed.eml --out cs.eml
same_but_signature signed.eml cs.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in cs.eml --out body.txt
json_check out.txt 'r["status"] == "valid"' \
    'len(r["layers"][0]["signers"][0]["countersigners"]) == 1' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["subject"] == "emailAddress=carol@example.com,CN=carol"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["signature"] == "valid"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["chain"] == "trusted"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["algorithm"] == "ecdsa-with-SHA256"'
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in cs.eml --out body.txt
expect_stderr "countersigned by carol@example.com (emailAddress=carol@example.com,CN=carol): countersignature valid, chain trusted"
openssl cms -verify -CAfile pki/ca.crt -in cs.eml -out /dev/null 2>/dev/null ||
    fail "openssl cms -verify rejects the countersigned multipart/signed"

# a second countersignature (bob, RSA-PSS, SHA-384) on the same signature
expect_exit 0 "$CACHET" countersign "${CRED_BOB[@]}" --pss --digest sha384 --in cs.eml --out cs2.eml
same_but_signature signed.eml cs2.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in cs2.eml --out /dev/null
json_check out.txt 'len(r["layers"][0]["signers"][0]["countersigners"]) == 2' \
    'r["layers"][0]["signers"][0]["countersigners"][1]["algorithm"] == "rsassa-pss"' \
    'r["layers"][0]["signers"][0]["countersigners"][1]["digest"] == "sha384"'

# ---- opaque ----
expect_exit 0 "$CACHET" sign "${CRED_ALICE[@]}" --opaque --in msg.txt --out opaque.eml
expect_exit 0 "$CACHET" countersign "${CRED_CAROL[@]}" --in opaque.eml --out opaque-cs.eml
# the header block stays as it was
[ "$(sed -n '1,/^\r\?$/p' opaque.eml)" = "$(sed -n '1,/^\r\?$/p' opaque-cs.eml)" ] ||
    fail "opaque: the headers changed"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in opaque-cs.eml --out body2.txt
json_check out.txt 'r["layers"][0]["signers"][0]["countersigners"][0]["signature"] == "valid"'
openssl cms -verify -CAfile pki/ca.crt -in opaque-cs.eml -out ossl-body.txt 2>/dev/null ||
    fail "openssl cms -verify rejects the countersigned opaque message"
grep -q "the figures are attached" ossl-body.txt || fail "opaque: openssl lost the content"
grep -q "the figures are attached" body2.txt || fail "opaque: cachet lost the content"

# ---- raw CMS (detached): DER in, PEM out, and PEM in ----
expect_exit 0 "$CACHET" sign "${CRED_ALICE[@]}" --raw --in msg.txt --out raw.der
expect_exit 0 "$CACHET" countersign "${CRED_CAROL[@]}" --format pem --in raw.der --out raw-cs.pem
head -1 raw-cs.pem | grep -- "-----BEGIN CMS-----" >/dev/null || fail "--format pem is not PEM"
openssl cms -verify -CAfile pki/ca.crt -inform PEM -in raw-cs.pem -binary -content msg.txt \
    -out /dev/null 2>/dev/null ||
    fail "openssl cms -verify rejects the countersigned raw CMS"
expect_exit 0 "$CACHET" countersign "${CRED_BOB[@]}" --raw --in raw-cs.pem --out raw-cs2.der
expect_exit 0 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --json --in raw-cs2.der \
    --out /dev/null
json_check out.txt 'len(r["layers"][0]["signers"][0]["countersigners"]) == 2'

# --chain: the countersigner's chain joins the certificates, each certificate once
expect_exit 0 "$CACHET" countersign "${CRED_CAROL[@]}" --chain pki/ca.crt --raw --in raw.der --out chain.der
n=$(openssl pkcs7 -inform DER -in chain.der -print_certs -noout | grep -c '^subject=')
[ "$n" = 3 ] || fail "--chain: expected alice, carol and the CA, got $n certificates"
expect_exit 0 "$CACHET" countersign "${CRED_ALICE[@]}" --chain pki/ca.crt --raw --in chain.der --out chain2.der
n=$(openssl pkcs7 -inform DER -in chain2.der -print_certs -noout | grep -c '^subject=')
[ "$n" = 3 ] || fail "--chain: certificates already there were added again ($n)"

# ---- two signers: --signer 1 and --signer all ----
expect_exit 0 "$CACHET" sign "${CRED_ALICE[@]}" "${CRED_CAROL[@]}" --raw --in msg.txt --out two.der
expect_exit 0 "$CACHET" countersign "${CRED_BOB[@]}" --raw --signer 1 --in two.der --out two-1.der
expect_exit 0 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --json --in two-1.der \
    --out /dev/null
json_check out.txt '"countersigners" not in r["layers"][0]["signers"][0]' \
    'len(r["layers"][0]["signers"][1]["countersigners"]) == 1'
expect_exit 0 "$CACHET" countersign "${CRED_BOB[@]}" --raw --signer all --in two.der --out two-all.der
expect_exit 0 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --json --in two-all.der \
    --out /dev/null
json_check out.txt 'all(len(s["countersigners"]) == 1 for s in r["layers"][0]["signers"])'

# ---- the RFC 4134 vector: 4.4 countersigned by AliceRSA ----
V=$CACHET_VECTORS/rfc4134-bcjava
expect_exit 0 "$CACHET" verify --raw --allow-weak --at 2003-05-15 --trust "$V/CarlRSASelf.cer" \
    --trust "$V/CarlDSSSelf.cer" --json --in "$V/4.4.bin" --out /dev/null
json_check out.txt 'r["layers"][0]["signers"][0]["countersigners"][0]["subject"] == "CN=AliceRSA"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["signing_time"] == "2003-05-14T15:39:00Z"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["weak"] is True'

# ---- tampering: a byte of the countersignature value flipped ----
python3 - raw-cs2.der tampered.der <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-40] ^= 1  # inside the last SignerInfo's last countersignature value
open(sys.argv[2], "wb").write(d)
PY
expect_exit 1 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --in tampered.der --out /dev/null
expect_stderr "countersignature[1] by emailAddress=bob@example.com,CN=bob: signature does not verify"

# ---- errors ----
expect_exit 2 "$CACHET" countersign "${CRED_BOB[@]}" --raw --signer 2 --in two.der --out x.der
expect_stderr "there is no SignerInfo 2 to countersign: the message has 2 (numbered from 0)"
expect_no_file x.der
expect_exit 2 "$CACHET" countersign "${CRED_BOB[@]}" --signer first --in cs.eml
expect_stderr "--signer takes a number from 0 or \"all\", not first"
expect_exit 2 "$CACHET" countersign --cert pki/bob.crt --key pki/carol.key --in cs.eml
expect_stderr "key does not match"
expect_exit 2 "$CACHET" countersign "${CRED_BOB[@]}" --in msg.txt
expect_stderr "not a signed S/MIME message"
expect_exit 2 "$CACHET" countersign "${CRED_BOB[@]}" --format der --in cs.eml
expect_stderr "raw CMS (DER or PEM) was expected and this is neither"
expect_exit 2 "$CACHET" countersign "${CRED_BOB[@]}" --in raw.der
expect_stderr "this is raw CMS, not an S/MIME message: countersign it with raw input (--raw)"
expect_exit 2 "$CACHET" countersign --in cs.eml
echo "countersign: ok"
