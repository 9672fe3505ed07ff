#!/usr/bin/env bash
# RFC 9216 sample keys: the draft-ireland-examples-cms objects (examples-cms in the shared
# corpus, made by CryptoSys, an independent implementation). Certificates valid to 2052.
# signedByAliceRSA, signedByCarlosDetached and signedByAliceAndCarlosNoCerts have no
# signedAttrs: refused by default (ATTACKS.md SG-03), valid and weak with --allow-weak (the
# NoCerts object carries no certificates, which the cli cannot supply: its signers are valid
# with the certificates given, test_cms_signed_vectors).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

E=$CACHET_VECTORS/examples-cms
C=$CACHET_VECTORS/rfc9216-certs-certvalidator
RSACA="--trust $C/Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem --at 2025-01-01"
EDCA="--trust $C/Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem --at 2025-01-01"
BOB="--cert $E/lamps-bob.encrypt.crt --key $E/lamps-bob.decrypt.p8.pem"

run_table <<EOF
signed-alice-rsa-no-signed-attrs-refused-by-default | verify --raw $RSACA --in $E/signedByAliceRSA.p7m --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused (ForgedAttributes risk, ATTACKS SG-03)
signed-alice-rsa-no-signed-attrs-refused-by-default-report | verify --raw $RSACA --json --in $E/signedByAliceRSA.p7m | 1 | json:status=invalid; json:error.class=invalid signed attributes; json:layers.0.signers.0.signature=invalid; json:layers.0.signers.0.weak=false
signed-alice-rsa-no-signed-attrs-allow-weak | verify --raw --allow-weak $RSACA --json --in $E/signedByAliceRSA.p7m --out \$O | 0 | same:$E/content.txt; json:status=valid; json:layers.0.signers.0.digest=sha256; json:layers.0.signers.0.chain=trusted; json:layers.0.signers.0.weak=true
signed-alice-rsa-pss | verify --raw $RSACA --json --in $E/signedByAliceRSAPSS.p7m --out \$O | 0 | same:$E/content.txt; json:status=valid; json:layers.0.signers.0.algorithm=rsassa-pss; json:layers.0.signers.0.digest=sha256
signed-carlos-ed25519 | verify --raw $EDCA --json --in $E/signedByCarlosEd25519.p7m --out \$O | 0 | same:$E/content.txt; json:status=valid; json:layers.0.signers.0.algorithm=ed25519; json:layers.0.signers.0.digest=sha512; json:layers.0.signers.0.weak=false
signed-carlos-ed25519-detached-ski-refused-by-default | verify --raw --content $E/content.txt $EDCA --json --in $E/signedByCarlosDetached.p7m | 1 | err~SignerInfo without signed attributes refused; json:status=invalid; json:error.class=invalid signed attributes
signed-carlos-ed25519-detached-ski-allow-weak | verify --raw --allow-weak --content $E/content.txt $EDCA --json --in $E/signedByCarlosDetached.p7m | 0 | json:status=valid; json:layers.0.signers.0.algorithm=ed25519; json:layers.0.signers.0.weak=true
signed-carlos-detached-wrong-content | verify --raw --allow-weak --content $E/lamps-ca.rsa.crt $EDCA --in $E/signedByCarlosDetached.p7m | 1 | err~signature does not verify
signed-carlos-wrong-anchor | verify --raw $RSACA --in $E/signedByCarlosEd25519.p7m --out \$O | 1 | nooutput
signed-alice-and-carlos-pem-no-certs-untrusted | verify --raw $RSACA --in $E/signedByAliceAndCarlosNoCerts.p7m --out \$O | 1 | nooutput
signed-alice-and-carlos-no-certs-refused-by-default | verify --raw $RSACA --in $E/signedByAliceAndCarlosNoCerts.p7m --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused
signed-alice-and-carlos-no-certs-allow-weak-lacks-certs | verify --raw --allow-weak $RSACA --in $E/signedByAliceAndCarlosNoCerts.p7m --out \$O | 1 | nooutput; err~no certificate matches the signer identifier
enveloped-bob-oaep-aes128cbc | decrypt --raw $BOB --json --in $E/encryptedForBobRSAOaep.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.type=enveloped; json:layers.0.cipher=aes-128-cbc; json:layers.0.key_management=rsaes-oaep; json:layers.0.authenticated=false
enveloped-bob-and-dana-bob-path | decrypt --raw $BOB --json --in $E/encryptedForBobAndDana.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.key_management=rsaes-oaep
enveloped-not-for-alice | decrypt --raw --cert $E/lamps-alice.crt --key $E/lamps-alice.p8.pem --in $E/encryptedForBobRSAOaep.p7m --out \$O | 1 | nooutput
chacha20-poly1305-unsupported | decrypt --raw $BOB --in $E/authEnvelopedForBobChaCha20Poly1305.p7m --out \$O | 3 | nooutput
EOF
finish
