# Every CLI operation on a 128 MiB input, 8 times the bound (and 1 GiB too with
# CACHET_STREAM_BIG=1), made on the fly and passed through pipes: the exact round trip
# (sha256 of what comes back against what went in) and a peak RSS of at most
# 16 MiB for each cachet process (issue 6). Release builds only.
source "$(dirname "$0")/lib.bash"
stream_require_release
set +e # each pipeline's statuses are checked by pipe_ok
make_pki
# cachet's own temporary files (held output, the CLI's output file) go here, and
# must all be gone at the end
mkdir tmp
export TMPDIR=$WORK/tmp
A=(--cert pki/alice.crt --key pki/alice.key)
B=(--cert pki/bob.crt --key pki/bob.key)
T=(--trust pki/ca.crt)
start=$SECONDS

for size in $(stream_sizes); do
    tag=$((size >> 20))M
    # ---- S/MIME: a message of at most |size| bytes, base64 lines of 76 (57 bytes) ----
    # shellcheck disable=SC2017 # whole lines on purpose
    msize=$(((size - 256) / 78 * 57))
    # the expected hash comes from the first pass (tee), the later ones are compared
    rm -f want.txt
    got=$(gen_mime "$msize" | tee >(body_sha >want.tmp && mv want.tmp want.txt) | measure "sign.$tag" "$CACHET" sign "${A[@]}" |
        measure "verify.$tag" "$CACHET" verify "${T[@]}" 2>/dev/null | body_sha)
    pipe_ok "sign | verify ($tag)" "${PIPESTATUS[@]}"
    want=$(await_hash want.txt)
    [ "$got" = "$want" ] || fail "multipart/signed round trip ($tag) changed the content"
    check_rss "sign.$tag"
    check_rss "verify.$tag"

    got=$(gen_mime "$msize" | measure "sign-opaque.$tag" "$CACHET" sign --opaque "${A[@]}" |
        measure "verify-opaque.$tag" "$CACHET" verify "${T[@]}" 2>/dev/null | body_sha)
    pipe_ok "sign --opaque | verify ($tag)" "${PIPESTATUS[@]}"
    [ "$got" = "$want" ] || fail "opaque signed round trip ($tag) changed the content"
    check_rss "sign-opaque.$tag"
    check_rss "verify-opaque.$tag"

    for cipher in aes-256-gcm aes-256-cbc; do
        got=$(gen_mime "$msize" |
            measure "encrypt-$cipher.$tag" "$CACHET" encrypt --to pki/bob.crt --cipher $cipher |
            measure "decrypt-$cipher.$tag" "$CACHET" decrypt "${B[@]}" 2>/dev/null | body_sha)
        pipe_ok "encrypt $cipher | decrypt ($tag)" "${PIPESTATUS[@]}"
        [ "$got" = "$want" ] || fail "$cipher round trip ($tag) changed the content"
        check_rss "encrypt-$cipher.$tag"
        check_rss "decrypt-$cipher.$tag"
    done

    got=$(gen_mime "$msize" | measure "compress.$tag" "$CACHET" compress |
        measure "decompress.$tag" "$CACHET" decompress | body_sha)
    pipe_ok "compress | decompress ($tag)" "${PIPESTATUS[@]}"
    [ "$got" = "$want" ] || fail "compressed round trip ($tag) changed the content"
    check_rss "compress.$tag"
    check_rss "decompress.$tag"

    # ---- raw CMS from a pipe: indefinite lengths ----
    rm -f want.txt
    got=$(gen "$size" | tee >(raw_sha >want.tmp && mv want.tmp want.txt) | measure "raw-sign.$tag" "$CACHET" sign --raw --opaque "${A[@]}" |
        measure "raw-verify.$tag" "$CACHET" verify --raw "${T[@]}" 2>/dev/null |
        sha256sum | cut -d' ' -f1)
    pipe_ok "sign --raw --opaque | verify --raw ($tag)" "${PIPESTATUS[@]}"
    want=$(await_hash want.txt)
    [ "$got" = "$want" ] || fail "raw signed round trip ($tag) changed the content"
    check_rss "raw-sign.$tag"
    check_rss "raw-verify.$tag"

    gen "$size" | measure "raw-sign-detached.$tag" "$CACHET" sign --raw --detached "${A[@]}" \
        >"sig.$tag.p7s"
    pipe_ok "sign --raw --detached ($tag)" "${PIPESTATUS[@]}"
    got=$(measure "raw-verify-detached.$tag" "$CACHET" verify --raw "${T[@]}" \
        --in "sig.$tag.p7s" --content <(gen "$size") 2>/dev/null | sha256sum | cut -d' ' -f1)
    pipe_ok "verify --raw --content ($tag)" "${PIPESTATUS[@]}"
    [ "$got" = "$want" ] || fail "verify --raw --content ($tag) gave other content"
    check_rss "raw-sign-detached.$tag"
    check_rss "raw-verify-detached.$tag"
    # and a signature over other bytes of the same length is refused
    measure "raw-verify-detached-bad.$tag" "$CACHET" verify --raw "${T[@]}" \
        --in "sig.$tag.p7s" --content <(gen "$size" 1) >/dev/null 2>&1
    [ $? = 1 ] || fail "verify --raw --content accepted other content ($tag)"

    for cipher in aes-256-gcm aes-256-cbc; do
        got=$(gen "$size" |
            measure "raw-encrypt-$cipher.$tag" "$CACHET" encrypt --raw --to pki/bob.crt \
                --cipher $cipher |
            measure "raw-decrypt-$cipher.$tag" "$CACHET" decrypt --raw "${B[@]}" 2>/dev/null |
            sha256sum | cut -d' ' -f1)
        pipe_ok "encrypt --raw $cipher | decrypt --raw ($tag)" "${PIPESTATUS[@]}"
        [ "$got" = "$want" ] || fail "raw $cipher round trip ($tag) changed the content"
        check_rss "raw-encrypt-$cipher.$tag"
        check_rss "raw-decrypt-$cipher.$tag"
    done

    got=$(gen "$size" | measure "raw-compress.$tag" "$CACHET" compress --raw |
        measure "raw-decompress.$tag" "$CACHET" decompress --raw | sha256sum | cut -d' ' -f1)
    pipe_ok "compress --raw | decompress --raw ($tag)" "${PIPESTATUS[@]}"
    [ "$got" = "$want" ] || fail "raw compressed round trip ($tag) changed the content"
    check_rss "raw-compress.$tag"
    check_rss "raw-decompress.$tag"

    # ---- raw CMS from a regular file: definite lengths (issue 6) ----
    gen "$size" >in.bin
    measure "raw-sign-file.$tag" "$CACHET" sign --raw --opaque "${A[@]}" --in in.bin --out s.p7 ||
        fail "sign --raw --in FILE ($tag) failed"
    measure "raw-encrypt-file.$tag" "$CACHET" encrypt --raw --to pki/bob.crt --in in.bin \
        --out e.p7 || fail "encrypt --raw --in FILE ($tag) failed"
    rm -f in.bin
    check_rss "raw-sign-file.$tag"
    check_rss "raw-encrypt-file.$tag"
    # the EnvelopedData is DER from its first byte: 30 8n L..L covering the whole file
    hdr=$(head -c 10 e.p7 | od -An -tx1 | tr -d ' \n')
    nl=$((0x${hdr:2:2} - 0x80))
    [ "${hdr:0:2}" = 30 ] && [ "$nl" -ge 1 ] && [ "$nl" -le 8 ] ||
        fail "encrypt from a file ($tag) is not definite-length: $hdr"
    [ $((0x${hdr:4:$((2 * nl))} + 2 + nl)) = "$(stat -c %s e.p7)" ] ||
        fail "ContentInfo length ($tag) is not the file's: $hdr"
    # the SignedData keeps its outer indefinite lengths, its eContent is one definite string
    hdr=$(head -c 4 s.p7 | od -An -tx1 | tr -d ' \n')
    [ "$hdr" = 30800609 ] || fail "signed ContentInfo ($tag) should open indefinite: $hdr"
    got=$(measure "raw-verify-file.$tag" "$CACHET" verify --raw "${T[@]}" --in s.p7 2>/dev/null |
        sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || fail "definite-length signed round trip ($tag) changed the content"
    got=$(measure "raw-decrypt-file.$tag" "$CACHET" decrypt --raw "${B[@]}" --in e.p7 2>/dev/null |
        sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ] || fail "definite-length enveloped round trip ($tag) changed the content"
    check_rss "raw-verify-file.$tag"
    check_rss "raw-decrypt-file.$tag"
    rm -f s.p7 e.p7 "sig.$tag.p7s"
done

stream_print_report
echo "stream suite: $((SECONDS - start)) s for sizes $(stream_sizes)"
no_temp_files "$TMPDIR"
echo PASS
