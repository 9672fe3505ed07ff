#!/usr/bin/env bash
# A signature that fails (the body was changed after signing) follows the
# recipient domain's on_failure: quarantine to an address (recipients
# replaced), quarantine to the MTA's hold queue, or reject.
source "$(dirname "$0")/lib.sh"
setup_a
printf 'From: bob@b.example\r\nTo: alice@a.example\r\nSubject: signed\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPay 100 EUR to account 1234.\r\n' >"$WORK/plain.eml"
"$CACHET" sign --cert "$PKI/bob.crt" --key "$PKI/bob.key" --in "$WORK/plain.eml" \
    --out "$WORK/signed.eml" || fail "cachet sign"
sed 's/Pay 100 EUR/Pay 900 EUR/' "$WORK/signed.eml" >"$WORK/tampered.eml"
! cmp -s "$WORK/signed.eml" "$WORK/tampered.eml" || fail "tampering changed nothing"
conf "$WORK/cachetd.conf" <<'CONF'
on_failure = quarantine
quarantine = security@a.example

[domain q.example]
signing = none
on_failure = quarantine

[domain r.example]
signing = none
on_failure = reject
CONF
start "$WORK/cachetd.conf"
mt quarantine.lua msgfile="$WORK/tampered.eml"
stop
for q in QQ1 QQ2 QQ3; do
    case $(summary $q) in *"result=fail"*) ;; *) fail "$q: $(summary $q)" ;; esac
done
echo "PASS quarantine"
