#!/usr/bin/env bash
# The command line: -n prints the effective configuration (which loads back to
# the same), configuration errors exit 1 with the file and line, usage errors
# exit 2, missing keys stop the start with the reason.
MT_OPTIONAL=1
source "$(dirname "$0")/lib.sh"

# expect_exit STATUS CMD...: stdout in $WORK/out, stderr in $WORK/err.
expect_exit() {
    local want=$1 got=0
    shift
    "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
    [ "$got" = "$want" ] || {
        cat "$WORK/err" >&2
        fail "expected exit $want, got $got: $*"
    }
}
has() { grep -qF -- "$2" "$WORK/$1" || { cat "$WORK/$1" >&2; fail "$1 lacks: $2"; }; }

conf "$WORK/good.conf" <<'CONF'
signing = user
encryption = required

[partner b.example]
missing_certificate = reject
CONF
expect_exit 0 "$CACHETD" -n -c "$WORK/good.conf"
has out "[cachetd]"
has out "socket = unix:$SOCK"
has out "authserv_id = mx.a.example"
has out "[domain a.example]"
has out "signing = user"
has out "encryption = required"
has out "[partner b.example]"
has out "missing_certificate = reject"
# Defaults are printed too.
has out "max_message_size = "
has out "on_failure = deliver"
# What -n prints is a configuration that means the same.
grep -v '^#' "$WORK/out" >"$WORK/printed.conf"
expect_exit 0 "$CACHETD" -n -c "$WORK/printed.conf"
grep -v '^#' "$WORK/out" >"$WORK/printed2.conf"
cmp -s "$WORK/printed.conf" "$WORK/printed2.conf" || fail "-n output does not load back to the same"

# An unknown key: exit 1, "FILE:LINE: unknown key".
conf "$WORK/bad.conf" <<'CONF'
signing = domain
sigining = domain
CONF
line=$(grep -n '^sigining' "$WORK/bad.conf" | cut -d: -f1)
expect_exit 1 "$CACHETD" -n -c "$WORK/bad.conf"
has err "bad.conf:$line: unknown key 'sigining'"
[ ! -s "$WORK/out" ] || fail "-n printed a configuration for a bad file"
# The same without -n: no start.
expect_exit 1 "$CACHETD" -f -c "$WORK/bad.conf"
has err "bad.conf:$line:"
[ ! -e "$SOCK" ] || fail "a bad configuration left a socket"

expect_exit 1 "$CACHETD" -n -c "$WORK/missing.conf"
has err "missing.conf"

expect_exit 0 "$CACHETD" -h
has out "usage: cachetd"
expect_exit 2 "$CACHETD" -x
has err "usage: cachetd"
expect_exit 2 "$CACHETD" -c
expect_exit 2 "$CACHETD" -n -c "$WORK/good.conf" extra

# Keys are opened before serving: a store without a.example's
# domain-signing-authority key stops the start, naming what is missing.
pki
store "$WORK/store.db" anchor:ca
conf "$WORK/nokey.conf" </dev/null
expect_exit 1 "$CACHETD" -f -c "$WORK/nokey.conf"
has err "domain-signing-authority@a.example"
[ ! -e "$SOCK" ] || fail "a start without keys left a socket"
echo "PASS options"
