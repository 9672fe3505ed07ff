#!/usr/bin/env bash
# P1 identity-binding attacks (ATTACKS.md ID-02, ID-04, ID-05 rest, CE-02, EF-12): which
# address a signature binds to, how the From header is read, which addresses a certificate
# carries, and what the report says about the layers of an encrypted message. Messages are
# signed with our own keys (tests/pki/mkpki.sh); certificates with unusual addresses are
# issued by the test intermediate so the chain is trusted and only the address is at stake.
# "bob" plays Eve: a genuine, trusted signer who is not the person named in From.
set -euo pipefail
. "$(dirname "$0")/../interop/lib.sh"
make_pki
P=$PKI
T="--trust $P/ca.crt"
F=$W/fail.out

ENT=$W/entity.txt
write_entity "$ENT" "Please pay invoice 4711 to the new account. -- the manager"
# sig NAME CERT KEY: a detached signature of $ENT by CERT ($W/NAME.p7s)
sig() { openssl cms -sign -signer "$2" -inkey "$3" -certfile "$P/inter.crt" -md sha256 -binary -outform DER -in "$ENT" -out "$W/$1.p7s"; }
sig alice "$P/alice.crt" "$P/alice.key"
sig bob "$P/bob.crt" "$P/bob.key"
# msg SIGNER FROM-VALUE OUT: multipart/signed of $ENT by SIGNER with that From (raw bytes).
msg() {
    multipart_signed "$ENT" "$W/$1.p7s" "$3" placeholder@from.invalid
    $PY -c 'import os, sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1], "wb").write(d.replace(b"From: placeholder@from.invalid", b"From: " + os.fsencode(sys.argv[2]), 1))' "$3" "$2"
}

NOMATCH='does not match From'
NOFROM='the message has no single From address to match the signer against'
# idcase NAME SIGNER FROM RC [PATH=VALUE...]: verify --json; RC 1 must leave no output and
# give the reason ($REASON, default by RC); every case checks that the report is JSON and
# that the signer shown is the certificate's own address ($SHOWN, default SIGNER's; in the
# text report $SHOWN_TEXT, escaped, when it differs).
idcase() {
    local name=$1 signer=$2 from=$3 rc=$4
    shift 4
    msg "$signer" "$from" $W/id.eml
    rm -f "$F"
    cx verify $T --json --in $W/id.eml --out "$F"
    begin_case
    rc_problem "$rc"
    if [ "$rc" != 0 ]; then
        [ ! -e "$F" ] || problem "expected no output file"
        grep -q -F -- "${REASON:-$NOMATCH}" "$ERR" || problem "expected '${REASON:-$NOMATCH}' on stderr, got '$(head -c 200 "$ERR" | tr '\n' ' ')'"
    fi
    json_problem "$OUT" "layers.0.signers.0.emails.0=${SHOWN:-$signer@example.com}" layers.0.signers.0.signature=valid "$@"
    # the text report names the certificate's address, never a display name or From text
    cx verify $T --in $W/id.eml --out "$F.txt"
    local text=${SHOWN_TEXT:-${SHOWN:-$signer@example.com}}
    grep -q -F "cachet: signed by $text (" "$ERR" || problem "expected the text report to say 'signed by $text', got '$(head -c 200 "$ERR" | tr '\n' ' ')'"
    rm -f "$F.txt"
    end_case "$name" || true
}

# ---------------- controls ----------------
idcase control-id-alice-signs-as-alice alice 'Alice <alice@example.com>' 0 status=valid layers.0.signers.0.address_match=true from=alice@example.com
idcase control-id-eve-signs-as-eve bob 'Bob <bob@example.com>' 0 status=valid layers.0.signers.0.address_match=true

# ---------------- ID-02 display-name confusion ----------------
# a display name that is (or looks like) the victim's address binds nothing: the addr-spec
# decides, the report names Eve's certificate address
idcase id02-quoted-victim-address-as-display-name-shows-signer bob '"alice@example.com" <bob@example.com>' 0 \
    status=valid from=bob@example.com layers.0.signers.0.address_match=true
idcase id02-display-name-manager-shows-signer bob '"Manager" <bob@example.com>' 0 status=valid from=bob@example.com
# unquoted, the display name is not a phrase: the From does not parse, no identity
REASON=$NOFROM idcase id02-unquoted-victim-address-as-display-name-refused bob 'alice@example.com <bob@example.com>' 1 \
    status=invalid from_mismatch=true layers.0.signers.0.address_match=false
pad=$(printf '%200s' '')
REASON=$NOFROM idcase id02-victim-address-and-200-spaces-refused bob "alice@example.com$pad <bob@example.com>" 1 \
    status=invalid layers.0.signers.0.address_match=false
REASON=$NOFROM idcase id02-empty-from-refused bob '' 1 status=invalid layers.0.signers.0.address_match=false
REASON=$NOFROM idcase id02-display-name-only-from-refused bob 'Alice' 1 status=invalid layers.0.signers.0.address_match=false
idcase id02-from-nonexistent-address-refused bob 'nobody@nonexistent.invalid' 1 status=invalid layers.0.signers.0.address_match=false
# no From header at all
msg alice x@y.example $W/nofrom0.eml
sed '1d' $W/nofrom0.eml >$W/nofrom.eml
refused id02-no-from-header-refused 1 $F verify $T --in $W/nofrom.eml --out $F
contains id02-no-from-header-says-why "$ERR" "$NOFROM"

# ---------------- ID-04 address syntax and normalisation ----------------
# a comment is not an address
idcase id04-comment-with-victim-address-shows-signer bob 'bob@example.com (alice@example.com)' 0 status=valid from=bob@example.com
idcase id04-comment-address-does-not-bind alice 'bob@example.com (alice@example.com)' 1 status=invalid layers.0.signers.0.address_match=false
# a quoted local part that spells the victim's address is another mailbox
idcase id04-quoted-local-part-is-not-the-victim alice '"alice@example.com"@evil.example' 1 status=invalid 'from="alice@example.com"@evil.example'
# an obsolete route is dropped; the addr-spec after it is the mailbox
idcase id04-obsolete-route-ignored alice '<@evil.example:alice@example.com>' 0 status=valid from=alice@example.com
REASON=$NOFROM idcase id04-group-without-mailbox-refused alice 'undisclosed-recipients:;' 1 status=invalid
REASON=$NOFROM idcase id04-group-with-one-mailbox-refused alice 'Team: alice@example.com;' 1 status=invalid
# encoded words are never decoded into an address
REASON=$NOFROM idcase id04-encoded-word-victim-address-refused bob '=?utf-8?q?alice@example.com?= <bob@example.com>' 1 status=invalid
REASON=$NOFROM idcase id04-encoded-word-with-signer-address-refused alice '=?utf-8?q?alice@example.com?= <bob@example.com>' 1 status=invalid
# a trailing dot is not stripped into a match
REASON=$NOFROM idcase id04-trailing-dot-refused alice 'alice@example.com.' 1 status=invalid layers.0.signers.0.address_match=false
# the domain is compared without regard to ASCII case, the local part exactly
idcase id04-domain-case-folded alice 'alice@EXAMPLE.COM' 0 status=valid layers.0.signers.0.address_match=true
idcase id04-local-part-case-not-folded alice 'ALICE@EXAMPLE.COM' 1 status=invalid layers.0.signers.0.address_match=false
# a Cyrillic "a" (U+0430) in the domain is another domain; shown escaped
idcase id04-cyrillic-lookalike-domain-refused alice "$(printf 'alice@ex\xd0\xb0mple.com')" 1 status=invalid layers.0.signers.0.address_match=false
contains id04-cyrillic-lookalike-shown-escaped "$ERR" 'From alice@ex\xd0\xb0mple.com'
# a punycode (A-label) From is compared as ASCII: no IDNA mapping to a U-label or back
idcase id04-punycode-domain-not-mapped alice 'alice@xn--exmple-cua.com' 1 status=invalid layers.0.signers.0.address_match=false
long=$(printf 'a%.0s' $(seq 70))
idcase id04-local-part-of-70-octets-refused alice "$long@example.com" 1 status=invalid layers.0.signers.0.address_match=false
# a 20 KB From header: over the mailbox list limit, no identity, no crash
big=$(printf 'x%.0s' $(seq 20000))
REASON=$NOFROM idcase id04-20kb-from-header-refused alice "Alice <alice@example.com>, $big@example.com" 1 status=invalid

# ---------------- ID-05 (rest) / CE-02 addresses in the certificate ----------------
# leaf CERTNAME SUBJECT-DN EXTENSIONS...: a certificate for alice's key issued by the
# intermediate (chain trusted), with exactly the given extensions
serial=$((0x6000))
leaf() {
    local n=$1 subj=$2
    shift 2
    serial=$((serial + 1))
    {
        echo "keyUsage=critical,digitalSignature"
        echo "extendedKeyUsage=emailProtection"
        for e in "$@"; do echo "$e"; done
    } >$W/$n.ext
    openssl req -new -key "$P/alice.key" -subj "$subj" -out $W/$n.csr
    openssl x509 -req -in $W/$n.csr -CA "$P/inter.crt" -CAkey "$P/inter.key" -set_serial $serial -days 30 \
        -extfile $W/$n.ext -out $W/$n.crt 2>/dev/null
    sig "$n" $W/$n.crt "$P/alice.key"
}
B="/C=XX/O=Cachet Test/CN=Alice"
leaf dnonly "$B/emailAddress=alice@example.com"
SHOWN=alice@example.com idcase ce02-emailaddress-in-dn-only-binds dnonly alice@example.com 0 status=valid layers.0.signers.0.address_match=true
leaf sanonly "$B" "subjectAltName=email:alice@example.com"
SHOWN=alice@example.com idcase ce02-rfc822name-only-binds sanonly alice@example.com 0 status=valid layers.0.signers.0.address_match=true
# both, disagreeing: each is an address of the certificate (RFC 8550 §3: any of them); the
# report lists both, SAN first, so a reader sees what the CA certified
leaf disagree "$B/emailAddress=alice-dn@example.com" "subjectAltName=email:alice@example.com"
SHOWN=alice@example.com idcase ce02-disagreeing-addresses-san-matches disagree alice@example.com 0 status=valid \
    layers.0.signers.0.emails.1=alice-dn@example.com layers.0.signers.0.address_match=true
SHOWN=alice@example.com idcase ce02-disagreeing-addresses-dn-matches disagree alice-dn@example.com 0 status=valid \
    layers.0.signers.0.address_match=true
SHOWN=alice@example.com idcase ce02-disagreeing-addresses-third-refused disagree mallory@evil.example 1 status=invalid \
    layers.0.signers.0.address_match=false
leaf several "$B" "subjectAltName=email:alice@example.com,email:alice@other.example"
SHOWN=alice@example.com idcase ce02-several-rfc822names-second-binds several alice@other.example 0 status=valid \
    layers.0.signers.0.emails.1=alice@other.example layers.0.signers.0.address_match=true
# no address at all: identity unknown, never a match
leaf none "$B"
msg none alice@example.com $W/none.eml
cx verify $T --json --in $W/none.eml --out $F
rc_is ce02-no-address-in-certificate-refused 1 && jcheck ce02-no-address-in-certificate-refused "$OUT" status=invalid \
    layers.0.signers.0.signature=valid layers.0.signers.0.address_match=false layers.0.signers.0.emails=[]
contains ce02-no-address-in-certificate-says-why "$ERR" 'has no email address to match From alice@example.com'
# rfc822Name forms that are not mailboxes (a name-constraint form) bind nothing
for form in example.com @example.com; do
    leaf notaddr "$B" "subjectAltName=email:$form"
    SHOWN=$form idcase "ce02-rfc822name-$form-is-not-a-mailbox" notaddr alice@example.com 1 status=invalid layers.0.signers.0.address_match=false
done
# a look-alike address in the certificate (Cyrillic "a", bytes the CA signed) does not
# match the ASCII From, and is shown escaped
leaf lookalike "$B" "subjectAltName=email:alice@example.com"
$MUTATE cert-email $W/lookalike.crt $W/lookalike.der "$P/inter.key" 'alice@ex\xd0\xb0mple.com'
openssl x509 -inform DER -in $W/lookalike.der -out $W/lookalike.crt
sig lookalike $W/lookalike.crt "$P/alice.key"
msg lookalike alice@example.com $W/la.eml
refused ce02-lookalike-certificate-address-refused 1 $F verify $T --in $W/la.eml --out $F
contains ce02-lookalike-certificate-address-shown-escaped "$ERR" 'signed by alice@ex\xd0\xb0mple.com ('
# SmtpUTF8Mailbox (RFC 9598, RFC 8550 §3): an address of the certificate when it is
# well-formed UTF-8 with a non-ASCII local part; the local part is compared exactly (no
# case folding of non-ASCII), the domain without regard to ASCII case, with no IDNA mapping
# between U-labels and A-labels. (openssl's UTF8: reads its argument as Latin-1: \xe5 = å.)
U8=$(printf '\xc3\xa5lice@example.com')
leaf u8 "$B" "subjectAltName=otherName:1.3.6.1.5.5.7.8.9;UTF8:$(printf '\xe5lice@example.com')"
SHOWN=$U8 SHOWN_TEXT='\xc3\xa5lice@example.com' idcase id05-smtputf8mailbox-binds-its-address u8 "$U8" 0 status=valid layers.0.signers.0.address_match=true
SHOWN=$U8 SHOWN_TEXT='\xc3\xa5lice@example.com' idcase id05-smtputf8mailbox-domain-case-folded u8 "$(printf '\xc3\xa5lice@EXAMPLE.com')" 0 status=valid
SHOWN=$U8 SHOWN_TEXT='\xc3\xa5lice@example.com' idcase id05-smtputf8mailbox-non-ascii-local-part-not-folded u8 "$(printf '\xc3\x85lice@example.com')" 1 status=invalid layers.0.signers.0.address_match=false
SHOWN=$U8 SHOWN_TEXT='\xc3\xa5lice@example.com' idcase id05-smtputf8mailbox-is-not-the-ascii-lookalike u8 alice@example.com 1 status=invalid layers.0.signers.0.address_match=false
U8D=$(printf '\xc3\xa5lice@b\xc3\xbccher.example')
leaf u8d "$B" "subjectAltName=otherName:1.3.6.1.5.5.7.8.9;UTF8:$(printf '\xe5lice@b\xfccher.example')"
SHOWN=$U8D SHOWN_TEXT='\xc3\xa5lice@b\xc3\xbccher.example' idcase id05-smtputf8mailbox-u-label-domain-binds u8d "$U8D" 0 status=valid
SHOWN=$U8D SHOWN_TEXT='\xc3\xa5lice@b\xc3\xbccher.example' idcase id05-smtputf8mailbox-a-label-from-not-mapped u8d "$(printf '\xc3\xa5lice@xn--bcher-kva.example')" 1 status=invalid
# an ASCII local part belongs in an rfc822Name (RFC 8550 §4.4.3): such an SmtpUTF8Mailbox
# binds nothing
leaf u8a "$B" "subjectAltName=otherName:1.3.6.1.5.5.7.8.9;UTF8:alice@example.com"
msg u8a alice@example.com $W/u8a.eml
cx verify $T --json --in $W/u8a.eml --out $F
rc_is id05-smtputf8mailbox-ascii-local-part-binds-nothing 1 && jcheck id05-smtputf8mailbox-ascii-local-part-binds-nothing "$OUT" status=invalid \
    layers.0.signers.0.address_match=false layers.0.signers.0.emails=[]
# invalid UTF-8 and a BOM (bytes put into the certificate, which the intermediate re-signs)
u8raw() { # u8raw NAME HEX: leaf u8 with its SmtpUTF8Mailbox value := bytes HEX
    $PY - $W/u8.crt $W/$1.der "$P/inter.key" "$2" <<'PY'
import subprocess, sys
sys.path.insert(0, __import__("os").environ["CACHET_SRC"] + "/tests/attacks")
import derlib as D
root = D.parse(D.unarmor(open(sys.argv[1], "rb").read()))
tbs = root.kids[0]
for ext in tbs.find(0xA3).kids[0].kids:
    if D.oid_str(ext.kids[0]) == "2.5.29.17":
        names = D.parse(ext.kids[-1].val)
        on = [n for n in names.kids if n.tag[0] == 0xA0][0]
        on.kids[1].kids[0].val = bytes.fromhex(sys.argv[4])
        ext.kids[-1] = D.octet(D.ser(names))
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", sys.argv[3]], input=D.ser(tbs), capture_output=True, check=True).stdout
root.kids[2] = D.Node(0x03, b"\x00" + sig)
open(sys.argv[2], "wb").write(D.ser(root))
PY
    openssl x509 -inform DER -in $W/$1.der -out $W/$1.crt
    sig "$1" $W/$1.crt "$P/alice.key"
}
for c in "bom:efbbbfc3a56c696365406578616d706c652e636f6d" "bad-utf8:c36c696365406578616d706c652e636f6d" \
    "overlong:c1a56c696365406578616d706c652e636f6d" "no-at:c3a56c6963652e6578616d706c652e636f6d"; do
    u8raw "u8-${c%%:*}" "${c#*:}"
    from=$($PY -c 'import sys,os; os.write(1, bytes.fromhex(sys.argv[1]))' "${c#*:}")
    msg "u8-${c%%:*}" "$from" $W/u8x.eml
    cx verify $T --json --in $W/u8x.eml --out $F
    rc_is "id05-smtputf8mailbox-${c%%:*}-binds-nothing" 1 && jcheck "id05-smtputf8mailbox-${c%%:*}-binds-nothing" "$OUT" status=invalid \
        layers.0.signers.0.signature=valid layers.0.signers.0.address_match=false layers.0.signers.0.emails=[]
done
# beside an rfc822Name, each binds its own address
leaf u8b "$B" "subjectAltName=email:alice@example.com,otherName:1.3.6.1.5.5.7.8.9;UTF8:$(printf 'm\xe5llory@evil.example')"
SHOWN=alice@example.com idcase id05-smtputf8mailbox-beside-rfc822name-rfc822name-binds u8b alice@example.com 0 status=valid \
    "layers.0.signers.0.emails.1=$(printf 'm\xc3\xa5llory@evil.example')"

# ---------------- EF-12 signature stripping / replacement inside encryption ----------------
write_message $W/m.txt alice@example.com "Meet me at noon. -- Alice"
"$CACHET" sign --cert "$P/alice.crt" --key "$P/alice.key" --chain "$P/inter.crt" --in $W/m.txt --out $W/se-s.eml
"$CACHET" encrypt --to "$P/bob.crt" --in $W/se-s.eml --out $W/se.eml
BOB="--cert $P/bob.crt --key $P/bob.key"
cx verify $T $BOB --json --in $W/se.eml --out $W/se.out
rc_is control-ef12-signed-then-encrypted-valid 0 && jcheck control-ef12-signed-then-encrypted-valid "$OUT" status=valid \
    layers.0.type=authEnveloped layers.1.type=signed layers.1.signers.0.emails.0=alice@example.com layers.1.signers.0.address_match=true
# (a) the inner signature stripped: the attacker (who needs only bob's certificate) sends
# the same text encrypted only, From alice
"$CACHET" encrypt --to "$P/bob.crt" --in $W/m.txt --out $W/eo.eml
refused ef12-encrypted-only-is-not-signed 1 $F verify $T $BOB --in $W/eo.eml --out $F
contains ef12-encrypted-only-says-not-signed "$ERR" 'message is not signed'
cx verify $T $BOB --json --in $W/eo.eml --out $F
rc_is ef12-encrypted-only-report-lists-one-layer 1 && jcheck ef12-encrypted-only-report-lists-one-layer "$OUT" status=invalid \
    layers.0.type=authEnveloped layers.1=\<missing\> error.class="no signers"
cx decrypt $T $BOB --json --in $W/eo.eml --out $W/eo.out
rc_is ef12-decrypt-reports-encrypted-only 0 && jcheck ef12-decrypt-reports-encrypted-only "$OUT" layers.0.type=authEnveloped layers.1=\<missing\>
if grep -q 'signed by' "$ERR"; then fail ef12-decrypt-text-says-no-signature "expected no 'signed by' line, got one"; else ok ef12-decrypt-text-says-no-signature; fi
cx decrypt $T $BOB --json --in $W/se.eml --out $W/se2.out
rc_is ef12-decrypt-reports-signed-then-encrypted 0 && jcheck ef12-decrypt-reports-signed-then-encrypted "$OUT" status=valid \
    layers.0.type=authEnveloped layers.1.type=signed layers.1.signers.0.signature=valid
# (b) the inner signature replaced: Eve signs the text herself, From alice, encrypts to bob
"$CACHET" sign --cert "$P/carol.crt" --key "$P/carol.key" --chain "$P/inter.crt" --in $W/m.txt --out $W/eve-s.eml
"$CACHET" encrypt --to "$P/bob.crt" --in $W/eve-s.eml --out $W/eve.eml
cx verify $T $BOB --json --in $W/eve.eml --out $F
rc_is ef12-replaced-inner-signature-refused 1 && jcheck ef12-replaced-inner-signature-refused "$OUT" status=invalid \
    layers.0.type=authEnveloped layers.1.signers.0.emails.0=carol@example.com layers.1.signers.0.signature=valid \
    layers.1.signers.0.address_match=false
[ ! -e $F ] || { fail ef12-replaced-inner-signature-no-output "expected no output"; rm -f $F; }
# the same over CBC: also reported not authenticated (EF-01)
"$CACHET" encrypt --cipher aes-256-cbc --to "$P/bob.crt" --in $W/eve-s.eml --out $W/eve-cbc.eml
cx verify $T $BOB --json --in $W/eve-cbc.eml --out $F
rc_is ef12-replaced-inner-signature-cbc-refused 1 && jcheck ef12-replaced-inner-signature-cbc-refused "$OUT" status=invalid \
    layers.0.type=enveloped layers.0.authenticated=false layers.1.signers.0.address_match=false
# (c) encrypt-then-sign by Eve around alice's encrypted message: Eve signs ciphertext she
# cannot read; her signature is the outer one, never alice's
"$CACHET" sign --opaque --cert "$P/carol.crt" --key "$P/carol.key" --chain "$P/inter.crt" --in $W/eo.eml --out $W/ets.eml
cx verify $T $BOB --json --in $W/ets.eml --out $F
rc_is ef12-eve-signature-around-ciphertext-refused 1 && jcheck ef12-eve-signature-around-ciphertext-refused "$OUT" status=invalid \
    layers.0.type=signed layers.0.position=outer layers.0.signers.0.emails.0=carol@example.com layers.0.signers.0.address_match=false \
    layers.1.type=authEnveloped
[ ! -e $F ] || { fail ef12-eve-signature-around-ciphertext-no-output "expected no output"; rm -f $F; }

finish
