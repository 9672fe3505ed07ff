# Sourced by tests/interop/bc.sh (never run): EnvelopedData/AuthEnvelopedData cases (tables and BC jobs run when sourced).
# shellcheck shell=bash

# ======================================================================== Enveloped
# recipient table: label  BC-spec  report-key_management  cachet-encrypt-args  cachet-decrypt-args
#                  BC-decrypt-args  directions (A, B or AB)
# (% stands for $PKI; the cachet args are word-split.)
RECIPIENTS="rsa|rsa:%/alice.crt|rsaEncryption|--to %/alice.crt|--cert %/alice.crt --key %/alice.key|--cert %/alice.crt --key %/alice.key|AB
oaep-sha1|oaep-sha1:%/alice.crt|rsaes-oaep|-|--cert %/alice.crt --key %/alice.key|-|A
oaep-sha256|oaep-sha256:%/alice.crt|rsaes-oaep|--to %/alice.crt --oaep|--cert %/alice.crt --key %/alice.key|--cert %/alice.crt --key %/alice.key|AB
ecdh-p256-sha1kdf|ecdh-sha1kdf:%/carol.crt|ecdh-stdDH-sha1kdf|-|--cert %/carol.crt --key %/carol.key|-|A
ecdh-p256|ecdh-sha256kdf:%/carol.crt|ecdh-stdDH-sha256kdf|--to %/carol.crt|--cert %/carol.crt --key %/carol.key|--cert %/carol.crt --key %/carol.key|AB
ecdh-p384|ecdh-sha384kdf:%/dave.crt|ecdh-stdDH-sha384kdf|--to %/dave.crt|--cert %/dave.crt --key %/dave.key|--cert %/dave.crt --key %/dave.key|AB
ecdh-p256-ukm|ecdh-sha256kdf+ukm:%/carol.crt|ecdh-stdDH-sha256kdf|-|--cert %/carol.crt --key %/carol.key|-|A
ecdh-p384-sha512kdf-ukm|ecdh-sha512kdf+ukm:%/dave.crt|ecdh-stdDH-sha512kdf|-|--cert %/dave.crt --key %/dave.key|-|A
x25519|ecdh-sha256kdf:%/xavier.crt|ecdh-x25519-sha256kdf|--to %/xavier.crt|--cert %/xavier.crt --key %/xavier.key|--cert %/xavier.crt --key %/xavier.key|AB
x448|ecdh-sha512kdf:%/yvonne.crt|ecdh-x448-sha512kdf|--to %/yvonne.crt|--cert %/yvonne.crt --key %/yvonne.key|--cert %/yvonne.crt --key %/yvonne.key|AB
kek-aes128|kek:$KEK128:$KEKID|kek-aes128-wrap|$(kek_args $KEK128)|$(kek_args $KEK128)|--kek $KEK128:$KEKID|AB
kek-aes192|kek:$KEK192:$KEKID|kek-aes192-wrap|$(kek_args $KEK192)|$(kek_args $KEK192)|--kek $KEK192:$KEKID|AB
kek-aes256|kek:$KEK256:$KEKID|kek-aes256-wrap|$(kek_args $KEK256)|$(kek_args $KEK256)|--kek $KEK256:$KEKID|AB
password-sha256|pwd:$PASSWORD:10000:sha256|pwri-pbkdf2-hmac-sha256|PWENC|PWDEC|PASSWORD|AB
password-sha1|pwd:$PASSWORD:10000:sha1|pwri-pbkdf2-hmac-sha1|-|PWDEC|-|A
password-sha512|pwd:$PASSWORD:10000:sha512|pwri-pbkdf2-hmac-sha512|-|PWDEC|-|A"
CIPHERS_A="aes-128-cbc aes-192-cbc aes-256-cbc aes-128-gcm aes-192-gcm aes-256-gcm aes-128-ccm aes-192-ccm aes-256-ccm chacha20-poly1305"
# cachet writes every cipher but AES-192-CCM (not among its --cipher choices).
CIPHERS_B="aes-128-cbc aes-192-cbc aes-256-cbc aes-128-gcm aes-192-gcm aes-256-gcm aes-128-ccm aes-256-ccm chacha20-poly1305"
declare -A CIPHER_OID=([aes-128-cbc]=2.16.840.1.101.3.4.1.2 [aes-192-cbc]=2.16.840.1.101.3.4.1.22
    [aes-256-cbc]=2.16.840.1.101.3.4.1.42 [aes-128-gcm]=2.16.840.1.101.3.4.1.6
    [aes-192-gcm]=2.16.840.1.101.3.4.1.26 [aes-256-gcm]=2.16.840.1.101.3.4.1.46
    [aes-128-ccm]=2.16.840.1.101.3.4.1.7 [aes-192-ccm]=2.16.840.1.101.3.4.1.27
    [aes-256-ccm]=2.16.840.1.101.3.4.1.47 [chacha20-poly1305]=1.2.840.113549.1.9.16.3.18)
is_aead() { case $1 in *gcm | *ccm | chacha*) return 0 ;; esac; return 1; }
pk() { echo "${1//%/$PKI}"; }
# cli args of a table column: PWENC/PWDEC stand for the password options.
cli_words() { # cli_words COLUMN -> CW array
    case $1 in
        PWENC) CW=("${pass_enc_args[@]}") ;;
        PWENCDEFAULT) CW=("${pass_enc_default_args[@]}") ;;
        PWDEC) CW=("${pass_dec_args[@]}") ;;
        *) read -r -a CW <<<"$(pk "$1")" ;;
    esac
}

declare -A RCP_SPEC RCP_KM RCP_CENC RCP_CDEC RCP_BDEC RCP_DIR
RCP_LABELS=()
while IFS='|' read -r label spec km cenc cdec bdec dirs; do
    RCP_LABELS+=("$label")
    RCP_SPEC[$label]=$(pk "$spec")
    RCP_KM[$label]=$km
    RCP_CENC[$label]=$cenc
    RCP_CDEC[$label]=$cdec
    RCP_BDEC[$label]=$bdec
    RCP_DIR[$label]=$dirs
done <<<"$RECIPIENTS"

self_key_of() { # the recipient's private key, for BC reading back its own message
    case ${RCP_SPEC[$1]} in
        rsa:* | oaep-* | ecdh-*) local c=${RCP_SPEC[$1]#*:}; echo "${c%.crt}.key" ;;
        *) echo - ;;
    esac
}

key_bits() { case $1 in aes-128-*) echo 128 ;; aes-192-*) echo 192 ;; *) echo 256 ;; esac; }

declare -a A_ENV B_ENV
for label in "${RCP_LABELS[@]}"; do
    for cipher in $CIPHERS_A; do
        forms=der
        case $cipher in aes-128-cbc | aes-256-gcm) forms="der smime" ;; esac
        [ "$label" = rsa ] && [ "$cipher" = aes-256-cbc ] && forms="$forms der-stream pem"
        [ "$label" = ecdh-p256 ] && [ "$cipher" = aes-256-gcm ] && forms="$forms pem"
        for form in $forms; do
            id="ae-$label-$cipher-$form"
            sk=$(self_key_of "$label")
            extra=()
            [ "$sk" != - ] && extra=(--self-key "$sk")
            job "$JOBS_A" "$id" encrypt --form "$form" --cipher "$cipher" --to "${RCP_SPEC[$label]}" "${extra[@]}" \
                --in "$ENT" --out "$W/$id"
            A_ENV+=("$id $form $label $cipher")
        done
    done
    [[ ${RCP_DIR[$label]} == *B* ]] || continue
    for cipher in $CIPHERS_B; do
        # RFC 3565 §2.3.2: the KEK must be at least as long as the content key (cachet
        # refuses a shorter one when it writes; it reads what BC writes either way).
        [[ $label == kek-aes* ]] && [ "$(key_bits "$cipher")" -gt "${label#kek-aes}" ] && continue
        forms=der
        case $cipher in aes-128-cbc | aes-256-gcm) forms="der smime" ;; esac
        [ "$label" = rsa ] && [ "$cipher" = aes-256-cbc ] && forms="$forms pem"
        [ "$label" = ecdh-p256 ] && [ "$cipher" = aes-256-gcm ] && forms="$forms pem"
        for form in $forms; do
            B_ENV+=("be-$label-$cipher-$form $form $label $cipher")
        done
    done
done
# cachet's default PBKDF2 iteration count (600000; the other cases use 10000 to keep
# BC's Java PBKDF2 quick).
RCP_SPEC[password-default]=${RCP_SPEC[password-sha256]}
RCP_CENC[password-default]=PWENCDEFAULT
RCP_BDEC[password-default]=PASSWORD
B_ENV+=("be-password-default-aes-256-gcm-smime smime password-default aes-256-gcm")
# Mixed recipients in one message: RSA, ECDH P-256, KEK and password; each opens it.
MIXED="rsa ecdh-p256 kek-aes256 password-sha256"
for cipher in aes-256-cbc aes-256-gcm; do
    id="am-$cipher"
    tos=()
    for l in $MIXED; do tos+=(--to "${RCP_SPEC[$l]}"); done
    job "$JOBS_A" "$id" encrypt --form der --cipher "$cipher" "${tos[@]}" --self-key "$PKI/alice.key" \
        --in "$ENT" --out "$W/$id"
done

# Recipients identified by subjectKeyIdentifier (ktri rid, kari rKeyId).
for label in rsa oaep-sha256 ecdh-p256 ecdh-p384; do
    for cipher in aes-128-cbc aes-256-gcm; do
        id="aek-$label-$cipher"
        job "$JOBS_A" "$id" encrypt --form der --rid skid --cipher "$cipher" --to "${RCP_SPEC[$label]}" \
            --self-key "$(self_key_of "$label")" --in "$ENT" --out "$W/$id"
    done
done
bc_dec_args() { # bc_dec_args LABEL -> BA: CachetPeer decrypt's secret options for LABEL
    if [ "${RCP_BDEC[$1]}" = PASSWORD ]; then
        BA=(--password "$PASSWORD")
    else
        read -r -a BA <<<"$(pk "${RCP_BDEC[$1]}")"
    fi
}

# cachet encrypts (direction B); BC decrypts in the batch.
enveloped_make() {
    for c in "${B_ENV[@]}"; do
        read -r id form label cipher <<<"$c"
        cli_words "${RCP_CENC[$label]}"
        args=(encrypt "${CW[@]}" --cipher "$cipher")
        in=$MSG
        [ "$form" = der ] && in=$ENT args+=(--raw)
        [ "$form" = pem ] && in=$ENT args+=(--raw --format pem)
        b_make "$id" "B:cachet-encrypts:$form:$label:$cipher" "$form" "$label" "$cipher" "${args[@]}" --in "$in" || continue
        bc_dec_args "$label"
        job "$JOBS_B" "$id" decrypt --form "$form" "${BA[@]}" --in "$W/$id" --out "$W/$id.out"
    done

    for cipher in aes-256-cbc aes-256-gcm; do
        args=(encrypt --raw --cipher "$cipher")
        for l in $MIXED; do
            cli_words "${RCP_CENC[$l]}"
            args+=("${CW[@]}")
        done
        id="bm-$cipher"
        b_make "$id" "B:cachet-encrypts:der:mixed-4-recipients:$cipher" der "mixed: $MIXED" "$cipher" "${args[@]}" --in "$ENT" || continue
        for l in $MIXED; do
            bc_dec_args "$l"
            job "$JOBS_B" "$id-$l" decrypt --form der "${BA[@]}" --in "$W/$id" --out "$W/$id-$l.out"
        done
    done
}

# BC encrypted (direction A): cachet decrypts.
enveloped_check_a() {
    for label in rsa oaep-sha256 ecdh-p256 ecdh-p384; do
        for cipher in aes-128-cbc aes-256-gcm; do
            id="aek-$label-$cipher"
            name="A:bc-encrypts:der:$label-by-keyid:$cipher"
            a_produced "$id" "$name" der "$label (recipient by subjectKeyIdentifier)" "$cipher" || continue
            rm -f "$W/$id.out"
            begin_case
            cli_words "${RCP_CDEC[$label]}"
            cx decrypt --raw "${CW[@]}" --json --in "$W/$id" --out "$W/$id.out"
            rc_problem 0
            json_problem "$OUT" status=valid "layers.0.cipher=$cipher" "layers.0.key_management=${RCP_KM[$label]}"
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the plaintext byte for byte"
            record "$name" "BC → cachet" der "$label (recipient by subjectKeyIdentifier)" "$cipher"
        done
    done

    for c in "${A_ENV[@]}"; do
        read -r id form label cipher <<<"$c"
        peer_self "env:$label:$cipher" "$id"
        name="A:bc-encrypts:$form:$label:$cipher"
        a_produced "$id" "$name" "$form" "$label" "$cipher" || continue
        out=$W/$id.out
        rm -f "$out"
        begin_case
        cli_words "${RCP_CDEC[$label]}"
        raw=()
        [ "$form" = smime ] || raw=(--raw)
        cx decrypt "${raw[@]}" "${CW[@]}" --json --in "$W/$id" --out "$out"
        rc_problem 0
        if is_aead "$cipher"; then t="authEnveloped true"; else t="enveloped false"; fi
        read -r type auth <<<"$t"
        json_problem "$OUT" status=valid "layers.0.type=$type" "layers.0.authenticated=$auth" \
            "layers.0.cipher=$cipher" "layers.0.key_management=${RCP_KM[$label]}"
        if [ "$form" = smime ]; then
            body_problem "$ENT" "$out"
        else
            cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the plaintext byte for byte"
        fi
        record "$name" "BC → cachet" "$form" "$label" "$cipher"
    done

    for cipher in aes-256-cbc aes-256-gcm; do
        id="am-$cipher"
        for l in $MIXED; do
            name="A:bc-encrypts:der:mixed-4-recipients(open as $l):$cipher"
            a_produced "$id" "$name" der "mixed: $MIXED (opened as $l)" "$cipher" || continue
            begin_case
            cli_words "${RCP_CDEC[$l]}"
            rm -f "$W/$id.out"
            cx decrypt --raw "${CW[@]}" --json --in "$W/$id" --out "$W/$id.out"
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.recipients=4 "layers.0.cipher=$cipher" "layers.0.key_management=${RCP_KM[$l]}"
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the plaintext byte for byte"
            record "$name" "BC → cachet" der "mixed: $MIXED (opened as $l)" "$cipher"
        done
    done
}

# cachet encrypted (direction B): BC's results.
enveloped_check_b() {
    for c in "${B_ENV[@]}"; do
        read -r id form label cipher <<<"$c"
        [ -n "${B_MADE[$id]:-}" ] || continue
        name="B:cachet-encrypts:$form:$label:$cipher"
        b_consumed "$id" "$name" "$form" "$label" "$cipher" "env:$label:$cipher" || continue
        begin_case
        d=$(res_detail "$id")
        if is_aead "$cipher"; then t=authEnveloped; else t=enveloped; fi
        [[ $d == *"type=$t "* ]] || problem "expected $t, BC saw: $d"
        [[ $d == *"cipher=${CIPHER_OID[$cipher]} "* ]] || problem "expected content cipher ${CIPHER_OID[$cipher]}, BC saw: $d"
        case $label in
            rsa) [[ $d == *"km=1.2.840.113549.1.1.1 "* ]] || problem "expected rsaEncryption, BC saw: $d" ;;
            oaep*) [[ $d == *"km=1.2.840.113549.1.1.7 "* ]] || problem "expected id-RSAES-OAEP, BC saw: $d" ;;
        esac
        if [ "$form" = smime ]; then
            bodies_equal "$MSG" "$W/$id.out" || problem "expected BC to give back the encrypted body"
        else
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected BC to give back the plaintext byte for byte"
        fi
        record "$name" "cachet → BC" "$form" "$label" "$cipher"
    done

    for cipher in aes-256-cbc aes-256-gcm; do
        [ -n "${B_MADE[bm-$cipher]:-}" ] || continue
        for l in $MIXED; do
            id="bm-$cipher-$l"
            name="B:cachet-encrypts:der:mixed-4-recipients(open as $l):$cipher"
            b_consumed "$id" "$name" der "mixed: $MIXED (opened as $l)" "$cipher" "env:$l:$cipher" || continue
            begin_case
            [[ $(res_detail "$id") == *"ris=4"* ]] || problem "expected 4 RecipientInfos, BC saw: $(res_detail "$id")"
            cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected BC to give back the plaintext byte for byte"
            record "$name" "cachet → BC" der "mixed: $MIXED (opened as $l)" "$cipher"
        done
    done
}
