# Quirks seen in the wild (issue 5): messages other agents write that differ
# from RFC 8551's letter in ways that change nothing that was signed or
# encrypted. Each is made from an openssl-signed or -encrypted message by
# changing exactly the quirk, and must verify or decrypt with the exact content;
# the changes that DO alter what was signed must still fail.
source "$(dirname "$0")/lib.sh"
make_pki
printf 'Content-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthe figures are attached.\n' >msg.eml
T=(--trust pki/ca.crt)
H=(-from 'Alice <alice@example.com>' -to bob@example.com -subject figures)

# openssl writes micalg="sha-256", application/pkcs7-signature, smime-type=signed-data
openssl cms -sign "${H[@]}" -signer pki/alice.crt -inkey pki/alice.key -md sha256 -in msg.eml -out det.eml 2>/dev/null
openssl cms -sign "${H[@]}" -nodetach -signer pki/alice.crt -inkey pki/alice.key -in msg.eml -out opq.eml 2>/dev/null
openssl cms -encrypt "${H[@]}" -aes256 -in msg.eml -out enc.eml pki/bob.crt 2>/dev/null
grep -q 'micalg="sha-256"' det.eml || fail "openssl's micalg spelling changed"
expect_exit 0 "$CACHET" verify "${T[@]}" --in det.eml --out want.txt

# verify_same FILE: valid, and the content is what the unmodified message gave
verify_same() {
    expect_exit 0 "$CACHET" verify "${T[@]}" --in "$1" --out got.txt
    cmp -s got.txt want.txt || fail "$1: content differs"
}

# micalg spellings (RFC 8551 §3.5.3.2 says sha-256; others write sha256, SHA256,
# SHA-256, or a list; some leave it out). micalg only picks the digests computed
# while the content streams: it never decides validity.
for m in sha256 SHA256 SHA-256 sha-1,sha-256 'sha-256, sha-512'; do
    sed "s/micalg=\"sha-256\"/micalg=\"$m\"/" det.eml >micalg.eml
    verify_same micalg.eml
done
sed 's/ micalg="sha-256";//' det.eml >micalg.eml
grep -q micalg micalg.eml && fail "micalg not removed"
verify_same micalg.eml
sed 's/micalg="sha-256"/micalg=md5/' det.eml >micalg.eml
verify_same micalg.eml

# application/x-pkcs7-* (S/MIME v2, RFC 2311 §3.2 and still in use)
sed 's#application/pkcs7-signature#application/x-pkcs7-signature#g' det.eml >x.eml
grep -q 'protocol="application/x-pkcs7-signature"' x.eml || fail "x-pkcs7 protocol not set"
verify_same x.eml
sed 's#application/pkcs7-mime#application/x-pkcs7-mime#' opq.eml >x.eml
verify_same x.eml
sed 's#application/pkcs7-mime#application/x-pkcs7-mime#' enc.eml >x.eml
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in x.eml --out dec.txt
grep -q 'the figures are attached' dec.txt || fail "x-pkcs7-mime enveloped content"

# smime-type missing, or wrong (the CMS contentType decides, never the label)
sed 's/ smime-type=signed-data;//' opq.eml >st.eml
grep -q smime-type st.eml && fail "smime-type not removed"
verify_same st.eml
sed 's/smime-type=signed-data/smime-type=enveloped-data/' opq.eml >st.eml
verify_same st.eml
sed 's/smime-type=enveloped-data/smime-type=signed-data/' enc.eml >st.eml
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in st.eml --out dec.txt
grep -q 'the figures are attached' dec.txt || fail "mislabelled enveloped content"
sed 's/ smime-type=enveloped-data;//' enc.eml >st.eml
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in st.eml --out dec2.txt
cmp -s dec.txt dec2.txt || fail "enveloped content without smime-type"

# Line ends: a message stored with LF only (mbox, Unix MTAs), base64 with LF
# lines. The signed part is canonicalised to CRLF before hashing (RFC 8551 §3.1.1).
tr -d '\r' <det.eml >lf.eml
verify_same lf.eml
tr -d '\r' <opq.eml >lf.eml
verify_same lf.eml
tr -d '\r' <enc.eml >lf.eml
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in lf.eml --out dec3.txt
cmp -s dec.txt dec3.txt || fail "LF-only enveloped message"
# base64 in one long line, and in 64-column lines with trailing blanks
python3 - opq.eml <<'PY'
import sys, re
src = open(sys.argv[1], newline='').read()
head, body = src.split('\n\n', 1)
b64 = ''.join(body.split())
open('oneline.eml', 'w', newline='').write(head + '\n\n' + b64 + '\n')
open('blanks.eml', 'w', newline='').write(head + '\n\n' +
    ''.join(b64[i:i + 64] + ' \t\n' for i in range(0, len(b64), 64)))
PY
verify_same oneline.eml
verify_same blanks.eml

# 8bit transfer encoding: the signed part has raw UTF-8 octets, signed as sent
printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\n' >8bit.eml
openssl cms -sign "${H[@]}" -signer pki/alice.crt -inkey pki/alice.key -in 8bit.eml -out 8bit.signed 2>/dev/null
expect_exit 0 "$CACHET" verify "${T[@]}" --in 8bit.signed --out got8.txt
grep -q "$(printf 'Gr\xc3\xbc\xc3\x9fe')" got8.txt || fail "8bit content changed"
openssl cms -sign -nodetach -binary -signer pki/alice.crt -inkey pki/alice.key -in 8bit.eml \
    -outform DER -out 8bit.der 2>/dev/null
# an application/pkcs7-mime entity sent with Content-Transfer-Encoding: binary
{
    printf 'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: binary\r\n'
    printf 'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n'
    printf 'Content-Transfer-Encoding: binary\r\n\r\n'
    cat 8bit.der
} >binary.eml
expect_exit 0 "$CACHET" verify "${T[@]}" --in binary.eml --out gotb.txt
grep -q "$(printf 'K\xc3\xb6ln')" gotb.txt || fail "binary pkcs7-mime content"

# A quirk may not hide a change: the signed text changed under an odd micalg fails
sed -e 's/micalg="sha-256"/micalg=SHA256/' -e 's/the figures are attached/the figures are ATTACHED/' \
    det.eml >bad.eml
expect_exit 1 "$CACHET" verify "${T[@]}" --in bad.eml --out none.txt
expect_no_file none.txt

# The signer's certificate left out of the message (openssl -nocerts), known
# from the certificate store: verify finds it there by issuer and serial.
openssl cms -sign "${H[@]}" -nocerts -nodetach -signer pki/alice.crt -inkey pki/alice.key -in msg.eml \
    -out nocerts.eml 2>/dev/null
expect_exit 1 "$CACHET" verify "${T[@]}" --in nocerts.eml --out none.txt
expect_no_file none.txt
export CACHET_STORE=$WORK/store/store.db
expect_exit 0 "$CACHET" certs import pki/alice.crt
expect_exit 0 "$CACHET" verify "${T[@]}" --store "sqlite:$CACHET_STORE" --in nocerts.eml --out got.txt
cmp -s got.txt want.txt || fail "nocerts: content differs"
# removed from the store again, the signer is unknown again
expect_exit 0 "$CACHET" certs remove "$(openssl x509 -in pki/alice.crt -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)"
expect_exit 1 "$CACHET" verify "${T[@]}" --store "sqlite:$CACHET_STORE" --in nocerts.eml --out none.txt

echo "quirks: all cases passed"
