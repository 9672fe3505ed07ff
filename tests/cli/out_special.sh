# --out naming a device or a pipe writes into it in place: the all-or-nothing
# rename would otherwise replace /dev/null (run as root) or a FIFO with a
# regular file. A regression test: the tool once did exactly that.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
"$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in msg.eml --out signed.eml

mkfifo pipe
cat pipe >from-pipe.txt &
reader=$!
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in signed.eml --out pipe
wait "$reader"
[ -p pipe ] || fail "the FIFO was replaced by a regular file"
grep -q "the figures are attached" from-pipe.txt || fail "the FIFO did not receive the verified content"
no_temp_files .

# a failing operation writes nothing into the pipe
sed 's/Hello/Jello/' signed.eml >tampered.eml
cat pipe >from-pipe2.txt &
reader=$!
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --in tampered.eml --out pipe
# nobody opened the write end: release the reader
exec 3>pipe
exec 3>&-
wait "$reader"
[ -p pipe ] || fail "the FIFO was replaced after a failure"
[ ! -s from-pipe2.txt ] || fail "a failed verification wrote into the FIFO"

# a character device stays a device (our own, not /dev/null: the test must not
# damage the machine if it fails)
if [ -c /dev/zero ] && [ -w /dev/full ]; then
    expect_exit 3 "$CACHET" verify --trust pki/ca.crt --in signed.eml --out /dev/full
    expect_stderr "writing to /dev/full failed"
    [ -c /dev/full ] || fail "/dev/full was replaced"
fi
echo "out_special: ok"
