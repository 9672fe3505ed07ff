# Issue 8 item 4: every tunable limit, at the limit (passes, exit 0) and one
# past it (exit 3, the message names the limit and the --limit that raises
# it); the default where it is cheap to reach, else a value lowered with
# --limit; and the usage errors of --limit (exit 2). doc/limits.md cites the
# case names printed here ("limits: <case>: ok").
source "$(dirname "$0")/lib.sh"
make_pki
leaf dave dave@example.com rsa
a_message msg.eml
A=(--cert pki/alice.crt --key pki/alice.key)
B=(--cert pki/bob.crt --key pki/bob.key)
DERLIB="$CACHET_SRC/tests/attacks"

ok() { echo "limits: $1: ok"; }

# past NAME: the last expect_exit was a limit refusal naming NAME and its option.
past() {
    expect_stderr "the message exceeds the limit '$1'"
    expect_stderr "--limit $1=N"
}

# gen KIND N: a message built for the MIME limits (LF line ends).
#   depth N:  nested multiparts whose deepest part is at depth N (top = 0)
#   parts N:  N entities in all (a multipart with N-1 text parts)
#   header N: a Subject field of N bytes, its LF included
gen() {
    python3 - "$1" "$2" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
head = "From: Alice <alice@example.com>\nTo: bob@example.com\nMIME-Version: 1.0\n"
def nest(k, i=0):
    if k == 0:
        return "Content-Type: text/plain\n\nleaf\n"
    b = "bnd%03dx" % i
    return "Content-Type: multipart/mixed; boundary=%s\n\n--%s\n%s--%s--\n" % (b, b, nest(k - 1, i + 1), b)
if kind == "depth":
    out = head + "Subject: t\n" + nest(n)
elif kind == "parts":
    body = "".join("--B\nContent-Type: text/plain\n\np%d\n" % i for i in range(n - 1))
    out = head + "Subject: t\nContent-Type: multipart/mixed; boundary=B\n\n" + body + "--B--\n"
else:
    out = head + "Subject: " + "x" * (n - len("Subject: ") - 1) + "\nContent-Type: text/plain\n\nhello\n"
sys.stdout.write(out)
PY
}

# derinfo WHAT FILE: facts of a DER CMS computed independently of cachet.
#   depth:        BER nesting depth, the root counted as 1
#   attrs:        the largest signedAttrs / unsignedAttrs contents of any SignerInfo
#                 (countersignatures included), and which one ("N signed|unsigned")
#   skeleton:     the DER with the eContent OCTET STRING emptied (what is kept)
#   compressed:   the bytes of the compressed eContent (the OCTET STRING segments)
derinfo() {
    python3 - "$DERLIB" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import derlib
what, t = sys.argv[2], derlib.parse(open(sys.argv[3], "rb").read())
def depth(n):
    return 1 + max((depth(k) for k in n.kids), default=0) if n.cons else 1
def content_len(n):
    return sum(len(derlib.ser(k)) for k in n.kids)
def signer_infos(sis):
    for si in sis.kids:
        yield si
        ua = si.find(0xA1)
        for a in (ua.kids if ua is not None else []):
            for v in a.kids[1].kids:
                if v.cons and v.tag[0] == 0x30:
                    yield from signer_infos(derlib.Node(0x31, kids=[v]))
sd = t.find(0xA0).kids[0]
if what == "depth":
    print(depth(t))
elif what == "attrs":
    best = (0, "")
    for si in signer_infos(sd.kids[-1]):
        for tag, name in ((0xA0, "signed"), (0xA1, "unsigned")):
            a = si.find(tag)
            if a is not None and content_len(a) > best[0]:
                best = (content_len(a), name)
    print(best[0], best[1])
elif what == "skeleton":
    ec = sd.kids[2].find(0xA0)
    ec.kids[0] = derlib.Node(ec.kids[0].tag, b"")
    print(len(derlib.ser(t)))
elif what == "compressed":
    s = sd.kids[2].find(0xA0).kids[0]
    print(sum(len(k.val) for k in s.kids) if s.cons else len(s.val))
PY
}

# ---- usage errors: exit 2, the valid names or the accepted range ----
expect_exit 2 "$CACHET" verify --limit bogus=1 --in msg.eml
expect_stderr "--limit takes NAME=VALUE with NAME one of: layers, mime-depth, header-bytes, parts, skeleton, signers, recipients, certificates, decompressed, ratio, pbkdf2-iterations, ber-depth, attribute-bytes, ccm-content, hold-in-memory"
expect_stderr "usage: cachet verify"
expect_exit 2 "$CACHET" verify --limit max_layers=3 --in msg.eml
expect_stderr "NAME one of: layers,"
expect_exit 2 "$CACHET" inspect --limit layers=0 --in msg.eml
expect_stderr "--limit layers takes a number from 1 to 64"
expect_exit 2 "$CACHET" inspect --limit layers=65 --in msg.eml
expect_stderr "--limit layers takes a number from 1 to 64"
expect_exit 2 "$CACHET" inspect --limit layers --in msg.eml
expect_stderr "--limit layers needs a value: --limit layers=N"
expect_exit 2 "$CACHET" inspect --limit parts=5K --in msg.eml
expect_stderr "--limit parts takes a number from 1 to 1000000"
expect_exit 2 "$CACHET" inspect --limit parts=-5 --in msg.eml
expect_exit 2 "$CACHET" inspect --limit parts= --in msg.eml
expect_exit 2 "$CACHET" inspect --limit header-bytes=0K --in msg.eml
expect_stderr "--limit header-bytes takes a size in bytes from 1 to 16777216 (an optional K, M or G suffix, e.g. 64K)"
expect_exit 2 "$CACHET" inspect --limit header-bytes=64X --in msg.eml
expect_exit 2 "$CACHET" inspect --limit decompressed=99999999999999999999999 --in msg.eml
expect_exit 2 "$CACHET" inspect --limit parts=5 --limit parts=6 --in msg.eml
expect_stderr "--limit parts given twice"
expect_exit 2 "$CACHET" inspect --limit --in msg.eml
# the commands that read messages take it (also those that generate one from a
# message read: sign and encrypt parse its header), the others do not
expect_exit 2 "$CACHET" certs list --limit layers=3
expect_stderr "option --limit does not apply to 'certs list'"
for cmd in verify decrypt inspect decompress receipt countersign sign encrypt compress digest; do
    "$CACHET" "$cmd" --help | grep -F -- "[--limit NAME=N]..." >/dev/null || fail "$cmd --help lacks --limit"
done
# suffixes are binary multiples, and several limits go together
expect_exit 0 "$CACHET" inspect --limit header-bytes=64k --limit hold-in-memory=1M \
    --limit decompressed=1G --limit parts=10 --in msg.eml
ok usage

# ---- layers (default 8) ----
cp msg.eml l0.eml
for i in 1 2 3 4 5 6 7 8 9; do
    "$CACHET" sign "${A[@]}" --opaque --in "l$((i - 1)).eml" --out "l$i.eml"
done
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in l8.eml --out out.eml
expect_exit 3 "$CACHET" verify --trust pki/ca.crt --in l9.eml --out out9.eml
expect_stderr "more than 8 nested S/MIME layers"
past layers
expect_no_file out9.eml
ok layers-default
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --limit layers=3 --in l3.eml --out /dev/null
expect_exit 3 "$CACHET" verify --trust pki/ca.crt --limit layers=3 --in l4.eml --out /dev/null
expect_stderr "more than 3 nested S/MIME layers"
past layers
expect_exit 0 "$CACHET" inspect --limit layers=3 --in l3.eml
expect_exit 3 "$CACHET" inspect --limit layers=3 --in l4.eml
past layers
# raising it lets the 9 layers through
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --limit layers=9 --in l9.eml --out /dev/null
ok layers-lowered

# ---- mime-depth (default 32) ----
gen depth 32 >d32.eml
gen depth 33 >d33.eml
expect_exit 0 "$CACHET" inspect --in d32.eml
expect_exit 3 "$CACHET" inspect --in d33.eml
expect_stderr "MIME nesting deeper than 32"
past mime-depth
ok mime-depth-default
gen depth 5 >d5.eml
gen depth 6 >d6.eml
expect_exit 0 "$CACHET" inspect --limit mime-depth=5 --in d5.eml
expect_exit 3 "$CACHET" inspect --limit mime-depth=5 --in d6.eml
expect_stderr "MIME nesting deeper than 5"
past mime-depth
expect_exit 3 "$CACHET" verify --limit mime-depth=5 --in d6.eml --out /dev/null
past mime-depth
ok mime-depth-lowered

# ---- header-bytes (default 64 KiB: one field, its line end included) ----
gen header 65536 >h64k.eml
gen header 65537 >h64k1.eml
expect_exit 0 "$CACHET" inspect --in h64k.eml
expect_exit 3 "$CACHET" inspect --in h64k1.eml
expect_stderr "header field longer than 65536"
past header-bytes
ok header-bytes-default
gen header 100 >h100.eml
gen header 101 >h101.eml
expect_exit 0 "$CACHET" inspect --limit header-bytes=100 --in h100.eml
expect_exit 3 "$CACHET" inspect --limit header-bytes=100 --in h101.eml
expect_stderr "header field longer than 100"
past header-bytes
# CRLF counts too: the same field with CRLF is one byte longer
sed 's/$/\r/' h100.eml >h100crlf.eml
expect_exit 3 "$CACHET" inspect --limit header-bytes=100 --in h100crlf.eml
past header-bytes
# a field longer than the default passes once the limit is raised
gen header 70000 >h70k.eml
expect_exit 0 "$CACHET" inspect --limit header-bytes=70000 --in h70k.eml
# sign reads the header it protects under the same limit
expect_exit 3 "$CACHET" sign "${A[@]}" --in h70k.eml --out s70k.eml
expect_stderr "a header field is longer than 65536 bytes"
past header-bytes
expect_no_file s70k.eml
expect_exit 0 "$CACHET" sign "${A[@]}" --limit header-bytes=80000 --in h70k.eml --out s70k.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --limit header-bytes=80000 --in s70k.eml --out /dev/null
ok header-bytes-lowered

# ---- parts (default 10000 entities, the top level included) ----
gen parts 10000 >p10000.eml
gen parts 10001 >p10001.eml
expect_exit 0 "$CACHET" inspect --in p10000.eml
expect_exit 3 "$CACHET" inspect --in p10001.eml
expect_stderr "more than 10000 MIME parts"
past parts
ok parts-default
gen parts 5 >p5.eml
gen parts 6 >p6.eml
expect_exit 0 "$CACHET" inspect --limit parts=5 --in p5.eml
expect_exit 3 "$CACHET" inspect --limit parts=5 --in p6.eml
expect_stderr "more than 5 MIME parts"
past parts
ok parts-lowered

# ---- signers (lowered: 2) ----
"$CACHET" sign "${A[@]}" "${B[@]}" --in msg.eml --out s2.eml
"$CACHET" sign "${A[@]}" "${B[@]}" --cert pki/carol.crt --key pki/carol.key --in msg.eml --out s3.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --no-address-check --limit signers=2 --in s2.eml --out /dev/null
expect_exit 3 "$CACHET" verify --trust pki/ca.crt --no-address-check --limit signers=2 --in s3.eml --out /dev/null
expect_stderr "more than 2 signers"
past signers
expect_exit 3 "$CACHET" inspect --limit signers=2 --in s3.eml
past signers
ok signers-lowered

# ---- recipients (lowered: 3) ----
export LIMITS_PW=correct-horse
"$CACHET" encrypt --to pki/bob.crt --to pki/alice.crt --to pki/carol.crt --in msg.eml --out r3.eml
"$CACHET" encrypt --to pki/bob.crt --to pki/alice.crt --to pki/carol.crt --password-env LIMITS_PW \
    --in msg.eml --out r4.eml
expect_exit 0 "$CACHET" decrypt "${B[@]}" --limit recipients=3 --in r3.eml --out /dev/null
expect_exit 3 "$CACHET" decrypt "${B[@]}" --limit recipients=3 --in r4.eml --out r4.out
expect_stderr "more than 3 recipients"
past recipients
expect_no_file r4.out
ok recipients-lowered

# ---- certificates (lowered: 4; the signer's and three --chain) ----
"$CACHET" sign "${A[@]}" --chain pki/ca.crt --chain pki/bob.crt --chain pki/carol.crt \
    --in msg.eml --out c4.eml
"$CACHET" sign "${A[@]}" --chain pki/ca.crt --chain pki/bob.crt --chain pki/carol.crt \
    --chain pki/dave.crt --in msg.eml --out c5.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --limit certificates=4 --in c4.eml --out /dev/null
expect_exit 3 "$CACHET" verify --trust pki/ca.crt --limit certificates=4 --in c5.eml --out /dev/null
expect_stderr "more than 4 certificates"
past certificates
ok certificates-lowered

# ---- pbkdf2-iterations (lowered: 1000) ----
"$CACHET" encrypt --password-env LIMITS_PW --pbkdf2-iterations 1000 --in msg.eml --out pw1000.eml
"$CACHET" encrypt --password-env LIMITS_PW --pbkdf2-iterations 1001 --in msg.eml --out pw1001.eml
expect_exit 0 "$CACHET" decrypt --password-env LIMITS_PW --limit pbkdf2-iterations=1000 \
    --in pw1000.eml --out pw.out
grep -q "the figures are attached" pw.out || fail "pbkdf2 at the limit: content"
expect_exit 3 "$CACHET" decrypt --password-env LIMITS_PW --limit pbkdf2-iterations=1000 \
    --in pw1001.eml --out pw1001.out
expect_stderr "PBKDF2 iterationCount above the limit of 1000"
past pbkdf2-iterations
expect_no_file pw1001.out
ok pbkdf2-iterations-lowered

# ---- decompressed (lowered: 1K; --raw content is the file's bytes) ----
head -c 1024 /dev/zero | tr '\0' a >c1024.txt
head -c 1025 /dev/zero | tr '\0' a >c1025.txt
"$CACHET" compress --raw --in c1024.txt --out c1024.der
"$CACHET" compress --raw --in c1025.txt --out c1025.der
expect_exit 0 "$CACHET" decompress --raw --limit decompressed=1K --in c1024.der --out c1024.out
cmp c1024.txt c1024.out || fail "decompressed at the limit: content"
expect_exit 3 "$CACHET" decompress --raw --limit decompressed=1K --in c1025.der --out c1025.out
expect_stderr "decompressed size exceeds 1024 bytes"
past decompressed
expect_no_file c1025.out
ok decompressed-lowered

# ---- ratio (checked beyond 1 MiB of output; out <= ratio * in passes) ----
# 2 MiB, mostly zeros with a byte every 997: a ratio of about 200:1.
python3 -c "
import random, sys
random.seed(8)
d = bytearray(2 * 1024 * 1024)
for i in range(0, len(d), 997):
    d[i] = random.randrange(256)
sys.stdout.buffer.write(bytes(d))" >ratio.bin
"$CACHET" compress --raw --in ratio.bin --out ratio.der
n=$(stat -c %s ratio.bin)
c=$(derinfo compressed ratio.der)
at=$(((n + c - 1) / c)) # the smallest ratio limit that n/c does not exceed
[ "$at" -gt 100 ] && [ "$at" -lt 1000 ] || fail "ratio test data: $n/$c"
expect_exit 0 "$CACHET" decompress --raw --limit "ratio=$at" --in ratio.der --out ratio.out
cmp ratio.bin ratio.out || fail "ratio at the limit: content"
expect_exit 3 "$CACHET" decompress --raw --limit "ratio=$((at - 1))" --in ratio.der --out ratio2.out
expect_stderr "compression ratio exceeds $((at - 1)):1"
past ratio
expect_exit 0 "$CACHET" decompress --raw --in ratio.der --out /dev/null
ok ratio-lowered
# the default (1000): 4 MiB of zeros compress better than 1000:1
head -c 4194304 /dev/zero >zeros.bin
"$CACHET" compress --raw --in zeros.bin --out zeros.der
expect_exit 3 "$CACHET" decompress --raw --in zeros.der --out /dev/null
expect_stderr "compression ratio exceeds 1000:1"
past ratio
ok ratio-default

# ---- ber-depth (default 64; lowered to the depth of a signed message) ----
"$CACHET" sign "${A[@]}" --raw --opaque --in msg.eml --out s.der
d=$(derinfo depth s.der)
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --limit "ber-depth=$d" --in s.der --out /dev/null
expect_exit 3 "$CACHET" verify --raw --trust pki/ca.crt --limit "ber-depth=$((d - 1))" --in s.der --out /dev/null
expect_stderr "nesting deeper than $((d - 1))"
past ber-depth
expect_exit 3 "$CACHET" inspect --raw --limit "ber-depth=$((d - 1))" --in s.der
past ber-depth
# the default, 64: a SignedData whose digestAlgorithms nest SEQUENCEs to a
# depth of 64 in all is read to the end (and refused as malformed, not as a
# limit); at 65 the reader stops with the limit
deep() {
    python3 - "$1" <<'PY'
import sys
total = int(sys.argv[1])
inner = b"\x30\x80\x00\x00"
for _ in range(total - 5):
    inner = b"\x30\x80" + inner + b"\x00\x00"
sd = b"\x30\x80\x02\x01\x01\x31\x80" + inner + b"\x00\x00\x00\x00"
oid = bytes.fromhex("06092a864886f70d010702")
sys.stdout.buffer.write(b"\x30\x80" + oid + b"\xa0\x80" + sd + b"\x00\x00\x00\x00")
PY
}
deep 64 >deep64.der
deep 65 >deep65.der
[ "$(derinfo depth deep64.der)" = 64 ] || fail "deep64 is not 64 deep"
expect_exit 3 "$CACHET" verify --raw --in deep64.der --out /dev/null
grep -qF "exceeds the limit" err.txt && fail "depth 64 hit the limit"
expect_exit 3 "$CACHET" verify --raw --in deep65.der --out /dev/null
expect_stderr "nesting deeper than 64"
past ber-depth
ok ber-depth

# ---- attribute-bytes (lowered to the signedAttrs of a signed message) ----
read -r sa kind < <(derinfo attrs s.der)
[ "$kind" = signed ] || fail "attribute test data: $kind"
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --limit "attribute-bytes=$sa" --in s.der --out /dev/null
expect_exit 3 "$CACHET" verify --raw --trust pki/ca.crt --limit "attribute-bytes=$((sa - 1))" --in s.der --out /dev/null
expect_stderr "signedAttrs of $sa bytes exceeds the limit of $((sa - 1)) attribute bytes"
past attribute-bytes
# unsignedAttrs: a countersignature makes them the largest set
"$CACHET" countersign --cert pki/bob.crt --key pki/bob.key --raw --in s.der --out cs.der
read -r ua kind < <(derinfo attrs cs.der)
[ "$kind" = unsigned ] || fail "countersigned test data: $kind"
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --limit "attribute-bytes=$ua" --in cs.der --out /dev/null
expect_exit 3 "$CACHET" verify --raw --trust pki/ca.crt --limit "attribute-bytes=$((ua - 1))" --in cs.der --out /dev/null
expect_stderr "unsignedAttrs of $ua bytes exceeds the limit of $((ua - 1)) attribute bytes"
past attribute-bytes
ok attribute-bytes

# ---- skeleton (lowered to what a signed message keeps) ----
k=$(derinfo skeleton s.der)
expect_exit 0 "$CACHET" verify --raw --trust pki/ca.crt --limit "skeleton=$k" --in s.der --out /dev/null
expect_exit 3 "$CACHET" verify --raw --trust pki/ca.crt --limit "skeleton=$((k - 1))" --in s.der --out /dev/null
expect_stderr "DER skeleton exceeds $((k - 1)) bytes"
past skeleton
ok skeleton

# ---- ccm-content (lowered: 1K of --raw content) ----
"$CACHET" encrypt --raw --cipher aes-256-ccm --to pki/bob.crt --in c1024.txt --out ccm1024.der
"$CACHET" encrypt --raw --cipher aes-256-ccm --to pki/bob.crt --in c1025.txt --out ccm1025.der
expect_exit 0 "$CACHET" decrypt --raw "${B[@]}" --limit ccm-content=1K --in ccm1024.der --out ccm.out
cmp c1024.txt ccm.out || fail "ccm at the limit: content"
expect_exit 3 "$CACHET" decrypt --raw "${B[@]}" --limit ccm-content=1K --in ccm1025.der --out ccm2.out
expect_stderr "AES-CCM content larger than 1024 bytes"
past ccm-content
expect_no_file ccm2.out
ok ccm-content

# ---- hold-in-memory: not a refusal (held output spills to a file beyond it) ----
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --limit hold-in-memory=1 --in l8.eml --out held.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in l8.eml --out unheld.eml
cmp held.eml unheld.eml || fail "hold-in-memory changed the output"
ok hold-in-memory

# ---- JSON reports carry the limit's message too ----
expect_exit 3 "$CACHET" verify --json --limit layers=3 --trust pki/ca.crt --in l4.eml --out /dev/null
json_check out.txt 'r["status"] != "valid"'
grep -qF "more than 3 nested S/MIME layers" out.txt || fail "JSON lacks the limit message"
ok json

echo "limits: ok"
