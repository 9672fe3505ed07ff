# A signing time in the future is not accepted as the time capabilities were
# seen (RFC 8551 §2.7.1: far-future signing times MUST NOT be accepted): the
# harvest dates them now, so a later, honestly dated message still replaces
# them. A message dated before the stored capabilities does not.
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" "$WORK/p" >"$WORK/mk.log" 2>&1 || fail "mkpki.sh failed"
export CACHET_STORE=$WORK/store.db
expect_exit 0 "$CACHET" certs import --anchor p/ca.crt
a_message msg.eml
seen() { sqlite3 "$CACHET_STORE" "SELECT seen FROM caps WHERE address = 'alice@example.com'"; }

year=$(date -u +%Y)
# alice's certificate starts now: the "older" message below is dated between
# its notBefore and the first harvest, so leave a gap
nb=$(date -u -d "$(openssl x509 -in p/alice.crt -noout -startdate | cut -d= -f2)" +%s)
sleep 2
future="$((year + 2))-01-01T00:00:00Z"
expect_exit 0 "$CACHET" sign --at "$future" --cert p/alice.crt --key p/alice.key --chain p/inter.crt \
    --in msg.eml --out future.eml
before=$(date -u +%s)
expect_exit 0 "$CACHET" verify --harvest --in future.eml --out out.eml
after=$(date -u +%s)
s=$(seen)
[ -n "$s" ] || fail "no capabilities were stored"
{ [ "$s" -ge "$before" ] && [ "$s" -le "$after" ]; } ||
    fail "capabilities dated $s, not now ($before..$after): the future signing time was accepted"

# an older message (dated just after the certificate began) does not replace
# what was seen now
past=$((nb + 1))
expect_exit 0 "$CACHET" sign --at "$past" --cert p/alice.crt --key p/alice.key --chain p/inter.crt \
    --in msg.eml --out past.eml
expect_exit 0 "$CACHET" verify --harvest --at "$past" --in past.eml --out out.eml
[ "$(seen)" = "$s" ] || fail "an older message replaced newer capabilities"
echo "harvest_time: ok"
