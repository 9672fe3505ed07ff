#!/usr/bin/env bash
# scripts/static-analysis.sh [BUILD_DIR [FILE...]]
# clang-tidy (checks in .clang-tidy) and cppcheck over src/ (library, CLI, gateway), with
# the compile commands of a build (BUILD_DIR, default build; configured here if it has no
# compile_commands.json). Prints every finding as file:line: message [check] and exits 1
# when there is any. FILEs (paths under src/) narrow the run. A finding is fixed at its
# root or, where the code is right, justified inline:
#   clang-tidy:  // NOLINT(check-name): reason
#   cppcheck:    // cppcheck-suppress id ; reason
# Environment: JOBS (default nproc), CACHET_SA_TOOLS (default "clang-tidy cppcheck").
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${1:-${BUILD_DIR:-build}}
[ $# -eq 0 ] || shift
jobs=${JOBS:-$(nproc)}
tools=${CACHET_SA_TOOLS:-clang-tidy cppcheck}
db="$build/compile_commands.json"

if [ ! -f "$db" ]; then
    # CMakeLists.txt sets CMAKE_EXPORT_COMPILE_COMMANDS; configuring is enough.
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cachet-sa.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The translation units under src/ (or the FILEs given), as absolute paths.
python3 - "$db" "$here/src/" "$@" >"$work/files" <<'EOF'
import json, os, sys
db, prefix, want = sys.argv[1], sys.argv[2], {os.path.abspath(f) for f in sys.argv[3:]}
seen = set()
for e in json.load(open(db)):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(prefix) and (not want or f in want) and f not in seen:
        seen.add(f)
        print(f)
EOF
if [ ! -s "$work/files" ]; then
    echo "static-analysis: no source under src/ in $db" >&2
    exit 2
fi

status=0
# file:line:col: severity: message [check] -> file:line: message [check], relative paths.
report() {
    sed -E -e "s|^$here/||" -e 's/^([^:]+:[0-9]+):[0-9]+: (warning|error): /\1: /' \
        -e 's/,-warnings-as-errors\]$/]/' | sort -u
}

run_clang_tidy() {
    local t0=$SECONDS
    # One file per process: clang-tidy 14 crashes (RawComment) when several files share one.
    # -Wno-unknown-warning-option: the commands are gcc's (-Wno-format-truncation).
    mkdir "$work/tidy"
    # shellcheck disable=SC2016
    xargs -P "$jobs" -I{} bash -c '
        out="$1/tidy/$(echo "$2" | md5sum | cut -c1-16)"
        clang-tidy -p "$3" --quiet --extra-arg=-Wno-unknown-warning-option \
            --header-filter="^$4/(src|include)/" "$2" >"$out.out" 2>"$out.err" ||
            echo "$2 $out" >>"$1/tidy-failed"' _ "$work" {} "$build" "$here" <"$work/files"
    cat "$work"/tidy/*.out | grep -E '^/[^ ]+:[0-9]+:[0-9]+: (warning|error): ' | report \
        >"$work/tidy-findings" || true
    local n
    n=$(wc -l <"$work/tidy-findings")
    cat "$work/tidy-findings"
    if [ -s "$work/tidy-failed" ]; then
        # A failure without a finding is a crash or a broken compile command: show it.
        while read -r f out; do
            if ! grep -qE '^/[^ ]+:[0-9]+:[0-9]+: (warning|error): ' "$out.out"; then
                echo "${f#"$here"/}:1: clang-tidy failed without a finding:"
                tail -n 20 "$out.out" "$out.err"
                status=1
            fi
        done <"$work/tidy-failed"
    fi
    [ "$n" -eq 0 ] || status=1
    echo "== clang-tidy: $n finding(s) in $(wc -l <"$work/files") files, $((SECONDS - t0)) s"
}

run_cppcheck() {
    local t0=$SECONDS filters=() f
    if [ $# -eq 0 ]; then
        # Relative where the build is inside the checkout, absolute where it is not.
        filters=(--file-filter='src/*' --file-filter="$here/src/*")
    else
        for f in "$@"; do
            # cppcheck matches the filter against the path in the compile database
            # (absolute): a leading * lets the relative path match its end.
            filters+=(--file-filter="*$(realpath --relative-to="$here" "$f")")
        done
    fi
    # Include paths and defines come from the compile commands (the project's own -I,
    # the -isystem of libpq and p11-kit); findings inside system headers are not ours.
    # __CPPCHECK__ hides the macro-built lookup tables of src/lib/mime/codec_b64.c, whose
    # expansion alone took cppcheck 182 of its 217 s.
    local rc=0
    cppcheck --project="$db" -D__CPPCHECK__ "${filters[@]}" -j "$jobs" --quiet \
        --enable=warning,performance,portability,style --inline-suppr \
        --library=posix --library=openssl --suppress='*:/usr/include/*' \
        --error-exitcode=1 --template='{file}:{line}: {severity}: {message} [{id}]' \
        >"$work/cppcheck.out" 2>&1 || rc=$?
    report <"$work/cppcheck.out" >"$work/cppcheck-findings"
    cat "$work/cppcheck-findings"
    local n
    n=$(grep -cE '^[^ ]+:[0-9]+: ' "$work/cppcheck-findings" || true)
    [ "$rc" -eq 0 ] || status=1
    echo "== cppcheck: $n finding(s), $((SECONDS - t0)) s"
}

for tool in $tools; do
    case $tool in
        clang-tidy) run_clang_tidy ;;
        cppcheck) run_cppcheck "$@" ;;
        *) echo "static-analysis: unknown tool $tool" >&2; exit 2 ;;
    esac
done
exit $status
