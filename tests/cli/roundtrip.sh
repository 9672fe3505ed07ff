# Round trips through cachet (sign->verify, encrypt->decrypt, compress->decompress)
# for every signature form, digest, key type and cipher, and the same messages
# checked by openssl (our output read by `openssl smime`/`openssl cms`).
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
leaf dave dave@example.com ed25519

# has_text FILE: the message body came back, with the outer headers.
has_text() {
    grep -q "the figures are attached" "$1" || fail "$1 lacks the body text"
    grep -q "^Subject: quarterly figures" "$1" || fail "$1 lacks the Subject"
}

sign_case() {
    local who=$1
    shift
    a_message from-$who.eml "$who@example.com"
    expect_exit 0 "$CACHET" sign --cert pki/$who.crt --key pki/$who.key "$@" --in from-$who.eml --out s.eml
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in s.eml --out v.eml
    expect_stderr "cachet: signed by $who@example.com"
    expect_stderr "signature valid, chain trusted"
    expect_stderr "cachet: verification successful"
    has_text v.eml
    # the outer header stays outside the signature, readable
    grep -q "^Subject: quarterly figures" s.eml || fail "Subject not outside"
}

sign_case alice
grep -q 'micalg=sha-256' s.eml || fail "micalg sha-256"
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out o.txt 2>/dev/null || fail "openssl rejects multipart/signed"
grep -q "the figures are attached" o.txt || fail "openssl content"
sign_case alice --digest sha384
grep -q 'micalg=sha-384' s.eml || fail "micalg sha-384"
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null || fail "openssl sha384"
sign_case alice --digest sha512 --pss
grep -q 'micalg=sha-512' s.eml || fail "micalg sha-512"
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null || fail "openssl pss"
sign_case alice --opaque
grep -q 'smime-type=signed-data' s.eml || fail "opaque smime-type"
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null || fail "openssl opaque"
sign_case carol
openssl cms -verify -in s.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null || fail "openssl ecdsa"
sign_case carol --opaque
sign_case dave
grep -q 'micalg=sha-512' s.eml || fail "ed25519 micalg"

# a chain given with --chain ends up in the message
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --chain pki/ca.crt --in msg.eml --out s.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in s.eml --out /dev/null

# 8-bit text is transfer-encoded before signing and still verifies
printf 'From: alice@example.com\nSubject: 8bit\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\ncaf\xe9\n' >m8.eml
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in m8.eml --out s8.eml
grep -q 'Content-Transfer-Encoding: quoted-printable' s8.eml || fail "8bit not QP"
LC_ALL=C grep -q $'\xe9' s8.eml && fail "8-bit byte left in multipart/signed"
openssl cms -verify -in s8.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null || fail "openssl 8bit"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in s8.eml --out /dev/null

enc_case() {
    local who=$1
    shift
    expect_exit 0 "$CACHET" encrypt --to pki/$who.crt "$@" --in msg.eml --out e.eml
    grep -q "the figures are attached" e.eml && fail "plaintext visible in encrypted message"
    grep -q "^Subject: quarterly figures" e.eml || fail "Subject not outside"
    expect_exit 0 "$CACHET" decrypt --cert pki/$who.crt --key pki/$who.key --in e.eml --out d.eml
    has_text d.eml
}
enc_case bob
grep -q 'smime-type=authEnveloped-data' e.eml || fail "default is not authEnveloped"
openssl cms -decrypt -in e.eml -recip pki/bob.crt -inkey pki/bob.key -out o.txt 2>/dev/null || fail "openssl gcm"
grep -q "the figures are attached" o.txt || fail "openssl gcm content"
enc_case bob --cipher aes-128-gcm --oaep
openssl cms -decrypt -in e.eml -recip pki/bob.crt -inkey pki/bob.key -out /dev/null 2>/dev/null || fail "openssl oaep"
enc_case bob --cipher aes-256-cbc
grep -q 'smime-type=enveloped-data' e.eml || fail "cbc smime-type"
expect_stderr "NOT authenticated"
openssl smime -decrypt -in e.eml -recip pki/bob.crt -inkey pki/bob.key -out /dev/null 2>/dev/null || fail "openssl cbc"
enc_case bob --cipher aes-128-cbc
enc_case carol
openssl cms -decrypt -in e.eml -recip pki/carol.crt -inkey pki/carol.key -out /dev/null 2>/dev/null || fail "openssl ecdh"
enc_case carol --cipher aes-256-cbc

# several recipients: each can decrypt
expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --to pki/carol.crt --in msg.eml --out e2.eml
for who in bob carol; do
    expect_exit 0 "$CACHET" decrypt --cert pki/$who.crt --key pki/$who.key --in e2.eml --out d.eml
    has_text d.eml
done

# compress -> decompress
expect_exit 0 "$CACHET" compress --in msg.eml --out c.eml
grep -q 'smime-type=compressed-data' c.eml || fail "compressed smime-type"
expect_exit 0 "$CACHET" decompress --in c.eml --out dc.eml
has_text dc.eml
echo "roundtrip: ok"
