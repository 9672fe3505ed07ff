# The innermost entity is passed on exactly as it was signed or encrypted: its
# transfer encoding is the mail reader's business, not the S/MIME layer's, so a
# body that is not valid base64 neither fails a valid signature nor a
# decryption (before issue 6 it failed both, at the cost of decoding every
# body twice). The bytes that come out are the bytes that went in.
source "$(dirname "$0")/lib.sh"
make_pki
printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: odd body\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA!!!not base64===\r\n' >odd.eml
# inner: what a reader gets back (the content header and body, as sent)
sed -n '/^Content-Type/,$p' odd.eml >inner.want

for form in "" --opaque; do
    expect_exit 0 "$CACHET" sign $form --cert pki/alice.crt --key pki/alice.key --in odd.eml --out s.eml
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in s.eml --out v.eml
    expect_stderr "verification successful"
    sed -n '/^Content-Type/,$p' v.eml | cmp - inner.want || fail "verify ${form:-multipart} changed the body"
done
for cipher in aes-256-gcm aes-256-cbc; do
    expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --cipher $cipher --in odd.eml --out e.eml
    expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in e.eml --out d.eml
    sed -n '/^Content-Type/,$p' d.eml | cmp - inner.want || fail "decrypt ($cipher) changed the body"
done
# A signed layer's own structure is still checked: base64 junk in the
# signature part is malformed.
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in odd.eml --out s.eml
python3 - s.eml <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read()
i = d.rindex(b"Content-Type: application/pkcs7-signature")
j = d.index(b"\r\n\r\n", i) + 4
open(sys.argv[1], "wb").write(d[:j] + b"!!" + d[j + 2:])
PY
expect_exit 3 "$CACHET" verify --trust pki/ca.crt --in s.eml --out v.eml
expect_stderr "invalid base64"
echo "passthrough: ok"
