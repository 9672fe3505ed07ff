# Sourced by every tests/cli/*.sh (not a test itself). Gives a private work
# directory, a fresh test PKI made with openssl (so nothing ever expires), and
# small assertion helpers. Environment from CTest: CACHET (the built cli),
# CACHET_SRC, CACHET_BUILD, CACHET_VECTORS.
set -euo pipefail

: "${CACHET:?CACHET must point to the built cachet binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachet-cli-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
cd "$WORK"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_exit STATUS CMD...: runs CMD (stdout -> out.txt, stderr -> err.txt).
expect_exit() {
    local want=$1
    shift
    local got=0
    "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || got=$?
    if [ "$got" != "$want" ]; then
        echo "--- stderr:" >&2
        cat "$WORK/err.txt" >&2
        fail "expected exit $want, got $got: $*"
    fi
}

# expect_stderr TEXT: the last expect_exit wrote TEXT (fixed string) on stderr.
expect_stderr() {
    grep -qF -- "$1" "$WORK/err.txt" || {
        cat "$WORK/err.txt" >&2
        fail "stderr lacks: $1"
    }
}

expect_stdout() {
    grep -qF -- "$1" "$WORK/out.txt" || {
        cat "$WORK/out.txt" >&2
        fail "stdout lacks: $1"
    }
}

expect_no_file() {
    [ ! -e "$1" ] || fail "$1 exists but must not"
}

# no_temp_files DIR: nothing of ours is left behind in DIR.
no_temp_files() {
    if ls -A "$1" | grep 'cachet-' >/dev/null; then
        ls -la "$1" >&2
        fail "temporary files left in $1"
    fi
}

# leaf NAME EMAIL KEYTYPE: a certificate for NAME signed by the test CA.
leaf() {
    local name=$1 email=$2 kind=$3 ku
    if [ "$kind" = ec ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "pki/$name.key" 2>/dev/null
        ku="critical,digitalSignature,keyAgreement"
    elif [ "$kind" = ed25519 ]; then
        openssl genpkey -algorithm ED25519 -out "pki/$name.key" 2>/dev/null
        ku="critical,digitalSignature"
    else
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "pki/$name.key" 2>/dev/null
        ku="critical,digitalSignature,keyEncipherment"
    fi
    cat >"pki/$name.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=$ku
extendedKeyUsage=emailProtection
subjectAltName=email:$email
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
    openssl req -new -key "pki/$name.key" -subj "/CN=$name/emailAddress=$email" \
        -out "pki/$name.csr" 2>/dev/null
    openssl x509 -req -in "pki/$name.csr" -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial \
        -days 3650 -extfile "pki/$name.ext" -out "pki/$name.crt" 2>/dev/null
}

# make_pki: pki/ca.{crt,key}, alice (RSA), bob (RSA), carol (EC P-256), all
# with emailProtection and their address in subjectAltName. CTest names the build's
# copy in CACHET_CLI_PKI (tests/pki/cli-pki.sh), which saves three RSA keys.
make_pki() {
    mkdir -p pki
    if [ -n "${CACHET_CLI_PKI:-}" ] && [ -f "$CACHET_CLI_PKI/.complete" ]; then
        cp -r "$CACHET_CLI_PKI/." pki/
        rm -f pki/.complete
        return
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -keyout pki/ca.key -out pki/ca.crt -days 3650 \
        -subj "/CN=cachet test CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    leaf alice alice@example.com rsa
    leaf bob bob@example.com rsa
    leaf carol carol@example.com ec
}

# a_message FILE [FROM]: a small RFC 5322 message with LF line ends.
a_message() {
    local from=${2:-Alice <alice@example.com>}
    printf 'From: %s\nTo: Bob <bob@example.com>\nSubject: quarterly figures\nDate: Wed, 25 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.com>\nContent-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthe figures are attached.\n' "$from" >"$1"
}

# json_check FILE PYTHON-EXPR...: each expression (with r = the parsed JSON) must be true.
json_check() {
    local file=$1
    shift
    python3 - "$file" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr, {"r": r}):
        print("JSON check failed: %s\n%s" % (expr, json.dumps(r, indent=2)), file=sys.stderr)
        sys.exit(1)
PY
}
