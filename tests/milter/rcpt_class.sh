#!/usr/bin/env bash
# A RCPT whose class (inbound, outbound per recipient domain, pass) differs
# from the transaction's first is answered 452 4.5.3; the message is processed
# for the accepted recipients only.
source "$(dirname "$0")/lib.sh"
setup_a
conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
mt rcpt_class.lua
stop

expect_log "QRC1: to=<dave@c.example> deferred (452 4.5.3): class out:c.example, this transaction is out:b.example"
expect_log "QRC1: to=<alice2@a.example> deferred (452 4.5.3): class pass, this transaction is out:b.example"
expect_log "QRC2: to=<dave@c.example> deferred (452 4.5.3): class pass, this transaction is in:a.example"
case $(summary QRC1) in
    *"recipients=bob@b.example,carol@b.example "*) ;;
    *) fail "QRC1 not processed for exactly bob and carol: $(summary QRC1)" ;;
esac
case $(summary QRC2) in *dave@c.example*) fail "QRC2 includes dave: $(summary QRC2)" ;; esac
echo "PASS rcpt_class"
