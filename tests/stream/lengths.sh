# Issue 6, small sizes (any build): raw detached signing both ways with openssl,
# and definite lengths when --in is a regular file, as openssl asn1parse shows
# them: EnvelopedData / AuthEnvelopedData / DigestedData entirely definite,
# SignedData with a definite encapContentInfo and one primitive eContent inside
# its indefinite outer layers, CompressedData indefinite (its size is known only
# at the end); from a pipe, indefinite lengths as before. openssl reads each.
source "$(dirname "$0")/lib.bash"
make_pki
A=(--cert pki/alice.crt --key pki/alice.key)
B=(--cert pki/bob.crt --key pki/bob.key)

# inf_count FILE: how many indefinite-length headers openssl sees.
inf_count() {
    openssl asn1parse -inform DER -in "$1" | grep -c 'l=inf' || true
}

# ---- raw detached signatures ----
gen 5000 >content.bin
expect_exit 0 "$CACHET" sign --raw --detached "${A[@]}" --in content.bin --out det.p7s
openssl cms -verify -binary -inform DER -in det.p7s -content content.bin -CAfile pki/ca.crt \
    -out ossl.out 2>/dev/null || fail "openssl cannot verify cachet's detached signature"
cmp -s ossl.out content.bin || fail "openssl gave other content"
[ "$(inf_count det.p7s)" = 0 ] || fail "a detached SignedData is DER"
# --raw without --opaque was and stays detached: the same structure
expect_exit 0 "$CACHET" sign --raw "${A[@]}" --in content.bin --out det2.p7s
openssl cms -cmsout -print -inform DER -in det2.p7s >det2.txt
grep -q 'eContent: <ABSENT>' det2.txt ||
    fail "sign --raw is no longer detached"
# openssl's detached signature (no -nodetach), verified by cachet
openssl cms -sign -binary -in content.bin -signer pki/alice.crt -inkey pki/alice.key \
    -outform DER -out ossl.p7s || fail "openssl cms -sign"
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --content content.bin --in ossl.p7s \
    --out back.bin
cmp -s back.bin content.bin || fail "verify --raw --content gave other content"
gen 5000 1 >other.bin
expect_exit 1 "$CACHET" verify --raw --trust pki/ca.crt --content other.bin --in ossl.p7s
expect_exit 1 "$CACHET" verify --raw --trust pki/ca.crt --content other.bin --in det.p7s
# --detached is raw only and excludes --opaque / --empty
expect_exit 2 "$CACHET" sign --detached "${A[@]}" --in content.bin
expect_stderr "--detached is for --raw"
expect_exit 2 "$CACHET" sign --raw --detached --opaque "${A[@]}" --in content.bin
expect_stderr "--detached and --opaque exclude each other"
expect_exit 2 "$CACHET" sign --raw --detached --empty --in content.bin
expect_stderr "--detached and --empty exclude each other"

# ---- definite lengths from a regular file ----
for size in 0 1 15 16 17 1000 65537 3000000; do
    gen "$size" "$size" >in.bin
    for cipher in aes-256-gcm aes-256-cbc; do
        expect_exit 0 "$CACHET" encrypt --raw --to pki/bob.crt --cipher $cipher --in in.bin \
            --out e.p7
        [ "$(inf_count e.p7)" = 0 ] || fail "encrypt $cipher ($size) has indefinite lengths"
        ct=$size
        [ $cipher = aes-256-cbc ] && ct=$(((size / 16 + 1) * 16))
        openssl asn1parse -inform DER -in e.p7 >e.txt
        grep -q "hl=[0-9] l= *$ct prim: cont \[ 0 \]" e.txt ||
            fail "encryptedContent ($cipher, $size) is not one primitive of $ct bytes"
        openssl cms -decrypt -binary -inform DER -in e.p7 -recip pki/bob.crt -inkey pki/bob.key \
            -out o.bin 2>/dev/null || fail "openssl cannot decrypt ($cipher, $size)"
        cmp -s o.bin in.bin || fail "openssl decrypted other bytes ($cipher, $size)"
        expect_exit 0 "$CACHET" decrypt --raw "${B[@]}" --in e.p7 --out o.bin
        cmp -s o.bin in.bin || fail "cachet decrypted other bytes ($cipher, $size)"
    done

    expect_exit 0 "$CACHET" sign --raw --opaque "${A[@]}" --in in.bin --out s.p7
    # ContentInfo, [0] and SignedData stay indefinite; nothing else is
    [ "$(inf_count s.p7)" = 3 ] || fail "sign ($size): $(inf_count s.p7) indefinite lengths, want 3"
    openssl asn1parse -inform DER -in s.p7 >s.txt
    grep -q "d=5 *hl=[0-9] l= *$size prim: OCTET STRING" s.txt ||
        fail "eContent ($size) is not one primitive OCTET STRING of $size bytes"
    openssl cms -verify -binary -inform DER -in s.p7 -CAfile pki/ca.crt -out o.bin 2>/dev/null ||
        fail "openssl cannot verify ($size)"
    cmp -s o.bin in.bin || fail "openssl verified other bytes ($size)"
    expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --in s.p7 --out o.bin
    cmp -s o.bin in.bin || fail "cachet verified other bytes ($size)"

    expect_exit 0 "$CACHET" digest --raw --in in.bin --out d.p7
    [ "$(inf_count d.p7)" = 0 ] || fail "digest ($size) has indefinite lengths"
    openssl cms -digest_verify -binary -inform DER -in d.p7 -out o.bin 2>/dev/null ||
        fail "openssl cannot check the digest ($size)"
    cmp -s o.bin in.bin || fail "openssl digest_verify gave other bytes ($size)"

    expect_exit 0 "$CACHET" compress --raw --in in.bin --out z.p7
    [ "$(inf_count z.p7)" = 6 ] || fail "compress ($size) should stay indefinite"
    expect_exit 0 "$CACHET" decompress --raw --in z.p7 --out o.bin
    cmp -s o.bin in.bin || fail "decompress gave other bytes ($size)"

    # the same from a pipe: indefinite lengths, read the same way
    # shellcheck disable=SC2002 # a pipe on purpose: no size known in advance
    cat in.bin | "$CACHET" encrypt --raw --to pki/bob.crt >p.p7 || fail "encrypt from a pipe"
    [ "$(inf_count p.p7)" = 5 ] || fail "encrypt from a pipe ($size) should be indefinite"
    openssl cms -decrypt -binary -inform DER -in p.p7 -recip pki/bob.crt -inkey pki/bob.key \
        -out o.bin 2>/dev/null || fail "openssl cannot decrypt the piped form ($size)"
    cmp -s o.bin in.bin || fail "piped form decrypted to other bytes ($size)"
done
# stdin redirected from a regular file counts as a file too
"$CACHET" encrypt --raw --to pki/bob.crt <in.bin >r.p7 || fail "encrypt < file"
[ "$(inf_count r.p7)" = 0 ] || fail "encrypt < file should be definite"
# S/MIME output is unchanged (the entity's canonical length is not the file's)
printf 'From: alice@example.com\r\nContent-Type: text/plain\r\n\r\nhi\r\n' >m.eml
expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --in m.eml --out m.enc
expect_exit 0 "$CACHET" decrypt "${B[@]}" --in m.enc --out m.back
grep -q '^hi' m.back || fail "S/MIME round trip"
echo PASS
