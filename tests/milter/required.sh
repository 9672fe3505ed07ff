#!/usr/bin/env bash
# Required encryption with no certificate for the recipient and no DCA for its
# domain: the message is tempfailed (451 4.x.x, the MTA keeps it) or, with
# missing_certificate = reject, rejected (5xx); never accepted unencrypted.
source "$(dirname "$0")/lib.sh"
setup_a
conf "$WORK/cachetd.conf" <<'CONF'

[partner c.example]
encryption = required

[partner d.example]
encryption = required
missing_certificate = reject
CONF
start "$WORK/cachetd.conf"
mt required.lua
stop
grep -qE 'QREQ1: reply 451 4\.[0-9]+\.[0-9]+ cachetd: ' "$DLOG" || fail "QREQ1 was not answered 451 4.x.x"
grep -qE 'QREQ2: reply 55[0-9] 5\.[0-9]+\.[0-9]+ cachetd: ' "$DLOG" || fail "QREQ2 was not answered 5xx"
case $(summary QREQ1) in *"result=tempfail"*) ;; *) fail "QREQ1: $(summary QREQ1)" ;; esac
case $(summary QREQ2) in *"result=reject"*) ;; *) fail "QREQ2: $(summary QREQ2)" ;; esac
echo "PASS required"
