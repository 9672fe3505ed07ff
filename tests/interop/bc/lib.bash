# Sourced by tests/interop/bc.sh (never run): setup, the BC peer, checks and the doc section.
# shellcheck shell=bash

BCCP=$(bash "$BC_DIR/build.sh" "$W/classes") || {
    echo "FAIL setup: expected CachetPeer.java to compile"
    exit 1
}
BC_NAME="Bouncy Castle" # + the version CachetPeer reports

# ---- extra keys the shared PKI lacks: Ed448 and DSA signers, X25519 and X448 recipients ----
extra_leaf() { # extra_leaf NAME ALG KEYUSAGE
    local n=$1
    if [ "$2" = DSA ]; then
        openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -pkeyopt dsa_paramgen_q_bits:256 \
            -out "$W/$n.param" 2>/dev/null
        openssl genpkey -paramfile "$W/$n.param" -out "$PKI/$n.key"
    else
        openssl genpkey -algorithm "$2" -out "$PKI/$n.key"
    fi
    local fk=() csrkey=$PKI/$n.key
    if [ "$2" = X25519 ] || [ "$2" = X448 ]; then
        # X25519/X448 cannot sign a request: the request carries another key, replaced.
        csrkey=$W/csr-$n.key
        openssl genpkey -algorithm ED25519 -out "$csrkey"
        openssl pkey -in "$PKI/$n.key" -pubout -out "$W/$n.pub"
        fk=(-force_pubkey "$W/$n.pub")
    fi
    openssl req -new -key "$csrkey" -subj "/C=XX/O=Cachet Test/CN=$n/emailAddress=$n@example.com" -out "$W/$n.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s@example.com\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
        "$3" "$n" >"$W/$n.ext"
    openssl x509 -req -in "$W/$n.csr" "${fk[@]}" -CA "$PKI/inter.crt" -CAkey "$PKI/inter.key" \
        -set_serial "0x$4" -days 3650 -sha256 -extfile "$W/$n.ext" -out "$PKI/$n.crt" 2>/dev/null
}
extra_leaf grace ED448 digitalSignature,nonRepudiation 5001
extra_leaf xavier X25519 keyAgreement 5002
extra_leaf yvonne X448 keyAgreement 5003
extra_leaf dora DSA digitalSignature,nonRepudiation 5004

# Shared secrets: KEK keys (AES-128/192/256 key wrap) with their KEKIdentifier, a password.
KEK128=000102030405060708090a0b0c0d0e0f
KEK192=101112131415161718191a1b1c1d1e1f2021222324252627
KEK256=303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
KEKID=62632d6b65792d31 # "bc-key-1"
PASSWORD='correct horse battery staple'
printf '%s\n' "$PASSWORD" >"$W/password.txt"
export CACHET_BC_PASSWORD=$PASSWORD

ENT=$W/entity.txt
write_entity "$ENT" "A message between Bouncy Castle and cachet."
MSG=$W/message.txt
write_message "$MSG"
# A multipart/mixed entity (text and a base64 attachment), and a message around it: MIME
# canonicalisation across nested parts.
MIX_ENT=$W/mixed-entity.txt
{
    printf 'Content-Type: multipart/mixed; boundary="bc-mix-1"\r\n\r\nPreamble.\r\n--bc-mix-1\r\n'
    printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachment.  \r\n\r\n'
    printf -- '--bc-mix-1\r\nContent-Type: application/octet-stream; name=data.bin\r\n'
    printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=data.bin\r\n\r\n'
    head -c 3000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
    printf -- '--bc-mix-1--\r\n'
} >"$MIX_ENT"
MIX_MSG=$W/mixed-message.txt
{
    printf 'From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: with attachment\r\n'
    printf 'MIME-Version: 1.0\r\n'
    cat "$MIX_ENT"
} >"$MIX_MSG"

# ---- the cli's secret-key and password options (issue 5), in one place ----
# The KEK id as text for two keys, as hex:DIGITS for the AES-128 one (both spellings).
kek_args() {
    if [ "$1" = "$KEK128" ]; then
        echo "--secret-key $1 --key-id hex:$KEKID"
    else
        echo "--secret-key $1 --key-id bc-key-1"
    fi
}
# Passwords: from a file when encrypting, from the environment when decrypting.
pass_enc_args=(--password-file "$W/password.txt" --pbkdf2-iterations 10000)
pass_enc_default_args=(--password-file "$W/password.txt")
pass_dec_args=(--password-env CACHET_BC_PASSWORD)

# ---- jobs for CachetPeer: ID OP --opt VALUE ..., tab-separated ----
JOBS_A=$W/jobs-a
JOBS_B=$W/jobs-b
: >"$JOBS_A"
: >"$JOBS_B"
job() { # job FILE ID OP ARGS...
    local f=$1
    shift
    local IFS=$'\t'
    echo "$*" >>"$f"
}
declare -A RES
run_peer() { # run_peer JOBS RESULTS
    # C1 only and the serial GC: a short batch run spends less on the JIT than it gains.
    if ! java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$BCCP" CachetPeer batch "$1" "$2" 2>"$W/java.err"; then
        echo "FAIL setup: expected CachetPeer to run, got: $(head -3 "$W/java.err" | tr '\n' ' ')"
        exit 1
    fi
    local id st d
    while IFS=$'\t' read -r id st d; do
        RES[$id]="$st"$'\t'"$d"
    done <"$2"
    BC_NAME="Bouncy Castle $(res_detail version)"
}
res_status() { echo "${RES[$1]%%$'\t'*}"; }
res_detail() { echo "${RES[$1]#*$'\t'}"; }

row() { matrix_row "$@"; }
record() { # record CASE-NAME DIRECTION FORM ALG PARAM: after begin_case/problem...
    if end_case "$1"; then
        row "$2" "$3" "$4" "$5" pass
    else
        row "$2" "$3" "$4" "$5" FAIL
    fi
}
# unsupported CASE DIRECTION FORM ALG PARAM WHY
declare -A UNSUP # short reason -> the algorithms/parameters it concerns
unsupported() {
    skip "$1" "not supported by peer ($BC_NAME: $6)"
    row "$2" "$3" "$4" "$5" "not supported by peer"
    local why what=""
    case $6 in
        *"X25519/X448 key agreement in CMS"*)
            why="X25519/X448 key agreement, BC writing: its CMS runs the EC KeyAgreement on them (\"can't identify EC private key\")" ;;
        *1.2.840.113549.1.9.16.3.19* | *1.2.840.113549.1.9.16.3.2[01]*)
            why="RFC 8418 HKDF key agreement (dhSinglePass-stdDH-hkdf-sha*, what cachet writes for X25519/X448), BC reading: no KeyAgreement for the OID" ;;
        *"chacha20-poly1305 is not an AEAD"*)
            why="ChaCha20-Poly1305 (RFC 8103), BC writing: its JceCMSContentEncryptorBuilder gives no AEAD encryptor for CMSAuthEnvelopedDataGenerator (BC reads it: see cachet → BC)" ;;
        *)
            why=$(echo "$6" | cut -c1-150)
            what="$1"
            ;;
    esac
    [[ "${UNSUP[$why]:-}" == *"[$what]"* ]] || UNSUP[$why]="${UNSUP[$why]:-}[$what]"
}
unsup_reasons() { # one line per reason, with the cases it concerns when not obvious
    local k w
    for k in "${!UNSUP[@]}"; do
        w=${UNSUP[$k]//\[\]/}
        w=${w//][/, }
        echo "$k${w:+ (${w//[\[\]]/})}"
    done | sort
}

# ---- cachet writes (direction B) ----
declare -A B_MADE
b_make() { # b_make ID CASE FORM ALG PARAM ARGS...: runs cachet ARGS --out $W/ID
    local id=$1 name=$2 form=$3 alg=$4 param=$5
    shift 5
    rm -f "$W/$id"
    cx "$@" --out "$W/$id"
    if [ "$RC" = 0 ] && [ -s "$W/$id" ] && ! crashed; then
        B_MADE[$id]=1
        return 0
    fi
    begin_case
    rc_problem 0
    [ -s "$W/$id" ] || problem "expected cachet to write the message"
    record "$name" "cachet → BC" "$form" "$alg" "$param"
    return 1
}

# PEER_SELF["kind:label:param"] = no when BC wrote such a message but could not read it back
# (then BC failing on cachet's is BC's limit); unset when BC could not write it at all (a
# failure on cachet's message then counts, unless BC says it does not know the algorithm).
declare -A PEER_SELF
peer_self() { # peer_self KEY ID
    [ "$(res_status "$2")" = OK ] || return 0
    if [[ $(res_detail "$2") != *self=ok* ]]; then
        PEER_SELF[$1]=no
    elif [ -z "${PEER_SELF[$1]:-}" ]; then
        PEER_SELF[$1]=ok
    fi
}
# a_produced ID CASE DIRFORM ALG PARAM: BC made the message? else the case ends here.
a_produced() {
    case $(res_status "$1") in
        OK) return 0 ;;
        UNSUPPORTED) unsupported "$2" "BC → cachet" "$3" "$4" "$5" "$(res_detail "$1" | cut -c1-160)" ;;
        *)
            begin_case
            problem "expected BC to produce the message, got: $(res_detail "$1" | cut -c1-300)"
            record "$2" "BC → cachet" "$3" "$4" "$5"
            ;;
    esac
    return 1
}
body_problem() { # body_problem EXPECTED GOT: S/MIME content check with the inner header
    if [ ! -f "$2" ] || ! bodies_equal "$1" "$2"; then
        problem "expected the body back, got '$(body "$2" 2>/dev/null | head -c 80 | tr '\r\n' '  ')'"
    elif ! grep -q -i '^Content-Type: text/plain' "$2"; then
        problem "expected the inner Content-Type header in the output"
    fi
}

# mixed_problem OUT: the multipart/mixed entity came back whole (its header and body).
mixed_problem() {
    if [ ! -f "$1" ] || ! bodies_equal "$MIX_ENT" "$1"; then
        problem "expected the multipart body back, got '$(body "$1" 2>/dev/null | head -c 80 | tr '\r\n' '  ')'"
    elif ! grep -q -i '^Content-Type: multipart/mixed' "$1"; then
        problem "expected the inner multipart/mixed header in the output"
    fi
}

# b_consumed ID CASE FORM ALG PARAM SELF-KEY: BC read it? (OK: 0; else the case ends here:
# not supported by peer when BC failed on its own message of the same kind too)
b_consumed() {
    local st d
    st=$(res_status "$1")
    d=$(res_detail "$1" | cut -c1-300)
    case $st in
        OK) return 0 ;;
        UNSUPPORTED) unsupported "$2" "cachet → BC" "$3" "$4" "$5" "$(echo "$d" | cut -c1-160)" ;;
        *)
            if [ "${PEER_SELF[$6]:-ok}" = no ]; then
                unsupported "$2" "cachet → BC" "$3" "$4" "$5" "BC fails on its own message too: $(echo "$d" | cut -c1-140)"
            else
                begin_case
                problem "expected BC to accept it, got: $d"
                record "$2" "cachet → BC" "$3" "$4" "$5"
            fi
            ;;
    esac
    return 1
}

# b_content_problem FORM OUTFILE: what BC gave back is what cachet was given.
b_content_problem() {
    if [ "$1" = smime ]; then
        bodies_equal "$MSG" "$2" || problem "expected BC to give back the body"
    else
        cmp -s "$ENT" "$2" 2>/dev/null || problem "expected BC to give back the content byte for byte"
    fi
}

# The section of doc/interop.md: lib.sh's matrix_write, with the prose (BC's version and the
# reasons it gave for what it does not support) made here.
bc_matrix_write() {
    [ "${CACHET_WRITE_DOC:-0}" = 1 ] || return 0
    local prose
    prose=$("$PY" - "$BC_NAME" "$UNSUP_REASONS" <<'PY'
import sys, textwrap
peer, reasons = sys.argv[1:3]
why = sorted(set(l for l in reasons.splitlines() if l.strip()))
prose = (
    "`tests/interop/bc.sh` drives %s (Debian's `libbcprov-java`, `libbcpkix-java`, "
    "`libbcmail-java`) through the Java peer in `tests/interop/bc/` (`CachetPeer`), compiled with `javac` at test "
    "time, using BC's CMS API (`CMSSignedDataGenerator`, `CMSSignedDataStreamGenerator`, "
    "`CMSEnvelopedDataGenerator`, `CMSAuthEnvelopedDataGenerator`, `CMSEncryptedDataGenerator`, "
    "`CMSCompressedDataGenerator`, `Jce*RecipientInfoGenerator`, `CMSDigestedData`; a DigestedData "
    "is built from BC's ASN.1 classes, BC 1.72 has no generator for it) and its S/MIME API "
    "(`SMIMESignedGenerator`, `SMIMEEnvelopedGenerator`, `SMIMECompressedGenerator`, "
    "`SMIMESigned`, `SMIMEEnveloped`, `SMIMECompressed`). **BC → cachet**: BC writes, cachet "
    "verifies/decrypts/decompresses: exit 0, the `--json` report fields, the content (a "
    "DigestedData alone is integrity only: cachet must report `digest_valid` and still fail it, "
    "exit 1). **cachet → BC**: cachet writes, BC verifies (every SignerInfo, PKIX chain to the "
    "root), decrypts, decompresses or checks the digest, gives back the content, and the "
    "algorithms it saw are checked. Forms: `smime-*` (MIME, BC's generators; AuthEnvelopedData, "
    "EncryptedData and DigestedData wrapped by hand: bcmail 1.72 has no generator for them), `der-*` "
    "(`--raw`), `der-stream-*` (BC's stream generators: indefinite-length BER), `pem*` (BC's "
    "`JcaPEMWriter`, `-----BEGIN PKCS7-----`; cachet's `--format pem`). Keys: the shared "
    "test PKI plus Ed448 (grace), X25519 (xavier) and X448 (yvonne) made by the suite; KEKs for "
    "AES-128/192/256 key wrap; a password (PBKDF2, 10000 iterations; `password-default` is "
    "cachet's default, 600000). From cachet, a KEK is never shorter than the content key (RFC 3565 "
    "§2.3.2; cachet refuses that when writing). Legacy (`*-legacy` cases, BC → cachet only: "
    "cachet never writes them): 3DES, DES, RC2/40/64/128, CAST5, IDEA, SEED, Camellia content and "
    "SHA-1, MD5 and DSA signatures must be refused by default (exit 1, naming `--allow-legacy`) and "
    "read with `--allow-legacy`, reported weak; \"not available in cachet's OpenSSL\": Debian 12's "
    "OpenSSL has no IDEA, and cachet says so cleanly. \"not supported by peer\": BC raised an "
    "unknown-algorithm error, or fails on a message of that kind it wrote itself." % peer)
prose = "### Bouncy Castle\n\n" + textwrap.fill(prose, 100, break_on_hyphens=False) + "\n"
if why:
    prose += "\nNot supported by %s:\n\n" % peer + "".join(
        textwrap.fill("- " + w.replace("|", "/")[:300], 100, subsequent_indent="  ",
                      break_on_hyphens=False) + "\n" for w in why[:25])
print(prose)
PY
    )
    matrix_write bc "$BC_NAME" "$prose"
}
