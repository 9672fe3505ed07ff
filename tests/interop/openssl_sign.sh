#!/usr/bin/env bash
# Signing interop with `openssl cms`, both directions.
#   A: openssl signs (detached multipart/signed, opaque, raw DER, -stream BER, -keyid),
#      cachet verifies: exit 0, exact report fields, content equal to what was signed.
#   B: cachet signs (multipart/signed, opaque, --raw DER/PEM, PSS, every digest),
#      openssl verifies with -CAfile and gives back the content.
# Signers: RSA PKCS#1 v1.5 and RSA-PSS (alice), ECDSA P-256 (carol), P-384 (dave), Ed25519 (erin).
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki

ENT=$W/entity.txt
write_entity "$ENT"
MSG=$W/message.txt

# signer table: label key-name email algorithm-in-report openssl-extra cachet-extra
SIGNERS="rsa alice alice@example.com rsaEncryption - -
pss alice alice@example.com rsassa-pss -keyopt,rsa_padding_mode:pss --pss
ecdsa-p256 carol carol@example.com ecdsa-with-SHA* - -
ecdsa-p384 dave dave@example.com ecdsa-with-SHA* - -
ed25519 erin erin@example.com ed25519 - -"

alg_for() { # alg_for PATTERN DIGEST: ecdsa-with-SHA* takes the digest's size
    case $1 in
        ecdsa-with-SHA\*) echo "ecdsa-with-SHA${2#sha}" ;;
        *) echo "$1" ;;
    esac
}
split_opts() { [ "$1" = - ] && return 0; echo "$1" | tr ',' ' '; }

# ---------------- Direction A: openssl produces, cachet verifies ----------------
# a_case FORM LABEL KEY EMAIL ALG DIGEST OSSL_EXTRA
a_case() {
    local form=$1 label=$2 key=$3 email=$4 alg=$5 md=$6 extra=$7
    local name="A:openssl-signs:$form:$label:$md" f=$W/a.$form.$label.$md out=$W/a.out
    local osslargs=(-sign -signer "$PKI/$key.crt" -inkey "$PKI/$key.key" -certfile "$PKI/inter.crt" -md "$md")
    # shellcheck disable=SC2207
    osslargs+=($(split_opts "$extra"))
    case $form in
        smime-detached) osslargs+=(-from "$email" -to bob@example.com -subject interop) ;;
        smime-opaque) osslargs+=(-nodetach -from "$email" -to bob@example.com -subject interop) ;;
        smime-stream-detached) osslargs+=(-stream -from "$email" -to bob@example.com -subject interop) ;;
        smime-stream-opaque) osslargs+=(-stream -nodetach -from "$email" -to bob@example.com -subject interop) ;;
        smime-keyid) osslargs+=(-keyid -from "$email" -to bob@example.com -subject interop) ;;
        der-opaque) osslargs+=(-binary -outform DER -nodetach) ;;
        der-detached) osslargs+=(-binary -outform DER) ;;
        der-stream-opaque) osslargs+=(-binary -outform DER -nodetach -stream) ;;
        pem-opaque) osslargs+=(-binary -outform PEM -nodetach) ;;
        der-keyid) osslargs+=(-binary -outform DER -nodetach -keyid) ;;
    esac
    if ! openssl cms "${osslargs[@]}" -in "$ENT" -out "$f" 2>"$W/ossl.err"; then
        skip "$name" "not supported by peer ($(grep -m1 -o 'error:[^:]*:[^:]*:[^:]*:[^:]*' "$W/ossl.err" || true))"
        matrix_row "openssl → cachet" "$form" "$label" "$md" "not supported by peer"
        return 0
    fi
    rm -f "$out"
    begin_case
    local exp=(status=valid layers.0.type=signed layers.0.signers.0.signature=valid
        layers.0.signers.0.chain=trusted "layers.0.signers.0.digest=$md"
        "layers.0.signers.0.algorithm=$(alg_for "$alg" "$md")" layers.0.signers.0.weak=false)
    case $form in
        smime-*)
            cx verify --trust "$PKI/ca.crt" --json --in "$f" --out "$out"
            exp+=(layers.0.signers.0.address_match=true)
            ;;
        der-detached) cx verify --raw --content "$ENT" --trust "$PKI/ca.crt" --json --in "$f" --out "$out" ;;
        *) cx verify --raw --trust "$PKI/ca.crt" --json --in "$f" --out "$out" ;;
    esac
    rc_problem 0
    json_problem "$OUT" "${exp[@]}"
    case $form in
        smime-*)
            if [ ! -f "$out" ] || ! cmp -s <(body "$ENT") <(body "$out"); then
                problem "expected the signed body back, got '$(head -c 80 "$out" 2>/dev/null | tr '\r\n' '  ')'"
            elif ! grep -q -i '^Content-Type: text/plain' "$out"; then
                problem "expected the inner Content-Type header in the output"
            fi
            ;;
        der-detached) ;; # the content came from --content; nothing new to compare
        *)
            if [ ! -f "$out" ] || ! cmp -s "$ENT" "$out"; then
                problem "expected the eContent byte for byte, got $(stat -c %s "$out" 2>/dev/null || echo no) bytes"
            fi
            ;;
    esac
    if end_case "$name"; then
        matrix_row "openssl → cachet" "$form" "$label" "$md" pass
    else
        matrix_row "openssl → cachet" "$form" "$label" "$md" FAIL
    fi
}

# ---------------- Direction B: cachet produces, openssl verifies ----------------
# b_case FORM LABEL KEY EMAIL DIGEST CACHET_EXTRA
b_case() {
    local form=$1 label=$2 key=$3 email=$4 md=$5 extra=$6
    local name="B:cachet-signs:$form:$label:$md" f=$W/b.$form.$label.$md out=$W/b.out in
    local args=(sign --cert "$PKI/$key.crt" --key "$PKI/$key.key" --chain "$PKI/inter.crt" --digest "$md")
    # shellcheck disable=SC2207
    args+=($(split_opts "$extra"))
    case $form in
        smime-detached) in=$MSG ;;
        smime-opaque) in=$MSG args+=(--opaque) ;;
        der-detached) in=$ENT args+=(--raw) ;;
        der-opaque) in=$ENT args+=(--raw --opaque) ;;
        pem-opaque) in=$ENT args+=(--raw --opaque --format pem) ;;
    esac
    write_message "$MSG" "$email"
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    if [ -z "$PROBLEMS" ]; then
        local v=(-verify -CAfile "$PKI/ca.crt" -in "$f" -out "$out")
        case $form in
            der-detached) v+=(-inform DER -binary -content "$ENT") ;;
            der-opaque) v+=(-inform DER -binary) ;;
            pem-opaque) v+=(-inform PEM -binary) ;;
        esac
        if [ "$label" = ed25519 ]; then
            # OpenSSL 3.0's cms cannot verify Ed25519 SignedData: check cachet against itself.
            local vv=(verify --trust "$PKI/ca.crt" --json --in "$f" --out "$out")
            case $form in
                der-detached) vv+=(--raw --content "$ENT") ;;
                der-* | pem-*) vv+=(--raw) ;;
            esac
            cx "${vv[@]}"
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.signers.0.algorithm=ed25519
            if end_case "$name(self; peer lacks Ed25519 CMS)"; then
                matrix_row "cachet → openssl" "$form" "$label" "$md" "not supported by peer (cachet↔cachet pass)"
            else
                matrix_row "cachet → openssl" "$form" "$label" "$md" "not supported by peer (cachet↔cachet FAIL)"
            fi
            return 0
        fi
        if ! openssl cms "${v[@]}" 2>"$W/ossl.err" >/dev/null; then
            problem "expected openssl to verify, got: $(grep -v '^$' "$W/ossl.err" | head -3 | tr '\n' ' ')"
        else
            case $form in
                smime-*)
                    cmp -s <(body "$MSG") <(body "$out") ||
                        problem "expected openssl to give back the signed body, got '$(body "$out" | head -c 80)'"
                    ;;
                der-opaque | pem-opaque)
                    cmp -s "$ENT" "$out" || problem "expected openssl to give back the content byte for byte"
                    ;;
            esac
        fi
        # the digest and signature algorithm actually used
        local inform=SMIME
        case $form in der-*) inform=DER ;; pem-*) inform=PEM ;; esac
        openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
        local mdname=$md
        grep -q "digestAlgorithm:" "$W/print" && ! grep -A1 "digestAlgorithm:" "$W/print" | grep -q "algorithm: $mdname " &&
            problem "expected digestAlgorithm $md in the SignerInfo"
        if [ "$label" = pss ]; then
            grep -A1 "signatureAlgorithm:" "$W/print" | grep -q rsassaPss ||
                problem "expected signatureAlgorithm rsassaPss"
        fi
        case $form in
            smime-detached)
                "$PY" - "$f" "$md" <<'PY' || problem "expected multipart/signed with protocol=application/pkcs7-signature and micalg=${md/sha/sha-}"
import re, sys
h = open(sys.argv[1], "rb").read().split(b"\r\n\r\n")[0].replace(b"\r\n\t", b" ").replace(b"\r\n ", b" ").decode()
ct = re.search(r"(?im)^content-type:\s*(.*)$", h).group(1)
want = sys.argv[2].replace("sha", "sha-")
ok = "multipart/signed" in ct.lower() and re.search(r'(?i)protocol="?application/(x-)?pkcs7-signature', ct) \
    and re.search(r'(?i)micalg="?%s"?' % want, ct)
ok = ok and re.search(r"(?im)^From:.*@example\.com", h) and re.search(r"(?im)^Subject: test message", h)
sys.exit(0 if ok else 1)
PY
                ;;
        esac
    fi
    if end_case "$name"; then
        matrix_row "cachet → openssl" "$form" "$label" "$md" pass
    else
        matrix_row "cachet → openssl" "$form" "$label" "$md" FAIL
    fi
}

while read -r label key email alg oextra cextra; do
    for md in sha256 sha384 sha512; do
        for form in smime-detached smime-opaque der-opaque der-detached; do
            a_case "$form" "$label" "$key" "$email" "$alg" "$md" "$oextra"
        done
        for form in smime-detached smime-opaque der-opaque der-detached pem-opaque; do
            # RFC 8419: with signed attributes Ed25519 signs a SHA-512 digest.
            [ "$label" = ed25519 ] && [ "$md" != sha512 ] && continue
            b_case "$form" "$label" "$key" "$email" "$md" "$cextra"
        done
    done
    # BER from -stream, PEM input, and signers identified by subjectKeyIdentifier.
    for form in smime-stream-detached smime-stream-opaque der-stream-opaque pem-opaque smime-keyid der-keyid; do
        a_case "$form" "$label" "$key" "$email" "$alg" sha256 "$oextra"
    done
done <<<"$SIGNERS"

# Large content (3 MB, streaming across many chunks) both ways, and stdin/stdout use.
BIG=$W/big.txt
{ printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 2200000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'; } >$BIG
begin_case
openssl cms -sign -signer "$PKI/carol.crt" -inkey "$PKI/carol.key" -certfile "$PKI/inter.crt" -binary -outform DER \
    -nodetach -stream -in $BIG -out $W/big.der
cxin $W/big.der verify --raw --trust "$PKI/ca.crt"
rc_problem 0
cmp -s $BIG "$OUT" || problem "expected the 3 MB content on stdout byte for byte"
if end_case "A:openssl-signs:der-stream-opaque-3MB-stdin-stdout:ecdsa-p256:sha256"; then r=pass; else r=FAIL; fi
matrix_row "openssl → cachet" "der-stream-opaque, 3 MB, stdin→stdout" ecdsa-p256 sha256 $r
begin_case
cxin $BIG sign --raw --opaque --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt" --digest sha512
rc_problem 0
cp "$OUT" $W/big2.der
openssl cms -verify -inform DER -binary -CAfile "$PKI/ca.crt" -in $W/big2.der -out $W/big2.out 2>$W/ossl.err >/dev/null ||
    problem "expected openssl to verify, got $(head -1 $W/ossl.err)"
cmp -s $BIG $W/big2.out || problem "expected openssl to give back the 3 MB content"
if end_case "B:cachet-signs:der-opaque-3MB-stdin-stdout:rsa:sha512"; then r=pass; else r=FAIL; fi
matrix_row "cachet → openssl" "der-opaque, 3 MB, stdin→stdout" rsa sha512 $r

# Credentials from alice.p12 (key, certificate and intermediate; password from the
# environment): openssl must verify the chain from the root alone.
write_message "$MSG"
export CACHET_TEST_P12_PASS=alicepass
for form in smime-detached smime-opaque; do
    name="B:cachet-signs:$form:rsa-from-p12:sha256"
    begin_case
    extra=()
    [ $form = smime-opaque ] && extra=(--opaque)
    cx sign --p12 "$PKI/alice.p12" --pass env:CACHET_TEST_P12_PASS "${extra[@]}" --in "$MSG" --out $W/p12.eml
    rc_problem 0
    if [ -z "$PROBLEMS" ]; then
        if ! openssl cms -verify -CAfile "$PKI/ca.crt" -in $W/p12.eml -out $W/p12.out 2>$W/ossl.err >/dev/null; then
            problem "expected openssl to verify (chain from the PKCS#12), got: $(head -2 $W/ossl.err | tr '\n' ' ')"
        elif ! cmp -s <(body "$MSG") <(body $W/p12.out); then
            problem "expected openssl to give back the signed body"
        fi
    fi
    if end_case "$name"; then r=pass; else r=FAIL; fi
    matrix_row "cachet → openssl" "$form" "rsa (--p12)" sha256 $r
done

matrix_write openssl_sign
finish
