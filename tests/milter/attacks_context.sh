#!/usr/bin/env bash
# ATTACKS OR-03 / GW-13 through the real cachetd (attacks_context.lua): one of
# our domains per inbound transaction, per recipient with split = recipient,
# and a recipient's own key never opens a message that has other recipients.
source "$(dirname "$0")/lib.sh"
pki
store "$WORK/store.db" anchor:ca key:dsa-a key:dca-a key:alice key:dsa-b key:dca-b
# a ciphertext for alice's own certificate, as any sender could make it
openssl cms -encrypt -aes-256-cbc -in <(printf 'Content-Type: text/plain\r\n\r\nThe numbers are fine.\r\n') \
    "$PKI/alice.crt" >"$WORK/enc.raw" || fail "openssl cms -encrypt"
{
    printf 'From: eve@evil.example\r\nTo: alice@a.example\r\nSubject: re\r\n'
    sed 's/\r$//; s/$/\r/' "$WORK/enc.raw"
} >"$WORK/enc.eml"

conf "$WORK/cachetd.conf" <<'CONF'
[domain b.example]
CONF
start "$WORK/cachetd.conf"
mt attacks_context.lua encrypted="$WORK/enc.eml" split=domain
stop
expect_log "QOR1: to=<bob@b.example> deferred (452 4.5.3): class in:b.example, this transaction is in:a.example"
case $(summary QOR1) in
    *"result=undecryptable"*"not decrypted: a recipient's own key is used only in a transaction for that recipient alone (2 recipients)"*) ;;
    *) fail "QOR1 not left encrypted: $(summary QOR1)" ;;
esac
case $(summary QOR1) in *decrypted_with*) fail "QOR1 was decrypted: $(summary QOR1)" ;; esac

CONF_EXTRA="split = recipient" conf "$WORK/cachetd.conf" <<'CONF'
[domain b.example]
CONF
start "$WORK/cachetd.conf"
mt attacks_context.lua split=recipient
stop
expect_log "QOR1: to=<alice2@a.example> deferred (452 4.5.3): class in:alice2@a.example, this transaction is in:alice@a.example"
echo "PASS attacks_context"
