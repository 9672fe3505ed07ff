# sign, encrypt and compress refuse an entity whose own header verify would refuse
# (found by fuzz_gateway_milter: a multipart without a boundary was signed, and the
# recipient could not open it). Each refusal is exit 3 with the parser's reason, and
# nothing is written. What verify passes on unread (the parts inside the entity, its
# transfer encoding: tests/cli/passthrough.sh) is protected as before, and the
# refused bytes as --raw content are not MIME and pass.
source "$(dirname "$0")/lib.sh"
make_pki
A=(--cert pki/alice.crt --key pki/alice.key)
HINT="a reader would refuse the message (cachet verify does); correct its MIME structure"

# refused WHAT FILE REASON: every protecting operation refuses FILE for REASON.
refused() {
    local what=$1 file=$2 reason=$3 op
    for op in sign sign-opaque encrypt compress; do
        local args=()
        case $op in
            sign) args=(sign "${A[@]}") ;;
            sign-opaque) args=(sign "${A[@]}" --opaque) ;;
            encrypt) args=(encrypt --to pki/bob.crt) ;;
            compress) args=(compress) ;;
        esac
        expect_exit 3 "$CACHET" "${args[@]}" --in "$file" --out "out-$op.eml"
        expect_stderr "$reason: $HINT (at input)"
        expect_no_file "out-$op.eml"
    done
    no_temp_files .
    echo "ok $what"
}

crlf() { sed 's/$/\r/'; }

printf 'From: alice@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n--b1\n\nx\n--b1--\n' |
    crlf >top.eml
refused top-without-boundary top.eml "multipart without boundary"

# The fuzzer's form: the milter's header split ended the value at a NUL byte.
printf 'From: alice@example.com\nContent-Type: multipart/m\n\n--b1\nContent-Type: text/plain\n\nfirst\n--b1--\n' >top-lf.eml
refused top-without-boundary-lf top-lf.eml "multipart without boundary"

printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=b1; boundary=b2\n\n--b1\n\nx\n--b1--\n' >twice.eml
refused boundary-twice twice.eml "ambiguous boundary (duplicated or RFC 2231 form)"

printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary="=?utf-8?q?b1?="\n\n--b1\n\nx\n--b1--\n' >ew.eml
refused boundary-encoded-word ew.eml "ambiguous boundary (RFC 2047 encoded word)"

printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=""\n\n--\n\nx\n----\n' >empty.eml
refused boundary-empty empty.eml "empty boundary"

# Over RFC 2046's 70 characters: the fixed limit verify applies.
b71=$(printf 'b%.0s' $(seq 71))
printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=%s\n\n--%s\n\nx\n--%s--\n' \
    "$b71" "$b71" "$b71" >long.eml
expect_exit 3 "$CACHET" sign "${A[@]}" --in long.eml --out l.eml
expect_stderr "boundary longer than 70, the limit verify applies too (at input)"
expect_no_file l.eml
echo "ok boundary-over-70"

# What verify does not read inside the entity is not refused: a nested multipart
# without a boundary, a missing close-delimiter, a body that is not base64. Signed,
# each verifies and comes back as it went in.
printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\n\nx\n--b1\nContent-Type: multipart/alternative\n\ny\n--b1--\n' >nested.eml
printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\n\nx\n' >open.eml
printf 'From: alice@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGVsbG8*\n' >b64.eml
for f in nested open b64; do
    expect_exit 0 "$CACHET" sign "${A[@]}" --in $f.eml --out s-$f.eml
    expect_exit 0 "$CACHET" verify --no-address-check --trust pki/ca.crt --in s-$f.eml --out v-$f.eml
    sed -n '/^Content-Type/,$p' $f.eml | sed 's/$/\r/' >want-$f
    sed -n '/^Content-Type/,$p' v-$f.eml | cmp -s - want-$f || fail "$f: the verified entity is not the one signed"
done
echo "ok inner structure passed on"

# Well-formed MIME is signed and verifies; the refused bytes pass as --raw content.
printf 'From: alice@example.com\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\n\nx\n--b1--\n' >good.eml
expect_exit 0 "$CACHET" sign "${A[@]}" --in good.eml --out s.eml
expect_exit 0 "$CACHET" verify --no-address-check --trust pki/ca.crt --in s.eml --out v.eml
grep -q '^--b1--' v.eml || fail "the verified content lost its close-delimiter"
expect_exit 0 "$CACHET" sign "${A[@]}" --raw --opaque --in top.eml --out raw.der
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --in raw.der --out raw.out
cmp -s top.eml raw.out || fail "--raw content did not round-trip"
echo "ok well-formed and raw"
echo "protect_bad_mime: ok"
