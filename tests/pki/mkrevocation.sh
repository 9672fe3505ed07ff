#!/usr/bin/env bash
# mkrevocation.sh DIR PORT_OCSP PORT_HTTP — a small CA for the revocation tests (RFC 5280 CRLs,
# RFC 6960 OCSP), made with openssl. Its leaves name an OCSP responder at
# http://127.0.0.1:PORT_OCSP (AIA) and a CRL at http://127.0.0.1:PORT_HTTP/ca.crl (CDP).
#
#   ca.crt/ca.key         the CA (EC P-256, "Cachet Revocation Test CA"); ca.db/index.txt is
#                         its openssl ca database (what `openssl ocsp -index` serves)
#   ocsp.crt/ocsp.key     delegated responder issued by the CA: EKU id-kp-OCSPSigning, ocspNoCheck
#   good                  RSA-2048, good@example.com, listed in the index as valid
#   revoked               RSA-2048, revoked@example.com, revoked (keyCompromise) in the index and CRL
#   unknown               RSA-2048, unknown@example.com, issued by the CA but in no index:
#                         the responder answers "unknown" and the CRL does not list it
#   plain                 RSA-2048, plain@example.com, no AIA and no CDP (nothing to ask)
#   www/ca.crl            the CA's CRL, DER, valid 30 days (ca.crl.pem: the same in PEM)
#   user.crl.pem          the same list with an IssuingDistributionPoint onlyContainsUserCerts;
#   partial.crl.pem       ... with onlySomeReasons keyCompromise; delta.crl.pem a delta CRL
#   future.crl.pem        the CA's CRL dated 2099-01-01
#   wrongkey.crt/.key     a self-signed impostor with the CA's subject DN and another key;
#                         wrongkey.crl is a CRL signed by it (revoking nothing)
#   rogue-ocsp.crt/.key   an OCSP-signing responder issued by the impostor, not by the CA
# Leaves carry digitalSignature+keyEncipherment, EKU emailProtection and their address in
# subjectAltName, so they are usable recipients; NAME.key is PKCS#8 PEM without password.
# Serials: good 0x5001, revoked 0x5002, plain 0x5003, unknown 0x5777.
set -euo pipefail

dir=${1:?usage: mkrevocation.sh DIR PORT_OCSP PORT_HTTP}
po=${2:?usage: mkrevocation.sh DIR PORT_OCSP PORT_HTTP}
ph=${3:?usage: mkrevocation.sh DIR PORT_OCSP PORT_HTTP}
mkdir -p "$dir/www" "$dir/ca.db" "$dir/wrong.db"
cd "$dir"

subj="/C=XX/O=Cachet Test/CN=Cachet Revocation Test CA"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# ca_cnf DBDIR: an openssl ca configuration with its own database.
ca_cnf() {
    : >"$1/index.txt"
    echo "unique_subject = no" >"$1/index.txt.attr"
    cat >"$1/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $PWD/$1/index.txt
new_certs_dir = $PWD/$1
serial = $PWD/$1/serial
crlnumber = $PWD/$1/crlnumber
default_md = sha256
default_crl_days = 30
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
commonName = supplied
emailAddress = optional
[ crl_ext ]
authorityKeyIdentifier = keyid
[ crl_user ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_user
[ idp_user ]
fullname = URI:http://127.0.0.1:$ph/ca.crl
onlyuser = TRUE
[ crl_partial ]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical, @idp_partial
[ idp_partial ]
fullname = URI:http://127.0.0.1:$ph/ca.crl
onlysomereasons = keyCompromise
[ crl_delta ]
authorityKeyIdentifier = keyid
2.5.29.27 = critical, DER:02:01:01
CNF
    echo 01 >"$1/crlnumber"
}
ca_cnf ca.db
ca_cnf wrong.db

ec ca.key
openssl req -new -x509 -key ca.key -out ca.crt -days 3660 -sha256 -subj "$subj" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null

# issue NAME SERIAL EXTFILE [ca|x509]: signs NAME.csr with the CA; "ca" records it in the index.
issue() {
    if [ "${4:-ca}" = ca ]; then
        echo "$2" >ca.db/serial
        openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -in "$1.csr" \
            -days 3650 -extfile "$3" -preserveDN -notext -out "$1.crt" 2>/dev/null
    else
        openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$2" -days 3650 \
            -sha256 -extfile "$3" -out "$1.crt" 2>/dev/null
    fi
}

# The delegated responder (RFC 6960 §4.2.2.2).
ec ocsp.key
openssl req -new -key ocsp.key -subj "/C=XX/O=Cachet Test/CN=Cachet Test OCSP Responder" -out ocsp.csr
cat >ocsp.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=OCSPSigning
noCheck=ignored
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
issue ocsp 4001 ocsp.ext

# leaf NAME SERIAL WITH_URLS(1|0) [ca|x509]
leaf() {
    local name=$1
    rsa "$name.key"
    openssl req -new -key "$name.key" -subj "/C=XX/O=Cachet Test/CN=$name" -out "$name.csr"
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=emailProtection"
        echo "subjectAltName=email:$name@example.com"
        echo "subjectKeyIdentifier=hash"
        echo "authorityKeyIdentifier=keyid"
        if [ "$3" = 1 ]; then
            echo "authorityInfoAccess=OCSP;URI:http://127.0.0.1:$po"
            echo "crlDistributionPoints=URI:http://127.0.0.1:$ph/ca.crl"
        fi
    } >"$name.ext"
    issue "$name" "$2" "$name.ext" "${4:-ca}"
}
leaf good 5001 1
leaf revoked 5002 1
leaf plain 5003 0
leaf unknown 5777 1 x509

openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -revoke revoked.crt \
    -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -gencrl -crlexts crl_ext \
    -out ca.crl.pem 2>/dev/null
openssl crl -in ca.crl.pem -outform DER -out www/ca.crl
# The same list scoped by an IssuingDistributionPoint: to end-entity certificates (usable),
# to one reason (partial), and as a delta CRL (RFC 5280 §5.2.4): only the first is complete.
for kind in user partial delta; do
    openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -gencrl \
        -crlexts "crl_$kind" -out "$kind.crl.pem" 2>/dev/null
done
# A genuine CRL dated in 2099 (it would shadow every current one in a cache keeping the newest).
openssl ca -batch -config ca.db/ca.cnf -cert ca.crt -keyfile ca.key -gencrl -crlexts crl_ext \
    -crl_lastupdate 20990101000000Z -crl_nextupdate 20990201000000Z -out future.crl.pem 2>/dev/null

# The impostor: same subject DN as the CA, another key; its CRL and its responder.
ec wrongkey.key
openssl req -new -x509 -key wrongkey.key -out wrongkey.crt -days 3660 -sha256 -subj "$subj" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
openssl ca -batch -config wrong.db/ca.cnf -cert wrongkey.crt -keyfile wrongkey.key -gencrl \
    -out wrongkey.crl.pem 2>/dev/null
openssl crl -in wrongkey.crl.pem -outform DER -out wrongkey.crl
ec rogue-ocsp.key
openssl req -new -key rogue-ocsp.key -subj "/C=XX/O=Cachet Test/CN=Rogue OCSP Responder" \
    -out rogue-ocsp.csr
openssl x509 -req -in rogue-ocsp.csr -CA wrongkey.crt -CAkey wrongkey.key -set_serial 0x6001 \
    -days 3650 -sha256 -extfile ocsp.ext -out rogue-ocsp.crt 2>/dev/null

rm -f ./*.csr ./*.ext
