#!/usr/bin/env bash
# The harness itself, Postfix alone (no cachetd): a message crosses both instances
# to the sink unchanged, the tap sees what A sends to B, XFORWARD carries the
# submitter's address to the milter hop, and a milter hop whose milter is down
# (milter_default_action = tempfail) keeps the message deferred until a flush after
# the milter is back. The other e2e tests rely on each of these facts.
source "$(dirname "$0")/lib.sh"
e2e_prereqs nocachetd
e2e_init harness 12620
E2E_NO_CACHETD=1 e2e_two_domains

text="Plain text, no gateway. $RANDOM"
e2e_alice_to_bob "$WORK/m.eml" plain "$text" --local-interface 127.0.0.5
e2e_sink_message sink "$WORK/got.eml"
e2e_sink_message tap "$WORK/wire.eml"
cmp <(e2e_body "$WORK/m.eml") <(e2e_body "$WORK/got.eml") || fail "the body changed on the way"
cmp <(e2e_body "$WORK/m.eml") <(e2e_body "$WORK/wire.eml") || fail "the tap's copy differs"
grep -q 'client=unknown\[127.0.0.1\], orig_queue_id=.*orig_client=unknown\[127.0.0.5\]' "$WORK/a/maillog" ||
    fail "XFORWARD did not carry 127.0.0.5 to A's milter hop"

# A milter that is not there: B's milter hop tempfails, B keeps the message.
postconf -c "$WORK/b/etc" -P "127.0.0.1:$P_B_FILTER/inet/smtpd_milters=inet:127.0.0.1:$P_MILTER_B"
postfix -c "$WORK/b/etc" reload >/dev/null 2>&1
sleep 1
e2e_message "$WORK/m2.eml" alice@a.example bob@b.example held "$text"
e2e_send "$P_A_IN" alice@a.example bob@b.example "$WORK/m2.eml"
e2e_wait_log b 'status=deferred .*4\.7\.1' 30
e2e_queue b | grep 'bob@b.example' >/dev/null || fail "B does not hold the message"
[ "$(e2e_sink_count sink)" = 1 ] || fail "the held message was delivered"
# A stand-in milter port that accepts nothing useful is not needed: remove the milter, flush.
postconf -c "$WORK/b/etc" -P "127.0.0.1:$P_B_FILTER/inet/smtpd_milters="
postfix -c "$WORK/b/etc" reload >/dev/null 2>&1
sleep 1
e2e_flush b
e2e_wait_delivered sink 2
echo "OK: harness"
