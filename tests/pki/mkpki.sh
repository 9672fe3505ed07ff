#!/usr/bin/env bash
# mkpki.sh DIR — a complete test PKI made with openssl, for the CLI suites and the demo.
#
#   ca.crt/ca.key         root CA (EC P-256)             inter.crt/inter.key  intermediate CA (EC P-256)
#   alice                 RSA-2048, sign+encrypt, SAN alice@example.com, EKU emailProtection
#   bob                   RSA-2048 (bob@example.com)      carol  EC P-256 (carol@example.com)
#   dave                  EC P-384 (dave@example.com)     erin   Ed25519, signing only (erin@example.com)
#   frank                 RSA-1024, weak (frank@example.com)
#   expired               EC P-256, validity 2020-01-01..2021-01-01 (expired@example.com)
#   notyet                EC P-256, validity 2090-01-01..2091-01-01 (notyet@example.com)
#   srveku                EC P-256, EKU serverAuth only (srveku@example.com)
#   kusig                 RSA-2048, keyUsage digitalSignature only (kusig@example.com)
#   kuenc                 EC P-256, keyUsage keyEncipherment only (kuenc@example.com)
#   fakealice             self-signed, same subject DN and SAN as alice, attacker's RSA key
#   alice.p12             alice's key + certificate + intermediate, password "alicepass"
# For each leaf NAME: NAME.key (PKCS#8 PEM, no password), NAME.crt (leaf only), NAME.pem
# (leaf + intermediate). Leaves are issued by the intermediate; the trust anchor is ca.crt.
# Certificates are valid for 10 years from the time the PKI is made (except expired/notyet).
# Idempotent: a complete DIR (stamp file present) is left as it is. With CACHET_TEST_PKI
# naming a complete DIR, that one is copied.
set -euo pipefail

dir=${1:?usage: mkpki.sh DIR}
mkdir -p "$dir"
cd "$dir"
if [ -f .complete ]; then
    exit 0
fi
# A PKI this script made once for the build (CACHET_TEST_PKI, tests/CMakeLists.txt) is
# copied: the same keys in every suite, for a copy's cost instead of six RSA key pairs.
if [ -n "${CACHET_TEST_PKI:-}" ] && [ -f "$CACHET_TEST_PKI/.complete" ]; then
    cp -a "$CACHET_TEST_PKI/." .
    exit 0
fi

days=3650
subj_base="/C=XX/O=Cachet Test"

keygen() { # keygen FILE ALG
    case $2 in
        rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$1" 2>/dev/null ;;
        rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
        p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
        p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
        ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
        *) echo "mkpki: unknown key type $2" >&2; exit 2 ;;
    esac
}

# Root and intermediate.
keygen ca.key p256
openssl req -new -x509 -key ca.key -out ca.crt -days $((days + 10)) -sha256 \
    -subj "$subj_base/CN=Cachet Test Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
keygen inter.key p256
openssl req -new -key inter.key -subj "$subj_base/CN=Cachet Test Intermediate CA" -out inter.csr
cat >inter.ext <<'EOF'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
openssl x509 -req -in inter.csr -CA ca.crt -CAkey ca.key -set_serial 0x1001 -days $((days + 5)) \
    -sha256 -extfile inter.ext -out inter.crt 2>/dev/null

leaf_ext() { # leaf_ext FILE EMAIL KU EKU
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,$3"
        [ -n "$4" ] && echo "extendedKeyUsage=$4"
        echo "subjectAltName=email:$2"
        echo "subjectKeyIdentifier=hash"
        echo "authorityKeyIdentifier=keyid"
    } >"$1"
}

# leaf SERIAL NAME CN EMAIL KEYTYPE KU EKU (serials are distinct: SG-10/CE-01 need that)
leaf() {
    local serial=$1
    shift
    local name=$1 cn=$2 email=$3 kt=$4 ku=$5 eku=$6
    keygen "$name.key" "$kt"
    openssl req -new -key "$name.key" -subj "$subj_base/CN=$cn/emailAddress=$email" -out "$name.csr"
    leaf_ext "$name.ext" "$email" "$ku" "$eku"
    openssl x509 -req -in "$name.csr" -CA inter.crt -CAkey inter.key -set_serial "$serial" \
        -days $days -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    cat "$name.crt" inter.crt >"$name.pem"
}

email_eku=emailProtection
leaf 0x2001 alice Alice alice@example.com rsa2048 "digitalSignature,nonRepudiation,keyEncipherment" $email_eku &
leaf 0x2002 bob Bob bob@example.com rsa2048 "digitalSignature,nonRepudiation,keyEncipherment" $email_eku &
wait
leaf 0x2003 carol Carol carol@example.com p256 "digitalSignature,keyAgreement" $email_eku
leaf 0x2004 dave Dave dave@example.com p384 "digitalSignature,keyAgreement" $email_eku
leaf 0x2005 erin Erin erin@example.com ed25519 "digitalSignature,nonRepudiation" $email_eku
leaf 0x2006 frank Frank frank@example.com rsa1024 "digitalSignature,keyEncipherment" $email_eku
leaf 0x2007 srveku "Server EKU" srveku@example.com p256 "digitalSignature,keyAgreement" serverAuth
leaf 0x2008 kusig "Sign Only" kusig@example.com rsa2048 "digitalSignature" $email_eku
leaf 0x2009 kuenc "Encipher Only" kuenc@example.com p256 "keyEncipherment" $email_eku

# Expired and not-yet-valid leaves need explicit dates: openssl ca with a throw-away database.
# The paths are relative (openssl ca runs in DIR): the build's PKI is copied into each test,
# and absolute ones made every copy's `openssl ca` write into the build's PKI, under another
# test's `cp -a` of it (test_smime_stream_discard failed so in CI beside test_smime_store_keys).
mkdir -p ca.db
: >ca.db/index.txt
cat >ca.db/ca.cnf <<EOF
[ ca ]
default_ca = test
[ test ]
database = ca.db/index.txt
new_certs_dir = ca.db
serial = ca.db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
emailAddress = optional
EOF
dated() { # dated NAME EMAIL START END SERIAL
    local name=$1 email=$2
    keygen "$name.key" p256
    openssl req -new -key "$name.key" -subj "$subj_base/CN=$name/emailAddress=$email" -out "$name.csr"
    leaf_ext "$name.ext" "$email" "digitalSignature,keyAgreement" emailProtection
    echo "$5" >ca.db/serial
    openssl ca -batch -config ca.db/ca.cnf -cert inter.crt -keyfile inter.key -in "$name.csr" \
        -startdate "$3" -enddate "$4" -extfile "$name.ext" -preserveDN -notext \
        -out "$name.crt" 2>/dev/null
    cat "$name.crt" inter.crt >"$name.pem"
}
dated expired expired@example.com 20200101000000Z 20210101000000Z 3001
dated notyet notyet@example.com 20900101000000Z 20910101000000Z 3002

# The attacker's self-signed "alice": same subject DN and address, a different key.
keygen fakealice.key rsa2048
openssl req -new -x509 -key fakealice.key -out fakealice.crt -days $days -sha256 \
    -subj "$subj_base/CN=Alice/emailAddress=alice@example.com" \
    -addext "keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment" \
    -addext "extendedKeyUsage=emailProtection" \
    -addext "subjectAltName=email:alice@example.com" 2>/dev/null
cp fakealice.crt fakealice.pem

openssl pkcs12 -export -in alice.crt -inkey alice.key -certfile inter.crt -name alice \
    -passout pass:alicepass -out alice.p12

cat ca.crt inter.crt >ca-chain.crt
rm -f ./*.csr ./*.ext
touch .complete
