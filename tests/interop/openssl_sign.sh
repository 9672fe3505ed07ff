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
            if [ ! -f "$out" ] || ! bodies_equal "$ENT" "$out"; then
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
                matrix_row "cachet → openssl" "$form" "$label" "$md" FAIL
            fi
            return 0
        fi
        if ! openssl cms "${v[@]}" 2>"$W/ossl.err" >/dev/null; then
            problem "expected openssl to verify, got: $(grep -v '^$' "$W/ossl.err" | head -3 | tr '\n' ' ')"
        else
            case $form in
                smime-*)
                    bodies_equal "$MSG" "$out" ||
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
        grep -q "digestAlgorithm:" "$W/print" && ! grep -A1 "digestAlgorithm:" "$W/print" | grep "algorithm: $mdname " >/dev/null &&
            problem "expected digestAlgorithm $md in the SignerInfo"
        if [ "$label" = pss ]; then
            grep -A1 "signatureAlgorithm:" "$W/print" | grep rsassaPss >/dev/null ||
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
        elif ! bodies_equal "$MSG" $W/p12.out; then
            problem "expected openssl to give back the signed body"
        fi
    fi
    if end_case "$name"; then r=pass; else r=FAIL; fi
    matrix_row "cachet → openssl" "$form" "rsa (--p12)" sha256 $r
done

# ---------------- several signers (issue 5) ----------------
. "$(dirname "$0")/openssl_common.bash"
ossl_extra_leaf grace ED448 digitalSignature,nonRepudiation 6001
# openssl puts the SignerInfos in DER SET OF order, not in the order of -signer: each
# signer's fields are looked up by its algorithm, wherever it is.
signer_problem() { # signer_problem REPORT N ALG DIGEST: among N signers one has ALG, all valid
    "$PY" - "$@" <<'PY' || problem "expected $2 valid trusted signers incl. $3/$4: $(head -c 300 "$1" | tr '\n' ' ')"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["layers"][0]["signers"]
ok = r["status"] == "valid" and len(s) == int(sys.argv[2])
ok = ok and all(x["signature"] == "valid" and x["chain"] == "trusted" and not x["weak"] for x in s)
ok = ok and any(x["algorithm"] == sys.argv[3] and x["digest"] == sys.argv[4] for x in s)
sys.exit(0 if ok else 1)
PY
}
# MULTI: label, then key:openssl-extra pairs
MULTI="rsa+ecdsa-p256 alice:- carol:-
pss+ecdsa-p384 alice:-keyopt,rsa_padding_mode:pss dave:-
rsa+ecdsa-p256+ecdsa-p384 alice:- carol:- dave:-"
while read -r label specs; do
    n=$(wc -w <<<"$specs")
    for md in sha256 sha512; do
        for form in smime-detached smime-opaque der-opaque der-detached; do
            name="A:openssl-signs:$form:$label:$md" f=$W/ms.$form out=$W/ms.out
            oa=(-sign -md "$md" -certfile "$PKI/inter.crt")
            for sp in $specs; do
                # shellcheck disable=SC2207
                oa+=(-signer "$PKI/${sp%%:*}.crt" -inkey "$PKI/${sp%%:*}.key" $(split_opts "${sp#*:}"))
            done
            case $form in
                smime-detached) oa+=(-from alice@example.com -to bob@example.com -subject interop) ;;
                smime-opaque) oa+=(-nodetach -from alice@example.com -to bob@example.com -subject interop) ;;
                der-opaque) oa+=(-binary -outform DER -nodetach) ;;
                der-detached) oa+=(-binary -outform DER) ;;
            esac
            openssl cms "${oa[@]}" -in "$ENT" -out "$f"
            rm -f "$out"
            begin_case
            case $form in
                # the other signers are not the From address: see the address case below
                smime-*) cx verify --trust "$PKI/ca.crt" --no-address-check --json --in "$f" --out "$out" ;;
                der-detached) cx verify --raw --content "$ENT" --trust "$PKI/ca.crt" --json --in "$f" ;;
                *) cx verify --raw --trust "$PKI/ca.crt" --json --in "$f" --out "$out" ;;
            esac
            rc_problem 0
            case $label in pss*) a1=rsassa-pss ;; *) a1=rsaEncryption ;; esac
            signer_problem "$OUT" "$n" "$a1" "$md"
            signer_problem "$OUT" "$n" "ecdsa-with-SHA${md#sha}" "$md"
            case $form in
                smime-*) bodies_equal "$ENT" "$out" || problem "expected the signed body back" ;;
                der-opaque) cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the eContent byte for byte" ;;
            esac
            if end_case "$name"; then r=pass; else r=FAIL; fi
            matrix_row "openssl → cachet" "$form" "$label ($n signers)" "$md" $r
        done
    done
done <<<"$MULTI"
# With the address check, every signer must be the From address (RFC 8550 §3 as cachet
# applies it): carol signing alice's message makes the whole verification fail.
begin_case
openssl cms -sign -md sha256 -certfile "$PKI/inter.crt" -signer "$PKI/alice.crt" -inkey "$PKI/alice.key" \
    -signer "$PKI/carol.crt" -inkey "$PKI/carol.key" -from alice@example.com -to bob@example.com -subject interop \
    -in "$ENT" -out "$W/ms.eml"
rm -f "$W/ms.out"
cx verify --trust "$PKI/ca.crt" --json --in "$W/ms.eml" --out "$W/ms.out"
rc_problem 1
json_problem "$OUT" status=invalid
grep -q -F "signer address carol@example.com does not match From alice@example.com" "$ERR" ||
    problem "expected the mismatch named on stderr"
[ ! -e "$W/ms.out" ] || problem "expected nothing written"
if end_case "A:openssl-signs:smime-detached:rsa+ecdsa-p256:address-check-every-signer"; then r=pass; else r=FAIL; fi
matrix_row "openssl → cachet" smime-detached "rsa+ecdsa-p256 (2 signers)" "sha256, From is alice: carol's address mismatch, exit 1" $r

# One good and one untrusted signer (fakealice: self-signed, alice's DN): the message is not
# valid, each signer is reported for what it is, nothing is written.
begin_case
openssl cms -sign -md sha256 -certfile "$PKI/inter.crt" -signer "$PKI/alice.crt" -inkey "$PKI/alice.key" \
    -signer "$PKI/fakealice.crt" -inkey "$PKI/fakealice.key" -binary -outform DER -nodetach -in "$ENT" -out "$W/mf.der"
rm -f "$W/mf.out"
cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/mf.der" --out "$W/mf.out"
rc_problem 1
"$PY" - "$OUT" <<'PY' || problem "expected status invalid, 2 signers with valid signatures, one trusted and one untrusted: $(head -c 200 "$OUT" | tr '\n' ' ')"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["layers"][0]["signers"]
ok = r["status"] == "invalid" and len(s) == 2 and all(x["signature"] == "valid" for x in s)
ok = ok and sorted(x["chain"] for x in s) == ["trusted", "untrusted"]
sys.exit(0 if ok else 1)
PY
[ ! -e "$W/mf.out" ] || problem "expected nothing written"
if end_case "A:openssl-signs:der-opaque:rsa+rsa-untrusted:one-signer-untrusted"; then r=pass; else r=FAIL; fi
matrix_row "openssl → cachet" der-opaque "rsa + rsa untrusted (2 signers)" "sha256: exit 1, each signer reported" $r

# cachet signs with several credentials; openssl verifies every SignerInfo.
write_message "$MSG"
CMULTI="rsa+ecdsa-p256 alice carol
rsa+ecdsa-p256+ecdsa-p384 alice carol dave
ecdsa-p384+rsa-pss dave alice"
while read -r label keys; do
    n=$(wc -w <<<"$keys")
    for md in sha256 sha384; do
        for form in smime-detached smime-opaque der-opaque der-detached; do
            name="B:cachet-signs:$form:$label:$md" f=$W/cs.$form out=$W/cs.out
            ca=(sign --digest "$md" --chain "$PKI/inter.crt")
            for k in $keys; do ca+=(--cert "$PKI/$k.crt" --key "$PKI/$k.key"); done
            [ "${label##*+}" = rsa-pss ] && ca+=(--pss)
            case $form in
                smime-detached) in=$MSG ;;
                smime-opaque) in=$MSG ca+=(--opaque) ;;
                der-opaque) in=$ENT ca+=(--raw --opaque) ;;
                der-detached) in=$ENT ca+=(--raw) ;;
            esac
            begin_case
            cx "${ca[@]}" --in "$in" --out "$f"
            rc_problem 0
            v=(-verify -CAfile "$PKI/ca.crt" -in "$f" -out "$out")
            inform=SMIME
            case $form in
                der-opaque) v+=(-inform DER -binary) inform=DER ;;
                der-detached) v+=(-inform DER -binary -content "$ENT") inform=DER ;;
            esac
            if ! openssl cms "${v[@]}" 2>"$W/ossl.err" >/dev/null; then
                problem "expected openssl to verify every signer, got: $(grep -v '^$' "$W/ossl.err" | head -2 | tr '\n' ' ')"
            else
                case $form in
                    smime-*) bodies_equal "$MSG" "$out" || problem "expected openssl to give back the body" ;;
                    der-opaque) cmp -s "$ENT" "$out" || problem "expected openssl to give back the content" ;;
                esac
            fi
            openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
            got=$(grep -c 'signatureAlgorithm:' "$W/print" || true)
            [ "$got" = "$n" ] || problem "expected $n SignerInfos, openssl prints $got"
            [ "$(grep -A1 'digestAlgorithm:' "$W/print" | grep -c "algorithm: $md ")" -ge "$n" ] ||
                problem "expected digestAlgorithm $md in each SignerInfo"
            if [[ $label == *pss ]]; then
                grep -A1 'signatureAlgorithm:' "$W/print" | grep rsassaPss >/dev/null || problem "expected rsassaPss"
            fi
            if end_case "$name"; then r=pass; else r=FAIL; fi
            matrix_row "cachet → openssl" "$form" "$label ($n signers)" "$md" $r
        done
    done
done <<<"$CMULTI"

# ---------------- Ed448 (RFC 8419) ----------------
for form in der-opaque smime-detached; do
    oa=(-sign -signer "$PKI/grace.crt" -inkey "$PKI/grace.key" -certfile "$PKI/inter.crt")
    [ $form = der-opaque ] && oa+=(-binary -outform DER -nodetach)
    for md in default shake256; do
        mo=()
        [ $md = default ] || mo=(-md "$md")
        if openssl cms "${oa[@]}" "${mo[@]}" -in "$ENT" -out "$W/ed448.a" 2>"$W/ossl.err"; then
            begin_case
            cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/ed448.a"
            rc_problem 0
            json_problem "$OUT" layers.0.signers.0.algorithm=ed448
            if end_case "A:openssl-signs:$form:ed448:$md"; then r=pass; else r=FAIL; fi
            matrix_row "openssl → cachet" "$form" ed448 "$md" $r
        else
            skip "A:openssl-signs:$form:ed448:$md" "not supported by peer: $(ossl_err "$W/ossl.err")"
            unsupported_by_peer "Ed448 signer, openssl cms -sign ${mo[*]:-(no -md)}" "$(ossl_err "$W/ossl.err")"
            matrix_row "openssl → cachet" "$form" ed448 "$md" "not supported by peer"
        fi
    done
done
for form in der-opaque smime-opaque smime-detached; do
    ca=(sign --cert "$PKI/grace.crt" --key "$PKI/grace.key" --chain "$PKI/inter.crt")
    in=$MSG inform=SMIME
    case $form in
        der-opaque) ca+=(--raw --opaque) in=$ENT inform=DER ;;
        smime-opaque) ca+=(--opaque) ;;
    esac
    begin_case
    rm -f "$W/ed448.b"
    cx "${ca[@]}" --in "$in" --out "$W/ed448.b"
    rc_problem 0
    openssl cms -cmsout -print -inform "$inform" -in "$W/ed448.b" >"$W/print" 2>/dev/null || true
    grep -A1 'signatureAlgorithm:' "$W/print" | grep 'ED448' >/dev/null || problem "expected signatureAlgorithm ED448"
    # RFC 8419 §3.1: id-shake256-len (…4.2.18, parameter 512) with signed attributes
    grep -A1 'digestAlgorithm:' "$W/print" | grep -E 'shake256|2\.16\.840\.1\.101\.3\.4\.2\.(12|18)' >/dev/null ||
        problem "expected digestAlgorithm SHAKE256 (RFC 8419)"
    # grace signs a message From alice: the address check is not what this row is about
    vv=(verify --trust "$PKI/ca.crt" --no-address-check --json --in "$W/ed448.b" --out "$W/ed448.out")
    [ $form = der-opaque ] && vv+=(--raw)
    cx "${vv[@]}"
    rc_problem 0
    json_problem "$OUT" status=valid layers.0.signers.0.algorithm=ed448 layers.0.signers.0.weak=false
    v=(-verify -CAfile "$PKI/ca.crt" -in "$W/ed448.b" -out "$W/ed448.o")
    [ $form = der-opaque ] && v+=(-inform DER -binary)
    if [ ! -s "$W/ed448.b" ]; then
        end_case "B:cachet-signs:$form:ed448:shake256" || true
        matrix_row "cachet → openssl" "$form" ed448 shake256 FAIL
    elif openssl cms "${v[@]}" 2>"$W/ossl.err" >/dev/null; then
        if end_case "B:cachet-signs:$form:ed448:shake256"; then r=pass; else r=FAIL; fi
        matrix_row "cachet → openssl" "$form" ed448 shake256 $r
    else
        unsupported_by_peer "Ed448 SignedData, openssl cms -verify" "$(ossl_err "$W/ossl.err")"
        if end_case "B:cachet-signs:$form:ed448:shake256(self; peer lacks Ed448 CMS)"; then
            matrix_row "cachet → openssl" "$form" ed448 shake256 "not supported by peer (cachet↔cachet pass)"
        else
            matrix_row "cachet → openssl" "$form" ed448 shake256 FAIL
        fi
    fi
done
# the same for the Ed25519 rows above, for the prose
openssl cms -sign -signer "$PKI/erin.crt" -inkey "$PKI/erin.key" -in "$ENT" -out "$W/x" 2>"$W/ossl.err" ||
    unsupported_by_peer "Ed25519 signer, openssl cms -sign" "$(ossl_err "$W/ossl.err")"
openssl cms -sign -signer "$PKI/erin.crt" -inkey "$PKI/erin.key" -md sha512 -in "$ENT" -out "$W/x" 2>"$W/ossl.err" ||
    unsupported_by_peer "Ed25519 signer, openssl cms -sign -md sha512" "$(ossl_err "$W/ossl.err")"
openssl cms -sign -stream -nodetach -signer "$PKI/alice.crt" -inkey "$PKI/alice.key" -keyopt rsa_padding_mode:pss \
    -binary -outform DER -in "$ENT" -out "$W/x" 2>"$W/ossl.err" ||
    unsupported_by_peer "RSA-PSS with -stream" "$(ossl_err "$W/ossl.err")"

PROSE="Several signers: \`openssl cms -sign -signer a -inkey a -signer b -inkey b\` (openssl orders the
SignerInfos as a DER SET OF, so each is found by its algorithm) and \`cachet sign\` with several
\`--cert/--key\` pairs, which openssl must all verify (\`-verify\` checks every SignerInfo; the count and
digest of each are read from \`-cmsout -print\`). In S/MIME form cachet's address check applies to every
signer (a second signer who is not the From address fails the message, exit 1): the several-signer
S/MIME rows use \`--no-address-check\`, and one row checks the failure. Ed448 (RFC 8419, SHAKE256):
cachet's messages are checked by cachet itself where the peer cannot verify them."
ossl_matrix_write openssl_sign "$PROSE"
finish
