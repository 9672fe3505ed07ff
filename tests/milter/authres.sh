#!/usr/bin/env bash
# Inbound: Authentication-Results fields claiming our authserv-id are deleted
# (RFC 8601 §5) and ours, with the smime method (RFC 7281), is inserted.
source "$(dirname "$0")/lib.sh"
setup_a
printf 'From: bob@b.example\r\nTo: alice@a.example\r\nSubject: signed\r\nMessage-ID: <2@b.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello Alice.\r\n' >"$WORK/plain.eml"
"$CACHET" sign --cert "$PKI/bob.crt" --key "$PKI/bob.key" --in "$WORK/plain.eml" \
    --out "$WORK/signed.eml" || fail "cachet sign"
conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
mt authres.lua authserv=mx.a.example msgfile="$WORK/signed.eml"
stop
expect_log "QAR1: deleted Authentication-Results #3"
expect_log "QAR1: deleted Authentication-Results #1"
expect_no_log "QAR1: deleted Authentication-Results #2"
expect_log "QAR2: deleted Authentication-Results #1"
summary QAR1 >/dev/null
summary QAR2 >/dev/null
echo "PASS authres"
