#!/usr/bin/env bash
# SIGHUP reloads the configuration and the keys completely or not at all: a
# broken file or a missing key is logged and the old pair stays in use; a good
# one is swapped in ("configuration reloaded"), while a message already in
# progress finishes with the pair it started with.
source "$(dirname "$0")/lib.sh"
setup_a
CFG=$WORK/cachetd.conf
with_id() { # with_id AUTHSERV_ID [extra domain lines on stdin]
    local id=$1
    conf "$CFG.new"
    sed -i "s/^authserv_id = .*/authserv_id = $id/" "$CFG.new"
    mv "$CFG.new" "$CFG"
}
count() { grep -cF -- "$1" "$DLOG" || true; }
# hup TEXT: SIGHUP, then wait for one more log line containing TEXT.
hup() {
    local n i
    n=$(count "$1")
    kill -HUP "$DPID"
    for ((i = 0; i < 100; i++)); do
        [ "$(count "$1")" -gt "$n" ] && return 0
        sleep 0.1
    done
    fail "no new '$1' after SIGHUP"
}
alive() { kill -0 "$DPID" 2>/dev/null || fail "cachetd died after $1"; }

with_id mx.a.example </dev/null
start "$CFG"
mt reload.lua qid=QRL1 authserv=mx.a.example other=mx9.a.example

# A syntax error: old configuration kept.
with_id mx2.a.example <<<"bogus_key = 1"
hup "configuration reload failed"
alive "a broken configuration"
expect_log "keeping the previous configuration"
grep -qE "configuration reload failed: $CFG:[0-9]+: unknown key 'bogus_key'" "$DLOG" ||
    fail "the reload error does not give the file and line"
mt reload.lua qid=QRL2 authserv=mx.a.example other=mx2.a.example

# A key that cannot be opened: nothing of the new file is used either.
with_id mx2.a.example <<<"signing_key = $WORK/no-such.key
signing_cert = $PKI/dsa-a.crt"
hup "configuration reload failed"
alive "a configuration with a missing key"
mt reload.lua qid=QRL3 authserv=mx.a.example other=mx2.a.example

# A good one: swapped in.
with_id mx2.a.example </dev/null
hup "configuration reloaded"
alive "a good configuration"
mt reload.lua qid=QRL4 authserv=mx2.a.example other=mx.a.example

# In flight: the message started before the reload keeps the old pair.
with_id mx.a.example </dev/null
cat >"$WORK/hup.sh" <<HUP
#!/usr/bin/env bash
n=\$(grep -cF "configuration reloaded" "$DLOG")
kill -HUP $DPID
for ((i = 0; i < 100; i++)); do
    [ "\$(grep -cF "configuration reloaded" "$DLOG")" -gt "\$n" ] && exit 0
    sleep 0.1
done
exit 1
HUP
chmod +x "$WORK/hup.sh"
mt reload.lua qid=QRL5 authserv=mx2.a.example other=mx.a.example hupcmd="$WORK/hup.sh"
mt reload.lua qid=QRL6 authserv=mx.a.example other=mx2.a.example
stop
[ "$(count "configuration reloaded")" = 2 ] || fail "expected exactly 2 reloads"
[ "$(count "configuration reload failed")" = 2 ] || fail "expected exactly 2 failed reloads"
echo "PASS reload"
