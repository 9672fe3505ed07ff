#!/usr/bin/env bash
# Checks doc/conformance.md against the tree:
#  1. every requirement ID of the conformance files appears in exactly one table row, and no row
#     names an ID that the files do not have;
#  2. every cited test exists: tests/unit/*.c:NAME needs TEST_CASE(NAME) in that file;
#     tests/.../*.sh:"TEXT" needs TEXT literally in that script; tests/.../*.sh:CASE needs CASE
#     literally in that script or, for case names built in loops, an "ok CASE" line in the saved
#     suite outputs under $CONFORMANCE_LOGS (without it such names are only warned about).
# Usage: scripts/conformance-check.sh   (env: CACHET_CONFORMANCE=dir of rfc*.md, CONFORMANCE_LOGS=dir)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
doc=$root/doc/conformance.md
conf=${CACHET_CONFORMANCE:-$root/../shared/conformance}
logs=${CONFORMANCE_LOGS:-}
errors=0
warnings=0
err() { echo "ERROR: $*"; errors=$((errors + 1)); }
warn() { echo "warning: $*"; warnings=$((warnings + 1)); }

[ -f "$doc" ] || { echo "ERROR: $doc missing"; exit 1; }
[ -d "$conf" ] || { echo "ERROR: no conformance files at $conf (set CACHET_CONFORMANCE)"; exit 1; }

# 1. IDs: those of the files versus the first column of the doc's tables.
want=$(mktemp)
have=$(mktemp)
cites=$(mktemp)
trap 'rm -f "$want" "$have" "$cites"' EXIT
grep -ho '^- \*\*R[0-9][0-9A-Za-z.:-]*\*\*' "$conf"/rfc*.md | sed 's/^- \*\*//; s/\*\*$//' | sort >"$want"
# per-RFC tables have 4 columns (or 3 for the out-of-scope RFCs); the summary lists repeat IDs
# with 3 columns too, so count only rows inside "## RFC" sections.
awk '/^## RFC /{in_rfc=1; next} /^## /{in_rfc=0} in_rfc && /^\| R[0-9]/{print $2}' "$doc" | sort >"$have"
missing=$(comm -23 "$want" <(sort -u "$have"))
extra=$(comm -13 "$want" <(sort -u "$have"))
dups=$(uniq -d "$have")
for id in $missing; do err "ID $id has no row in doc/conformance.md"; done
for id in $extra; do err "row for $id, which is in no conformance file"; done
for id in $dups; do err "ID $id has more than one row"; done

# 2. Citations: `tests/...:NAME` in backticks.
# shellcheck disable=SC2016 # literal backticks
grep -o '`tests/[^`<]*`' "$doc" | tr -d '`' | sort -u >"$cites"
while IFS= read -r c; do
    file=${c%%:*}
    name=${c#*:}
    if [ ! -f "$root/$file" ]; then
        err "$c: no file $file"
        continue
    fi
    case $file in
        *.c)
            grep -q "TEST_CASE($name)" "$root/$file" || err "$c: no TEST_CASE($name) in $file"
            ;;
        *.sh)
            if [[ $name == \"*\" ]]; then
                text=${name#\"}
                text=${text%\"}
                grep -qF -- "$text" "$root/$file" || err "$c: text not found in $file"
            elif grep -qP -- "(?<![A-Za-z0-9_.:-])\\Q$name\\E(?![A-Za-z0-9_.:-])" "$root/$file"; then
                : # the whole case name appears literally (not as part of a longer name)
            elif [ -n "$logs" ]; then
                grep -rqxF -- "ok $name" "$logs" || err "$c: case not in $file nor passed in $logs"
            else
                warn "$c: case name built at run time (set CONFORMANCE_LOGS to check it)"
            fi
            ;;
        *) err "$c: not a test file" ;;
    esac
done <"$cites"

# 3. Code locations: `src/lib/<module>/<file>:<function>` must name an existing file that
#    defines or mentions that function.
# shellcheck disable=SC2016 # literal backticks
grep -o '`src/lib/[^`<]*`' "$doc" | tr -d '`' | sort -u | while IFS= read -r loc; do
    file=${loc%%:*}
    fn=${loc#*:}
    if [ ! -f "$root/$file" ]; then
        echo "ERROR: $loc: no file $file"
    elif [ "$fn" != "$loc" ] && ! grep -q "\b$fn(" "$root/$file"; then
        echo "ERROR: $loc: no function $fn in $file"
    fi
done >"$cites.loc"
while IFS= read -r line; do err "${line#ERROR: }"; done <"$cites.loc"
rm -f "$cites.loc"

echo "conformance-check: $(wc -l <"$want") IDs, $(wc -l <"$cites") distinct citations, $errors errors, $warnings warnings"
[ "$errors" = 0 ]
