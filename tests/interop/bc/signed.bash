# Sourced by tests/interop/bc.sh (never run): SignedData cases (tables and BC jobs run when sourced).
# shellcheck shell=bash

# ======================================================================== SignedData
# signer table: label key email bc-algorithm(N = digest bits) report-algorithm digests cachet-extra
SIGNERS="rsa alice alice@example.com SHAxwithRSA shaxWithRSAEncryption sha256,sha384,sha512 -
pss alice alice@example.com SHAxWITHRSAANDMGF1 rsassa-pss sha256,sha384,sha512 --pss
ecdsa-p256 carol carol@example.com SHAxwithECDSA ecdsa-with-SHAx sha256,sha384,sha512 -
ecdsa-p384 dave dave@example.com SHAxwithECDSA ecdsa-with-SHAx sha256,sha384,sha512 -
ed25519 erin erin@example.com Ed25519 ed25519 sha512 -
ed448 grace grace@example.com Ed448 ed448 shake256 -"
SIGN_FORMS_A="smime-detached smime-opaque der-opaque der-detached"
SIGN_FORMS_B="smime-detached smime-opaque der-opaque der-detached"
declare -A SIG_OID=([rsa]=1.2.840.113549.1.1.1 [pss]=1.2.840.113549.1.1.10 [ed25519]=1.3.101.112
    [ed448]=1.3.101.113 [ecdsa-with-SHA256]=1.2.840.10045.4.3.2 [ecdsa-with-SHA384]=1.2.840.10045.4.3.3
    [ecdsa-with-SHA512]=1.2.840.10045.4.3.4)
declare -A MD_OID=([sha256]=2.16.840.1.101.3.4.2.1 [sha384]=2.16.840.1.101.3.4.2.2
    [sha512]=2.16.840.1.101.3.4.2.3 [shake256]=2.16.840.1.101.3.4.2.18)
bits() { echo "${1#sha}"; }

declare -a A_SIGN B_SIGN
while read -r label key email balg ralg mds cextra; do
    write_message "$W/msg-$key.txt" "$email"
    for md in ${mds//,/ }; do
        b=$(bits "$md")
        forms="$SIGN_FORMS_A"
        # BER from CMSSignedDataStreamGenerator and PEM: each signer once, at its first digest.
        [ "$md" = "${mds%%,*}" ] && forms="$forms der-stream-opaque der-stream-detached pem-opaque"
        for form in $forms; do
            id="as-$label-$md-$form"
            job "$JOBS_A" "$id" sign --form "$form" --alg "${balg//x/$b}" --cert "$PKI/$key.crt" \
                --key "$PKI/$key.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/$id" \
                --from "$email" --ca "$PKI/ca.crt"
            A_SIGN+=("$id $form $label $md $key ${ralg//x/$b}")
        done
        bforms=$SIGN_FORMS_B
        [ "$md" = "${mds%%,*}" ] && bforms="$bforms pem-opaque"
        for form in $bforms; do
            B_SIGN+=("bs-$label-$md-$form $form $label $md $key $email $cextra")
        done
    done
done <<<"$SIGNERS"

# Two signers in one SignedData: RSA (alice, SHA-256) and ECDSA P-384 (dave, SHA-384).
MULTI_FORMS="smime-detached smime-opaque der-opaque der-detached"
for form in $MULTI_FORMS; do
    job "$JOBS_A" "asm-$form" sign --form "$form" --alg SHA256withRSA --cert "$PKI/alice.crt" --key "$PKI/alice.key" \
        --alg SHA384withECDSA --cert "$PKI/dave.crt" --key "$PKI/dave.key" --chain "$PKI/inter.crt" \
        --in "$ENT" --out "$W/asm-$form" --ca "$PKI/ca.crt"
done

# Signers identified by subjectKeyIdentifier (SignerInfo v3).
KEYID_SIGNERS="rsa:alice:SHA256withRSA:sha256WithRSAEncryption:sha256 ecdsa-p256:carol:SHA256withECDSA:ecdsa-with-SHA256:sha256 ed25519:erin:Ed25519:ed25519:sha512"
for s in $KEYID_SIGNERS; do
    IFS=: read -r label key balg ralg md <<<"$s"
    for form in smime-detached der-opaque; do
        job "$JOBS_A" "ask-$label-$form" sign --form "$form" --sid skid --alg "$balg" --cert "$PKI/$key.crt" \
            --key "$PKI/$key.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/ask-$label-$form" \
            --from "$key@example.com" --ca "$PKI/ca.crt"
    done
done

# cachet signs (direction B); BC verifies in the batch.
signed_make() {
    for c in "${B_SIGN[@]}"; do
        read -r id form label md key email cextra <<<"$c"
        args=(sign --cert "$PKI/$key.crt" --key "$PKI/$key.key" --chain "$PKI/inter.crt")
        # Ed448 signs with SHAKE256 (RFC 8419): cachet's choice, no --digest.
        [ "$md" != shake256 ] && args+=(--digest "$md")
        [ "$cextra" != - ] && args+=("$cextra")
        case $form in
            smime-detached) in=$W/msg-$key.txt ;;
            smime-opaque) in=$W/msg-$key.txt args+=(--opaque) ;;
            der-detached) in=$ENT args+=(--raw) ;;
            der-opaque) in=$ENT args+=(--raw --opaque) ;;
            pem-opaque) in=$ENT args+=(--raw --opaque --format pem) ;;
        esac
        b_make "$id" "B:cachet-signs:$form:$label:$md" "$form" "$label" "$md" "${args[@]}" --in "$in" || continue
        job "$JOBS_B" "$id" verify --form "$form" --ca "$PKI/ca.crt" --in "$W/$id" --out "$W/$id.out" --content "$ENT"
    done

    for form in $MULTI_FORMS; do
        args=(sign --cert "$PKI/alice.crt" --key "$PKI/alice.key" --cert "$PKI/dave.crt" --key "$PKI/dave.key"
            --chain "$PKI/inter.crt")
        case $form in
            smime-detached) in=$MSG ;;
            smime-opaque) in=$MSG args+=(--opaque) ;;
            der-detached) in=$ENT args+=(--raw) ;;
            der-opaque) in=$ENT args+=(--raw --opaque) ;;
        esac
        b_make "bsm-$form" "B:cachet-signs:$form:two-signers(rsa+ecdsa-p384)" "$form" "two signers: rsa + ecdsa-p384" \
            sha256 "${args[@]}" --in "$in" || continue
        job "$JOBS_B" "bsm-$form" verify --form "$form" --ca "$PKI/ca.crt" --in "$W/bsm-$form" --out "$W/bsm-$form.out" \
            --content "$ENT"
    done
}

# BC signed (direction A): cachet verifies.
signed_check_a() {
    for c in "${A_SIGN[@]}"; do
        read -r id form label md key ralg <<<"$c"
        peer_self "sign:$label:$md" "$id"
        name="A:bc-signs:$form:$label:$md"
        a_produced "$id" "$name" "$form" "$label" "$md" || continue
        out=$W/$id.out
        rm -f "$out"
        begin_case
        exp=(status=valid layers.0.type=signed layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted
            "layers.0.signers.0.digest=$md" "layers.0.signers.0.algorithm=$ralg" layers.0.signers.0.weak=false)
        case $form in
            smime-*)
                cx verify --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out"
                exp+=(layers.0.signers.0.address_match=true)
                ;;
            *detached) cx verify --raw --content "$ENT" --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out" ;;
            *) cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out" ;;
        esac
        rc_problem 0
        json_problem "$OUT" "${exp[@]}"
        case $form in
            smime-*) body_problem "$ENT" "$out" ;;
            *opaque) cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the eContent byte for byte" ;;
        esac
        record "$name" "BC → cachet" "$form" "$label" "$md"
    done

    for form in $MULTI_FORMS; do
        id=asm-$form
        name="A:bc-signs:$form:two-signers(rsa+ecdsa-p384)"
        a_produced "$id" "$name" "$form" "two signers: rsa + ecdsa-p384" "sha256 + sha384" || continue
        out=$W/$id.out
        rm -f "$out"
        begin_case
        # Two signers, one From: the address check cannot hold for both, so it is off here.
        case $form in
            smime-*) cx verify --no-address-check --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out" ;;
            der-detached) cx verify --raw --content "$ENT" --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out" ;;
            *) cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$out" ;;
        esac
        rc_problem 0
        json_problem "$OUT" status=valid
        # BC writes the SignerInfos as a DER SET (sorted): compare them in any order.
        "$PY" - "$OUT" >"$W/signers.msg" <<'PY' || problem "expected two valid, trusted signers (rsa/sha256, ecdsa/sha384): $(cat "$W/signers.msg")"
import json, sys
try:
    s = json.load(open(sys.argv[1]))["layers"][0]["signers"]
    got = sorted((x["algorithm"], x["digest"], x["signature"], x["chain"], x["weak"]) for x in s)
except Exception as e:
    print("no report (%s)" % e)
    sys.exit(1)
want = sorted([("sha256WithRSAEncryption", "sha256", "valid", "trusted", False),
               ("ecdsa-with-SHA384", "sha384", "valid", "trusted", False)])
if got != want:
    print(got)
    sys.exit(1)
PY
        case $form in
            smime-*) body_problem "$ENT" "$out" ;;
            der-opaque) cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the eContent byte for byte" ;;
        esac
        record "$name" "BC → cachet" "$form" "two signers: rsa + ecdsa-p384" "sha256 + sha384"
    done

    for s in $KEYID_SIGNERS; do
        IFS=: read -r label key balg ralg md <<<"$s"
        for form in smime-detached der-opaque; do
            id=ask-$label-$form
            name="A:bc-signs:$form:$label-by-keyid:$md"
            a_produced "$id" "$name" "$form" "$label (signer by subjectKeyIdentifier)" "$md" || continue
            rm -f "$W/$id.out"
            begin_case
            if [ "$form" = der-opaque ]; then
                cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$W/$id.out"
            else
                cx verify --trust "$PKI/ca.crt" --json --in "$W/$id" --out "$W/$id.out"
            fi
            rc_problem 0
            json_problem "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted \
                layers.0.signers.0.signer_id=subjectKeyIdentifier "layers.0.signers.0.algorithm=$ralg" \
                "layers.0.signers.0.digest=$md"
            if [ "$form" = der-opaque ]; then
                cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected the eContent byte for byte"
            else
                body_problem "$ENT" "$W/$id.out"
            fi
            record "$name" "BC → cachet" "$form" "$label (signer by subjectKeyIdentifier)" "$md"
        done
    done
}

# cachet signed (direction B): BC's verdicts.
signed_check_b() {
    for c in "${B_SIGN[@]}"; do
        read -r id form label md key email cextra <<<"$c"
        [ -n "${B_MADE[$id]:-}" ] || continue
        name="B:cachet-signs:$form:$label:$md"
        b_consumed "$id" "$name" "$form" "$label" "$md" "sign:$label:$md" || continue
        begin_case
        d=$(res_detail "$id")
        [[ $d == *chain=trusted* ]] || problem "expected BC to validate the chain to the root"
        [[ $d == *"digest=${MD_OID[$md]} "* ]] || problem "expected digestAlgorithm ${MD_OID[$md]} ($md), BC saw: $d"
        soid=${SIG_OID[$label]:-${SIG_OID[ecdsa-with-SHA$(bits "$md")]:-}}
        [[ $d == *"sig=$soid "* ]] || problem "expected signatureAlgorithm $soid, BC saw: $d"
        case $form in
            smime-*) bodies_equal "$W/msg-$key.txt" "$W/$id.out" ||
                problem "expected BC to give back the signed body, got '$(body "$W/$id.out" 2>/dev/null | head -c 80)'" ;;
            *-opaque) cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected BC to give back the content byte for byte" ;;
        esac
        record "$name" "cachet → BC" "$form" "$label" "$md"
    done

    for form in $MULTI_FORMS; do
        id=bsm-$form
        [ -n "${B_MADE[$id]:-}" ] || continue
        name="B:cachet-signs:$form:two-signers(rsa+ecdsa-p384)"
        b_consumed "$id" "$name" "$form" "two signers: rsa + ecdsa-p384" sha256 "-" || continue
        begin_case
        d=$(res_detail "$id")
        [[ $d == "signers=2 "* ]] || problem "expected BC to verify 2 SignerInfos, BC saw: $d"
        [[ $d == *"sig=${SIG_OID[rsa]} "* && $d == *"sig=${SIG_OID[ecdsa-with-SHA256]} "* ]] ||
            problem "expected an RSA and an ECDSA-with-SHA256 SignerInfo, BC saw: $d"
        case $form in
            smime-*) bodies_equal "$MSG" "$W/$id.out" || problem "expected BC to give back the signed body" ;;
            der-opaque) cmp -s "$ENT" "$W/$id.out" 2>/dev/null || problem "expected BC to give back the content byte for byte" ;;
        esac
        record "$name" "cachet → BC" "$form" "two signers: rsa + ecdsa-p384" sha256
    done
}
