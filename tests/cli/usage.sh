# Usage errors exit 2 with a message and the usage line; --version and help exit 0.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml

expect_exit 0 "$CACHET" --version
expect_stdout "cachet 0."
expect_exit 0 "$CACHET" help
expect_stdout "verify"
expect_exit 0 "$CACHET" help sign
expect_stdout "usage: cachet sign --cert F --key F"
expect_exit 0 "$CACHET" sign --help
expect_stdout "usage: cachet sign"

expect_exit 2 "$CACHET"
expect_exit 2 "$CACHET" frobnicate
expect_stderr "unknown command 'frobnicate'"
expect_exit 2 "$CACHET" sign --in msg.eml
expect_stderr "cachet sign: --cert F --key F (or --p12 F) is required"
expect_stderr "usage: cachet sign"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --in msg.eml
expect_stderr "--cert and --key go together"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --p12 x.p12
expect_stderr "--p12 replaces --cert/--key"
expect_exit 2 "$CACHET" sign --bogus
expect_stderr "unknown option '--bogus'"
expect_exit 2 "$CACHET" sign --cert
expect_stderr "needs a value"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --digest md5 --in msg.eml
expect_stderr "--digest must be sha256, sha384 or sha512"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --json
expect_stderr "option --json does not apply to 'sign'"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key msg.eml
expect_stderr "unexpected argument 'msg.eml'"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --raw --format smime
expect_stderr "--raw writes CMS"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --format xml
expect_stderr "--format must be smime, der or pem"
expect_exit 2 "$CACHET" sign --cert pki/carol.crt --key pki/carol.key --pss --in msg.eml
expect_stderr "needs an RSA key"
expect_exit 2 "$CACHET" encrypt --in msg.eml
expect_stderr "at least one --to CERT is required"
expect_exit 2 "$CACHET" encrypt --to pki/bob.crt --cipher des
expect_stderr "--cipher must be"
expect_exit 2 "$CACHET" verify --at yesterday
expect_stderr "--at takes seconds since the epoch"
expect_exit 2 "$CACHET" verify --at 2026-02-30
expect_exit 2 "$CACHET" verify --content x.txt
expect_stderr "--content is for --raw"
expect_exit 2 "$CACHET" decrypt --in msg.eml
expect_stderr "cachet decrypt: --cert F --key F (or --p12 F) is required"
expect_exit 2 "$CACHET" decompress --format pem
expect_stderr "option --format does not apply to 'decompress'"

# Files that cannot be read: usage errors naming the path.
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/missing.key --in msg.eml
expect_stderr "cannot open key file pki/missing.key"
expect_exit 2 "$CACHET" sign --cert pki/nope.crt --key pki/alice.key --in msg.eml
expect_stderr "cannot open certificate file pki/nope.crt"
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in missing.eml
expect_stderr "cannot open input missing.eml"
expect_exit 2 "$CACHET" encrypt --to pki/nobody.crt --in msg.eml
expect_stderr "cannot open recipient certificate pki/nobody.crt"
expect_exit 2 "$CACHET" verify --trust pki/none.crt --in msg.eml
expect_stderr "cannot open trust file pki/none.crt"
# A file that is there but holds no key: still the caller's argument (2), with the path.
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key msg.eml --in msg.eml
expect_stderr "loading the key and certificate"
expect_stderr "msg.eml"
# A key that does not belong to the certificate.
expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/bob.key --in msg.eml
# A recipient whose certificate forbids key encipherment is refused before anything is written.
openssl req -x509 -newkey rsa:2048 -nodes -keyout signonly.key -out signonly.crt -days 30 \
    -subj "/CN=sign only" -addext "keyUsage=critical,digitalSignature" 2>/dev/null
expect_exit 2 "$CACHET" encrypt --to signonly.crt --in msg.eml --out never.eml
expect_stderr "cachet encrypt: cannot encrypt:"
expect_no_file never.eml
no_temp_files .
echo "usage: ok"
