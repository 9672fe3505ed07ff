#!/usr/bin/env bash
# CLI attacks (ATTACKS.md ID-07, CL-02, CL-03/OR-07, CL-04, EF-10): text from messages and
# certificates cannot forge a line of the report or reach the terminal raw, and the JSON
# report stays valid; content never chooses where output goes; the switches that weaken a
# check say so and are visible in the report; and nothing in a message or certificate makes
# cachet open a network connection unless revocation checking was asked for. Inputs are
# built at run time with our own keys (tests/pki/mkpki.sh).
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
F=$W/fail.out
ENT=$W/entity.txt
write_entity "$ENT" "Transfer approved. -- Alice"

# issue NAME KEY SUBJECT EXTFILE-LINES...: a leaf for the EC KEY issued by the intermediate
serial=$((0x7100))
issue() {
    local n=$1 key=$2 subj=$3
    shift 3
    serial=$((serial + 1))
    printf '%s\n' "keyUsage=critical,digitalSignature,keyAgreement" "extendedKeyUsage=emailProtection" "$@" >$W/$n.ext
    openssl req -new -utf8 -key "$key" -subj "$subj" -out $W/$n.csr
    openssl x509 -req -in $W/$n.csr -CA "$P/inter.crt" -CAkey "$P/inter.key" -set_serial $serial -days 30 \
        -extfile $W/$n.ext -out $W/$n.crt 2>/dev/null
}
# smime_by CERT KEY FROM OUT [SUBJECT]: multipart/signed of $ENT (openssl, LF line ends)
smime_by() {
    openssl cms -sign -signer "$1" -inkey "$2" -certfile "$P/inter.crt" -md sha256 -in "$ENT" \
        -from "$3" -to bob@example.com -subject "${5:-test}" -out "$4"
}

# no_raw_controls CASE FILE...: no ESC, CR, BEL, BS, DEL or byte >= 0x80 in the files
no_raw_controls() {
    local name=$1
    shift
    if LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f-\xff]' "$@"; then
        fail "$name" "expected no raw control or 8-bit bytes, got: $(LC_ALL=C grep -a -o -P '.{0,20}[\x00-\x08\x0b-\x1f\x7f-\xff]' "$@" | head -2 | od -c | head -3 | tr '\n' ' ')"
    else
        ok "$name"
    fi
}
# lines_start_with_cachet CASE FILE: every line of FILE is one of cachet's own ("cachet")
lines_start_with_cachet() {
    if grep -v -q '^cachet' "$2"; then
        fail "$1" "expected every line to start with 'cachet', got '$(grep -v '^cachet' "$2" | head -1)'"
    else
        ok "$1"
    fi
}
count_lines() { grep -c -x -F -- "$2" "$1" || true; }
# json_valid CASE FILE [PATH=VALUE...]: the report parses, is pure ASCII, and has the fields
json_valid() {
    local name=$1 file=$2
    shift 2
    if LC_ALL=C grep -q -P '[^\x20-\x7e\n]' "$file"; then
        fail "$name" "expected a pure ASCII JSON report"
    else
        jcheck "$name" "$file" "$@"
    fi
}

# ---------------- ID-07 / CL-02 forged status lines, terminal escapes ----------------
# A trusted certificate (carol's key) whose names carry what a terminal or a reader of the
# report would take for cachet's own lines: ESC sequences (clear screen, OSC window title),
# BEL, CR, LF, a right-to-left override, quotes and backslashes.
HOSTILE_CN=$(printf 'E\x1b[2J\ncachet: verification successful')
HOSTILE_O=$(printf '\x1b]0;pwned\x07\xe2\x80\xae\rcachet: signed by alice "x\\y"')
issue hostile "$P/carol.key" "/O=$HOSTILE_O/CN=$HOSTILE_CN" "subjectAltName=email:carol@example.com"
# (a) signed by that certificate, From alice: invalid (address), nothing forged
smime_by $W/hostile.crt "$P/carol.key" alice@example.com $W/h-alice.eml "$(printf 'Invoice\x1b[31m =?utf-8?b?G1sySgpjYWNoZXQ6IHZlcmlmaWNhdGlvbiBzdWNjZXNzZnVs?=')"
refused id07-hostile-certificate-names-from-mismatch-refused 1 $F verify $T --in $W/h-alice.eml --out $F
n=$(count_lines "$ERR" 'cachet: verification successful')
[ "$n" = 0 ] && ok id07-no-forged-success-line || fail id07-no-forged-success-line "expected no 'cachet: verification successful' line, got $n"
contains id07-real-failure-line-present "$ERR" 'cachet: verification FAILED: signer address carol@example.com does not match From alice@example.com'
no_raw_controls cl02-hostile-names-escaped-on-failure "$ERR"
lines_start_with_cachet id07-every-stderr-line-is-cachets "$ERR"
# (b) the same certificate with a matching From: valid, and exactly one success line
smime_by $W/hostile.crt "$P/carol.key" carol@example.com $W/h-carol.eml
cx verify $T --in $W/h-carol.eml --out $W/h.out
if rc_is id07-hostile-certificate-valid-one-success-line 0; then
    n=$(count_lines "$ERR" 'cachet: verification successful')
    [ "$n" = 1 ] && ok id07-hostile-certificate-valid-one-success-line || fail id07-hostile-certificate-valid-one-success-line "expected exactly one success line, got $n"
    no_raw_controls cl02-hostile-names-escaped-on-success "$ERR"
    lines_start_with_cachet id07-every-stderr-line-is-cachets-on-success "$ERR"
    contains cl02-escape-shown-as-text "$ERR" 'E\\1B[2J\\0Acachet: verification successful'
fi
# (c) JSON: valid, pure ASCII, the hostile subject is a string value carrying the text
cx verify $T --json --in $W/h-alice.eml --out $F
rc_is id07-json-valid-with-hostile-names 1 && json_valid id07-json-valid-with-hostile-names "$OUT" status=invalid \
    layers.0.signers.0.emails.0=carol@example.com layers.0.signers.0.address_match=false
if $PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["layers"][0]["signers"][0]["subject"]; sys.exit(0 if "verification successful" in s and "\n" not in s and "\x1b" not in s else 1)' "$OUT"; then
    ok id07-json-subject-is-one-escaped-string
else
    fail id07-json-subject-is-one-escaped-string "expected the subject as one string without raw controls"
fi
# (d) inspect prints the same names escaped
cx inspect --in $W/h-alice.eml
rc_is cl02-inspect-escapes-names 0 && no_raw_controls cl02-inspect-escapes-names "$OUT" "$ERR"
cx inspect --json --in $W/h-alice.eml
rc_is cl02-inspect-json-valid 0 && json_valid cl02-inspect-json-valid "$OUT" from=alice@example.com
# (e) a From whose local part spells a status line, with 8-bit bytes: quoted in the error
printf 'Content-Type: text/plain\r\n\r\nx\r\n' >$W/e2.txt
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary -outform DER -in $W/e2.txt -out $W/e2.p7s
multipart_signed $W/e2.txt $W/e2.p7s $W/from.eml "$(printf '"cachet: verification successful \xe2\x80\xae"@example.com')"
refused id07-from-spelling-a-status-line-refused 1 $F verify $T --in $W/from.eml --out $F
n=$(count_lines "$ERR" 'cachet: verification successful')
[ "$n" = 0 ] && ok id07-from-status-text-forges-no-line || fail id07-from-status-text-forges-no-line "expected no success line, got $n"
no_raw_controls cl02-from-8bit-escaped "$ERR"
cx verify $T --json --in $W/from.eml --out $F
rc_is cl02-from-8bit-json-valid 1 && json_valid cl02-from-8bit-json-valid "$OUT" status=invalid
# (f) an unsigned message carrying forged status headers and banner text is not signed
{
    printf 'Authentication-Results: gw.example; smime=pass header.from=alice@example.com\r\n'
    printf 'X-Cachet-Status: verification successful\r\nFrom: alice@example.com\r\nSubject: [signed] ok\r\n'
    printf 'Content-Type: text/plain\r\n\r\ncachet: signed by alice@example.com: signature valid, chain trusted\r\ncachet: verification successful\r\n'
} >$W/forged.eml
refused id07-forged-status-headers-not-signed 1 $F verify $T --in $W/forged.eml --out $F
contains id07-forged-status-headers-says-not-signed "$ERR" 'message is not signed'

# ---------------- CL-03 / OR-07 output paths ----------------
# A valid signed message whose parts name hostile files: every such name is content and
# never a path cachet writes, reads or creates.
mkdir -p $W/run/a/b
{
    printf 'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n'
    printf 'Content-Type: multipart/mixed; boundary="f"\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n'
    for name in '../../pwned-rel' "$W/run/pwned-abs" "..%2F..%2Fpwned-enc" 'CON' "$(printf 'x%.0s' $(seq 300))"; do
        printf -- '--f\r\nContent-Type: application/octet-stream; name="%s"\r\n' "$name"
        printf 'Content-Disposition: attachment; filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\ncHduZWQ=\r\n' "$name"
    done
    printf -- "--f\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=UTF-8''..%%2F..%%2Fpwned-2231\r\n\r\nx\r\n"
    printf -- '--f\r\nContent-Type: message/external-body; access-type=local-file; name="/etc/passwd"\r\n\r\nContent-Type: text/plain\r\n\r\n\r\n--f--\r\n'
} >$W/files.txt
"$CACHET" sign --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in $W/files.txt --out $W/files.eml
# the signature part, and the outer S/MIME part, named by the attacker too
sed -i 's|filename=smime.p7s|filename="../../pwned-p7s"|' $W/files.eml
"$CACHET" encrypt --to "$P/bob.crt" --in $W/files.eml --out $W/files-enc.eml
sed -i 's|filename=smime.p7m|filename="/tmp/pwned-p7m-'$$'"|' $W/files-enc.eml
touch $W/p.out $W/p.err
before=$(cd $W && find . | sort)
for op in verify decrypt; do
    args=(--trust "$P/ca.crt")
    [ $op = decrypt ] && args+=(--cert "$P/bob.crt" --key "$P/bob.key")
    in=$W/files.eml
    [ $op = decrypt ] && in=$W/files-enc.eml
    (cd $W/run/a/b && "$CACHET" $op "${args[@]}" --in "$in" --out out.eml >$W/p.out 2>$W/p.err) && rc=0 || rc=$?
    begin_case
    [ $rc = 0 ] || problem "expected exit 0, got $rc ($(head -c 200 $W/p.err))"
    [ -s $W/run/a/b/out.eml ] || problem "expected the --out file"
    grep -q 'see attached' $W/run/a/b/out.eml 2>/dev/null || problem "expected the content in --out"
    end_case "cl03-$op-hostile-file-names-valid" || true
    after=$(cd $W && find . -newer $W/files-enc.eml | grep -v -x -e . -e './run/a/b/out.eml' -e './run/a/b' -e './p.out' -e './p.err' | sort || true)
    if [ -n "$after" ] || ls /tmp/pwned-p7m-$$ >/dev/null 2>&1; then
        fail "cl03-$op-content-names-create-no-file" "expected only --out written, got: $after"
    else
        ok "cl03-$op-content-names-create-no-file"
    fi
    rm -f $W/run/a/b/out.eml
    # without --out the content goes to stdout and no file at all is created
    (cd $W/run/a/b && "$CACHET" $op "${args[@]}" --in "$in" >$W/p.out 2>$W/p.err) || true
    if [ -n "$(ls -A $W/run/a/b)" ] || ! grep -q 'see attached' $W/p.out; then
        fail "cl03-$op-without-out-writes-stdout-only" "expected stdout only, got files: $(ls -A $W/run/a/b)"
    else
        ok "cl03-$op-without-out-writes-stdout-only"
    fi
done
[ "$before" = "$(cd $W && find . | sort)" ] && ok cl03-tree-unchanged-but-for-outputs || fail cl03-tree-unchanged-but-for-outputs "expected no new files in the work tree"
# --out through a symlink: the link is replaced, its target is never written
cd $W/run
echo VICTIM >victim
ln -s victim out.lnk
cx verify $T --in $W/files.eml --out out.lnk
begin_case
rc_problem 0
[ "$(cat victim)" = VICTIM ] || problem "expected the symlink's target unchanged"
[ -L out.lnk ] && problem "expected the symlink replaced by the output file"
grep -q 'see attached' out.lnk 2>/dev/null || problem "expected the output in place of the link"
end_case cl03-out-symlink-replaced-target-untouched || true
ln -s $W/run/created-through-link dangling
cx verify $T --in $W/files.eml --out dangling
begin_case
rc_problem 0
[ -e $W/run/created-through-link ] && problem "expected the dangling link's target not created"
[ -L dangling ] && problem "expected the link replaced"
end_case cl03-out-dangling-symlink-target-not-created || true
rm -f out.lnk
ln -s victim out.lnk
cx verify $T --in $W/forged.eml --out out.lnk
begin_case
rc_problem 1
[ -L out.lnk ] || problem "expected the symlink left as it was by a failure"
[ "$(cat victim)" = VICTIM ] || problem "expected the target unchanged"
end_case cl03-out-symlink-untouched-on-failure || true
# an --out that is a directory, or in a missing one: a usage error before any work (no
# report saying "verification successful" before the failure), nothing written
mkdir -p outdir
refused cl03-out-is-a-directory-usage-error 2 $W/run/outdir/x verify $T --in $W/files.eml --out outdir
begin_case
[ -z "$(ls -A outdir)" ] || problem "expected nothing written into the directory"
grep -q 'cannot write to outdir: it is a directory' "$ERR" || problem "expected 'it is a directory' on stderr, got '$(head -c 200 "$ERR")'"
grep -q 'verification successful' "$ERR" && problem "expected no success line before the failure"
end_case cl03-out-is-a-directory-refused-before-work || true
refused cl03-out-in-missing-directory-usage-error 2 $W/run/missing/x.eml verify $T --in $W/files.eml --out $W/run/missing/x.eml
cd $W

# ---------------- CL-04 insecure switches ----------------
write_message $W/m.txt alice@example.com "switch test"
openssl cms -sign -signer "$P/bob.crt" -inkey "$P/bob.key" -certfile "$P/inter.crt" -md sha256 -in "$ENT" \
    -from alice@example.com -to bob@example.com -subject x -out $W/bob-as-alice.eml
refused control-cl04-address-mismatch-refused 1 $F verify $T --in $W/bob-as-alice.eml --out $F
cx verify $T --no-address-check --json --in $W/bob-as-alice.eml --out $W/nac.out
if rc_is cl04-no-address-check-accepts-and-reports-unchecked 0; then
    jcheck cl04-no-address-check-accepts-and-reports-unchecked "$OUT" status=valid layers.0.signers.0.address_checked=false \
        layers.0.signers.0.address_match=false layers.0.signers.0.emails.0=bob@example.com
    contains cl04-no-address-check-warns "$ERR" 'warning: --no-address-check: signers are not matched against the From address'
fi
cx verify $T --no-address-check --in $W/bob-as-alice.eml --out $W/nac.out
rc_is cl04-no-address-check-text-names-real-signer 0 && contains cl04-no-address-check-text-names-real-signer "$ERR" 'cachet: signed by bob@example.com ('
cx verify $T --json --in $W/h-carol.eml --out $W/h.out
rc_is control-cl04-address-checked-by-default 0 && jcheck control-cl04-address-checked-by-default "$OUT" layers.0.signers.0.address_checked=true
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha1 -in "$ENT" \
    -from alice@example.com -to bob@example.com -subject x -out $W/sha1.eml
refused control-cl04-sha1-refused 1 $F verify $T --in $W/sha1.eml --out $F
for sw in --allow-weak --allow-legacy; do
    cx verify $T $sw --json --in $W/sha1.eml --out $W/w.out
    rc_is "cl04$sw-accepts-and-reports-weak" 0 && jcheck "cl04$sw-accepts-and-reports-weak" "$OUT" status=valid layers.0.signers.0.weak=true layers.0.signers.0.digest=sha1
    contains "cl04$sw-warns" "$ERR" 'warning: --allow-legacy (--allow-weak): legacy and weak algorithms'
    # the warning is printed even when nothing weak was met
    cx verify $T $sw --in $W/h-carol.eml --out $W/w.out
    rc_is "cl04$sw-warns-every-run" 0 && contains "cl04$sw-warns-every-run" "$ERR" 'warning: --allow-legacy'
done
cx encrypt --to "$P/bob.crt" --password pw-on-the-command-line --in $W/m.txt --out $W/pw.eml
rc_is cl04-password-on-command-line-warns 0 && contains cl04-password-on-command-line-warns "$ERR" 'warning'

# ---------------- EF-10 no backchannels ----------------
# A TCP listener on a free loopback port counts connections; a certificate names it in
# AIA (caIssuers, OCSP) and CRL distribution points (http and ldap).
$PY - $W/port $W/conns <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[2], "w").write("0")
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = 0
while True:
    c, _ = s.accept()
    n += 1
    open(sys.argv[2], "w").write(str(n))
    c.close()
PY
LPID=$!
trap 'kill $LPID 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 50); do [ -s $W/port ] && break; sleep 0.1; done
PORT=$(cat $W/port)
U=http://127.0.0.1:$PORT
issue aia "$P/carol.key" "/O=Cachet Test/CN=Carol AIA" "subjectAltName=email:carol@example.com" \
    "authorityInfoAccess=caIssuers;URI:$U/ca.crt,OCSP;URI:$U/ocsp" \
    "crlDistributionPoints=URI:$U/crl,URI:ldap://127.0.0.1:$PORT/cn=crl"
conns() { cat $W/conns; }
no_connection() { # no_connection CASE RC ARGS...: the run gives RC and the listener saw nothing
    local name=$1 rc=$2 before
    shift 2
    before=$(conns)
    cx "$@"
    rc_is "$name" "$rc" || return 0
    sleep 0.2
    [ "$(conns)" = "$before" ] && ok "$name" || fail "$name" "expected no connection to the listener, got $(($(conns) - before))"
}
smime_by $W/aia.crt "$P/carol.key" carol@example.com $W/aia.eml
openssl cms -sign -signer $W/aia.crt -inkey "$P/carol.key" -md sha256 -in "$ENT" -from carol@example.com -to bob@example.com \
    -subject x -out $W/aia-noint.eml # no intermediate: AIA chasing would fetch it
"$CACHET" encrypt --to "$P/bob.crt" --in $W/aia.eml --out $W/aia-enc.eml
no_connection ef10-verify-default-no-connection 0 verify $T --in $W/aia.eml --out $W/a.out
no_connection ef10-verify-json-no-connection 0 verify $T --json --in $W/aia.eml --out $W/a.out
no_connection ef10-missing-intermediate-not-fetched 1 verify $T --in $W/aia-noint.eml --out $F
no_connection ef10-decrypt-and-verify-no-connection 0 decrypt $T --cert "$P/bob.crt" --key "$P/bob.key" --in $W/aia-enc.eml --out $W/a.out
no_connection ef10-inspect-no-connection 0 inspect --in $W/aia.eml
no_connection ef10-revocation-none-no-connection 0 verify $T --revocation none --in $W/aia.eml --out $W/a.out
no_connection ef10-encrypt-to-certificate-file-no-connection 0 encrypt --to $W/aia.crt --in $W/m.txt --out $W/a.out
no_connection ef10-harvest-no-connection 0 verify $T --harvest --store $W/store.db --in $W/aia.eml --out $W/a.out
# control: asked for, revocation checking does use the certificate's URLs (so the listener
# and the certificate would have shown a fetch above)
before=$(conns)
cx verify $T --revocation soft --in $W/aia.eml --out $W/a.out
sleep 0.2
[ "$(conns)" -gt "$before" ] && ok control-ef10-revocation-soft-contacts-the-listener ||
    fail control-ef10-revocation-soft-contacts-the-listener "expected a connection with --revocation soft, got none (exit $RC)"

finish
