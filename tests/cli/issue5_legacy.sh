# Issue 5: legacy algorithms are refused by default and accepted, reported weak,
# with --allow-legacy (and its older spelling --allow-weak): 3DES and RC2/40
# enveloped messages written by openssl, a 3DES password recipient, legacy
# EncryptedData, a SHA-1 signature. Each refusal names --allow-legacy and writes
# nothing; cachet never writes a legacy cipher itself.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
K16=000102030405060708090a0b0c0d0e0f
K24=${K16}1011121314151617
BOB=(--cert pki/bob.crt --key pki/bob.key)
if ! openssl list -providers -provider legacy >/dev/null 2>&1; then
    echo "SKIP: openssl's legacy provider is not installed (needed to make RC2 messages)"
    exit 77
fi

openssl cms -encrypt -des3 -in msg.eml -out des3.eml pki/bob.crt 2>/dev/null || fail "openssl -des3"
openssl cms -encrypt -rc2-40 -provider legacy -provider default -in msg.eml -out rc2-40.eml pki/bob.crt 2>/dev/null ||
    fail "openssl -rc2-40"

# legacy_case FILE CIPHER KM WHAT...: refused without the switch, read with either spelling.
legacy_case() {
    local file=$1 cipher=$2 km=$3
    shift 3
    expect_exit 1 "$CACHET" decrypt "$@" --in $file --out never.eml
    expect_stderr "${cipher%%-[0-9]*-cbc}"
    expect_stderr " is a legacy cipher: use --allow-legacy"
    expect_stderr "cachet decrypt: the legacy algorithm or short key is refused by default; --allow-legacy accepts it (reported weak)"
    expect_no_file never.eml
    for flag in --allow-legacy --allow-weak; do
        expect_exit 0 "$CACHET" decrypt $flag "$@" --in $file --out d.eml
        grep -q "the figures are attached" d.eml || fail "$file: plaintext with $flag"
        expect_stderr "cachet decrypt: warning: --allow-legacy (--allow-weak): legacy and weak algorithms"
        if [ -n "$km" ]; then
            expect_stderr "cachet: encrypted with $cipher ($km; legacy, accepted with --allow-legacy; NOT authenticated)"
        else
            expect_stderr "cachet: encrypted with $cipher (legacy, accepted with --allow-legacy; NOT authenticated)"
        fi
    done
    expect_exit 0 "$CACHET" decrypt --allow-legacy --json "$@" --in $file --out d.eml
    json_check out.txt 'r["status"] == "valid"' "r['layers'][0]['cipher'] == '$cipher'" \
        'r["layers"][0]["weak"] is True' 'r["layers"][0]["authenticated"] is False'
}
legacy_case des3.eml des-ede3-cbc rsaEncryption "${BOB[@]}"
legacy_case rc2-40.eml rc2-40-cbc rsaEncryption "${BOB[@]}"
json_check out.txt 'r["layers"][0]["type"] == "enveloped"' 'r["layers"][0]["key_management"] == "rsaEncryption"'

# A 3DES password recipient (RFC 3211's MUST): the KEK is 3DES too.
export PW='an old password'
openssl cms -encrypt -des3 -pwri_password "$PW" -in msg.eml -out pw-des3.eml 2>/dev/null || fail "openssl pwri des3"
legacy_case pw-des3.eml des-ede3-cbc pwri-pbkdf2-hmac-sha1 --password-env PW
expect_exit 0 "$CACHET" decrypt --allow-legacy --password-env PW --json --in pw-des3.eml --out d.eml
json_check out.txt 'r["layers"][0]["key_management"].startswith("pwri-pbkdf2-hmac-")' 'r["layers"][0]["weak"] is True'

# Legacy EncryptedData: the exact line of an encrypted layer.
openssl cms -EncryptedData_encrypt -des3 -secretkey $K24 -in msg.eml -out ed-des3.eml 2>/dev/null
legacy_case ed-des3.eml des-ede3-cbc "" --secret-key $K24
json_check out.txt 'r["layers"][0]["type"] == "encrypted"'
openssl cms -EncryptedData_encrypt -rc2 -provider legacy -provider default -secretkey $K16 -in msg.eml \
    -out ed-rc2.eml 2>/dev/null
legacy_case ed-rc2.eml rc2-128-cbc "" --secret-key $K16

# verify decrypts with the same switch
expect_exit 1 "$CACHET" verify --allow-legacy "${BOB[@]}" --in des3.eml --out never.eml
expect_stderr "cachet: encrypted with des-ede3-cbc (rsaEncryption; legacy, accepted with --allow-legacy; NOT authenticated)"
expect_stderr "message is not signed"
expect_no_file never.eml

# A SHA-1 signature: refused with the hint, valid and weak with --allow-legacy.
openssl cms -sign -md sha1 -signer pki/alice.crt -inkey pki/alice.key -in msg.eml -out sha1.eml 2>/dev/null
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --no-address-check --in sha1.eml --out never.eml
expect_stderr "cachet verify: the legacy algorithm or short key is refused by default; --allow-legacy accepts it (reported weak)"
expect_no_file never.eml
expect_exit 0 "$CACHET" verify --allow-legacy --trust pki/ca.crt --no-address-check --json --in sha1.eml --out v.eml
json_check out.txt 'r["status"] == "valid"' 'r["layers"][0]["signers"][0]["digest"] == "sha1"' \
    'r["layers"][0]["signers"][0]["weak"] is True'

# The legacy ciphers are read only: encrypt has no spelling for them, with or without the switch.
for c in des-ede3-cbc rc2-40-cbc; do
    expect_exit 2 "$CACHET" encrypt --allow-legacy --to pki/bob.crt --cipher $c --in msg.eml --out never.eml
    expect_stderr "--cipher must be aes-256-gcm"
    expect_no_file never.eml
done
no_temp_files .
echo "issue5_legacy: ok"
