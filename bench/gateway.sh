#!/usr/bin/env bash
# bench/gateway.sh [N] [SESSIONS]: cachetd in figures, with real Postfix. Sends N
# messages (default 200, a 10 KiB text body each) from alice@a.example to
# bob@b.example with Postfix's smtp-source over SESSIONS parallel SMTP sessions
# (default 4), through the end-to-end topology of tests/e2e/lib.sh, twice:
#   postfix        the two Postfix instances alone (no milter): the baseline
#   cachetd        with cachetd-a (domain signature, encryption to B's DCA) and
#                  cachetd-b (decryption, verification, Authentication-Results)
# For each: wall time until every message is in the sink, messages per second,
# and for cachetd the peak resident memory of each daemon (VmHWM). Beside them
# the peer doing the same cryptographic work once per message with separate
# processes: `openssl cms` sign + encrypt + decrypt + verify, and the same four
# steps with the `cachet` tool. Figures, not pass/fail. Needs root (Postfix).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-200}
sessions=${2:-4}
export CACHET=${CACHET:-$here/build/cachet}
export CACHETD=${CACHETD:-$here/build/cachetd}
export CACHET_SRC=$here
[ -x "$CACHET" ] && [ -x "$CACHETD" ] || {
    echo "bench: build cachet and cachetd first (scripts/run demo), or set CACHET and CACHETD" >&2
    exit 2
}

# calc EXPR [FORMAT]: floating-point arithmetic.
calc() { awk "BEGIN { printf \"${2:-%.3f}\", $1 }"; }

# run_topology MODE: one timed run; prints "MODE SECONDS HWM_A_KB HWM_B_KB".
run_topology() {
    local mode=$1 base=12900
    [ "$mode" = postfix ] || base=12920
    (
        export E2E_PORT_BASE=$base
        # shellcheck source=../tests/e2e/lib.sh
        source "$here/tests/e2e/lib.sh"
        e2e_prereqs
        e2e_init "bench-$mode" "$base"
        [ "$mode" = cachetd ] || E2E_NO_CACHETD=1
        e2e_two_domains >/dev/null
        e2e_message "$WORK/msg.eml" alice@a.example bob@b.example "bench" \
            "$(head -c 7680 /dev/urandom | base64 -w 76)"
        local start end
        start=$(date +%s.%N)
        smtp-source -F "$WORK/msg.eml" -m "$n" -s "$sessions" -f alice@a.example \
            -t bob@b.example "127.0.0.1:$P_A_IN"
        e2e_wait_delivered sink "$n" 600 >/dev/null
        end=$(date +%s.%N)
        local ha=- hb=-
        if [ "$mode" = cachetd ]; then
            ha=$(awk '/VmHWM/ {print $2}' "/proc/${E2E_CACHETD_PID[a]}/status")
            hb=$(awk '/VmHWM/ {print $2}' "/proc/${E2E_CACHETD_PID[b]}/status")
            # every message really went through both gateways
            local got
            got=$(grep -l 'smime=pass' "$WORK"/sink.msgs/*.eml 2>/dev/null | wc -l || true)
            [ "$got" = "$n" ] || { echo "bench: only $got of $n messages carry smime=pass" >&2; exit 1; }
        fi
        echo "$mode $(calc "$end - $start") $ha $hb"
    )
}

# peer_loop TOOL: N x (sign, encrypt, decrypt, verify) with separate processes.
peer_loop() {
    local tool=$1 w pki start end
    w=$(mktemp -d "${TMPDIR:-/tmp}/cachet-bench-peer.XXXXXX")
    pki=$w/pki
    bash "$here/tests/pki/mkdomains.sh" "$pki" >/dev/null 2>&1
    printf 'From: <alice@a.example>\r\nTo: <bob@b.example>\r\nSubject: bench\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n%s\r\n' \
        "$(head -c 7680 /dev/urandom | base64 -w 76)" >"$w/msg.eml"
    start=$(date +%s.%N)
    for _ in $(seq "$n"); do
        if [ "$tool" = openssl ]; then
            openssl cms -sign -signer "$pki/dsa-a.crt" -inkey "$pki/dsa-a.key" -in "$w/msg.eml" -out "$w/s.eml"
            openssl cms -encrypt -aes-256-cbc -in "$w/s.eml" -out "$w/e.eml" "$pki/dca-b.crt"
            openssl cms -decrypt -recip "$pki/dca-b.crt" -inkey "$pki/dca-b.key" -in "$w/e.eml" -out "$w/d.eml"
            openssl cms -verify -CAfile "$pki/ca.crt" -purpose any -in "$w/d.eml" -out /dev/null 2>/dev/null
        else
            {
                "$CACHET" sign --cert "$pki/dsa-a.crt" --key "$pki/dsa-a.key" --signature-type domain \
                    --in "$w/msg.eml" --out "$w/s.eml"
                "$CACHET" encrypt --to "$pki/dca-b.crt" --cipher aes-256-cbc --in "$w/s.eml" --out "$w/e.eml"
                "$CACHET" decrypt --cert "$pki/dca-b.crt" --key "$pki/dca-b.key" --in "$w/e.eml" --out "$w/d.eml"
                "$CACHET" verify --trust "$pki/ca.crt" --no-address-check --in "$w/d.eml" --out /dev/null
            } 2>/dev/null
        fi
    done
    end=$(date +%s.%N)
    rm -rf "$w"
    echo "$tool $(calc "$end - $start")"
}

read -r _ t_pf _ _ < <(run_topology postfix)
read -r _ t_gw hwm_a hwm_b < <(run_topology cachetd)
read -r _ t_os < <(peer_loop openssl)
read -r _ t_cc < <(peer_loop cachet)

rate() { calc "$n / $1" %.1f; }
printf '\ncachetd end to end: %s messages of 10 KiB, %s SMTP sessions, alice@a.example -> bob@b.example\n' "$n" "$sessions"
printf '%-44s %9s %10s %s\n' "run" "seconds" "msg/s" "notes"
printf '%-44s %9.2f %10s %s\n' "Postfix A -> B alone (baseline)" "$t_pf" "$(rate "$t_pf")" ""
printf '%-44s %9.2f %10s %s\n' "Postfix + cachetd-a + cachetd-b" "$t_gw" "$(rate "$t_gw")" \
    "peak RSS cachetd-a ${hwm_a} KiB, cachetd-b ${hwm_b} KiB"
printf '%-44s %9.2f %10s %s\n' "openssl cms: sign+encrypt+decrypt+verify" "$t_os" "$(rate "$t_os")" "one process per step, no SMTP"
printf '%-44s %9.2f %10s %s\n' "cachet CLI: the same four steps" "$t_cc" "$(rate "$t_cc")" "one process per step, no SMTP"
printf 'gateway cost per message: %.1f ms over Postfix alone (%.2fx the openssl cms steps per message)\n' \
    "$(calc "($t_gw - $t_pf) * 1000 / $n")" "$(calc "($t_gw - $t_pf) / $t_os")"
