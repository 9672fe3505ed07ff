#!/usr/bin/env bash
# RFC 3183 domain security with the real `openssl cms` as the peer.
#   1. cachet domain-signs (--signature-type domain; multipart/signed, opaque, raw DER):
#      openssl verifies it against the domain CA and gives the content back, and
#      `-cmsout -print` shows the signed attribute id-aa-signatureType
#      (1.2.840.113549.1.9.16.2.28) whose value is SEQUENCE { 1.2.840.113549.1.9.16.9.2 }.
#   2. cachet writes the empty signature layer (--empty, S/MIME and DER): openssl reads it
#      as a SignedData with no SignerInfo, no certificate, and the entity as eContent.
#   3. What openssl can build around ours, read by cachet: openssl signs (as alice, no
#      SignatureType: it cannot add arbitrary signed attributes) around our empty layer
#      -> valid, two layers, the inner one without signers; openssl signs alone around
#      the empty layer with an untrusted key -> not valid. openssl's originator signature
#      with our domain signature around it -> valid, the outer signer "domain".
#   4. cachet alone on the empty layer: not signed (exit 1), whatever form.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D=$W/domains
bash "$CACHET_SRC/tests/pki/mkdomains.sh" "$D" >/dev/null 2>&1
CA=$D/ca.crt
MSG=$W/message.eml
printf 'From: alice@a.example\r\nTo: bob@b.example\r\nSubject: domsec interop\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\nSecond line.\r\n' >"$MSG"
ENTITY=$W/entity.txt
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\nSecond line.\r\n' >"$ENTITY"

DSA=(--cert "$D/dsa-a.crt" --key "$D/dsa-a.key")

# econtent_hex FILE: the eContent bytes (hex) from openssl's -print dump on stdin.
econtent_hex() {
    "$PY" -c '
import re, sys
lines = sys.stdin.read().splitlines()
out, on = [], False
for l in lines:
    if l.strip() == "eContent:":
        on = True
        continue
    if on:
        m = re.match(r"\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})", l)
        if not m:
            break
        out.append(re.sub(r"[ -]", "", m.group(1)))
print("".join(out))'
}
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# ---------------- 1: openssl verifies our domain signature ----------------
for form in smime-detached smime-opaque der-opaque; do
    name="1:cachet-domain-signs:$form:openssl-verifies"
    f=$W/ds.$form
    args=(sign "${DSA[@]}" --signature-type domain --out "$f")
    inform=SMIME
    case $form in
        smime-detached) args+=(--in "$MSG") ;;
        smime-opaque) args+=(--opaque --in "$MSG") ;;
        der-opaque) args+=(--raw --opaque --in "$ENTITY") inform=DER ;;
    esac
    begin_case
    cx "${args[@]}"
    rc_problem 0
    # -binary only for raw CMS: openssl's MIME reader canonicalises the S/MIME forms itself
    bin=()
    [ "$inform" = DER ] && bin=(-binary)
    if ! openssl cms -verify -inform "$inform" -in "$f" -CAfile "$CA" "${bin[@]}" \
        -out "$W/ossl.out" 2>"$W/ossl.err"; then
        problem "expected openssl cms -verify to accept it, got '$(head -c 200 "$W/ossl.err" | tr '\n' ' ')'"
    elif [ "$inform" = DER ] && ! cmp -s "$ENTITY" "$W/ossl.out"; then
        problem "expected openssl to give back the entity byte for byte"
    elif [ "$inform" = SMIME ] && ! bodies_equal "$ENTITY" "$W/ossl.out"; then
        problem "expected openssl to give back the signed body"
    fi
    openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
    grep -q 'id-smime-aa-signatureType (1.2.840.113549.1.9.16.2.28)\|object: 1.2.840.113549.1.9.16.2.28' "$W/print" ||
        problem "expected the attribute 1.2.840.113549.1.9.16.2.28 in openssl's print"
    # the value: the lines after the attribute's OID up to the next object
    sed -n '/1.2.840.113549.1.9.16.2.28/,/object:/p' "$W/print" >"$W/attr"
    grep -q 'OBJECT *:1.2.840.113549.1.9.16.9.2$' "$W/attr" ||
        problem "expected the value SEQUENCE { 1.2.840.113549.1.9.16.9.2 }, got '$(tr '\n' ' ' <"$W/attr" | head -c 200)'"
    [ "$(grep -c 'OBJECT *:' "$W/attr")" = 1 ] || problem "expected exactly one OID in the SignatureType value"
    end_case "$name" || true
done

# cachet's own report of the same message
cx sign "${DSA[@]}" --signature-type domain,review --in "$MSG" --out "$W/dr.eml"
cx verify --trust "$CA" --no-address-check --json --in "$W/dr.eml" --out "$W/dr.out"
if [ "$RC" = 0 ]; then
    jcheck "1:cachet-reads-domain-review" "$OUT" status=valid layers.0.signers.0.signature_type=domain,review
else
    fail "1:cachet-reads-domain-review" "expected exit 0, got $RC ($(head -c 200 "$ERR"))"
fi
# addAttribSig cannot carry another type (RFC 3183 section 3.1.2): refused, nothing written
refused "1:attributes-with-domain-refused" 2 "$W/bad.eml" sign "${DSA[@]}" --signature-type attributes,domain --in "$MSG" --out "$W/bad.eml"

# ---------------- 2: openssl reads our empty layer ----------------
for form in der smime; do
    name="2:cachet-empty-layer:$form:openssl-reads"
    f=$W/empty.$form
    begin_case
    if [ "$form" = der ]; then
        cx sign --empty --raw --in "$ENTITY" --out "$f"
        inform=DER
    else
        cx sign --empty --in "$MSG" --out "$f"
        inform=SMIME
        grep -q '^Content-Type: application/pkcs7-mime; smime-type=signed-data;' "$f" ||
            problem "expected application/pkcs7-mime; smime-type=signed-data"
    fi
    rc_problem 0
    if ! openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>"$W/ossl.err"; then
        problem "expected openssl to parse it, got '$(head -c 200 "$W/ossl.err" | tr '\n' ' ')'"
    fi
    grep -A1 '^ *signerInfos:' "$W/print" | grep '<EMPTY>' >/dev/null || problem "expected signerInfos <EMPTY>"
    grep -A1 '^ *certificates:' "$W/print" | grep '<ABSENT>' >/dev/null || problem "expected certificates <ABSENT>"
    grep -q 'eContentType: pkcs7-data' "$W/print" || problem "expected eContentType pkcs7-data"
    [ "$(econtent_hex <"$W/print")" = "$(hex_of "$ENTITY")" ] ||
        problem "expected the eContent to be the entity byte for byte"
    end_case "$name" || true
done

# ---------------- 3: openssl signs around our empty layer; cachet reads ----------------
# openssl's signature (alice@a.example, no SignatureType) over the empty layer as its entity
body_of() { "$PY" -c '
import sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"\r\n\r\n")
h = [l for l in d[:i].split(b"\r\n") if l[:1] in (b" ", b"\t") or l.lower().startswith(b"content-")]
sys.stdout.buffer.write(b"\r\n".join(h) + d[i:])' "$1"; }
body_of "$W/empty.smime" >"$W/empty.entity"
for form in detached opaque; do
    name="3:openssl-signs-around-empty:$form:cachet-verifies"
    extra=()
    [ "$form" = opaque ] && extra=(-nodetach)
    openssl cms -sign -signer "$D/alice.crt" -inkey "$D/alice.key" -md sha256 "${extra[@]}" \
        -from alice@a.example -to bob@b.example -subject "domsec interop" \
        -in "$W/empty.entity" -out "$W/os.$form" 2>"$W/ossl.err"
    begin_case
    cx verify --trust "$CA" --json --in "$W/os.$form" --out "$W/os.out"
    rc_problem 0
    json_problem "$OUT" status=valid layers.0.type=signed layers.0.signers.0.signature=valid \
        layers.0.signers.0.address_match=true layers.0.signers.0.signature_type=\<missing\> \
        layers.1.type=signed layers.1.empty=true layers.1.signers=[] layers.1.content_type=id-data
    if [ ! -f "$W/os.out" ] || ! bodies_equal "$MSG" "$W/os.out"; then
        problem "expected the original body back"
    fi
    end_case "$name" || true
done
# the same with a key from an untrusted root: the empty layer lends nothing
openssl cms -sign -signer "$D/rogue-dsa-a.crt" -inkey "$D/rogue-dsa-a.key" -md sha256 \
    -in "$W/empty.entity" -out "$W/rogue.eml" 2>/dev/null
refused "3:untrusted-signature-around-empty-not-valid" 1 "$W/rogue.out" verify --trust "$CA" --no-address-check --in "$W/rogue.eml" --out "$W/rogue.out"

# openssl's originator signature, then our domain signature around it (RFC 3183 §3 order)
openssl cms -sign -signer "$D/alice.crt" -inkey "$D/alice.key" -md sha256 \
    -from alice@a.example -to bob@b.example -subject "domsec interop" \
    -in "$ENTITY" -out "$W/orig.eml" 2>/dev/null
cx sign "${DSA[@]}" --signature-type domain --in "$W/orig.eml" --out "$W/orig-ds.eml"
begin_case
cx verify --trust "$CA" --no-address-check --json --in "$W/orig-ds.eml" --out "$W/orig-ds.out"
rc_problem 0
json_problem "$OUT" status=valid layers.0.signers.0.signature_type=domain \
    layers.0.signers.0.emails.0=domain-signing-authority@a.example \
    layers.1.signers.0.emails.0=alice@a.example layers.1.signers.0.signature_type=\<missing\>
openssl cms -verify -in "$W/orig-ds.eml" -CAfile "$CA" -out "$W/orig-ds.inner" 2>"$W/ossl.err" ||
    problem "expected openssl to verify our outer domain signature"
end_case "3:openssl-originator-inside-cachet-domain" || true

# ---------------- 4: the empty layer alone is not signed ----------------
refused "4:empty-layer-alone-smime-not-signed" 1 "$W/e1.out" verify --trust "$CA" --in "$W/empty.smime" --out "$W/e1.out"
refused "4:empty-layer-alone-der-not-signed" 1 "$W/e2.out" verify --raw --trust "$CA" --in "$W/empty.der" --out "$W/e2.out"
cx verify --trust "$CA" --json --in "$W/empty.smime"
jcheck "4:empty-layer-alone-report" "$OUT" status=invalid layers.0.empty=true "error.class=no signers"
cx inspect --in "$W/empty.smime"
contains "4:inspect-shows-empty-layer" "$OUT" "layer 1: signed (empty: no signers), content id-data, encapsulated, 0 signer(s)"

finish
