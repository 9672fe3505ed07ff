#!/usr/bin/env bash
# Truncations at many offsets and single-bit flips of valid signed, enveloped, auth-enveloped,
# ECDH and compressed messages, raw (DER) and S/MIME: every run ends in exit 1 or 3 with a
# message on stderr, empty stdout and no output file — never a crash (a signal, exit >= 128,
# or a sanitizer report). A bit flip that leaves the message acceptable (exit 0) is allowed
# only when the output is exactly that of the unmodified message (e.g. a flip in a header the
# signature does not cover is not: such a run must show the flipped header, so it is counted
# and listed, not failed). Run under ASan/UBSan by scripts/run.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
A="--cert $P/alice.crt --key $P/alice.key"
F=$W/fail.out
SEED=${CACHET_MALFORMED_SEED:-20261125}
# Each cachet run under ASan costs about 0.3 s on CI's machine; the fuzz targets
# (fuzz_smime_verify, fuzz_smime_decrypt, fuzz_cms_*) mutate these forms by the million.
N_TRUNC=${CACHET_MALFORMED_TRUNC:-12}
N_FLIP=${CACHET_MALFORMED_FLIPS:-24}

ENT=$W/entity.txt
write_entity "$ENT" "malformed input baseline"
MSG=$W/msg.txt
write_message "$MSG"
ossl() { openssl cms "$@" 2>/dev/null; }
mkdir -p $W/base
ossl -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -binary -outform DER -nodetach -in "$ENT" -out $W/base/signed.der
ossl -sign -signer "$P/carol.crt" -inkey "$P/carol.key" -certfile "$P/inter.crt" -binary -outform DER -in "$ENT" -out $W/base/detached.der
ossl -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -binary -outform DER -nodetach -stream -in "$ENT" -out $W/base/signed-ber.der
ossl -encrypt -aes-256-cbc -binary -outform DER -in "$ENT" -out $W/base/cbc.der "$P/alice.crt"
ossl -encrypt -aes-128-gcm -binary -outform DER -in "$ENT" -out $W/base/gcm.der "$P/alice.crt"
ossl -encrypt -aes-256-gcm -binary -outform DER -in "$ENT" -out $W/base/ecdh.der -recip "$P/carol.crt" -keyopt ecdh_kdf_md:sha256
"$CACHET" compress --raw --in "$ENT" --out $W/base/compressed.der
"$CACHET" sign --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in "$MSG" --out $W/base/signed.eml
"$CACHET" sign --opaque --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in "$MSG" --out $W/base/opaque.eml
"$CACHET" encrypt --to "$P/alice.crt" --in "$MSG" --out $W/base/enveloped.eml
"$CACHET" encrypt --cipher aes-128-cbc --to "$P/carol.crt" --in "$MSG" --out $W/base/cbc-ecdh.eml
"$CACHET" compress --in "$MSG" --out $W/base/compressed.eml

# name | command (the input file is appended as --in FILE)
CASES="signed.der|verify --raw $T
detached.der|verify --raw --content $ENT $T
signed-ber.der|verify --raw $T
cbc.der|decrypt --raw $A
gcm.der|decrypt --raw $A
ecdh.der|decrypt --raw --cert $P/carol.crt --key $P/carol.key
compressed.der|decompress --raw
signed.eml|verify $T
opaque.eml|verify $T
enveloped.eml|decrypt $A
cbc-ecdh.eml|decrypt --cert $P/carol.crt --key $P/carol.key
compressed.eml|decompress"

while IFS='|' read -r name cmd; do
    base=$W/base/$name
    # shellcheck disable=SC2206
    argv=($cmd)
    if [ ! -s "$base" ]; then
        fail "$name-baseline" "expected the baseline message to be made, got nothing"
        continue
    fi
    cx "${argv[@]}" --in "$base" --out $W/expected.out
    if ! rc_is "$name-baseline-accepted" 0; then
        continue
    fi
    ok "$name-baseline-accepted"
    rm -rf $W/mut
    mkdir $W/mut
    "$PY" - "$base" $W/mut "$SEED" "$N_TRUNC" "$N_FLIP" <<'PY'
import os, random, sys
src, out, seed, ntr, nfl = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
d = open(src, "rb").read()
rnd = random.Random(seed + len(d))
n = len(d)
# truncations: every offset of the first 32 bytes (headers, tags, lengths), then spread
offs = set(range(0, min(32, n)))
offs |= {rnd.randrange(0, n) for _ in range(ntr)}
if src.endswith(".eml"):
    # keep at least a few bytes off the end: a cut in the final line break alone is harmless
    offs = {o for o in offs if o < n - 3}
for o in sorted(offs):
    open(os.path.join(out, "trunc-%06d" % o), "wb").write(d[:o])
for i in range(nfl):
    pos = rnd.randrange(0, n)
    bit = rnd.randrange(0, 8)
    m = bytearray(d)
    m[pos] ^= 1 << bit
    open(os.path.join(out, "flip-%06d-%d" % (pos, bit)), "wb").write(bytes(m))
PY
    # Where a flip must never give exit 0 with another output: everything of a signed or
    # AEAD-encrypted object; after the top-level header of such a message (the top-level
    # fields are not protected and are copied to the output). CBC and compression have
    # no integrity (EF-01): there a changed output is expected.
    protected_from=-1
    case $name in
        *.der) [ "$name" != cbc.der ] && [ "$name" != compressed.der ] && protected_from=0 ;;
        signed.eml | opaque.eml | enveloped.eml)
            protected_from=$("$PY" -c 'import sys; print(open(sys.argv[1], "rb").read().index(b"\r\n\r\n") + 4)' "$base")
            ;;
    esac
    bad=""
    accepted=""
    count=0
    for f in $W/mut/*; do
        count=$((count + 1))
        rm -f $F
        cx "${argv[@]}" --in "$f" --out $F
        m=$(basename "$f")
        if crashed; then
            bad="$bad $m: CRASH (exit $RC) $(grep -m1 -E 'Sanitizer|runtime error' "$ERR" || true);"
        elif [ "$RC" = 0 ]; then
            if [[ $m == trunc-* && $name == *.der ]]; then
                bad="$bad $m: exit 0 on truncated DER;"
            elif ! cmp -s $F $W/expected.out; then
                pos=-1
                [[ $m == flip-* ]] && pos=$((10#$(echo "$m" | cut -d- -f2)))
                if [ "$protected_from" -ge 0 ] && { [ "$pos" -lt 0 ] || [ "$pos" -ge "$protected_from" ]; }; then
                    bad="$bad $m: exit 0 with a changed output (protected data modified);"
                else
                    accepted="$accepted $m"
                fi
            fi
        elif [ "$RC" != 1 ] && [ "$RC" != 3 ]; then
            bad="$bad $m: exit $RC;"
        elif [ -e $F ]; then
            bad="$bad $m: exit $RC but an output file was left;"
        elif [ -s "$OUT" ]; then
            bad="$bad $m: exit $RC but stdout not empty;"
        elif [ ! -s "$ERR" ]; then
            bad="$bad $m: exit $RC without a message;"
        fi
    done
    if [ "$count" -lt 50 ]; then
        bad="$bad only $count mutated inputs were made;"
    fi
    if [ -n "$bad" ]; then
        fail "$name-mutations" "expected exit 1/3, a message, no output, no crash for $count inputs, got:$bad"
    else
        ok "$name-mutations ($count inputs)"
    fi
    if [ -n "$accepted" ]; then
        echo "# $name: accepted with a different output (bit flips outside the protected data):$accepted"
    fi
done <<<"$CASES"

finish
