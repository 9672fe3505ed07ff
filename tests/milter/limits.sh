#!/usr/bin/env bash
# A message larger than max_message_size is rejected with 552 5.3.4 and never
# processed; the summary line says so.
source "$(dirname "$0")/lib.sh"
setup_a
CONF_EXTRA="max_message_size = 1K" conf "$WORK/cachetd.conf" </dev/null
start "$WORK/cachetd.conf"
mt limits.lua
stop
case $(summary QBIG) in
    *"action=none result=reject"*"max_message_size"*) ;;
    *) fail "QBIG: $(summary QBIG)" ;;
esac
expect_no_log "QBIG: processing"
case $(summary QSMALL) in *"result=ok"*) ;; *) fail "QSMALL: $(summary QSMALL)" ;; esac
echo "PASS limits"
