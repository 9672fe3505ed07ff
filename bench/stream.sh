#!/usr/bin/env bash
# bench/stream.sh [SIZE...]: large messages in figures, cachet beside its peers.
# SIZE is 4K, 1M, 100M, 1G (binary units; default all four). For each size one
# message is generated (MIME headers and a base64 body of random bytes, CRLF,
# SIZE bytes at most) and every tool works on that same file with the same keys
# (RSA-2048 signer alice and recipient bob under one test CA, made here with
# openssl and imported into gpgsm and an NSS database):
#   cachet     S/MIME (multipart/signed, --opaque, application/pkcs7-mime) and --raw DER
#   openssl    `openssl cms`, S/MIME and -binary DER
#   gpgsm      raw CMS (DER): it reads no MIME
#   cmsutil    raw CMS (DER), NSS
# Operations: sign, verify (each tool its own signature), encrypt (AES-256-GCM
# where the tool can, else AES-256-CBC; cmsutil has no cipher option), decrypt
# (each tool its own message). Every output is checked once (verify and decrypt
# give the input back) so that a broken row is never a fast row.
# Per row: wall time, CPU (user+sys) and peak RSS from GNU time, per operation
# (the mean of several whole-process runs for small sizes); the ratio to the
# fastest peer on the same operation; the ratio to the hardware bound measured
# in the same run (openssl speed: SHA-256, AES, RSA-2048; bench/b64speed.c:
# OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock). Then the targets of issue 6 per
# cachet row. Figures, not pass/fail; doc/performance.md explains the method.
# Environment: CACHET (default build/cachet), BENCH_MD=FILE (also write the
# tables as markdown), BENCH_REPS (runs per row, default by size: 100 up to
# 64 KiB, 50 up to 8 MiB, 3 up to 256 MiB, else 1), BENCH_TIMEOUT (seconds per
# row, default 900), BENCH_MEM_FRACTION (a peer whose RSS, extrapolated from a
# smaller size of this run, would pass this fraction of the available memory is
# skipped; default 0.6), BENCH_SMALL=0 (skip bench/small.sh at the end).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cachet=${CACHET:-$here/build/cachet}
[ -x "$cachet" ] || {
    echo "bench: no cachet at $cachet (build the target cachet-cli, or set CACHET)" >&2
    exit 2
}
cachet=$(cd "$(dirname "$cachet")" && pwd)/$(basename "$cachet")
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed (apt-get install time)" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(4K 1M 100M 1G)
for s in "${sizes[@]}"; do
    [[ $s =~ ^[0-9]+[KMG]$ ]] || { echo "bench: size '$s': expected a number with K, M or G" >&2; exit 2; }
done
md=${BENCH_MD:-}
[ -z "$md" ] || md=$(cd "$(dirname "$md")" && pwd)/$(basename "$md")
tmo=${BENCH_TIMEOUT:-900}
memfrac=${BENCH_MEM_FRACTION:-0.6}

w=$(mktemp -d "${TMPDIR:-/tmp}/cachet-bench-stream.XXXXXX")
cleanup() {
    [ -d "$w/gnupg" ] && gpgconf --homedir "$w/gnupg" --kill gpg-agent >/dev/null 2>&1 || true
    rm -rf "$w"
}
trap cleanup EXIT
cd "$w"
t_start=$(date +%s)
# shellcheck source=stream_lib.bash
. "$here/bench/stream_lib.bash"

# ---------------- machine ----------------
commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$here" diff --quiet HEAD -- 2>/dev/null || commit+=" with uncommitted changes"
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$cachet")/CMakeCache.txt" 2>/dev/null || true)
machine=(
    "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores ($(grep -o -m1 -w -E 'avx512f|avx2' /proc/cpuinfo | head -1 || echo no avx2)$(grep -q -m1 -w sha_ni /proc/cpuinfo && echo ', sha_ni')$(grep -q -m1 -w aes /proc/cpuinfo && echo ', aes-ni'))"
    "ram: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    "system: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    "cachet: $("$cachet" --version 2>&1 | head -1), commit $commit${btype:+, $btype build}, $cachet"
    "openssl: $(openssl version)"
    "gpgsm: $(command -v gpgsm >/dev/null && gpgsm --version | head -1 || echo 'not installed')"
    "cmsutil: $(command -v cmsutil >/dev/null && echo "NSS $(dpkg-query -W -f '${Version}' libnss3 2>/dev/null || echo '(version unknown)')" || echo 'not installed')"
    "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)$(awk -v n="$(nproc)" '$1 > n / 4 { print ": other work is running, wall times will be inflated (cpu times less so)" }' /proc/loadavg)"
)
echo "# bench/stream.sh ${sizes[*]}"
printf '%s\n' "${machine[@]}"
if [ -n "$md" ]; then
    {
        echo "Machine and versions (\`bench/stream.sh ${sizes[*]}\`):"
        echo
        printf -- '- %s\n' "${machine[@]}"
        echo
    } >"$md"
fi

# ---------------- keys and peers ----------------
setup_pki
setup_peers
echo
echo "tools: $(tools_line)"

# ---------------- hardware bound ----------------
measure_hardware
echo
echo "hardware (same run, one thread; bytes are the binary side):"
hardware_lines | sed 's/^/  /'
if [ -n "$md" ]; then
    {
        echo "Hardware bound measured in the same run (one thread):"
        echo
        hardware_lines | sed 's/^/- /'
        echo
    } >>"$md"
fi

# ---------------- the sizes ----------------
for s in "${sizes[@]}"; do
    run_size "$s"
done

# ---------------- small messages, library rate ----------------
if [ "${BENCH_SMALL:-1}" != 0 ] && [ -f "$here/bench/small.sh" ]; then
    sb=${CACHET_BENCH_SMALL:-$(dirname "$cachet")/cachet_bench_small}
    echo
    if [ -x "$sb" ]; then
        echo "## small messages, library (bench/small.sh 1, one context and credential reused)"
        CACHET_BENCH_SMALL=$sb bash "$here/bench/small.sh" 1 | tee "$w/small.out"
        if [ -n "$md" ]; then
            { echo "Small messages through the library (\`bench/small.sh 1\`):"; echo; echo '```'
              cat "$w/small.out"; echo '```'; echo; } >>"$md"
        fi
    else
        echo "small messages, library: not run (build the target cachet_bench_small, or set CACHET_BENCH_SMALL)"
    fi
fi
echo
echo "bench: $(($(date +%s) - t_start)) s in all"
