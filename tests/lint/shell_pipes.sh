#!/usr/bin/env bash
# The shell suites run under `set -o pipefail`. `PRODUCER | grep -q PATTERN` stops
# reading at the first match; a producer that writes again afterwards dies of SIGPIPE
# and pipefail turns the match into a failure (e2e.tamper failed so in CI,
# 2026-11-28, on `printf '%s\n' "$held" | grep -Eq`). A negated check then passes
# whatever the output. Write `PRODUCER | grep PATTERN >/dev/null`: GNU grep reads its
# whole input unless told -q.
set -euo pipefail
src=${CACHET_SRC:?CACHET_SRC must point to the source tree}
cd "$src"
# Every suite sources a lib.sh that sets pipefail, so every script is checked.
mapfile -t files < <(find tests scripts .ci -name '*.sh' -o -name '*.bash' | sort)
files+=(scripts/run .ci/run)
# grep's own options only: up to the next |, ; or &, so a later command's -q does not count.
found=$(grep -nE '(^|[^|])\|[[:space:]]*grep([[:space:]]+[^|;&]*)?[[:space:]](-[[:alpha:]]*q[[:alpha:]]*|--quiet|--silent)([[:space:]]|$)' \
    "${files[@]}" 2>/dev/null | grep -v '^tests/lint/' || true)
if [ -n "$found" ]; then
    printf '%s\n' "$found" >&2
    echo "FAIL: a pipe into grep -q under pipefail (above): write 'grep PATTERN >/dev/null' instead" >&2
    exit 1
fi
echo "ok shell_pipes: no pipe into grep -q in ${#files[@]} shell scripts"
echo "# 1 passed, 0 failed"
