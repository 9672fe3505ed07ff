# Sourced by tests/stream/*.sh (not a test itself): large inputs made on the fly,
# every cachet process timed and its peak RSS recorded. The suite proves the
# bounded-memory promise of issue 6: peak RSS <= 16 MiB for any input size.
# Environment from CTest: CACHET, CACHET_SRC, CACHET_BUILD. Sizes: 128 MiB (8 times
# the bound, more than the 100 MB issue 6 names), 1 GiB as well with CACHET_STREAM_BIG=1.
source "$CACHET_SRC/tests/cli/lib.sh"

# Only a release build says anything about memory and time: sanitizers and -O0
# change both.
stream_require_release() {
    local cache="${CACHET_BUILD:-}/CMakeCache.txt" type
    [ -f "$cache" ] || {
        echo "SKIP: no CMakeCache.txt in CACHET_BUILD='${CACHET_BUILD:-}'"
        exit 77
    }
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
    case "$type" in
        Release | RelWithDebInfo | MinSizeRel) ;;
        *)
            echo "SKIP: the stream suite runs in a release build (this one is '${type:-none}')"
            exit 77
            ;;
    esac
    if grep -q '^CACHET_SANITIZE:BOOL=ON' "$cache"; then
        echo "SKIP: the stream suite does not run under sanitizers"
        exit 77
    fi
}

# The peak RSS bound, KiB (16 MiB).
STREAM_MAX_KIB=16384

stream_sizes() {
    if [ -n "${CACHET_STREAM_SIZES:-}" ]; then # a quicker run while debugging
        echo "$CACHET_STREAM_SIZES"
    elif [ "${CACHET_STREAM_BIG:-}" = 1 ]; then
        echo "134217728 1073741824"
    else
        echo "134217728"
    fi
}

# gen N [SEED]: N pseudo-random bytes (AES-128-CTR of zeros: fast, repeatable,
# so a stream can be made twice instead of being stored).
gen() {
    local seed=${2:-0}
    # openssl dies of SIGPIPE when head has enough: only head's status counts
    (
        set +o pipefail
        openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$seed")" \
            -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c "$1"
    )
}

# gen_mime N: an RFC 5322 message (CRLF) whose body is the base64 of gen N, in
# 76-character lines.
MIME_HEAD=$'From: alice@example.com\r\nTo: bob@example.com\r\nSubject: stream\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
gen_mime() {
    printf '%s' "$MIME_HEAD"
    gen "$1" | base64 -w 76 | sed 's/$/\r/'
}

# raw_sha: sha256 of stdin.
raw_sha() {
    sha256sum | cut -d' ' -f1
}

# await_hash FILE: the hash a tee'd process substitution leaves in FILE (it
# may end a moment after the pipeline).
await_hash() {
    local i
    for i in $(seq 600); do
        [ -s "$1" ] && break
        sleep 0.1
    done
    [ -s "$1" ] || fail "no hash of the generated input in $1"
    cat "$1"
}

# body_sha: sha256 of what follows the header of the message on stdin.
body_sha() {
    sed '1,/^\r$/d' | sha256sum | cut -d' ' -f1
}

# measure NAME CMD...: runs CMD with its stdin/stdout and keeps its peak RSS
# (KiB), wall and CPU (user + system) seconds in m.NAME; the exit status is CMD's.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    measure() {
        local name=$1
        shift
        /usr/bin/time -f '%M %e %U %S' -o "$WORK/m.$name" "$@"
    }
else
    measure() {
        local name=$1
        shift
        python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%d %.2f %.2f %.2f\n" % (ru.ru_maxrss, wall, ru.ru_utime, ru.ru_stime))
sys.exit(rc)' "$WORK/m.$name" "$@"
    }
fi

# check_rss NAME: the process NAME stayed within the bound; one report line.
STREAM_REPORT=()
STREAM_CPU=0
check_rss() {
    local name=$1 kib wall user sys
    [ -s "$WORK/m.$name" ] || fail "$name: no measurement"
    read -r kib wall user sys <"$WORK/m.$name"
    STREAM_REPORT+=("$(printf '%-30s %8s KiB %8s s wall %8s s cpu' "$name" "$kib" "$wall" \
        "$(awk "BEGIN { print $user + $sys }")")")
    echo "${STREAM_REPORT[-1]}"
    STREAM_CPU=$(awk "BEGIN { print $STREAM_CPU + $user + $sys }")
    [ "$kib" -le "$STREAM_MAX_KIB" ] || fail "$name: peak RSS $kib KiB > $STREAM_MAX_KIB KiB"
}

# pipe_ok: every command of the last pipeline exited 0 (call right after it
# with "${PIPESTATUS[@]}").
pipe_ok() {
    local what=$1 s
    shift
    for s in "$@"; do
        [ "$s" = 0 ] || fail "$what: a stage of the pipeline exited $s (statuses: $*)"
    done
}

stream_print_report() {
    echo "cachet processes: $STREAM_CPU s of CPU in all"
}
