#!/usr/bin/env bash
# P1 attacks on the MIME structure of signed mail (ATTACKS.md MW-02, MW-03, MW-04, PA-17):
# multipart/signed anomalies, parser differentials, changes to the signed entity and the
# transfer-encoding layers. Each input is a genuine message made with our own keys
# (tests/pki/mkpki.sh) and changed in exactly one thing by tests/attacks/mimemut.py, or an
# entity signed as it is (openssl cms -sign -binary) so that only cachet's rule can refuse it.
# Every case asserts the exact exit status, the reason on stderr, no output (file or stdout)
# on failure and, on success, that the delivered entity is the signed one.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
F=$W/fail.out
MM="$PY -B $CACHET_SRC/tests/attacks/mimemut.py"

# A message from alice, signed by cachet (multipart/signed, CRLF).
write_message $W/msg.txt alice@example.com "Pay Mallory 100 EUR. -- Alice"
"$CACHET" sign --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in $W/msg.txt --out $W/s.eml
SM=$W/s.eml
# the signed entity (part 1), as the output must end with it
$PY - "$SM" $W/entity.txt <<'PY'
import sys
sys.path.insert(0, __import__("os").environ["CACHET_SRC"] + "/tests/attacks")
import mimemut
open(sys.argv[2], "wb").write(mimemut.Msg(open(sys.argv[1], "rb").read()).parts[0])
PY

# ends_with FILE TAIL: FILE's last bytes are TAIL's bytes.
ends_with() { cmp -s <(tail -c "$(stat -c %s "$2")" "$1") "$2"; }

# mcase NAME RC REASON FILE [PATH=VALUE...]: verify FILE (S/MIME, --json). RC 0: the
# report fields hold and the output ends with the signed entity ($EXPECT, default the
# entity of $SM), none of $NOT_IN_OUT in it; otherwise no output anywhere and REASON on stderr.
mcase() {
    local name=$1 rc=$2 reason=$3 file=$4
    shift 4
    rm -f "$F"
    cx verify $T --json --in "$file" --out "$F"
    begin_case
    rc_problem "$rc"
    if [ "$rc" = 0 ]; then
        [ -e "$F" ] || problem "expected an output file"
        [ -e "$F" ] && ! ends_with "$F" "${EXPECT:-$W/entity.txt}" && problem "expected the output to end with the signed entity"
        if [ -n "${NOT_IN_OUT:-}" ] && grep -q -F -- "$NOT_IN_OUT" "$F" 2>/dev/null; then
            problem "expected no '$NOT_IN_OUT' in the output"
        fi
    else
        [ ! -e "$F" ] || problem "expected no output file, got $(stat -c %s "$F") bytes"
        grep -q -F -- "$reason" "$ERR" || problem "expected '$reason' on stderr, got '$(head -c 200 "$ERR" | tr '\n' ' ')'"
    fi
    [ $# -eq 0 ] || json_problem "$OUT" "$@"
    end_case "$name" || true
}
# mvar NAME RC REASON COMMAND [ARGS...] [-- PATH=VALUE...]: mimemut COMMAND applied to $SM.
mvar() {
    local name=$1 rc=$2 reason=$3 cmd=$4
    shift 4
    local args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    $MM "$cmd" "${SRC:-$SM}" $W/v.eml "${args[@]}"
    mcase "$name" "$rc" "$reason" $W/v.eml "$@"
}
# signed_entity NAME PRINTF-FORMAT: ENTITY_$NAME (the entity) and $W/NAME.eml, a
# multipart/signed message whose part 1 is exactly that entity, signed by alice over
# those bytes (openssl -binary): the signature is valid, only cachet's rules can refuse.
signed_entity() {
    local n=$1
    # shellcheck disable=SC2059 # the format is the point
    printf "$2" >$W/ent-$n.txt
    openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 \
        -binary -outform DER -in $W/ent-$n.txt -out $W/ent-$n.p7s
    multipart_signed $W/ent-$n.txt $W/ent-$n.p7s $W/$n.eml
}
NOT2='multipart/signed needs exactly two parts'
MORE='multipart/signed has more than two parts'
SECOND='the second part of multipart/signed is'
UNSIGNED='message is not signed'
MD='messageDigest does not match the content'
AMBIG='ambiguous boundary'

# ---------------- controls ----------------
mcase control-mime-signed-valid 0 '' "$SM" status=valid partially_signed=false layers.0.type=signed layers.0.signers.0.signature=valid
$MM none "$SM" $W/same.eml
if cmp -s "$SM" $W/same.eml; then ok control-mimemut-round-trip-is-identity; else fail control-mimemut-round-trip-is-identity "expected mimemut to rebuild the message byte for byte"; fi
signed_entity ctl 'Content-Type: text/plain\r\n\r\nhello\r\n'
EXPECT=$W/ent-ctl.txt mcase control-openssl-binary-entity-valid 0 '' $W/ctl.eml status=valid

# ---------------- MW-02 multipart/signed structure (RFC 1847 §2.1, RFC 8551 §3.5.3) ----------------
mvar mw02-one-part-refused 3 "$NOT2" one-part
mvar mw02-signature-part-only-refused 3 "$NOT2" sig-only
mvar mw02-third-part-after-signature-refused 3 "$MORE" three-parts after
mvar mw02-third-part-between-refused 3 "$SECOND text, not application/pkcs7-signature" three-parts between
mvar mw02-signature-part-first-refused 3 "$SECOND text, not application/pkcs7-signature" swap-parts
mvar mw02-second-part-octet-stream-refused 3 "$SECOND application, not application/pkcs7-signature" sig-type application/octet-stream
mvar mw02-second-part-text-plain-refused 3 "$SECOND text, not application/pkcs7-signature" sig-type text/plain
# the two names RFC 8551 §3.5.3 allows are one type to a reader: protocol and part may differ in the x-
mvar mw02-second-part-x-pkcs7-signature-valid 0 '' sig-type application/x-pkcs7-signature -- status=valid
mvar mw02-protocol-x-pkcs7-signature-valid 0 '' protocol application/x-pkcs7-signature -- status=valid
# without the S/MIME protocol the multipart/signed is not an S/MIME signature at all
mvar mw02-protocol-missing-not-signed 1 "$UNSIGNED" protocol - -- status=invalid layers=[]
mvar mw02-protocol-pgp-not-signed 1 "$UNSIGNED" protocol application/pgp-signature -- status=invalid
mvar mw02-protocol-pkcs7-mime-not-signed 1 "$UNSIGNED" protocol application/pkcs7-mime -- status=invalid
# micalg never chooses the digest (the SignerInfo's digestAlgorithm does)
mvar mw02-micalg-md5-ignored-valid 0 '' micalg md5 -- status=valid layers.0.signers.0.digest=sha256
mvar mw02-micalg-sha-1-ignored-valid 0 '' micalg sha-1 -- status=valid layers.0.signers.0.digest=sha256
mvar mw02-micalg-absent-valid 0 '' micalg - -- status=valid layers.0.signers.0.digest=sha256
# preamble and epilogue are outside the signature: never delivered
NOT_IN_OUT='PREAMBLE-EPILOGUE' mvar mw02-preamble-epilogue-html-not-delivered 0 '' preamble-epilogue -- status=valid
NOT_IN_OUT='verified by your bank' mvar mw02-preamble-html-not-delivered 0 '' preamble-epilogue -- status=valid
# the signature part's base64 is decoded strictly; what it holds must be one DER object
mvar mw02-signature-base64-junk-refused 3 'invalid base64 body' sig-b64 junk
mvar mw02-signature-base64-equals-in-middle-refused 3 'invalid base64 body' sig-b64 midpad
mvar mw02-signature-base64-padding-missing-refused 3 'base64 body ends mid-sequence' sig-b64 nopad
mvar mw02-signature-base64-8bit-bytes-refused 3 'invalid base64 body' sig-b64 chars
mvar mw02-signature-der-trailing-data-refused 3 'trailing data after the element' sig-b64 trailing
mvar mw02-signature-base64-one-line-valid 0 '' sig-b64 oneline -- status=valid
mvar mw02-signature-base64-trailing-blanks-valid 0 '' sig-b64 spaces -- status=valid

# ---------------- MW-03 parser differentials ----------------
# the top-level multipart/signed
mvar mw03-duplicate-boundary-refused 3 "$AMBIG (duplicated or RFC 2231 form)" dup-boundary
mvar mw03-rfc2231-boundary-refused 3 "$AMBIG (duplicated or RFC 2231 form)" boundary-2231
mvar mw03-rfc2231-and-plain-boundary-refused 3 "$AMBIG (duplicated or RFC 2231 form)" boundary-2231-and-plain
# an encoded word is never decoded: its literal text is no delimiter here...
mvar mw03-encoded-word-boundary-not-decoded-refused 3 "$AMBIG (RFC 2047 encoded word)" boundary-encoded-word
# ...and a message valid for a literal reader, with other parts for a decoding one, is refused
mvar mw03-encoded-word-boundary-differential-refused 3 "$AMBIG (RFC 2047 encoded word)" boundary-ew-differential
mvar mw03-duplicate-content-type-before-refused 3 'more than one Content-Type' dup-content-type before
mvar mw03-duplicate-content-type-after-refused 3 'more than one Content-Type' dup-content-type after
mvar mw03-folded-content-type-valid 0 '' fold-content-type -- status=valid
mvar mw03-delimiter-in-preamble-refused 3 "$SECOND text" boundary-in-preamble
mvar mw03-transport-padding-after-delimiters-valid 0 '' boundary-padding -- status=valid
mvar mw03-missing-close-delimiter-refused 3 'multipart without close-delimiter' no-close
mvar mw03-nested-boundary-prefix-refused 3 'text after boundary delimiter' prefix-boundaries
mvar mw03-lf-only-line-ends-valid 0 '' line-ends lf -- status=valid
mvar mw03-cr-only-line-ends-not-signed 1 "$UNSIGNED" line-ends cr -- status=invalid
# bytes outside the signed entity (headers) are not delivered as signed content
mvar mw03-nul-in-outer-header-valid 0 '' nul-in-header -- status=valid
mvar mw03-8bit-outer-header-name-valid 0 '' 8bit-header-name -- status=valid
# inside the signed entity (a valid signature over exactly these bytes)
signed_entity dupct 'Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\n<b>hello</b>\r\n'
mcase mw03-signed-entity-two-content-types-refused 3 'more than one Content-Type' $W/dupct.eml
signed_entity dupcte 'Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n'
mcase mw03-signed-entity-two-transfer-encodings-refused 3 'more than one Content-Type or Content-Transfer-Encoding' $W/dupcte.eml
signed_entity dupb 'Content-Type: multipart/mixed; boundary=a; boundary=b\r\n\r\n--a\r\n\r\nA\r\n--b\r\n\r\nB\r\n--b--\r\n--a--\r\n'
mcase mw03-signed-entity-duplicate-boundary-refused 3 "$AMBIG" $W/dupb.eml
signed_entity b2231 'Content-Type: multipart/mixed; boundary=ab; boundary*0=a; boundary*1=c\r\n\r\n--ab\r\n\r\nA\r\n--ab--\r\n'
mcase mw03-signed-entity-rfc2231-boundary-refused 3 "$AMBIG" $W/b2231.eml
signed_entity bew 'Content-Type: multipart/mixed; boundary="=?us-ascii?Q?zz?="\r\n\r\n--zz\r\n\r\nHIDDEN\r\n--zz--\r\n--=?us-ascii?Q?zz?=\r\n\r\nA\r\n--=?us-ascii?Q?zz?=--\r\n'
mcase mw03-signed-entity-encoded-word-boundary-refused 3 "$AMBIG (RFC 2047 encoded word)" $W/bew.eml
# every byte of the entity is signed and delivered as received: nested boundaries that are
# prefixes of each other, NUL or 8-bit header bytes change nothing a reader could be shown
signed_entity pfx 'Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\nContent-Type: multipart/mixed; boundary=abc\r\n\r\n--abc\r\n\r\nA\r\n--abc--\r\n--ab--\r\n'
EXPECT=$W/ent-pfx.txt mcase mw03-signed-entity-prefix-boundaries-delivered-as-signed 0 '' $W/pfx.eml status=valid
signed_entity nul 'Content-Type: text/pl\0ain\r\n\r\nhello\r\n'
EXPECT=$W/ent-nul.txt mcase mw03-signed-entity-nul-in-header-delivered-as-signed 0 '' $W/nul.eml status=valid

# ---------------- MW-04 changes to the signed entity ----------------
# line ends are canonicalised (RFC 8551 §3.1.1) before hashing, both ways round
mvar mw04-crlf-signed-delivered-lf-valid 0 '' line-ends lf -- status=valid
mvar mw04-one-line-end-changed-to-lf-valid 0 '' part1 lf-in-body -- status=valid
printf 'Content-Type: text/plain\n\nhello\nworld\n' >$W/lfent.txt
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary \
    -outform DER -in $W/lfent.txt -out $W/lfent.p7s
multipart_signed $W/lfent.txt $W/lfent.p7s $W/lfsig.eml
mcase mw04-signature-over-non-canonical-lf-bytes-invalid 1 "$MD" $W/lfsig.eml status=invalid layers.0.signers.0.signature=invalid
mvar mw04-trailing-space-added-invalid 1 "$MD" part1 trailing-space -- status=invalid layers.0.signers.0.signature=invalid
mvar mw04-trailing-space-at-end-invalid 1 "$MD" part1 trailing-space-end
mvar mw04-header-name-case-changed-invalid 1 "$MD" part1 header-case
mvar mw04-charset-rewritten-invalid 1 "$MD" part1 charset
mvar mw04-header-added-inside-entity-invalid 1 "$MD" part1 add-header
mvar mw04-footer-appended-invalid 1 "$MD" part1 footer
# an MTA re-encoding the signed part (quoted-printable -> 8bit)
printf 'From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n' >$W/m8.txt
"$CACHET" sign --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in $W/m8.txt --out $W/s8.eml
if grep -q 'quoted-printable' $W/s8.eml; then
    SRC=$W/s8.eml mvar mw04-quoted-printable-reencoded-to-8bit-invalid 1 "$MD" part1 qp-to-8bit
else
    fail mw04-quoted-printable-reencoded-to-8bit-invalid "expected cachet sign to send 8-bit text quoted-printable"
fi
# headers outside the entity are not signed (MW-05): a changed Subject leaves it valid
mvar mw04-outer-subject-changed-still-valid 0 '' outer-header "URGENT: new bank details" -- status=valid

# ---------------- PA-17 encoding layers ----------------
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary \
    -nodetach -outform PEM -in $W/ent-ctl.txt -out $W/s.pem
sed 's/$/\r/' $W/s.pem >$W/s-crlf.pem
raw_ok() { # raw_ok NAME FILE: verify --raw valid, output = the entity
    cx verify --raw $T --in "$2" --out $W/raw.out
    rc_is "$1" 0 && same_bytes "$1" $W/ent-ctl.txt $W/raw.out
}
raw_ok control-pa17-pem-lf-valid $W/s.pem
raw_ok pa17-pem-crlf-valid $W/s-crlf.pem
printf -- '-----BEGIN CMS-----\n-----END CMS-----\n' >$W/empty.pem
refused pa17-pem-empty-body-refused 3 $F verify --raw $T --in $W/empty.pem --out $F
contains pa17-pem-empty-body-says-empty "$ERR" 'empty CMS object'
printf -- '-----BEGIN PKCS7-----\r\n\r\n-----END PKCS7-----\r\n' >$W/empty2.pem
refused pa17-pem-pkcs7-blank-line-body-refused 3 $F verify --raw $T --in $W/empty2.pem --out $F
pem_edit() { # pem_edit OUT PYEXPR: line 3 of the PEM body edited (s = the line)
    $PY -c 'import sys; l=open(sys.argv[1],"rb").read().split(b"\n"); s=l[3]; l[3]=eval(sys.argv[3]); open(sys.argv[2],"wb").write(b"\n".join(l))' $W/s.pem "$1" "$2"
}
pem_edit $W/mid.pem 's[:10]+b"="+s[11:]'
refused pa17-pem-equals-in-middle-refused 3 $F verify --raw $T --in $W/mid.pem --out $F
contains pa17-pem-equals-in-middle-says-where "$ERR" "misplaced '=' in PEM base64 (at PEM, byte"
pem_edit $W/junk.pem 's[:10]+b"*"+s[11:]'
refused pa17-pem-non-alphabet-refused 3 $F verify --raw $T --in $W/junk.pem --out $F
contains pa17-pem-non-alphabet-says-where "$ERR" 'invalid character in PEM base64 (at PEM, byte'
pem_edit $W/u8.pem 's[:10]+b"\xc3\xa9"+s[11:]'
refused pa17-pem-utf8-byte-refused 3 $F verify --raw $T --in $W/u8.pem --out $F
# one line of about 1 MB: PEM and an S/MIME base64 body
head -c 786432 /dev/urandom | base64 -w 76 | sed 's/$/\r/' >$W/big.b64
{
    printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    cat $W/big.b64
} >$W/bigent.txt
openssl cms -sign -signer "$P/alice.crt" -inkey "$P/alice.key" -certfile "$P/inter.crt" -md sha256 -binary \
    -nodetach -outform DER -in $W/bigent.txt -out $W/big.der
{
    echo '-----BEGIN CMS-----'
    base64 -w0 $W/big.der
    printf '\n-----END CMS-----\n'
} >$W/big1.pem
cx verify --raw $T --in $W/big1.pem --out $W/raw.out
rc_is pa17-pem-one-1mb-line-valid 0 && same_bytes pa17-pem-one-1mb-line-valid $W/bigent.txt $W/raw.out
{
    printf 'From: alice@example.com\r\nMIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data\r\n'
    printf 'Content-Transfer-Encoding: base64\r\n\r\n'
    base64 -w0 $W/big.der
    printf '\r\n'
} >$W/big1.eml
EXPECT=$W/bigent.txt mcase pa17-smime-base64-one-1mb-line-valid 0 '' $W/big1.eml status=valid
# the opaque body's base64 is decoded strictly
$PY -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.index(b"\r\n\r\n")+500; open(sys.argv[2],"wb").write(d[:i]+b"=="+d[i:])' $W/big1.eml $W/bigmid.eml
mcase pa17-smime-base64-equals-in-middle-refused 3 'invalid base64 body' $W/bigmid.eml
# the signed entity is passed on as received: its own transfer encoding is not decoded
# (doc/security.md, tests/cli/passthrough.sh), so an invalid escape is the signer's
# bytes, delivered unchanged, never a partial or repaired decoding
signed_entity qp 'Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nabc=ZZ=4 x=\r\n'
EXPECT=$W/ent-qp.txt mcase pa17-qp-invalid-escape-in-signed-part-delivered-unchanged 0 '' $W/qp.eml status=valid
signed_entity b64 'Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGV*sbG8=\r\n'
EXPECT=$W/ent-b64.txt mcase pa17-bad-base64-in-signed-part-delivered-unchanged 0 '' $W/b64.eml status=valid

finish
