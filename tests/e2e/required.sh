#!/usr/bin/env bash
# Required encryption and no certificate: never a silent downgrade. cachetd-a has
# [partner b.example] encryption = required and no certificate for b.example (neither
# bob's nor B's DCA): the message is tempfailed and stays deferred in A's queue with
# cachetd's reason; nothing reaches B. Once B's DCA certificate is imported into A's
# store, a flush sends it out, encrypted. With missing_certificate = reject the
# message is refused instead (bounced), and still nothing reaches B.
# shellcheck disable=SC2034 # A_STORE_ITEMS, B_STORE_ITEMS, A_CONF: read by e2e_two_domains
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init required 12560
A_STORE_ITEMS=(anchor:ca key:dsa-a key:dca-a)
A_CONF=$'\n[partner b.example]\nencryption = required'
e2e_two_domains

text="Salary review, confidential. $RANDOM"
e2e_message "$WORK/m.eml" alice@a.example bob@b.example "Confidential" "$text"
e2e_send "$P_A_IN" alice@a.example bob@b.example "$WORK/m.eml"
e2e_wait_log a 'status=deferred .*said: 4[0-9][0-9]' 30
sleep 1
queue=$(e2e_queue a)
e2e_log "A's queue: $(printf '%s' "$queue" | tr '\n' ' ')"
printf '%s\n' "$queue" | grep 'bob@b.example' >/dev/null || fail "the message is not in A's queue"
printf '%s\n' "$queue" | tr -s ' \n' ' ' | grep -E 'said: 4[0-9][0-9] 4\.[0-9]+\.[0-9]+ cachetd: .*required' >/dev/null ||
    fail "A's queue does not show cachetd's temporary failure and its reason"
[ "$(e2e_sink_count tap)" = 0 ] || fail "something left A for B"
[ "$(e2e_sink_count sink)" = 0 ] || fail "something reached bob"
grep -Eqi 'result=tempfail|tempfail' "$WORK/cachetd-a.log" || fail "cachetd-a did not log the tempfail"

e2e_log "importing dca-b's certificate into A's store, flushing A's queue"
e2e_store "$STORE_A" cert:dca-b
e2e_flush a
e2e_wait_delivered sink 1
e2e_wait_delivered tap 1
e2e_sink_message tap "$WORK/wire.eml"
e2e_expect_header "$WORK/wire.eml" Content-Type '^application/pkcs7-mime'
e2e_body "$WORK/wire.eml" | grep -F "$text" >/dev/null && fail "the text left A in clear"
openssl cms -decrypt -recip "$PKI/dca-b.crt" -inkey "$PKI/dca-b.key" -in "$WORK/wire.eml" -out /dev/null ||
    fail "the released message is not encrypted to dca-b"
e2e_sink_message sink "$WORK/got.eml"
e2e_body "$WORK/got.eml" | grep -F "$text" >/dev/null || fail "bob did not get the text"

e2e_log "missing_certificate = reject, for c.example (no certificate at all)"
e2e_cachetd_kill a TERM
printf '\n[partner c.example]\nencryption = required\nmissing_certificate = reject\n' >>"$WORK/cachetd-a.conf"
e2e_cachetd_start a "$P_MILTER_A"
postconf -c "$WORK/a/etc" -e "transport_maps = inline:{ b.example=smtp:[127.0.0.1]:$P_B_IN, c.example=smtp:[127.0.0.1]:$P_B_IN, a.example=discard:, tap.invalid=smtp:[127.0.0.1]:$P_TAP }"
postfix -c "$WORK/a/etc" reload >/dev/null 2>&1
e2e_message "$WORK/c.eml" alice@a.example carol@c.example "Refused" "$text"
e2e_send "$P_A_IN" alice@a.example carol@c.example "$WORK/c.eml"
e2e_wait_log a 'to=<carol@c\.example>.*status=bounced .*said: 5[0-9][0-9]' 30
[ "$(e2e_sink_count tap)" = 1 ] || fail "the refused message left A"
[ "$(e2e_sink_count sink)" = 1 ] || fail "the refused message was delivered"
echo "OK: required"
