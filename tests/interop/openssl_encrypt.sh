#!/usr/bin/env bash
# Encryption interop with `openssl cms`, both directions.
#   A: openssl encrypts (S/MIME, raw DER, -stream BER, -keyid), cachet decrypts: exit 0,
#      exact report fields (type, cipher, authenticated, key_management), content equal.
#   B: cachet encrypts (S/MIME, --raw DER/PEM, every --cipher, --oaep, several --to),
#      openssl decrypts with -recip/-inkey and gives back the content.
# Key management: RSA PKCS#1 v1.5 and RSA-OAEP (alice), ECDH P-256 (carol), ECDH P-384 (dave);
# content: AES-128/256-CBC (EnvelopedData) and AES-128/256-GCM (AuthEnvelopedData).
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki

ENT=$W/entity.txt
write_entity "$ENT" "A secret for the recipient only."
MSG=$W/message.txt
write_message "$MSG"

# recipient table: label key-name key_management-in-report openssl-keyopts cachet-extra
RECIPIENTS="rsa alice rsaEncryption - -
oaep-sha1 alice rsaes-oaep -keyopt,rsa_padding_mode:oaep -
oaep-sha256 alice rsaes-oaep -keyopt,rsa_padding_mode:oaep,-keyopt,rsa_oaep_md:sha256 --oaep
ecdh-p256 carol ecdh-stdDH-sha1kdf - -
ecdh-p256-sha256kdf carol ecdh-stdDH-sha256kdf -keyopt,ecdh_kdf_md:sha256 -
ecdh-p384 dave ecdh-stdDH-sha1kdf - -
ecdh-p384-sha384kdf dave ecdh-stdDH-sha384kdf -keyopt,ecdh_kdf_md:sha384 -"
CIPHERS="aes-128-cbc aes-192-cbc aes-256-cbc aes-128-gcm aes-192-gcm aes-256-gcm"

split_opts() { [ "$1" = - ] && return 0; echo "$1" | tr ',' ' '; }
layer_of() { case $1 in *gcm) echo "authEnveloped true" ;; *) echo "enveloped false" ;; esac; }

# ---------------- Direction A: openssl produces, cachet decrypts ----------------
a_case() { # a_case FORM LABEL KEY KM KEYOPTS CIPHER
    local form=$1 label=$2 key=$3 km=$4 kopts=$5 cipher=$6
    local name="A:openssl-encrypts:$form:$label:$cipher" f=$W/a.enc out=$W/a.out
    local args=(-encrypt "-$cipher" -in "$ENT" -out "$f")
    case $form in
        smime) ;;
        smime-stream) args+=(-stream) ;;
        smime-keyid) args+=(-keyid) ;;
        der) args+=(-binary -outform DER) ;;
        der-stream) args+=(-binary -outform DER -stream) ;;
        pem) args+=(-binary -outform PEM) ;;
    esac
    # shellcheck disable=SC2207
    args+=(-recip "$PKI/$key.crt" $(split_opts "$kopts"))
    if ! openssl cms "${args[@]}" 2>"$W/ossl.err"; then
        skip "$name" "not supported by peer"
        matrix_row "openssl → cachet" "$form" "$label" "$cipher" "not supported by peer"
        return 0
    fi
    rm -f "$out"
    begin_case
    local raw=()
    case $form in der* | pem) raw=(--raw) ;; esac
    cx decrypt "${raw[@]}" --cert "$PKI/$key.crt" --key "$PKI/$key.key" --json --in "$f" --out "$out"
    rc_problem 0
    local type auth
    read -r type auth <<<"$(layer_of "$cipher")"
    json_problem "$OUT" "layers.0.type=$type" "layers.0.authenticated=$auth" \
        "layers.0.cipher=$cipher" "layers.0.key_management=$km"
    if [ "${#raw[@]}" -gt 0 ]; then
        cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the plaintext byte for byte"
    elif [ ! -f "$out" ] || ! bodies_equal "$ENT" "$out"; then
        problem "expected the encrypted body back, got '$(head -c 80 "$out" 2>/dev/null | tr '\r\n' '  ')'"
    elif ! grep -q -i '^Content-Type: text/plain' "$out"; then
        problem "expected the inner Content-Type header in the output"
    fi
    if end_case "$name"; then
        matrix_row "openssl → cachet" "$form" "$label" "$cipher" pass
    else
        matrix_row "openssl → cachet" "$form" "$label" "$cipher" FAIL
    fi
}

# ---------------- Direction B: cachet produces, openssl decrypts ----------------
b_case() { # b_case FORM LABEL KEY CIPHER CACHET_EXTRA [more recipients...]
    local form=$1 label=$2 key=$3 cipher=$4 extra=$5
    shift 5
    local name="B:cachet-encrypts:$form:$label:$cipher" f=$W/b.enc out=$W/b.out in=$MSG
    local args=(encrypt --to "$PKI/$key.crt" --cipher "$cipher")
    local r
    for r in "$@"; do args+=(--to "$PKI/$r.crt"); done
    # shellcheck disable=SC2207
    args+=($(split_opts "$extra"))
    case $form in
        der) in=$ENT args+=(--raw) ;;
        pem) in=$ENT args+=(--raw --format pem) ;;
    esac
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    if [ -z "$PROBLEMS" ]; then
        local inform=SMIME dv=()
        case $form in der) inform=DER dv=(-binary) ;; pem) inform=PEM dv=(-binary) ;; esac
        for r in "$key" "$@"; do
            rm -f "$out"
            if ! openssl cms -decrypt -inform "$inform" "${dv[@]}" -recip "$PKI/$r.crt" -inkey "$PKI/$r.key" \
                -in "$f" -out "$out" 2>"$W/ossl.err"; then
                problem "expected openssl to decrypt for $r, got: $(grep -v '^$' "$W/ossl.err" | head -2 | tr '\n' ' ')"
            elif [ "$inform" = SMIME ]; then
                bodies_equal "$MSG" "$out" || problem "expected openssl to give back the body for $r"
            else
                cmp -s "$ENT" "$out" || problem "expected openssl to give back the plaintext for $r"
            fi
        done
        openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
        case $cipher in
            *gcm) grep -q 'contentType: id-smime-ct-authEnvelopedData' "$W/print" ||
                problem "expected AuthEnvelopedData for $cipher" ;;
            *) grep -q 'contentType: pkcs7-envelopedData' "$W/print" ||
                problem "expected EnvelopedData for $cipher" ;;
        esac
        grep -q "algorithm: $cipher " "$W/print" || problem "expected contentEncryptionAlgorithm $cipher"
        if [ "$extra" = --oaep ]; then
            grep -q 'algorithm: rsaesOaep' "$W/print" || problem "expected keyEncryptionAlgorithm rsaesOaep"
        fi
        if [ "$inform" = SMIME ]; then
            "$PY" - "$f" "$cipher" <<'PY' || problem "expected outer headers kept and application/pkcs7-mime with the right smime-type"
import re, sys
h = open(sys.argv[1], "rb").read().split(b"\r\n\r\n")[0].replace(b"\r\n\t", b" ").replace(b"\r\n ", b" ").decode()
ct = re.search(r"(?im)^content-type:\s*(.*)$", h).group(1)
st = "authEnveloped-data" if sys.argv[2].endswith("gcm") else "enveloped-data"
ok = re.search(r"(?i)application/(x-)?pkcs7-mime", ct) and re.search(r'(?i)smime-type="?%s"?' % st, ct)
ok = ok and re.search(r"(?m)^From: Alice <alice@example\.com>", h) and re.search(r"(?m)^Subject: test message", h)
sys.exit(0 if ok else 1)
PY
        fi
    fi
    if end_case "$name"; then
        matrix_row "cachet → openssl" "$form" "$label" "$cipher" pass
    else
        matrix_row "cachet → openssl" "$form" "$label" "$cipher" FAIL
    fi
}

while read -r label key km kopts cextra; do
    for cipher in $CIPHERS; do
        for form in smime der; do
            a_case "$form" "$label" "$key" "$km" "$kopts" "$cipher"
        done
    done
    for form in smime-stream der-stream smime-keyid pem; do
        a_case "$form" "$label" "$key" "$km" "$kopts" aes-256-gcm
        a_case "$form" "$label" "$key" "$km" "$kopts" aes-128-cbc
    done
done <<<"$RECIPIENTS"

for cipher in $CIPHERS; do
    b_case smime rsa alice "$cipher" -
    b_case smime oaep-sha256 alice "$cipher" --oaep
    b_case smime ecdh-p256 carol "$cipher" -
    b_case smime ecdh-p384 dave "$cipher" -
    b_case der rsa alice "$cipher" -
    b_case der ecdh-p256 carol "$cipher" -
done
b_case pem rsa alice aes-256-gcm -
b_case pem ecdh-p384 dave aes-256-cbc -
b_case smime "rsa+ecdh-p256+ecdh-p384(3 recipients)" alice aes-256-gcm - carol dave
b_case smime "rsa+ecdh-p256+ecdh-p384(3 recipients)" alice aes-128-cbc - carol dave
b_case der "oaep+ecdh-p256(2 recipients)" alice aes-256-gcm --oaep carol

# Large content (3 MB, streaming across many chunks) both ways, stdin/stdout.
BIG=$W/big.txt
{ printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 2200000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'; } >$BIG
for cipher in aes-256-gcm aes-128-cbc; do
    begin_case
    openssl cms -encrypt "-$cipher" -binary -outform DER -stream -in $BIG -out $W/big.der -recip "$PKI/dave.crt"
    cxin $W/big.der decrypt --raw --cert "$PKI/dave.crt" --key "$PKI/dave.key"
    rc_problem 0
    cmp -s $BIG "$OUT" || problem "expected the 3 MB plaintext on stdout byte for byte"
    if end_case "A:openssl-encrypts:der-stream-3MB-stdin-stdout:ecdh-p384:$cipher"; then r=pass; else r=FAIL; fi
    matrix_row "openssl → cachet" "der-stream, 3 MB, stdin→stdout" ecdh-p384 "$cipher" $r
    begin_case
    cxin $BIG encrypt --raw --to "$PKI/alice.crt" --cipher "$cipher"
    rc_problem 0
    cp "$OUT" $W/big2.der
    openssl cms -decrypt -inform DER -binary -recip "$PKI/alice.crt" -inkey "$PKI/alice.key" -in $W/big2.der \
        -out $W/big2.out 2>$W/ossl.err || problem "expected openssl to decrypt, got $(head -1 $W/ossl.err)"
    cmp -s $BIG $W/big2.out || problem "expected openssl to give back the 3 MB plaintext"
    if end_case "B:cachet-encrypts:der-3MB-stdin-stdout:rsa:$cipher"; then r=pass; else r=FAIL; fi
    matrix_row "cachet → openssl" "der, 3 MB, stdin→stdout" rsa "$cipher" $r
done

# The recipient's key from alice.p12, its password from a file.
printf 'alicepass\n' >$W/p12pass
for cipher in aes-256-gcm aes-128-cbc; do
    name="A:openssl-encrypts:smime:rsa-to-p12:$cipher"
    openssl cms -encrypt "-$cipher" -in "$ENT" -out $W/p12.enc "$PKI/alice.crt"
    begin_case
    cx decrypt --p12 "$PKI/alice.p12" --pass file:$W/p12pass --in $W/p12.enc --out $W/p12.out
    rc_problem 0
    bodies_equal "$ENT" $W/p12.out || problem "expected the encrypted body back"
    if end_case "$name"; then r=pass; else r=FAIL; fi
    matrix_row "openssl → cachet" smime "rsa (--p12)" "$cipher" $r
done

# ---------------- issue 5: X25519/X448 recipients, AES-CCM, ChaCha20-Poly1305 ----------------
. "$(dirname "$0")/openssl_common.bash"
ossl_extra_leaf xavier X25519 keyAgreement 6002
ossl_extra_leaf yvonne X448 keyAgreement 6003
# openssl -> cachet: probe; OpenSSL 3.0's cms treats these keys as key transport and fails.
for r in xavier:x25519 yvonne:x448; do
    key=${r%%:*} label=${r#*:}
    for cipher in aes-128-gcm aes-256-cbc; do
        if openssl cms -encrypt "-$cipher" -binary -outform DER -in "$ENT" -out "$W/x.der" -recip "$PKI/$key.crt" 2>"$W/ossl.err"; then
            begin_case
            cx decrypt --raw --cert "$PKI/$key.crt" --key "$PKI/$key.key" --json --in "$W/x.der" --out "$W/x.out"
            rc_problem 0
            cmp -s "$ENT" "$W/x.out" || problem "expected the plaintext"
            if end_case "A:openssl-encrypts:der:$label:$cipher"; then r=pass; else r=FAIL; fi
            matrix_row "openssl → cachet" der "$label" "$cipher" $r
        else
            skip "A:openssl-encrypts:der:$label:$cipher" "not supported by peer: $(ossl_err "$W/ossl.err")"
            unsupported_by_peer "$label recipient, openssl cms -encrypt -recip" "$(ossl_err "$W/ossl.err")"
            matrix_row "openssl → cachet" der "$label" "$cipher" "not supported by peer"
        fi
    done
done
# AEAD content ciphers openssl might write
for cipher in aes-128-ccm aes-192-ccm aes-256-ccm chacha20-poly1305; do
    if openssl cms -encrypt "-$cipher" -binary -outform DER -in "$ENT" -out "$W/x.der" -recip "$PKI/alice.crt" 2>"$W/ossl.err"; then
        begin_case
        cx decrypt --raw --cert "$PKI/alice.crt" --key "$PKI/alice.key" --json --in "$W/x.der" --out "$W/x.out"
        rc_problem 0
        json_problem "$OUT" layers.0.type=authEnveloped "layers.0.cipher=$cipher"
        cmp -s "$ENT" "$W/x.out" || problem "expected the plaintext"
        if end_case "A:openssl-encrypts:der:rsa:$cipher"; then r=pass; else r=FAIL; fi
        matrix_row "openssl → cachet" der rsa "$cipher" $r
    else
        skip "A:openssl-encrypts:der:rsa:$cipher" "not supported by peer: $(ossl_err "$W/ossl.err")"
        unsupported_by_peer "$cipher, openssl cms -encrypt -$cipher" "$(ossl_err "$W/ossl.err")"
        matrix_row "openssl → cachet" der rsa "$cipher" "not supported by peer"
    fi
done

# cachet -> openssl: what openssl cannot read is read back by cachet (exit 0, report, content),
# the peer's failure recorded. c2o_peerless LABEL KEY CIPHER FORM KM
c2o_peerless() {
    local label=$1 key=$2 cipher=$3 form=$4 km=$5 f=$W/pl.msg out=$W/pl.out in=$MSG
    local args=(encrypt --to "$PKI/$key.crt" --cipher "$cipher") raw=() inform=SMIME bin=()
    [ "$form" = der ] && in=$ENT args+=(--raw) raw=(--raw) inform=DER bin=(-binary)
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
    case $cipher in
        *ccm | chacha20-poly1305)
            grep -q 'contentType: id-smime-ct-authEnvelopedData' "$W/print" || problem "expected AuthEnvelopedData"
            ;;
    esac
    case $km in
        # RFC 8418: dhSinglePass-stdDH-hkdf-sha256-scheme (…3.19) / -sha512-scheme (…3.21)
        ecdh-x25519*) grep -q 'X25519 (1.3.101.110)' "$W/print" && grep -q '(1.2.840.113549.1.9.16.3.19)' "$W/print" ||
            problem "expected a kari with an X25519 originator key and the HKDF-SHA256 scheme" ;;
        ecdh-x448*) grep -q 'X448 (1.3.101.111)' "$W/print" && grep -q '(1.2.840.113549.1.9.16.3.21)' "$W/print" ||
            problem "expected a kari with an X448 originator key and the HKDF-SHA512 scheme" ;;
    esac
    rm -f "$out"
    cx decrypt "${raw[@]}" --cert "$PKI/$key.crt" --key "$PKI/$key.key" --json --in "$f" --out "$out"
    rc_problem 0
    local type=enveloped
    case $cipher in *gcm | *ccm | chacha20-poly1305) type=authEnveloped ;; esac
    json_problem "$OUT" "layers.0.type=$type" "layers.0.cipher=$cipher" "layers.0.key_management=$km"
    if [ "$form" = der ]; then
        cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the plaintext byte for byte"
    else
        bodies_equal "$MSG" "$out" || problem "expected the body"
    fi
    local name="B:cachet-encrypts:$form:$label:$cipher"
    if openssl cms -decrypt -inform "$inform" "${bin[@]}" -recip "$PKI/$key.crt" -inkey "$PKI/$key.key" \
        -in "$f" -out "$W/pl.o" 2>"$W/ossl.err"; then
        # the peer can after all: then it must give the content back
        if [ "$form" = der ]; then
            cmp -s "$ENT" "$W/pl.o" || problem "expected openssl to give back the plaintext"
        else
            bodies_equal "$MSG" "$W/pl.o" || problem "expected openssl to give back the body"
        fi
        if end_case "$name"; then r=pass; else r=FAIL; fi
        matrix_row "cachet → openssl" "$form" "$label" "$cipher" $r
    else
        case $label in
            x25519 | x448) unsupported_by_peer "$label recipient, openssl cms -decrypt" "$(ossl_err "$W/ossl.err")" ;;
            *) unsupported_by_peer "$cipher content, openssl cms -decrypt" "$(ossl_err "$W/ossl.err")" ;;
        esac
        if end_case "$name(self; peer cannot)"; then
            matrix_row "cachet → openssl" "$form" "$label" "$cipher" "not supported by peer (cachet↔cachet pass)"
        else
            matrix_row "cachet → openssl" "$form" "$label" "$cipher" FAIL
        fi
    fi
}
for form in smime der; do
    for cipher in aes-128-ccm aes-256-ccm chacha20-poly1305; do
        c2o_peerless rsa alice "$cipher" "$form" rsaEncryption
        c2o_peerless ecdh-p256 carol "$cipher" "$form" ecdh-stdDH-sha256kdf
    done
    for cipher in aes-128-gcm aes-256-cbc chacha20-poly1305; do
        c2o_peerless x25519 xavier "$cipher" "$form" ecdh-x25519-hkdf-sha256
        c2o_peerless x448 yvonne "$cipher" "$form" ecdh-x448-hkdf-sha512
    done
done

PROSE="X25519/X448 recipients (RFC 8418) and the AEAD content ciphers AES-CCM and ChaCha20-Poly1305
(RFC 5084, RFC 8103): OpenSSL 3.0's \`cms\` reads and writes AuthEnvelopedData with AES-GCM only, and
has no X25519/X448 key agreement; for those rows cachet's message is checked by cachet itself
(exit 0, report, content; for X25519 HKDF-SHA256, for X448 HKDF-SHA512, each with the AES wrap of
the content key's size). AES-192 (CBC and GCM) is covered both ways."
ossl_matrix_write openssl_encrypt "$PROSE"
finish
