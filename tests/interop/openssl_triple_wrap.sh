#!/usr/bin/env bash
# RFC 2634 section 1.1 triple wrapping with the real `openssl cms` as the peer.
#   1. cachet writes (`cachet sign --triple-wrap`, detached and opaque signatures,
#      AES-GCM and AES-CBC envelopes): openssl verifies the outer signature, decrypts what
#      it signed, verifies the inner signature and gets the body back; each signature is
#      alice's (openssl -signer).
#   2. openssl writes (cms -sign | cms -encrypt | cms -sign, the outer signer alice or
#      another, carol; the outer signature multipart/signed or opaque): cachet verify reads
#      three layers, reports the outer and the inner signer apart (JSON "position", text
#      "; outer/inner signature"), gives the body back.
#   3. RFC 2634 section 1.1.2 in what cachet writes, per openssl's -cmsout -print: every
#      SignedData has eContentType id-data, eContent absent under multipart/signed and the
#      signed MIME entity under application/pkcs7-mime; the EnvelopedData's content type
#      is id-data.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
P=$PKI
printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: triple interop\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe launch code is 0000.\r\nSecond line.\r\n' >"$W/msg.eml"
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nThe launch code is 0000.\r\nSecond line.\r\n' >"$W/entity.txt"

# same_cert CASE A B: two PEM certificates are the same certificate.
same_cert() {
    [ "$(openssl x509 -in "$1" -noout -fingerprint -sha256)" = "$(openssl x509 -in "$2" -noout -fingerprint -sha256)" ]
}

# ---------------- 1: cachet wraps, openssl opens each layer ----------------
for cipher in aes-256-gcm aes-256-cbc; do
    for form in detached opaque; do
        name="1:cachet-wraps:$cipher:$form:openssl-opens-each-layer"
        extra=()
        [ "$form" = opaque ] && extra=(--opaque)
        f=$W/tw.$cipher.$form
        begin_case
        cx sign --cert "$P/alice.pem" --key "$P/alice.key" --triple-wrap --to "$P/bob.crt" \
            --cipher "$cipher" "${extra[@]}" --in "$W/msg.eml" --out "$f"
        rc_problem 0
        if ! openssl cms -verify -CAfile "$P/ca.crt" -in "$f" -out "$W/l1" -signer "$W/s1.pem" 2>"$W/ossl.err"; then
            problem "expected openssl to verify the outer signature, got '$(head -c 200 "$W/ossl.err" | tr '\n' ' ')'"
        elif ! grep -q 'smime-type=\(authEnveloped\|enveloped\)-data' "$W/l1"; then
            problem "expected the outer signature to be over an enveloped entity"
        elif ! openssl cms -decrypt -recip "$P/bob.crt" -inkey "$P/bob.key" -in "$W/l1" -out "$W/l2" 2>"$W/ossl.err"; then
            problem "expected openssl to decrypt the middle layer, got '$(head -c 200 "$W/ossl.err" | tr '\n' ' ')'"
        elif ! openssl cms -verify -CAfile "$P/ca.crt" -in "$W/l2" -out "$W/l3" -signer "$W/s3.pem" 2>"$W/ossl.err"; then
            problem "expected openssl to verify the inner signature, got '$(head -c 200 "$W/ossl.err" | tr '\n' ' ')'"
        else
            bodies_equal "$W/entity.txt" "$W/l3" || problem "expected the body back from the inner signature"
            same_cert "$W/s1.pem" "$P/alice.crt" || problem "expected alice as the outer signer"
            same_cert "$W/s3.pem" "$P/alice.crt" || problem "expected alice as the inner signer"
            grep -q '^Subject: triple interop' "$f" || problem "expected the Subject outside"
        fi
        end_case "$name" || true
    done
done

# ---------------- 2: openssl wraps, cachet reads and tells the signers apart ----------------
for enc in aes256 aes-256-gcm; do
    for outer in alice carol carol-opaque; do
        nodetach=()
        if [ "$outer" = carol-opaque ]; then
            outer=carol
            nodetach=(-nodetach)
        fi
        name="2:openssl-wraps:$enc:outer-$outer${nodetach[*]:+-opaque}:cachet-reads"
        o=$W/os.$enc.$outer
        begin_case
        if ! openssl cms -sign -signer "$P/alice.crt" -certfile "$P/inter.crt" -inkey "$P/alice.key" \
            -md sha256 -in "$W/entity.txt" -out "$W/os1" 2>"$W/ossl.err" ||
            ! openssl cms -encrypt "-$enc" -in "$W/os1" -out "$W/os2" "$P/bob.crt" 2>>"$W/ossl.err" ||
            ! openssl cms -sign -signer "$P/$outer.crt" -certfile "$P/inter.crt" -inkey "$P/$outer.key" \
                "${nodetach[@]}" -md sha256 -from alice@example.com -to bob@example.com -subject "triple interop" \
                -in "$W/os2" -out "$o" 2>>"$W/ossl.err"; then
            skip "$name" "openssl could not make it: $(head -c 200 "$W/ossl.err" | tr '\n' ' ')"
            continue
        fi
        # the outer signer need not be the author (RFC 2634 section 1.1: e.g. a mail list
        # agent): the From binding is not asked of it here
        check=()
        [ "$outer" = carol ] && check=(--no-address-check)
        cx verify --trust "$P/ca.crt" --cert "$P/bob.crt" --key "$P/bob.key" "${check[@]}" --json \
            --in "$o" --out "$W/os.out"
        rc_problem 0
        want_type=enveloped
        [ "$enc" = aes-256-gcm ] && want_type=authEnveloped
        json_problem "$OUT" status=valid layers.0.type=signed layers.0.position=outer \
            "layers.0.signers.0.emails.0=$outer@example.com" layers.0.signers.0.signature=valid \
            layers.0.signers.0.chain=trusted "layers.1.type=$want_type" layers.2.type=signed \
            layers.2.position=inner layers.2.signers.0.emails.0=alice@example.com \
            layers.2.signers.0.signature=valid layers.2.signers.0.chain=trusted
        bodies_equal "$W/entity.txt" "$W/os.out" || problem "expected the body back"
        cx verify --trust "$P/ca.crt" --cert "$P/bob.crt" --key "$P/bob.key" "${check[@]}" \
            --in "$o" --out "$W/os.out"
        rc_problem 0
        grep -q "^cachet: signed by $outer@example.com .*; outer signature$" "$ERR" ||
            problem "expected the text line of the outer signer $outer"
        grep -q "^cachet: signed by alice@example.com .*; inner signature$" "$ERR" ||
            problem "expected the text line of the inner signer alice"
        end_case "$name" || true
    done
done

# ---------------- 3: the structure RFC 2634 section 1.1.2 asks for ----------------
# econtent_of PRINT: "absent", or the eContent bytes as text (from openssl's hex dump).
econtent_of() {
    "$PY" - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
for i, l in enumerate(lines):
    if l.strip().startswith("eContent:"):
        if "<ABSENT>" in l:
            print("absent")
            sys.exit(0)
        out = b""
        for m in lines[i + 1:]:
            g = re.match(r"\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})", m)
            if not g:
                break
            out += bytes.fromhex(re.sub(r"[ -]", "", g.group(1)))
        sys.stdout.write(out.decode("latin-1"))
        sys.exit(0)
print("none")
PY
}
for form in detached opaque; do
    name="3:cachet-wraps:$form:rfc2634-1.1.2-structure"
    f=$W/tw.aes-256-gcm.$form
    begin_case
    openssl cms -cmsout -print -in "$f" >"$W/p1" 2>/dev/null || problem "expected openssl to print the outer SignedData"
    grep -q 'eContentType: pkcs7-data' "$W/p1" || problem "expected the outer eContentType id-data"
    e1=$(econtent_of "$W/p1")
    if [ "$form" = detached ]; then
        [ "$e1" = absent ] || problem "expected no outer eContent under multipart/signed, got '${e1:0:60}'"
    else
        case $e1 in *"smime-type=authEnveloped-data"*) ;; *) problem "expected the outer eContent to be the enveloped entity" ;; esac
    fi
    openssl cms -verify -CAfile "$P/ca.crt" -in "$f" -out "$W/l1" 2>/dev/null
    openssl cms -cmsout -print -in "$W/l1" >"$W/p2" 2>/dev/null || problem "expected openssl to print the envelope"
    grep -i -A2 'encryptedContentInfo:' "$W/p2" | grep 'contentType: pkcs7-data' >/dev/null ||
        problem "expected the envelope's content type id-data"
    openssl cms -decrypt -recip "$P/bob.crt" -inkey "$P/bob.key" -in "$W/l1" -out "$W/l2" 2>/dev/null
    openssl cms -cmsout -print -in "$W/l2" >"$W/p3" 2>/dev/null || problem "expected openssl to print the inner SignedData"
    grep -q 'eContentType: pkcs7-data' "$W/p3" || problem "expected the inner eContentType id-data"
    e3=$(econtent_of "$W/p3")
    if [ "$form" = detached ]; then
        [ "$e3" = absent ] || problem "expected no inner eContent under multipart/signed"
    else
        case $e3 in *"The launch code is 0000."*) ;; *) problem "expected the inner eContent to be the message entity" ;; esac
    fi
    end_case "$name" || true
done
finish
