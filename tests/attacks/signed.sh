#!/usr/bin/env bash
# P0 attacks on signed messages (ATTACKS.md SG-*, MW-01, ID-01/03, CE-04..07/09, CL-01),
# each built from our own keys (tests/pki/mkpki.sh) with openssl and tests/attacks/mutate.py,
# asserting through the CLI: exact exit status, no output (file or stdout) on failure, a
# message on stderr, and the report fields. Baselines are checked first (controls) so a
# broken baseline cannot make an attack "pass".
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
F=$W/fail.out # the --out of every failing case: must not exist afterwards

ENT=$W/entity.txt
write_entity "$ENT" "Pay Mallory 100 EUR. -- Alice"
sign_raw() { # sign_raw NAME OUT [openssl args...]: opaque DER signed by NAME
    local n=$1 out=$2
    shift 2
    openssl cms -sign -signer "$P/$n.crt" -inkey "$P/$n.key" -certfile "$P/inter.crt" -md sha256 \
        -binary -outform DER -nodetach -in "$ENT" -out "$out" "$@"
}
sign_smime() { # sign_smime NAME OUT FROM [openssl args...]: multipart/signed message
    local n=$1 out=$2 from=$3
    shift 3
    openssl cms -sign -signer "$P/$n.crt" -inkey "$P/$n.key" -certfile "$P/inter.crt" -md sha256 \
        -in "$ENT" -from "$from" -to bob@example.com -subject "test message" -out "$out" "$@"
}

S=$W/s.der
sign_raw alice "$S"
SM=$W/s.eml
sign_smime alice "$W/s-lf.eml" alice@example.com
sed 's/\r*$/\r/' "$W/s-lf.eml" >"$SM" # openssl writes LF; the suites use CRLF messages

# ---------------- controls ----------------
expect control-raw-opaque-valid 0 verify --raw $T --in "$S" --out $W/c.out
expect control-smime-detached-valid 0 verify $T --in "$SM" --out $W/c.out
expect control-smime-detached-lf-valid 0 verify $T --in "$W/s-lf.eml" --out $W/c.out
$MUTATE resign "$S" $W/r.der "$P/alice.key" none
expect control-resigned-unchanged-valid 0 verify --raw $T --in $W/r.der --out $W/c.out

# ---------------- SG-01 eContent confusion (C1) ----------------
printf 'Content-Type: text/plain\r\n\r\nATTACKER TEXT: pay Eve instead.\r\n' >$W/attacker.txt
multipart_signed $W/attacker.txt "$S" $W/sg01.eml
refused sg01-multipart-signed-with-econtent-refused 1 $F verify $T --in $W/sg01.eml --out $F
if grep -q -F 'ATTACKER TEXT' "$OUT" "$ERR"; then fail sg01-attacker-text-not-shown "expected no attacker text, got it"; else ok sg01-attacker-text-not-shown; fi
$MUTATE drop-econtent "$S" $W/det.der
smime_wrap $W/det.der $W/sg01b.eml signed-data
refused sg01-opaque-without-econtent-refused 1 $F verify $T --in $W/sg01b.eml --out $F
refused sg01-raw-content-and-econtent-refused 1 $F verify --raw --content $W/attacker.txt $T --in "$S" --out $F

# ---------------- SG-02 verified bytes are the delivered bytes ----------------
for n in 1 7; do
    $MUTATE chunk-econtent "$S" $W/chunk.der $n
    cx verify --raw $T --in $W/chunk.der --out $W/chunk.out
    if rc_is "sg02-econtent-in-$n-byte-segments-valid" 0; then
        same_bytes "sg02-econtent-in-$n-byte-segments-valid" "$ENT" $W/chunk.out
    fi
done

# ---------------- SG-03 ForgedAttributes ----------------
# A SignerInfo without signedAttrs is refused by default; --allow-weak (the compatibility
# switch) accepts it, reported weak, but still refuses content that is a SignedAttributes
# structure. The forged message is refused either way, each time for its own reason.
NOATTRS='SignerInfo without signed attributes refused (ForgedAttributes risk, ATTACKS SG-03)'
FORGED='content is a SignedAttributes structure and the signature has no signedAttrs (ForgedAttributes)'
sg03_refused() { # sg03_refused NAME WEAK(0|1) ARGS...: refused, exit 1, with the reason WEAK implies
    local name=$1 weak=$2 want=$NOATTRS other=$FORGED
    shift 2
    [ "$weak" = 1 ] && { want=$FORGED; other=$NOATTRS; }
    refused "$name" 1 $F "$@" --out $F
    if ! grep -q -F -- "$want" "$ERR" || grep -q -F -- "$other" "$ERR"; then
        fail "$name-reason" "expected '$want' (and not '$other'), got '$(head -c 300 "$ERR" | tr '\n' ' ')'"
    else
        ok "$name-reason"
    fi
}
$MUTATE forge-attrs "$S" $W/forged.der
$MUTATE forge-attrs-detached "$S" $W/forged-d.der $W/forged-content.bin
smime_wrap $W/forged.der $W/forged.eml signed-data
for weak in 0 1; do
    WF=()
    [ $weak = 1 ] && WF=(--allow-weak)
    tag=$([ $weak = 1 ] && echo allow-weak || echo default)
    sg03_refused sg03-forged-attributes-opaque-refused-$tag $weak verify --raw "${WF[@]}" $T --in $W/forged.der
    sg03_refused sg03-forged-attributes-detached-refused-$tag $weak verify --raw "${WF[@]}" --content $W/forged-content.bin $T --in $W/forged-d.der
    sg03_refused sg03-forged-attributes-smime-refused-$tag $weak verify "${WF[@]}" $T --in $W/forged.eml
done
# an honest message without signedAttrs (openssl cms -sign -noattr, RSA SHA-256): refused by
# default with ATTRIBUTES, valid and reported weak with --allow-weak
sign_raw alice $W/noattr.der -noattr
sg03_refused sg03-noattr-refused-by-default 0 verify --raw $T --in $W/noattr.der
if grep -q -- "--allow-weak accepts them (reported weak)" "$ERR"; then
    ok sg03-noattr-says-what-to-do
else
    fail sg03-noattr-says-what-to-do "stderr lacks the --allow-weak hint: $(tr '\n' ' ' <"$ERR")"
fi
cx verify --raw $T --json --in $W/noattr.der
rc_is sg03-noattr-report-says-attributes 1 && jcheck sg03-noattr-report-says-attributes "$OUT" status=invalid "error.class=invalid signed attributes" layers.0.signers.0.signature=invalid layers.0.signers.0.weak=false
cx verify --raw --allow-weak $T --json --in $W/noattr.der --out $W/noattr.out
if rc_is sg03-noattr-allow-weak-valid-weak 0; then
    jcheck sg03-noattr-allow-weak-valid-weak "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.weak=true layers.0.signers.0.digest=sha256 layers.0.signers.0.chain=trusted
    same_bytes sg03-noattr-allow-weak-content "$ENT" $W/noattr.out
fi

# ---------------- SG-04 content-type attribute != eContentType ----------------
for o in 1.2.840.113549.1.9.16.1.4:tstinfo 1.2.840.113549.1.7.2:signedData 1.2.840.113549.1.9.16.1.23:authEnvelopedData 1.2.3.4:unknown; do
    $MUTATE econtent-type "$S" $W/ct.der "${o%%:*}"
    # a layer type as eContentType makes the content that layer, which it is not (3)
    want=1
    case ${o#*:} in signedData | authEnvelopedData) want=3 ;; esac
    refused "sg04-econtent-type-${o#*:}-refused" $want $F verify --raw $T --in $W/ct.der --out $F
done

# ---------------- SG-05 / SG-06 signed attributes (re-signed: the signature is valid) ----------------
for op in drop-md drop-ct dup-md dup-md-bad-first md-two-values md-empty-set md-wrong-len ct-unsigned st-two-values; do
    $MUTATE resign "$S" $W/attr.der "$P/alice.key" $op
    refused "sg05-attributes-$op-refused" 1 $F verify --raw $T --in $W/attr.der --out $F
done
for op in md-as-int md-as-null ct-as-octet; do
    $MUTATE resign "$S" $W/attr.der "$P/alice.key" $op
    refused "sg06-attribute-type-$op-refused" 1 $F verify --raw $T --in $W/attr.der --out $F
done

# ---------------- SG-08 multiple signers ----------------
M2=$W/two.der
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -signer "$P/carol.crt" -inkey "$P/carol.key" \
    -certfile "$P/inter.crt" -md sha256 -binary -outform DER -nodetach -in "$ENT" -out $M2
cx verify --raw $T --json --in $M2 --out $W/two.out
if rc_is sg08-two-valid-signers-valid 0; then
    jcheck sg08-two-valid-signers-valid "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.1.signature=valid
fi
for i in 0 1; do
    $MUTATE break-sig $M2 $W/broken.der $i
    refused "sg08-signer-$i-broken-refused" 1 $F verify --raw $T --in $W/broken.der --out $F
    cx verify --raw $T --json --in $W/broken.der
    if rc_is "sg08-signer-$i-broken-reported" 1; then
        jcheck "sg08-signer-$i-broken-reported" "$OUT" status=invalid "layers.0.signers.$i.signature=invalid" "layers.0.signers.$((1 - i)).signature=valid"
    fi
    $MUTATE swap-signers $W/broken.der $W/swapped.der
    refused "sg08-signer-$i-broken-other-order-refused" 1 $F verify --raw $T --in $W/swapped.der --out $F
done

# ---------------- SG-09 no signers ----------------
$MUTATE no-signers-vector - $W/nosig.der
multipart_signed $W/attacker.txt $W/nosig.der $W/sg09.eml
refused sg09-no-signers-detached-refused 1 $F verify $T --in $W/sg09.eml --out $F
$MUTATE no-signers "$S" $W/nosig2.der
refused sg09-no-signers-opaque-refused 1 $F verify --raw $T --in $W/nosig2.der --out $F
openssl crl2pkcs7 -nocrl -certfile "$P/alice.crt" -outform DER -out $W/certsonly.der
refused sg09-certs-only-not-signed 1 $F verify --raw $T --in $W/certsonly.der --out $F

# ---------------- SG-10 signer identification ambiguity ----------------
# A fake intermediate with the real intermediate's DN issues a leaf with alice's DN and
# serial (the real alice certificate travels in the same SignedData).
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $W/fi.key -out $W/fi.crt \
    -subj "/C=XX/O=Cachet Test/CN=Cachet Test Intermediate CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $W/fa.key -out $W/fa.csr \
    -subj "/C=XX/O=Cachet Test/CN=Alice/emailAddress=alice@example.com" 2>/dev/null
printf 'keyUsage=critical,digitalSignature\nsubjectAltName=email:alice@example.com\nextendedKeyUsage=emailProtection\n' >$W/fa.ext
openssl x509 -req -in $W/fa.csr -CA $W/fi.crt -CAkey $W/fi.key -set_serial "0x$(openssl x509 -in "$P/alice.crt" -noout -serial | cut -d= -f2)" \
    -days 30 -extfile $W/fa.ext -out $W/fa.crt 2>/dev/null
openssl cms -sign -signer $W/fa.crt -inkey $W/fa.key -certfile <(cat "$P/alice.crt" "$P/inter.crt") -md sha256 \
    -binary -outform DER -nodetach -in "$ENT" -out $W/sg10.der
refused sg10-same-issuer-and-serial-refused 1 $F verify --raw $T --in $W/sg10.der --out $F
# The same with signers identified by subjectKeyIdentifier: the fake leaf carries alice's SKI.
ski=$(openssl x509 -in "$P/alice.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :')
printf 'keyUsage=critical,digitalSignature\nsubjectAltName=email:alice@example.com\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=%s\n' "$ski" >$W/fa2.ext
openssl x509 -req -in $W/fa.csr -CA $W/fi.crt -CAkey $W/fi.key -set_serial 4242 -days 30 -extfile $W/fa2.ext -out $W/fa2.crt 2>/dev/null
openssl cms -sign -keyid -signer $W/fa2.crt -inkey $W/fa.key -certfile <(cat "$P/alice.crt" "$P/inter.crt") -md sha256 \
    -binary -outform DER -nodetach -in "$ENT" -out $W/sg10b.der
refused sg10-same-subject-key-identifier-refused 1 $F verify --raw $T --in $W/sg10b.der --out $F
sign_raw fakealice $W/fake.der
cx verify --raw $T --json --in $W/fake.der
if rc_is sg10-self-signed-same-dn-untrusted 1; then
    if jfields "$OUT" layers.0.signers.0.chain=trusted >/dev/null; then
        fail sg10-self-signed-same-dn-untrusted "expected chain not trusted, got trusted"
    else
        ok sg10-self-signed-same-dn-untrusted
    fi
fi

# ---------------- SG-11 digestAlgorithms / unknown digests ----------------
$MUTATE empty-digest-algs "$S" $W/ed.der
# the signer's digest is not announced in digestAlgorithms: unsupported (3), never valid
refused sg11-empty-digest-algorithms-refused 3 $F verify --raw $T --in $W/ed.der --out $F
$MUTATE digest-oid "$S" $W/do.der 1.2.3.4.5
refused sg11-unknown-digest-oid-refused 3 $F verify --raw $T --in $W/do.der --out $F
for k in bool int seq utf8 ctx; do
    $MUTATE digest-params "$S" $W/dp.der $k
    refused "pa09-digest-params-$k-refused" 3 $F verify --raw $T --in $W/dp.der --out $F
done

# ---------------- PA-03 / SG-10 no usable certificate for the signer ----------------
$MUTATE empty-certs "$S" $W/x.der
refused pa03-empty-certificates-signer-unknown 1 $F verify --raw $T --in $W/x.der --out $F
$MUTATE drop-certs "$S" $W/x.der
cx verify --raw $T --json --in $W/x.der --out $F
rc_is sg10-signer-certificate-absent-refused 1 && jcheck sg10-signer-certificate-absent-refused "$OUT" status=invalid
[ ! -e $F ] || { fail sg10-signer-certificate-absent-no-output "expected no output file"; rm -f $F; }

# ---------------- SG-14 / CE-07 validity: signingTime never decides ----------------
sign_raw expired $W/exp.der
cx verify --raw $T --json --in $W/exp.der
rc_is sg14-expired-signer-refused 1 && jcheck sg14-expired-signer-refused "$OUT" status=invalid layers.0.signers.0.chain=expired
$MUTATE resign $W/exp.der $W/back.der "$P/expired.key" signing-time=200601000000Z
cx verify --raw $T --json --in $W/back.der
rc_is sg14-backdated-signing-time-still-expired 1 &&
    jcheck sg14-backdated-signing-time-still-expired "$OUT" status=invalid layers.0.signers.0.chain=expired layers.0.signers.0.signature=valid
sign_raw notyet $W/ny.der
cx verify --raw $T --json --in $W/ny.der
rc_is ce07-not-yet-valid-signer-refused 1 && jcheck ce07-not-yet-valid-signer-refused "$OUT" layers.0.signers.0.chain=not_yet_valid

# ---------------- CE-04 / CE-05 / CE-06 usage and basic constraints ----------------
sign_raw srveku $W/eku.der
cx verify --raw $T --json --in $W/eku.der
rc_is ce04-serverauth-only-eku-refused 1 && jcheck ce04-serverauth-only-eku-refused "$OUT" status=invalid layers.0.signers.0.chain=bad_usage
if sign_raw kuenc $W/ku.der 2>/dev/null; then
    cx verify --raw $T --json --in $W/ku.der
    rc_is ce05-keyencipherment-only-signer-refused 1 &&
        jcheck ce05-keyencipherment-only-signer-refused "$OUT" status=invalid layers.0.signers.0.chain=bad_usage
else
    skip ce05-keyencipherment-only-signer-refused "openssl refuses to sign with it"
fi
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $W/ext.key -out $W/ext.csr \
    -subj "/C=XX/O=Cachet Test/CN=Extended/emailAddress=ext@example.com" 2>/dev/null
printf 'keyUsage=critical,digitalSignature\nsubjectAltName=email:ext@example.com\n' >$W/ext.ext
openssl x509 -req -in $W/ext.csr -CA "$P/bob.crt" -CAkey "$P/bob.key" -set_serial 77 -days 30 -extfile $W/ext.ext -out $W/ext.crt 2>/dev/null
openssl cms -sign -signer $W/ext.crt -inkey $W/ext.key -certfile <(cat "$P/bob.crt" "$P/inter.crt") -md sha256 \
    -binary -outform DER -nodetach -in "$ENT" -out $W/ext.der
refused ce06-end-entity-as-ca-refused 1 $F verify --raw $T --in $W/ext.der --out $F

# ---------------- CE-09 weak algorithms ----------------
sign_raw frank $W/weak.der
# RFC 8551 §4.2 / DESIGN principle 5: cachet itself makes no RSA-1024 signature by default
refused ce09-sign-with-rsa1024-refused 1 $W/weak-ours.eml sign --cert "$P/frank.crt" --key "$P/frank.key" --in "$ENT" --out $W/weak-ours.eml
if grep -q "RSA key of 1024 bits refused for signing" "$ERR"; then ok ce09-sign-with-rsa1024-says-why; else fail ce09-sign-with-rsa1024-says-why "$(tr '\n' ' ' <"$ERR")"; fi
expect ce09-sign-with-rsa1024-allow-weak 0 sign --allow-weak --cert "$P/frank.crt" --key "$P/frank.key" --in "$ENT" --out $W/weak-ours.eml
refused ce09-rsa1024-refused-by-default 1 $F verify --raw $T --in $W/weak.der --out $F
cx verify --raw $T --allow-weak --json --in $W/weak.der --out $W/weak.out
rc_is ce09-rsa1024-allow-weak-reported-weak 0 && jcheck ce09-rsa1024-allow-weak-reported-weak "$OUT" status=valid layers.0.signers.0.weak=true
sign_raw alice $W/sha1.der -md sha1
refused ce09-sha1-refused-by-default 1 $F verify --raw $T --in $W/sha1.der --out $F
cx verify --raw $T --allow-weak --json --in $W/sha1.der --out $W/sha1.out
rc_is ce09-sha1-allow-weak-reported-weak 0 && jcheck ce09-sha1-allow-weak-reported-weak "$OUT" layers.0.signers.0.digest=sha1 layers.0.signers.0.weak=true
sign_raw alice $W/md5.der -md md5
refused ce09-md5-refused-by-default 1 $F verify --raw $T --in $W/md5.der --out $F

# ---------------- ID-01 / ID-03 identity binding ----------------
sign_smime bob $W/id01-lf.eml alice@example.com
sed 's/\r*$/\r/' $W/id01-lf.eml >$W/id01.eml
cx verify $T --json --in $W/id01.eml --out $F
rc_is id01-from-not-signer-refused 1 && jcheck id01-from-not-signer-refused "$OUT" status=invalid layers.0.signers.0.signature=valid layers.0.signers.0.address_match=false
[ ! -e $F ] || { fail id01-from-not-signer-no-output "expected no output file, got one"; rm -f $F; }
expect id01-no-address-check-accepts 0 verify $T --no-address-check --in $W/id01.eml --out $W/id01.out
for order in before after; do
    if [ $order = before ]; then
        { printf 'From: mallory@evil.example\r\n'; cat "$SM"; } >$W/id03.eml
    else
        "$PY" -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.index(b"\r\n")+2; open(sys.argv[2],"wb").write(d[:i]+b"From: mallory@evil.example\r\n"+d[i:])' "$SM" $W/id03.eml
    fi
    cx verify $T --json --in $W/id03.eml --out $F
    rc_is "id03-two-from-headers-$order-refused" 1 && jcheck "id03-two-from-headers-$order-refused" "$OUT" status=invalid
    [ ! -e $F ] || { fail "id03-two-from-headers-$order-no-output" "expected no output file"; rm -f $F; }
done
{ printf 'Sender: bob@example.com\r\n'; cat $W/id01.eml; } >$W/id03s2.eml
"$PY" -c 'import sys; d=open(sys.argv[1],"rb").read().replace(b"From: alice@example.com", b"From: alice@example.com, mallory@evil.example", 1); open(sys.argv[2],"wb").write(d)' "$SM" $W/id03m.eml
refused id03-from-with-two-mailboxes-refused 1 $F verify $T --in $W/id03m.eml --out $F
refused id03-match-only-on-sender-refused 1 $F verify $T --in $W/id03s2.eml --out $F

# ---------------- ID-05 control characters in the certificate address ----------------
# A leaf without emailAddress in its DN; its SAN rfc822Name is rewritten and the certificate
# re-signed by the intermediate (so the chain stays valid and only the address is at stake).
openssl req -new -key "$P/alice.key" -subj "/C=XX/O=Cachet Test/CN=Alice SAN only" -out $W/id05.csr
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.com\n' >$W/id05.ext
openssl x509 -req -in $W/id05.csr -CA "$P/inter.crt" -CAkey "$P/inter.key" -set_serial 0x5005 -days 30 \
    -extfile $W/id05.ext -out $W/id05.crt 2>/dev/null
id05() { # id05 NAME ADDRESS-WITH-ESCAPES EXIT [PATH=VALUE...]
    local name=$1 addr=$2 rc=$3
    shift 3
    $MUTATE cert-email $W/id05.crt $W/id05x.der "$P/inter.key" "$addr"
    openssl x509 -inform DER -in $W/id05x.der -out $W/id05x.crt
    openssl cms -sign -signer $W/id05x.crt -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 \
        -in "$ENT" -from alice@example.com -to bob@example.com -subject "test message" -out $W/id05.eml
    rm -f $F
    cx verify $T --json --in $W/id05.eml --out $F
    if rc_is "$name" "$rc"; then
        if [ "$rc" != 0 ] && [ -e $F ]; then fail "$name" "expected no output file, got one"; else jcheck "$name" "$OUT" "$@"; fi
    fi
}
id05 control-id05-resigned-certificate-valid 'alice@example.com' 0 status=valid layers.0.signers.0.address_match=true
id05 id05-nul-in-san-address-refused 'alice@example.com\x00.evil.example' 1 status=invalid layers.0.signers.0.signature=valid layers.0.signers.0.address_match=false
id05 id05-crlf-in-san-address-refused 'alice@example.com\r\nX-Injected: 1' 1 status=invalid layers.0.signers.0.address_match=false
id05 id05-escape-in-san-address-refused 'alice@example.com\x1b[2J' 1 status=invalid layers.0.signers.0.address_match=false

# ---------------- MW-01 partially signed messages ----------------
strip_headers "$SM" $W/signed-entity.txt
printf 'Content-Type: text/plain\r\n\r\nATTACKER TEXT on top of a genuine signature\r\n' >$W/m1.txt
mixed $W/mw01.eml alice@example.com $W/m1.txt $W/signed-entity.txt
cx verify $T --json --in $W/mw01.eml --out $F
rc_is mw01-m1-prepended-text-not-signed 1 && jcheck mw01-m1-prepended-text-not-signed "$OUT" status=invalid partially_signed=true
[ ! -e $F ] || { fail mw01-m1-no-output "expected no output file"; rm -f $F; }
{ printf 'Content-Disposition: attachment; filename=signature.eml\r\n'; cat $W/signed-entity.txt; } >$W/m4.txt
mixed $W/mw01b.eml alice@example.com $W/m1.txt $W/m4.txt
refused mw01-m4-signed-part-as-attachment-not-signed 1 $F verify $T --in $W/mw01b.eml --out $F
MIXED_SUBTYPE=related mixed $W/mw01c.eml alice@example.com $W/m1.txt $W/signed-entity.txt
refused mw01-m3-in-multipart-related-not-signed 1 $F verify $T --in $W/mw01c.eml --out $F

# ---------------- CL-01 an existing output file is never clobbered by a failure ----------------
echo PRECIOUS >$W/keep.txt
cx verify --raw $T --in $W/forged.der --out $W/keep.txt
if rc_is cl01-failure-keeps-existing-out-file 1; then
    if [ "$(cat $W/keep.txt 2>/dev/null)" = PRECIOUS ]; then ok cl01-failure-keeps-existing-out-file; else fail cl01-failure-keeps-existing-out-file "expected the file untouched, got it changed"; fi
fi
cx verify --raw $T --in $W/forged.der
if [ -s "$OUT" ]; then fail cl01-stdout-empty-on-failure "expected empty stdout, got $(wc -c <"$OUT") bytes"; else ok cl01-stdout-empty-on-failure; fi

finish
