#!/usr/bin/env bash
# mkdomains.sh DIR — the test PKI of two mail domains and their authorities
# (RFC 3183 naming conventions), for cachetd's unit, milter and end-to-end tests
# and the demo. One root (ca.crt) issues every leaf directly.
#
#   a.example: dsa-a   domain-signing-authority@a.example   (RSA-2048, sign)
#              dca-a   domain-confidentiality-authority@a.example (RSA-2048, encrypt)
#              ra-a    review-authority@a.example            aa-a attribute-authority@a.example
#              alice   alice@a.example (RSA-2048, sign+encrypt)
#   b.example: dsa-b, dca-b, bob (bob@b.example), carol (carol@b.example, EC P-256)
#   attackers: dsa-evil  domain-signing-authority@evil.example
#              dsa-sub   domain-signing-authority@sub.a.example (a descendant of a.example)
#              dsa-up    domain-signing-authority@example      (single label: never an ascendant)
#              dsa-caps  DOMAIN-SIGNING-AUTHORITY@A.EXAMPLE     (case: conforms)
#              mallory   mallory@a.example, an ordinary user certificate
#              dca-evil  domain-confidentiality-authority@evil.example
#   rogue-ca.crt/.key and rogue-dsa-a: a domain-signing-authority@a.example from an untrusted root.
# For each leaf NAME: NAME.key (PKCS#8 PEM, no password, mode 0600), NAME.crt.
# The CN of each authority is its reserved name (§3.1.1: exactly one CN).
# Idempotent: a complete DIR (stamp file present) is left as it is.
set -euo pipefail

dir=${1:?usage: mkdomains.sh DIR}
mkdir -p "$dir"
cd "$dir"
if [ -f .complete ]; then
    exit 0
fi
umask 077
days=3650

root() { # root NAME CN
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
    openssl req -new -x509 -key "$1.key" -out "$1.crt" -days $((days + 10)) -sha256 \
        -subj "/C=XX/O=Cachet Domains/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" 2>/dev/null
}

# leaf CA SERIAL NAME O CN EMAIL KEYTYPE KU
leaf() {
    local ca=$1 serial=$2 name=$3 org=$4 cn=$5 email=$6 kt=$7 ku=$8
    case $kt in
        rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key" 2>/dev/null ;;
        p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key" ;;
    esac
    openssl req -new -key "$name.key" -subj "/C=XX/O=$org/CN=$cn" -out "$name.csr"
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,$ku"
        echo "extendedKeyUsage=emailProtection"
        echo "subjectAltName=email:$email"
        echo "subjectKeyIdentifier=hash"
        echo "authorityKeyIdentifier=keyid"
    } >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -set_serial "$serial" \
        -days $days -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

sign=digitalSignature,nonRepudiation
enc=keyEncipherment
both=digitalSignature,nonRepudiation,keyEncipherment
root ca "Cachet Domains Root CA"
root rogue-ca "Rogue Root CA"

leaf ca 0x101 dsa-a "A Example" domain-signing-authority domain-signing-authority@a.example rsa $sign &
leaf ca 0x102 dca-a "A Example" domain-confidentiality-authority domain-confidentiality-authority@a.example rsa $enc &
leaf ca 0x103 ra-a "A Example" review-authority review-authority@a.example rsa $sign &
leaf ca 0x104 aa-a "A Example" attribute-authority attribute-authority@a.example rsa $sign &
wait
leaf ca 0x105 alice "A Example" Alice alice@a.example rsa $both &
leaf ca 0x201 dsa-b "B Example" domain-signing-authority domain-signing-authority@b.example rsa $sign &
leaf ca 0x202 dca-b "B Example" domain-confidentiality-authority domain-confidentiality-authority@b.example rsa $enc &
leaf ca 0x203 bob "B Example" Bob bob@b.example rsa $both &
wait
leaf ca 0x204 carol "B Example" Carol carol@b.example p256 digitalSignature,keyAgreement
leaf ca 0x301 dsa-evil "Evil" domain-signing-authority domain-signing-authority@evil.example p256 $sign
leaf ca 0x302 dsa-sub "A Example" domain-signing-authority domain-signing-authority@sub.a.example p256 $sign
leaf ca 0x303 dsa-up "Example" domain-signing-authority domain-signing-authority@example p256 $sign
leaf ca 0x304 dsa-caps "A Example" DOMAIN-SIGNING-AUTHORITY DOMAIN-SIGNING-AUTHORITY@A.EXAMPLE p256 $sign
leaf ca 0x305 mallory "A Example" Mallory mallory@a.example p256 $sign
leaf ca 0x306 dca-evil "Evil" domain-confidentiality-authority domain-confidentiality-authority@evil.example rsa $enc
leaf rogue-ca 0x401 rogue-dsa-a "A Example" domain-signing-authority domain-signing-authority@a.example p256 $sign
chmod 0644 ./*.crt
touch .complete
