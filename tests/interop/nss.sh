#!/usr/bin/env bash
# Interop with NSS's cmsutil (libnss3-tools, NSS 3.87 on Debian 12), both directions.
#   A: cmsutil signs (-S: opaque and -T detached, -H digests, -G signingTime, -P
#      SMIMECapabilities), envelopes (-E), makes EncryptedData (-C) or certs-only (-O);
#      cachet verifies, decrypts or imports: raw CMS (--raw, --content) and the same CMS
#      wrapped by the test into S/MIME messages: exit 0, exact report fields, the content.
#      NSS's exported PKCS#12 serves cachet's --p12.
#   B: cachet signs (RSA, RSA-PSS, ECDSA P-256/P-384, Ed25519; SHA-2; two signers), encrypts
#      (AES-CBC/GCM/CCM, ChaCha20-Poly1305; RSA/OAEP/ECDH recipients; EncryptedData) or makes
#      certs-only; cmsutil -D must report GoodSignature against a database holding only the
#      root, decrypt, or accept the certificates, and give the content back.
# cmsutil reads neither MIME nor PEM: the test takes cachet's S/MIME messages apart for it.
# What NSS cannot do is recorded "not supported by peer"; in direction B that claim needs a
# control: cmsutil must refuse the same construction made by `openssl cms` too.
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/gpgsm_nss_lib.bash"
peer_need "NSS cmsutil" cmsutil certutil pk12util
. "$here/lib.sh"
make_pki
LEGACY=$(legacy_flag)

ENT=$W/entity.txt
write_entity "$ENT" "Interop with NSS: a text to sign and to seal."
MSG=$W/message.txt

# ---------------- NSS databases ----------------
# KDB: alice's and carol's keys (PKCS#12, NSS reads OpenSSL 3's PBES2), the root trusted
# for e-mail, the intermediate and bob. VDB: the root only, so a cachet signature must bring
# its chain. CDB: root and intermediate, for certs-only (cmsutil verifies every certificate
# of a certs-only message for e-mail use).
KDB=sql:$W/kdb
VDB=sql:$W/vdb
CDB=sql:$W/cdb
setup_fail() {
    echo "FAIL setup: $1: $(head -3 "$W/n.err" | tr '\n' ' ')"
    exit 1
}
for db in "$KDB" "$VDB" "$CDB"; do
    mkdir "${db#sql:}"
    certutil -N -d "$db" --empty-password 2>"$W/n.err" || setup_fail "certutil -N"
    certutil -A -d "$db" -n root -t "CT,C,C" -i "$PKI/ca.crt" 2>"$W/n.err" || setup_fail "certutil -A root"
done
for db in "$KDB" "$CDB"; do
    certutil -A -d "$db" -n inter -t ",," -i "$PKI/inter.crt" 2>"$W/n.err" || setup_fail "certutil -A inter"
done
certutil -A -d "$KDB" -n bob -t ",," -i "$PKI/bob.crt" 2>"$W/n.err" || setup_fail "certutil -A bob"
for u in alice carol; do
    openssl pkcs12 -export -in "$PKI/$u.crt" -inkey "$PKI/$u.key" -name "$u" -passout pass:nss-pass \
        -out "$W/$u.p12"
    pk12util -i "$W/$u.p12" -d "$KDB" -W nss-pass -K '' >/dev/null 2>"$W/n.err" || setup_fail "pk12util -i $u"
done

micalg() { echo "${1/sha/sha-}"; }
upper() { echo "$1" | tr a-z A-Z; }
peer_why() { # the peer's complaint, for the matrix
    grep -v -E '^\s*$' "$1" | tail -1 | sed -E -e 's/^cmsutil: //' -e 's/^problem [a-z]+: //' \
        -e 's/security library: //' -e 's/\|/\//g' | cut -c1-90 || true
}
# time_near FILE PATH: the report's time at PATH is within 10 minutes of now.
time_near() {
    "$PY" - "$1" "$2" <<'PY'
import datetime, json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k)
    if v is None:
        sys.exit("no %s in the report" % sys.argv[2])
t = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
d = abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
sys.exit(0 if d < 600 else "%s is %d s away from now" % (v, d))
PY
}

# ---------------- A: cmsutil signs, cachet verifies ----------------
# a_sign FORM LABEL NICK EMAIL ALG DIGEST ATTRS(-|G|GP)
a_sign() {
    local form=$1 label=$2 nick=$3 email=$4 alg=$5 md=$6 attrs=$7
    local shown="$form (no -G, no -P)"
    [ "$attrs" = - ] || shown="$form -${attrs//P/ -P}"
    local name="A:nss-signs:$form:$label:$md:$attrs" f=$W/a.p7 out=$W/a.out m=$W/a.eml
    local args=(-S -d "$KDB" -N "$nick" -H "$(upper "$md")" -i "$ENT" -o "$f")
    case $form in *detached) args+=(-T) ;; esac
    case $attrs in *G*) args+=(-G) ;; esac
    case $attrs in *P*) args+=(-P) ;; esac
    rm -f "$f" "$out"
    if ! cmsutil "${args[@]}" 2>"$W/n.err" >/dev/null; then
        unsupported "$name" "NSS → cachet" "$shown" "$label" "$md" "$(peer_why "$W/n.err")"
        return 0
    fi
    begin_case
    local weak=false legacy=()
    if [ "$md" = sha1 ]; then
        # refused by default, accepted and reported weak with the switch
        cx verify --raw --trust "$PKI/ca.crt" --in "$f" --out "$out"
        rc_problem 1
        weak=true legacy=("$LEGACY")
        shown="$shown (refused, then $LEGACY)"
    fi
    local exp=(status=valid layers.0.type=signed layers.0.signers.0.signature=valid
        layers.0.signers.0.chain=trusted "layers.0.signers.0.digest=$md"
        "layers.0.signers.0.algorithm=$alg" "layers.0.signers.0.weak=$weak")
    case $form in
        der-opaque) cx verify --raw "${legacy[@]}" --trust "$PKI/ca.crt" --json --in "$f" --out "$out" ;;
        der-detached) cx verify --raw "${legacy[@]}" --content "$ENT" --trust "$PKI/ca.crt" --json --in "$f" --out "$out" ;;
        smime-opaque)
            smime_wrap "$f" "$m" signed-data "$email"
            cx verify "${legacy[@]}" --trust "$PKI/ca.crt" --json --in "$m" --out "$out"
            exp+=(layers.0.signers.0.address_match=true)
            ;;
        smime-detached)
            mp_signed "$ENT" "$f" "$m" "$(micalg "$md")" "$email"
            cx verify "${legacy[@]}" --trust "$PKI/ca.crt" --json --in "$m" --out "$out"
            exp+=(layers.0.signers.0.address_match=true layers.0.detached=true)
            ;;
    esac
    rc_problem 0
    json_problem "$OUT" "${exp[@]}"
    local msg
    case $attrs in
        *G*) msg=$(time_near "$OUT" layers.0.signers.0.signing_time 2>&1) ||
            problem "expected the -G signingTime in the report: $msg" ;;
        *) json_problem "$OUT" layers.0.signers.0.signing_time=null ;;
    esac
    case $form in
        der-opaque) cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the eContent byte for byte" ;;
        smime-*)
            [ -f "$out" ] && bodies_equal "$ENT" "$out" ||
                problem "expected the signed body back, got '$(head -c 80 "$out" 2>/dev/null | tr '\r\n' '  ')'"
            ;;
    esac
    close_case "$name" "NSS → cachet" "$shown" "$label" "$md"
}

SIGNERS="rsa alice alice@example.com rsaEncryption
ecdsa-p256 carol carol@example.com ecdsa-with-SHA*"
while read -r label nick email alg; do
    for md in sha256 sha384 sha512; do
        for form in der-opaque der-detached smime-opaque smime-detached; do
            a_sign "$form" "$label" "$nick" "$email" "${alg/\*/${md#sha}}" "$md" GP
        done
    done
    a_sign der-opaque "$label" "$nick" "$email" "${alg/\*/256}" sha256 -
    a_sign smime-detached "$label" "$nick" "$email" "${alg/\*/256}" sha256 G
    a_sign der-opaque "$label" "$nick" "$email" "${alg/\*/1}" sha1 G
done <<<"$SIGNERS"

# -P: cachet harvests NSS's SMIMECapabilities (AES-256/128-CBC, 3DES, RC2, DES; no GCM).
# A cachet-signed message from alice (which lists AES-GCM) makes cachet choose AES-256-GCM
# for her; NSS's newer list must then bring it back to AES-256-CBC, which NSS decrypts.
# (The store keeps the list with the latest signingTime; NSS signs after cachet here.)
name="A:nss-signs:der-opaque:rsa:sha256:GP->harvest->encrypt-auto"
STORE=$W/store.db
begin_case
"$CACHET" certs import --anchor --store "$STORE" "$PKI/ca.crt" >/dev/null
cx sign --raw --opaque --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/own.p7"
rc_problem 0
cx verify --raw --harvest --store "$STORE" --trust "$PKI/ca.crt" --in "$W/own.p7" --out "$W/h.out"
rc_problem 0
cx encrypt --raw --to alice@example.com --store "$STORE" --in "$ENT" --out "$W/auto1.p7"
rc_problem 0
openssl cms -cmsout -print -inform DER -in "$W/auto1.p7" 2>/dev/null | grep 'algorithm: aes-256-gcm' >/dev/null ||
    problem "expected AES-256-GCM for alice after her cachet-signed message"
rm -f "$W/caps.p7"
cmsutil -S -d "$KDB" -N alice -G -P -i "$ENT" -o "$W/caps.p7" 2>"$W/n.err" || problem "cmsutil -S -P failed"
cx verify --raw --harvest --store "$STORE" --trust "$PKI/ca.crt" --in "$W/caps.p7" --out "$W/h.out"
rc_problem 0
cx encrypt --raw --to alice@example.com --store "$STORE" --in "$ENT" --out "$W/auto2.p7"
rc_problem 0
openssl cms -cmsout -print -inform DER -in "$W/auto2.p7" 2>/dev/null | grep 'algorithm: aes-256-cbc' >/dev/null ||
    problem "expected AES-256-CBC for alice after NSS's SMIMECapabilities (no GCM in them)"
rm -f "$W/auto2.out"
cmsutil -D -d "$KDB" -i "$W/auto2.p7" -o "$W/auto2.out" 2>"$W/n.err" || problem "expected cmsutil -D to decrypt: $(peer_why "$W/n.err")"
cmp -s "$ENT" "$W/auto2.out" || problem "expected NSS to give back the plaintext"
close_case "$name" "NSS → cachet → NSS" "-P SMIMECapabilities harvested, encrypt --to address" rsa "aes-256-gcm → aes-256-cbc"

# ---------------- B: cachet signs, cmsutil verifies ----------------
# nss_decode DB CMS [CONTENT]: cmsutil -D; status lines in $W/st, the content in $W/nd.out.
nss_decode() {
    local db=$1 cms=$2 c=()
    [ $# -eq 3 ] && c=(-c "$3")
    rm -f "$W/st" "$W/nd.out"
    cmsutil -D -d "$db" -h 3 "${c[@]}" -i "$cms" -o "$W/st" 2>"$W/n.err" >/dev/null &&
        cmsutil -D -d "$db" "${c[@]}" -i "$cms" -o "$W/nd.out" 2>"$W/n.err" >/dev/null
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
    esac
    write_message "$MSG" "$email"
    begin_case
    cx "${args[@]}" --in "$in" --out "$f"
    rc_problem 0
    if [ -n "$PROBLEMS" ]; then
        close_case "$name" "cachet → NSS" "$form" "$label" "$md"
        return 0
    fi
    local vok=0
    case $form in
        der-opaque) nss_decode "$VDB" "$f" && vok=1 ;;
        der-detached) nss_decode "$VDB" "$f" "$ENT" && vok=1 ;;
        smime-detached)
            mime_unwrap "$f" "$u" || problem "expected multipart/signed from cachet"
            [ -f "$u/content" ] && nss_decode "$VDB" "$u/cms.der" "$u/content" && vok=1
            ;;
        smime-opaque)
            mime_unwrap "$f" "$u" || problem "expected application/pkcs7-mime from cachet"
            [ -f "$u/cms.der" ] && nss_decode "$VDB" "$u/cms.der" && vok=1
            ;;
    esac
    local st
    st=$(grep -o 'signer0.status=[A-Za-z]*' "$W/st" 2>/dev/null || true)
    if [ "$label" = ed25519 ] && [ "$st" != signer0.status=GoodSignature ]; then
        # NSS 3.87 has no Ed25519 in CMS (ProcessingError); cachet checks its own message.
        local vv=(verify --trust "$PKI/ca.crt" --json --in "$f" --out "$W/self.out")
        case $form in der-detached) vv+=(--raw --content "$ENT") ;; der-*) vv+=(--raw) ;; esac
        cx "${vv[@]}"
        rc_problem 0
        json_problem "$OUT" status=valid layers.0.signers.0.algorithm=ed25519
        local r=pass
        end_case "$name(self; NSS reports ${st#signer0.status=} for Ed25519)" || r=FAIL
        matrix_row "cachet → NSS" "$form" "$label" "$md" "not supported by peer (NSS 3.87 has no Ed25519 in CMS: ${st#signer0.status=}; cachet↔cachet $r)"
        return 0
    fi
    [ $vok = 1 ] || problem "expected cmsutil -D to exit 0, got: $(peer_why "$W/n.err")"
    [ "$st" = signer0.status=GoodSignature ] ||
        problem "expected signer0.status=GoodSignature (chain from the message to the root), got '$st'"
    case $form in
        der-opaque) cmp -s "$ENT" "$W/nd.out" 2>/dev/null || problem "expected NSS to give back the content byte for byte" ;;
        smime-opaque)
            bodies_equal "$MSG" "$W/nd.out" || problem "expected NSS to give back the signed body" ;;
        smime-detached)
            bodies_equal "$MSG" "$u/content" || problem "expected the signed part to hold the body" ;;
    esac
    close_case "$name" "cachet → NSS" "$form" "$label" "$md"
}

b_sign_matrix "smime-detached smime-opaque der-opaque der-detached"

# Two signers in one SignedData (--cert/--key twice): NSS must report both good.
for form in der-opaque smime-detached; do
    name="B:cachet-signs:$form:rsa+ecdsa-p256(2 signers):sha256"
    begin_case
    write_message "$MSG"
    cx_sign_two $form
    nss_decode "$VDB" "${TWO[@]}" || problem "expected cmsutil -D to succeed: $(peer_why "$W/n.err")"
    grep -q 'nsigners=2;' "$W/st" || problem "expected nsigners=2, got '$(grep -o 'nsigners=[0-9]*' "$W/st")'"
    [ "$(grep -o 'signer[01].status=GoodSignature' "$W/st" | sort -u | wc -l)" = 2 ] ||
        problem "expected both signers GoodSignature, got '$(grep -o 'signer[0-9].status=[A-Za-z]*' "$W/st" | tr '\n' ' ')'"
    close_case "$name" "cachet → NSS" "$form, 2 signers" "rsa + ecdsa-p256" sha256
done

# Negative controls: NSS's checks must be able to fail.
begin_case
cx sign --raw --opaque --cert "$PKI/fakealice.crt" --key "$PKI/fakealice.key" --in "$ENT" --out "$W/fake.der"
rc_problem 0
nss_decode "$VDB" "$W/fake.der" || true
grep -q 'status=GoodSignature' "$W/st" && problem "expected NSS not to trust a self-signed 'alice'"
grep -q 'status=SigningCertNotTrusted' "$W/st" ||
    problem "expected SigningCertNotTrusted, got '$(grep -o 'status=[A-Za-z]*' "$W/st")'"
end_case "control:nss-does-not-trust-a-self-signed-alice" || true
begin_case
cx sign --raw --opaque --cert "$PKI/carol.crt" --key "$PKI/carol.key" --chain "$PKI/inter.crt" --in "$ENT" --out "$W/t.der"
rc_problem 0
"$PY" - "$W/t.der" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"Interop with NSS")
d[i] ^= 0x20
open(sys.argv[1], "wb").write(d)
PY
nss_decode "$VDB" "$W/t.der" || true
grep -q 'status=DigestMismatch' "$W/st" ||
    problem "expected DigestMismatch for tampered content, got '$(grep -o 'status=[A-Za-z]*' "$W/st")'"
end_case "control:nss-reports-digest-mismatch-on-tampered-content" || true

# ---------------- A: cmsutil envelopes, cachet decrypts ----------------
# a_enc FORM LABEL KEY DECRYPT-AS [more recipients...] (cmsutil has no cipher option: NSS
# picks from the recipients' stored profiles, AES-128-CBC for certificates without one)
a_enc() {
    local form=$1 label=$2 key=$3 dk=$4
    shift 4
    local name="A:nss-envelopes:$form:$label" f=$W/a.enc out=$W/a.out m=$W/a.eml
    local rl=$key@example.com r
    for r in "$@"; do rl+=",$r@example.com"; done
    rm -f "$f" "$out"
    if ! cmsutil -E -d "$KDB" -r "$rl" -i "$ENT" -o "$f" 2>"$W/n.err" >/dev/null; then
        unsupported "$name" "NSS → cachet" "$form" "$label" "NSS's choice" "$(peer_why "$W/n.err")"
        return 0
    fi
    local in=$f raw=(--raw)
    if [ "$form" = smime ]; then
        smime_wrap "$f" "$m" enveloped-data
        in=$m raw=()
    fi
    begin_case
    cx decrypt "${raw[@]}" --cert "$PKI/$dk.crt" --key "$PKI/$dk.key" --json --in "$in" --out "$out"
    rc_problem 0
    json_problem "$OUT" layers.0.type=enveloped layers.0.authenticated=false layers.0.cipher=aes-128-cbc \
        layers.0.key_management=rsaEncryption
    if [ "$form" = smime ]; then
        [ -f "$out" ] && bodies_equal "$ENT" "$out" || problem "expected the encrypted body back"
    else
        cmp -s "$ENT" "$out" 2>/dev/null || problem "expected the plaintext byte for byte"
    fi
    close_case "$name" "NSS → cachet" "$form" "$label" "NSS's choice: aes-128-cbc"
}
a_enc der rsa alice alice
a_enc smime rsa alice alice
a_enc der "rsa+rsa(2 recipients, bob decrypts)" alice bob bob
a_enc der ecdh-p256 carol carol

# ---------------- B: cachet encrypts, cmsutil decrypts (b_enc: gpgsm_nss_lib.bash) ----------------
# shellcheck disable=SC2034 # PEER is read by b_enc
PEER=NSS
PEER_ERR=$W/n.err
peer_decrypt() { rm -f "$2"; cmsutil -D -d "$KDB" -i "$1" -o "$2" 2>"$PEER_ERR" >/dev/null; }

b_enc_matrix
b_enc der oaep-sha256 alice aes-256-cbc "-keyopt,rsa_padding_mode:oaep,-keyopt,rsa_oaep_md:sha256" --oaep
b_enc der ecdh-p256 carol aes-256-cbc ctl -
b_enc der ecdh-p256 carol aes-128-cbc ctl -
b_enc der "rsa+ecdh-p256(2 recipients)" alice aes-256-cbc "-recip,$PKI/carol.crt" - carol

# Signed, then encrypted: cmsutil -S (opaque), made an application/pkcs7-mime entity by the
# test, then cmsutil -E; cachet decrypts and verifies both layers. The other way: cachet signs
# (multipart/signed) and encrypts; cmsutil -D decrypts, the test takes the inner
# multipart/signed apart, cmsutil -D -c verifies it.
name="A:nss-signs-then-envelopes:smime:ecdsa-p256+rsa"
begin_case
rm -f "$W/n.s.p7" "$W/n.e.p7"
cmsutil -S -d "$KDB" -N carol -G -i "$ENT" -o "$W/n.s.p7" 2>"$W/n.err" >/dev/null || problem "cmsutil -S failed"
p7m_entity "$W/n.s.p7" "$W/n.inner" signed-data
cmsutil -E -d "$KDB" -r alice@example.com -i "$W/n.inner" -o "$W/n.e.p7" 2>"$W/n.err" >/dev/null ||
    problem "cmsutil -E failed"
smime_wrap "$W/n.e.p7" "$W/n.eml" enveloped-data carol@example.com
cx decrypt --cert "$PKI/alice.crt" --key "$PKI/alice.key" --trust "$PKI/ca.crt" --json --in "$W/n.eml" --out "$W/n.out"
rc_problem 0
json_problem "$OUT" status=valid layers.0.type=enveloped layers.0.cipher=aes-128-cbc layers.1.type=signed \
    layers.1.signers.0.signature=valid layers.1.signers.0.chain=trusted layers.1.signers.0.address_match=true
[ -f "$W/n.out" ] && bodies_equal "$ENT" "$W/n.out" || problem "expected the signed and sealed body back"
close_case "$name" "NSS → cachet" "smime, signed then enveloped" "ecdsa-p256 signer, rsa recipient" "sha256 + aes-128-cbc"
name="B:cachet-signs-then-encrypts:smime:rsa+rsa:sha256+aes-256-cbc"
begin_case
write_message "$MSG" alice@example.com
cx sign --cert "$PKI/alice.crt" --key "$PKI/alice.key" --chain "$PKI/inter.crt" --in "$MSG" --out "$W/n.signed"
rc_problem 0
cx encrypt --to "$PKI/alice.crt" --cipher aes-256-cbc --in "$W/n.signed" --out "$W/n.sealed"
rc_problem 0
if [ -z "$PROBLEMS" ]; then
    mime_unwrap "$W/n.sealed" "$W/n1" || problem "expected application/pkcs7-mime from cachet encrypt"
    rm -f "$W/n.inner"
    if ! cmsutil -D -d "$KDB" -i "$W/n1/cms.der" -o "$W/n.inner" 2>"$W/n.err" >/dev/null; then
        problem "expected cmsutil -D to decrypt: $(peer_why "$W/n.err")"
    elif ! mime_unwrap "$W/n.inner" "$W/n2"; then
        problem "expected a multipart/signed entity inside, got '$(head -c 80 "$W/n.inner" | tr '\r\n' '  ')'"
    else
        nss_decode "$VDB" "$W/n2/cms.der" "$W/n2/content" || problem "expected cmsutil -D -c to succeed: $(peer_why "$W/n.err")"
        grep -q 'signer0.status=GoodSignature' "$W/st" ||
            problem "expected GoodSignature, got '$(grep -o 'status=[A-Za-z]*' "$W/st")'"
        bodies_equal "$MSG" "$W/n2/content" || problem "expected the signed part to hold the body"
    fi
fi
close_case "$name" "cachet → NSS" "smime, signed (detached) then encrypted" "rsa signer, rsa recipient" "sha256 + aes-256-cbc"

# ---------------- EncryptedData (RFC 5652 section 8) ----------------
# cmsutil -C encrypts under the content key of an envelope it can open (-e ENVELOPE), and
# cmsutil -D -e ENVELOPE decrypts with it. The test recovers that key from the envelope's
# RSA key transport (openssl pkeyutl with alice's key) and gives it to cachet (--secret-key).
cek_of() { # cek_of ENVELOPE-DER: hex content-encryption key for alice
    openssl asn1parse -inform DER -in "$1" | grep -m1 'l= 256 prim: OCTET STRING' |
        sed 's/.*HEX DUMP\]://' | "$PY" -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' >"$W/ek.bin"
    openssl pkeyutl -decrypt -inkey "$PKI/alice.key" -in "$W/ek.bin" |
        "$PY" -c 'import sys; print(sys.stdin.buffer.read().hex())'
}
rm -f "$W/env128.p7"
cmsutil -E -d "$KDB" -r alice@example.com -i "$ENT" -o "$W/env128.p7" 2>"$W/n.err" >/dev/null || setup_fail "cmsutil -E"
"$CACHET" encrypt --raw --to "$PKI/alice.crt" --cipher aes-256-cbc --in "$ENT" --out "$W/env256.p7"
for bits in 128 256; do
    env=$W/env$bits.p7
    maker="NSS's"
    [ $bits = 256 ] && maker="cachet's"
    cek=$(cek_of "$env" || true)
    name="A:nss-encrypted-data:der:aes-$bits-cbc"
    begin_case
    [ ${#cek} = $((bits / 4)) ] || problem "expected a $bits-bit key from $maker envelope, got '$cek'"
    rm -f "$W/ed.p7" "$W/ed.out"
    cmsutil -C -d "$KDB" -e "$env" -i "$ENT" -o "$W/ed.p7" 2>"$W/n.err" >/dev/null ||
        problem "cmsutil -C failed: $(peer_why "$W/n.err")"
    cx decrypt --raw --secret-key "$cek" --json --in "$W/ed.p7" --out "$W/ed.out"
    rc_problem 0
    json_problem "$OUT" status=valid layers.0.type=encrypted "layers.0.cipher=aes-$bits-cbc" layers.0.authenticated=false
    cmp -s "$ENT" "$W/ed.out" 2>/dev/null || problem "expected the plaintext byte for byte"
    rm -f "$W/ed.out"
    cx decrypt --raw --secret-key "$(printf '%*s' $((bits / 4)) '' | tr ' ' 0)" --in "$W/ed.p7" --out "$W/ed.out"
    rc_problem 1
    [ ! -e "$W/ed.out" ] || problem "expected no output under a wrong key"
    close_case "$name" "NSS → cachet" "EncryptedData (cmsutil -C, key of $maker envelope), der" "secret key" "aes-$bits-cbc"
    name="B:cachet-encrypted-data:der:aes-$bits-cbc"
    begin_case
    cx encrypt --encrypted-data --raw --secret-key "$cek" --in "$ENT" --out "$W/ced.p7"
    rc_problem 0
    rm -f "$W/ced.out"
    cmsutil -D -d "$KDB" -e "$env" -i "$W/ced.p7" -o "$W/ced.out" 2>"$W/n.err" >/dev/null ||
        problem "expected cmsutil -D -e to decrypt: $(peer_why "$W/n.err")"
    cmp -s "$ENT" "$W/ced.out" 2>/dev/null || problem "expected NSS to give back the plaintext"
    close_case "$name" "cachet → NSS" "EncryptedData (--encrypted-data), der; NSS keyed by $maker envelope" "secret key" "aes-$bits-cbc"
done

# alice's key and certificate exported by NSS (pk12util -o: PBES2, AES-256-CBC, PBKDF2 with
# 600000 iterations, SHA-256 MAC) used by cachet: it decrypts a message to alice, and signs
# one that NSS verifies.
name="A:nss-exports-p12:rsa"
begin_case
rm -f "$W/nexp.p12"
pk12util -o "$W/nexp.p12" -n alice -d "$KDB" -W nss-pass -K '' >/dev/null 2>"$W/n.err" ||
    problem "pk12util -o failed: $(peer_why "$W/n.err")"
export CACHET_TEST_P12_PASS=nss-pass
cx encrypt --raw --to "$PKI/alice.crt" --cipher aes-256-cbc --in "$ENT" --out "$W/p12.enc"
rc_problem 0
cx decrypt --raw --p12 "$W/nexp.p12" --pass env:CACHET_TEST_P12_PASS --in "$W/p12.enc" --out "$W/p12.out"
rc_problem 0
cmp -s "$ENT" "$W/p12.out" 2>/dev/null || problem "expected the plaintext with the key from NSS's PKCS#12"
cx sign --raw --opaque --p12 "$W/nexp.p12" --pass env:CACHET_TEST_P12_PASS --chain "$PKI/inter.crt" --in "$ENT" --out "$W/p12.sig"
rc_problem 0
nss_decode "$VDB" "$W/p12.sig" || problem "expected cmsutil -D to succeed: $(peer_why "$W/n.err")"
grep -q 'signer0.status=GoodSignature' "$W/st" || problem "expected GoodSignature, got '$(grep -o 'status=[A-Za-z]*' "$W/st")'"
close_case "$name" "NSS → cachet" "PKCS#12 from pk12util -o: decrypt and sign with --p12" rsa "PBES2 AES-256-CBC, 600000 iterations"

# ---------------- certs-only ----------------
# NSS -> cachet: cmsutil -O (certificates named with -r; NSS adds their chains) is a
# certs-only message: cachet imports its certificates, and verify refuses it (no signer:
# it proves nothing about anyone).
name="A:nss-certs-only"
rm -f "$W/co.p7"
if cmsutil -O -d "$KDB" -r alice@example.com,carol@example.com -o "$W/co.p7" 2>"$W/n.err" >/dev/null; then
    for form in der smime; do
        in=$W/co.p7
        if [ $form = smime ]; then
            smime_wrap "$W/co.p7" "$W/co.eml" certs-only
            in=$W/co.eml
        fi
        begin_case
        rm -f "$W/co.db"
        cx certs import --store "$W/co.db" "$in"
        rc_problem 0
        grep -q 'imported 3 new' "$OUT" "$ERR" || problem "expected 3 certificates (alice, carol, the intermediate), got '$(cat "$OUT" "$ERR" | head -c 120)'"
        for a in alice carol; do
            cx certs find --store "$W/co.db" --json "$a@example.com"
            rc_problem 0
            json_problem "$OUT" "0.emails.0=$a@example.com" 0.origin=imported
        done
        raw=()
        [ $form = der ] && raw=(--raw)
        cx verify "${raw[@]}" --trust "$PKI/ca.crt" --json --in "$in" --out "$W/co.out"
        rc_problem 1
        json_problem "$OUT" status=invalid layers.0.type=signed "layers.0.signers.0=<missing>" "error.class=no signers"
        [ ! -e "$W/co.out" ] || problem "expected no output from verify"
        cx inspect "${raw[@]}" --json --in "$in"
        rc_problem 0
        json_problem "$OUT" layers.0.type=signed "layers.0.signers.0=<missing>"
        close_case "$name:$form" "NSS → cachet" "certs-only ($form): certs import; verify refuses (no signer)" "rsa, ecdsa-p256 + intermediate" -
    done
else
    unsupported "$name" "NSS → cachet" certs-only "rsa, ecdsa-p256" - "$(peer_why "$W/n.err")"
fi

# cachet -> NSS: cmsutil -D -k must verify every certificate against CDB and keep them.
# co_case FORM LABEL CERT...
co_case() {
    local form=$1 label=$2
    shift 2
    local name="B:cachet-certs-only:$form:$label" f=$W/cco u=$W/unwrapped db
    local files=() c
    for c in "$@"; do files+=("$PKI/$c.crt"); done
    begin_case
    if [ "$form" = der ]; then
        cx certs-only --format der --out "$f" "${files[@]}"
    else
        cx certs-only --out "$f" "${files[@]}"
    fi
    rc_problem 0
    local cms=$f
    if [ -z "$PROBLEMS" ] && [ "$form" = smime ]; then
        grep -q -i 'smime-type=certs-only' "$f" || problem "expected smime-type=certs-only"
        mime_unwrap "$f" "$u" || problem "expected application/pkcs7-mime from cachet"
        cms=$u/cms.der
    fi
    db=$W/cdb-$form-$#
    rm -rf "$db"
    cp -r "${CDB#sql:}" "$db"
    if [ -z "$PROBLEMS" ] && ! cmsutil -D -k -d "sql:$db" -h 3 -i "$cms" -o "$W/co.st" 2>"$W/n.err" >/dev/null; then
        local why
        why=$(peer_why "$W/n.err")
        if [[ " $* " == *" inter "* ]]; then
            # control: NSS's own certs-only with the intermediate fails the same way
            rm -rf "$db.ctl"
            cp -r "${CDB#sql:}" "$db.ctl"
            if ! cmsutil -D -d "sql:$db.ctl" -i "$W/co.p7" -o /dev/null 2>/dev/null >/dev/null; then
                unsupported "$name" "cachet → NSS" "certs-only ($form)" "$label" - "$why; NSS's own -O output too"
                return 0
            fi
        fi
        problem "expected cmsutil -D -k to accept the certificates, got: $why"
    fi
    grep -q 'nsigners=0' "$W/co.st" 2>/dev/null || problem "expected NSS to see a SignedData without signers"
    for c in "$@"; do
        [ "$c" = inter ] && continue
        certutil -L -d "sql:$db" 2>/dev/null | grep "^$c@example.com " >/dev/null ||
            problem "expected NSS to keep $c's certificate, got: $(certutil -L -d "sql:$db" 2>/dev/null | tail -n +4 | tr -s ' ' | tr '\n' ';')"
    done
    close_case "$name" "cachet → NSS" "certs-only ($form)" "$label" -
}
co_case der "rsa, ecdsa-p256" alice carol
co_case smime "rsa, ecdsa-p256" alice carol
co_case der "rsa, ecdsa-p256 + intermediate" alice carol inter

nss_version=$(dpkg-query -W -f '${Version}' libnss3 2>/dev/null || echo unknown)
matrix_write nss "NSS cmsutil (libnss3 $nss_version)"
finish
