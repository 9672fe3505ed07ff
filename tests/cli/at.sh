# --at TIME in its three forms: the verification time decides whether the
# certificates (valid for ten years from now) are in their validity period;
# sign --at sets the signing time.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml
"$CACHET" sign --cert pki/alice.crt --key pki/alice.key --in msg.eml --out signed.eml
year=$(date -u +%Y)

for at in "$((year + 3))-01-01" "$((year + 3))-06-30T12:00:00Z" "$(($(date -u +%s) + 86400 * 400))"; do
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --at "$at" --in signed.eml --out /dev/null
done
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --at "$((year + 20))-01-01" --json --in signed.eml
json_check out.txt 'r["status"] == "invalid"' 'r["layers"][0]["signers"][0]["chain"] == "expired"'
expect_stderr "not valid at the time checked"
expect_exit 1 "$CACHET" verify --trust pki/ca.crt --at 2001-01-01T00:00:00Z --json --in signed.eml
json_check out.txt 'r["layers"][0]["signers"][0]["chain"] == "not_yet_valid"'

# the signing time is --at when given
expect_exit 0 "$CACHET" sign --at "$((year + 1))-05-05T10:20:30Z" --cert pki/alice.crt --key pki/alice.key --in msg.eml --out later.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --at "$((year + 1))-06-01" --json --in later.eml
json_check out.txt "r['layers'][0]['signers'][0]['signing_time'] == '$((year + 1))-05-05T10:20:30Z'"
echo "at: ok"
