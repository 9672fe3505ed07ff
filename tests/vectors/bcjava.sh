#!/usr/bin/env bash
# The Bouncy Castle resources (bcjava-smime in the shared corpus): OpenSSL-made ECDH P-256
# envelopes with AES key wrap (X9.63 KDF with SHA-1/256/512, wrap parameters absent or
# NULL), messages captured from real clients (Outlook, BlackBerry, Mac Mail, AS2 products,
# .NET), the ETH "SignedMailValidatorTest" PKI checked at each message's signing time, PSS
# with SHA-1/256/512, and the traps that must fail. Where the corpus has no trust anchor
# for a captured message, the case checks what can be checked: the signature is valid and
# the chain untrusted (exit 1, nothing written), what `openssl cms -verify -noverify` says.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

B=$CACHET_VECTORS/bcjava-smime
EC="--cert $B/pkix-cms/ecdh/ecc.crt --key $B/pkix-cms/ecdh/ecc.key"
SESS="abcdefghijklmnopqrstuvwxyz0123456789"
V=$B/mail-smime/validator
TIANI="--cert $B/mail-smime/cert.pem --key $B/mail-smime/key.pem"

table() {
    local f
    for f in C D G H 3 4 7 8; do
        echo "ecdh-p256-encSess$f | decrypt --raw $EC --in $B/pkix-cms/ecdh/encSess$f.asc --out \$O | 0 | out~$SESS"
    done
    # captured messages without an anchor in the corpus
    for f in mail-smime/3nnn_smime.eml mail-smime/extra-nl.eml mail-smime/multi-alternative.eml \
        mail-smime/qp-soft-break.eml mail-smime/embeddedmulti.message mail-smime/quotable.message \
        mail-smime/openssl-signed-sha256-non-default-salt-length.eml pkix-mime/quotable.message \
        pkix-mime/embeddedmulti.message mail-smime/basicAS2.message mail-smime/rawAS2.message; do
        echo "sig-only-${f//\//-} | verify --allow-legacy --no-address-check --json --in $B/$f --out \$O | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=untrusted; nofile"
    done
    for f in PSSSignDataSHA256 PSSSignDataSHA512; do
        echo "pss-detached-$f | verify --raw --json --content $B/pkix-cms/PSSSignData.data --in $B/pkix-cms/$f.sig | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.algorithm=rsassa-pss; json:layers.0.signers.0.weak=false"
        echo "pss-opaque-$f | verify --raw --json --in $B/pkix-cms/${f}Enc.sig --out \$O | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=untrusted; nofile"
    done
    cat <<TABLE
# a circular cross-certification: the signature is valid, no path is found (and no loop)
circular-path | verify --allow-legacy --no-address-check --json --in $B/mail-smime/circular.eml --out \$O | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=untrusted
# PSS over SHA-1 is legacy
pss-sha1-refused | verify --raw --json --content $B/pkix-cms/PSSSignData.data --in $B/pkix-cms/PSSSignDataSHA1.sig | 1 | json:layers.0.signers.0.signature=invalid
pss-sha1-legacy | verify --raw --allow-legacy --json --content $B/pkix-cms/PSSSignData.data --in $B/pkix-cms/PSSSignDataSHA1.sig | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.weak=true
# a zero-length OID inside a certificate is tolerated (as OpenSSL does); the signature verifies
bc1639-zero-length-oid | verify --raw --json --in $B/pkix-cms/bc1639test.p7m --out \$O | 1 | json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=untrusted
# policy: a DigestInfo without its NULL parameters is not a valid PKCS#1 v1.5 signature (strict, as OpenSSL)
rawsha256nonull-strict | verify --raw --allow-legacy --json --in $B/pkix-cms/rawsha256nonull.p7m --out \$O | 1 | json:layers.0.signers.0.signature=invalid; nofile
# PKCS#7 content not in an OCTET STRING: refused, never hashed some other way
ms-pkcs7-content-refused | verify --raw --allow-legacy --in $B/pkix-cms/SignedMSPkcs7.sig --out \$O | 3 | err~eContent is not an OCTET STRING; nooutput
# the SignedMailValidatorTest PKI (2006: MD5-signed certificates), at each signing time
validator-valid | verify --trust $V.root.crt --allow-legacy --at 2006-09-04T09:36:14Z --json --in $V.validMail.eml --out \$O | 0 | json:status=valid; json:layers.0.signers.0.weak=true
validator-valid-refused-without-legacy | verify --trust $V.root.crt --at 2006-09-04T09:36:14Z --in $V.validMail.eml --out \$O | 1 | nooutput
validator-long-validity | verify --trust $V.root.crt --allow-legacy --at 2006-09-01T12:01:23Z --json --in $V.longValidity.eml --out \$O | 0 | json:status=valid
validator-short-key-only-as-legacy | verify --trust $V.root.crt --allow-legacy --at 2006-08-28T15:05:26Z --json --in $V.shortKey.eml --out \$O | 0 | json:layers.0.signers.0.weak=true
validator-expired | verify --trust $V.root.crt --allow-legacy --at 2006-09-01T09:08:35Z --json --in $V.expired.eml --out \$O | 1 | json:layers.0.signers.0.chain=expired; nofile
validator-not-yet-valid | verify --trust $V.root.crt --allow-legacy --at 2006-08-28T15:04:01Z --json --in $V.notYetValid.eml --out \$O | 1 | json:layers.0.signers.0.chain=not_yet_valid; nofile
validator-key-usage | verify --trust $V.root.crt --allow-legacy --at 2006-08-28T12:52:38Z --json --in $V.keyUsage.eml --out \$O | 1 | json:layers.0.signers.0.chain=bad_usage; nofile
validator-ext-key-usage | verify --trust $V.root.crt --allow-legacy --at 2006-08-28T15:01:37Z --json --in $V.extKeyUsage.eml --out \$O | 1 | json:layers.0.signers.0.chain=bad_usage; nofile
validator-no-email | verify --trust $V.root.crt --allow-legacy --at 2006-08-28T15:02:56Z --json --in $V.noEmail.eml --out \$O | 1 | json:layers.0.signers.0.chain=trusted; json:layers.0.signers.0.address_match=false; nofile
# same-DN root with another key must not validate
validMail-fake-root | verify --trust $V.fakeRoot.crt --allow-legacy --at 2006-09-04T09:36:14Z --in $V.validMail.eml --out \$O | 1 | nooutput
# the CEK length does not match the AES-128/256 OID (really AES-192): strict => not decryptable
mislabelled-cek-aes128 | decrypt $TIANI --allow-legacy --in $B/mail-smime/test128.message --out \$O | 1 | nooutput
mislabelled-cek-aes256 | decrypt $TIANI --allow-legacy --in $B/mail-smime/test256.message --out \$O | 1 | nooutput
aes192-test192 | decrypt $TIANI --allow-legacy --in $B/mail-smime/test192.message --out \$O | 0 | out~Ciao from vienna
# labelled smime-type=signed-data, really EnvelopedData: the CMS contentType decides
dotnet-mislabelled-is-enveloped | inspect --json --in $B/mail-smime/dotnet_encrypted_mail.eml | 0 | json:layers.0.type=enveloped
dotnet-not-for-us | decrypt $TIANI --allow-legacy --in $B/mail-smime/dotnet_encrypted_mail.eml --out \$O | 1 | err~no RecipientInfo; nooutput
outlook2010-beta-is-enveloped | inspect --json --in $B/mail-smime/outlook_2010_beta_sime_msg.eml | 0 | json:layers.0.type=enveloped
# a p7s presented as a whole message labelled signed-data: not an envelope
broken-env-not-encrypted | decrypt $TIANI --allow-legacy --in $B/mail-smime/brokenEnv.message --out \$O | 1 | err~not encrypted; nooutput
# not S/MIME at all
plain-multipart-not-signed | verify --allow-legacy --in $B/pkix-mime/simplemultipart.eml --out \$O | 1 | err~not signed; nooutput
plain-attachment-not-signed | verify --allow-legacy --in $B/mail-smime/attachonly.eml --out \$O | 1 | err~not signed; nooutput
TABLE
}
run_table < <(table)
finish
