#!/usr/bin/env bash
# Legacy algorithms from `openssl cms`, openssl -> cachet only (cachet never writes them):
#   content ciphers 3DES, DES, RC2/40/64/128, CAST5, IDEA, SEED, Camellia-128/192/256 (openssl
#   with `-provider legacy -provider default` where its default provider lacks them) in
#   EnvelopedData (RSA and ECDH recipients, KEK, password) and EncryptedData;
#   signatures with SHA-1 and MD5 (RSA, ECDSA), DSA signers (SHA-1, SHA-224, SHA-256).
# Each one twice: without --allow-legacy refused (exit 1, the reason on stderr, nothing
# written); with it exit 0, the content byte for byte (raw) or the body (S/MIME), and the
# report says weak (layer.weak / signer.weak) with the algorithm's name. cachet must also
# refuse to write any of them (--cipher des-ede3-cbc ... is a usage error).
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md (section openssl_legacy).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
. "$(dirname "$0")/openssl_common.bash"
ossl_extra_leaf dora DSA digitalSignature,nonRepudiation 6004

ENT=$W/entity.txt
write_entity "$ENT" "Old algorithms, read once more."
PWF=$W/password.txt
printf '%s\n' "$PASSWORD" >"$PWF"
A2C="openssl → cachet"
LEGACY_PROV=(-provider legacy -provider default)

raw_opt() { case $1 in smime*) ;; *) echo --raw ;; esac; }
ossl_form() {
    case $1 in
        der-opaque) echo "-binary -outform DER -nodetach" ;;
        der*) echo "-binary -outform DER" ;;
        smime-opaque) echo "-nodetach" ;;
    esac
}
content_problem() { # content_problem FORM OUT
    case $1 in
        smime*)
            if [ ! -f "$2" ] || ! bodies_equal "$ENT" "$2"; then
                problem "expected the body back, got '$(head -c 80 "$2" 2>/dev/null | tr '\r\n' '  ')'"
            fi
            ;;
        *) cmp -s "$ENT" "$2" 2>/dev/null || problem "expected the content byte for byte, got $(stat -c %s "$2" 2>/dev/null || echo no) bytes" ;;
    esac
}

# make_ossl FILE FORM OSSL_ARGS...: openssl cms, with the legacy provider when the default
# one lacks the algorithm; returns 1 (reason in W/ossl.err) if the peer cannot.
make_ossl() {
    local f=$1 form=$2
    shift 2
    # shellcheck disable=SC2046
    openssl cms "$@" $(ossl_form "$form") -in "$ENT" -out "$f" 2>"$W/ossl.err" && return 0
    # shellcheck disable=SC2046
    openssl cms "${LEGACY_PROV[@]}" "$@" $(ossl_form "$form") -in "$ENT" -out "$f" 2>"$W/ossl.err"
}

# legacy_pair OP FORM ALG PARAM REFUSED_TEXT OSSL_ARGS -- CACHET_ARGS -- FIELDS...:
# two cases on one openssl message: refused by default, accepted with --allow-legacy.
legacy_pair() {
    local op=$1 form=$2 alg=$3 param=$4 text=$5 f=$W/l.msg out=$W/l.out
    shift 5
    local oa=() ca=()
    while [ "$1" != -- ]; do oa+=("$1"); shift; done
    shift
    while [ "$1" != -- ]; do ca+=("$1"); shift; done
    shift
    local name="A:openssl-$op:$form:$alg:$param"
    if ! make_ossl "$f" "$form" "${oa[@]}"; then
        skip "$name" "not supported by peer: $(ossl_err "$W/ossl.err")"
        unsupported_by_peer "$alg $param" "$(ossl_err "$W/ossl.err")"
        matrix_row "$A2C" "$form" "$alg" "$param" "not supported by peer"
        return 0
    fi
    local verb=decrypt
    [ "$op" = signs ] && verb=verify
    # 1. refused without --allow-legacy
    rm -f "$out"
    begin_case
    # shellcheck disable=SC2046
    cx $verb $(raw_opt "$form") "${ca[@]}" --in "$f" --out "$out"
    rc_problem 1
    [ ! -e "$out" ] || problem "expected no output file, got $(stat -c %s "$out") bytes"
    [ ! -s "$OUT" ] || problem "expected empty stdout"
    grep -q -F -- "$text" "$ERR" || problem "expected '$text' on stderr, got '$(head -c 200 "$ERR" | tr '\n' ' ')'"
    grep -q -F -- "--allow-legacy accepts it" "$ERR" || problem "expected the hint '--allow-legacy accepts it' on stderr"
    close_row "$name:refused-by-default" "$A2C" "$form" "$alg" "$param: refused by default (exit 1)"
    # 2. accepted with --allow-legacy, reported weak
    rm -f "$out"
    begin_case
    # shellcheck disable=SC2046
    cx $verb $(raw_opt "$form") "${ca[@]}" --allow-legacy --json --in "$f" --out "$out"
    rc_problem 0
    json_problem "$OUT" status=valid "$@"
    content_problem "$form" "$out"
    close_row "$name:allow-legacy" "$A2C" "$form" "$alg" "$param: --allow-legacy (weak)"
}

# ---------------- content ciphers ----------------
# openssl option, cipher name in the report
CIPHERS="des3 des-ede3-cbc
des des-cbc
rc2-40 rc2-40-cbc
rc2-64 rc2-64-cbc
rc2-128 rc2-128-cbc
cast5-cbc cast5-cbc
idea-cbc idea-cbc
seed-cbc seed-cbc
camellia-128-cbc camellia-128-cbc
camellia-192-cbc camellia-192-cbc
camellia-256-cbc camellia-256-cbc"
while read -r opt name; do
    # the refusal names the algorithm (RC2 whatever its effective key bits)
    why="${name/rc2-*-cbc/rc2-cbc} is a legacy cipher: use --allow-legacy"
    for form in smime der; do
        legacy_pair encrypts "$form" "$name" "rsa (alice)" "$why" \
            -encrypt "-$opt" -recip "$PKI/alice.crt" -- --cert "$PKI/alice.crt" --key "$PKI/alice.key" -- \
            layers.0.type=enveloped "layers.0.cipher=$name" layers.0.weak=true layers.0.key_management=rsaEncryption
    done
    legacy_pair encrypts der "$name" "ecdh-p256 (carol)" "$why" \
        -encrypt "-$opt" -recip "$PKI/carol.crt" -- --cert "$PKI/carol.crt" --key "$PKI/carol.key" -- \
        "layers.0.cipher=$name" layers.0.weak=true layers.0.key_management=ecdh-stdDH-sha1kdf
done <<<"$CIPHERS"
# KEK, password and EncryptedData around legacy content ciphers.
legacy_pair encrypts der des-ede3-cbc "kek aes256-wrap" "des-ede3-cbc is a legacy cipher: use --allow-legacy" \
    -encrypt -des3 -secretkey "$KEK256" -secretkeyid "$KEKID" -- --secret-key "$KEK256" --key-id "hex:$KEKID" -- \
    layers.0.cipher=des-ede3-cbc layers.0.weak=true layers.0.key_management=kek-aes256-wrap
legacy_pair encrypts der camellia-256-cbc "kek aes256-wrap" "camellia-256-cbc is a legacy cipher: use --allow-legacy" \
    -encrypt -camellia-256-cbc -secretkey "$KEK256" -secretkeyid "$KEKID" -- --secret-key "$KEK256" --key-id "hex:$KEKID" -- \
    layers.0.cipher=camellia-256-cbc layers.0.weak=true
# openssl's PWRI KEK algorithm is the content cipher: 3DES here.
legacy_pair encrypts der des-ede3-cbc "pwri pbkdf2" "legacy cipher: use --allow-legacy" \
    -encrypt -des3 -pwri_password "$PASSWORD" -- --password-file "$PWF" -- \
    layers.0.cipher=des-ede3-cbc layers.0.weak=true layers.0.key_management=pwri-pbkdf2-hmac-sha1
KEY24=$KEK192
KEY16=$KEK128
legacy_pair encrypts der des-ede3-cbc EncryptedData "des-ede3-cbc is a legacy cipher: use --allow-legacy" \
    -EncryptedData_encrypt -des3 -secretkey "$KEY24" -- --secret-key "$KEY24" -- \
    layers.0.type=encrypted layers.0.cipher=des-ede3-cbc layers.0.weak=true
legacy_pair encrypts smime rc2-128-cbc EncryptedData "rc2-cbc is a legacy cipher: use --allow-legacy" \
    -EncryptedData_encrypt -rc2-128 -secretkey "$KEY16" -- --secret-key "$KEY16" -- \
    layers.0.type=encrypted layers.0.cipher=rc2-128-cbc layers.0.weak=true
legacy_pair encrypts der seed-cbc EncryptedData "seed-cbc is a legacy cipher: use --allow-legacy" \
    -EncryptedData_encrypt -seed-cbc -secretkey "$KEY16" -- --secret-key "$KEY16" -- \
    layers.0.type=encrypted layers.0.cipher=seed-cbc layers.0.weak=true

# ---------------- signatures ----------------
# label key digest algorithm-in-report
SIGS="rsa alice sha1 rsaEncryption
rsa alice md5 rsaEncryption
ecdsa-p256 carol sha1 ecdsa-with-SHA1
ecdsa-p256 carol md5 ecdsa-with-MD5
ecdsa-p384 dave sha1 ecdsa-with-SHA1
dsa dora sha1 id-dsa-with-sha1
dsa dora sha224 id-dsa-with-sha224
dsa dora sha256 id-dsa-with-sha256"
while read -r label key md alg; do
    for form in smime-detached smime-opaque der-opaque; do
        ca=(--trust "$PKI/ca.crt")
        [ "${form%%-*}" = smime ] && ca+=(--no-address-check)
        legacy_pair signs "$form" "$label" "$md" "refused" \
            -sign -signer "$PKI/$key.crt" -inkey "$PKI/$key.key" -certfile "$PKI/inter.crt" -md "$md" -- "${ca[@]}" -- \
            layers.0.type=signed layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted \
            "layers.0.signers.0.digest=$md" "layers.0.signers.0.algorithm=$alg" layers.0.signers.0.weak=true
    done
done <<<"$SIGS"

# ---------------- cachet never writes them ----------------
for c in des-ede3-cbc des-cbc rc2-cbc rc2-40-cbc cast5-cbc seed-cbc camellia-256-cbc; do
    begin_case
    rm -f "$W/n.out"
    cx encrypt --raw --allow-legacy --to "$PKI/alice.crt" --cipher "$c" --in "$ENT" --out "$W/n.out"
    rc_problem 2
    [ ! -e "$W/n.out" ] || problem "expected nothing written"
    close_row "B:cachet-never-writes:$c" "cachet → openssl" der "$c" "--cipher $c refused (exit 2), even with --allow-legacy"
done
for md in sha1 md5; do
    begin_case
    rm -f "$W/n.out"
    cx sign --raw --allow-legacy --cert "$PKI/alice.crt" --key "$PKI/alice.key" --digest "$md" --in "$ENT" --out "$W/n.out"
    rc_problem 2
    [ ! -e "$W/n.out" ] || problem "expected nothing written"
    close_row "B:cachet-never-writes:sign-$md" "cachet → openssl" der "rsa" "--digest $md refused (exit 2)"
done
begin_case
rm -f "$W/n.out"
cx sign --raw --allow-legacy --cert "$PKI/dora.crt" --key "$PKI/dora.key" --in "$ENT" --out "$W/n.out"
rc_problem 2
[ ! -e "$W/n.out" ] || problem "expected nothing written"
grep -q -F "key type cannot sign CMS" "$ERR" || problem "expected 'key type cannot sign CMS' on stderr"
close_row "B:cachet-never-writes:sign-dsa" "cachet → openssl" der dsa "DSA signing key refused (exit 2)"

PROSE="### Legacy algorithms (openssl → cachet only)

\`tests/interop/openssl_legacy.sh\`: messages OpenSSL 3.0 makes with legacy algorithms (with
\`-provider legacy -provider default\` where the default provider lacks them: DES, RC2, CAST5, SEED).
Each is read twice: without \`--allow-legacy\` it is refused (exit 1, \"… is a legacy cipher: use
--allow-legacy\" or \"weak algorithm or key (…) refused\" and the hint \"--allow-legacy accepts it\" on
stderr, nothing written); with \`--allow-legacy\` it decrypts or verifies (exit 0, the content, the
cipher or signature algorithm named in \`--json\` and \`weak: true\`). Legacy content ciphers are
also tried behind KEK, password and EncryptedData. cachet never writes them: \`--cipher\` with a legacy
cipher, \`--digest sha1|md5\` and a DSA signing key are refused even with \`--allow-legacy\`."
ossl_matrix_write openssl_legacy "$PROSE"
finish
