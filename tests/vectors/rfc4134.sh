#!/usr/bin/env bash
# RFC 4134 "Examples of S/MIME Messages" (rfc4134-bcjava in the shared corpus): every example
# whose algorithms issue 2 covers. They use SHA-1, DSA, 3DES and RSA-1024: refused by default,
# accepted with --allow-weak and then reported weak. Certificates valid 1999..2039 (--at 2020).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

R=$CACHET_VECTORS/rfc4134-bcjava
AT="--at 2020-01-01"
RSA="--trust $R/CarlRSASelf.cer $AT"
DSS="--trust $R/CarlDSSSelf.cer $AT"
BOB="--cert $R/BobRSASignByCarl.cer --key $R/BobPrivRSAEncrypt.pri"
EX="This is some sample content."

run_table <<EOF
# 4.2: RSA/SHA-1 opaque, signer AliceRSA (1024 bit), no signed attributes: refused by default
# for the missing signedAttrs (ATTACKS.md SG-03) before the weak algorithm is looked at
4.2-rsa-sha1-refused-by-default | verify --raw $RSA --in $R/4.2.bin --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused
4.2-rsa-sha1-allow-weak | verify --raw $RSA --allow-weak --json --in $R/4.2.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid; json:layers.0.signers.0.digest=sha1; json:layers.0.signers.0.weak=true; json:layers.0.signers.0.chain=trusted
4.2-untrusted-with-the-dsa-root | verify --raw $DSS --allow-weak --in $R/4.2.bin --out \$O | 1 | nooutput
# 4.5: BER indefinite lengths, no signed attributes (signature over the content itself)
4.5-ber-no-signed-attrs-allow-weak | verify --raw $RSA --allow-weak --json --in $R/4.5.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid; json:layers.0.signers.0.weak=true
4.5-refused-by-default | verify --raw $RSA --in $R/4.5.bin --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused
# DSA/SHA-1 signers (verify-only, weak)
4.1-dsa-opaque-allow-weak | verify --raw $DSS --allow-weak --json --in $R/4.1.bin --out \$O | 0 | same:$R/ExContent.bin; json:layers.0.signers.0.weak=true
4.1-dsa-refused-by-default | verify --raw $DSS --in $R/4.1.bin --out \$O | 1 | nooutput
4.3-dsa-detached-allow-weak | verify --raw --content $R/ExContent.bin $DSS --allow-weak --json --in $R/4.3.bin | 0 | json:status=valid
4.3-detached-wrong-content | verify --raw --content $R/CarlRSASelf.cer $DSS --allow-weak --in $R/4.3.bin | 1 |
4.7-dsa-signer-by-ski | verify --raw $DSS --allow-weak --json --in $R/4.7.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid; json:layers.0.signers.0.weak=true
4.10-unknown-and-ess-attributes | verify --raw $DSS --allow-weak --json --in $R/4.10.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid
4.4-countersigned-main-signature | verify --raw $DSS --allow-weak --json --in $R/4.4.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid
4.8-eml-multipart-signed-dsa | verify $DSS --allow-weak --no-address-check --json --in $R/4.8.eml --out \$O | 0 | out~$EX; json:status=valid; json:layers.0.type=signed; json:layers.0.signers.0.weak=true
4.8-eml-no-signed-attrs-refused-by-default | verify $DSS --no-address-check --in $R/4.8.eml --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused
4.9-eml-opaque-signed-dsa | verify $DSS --allow-weak --no-address-check --json --in $R/4.9.eml --out \$O | 0 | out~$EX; json:status=valid
# 4.11: certs-only (no signers) is never "signed"
4.11-certs-only-not-signed | verify --raw $DSS --allow-weak --in $R/4.11.bin --out \$O | 1 | nooutput
# 5.1 / 5.3: 3DES content, RSA-1024 key transport to BobRSA
5.1-3des-refused-by-default | decrypt --raw $BOB --in $R/5.1.bin --out \$O | 1 | nooutput
5.1-3des-allow-weak | decrypt --raw $BOB --allow-weak --json --in $R/5.1.bin --out \$O | 0 | same:$R/ExContent.bin; json:layers.0.type=enveloped; json:layers.0.authenticated=false; json:layers.0.key_management=rsaEncryption
5.3-eml-3des-allow-weak | decrypt $BOB --allow-weak --in $R/5.3.eml --out \$O | 0 | out~$EX
5.1-wrong-key-no-recipient | decrypt --raw --cert $R/AliceRSASignByCarl.cer --key $R/AlicePrivRSASign.pri --allow-weak --in $R/5.1.bin --out \$O | 1 | nooutput
# 5.2: RC2 content (issue 5): refused cleanly, nothing written
5.2-rc2-unsupported | decrypt --raw $BOB --allow-weak --in $R/5.2.bin --out \$O | 3 | nooutput
EOF
finish
