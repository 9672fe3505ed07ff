# Issue 5: the new --cipher choices end to end: AES-CCM (RFC 5084), ChaCha20-Poly1305
# (RFC 8103), AES-192 CBC and GCM, to certificates (RSA, EC) and to keys and
# passwords; the report names the cipher and whether it is authenticated; openssl
# reads the AES-192 ones; a modified message is refused with nothing written.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
K32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
printf 'pass phrase of the test\n' >pw.txt

# cipher_case CIPHER SMIME-TYPE AUTHENTICATED: to bob (RSA) and carol (EC), each decrypts.
cipher_case() {
    local cipher=$1 type=$2 auth=$3
    expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --to pki/carol.crt --cipher $cipher --in msg.eml --out e.eml
    grep -q "smime-type=$type" e.eml || fail "$cipher: not $type"
    grep -q "the figures are attached" e.eml && fail "$cipher: plaintext visible"
    for who in bob carol; do
        expect_exit 0 "$CACHET" decrypt --cert pki/$who.crt --key pki/$who.key --json --in e.eml --out d.eml
        grep -q "the figures are attached" d.eml || fail "$cipher: $who's plaintext"
        grep -q "^Subject: quarterly figures" d.eml || fail "$cipher: $who's Subject"
        json_check out.txt 'r["status"] == "valid"' "r['layers'][0]['cipher'] == '$cipher'" \
            "r['layers'][0]['authenticated'] is $auth" 'r["layers"][0]["recipients"] == 2'
    done
    # the human line
    expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in e.eml --out d.eml
    if [ "$auth" = True ]; then
        expect_stderr "cachet: encrypted with $cipher (rsaEncryption), authenticated"
    else
        expect_stderr "cachet: encrypted with $cipher (rsaEncryption): content NOT authenticated"
    fi
    # inspect names it without a key
    expect_exit 0 "$CACHET" inspect --json --in e.eml
    json_check out.txt "r['layers'][0]['cipher'] == '$cipher'"
}
cipher_case aes-256-ccm authEnveloped-data True
cipher_case aes-128-ccm authEnveloped-data True
cipher_case chacha20-poly1305 authEnveloped-data True
cipher_case aes-192-gcm authEnveloped-data True
cipher_case aes-192-cbc enveloped-data False

# Keys and passwords with the AEAD ciphers.
for cipher in aes-256-ccm chacha20-poly1305; do
    expect_exit 0 "$CACHET" encrypt --secret-key $K32 --key-id k1 --password-file pw.txt --pbkdf2-iterations 1000 \
        --cipher $cipher --in msg.eml --out e.eml
    expect_exit 0 "$CACHET" decrypt --secret-key $K32 --key-id k1 --json --in e.eml --out d.eml
    json_check out.txt "r['layers'][0]['cipher'] == '$cipher'" 'r["layers"][0]["key_management"] == "kek-aes256-wrap"'
    expect_exit 0 "$CACHET" decrypt --password-file pw.txt --json --in e.eml --out d.eml
    json_check out.txt "r['layers'][0]['cipher'] == '$cipher'"
    grep -q "the figures are attached" d.eml || fail "$cipher: password plaintext"
done

# A larger message through CCM (held whole) and ChaCha20-Poly1305 (streamed), raw.
head -c 3000000 /dev/urandom >big.bin
for cipher in aes-128-ccm chacha20-poly1305; do
    expect_exit 0 "$CACHET" encrypt --raw --to pki/bob.crt --cipher $cipher --in big.bin --out big.der
    expect_exit 0 "$CACHET" decrypt --raw --cert pki/bob.crt --key pki/bob.key --in big.der --out big.out
    cmp -s big.bin big.out || fail "$cipher: 3 MB round trip differs"
    # One flipped byte in the ciphertext near the end: refused, nothing written.
    size=$(stat -c %s big.der)
    python3 - big.der $((size - 40)) <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[off] ^= 1; open(p, "wb").write(b)
PY
    expect_exit 1 "$CACHET" decrypt --raw --cert pki/bob.crt --key pki/bob.key --in big.der --out never.bin
    expect_stderr "decryption failed"
    expect_no_file never.bin
done

# CCM parameters (RFC 5084 §3.1): present, a 7-octet nonce (L = 8, as recommended), the ICV
# length equal to the mac field's.
expect_exit 0 "$CACHET" encrypt --raw --to pki/bob.crt --cipher aes-256-ccm --in msg.eml --out ccm.der
openssl asn1parse -inform DER -in ccm.der >ccm.txt
grep -A3 ':aes-256-ccm' ccm.txt >ccm-params.txt
grep -q 'l=   7 prim: OCTET STRING' ccm-params.txt || fail "CCM nonce is not 7 octets: $(tr '\n' ' ' <ccm-params.txt)"
grep -q 'INTEGER *:10' ccm-params.txt || fail "CCM ICV length is not 16"
grep -v 'EOC' ccm.txt | tail -1 | grep 'l=  16 prim: OCTET STRING' >/dev/null || fail "the mac field is not 16 octets"

# openssl reads the AES-192 messages.
for cipher in aes-192-cbc aes-192-gcm; do
    expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --cipher $cipher --in msg.eml --out e.eml
    openssl cms -decrypt -in e.eml -recip pki/bob.crt -inkey pki/bob.key -out o.txt 2>/dev/null ||
        fail "openssl cannot decrypt $cipher"
    grep -q "the figures are attached" o.txt || fail "openssl $cipher content"
done
# and we read openssl's
openssl cms -encrypt -aes-192-cbc -in msg.eml -out ossl.eml pki/bob.crt 2>/dev/null
expect_exit 0 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --json --in ossl.eml --out d.eml
json_check out.txt 'r["layers"][0]["cipher"] == "aes-192-cbc"'
no_temp_files .
echo "issue5_ciphers: ok"
