# The CLI's output sink is discard_on_failure: verify and decrypt write through
# to the private temporary file as they go (not into a hold first). What the
# user sees must not change (ATTACKS CL-01): a failing run creates no --out,
# leaves an existing --out as it was, writes nothing to stdout and leaves no
# temporary file; a good run writes the same bytes to --out and to stdout.
# Messages of a few MiB, so the library's buffers and the hold bound are passed.
source "$(dirname "$0")/lib.sh"
make_pki

python3 - <<'PY'
import base64, random
r = random.Random(6)
body = base64.encodebytes(bytes(r.getrandbits(8) for _ in range(3 * 1024 * 1024))).replace(b"\n", b"\r\n")
hdr = (b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: big\r\n"
       b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
open("big.eml", "wb").write(hdr + body)
open("big.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(3 * 1024 * 1024)))
PY

# tamper FILE OUT: one base64 letter in the middle changed (S/MIME), or one
# byte flipped (anything else), so the result still parses.
tamper() {
    python3 - "$1" "$2" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = len(d) // 2
if sys.argv[1].endswith(".eml"):
    while not (65 <= d[i] <= 89 or 97 <= d[i] <= 121):
        i += 1
    d[i] += 1
else:
    d[i] ^= 1
open(sys.argv[2], "wb").write(d)
PY
}

# expect_failure CMD...: exit 1 (not authentic / not decryptable) or 3 (the
# changed byte made the content malformed): either way a failure.
expect_failure() {
    local got=0
    "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || got=$?
    if [ "$got" != 1 ] && [ "$got" != 3 ]; then
        cat "$WORK/err.txt" >&2
        fail "expected exit 1 or 3, got $got: $*"
    fi
}

C="--cert pki/alice.crt --key pki/alice.key"
"$CACHET" sign $C --in big.eml --out s.eml
"$CACHET" sign --opaque $C --in big.eml --out so.eml
"$CACHET" sign --raw --opaque $C --in big.bin --out s.der
"$CACHET" encrypt --to pki/bob.crt --cipher aes-256-gcm --in big.eml --out e.eml
"$CACHET" encrypt --raw --to pki/bob.crt --cipher aes-256-gcm --in big.bin --out e.der
"$CACHET" encrypt --to pki/bob.crt --cipher aes-256-cbc --in big.eml --out ec.eml

V="verify --trust pki/ca.crt"
D="decrypt --cert pki/bob.crt --key pki/bob.key"
# name | command (without --in/--out) | input | whether a changed byte must fail
# (CBC has no integrity: a changed block may still decrypt to a message)
cases=(
    "multipart|$V|s.eml|yes"
    "opaque|$V|so.eml|yes"
    "raw-signed|$V --raw --no-address-check|s.der|yes"
    "gcm|$D|e.eml|yes"
    "raw-gcm|$D --raw|e.der|yes"
    "cbc|$D|ec.eml|"
)
for c in "${cases[@]}"; do
    IFS='|' read -r name cmd in must_fail <<<"$c"
    # good: --out and stdout carry the same bytes
    expect_exit 0 "$CACHET" $cmd --in "$in" --out "good-$name"
    expect_exit 0 "$CACHET" $cmd --in "$in"
    cmp -s out.txt "good-$name" || fail "$name: stdout and --out differ"
    [ "$(stat -c %s "good-$name")" -gt 3000000 ] || fail "$name: output too short"
    no_temp_files .
    [ -n "$must_fail" ] || continue
    # tampered: nothing anywhere
    tamper "$in" "bad-$in"
    expect_failure "$CACHET" $cmd --in "bad-$in" --out "never-$name"
    expect_no_file "never-$name"
    expect_failure "$CACHET" $cmd --in "bad-$in"
    [ ! -s out.txt ] || fail "$name: a failed run wrote to stdout"
    printf 'old contents\n' >"kept-$name"
    expect_failure "$CACHET" $cmd --in "bad-$in" --out "kept-$name"
    [ "$(cat "kept-$name")" = "old contents" ] || fail "$name: a failed run changed --out"
    no_temp_files .
done

# the content round-trips exactly
cmp -s good-raw-signed big.bin || fail "raw verify output differs from the input"
cmp -s good-raw-gcm big.bin || fail "raw decrypt output differs from the input"
cmp -s good-multipart good-opaque || fail "multipart and opaque verify outputs differ"
cmp -s good-gcm good-cbc || fail "GCM and CBC decrypt outputs differ"
echo "stream_discard: ok"
