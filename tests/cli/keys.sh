# cachet keys import|list, and the commands that use the store for people:
# sign --as, encrypt --to ADDRESS, decrypt --as, verify --harvest. The store
# keeps references (a file path), never key bytes.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" pki >/dev/null 2>&1
export CACHET_STORE=$WORK/store/store.db
unset XDG_DATA_HOME CACHET_PIN

fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }
ALICE=$(fp pki/alice.crt)
RWORK=$(realpath "$WORK") # the store records resolved absolute paths
BOB=$(fp pki/bob.crt)
a_message msg.eml
"$CACHET" certs import --anchor pki/ca.crt >/dev/null
"$CACHET" certs import pki/inter.crt >/dev/null

# ---- key files: the absolute path is recorded ----
expect_exit 0 "$CACHET" keys import --key pki/bob.key --cert pki/bob.pem
expect_stdout "imported key: ${BOB:0:16}  file    $RWORK/pki/bob.key  bob@example.com  "
expect_exit 0 "$CACHET" keys list
[ "$(wc -l <out.txt)" = 1 ] || fail "keys list: expected 1 line, got $(cat out.txt)"
expect_stdout "${BOB:0:16}  file    $RWORK/pki/bob.key  bob@example.com"
expect_exit 0 "$CACHET" keys list --json
python3 -m json.tool out.txt >/dev/null || fail "keys list --json is not JSON"
json_check out.txt "len(r) == 1" "r[0]['fingerprint'] == '$BOB'" \
    "r[0]['key'] == 'file:$RWORK/pki/bob.key'" "r[0]['emails'] == ['bob@example.com']"
# the key bytes are not in the database
keyline=$(sed -n 2p pki/bob.key)
grep -qF -- "$keyline" store/store.db && fail "key material found in the store file"

# a key file others can read is refused; nothing is stored
cp pki/carol.key carol-open.key
chmod 644 carol-open.key
expect_exit 2 "$CACHET" keys import --key carol-open.key --cert pki/carol.pem
expect_stderr "nothing was stored"
expect_exit 0 "$CACHET" keys list
grep -q carol out.txt && fail "a refused key was stored"
# a key that does not match the certificate
expect_exit 2 "$CACHET" keys import --key pki/dave.key --cert pki/carol.crt
expect_stderr "nothing was stored"
# usage errors
expect_exit 2 "$CACHET" keys import --key pki/bob.key
expect_stderr "--key F needs --cert F"
expect_exit 2 "$CACHET" keys import
expect_stderr "give --p12 F, --key F --cert F or --pkcs11 URI"
expect_exit 2 "$CACHET" keys import --p12 pki/alice.p12 --key pki/bob.key --cert pki/bob.crt
expect_exit 2 "$CACHET" keys import --pkcs11 notauri
expect_stderr "RFC 7512 URI"
expect_exit 2 "$CACHET" keys import --key pki/none.key --cert pki/bob.crt
expect_stderr "cannot open key file pki/none.key"
expect_exit 2 "$CACHET" keys
expect_stderr "a subcommand is needed"

# ---- PKCS#12: wrong password = exit 2, nothing stored; right = a 0600 key file ----
expect_exit 2 "$CACHET" keys import --p12 pki/alice.p12 --pass pass:wrong
expect_stderr "nothing was stored"
expect_exit 1 "$CACHET" certs find alice@example.com # not even the certificates
[ ! -e "store/keys/$ALICE.key" ] || fail "a key file was written by a failed import"
export ALICEPASS=alicepass
expect_exit 0 "$CACHET" keys import --p12 pki/alice.p12 --pass env:ALICEPASS
expect_stdout "imported key: ${ALICE:0:16}  file    "
[ "$(stat -c %a "store/keys/$ALICE.key")" = 600 ] || fail "the key file from PKCS#12 is not 0600"
[ "$(stat -c %a store/keys)" = 700 ] || fail "the keys folder is not 0700"
head -1 "store/keys/$ALICE.key" | grep "ENCRYPTED PRIVATE KEY" >/dev/null ||
    fail "the key from PKCS#12 is not encrypted with its password"
expect_exit 0 "$CACHET" keys list --json
json_check out.txt "len(r) == 2" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['key'].startswith('file:')" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['key'].endswith('/store/keys/$ALICE.key')"

# ---- sign --as, then verify ----
expect_exit 2 "$CACHET" sign --as alice@example.com --in msg.eml --out nopass.eml
expect_stderr "--pass"
expect_no_file nopass.eml
expect_exit 0 "$CACHET" sign --as alice@example.com --pass env:ALICEPASS --in msg.eml --out signed.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in signed.eml
json_check out.txt 'r["status"] == "valid"' '"alice@example.com" in r["layers"][0]["signers"][0]["emails"]'
expect_exit 0 "$CACHET" verify --in signed.eml # the store's anchor alone
expect_exit 2 "$CACHET" sign --as alice@example.com --cert pki/alice.crt --key pki/alice.key --in msg.eml
expect_stderr "--as takes the key from the store"
expect_exit 2 "$CACHET" sign --as nobody@example.com --in msg.eml --out x.eml
expect_stderr "nobody@example.com"
expect_no_file x.eml

# ---- encrypt --to ADDRESS, decrypt --as ----
expect_exit 0 "$CACHET" encrypt --to bob@example.com --in msg.eml --out enc.eml
grep -q "smime-type=enveloped-data" enc.eml || fail "no capabilities known: expected AES-CBC (enveloped-data)"
expect_exit 0 "$CACHET" decrypt --as bob@example.com --in enc.eml --out dec.eml
grep -q "the figures are attached" dec.eml || fail "decrypt --as lost the text"
expect_exit 0 "$CACHET" encrypt --to bob@example.com --cipher aes-256-gcm --in msg.eml --out gcm.eml
grep -q "smime-type=authEnveloped-data" gcm.eml || fail "--cipher aes-256-gcm was not honoured"
expect_exit 0 "$CACHET" decrypt --as bob@example.com --in gcm.eml --out dec2.eml
# a certificate file and an address together
expect_exit 0 "$CACHET" encrypt --to pki/carol.crt --to bob@EXAMPLE.com --cipher aes-256-gcm --in msg.eml --out both.eml
expect_exit 0 "$CACHET" decrypt --cert pki/carol.crt --key pki/carol.key --in both.eml --out d3.eml
expect_exit 0 "$CACHET" decrypt --as bob@example.com --in both.eml --out d4.eml
# alice's key cannot open bob's message
expect_exit 1 "$CACHET" decrypt --as alice@example.com --pass env:ALICEPASS --in enc.eml --out d5.eml
expect_no_file d5.eml
# no certificate for the address: exit 1, what to do, no output
expect_exit 1 "$CACHET" encrypt --to nobody@example.com --in msg.eml --out none.eml
expect_stderr "no certificate for nobody@example.com"
expect_stderr "cachet certs import"
expect_no_file none.eml
expect_exit 2 "$CACHET" encrypt --to pki/missing.crt --in msg.eml --out none.eml
expect_stderr "cannot open recipient certificate pki/missing.crt"
expect_exit 2 "$CACHET" encrypt --to bob@example.com --revocation maybe --in msg.eml
expect_stderr "--revocation must be none, soft or hard"
expect_exit 0 "$CACHET" encrypt --to bob@example.com --revocation none --in msg.eml --out r.eml

# ---- verify --harvest: stored after a valid, trusted signature only ----
"$CACHET" sign --cert pki/carol.pem --key pki/carol.key --in msg.eml --out carol.eml 2>/dev/null
expect_exit 1 "$CACHET" certs find carol@example.com
expect_exit 0 "$CACHET" verify --no-address-check --harvest --in carol.eml
expect_exit 0 "$CACHET" certs find carol@example.com --json
json_check out.txt "len(r) == 1" "r[0]['origin'] == 'harvested'"
"$CACHET" sign --cert pki/dave.pem --key pki/dave.key --in msg.eml --out dave.eml 2>/dev/null
sed 's/the figures are attached/the figures are ATTACHED/' dave.eml >dave-bad.eml
expect_exit 1 "$CACHET" verify --no-address-check --harvest --in dave-bad.eml
expect_exit 1 "$CACHET" certs find dave@example.com

# ---- removing a certificate never destroys its private key ----
expect_exit 0 "$CACHET" certs remove "$ALICE"
expect_stderr "note: its private key is kept (file:"
[ -f "store/keys/$ALICE.key" ] || fail "certs remove deleted the private key file"
expect_exit 1 "$CACHET" certs find alice@example.com
echo "keys: ok"
