#!/usr/bin/env bash
# P0 attacks on encrypted messages (ATTACKS.md EF-*, BL-01/02/03/06, PO-01, CE-05/09 on the
# encrypt side, PA-02/03/05), built from our own keys and asserted through the CLI: exact exit
# status, no output file and empty stdout on failure, one uniform message for every failure
# after an RSA decryption started, "authenticated": false for CBC.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
A="--cert $P/alice.crt --key $P/alice.key"
F=$W/fail.out

ENT=$W/entity.txt
write_entity "$ENT" "The launch code is 0000."
enc() { # enc OUT CIPHER RECIPIENT... [-- openssl args]: raw DER made by openssl
    local out=$1 cipher=$2
    shift 2
    local r=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do r+=(-recip "$P/$1.crt"); shift; done
    [ "${1:-}" = -- ] && shift
    openssl cms -encrypt "-$cipher" -binary -outform DER -in "${IN:-$ENT}" -out "$out" "${r[@]}" "$@"
}
EC=$W/cbc.der
enc "$EC" aes-256-cbc alice
EG=$W/gcm.der
enc "$EG" aes-256-gcm alice
KG=$W/kari.der
enc "$KG" aes-256-gcm carol -- -keyopt ecdh_kdf_md:sha256

# ---------------- controls ----------------
expect control-cbc-decrypts 0 decrypt --raw $A --in "$EC" --out $W/c.out
expect control-gcm-decrypts 0 decrypt --raw $A --in "$EG" --out $W/c.out
expect control-ecdh-decrypts 0 decrypt --raw --cert "$P/carol.crt" --key "$P/carol.key" --in "$KG" --out $W/c.out
$MUTATE known-cbc "$EC" $W/known.der "$P/alice.crt" "$ENT" ok
cx decrypt --raw $A --in $W/known.der --out $W/known.out
rc_is control-chosen-cek-cbc-decrypts 0 && same_bytes control-chosen-cek-cbc-decrypts "$ENT" $W/known.out
$MUTATE gcm "$EG" $W/g12.der 12 12 keep
expect control-gcm-tag-truncated-to-12-with-icvlen-12 0 decrypt --raw $A --in $W/g12.der --out $W/c.out

# ---------------- EF-01 CBC is malleable: decrypts, always flagged unauthenticated ----------------
cx decrypt --raw $A --json --in "$EC" --out $W/c.out
rc_is ef01-cbc-reported-unauthenticated 0 &&
    jcheck ef01-cbc-reported-unauthenticated "$OUT" layers.0.type=enveloped layers.0.authenticated=false layers.0.cipher=aes-256-cbc
$MUTATE flip "$EC" $W/ivflip.der iv
cx decrypt --raw $A --json --in $W/ivflip.der --out $W/ivflip.out
if rc_is ef01-iv-flip-undetectable-but-flagged 0; then
    if [ "$(head -c 12 $W/ivflip.out)" != "Xontent-Type" ]; then
        fail ef01-iv-flip-undetectable-but-flagged "expected the malleated first block 'Xontent-Type', got '$(head -c 12 $W/ivflip.out)'"
    else
        jcheck ef01-iv-flip-undetectable-but-flagged "$OUT" layers.0.authenticated=false
    fi
fi
openssl cms -encrypt -aes-128-cbc -in "$ENT" -out $W/cbc.eml -from alice@example.com -to bob@example.com -subject x "$P/alice.crt"
cx decrypt $A --json --in $W/cbc.eml --out $W/c.out
rc_is ef01-smime-cbc-reported-unauthenticated 0 && jcheck ef01-smime-cbc-reported-unauthenticated "$OUT" layers.0.authenticated=false
cx decrypt --raw $A --json --in "$EG" --out $W/c.out
rc_is ef01-gcm-reported-authenticated 0 && jcheck ef01-gcm-reported-authenticated "$OUT" layers.0.type=authEnveloped layers.0.authenticated=true layers.0.cipher=aes-256-gcm
$MUTATE flip "$EG" $W/nflip.der iv
refused ef01-gcm-nonce-flip-refused 1 $F decrypt --raw $A --in $W/nflip.der --out $F

# ---------------- EF-03 / EF-04 direct exfiltration: no decrypt-and-splice ----------------
write_entity $W/secret.txt "TOP-SECRET-PLAINTEXT"
openssl cms -encrypt -aes-256-gcm -in $W/secret.txt -out $W/secret.eml "$P/alice.crt"
strip_headers $W/secret.eml $W/secret-part.txt
printf 'Content-Type: text/html\r\n\r\n<img src="http://127.0.0.1:1/\r\n' >$W/pre.txt
printf 'Content-Type: text/html\r\n\r\n">\r\n' >$W/post.txt
{ printf 'Content-Disposition: attachment; filename=smime.p7m\r\n'; cat $W/secret-part.txt; } >$W/secret-att.txt
for sub in mixed alternative related; do
    MIXED_SUBTYPE=$sub mixed $W/ef03.eml attacker@evil.example $W/pre.txt $W/secret-part.txt $W/post.txt
    refused "ef03-encrypted-part-in-multipart-$sub-not-decrypted" 1 $F decrypt $A --in $W/ef03.eml --out $F
    grep -q -F TOP-SECRET "$OUT" "$ERR" && fail "ef03-$sub-no-plaintext-anywhere" "expected no plaintext, got it" || ok "ef03-$sub-no-plaintext-anywhere"
done
mixed $W/ef03b.eml attacker@evil.example $W/pre.txt $W/secret-att.txt
refused ef03-encrypted-attachment-not-decrypted 1 $F decrypt $A --in $W/ef03b.eml --out $F
mixed $W/ef04.eml attacker@evil.example $W/secret-part.txt $W/secret-part.txt
refused ef04-two-ciphertexts-not-decrypted 1 $F decrypt $A --in $W/ef04.eml --out $F
expect control-ef03-root-envelope-decrypts 0 decrypt $A --in $W/secret.eml --out $W/c.out

# ---------------- EF-05 / EF-09 no plaintext released before the check (1.5 MB) ----------------
head -c 1100000 /dev/urandom | base64 -w 76 | sed 's/$/\r/' >$W/big.b64
{ printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'; cat $W/big.b64; } >$W/big.txt
IN=$W/big.txt enc $W/bigcbc.der aes-256-cbc alice
IN=$W/big.txt enc $W/biggcm.der aes-256-gcm alice
expect control-big-gcm-decrypts 0 decrypt --raw $A --in $W/biggcm.der --out $W/c.out
$MUTATE flip $W/biggcm.der $W/x.der content:-5
refused ef05-gcm-flip-near-end-no-plaintext 1 $F decrypt --raw $A --in $W/x.der --out $F
refused ef05-gcm-flip-near-end-stdout-empty 1 /nonexistent decrypt --raw $A --in $W/x.der
$MUTATE truncate-content $W/biggcm.der $W/x.der 1
refused ef05-gcm-truncated-by-one-byte 1 $F decrypt --raw $A --in $W/x.der --out $F
$MUTATE gcm $W/biggcm.der $W/x.der keep 0 keep
refused ef05-gcm-mac-removed 1 $F decrypt --raw $A --in $W/x.der --out $F
# Bit 0 of the second-to-last block's last byte flips the padding byte p of the last block to
# p^1, which is never valid padding. (Flipping the last ciphertext byte itself garbles the whole
# block, whose padding is then valid about once in 256 runs: a flaky test.)
$MUTATE flip $W/bigcbc.der $W/x.der content:-17
refused ef09-cbc-bad-padding-no-plaintext 1 $F decrypt --raw $A --in $W/x.der --out $F
refused ef09-cbc-bad-padding-stdout-empty 1 /nonexistent decrypt --raw $A --in $W/x.der
$MUTATE truncate-content $W/bigcbc.der $W/x.der 3
refused ef09-cbc-not-block-multiple 1 $F decrypt --raw $A --in $W/x.der --out $F

# ---------------- EF-06 GCM parameters (tag length, nonce) ----------------
# A GCM tag truncated to t bytes is the genuine t-byte tag: 12..16 must be accepted.
for v in "omit 12" "13 13" "14 14" "15 15" "16 16"; do
    set -- $v
    $MUTATE gcm "$EG" $W/x.der "$1" "$2" keep
    expect "ef06-icvlen-$1-mac-$2-accepted" 0 decrypt --raw $A --in $W/x.der --out $W/c.out
done
for v in "1 1" "4 4" "8 8" "11 11" "17 17" "16 4" "12 16" "omit 16" "-1 16" "255 16"; do
    set -- $v
    $MUTATE gcm "$EG" $W/x.der "$1" "$2" keep
    # a negative INTEGER is not an AES-GCM-ICVlen at all (3); the rest are refused (1)
    want=1
    [ "$1" = -1 ] && want=3
    refused "ef06-icvlen-$1-mac-$2-refused" $want $F decrypt --raw $A --in $W/x.der --out $F
done
for v in "4 4" "11 11"; do
    set -- $v
    $MUTATE gcm "$EG" $W/x.der "$1" "$2" keep
    refused "ef06-icvlen-$1-refused-even-with-allow-weak" 1 $F decrypt --raw $A --allow-weak --in $W/x.der --out $F
    # The message names the GCM parameter and does not suggest an option that cannot help.
    if grep -q "aes-ICVlen $1 refused" "$ERR" && ! grep -q -- "accepts it" "$ERR"; then
        ok "ef06-icvlen-$1-message-names-parameter-without-allow-legacy-hint"
    else
        fail "ef06-icvlen-$1-message-names-parameter-without-allow-legacy-hint" "stderr: $(tr '\n' ' ' <"$ERR")"
    fi
done
for n in 0 1 8 16 17 64 200 65536; do
    $MUTATE gcm "$EG" $W/x.der keep keep $n
    refused "ef06-nonce-$n-bytes-refused" 1 $F decrypt --raw $A --in $W/x.der --out $F
done
for v in absent null; do
    $MUTATE gcm-params "$EG" $W/x.der $v
    refused "ef06-gcm-parameters-$v-refused" 3 $F decrypt --raw $A --in $W/x.der --out $F
done
$MUTATE gcm-nonce-int "$EG" $W/x.der
refused ef06-nonce-as-integer-refused 3 $F decrypt --raw $A --in $W/x.der --out $F

# ---------------- EF-07 algorithm substitution ----------------
for o in 2.16.840.1.101.3.4.1.42:aes-256-cbc 2.16.840.1.101.3.4.1.43:aes-256-ofb 1.2.840.113549.3.7:des-ede3-cbc 1.2.3.4:unknown; do
    $MUTATE alg-swap "$EG" $W/x.der "${o%%:*}"
    refused "ef07-authenveloped-with-${o#*:}-refused" 1 $F decrypt --raw $A --in $W/x.der --out $F
done
$MUTATE alg-gcm-in-enveloped "$EC" $W/x.der
refused ef07-enveloped-with-gcm-refused 1 $F decrypt --raw $A --in $W/x.der --out $F

# ---------------- BL-01 / PO-01 one uniform failure after the RSA decryption ----------------
# uniform NAME FILE...: every file fails with exit 1, no output, and the same stderr.
uniform() {
    local name=$1 first="" f msg=""
    shift
    for f in "$@"; do
        # A PKCS#1-invalid key decrypts under a stand-in CEK (RFC 3218), fixed for the
        # encryptedKey (the same probe gets the same key); under CBC about one message
        # in 256 then ends in valid padding and succeeds with garbage. That is the
        # countermeasure, not an oracle: flip bit 0 of the next-to-last block's last byte
        # and run once more - padding p that was valid becomes p^1, which never is.
        rm -f $F
        cx decrypt ${UNIFORM_RAW---raw} $A --in "$f" --out $F
        if [ "$RC" = 0 ] && [ -e "${f%.*}.der" ]; then
            $MUTATE flip "${f%.*}.der" $W/retry.der content:-17
            g=$W/retry.der
            case $f in *.eml) smime_wrap $W/retry.der $W/retry.eml enveloped-data && g=$W/retry.eml ;; esac
            rm -f $F
            cx decrypt ${UNIFORM_RAW---raw} $A --in "$g" --out $F
        fi
        if [ "$RC" != 1 ] || [ -e $F ] || [ -s "$OUT" ]; then
            msg="$msg $(basename "$f"): exit $RC$([ -e $F ] && echo ', output left');"
            continue
        fi
        if [ -z "$first" ]; then
            first=$(cat "$ERR")
        elif [ "$(cat "$ERR")" != "$first" ]; then
            msg="$msg $(basename "$f"): stderr '$(tr '\n' ' ' <"$ERR")' differs from '$(echo "$first" | tr '\n' ' ')';"
        fi
    done
    if [ -z "$msg" ]; then ok "$name"; else fail "$name" "expected exit 1, no output, identical stderr, got:$msg"; fi
    UNIFORM_MSG=$first
}
for c in cbc gcm; do
    base=$W/$c.der
    set --
    $MUTATE rsa-key "$base" $W/$c-random.der "$P/alice.crt" random
    set -- "$@" $W/$c-random.der
    for n in 15 16 24 31 33 48; do
        $MUTATE rsa-key "$base" $W/$c-len$n.der "$P/alice.crt" pkcs1:$n
        set -- "$@" $W/$c-len$n.der
    done
    if [ $c = cbc ]; then
        $MUTATE known-cbc "$base" $W/cbc-badpad.der "$P/alice.crt" "$ENT" badpad
        $MUTATE flip "$base" $W/cbc-lastbyte.der content:-17
        set -- "$@" $W/cbc-badpad.der $W/cbc-lastbyte.der
    else
        $MUTATE flip "$base" $W/gcm-tag.der mac
        $MUTATE flip "$base" $W/gcm-ct.der content:0
        set -- "$@" $W/gcm-tag.der $W/gcm-ct.der
    fi
    uniform "bl01-$c-random-key-wrong-cek-lengths-bad-padding-or-tag-uniform" "$@"
    eval "UNIFORM_$c=\$UNIFORM_MSG"
done
if [ -n "$UNIFORM_cbc" ] && [ "$UNIFORM_cbc" = "$UNIFORM_gcm" ]; then
    ok bl01-cbc-and-gcm-failures-identical
else
    fail bl01-cbc-and-gcm-failures-identical "expected the same message for CBC and GCM failures, got '$UNIFORM_cbc' and '$UNIFORM_gcm'"
fi
# the same in S/MIME form
set --
for f in cbc-random cbc-len24 cbc-badpad cbc-lastbyte gcm-random gcm-len16 gcm-tag gcm-ct; do
    case $f in gcm*) st=authEnveloped-data ;; *) st=enveloped-data ;; esac
    smime_wrap $W/$f.der $W/$f.eml $st
    set -- "$@" $W/$f.eml
done
UNIFORM_RAW="" uniform bl01-smime-cbc-and-gcm-failures-uniform "$@"
set --
for b in 0 2 3 5 8 15 16 17 128 255; do
    $MUTATE known-cbc "$EC" $W/po$b.der "$P/alice.crt" "$ENT" padbyte:$b
    set -- "$@" $W/po$b.der
done
uniform po01-cbc-padding-oracle-variants-uniform "$@"
$MUTATE known-cbc "$EC" $W/po1.der "$P/alice.crt" "$ENT" padbyte:1
expect po01-control-valid-padding-decrypts 0 decrypt --raw $A --in $W/po1.der --out $W/c.out

# ---------------- BL-02 multi-RecipientInfo probes ----------------
enc $W/two.der aes-256-cbc alice bob
for mode in random pkcs1:32 pkcs1:15; do
    for order in after first; do
        $MUTATE probe-ri $W/two.der $W/x.der "$P/alice.crt" $mode $order
        cx decrypt --raw $A --in $W/x.der --out $W/probe.out
        rc_is "bl02-probe-$mode-$order-ignored" 0 && same_bytes "bl02-probe-$mode-$order-ignored" "$ENT" $W/probe.out
    done
done

# ---------------- BL-03 no matching RecipientInfo: distinct, before any key use ----------------
enc $W/bob.der aes-256-cbc bob
refused bl03-no-recipient-for-our-cert 1 $F decrypt --raw $A --in $W/bob.der --out $F
if [ "$(cat "$ERR")" = "$UNIFORM_cbc" ]; then
    fail bl03-no-recipient-message-distinct "expected a message distinct from the decryption failure, got the same"
else
    ok bl03-no-recipient-message-distinct
fi
$MUTATE ktri-serial "$EC" $W/x.der "$P/alice.crt"
refused bl03-our-issuer-wrong-serial-no-recipient 1 $F decrypt --raw $A --in $W/x.der --out $F

# ---------------- BL-06 ECDH originator key ----------------
CK="--cert $P/carol.crt --key $P/carol.key"
for m in offcurve infinity short "other-curve:$P/dave.crt"; do
    $MUTATE kari-point "$KG" $W/x.der "$m"
    refused "bl06-originator-key-${m%%:*}-refused" 3 $F decrypt --raw $CK --in $W/x.der --out $F
done
$MUTATE kari-wrap-params-absent "$KG" $W/x.der
refused pa10-kari-wrap-algorithm-absent-refused 3 $F decrypt --raw $CK --in $W/x.der --out $F

# ---------------- PA-02 / PA-03 / PA-05 structure ----------------
$MUTATE no-enc-content "$EC" $W/x.der
refused pa02-enveloped-without-encrypted-content 3 $F decrypt --raw $A --in $W/x.der --out $F
$MUTATE empty-enc-content "$EG" $W/x.der
refused pa02-authenveloped-empty-encrypted-content 1 $F decrypt --raw $A --in $W/x.der --out $F
$MUTATE empty-ris "$EC" $W/x.der
refused pa03-empty-recipient-infos 3 $F decrypt --raw $A --in $W/x.der --out $F
for t in 5 9 30; do
    $MUTATE ri-tag "$EC" $W/x.der $t
    refused "pa05-recipient-info-tag-$t" 3 $F decrypt --raw $A --in $W/x.der --out $F
done

# ---------------- CL-01 a failed decryption never clobbers an existing output file ----------------
echo PRECIOUS >$W/keep.txt
cx decrypt --raw $A --in $W/cbc-badpad.der --out $W/keep.txt
if rc_is cl01-decrypt-failure-keeps-existing-out-file 1; then
    if [ "$(cat $W/keep.txt 2>/dev/null)" = PRECIOUS ]; then ok cl01-decrypt-failure-keeps-existing-out-file; else fail cl01-decrypt-failure-keeps-existing-out-file "expected the file untouched, got it changed"; fi
fi

# ---------------- CE-05 / CE-07 / CE-09 recipients and weak content ----------------
write_message $W/msg.txt
for r in kusig:keyusage-digitalsignature-only srveku:eku-serverauth-only expired:expired notyet:not-yet-valid; do
    # a certificate that is not for encryption is a usage error (2); one outside its
    # validity is untrusted (1)
    want=2
    case ${r#*:} in expired | not-yet-valid) want=1 ;; esac
    refused "ce05-encrypt-to-${r#*:}-refused" $want $F encrypt --to "$P/${r%%:*}.crt" --in $W/msg.txt --out $F
done
enc $W/des3.der des3 alice
refused ce09-3des-refused-by-default 1 $F decrypt --raw $A --in $W/des3.der --out $F
cx decrypt --raw $A --allow-weak --json --in $W/des3.der --out $W/c.out
rc_is ce09-3des-allow-weak 0 && jcheck ce09-3des-allow-weak "$OUT" layers.0.authenticated=false layers.0.cipher=des-ede3-cbc
enc $W/frank.der aes-256-gcm frank
refused ce09-rsa1024-recipient-key-refused-by-default 1 $F decrypt --raw --cert "$P/frank.crt" --key "$P/frank.key" --in $W/frank.der --out $F
expect ce09-rsa1024-recipient-key-allow-weak 0 decrypt --raw --cert "$P/frank.crt" --key "$P/frank.key" --allow-weak --in $W/frank.der --out $W/c.out

finish
