#!/usr/bin/env bash
# Shared-secret and keyless CMS types with `openssl cms`, both directions (issue 5):
#   KEKRecipientInfo (AES-128/192/256 key wrap; openssl -secretkey/-secretkeyid, cachet
#   --secret-key/--key-id), PasswordRecipientInfo (PBKDF2; openssl -pwri_password, cachet
#   --password-file), EncryptedData (openssl -EncryptedData_encrypt/_decrypt, cachet
#   --encrypted-data / decrypt --secret-key), DigestedData (openssl -digest_create/_verify,
#   cachet digest / verify), and envelopes to several recipients of mixed kinds (RSA, ECDH,
#   X25519, X448, KEK, password).
# Each case: the exact exit status, the content byte for byte (raw) or the body of the entity
# (S/MIME), the --json report fields; failures with the wrong secret: exit 1, nothing written.
# CACHET_WRITE_DOC=1 writes the matrix into doc/interop.md (section openssl_secrets).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
make_pki
. "$(dirname "$0")/openssl_common.bash"
ossl_extra_leaf xavier X25519 keyAgreement 6002
ossl_extra_leaf yvonne X448 keyAgreement 6003

ENT=$W/entity.txt
write_entity "$ENT" "A secret shared out of band."
MSG=$W/message.txt
write_message "$MSG"
PWF=$W/password.txt
printf '%s\n' "$PASSWORD" >"$PWF"
A2C="openssl → cachet"
C2A="cachet → openssl"

kek_of() { case $1 in 128) echo $KEK128 ;; 192) echo $KEK192 ;; 256) echo $KEK256 ;; esac; }
is_gcm() { [[ $1 == *gcm ]]; }
env_type() { if is_gcm "$1"; then echo authEnveloped; else echo enveloped; fi; }
inform_of() { case $1 in der*) echo DER ;; pem*) echo PEM ;; *) echo SMIME ;; esac; }
ossl_form() { # the openssl output options of FORM
    case $1 in
        der) echo "-binary -outform DER" ;;
        der-stream) echo "-binary -outform DER -stream" ;;
        pem) echo "-binary -outform PEM" ;;
        smime-stream) echo "-stream" ;;
    esac
}

# content_problem FORM OUT: the plaintext cachet wrote is what openssl was given.
content_problem() {
    case $1 in
        smime*)
            if [ ! -f "$2" ] || ! bodies_equal "$ENT" "$2"; then
                problem "expected the body back, got '$(head -c 80 "$2" 2>/dev/null | tr '\r\n' '  ')'"
            elif ! grep -q -i '^Content-Type: text/plain' "$2"; then
                problem "expected the inner Content-Type header in the output"
            fi
            ;;
        *) cmp -s "$ENT" "$2" 2>/dev/null || problem "expected the plaintext byte for byte, got $(stat -c %s "$2" 2>/dev/null || echo no) bytes" ;;
    esac
}
raw_opt() { case $1 in smime*) ;; *) echo --raw ;; esac; }

# a_run NAME FORM ALG PARAM OSSL_ARGS -- CACHET_ARGS -- JSON_FIELDS...: openssl makes FORM
# with OSSL_ARGS, cachet decrypts it with CACHET_ARGS (exit 0), fields and content checked.
a_run() {
    local name=$1 form=$2 alg=$3 param=$4 f=$W/a.msg out=$W/a.out
    shift 4
    local oa=() ca=() jf=()
    while [ "$1" != -- ]; do oa+=("$1"); shift; done
    shift
    while [ "$1" != -- ]; do ca+=("$1"); shift; done
    shift
    jf=("$@")
    # shellcheck disable=SC2046
    if ! openssl cms "${oa[@]}" $(ossl_form "$form") -in "$ENT" -out "$f" 2>"$W/ossl.err"; then
        skip "$name" "not supported by peer: $(ossl_err "$W/ossl.err")"
        unsupported_by_peer "$alg $param (openssl cms ${oa[0]})" "$(ossl_err "$W/ossl.err")"
        matrix_row "$A2C" "$form" "$alg" "$param" "not supported by peer"
        return 0
    fi
    cp "$f" "$W/last-a.msg"
    rm -f "$out"
    begin_case
    # shellcheck disable=SC2046
    cx decrypt $(raw_opt "$form") "${ca[@]}" --json --in "$f" --out "$out"
    rc_problem 0
    json_problem "$OUT" status=valid "${jf[@]}"
    content_problem "$form" "$out"
    close_row "$name" "$A2C" "$form" "$alg" "$param"
}

# a_refused NAME FORM ALG PARAM RC ERRTEXT CACHET_ARGS...: cachet on the last openssl message
# (W/last-a.msg) with the wrong secret: exit RC, ERRTEXT on stderr, nothing written.
a_refused() {
    local name=$1 form=$2 alg=$3 param=$4 rc=$5 text=$6 out=$W/r.out
    shift 6
    rm -f "$out"
    begin_case
    # shellcheck disable=SC2046
    cx decrypt $(raw_opt "$form") "$@" --in "$W/last-a.msg" --out "$out"
    rc_problem "$rc"
    [ ! -e "$out" ] || problem "expected no output file, got $(stat -c %s "$out") bytes"
    [ ! -s "$OUT" ] || problem "expected empty stdout"
    grep -q -F -- "$text" "$ERR" || problem "expected '$text' on stderr, got '$(head -c 200 "$ERR" | tr '\n' ' ')'"
    close_row "$name" "$A2C" "$form" "$alg" "$param"
}

# b_run NAME FORM ALG PARAM CACHET_ARGS -- OSSL_DECRYPT_ARGS... [-- PRINT_GREP...]: cachet
# makes FORM, openssl gives the content back; each PRINT_GREP must be in `cms -cmsout -print`.
b_run() {
    local name=$1 form=$2 alg=$3 param=$4 f=$W/b.msg out=$W/b.out in=$MSG
    shift 4
    local ca=() oa=() pg=()
    while [ "$1" != -- ]; do ca+=("$1"); shift; done
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do oa+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    pg=("$@")
    case $form in
        der) in=$ENT ca+=(--raw) ;;
        pem) in=$ENT ca+=(--raw --format pem) ;;
    esac
    local inform
    inform=$(inform_of "$form")
    begin_case
    cx "${ca[@]}" --in "$in" --out "$f"
    rc_problem 0
    if [ -z "$PROBLEMS" ]; then
        cp "$f" "$W/last-b.msg"
        local bin=()
        [ "$inform" = SMIME ] || bin=(-binary)
        rm -f "$out"
        if ! openssl cms "${oa[@]}" -inform "$inform" "${bin[@]}" -in "$f" -out "$out" 2>"$W/ossl.err"; then
            problem "expected openssl to give the content back, got: $(grep -v '^$' "$W/ossl.err" | head -2 | tr '\n' ' ')"
        elif [ "$inform" = SMIME ]; then
            bodies_equal "$in" "$out" || problem "expected openssl to give back the body"
        else
            cmp -s "$in" "$out" || problem "expected openssl to give back the content byte for byte"
        fi
        openssl cms -cmsout -print -inform "$inform" -in "$f" >"$W/print" 2>/dev/null || true
        local g
        for g in "${pg[@]}"; do
            grep -q -E -- "$g" "$W/print" || problem "expected '$g' in openssl's print of the structure"
        done
    fi
    close_row "$name" "$C2A" "$form" "$alg" "$param"
}

# ---------------- KEKRecipientInfo ----------------
for bits in 128 192 256; do
    kek=$(kek_of $bits)
    for cipher in aes-128-cbc aes-192-cbc aes-256-cbc aes-128-gcm aes-256-gcm; do
        for form in smime der; do
            a_run "A:kekri:$form:aes$bits-wrap:$cipher" "$form" "kek aes$bits-wrap" "$cipher" \
                -encrypt "-$cipher" -secretkey "$kek" -secretkeyid "$KEKID" -- \
                --secret-key "$kek" --key-id "hex:$KEKID" -- \
                "layers.0.type=$(env_type "$cipher")" "layers.0.cipher=$cipher" \
                "layers.0.key_management=kek-aes$bits-wrap" layers.0.weak=false layers.0.recipients=1
        done
    done
    # the key id as text names the same KEKIdentifier ("ossl-key")
    a_run "A:kekri:der:aes$bits-wrap:key-id-as-text" der "kek aes$bits-wrap" "aes-128-cbc, --key-id ossl-key" \
        -encrypt -aes-128-cbc -secretkey "$kek" -secretkeyid "$KEKID" -- --secret-key "$kek" --key-id ossl-key -- \
        "layers.0.key_management=kek-aes$bits-wrap"
    a_refused "A:kekri:der:aes$bits-wrap:wrong-kek-refused" der "kek aes$bits-wrap" "wrong KEK: exit 1, nothing written" \
        1 "decryption failed" --secret-key "${kek:2}${kek:0:2}" --key-id "hex:$KEKID"
    a_refused "A:kekri:der:aes$bits-wrap:other-key-id-refused" der "kek aes$bits-wrap" "other key id: exit 1, nothing written" \
        1 "no RecipientInfo" --secret-key "$kek" --key-id other
    for form in smime-stream der-stream pem; do
        a_run "A:kekri:$form:aes$bits-wrap:aes-256-gcm" "$form" "kek aes$bits-wrap" aes-256-gcm \
            -encrypt -aes-256-gcm -secretkey "$kek" -secretkeyid "$KEKID" -- \
            --secret-key "$kek" --key-id "hex:$KEKID" -- \
            layers.0.type=authEnveloped layers.0.cipher=aes-256-gcm "layers.0.key_management=kek-aes$bits-wrap"
    done
    for cipher in aes-128-cbc aes-192-cbc aes-256-cbc aes-128-gcm aes-256-gcm; do
        cek_bits=${cipher#aes-}
        cek_bits=${cek_bits%%-*}
        if [ "$cek_bits" -gt "$bits" ]; then
            # RFC 3565 2.3.2: the KEK MUST be at least as long as the CEK. openssl writes such
            # messages (and cachet reads them, above); cachet refuses to write one.
            begin_case
            rm -f "$W/b.msg"
            cx encrypt --raw --secret-key "$kek" --key-id "hex:$KEKID" --cipher "$cipher" --in "$ENT" --out "$W/b.msg"
            rc_problem 2
            [ ! -e "$W/b.msg" ] || problem "expected nothing written"
            grep -q -F "cannot wrap a $((cek_bits / 8))-byte content key (RFC 3565" "$ERR" ||
                problem "expected the RFC 3565 reason on stderr, got '$(head -c 200 "$ERR")'"
            close_row "B:kekri:der:aes$bits-wrap:$cipher:kek-shorter-than-cek-refused" "$C2A" der "kek aes$bits-wrap" \
                "$cipher: KEK shorter than the CEK, exit 2 (RFC 3565 §2.3.2)"
            continue
        fi
        for form in smime der; do
            b_run "B:kekri:$form:aes$bits-wrap:$cipher" "$form" "kek aes$bits-wrap" "$cipher" \
                encrypt --secret-key "$kek" --key-id "hex:$KEKID" --cipher "$cipher" -- \
                -decrypt -secretkey "$kek" -secretkeyid "$KEKID" -- \
                'd\.kekri:' "algorithm: id-aes$bits-wrap" "algorithm: $cipher "
        done
    done
done
b_run "B:kekri:pem:aes256-wrap:aes-256-gcm" pem "kek aes256-wrap" aes-256-gcm \
    encrypt --secret-key "$KEK256" --key-id "hex:$KEKID" --cipher aes-256-gcm -- \
    -decrypt -secretkey "$KEK256" -secretkeyid "$KEKID" -- 'd\.kekri:'
# openssl with the wrong KEK on ours: it must fail too (the wrap's integrity check).
begin_case
openssl cms -decrypt -inform PEM -binary -secretkey "$KEK128$KEK128" -secretkeyid "$KEKID" \
    -in "$W/last-b.msg" -out "$W/x.out" 2>/dev/null && problem "expected openssl to refuse the wrong KEK"
close_row "B:kekri:pem:aes256-wrap:openssl-wrong-kek-fails" "$C2A" pem "kek aes256-wrap" "wrong KEK: openssl fails"

# ---------------- PasswordRecipientInfo ----------------
# OpenSSL writes PBKDF2 with hmacWithSHA1 (the default PRF) and 2048 iterations; its PWRI
# needs a CBC content cipher (the KEK algorithm is the content cipher).
for cipher in aes-128-cbc aes-192-cbc aes-256-cbc; do
    for form in smime der pem; do
        a_run "A:pwri:$form:pbkdf2:$cipher" "$form" "pwri pbkdf2" "$cipher" \
            -encrypt "-$cipher" -pwri_password "$PASSWORD" -- --password-file "$PWF" -- \
            layers.0.type=enveloped "layers.0.cipher=$cipher" \
            layers.0.key_management=pwri-pbkdf2-hmac-sha1 layers.0.weak=false
    done
done
export CACHET_TEST_PWRI="$PASSWORD"
a_run "A:pwri:der:pbkdf2:aes-256-cbc:password-env" der "pwri pbkdf2" "aes-256-cbc, --password-env" \
    -encrypt -aes-256-cbc -pwri_password "$PASSWORD" -- --password-env CACHET_TEST_PWRI -- \
    layers.0.key_management=pwri-pbkdf2-hmac-sha1
a_run "A:pwri:smime-stream:pbkdf2:aes-256-cbc" smime-stream "pwri pbkdf2" aes-256-cbc \
    -encrypt -aes-256-cbc -pwri_password "$PASSWORD" -- --password-file "$PWF" -- \
    layers.0.key_management=pwri-pbkdf2-hmac-sha1
printf 'not the password\n' >"$W/wrongpw"
a_refused "A:pwri:smime-stream:pbkdf2:wrong-password-refused" smime-stream "pwri pbkdf2" "wrong password: exit 1, nothing written" \
    1 "decryption failed" --password-file "$W/wrongpw"
a_run "A:pwri:smime:pbkdf2:aes-256-gcm" smime "pwri pbkdf2" aes-256-gcm \
    -encrypt -aes-256-gcm -pwri_password "$PASSWORD" -- --password-file "$PWF" -- \
    layers.0.key_management=pwri-pbkdf2-hmac-sha1
# The default, 600000 iterations of PBKDF2-HMAC-SHA256 (0x0927C0), is checked in openssl's
# print on the first cipher in both forms. The other ciphers run at 2048 iterations: the count
# does not depend on the cipher, and each run at the default costs cachet about 1 s of CPU
# under ASan and openssl 0.3 s. --pbkdf2-iterations is also tried once at 5000 below.
for cipher in aes-128-cbc aes-256-cbc aes-128-gcm aes-256-gcm; do
    iter=(--pbkdf2-iterations 2048) iter_print='INTEGER +:0800'
    if [ "$cipher" = aes-128-cbc ]; then
        iter=() iter_print='INTEGER +:0927C0'
    fi
    for form in smime der; do
        b_run "B:pwri:$form:pbkdf2-sha256:$cipher" "$form" "pwri pbkdf2-hmac-sha256" "$cipher" \
            encrypt --password-file "$PWF" "${iter[@]}" --cipher "$cipher" -- -decrypt -pwri_password "$PASSWORD" -- \
            'd\.pwri:' 'algorithm: PBKDF2' ':hmacWithSHA256' "$iter_print" 'l= *16 prim: +OCTET STRING' \
            'id-alg-PWRI-KEK' "algorithm: $cipher "
    done
done
b_run "B:pwri:der:pbkdf2-sha256-5000-iterations:aes-256-cbc" der "pwri pbkdf2-hmac-sha256" "aes-256-cbc, 5000 iterations" \
    encrypt --password-file "$PWF" --pbkdf2-iterations 5000 --cipher aes-256-cbc -- -decrypt -pwri_password "$PASSWORD" -- \
    'INTEGER +:1388'
begin_case
openssl cms -decrypt -inform DER -binary -pwri_password "not the password" -in "$W/last-b.msg" -out "$W/x.out" 2>/dev/null &&
    problem "expected openssl to refuse the wrong password"
close_row "B:pwri:der:openssl-wrong-password-fails" "$C2A" der "pwri pbkdf2-hmac-sha256" "wrong password: openssl fails"

# ---------------- EncryptedData ----------------
for cipher in aes-128-cbc aes-192-cbc aes-256-cbc; do
    case $cipher in aes-128*) key=$KEK128 ;; aes-192*) key=$KEK192 ;; *) key=$KEK256 ;; esac
    for form in smime der pem; do
        a_run "A:encrypted-data:$form:$cipher" "$form" EncryptedData "$cipher" \
            -EncryptedData_encrypt "-$cipher" -secretkey "$key" -- --secret-key "$key" -- \
            layers.0.type=encrypted "layers.0.cipher=$cipher" layers.0.weak=false
        b_run "B:encrypted-data:$form:$cipher" "$form" EncryptedData "$cipher" \
            encrypt --encrypted-data --secret-key "$key" -- -EncryptedData_decrypt -secretkey "$key" -- \
            'contentType: pkcs7-encryptedData' "algorithm: $cipher "
    done
done
a_run "A:encrypted-data:der-stream:aes-256-cbc" der-stream EncryptedData aes-256-cbc \
    -EncryptedData_encrypt -aes-256-cbc -secretkey "$KEK256" -- --secret-key "$KEK256" -- \
    layers.0.type=encrypted layers.0.cipher=aes-256-cbc
# A key of the wrong length for the cipher is refused before any decryption.
a_refused "A:encrypted-data:der-stream:aes-256-cbc:key-of-wrong-length-refused" der-stream EncryptedData \
    "aes-256-cbc, 16-byte key: exit 1, nothing written" 1 "decryption failed" --secret-key "$KEK128"
# openssl refuses AEAD ciphers in EncryptedData; so does the peer side of the matrix.
a_run "A:encrypted-data:der:aes-256-gcm" der EncryptedData aes-256-gcm \
    -EncryptedData_encrypt -aes-256-gcm -secretkey "$KEK256" -- --secret-key "$KEK256" -- layers.0.type=encrypted

# ---------------- DigestedData ----------------
# cachet verify on DigestedData alone: the digest is checked and reported, but a digest is
# not a signature: exit 1, "no signers", nothing written. The content comes out of it when
# it is inside a signature or an envelope (openssl -digest_create, then -sign / -encrypt).
dg_case() { # dg_case FORM MD RC LEGACY FIELDS...
    local form=$1 md=$2 rc=$3 legacy=$4 f=$W/dg.msg out=$W/dg.out
    shift 4
    local name="A:digested-data:$form:$md${legacy:+:allow-legacy}"
    # shellcheck disable=SC2046
    openssl cms -digest_create -md "$md" $(ossl_form "$form") -in "$ENT" -out "$f"
    rm -f "$out"
    begin_case
    # shellcheck disable=SC2046
    cx verify $(raw_opt "$form") $legacy --json --in "$f" --out "$out"
    rc_problem "$rc"
    json_problem "$OUT" layers.0.type=digested "$@"
    [ ! -e "$out" ] || problem "expected nothing written for a message only digested"
    local r=pass
    end_case "$name" || r=FAIL
    matrix_row "$A2C" "$form" DigestedData "$md${legacy:+ $legacy}: exit $rc, digest reported" "$r"
}
for md in sha256 sha384 sha512; do
    for form in smime der pem; do
        dg_case "$form" "$md" 1 "" "layers.0.digest=$md" layers.0.digest_valid=true layers.0.weak=false \
            "error.class=no signers" status=invalid
    done
done
dg_case der-stream sha256 1 "" layers.0.digest=sha256 layers.0.digest_valid=true "error.class=no signers"
# SHA-1 (openssl's default for -digest_create) and MD5 are legacy.
for md in sha1 md5; do
    dg_case der "$md" 1 "" "error.class=refused by policy" layers.0.digest_valid=false
    dg_case der "$md" 1 --allow-legacy "layers.0.digest=$md" layers.0.digest_valid=true layers.0.weak=true \
        "error.class=no signers"
done
# A changed content: digest_valid false.
openssl cms -digest_create -md sha256 -binary -outform DER -in "$ENT" -out "$W/dgt.der"
"$PY" - "$W/dgt.der" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"A secret")
b[i] ^= 0x20
open(sys.argv[1], "wb").write(b)
PY
begin_case
rm -f "$W/dgt.out"
cx verify --raw --json --in "$W/dgt.der" --out "$W/dgt.out"
rc_problem 1
json_problem "$OUT" layers.0.type=digested layers.0.digest_valid=false status=invalid
[ ! -e "$W/dgt.out" ] || problem "expected nothing written"
close_row "A:digested-data:der:sha256:changed-content-digest-invalid" "$A2C" der DigestedData "sha256, content changed: digest_valid false"
# Inside openssl's signature and envelope: exit 0 and the content.
for outer in sign encrypt; do
    for md in sha256 sha512; do
        begin_case
        openssl cms -digest_create -md "$md" -in "$ENT" -out "$W/dgi.eml"
        if [ $outer = sign ]; then
            openssl cms -sign -signer "$PKI/alice.crt" -inkey "$PKI/alice.key" -certfile "$PKI/inter.crt" \
                -in "$W/dgi.eml" -out "$W/dgo.eml"
            cx verify --trust "$PKI/ca.crt" --no-address-check --json --in "$W/dgo.eml" --out "$W/dgo.out"
            json_problem "$OUT" status=valid layers.0.type=signed layers.1.type=digested \
                "layers.1.digest=$md" layers.1.digest_valid=true
        else
            openssl cms -encrypt -aes-256-gcm -in "$W/dgi.eml" -out "$W/dgo.eml" "$PKI/carol.crt"
            cx decrypt --cert "$PKI/carol.crt" --key "$PKI/carol.key" --json --in "$W/dgo.eml" --out "$W/dgo.out"
            json_problem "$OUT" status=valid layers.0.type=authEnveloped layers.1.type=digested \
                "layers.1.digest=$md" layers.1.digest_valid=true
        fi
        rc_problem 0
        content_problem smime "$W/dgo.out"
        close_row "A:digested-data:smime-in-$outer:$md" "$A2C" "smime, digested inside openssl -$outer" DigestedData "$md"
    done
done
for md in sha256 sha384 sha512; do
    for form in smime der pem; do
        b_run "B:digested-data:$form:$md" "$form" DigestedData "$md" digest --digest "$md" -- -digest_verify -- \
            'contentType: pkcs7-digestData' "algorithm: $md " 'version: 0' 'eContentType: pkcs7-data' 
    done
done
b_run "B:digested-data:smime:default-sha256" smime DigestedData "default (sha256)" digest -- -digest_verify -- \
    "algorithm: sha256 "

# ---------------- several recipients of mixed kinds ----------------
# openssl: RSA + ECDH P-256 + ECDH P-384 + KEK + password in one envelope; cachet decrypts
# with each credential alone.
MIXED_CIPHERS="aes-256-cbc aes-128-cbc"
for cipher in $MIXED_CIPHERS; do
    for form in smime der; do
        for who in alice carol dave kek pwri; do
            case $who in
                alice) cred=(--cert "$PKI/alice.crt" --key "$PKI/alice.key") km=rsaEncryption ;;
                carol) cred=(--cert "$PKI/carol.crt" --key "$PKI/carol.key") km=ecdh-stdDH-sha1kdf ;;
                dave) cred=(--cert "$PKI/dave.crt" --key "$PKI/dave.key") km=ecdh-stdDH-sha1kdf ;;
                kek) cred=(--secret-key "$KEK192" --key-id "hex:$KEKID") km=kek-aes192-wrap ;;
                pwri) cred=(--password-file "$PWF") km=pwri-pbkdf2-hmac-sha1 ;;
            esac
            a_run "A:mixed-5:$form:$who:$cipher" "$form" "rsa+ecdh-p256+ecdh-p384+kek+pwri" "$cipher, read as $who" \
                -encrypt "-$cipher" -recip "$PKI/alice.crt" -recip "$PKI/carol.crt" -recip "$PKI/dave.crt" \
                -secretkey "$KEK192" -secretkeyid "$KEKID" -pwri_password "$PASSWORD" -- "${cred[@]}" -- \
                "layers.0.cipher=$cipher" "layers.0.key_management=$km" layers.0.recipients=5
        done
    done
done
# The same without the password, AES-GCM (openssl's PWRI cannot use GCM).
for who in alice dave kek; do
    case $who in
        alice) cred=(--cert "$PKI/alice.crt" --key "$PKI/alice.key") km=rsaEncryption ;;
        dave) cred=(--cert "$PKI/dave.crt" --key "$PKI/dave.key") km=ecdh-stdDH-sha1kdf ;;
        kek) cred=(--secret-key "$KEK256" --key-id "hex:$KEKID") km=kek-aes256-wrap ;;
    esac
    a_run "A:mixed-3:der:$who:aes-256-gcm" der "rsa+ecdh-p384+kek" "aes-256-gcm, read as $who" \
        -encrypt -aes-256-gcm -recip "$PKI/alice.crt" -recip "$PKI/dave.crt" \
        -secretkey "$KEK256" -secretkeyid "$KEKID" -- "${cred[@]}" -- \
        layers.0.type=authEnveloped "layers.0.key_management=$km" layers.0.recipients=3
done

# cachet: RSA-OAEP + ECDH P-256 + X25519 + X448 + KEK + password; openssl decrypts with each
# credential it supports (not X25519/X448: cachet reads those itself). PBKDF2 at 2048
# iterations: the default is checked above, and these 16 messages would cost 20 s under ASan.
for cipher in aes-256-gcm aes-128-cbc; do
    for form in smime der; do
        mk=(encrypt --to "$PKI/alice.crt" --oaep --to "$PKI/carol.crt" --to "$PKI/xavier.crt" --to "$PKI/yvonne.crt"
            --secret-key "$KEK256" --key-id "hex:$KEKID" --password-file "$PWF" --pbkdf2-iterations 2048
            --cipher "$cipher")
        for who in alice carol kek pwri; do
            case $who in
                alice | carol) od=(-decrypt -recip "$PKI/$who.crt" -inkey "$PKI/$who.key") ;;
                kek) od=(-decrypt -secretkey "$KEK256" -secretkeyid "$KEKID") ;;
                pwri) od=(-decrypt -pwri_password "$PASSWORD") ;;
            esac
            b_run "B:mixed-6:$form:$who:$cipher" "$form" "oaep+ecdh-p256+x25519+x448+kek+pwri" "$cipher, read as $who" \
                "${mk[@]}" -- "${od[@]}" -- 'd\.ktri:' 'd\.kari:' 'd\.kekri:' 'd\.pwri:' rsaesOaep
        done
        # X25519 / X448: the peer cannot; cachet's own reading of the same message.
        for who in xavier yvonne; do
            begin_case
            raw=()
            [ "$form" = der ] && raw=(--raw)
            cx decrypt "${raw[@]}" --cert "$PKI/$who.crt" --key "$PKI/$who.key" --json --in "$W/last-b.msg" --out "$W/x.out"
            rc_problem 0
            if [ $who = xavier ]; then km=ecdh-x25519-hkdf-sha256; else km=ecdh-x448-hkdf-sha512; fi
            json_problem "$OUT" "layers.0.key_management=$km" layers.0.recipients=6
            if [ "$form" = der ]; then
                cmp -s "$ENT" "$W/x.out" || problem "expected the plaintext"
            else
                bodies_equal "$MSG" "$W/x.out" || problem "expected the body"
            fi
            if end_case "B:mixed-6:$form:$who:$cipher(self)"; then r="not supported by peer (cachet↔cachet pass)"; else r=FAIL; fi
            matrix_row "$C2A" "$form" "oaep+ecdh-p256+x25519+x448+kek+pwri" "$cipher, read as $who" "$r"
        done
    done
done

PROSE="### Shared secrets, EncryptedData, DigestedData, mixed recipients

\`tests/interop/openssl_secrets.sh\`: KEKRecipientInfo (\`openssl cms -secretkey HEX -secretkeyid HEX\`;
\`cachet --secret-key HEX --key-id hex:ID\`) with AES-128/192/256 key wrap, PasswordRecipientInfo
(\`-pwri_password\`; \`--password-file\`), EncryptedData (\`-EncryptedData_encrypt/-EncryptedData_decrypt
-secretkey\`; \`encrypt --encrypted-data --secret-key\`, \`decrypt --secret-key\`), DigestedData
(\`-digest_create/-digest_verify\`; \`cachet digest\`, \`cachet verify\`), and envelopes to several
recipients of mixed kinds. openssl → cachet: exit 0, the content (byte for byte raw, the body of
the entity in S/MIME form), \`--json\` fields (type, cipher, key_management, recipients, weak); the wrong
KEK, key id, password or key length: exit 1 and nothing written. cachet → openssl: openssl gives
the content back and \`cms -cmsout -print\` shows the structure (kekri and its wrap algorithm, PBKDF2 with
hmacWithSHA256, 600000 iterations and a 16-byte salt, the content cipher). A DigestedData alone is
never a signature: \`cachet verify\` checks and reports the digest (\`digest_valid\`) and exits 1
(\"no signers\"); inside openssl's signature or envelope the content comes out with exit 0. OpenSSL
writes PBKDF2 with hmacWithSHA1 and 2048 iterations and SHA-1 DigestedData by default (legacy in
cachet: refused without \`--allow-legacy\`). X25519/X448 recipients in a mixed envelope are read back
by cachet itself (OpenSSL 3.0's cms has no RFC 8418, see \`openssl_encrypt\`)."
ossl_matrix_write openssl_secrets "$PROSE"
finish
