# All or nothing: no output file (and nothing on stdout) unless the operation
# succeeded; --out replaces the target atomically; no temporary file is left.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
mkdir out

expect_exit 0 "$CACHET" encrypt --to pki/bob.crt --in msg.eml --out out/enc.eml
# alice cannot decrypt what is for bob: exit 1, no file, no stdout
expect_exit 1 "$CACHET" decrypt --cert pki/alice.crt --key pki/alice.key --in out/enc.eml --out out/dec.eml
expect_no_file out/dec.eml
no_temp_files out
expect_exit 1 "$CACHET" decrypt --cert pki/alice.crt --key pki/alice.key --in out/enc.eml
[ ! -s out.txt ] || fail "stdout got output from a failed decrypt"

# an existing file is left untouched by a failure
echo "precious" >out/keep.eml
expect_exit 1 "$CACHET" decrypt --cert pki/alice.crt --key pki/alice.key --in out/enc.eml --out out/keep.eml
[ "$(cat out/keep.eml)" = precious ] || fail "a failed decrypt changed the existing --out file"
no_temp_files out

# tampered signed message: exit 1, no output
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in msg.eml --out out/signed.eml
sed 's/the figures are attached/the figures are ATTACHED/' out/signed.eml >out/tampered.eml
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --in out/tampered.eml --out out/v.eml
expect_stderr "cachet: verification FAILED:"
expect_stderr ": signature invalid ("
expect_no_file out/v.eml
[ ! -s out.txt ] || fail "stdout got output from a failed verify"
no_temp_files out

# malformed input: exit 3, no output
printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\nMIIB!!!!\n' >out/bad.eml
expect_exit 3 "$CACHET" decrypt --cert pki/bob.crt --key pki/bob.key --in out/bad.eml --out out/bad-dec.eml
expect_no_file out/bad-dec.eml
expect_exit 3 "$CACHET" decompress --raw --in msg.eml --out out/d.bin
expect_no_file out/d.bin
no_temp_files out

# sign failure (8-bit multipart cannot be made 7-bit safe) leaves nothing
printf 'Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\ncaf\xe9\n--XX--\n' >eight.eml
expect_exit 3 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in eight.eml --out out/s8.eml
expect_stderr "--opaque"
expect_no_file out/s8.eml
no_temp_files out

# success replaces the target atomically and leaves no temporary file
echo old >out/final.eml
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in msg.eml --out out/final.eml
grep -q "multipart/signed" out/final.eml || fail "--out was not replaced"
no_temp_files out
# output files are private (plaintext may be in them)
[ "$(stat -c %a out/final.eml)" = 600 ] || fail "output file is not mode 600"
# a run killed before it finished leaves nothing either (input from a FIFO that
# stays open, so the run is certainly in progress when it is killed). Readers
# write through to the output file, so it must have no name until success: an
# O_TMPFILE file (shown as "#inode (deleted)" in /proc), which even SIGKILL
# cannot leave behind. Where the file system has no O_TMPFILE the file is named
# and removed on catchable signals: SIGTERM then.
mkfifo slow.fifo
exec 3<>slow.fifo
"$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in slow.fifo --out out/killed.eml &
pid=$!
printf 'Subject: slow\n\nstill typing\n' >&3
target=""
for _ in $(seq 50); do
    target=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -o "$WORK/out/.*" || true)
    [ -z "$target" ] || break
    sleep 0.1
done
[ -n "$target" ] || fail "no output file open while the run is in progress"
case "$target" in
    *"(deleted)"*)
        ls -A out | grep 'cachet-' >/dev/null && fail "a named temporary file exists during the run: $target"
        kill -KILL $pid ;;
    *)
        if python3 -c 'import os; os.close(os.open("out", os.O_TMPFILE | os.O_WRONLY, 0o600))' 2>/dev/null; then
            fail "the output file has a name during the run although O_TMPFILE works here: $target"
        fi
        kill -TERM $pid ;;
esac
wait $pid || true
exec 3>&-
expect_no_file out/killed.eml
no_temp_files out
# stdout output is the same as --out output for deterministic operations
expect_exit 0 "$CACHET" compress --raw --in msg.eml --out out/c1.der
"$CACHET" compress --raw --in msg.eml >out/c2.der
cmp out/c1.der out/c2.der || fail "stdout and --out differ"
# stdin input
"$CACHET" compress --raw <msg.eml | cmp - out/c1.der || fail "stdin input differs"
echo "output: ok"
