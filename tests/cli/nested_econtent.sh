# A layer whose content type is itself a CMS type carries the bare value of that
# type (RFC 5652 §5.2 eContent, §6.1 encryptedContent), not a ContentInfo: Bouncy
# Castle and `openssl cms -econtent_type` write it so. Some writers wrap it in a
# ContentInfo anyway: both are read. (Found by the Bouncy Castle suite, BC-2.)
source "$(dirname "$0")/lib.sh"
make_pki
printf 'nested content\n' >n.txt

# bare_value CONTENTINFO OUT: the [0] value of a DER ContentInfo
bare_value() {
    python3 - "$1" "$2" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
def hdr(b, i):
    tag, l = b[i], b[i + 1]
    i += 2
    if l & 0x80:
        n = l & 0x7f
        l = int.from_bytes(b[i:i + n], "big")
        i += n
    return tag, l, i
t, l, i = hdr(d, 0)            # ContentInfo SEQUENCE
t, oid_len, j = hdr(d, i)      # contentType OID
t, l, k = hdr(d, j + oid_len)  # [0]
assert t == 0xA0
# indefinite length (cachet writes BER): the value runs to the two end-of-contents pairs
value = d[k:len(d) - 4] if d[j + oid_len + 1] == 0x80 else d[k:k + l]
open(sys.argv[2], "wb").write(value)
PY
}

openssl cms -digest_create -md sha256 -binary -in n.txt -outform DER -out digested.der 2>/dev/null
bare_value digested.der digested.bare
[ "$(head -c1 digested.bare | od -An -tx1 | tr -d ' ')" = 30 ] || fail "bare DigestedData"

for form in bare wrapped; do
    in=digested.bare
    [ $form = wrapped ] && in=digested.der
    openssl cms -sign -binary -nodetach -econtent_type 1.2.840.113549.1.7.5 -signer pki/alice.crt \
        -inkey pki/alice.key -in $in -outform DER -out signed-$form.der 2>/dev/null
    expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --json --in signed-$form.der --out got.txt
    cmp -s got.txt n.txt || fail "$form: content differs"
    json_check out.txt 'r["layers"][0]["content_type"] == "id-digestedData"' \
        'r["layers"][1]["type"] == "digested"' 'r["layers"][1]["digest_valid"] is True'
done
# the bare value is what openssl itself verifies
openssl cms -verify -binary -inform DER -in signed-bare.der -CAfile pki/ca.crt -out o.bin 2>/dev/null ||
    fail "openssl rejects the bare form"
cmp -s o.bin digested.bare || fail "openssl's eContent is not the bare DigestedData"

# EnvelopedData as the eContent of a SignedData: decrypt opens it, the signature checked
"$CACHET" encrypt --raw --cipher aes-256-cbc --to pki/bob.crt --in n.txt --out enveloped.der
bare_value enveloped.der enveloped.bare
openssl cms -sign -binary -nodetach -econtent_type 1.2.840.113549.1.7.3 -signer pki/alice.crt \
    -inkey pki/alice.key -in enveloped.bare -outform DER -out signed-env.der 2>/dev/null
expect_exit 0 "$CACHET" decrypt --raw --cert pki/bob.crt --key pki/bob.key --trust pki/ca.crt \
    --json --in signed-env.der --out got.txt
cmp -s got.txt n.txt || fail "signed enveloped: content differs"
json_check out.txt 'r["layers"][0]["type"] == "signed"' 'r["layers"][1]["type"] == "enveloped"'

# a changed digested content under a valid signature: the digest layer fails
python3 - digested.bare <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"nested content")
d[i] ^= 0x20
open("tampered.bare", "wb").write(d)
PY
openssl cms -sign -binary -nodetach -econtent_type 1.2.840.113549.1.7.5 -signer pki/alice.crt \
    -inkey pki/alice.key -in tampered.bare -outform DER -out signed-bad.der 2>/dev/null
expect_exit 1 "$CACHET" verify --raw --trust pki/ca.crt --in signed-bad.der --out none.txt
expect_stderr "digest does not match the content"
expect_no_file none.txt
echo "nested_econtent: all cases passed"
