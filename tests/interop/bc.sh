#!/usr/bin/env bash
# Interop with Bouncy Castle (Debian's libbc*-java: bcprov/bcpkix/bcmail), both directions.
#   A: BC produces (CachetPeer: CMSSignedDataGenerator / CMSSignedDataStreamGenerator,
#      SMIMESignedGenerator, CMSEnvelopedDataGenerator, SMIMEEnvelopedGenerator,
#      CMSAuthEnvelopedDataGenerator, CMSCompressedDataGenerator, SMIMECompressedGenerator);
#      cachet verifies/decrypts/decompresses: exit 0, exact --json report fields, content equal.
#   B: cachet produces; BC (SMIMESigned, SMIMEEnveloped, CMSAuthEnvelopedData,
#      SMIMECompressed, CMSSignedData...) verifies (chain to the root with PKIX), decrypts or
#      decompresses, and must give back the content; the algorithms it saw are checked.
# SignedData: RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256/P-384 (SHA-256/384/512), Ed25519, Ed448;
# detached/opaque, S/MIME and raw DER (BER from BC's stream generators); two signers; signers
# by subjectKeyIdentifier; a signed DigestedData (eContentType id-digestedData).
# EnvelopedData/AuthEnvelopedData: AES-CBC/GCM/CCM, ChaCha20-Poly1305 x RSA v1.5, RSA-OAEP,
# ECDH P-256/P-384, X25519, X448, KEK (AES key wrap), password (PBKDF2); recipients by
# subjectKeyIdentifier; four mixed recipients in one message.
# EncryptedData (shared AES key), DigestedData, CompressedData (zlib); 3 MB both ways.
# Legacy, BC → cachet only: 3DES/DES/RC2/CAST5/IDEA/SEED/Camellia, SHA-1/MD5/DSA signatures:
# refused by default, read with --allow-legacy and reported weak.
# The JVM starts once: cachet writes its messages first, then CachetPeer takes every job
# (both directions) from one file.
# A case BC cannot do (unknown algorithm, or BC cannot read back what it wrote itself) is
# "not supported by peer"; anything else that fails is FAIL.
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md (section bc).
set -euo pipefail
BC_DIR=$(cd "$(dirname "$0")/bc" && pwd)
if ! bc_missing=$(bash "$BC_DIR/build.sh" --check); then
    if [ "${CI:-}" = true ]; then
        echo "FAIL setup: Bouncy Castle not installed under CI (missing: $bc_missing)"
        exit 1
    fi
    echo "SKIP: Bouncy Castle not installed (missing: $bc_missing)"
    exit 77
fi
. "$(dirname "$0")/lib.sh"
# BC_KEEP=1 keeps the work directory (messages, jobs, BC's results) for a look afterwards.
if [ -n "${BC_KEEP:-}" ]; then
    trap 'echo "# kept $W"' EXIT
fi
make_pki

# shellcheck source=bc/lib.bash
. "$BC_DIR/lib.bash"
# shellcheck source=bc/signed.bash
. "$BC_DIR/signed.bash"
# shellcheck source=bc/enveloped.bash
. "$BC_DIR/enveloped.bash"
# shellcheck source=bc/other.bash
. "$BC_DIR/other.bash"

# cachet writes the B messages first, so that one JVM run serves both directions.
signed_make
enveloped_make
other_make
cat "$JOBS_B" >>"$JOBS_A"
run_peer "$JOBS_A" "$W/results"

# Every A check first: they record what BC does with its own messages (PEER_SELF),
# which the B checks use.
signed_check_a
enveloped_check_a
other_check_a
signed_check_b
enveloped_check_b
other_check_b

UNSUP_REASONS=$(unsup_reasons)
if [ -n "$UNSUP_REASONS" ]; then
    echo "# not supported by $BC_NAME:"
    while IFS= read -r l; do echo "#   $l"; done <<<"$UNSUP_REASONS"
fi
bc_matrix_write
finish
