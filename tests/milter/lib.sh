# Sourced by every tests/milter/*.sh (not a test itself). Starts the real
# cachetd (-f, log = stderr) on a unix socket in a private directory and drives
# it with Debian's miltertest and the Lua scripts beside this file (lib.lua is
# their shared helper). Environment from CTest: CACHETD (the daemon), CACHET
# (the cli), CACHET_SRC.
set -euo pipefail

: "${CACHETD:?CACHETD must point to the built cachetd binary}"
: "${CACHET:?CACHET must point to the built cachet binary}"
MT_DIR=${CACHET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/milter
PKI_SCRIPT=$MT_DIR/../pki/mkdomains.sh

fail() {
    echo "FAIL: $*" >&2
    if [ -n "${DLOG:-}" ] && [ -f "$DLOG" ]; then
        echo "--- cachetd log ($DLOG):" >&2
        tail -n 60 "$DLOG" >&2
    fi
    exit 1
}

# MT_OPTIONAL=1: a script that never runs miltertest does not need it.
if [ "${MT_OPTIONAL:-0}" != 1 ] && ! command -v miltertest >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
        fail "miltertest is not installed (Debian package miltertest)"
    fi
    echo "SKIP: miltertest is not installed (Debian package miltertest)"
    exit 77
fi
[ -x "$CACHETD" ] || fail "no cachetd binary at $CACHETD"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachetd-milter.XXXXXX")
SOCK=$WORK/cachetd.sock
DPID=
DLOG=
cleanup() {
    local status=$?
    set +e
    if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
        kill -KILL "$DPID"
        wait "$DPID" 2>/dev/null
    fi
    # A detached daemon is known by its pidfile only.
    if [ -n "${PIDFILE:-}" ] && [ -s "$PIDFILE" ]; then
        local p
        p=$(cat "$PIDFILE")
        if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -F -- "$WORK/" >/dev/null; then
            kill -KILL "$p"
        fi
    fi
    if [ "${MILTER_KEEP:-0}" = 1 ]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $status
}
trap cleanup EXIT

# pki: the two-domain test PKI (tests/pki/mkdomains.sh) in $WORK/pki.
PKI=$WORK/pki
pki() {
    bash "$PKI_SCRIPT" "$PKI" >"$WORK/pki.log" 2>&1 || {
        cat "$WORK/pki.log" >&2
        fail "mkdomains.sh failed"
    }
}

# store FILE ITEM...: a SQLite store; ITEM anchor:NAME, key:NAME (key and
# certificate of the mkdomains leaf NAME) or cert:NAME.
store() {
    local file=$1 item
    shift
    for item in "$@"; do
        case $item in
            anchor:*) "$CACHET" certs import --store "$file" --anchor "$PKI/${item#anchor:}.crt" ;;
            key:*) "$CACHET" keys import --store "$file" --key "$PKI/${item#key:}.key" \
                --cert "$PKI/${item#key:}.crt" ;;
            cert:*) "$CACHET" certs import --store "$file" "$PKI/${item#cert:}.crt" ;;
            *) fail "store: unknown item $item" ;;
        esac >>"$WORK/store.log" 2>&1 || {
            cat "$WORK/store.log" >&2
            fail "store $file: $item"
        }
    done
}

# conf FILE: writes a cachetd.conf for our domain a.example with the socket,
# the store $WORK/store.db and authserv-id mx.a.example; stdin is appended
# after [domain a.example] (more keys for it, then further sections).
conf() {
    {
        cat <<CONF
[cachetd]
socket = unix:$SOCK
store = ${STORE:-$WORK/store.db}
authserv_id = mx.a.example
log = stderr
debug = yes
trusted_networks = 127.0.0.0/8, ::1/128
revocation = none
${CONF_EXTRA:-}

[domain a.example]
CONF
        cat
    } >"$1"
}

# setup_a: PKI, and a store for a.example: trust anchor, our domain-signing
# and DCA keys, and b.example's DCA certificate (so that mail to b.example can
# be encrypted, RFC 3183 §4 case d).
setup_a() {
    pki
    store "$WORK/store.db" anchor:ca key:dsa-a key:dca-a cert:dca-b
}

# start CONF [ARGS...]: cachetd -f -c CONF in the background, log in $DLOG;
# returns when the socket accepts connections.
start() {
    local cfg=$1 i
    shift
    DLOG=$WORK/cachetd.log
    : >"$DLOG"
    "$CACHETD" -f -c "$cfg" "$@" >>"$DLOG" 2>&1 &
    DPID=$!
    for ((i = 0; i < 100; i++)); do
        if grep -q 'started$' "$DLOG" && [ -S "$SOCK" ]; then
            return 0
        fi
        kill -0 "$DPID" 2>/dev/null || break
        sleep 0.1
    done
    fail "cachetd did not start"
}

# stop: SIGTERM; cachetd must exit 0 after logging "stopped" and removing its
# socket (unless SOCKET_STAYS=1: after a privilege drop the directory is root's).
stop() {
    kill -TERM "$DPID"
    local st=0
    wait "$DPID" || st=$?
    DPID=
    [ "$st" = 0 ] || fail "cachetd exited with $st after SIGTERM"
    grep -q 'stopped$' "$DLOG" || fail "cachetd did not log 'stopped'"
    [ "${SOCKET_STAYS:-0}" = 1 ] || [ ! -e "$SOCK" ] || fail "cachetd left its socket after a clean stop"
}

# mt SCRIPT [NAME=VALUE...]: runs tests/milter/SCRIPT with miltertest.
mt() {
    local script=$1 defs=() d
    shift
    for d in "$@"; do
        defs+=(-D "$d")
    done
    miltertest -D sock="$SOCK" -D libdir="$MT_DIR" -D dlog="${DLOG:-/dev/null}" "${defs[@]}" -s "$MT_DIR/$script" \
        >"$WORK/mt.out" 2>&1 || {
        cat "$WORK/mt.out" >&2
        fail "miltertest $script $*"
    }
}

# expect_log TEXT: the daemon log has a line containing TEXT (fixed string).
expect_log() {
    grep -qF -- "$1" "$DLOG" || fail "cachetd log lacks: $1"
}

expect_no_log() {
    if grep -F -- "$1" "$DLOG" >&2; then
        fail "cachetd log must not have: $1"
    fi
}

# wait_log TEXT [SECONDS]: as expect_log, for lines written asynchronously.
wait_log() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        grep -qF -- "$1" "$DLOG" && return 0
        sleep 0.1
    done
    fail "cachetd log lacks (after ${2:-10} s): $1"
}

# summary QID: the one summary line of message QID (fails unless exactly one).
summary() {
    local lines
    lines=$(grep -E "cachetd\[[0-9]+\]: $1: (action|result)=" "$DLOG" || true)
    [ -n "$lines" ] || fail "no summary line for $1"
    [ "$(printf '%s\n' "$lines" | wc -l)" = 1 ] || fail "more than one summary line for $1: $lines"
    printf '%s\n' "$lines"
}
