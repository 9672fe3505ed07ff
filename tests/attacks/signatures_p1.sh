#!/usr/bin/env bash
# P1 attacks on signatures (ATTACKS.md SG-12, SG-13, SG-17, CE-12, PA-13 for signed-attribute
# strings, PA-18), built at run time from our own keys (tests/pki/mkpki.sh) with openssl and
# tests/attacks/attsig.py, asserted through the CLI: exact exit status, no output on failure
# (helper `refused`), the message naming the reason, and report fields. Controls first.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
F=$W/fail.out
ATT="$PY -B $CACHET_SRC/tests/attacks/attsig.py"

ENT=$W/entity.txt
write_entity "$ENT" "Pay Mallory 100 EUR. -- Alice"
sign_raw() { # sign_raw CERT KEY OUT [openssl args...]: opaque DER signed with CERT/KEY
    local c=$1 k=$2 out=$3
    shift 3
    openssl cms -sign -signer "$c" -inkey "$k" -certfile "$P/inter.crt" -md sha256 \
        -binary -outform DER -nodetach -in "$ENT" -out "$out" "$@"
}
# says CASE TEXT: stderr of the last run contains TEXT.
says() {
    if grep -q -F -- "$2" "$ERR"; then ok "$1"; else fail "$1" "expected '$2' on stderr, got '$(head -c 300 "$ERR" | tr '\n' ' ')'"; fi
}
S=$W/s.der
sign_raw "$P/alice.crt" "$P/alice.key" $S
SC=$W/carol.der
sign_raw "$P/carol.crt" "$P/carol.key" $SC

# ---------------- controls ----------------
expect control-rsa-signed-valid 0 verify --raw $T --in $S --out $W/c.out
expect control-ecdsa-signed-valid 0 verify --raw $T --in $SC --out $W/c.out
$ATT pss $S $W/pss.der "$P/alice.key" ok
cx verify --raw $T --json --in $W/pss.der --out $W/c.out
rc_is control-pss-resigned-valid 0 && jcheck control-pss-resigned-valid "$OUT" status=valid layers.0.signers.0.signature=valid

# ---------------- SG-12 signature-algorithm / key / digest consistency ----------------
# every case keeps a signature that is valid for some reading; only consistency can refuse it
$ATT sig-alg $S $W/x.der sha1-rsa null
refused sg12-sha1withrsa-over-sha256-digest-refused 1 $F verify --raw $T --in $W/x.der --out $F
says sg12-sha1withrsa-over-sha256-digest-reason "signatureAlgorithm hash differs from digestAlgorithm"
$ATT sig-alg $S $W/x.der ecdsa-sha256
refused sg12-ecdsa-with-rsa-key-refused 1 $F verify --raw $T --in $W/x.der --out $F
says sg12-ecdsa-with-rsa-key-reason "signer key type does not fit ecdsa-with-SHA256"
$ATT sig-alg $SC $W/x.der sha256-rsa null
refused sg12-rsa-with-ec-key-refused 1 $F verify --raw $T --in $W/x.der --out $F
says sg12-rsa-with-ec-key-reason "signer key type does not fit sha256WithRSAEncryption"
# rsaEncryption as signatureAlgorithm with the hash from digestAlgorithm is what RFC 3370
# §3.2 allows (openssl writes it): the same signature, accepted
$ATT sig-alg $S $W/x.der rsa null
expect sg12-rsaencryption-signature-algorithm-accepted 0 verify --raw $T --in $W/x.der --out $W/c.out
$ATT pss $S $W/x.der "$P/alice.key" mgf-sha1
refused sg12-pss-mgf1-hash-differs-refused 1 $F verify --raw $T --in $W/x.der --out $F
says sg12-pss-mgf1-hash-differs-reason "inconsistent RSASSA-PSS parameters"
for shape in no-params salt-huge trailer-2; do
    $ATT pss $S $W/x.der "$P/alice.key" $shape
    refused "sg12-pss-$shape-refused" 3 $F verify --raw $T --in $W/x.der --out $F
    says "sg12-pss-$shape-reason" "bad or missing RSASSA-PSS-params"
done
# Ed25519 (RFC 8419 §3.1): with signedAttrs the digest is SHA-512. The SHA-256 case is
# re-signed with erin's key and its messageDigest recomputed, so only the pairing is wrong.
write_message $W/erin-msg.txt erin@example.com
"$CACHET" sign --opaque --cert "$P/erin.crt" --key "$P/erin.key" --chain "$P/inter.crt" --in $W/erin-msg.txt --out $W/erin.eml
expect control-ed25519-cachet-signed-valid 0 verify $T --in $W/erin.eml --out $W/c.out
$ATT ed-digest $W/erin.eml $W/x.der "$P/erin.key" sha512
expect control-ed25519-resigned-sha512-valid 0 verify --raw $T --in $W/x.der --out $W/c.out
$ATT ed-digest $W/erin.eml $W/x.der "$P/erin.key" sha256
refused sg12-ed25519-with-sha256-refused 1 $F verify --raw $T --in $W/x.der --out $F
says sg12-ed25519-with-sha256-reason "Ed25519 requires digestAlgorithm SHA-512"

# ---------------- SG-13 strict PKCS#1 v1.5 / ECDSA encodings ----------------
# An e=3 signer (the Bleichenbacher 2006 setting). The RSA private operation is applied to
# blocks we encode ourselves: "ok" is the correct encoding made the same way (control).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 -out $W/e3.key 2>/dev/null
openssl req -new -key $W/e3.key -subj "/C=XX/O=Cachet Test/CN=Exponent Three/emailAddress=e3@example.com" -out $W/e3.csr
printf 'keyUsage=critical,digitalSignature\nsubjectAltName=email:e3@example.com\nextendedKeyUsage=emailProtection\n' >$W/e3.ext
openssl x509 -req -in $W/e3.csr -CA "$P/inter.crt" -CAkey "$P/inter.key" -set_serial 0x7003 -days 30 -extfile $W/e3.ext -out $W/e3.crt 2>/dev/null
sign_raw $W/e3.crt $W/e3.key $W/e3.der
expect control-e3-signer-valid 0 verify --raw $T --in $W/e3.der --out $W/c.out
$ATT pkcs1 $W/e3.der $W/x.der $W/e3.key ok
expect control-pkcs1-raw-encoding-valid 0 verify --raw $T --in $W/x.der --out $W/c.out
for shape in garbage-after params-not-null long-length no-null short-pad bt02; do
    $ATT pkcs1 $W/e3.der $W/x.der $W/e3.key $shape
    refused "sg13-pkcs1-$shape-refused" 1 $F verify --raw $T --in $W/x.der --out $F
    says "sg13-pkcs1-$shape-reason" "signature does not verify"
done
for shape in trailing extra-int nonminimal negative long-length ber-indef; do
    $ATT ecdsa $SC $W/x.der $shape
    refused "sg13-ecdsa-$shape-refused" 1 $F verify --raw $T --in $W/x.der --out $F
    says "sg13-ecdsa-$shape-reason" "signature does not verify"
done

# ---------------- SG-17 eContentType inside S/MIME SignedData ----------------
# openssl -econtent_type sets eContentType and the contentType attribute alike: the
# signature is valid. S/MIME content is id-data (RFC 8551 §3) or a CMS layer read in turn;
# raw CMS callers get any type, named in the report.
for o in 1.2.840.113549.1.9.16.1.4:tstinfo 1.2.3.4:unknown; do
    sign_raw "$P/alice.crt" "$P/alice.key" $W/ect.der -econtent_type "${o%%:*}"
    smime_wrap $W/ect.der $W/ect.eml signed-data
    refused "sg17-opaque-econtent-${o#*:}-refused" 3 $F verify $T --in $W/ect.eml --out $F
    says "sg17-opaque-econtent-${o#*:}-reason" "is not a MIME entity (S/MIME content is id-data"
    openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 \
        -econtent_type "${o%%:*}" -in "$ENT" -from alice@example.com -to bob@example.com -subject t -out $W/ect-d.eml
    refused "sg17-multipart-signed-econtent-${o#*:}-refused" 3 $F verify $T --in $W/ect-d.eml --out $F
    says "sg17-multipart-signed-econtent-${o#*:}-reason" "over a content type other than id-data"
    cx verify --raw $T --json --in $W/ect.der --out $W/c.out
    want=id-ct-TSTInfo
    [ "${o#*:}" = unknown ] && want=1.2.3.4
    rc_is "sg17-raw-econtent-${o#*:}-exposed" 0 && jcheck "sg17-raw-econtent-${o#*:}-exposed" "$OUT" status=valid "layers.0.content_type=$want"
done
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 \
    -in "$ENT" -from alice@example.com -to bob@example.com -subject t -out $W/ect-d.eml
expect control-sg17-multipart-signed-id-data-valid 0 verify $T --in $W/ect-d.eml --out $W/c.out
# nested CMS types are layers, read in turn (each with its own verdict; the GW-08 layer limit
# is parser.sh gw08-*): SignedData and CompressedData as eContent
"$PY" -c 'import sys; sys.path.insert(0, sys.argv[3]); import derlib as D; r = D.parse(open(sys.argv[1], "rb").read()); open(sys.argv[2], "wb").write(D.ser(r.kids[1].kids[0]))' \
    $S $W/inner.bare "$CACHET_SRC/tests/attacks"
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary -outform DER \
    -nodetach -econtent_type 1.2.840.113549.1.7.2 -in $W/inner.bare -out $W/sis.der
smime_wrap $W/sis.der $W/sis.eml signed-data
cx verify $T --json --in $W/sis.eml --out $W/c.out
rc_is sg17-signed-in-signed-read-as-layers 0 && jcheck sg17-signed-in-signed-read-as-layers "$OUT" status=valid layers.0.type=signed layers.1.type=signed
"$CACHET" compress --raw --in "$ENT" --out $W/comp.der
"$PY" -c 'import sys; sys.path.insert(0, sys.argv[3]); import derlib as D; r = D.parse(open(sys.argv[1], "rb").read()); open(sys.argv[2], "wb").write(D.ser(r.kids[1].kids[0]))' \
    $W/comp.der $W/comp.bare "$CACHET_SRC/tests/attacks"
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary -outform DER \
    -nodetach -econtent_type 1.2.840.113549.1.9.16.1.9 -in $W/comp.bare -out $W/sic.der
smime_wrap $W/sic.der $W/sic.eml signed-data
cx verify $T --json --in $W/sic.eml --out $W/c.out
rc_is sg17-compressed-in-signed-read-as-layers 0 && jcheck sg17-compressed-in-signed-read-as-layers "$OUT" status=valid layers.0.type=signed layers.1.type=compressed

# ---------------- CE-12 capabilities only from signed attributes of a verified signer ----------------
export CACHET_STORE=$W/store/store.db
mkdir -p $W/store
"$CACHET" certs import --anchor "$P/ca.crt" >/dev/null 2>&1
"$CACHET" certs import "$P/inter.crt" >/dev/null 2>&1
write_message $W/am.txt
write_message $W/bm.txt bob@example.com "for alice only"
"$CACHET" sign --opaque --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in $W/am.txt --out $W/ao.eml
# cipher_of CASE FILE CIPHER: inspect says the outer layer is enveloped with CIPHER
cipher_of() {
    cx inspect --json --in "$2"
    rc_is "$1" 0 && jcheck "$1" "$OUT" layers.0.type=enveloped "layers.0.cipher=$3"
}
$ATT caps $W/ao.eml $W/caps.der "$P/alice.key" rc2-40,des
smime_wrap $W/caps.der $W/caps.eml signed-data
expect control-ce12-downgrade-message-verifies-and-is-harvested 0 verify --harvest --in $W/caps.eml --out $W/c.out
expect ce12-encrypt-to-weak-caps-sender 0 encrypt --to alice@example.com --in $W/bm.txt --out $W/to-alice.eml
cipher_of ce12-rc2-des-only-capabilities-never-below-aes-128-cbc $W/to-alice.eml aes-128-cbc
# a tampered copy (signature broken) advertising only DES teaches nothing (carol: nothing known)
sign_raw "$P/carol.crt" "$P/carol.key" $W/cs.der
$ATT caps $W/cs.der $W/cbad.der "$P/alice.key" des # re-signed with another key: invalid for carol
smime_wrap $W/cbad.der $W/cbad.eml signed-data carol@example.com
refused ce12-invalid-signer-refused 1 $F verify --harvest --in $W/cbad.eml --out $F
expect ce12-invalid-signer-nothing-harvested 1 certs find carol@example.com
# an unsigned copy claiming GCM is ignored: carol's openssl-signed caps have no GCM
$ATT unsigned-caps $W/cs.der $W/ucaps.der aes256-gcm
smime_wrap $W/ucaps.der $W/ucaps.eml signed-data carol@example.com
expect control-ce12-unsigned-caps-message-verifies 0 verify --harvest --in $W/ucaps.eml --out $W/c.out
expect ce12-encrypt-to-unsigned-caps-sender 0 encrypt --to carol@example.com --in $W/bm.txt --out $W/to-carol.eml
cipher_of ce12-unsigned-capabilities-ignored $W/to-carol.eml aes-256-cbc
unset CACHET_STORE

# ---------------- PA-13 signed-attribute strings in the report ----------------
# An ESS securityLabel privacy mark is the one signed-attribute string the report prints.
# Valid UTF-8 holding ESC, a bidi override and CR/LF: reported, escaped (JSON \u escapes,
# text \x escapes: no raw control or bidi character reaches the terminal).
no_raw_controls() { # no_raw_controls CASE FILE...: no C0 control (but LF), DEL or U+202A..U+202E/U+2066..U+2069
    local f bad=""
    for f in "${@:2}"; do
        if "$PY" -c 'import re, sys; d = open(sys.argv[1], "rb").read(); sys.exit(1 if re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", d) else 0)' "$f"; then
            :
        else
            bad="$bad $(basename "$f")"
        fi
    done
    if [ -z "$bad" ]; then ok "$1"; else fail "$1" "expected no raw control or bidi characters, got some in:$bad"; fi
}
$ATT label $S $W/x.der "$P/alice.key" 0c 5365637265742121
cx verify --raw $T --json --in $W/x.der --out $W/c.out
rc_is control-pa13-privacy-mark-reported 0 && jcheck control-pa13-privacy-mark-reported "$OUT" layers.0.signers.0.ess.security_label.privacy_mark=Secret!!
$ATT label $S $W/x.der "$P/alice.key" 0c 411b5b324ae280ae420d0a43
cx verify --raw $T --json --in $W/x.der --out $W/c.out
cp "$OUT" $W/label.json
if rc_is pa13-privacy-mark-controls-escaped-json 0; then
    if "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(r["layers"][0]["signers"][0]["ess"]["security_label"]["privacy_mark"] != "A\x1b[2J\u202eB\r\nC")' "$OUT"; then
        ok pa13-privacy-mark-controls-escaped-json
    else
        fail pa13-privacy-mark-controls-escaped-json "expected the privacy mark A ESC [2J U+202E B CR LF C in valid JSON, got $(grep privacy_mark "$OUT")"
    fi
fi
cx verify --raw $T --in $W/x.der --out $W/c.out
rc_is pa13-privacy-mark-controls-escaped-text 0 && says pa13-privacy-mark-controls-escaped-text 'privacy mark "A\x1b[2J\xe2\x80\xaeB\x0d\x0aC"'
no_raw_controls pa13-privacy-mark-no-raw-controls $W/label.json "$ERR"
for v in 0c:41c328:invalid-utf8 0c:41004142:embedded-nul 13:41004142:nul-in-printable 13:41c3a942:non-printable; do
    IFS=: read -r tag hex name <<<"$v"
    $ATT label $S $W/x.der "$P/alice.key" $tag $hex
    refused "pa13-privacy-mark-$name-refused" 1 $F verify --raw $T --in $W/x.der --out $F
    says "pa13-privacy-mark-$name-reason" "signedAttrs: securityLabel: privacy-mark"
done

# ---------------- PA-18 AuthenticatedData is not implemented: refused as unsupported ----------------
# A well-formed AuthenticatedData (RFC 5652 §9: KTRI for alice, HMAC-SHA256), with and
# without authAttrs: exit 3, nothing output, whatever the key.
A="--cert $P/alice.crt --key $P/alice.key"
for v in plain attrs; do
    $ATT authdata - $W/ad.der "$P/alice.crt" "$ENT" $v
    if [ $v = attrs ]; then # openssl's own parser reads it (its template refuses the plain one)
        if openssl cms -cmsout -inform DER -in $W/ad.der -print >/dev/null 2>&1; then ok control-pa18-authdata-parses-in-openssl; else fail control-pa18-authdata-parses-in-openssl "expected a well-formed AuthenticatedData"; fi
    fi
    refused "pa18-authdata-$v-decrypt-unsupported" 3 $F decrypt --raw $A --in $W/ad.der --out $F
    says "pa18-authdata-$v-decrypt-reason" "id-ct-authData is not an S/MIME layer"
    refused "pa18-authdata-$v-verify-unsupported" 3 $F verify --raw $T --in $W/ad.der --out $F
    smime_wrap $W/ad.der $W/ad.eml authenticated-data
    refused "pa18-authdata-$v-smime-unsupported" 3 $F decrypt $A --in $W/ad.eml --out $F
done

finish
