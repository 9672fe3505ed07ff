# A countersigner whose certificate the message does not carry (RFC 5652 §5.1: the
# recipient may be expected to have it) is found in the certificate store, like a
# signer: without it the countersignature cannot be checked and fails its parent;
# with carol's certificate imported it verifies.
source "$(dirname "$0")/lib.sh"
make_pki
printf 'the figures are attached\n' >msg.txt
export CACHET_STORE=$WORK/store.db
unset XDG_DATA_HOME

expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --raw --in msg.txt --out raw.der
expect_exit 0 "$CACHET" countersign --cert pki/carol.crt --key pki/carol.key --raw --in raw.der --out cs.der
openssl x509 -in pki/carol.crt -outform DER -out carol.der
# drop carol's certificate from SignedData.certificates (DER throughout)
python3 - cs.der carol.der nocarol.der <<'PY'
import sys
d, carol = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
def tlv(b, i):
    l, j = b[i + 1], i + 2
    if l & 0x80:
        n = l & 0x7F
        l, j = int.from_bytes(b[j:j + n], "big"), j + n
    return j, j + l
def items(b):
    i, out = 0, []
    while i < len(b):
        s, e = tlv(b, i)
        out.append((b[i], b[i:e], b[s:e]))
        i = e
    return out
def enc(t, c):
    n = len(c)
    if n < 128:
        return bytes([t, n]) + c
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([t, 0x80 | len(lb)]) + lb + c
ci = items(items(d)[0][2])
sd = items(items(ci[1][2])[0][2])
out, dropped = b"", 0
for t, whole, body in sd:
    if t == 0xA0:
        certs = [w for _, w, _ in items(body)]
        dropped = len([c for c in certs if c == carol])
        whole = enc(0xA0, b"".join(c for c in certs if c != carol))
    out += whole
assert dropped == 1, "carol's certificate was not in the message"
open(sys.argv[3], "wb").write(enc(0x30, ci[0][1] + enc(0xA0, enc(0x30, out))))
PY
[ -s nocarol.der ] || fail "could not strip the countersigner's certificate"

# the store does not know carol: the countersignature has no certificate
expect_exit 0 "$CACHET" certs import pki/ca.crt
expect_exit 1 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --json --in nocarol.der \
    --out /dev/null
json_check out.txt 'r["status"] == "invalid"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["signature"] == "invalid"' \
    "'no certificate matches the signer identifier' in r['layers'][0]['signers'][0]['countersigners'][0]['signature_detail']"

# carol's certificate in the store: found, and the countersignature verifies
expect_exit 0 "$CACHET" certs import pki/carol.crt
expect_exit 0 "$CACHET" verify --raw --content msg.txt --trust pki/ca.crt --json --in nocarol.der \
    --out /dev/null
json_check out.txt 'r["status"] == "valid"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["signature"] == "valid"' \
    'r["layers"][0]["signers"][0]["countersigners"][0]["subject"] == "emailAddress=carol@example.com,CN=carol"'
echo "countersign_store: ok"
