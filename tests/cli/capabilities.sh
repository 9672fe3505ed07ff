# Capabilities learnt from signed mail decide the next encryption (RFC 8551
# §2.5.2, §2.7): a sender whose signed message advertises AES-256-GCM gets
# AuthEnvelopedData from `encrypt --to ADDRESS`; one that advertises only CBC
# (openssl cms -sign), or nothing at all, gets AES-256-CBC EnvelopedData.
# `verify --harvest` learns only from a valid signature with a trusted chain.
source "$(dirname "$0")/lib.sh"
make_pki
export CACHET_STORE=$WORK/store/store.db
unset XDG_DATA_HOME

# layer_is FILE TYPE CIPHER: inspect says the outer layer is TYPE with CIPHER.
layer_is() {
    expect_exit 0 "$CACHET" inspect --json --in "$1"
    json_check "$WORK/out.txt" "r['layers'][0]['type'] == '$2'" "r['layers'][0]['cipher'] == '$3'"
}
# opens_with WHO FILE: WHO's key decrypts FILE back to the message.
opens_with() {
    expect_exit 0 "$CACHET" decrypt --cert "pki/$1.crt" --key "pki/$1.key" --in "$2" --out "$WORK/dec.eml"
    grep -q "the figures are attached" "$WORK/dec.eml" || fail "$1 cannot read $2"
}

expect_exit 0 "$CACHET" certs import --anchor pki/ca.crt
a_message msg.eml

# ---- alice signs with cachet: her signedAttrs advertise AES-256-GCM first ----
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in msg.eml --out alice.eml
cp alice.eml alice-good.eml

# unknown address: not found (exit 1), nothing written
expect_exit 1 "$CACHET" encrypt --to alice@example.com --in msg.eml --out never.eml
expect_stderr "no certificate for alice@example.com in the store"
expect_no_file never.eml

# a tampered body is never learnt from
sed 's/the figures are attached/the figures are detached/' alice.eml >alice-bad.eml
cmp -s alice.eml alice-bad.eml && fail "tampering changed nothing"
expect_exit 1 "$CACHET" verify --harvest --in alice-bad.eml --out /dev/null
expect_exit 1 "$CACHET" certs find alice@example.com

# an untrusted signer is never learnt from: a store without the anchor
expect_exit 1 "$CACHET" verify --harvest --store "$WORK/bare/store.db" --in alice-good.eml --out /dev/null
expect_exit 1 "$CACHET" certs find --store "$WORK/bare/store.db" alice@example.com

# the valid, trusted message is
expect_exit 0 "$CACHET" verify --harvest --in alice-good.eml --out /dev/null
expect_stderr "verification successful"
expect_exit 0 "$CACHET" certs find --json alice@example.com
json_check "$WORK/out.txt" "len(r) == 1" "r[0]['origin'] == 'harvested'" \
    "r[0]['emails'] == ['alice@example.com']"

expect_exit 0 "$CACHET" encrypt --to alice@example.com --in msg.eml --out to-alice.eml
layer_is to-alice.eml authEnveloped aes-256-gcm
opens_with alice to-alice.eml
# --cipher still decides when given
expect_exit 0 "$CACHET" encrypt --to alice@example.com --cipher aes-128-cbc --in msg.eml --out to-alice-cbc.eml
layer_is to-alice-cbc.eml enveloped aes-128-cbc

# ---- carol signs with openssl: its default capabilities have no GCM ----
printf 'Content-Type: text/plain\r\n\r\nHello from carol\r\n' >carol-body.txt
openssl cms -sign -signer pki/carol.crt -inkey pki/carol.key -in carol-body.txt -binary \
    -from carol@example.com -to bob@example.com -subject "from openssl" -out carol.eml 2>/dev/null ||
    fail "openssl cms -sign"
expect_exit 0 "$CACHET" verify --harvest --in carol.eml --out /dev/null
expect_exit 0 "$CACHET" encrypt --to carol@example.com --in msg.eml --out to-carol.eml
layer_is to-carol.eml enveloped aes-256-cbc
opens_with carol to-carol.eml

# ---- bob was imported, never seen signing: nothing known, so CBC ----
expect_exit 0 "$CACHET" certs import pki/bob.crt
expect_exit 0 "$CACHET" encrypt --to bob@example.com --in msg.eml --out to-bob.eml
layer_is to-bob.eml enveloped aes-256-cbc
opens_with bob to-bob.eml

# ---- GCM only when every recipient supports it ----
expect_exit 0 "$CACHET" encrypt --to alice@example.com --to bob@example.com --in msg.eml --out to-both.eml
layer_is to-both.eml enveloped aes-256-cbc
opens_with alice to-both.eml
opens_with bob to-both.eml
# a certificate file and an address together
expect_exit 0 "$CACHET" encrypt --to alice@example.com --to pki/carol.crt --in msg.eml --out mixed.eml
layer_is mixed.eml enveloped aes-256-cbc
opens_with carol mixed.eml
opens_with alice mixed.eml

# the domain of an address compares case-insensitively (RFC 8550 §3)
expect_exit 0 "$CACHET" encrypt --to alice@EXAMPLE.COM --in msg.eml --out upper.eml
layer_is upper.eml authEnveloped aes-256-gcm

echo "capabilities: ok"
