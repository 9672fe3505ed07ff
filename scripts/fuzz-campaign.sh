#!/usr/bin/env bash
# A long libFuzzer run of one target, bounded by CPU time rather than wall time
# (on a shared machine the fuzzer runs at low priority and wall time says little).
#
#   scripts/fuzz-campaign.sh TARGET CPU_SECONDS [FUZZ_BUILD_DIR]
#
# TARGET is a fuzz/fuzz_<module>_<what>.c stem. The build directory (default
# build-fuzz) must hold cachet_fuzz_TARGET (CC=clang cmake -DCACHET_FUZZ=ON).
# The working corpus lives in $CACHET_FUZZ_WORK/TARGET/corpus (default
# ~/.cache/cachet-fuzz), seeded from fuzz/corpus/TARGET and kept between runs,
# so that hours add up over several sessions; crashes, leaks and timeouts land in
# .../TARGET/artifacts. One line per run is appended to .../ledger.tsv:
#   date  target  commit  cpu_seconds  executions  coverage  features  corpus  findings
# Copy those lines into fuzz/campaign-ledger.tsv before a session ends: the working directory
# does not outlive its machine, the committed ledger does (doc/fuzzing.md sums it).
# Commit new findings (their inputs) under fuzz/corpus/TARGET with a regression
# test, and a minimised corpus with: cachet_fuzz_TARGET -merge=1 NEW_DIR WORK_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: fuzz-campaign.sh TARGET CPU_SECONDS [FUZZ_BUILD_DIR]}
budget=${2:?usage: fuzz-campaign.sh TARGET CPU_SECONDS [FUZZ_BUILD_DIR]}
build=${3:-$here/build-fuzz}
bin=$build/fuzz/cachet_fuzz_$target
[ -x "$bin" ] || { echo "fuzz-campaign: $bin not built (CC=clang cmake -DCACHET_FUZZ=ON)" >&2; exit 2; }

work=${CACHET_FUZZ_WORK:-$HOME/.cache/cachet-fuzz}
corpus=$work/$target/corpus
artifacts=$work/$target/artifacts
mkdir -p "$corpus" "$artifacts"
if [ -d "$here/fuzz/corpus/$target" ]; then
    cp -n "$here/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
fi
dict=$here/fuzz/asn1.dict
[ ! -f "$here/fuzz/$target.dict" ] || dict=$here/fuzz/$target.dict
log=$work/$target/run-$(date -u +%Y%m%dT%H%M%S).log
# slow-unit-* files are not findings: libFuzzer measures them in wall time, which a low-priority
# run on a busy machine stretches (one such 10 s unit ran in 0.2 s alone).
findings_now() { find "$artifacts" -type f ! -name 'slow-unit-*' | wc -l; }
before=$(findings_now)

# A finding (crash, leak, timeout, out-of-memory) ends the run, its input in artifacts.
# The timeout is wall time as well: two 10 s timeouts were this low-priority run starved
# beside a sanitizer test run (their inputs ran in 0.35 and 0.86 s alone); 60 s still
# ends a real hang.
# A CACHET_FUZZ build without CACHET_SANITIZE recovers from UBSan reports: without
# halt_on_error a report is printed and the run goes on, its input not saved.
# The ledger's commit is the checkout's at the start (the binary's own is not known here).
rev=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    nice -n 19 "$bin" -dict="$dict" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 &
pid=$!
ticks=$(getconf CLK_TCK)
cpu=0
while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if [ -r "/proc/$pid/stat" ]; then
        # Fields 14 and 15 (after the parenthesised name): user and system ticks.
        read -r utime stime < <(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12, $13}')
        cpu=$(((utime + stime) / ticks))
        if [ "$cpu" -ge "$budget" ]; then
            kill -INT "$pid" 2>/dev/null || true
            break
        fi
    fi
done
wait "$pid" || true

execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
size=$(find "$corpus" -type f | wc -l)
findings=$(($(findings_now) - before))
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$rev" "$cpu" \
    "${execs:-?}" "${cov:-?}" "${ft:-?}" "$size" "$findings" >>"$work/ledger.tsv"
echo "$target: ${cpu}s CPU, ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, corpus $size, findings $findings (log $log)"
if [ "$findings" -gt 0 ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal' "$log"; then
    grep -E '^==[0-9]+==ERROR|^SUMMARY: |Test unit written' "$log" | head -5
    exit 1
fi
