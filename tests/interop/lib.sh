# Shared helpers for the shell suites (interop, vectors, attacks), sourced, never run.
#
# Sets: CACHET (the cli), CACHET_SRC, W (a private work dir removed on exit), PKI (after
# make_pki). Each case prints one line, "ok <case>" or "FAIL <case>: expected ..., got ...";
# finish exits 1 if any case failed.
set -euo pipefail

# The system python starts several times faster than a version-manager shim; the suites
# need only the standard library.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
CACHET_SRC=${CACHET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [ -z "${CACHET:-}" ]; then
    for c in "${CACHET_BUILD:-/nonexistent}/cachet" "$CACHET_SRC"/build/cachet "$CACHET_SRC"/build-*/cachet; do
        if [ -x "$c" ]; then
            CACHET=$c
            break
        fi
    done
fi
if [ -z "${CACHET:-}" ] || [ ! -x "$CACHET" ]; then
    echo "FAIL setup: expected the cachet cli (\$CACHET), got '${CACHET:-unset}'"
    exit 1
fi
export CACHET CACHET_SRC
CACHET_VECTORS=${CACHET_VECTORS:-$CACHET_SRC/../shared/vectors}

W=$(mktemp -d "${TMPDIR:-/tmp}/cachet-test.XXXXXX")
trap 'rm -rf "$W"' EXIT

# One python process answers every report and body check of a suite: a fresh python per
# check cost more than the check (about 1,200 starts over the interop suites, 50-90 ms
# each). Requests are tab-separated lines, answers "0" or "1<TAB>message". The coprocess's
# pipe ends are copied to ordinary descriptors, because bash closes its own in subshells
# and pipelines. One request at a time: never ask from two process substitutions at once.
coproc CHECKER { "$PY" -u -c '
import json, sys
def body(p):
    try:
        d = open(p, "rb").read().replace(b"\r\n", b"\n")
    except OSError:
        return None
    i = d.find(b"\n\n")
    return (d[i + 2:] if i >= 0 else b"").rstrip(b"\n")
def fields(path, specs):
    try:
        r = json.load(open(path))
    except Exception as e:
        return "report is not JSON (%s)" % e
    bad = []
    for spec in specs:
        key, _, want = spec.partition("=")
        v = r
        try:
            for k in key.split("."):
                v = v[int(k)] if isinstance(v, list) else v[k]
            got = v if isinstance(v, str) else json.dumps(v)
        except (KeyError, IndexError, ValueError, TypeError):
            got = "<missing>"
        if got != want:
            bad.append("%s=%s (got %s)" % (key, want, got))
    return "; ".join(bad)
for line in sys.stdin:
    a = line.rstrip("\n").split("\t")
    if a[0] == "body":
        b1 = body(a[1])
        msg = "" if b1 is not None and b1 == body(a[2]) else "bodies differ"
    else:
        msg = fields(a[1], a[2:])
    print("1\t" + " ".join(msg.splitlines()) if msg else "0", flush=True)
'; }
exec {CHECK_TO}>&"${CHECKER[1]}" {CHECK_FROM}<&"${CHECKER[0]}"
# checker body A B | checker json FILE PATH=VALUE...: status 0 or 1, CHECK_MSG set.
checker() {
    local IFS=$'\t' reply
    if ! echo "$*" >&"$CHECK_TO" || ! IFS= read -r reply <&"$CHECK_FROM"; then
        echo "FAIL setup: expected the report checker (python) to answer, it stopped"
        exit 1
    fi
    CHECK_MSG=${reply#1$'\t'}
    [ "$reply" = 0 ]
}
# bodies_equal A B: the two messages/entities have the same body (see body).
bodies_equal() { checker body "$1" "$2"; }
n_ok=0
n_fail=0
n_skip=0

ok() { echo "ok $1"; n_ok=$((n_ok + 1)); }
fail() { echo "FAIL $1: $2"; n_fail=$((n_fail + 1)); }
skip() { echo "skip $1: $2"; n_skip=$((n_skip + 1)); }
finish() {
    echo "# $n_ok passed, $n_fail failed, $n_skip skipped"
    [ "$n_fail" -eq 0 ] || exit 1
    exit 0
}

make_pki() {
    PKI=$W/pki
    bash "$CACHET_SRC/tests/pki/mkpki.sh" "$PKI"
}

# need_vectors: without the corpus the suite proves nothing: exit 77, which CTest reports
# as skipped (SKIP_RETURN_CODE, as tests/run-suite.sh does).
need_vectors() {
    if [ ! -d "$CACHET_VECTORS" ]; then
        echo "SKIP: the shared vector corpus is not at $CACHET_VECTORS (set CACHET_VECTORS)"
        exit 77
    fi
}

# cx ARGS... runs the cli; sets RC, and OUT/ERR to the files holding stdout/stderr.
OUT=$W/last.out
ERR=$W/last.err
cx() {
    RC=0
    "$CACHET" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
# cxin FILE ARGS... the same with FILE on stdin.
cxin() {
    local in=$1
    shift
    RC=0
    "$CACHET" "$@" <"$in" >"$OUT" 2>"$ERR" || RC=$?
}

# crashed: the last run died on a signal or a sanitizer spoke.
crashed() {
    [ "$RC" -ge 128 ] || grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$ERR"
}

# rc_is CASE EXPECTED: checks the last exit status, prints FAIL on mismatch (not ok).
# EXPECTED may list alternatives, "1|3", where the contract leaves the class open.
rc_in() { [[ "|$1|" == *"|$RC|"* ]]; }
rc_is() {
    if ! rc_in "$2"; then
        fail "$1" "expected exit $2, got $RC ($(head -c 300 "$ERR" | tr '\n' ' '))"
        return 1
    fi
    if crashed; then
        fail "$1" "expected a clean run, got a sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$ERR")"
        return 1
    fi
    return 0
}

# expect CASE RC ARGS...: run and check only the exit status.
expect() {
    local name=$1 rc=$2
    shift 2
    cx "$@"
    if rc_is "$name" "$rc"; then ok "$name"; fi
}

# refused CASE RC OUTFILE ARGS...: a failure that must leave no output: exact exit status,
# OUTFILE absent (pass --out OUTFILE in ARGS), stdout empty, a message on stderr; with
# WHERE_CHECK=1 a malformed-input message (exit 3) must also say where (path or offset).
refused() {
    local name=$1 rc=$2 outf=$3
    shift 3
    rm -f "$outf"
    cx "$@"
    rc_is "$name" "$rc" || return 0
    if [ -e "$outf" ]; then
        fail "$name" "expected no output file, got $(stat -c %s "$outf") bytes in $outf"
    elif [ -s "$OUT" ]; then
        fail "$name" "expected empty stdout, got $(head -c 100 "$OUT" | tr '\n' ' ')"
    elif [ ! -s "$ERR" ]; then
        fail "$name" "expected a message on stderr, got nothing"
    elif [ "${WHERE_CHECK:-0}" = 1 ] && [ "$RC" = 3 ] && ! grep -q -E '\(at |byte [0-9]' "$ERR"; then
        fail "$name" "expected the message to say where (ASN.1 path or byte offset), got '$(tr '\n' ' ' <"$ERR")'"
    else
        ok "$name"
    fi
}

# jfields FILE PATH=VALUE...: checks report fields; PATH is dotted (layers.0.signers.0.chain),
# VALUE as JSON prints it for booleans/numbers/null, raw for strings. Prints mismatches.
jfields() {
    checker json "$@" || {
        echo "$CHECK_MSG"
        return 1
    }
}

# jcheck CASE FILE PATH=VALUE...: jfields as a case.
jcheck() {
    local name=$1 file=$2 msg
    shift 2
    if msg=$(jfields "$file" "$@"); then
        ok "$name"
    else
        fail "$name" "expected report fields, got: $msg"
    fi
}

# body FILE: the body of a MIME entity/message (after the first empty line), line ends
# normalised to LF and trailing newlines dropped, on stdout.
body() {
    "$PY" - "$1" <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
i = d.find(b"\n\n")
b = d[i + 2:] if i >= 0 else b""
sys.stdout.buffer.write(b.rstrip(b"\n"))
PY
}

# same_body CASE EXPECTED_FILE GOT_FILE: the bodies are equal.
same_body() {
    if bodies_equal "$2" "$3"; then
        ok "$1"
    else
        fail "$1" "expected body '$(body "$2" | head -c 80)', got '$(body "$3" | head -c 80)'"
    fi
}

# same_bytes CASE EXPECTED_FILE GOT_FILE: byte for byte.
same_bytes() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        fail "$1" "expected $(stat -c %s "$2") bytes equal to $2, got $(stat -c %s "$3") bytes differing"
    fi
}

# contains CASE FILE TEXT: FILE contains TEXT (fixed string).
contains() {
    if grep -q -F -- "$3" "$2"; then
        ok "$1"
    else
        fail "$1" "expected '$3' in output, got '$(head -c 120 "$2" | tr '\n' ' ')'"
    fi
}

# a test message from alice to bob: headers + a text/plain entity, CRLF line ends.
write_message() { # write_message FILE [FROM] [BODY]
    local from=${2:-alice@example.com} text=${3:-Hello Bob, this is a signed and sealed message.}
    printf 'From: Alice <%s>\r\nTo: Bob <bob@example.com>\r\nSubject: test message\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\nMessage-ID: <test-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\nSecond line.\r\n' \
        "$from" "$text" >"$1"
}
# a bare MIME entity (what openssl cms -sign/-encrypt is given).
write_entity() { # write_entity FILE [BODY]
    printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\nSecond line.\r\n' \
        "${2:-Hello from the interop suite.}" >"$1"
}

# The interop matrix: matrix_row DIRECTION FORM ALGORITHM PARAMETER RESULT appends a row;
# matrix_write SECTION [PEER [PROSE [NOTES_TITLE NOTES_FILE]]] rewrites what lies between the
# markers of SECTION in doc/interop.md (only when CACHET_WRITE_DOC=1; the file is generated and
# committed): PROSE, then NOTES_TITLE and the distinct lines of NOTES_FILE (the peer's own
# reasons for its "not supported" rows), the counts and the table. PEER defaults to
# `openssl version`. A section not there yet is appended at the end.
MATRIX=$W/matrix
: >"$MATRIX"
matrix_row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >>"$MATRIX"; }
matrix_write() {
    [ "${CACHET_WRITE_DOC:-0}" = 1 ] || return 0
    local doc=$CACHET_SRC/doc/interop.md
    # shellcheck disable=SC2094 # the lock is on the file the script rewrites
    (
        flock 9
        "$PY" - "$doc" "$1" "$MATRIX" "${2:-$(openssl version)}" "${3:-}" "${4:-}" "${5:-/dev/null}" <<'PY'
import os, sys
doc, section, rows, peer, prose, notes_title, notes = sys.argv[1:8]
begin, end = "<!-- BEGIN %s -->" % section, "<!-- END %s -->" % section
text = open(doc).read() if os.path.exists(doc) else ""
if not text.strip():
    text = "# Interoperability with other S/MIME implementations\n"
body = open(rows).read()
res = [l.rsplit("|", 2)[-2].strip() for l in body.splitlines() if l.startswith("|")]
summary = "%d pass, %d FAIL, %d not supported by peer" % (
    sum(r == "pass" or r.startswith("pass ") for r in res), sum(r == "FAIL" for r in res),
    sum(r.startswith("not supported") for r in res))
unavailable = sum(r.startswith("not available") for r in res)
if unavailable:
    summary += ", %d not available in cachet's OpenSSL" % unavailable
why = []
for l in open(notes).read().splitlines():
    if l.strip() and l not in why:
        why.append(l)
block = begin + "\n"
if prose:
    block += prose.rstrip("\n") + "\n\n"
if why:
    block += notes_title + "\n\n" + "\n".join(why) + "\n\n"
block += "_Generated by `CACHET_WRITE_DOC=1 tests/interop/%s.sh` against %s: %s._\n\n" \
         "| direction | form | algorithm | parameter | result |\n|---|---|---|---|---|\n%s%s" % (
             section, peer, summary, body, end)
if begin in text and end in text:
    a = text.index(begin)
    b = text.index(end) + len(end)
    text = text[:a] + block + text[b:]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(doc, "w").write(text)
PY
    ) 9>>"$doc"
}

# Per-case error accumulation: begin_case; problem "..." (any number); end_case NAME.
begin_case() { PROBLEMS=""; }
problem() { PROBLEMS="${PROBLEMS:+$PROBLEMS; }$1"; }
end_case() {
    if [ -z "$PROBLEMS" ]; then
        ok "$1"
        return 0
    fi
    fail "$1" "$PROBLEMS"
    return 1
}
# rc_problem EXPECTED: records a problem if the last cli run did not exit EXPECTED.
rc_problem() {
    if ! rc_in "$1"; then
        problem "expected exit $1, got $RC ($(head -c 200 "$ERR" | tr '\n' ' '))"
    elif crashed; then
        problem "expected a clean run, got a sanitizer report"
    fi
}
# json_problem FILE PATH=VALUE...: records mismatching report fields.
json_problem() {
    local msg
    msg=$(jfields "$@") || problem "expected report fields: $msg"
}

# run_table: table-driven cases on stdin, one per line (# comments, blank lines skipped):
#   name | cli arguments (shell words, variables expanded) | exit status | checks
# checks, separated by ';':
#   out~TEXT       the --out file ($O) contains TEXT          !out~TEXT  $O and stdout do not
#   stdout~TEXT    stdout contains TEXT                        err~TEXT   stderr contains TEXT
#   json:PATH=V    the JSON report on stdout has PATH = V      nooutput   $O absent, stdout empty,
#                                                                         a message on stderr
#   same:FILE      $O equals FILE byte for byte               body:FILE  $O has the body of FILE
#   nofile         $O absent (with --json, whose report is on stdout)
# The arguments may use $O (the output file) and any variable the caller exported.
O=$W/table.out
run_table() {
    local line name args rc checks c
    while IFS= read -r line; do
        case $line in '' | \#*) continue ;; esac
        IFS='|' read -r name args rc checks <<<"$line"
        name=$(echo "$name" | xargs)
        rc=$(echo "$rc" | xargs)
        rm -f "$O"
        local argv=()
        eval "argv=($args)"
        cx "${argv[@]}"
        begin_case
        rc_problem "$rc"
        IFS=';' read -r -a cl <<<"$checks"
        for c in "${cl[@]}"; do
            c=$(echo "$c" | sed -e 's/^ *//' -e 's/ *$//')
            case $c in
                '') ;;
                out~*) grep -q -F -- "${c#out~}" "$O" 2>/dev/null || problem "expected '${c#out~}' in the output, got '$(head -c 100 "$O" 2>/dev/null | tr '\r\n' '  ')'" ;;
                '!out~'*) ! grep -q -F -- "${c#!out~}" "$O" "$OUT" 2>/dev/null || problem "expected no '${c#!out~}' in any output, got it" ;;
                stdout~*) grep -q -F -- "${c#stdout~}" "$OUT" || problem "expected '${c#stdout~}' on stdout" ;;
                err~*) grep -q -i -F -- "${c#err~}" "$ERR" || problem "expected '${c#err~}' on stderr, got '$(head -c 150 "$ERR" | tr '\n' ' ')'" ;;
                json:*) json_problem "$OUT" "${c#json:}" ;;
                nofile) [ ! -e "$O" ] || problem "expected no output file, got $(stat -c %s "$O") bytes" ;;
                nooutput)
                    [ ! -e "$O" ] || problem "expected no output file, got $(stat -c %s "$O") bytes"
                    [ ! -s "$OUT" ] || problem "expected empty stdout"
                    [ -s "$ERR" ] || problem "expected a message on stderr"
                    ;;
                same:*) eval "cmp -s \"${c#same:}\" \"\$O\"" || problem "expected the output to equal ${c#same:}" ;;
                body:*) eval "bodies_equal \"${c#body:}\" \"\$O\"" || problem "expected the body of ${c#body:}" ;;
                *) problem "bad check '$c' in the table" ;;
            esac
        done
        end_case "$name" || true
    done
}

# ---- building messages around CMS objects (attack suites) ----
# smime_wrap DER OUT SMIME-TYPE [FROM]: an application/pkcs7-mime message (CRLF).
smime_wrap() {
    {
        printf 'From: %s\r\nTo: bob@example.com\r\nSubject: test message\r\nMIME-Version: 1.0\r\n' "${4:-alice@example.com}"
        printf 'Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\r\n' "$3"
        printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n'
        base64 -w 64 "$1" | sed 's/$/\r/'
    } >"$2"
}
# multipart_signed ENTITY P7S-DER OUT [FROM]: multipart/signed of ENTITY (CRLF MIME entity)
# with P7S-DER as the signature part.
multipart_signed() {
    {
        printf 'From: %s\r\nTo: bob@example.com\r\nSubject: test message\r\nMIME-Version: 1.0\r\n' "${4:-alice@example.com}"
        printf 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig-b0undary"\r\n\r\n'
        printf -- '--sig-b0undary\r\n'
        cat "$1"
        printf '\r\n--sig-b0undary\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n'
        printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7s\r\n\r\n'
        base64 -w 64 "$2" | sed 's/$/\r/'
        printf -- '--sig-b0undary--\r\n'
    } >"$3"
}
# strip_headers MSG OUT: the MIME entity of a message: drops From/To/Subject/Date/
# Message-ID/MIME-Version so the rest can be nested inside another multipart.
strip_headers() {
    "$PY" - "$1" "$2" <<'PY'
import re, sys
d = open(sys.argv[1], "rb").read()
sep = b"\r\n\r\n" if b"\r\n\r\n" in d else b"\n\n"
h, b = d.split(sep, 1)
nl = b"\r\n" if sep == b"\r\n\r\n" else b"\n"
keep, cur = [], None
for line in h.split(nl):
    if line[:1] in (b" ", b"\t") and cur is not None:
        cur.append(line)
        continue
    cur = [line]
    name = line.split(b":", 1)[0].strip().lower()
    if name not in (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"sender"):
        keep.append(cur)
open(sys.argv[2], "wb").write(nl.join(l for c in keep for l in c) + sep + b)
PY
}
# mixed OUT FROM ENTITY...: multipart/mixed of the given entities (files).
mixed() {
    local out=$1 from=$2 sub=${MIXED_SUBTYPE:-mixed}
    shift 2
    {
        printf 'From: %s\r\nTo: bob@example.com\r\nSubject: test message\r\nMIME-Version: 1.0\r\n' "$from"
        printf 'Content-Type: multipart/%s; boundary="mix-b0undary"\r\n\r\n' "$sub"
        local e
        for e in "$@"; do
            printf -- '--mix-b0undary\r\n'
            cat "$e"
            printf '\r\n'
        done
        printf -- '--mix-b0undary--\r\n'
    } >"$out"
}
MUTATE="$PY -B $CACHET_SRC/tests/attacks/mutate.py" # -B: no __pycache__ in the tree
