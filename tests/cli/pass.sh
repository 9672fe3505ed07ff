# --pass env:VAR, file:PATH, pass:TEXT for encrypted keys and PKCS#12 files.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
openssl pkey -in pki/alice.key -aes256 -passout pass:s3cret -out pki/alice-enc.key
openssl pkcs12 -export -inkey pki/alice.key -in pki/alice.crt -certfile pki/ca.crt \
    -passout pass:s3cret -out pki/alice.p12
printf 's3cret\n' >pass.txt

export CACHET_TEST_PASS=s3cret
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass env:CACHET_TEST_PASS --in msg.eml --out s1.eml
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass file:pass.txt --in msg.eml --out s2.eml
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass pass:s3cret --in msg.eml --out s3.eml
expect_stderr "warning: --pass pass:... is visible to other users"
expect_exit 0 "$CACHET" sign --p12 pki/alice.p12 --pass env:CACHET_TEST_PASS --in msg.eml --out s4.eml
for f in s1 s2 s3 s4; do
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in $f.eml
done

expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass pass:wrong --in msg.eml --out bad.eml
expect_stderr "loading the key and certificate"
expect_no_file bad.eml
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass env:CACHET_NO_SUCH_VAR --in msg.eml
expect_stderr "environment variable CACHET_NO_SUCH_VAR is not set"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass file:nofile.txt --in msg.eml
expect_stderr "cannot open passphrase file nofile.txt"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice-enc.key --pass s3cret --in msg.eml
expect_stderr "--pass takes env:VAR, file:PATH or pass:TEXT"
expect_exit 2 "$CACHET" sign --p12 pki/alice.p12 --pass pass:wrong --in msg.eml

# decrypt with a PKCS#12 file
expect_exit 0 "$CACHET" encrypt --to pki/alice.crt --in msg.eml --out enc.eml
expect_exit 0 "$CACHET" decrypt --p12 pki/alice.p12 --pass file:pass.txt --in enc.eml --out dec.eml
grep -q "the figures are attached" dec.eml || fail "decrypted text missing"
echo "pass: ok"
