# CRLs carried in a signed message (SignedData.crls) are recognised and, with
# verify --harvest, stored for later use once verified against their stored
# issuer (RFC 8550 §2.1, §4.2). Afterwards a revocation check of a certificate
# that CRL lists answers "revoked" from the store although no server is up.
source "$(dirname "$0")/lib.sh"

# The CA's OCSP responder and CRL distribution point are ports nobody listens on.
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash "$CACHET_SRC/tests/pki/mkrevocation.sh" "$WORK/rev" "$dead" "$dead" >"$WORK/mk.log" 2>&1 ||
    fail "mkrevocation.sh: $(tail -3 "$WORK/mk.log")"
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
export CACHET_STORE=$WORK/store.db
expect_exit 0 "$CACHET" certs import --anchor rev/ca.crt
expect_exit 0 "$CACHET" certs import rev/revoked.crt

# Before: nothing answers, nothing is stored.
expect_exit 1 "$CACHET" certs revoke-check --timeout 2 "$(fp rev/revoked.crt)"
expect_stdout "unknown"

# plain@example.com (same CA) signs; the CA's CRL is put into SignedData.crls.
printf 'the figures\n' >content.txt
expect_exit 0 "$CACHET" sign --raw --opaque --format der --cert rev/plain.crt --key rev/plain.key \
    --in content.txt --out signed.der
with_crl() {
    python3 - "$CACHET_SRC/tests/attacks" signed.der "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import derlib as d
root = d.parse(open(sys.argv[2], "rb").read())
sd = root.kids[1].kids[0]
crl = d.parse(open(sys.argv[3], "rb").read())
# certificates [0] is followed by crls [1] (RFC 5652 §5.1)
at = next(i for i, k in enumerate(sd.kids) if k.tag[0] == 0xA0) + 1
sd.kids.insert(at, d.ctx(1, crl))
open(sys.argv[4], "wb").write(d.ser(root))
PY
}
with_crl rev/www/ca.crl signed-crl.der
openssl cms -cmsout -print -inform DER -in signed-crl.der | grep "crls:" >/dev/null ||
    fail "the test message carries no CRL"

# A bad signature: nothing is harvested, the CRL included.
python3 - signed-crl.der tampered.der <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-5] ^= 0x01  # inside the signature value, the last field
open(sys.argv[2], "wb").write(b)
PY
expect_exit 1 "$CACHET" verify --raw --harvest --in tampered.der --out out.txt
expect_exit 1 "$CACHET" certs revoke-check --timeout 2 "$(fp rev/revoked.crt)"
expect_stdout "unknown"

# A valid, trusted signature: the CRL is verified against the stored CA and kept.
expect_exit 0 "$CACHET" verify --raw --harvest --in signed-crl.der --out out.txt
grep -q "the figures" out.txt || fail "verify did not release the content"
expect_exit 1 "$CACHET" certs revoke-check --timeout 2 "$(fp rev/revoked.crt)"
expect_stdout "revoked (crl store)"

# A CRL signed by an impostor with the CA's name is not kept (a fresh store).
export CACHET_STORE=$WORK/store2.db
expect_exit 0 "$CACHET" certs import --anchor rev/ca.crt
expect_exit 0 "$CACHET" certs import rev/revoked.crt
with_crl rev/wrongkey.crl signed-wrong.der
expect_exit 0 "$CACHET" verify --raw --harvest --in signed-wrong.der --out out.txt
expect_exit 1 "$CACHET" certs revoke-check --timeout 2 "$(fp rev/revoked.crt)"
expect_stdout "unknown"
echo "harvest_crl: ok"
