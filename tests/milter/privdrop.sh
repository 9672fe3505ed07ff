#!/usr/bin/env bash
# RFC 3183 §6 (protect the domain's private keys): cachetd opens the keys as
# root, then drops to user = nobody for good (real, effective and saved ids,
# supplementary groups). The unprivileged process cannot read the key files
# (0600 root) any more — a reload that needs them is refused and the keys
# loaded at start stay in use — yet it keeps signing with them.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
    [ "${CI:-}" = true ] && fail "the privilege drop test must run as root under CI"
    echo "SKIP: the privilege drop test needs root"
    exit 77
fi
id nobody >/dev/null 2>&1 || fail "no user nobody"
uid=$(id -u nobody)
gid=$(id -g nobody)
pki
# The store in a directory of nobody's (SQLite writes beside it); the key
# files stay 0600 root in a directory everybody may enter, so only their own
# mode keeps nobody out.
STORE=$WORK/var/store.db
mkdir "$WORK/var"
store "$STORE" anchor:ca key:dsa-a key:dca-a cert:dca-b
chown -R nobody "$WORK/var"
chmod 0755 "$WORK" "$PKI"
for k in dsa-a dca-a; do
    [ "$(stat -c '%a %U' "$PKI/$k.key")" = "600 root" ] || fail "$k.key is not 0600 root"
done
CONF_EXTRA="user = nobody" conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"

ids() { awk -v k="$1:" '$1 == k { $1 = ""; print substr($0, 2) }' "/proc/$DPID/status"; }
[ "$(ids Uid)" = "$uid $uid $uid $uid" ] || fail "Uid: $(ids Uid), expected $uid x4"
[ "$(ids Gid)" = "$gid $gid $gid $gid" ] || fail "Gid: $(ids Gid), expected $gid x4"
for g in $(ids Groups); do
    [ "$g" = "$gid" ] || fail "supplementary group $g kept after the drop"
done
[ "$(stat -c '%a %U' "$SOCK")" = "660 nobody" ] ||
    fail "socket is $(stat -c '%a %U' "$SOCK"), expected 660 nobody"
expect_log "running as user nobody (uid $uid)"

mt send_one.lua qid=QPD1
case $(summary QPD1) in
    *"action=sign,encrypt result=ok signer=domain-signing-authority@a.example"*) ;;
    *) fail "QPD1: $(summary QPD1)" ;;
esac

# The keys cannot be read again by the daemon: the reload fails, naming the key.
kill -HUP "$DPID"
wait_log "configuration reload failed"
grep -E 'configuration reload failed: .*dsa-a\.key.*(Permission denied|permission)' "$DLOG" >/dev/null ||
    fail "the failed reload does not say the key file is unreadable"
mt send_one.lua qid=QPD2
case $(summary QPD2) in *"signer=domain-signing-authority@a.example"*) ;; *) fail "QPD2: $(summary QPD2)" ;; esac
SOCKET_STAYS=1 stop
echo "PASS privdrop"
