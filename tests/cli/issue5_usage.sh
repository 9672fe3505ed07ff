# Issue 5 usage errors: every misuse of the secret-key, password, EncryptedData,
# several-key, cipher, --allow-legacy and digest options exits 2 with a message
# saying what is wrong (never the secret itself), the usage line, and no output.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
K16=000102030405060708090a0b0c0d0e0f
K32=${K16}101112131415161718191a1b1c1d1e1f
printf 'correct horse\n' >pw.txt

# usage_case TEXT ARGS...: exit 2, TEXT on stderr, the usage line, nothing written.
usage_case() {
    local text=$1
    shift
    rm -f never.out
    expect_exit 2 "$CACHET" "$@" --out never.out
    expect_stderr "$text"
    expect_stderr "usage: cachet "
    expect_no_file never.out
}

# --- --secret-key and --key-id ---
usage_case "--secret-key takes hex digits (0-9, a-f): 32, 48 or 64 of them" \
    encrypt --secret-key "zz${K16:2}" --key-id k --in msg.eml
usage_case "--secret-key must be 16, 24 or 32 bytes (got 15)" \
    encrypt --secret-key "${K16:2}" --key-id k --in msg.eml
usage_case "--secret-key must be 16, 24 or 32 bytes (got 33)" \
    encrypt --secret-key "${K32}ff" --key-id k --in msg.eml
usage_case "--secret-key has an odd number of hex digits (31)" \
    encrypt --secret-key "${K16:1}" --key-id k --in msg.eml
# A secret is never echoed, even a wrong one.
usage_case "--secret-key must be 16, 24 or 32 bytes (got 15)" \
    decrypt --secret-key "${K16:2}" --in msg.eml
grep -qi "${K16:2}" err.txt && fail "the secret key was printed"
usage_case "--key-id without --secret-key" encrypt --key-id k --to pki/bob.crt --in msg.eml
usage_case "--key-id without --secret-key" \
    encrypt --secret-key $K16 --key-id a --key-id b --in msg.eml
usage_case "--key-id without --secret-key" decrypt --key-id k --cert pki/bob.crt --key pki/bob.key
usage_case "--secret-key needs --key-id ID after it" encrypt --secret-key $K16 --in msg.eml
usage_case "--key-id hex:... takes an even number of hex digits" \
    encrypt --secret-key $K16 --key-id hex:zz --in msg.eml
usage_case "--key-id hex:... takes an even number of hex digits" \
    encrypt --secret-key $K16 --key-id hex:abc --in msg.eml
usage_case "--key-id must not be empty" encrypt --secret-key $K16 --key-id "" --in msg.eml
usage_case "option --secret-key does not apply to 'verify'" verify --secret-key $K16
usage_case "option --key-id does not apply to 'sign'" sign --key-id k

# --- --encrypted-data ---
usage_case "--encrypted-data needs --secret-key HEX" encrypt --encrypted-data --in msg.eml
usage_case "--encrypted-data has no recipients, only the one --secret-key HEX (no --key-id); --to does not apply" \
    encrypt --encrypted-data --secret-key $K16 --to pki/bob.crt --in msg.eml
usage_case "--key-id does not apply" encrypt --encrypted-data --secret-key $K16 --key-id k --in msg.eml
usage_case "a password does not apply" \
    encrypt --encrypted-data --secret-key $K16 --password-file pw.txt --in msg.eml
usage_case "a second --secret-key does not apply" \
    encrypt --encrypted-data --secret-key $K16 --secret-key $K32 --in msg.eml
usage_case "--oaep does not apply" encrypt --encrypted-data --secret-key $K16 --oaep --in msg.eml
usage_case "a 16-byte --secret-key means --cipher aes-128-cbc" \
    encrypt --encrypted-data --secret-key $K16 --cipher aes-256-cbc --in msg.eml
usage_case "a 32-byte --secret-key means --cipher aes-256-cbc" \
    encrypt --encrypted-data --secret-key $K32 --cipher aes-256-gcm --in msg.eml
usage_case "option --encrypted-data does not apply to 'decrypt'" \
    decrypt --encrypted-data --secret-key $K16

# --- passwords ---
usage_case "at least one --to CERT is required" encrypt --in msg.eml
expect_stderr "or --secret-key HEX --key-id ID, or --password-file F / --password-env VAR"
usage_case "--pbkdf2-iterations is for --password, --password-file or --password-env" \
    encrypt --to pki/bob.crt --pbkdf2-iterations 5000 --in msg.eml
for n in 999 0 -5 abc 10000001 12x; do
    usage_case "--pbkdf2-iterations takes 1000 to 10000000" \
        encrypt --password-file pw.txt --pbkdf2-iterations "$n" --in msg.eml
done
usage_case "--pbkdf2-iterations given twice" \
    encrypt --password-file pw.txt --pbkdf2-iterations 1000 --pbkdf2-iterations 2000 --in msg.eml
usage_case "option --pbkdf2-iterations does not apply to 'decrypt'" \
    decrypt --password-file pw.txt --pbkdf2-iterations 1000
unset CACHET_NO_SUCH_VAR
usage_case "--password-env CACHET_NO_SUCH_VAR: environment variable CACHET_NO_SUCH_VAR is not set" \
    encrypt --password-env CACHET_NO_SUCH_VAR --in msg.eml
export CACHET_EMPTY=
usage_case "--password-env CACHET_EMPTY: environment variable CACHET_EMPTY is empty" \
    encrypt --password-env CACHET_EMPTY --in msg.eml
unset CACHET_EMPTY
expect_exit 2 "$CACHET" encrypt --password-file missing.txt --in msg.eml --out never.out
expect_stderr "cannot open password file missing.txt"
expect_no_file never.out
: >empty.txt
usage_case "password file empty.txt is empty" encrypt --password-file empty.txt --in msg.eml
printf '\n' >newline.txt
usage_case "password file newline.txt is empty" decrypt --password-file newline.txt --in msg.eml
printf 'a\0b\n' >nul.txt
usage_case "password file nul.txt holds a NUL byte" encrypt --password-file nul.txt --in msg.eml
head -c 5000 /dev/zero | tr '\0' 'x' >long.txt
usage_case "password file long.txt is longer than 4096 bytes" encrypt --password-file long.txt --in msg.eml
usage_case "--password must not be empty" encrypt --password "" --in msg.eml
expect_stderr "warning: --password is visible to other users of this machine (ps); prefer --password-file F or --password-env VAR"
usage_case "decrypt takes one password (2 given)" \
    decrypt --password-file pw.txt --password-env HOME --in msg.eml

# --- what decrypt opens the message with ---
usage_case "cachet decrypt: --cert F --key F (or --p12 F) is required, or --as ADDRESS, --secret-key HEX [--key-id ID], --password-file F or --password-env VAR: nothing to decrypt with" \
    decrypt --in msg.eml
usage_case "--cert and --key go together, in pairs (2 --cert, 1 --key)" \
    decrypt --cert pki/bob.crt --key pki/bob.key --cert pki/carol.crt --in msg.eml
usage_case "--cert and --key go together, in pairs (1 --cert, 2 --key)" \
    sign --cert pki/alice.crt --key pki/alice.key --key pki/carol.key --in msg.eml
usage_case "--p12 replaces --cert/--key" \
    decrypt --cert pki/bob.crt --key pki/bob.key --p12 x.p12 --p12 y.p12 --in msg.eml
# verify decrypts with one key only
usage_case "--cert given twice" \
    verify --cert pki/bob.crt --key pki/bob.key --cert pki/carol.crt --key pki/carol.key
usage_case "--pass is for --key, --p12 or --as" decrypt --secret-key $K16 --pass env:HOME --in msg.eml

# --- ciphers: the new ones are accepted, legacy ones are never written ---
for c in des-ede3-cbc rc2-40-cbc rc2-cbc des-cbc aes-192-ccm camellia-128-cbc; do
    usage_case "--cipher must be aes-256-gcm, aes-192-gcm, aes-128-gcm, aes-256-ccm, aes-128-ccm, chacha20-poly1305, aes-256-cbc, aes-192-cbc or aes-128-cbc" \
        encrypt --to pki/bob.crt --cipher $c --in msg.eml
done
usage_case "--cipher given twice" encrypt --to pki/bob.crt --cipher aes-256-ccm --cipher aes-128-ccm

# --- --allow-legacy goes wherever --allow-weak goes, and nowhere else ---
for cmd in sign verify encrypt decrypt; do
    expect_exit 0 "$CACHET" $cmd --allow-legacy --help
    expect_stdout "--allow-legacy"
    expect_exit 0 "$CACHET" $cmd --allow-weak --help
done
usage_case "option --allow-legacy does not apply to 'compress'" compress --allow-legacy
usage_case "option --allow-legacy does not apply to 'digest'" digest --allow-legacy
usage_case "option --allow-weak does not apply to 'digest'" digest --allow-weak

# --- digest ---
expect_exit 0 "$CACHET" help digest
expect_stdout "usage: cachet digest [--digest sha256|sha384|sha512] [--raw] [--format smime|der|pem]"
expect_exit 0 "$CACHET" help
expect_stdout "wrap a message in DigestedData (integrity only, not a signature)"
usage_case "--digest must be sha256, sha384 or sha512" digest --digest md5 --in msg.eml
usage_case "--raw writes CMS: use --format der or pem" digest --raw --format smime --in msg.eml
usage_case "option --to does not apply to 'digest'" digest --to pki/bob.crt
usage_case "option --secret-key does not apply to 'digest'" digest --secret-key $K16
expect_exit 2 "$CACHET" digest --in missing.eml --out never.out
expect_stderr "cannot open input missing.eml"
expect_no_file never.out
no_temp_files .
echo "issue5_usage: ok"
