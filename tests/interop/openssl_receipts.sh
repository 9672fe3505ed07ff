#!/usr/bin/env bash
# ESS signed receipts (RFC 2634 §2) with `openssl cms`, both directions.
#   A: openssl signs with -receipt_request_*, cachet receipt answers, openssl -verify_receipt
#      accepts the receipt and cachet verify --receipt-for matches it (S/MIME detached,
#      opaque, raw DER).
#   B: openssl -sign_receipt answers a request (openssl's or cachet's), cachet verify
#      --receipt-for matches it.
#   C: cachet sign --receipt-request asks (once cmd_sign.c has the option), openssl answers.
#   Tampering: a receipt for another message, an altered receipt, the pyasn1-alt-modules
#   receipt against the message beside it, no request, a receipt for a receipt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki

ENT=$W/entity.txt
printf 'Content-Type: text/plain\r\n\r\nPlease confirm you read this.\r\n' >"$ENT"
TRUST=(--trust "$PKI/ca.crt")
BOB=(--cert "$PKI/bob.crt" --key "$PKI/bob.key" --chain "$PKI/inter.crt")
OSSL_ALICE=(-signer "$PKI/alice.crt" -inkey "$PKI/alice.key" -certfile "$PKI/inter.crt")

# ossl_request FORM OUT REQ-ARGS...: alice asks for a receipt with openssl.
ossl_request() {
    local form=$1 out=$2
    shift 2
    local args=(-sign "${OSSL_ALICE[@]}" "$@" -in "$ENT" -out "$out")
    case $form in
        smime-detached) args+=(-from alice@example.com -to bob@example.com -subject req) ;;
        smime-opaque) args+=(-nodetach -from alice@example.com -to bob@example.com -subject req) ;;
        der) args+=(-nodetach -binary -outform DER) ;;
    esac
    openssl cms "${args[@]}" 2>"$W/ossl.err"
}

raw_args() { [ "$1" = der ] && echo "--raw --format der" || true; }
ossl_forms() { [ "$1" = der ] && echo "-inform DER -rctform DER" || true; }

# verify_for CASE RECEIPT ORIGINAL FORM WANT_RC [GREP]: cachet verify --receipt-for.
verify_for() {
    local name=$1 rcpt=$2 orig=$3 form=$4 want=$5 pat=${6:-}
    local raw=()
    [ "$form" = der ] && raw=(--raw)
    cx verify "${TRUST[@]}" "${raw[@]}" --no-address-check --json --in "$rcpt" --receipt-for "$orig"
    rc_is "$name" "$want" || return 0
    if [ "$want" = 0 ] && ! grep -q '"matched": true' "$OUT"; then
        fail "$name" "expected \"matched\": true in the report, got $(grep -m1 matched "$OUT" || echo none)"
    elif [ "$want" != 0 ] && [ -n "$pat" ] && ! grep -q -- "$pat" "$ERR"; then
        fail "$name" "expected the error to name $pat, got '$(tr '\n' ' ' <"$ERR" | head -c 300)'"
    else
        ok "$name"
    fi
}

# ---------------- A: openssl asks, cachet answers ----------------
for form in smime-detached smime-opaque der; do
    for req in all first; do
        name="A:openssl-requests-$req:$form"
        if ! ossl_request "$form" "$W/a.req" "-receipt_request_$req" -receipt_request_to alice@example.com; then
            fail "$name" "openssl could not sign: $(head -c 200 "$W/ossl.err")"
            continue
        fi
        # shellcheck disable=SC2046
        cx receipt "${BOB[@]}" "${TRUST[@]}" $(raw_args "$form") --in "$W/a.req" --out "$W/a.rcpt"
        rc_is "$name:cachet-receipt" 0 || continue
        ok "$name:cachet-receipt"
        if [ "$form" != der ] && ! grep -q 'smime-type=signed-receipt' "$W/a.rcpt"; then
            fail "$name:mime" "expected smime-type=signed-receipt, got $(grep -m1 Content-Type "$W/a.rcpt")"
        fi
        # shellcheck disable=SC2046
        if openssl cms -verify_receipt "$W/a.rcpt" -in "$W/a.req" $(ossl_forms "$form") \
            -CAfile "$PKI/ca.crt" >"$W/ossl.out" 2>&1; then
            ok "$name:openssl-verify_receipt"
        else
            fail "$name:openssl-verify_receipt" "expected success, got $(grep -m1 error "$W/ossl.out")"
        fi
        verify_for "$name:cachet-verify--receipt-for" "$W/a.rcpt" "$W/a.req" "$form" 0
    done
done

# receiptList: only the addresses listed answer (§2.3)
ossl_request smime-opaque "$W/list.req" -receipt_request_from carol@example.com \
    -receipt_request_to alice@example.com
refused "A:receipt-list-excludes-bob" 2 "$W/list.rcpt" receipt "${BOB[@]}" "${TRUST[@]}" \
    --in "$W/list.req" --out "$W/list.rcpt"
cx receipt --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt" "${TRUST[@]}" \
    --in "$W/list.req" --out "$W/list.rcpt"
if rc_is "A:receipt-list-names-carol" 0; then
    if openssl cms -verify_receipt "$W/list.rcpt" -in "$W/list.req" -CAfile "$PKI/ca.crt" >/dev/null 2>&1; then
        ok "A:receipt-list-names-carol"
    else
        fail "A:receipt-list-names-carol" "expected openssl to accept carol's receipt"
    fi
fi

# ---------------- B: openssl answers, cachet checks ----------------
for form in smime-detached smime-opaque der; do
    name="B:openssl-sign_receipt:$form"
    ossl_request "$form" "$W/b.req" -receipt_request_all -receipt_request_to alice@example.com
    # shellcheck disable=SC2046
    if ! openssl cms -sign_receipt -in "$W/b.req" $([ "$form" = der ] && echo "-inform DER -outform DER") \
        -signer "$PKI/bob.crt" -inkey "$PKI/bob.key" -certfile "$PKI/inter.crt" -CAfile "$PKI/ca.crt" \
        -out "$W/b.rcpt" 2>"$W/ossl.err"; then
        fail "$name" "openssl could not sign the receipt: $(head -c 200 "$W/ossl.err")"
        continue
    fi
    verify_for "$name" "$W/b.rcpt" "$W/b.req" "$form" 0
done

# ---------------- C: cachet asks, openssl answers ----------------
for form in smime-detached smime-opaque der; do
    name="C:cachet-requests:$form"
    sargs=(--cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt"
        --receipt-request all --receipts-to alice@example.com)
    case $form in
        smime-opaque) sargs+=(--opaque) ;;
        der) sargs+=(--raw --opaque) ;;
    esac
    printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: c\r\n' >"$W/c.in"
    [ "$form" = der ] && cp "$ENT" "$W/c.in" || cat "$ENT" >>"$W/c.in"
    cx sign "${sargs[@]}" --in "$W/c.in" --out "$W/c.req"
    rc_is "$name:cachet-sign" 0 || continue
    # shellcheck disable=SC2046
    if ! openssl cms -sign_receipt -in "$W/c.req" $([ "$form" = der ] && echo "-inform DER -outform DER") \
        -signer "$PKI/bob.crt" -inkey "$PKI/bob.key" -certfile "$PKI/inter.crt" \
        -CAfile "$PKI/ca.crt" -out "$W/c.rcpt" 2>"$W/ossl.err"; then
        fail "$name:openssl-sign_receipt" "expected success, got $(grep -m1 error "$W/ossl.err")"
        continue
    fi
    ok "$name:openssl-sign_receipt"
    verify_for "$name:cachet-verify--receipt-for" "$W/c.rcpt" "$W/c.req" "$form" 0
    # and our own receipt for our own request, checked by openssl
    # shellcheck disable=SC2046
    cx receipt "${BOB[@]}" "${TRUST[@]}" $(raw_args "$form") --in "$W/c.req" --out "$W/c2.rcpt"
    rc_is "$name:cachet-receipt" 0 || continue
    # shellcheck disable=SC2046
    if openssl cms -verify_receipt "$W/c2.rcpt" -in "$W/c.req" $(ossl_forms "$form") \
        -CAfile "$PKI/ca.crt" >/dev/null 2>&1; then
        ok "$name:cachet-receipt:openssl-verify_receipt"
    else
        fail "$name:cachet-receipt:openssl-verify_receipt" "expected success"
    fi
done

# ---------------- Tampering ----------------
ossl_request smime-opaque "$W/t1.req" -receipt_request_all -receipt_request_to alice@example.com
ossl_request smime-opaque "$W/t2.req" -receipt_request_all -receipt_request_to alice@example.com
cx receipt "${BOB[@]}" "${TRUST[@]}" --in "$W/t1.req" --out "$W/t1.rcpt"
rc_is "T:setup" 0 && ok "T:setup"
verify_for "T:receipt-for-another-message" "$W/t1.rcpt" "$W/t2.req" smime 1 originatorSignatureValue
if openssl cms -verify_receipt "$W/t1.rcpt" -in "$W/t2.req" -CAfile "$PKI/ca.crt" >/dev/null 2>&1; then
    fail "T:receipt-for-another-message:openssl" "expected openssl to refuse it too"
else
    ok "T:receipt-for-another-message:openssl"
fi
# one byte of the receipt's content changed: the receipt's own signature breaks
ossl_request der "$W/t3.req" -receipt_request_all -receipt_request_to alice@example.com
cx receipt "${BOB[@]}" "${TRUST[@]}" --raw --format der --in "$W/t3.req" --out "$W/t3.rcpt"
"$PY" - "$W/t3.rcpt" "$W/t3.bad" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(bytes.fromhex("2a864886f70d010701"))  # the Receipt's contentType (id-data)
d[i + 8] ^= 0x01
open(sys.argv[2], "wb").write(d)
EOF
verify_for "T:altered-receipt-content" "$W/t3.bad" "$W/t3.req" der 1
# no request: no receipt
openssl cms -sign "${OSSL_ALICE[@]}" -nodetach -from alice@example.com -in "$ENT" -out "$W/t4.req"
refused "T:no-request-no-receipt" 2 "$W/t4.rcpt" receipt "${BOB[@]}" "${TRUST[@]}" \
    --in "$W/t4.req" --out "$W/t4.rcpt"
# never a receipt for a receipt (§2.2)
refused "T:no-receipt-for-a-receipt" 2 "$W/t5.rcpt" receipt "${BOB[@]}" "${TRUST[@]}" \
    --no-address-check --in "$W/t1.rcpt" --out "$W/t5.rcpt"
# the pyasn1-alt-modules ESS pair: the receipt is not for the message beside it
if [ -d "$CACHET_VECTORS/pyasn1-alt-modules-ess" ]; then
    V=$CACHET_VECTORS/pyasn1-alt-modules-ess
    for rfc in rfc2634 rfc5035; do
        cx verify --raw --in "$V/$rfc.SignedReceiptTestCase.signed_receipt.pem" \
            --receipt-for "$V/$rfc.SignedMessageTestCase.signed_message.pem"
        if rc_is "T:pyasn1-$rfc-receipt-vs-message" 1 && grep -q originatorSignatureValue "$ERR"; then
            ok "T:pyasn1-$rfc-receipt-vs-message"
        elif [ "$RC" = 1 ]; then
            fail "T:pyasn1-$rfc-receipt-vs-message" "expected originatorSignatureValue in '$(head -c 300 "$ERR")'"
        fi
    done
else
    skip "T:pyasn1" "no vector corpus"
fi

finish
