# --raw and --format der|pem: raw CMS out (DER by default), input format
# auto-detected on the way back, checked with openssl cms too.
source "$(dirname "$0")/lib.sh"
make_pki
printf 'raw content\nwith LF only\n' >content.txt
S=(--cert pki/alice.crt --key pki/alice.key)

# detached DER signature (sign --raw), verified with --content
expect_exit 0 "$CACHET" sign "${S[@]}" --raw --in content.txt --out sig.der
[ "$(head -c1 sig.der | od -An -tx1 | tr -d ' ')" = 30 ] || fail "DER does not start with SEQUENCE"
openssl cms -verify -inform DER -in sig.der -content content.txt -CAfile pki/ca.crt -binary -out /dev/null 2>/dev/null || fail "openssl detached"
expect_exit 0 "$CACHET" verify --raw --content content.txt --trust pki/ca.crt --in sig.der
printf 'other content\n' >other.txt
expect_exit 1 "$CACHET" verify --raw --content other.txt --trust pki/ca.crt --in sig.der

# encapsulated (--opaque) DER and PEM: verify gives the exact bytes back
for fmt in der pem; do
    expect_exit 0 "$CACHET" sign "${S[@]}" --opaque --format $fmt --in content.txt --out sig.$fmt
    expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --in sig.$fmt --out back.txt
    cmp back.txt content.txt || fail "verify --raw ($fmt) changed the content"
    openssl cms -verify -inform ${fmt^^} -in sig.$fmt -CAfile pki/ca.crt -binary -out o.txt 2>/dev/null || fail "openssl $fmt"
    cmp o.txt content.txt || fail "openssl content ($fmt)"
done
head -1 sig.pem | grep -x -- "-----BEGIN CMS-----" >/dev/null || fail "PEM armor"
awk 'length($0) > 64 { exit 1 }' sig.pem || fail "PEM line over 64"

# encrypt / decrypt raw
for fmt in der pem; do
    expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --format $fmt --in content.txt --out enc.$fmt
    expect_exit 0 "$CACHET" decrypt --raw --cert pki/bob.crt --key pki/bob.key --in enc.$fmt --out back.txt
    cmp back.txt content.txt || fail "decrypt --raw ($fmt)"
    openssl cms -decrypt -inform ${fmt^^} -in enc.$fmt -recip pki/bob.crt -inkey pki/bob.key -binary -out o.txt 2>/dev/null || fail "openssl decrypt $fmt"
    cmp o.txt content.txt || fail "openssl plaintext ($fmt)"
done
expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --raw --cipher aes-256-cbc --in content.txt --out enc.der
expect_exit 0 "$CACHET" decrypt --raw --cert pki/bob.crt --key pki/bob.key --in enc.der --out back.txt
cmp back.txt content.txt || fail "decrypt --raw cbc"

# compress / decompress raw
for fmt in der pem; do
    expect_exit 0 "$CACHET" compress --format $fmt --in content.txt --out c.$fmt
    expect_exit 0 "$CACHET" decompress --raw --in c.$fmt --out back.txt
    cmp back.txt content.txt || fail "decompress --raw ($fmt)"
done

# inspect describes raw and MIME input
expect_exit 0 "$CACHET" inspect --raw --in sig.der
expect_stdout "layer 1: signed"
expect_exit 0 "$CACHET" inspect --raw --json --in enc.der
json_check out.txt 'r["layers"][0]["type"] == "enveloped"' 'r["layers"][0]["authenticated"] is False'
echo "formats: ok"
