#!/usr/bin/env bash
# Without -f cachetd detaches and writes its pidfile; after a crash the stale
# unix socket is replaced at the next start; SIGTERM lets a message in
# progress finish, then exits 0 and removes the pidfile.
source "$(dirname "$0")/lib.sh"
setup_a
CFG=$WORK/cachetd.conf
PIDFILE=$WORK/cachetd.pid
CONF_EXTRA="pidfile = $PIDFILE" conf "$CFG" </dev/null
DLOG=$WORK/cachetd.log

# Detached: the command returns 0 at once, the daemon runs on in another process.
"$CACHETD" -c "$CFG" >>"$DLOG" 2>&1 || fail "cachetd (detaching) exited with $?"
for ((i = 0; i < 100; i++)); do
    [ -s "$PIDFILE" ] && [ -S "$SOCK" ] && grep -q 'started$' "$DLOG" && break
    sleep 0.1
done
[ -s "$PIDFILE" ] || fail "no pidfile"
DPID=$(cat "$PIDFILE")
kill -0 "$DPID" 2>/dev/null || fail "the pid in the pidfile ($DPID) is not running"
[ "$(ps -o sid= -p "$DPID" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] ||
    fail "the daemon is still in the caller's session"
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode is $(stat -c %a "$SOCK"), expected 660"
mt send_one.lua qid=QLC1
summary QLC1 >/dev/null

# A crash leaves the socket behind; the next start replaces it.
kill -KILL "$DPID"
for ((i = 0; i < 50; i++)); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
DPID=
[ -S "$SOCK" ] || fail "expected a stale socket after SIGKILL"
start "$CFG"
mt send_one.lua qid=QLC2
summary QLC2 >/dev/null

# SIGTERM during a message: the message completes, then exit 0.
cat >"$WORK/term.sh" <<TERM
#!/usr/bin/env bash
kill -TERM $DPID
for ((i = 0; i < 100; i++)); do
    grep -q "stopping on signal" "$DLOG" && exit 0
    sleep 0.1
done
exit 1
TERM
chmod +x "$WORK/term.sh"
mt drain.lua termcmd="$WORK/term.sh"
st=0
wait "$DPID" || st=$?
DPID=
[ "$st" = 0 ] || fail "exit status $st after SIGTERM"
expect_log "stopped"
summary QDR1 >/dev/null
[ ! -e "$PIDFILE" ] || fail "pidfile left after a clean stop"
echo "PASS lifecycle"
