# Sourced by tests/interop/bc.sh (never run): multipart MIME, 3 MB, legacy, EncryptedData,
# DigestedData, CompressedData.
# shellcheck shell=bash

# The multipart/mixed entity: signed (RSA) and enveloped (RSA, ECDH P-256) by bcmail.
for form in smime-detached smime-opaque; do
    job "$JOBS_A" "amx-sign-$form" sign --form "$form" --alg SHA256withRSA --cert "$PKI/alice.crt" \
        --key "$PKI/alice.key" --chain "$PKI/inter.crt" --in "$MIX_ENT" --out "$W/amx-sign-$form" --ca "$PKI/ca.crt"
done
job "$JOBS_A" amx-env-rsa encrypt --form smime --cipher aes-256-cbc --to "rsa:$PKI/alice.crt" \
    --self-key "$PKI/alice.key" --in "$MIX_ENT" --out "$W/amx-env-rsa"
job "$JOBS_A" amx-env-ecdh encrypt --form smime --cipher aes-128-gcm --to "ecdh-sha256kdf:$PKI/carol.crt" \
    --self-key "$PKI/carol.key" --in "$MIX_ENT" --out "$W/amx-env-ecdh"

# 3 MB through BC's stream generator (indefinite-length BER, many chunks for cachet).
BIG=$W/big.txt
{
    printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    head -c 2200000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
} >"$BIG"
job "$JOBS_A" aebig encrypt --form der-stream --cipher aes-256-cbc --to "${RCP_SPEC[ecdh-p384]}" \
    --in "$BIG" --out "$W/aebig"
job "$JOBS_A" asbig sign --form der-stream-opaque --alg SHA512withRSA --cert "$PKI/alice.crt" --key "$PKI/alice.key" \
    --chain "$PKI/inter.crt" --in "$BIG" --out "$W/asbig"

# ======================================================================== Legacy (read only)
# What old clients wrote: cachet must refuse it by default and, with --allow-legacy, read it
# and report it weak. cachet never writes these, so there is no cachet → BC direction.
LEGACY_CIPHERS="des-ede3-cbc des-cbc rc2-40-cbc rc2-64-cbc rc2-128-cbc cast5-cbc idea-cbc seed-cbc camellia-128-cbc camellia-192-cbc camellia-256-cbc"
for cipher in $LEGACY_CIPHERS; do
    forms=der
    case $cipher in des-ede3-cbc | rc2-40-cbc) forms="der smime" ;; esac
    for form in $forms; do
        job "$JOBS_A" "alc-$cipher-$form" encrypt --form "$form" --cipher "$cipher" --to "rsa:$PKI/alice.crt" \
            --self-key "$PKI/alice.key" --in "$ENT" --out "$W/alc-$cipher-$form"
    done
done
# label key BC-algorithm digest
LEGACY_SIGNERS="rsa-sha1 alice SHA1withRSA sha1
rsa-md5 alice MD5withRSA md5
ecdsa-p256-sha1 carol SHA1withECDSA sha1
dsa-sha256 dora SHA256withDSA sha256
dsa-sha1 dora SHA1withDSA sha1"
while read -r label key balg md; do
    for form in der-opaque smime-detached; do
        job "$JOBS_A" "als-$label-$form" sign --form "$form" --alg "$balg" --cert "$PKI/$key.crt" --key "$PKI/$key.key" \
            --chain "$PKI/inter.crt" --in "$ENT" --out "$W/als-$label-$form" --from "$key@example.com" --ca "$PKI/ca.crt"
    done
done <<<"$LEGACY_SIGNERS"

# ======================================================================== EncryptedData, DigestedData
# EncryptedData: the content key is the shared secret, AES-CBC of its size.
declare -A EDATA_KEY=([aes-128-cbc]=$KEK128 [aes-192-cbc]=$KEK192 [aes-256-cbc]=$KEK256)
EDATA_CIPHERS="aes-128-cbc aes-192-cbc aes-256-cbc"
for cipher in $EDATA_CIPHERS; do
    for form in der smime; do
        job "$JOBS_A" "aed-$cipher-$form" edata-encrypt --form "$form" --cipher "$cipher" \
            --key "${EDATA_KEY[$cipher]}" --in "$ENT" --out "$W/aed-$cipher-$form"
    done
done
# DigestedData alone, and signed (SignedData with eContentType id-digestedData).
declare -A BC_MD=([sha256]=SHA-256 [sha384]=SHA-384 [sha512]=SHA-512)
for md in sha256 sha384 sha512; do
    for form in der smime; do
        job "$JOBS_A" "adg-$md-$form" digest --form "$form" --alg "${BC_MD[$md]}" --in "$ENT" --out "$W/adg-$md-$form"
    done
done
job "$JOBS_A" adg-signed sign --form der-opaque --inner digested --inner-alg SHA-256 --alg SHA256withECDSA \
    --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/adg-signed" \
    --ca "$PKI/ca.crt"

# ======================================================================== Compressed
for form in smime der der-stream; do
    job "$JOBS_A" "ac-$form" compress --form "$form" --in "$ENT" --out "$W/ac-$form"
done

# cachet writes (direction B); BC reads in the batch.
other_make() {
    for form in smime-detached smime-opaque; do
        args=(sign --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt")
        [ "$form" = smime-opaque ] && args+=(--opaque)
        b_make "bmx-sign-$form" "B:cachet-signs:$form:multipart-mixed:rsa:sha256" "$form" \
            "rsa, multipart/mixed + base64 attachment" sha256 "${args[@]}" --in "$MIX_MSG" &&
            job "$JOBS_B" "bmx-sign-$form" verify --form "$form" --ca "$PKI/ca.crt" --in "$W/bmx-sign-$form" \
                --out "$W/bmx-sign-$form.out"
    done
    for k in "rsa alice aes-256-cbc" "ecdh carol aes-128-gcm"; do
        read -r kind key cipher <<<"$k"
        b_make "bmx-env-$kind" "B:cachet-encrypts:smime:multipart-mixed:$kind:$cipher" smime \
            "$kind, multipart/mixed + base64 attachment" "$cipher" encrypt --to "$PKI/$key.crt" --cipher "$cipher" \
            --in "$MIX_MSG" &&
            job "$JOBS_B" "bmx-env-$kind" decrypt --form smime --cert "$PKI/$key.crt" --key "$PKI/$key.key" \
                --in "$W/bmx-env-$kind" --out "$W/bmx-env-$kind.out"
    done

    for cipher in $EDATA_CIPHERS; do
        for form in der smime; do
            id=bed-$cipher-$form
            args=(encrypt --encrypted-data --secret-key "${EDATA_KEY[$cipher]}")
            in=$MSG
            [ "$form" = der ] && in=$ENT args+=(--raw)
            b_make "$id" "B:cachet-encrypted-data:$form:$cipher" "$form" "EncryptedData (shared key)" "$cipher" \
                "${args[@]}" --in "$in" || continue
            job "$JOBS_B" "$id" edata-decrypt --form "$form" --key "${EDATA_KEY[$cipher]}" --in "$W/$id" --out "$W/$id.out"
        done
    done
    for md in sha256 sha384 sha512; do
        for form in der smime; do
            id=bdg-$md-$form
            args=(digest --digest "$md")
            in=$MSG
            [ "$form" = der ] && in=$ENT args+=(--raw)
            b_make "$id" "B:cachet-digested-data:$form:$md" "$form" "DigestedData" "$md" "${args[@]}" --in "$in" || continue
            job "$JOBS_B" "$id" undigest --form "$form" --in "$W/$id" --out "$W/$id.out"
        done
    done

    for form in smime der; do
        args=(compress)
        in=$MSG
        [ "$form" = der ] && in=$ENT args+=(--raw)
        b_make "bc-$form" "B:cachet-compresses:$form:zlib" "$form" compressed zlib "${args[@]}" --in "$in" || continue
        job "$JOBS_B" "bc-$form" decompress --form "$form" --in "$W/bc-$form" --out "$W/bc-$form.out"
    done

    # 3 MB from cachet: AES-256-GCM to alice, and signed by dave.
    b_make bebig "B:cachet-encrypts:der-3MB:rsa:aes-256-gcm" "der, 3 MB" rsa aes-256-gcm \
        encrypt --raw --to "$PKI/alice.crt" --cipher aes-256-gcm --in "$BIG" &&
        job "$JOBS_B" bebig decrypt --form der --cert "$PKI/alice.crt" --key "$PKI/alice.key" --in "$W/bebig" --out "$W/bebig.out"
    b_make bsbig "B:cachet-signs:der-opaque-3MB:ecdsa-p384:sha384" "der-opaque, 3 MB" ecdsa-p384 sha384 \
        sign --raw --opaque --cert "$PKI/dave.crt" --key "$PKI/dave.key" --chain "$PKI/inter.crt" --digest sha384 --in "$BIG" &&
        job "$JOBS_B" bsbig verify --form der-opaque --ca "$PKI/ca.crt" --in "$W/bsbig" --out "$W/bsbig.out"
}

# BC wrote (direction A): cachet reads.
other_check_a() {
    for form in smime-detached smime-opaque; do
        id=amx-sign-$form
        name="A:bc-signs:$form:multipart-mixed:rsa:sha256"
        a_produced "$id" "$name" "$form" "rsa, multipart/mixed + base64 attachment" sha256 || continue
        rm -f "$W/$id.out"
        begin_case
        cx verify --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$W/$id.out"
        rc_problem 0
        json_problem "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted
        mixed_problem "$W/$id.out"
        record "$name" "BC → cachet" "$form" "rsa, multipart/mixed + base64 attachment" sha256
    done
    for k in "rsa alice aes-256-cbc enveloped" "ecdh carol aes-128-gcm authEnveloped"; do
        read -r kind key cipher type <<<"$k"
        id=amx-env-$kind
        name="A:bc-encrypts:smime:multipart-mixed:$kind:$cipher"
        a_produced "$id" "$name" smime "$kind, multipart/mixed + base64 attachment" "$cipher" || continue
        rm -f "$W/$id.out"
        begin_case
        cx decrypt --cert "$PKI/$key.crt" --key "$PKI/$key.key" --json --in "$W/$id" --out "$W/$id.out"
        rc_problem 0
        json_problem "$OUT" status=valid "layers.0.type=$type" "layers.0.cipher=$cipher"
        mixed_problem "$W/$id.out"
        record "$name" "BC → cachet" smime "$kind, multipart/mixed + base64 attachment" "$cipher"
    done

    name="A:bc-encrypts:der-stream-3MB-stdin-stdout:ecdh-p384:aes-256-cbc"
    if a_produced aebig "$name" "der-stream, 3 MB, stdin→stdout" ecdh-p384 aes-256-cbc; then
        begin_case
        cxin "$W/aebig" decrypt --raw --cert "$PKI/dave.crt" --key "$PKI/dave.key"
        rc_problem 0
        cmp -s "$BIG" "$OUT" || problem "expected the 3 MB plaintext on stdout byte for byte"
        record "$name" "BC → cachet" "der-stream, 3 MB, stdin→stdout" ecdh-p384 aes-256-cbc
    fi
    name="A:bc-signs:der-stream-opaque-3MB-stdin-stdout:rsa:sha512"
    if a_produced asbig "$name" "der-stream-opaque, 3 MB, stdin→stdout" rsa sha512; then
        begin_case
        cxin "$W/asbig" verify --raw --trust "$PKI/ca.crt"
        rc_problem 0
        cmp -s "$BIG" "$OUT" || problem "expected the 3 MB content on stdout byte for byte"
        record "$name" "BC → cachet" "der-stream-opaque, 3 MB, stdin→stdout" rsa sha512
    fi

    # Legacy: refused by default (exit 1, no output, a message naming --allow-legacy); with
    # --allow-legacy read and reported weak. A cipher Debian's OpenSSL lacks (IDEA) must be a
    # clean refusal naming it.
    for cipher in $LEGACY_CIPHERS; do
        forms=der
        case $cipher in des-ede3-cbc | rc2-40-cbc) forms="der smime" ;; esac
        for form in $forms; do
            id=alc-$cipher-$form
            name="A:bc-encrypts-legacy:$form:rsa:$cipher"
            a_produced "$id" "$name" "$form" "rsa, legacy cipher" "$cipher" || continue
            raw=()
            [ "$form" = smime ] || raw=(--raw)
            begin_case
            rm -f "$W/$id.out"
            cx decrypt "${raw[@]}" --cert "$PKI/alice.crt" --key "$PKI/alice.key" --in "$W/$id" --out "$W/$id.out"
            rc_problem 1
            [ ! -e "$W/$id.out" ] || problem "expected no output without --allow-legacy"
            grep -q -e '--allow-legacy' "$ERR" || problem "expected the refusal to name --allow-legacy"
            cx decrypt "${raw[@]}" --allow-legacy --cert "$PKI/alice.crt" --key "$PKI/alice.key" --json \
                --in "$W/$id" --out "$W/$id.out"
            if [ "$RC" != 0 ] && grep -q "$cipher is not available in this OpenSSL build" "$ERR"; then
                [ ! -e "$W/$id.out" ] || problem "expected no output for a cipher OpenSSL lacks"
                if [ -z "$PROBLEMS" ]; then
                    skip "$name" "not available in the OpenSSL cachet uses ($(openssl version | cut -d' ' -f1-2))"
                    row "BC → cachet" "$form" "rsa, legacy cipher" "$cipher" "not available in cachet's OpenSSL"
                    continue
                fi
            fi
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.type=enveloped "layers.0.cipher=$cipher" layers.0.weak=true \
                layers.0.authenticated=false
            if [ "$form" = smime ]; then
                body_problem "$ENT" "$W/$id.out"
            else
                cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the plaintext byte for byte"
            fi
            record "$name" "BC → cachet" "$form" "rsa, legacy cipher" "$cipher"
        done
    done
    while read -r label key balg md; do
        for form in der-opaque smime-detached; do
            id=als-$label-$form
            name="A:bc-signs-legacy:$form:$label"
            a_produced "$id" "$name" "$form" "$label (legacy)" "$md" || continue
            args=(verify --trust "$PKI/ca.crt" --in "$W/$id" --out "$W/$id.out")
            [ "$form" = der-opaque ] && args+=(--raw)
            begin_case
            rm -f "$W/$id.out"
            cx "${args[@]}"
            rc_problem 1
            grep -q -e '--allow-legacy' "$ERR" || problem "expected the refusal to name --allow-legacy"
            rm -f "$W/$id.out"
            cx "${args[@]}" --allow-legacy --json
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted \
                layers.0.signers.0.weak=true "layers.0.signers.0.digest=$md"
            if [ "$form" = der-opaque ]; then
                cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the eContent byte for byte"
            else
                body_problem "$ENT" "$W/$id.out"
            fi
            record "$name" "BC → cachet" "$form" "$label (legacy)" "$md"
        done
    done <<<"$LEGACY_SIGNERS"

    for cipher in $EDATA_CIPHERS; do
        for form in der smime; do
            id=aed-$cipher-$form
            name="A:bc-encrypted-data:$form:$cipher"
            a_produced "$id" "$name" "$form" "EncryptedData (shared key)" "$cipher" || continue
            begin_case
            rm -f "$W/$id.out"
            raw=()
            [ "$form" = smime ] || raw=(--raw)
            cx decrypt "${raw[@]}" --secret-key "${EDATA_KEY[$cipher]}" --json --in "$W/$id" --out "$W/$id.out"
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.type=encrypted "layers.0.cipher=$cipher" layers.0.authenticated=false
            if [ "$form" = smime ]; then
                body_problem "$ENT" "$W/$id.out"
            else
                cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the plaintext byte for byte"
            fi
            record "$name" "BC → cachet" "$form" "EncryptedData (shared key)" "$cipher"
        done
    done

    # A DigestedData alone is integrity only: cachet verify reports it (digest_valid) and fails
    # the message as it fails an unsigned one; signed around it, it verifies.
    for md in sha256 sha384 sha512; do
        for form in der smime; do
            id=adg-$md-$form
            name="A:bc-digested-data:$form:$md"
            a_produced "$id" "$name" "$form" "DigestedData" "$md" || continue
            begin_case
            raw=()
            [ "$form" = smime ] || raw=(--raw)
            cx verify "${raw[@]}" --json --in "$W/$id"
            rc_problem 1
            json_problem "$OUT" layers.0.type=digested "layers.0.digest=$md" layers.0.digest_valid=true
            record "$name" "BC → cachet" "$form" "DigestedData" "$md"
        done
    done
    id=adg-signed
    name="A:bc-signs-digested-data:der-opaque:ecdsa-p256:sha256"
    if a_produced "$id" "$name" der-opaque "SignedData(DigestedData)" "ecdsa-p256, sha256"; then
        begin_case
        rm -f "$W/$id.out"
        cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$W/$id.out"
        rc_problem 0
        json_problem "$OUT" status=valid layers.0.type=signed layers.0.signers.0.signature=valid \
            layers.0.signers.0.chain=trusted layers.1.type=digested layers.1.digest=sha256 layers.1.digest_valid=true
        cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the digested content byte for byte"
        record "$name" "BC → cachet" der-opaque "SignedData(DigestedData)" "ecdsa-p256, sha256"
    fi

    for form in smime der der-stream; do
        id=ac-$form
        name="A:bc-compresses:$form:zlib"
        a_produced "$id" "$name" "$form" compressed zlib || continue
        begin_case
        rm -f "$W/$id.out"
        raw=()
        [ "$form" = smime ] || raw=(--raw)
        cx decompress "${raw[@]}" --in "$W/$id" --out "$W/$id.out"
        rc_problem 0
        if [ "$form" = smime ]; then
            body_problem "$ENT" "$W/$id.out"
        else
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the content byte for byte"
        fi
        record "$name" "BC → cachet" "$form" compressed zlib
    done
}

# cachet wrote (direction B): BC's results.
other_check_b() {
    for id in bmx-sign-smime-detached bmx-sign-smime-opaque bmx-env-rsa bmx-env-ecdh; do
        [ -n "${B_MADE[$id]:-}" ] || continue
        case $id in
            bmx-sign-*) form=${id#bmx-sign-} name="B:cachet-signs:$form:multipart-mixed:rsa:sha256" param=sha256 ;;
            bmx-env-rsa) form=smime name="B:cachet-encrypts:smime:multipart-mixed:rsa:aes-256-cbc" param=aes-256-cbc ;;
            bmx-env-ecdh) form=smime name="B:cachet-encrypts:smime:multipart-mixed:ecdh:aes-128-gcm" param=aes-128-gcm ;;
        esac
        alg="${id#bmx-*-}, multipart/mixed + base64 attachment"
        [[ $id == bmx-sign-* ]] && alg="rsa, multipart/mixed + base64 attachment"
        b_consumed "$id" "$name" "$form" "$alg" "$param" "-" || continue
        begin_case
        bodies_equal "$MIX_MSG" "$W/$id.out" ||
            problem "expected BC to give back the multipart body, got '$(body "$W/$id.out" 2>/dev/null | head -c 80 | tr '\r\n' '  ')'"
        grep -q -i '^Content-Type: multipart/mixed' "$W/$id.out" 2>/dev/null || problem "expected the multipart/mixed header"
        record "$name" "cachet → BC" "$form" "$alg" "$param"
    done

    for cipher in $EDATA_CIPHERS; do
        for form in der smime; do
            id=bed-$cipher-$form
            [ -n "${B_MADE[$id]:-}" ] || continue
            name="B:cachet-encrypted-data:$form:$cipher"
            b_consumed "$id" "$name" "$form" "EncryptedData (shared key)" "$cipher" "-" || continue
            begin_case
            [[ $(res_detail "$id") == *"cipher=${CIPHER_OID[$cipher]}"* ]] ||
                problem "expected content cipher ${CIPHER_OID[$cipher]}, BC saw: $(res_detail "$id")"
            b_content_problem "$form" "$W/$id.out"
            record "$name" "cachet → BC" "$form" "EncryptedData (shared key)" "$cipher"
        done
    done
    for md in sha256 sha384 sha512; do
        for form in der smime; do
            id=bdg-$md-$form
            [ -n "${B_MADE[$id]:-}" ] || continue
            name="B:cachet-digested-data:$form:$md"
            b_consumed "$id" "$name" "$form" "DigestedData" "$md" "-" || continue
            begin_case
            [[ $(res_detail "$id") == *"digest=${MD_OID[$md]}"* ]] ||
                problem "expected digestAlgorithm ${MD_OID[$md]}, BC saw: $(res_detail "$id")"
            b_content_problem "$form" "$W/$id.out"
            record "$name" "cachet → BC" "$form" "DigestedData" "$md"
        done
    done

    for form in smime der; do
        id=bc-$form
        [ -n "${B_MADE[$id]:-}" ] || continue
        name="B:cachet-compresses:$form:zlib"
        b_consumed "$id" "$name" "$form" compressed zlib "-" || continue
        begin_case
        if [ "$form" = smime ]; then
            bodies_equal "$MSG" "$W/$id.out" || problem "expected BC to give back the body"
        else
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected BC to give back the content byte for byte"
        fi
        record "$name" "cachet → BC" "$form" compressed zlib
    done

    if [ -n "${B_MADE[bebig]:-}" ]; then
        name="B:cachet-encrypts:der-3MB:rsa:aes-256-gcm"
        if b_consumed bebig "$name" "der, 3 MB" rsa aes-256-gcm "env:rsa:aes-256-gcm"; then
            begin_case
            cmp -s "$BIG" "$W/bebig.out" 2>/dev/null || problem "expected BC to give back the 3 MB plaintext"
            record "$name" "cachet → BC" "der, 3 MB" rsa aes-256-gcm
        fi
    fi
    if [ -n "${B_MADE[bsbig]:-}" ]; then
        name="B:cachet-signs:der-opaque-3MB:ecdsa-p384:sha384"
        if b_consumed bsbig "$name" "der-opaque, 3 MB" ecdsa-p384 sha384 "sign:ecdsa-p384:sha384"; then
            begin_case
            cmp -s "$BIG" "$W/bsbig.out" 2>/dev/null || problem "expected BC to give back the 3 MB content"
            record "$name" "cachet → BC" "der-opaque, 3 MB" ecdsa-p384 sha384
        fi
    fi
}
