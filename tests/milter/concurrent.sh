#!/usr/bin/env bash
# cachetd_process runs in parallel, one libmilter thread per connection, with
# no lock around it: 8 clients x 5 messages at once all come out signed and
# encrypted, each with exactly one summary line, and a reload in the middle
# changes nothing for them.
source "$(dirname "$0")/lib.sh"
setup_a
conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
pids=()
for t in 1 2 3 4 5 6 7 8; do
    miltertest -D sock="$SOCK" -D libdir="$MT_DIR" -D tag=$t -D count=5 \
        -s "$MT_DIR/concurrent.lua" >"$WORK/mt.$t.out" 2>&1 &
    pids+=($!)
done
sleep 0.3
kill -HUP "$DPID"
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || {
        cat "$WORK/mt.$((i + 1)).out" >&2
        fail "client $((i + 1)) failed"
    }
done
wait_log "configuration reloaded"
stop
for t in 1 2 3 4 5 6 7 8; do
    for i in 1 2 3 4 5; do
        case $(summary "QCC${t}x$i") in
            *"action=sign,encrypt result=ok"*) ;;
            *) fail "QCC${t}x$i: $(summary "QCC${t}x$i")" ;;
        esac
    done
done
echo "PASS concurrent"
