#!/usr/bin/env bash
# Runs one shell test suite for CTest. A suite that reads the shared vector corpus
# is reported as skipped (exit 77) when the corpus is not beside the checkout:
# without it the suite cannot prove anything, and it must not pass either.
script=$1
if grep -q 'CACHET_VECTORS' "$script" && [ ! -d "${CACHET_VECTORS:-}" ]; then
    echo "SKIP: $(basename "$script") needs the shared vector corpus (not at '${CACHET_VECTORS:-}')"
    exit 77
fi
exec bash "$script"
