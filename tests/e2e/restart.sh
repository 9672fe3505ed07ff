#!/usr/bin/env bash
# Killing cachetd loses no message. cachetd-a is killed (SIGKILL) while a stream of
# messages goes through A: every message the milter did not finish is tempfailed
# (milter_default_action = tempfail) and waits in A's queue; with cachetd-a down a
# further message is deferred too. After a restart and a flush every message is
# delivered exactly once, domain-signed and encrypted (smime=pass at B).
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init restart 12580
e2e_two_domains

n=8
for i in $(seq 1 $n); do
    e2e_message "$WORK/m$i.eml" alice@a.example bob@b.example "stream-$i" "Message $i of the stream."
done
# The stream goes in the background; cachetd-a dies while it is under way.
(
    for i in $(seq 1 $n); do
        swaks --server "127.0.0.1:$P_A_IN" --from alice@a.example --to bob@b.example \
            --data "@$WORK/m$i.eml" >"$WORK/swaks-$i.log" 2>&1 || echo "swaks $i failed" >>"$WORK/stream.err"
    done
) &
stream=$!
e2e_wait_log a 'orig_queue_id=' 30
e2e_log "killing cachetd-a (SIGKILL) while the stream is under way"
e2e_cachetd_kill a KILL
wait "$stream"
[ ! -s "$WORK/stream.err" ] || fail "A did not accept every message: $(cat "$WORK/stream.err")"

e2e_message "$WORK/late.eml" alice@a.example bob@b.example "while-down" "Sent while cachetd-a is down."
e2e_send "$P_A_IN" alice@a.example bob@b.example "$WORK/late.eml"
e2e_wait_log a 'status=deferred .*(4\.7\.1|4\.3\.0|Service unavailable)' 30
sleep 1
queue=$(e2e_queue a)
printf '%s\n' "$queue" | grep 'bob@b.example' >/dev/null || fail "nothing is waiting in A's queue"
held=$(printf '%s\n' "$queue" | grep -c '^[0-9A-F]' || true)
delivered=$(e2e_sink_count sink)
e2e_log "cachetd-a down: $held message(s) deferred in A's queue, $delivered delivered before the kill"
[ "$held" -ge 1 ] || fail "no deferred message in A's queue"

e2e_log "restarting cachetd-a, flushing A's queue"
e2e_cachetd_start a "$P_MILTER_A"
e2e_flush a
e2e_wait_delivered sink $((n + 1)) 60
e2e_log "all $((n + 1)) delivered; checking each"
for s in $(seq -f 'stream-%g' 1 $n) while-down; do
    e2e_sink_by_subject sink "$s" "$WORK/got.eml"
    e2e_expect_header "$WORK/got.eml" Authentication-Results \
        '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'
    e2e_sink_by_subject tap "$s" "$WORK/wire.eml"
    e2e_expect_header "$WORK/wire.eml" Content-Type '^application/pkcs7-mime'
done
echo "OK: restart"
