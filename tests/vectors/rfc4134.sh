#!/usr/bin/env bash
# RFC 4134 "Examples of S/MIME Messages" (rfc4134-bcjava in the shared corpus): every example.
# They use SHA-1, DSA, 3DES, RC2/40 and RSA-1024: refused by default, accepted with
# --allow-weak (--allow-legacy) and then reported weak. Certificates valid 1999..2039 (--at 2020).
# Issue 5 adds the bare Data ContentInfo (3.x), RC2 (5.2), DigestedData (6.0), EncryptedData
# (7.x, key from RFC 4134 §7.1) and the DSA parameter inheritance of 4.6.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
need_vectors

R=$CACHET_VECTORS/rfc4134-bcjava
AT="--at 2020-01-01"
RSA="--trust $R/CarlRSASelf.cer $AT"
DSS="--trust $R/CarlDSSSelf.cer $AT"
BOB="--cert $R/BobRSASignByCarl.cer --key $R/BobPrivRSAEncrypt.pri"
EX="This is some sample content."
# RFC 4134 §7.1: the 3DES key of the EncryptedData examples
K7=737c791f25ead0e04629254352f7dc6291e5cb26917ada32

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
# 5.2: RC2 content (parameter version 160: 40-bit effective key) via Bob's ktri; a second
# recipient is a kekri (kekid MailListRC2, id-alg-CMSRC2wrap) whose KEK is not published
5.2-rc2-40-refused-by-default | decrypt --raw $BOB --json --in $R/5.2.bin --out \$O | 1 | nofile; err~rc2-cbc is a legacy cipher: use --allow-legacy; json:error.class=refused by policy
5.2-rc2-40-allow-legacy | decrypt --raw $BOB --allow-legacy --json --in $R/5.2.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid; json:layers.0.type=enveloped; json:layers.0.cipher=rc2-40-cbc; json:layers.0.weak=true; json:layers.0.key_management=rsaEncryption; json:layers.0.recipients=2
5.2-rc2-40-allow-weak-alias | decrypt --raw $BOB --allow-weak --in $R/5.2.bin --out \$O | 0 | same:$R/ExContent.bin
5.2-kekri-cmsrc2wrap-unsupported | decrypt --raw --secret-key 000102030405060708090a0b0c0d0e0f --key-id MailListRC2 --allow-legacy --json --in $R/5.2.bin --out \$O | 3 | nofile; json:error.class=unsupported; err~id-alg-CMSRC2wrap
5.2-kekri-other-key-id-no-recipient | decrypt --raw --secret-key 000102030405060708090a0b0c0d0e0f --key-id hex:00 --allow-legacy --in $R/5.2.bin --out \$O | 1 | nooutput; err~no RecipientInfo
# 3.1 (BER, constructed OCTET STRING) / 3.2 (DER): a bare id-data ContentInfo is a "data" layer:
# neither signed nor encrypted, so verify and decrypt fail (exit 1) and write nothing
3.1-data-ber-inspect | inspect --raw --json --in $R/3.1.bin | 0 | json:status=valid; json:layers.0.type=data; json:layers.0.content_type=id-data
3.2-data-der-inspect | inspect --raw --json --in $R/3.2.bin | 0 | json:status=valid; json:layers.0.type=data; json:layers.0.content_type=id-data
3.1-data-verify-not-signed | verify --raw --json --in $R/3.1.bin --out \$O | 1 | nofile; json:layers.0.type=data; json:error.class=no signers; err~message is not signed
3.2-data-verify-not-signed | verify --raw --json --in $R/3.2.bin --out \$O | 1 | nofile; json:layers.0.type=data; json:error.class=no signers
3.1-data-decrypt-not-encrypted | decrypt --raw --secret-key $K7 --json --in $R/3.1.bin --out \$O | 1 | nofile; json:layers.0.type=data; err~message is not encrypted
3.2-data-decrypt-not-encrypted | decrypt --raw $BOB --json --in $R/3.2.bin --out \$O | 1 | nofile; json:layers.0.type=data; err~message is not encrypted
# 6.0: DigestedData, SHA-1: the digest is checked (valid) only with --allow-legacy; a digest is
# never a signature, so verify exits 1 ("no signers") and writes nothing either way
6.0-digested-sha1-refused-by-default | verify --raw --json --in $R/6.0.bin --out \$O | 1 | nofile; json:layers.0.type=digested; json:layers.0.digest_valid=false; json:error.class=refused by policy; err~--allow-legacy accepts it
6.0-digested-sha1-allow-legacy-digest-valid | verify --raw --allow-legacy --json --in $R/6.0.bin --out \$O | 1 | nofile; json:layers.0.type=digested; json:layers.0.digest=sha1; json:layers.0.digest_valid=true; json:layers.0.weak=true; json:layers.0.content_type=id-data; json:error.class=no signers
6.0-digested-inspect | inspect --raw --json --in $R/6.0.bin | 0 | json:layers.0.type=digested
# 7.1 / 7.2: EncryptedData, 3DES, the key of RFC 4134 §7.1 (7.2 carries unprotectedAttrs)
7.1-encrypted-3des-refused-by-default | decrypt --raw --secret-key $K7 --json --in $R/7.1.bin --out \$O | 1 | nofile; json:layers.0.type=encrypted; json:error.class=refused by policy; err~des-ede3-cbc is a legacy cipher: use --allow-legacy
7.1-encrypted-3des-allow-legacy | decrypt --raw --secret-key $K7 --allow-legacy --json --in $R/7.1.bin --out \$O | 0 | same:$R/ExContent.bin; json:status=valid; json:layers.0.type=encrypted; json:layers.0.cipher=des-ede3-cbc; json:layers.0.weak=true; json:layers.0.authenticated=false
7.2-encrypted-3des-unprotected-attrs-refused-by-default | decrypt --raw --secret-key $K7 --in $R/7.2.bin --out \$O | 1 | nooutput; err~legacy cipher
7.2-encrypted-3des-unprotected-attrs-allow-legacy | decrypt --raw --secret-key $K7 --allow-legacy --json --in $R/7.2.bin --out \$O | 0 | same:$R/ExContent.bin; json:layers.0.type=encrypted; json:layers.0.cipher=des-ede3-cbc; json:layers.0.weak=true
7.1-encrypted-wrong-key | decrypt --raw --secret-key 0${K7:1} --allow-legacy --in $R/7.1.bin --out \$O | 1 | nooutput; err~decryption failed
7.1-encrypted-key-of-wrong-length | decrypt --raw --secret-key ${K7:0:32} --allow-legacy --in $R/7.1.bin --out \$O | 1 | nooutput; err~decryption failed
7.1-encrypted-without-secret-key | decrypt --raw $BOB --allow-legacy --in $R/7.1.bin --out \$O | 1 | nooutput
# 4.6: two DSA signers; DianeDSS's certificate inherits p, q, g from CarlDSS (RFC 3279 §2.3.2).
# cachet (like OpenSSL 3.0) cannot decode that key: AliceDSS valid, DianeDSS invalid, exit 1
4.6-dsa-inherited-params-diane-undecodable | verify --raw $DSS --allow-weak --json --in $R/4.6.bin --out \$O | 1 | nofile; json:status=invalid; json:layers.0.signers.0.signature=valid; json:layers.0.signers.0.chain=trusted; json:layers.0.signers.1.subject=CN=DianeDSS; json:layers.0.signers.1.signature=invalid; json:layers.0.signers.1.signature_detail=signer certificate key cannot be decoded
EOF
finish
