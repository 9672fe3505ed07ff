#!/usr/bin/env bash
# Mail from a submitter outside trusted_networks and not SASL-authenticated is
# not domain-signed (RFC 3183 §3.2); {client_addr} overrides the connection's
# address and {auth_authen} makes a submitter trusted.
source "$(dirname "$0")/lib.sh"
setup_a
conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
mt untrusted.lua
stop

for q in QUN1 QUN2 QUN3; do
    s=$(summary $q)
    case $s in *domain-signing-authority*) fail "$q was domain-signed: $s" ;; esac
done
case $(summary QUN1) in *"action=encrypt result=ok"*) ;; *) fail "QUN1: $(summary QUN1)" ;; esac
case $(summary QUN4) in
    *"action=sign result=ok signer=domain-signing-authority@a.example"*) ;;
    *) fail "QUN4: $(summary QUN4)" ;;
esac
expect_log "QUN3: from=<alice@a.example> client=192.0.2.7 auth=-"
expect_log "QUN4: from=<alice@a.example> client=192.0.2.7 auth=alice"
echo "PASS untrusted"
