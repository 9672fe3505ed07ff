#!/usr/bin/env bash
# Thunderbird / NSS messages (thunderbird-comm-central in the shared corpus, MANIFEST.md):
# valid, tampered, e-content mismatch, enveloped, nested (Alice then Dave), SHA-1 (weak),
# the OpenSSL-made interop envelopes for Fran, and the crafted EFAIL / wrapping samples.
# Certificates: NSS Test CA (RSA), leaves valid 2026-01-26..2031-01-26; checked --at 2026-06-01.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

TB=$CACHET_VECTORS/thunderbird-comm-central/mailnews-test-data-smime
TBM=$CACHET_VECTORS/thunderbird-comm-central/mailnews-test-data-smime-manual
TBI=$CACHET_VECTORS/thunderbird-comm-central/mailnews-test-data-smime-interop
TBB=$CACHET_VECTORS/thunderbird-comm-central/mail-test-browser-smime-data
TBP=$CACHET_VECTORS/thunderbird-comm-central/mail-test-browser-openpgp-data-eml
AT="--at 2026-06-01"
TRUST="--trust $TB/TestCA.pem $AT"
BOB="--p12 $TB/Bob.p12 --pass pass:nss"
TXT="This is a test message from Alice to Bob."

table() {
    local D d
    for D in SHA256 SHA384 SHA512; do
        d=$(echo "$D" | tr 'A-Z' 'a-z')
        cat <<EOF
dsig-$D-multipart-valid | verify $TRUST --json --in $TB/alice.dsig.$D.multipart.eml --out \$O | 0 | out~$TXT; json:status=valid; json:layers.0.type=signed; json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=trusted; json:layers.0.signers.0.digest=$d; json:layers.0.signers.0.algorithm=rsaEncryption; json:layers.0.signers.0.address_match=true; json:layers.0.signers.0.weak=false
dsig-$D-multipart-tampered-invalid | verify $TRUST --in $TB/alice.dsig.$D.multipart.bad.eml --out \$O | 1 | nooutput
dsig-$D-multipart-tampered-report | verify $TRUST --json --in $TB/alice.dsig.$D.multipart.bad.eml | 1 | json:status=invalid; json:layers.0.signers.0.signature=invalid; !out~FAKE
dsig-$D-mismatch-econtent-refused | verify $TRUST --in $TB/alice.dsig.$D.multipart.mismatch-econtent.eml --out \$O | 1 | nooutput
sig-$D-opaque-valid | verify $TRUST --json --in $TB/alice.sig.$D.opaque.eml --out \$O | 0 | out~$TXT; json:status=valid; json:layers.0.signers.0.digest=$d; json:layers.0.signers.0.address_match=true
html-sig-$D-opaque-valid | verify $TRUST --json --in $TB/alice.html.sig.$D.opaque.eml --out \$O | 0 | out~<html><body>$TXT; json:status=valid
env-decrypts | decrypt $BOB --json --in $TB/alice.env.eml --out \$O | 0 | out~$TXT; json:layers.0.type=enveloped; json:layers.0.authenticated=false; json:layers.0.cipher=aes-128-cbc; json:layers.0.key_management=rsaEncryption
dsig-$D-multipart-env-decrypt-and-verify | decrypt $BOB $TRUST --json --in $TB/alice.dsig.$D.multipart.env.eml --out \$O | 0 | out~$TXT; json:status=valid; json:layers.0.type=enveloped; json:layers.1.type=signed; json:layers.1.signers.0.signature=valid; json:layers.1.signers.0.digest=$d
dsig-$D-multipart-env-decrypt-only-keeps-signature | decrypt $BOB --in $TB/alice.dsig.$D.multipart.env.eml --out \$O | 0 | out~$TXT; out~pkcs7-signature
sig-$D-opaque-env-decrypt-and-verify | decrypt $BOB $TRUST --json --in $TB/alice.sig.$D.opaque.env.eml --out \$O | 0 | out~$TXT; json:layers.0.type=enveloped; json:layers.1.type=signed; json:status=valid
html-sig-$D-opaque-env-decrypt-and-verify | decrypt $BOB $TRUST --json --in $TB/alice.html.sig.$D.opaque.env.eml --out \$O | 0 | out~$TXT; json:status=valid
env-sig-$D-opaque-verify-and-decrypt | verify $TRUST $BOB --json --in $TB/alice.env.sig.$D.opaque.eml --out \$O | 0 | out~$TXT; json:status=valid; json:layers.0.type=signed; json:layers.1.type=enveloped
env-sig-$D-opaque-verify-without-key | verify $TRUST --in $TB/alice.env.sig.$D.opaque.eml --out \$O | 1 | nooutput; err~encrypted
env-dsig-$D-multipart-outer-invalid | verify $TRUST $BOB --in $TB/alice.env.dsig.$D.multipart.eml --out \$O | 1 | nooutput
plain-dsig-dave-dsig-$D-nested-valid | verify $TRUST --no-address-check --json --in $TB/alice.plain.dsig.$D.multipart.dave.dsig.$D.multipart.eml --out \$O | 0 | out~$TXT; json:status=valid; json:layers.0.type=signed; json:layers.1.type=signed; json:layers.0.signers.0.signature=valid; json:layers.1.signers.0.signature=valid
plain-dsig-dave-sig-$D-nested-valid | verify $TRUST --no-address-check --json --in $TB/alice.plain.dsig.$D.multipart.dave.sig.$D.opaque.eml --out \$O | 0 | out~$TXT; json:layers.1.type=signed
plain-sig-dave-dsig-$D-nested-valid | verify $TRUST --no-address-check --json --in $TB/alice.plain.sig.$D.opaque.dave.dsig.$D.multipart.eml --out \$O | 0 | out~$TXT; json:layers.1.type=signed
plain-sig-dave-sig-$D-nested-valid | verify $TRUST --no-address-check --json --in $TB/alice.plain.sig.$D.opaque.dave.sig.$D.opaque.eml --out \$O | 0 | out~$TXT; json:layers.1.type=signed
env-sig-dave-sig-$D-three-layers | verify $TRUST $BOB --no-address-check --json --in $TB/alice.env.sig.$D.opaque.dave.sig.$D.opaque.eml --out \$O | 0 | out~$TXT; json:layers.0.type=signed; json:layers.1.type=signed; json:layers.2.type=enveloped
env-dsig-dave-sig-$D-inner-invalid | verify $TRUST $BOB --no-address-check --in $TB/alice.env.dsig.$D.multipart.dave.sig.$D.opaque.eml --out \$O | 1 | nooutput
EOF
    done
    cat <<EOF
# SHA-1 signatures: refused by default, accepted and reported weak with --allow-weak.
dsig-SHA1-refused-by-default | verify $TRUST --in $TB/alice.dsig.SHA1.multipart.eml --out \$O | 1 | nooutput
dsig-SHA1-allow-weak-reported-weak | verify $TRUST --allow-weak --json --in $TB/alice.dsig.SHA1.multipart.eml --out \$O | 0 | out~$TXT; json:layers.0.signers.0.digest=sha1; json:layers.0.signers.0.weak=true
sig-SHA1-opaque-refused-by-default | verify $TRUST --in $TB/alice.sig.SHA1.opaque.eml --out \$O | 1 | nooutput
sig-SHA1-opaque-allow-weak | verify $TRUST --allow-weak --json --in $TB/alice.sig.SHA1.opaque.eml --out \$O | 0 | out~$TXT; json:layers.0.signers.0.weak=true
dsig-SHA1-env-allow-weak | decrypt $BOB $TRUST --allow-weak --json --in $TB/alice.dsig.SHA1.multipart.env.eml --out \$O | 0 | out~$TXT; json:layers.1.signers.0.weak=true
dsig-SHA1-tampered-invalid-even-weak | verify $TRUST --allow-weak --in $TB/alice.dsig.SHA1.multipart.bad.eml --out \$O | 1 | nooutput
dsig-SHA1-mismatch-econtent-even-weak | verify $TRUST --allow-weak --in $TB/alice.dsig.SHA1.multipart.mismatch-econtent.eml --out \$O | 1 | nooutput
future-date-still-valid | verify $TRUST --json --in $TB/alice.future.dsig.SHA256.multipart.eml --out \$O | 0 | out~$TXT; json:status=valid
# without the right trust anchor the same message is untrusted
dsig-untrusted-without-anchor | verify --trust $TB/../../hiraoka-smime-mail-samples/certs/ca_smime.crt $AT --in $TB/alice.dsig.SHA256.multipart.eml --out \$O | 1 | nooutput
dsig-wrong-time-expired | verify --trust $TB/TestCA.pem --at 2040-01-01 --in $TB/alice.dsig.SHA256.multipart.eml --out \$O | 1 | nooutput
# manual (crafted) messages
manual-outer-bad-inner-good | verify $TRUST $BOB --in $TBM/outer-smime-bad-sig-inner-smime-enc-sig.eml --out \$O | 1 | nooutput
manual-outer-bad-inner-env | verify $TRUST $BOB --in $TBM/outer-smime-bad-sig-inner-smime-enc.eml --out \$O | 1 | nooutput
manual-reused-outer-signature | verify $TRUST $BOB --in $TBM/alice.dsig.SHA256.multipart.env.dsig.eml --out \$O | 1 | nooutput
manual-env-in-mixed-signed-invalid | verify $TRUST $BOB --in $TBM/alice.env.mixed.dsig.SHA256.multipart.eml --out \$O | 1 | nooutput
# mail-test-browser: same-DN other-key CA, and mailing-list wrapping (partially signed)
browser-html-sig-wrong-ca-key | verify $TRUST --in $TBB/alice.html.sig.SHA256.opaque.eml --out \$O | 1 | nooutput
browser-dsig-in-mixed-partially-signed | verify $TRUST --json --in $TBB/alice.dsig.SHA256.multipart.in.mixed.eml --out \$O | 1 | json:status=invalid; json:partially_signed=true
browser-dsig-in-mixed-with-header-partially-signed | verify $TRUST --json --in $TBB/alice.dsig.SHA256.multipart.in.mixed.with.header.eml --out \$O | 1 | json:status=invalid; json:partially_signed=true
# real nested signatures (CAcert; headers altered after signing): outer signature invalid.
# micalg says sha-1, the SignerInfo uses SHA-512: micalg must not decide the digest (MW-02)
browser-nested-sigs-outer-invalid | verify $TRUST --in $TBB/nested-sigs.eml --out \$O | 1 | nooutput
# S/MIME around PGP/MIME: outer signatures copied from elsewhere (invalid); PGP inside is opaque
pgp-outer-smime-bad-sig-inner-pgp-enc | verify $TRUST --in $TBP/outer-smime-bad-sig-inner-pgp-enc.eml --out \$O | 1 | nooutput
pgp-outer-smime-bad-sig-inner-pgp-enc-sig | verify $TRUST --in $TBP/outer-smime-bad-sig-inner-pgp-enc-sig.eml --out \$O | 1 | nooutput
pgp-outer-smime-bad-sig-inner-mixed | verify $TRUST --in $TBP/outer-smime-bad-sig-inner-pgp-enc-sig-with-mixed.eml --out \$O | 1 | nooutput
pgp-encrypted-is-not-smime-signed | verify $TRUST --in $TBP/inner-smime-sig-in-pgp-encrypted.eml --out \$O | 1 | nooutput
pgp-signature-is-not-smime | verify $TRUST $BOB --in $TBM/outer-pgp-sig-inner-smime-enc.eml --out \$O | 1 | nooutput
# EFAIL: two foreign enveloped parts inside multipart/alternative are never decrypted and spliced
browser-efail-alternative-not-spliced | decrypt $BOB --in $TBB/multipart-alternative.eml --out \$O | 1 | nooutput; !out~SECRET-TEXT
# OpenSSL-made envelopes for Fran (ECDH P-256 X9.63 KDF, RSA-OAEP variants)
fran-ec-ecdh-sha256kdf-aes128wrap | decrypt --p12 $TBI/Fran-ec.p12 --pass pass:nss --json --in $TBI/fran-ec_ossl-aes128-sha256.env --out \$O | 0 | out~This is a test message to Fran.; json:layers.0.type=enveloped; json:layers.0.key_management=ecdh-stdDH-sha256kdf
fran-ec-ecdh-sha512kdf-aes256wrap | decrypt --p12 $TBI/Fran-ec.p12 --pass pass:nss --json --in $TBI/fran-ec_ossl-aes256-sha512.env --out \$O | 0 | out~This is a test message to Fran.; json:layers.0.key_management=ecdh-stdDH-sha512kdf
fran-oaep-default-3des-allow-weak | decrypt --p12 $TBI/Fran.p12 --pass pass:nss --allow-weak --json --in $TBI/fran-oaep_ossl.env --out \$O | 0 | out~This is a test message to Fran.; json:layers.0.key_management=rsaes-oaep
fran-oaep-sha256 | decrypt --p12 $TBI/Fran.p12 --pass pass:nss --in $TBI/fran-oaep-sha256hash_ossl.env --out \$O | 0 | out~This is a test message to Fran.
fran-oaep-sha256-mgf-sha256 | decrypt --p12 $TBI/Fran.p12 --pass pass:nss --in $TBI/fran-oaep-sha256hash-sha256mgf_ossl.env --out \$O | 0 | out~This is a test message to Fran.
fran-oaep-label | decrypt --p12 $TBI/Fran.p12 --pass pass:nss --in $TBI/fran-oaep-label_ossl.env --out \$O | 0 | out~This is a test message to Fran.
# the wrong key: no RecipientInfo for Alice
env-wrong-recipient | decrypt --p12 $TB/Alice.p12 --pass pass:nss --in $TB/alice.env.eml --out \$O | 1 | nooutput
EOF
}

run_table < <(table)
finish
