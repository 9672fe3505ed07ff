# cachet certs import|list|find|export|remove|trust|untrust against a private
# SQLite store ($CACHET_STORE in the work directory): exact outputs and exit
# statuses, all-or-nothing imports, the store's anchors used by verify, and the
# bad cases (corrupt store file, unreachable database, a directory as store).
source "$(dirname "$0")/lib.sh"
bash "$CACHET_SRC/tests/pki/mkpki.sh" pki >/dev/null 2>&1
export CACHET_STORE=$WORK/store/store.db
unset XDG_DATA_HOME

# fp FILE: the SHA-256 fingerprint of a PEM certificate, lowercase hex.
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f; }
enddate() { date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%Y-%m-%d; }
lines() { wc -l <"$1" | tr -d ' '; }
expect_out_exact() {
    [ "$(cat "$WORK/out.txt")" = "$1" ] || fail "stdout: expected '$1', got '$(cat "$WORK/out.txt")'"
}
CA=$(fp pki/ca.crt)
INTER=$(fp pki/inter.crt)
ALICE=$(fp pki/alice.crt)
BOB=$(fp pki/bob.crt)
CAROL=$(fp pki/carol.crt)

# ---- import: the missing store directory is created; PEM, DER, PKCS#7, PKCS#12 ----
[ ! -e store ] || fail "store directory exists before the first import"
expect_exit 0 "$CACHET" certs import pki/ca.crt
expect_out_exact "imported 1 new, 0 already known"
[ -f store/store.db ] || fail "the store file was not created on first import"
openssl x509 -in pki/inter.crt -outform DER -out inter.der
expect_exit 0 "$CACHET" certs import inter.der
expect_out_exact "imported 1 new, 0 already known"
expect_exit 0 "$CACHET" certs import pki/alice.pem # alice + the intermediate again
expect_out_exact "imported 1 new, 1 already known"
openssl crl2pkcs7 -nocrl -certfile pki/bob.crt -certfile pki/carol.crt -outform DER -out bc.p7b
expect_exit 0 "$CACHET" certs import bc.p7b
expect_out_exact "imported 2 new, 0 already known"
expect_exit 0 "$CACHET" certs import pki/ca.crt inter.der
expect_out_exact "imported 0 new, 2 already known"

# PKCS#12 (certificates only), into a second store: a wrong password is exit 2
# and stores nothing; the right one stores alice and the intermediate.
P12STORE=$WORK/p12/store.db
expect_exit 2 "$CACHET" certs import --store "$P12STORE" --p12 --pass pass:wrong pki/alice.p12
expect_stderr "check the PKCS#12 password (--pass)"
expect_stderr "nothing was stored"
expect_exit 0 "$CACHET" certs list --store "$P12STORE"
[ ! -s out.txt ] || fail "a failed PKCS#12 import stored: $(cat out.txt)"
export P12PASS=alicepass
expect_exit 0 "$CACHET" certs import --store "$P12STORE" --p12 --pass env:P12PASS pki/alice.p12
expect_out_exact "imported 2 new, 0 already known"
expect_exit 2 "$CACHET" certs import --pass env:P12PASS pki/alice.crt
expect_stderr "--pass is for --p12"

# A bad file among good ones: exit 3, nothing stored (not even the good ones).
echo "not a certificate" >junk.pem
expect_exit 0 "$CACHET" certs list
before=$(lines out.txt)
expect_exit 3 "$CACHET" certs import pki/dave.crt junk.pem
expect_stderr "junk.pem"
expect_stderr "nothing was stored"
expect_exit 0 "$CACHET" certs list
[ "$(lines out.txt)" = "$before" ] || fail "a failed import changed the store"
grep -q dave@example.com out.txt && fail "dave was stored by a failed import"
head -c 300 pki/dave.crt >truncated.pem
expect_exit 3 "$CACHET" certs import truncated.pem
expect_exit 2 "$CACHET" certs import pki/no-such.crt
expect_stderr "cannot open certificate file pki/no-such.crt"
expect_exit 2 "$CACHET" certs import
expect_stderr "give at least one FILE"

# ---- list: one line per certificate: fingerprint (16), origin, not_after, emails, subject ----
expect_exit 0 "$CACHET" certs list
[ "$(lines out.txt)" = 5 ] || fail "expected 5 certificates, got $(lines out.txt)"
want="${ALICE:0:16}  imported   $(enddate pki/alice.crt)  alice@example.com  emailAddress=alice@example.com,CN=Alice,O=Cachet Test,C=XX"
grep -qxF -- "$want" out.txt || fail "list lacks the line '$want': $(cat out.txt)"
grep -qE "^${CA:0:16}  imported   [0-9]{4}-[0-9]{2}-[0-9]{2}  -  CN=Cachet Test Root CA" out.txt ||
    fail "list lacks the root CA line"

expect_exit 0 "$CACHET" certs list --json
python3 -m json.tool out.txt >/dev/null || fail "certs list --json is not JSON"
json_check out.txt 'isinstance(r, list) and len(r) == 5' \
    'all(set(c) >= {"fingerprint","subject","issuer","serial","emails","not_before","not_after","key_usage","email_protection","ca","origin","key"} for c in r)' \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['emails'] == ['alice@example.com']" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['serial'].lower().lstrip('0') == '2001'" \
    "set([c for c in r if c['fingerprint'] == '$ALICE'][0]['key_usage']) == {'digitalSignature','nonRepudiation','keyEncipherment'}" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['email_protection'] is True" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['ca'] is False" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['origin'] == 'imported'" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['key'] == ''" \
    "[c for c in r if c['fingerprint'] == '$ALICE'][0]['not_after'].startswith('$(enddate pki/alice.crt)T')" \
    "all(c['not_after'].endswith('Z') and c['not_before'].endswith('Z') for c in r)" \
    "[c for c in r if c['fingerprint'] == '$CA'][0]['ca'] is True" \
    "[c for c in r if c['fingerprint'] == '$CA'][0]['issuer'] == [c for c in r if c['fingerprint'] == '$CA'][0]['subject']" \
    "[c for c in r if c['fingerprint'] == '$CAROL'][0]['key_usage'] == ['digitalSignature', 'keyAgreement']"

# Text from certificates is escaped: quotes and backslashes in JSON, and a
# backslash on the terminal (non-ASCII arrives RFC 2253-escaped as \C3\A9).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout odd.key -out odd.crt \
    -days 30 -utf8 -subj '/CN=Odd "quoted" \\ name é/emailAddress=odd@example.com' \
    -addext "subjectAltName=email:odd@example.com" 2>/dev/null
ODD_STORE=$WORK/odd.db
expect_exit 0 "$CACHET" certs import --store "$ODD_STORE" odd.crt
expect_exit 0 "$CACHET" certs list --store "$ODD_STORE" --json
python3 -m json.tool out.txt >/dev/null || fail "JSON with an odd subject is not JSON"
LC_ALL=C grep -q $'[\x80-\xff]' out.txt && fail "JSON output is not pure ASCII"
B='chr(92)'
Q='chr(34)'
json_check out.txt "r[0]['subject'] == 'emailAddress=odd@example.com,CN=Odd ' + $B + $Q + 'quoted' + $B + $Q + ' ' + $B + $B + ' name ' + $B + 'C3' + $B + 'A9'"
expect_exit 0 "$CACHET" certs list --store "$ODD_STORE"
expect_stdout 'CN=Odd \\"quoted\\" \\\\ name \\C3\\A9'
LC_ALL=C grep -q $'[\x80-\xff]' out.txt && fail "the human list passed raw non-ASCII bytes"

# ---- find: case-insensitive domain; none is exit 1 with a message ----
expect_exit 0 "$CACHET" certs find alice@EXAMPLE.Com
[ "$(lines out.txt)" = 1 ] || fail "find: expected 1 line, got $(lines out.txt)"
expect_stdout "${ALICE:0:16}  imported"
expect_exit 0 "$CACHET" certs find --json bob@example.com
json_check out.txt "len(r) == 1" "r[0]['fingerprint'] == '$BOB'" "r[0]['emails'] == ['bob@example.com']"
expect_exit 1 "$CACHET" certs find nobody@example.com
expect_stderr "no certificate for nobody@example.com in the store"
[ ! -s out.txt ] || fail "find printed something for nobody"
expect_exit 2 "$CACHET" certs find
expect_exit 2 "$CACHET" certs find not-an-address

# ---- export: PEM to stdout by default, DER with --format der; round trip ----
openssl x509 -in pki/alice.crt -outform DER -out alice.der
expect_exit 0 "$CACHET" certs export "${ALICE:0:16}" --format der --out exported.der
cmp -s alice.der exported.der || fail "exported DER differs from the original"
expect_exit 0 "$CACHET" certs export "$ALICE"
openssl x509 -in out.txt -outform DER -out from-pem.der 2>/dev/null || fail "exported PEM unreadable"
cmp -s alice.der from-pem.der || fail "exported PEM differs from the original"
head -1 out.txt | grep -x -- "-----BEGIN CERTIFICATE-----" >/dev/null || fail "PEM export lacks its header"
cp out.txt stdout.pem
expect_exit 0 "$CACHET" certs export "${ALICE:0:8}" --format pem --out exported.pem
cmp -s exported.pem stdout.pem || fail "--out PEM differs from stdout PEM"
expect_exit 1 "$CACHET" certs export 0123456789abcdef --out none.der
expect_stderr "no certificate with fingerprint 0123456789abcdef in the store"
expect_no_file none.der
expect_exit 2 "$CACHET" certs export abc
expect_stderr "give at least 8 hex digits"
expect_exit 2 "$CACHET" certs export "$ALICE" --format smime
no_temp_files "$WORK"

# ---- remove ----
expect_exit 0 "$CACHET" certs remove "${CAROL:0:12}"
expect_stdout "removed: ${CAROL:0:16}"
expect_exit 1 "$CACHET" certs find carol@example.com
expect_exit 1 "$CACHET" certs remove "$CAROL"
expect_exit 0 "$CACHET" certs list
[ "$(lines out.txt)" = 4 ] || fail "expected 4 certificates after remove, got $(lines out.txt)"

# ---- trust / untrust: verify with the store's anchor only (no --trust) ----
a_message msg.eml
"$CACHET" sign --cert pki/alice.pem --key pki/alice.key --in msg.eml --out signed.eml
expect_exit 1 "$CACHET" verify --in signed.eml
expect_stderr "chain untrusted"
expect_exit 0 "$CACHET" certs trust "${CA:0:16}"
expect_stdout "trust anchor: ${CA:0:16}"
expect_exit 0 "$CACHET" certs list --json
json_check out.txt "[c for c in r if c['fingerprint'] == '$CA'][0]['origin'] == 'anchor'"
expect_exit 0 "$CACHET" verify --in signed.eml --out content.eml
expect_stderr "verification successful"
grep -q "the figures are attached" content.eml || fail "verified content missing"
expect_exit 0 "$CACHET" verify --store "$CACHET_STORE" --json --in signed.eml
json_check out.txt 'r["layers"][0]["signers"][0]["chain"] == "trusted"'
expect_exit 0 "$CACHET" certs untrust "$CA"
expect_exit 1 "$CACHET" verify --in signed.eml
expect_exit 0 "$CACHET" certs list --json
json_check out.txt "[c for c in r if c['fingerprint'] == '$CA'][0]['origin'] == 'imported'"
# import --anchor does the same in one step
expect_exit 0 "$CACHET" certs import --store "$WORK/anchor.db" --anchor pki/ca.crt
expect_exit 0 "$CACHET" verify --store "$WORK/anchor.db" --in signed.eml

# ---- bad stores ----
head -c 8192 /dev/urandom >corrupt.db
sum=$(sha256sum <corrupt.db)
expect_exit 3 "$CACHET" certs list --store "$WORK/corrupt.db"
expect_stderr "cannot open the store"
expect_stderr "left untouched"
CACHET_STORE=$WORK/corrupt.db expect_exit 3 "$CACHET" certs import pki/bob.crt
expect_exit 3 "$CACHET" verify --store "$WORK/corrupt.db" --in signed.eml --out v.eml
expect_no_file v.eml
[ "$(sha256sum <corrupt.db)" = "$sum" ] || fail "the corrupt store file was modified"
no_temp_files "$WORK"

expect_exit 2 "$CACHET" certs list --store postgresql://cachet@127.0.0.1:1/x
expect_stderr "cannot open the store"
expect_stderr "127.0.0.1"
expect_stderr "check that the database server is running"
expect_exit 2 "$CACHET" encrypt --store postgresql://cachet@127.0.0.1:1/x --to bob@example.com --in msg.eml --out e.eml
expect_no_file e.eml

mkdir adir
expect_exit 2 "$CACHET" certs list --store "$WORK/adir"
expect_stderr "is a directory"
expect_exit 2 "$CACHET" certs frobnicate
expect_stderr "unknown subcommand 'frobnicate'"
expect_exit 2 "$CACHET" certs
expect_stderr "a subcommand is needed"
expect_exit 0 "$CACHET" help certs
expect_stdout "usage: cachet certs import"

# libpq, libsqlite3 and libp11-kit are opened on first use (src/lib/base/dynlib.h), not
# linked: most cachet processes need none of them, and loading them cost each about 30 ms.
needed=$(objdump -p "${CACHET_MEMCHECK_BIN:-$CACHET}" | sed -n 's/^ *NEEDED *//p')
grep -qx 'libcrypto.so.3' <<<"$needed" || fail "expected libcrypto among cachet's libraries: $needed"
for lib in libpq libsqlite3 libp11-kit; do
    ! grep -q "^$lib" <<<"$needed" || fail "cachet links $lib; it must be opened at run time"
done

# ---- the same commands against PostgreSQL, when a server is given ----
if [ -n "${CACHET_TEST_PG:-}" ] && command -v psql >/dev/null; then
    db=cachet_cli_store_$$_$RANDOM
    psql -q "$CACHET_TEST_PG" -c "CREATE DATABASE $db" >/dev/null || fail "cannot create database $db"
    trap 'psql -q "$CACHET_TEST_PG" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
    PG=${CACHET_TEST_PG%/*}/$db
    expect_exit 0 "$CACHET" certs import --store "$PG" pki/ca.crt pki/alice.pem
    expect_out_exact "imported 3 new, 0 already known"
    expect_exit 3 "$CACHET" certs import --store "$PG" pki/bob.crt junk.pem
    expect_exit 0 "$CACHET" certs list --store "$PG" --json
    json_check out.txt "len(r) == 3" "'$BOB' not in [c['fingerprint'] for c in r]"
    expect_exit 0 "$CACHET" certs find --store "$PG" alice@Example.COM
    expect_stdout "${ALICE:0:16}  imported"
    expect_exit 0 "$CACHET" certs export --store "$PG" "${ALICE:0:16}" --format der --out pg.der
    cmp -s alice.der pg.der || fail "PostgreSQL: exported DER differs from the original"
    expect_exit 1 "$CACHET" verify --store "$PG" --in signed.eml
    expect_exit 0 "$CACHET" certs trust --store "$PG" "$CA"
    CACHET_STORE=$PG expect_exit 0 "$CACHET" verify --in signed.eml
    expect_exit 0 "$CACHET" certs remove --store "$PG" "$ALICE"
    expect_exit 1 "$CACHET" certs find --store "$PG" alice@example.com
else
    echo "store: PostgreSQL part skipped (set CACHET_TEST_PG)"
fi
echo "store: ok"
