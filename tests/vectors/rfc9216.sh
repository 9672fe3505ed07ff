#!/usr/bin/env bash
# RFC 9216 sample keys: the draft-ireland-examples-cms objects (examples-cms in the shared
# corpus, made by CryptoSys, an independent implementation). Certificates valid to 2052.
# signedByAliceRSA, signedByCarlosDetached and signedByAliceAndCarlosNoCerts have no
# signedAttrs: refused by default (ATTACKS.md SG-03), valid and weak with --allow-weak (the
# NoCerts object carries no certificates: its signers are found in a certificate store that has
# them, as RFC 5652 §5.1 expects of a recipient; test_cms_signed_vectors gives them through the
# API). Issue 5: ChaCha20-Poly1305 (RFC 8103),
# X25519 with HKDF and with the X9.63 KDF (RFC 8418, Dana), KEKRecipientInfo (structure only).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

E=$CACHET_VECTORS/examples-cms
C=$CACHET_VECTORS/rfc9216-certs-certvalidator
RSACA="--trust $C/Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem --at 2025-01-01"
EDCA="--trust $C/Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem --at 2025-01-01"
BOB="--cert $E/lamps-bob.encrypt.crt --key $E/lamps-bob.decrypt.p8.pem"
DANA="--cert $E/lamps-dana.encrypt.crt --key $E/lamps-dana.decrypt.p8.pem"
# A store holding Alice's and Carlos's certificates, for the message that carries none.
STORE="--store sqlite:$W/store.db"
"$CACHET" certs import $STORE $E/lamps-alice.crt $E/lamps-carlos.crt >/dev/null 2>&1 ||
    { echo "could not make the certificate store"; exit 1; }
BOTHCA="$RSACA --trust $C/Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem"

# encryptedKekri: the 256-bit KEK named "keyid" is not published with the examples (MANIFEST):
# any other KEK must fail the key unwrap, another key id must find no recipient.
NOTKEK=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# the AuthEnvelopedData mac is the last field: a flipped last byte must fail the tag check
for f in authEnvelopedForBobChaCha20Poly1305 authEnvelopedForDanaX25519HKDF; do
    "$PY" - "$E/$f.p7m" "$W/$f.badtag.p7m" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 0x01
open(sys.argv[2], "wb").write(b)
PY
done

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
signed-alice-and-carlos-no-certs-from-store | verify --raw --allow-legacy $BOTHCA $STORE --json --in $E/signedByAliceAndCarlosNoCerts.p7m --out \$O | 0 | json:status=valid; json:layers.0.signers.0.chain=trusted; json:layers.0.signers.1.chain=trusted; json:layers.0.signers.0.weak=true; out~This is some sample content.
signed-alice-and-carlos-no-certs-from-store-refused-by-default | verify --raw $BOTHCA $STORE --in $E/signedByAliceAndCarlosNoCerts.p7m --out \$O | 1 | nooutput; err~SignerInfo without signed attributes refused
enveloped-bob-oaep-aes128cbc | decrypt --raw $BOB --json --in $E/encryptedForBobRSAOaep.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.type=enveloped; json:layers.0.cipher=aes-128-cbc; json:layers.0.key_management=rsaes-oaep; json:layers.0.authenticated=false
enveloped-bob-and-dana-bob-path | decrypt --raw $BOB --json --in $E/encryptedForBobAndDana.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.key_management=rsaes-oaep
enveloped-not-for-alice | decrypt --raw --cert $E/lamps-alice.crt --key $E/lamps-alice.p8.pem --in $E/encryptedForBobRSAOaep.p7m --out \$O | 1 | nooutput
# RFC 8103 ChaCha20-Poly1305 AuthEnvelopedData, RSAES-OAEP(SHA-256) to Bob
chacha20-poly1305-bob | decrypt --raw $BOB --json --in $E/authEnvelopedForBobChaCha20Poly1305.p7m --out \$O | 0 | same:$E/content.txt; json:status=valid; json:layers.0.type=authEnveloped; json:layers.0.authenticated=true; json:layers.0.cipher=chacha20-poly1305; json:layers.0.key_management=rsaes-oaep; json:layers.0.weak=false
chacha20-poly1305-bad-tag-nothing-released | decrypt --raw $BOB --json --in $W/authEnvelopedForBobChaCha20Poly1305.badtag.p7m --out \$O | 1 | nofile; json:error.class=decryption failed; err~decryption failed
chacha20-poly1305-not-for-dana | decrypt --raw $DANA --in $E/authEnvelopedForBobChaCha20Poly1305.p7m --out \$O | 1 | nooutput; err~no RecipientInfo
# RFC 8418 X25519 + HKDF-SHA256, AES-256 wrap, AES-128-GCM, to Dana
auth-enveloped-dana-x25519-hkdf | decrypt --raw $DANA --json --in $E/authEnvelopedForDanaX25519HKDF.p7m --out \$O | 0 | same:$E/content.txt; json:status=valid; json:layers.0.type=authEnveloped; json:layers.0.cipher=aes-128-gcm; json:layers.0.key_management=ecdh-x25519-hkdf-sha256; json:layers.0.authenticated=true
auth-enveloped-dana-bad-tag-nothing-released | decrypt --raw $DANA --in $W/authEnvelopedForDanaX25519HKDF.badtag.p7m --out \$O | 1 | nooutput; err~decryption failed
auth-enveloped-dana-not-for-bob | decrypt --raw $BOB --in $E/authEnvelopedForDanaX25519HKDF.p7m --out \$O | 1 | nooutput; err~no RecipientInfo
# Dana's path of the two-recipient envelope: X25519 with the X9.63 KDF (SHA-256), AES-128 wrap
enveloped-bob-and-dana-dana-path | decrypt --raw $DANA --json --in $E/encryptedForBobAndDana.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.type=enveloped; json:layers.0.cipher=aes-128-cbc; json:layers.0.key_management=ecdh-x25519-sha256kdf; json:layers.0.recipients=2
# both keys given: the first RecipientInfo in message order addressed to one of ours (Bob's)
enveloped-bob-and-dana-both-keys-first-in-order | decrypt --raw $BOB $DANA --json --in $E/encryptedForBobAndDana.p7m --out \$O | 0 | same:$E/content.txt; json:layers.0.key_management=rsaes-oaep
# KEKRecipientInfo (id "keyid", AES-256 wrap) around AES-192-CBC: the KEK is not published
kekri-structure-inspect | inspect --raw --json --in $E/encryptedKekri.p7m | 0 | json:layers.0.type=enveloped; json:layers.0.cipher=aes-192-cbc; json:layers.0.key_management=kek-aes256-wrap; json:layers.0.recipients=1
kekri-other-kek-decryption-failed | decrypt --raw --secret-key $NOTKEK --key-id keyid --json --in $E/encryptedKekri.p7m --out \$O | 1 | nofile; json:error.class=decryption failed; err~decryption failed
kekri-other-key-id-no-recipient | decrypt --raw --secret-key $NOTKEK --key-id hex:6b65796964ff --in $E/encryptedKekri.p7m --out \$O | 1 | nooutput; err~no RecipientInfo for KEK id
kekri-key-id-as-hex-same-as-text | decrypt --raw --secret-key $NOTKEK --key-id hex:6b65796964 --in $E/encryptedKekri.p7m --out \$O | 1 | nooutput; err~decryption failed
kekri-short-kek-decryption-failed | decrypt --raw --secret-key ${NOTKEK:0:32} --key-id keyid --in $E/encryptedKekri.p7m --out \$O | 1 | nooutput; err~decryption failed
EOF
finish
