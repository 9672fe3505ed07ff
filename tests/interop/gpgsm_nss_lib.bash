# Helpers shared by tests/interop/gpgsm.sh and tests/interop/nss.sh, sourced after lib.sh.
# (Named .bash, not .sh: tests/CMakeLists.txt registers every tests/interop/*.sh as a test.)

# peer_need LABEL PROGRAM...: a suite without its peer proves nothing: exit 77 (CTest
# skip), except under CI=true where .ci/run installs the peer and its absence is a failure.
# Called before lib.sh so that a skipped suite creates nothing.
peer_need() {
    local label=$1 p
    shift
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 && continue
        if [ "${CI:-}" = true ]; then
            echo "FAIL setup: expected $label ($p) installed under CI=true, got nothing"
            exit 1
        fi
        echo "SKIP: $label not installed"
        exit 77
    done
}

# The cli's switch for legacy algorithms: --allow-legacy (issue 5), --allow-weak before it.
legacy_flag() {
    if "$CACHET" help decrypt 2>&1 | grep -- --allow-legacy >/dev/null; then
        echo --allow-legacy
    else
        echo --allow-weak
    fi
}

# mp_signed ENTITY P7S-DER OUT MICALG [FROM]: multipart/signed of ENTITY (a CRLF MIME
# entity, signed byte for byte) with P7S-DER as the application/pkcs7-signature part.
mp_signed() {
    {
        printf 'From: %s\r\nTo: bob@example.com\r\nSubject: test message\r\nMIME-Version: 1.0\r\n' "${5:-alice@example.com}"
        printf 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=%s; boundary="peer-sig-b0undary"\r\n\r\n' "$4"
        printf -- '--peer-sig-b0undary\r\n'
        cat "$1"
        printf '\r\n--peer-sig-b0undary\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n'
        printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n'
        base64 -w 64 "$2" | sed 's/$/\r/'
        printf -- '--peer-sig-b0undary--\r\n'
    } >"$3"
}

# mime_unwrap MSG DIR: takes apart an S/MIME message made by cachet for a peer that reads
# only CMS: multipart/signed -> DIR/content (the first part, the exact signed bytes) and
# DIR/cms.der (the signature); application/pkcs7-mime -> DIR/cms.der. Fails on other shapes.
mime_unwrap() {
    mkdir -p "$2"
    rm -f "$2/content" "$2/cms.der"
    "$PY" - "$1" "$2" <<'PY'
import base64, re, sys
d = open(sys.argv[1], "rb").read()
head, _, body = d.partition(b"\r\n\r\n")
h = head.replace(b"\r\n\t", b" ").replace(b"\r\n ", b" ").decode("ascii", "replace")
ct = re.search(r"(?im)^content-type:\s*(.*)$", h)
ct = ct.group(1) if ct else ""
if re.match(r"(?i)multipart/signed", ct):
    b = re.search(r'(?i)boundary="?([^";]+)"?', ct).group(1).encode()
    start = body.index(b"--" + b + b"\r\n") + len(b) + 4
    end = body.index(b"\r\n--" + b, start)
    open(sys.argv[2] + "/content", "wb").write(body[start:end])
    sig = body[end + 2:]
    sig = sig[sig.index(b"\r\n") + 2:]
    sh, _, sb = sig.partition(b"\r\n\r\n")
    sb = sb[:sb.index(b"\r\n--" + b)]
    open(sys.argv[2] + "/cms.der", "wb").write(base64.b64decode(re.sub(rb"\s", b"", sb)))
elif re.match(r"(?i)application/(x-)?pkcs7-mime", ct):
    open(sys.argv[2] + "/cms.der", "wb").write(base64.b64decode(re.sub(rb"\s", b"", body)))
else:
    sys.exit("not an S/MIME message: " + ct)
PY
}

# close_case NAME DIRECTION FORM ALGORITHM PARAMETER: end_case NAME and its matrix row.
close_case() {
    if end_case "$1"; then
        matrix_row "$2" "$3" "$4" "$5" pass
    else
        matrix_row "$2" "$3" "$4" "$5" FAIL
    fi
}

# unsupported NAME DIRECTION FORM ALGORITHM PARAMETER WHY: a case the peer cannot do.
unsupported() {
    skip "$1" "not supported by peer ($6)"
    matrix_row "$2" "$3" "$4" "$5" "not supported by peer ($6)"
}

# p7m_entity DER OUT SMIME-TYPE: a bare application/pkcs7-mime MIME entity (no message
# headers), to be signed or encrypted again by a peer that reads no MIME.
p7m_entity() {
    {
        printf 'Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\r\n' "$3"
        printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n'
        base64 -w 64 "$1" | sed 's/$/\r/'
    } >"$2"
}

# b_enc FORM LABEL KEY CIPHER PEER-GAP CACHET-EXTRA [more recipients...]: cachet encrypts
# (FORM der, pem or smime: the test unwraps S/MIME for the peer), the suite's
# `peer_decrypt CMS OUT` (errors in $PEER_ERR) must give the content back.
#   PEER-GAP: "-" when the peer must decrypt; else a gap of the peer, proven by a control:
#   it must refuse openssl's message of the same kind too ("ctl"; the extra openssl cms
#   options of the control, comma separated; "aead": openssl's AES-256-GCM for AES-CCM and
#   ChaCha20-Poly1305, AuthEnvelopedData content that openssl cms does not write).
# Uses ENT, MSG, PKI, PEER (the peer's name in the matrix) and peer_why FILE from the suite.
b_enc() {
    local form=$1 label=$2 key=$3 cipher=$4 gap=$5 extra=$6
    shift 6
    local name="B:cachet-encrypts:$form:$label:$cipher" f=$W/b.enc out=$W/b.out in=$MSG u=$W/unwrapped
    local args=(encrypt --to "$PKI/$key.crt" --cipher "$cipher")
    local r
    for r in "$@"; do args+=(--to "$PKI/$r.crt"); done
    [ "$extra" = - ] || args+=("$extra")
    case $form in
        der) in=$ENT args+=(--raw) ;;
        pem) in=$ENT args+=(--raw --format pem) ;;
    esac
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    local cms=$f
    if [ -z "$PROBLEMS" ] && [ "$form" = smime ]; then
        mime_unwrap "$f" "$u" || problem "expected application/pkcs7-mime from cachet"
        cms=$u/cms.der
    fi
    if [ -n "$PROBLEMS" ]; then
        close_case "$name" "cachet → $PEER" "$form" "$label" "$cipher"
        return 0
    fi
    rm -f "$out"
    if ! peer_decrypt "$cms" "$out"; then
        local why
        why=$(peer_why "$PEER_ERR")
        if [ "$gap" != - ]; then
            # control: the same construction from openssl cms
            local o=()
            # AES-CCM and ChaCha20-Poly1305 are AuthEnvelopedData content too, which openssl
            # cms does not write: the control is then its AES-256-GCM AuthEnvelopedData.
            local oc=$cipher ocl=""
            case $gap in ctl) ;; aead) oc=aes-256-gcm ocl=" $oc" ;; *) IFS=, read -r -a o <<<"$gap" ;; esac
            openssl cms -encrypt -binary -outform DER "-$oc" -in "$ENT" -out "$W/ctl.der" \
                -recip "$PKI/$key.crt" "${o[@]}" 2>/dev/null || problem "control: openssl cms failed"
            rm -f "$W/ctl.out"
            if peer_decrypt "$W/ctl.der" "$W/ctl.out"; then
                problem "expected $PEER to decrypt cachet's message as it does openssl's, got: $why"
            else
                unsupported "$name" "cachet → $PEER" "$form" "$label" "$cipher" "$why; openssl's$ocl too"
                return 0
            fi
        else
            problem "expected $PEER to decrypt, got: $why"
        fi
    elif [ "$form" = smime ]; then
        bodies_equal "$MSG" "$out" || problem "expected $PEER to give back the body"
    else
        cmp -s "$ENT" "$out" || problem "expected $PEER to give back the plaintext"
    fi
    close_case "$name" "cachet → $PEER" "$form" "$label" "$cipher"
}

# b_sign_matrix FORMS: b_sign (the suite's) for every signer key, digest and form in
# FORMS (space separated), then Ed25519 (RFC 8419: SHA-512 with signed attributes).
b_sign_matrix() {
    local forms=$1 label key email extra md form x
    local signers="rsa alice alice@example.com -
pss alice alice@example.com --pss
ecdsa-p256 carol carol@example.com -
ecdsa-p384 dave dave@example.com -"
    while read -r label key email extra; do
        x=()
        [ "$extra" = - ] || x=("$extra")
        for md in sha256 sha384 sha512; do
            for form in $forms; do
                b_sign "$form" "$label" "$key" "$email" "$md" "${x[@]}"
            done
        done
    done <<<"$signers"
    for form in smime-detached smime-opaque der-opaque der-detached; do
        b_sign "$form" ed25519 erin erin@example.com sha512
    done
}

# cx_sign_two FORM: cachet signs with alice (RSA) and carol (ECDSA P-256) in one SignedData,
# der-opaque ($ENT) or smime-detached ($MSG); sets TWO to the peer's verify arguments
# (the CMS file, and the content when detached).
cx_sign_two() {
    local signers=(--cert "$PKI/alice.crt" --key "$PKI/alice.key" --cert "$PKI/carol.crt"
        --key "$PKI/carol.key" --chain "$PKI/inter.crt")
    if [ "$1" = der-opaque ]; then
        cx sign --raw --opaque "${signers[@]}" --in "$ENT" --out "$W/two.sig"
        rc_problem 0
        TWO=("$W/two.sig")
    else
        cx sign "${signers[@]}" --in "$MSG" --out "$W/two.sig"
        rc_problem 0
        mime_unwrap "$W/two.sig" "$W/two" || problem "expected multipart/signed from cachet"
        TWO=("$W/two/cms.der" "$W/two/content")
    fi
}

# b_enc_matrix: the b_enc cases both peers run (RSA key transport, every content cipher);
# each suite adds its own after.
b_enc_matrix() {
    local form cipher
    write_message "$MSG"
    for form in der smime; do
        for cipher in aes-256-cbc aes-128-cbc; do
            b_enc "$form" rsa alice "$cipher" - -
        done
        for cipher in aes-256-gcm aes-128-gcm; do
            b_enc "$form" rsa alice "$cipher" ctl -
        done
    done
    b_enc der rsa alice aes-192-cbc - -
    b_enc der rsa alice aes-192-gcm ctl -
    for cipher in aes-256-ccm aes-128-ccm chacha20-poly1305; do
        b_enc der rsa alice "$cipher" aead -
    done
}
