#!/usr/bin/env bash
# P0 parser and resource attacks (ATTACKS.md PA-01/06/07/08/11/12, SG-09 degenerate shapes,
# GW-08 compression bombs and layer nesting): clean refusal (exit 3 for malformed input or a
# limit, 1 where the contract says "not authentic"), never a crash, nothing written.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
A="--cert $P/alice.crt --key $P/alice.key"
F=$W/fail.out
# WHERE_CHECK=1 (set below where the input is a recognised structure broken inside): the
# "malformed" message must name the ASN.1 path or the byte offset.

ENT=$W/entity.txt
write_entity "$ENT" "parser attack baseline"
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -binary -outform DER \
    -nodetach -in "$ENT" -out $W/s.der
S=$W/s.der

# ---------------- PA-01 ContentInfo without its [0] content ----------------
for o in 1.2.840.113549.1.7.1:data 1.2.840.113549.1.7.2:signedData 1.2.840.113549.1.7.3:envelopedData \
    1.2.840.113549.1.7.5:digestedData 1.2.840.113549.1.7.6:encryptedData \
    1.2.840.113549.1.9.16.1.23:authEnvelopedData 1.2.840.113549.1.9.16.1.2:authData \
    1.2.840.113549.1.9.16.1.9:compressedData 1.2.3.4:unknown; do
    for shape in absent empty null; do
        $MUTATE absent-content - $W/pa01.der "${o%%:*}" $shape
        for op in verify decrypt decompress; do
            args=($op --raw)
            [ $op = verify ] && args+=($T)
            [ $op = decrypt ] && args+=($A)
            # the operation that parses this type must call it malformed (3); verify stops at
            # an encrypted layer it has no key for, decrypt at an EncryptedData without its
            # content key and at a signed layer it keeps ("not encrypted"), with 1; any other
            # type is not an S/MIME layer (3)
            want=3
            WHERE_CHECK=0
            case $op:${o#*:} in
                verify:envelopedData | verify:authEnvelopedData | verify:encryptedData | \
                    decrypt:encryptedData | decrypt:signedData) want=1 ;;
            esac
            case $op:${o#*:} in
                verify:signedData | decrypt:envelopedData | decrypt:authEnvelopedData | decompress:compressedData) want=3 WHERE_CHECK=1 ;;
            esac
            refused "pa01-${o#*:}-content-$shape-$op" "$want" $F "${args[@]}" --in $W/pa01.der --out $F
        done
    done
done
# given its content key, the EncryptedData reader parses it and calls it malformed
for shape in absent empty null; do
    $MUTATE absent-content - $W/pa01.der 1.2.840.113549.1.7.6 $shape
    WHERE_CHECK=1
    refused "pa01-encryptedData-content-$shape-decrypt-with-key" 3 $F decrypt --raw \
        --secret-key 000102030405060708090a0b0c0d0e0f --in $W/pa01.der --out $F
done
WHERE_CHECK=0
$MUTATE absent-content - $W/pa01.der 1.2.840.113549.1.7.2
smime_wrap $W/pa01.der $W/pa01.eml signed-data
refused pa01-signedData-absent-smime-wrapped 3 $F verify $T --in $W/pa01.eml --out $F

# ---------------- PA-06 nesting ----------------
WHERE_CHECK=1
for d in 3 4; do
    $MUTATE nest-octets "$S" $W/x.der $d
    cx verify --raw $T --in $W/x.der --out $W/n.out
    rc_is "pa06-constructed-octets-nested-$d-accepted" 0 && same_bytes "pa06-constructed-octets-nested-$d-accepted" "$ENT" $W/n.out
done
for d in 10 1000; do
    $MUTATE nest-octets "$S" $W/x.der $d
    refused "pa06-constructed-octets-nested-$d-refused" 3 $F verify --raw $T --in $W/x.der --out $F
done
for d in 100 1000; do
    $MUTATE nest-signed - $W/x.der $d
    refused "pa06-signed-in-signed-$d-levels-refused" 3 $F verify --raw $T --in $W/x.der --out $F
done
"$PY" -c 'import sys; n=100000; open(sys.argv[1],"wb").write(b"\x30\x80"*n + b"\x00\x00"*n)' $W/x.der
refused pa06-100000-nested-sequences-refused 3 $F verify --raw $T --in $W/x.der --out $F

# ---------------- PA-07 lengths ----------------
$MUTATE huge-length - $W/x.der
refused pa07-length-ffffffff-refused 3 $F verify --raw $T --in $W/x.der --out $F
printf '\x30\x88\x00\x00\x00\x01\x00\x00\x00\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02' >$W/x.der
refused pa07-8-byte-length-refused 3 $F verify --raw $T --in $W/x.der --out $F
$MUTATE trailing "$S" $W/x.der
refused pa07-trailing-bytes-refused 3 $F verify --raw $T --in $W/x.der --out $F
"$PY" - "$S" $W/x.der <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
# an end-of-contents pair inside the definite-length SignedData
i = d.find(b"\x31", 20)
d[i:i] = b"\x00\x00"
open(sys.argv[2], "wb").write(bytes(d))
PY
refused pa07-eoc-inside-definite-refused 3 $F verify --raw $T --in $W/x.der --out $F
printf '\x24\x80\x04\x01A' >$W/x.der
WHERE_CHECK=0 # not even a ContentInfo: "input is not CMS" is the whole answer
refused pa07-unterminated-indefinite-refused 3 $F verify --raw $T --in $W/x.der --out $F
WHERE_CHECK=1

# ---------------- PA-08 oversized fields ----------------
for n in 2049 65536; do
    $MUTATE big-signature "$S" $W/x.der $n
    refused "pa08-signature-of-$n-bytes-refused" 1 $F verify --raw $T --in $W/x.der --out $F
done

# ---------------- PA-11 / PA-12 OIDs ----------------
$MUTATE long-oid "$S" $W/x.der 1024
refused pa12-oid-with-1k-arc-refused 1 $F verify --raw $T --in $W/x.der --out $F
$MUTATE long-oid "$S" $W/x.der 100000
refused pa12-oid-with-100k-arc-refused 1 $F verify --raw $T --in $W/x.der --out $F

# ---------------- GW-08 compression bombs and layer nesting ----------------
WHERE_CHECK=0
printf 'Content-Type: text/plain\r\n\r\ncompress me\r\n' >$W/c.txt
cx compress --raw --in $W/c.txt --out $W/c.der
rc_is control-compress-roundtrip 0 && {
    cx decompress --raw --in $W/c.der --out $W/c.back
    rc_is control-compress-roundtrip 0 && same_bytes control-compress-roundtrip $W/c.txt $W/c.back
}
$MUTATE compress-bomb - $W/bomb.der 256
refused gw08-zlib-ratio-1000-to-1-refused 3 $F decompress --raw --in $W/bomb.der --out $F
refused gw08-zlib-bomb-stdout-empty 3 /nonexistent decompress --raw --in $W/bomb.der
smime_wrap $W/bomb.der $W/bomb.eml compressed-data
refused gw08-zlib-bomb-smime-refused 3 $F decompress --in $W/bomb.eml --out $F
refused gw08-zlib-bomb-inside-verify-refused 3 $F verify $T --in $W/bomb.eml --out $F

# signed 12 times (the default layer limit is 8): refused; 4 times: valid
write_message $W/m0.txt
cp $W/m0.txt $W/layer.txt
for i in $(seq 1 12); do
    "$CACHET" sign --opaque --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" \
        --in $W/layer.txt --out $W/layer.next 2>/dev/null || break
    mv $W/layer.next $W/layer.txt
    [ "$i" = 4 ] && cp $W/layer.txt $W/layer4.txt
done
if [ -f $W/layer4.txt ]; then
    cx verify $T --json --in $W/layer4.txt --out $W/l.out
    rc_is gw08-four-signed-layers-valid 0 && jcheck gw08-four-signed-layers-valid "$OUT" status=valid layers.3.type=signed
    refused gw08-twelve-signed-layers-refused 3 $F verify $T --in $W/layer.txt --out $F
else
    fail gw08-nested-layers "expected cachet sign to build the nested message, got exit != 0"
fi

finish
