#!/usr/bin/env bash
# A message domain-signed as A would sign it (domain-signing-authority@a.example,
# SignatureType domainSig), changed in transit and handed straight to B: B's gateway
# delivers it with smime=fail (on_failure = deliver, the default); with
# on_failure = reject refuses it, so nothing reaches bob; with on_failure =
# quarantine (no address) it lands in B's hold queue. The unaltered message is the
# control: smime=pass under every policy. A verdict forged in transit, an
# Authentication-Results field claiming B's authserv-id on an unsigned message, is
# removed (RFC 8601 §5); another server's field is kept.
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init tamper 12520
e2e_two_domains
e2e_need_domain_signing

# make SUBJECT SIGNED TAMPERED: one domain-signed message and a copy whose signed
# text says 900 instead of 100 (same length, MIME structure untouched).
make() {
    e2e_message "$WORK/$1.eml" alice@a.example bob@b.example "$1" "Please pay 100 EUR to account 42."
    e2e_sign dsa-a "$WORK/$1.eml" "$2" --signature-type domain
    python3 - "$2" "$3" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
assert d.count(b"pay 100 EUR") == 1, "the signed text is not where the test expects it"
open(sys.argv[2], "wb").write(d.replace(b"pay 100 EUR", b"pay 900 EUR"))
PY
}

# restart_b VALUE: cachetd-b again, with on_failure = VALUE.
restart_b() {
    e2e_cachetd_kill b TERM
    sed -i '/^on_failure = /d; s/^\[domain b.example\]$/&\non_failure = '"$1"'/' "$WORK/cachetd-b.conf"
    grep -q "^on_failure = $1\$" "$WORK/cachetd-b.conf" || fail "could not set on_failure = $1"
    e2e_cachetd_start b "$P_MILTER_B"
}

make t1 "$WORK/t1-signed.eml" "$WORK/t1-tampered.eml"
sed 's/^Subject: t1/Subject: t1-ok/' "$WORK/t1-signed.eml" >"$WORK/t1-ok.eml"
# (the Subject is outside the signed part: changing it keeps the signature valid)
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t1-tampered.eml"
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t1-ok.eml"
e2e_message "$WORK/forged.eml" alice@a.example bob@b.example forged "Trust me, it was verified."
{
    printf 'Authentication-Results: mx.b.example; smime=pass body.smime-identifier=domain-signing-authority@a.example\r\n'
    printf 'Authentication-Results: mx.other.example; spf=pass smtp.mailfrom=a.example\r\n'
    cat "$WORK/forged.eml"
} >"$WORK/forged-ar.eml"
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/forged-ar.eml"
e2e_wait_delivered sink 3

e2e_sink_by_subject sink forged "$WORK/got-forged.eml"
e2e_header "$WORK/got-forged.eml" Authentication-Results >"$WORK/forged-ar.txt"
grep -q 'smime=pass' "$WORK/forged-ar.txt" && fail "the forged smime=pass survived: $(cat "$WORK/forged-ar.txt")"
[ "$(grep -c '^mx\.b\.example;' "$WORK/forged-ar.txt")" = 1 ] || fail "not exactly one field of B's: $(cat "$WORK/forged-ar.txt")"
e2e_expect_header "$WORK/got-forged.eml" Authentication-Results '^mx\.b\.example; (none|smime=none)'
e2e_expect_header "$WORK/got-forged.eml" Authentication-Results '^mx\.other\.example; spf=pass'

e2e_sink_by_subject sink t1 "$WORK/got-tampered.eml"
e2e_expect_header "$WORK/got-tampered.eml" Authentication-Results '^mx\.b\.example; smime=fail'
e2e_header "$WORK/got-tampered.eml" Authentication-Results | grep 'smime=pass' >/dev/null &&
    fail "the tampered message also got smime=pass"
e2e_body "$WORK/got-tampered.eml" | grep -F "pay 900 EUR" >/dev/null ||
    fail "the tampered message was not delivered as it arrived (on_failure = deliver)"
e2e_sink_by_subject sink t1-ok "$WORK/got-ok.eml"
e2e_expect_header "$WORK/got-ok.eml" Authentication-Results \
    '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'

e2e_log "on_failure = reject: restarting cachetd-b"
restart_b reject
make t2 "$WORK/t2-signed.eml" "$WORK/t2-tampered.eml"
sed 's/^Subject: t2/Subject: t2-ok/' "$WORK/t2-signed.eml" >"$WORK/t2-ok.eml"
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t2-tampered.eml"
# B's filter hop answers 5xx: B bounces the message (the bounce to a.example is discarded).
e2e_wait_log b 'status=bounced .*said: 5[0-9][0-9]' 30
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t2-ok.eml"
e2e_wait_delivered sink 4
e2e_sink_by_subject sink t2-ok "$WORK/got-t2-ok.eml"
e2e_expect_header "$WORK/got-t2-ok.eml" Authentication-Results '^mx\.b\.example; smime=pass'
for i in 1 2 3 4; do
    e2e_sink_message sink "$WORK/check.eml" "$i"
    [ "$(e2e_header "$WORK/check.eml" Subject)" != t2 ] || fail "the rejected message reached bob"
done

e2e_log "on_failure = quarantine: restarting cachetd-b"
restart_b quarantine
make t3 "$WORK/t3-signed.eml" "$WORK/t3-tampered.eml"
sed 's/^Subject: t3/Subject: t3-ok/' "$WORK/t3-signed.eml" >"$WORK/t3-ok.eml"
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t3-tampered.eml"
e2e_send "$P_B_IN" alice@a.example bob@b.example "$WORK/t3-ok.eml"
e2e_wait_log b 'milter-hold: .*milter triggers HOLD action' 30
e2e_wait_sent b "$P_SINK" 5
[ "$(e2e_sink_count sink)" = 5 ] || fail "expected 5 delivered messages (4 so far + t3-ok), got $(e2e_sink_count sink)"
e2e_sink_unpack sink
e2e_sink_by_subject sink t3-ok "$WORK/got-t3-ok.eml"
e2e_expect_header "$WORK/got-t3-ok.eml" Authentication-Results '^mx\.b\.example; smime=pass'
held=$(e2e_queue b)
printf '%s\n' "$held" | grep -E '^[0-9A-F]+!' >/dev/null || { printf '%s\n' "$held" >&2; fail "nothing in B's hold queue"; }
printf '%s\n' "$held" | grep 'bob@b.example' >/dev/null || fail "the held message is not bob's"
e2e_log "B's hold queue: $(printf '%s' "$held" | grep -E '^[0-9A-F]+!' | head -n 1)"
echo "OK: tamper"
