#!/usr/bin/env bash
# P0/P1 certificate attacks (ATTACKS.md CE-01, CE-03, CE-08, CE-10, CE-11, PA-04, PA-13 for
# certificate strings, PA-15, PA-16), built at run time from our own keys (tests/pki/mkpki.sh,
# mkrevocation.sh) with openssl and tests/attacks/attsig.py, asserted through the CLI: exact
# exit status, no output on failure, the reason, and the chain status of the report.
# Controls first.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
A="--cert $P/alice.crt --key $P/alice.key"
F=$W/fail.out
ATT="$PY -B $CACHET_SRC/tests/attacks/attsig.py"
unset CACHET_STORE XDG_DATA_HOME
export CACHET_STORE=$W/nostore.db # no suite here reads a store unless it says so

ENT=$W/entity.txt
write_entity "$ENT" "certificate attack baseline"
says() {
    if grep -q -F -- "$2" "$ERR"; then ok "$1"; else fail "$1" "expected '$2' on stderr, got '$(head -c 300 "$ERR" | tr '\n' ' ')'"; fi
}
# reports CASE TEXT: the report (stdout) of the last run contains TEXT.
reports() {
    if grep -q -F -- "$2" "$OUT"; then ok "$1"; else fail "$1" "expected '$2' in the report, got '$(head -c 300 "$OUT" | tr '\n' ' ')'"; fi
}
# chain_is CASE RC CHAIN [PATH=VALUE...]: the last --json run exited RC and signer 0's chain is CHAIN
chain_is() {
    local name=$1 rc=$2 chain=$3
    shift 3
    rc_is "$name" "$rc" && jcheck "$name" "$OUT" "layers.0.signers.0.chain=$chain" "$@"
}
# timed ARGS...: cx under a CPU-time cap, so that a parse that does not end
# (the DoS these cases look for) is killed rather than hanging the suite; CPU
# time, not wall time, so that a loaded machine cannot fail a case.
CPU_CAP=120
timed() {
    RC=0
    (
        ulimit -t $CPU_CAP
        exec "$CACHET" "$@"
    ) >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
# bounded CASE: the last timed run ended by itself (not killed at the cap)
bounded() {
    if [ "$RC" -lt 128 ]; then ok "$1"; else fail "$1" "killed after ${CPU_CAP} s of CPU (status $RC)"; fi
}
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# issue CSR-SUBJECT KEY OUT CA-CRT CA-KEY SERIAL EXTLINES: a certificate made with openssl x509
issue() {
    printf '%b' "$7" >$W/issue.ext
    openssl req -new -key "$2" -subj "$1" -out $W/issue.csr
    openssl x509 -req -in $W/issue.csr -CA "$4" -CAkey "$5" -set_serial "$6" -days 30 -sha256 \
        -extfile $W/issue.ext -out "$3" 2>/dev/null
}
LEAF_EXT='keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n'
S=$W/s.der
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 \
    -binary -outform DER -nodetach -in "$ENT" -out $S
openssl x509 -in "$P/alice.crt" -outform DER -out $W/alice.der

# ---------------- controls ----------------
expect control-signed-valid 0 verify --raw $T --in $S --out $W/c.out
openssl cms -encrypt -aes-256-cbc -binary -outform DER -in "$ENT" -out $W/env.der -recip "$P/alice.crt"
expect control-enveloped-decrypts 0 decrypt --raw $A --in $W/env.der --out $W/c.out

# ---------------- CE-01 RecipientIdentifier ambiguity among our own keys ----------------
# alice2: another key, a certificate with alice's issuer and serial number (a mis-issuing
# or test CA); alice3: another key with alice's subjectKeyIdentifier.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $W/a2.key 2>/dev/null
issue "/C=XX/O=Cachet Test/CN=Alice Two/emailAddress=alice2@example.com" $W/a2.key $W/a2.crt "$P/inter.crt" "$P/inter.key" 0x2001 \
    "${LEAF_EXT}subjectAltName=email:alice2@example.com\nsubjectKeyIdentifier=hash\n"
ski=$(openssl x509 -in "$P/alice.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :')
issue "/C=XX/O=Cachet Test/CN=Alice Three/emailAddress=alice3@example.com" $W/a2.key $W/a3.crt "$P/inter.crt" "$P/inter.key" 0x7777 \
    "${LEAF_EXT}subjectAltName=email:alice3@example.com\nsubjectKeyIdentifier=$ski\n"
openssl cms -encrypt -keyid -aes-256-cbc -binary -outform DER -in "$ENT" -out $W/envk.der -recip "$P/alice.crt"
expect control-ce01-two-distinct-keys-decrypt 0 decrypt --raw --cert "$P/bob.crt" --key "$P/bob.key" $A --in $W/env.der --out $W/c.out
expect control-ce01-same-credential-twice-decrypts 0 decrypt --raw $A $A --in $W/env.der --out $W/c.out
expect control-ce01-ski-recipient-decrypts 0 decrypt --raw $A --in $W/envk.der --out $W/c.out
# a renewed certificate of the same key has the same subjectKeyIdentifier: no ambiguity
issue "/C=XX/O=Cachet Test/CN=Alice/emailAddress=alice@example.com" "$P/alice.key" $W/renewed.crt "$P/inter.crt" "$P/inter.key" 0x2101 \
    "${LEAF_EXT}subjectAltName=email:alice@example.com\nsubjectKeyIdentifier=hash\n"
expect control-ce01-renewed-certificate-same-key-decrypts 0 decrypt --raw --cert $W/renewed.crt --key "$P/alice.key" $A --in $W/envk.der --out $W/c.out
for order in first second; do
    if [ $order = first ]; then set -- $A --cert $W/a2.crt --key $W/a2.key; else set -- --cert $W/a2.crt --key $W/a2.key $A; fi
    refused "ce01-same-issuer-serial-keys-refused-$order" 2 $F decrypt --raw "$@" --in $W/env.der --out $F
    says "ce01-same-issuer-serial-keys-reason-$order" "are certificates of different keys with the same issuer and serial number"
done
refused ce01-same-ski-keys-refused 2 $F decrypt --raw --cert $W/a3.crt --key $W/a2.key $A --in $W/envk.der --out $F
says ce01-same-ski-keys-reason "are certificates of different keys with the same subjectKeyIdentifier"
# the message for alice2 names alice's issuer and serial: alice's key alone is tried and
# fails like any other wrong key (one uniform failure), never a second key
openssl cms -encrypt -aes-256-cbc -binary -outform DER -in "$ENT" -out $W/env2.der -recip $W/a2.crt
refused ce01-lookalike-recipient-uniform-failure 1 $F decrypt --raw $A --in $W/env2.der --out $F
says ce01-lookalike-recipient-uniform-failure-reason "decryption failed"
expect control-ce01-lookalike-recipient-own-key 0 decrypt --raw --cert $W/a2.crt --key $W/a2.key --in $W/env2.der --out $W/c.out
# The store: `keys import` refuses a key whose certificate a RecipientIdentifier could not tell
# from a stored key's certificate; nothing of it is stored. A renewed certificate of the stored
# key is no clash.
KS="--store $W/ce01-store.db"
cp "$P/alice.key" $W/alice-600.key
chmod 600 $W/alice-600.key $W/a2.key
expect control-ce01-store-keys-import 0 keys import $KS --key $W/alice-600.key --cert "$P/alice.crt"
refused ce01-store-same-issuer-serial-key-refused 2 $F keys import $KS --key $W/a2.key --cert $W/a2.crt
says ce01-store-same-issuer-serial-key-reason "another key whose certificate has the same issuer and serial number as this one"
says ce01-store-same-issuer-serial-key-nothing-stored "nothing was stored"
refused ce01-store-same-ski-key-refused 2 $F keys import $KS --key $W/a2.key --cert $W/a3.crt
says ce01-store-same-ski-key-reason "another key whose certificate has the same subjectKeyIdentifier as this one"
expect control-ce01-store-renewed-certificate-same-key 0 keys import $KS --key $W/alice-600.key --cert $W/renewed.crt
expect ce01-store-keys-list 0 keys list $KS
if [ "$(wc -l <"$OUT")" = 2 ] && ! grep -q -e alice2 -e alice3 "$OUT"; then
    ok ce01-store-only-alice-keys-kept
else
    fail ce01-store-only-alice-keys-kept "expected alice's two certificates, got '$(tr '\n' ' ' <"$OUT")'"
fi

# ---------------- CE-03 name constraints on e-mail addresses ----------------
# A CA under the root permitted .example.com (subdomains only, RFC 5280 §4.2.1.10) and
# excluded bad.example.com; leaves differ only in their addresses.
newkey $W/nc.key
issue "/C=XX/O=Cachet Test/CN=Constrained CA" $W/nc.key $W/nc.crt "$P/ca.crt" "$P/ca.key" 0x8001 \
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nnameConstraints=critical,permitted;email:.example.com,excluded;email:bad.example.com\n'
newkey $W/ncl.key
nc_case() { # nc_case NAME SAN DN-EMAIL RC CHAIN [DETAIL-TEXT]
    local name=$1 san=$2 dnmail=$3 rc=$4 chain=$5 subj="/C=XX/O=Cachet Test/CN=NC $1"
    [ -n "$dnmail" ] && subj="$subj/emailAddress=$dnmail"
    issue "$subj" $W/ncl.key $W/ncl.crt $W/nc.crt $W/nc.key "0x$(openssl rand -hex 8)" "keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=$san\n"
    openssl cms -sign -signer $W/ncl.crt -inkey $W/ncl.key -certfile $W/nc.crt -md sha256 -binary -outform DER \
        -nodetach -in "$ENT" -out $W/nc.der
    rm -f $F
    cx verify --raw $T --json --in $W/nc.der --out $F
    chain_is "$name" "$rc" "$chain" "status=$([ "$rc" = 0 ] && echo valid || echo invalid)"
    if [ -n "${6:-}" ]; then says "$name-reason" "$6"; fi
    if [ "$rc" != 0 ] && [ -e $F ]; then fail "$name-no-output" "expected no output file"; fi
}
nc_case control-ce03-subdomain-permitted 'email:a@sub.example.com' '' 0 trusted
nc_case ce03-upper-case-domain-permitted 'email:a@SUB.EXAMPLE.COM' '' 0 trusted
nc_case ce03-a-label-subdomain-permitted 'email:a@xn--bcher-kva.example.com' '' 0 trusted
nc_case ce03-apex-outside-leading-dot-refused 'email:a@example.com' '' 1 invalid "permitted subtree violation"
nc_case ce03-trailing-dot-refused 'email:a@sub.example.com.' '' 1 invalid "permitted subtree violation"
nc_case ce03-suffix-domain-refused 'email:a@sub.example.com.evil' '' 1 invalid "permitted subtree violation"
nc_case ce03-dn-email-outside-refused 'email:a@sub.example.com' 'a@evil.com' 1 invalid "permitted subtree violation"
nc_case ce03-excluded-subtree-refused 'email:a@bad.example.com' '' 1 invalid "excluded subtree violation"
nc_case ce03-smtputf8-outside-refused 'otherName:1.3.6.1.5.5.7.8.9;UTF8:ü@evil.com' '' 1 invalid "permitted subtree violation"
# RFC 9598 §6 would permit this one (its domain is inside): OpenSSL 3.0 refuses every
# SmtpUTF8Mailbox under an rfc822Name constraint. Fails closed; documented, not a hole.
nc_case ce03-smtputf8-inside-fails-closed 'otherName:1.3.6.1.5.5.7.8.9;UTF8:ü@sub.example.com' '' 1 invalid "permitted subtree violation"

# ---------------- CE-10 oversized keys ----------------
# Certificates for keys nobody holds (random moduli), re-signed by the intermediate and
# swapped in for alice's (same issuer and serial): refused before the RSA arithmetic above
# 16384 bits, and quickly whatever the size.
for v in 16384:17:"signature does not verify" 16392:17:"RSA key of 16392 bits refused (over 16384 bits)" \
    65536:17:"RSA key of 65536 bits refused (over 16384 bits)" 2048:10000:"signature does not verify"; do
    IFS=: read -r bits ebits why <<<"$v"
    $ATT cert-rsa-spki $W/alice.der $W/big.der "$P/inter.key" "$bits" "$ebits"
    $ATT swap-cert $S $W/x.der $W/big.der
    rm -f $F
    timed verify --raw $T --in $W/x.der --out $F
    name=ce10-rsa-$bits-bits-e-$ebits-bits-refused
    if rc_is "$name" 1; then
        [ ! -e $F ] && ok "$name" || fail "$name" "expected no output file"
        says "$name-reason" "$why"
        bounded "$name-cpu-bounded"
    fi
done
# explicit EC parameters (CVE-2022-0778 class): the signer's chain is refused
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:explicit -out $W/ex.key 2>/dev/null
issue "/C=XX/O=Cachet Test/CN=Explicit/emailAddress=ex@example.com" $W/ex.key $W/ex.crt "$P/inter.crt" "$P/inter.key" 0x7010 \
    "keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:ex@example.com\n"
openssl cms -sign -signer $W/ex.crt -inkey $W/ex.key -certfile "$P/inter.crt" -md sha256 -binary -outform DER -nodetach -in "$ENT" -out $W/ex.der
cx verify --raw $T --json --in $W/ex.der --out $F
chain_is ce10-explicit-ec-parameters-signer-refused 1 invalid status=invalid
says ce10-explicit-ec-parameters-signer-reason "explicit ECC parameters"

# ---------------- CE-11 trust anchors and trust scope ----------------
# the attacker's root (the real root's DN) travels in the message: never an anchor
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $W/ar.key -out $W/ar.crt \
    -subj "/C=XX/O=Cachet Test/CN=Cachet Test Root CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
newkey $W/al.key
issue "/C=XX/O=Cachet Test/CN=Alice/emailAddress=alice@example.com" $W/al.key $W/al.crt $W/ar.crt $W/ar.key 9 \
    "keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.com\n"
openssl cms -sign -signer $W/al.crt -inkey $W/al.key -certfile $W/ar.crt -md sha256 -binary -outform DER -nodetach -in "$ENT" -out $W/ar.der
cx verify --raw $T --json --in $W/ar.der --out $F
chain_is ce11-embedded-root-is-no-anchor 1 untrusted status=invalid layers.0.signers.0.signature=valid
cx verify --raw --json --in $W/ar.der --out $F
chain_is ce11-embedded-root-without-trust-is-no-anchor 1 untrusted status=invalid
says ce11-embedded-root-reason "self-signed certificate in certificate chain"
# OpenSSL's per-purpose trust (TRUSTED CERTIFICATE with -addtrust/-addreject): cachet's
# anchors are for S/MIME only and carry no per-purpose settings, so such a file is refused
# as an anchor rather than half-honoured (a TLS-only root can never validate S/MIME).
for v in "-addtrust serverAuth:tls-only" "-addreject emailProtection:email-rejected"; do
    openssl x509 -in "$P/ca.crt" ${v%%:*} -out $W/aux.pem
    refused "ce11-${v#*:}-aux-trust-root-refused" 2 $F verify --raw --trust $W/aux.pem --in $S --out $F
    says "ce11-${v#*:}-aux-trust-root-reason" "no CERTIFICATE block in PEM data"
done

# ---------------- PA-13 hostile strings in certificate subjects ----------------
# alice's certificate with its CN replaced (re-signed by the intermediate) is swapped into a
# message she signed. Strings that do not decode make the certificate unusable (no crash);
# decodable ones with NUL, ESC, bidi, CR/LF are escaped in the text and in the JSON.
openssl req -new -key "$P/alice.key" -subj "/C=XX/O=Cachet Test/CN=Alice Strings" -out $W/ps.csr
printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:alice@example.com\n' >$W/ps.ext
openssl x509 -req -in $W/ps.csr -CA "$P/inter.crt" -CAkey "$P/inter.key" -set_serial 0x5013 -days 30 -extfile $W/ps.ext -out $W/ps.crt 2>/dev/null
openssl cms -sign -signer $W/ps.crt -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary -outform DER -nodetach -in "$ENT" -out $W/ps.der
no_raw_controls() { # no_raw_controls FILE...: no C0 control (but LF), DEL, or bidi controls
    "$PY" -c 'import re, sys; sys.exit(any(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]", open(f, "rb").read()) for f in sys.argv[1:]))' "$@"
}
while IFS='|' read -r name tag hex subject; do
    [ -n "$name" ] || continue
    $ATT cert-cn $W/ps.crt $W/pscn.der "$P/inter.key" "$tag" "$hex"
    $ATT swap-cert $W/ps.der $W/x.der $W/pscn.der
    rm -f $F
    cx verify --raw $T --json --in $W/x.der --out $F
    if [ -z "$subject" ]; then # undecodable: the certificate is not used
        rc_is "pa13-cert-cn-$name-unusable" 1 &&
            jcheck "pa13-cert-cn-$name-unusable" "$OUT" status=invalid layers.0.signers.0.signature=invalid
        continue
    fi
    cp "$OUT" $W/cn.json
    rc_is "pa13-cert-cn-$name-escaped-json" 0 &&
        jcheck "pa13-cert-cn-$name-escaped-json" "$OUT" "layers.0.signers.0.subject=$subject"
    cx verify --raw $T --in $W/x.der --out $F
    # the text report escapes the backslashes of the RFC 4514 escapes once more
    rc_is "pa13-cert-cn-$name-escaped-text" 0 && says "pa13-cert-cn-$name-escaped-text" "(${subject//\\/\\\\})"
    if no_raw_controls $W/cn.json "$ERR"; then ok "pa13-cert-cn-$name-no-raw-controls"; else fail "pa13-cert-cn-$name-no-raw-controls" "expected escaped output, got raw control or bidi characters"; fi
done <<'CASES'
bmp-even|1e|00410042|CN=AB,O=Cachet Test,C=XX
bmp-odd-length|1e|004100|
bmp-lone-surrogate|1e|d800|
universal-not-multiple-of-4|1c|000000410000|
utf8-invalid|0c|41c3284142|
utf8-overlong|0c|c0af|
utf8-embedded-nul|0c|41004142|CN=A\00AB,O=Cachet Test,C=XX
utf8-bidi-override|0c|41e280ae4142|CN=A\E2\80\AEAB,O=Cachet Test,C=XX
utf8-escape-sequence|0c|411b5b324a42|CN=A\1B[2JB,O=Cachet Test,C=XX
printable-crlf|13|410a0d42|CN=A\0A\0DB,O=Cachet Test,C=XX
CASES
# SAN addresses with NUL/CR/LF/ESC: signed.sh id05-* (address_match false); the address list
# drops control characters: unit test_crypto_trust emails_drop_control_chars_and_duplicates.

# ---------------- PA-15 hostile certificates carried in messages ----------------
$ATT add-certs $S $W/x.der $W/ex.crt
expect pa15-extra-explicit-ec-certificate-ignored 0 verify --raw $T --in $W/x.der --out $W/c.out
$ATT add-certs $S $W/x.der choice:1 choice:2 choice:3
expect pa15-attribute-and-other-certificate-choices-ignored 0 verify --raw $T --in $W/x.der --out $W/c.out
$ATT add-certs $S $W/x.der copies:100:"$P/bob.crt"
refused pa15-100-certificates-over-limit 3 $F verify --raw $T --in $W/x.der --out $F
says pa15-100-certificates-over-limit-reason "more than 64 certificates"
$ATT add-certs $S $W/x.der copies:10000:"$P/bob.crt"
timed verify --raw $T --in $W/x.der --out $F
rc_is pa15-10000-certificates-over-limit 3 && ok pa15-10000-certificates-over-limit
bounded pa15-10000-certificates-cpu-bounded
[ ! -e $F ] || fail pa15-10000-certificates-no-output "expected no output file"
# a loop A -> B -> A above the signer: untrusted, terminates
newkey $W/la.key
newkey $W/lb.key
openssl req -new -x509 -key $W/lb.key -subj "/CN=Loop B" -days 30 -out $W/lb-self.crt
CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n'
issue "/CN=Loop A" $W/la.key $W/la.crt $W/lb-self.crt $W/lb.key 1 "$CA_EXT"
issue "/CN=Loop B" $W/lb.key $W/lb.crt $W/la.crt $W/la.key 2 "$CA_EXT"
issue "/CN=Looped/emailAddress=loop@example.com" $W/ncl.key $W/ll.crt $W/la.crt $W/la.key 3 \
    "keyUsage=critical,digitalSignature\nsubjectAltName=email:loop@example.com\n"
openssl cms -sign -signer $W/ll.crt -inkey $W/ncl.key -certfile <(cat $W/la.crt $W/lb.crt) -md sha256 -binary -outform DER \
    -nodetach -in "$ENT" -out $W/loop.der
timed verify --raw $T --json --in $W/loop.der --out $F
chain_is pa15-certificate-loop-untrusted 1 untrusted status=invalid
bounded pa15-certificate-loop-cpu-bounded
# 20 CAs with policy constraints and mappings (CVE-2023-0464 needs policy processing, which
# the S/MIME profile does not enable): processed in bounded time
prev_crt=$P/ca.crt
prev_key=$P/ca.key
: >$W/pchain.pem
for i in $(seq 1 20); do
    newkey $W/pc$i.key
    issue "/CN=Policy CA $i" $W/pc$i.key $W/pc$i.crt "$prev_crt" "$prev_key" $((9000 + i)) \
        "${CA_EXT}certificatePolicies=1.2.3.$i,1.2.3.$((i + 100))\npolicyConstraints=critical,requireExplicitPolicy:0,inhibitPolicyMapping:5\npolicyMappings=1.2.3.$i:1.2.3.$((i + 1)),1.2.3.$((i + 100)):1.2.3.$((i + 1))\n"
    cat $W/pc$i.crt >>$W/pchain.pem
    prev_crt=$W/pc$i.crt
    prev_key=$W/pc$i.key
done
issue "/CN=Policy leaf/emailAddress=pol@example.com" $W/ncl.key $W/pl.crt "$prev_crt" "$prev_key" 9100 \
    "keyUsage=critical,digitalSignature\nsubjectAltName=email:pol@example.com\ncertificatePolicies=1.2.3.21\n"
openssl cms -sign -signer $W/pl.crt -inkey $W/ncl.key -certfile $W/pchain.pem -md sha256 -binary -outform DER \
    -nodetach -in "$ENT" -out $W/pol.der
timed verify --raw $T --json --in $W/pol.der --out $W/c.out
chain_is pa15-20-level-policy-chain-bounded 0 trusted
bounded pa15-20-level-policy-chain-cpu-bounded
# serial numbers: 64 KB and negative (RFC 5280 §4.1.2.2 says positive, at most 20 octets;
# OpenSSL parses both). The signer's certificate re-issued with such a serial, the
# SignerIdentifier naming it: verified in bounded time like OpenSSL does; as an extra
# certificate it is ignored.
for v in bytes:65536:64k -4242:negative; do
    $ATT cert-serial $W/alice.der $W/ser.der "$P/inter.key" "${v%:*}"
    "$PY" - $S $W/ser.der $W/x.der "$CACHET_SRC/tests/attacks" <<'PY'
import sys
sys.path.insert(0, sys.argv[4])
import cmslib as C
import derlib as D
root, cert = C.load(sys.argv[1]), C.load(sys.argv[2])
sd = C.content(root)
certs = sd.find(0xA0)
serial = cert.kids[0].kids[1]
for i, c in enumerate(certs.kids):
    if C.D.ser(c.kids[0].kids[3]) == D.ser(cert.kids[0].kids[3]) and D.ser(c.kids[0].kids[5]) == D.ser(cert.kids[0].kids[5]):
        certs.kids[i] = cert
C.signer_infos(sd).kids[0].kids[1].kids[1] = serial
open(sys.argv[3], "wb").write(D.ser(root))
PY
    if [ "${v##*:}" = 64k ] && [ "$(stat -c %s $W/x.der)" -lt 131072 ]; then
        fail control-pa15-64k-serial-in-certificate-and-signer-id "expected the serial twice in the message, got $(stat -c %s $W/x.der) bytes"
    fi
    timed verify --raw $T --json --in $W/x.der --out $W/c.out
    chain_is "pa15-${v##*:}-serial-signer-verified-like-openssl" 0 trusted status=valid layers.0.signers.0.signer_id=issuerAndSerialNumber
    bounded "pa15-${v##*:}-serial-signer-cpu-bounded"
    $ATT add-certs $S $W/x.der $W/ser.der
    expect "pa15-${v##*:}-serial-extra-certificate-ignored" 0 verify --raw $T --in $W/x.der --out $W/c.out
done

# ---------------- CE-08 / PA-16 revocation and CRL inputs ----------------
# The revocation CA of tests/pki/mkrevocation.sh; its OCSP responder and CRL distribution
# point are a port nobody listens on, so only what the store holds answers.
dead=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash "$CACHET_SRC/tests/pki/mkrevocation.sh" $W/rev "$dead" "$dead" >$W/mkrev.log 2>&1
R=$W/rev
RT="--trust $R/ca.crt"
for n in good revoked; do
    openssl cms -sign -signer $R/$n.crt -inkey $R/$n.key -md sha256 -binary -outform DER -nodetach -in "$ENT" -out $W/rv-$n.der
done
export CACHET_STORE=$W/rev.db
"$CACHET" certs import --anchor $R/ca.crt >/dev/null 2>&1
cx verify --raw $RT --revocation none --json --in $W/rv-revoked.der --out $W/c.out
chain_is control-ce08-revocation-none-trusted 0 trusted
cx verify --raw $RT --revocation soft --json --in $W/rv-revoked.der --out $W/c.out
chain_is ce08-unavailable-soft-is-unknown-not-plain-valid 0 trusted
reports ce08-unavailable-soft-warns "revocation status unknown"
jcheck ce08-unavailable-soft-detail-says-unknown "$OUT" "layers.0.signers.0.chain_detail=revocation status unknown: OCSP responder http://127.0.0.1:$dead did not answer: connection refused; CRL http://127.0.0.1:$dead/ca.crl could not be fetched: connection refused"
cx verify --raw $RT --revocation hard --json --in $W/rv-revoked.der --out $F
chain_is ce08-unavailable-hard-refused 1 invalid status=invalid
[ ! -e $F ] || fail ce08-unavailable-hard-no-output "expected no output file"
# a CRL signed by an impostor with the CA's name is not taken
refused ce08-crl-from-another-ca-not-imported 1 $F certs import-crl $R/wrongkey.crl.pem
says ce08-crl-from-another-ca-reason "does not verify with a stored issuer certificate"
# a stale CRL (nextUpdate passed) is stored but answers "unknown", never "good"
(cd $R && openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -gencrl -crlexts crl_ext \
    -crl_lastupdate 20200101000000Z -crl_nextupdate 20200201000000Z -out stale.crl.pem 2>/dev/null)
expect control-ce08-stale-crl-imports 0 certs import-crl $R/stale.crl.pem
cx verify --raw $RT --revocation soft --json --in $W/rv-revoked.der --out $W/c.out
chain_is ce08-stale-crl-is-unknown 0 trusted
reports ce08-stale-crl-reason "expired 2020-02-01"
cx verify --raw $RT --revocation hard --json --in $W/rv-good.der --out $F
chain_is ce08-stale-crl-hard-refused 1 invalid
# PA-16: a delta CRL without cRLNumber (CVE-2026-28388): refused, in the store and in a message
$ATT crl-drop-number $R/delta.crl.pem $W/delta-nonum.der $R/ca.key
refused pa16-delta-crl-without-number-not-imported 1 $F certs import-crl $W/delta-nonum.der
says pa16-delta-crl-without-number-reason "a delta CRL (only complete CRLs are used)"
$ATT add-crls $W/rv-revoked.der $W/x.der $W/delta-nonum.der
cx verify --raw $RT --revocation soft --harvest --json --in $W/x.der --out $W/c.out
chain_is pa16-delta-crl-without-number-in-message-ignored 0 trusted
# an attacker's CRL in SignedData.crls (impostor CA, "revokes" nothing) is neither stored
# nor trusted; an OtherRevocationInfoFormat is skipped
$ATT add-crls $W/rv-revoked.der $W/x.der $R/wrongkey.crl other
cx verify --raw $RT --revocation soft --harvest --json --in $W/x.der --out $W/c.out
chain_is pa16-attacker-crl-in-message-ignored 0 trusted
# the genuine CRL in the message, harvested: now the revoked signer is refused from the store
$ATT add-crls $W/rv-revoked.der $W/x.der $R/www/ca.crl
expect control-pa16-genuine-crl-in-message-harvested 0 verify --raw $RT --revocation none --harvest --in $W/x.der --out $W/c.out
cx verify --raw $RT --revocation soft --json --in $W/rv-revoked.der --out $F
chain_is ce08-revoked-signer-refused 1 invalid status=invalid
says ce08-revoked-signer-reason "signer certificate revoked (crl from the store"
cx verify --raw $RT --revocation soft --json --in $W/rv-good.der --out $W/c.out
chain_is control-ce08-good-signer-with-crl-trusted 0 trusted
# a CRL of 100,000 entries (2 MB) in the message and in the store: bounded time
$ATT big-crl $R/ca.crt $W/big.crl $R/ca.key 100000
$ATT add-crls $W/rv-good.der $W/x.der $W/big.crl
timed verify --raw $RT --revocation soft --harvest --in $W/x.der --out $W/c.out
rc_is pa16-100000-entry-crl-in-message 0 && ok pa16-100000-entry-crl-in-message
bounded pa16-100000-entry-crl-in-message-cpu-bounded
timed certs import-crl $W/big.crl
rc_is pa16-100000-entry-crl-import 0 && ok pa16-100000-entry-crl-import
bounded pa16-100000-entry-crl-import-cpu-bounded
export CACHET_STORE=$W/nostore.db

# ---------------- PA-04 originatorInfo certificate / CRL choices ----------------
openssl cms -encrypt -aes-256-gcm -binary -outform DER -in "$ENT" -out $W/gcm.der -recip "$P/alice.crt"
for base in env gcm; do
    for k in choices crl-other "$P/bob.crt" many:60:"$P/bob.crt"; do
        $ATT originator-info $W/$base.der $W/x.der "$k"
        name=$(basename "${k%%:*}" .crt)
        [ "${k%%:*}" = many ] && name=60-certificates
        cx decrypt --raw $A --in $W/x.der --out $W/oi.out
        rc_is "pa04-$base-originator-info-$name-skipped" 0 && same_bytes "pa04-$base-originator-info-$name-skipped" "$ENT" $W/oi.out
    done
    $ATT originator-info $W/$base.der $W/x.der many:10000:"$P/bob.crt"
    timed decrypt --raw $A --in $W/x.der --out $F
    rc_is "pa04-$base-originator-info-10000-certificates-over-limit" 3 && ok "pa04-$base-originator-info-10000-certificates-over-limit"
    bounded "pa04-$base-originator-info-10000-certificates-cpu-bounded"
    [ ! -e $F ] || fail "pa04-$base-originator-info-10000-no-output" "expected no output file"
done

finish
