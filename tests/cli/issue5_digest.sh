# Issue 5: `cachet digest` writes DigestedData (RFC 5652 §7) in each form and with
# each digest; it reads back as a "digested" layer that is never a signature
# (verify fails a message it alone protects, exit 1), inside a signature and an
# encryption it round-trips with exit 0; a changed content is detected; openssl
# reads ours and we read openssl's.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
printf 'raw bytes\0\001\002 of a file\n' >file.bin

# S/MIME form: application/pkcs7-mime without an smime-type, outer header kept.
for d in sha256 sha384 sha512; do
    expect_exit 0 "$CACHET" digest --digest $d --in msg.eml --out dg-$d.eml
    grep -q '^Content-Type: application/pkcs7-mime' dg-$d.eml || fail "$d: not pkcs7-mime"
    grep -qi 'smime-type' dg-$d.eml && fail "$d: DigestedData has no smime-type"
    grep -q "^Subject: quarterly figures" dg-$d.eml || fail "$d: Subject not outside"
    expect_exit 1 "$CACHET" verify --json --in dg-$d.eml --out never.eml
    json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["type"] == "digested"' \
        "r['layers'][0]['digest'] == '$d'" 'r["layers"][0]["digest_valid"] is True' \
        'r["layers"][0]["weak"] is False' 'r["error"]["class"] == "no signers"'
    expect_no_file never.eml
    expect_exit 1 "$CACHET" verify --in dg-$d.eml --out never.eml
    expect_stderr "cachet: digested with $d (integrity only, not a signature)"
    expect_stderr "cachet: verification FAILED: message is not signed"
    expect_no_file never.eml
    # openssl checks our digest
    openssl cms -digest_verify -in dg-$d.eml -out o.txt 2>/dev/null || fail "openssl rejects our $d DigestedData"
    grep -q "the figures are attached" o.txt || fail "openssl $d content"
done
# The default digest is SHA-256.
expect_exit 0 "$CACHET" digest --in msg.eml --out dg.eml
expect_exit 0 "$CACHET" inspect --json --in dg.eml
json_check out.txt 'r["layers"][0]["type"] == "digested"' 'r["layers"][0]["digest"] == "sha256"'
expect_exit 0 "$CACHET" inspect --in dg.eml
expect_stdout "layer 1: digested"
expect_stdout "sha256 digest (integrity only, not a signature)"

# Raw forms: DER by default, PEM with --format pem (which implies --raw).
expect_exit 0 "$CACHET" digest --raw --in file.bin --out dg.der
openssl cms -cmsout -print -inform DER -in dg.der >dg.txt
grep -A1 'd.digestedData:' dg.txt | grep 'version: 0' >/dev/null || fail "DigestedData of id-data: version is not 0"
grep -q 'algorithm: sha256' dg.txt || fail "DigestedData digest algorithm"
openssl cms -digest_verify -inform DER -in dg.der -out o.bin 2>/dev/null || fail "openssl rejects our DER DigestedData"
cmp -s file.bin o.bin || fail "openssl's DER digest content differs"
expect_exit 0 "$CACHET" digest --format pem --digest sha512 --in file.bin --out dg.pem
grep -q -- "-----BEGIN CMS-----" dg.pem || fail "--format pem"
openssl cms -digest_verify -inform PEM -in dg.pem -out o.bin 2>/dev/null || fail "openssl rejects our PEM DigestedData"
cmp -s file.bin o.bin || fail "openssl's PEM digest content differs"
expect_exit 0 "$CACHET" inspect --raw --json --in dg.pem
json_check out.txt 'r["layers"][0]["digest"] == "sha512"'
# From stdin to stdout.
"$CACHET" digest --raw <file.bin >dg-stdout.der || fail "digest from stdin"
openssl cms -digest_verify -inform DER -in dg-stdout.der -out o.bin 2>/dev/null || fail "stdin digest"
cmp -s file.bin o.bin || fail "stdin digest content differs"

# A changed content: the digest no longer matches; refused, nothing written.
python3 - dg.der <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.find(b"raw bytes")
assert i > 0
b[i] ^= 0x20
open(p, "wb").write(b)
PY
expect_exit 1 "$CACHET" verify --raw --json --in dg.der --out never.bin
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["type"] == "digested"' \
    'r["layers"][0]["digest_valid"] is False'
expect_no_file never.bin
expect_exit 1 "$CACHET" verify --raw --in dg.der --out never.bin
expect_stderr "cachet: digested with sha256: digest does NOT match the content (integrity only, not a signature)"
expect_no_file never.bin

# Digested inside a signature: both layers reported, exit 0, the content comes out.
"$CACHET" digest --in msg.eml | "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --out sdg.eml ||
    fail "digest | sign"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in sdg.eml --out v.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["type"] == "signed"' \
    'r["layers"][1]["type"] == "digested"' 'r["layers"][1]["digest_valid"] is True'
grep -q "the figures are attached" v.eml || fail "signed digest content"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in sdg.eml --out v.eml
expect_stderr "cachet: digested with sha256 (integrity only, not a signature)"
expect_stderr "cachet: verification successful"
# and inside an encryption (decrypt passes a digested layer on)
"$CACHET" digest --digest sha384 --in msg.eml | "$CACHET" encrypt --to pki/bob.crt --out edg.eml ||
    fail "digest | encrypt"
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --json --in edg.eml --out d.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][1]["type"] == "digested"' \
    'r["layers"][1]["digest"] == "sha384"' 'r["layers"][1]["digest_valid"] is True'
grep -q "the figures are attached" d.eml || fail "encrypted digest content"

# openssl's DigestedData reads back.
openssl cms -digest_create -md sha384 -in msg.eml -out ossl-dg.eml 2>/dev/null
expect_exit 1 "$CACHET" verify --json --in ossl-dg.eml --out never.eml
json_check out.txt 'r["layers"][0]["type"] == "digested"' 'r["layers"][0]["digest"] == "sha384"' \
    'r["layers"][0]["digest_valid"] is True'
no_temp_files .
echo "issue5_digest: ok"
