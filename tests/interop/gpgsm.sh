#!/usr/bin/env bash
# Interop with GnuPG's gpgsm (2.2 on Debian 12), both directions, on the test PKI.
#   A: gpgsm signs (opaque and detached, --digest-algo, --include-certs, two signers) or
#      encrypts (its default cipher and every --cipher-algo it offers), or both; cachet
#      verifies or decrypts the raw CMS (--raw, --content) and the same CMS wrapped by the test
#      into S/MIME messages (multipart/signed, application/pkcs7-mime): exit 0, exact report
#      fields, the content. gpgsm's exported PKCS#12 serves cachet's --p12.
#   B: cachet signs (RSA, RSA-PSS, ECDSA P-256/P-384, Ed25519; SHA-2; two signers) or
#      encrypts (AES-CBC/GCM/CCM, ChaCha20-Poly1305; RSA/OAEP/ECDH recipients), or both; gpgsm
#      --verify (a keyring holding only the root: the chain comes from the message) or
#      --decrypt must accept it and give the content back.
# gpgsm reads no MIME: the test takes cachet's S/MIME messages apart for it (mime_unwrap).
# What gpgsm 2.2 cannot do is recorded "not supported by peer"; in direction B that claim
# needs a control: gpgsm must refuse the same construction made by `openssl cms` too.
# Negative controls prove the peer's checks can fail (untrusted signer, tampered content).
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/gpgsm_nss_lib.bash"
peer_need gpgsm gpgsm gpg-agent gpgconf
. "$here/lib.sh"
make_pki
LEGACY=$(legacy_flag)

ENT=$W/entity.txt
write_entity "$ENT" "Interop with gpgsm: a text to sign and to seal."
MSG=$W/message.txt

# ---------------- two private GnuPG homes ----------------
# GH holds alice's and carol's keys (gpgsm signs and decrypts there); GV holds only the
# root, so a cachet signature must bring its own chain. No dirmngr: CRL and policy checks
# off; the root is trusted through trustlist.txt; passphrases through loopback.
GPASS=interop-pass
GH=$W/gh
GV=$W/gv
gpgsm_stop() {
    local h
    for h in "$GH" "$GV"; do
        [ -d "$h" ] && gpgconf --homedir "$h" --kill gpg-agent >/dev/null 2>&1 || true
    done
}
trap 'gpgsm_stop; rm -rf "$W"' EXIT
root_fpr=$(openssl x509 -in "$PKI/ca.crt" -noout -fingerprint -sha1 | sed 's/.*=//')
for h in "$GH" "$GV"; do
    mkdir -m 700 "$h"
    # a cheap key protection: unprotecting alice's key takes 1.5 s per signature otherwise
    printf 'allow-loopback-pinentry\ns2k-count 65536\n' >"$h/gpg-agent.conf"
    printf 'disable-crl-checks\ndisable-policy-checks\n' >"$h/gpgsm.conf"
    echo "$root_fpr S relax" >"$h/trustlist.txt"
done
gs() { # gs HOME ARGS...: gpgsm in batch mode, the passphrase on stdin
    local h=$1
    shift
    gpgsm --homedir "$h" --batch --no-tty --pinentry-mode loopback --passphrase-fd 0 "$@" <<<"$GPASS"
}
setup_fail() {
    echo "FAIL setup: $1: $(grep -v -E 'policies not checked|CRLs not checked' "$W/g.err" | head -3 | tr '\n' ' ')"
    exit 1
}
# ec_key_sexp KEY: the unprotected gpg-agent key file (canonical S-expression) of an EC key.
ec_key_sexp() {
    "$PY" - "$1" <<'PY'
import re, subprocess, sys
t = subprocess.run(["openssl", "pkey", "-in", sys.argv[1], "-text", "-noout"],
                   capture_output=True, text=True, check=True).stdout
def block(name):
    m = re.search(r"^%s:\n((?:\s+[0-9a-f:]+\n)+)" % name, t, re.M)
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
d, q = block("priv").lstrip(b"\0"), block("pub")
if d[0] & 0x80:
    d = b"\0" + d
curve = {"P-256": b"NIST P-256", "P-384": b"NIST P-384"}[re.search(r"NIST CURVE: (\S+)", t).group(1)]
a = lambda b: str(len(b)).encode() + b":" + b
sys.stdout.buffer.write(b"(" + a(b"private-key") + b"(" + a(b"ecc") + b"(" + a(b"curve") + a(curve)
                        + b")(" + a(b"q") + a(q) + b")(" + a(b"d") + a(d) + b")))")
PY
}

gs "$GH" --import "$PKI/ca.crt" "$PKI/inter.crt" "$PKI/bob.crt" "$PKI/carol.crt" "$PKI/kuenc.crt" 2>"$W/g.err" ||
    setup_fail "gpgsm --import of the certificates"
gs "$GV" --import "$PKI/ca.crt" 2>"$W/g.err" || setup_fail "gpgsm --import of the root"
# alice (RSA-2048) from a PKCS#12: PBE-SHA1-3DES, as gpgsm 2.2 reads no PBES2 (OpenSSL 3's
# default: "encryptedData error at pkcs5PBES2-params").
openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 \
    -in "$PKI/alice.crt" -inkey "$PKI/alice.key" -certfile "$PKI/inter.crt" -name alice \
    -passout "pass:$GPASS" -out "$W/alice.p12"
gs "$GH" --import "$W/alice.p12" 2>"$W/g.err" || setup_fail "gpgsm --import of alice.p12"
# carol (EC P-256): gpgsm 2.2.40 crashes importing an EC PKCS#12 (SIGSEGV after the 3DES
# bag), so her key goes into gpg-agent's store directly, named by its keygrip.
grip=$(gpgsm --homedir "$GH" --with-colons --with-keygrip -k carol@example.com 2>/dev/null |
    awk -F: '$1 == "grp" { print $10; exit }')
[ -n "$grip" ] || setup_fail "no keygrip for carol"
mkdir -p "$GH/private-keys-v1.d"
chmod 700 "$GH/private-keys-v1.d"
ec_key_sexp "$PKI/carol.key" >"$GH/private-keys-v1.d/$grip.key"
secret=$(gpgsm --homedir "$GH" --with-colons -K 2>/dev/null | grep -c '^crs' || true)
[ "$secret" = 2 ] || setup_fail "expected 2 secret keys (alice, carol) in gpgsm, got $secret"

micalg() { echo "${1/sha/sha-}"; }
hash_id() { case $1 in sha1) echo 2 ;; sha256) echo 8 ;; sha384) echo 9 ;; sha512) echo 10 ;; esac; }
peer_why() { # the peer's complaint, for the matrix: its first error line, else its first line
    local l
    l=$(grep -v -E 'policies not checked|CRLs not checked|DBG:|^gpgsm: +(encrypted to|Signature made|using)' "$1" |
        grep -v -E 'Good signature|aka "' || true)
    { grep -i -m1 -E 'error|fail|invalid|not valid' <<<"$l" || head -1 <<<"$l"; } |
        sed -e 's/^gpgsm: //' -e 's/|/\//g' | cut -c1-90 || true
}

# ---------------- A: gpgsm signs, cachet verifies ----------------
# a_sign FORM LABEL USER EMAIL ALG DIGEST [gpgsm args...]
a_sign() {
    local form=$1 label=$2 user=$3 email=$4 alg=$5 md=$6
    shift 6
    local name="A:gpgsm-signs:$form:$label:$md${1:+:$*}" f=$W/a.p7 out=$W/a.out m=$W/a.eml op=--sign
    local shown="$form${1:+ $*}${CACHET_EXTRA_TRUST:+ (intermediate as anchor)}"
    case $form in *detached) op=--detach-sign ;; esac
    rm -f "$f" "$out"
    if ! gs "$GH" -u "$user" --digest-algo "$md" "$@" "$op" -o "$f" "$ENT" 2>"$W/g.err" >/dev/null; then
        unsupported "$name" "gpgsm → cachet" "$shown" "$label" "$md" "$(peer_why "$W/g.err")"
        return 0
    fi
    begin_case
    local exp=(status=valid layers.0.type=signed layers.0.signers.0.signature=valid
        layers.0.signers.0.chain=trusted "layers.0.signers.0.digest=$md"
        "layers.0.signers.0.algorithm=$alg" layers.0.signers.0.weak=false
        layers.0.signers.0.signer_id=issuerAndSerialNumber)
    local trust=(--trust "$PKI/ca.crt")
    [ "${CACHET_EXTRA_TRUST:-}" ] && trust+=(--trust "$CACHET_EXTRA_TRUST")
    case $form in
        der-opaque) cx verify --raw "${trust[@]}" --json --in "$f" --out "$out" ;;
        der-detached) cx verify --raw --content "$ENT" "${trust[@]}" --json --in "$f" --out "$out" ;;
        smime-opaque)
            smime_wrap "$f" "$m" signed-data "$email"
            cx verify "${trust[@]}" --json --in "$m" --out "$out"
            exp+=(layers.0.signers.0.address_match=true)
            ;;
        smime-detached)
            mp_signed "$ENT" "$f" "$m" "$(micalg "$md")" "$email"
            cx verify "${trust[@]}" --json --in "$m" --out "$out"
            exp+=(layers.0.signers.0.address_match=true layers.0.detached=true)
            ;;
    esac
    rc_problem 0
    json_problem "$OUT" "${exp[@]}"
    case $form in
        der-opaque) cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the eContent byte for byte" ;;
        smime-*)
            [ -f "$out" ] && bodies_equal "$ENT" "$out" ||
                problem "expected the signed body back, got '$(head -c 80 "$out" 2>/dev/null | tr '\r\n' '  ')'"
            ;;
    esac
    close_case "$name" "gpgsm → cachet" "$shown" "$label" "$md"
}

SIGNERS="rsa alice@example.com rsaEncryption
ecdsa-p256 carol@example.com ecdsa-with-SHA*"
while read -r label email alg; do
    for md in sha256 sha384 sha512; do
        for form in der-opaque der-detached smime-opaque smime-detached; do
            a_sign "$form" "$label" "$email" "$email" "${alg/\*/${md#sha}}" "$md"
        done
    done
    # every certificate, the root included (gpgsm's -1); the default (-2) is above
    a_sign der-opaque "$label" "$email" "$email" "${alg/\*/256}" sha256 --include-certs -1
    # the signer's certificate only: the intermediate must come from cachet's side
    CACHET_EXTRA_TRUST=$PKI/inter.crt a_sign der-opaque "$label" "$email" "$email" "${alg/\*/256}" sha256 --include-certs 1
done <<<"$SIGNERS"

# No certificate at all (--include-certs 0): cachet finds the signer in its store by
# issuerAndSerialNumber; without the store it must refuse.
name="A:gpgsm-signs:der-opaque:rsa:sha256:--include-certs 0"
rm -f "$W/ic0.p7"
gs "$GH" -u alice@example.com --include-certs 0 --sign -o "$W/ic0.p7" "$ENT" 2>"$W/g.err" >/dev/null ||
    setup_fail "gpgsm --include-certs 0"
STORE=$W/store.db
"$CACHET" certs import --anchor --store "$STORE" "$PKI/ca.crt" >/dev/null
"$CACHET" certs import --store "$STORE" "$PKI/alice.pem" >/dev/null
begin_case
cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/ic0.p7" --out "$W/ic0.out"
rc_problem 1
[ ! -e "$W/ic0.out" ] || problem "expected no output without the signer's certificate"
cx verify --raw --trust "$PKI/ca.crt" --store "$STORE" --json --in "$W/ic0.p7" --out "$W/ic0.out"
rc_problem 0
json_problem "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted
close_case "$name" "gpgsm → cachet" "der-opaque --include-certs 0 (signer from the store)" rsa sha256

# SHA-1 (legacy): refused by default, valid and reported weak with the legacy switch.
name="A:gpgsm-signs:der-opaque:rsa:sha1"
rm -f "$W/s1.p7"
if gs "$GH" -u alice@example.com --digest-algo sha1 --sign -o "$W/s1.p7" "$ENT" 2>"$W/g.err" >/dev/null; then
    begin_case
    cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/s1.p7" --out "$W/s1.out"
    rc_problem 1
    grep -q -i weak "$ERR" || problem "expected the refusal to name the weak algorithm, got '$(head -c 150 "$ERR")'"
    cx verify --raw "$LEGACY" --trust "$PKI/ca.crt" --json --in "$W/s1.p7" --out "$W/s1.out"
    rc_problem 0
    json_problem "$OUT" status=valid layers.0.signers.0.digest=sha1 layers.0.signers.0.weak=true
    cmp -s "$ENT" "$W/s1.out" 2>/dev/null || problem "expected the eContent byte for byte"
    close_case "$name" "gpgsm → cachet" "der-opaque (refused, then $LEGACY)" rsa sha1
else
    unsupported "$name" "gpgsm → cachet" der-opaque rsa sha1 "$(peer_why "$W/g.err")"
fi
rm -f "$W/s1.p7"
if gs "$GH" -u carol@example.com --digest-algo sha1 --sign -o "$W/s1.p7" "$ENT" 2>"$W/g.err" >/dev/null; then
    begin_case
    cx verify --raw "$LEGACY" --trust "$PKI/ca.crt" --json --in "$W/s1.p7" --out "$W/s1.out"
    rc_problem 0
    json_problem "$OUT" status=valid layers.0.signers.0.digest=sha1 layers.0.signers.0.weak=true
    close_case "A:gpgsm-signs:der-opaque:ecdsa-p256:sha1" "gpgsm → cachet" "der-opaque ($LEGACY)" ecdsa-p256 sha1
else
    unsupported "A:gpgsm-signs:der-opaque:ecdsa-p256:sha1" "gpgsm → cachet" der-opaque ecdsa-p256 sha1 \
        "$(peer_why "$W/g.err")"
fi

# ---------------- B: cachet signs, gpgsm verifies ----------------
# gv_verify SIG [CONTENT]: gpgsm --verify in GV; status lines in $W/st, content in $W/gv.out.
gv_verify() {
    rm -f "$W/gv.out"
    local o=()
    [ $# -eq 1 ] && o=(-o "$W/gv.out")
    gpgsm --homedir "$GV" --batch --no-tty --status-fd 3 "${o[@]}" --verify "$@" 3>"$W/st" 2>"$W/g.err" >/dev/null
}
# gv_problems DIGEST: the status lines of a good, trusted signature with DIGEST.
gv_problems() {
    grep -q '^\[GNUPG:\] GOODSIG ' "$W/st" || problem "expected gpgsm GOODSIG, got: $(grep -o -E '(BADSIG|ERRSIG|NO_PUBKEY)[^|]*' "$W/st" | head -1) $(peer_why "$W/g.err")"
    local v
    v=$(awk '$2 == "VALIDSIG" { print $10 }' "$W/st")
    [ "$v" = "$(hash_id "$1")" ] || problem "expected VALIDSIG with hash algorithm $(hash_id "$1") ($1), got '$v'"
    grep -q -E '^\[GNUPG:\] TRUST_(FULLY|ULTIMATE)' "$W/st" ||
        problem "expected TRUST_FULLY (chain to the root from the message), got '$(grep -o 'TRUST_[A-Z]*' "$W/st")'"
}
# b_sign FORM LABEL KEY EMAIL DIGEST [cachet args...]
b_sign() {
    local form=$1 label=$2 key=$3 email=$4 md=$5
    shift 5
    local name="B:cachet-signs:$form:$label:$md" f=$W/b.sig in=$MSG u=$W/unwrapped
    local args=(sign --cert "$PKI/$key.crt" --key "$PKI/$key.key" --chain "$PKI/inter.crt" --digest "$md" "$@")
    case $form in
        smime-opaque) args+=(--opaque) ;;
        der-detached) in=$ENT args+=(--raw) ;;
        der-opaque) in=$ENT args+=(--raw --opaque) ;;
        pem-opaque) in=$ENT args+=(--raw --opaque --format pem) ;;
    esac
    write_message "$MSG" "$email"
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    if [ -n "$PROBLEMS" ]; then
        close_case "$name" "cachet → gpgsm" "$form" "$label" "$md"
        return 0
    fi
    local vok=0
    case $form in
        der-opaque | pem-opaque) gv_verify "$f" && vok=1 ;;
        der-detached) gv_verify "$f" "$ENT" && vok=1 ;;
        smime-detached)
            mime_unwrap "$f" "$u" || problem "expected multipart/signed from cachet"
            [ -f "$u/content" ] && gv_verify "$u/cms.der" "$u/content" && vok=1
            ;;
        smime-opaque)
            mime_unwrap "$f" "$u" || problem "expected application/pkcs7-mime from cachet"
            [ -f "$u/cms.der" ] && gv_verify "$u/cms.der" && vok=1
            ;;
    esac
    if [ "$label" = ed25519 ]; then
        # gpgsm 2.2 has no EdDSA in CMS (it reports BADSIG); cachet checks its own message.
        if [ $vok = 1 ] && grep -q GOODSIG "$W/st"; then
            gv_problems "$md"
            close_case "$name" "cachet → gpgsm" "$form" "$label" "$md"
            return 0
        fi
        local vv=(verify --trust "$PKI/ca.crt" --json --in "$f" --out "$W/self.out")
        case $form in der-detached) vv+=(--raw --content "$ENT") ;; der-* | pem-*) vv+=(--raw) ;; esac
        cx "${vv[@]}"
        rc_problem 0
        json_problem "$OUT" status=valid layers.0.signers.0.algorithm=ed25519
        local r="pass"
        end_case "$name(self; gpgsm 2.2 reports BADSIG for Ed25519)" || r=FAIL
        matrix_row "cachet → gpgsm" "$form" "$label" "$md" "not supported by peer (gpgsm 2.2 has no Ed25519 in CMS: BADSIG; cachet↔cachet $r)"
        return 0
    fi
    if [ $vok = 0 ]; then
        local why
        why=$(peer_why "$W/g.err")
        # control: gpgsm on openssl's signature with the same key and digest
        local o=()
        [ "$label" = pss ] && o=(-keyopt rsa_padding_mode:pss)
        if openssl cms -sign -binary -outform DER -nodetach -md "$md" -signer "$PKI/$key.crt" \
            -inkey "$PKI/$key.key" -certfile "$PKI/inter.crt" "${o[@]}" -in "$ENT" -out "$W/ctl.der" 2>/dev/null &&
            ! gv_verify "$W/ctl.der"; then
            unsupported "$name" "cachet → gpgsm" "$form" "$label" "$md" "$why; openssl's too"
            return 0
        fi
        problem "expected gpgsm --verify to exit 0 (it does on openssl's), got: $why"
    fi
    gv_problems "$md"
    case $form in
        der-opaque | pem-opaque) cmp -s "$ENT" "$W/gv.out" 2>/dev/null || problem "expected gpgsm to give back the content byte for byte" ;;
        smime-opaque)
            bodies_equal "$MSG" "$W/gv.out" || problem "expected gpgsm to give back the signed body" ;;
        smime-detached)
            bodies_equal "$MSG" "$u/content" || problem "expected the signed part to hold the body" ;;
    esac
    close_case "$name" "cachet → gpgsm" "$form" "$label" "$md"
}

b_sign_matrix "smime-detached smime-opaque der-opaque der-detached pem-opaque"

# Two signers in one SignedData (--cert/--key twice): gpgsm must report both good and trusted.
for form in der-opaque smime-detached; do
    name="B:cachet-signs:$form:rsa+ecdsa-p256(2 signers):sha256"
    begin_case
    write_message "$MSG"
    cx_sign_two $form
    gv_verify "${TWO[@]}" || problem "expected gpgsm --verify to succeed: $(peer_why "$W/g.err")"
    [ "$(grep -c '^\[GNUPG:\] GOODSIG ' "$W/st")" = 2 ] || problem "expected 2 GOODSIG, got $(grep -c '^\[GNUPG:\] GOODSIG ' "$W/st")"
    [ "$(grep -c -E '^\[GNUPG:\] TRUST_(FULLY|ULTIMATE)' "$W/st")" = 2 ] || problem "expected 2 trusted signers"
    ! grep -q -E 'BADSIG|ERRSIG' "$W/st" || problem "expected no BADSIG/ERRSIG"
    close_case "$name" "cachet → gpgsm" "$form, 2 signers" "rsa + ecdsa-p256" sha256
done

# Negative controls: gpgsm's checks must be able to fail.
begin_case
cx sign --raw --opaque --cert "$PKI/fakealice.crt" --key "$PKI/fakealice.key" --in "$ENT" --out "$W/fake.der"
rc_problem 0
gv_verify "$W/fake.der" || true
grep -q -E 'TRUST_(FULLY|ULTIMATE)' "$W/st" && problem "expected gpgsm not to trust a self-signed 'alice', got $(grep -o 'TRUST_[A-Z]*' "$W/st")"
end_case "control:gpgsm-does-not-trust-a-self-signed-alice" || true
begin_case
cx sign --raw --opaque --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/t.der"
rc_problem 0
"$PY" - "$W/t.der" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"Interop with gpgsm")
d[i] ^= 0x20
open(sys.argv[1], "wb").write(d)
PY
gv_verify "$W/t.der" && problem "expected gpgsm --verify to fail on tampered content"
grep -q 'BADSIG' "$W/st" || problem "expected BADSIG for tampered content, got $(grep -o -E '[A-Z]+SIG' "$W/st" | tr '\n' ' ')"
end_case "control:gpgsm-reports-badsig-on-tampered-content" || true

# ---------------- A: gpgsm encrypts, cachet decrypts ----------------
# a_enc FORM LABEL KEY CIPHER-ALGO EXPECTED [legacy|refuse] [more gpgsm recipients...]
a_enc() {
    local form=$1 label=$2 key=$3 galg=$4 want=$5 mode=$6
    shift 6
    local name="A:gpgsm-encrypts:$form:$label:$galg" f=$W/a.enc out=$W/a.out m=$W/a.eml
    local args=(-r "$key@example.com")
    local r
    for r in "$@"; do args+=(-r "$r@example.com"); done
    [ "$galg" = default ] || args+=(--cipher-algo "$galg")
    rm -f "$f" "$out"
    if ! gs "$GH" "${args[@]}" --encrypt -o "$f" "$ENT" 2>"$W/g.err" >/dev/null; then
        unsupported "$name" "gpgsm → cachet" "$form" "$label" "$galg" "$(peer_why "$W/g.err")"
        return 0
    fi
    local in=$f raw=(--raw) dk=${DECRYPT_AS:-$key}
    if [ "$form" = smime ]; then
        smime_wrap "$f" "$m" enveloped-data
        in=$m raw=()
    fi
    begin_case
    local shown=$want
    case $mode in
        legacy)
            # refused by default (no output), accepted and reported weak with the switch
            cx decrypt "${raw[@]}" --cert "$PKI/$dk.crt" --key "$PKI/$dk.key" --in "$in" --out "$out"
            rc_problem 1
            [ ! -e "$out" ] || problem "expected no output without $LEGACY"
            cx decrypt "${raw[@]}" "$LEGACY" --cert "$PKI/$dk.crt" --key "$PKI/$dk.key" --json --in "$in" --out "$out"
            rc_problem 0
            json_problem "$OUT" layers.0.type=enveloped "layers.0.cipher=$want" layers.0.weak=true \
                layers.0.key_management=rsaEncryption
            shown="$want (refused, then $LEGACY)"
            ;;
        refuse)
            # not in cachet's set: a clean refusal, nothing written
            cx decrypt "${raw[@]}" "$LEGACY" --cert "$PKI/$dk.crt" --key "$PKI/$dk.key" --in "$in" --out "$out"
            rc_problem 3
            [ ! -e "$out" ] || problem "expected no output for an unsupported cipher"
            grep -q -i 'not supported' "$ERR" || problem "expected 'not supported' on stderr, got '$(head -c 150 "$ERR")'"
            close_case "$name" "gpgsm → cachet" "$form" "$label" "$galg (cachet refuses: not in its cipher set)"
            return 0
            ;;
        *)
            cx decrypt "${raw[@]}" --cert "$PKI/$dk.crt" --key "$PKI/$dk.key" --json --in "$in" --out "$out"
            rc_problem 0
            json_problem "$OUT" layers.0.type=enveloped layers.0.authenticated=false "layers.0.cipher=$want" \
                layers.0.key_management=rsaEncryption
            ;;
    esac
    if [ "$form" = smime ]; then
        [ -f "$out" ] && bodies_equal "$ENT" "$out" || problem "expected the encrypted body back"
    else
        cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the plaintext byte for byte"
    fi
    close_case "$name" "gpgsm → cachet" "$form" "$label" "$galg → $shown"
}

for form in der smime; do
    a_enc "$form" rsa alice default aes-128-cbc ""
    a_enc "$form" rsa alice AES256 aes-256-cbc ""
    a_enc "$form" rsa alice 3DES des-ede3-cbc legacy
done
a_enc der rsa alice AES128 aes-128-cbc ""
a_enc der rsa alice AES192 aes-192-cbc ""
a_enc der rsa alice SEED seed-cbc legacy
a_enc der rsa alice CAMELLIA128 camellia-128-cbc legacy
a_enc der rsa alice CAMELLIA192 camellia-192-cbc legacy
a_enc der rsa alice CAMELLIA256 camellia-256-cbc legacy
a_enc der rsa alice SERPENT128 serpent-128-cbc refuse
a_enc der rsa alice DES des-cbc legacy
a_enc der rsa alice RC2 rc2-cbc legacy
a_enc der ecdh-p256 carol AES256 aes-256-cbc ""
# an EC certificate with keyEncipherment, which gpgsm 2.2 wants for any recipient
a_enc der "ecdh-p256(keyUsage keyEncipherment)" kuenc AES256 aes-256-cbc ""
DECRYPT_AS=bob a_enc der "rsa+rsa(2 recipients, bob decrypts)" alice AES256 aes-256-cbc "" bob

# ---------------- B: cachet encrypts, gpgsm decrypts (b_enc: gpgsm_nss_lib.bash) ----------------
# shellcheck disable=SC2034 # PEER is read by b_enc
PEER=gpgsm
PEER_ERR=$W/g.err
peer_decrypt() { rm -f "$2"; gs "$GH" --decrypt -o "$2" "$1" 2>"$PEER_ERR" >/dev/null; }

b_enc_matrix
b_enc pem rsa alice aes-256-cbc - -
b_enc der oaep-sha256 alice aes-256-cbc "-keyopt,rsa_padding_mode:oaep,-keyopt,rsa_oaep_md:sha256" --oaep
b_enc der ecdh-p256 carol aes-256-cbc ctl -
b_enc der ecdh-p256 carol aes-128-cbc ctl -
b_enc der "rsa+ecdh-p256(2 recipients)" alice aes-256-cbc - - carol
b_enc smime "ecdh-p256+rsa(2 recipients)" carol aes-128-cbc - - alice

# Two signers in one SignedData (gpgsm -u twice).
name="A:gpgsm-signs:der-opaque:rsa+ecdsa-p256(2 signers):sha256"
rm -f "$W/two.p7"
begin_case
gs "$GH" -u alice@example.com -u carol@example.com --sign -o "$W/two.p7" "$ENT" 2>"$W/g.err" >/dev/null ||
    problem "gpgsm --sign with two signers failed: $(peer_why "$W/g.err")"
cx verify --raw --trust "$PKI/ca.crt" --json --in "$W/two.p7" --out "$W/two.out"
rc_problem 0
json_problem "$OUT" status=valid layers.0.signers.0.signature=valid layers.0.signers.0.chain=trusted \
    layers.0.signers.0.algorithm=rsaEncryption layers.0.signers.1.signature=valid \
    layers.0.signers.1.chain=trusted layers.0.signers.1.algorithm=ecdsa-with-SHA256 "layers.0.signers.2=<missing>"
cmp -s "$ENT" "$W/two.out" 2>/dev/null || problem "expected the eContent byte for byte"
close_case "$name" "gpgsm → cachet" "der-opaque, 2 signers" "rsa + ecdsa-p256" sha256

# Signed, then encrypted (what a gpgsm-based mail client sends): gpgsm signs (opaque), the
# test makes that an application/pkcs7-mime entity, gpgsm encrypts it; cachet decrypts and
# verifies both layers. And the other way: cachet signs (multipart/signed) and encrypts;
# gpgsm decrypts, the test takes the inner multipart/signed apart, gpgsm verifies.
name="A:gpgsm-signs-then-encrypts:smime:rsa:sha256+AES256"
begin_case
rm -f "$W/n.s.p7" "$W/n.e.p7"
gs "$GH" -u alice@example.com --sign -o "$W/n.s.p7" "$ENT" 2>"$W/g.err" >/dev/null || problem "gpgsm --sign failed"
p7m_entity "$W/n.s.p7" "$W/n.inner" signed-data
gs "$GH" -r alice@example.com --cipher-algo AES256 --encrypt -o "$W/n.e.p7" "$W/n.inner" 2>"$W/g.err" >/dev/null ||
    problem "gpgsm --encrypt failed"
smime_wrap "$W/n.e.p7" "$W/n.eml" enveloped-data
cx decrypt --cert "$PKI/alice.crt" --key "$PKI/alice.key" --trust "$PKI/ca.crt" --json --in "$W/n.eml" --out "$W/n.out"
rc_problem 0
json_problem "$OUT" status=valid layers.0.type=enveloped layers.0.cipher=aes-256-cbc layers.1.type=signed \
    layers.1.signers.0.signature=valid layers.1.signers.0.chain=trusted layers.1.signers.0.address_match=true
[ -f "$W/n.out" ] && bodies_equal "$ENT" "$W/n.out" || problem "expected the signed and sealed body back"
close_case "$name" "gpgsm → cachet" "smime, signed then encrypted" rsa "sha256 + AES256 → aes-256-cbc"
name="B:cachet-signs-then-encrypts:smime:ecdsa-p256+rsa:sha256+aes-256-cbc"
begin_case
write_message "$MSG" carol@example.com
cx sign --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt" --in "$MSG" --out "$W/n.signed"
rc_problem 0
cx encrypt --to "$PKI/alice.crt" --cipher aes-256-cbc --in "$W/n.signed" --out "$W/n.sealed"
rc_problem 0
if [ -z "$PROBLEMS" ]; then
    mime_unwrap "$W/n.sealed" "$W/n1" || problem "expected application/pkcs7-mime from cachet encrypt"
    rm -f "$W/n.inner"
    if ! gs "$GH" --decrypt -o "$W/n.inner" "$W/n1/cms.der" 2>"$W/g.err" >/dev/null; then
        problem "expected gpgsm --decrypt to succeed: $(peer_why "$W/g.err")"
    elif ! mime_unwrap "$W/n.inner" "$W/n2"; then
        problem "expected a multipart/signed entity inside, got '$(head -c 80 "$W/n.inner" | tr '\r\n' '  ')'"
    else
        gv_verify "$W/n2/cms.der" "$W/n2/content" || problem "expected gpgsm --verify to succeed: $(peer_why "$W/g.err")"
        gv_problems sha256
        bodies_equal "$MSG" "$W/n2/content" || problem "expected the signed part to hold the body"
    fi
fi
close_case "$name" "cachet → gpgsm" "smime, signed (detached) then encrypted" "ecdsa-p256 signer, rsa recipient" "sha256 + aes-256-cbc"

# alice's key and certificate exported by gpgsm (--export-secret-key-p12: RC2-40 and 3DES
# PBEs, SHA-1 MAC) used by cachet: it decrypts a message to alice, and signs one that gpgsm
# verifies.
name="A:gpgsm-exports-p12:rsa"
begin_case
rm -f "$W/gexp.p12"
gs "$GH" --export-secret-key-p12 -o "$W/gexp.p12" alice@example.com 2>"$W/g.err" >/dev/null ||
    problem "gpgsm --export-secret-key-p12 failed: $(peer_why "$W/g.err")"
export CACHET_TEST_P12_PASS=$GPASS
cx encrypt --raw --to "$PKI/alice.crt" --cipher aes-256-cbc --in "$ENT" --out "$W/p12.enc"
rc_problem 0
cx decrypt --raw --p12 "$W/gexp.p12" --pass env:CACHET_TEST_P12_PASS --in "$W/p12.enc" --out "$W/p12.out"
rc_problem 0
cmp -s "$ENT" "$W/p12.out" 2>/dev/null || problem "expected the plaintext with the key from gpgsm's PKCS#12"
cx sign --raw --opaque --p12 "$W/gexp.p12" --pass env:CACHET_TEST_P12_PASS --chain "$PKI/inter.crt" --in "$ENT" --out "$W/p12.sig"
rc_problem 0
gv_verify "$W/p12.sig" || problem "expected gpgsm to verify the signature made with its exported key: $(peer_why "$W/g.err")"
gv_problems sha256
close_case "$name" "gpgsm → cachet" "PKCS#12 from --export-secret-key-p12: decrypt and sign with --p12" rsa "pbeWithSHA1And40BitRC2-CBC"

# Large content (2.2 MB of base64, many chunks) both ways.
BIG=$W/big.txt
{
    printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    head -c 1600000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
} >"$BIG"
begin_case
rm -f "$W/big.p7"
gs "$GH" -r alice@example.com --cipher-algo AES256 --encrypt -o "$W/big.p7" "$BIG" 2>"$W/g.err" >/dev/null ||
    problem "gpgsm --encrypt failed: $(peer_why "$W/g.err")"
cxin "$W/big.p7" decrypt --raw --cert "$PKI/alice.crt" --key "$PKI/alice.key"
rc_problem 0
cmp -s "$BIG" "$OUT" || problem "expected the 2 MB plaintext on stdout byte for byte"
close_case "A:gpgsm-encrypts:der-2MB-stdin-stdout:rsa:AES256" "gpgsm → cachet" "der, 2 MB, stdin→stdout" rsa "AES256 → aes-256-cbc"
begin_case
cxin "$BIG" sign --raw --opaque --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt"
rc_problem 0
cp "$OUT" "$W/big.sig"
gv_verify "$W/big.sig" || problem "expected gpgsm --verify to succeed: $(peer_why "$W/g.err")"
gv_problems sha256
cmp -s "$BIG" "$W/gv.out" || problem "expected gpgsm to give back the 2 MB content"
close_case "B:cachet-signs:der-opaque-2MB-stdin-stdout:ecdsa-p256:sha256" "cachet → gpgsm" "der-opaque, 2 MB, stdin→stdout" ecdsa-p256 sha256

matrix_write gpgsm "$(gpgsm --version | head -1) ($(gpgsm --version | grep -m1 libksba))"
finish
