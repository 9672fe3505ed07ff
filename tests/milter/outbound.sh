#!/usr/bin/env bash
# Outbound mail from a trusted submitter is domain-signed (and encrypted to
# the recipient domain's DCA when its certificate is known): the milter
# replaces the body and the MIME fields, and logs exactly one summary line per
# message, prefixed with the queue id.
source "$(dirname "$0")/lib.sh"
setup_a
conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
mt outbound.lua
stop

s=$(summary QOUT1)
case $s in
    *"action=sign,encrypt result=ok signer=domain-signing-authority@a.example"*) ;;
    *) fail "QOUT1 summary: $s" ;;
esac
case $s in *"encrypted_to=domain-confidentiality-authority@b.example"*) ;; *) fail "QOUT1: $s" ;; esac
s=$(summary QOUT2)
case $s in
    *"action=sign result=ok signer=domain-signing-authority@a.example"*) ;;
    *) fail "QOUT2 summary: $s" ;;
esac
expect_log "QOUTA: transaction aborted by the MTA"
if grep -E 'QOUTA: (action|result|processing)' "$DLOG" >&2; then
    fail "the aborted transaction was processed"
fi
expect_log "QOUT3: from=<> client=127.0.0.1"
case $(summary QOUT3) in *"action=none result=ok"*) ;; *) fail "QOUT3: $(summary QOUT3)" ;; esac
# Every line about a message carries its queue id.
if grep -E 'cachetd\[[0-9]+\]: (from|to|action|processing)' "$DLOG" >&2; then
    fail "a line about a message without its queue id"
fi
expect_log "QOUT1: from=<alice@a.example> client=127.0.0.1 auth=-"
echo "PASS outbound"
