# RFC 5752 / RFC 4853 from the command line: `cachet sign --multiple-signatures` with an RSA and
# an EC certificate of one subject makes each SignerInfo carry a multipleSignatures attribute
# naming the other (signed; openssl verifies the message); one signature corrupted, the other
# stands (valid, the broken one reported invalid); one removed: detected; two subjects refused.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml

# alice's second certificate: the same subject, a P-256 key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out pki/alice-ec.key 2>/dev/null
sed 's/keyEncipherment/keyAgreement/' pki/alice.ext >pki/alice-ec.ext
openssl req -new -key pki/alice-ec.key -subj "/CN=alice/emailAddress=alice@example.com" \
    -out pki/alice-ec.csr 2>/dev/null
openssl x509 -req -in pki/alice-ec.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial -days 3650 \
    -extfile pki/alice-ec.ext -out pki/alice-ec.crt 2>/dev/null
TWO=(--cert pki/alice.crt --key pki/alice.key --cert pki/alice-ec.crt --key pki/alice-ec.key)

# S/MIME: both signatures valid for cachet and for openssl
expect_exit 0 "$CACHET" sign "${TWO[@]}" --multiple-signatures --in msg.eml --out s.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in s.eml --out v.eml
json_check out.txt 'r["status"] == "valid"' 'len(r["layers"][0]["signers"]) == 2' \
    'all(s["signature"] == "valid" and s["chain"] == "trusted" for s in r["layers"][0]["signers"])'
grep -q "the figures are attached" v.eml || fail "content"
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out o.txt 2>/dev/null || fail "openssl rejects the message"
grep -q "the figures are attached" o.txt || fail "openssl content"

# raw, detached DER: the attribute is signed, once in each SignerInfo (openssl names no such OID)
expect_exit 0 "$CACHET" sign --raw --detached "${TWO[@]}" --multiple-signatures --in msg.eml --out s.der
openssl cms -cmsout -print -inform DER -in s.der >s.txt
[ "$(grep -c 'object: undefined (1.2.840.113549.1.9.16.2.51)' s.txt)" = 2 ] ||
    fail "expected two multipleSignatures attributes"
[ "$(grep -A1 'unsignedAttrs:' s.txt | grep -c '<ABSENT>')" = 2 ] || fail "unsigned attributes written"
openssl cms -verify -inform DER -binary -in s.der -content msg.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null ||
    fail "openssl rejects the raw SignedData"
expect_exit 0 "$CACHET" sign --raw --detached "${TWO[@]}" --in msg.eml --out plain.der
openssl cms -cmsout -print -inform DER -in plain.der | grep '1.2.840.113549.1.9.16.2.51' >/dev/null &&
    fail "multipleSignatures written without --multiple-signatures"

# signer_infos IN OUT OP K: re-encode the SignedData with SignerInfo K corrupted (OP=corrupt: the
# signature's last byte flipped) or removed (OP=remove).
signer_infos() {
    python3 - "$@" <<'PY'
import sys
src, dst, op, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = open(src, "rb").read()
def tlv(b, i):
    t, l, j = b[i], b[i + 1], i + 2
    if l & 0x80:
        n = l & 0x7F
        l, j = int.from_bytes(b[j:j + n], "big"), j + n
    return t, j, j + l
def items(b):
    i, out = 0, []
    while i < len(b):
        t, s, e = tlv(b, i)
        out.append((t, b[i:e], b[s:e]))
        i = e
    return out
def enc(t, c):
    n = len(c)
    if n < 128:
        return bytes([t, n]) + c
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([t, 0x80 | len(lb)]) + lb + c
ci = items(d)[0][2]
oid, wrap = items(ci)[0][1], items(ci)[1][2]
sd = items(wrap)[0][2]
parts = items(sd)
sis = [x[1] for x in items(parts[-1][2])]
if op == "remove":
    del sis[k]
else:
    t, s, e = tlv(sis[k], 0)
    last = items(sis[k][s:e])[-1]
    body = sis[k][s:e]
    at = body.rfind(last[1]) + len(last[1]) - 1
    body = body[:at] + bytes([body[at] ^ 1]) + body[at + 1:]
    sis[k] = enc(0x30, body)
sd2 = b"".join(x[1] for x in parts[:-1]) + enc(0x31, b"".join(sis))
open(dst, "wb").write(enc(0x30, oid + enc(0xA0, enc(0x30, sd2))))
PY
}

# one signature corrupted (either): the other stands for alice; the broken one is still reported
for k in 0 1; do
    signer_infos s.der bad.der corrupt $k
    expect_exit 0 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --json --in bad.der
    json_check out.txt 'r["status"] == "valid"' 'len(r["layers"][0]["signers"]) == 2' \
        "r['layers'][0]['signers'][$k]['signature'] == 'invalid'" \
        "r['layers'][0]['signers'][$k]['signature_detail'] == 'signature does not verify'" \
        "r['layers'][0]['signers'][1 - $k]['signature'] == 'valid'" \
        "r['layers'][0]['signers'][$k]['superseded'] is True" \
        "'superseded' not in r['layers'][0]['signers'][1 - $k]"
    expect_exit 0 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --in bad.der
    expect_stderr "signature invalid (signature does not verify), chain"
    expect_stderr "superseded by another valid signature of the same signer"
    # without the attribute two certificates are two signers: each is required
    signer_infos plain.der bad.der corrupt $k
    expect_exit 1 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --in bad.der
    expect_stderr "signature does not verify"
done

# one SignerInfo removed (the downgrade RFC 5752 exists for): detected from the one left
for k in 0 1; do
    signer_infos s.der cut.der remove $k
    expect_exit 1 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --json --in cut.der
    json_check out.txt 'r["status"] == "invalid"' 'len(r["layers"][0]["signers"]) == 1' \
        "'names a SignerInfo that is not in this SignedData' in r['layers'][0]['signers'][0]['signature_detail']"
    expect_exit 1 "$CACHET" verify --raw --content msg.eml --trust pki/ca.crt --in cut.der
    expect_stderr "a signature of this signer was removed or altered (RFC 5752"
done

# two subjects cannot be linked: refused, nothing written
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --cert pki/carol.crt --key pki/carol.key \
    --multiple-signatures --in msg.eml --out never.eml
expect_stderr "has another subject than signers[0]"
expect_no_file never.eml
no_temp_files .
echo "multisig: ok"
