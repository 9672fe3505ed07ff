# Helpers of bench/stream.sh (sourced; runs in its temporary directory $w with $cachet,
# $tmo, $memfrac, $md and $here set). Named .bash so that nothing registers it as a script.

calc() { awk "BEGIN { printf \"${2:-%.6g}\", $1 }"; }

# ---------------- keys ----------------
# One CA, alice (signer) and bob (recipient): RSA-2048, e-mail protection, as any S/MIME
# user certificate. Every tool gets these same keys.
setup_pki() {
    mkdir pki
    openssl req -x509 -newkey rsa:2048 -nodes -keyout pki/ca.key -out pki/ca.crt -days 30 \
        -subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    local u
    for u in alice bob; do
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "pki/$u.key" 2>/dev/null
        printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s@example.com\n' \
            "$u" >"pki/$u.ext"
        openssl req -new -key "pki/$u.key" -subj "/CN=$u" -out "pki/$u.csr" 2>/dev/null
        openssl x509 -req -in "pki/$u.csr" -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial -days 30 \
            -extfile "pki/$u.ext" -out "pki/$u.crt" 2>/dev/null
    done
    echo bench-pass >pki/pass
}

# ---------------- peers ----------------
declare -A why_not # tool -> why it has no rows ("" when it runs)
NSS_CIPHER=aes-128-cbc
GPGSM_CIPHER=aes-256-cbc
# gs ARGS...: gpgsm in batch mode in the bench's own home; passphrase (if asked) on stdin.
gs() { gpgsm --homedir "$w/gnupg" --batch --no-tty --pinentry-mode loopback --passphrase-fd 0 "$@"; }
# der_cipher FILE: the content-encryption algorithm of a small DER EnvelopedData.
der_cipher() {
    openssl asn1parse -inform DER -in "$1" 2>/dev/null | grep -o -m1 -E ':(aes|des|rc2|chacha|camellia)[a-z0-9-]*' |
        tr -d : || echo unknown
}
setup_peers() {
    local probe=$w/probe.txt
    printf 'Content-Type: text/plain\r\n\r\nprobe\r\n' >"$probe"
    why_not[cachet]=""
    why_not[openssl]=""
    # gpgsm: its own home, the CA trusted through trustlist.txt, no CRL/policy checks (there
    # is no dirmngr), the keys from PKCS#12 (PBE-SHA1-3DES: gpgsm 2.2 reads no PBES2) under
    # a cheap passphrase that gpg-agent caches for the whole run.
    why_not[gpgsm]="skipped: not installed"
    if command -v gpgsm >/dev/null && command -v gpg-agent >/dev/null && command -v gpgconf >/dev/null; then
        why_not[gpgsm]=""
        mkdir -m 700 "$w/gnupg"
        printf 'allow-loopback-pinentry\ns2k-count 65536\ndefault-cache-ttl 86400\nmax-cache-ttl 86400\n' \
            >"$w/gnupg/gpg-agent.conf"
        printf 'disable-crl-checks\ndisable-policy-checks\n' >"$w/gnupg/gpgsm.conf"
        echo "$(openssl x509 -in pki/ca.crt -noout -fingerprint -sha1 | sed 's/.*=//') S relax" >"$w/gnupg/trustlist.txt"
        local u ok=1
        gs --import pki/ca.crt <pki/pass >/dev/null 2>&1 || ok=0
        for u in alice bob; do
            openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 \
                -in "pki/$u.crt" -inkey "pki/$u.key" -name "$u" -passout file:pki/pass -out "pki/$u.g.p12"
            gs --import "pki/$u.g.p12" <pki/pass >/dev/null 2>&1 || ok=0
        done
        [ "$(gpgsm --homedir "$w/gnupg" --with-colons -K 2>/dev/null | grep -c '^crs' || true)" = 2 ] || ok=0
        if [ $ok = 1 ] && gs -r bob@example.com --cipher-algo AES256 --encrypt -o "$w/probe.g" "$probe" \
            </dev/null >/dev/null 2>&1; then
            GPGSM_CIPHER=$(der_cipher "$w/probe.g")
        else
            why_not[gpgsm]="skipped: setup failed (import of the test keys, or a probe encryption)"
        fi
    fi
    # cmsutil: an NSS database with the CA trusted for e-mail and both keys (PKCS#12).
    why_not[cmsutil]="skipped: not installed"
    if command -v cmsutil >/dev/null && command -v certutil >/dev/null && command -v pk12util >/dev/null; then
        why_not[cmsutil]=""
        mkdir "$w/nss"
        local u ok=1
        certutil -N -d "sql:$w/nss" --empty-password >/dev/null 2>&1 || ok=0
        certutil -A -d "sql:$w/nss" -n root -t "CT,C,C" -i pki/ca.crt >/dev/null 2>&1 || ok=0
        for u in alice bob; do
            openssl pkcs12 -export -in "pki/$u.crt" -inkey "pki/$u.key" -name "$u" -passout file:pki/pass \
                -out "pki/$u.n.p12"
            pk12util -i "pki/$u.n.p12" -d "sql:$w/nss" -w pki/pass -K '' >/dev/null 2>&1 || ok=0
        done
        # NSS picks the cipher itself (from the recipient's stored S/MIME profile; none here)
        if [ $ok = 1 ] && cmsutil -E -d "sql:$w/nss" -r bob@example.com -i "$probe" -o "$w/probe.n" >/dev/null 2>&1; then
            NSS_CIPHER=$(der_cipher "$w/probe.n")
        else
            why_not[cmsutil]="skipped: setup failed (NSS database, or a probe encryption)"
        fi
    fi
}
tools_line() {
    local t out=""
    for t in cachet openssl gpgsm cmsutil; do
        out+="$t ${why_not[$t]:-ok}; "
    done
    echo "${out%; }"
}

# ---------------- hardware bound ----------------
declare -A rate # "sha256" / "CIPHER enc|dec" / "b64 enc|dec": bytes per second
T_RSA_PRIV=0
T_RSA_PUB=0
speed_evp() { # ALG [-decrypt]: bytes per second, 16 KiB blocks
    openssl speed -mr -seconds 1 -bytes 16384 ${2:+"$2"} -evp "$1" 2>/dev/null | awk -F: '/^\+F:/ { print $4 }'
}
measure_hardware() {
    rate[sha256]=$(speed_evp sha256)
    local c
    for c in aes-256-gcm aes-256-cbc $NSS_CIPHER $GPGSM_CIPHER; do
        [ -n "${rate[$c enc]:-}" ] && continue
        case $c in aes-* | chacha20-poly1305) ;; *) continue ;; esac
        rate[$c enc]=$(speed_evp "$c")
        rate[$c dec]=$(speed_evp "$c" -decrypt)
    done
    local sg vf
    read -r sg vf < <(openssl speed -mr -seconds 1 rsa2048 2>/dev/null | awk -F: '/^\+F2:/ { print $4, $5 }')
    T_RSA_PRIV=$(calc "1 / $sg")
    T_RSA_PUB=$(calc "1 / $vf")
    cc -O2 -o "$w/b64speed" "$here/bench/b64speed.c" -lcrypto || {
        echo "bench: cannot build bench/b64speed.c (cc and libssl-dev are needed)" >&2
        exit 2
    }
    local k v
    while read -r k v; do rate[b64 ${k:0:3}]=$v; done < <("$w/b64speed")
}
hardware_lines() {
    local k
    echo "SHA-256: $(calc "${rate[sha256]} / 1e6" %.0f) MB/s (openssl speed -evp sha256, 16 KiB blocks)"
    for k in aes-256-gcm aes-256-cbc aes-128-cbc; do
        [ -n "${rate[$k enc]:-}" ] || continue
        echo "${k^^}: encrypt $(calc "${rate[$k enc]} / 1e6" %.0f) MB/s, decrypt $(calc "${rate[$k dec]} / 1e6" %.0f) MB/s (openssl speed -evp $k [-decrypt], 16 KiB blocks)"
    done
    echo "RSA-2048: private-key op $(calc "$T_RSA_PRIV * 1000" %.3f) ms, public-key op $(calc "$T_RSA_PUB * 1000" %.4f) ms (openssl speed rsa2048: sign, verify)"
    echo "base64: encode $(calc "${rate[b64 enc]} / 1e6" %.0f) MB/s, decode $(calc "${rate[b64 dec]} / 1e6" %.0f) MB/s of binary (bench/b64speed.c: EVP_EncodeBlock/EVP_DecodeBlock, 48 KiB calls)"
}
# bound OP FORM CIPHER BYTES: seconds the hardware needs at least: the hash or the cipher
# over the content, base64 when the output or input is S/MIME-encoded CMS, and the one RSA
# operation (private for sign/decrypt, public for verify/encrypt). I/O, MIME parsing and
# canonicalisation are the tool's cost, not the bound's.
bound() {
    local op=$1 form=$2 cipher=$3 n=$4 b64=0
    case $op:$form in
        sign:smime-opaque | encrypt:smime) b64=$(calc "$n / ${rate[b64 enc]}") ;;
        verify:smime-opaque | decrypt:smime) b64=$(calc "$n / ${rate[b64 dec]}") ;;
    esac
    case $op in
        sign) calc "$n / ${rate[sha256]} + $b64 + $T_RSA_PRIV" ;;
        verify) calc "$n / ${rate[sha256]} + $b64 + $T_RSA_PUB" ;;
        encrypt) calc "$n / ${rate[$cipher enc]:-${rate[aes-256-gcm enc]}} + $b64 + $T_RSA_PUB" ;;
        decrypt) calc "$n / ${rate[$cipher dec]:-${rate[aes-256-gcm dec]}} + $b64 + $T_RSA_PRIV" ;;
    esac
}

# ---------------- the commands ----------------
# cmd OP TOOL FORM CIPHER IN OUT: sets CMD (the command line) and STDIN (what it reads).
cmd() {
    local op=$1 tool=$2 form=$3 cipher=$4 in=$5 out=$6 nss=sql:$w/nss
    STDIN=/dev/null
    case $tool:$op in
        cachet:sign)
            CMD=("$cachet" sign --cert pki/alice.crt --key pki/alice.key)
            case $form in smime-opaque) CMD+=(--opaque) ;; der) CMD+=(--raw --opaque) ;; esac
            ;;
        cachet:verify) CMD=("$cachet" verify --trust pki/ca.crt) ;;
        cachet:encrypt) CMD=("$cachet" encrypt --to pki/bob.crt --cipher "$cipher") ;;
        cachet:decrypt) CMD=("$cachet" decrypt --cert pki/bob.crt --key pki/bob.key) ;;
        openssl:sign)
            CMD=(openssl cms -sign -md sha256 -signer pki/alice.crt -inkey pki/alice.key)
            case $form in smime-opaque) CMD+=(-nodetach) ;; der) CMD+=(-nodetach -binary -outform DER) ;; esac
            ;;
        openssl:verify) CMD=(openssl cms -verify -CAfile pki/ca.crt) ;;
        openssl:encrypt) CMD=(openssl cms -encrypt "-$cipher" -recip pki/bob.crt) ;;
        openssl:decrypt) CMD=(openssl cms -decrypt -recip pki/bob.crt -inkey pki/bob.key) ;;
        gpgsm:sign) CMD=(gs -u alice@example.com --sign -o "$out" "$in") STDIN=pki/pass ;;
        gpgsm:verify) CMD=(gs --verify -o "$out" "$in") ;;
        gpgsm:encrypt) CMD=(gs -r bob@example.com --cipher-algo AES256 --encrypt -o "$out" "$in") ;;
        gpgsm:decrypt) CMD=(gs --decrypt -o "$out" "$in") STDIN=pki/pass ;;
        cmsutil:sign) CMD=(cmsutil -S -d "$nss" -N alice -H SHA256 -i "$in" -o "$out") ;;
        cmsutil:verify | cmsutil:decrypt) CMD=(cmsutil -D -d "$nss" -i "$in" -o "$out") ;;
        cmsutil:encrypt) CMD=(cmsutil -E -d "$nss" -r bob@example.com -i "$in" -o "$out") ;;
    esac
    case $tool in
        cachet)
            [ "$form" = der ] && [ "$op" != sign ] && CMD+=(--raw)
            CMD+=(--in "$in" --out "$out")
            ;;
        openssl)
            [ "$form" = der ] && case $op in
                encrypt) CMD+=(-binary -outform DER) ;;
                verify | decrypt) CMD+=(-binary -inform DER) ;;
            esac
            CMD+=(-in "$in" -out "$out")
            ;;
    esac
    return 0
}

# ---------------- measuring ----------------
# measure REPS: runs CMD REPS times under GNU time (and timeout); sets M_RC, M_WALL and
# M_CPU (seconds per run) and M_RSS (KiB, the largest run). The loop runs in one child of
# time, so its per-run fork is in the figures as it would be in any script.
measure() {
    local reps=$1 e u s m
    rm -f "$w/time.out" "$w/err.out"
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$w/time.out" timeout "$tmo" bash -c '
        n=$1 in=$2 err=$3
        shift 3
        gs() { gpgsm --homedir "'"$w"'/gnupg" --batch --no-tty --pinentry-mode loopback --passphrase-fd 0 "$@"; }
        for ((i = 0; i < n; i++)); do "$@" <"$in" >/dev/null 2>"$err" || exit $?; done' \
        _ "$reps" "$STDIN" "$w/err.out" "${CMD[@]}"
    M_RC=$?
    set -e
    read -r e u s m < <(tail -1 "$w/time.out")
    M_WALL=$(calc "$e / $reps")
    M_CPU=$(calc "($u + $s) / $reps")
    M_RSS=$m
}

# same_content OUT EXPECTED: OUT holds EXPECTED's content: byte for byte, else the same
# body (after the header block; line breaks aside), as an S/MIME tool may rewrite headers.
same_content() {
    cmp -s "$1" "$2" && return 0
    python3 - "$1" "$2" <<'PY'
import hashlib, sys
def body(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        i = head.find(b"\r\n\r\n")
        j = head.find(b"\n\n")
        cut = min(x for x in (i + 4 if i >= 0 else 1 << 30, j + 2 if j >= 0 else 1 << 30))
        if cut == 1 << 30:
            cut = 0
        h.update(head[cut:].translate(None, b"\r\n"))
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk.translate(None, b"\r\n"))
    return h.digest()
sys.exit(0 if body(sys.argv[1]) == body(sys.argv[2]) else 1)
PY
}

declare -A last_rss # "op tool form cipher" -> "bytes KiB" at the largest size so far
# run_row SIZE BYTES REPS OP TOOL FORM CIPHER IN OUT [EXPECTED]: one row into rows.tsv.
# Returns 1 when the row has no figures (so the dependent verify/decrypt row is skipped).
run_row() {
    local _size=$1 bytes=$2 reps=$3 op=$4 tool=$5 form=$6 cipher=$7 in=$8 out=$9 exp=${10:-}
    local key="$op $tool $form $cipher" note="" st=ok
    local b
    b=$(bound "$op" "$form" "$cipher" "$bytes")
    if [ -n "${why_not[$tool]}" ]; then
        printf '%s\t%s\t%s\t%s\t-\t-\t-\tskip\t%s\t%s\n' "$op" "$tool" "$form" "$cipher" "${why_not[$tool]}" "$b" >>"$w/rows.tsv"
        return 1
    fi
    if [ "$tool" != cachet ] && [ -n "${last_rss[$key]:-}" ]; then
        local pb pr est lim
        read -r pb pr <<<"${last_rss[$key]}"
        if [ "$pb" -ge 1000000 ]; then
            est=$(calc "$pr * $bytes / $pb" %.0f)
            lim=$(awk -v f="$memfrac" '/MemAvailable/ { printf "%.0f", $2 * f }' /proc/meminfo)
            if [ "$est" -gt "$lim" ]; then
                note="skipped: would need ~$(calc "$est / 1048576" %.1f) GiB (peak RSS $(calc "$pr / 1024" %.0f) MiB at $(calc "$pb / 1048576" %.0f) MiB, scaled), over $memfrac of the available memory"
                printf '%s\t%s\t%s\t%s\t-\t-\t-\tskip\t%s\t%s\n' "$op" "$tool" "$form" "$cipher" "$note" "$b" >>"$w/rows.tsv"
                return 1
            fi
        fi
    fi
    cmd "$op" "$tool" "$form" "$cipher" "$in" "$out"
    rm -f "$out"
    if [ "$bytes" -le $((8 << 20)) ]; then
        measure "$reps" # the mean of REPS runs: one process each
    else
        # the best of up to REPS runs (the least disturbed by the rest of the machine), fewer
        # when they take long; peak RSS is the largest of them
        local r bw bc br=0 total=0
        for ((r = 0; r < reps; r++)); do
            measure 1
            [ "$M_RC" = 0 ] || break
            if [ $r = 0 ] || [ "$(calc "$M_WALL < $bw" %d)" = 1 ]; then
                bw=$M_WALL bc=$M_CPU
            fi
            [ "$M_RSS" -gt "$br" ] && br=$M_RSS
            total=$(calc "$total + $M_WALL")
            [ "$(calc "$total > 20" %d)" = 1 ] && break
        done
        if [ "$M_RC" = 0 ]; then
            M_WALL=$bw M_CPU=$bc M_RSS=$br
        fi
    fi
    if [ "$M_RC" = 124 ]; then
        st=fail note="timeout after $tmo s"
    elif [ "$M_RC" != 0 ]; then
        st=fail note="FAILED (exit $M_RC): $(grep -v -E 'not checked|DBG:' "$w/err.out" | tail -1 | cut -c1-100)"
    elif [ ! -s "$out" ]; then
        st=fail note="FAILED: no output"
    elif [ -n "$exp" ] && ! same_content "$out" "$exp"; then
        st=fail note="FAILED: the output is not the original content"
    fi
    if [ $st = ok ]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\t\t%s\n' "$op" "$tool" "$form" "$cipher" "$M_WALL" "$M_CPU" "$M_RSS" "$b" >>"$w/rows.tsv"
        last_rss[$key]="$bytes $M_RSS"
        return 0
    fi
    printf '%s\t%s\t%s\t%s\t-\t-\t-\tfail\t%s\t%s\n' "$op" "$tool" "$form" "$cipher" "$note" "$b" >>"$w/rows.tsv"
    return 1
}
# dependent_note OP: why a verify or decrypt row has nothing to work on, from the last row (OP's).
dependent_note() {
    local n
    n=$(tail -1 "$w/rows.tsv" | cut -f9)
    case $n in
        "skipped: not installed" | "skipped: setup"*) echo "$n" ;;
        skipped*) echo "skipped: its $1 row was skipped" ;;
        *) echo "skipped: its $1 row failed" ;;
    esac
}
# skip_row OP TOOL FORM CIPHER WHY
skip_row() { printf '%s\t%s\t%s\t%s\t-\t-\t-\tskip\t%s\t-\n' "$@" >>"$w/rows.tsv"; }

# ---------------- one size ----------------
to_bytes() {
    local n=${1%[KMG]}
    case $1 in *K) echo $((n << 10)) ;; *M) echo $((n << 20)) ;; *G) echo $((n << 30)) ;; esac
}
# mkmsg BYTES FILE: a message of at most BYTES: headers, then base64 lines of 76 + CRLF.
mkmsg() {
    local hdr='From: alice@example.com\r\nTo: bob@example.com\r\nSubject: bench\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    local hl lines
    hl=$(printf "$hdr" | wc -c)
    lines=$((($1 - hl) / 78))
    {
        printf "$hdr"
        head -c $((lines * 57)) /dev/urandom | base64 -w 76 | sed 's/$/\r/'
    } >"$2"
}
SIGN_ROWS="cachet smime
cachet smime-opaque
cachet der
openssl smime
openssl smime-opaque
openssl der
gpgsm der
cmsutil der"
enc_rows() {
    printf '%s\n' "cachet smime aes-256-gcm" "cachet smime aes-256-cbc" "cachet der aes-256-gcm" \
        "cachet der aes-256-cbc" "openssl smime aes-256-gcm" "openssl der aes-256-gcm" \
        "gpgsm der $GPGSM_CIPHER" "cmsutil der $NSS_CIPHER"
}
run_size() {
    local s=$1 bytes reps avail need
    bytes=$(to_bytes "$s")
    if [ -n "${BENCH_REPS:-}" ]; then
        reps=$BENCH_REPS
    elif [ "$bytes" -le $((64 << 10)) ]; then
        reps=100
    elif [ "$bytes" -le $((8 << 20)) ]; then
        reps=50
    elif [ "$bytes" -le $((256 << 20)) ]; then
        reps=3
    else
        reps=1
    fi
    echo
    # the message, one signed or encrypted copy (S/MIME: 1.37 x) and one output at a time,
    # and a decrypting tool's own temporary copy of the plaintext
    avail=$(df -B1 --output=avail "$w" | tail -1)
    need=$((bytes * 5 + (64 << 20)))
    if [ "$avail" -lt "$need" ]; then
        echo "## $s: skipped: needs $((need >> 20)) MiB free in $w, has $((avail >> 20)) MiB"
        [ -z "$md" ] || printf '### %s\n\nSkipped: needs %s MiB free in %s, has %s MiB.\n\n' "$s" $((need >> 20)) "$w" $((avail >> 20)) >>"$md"
        return 0
    fi
    local t0 msg=$w/msg.eml
    t0=$(date +%s)
    mkmsg "$bytes" "$msg"
    local mb
    mb=$(stat -c %s "$msg")
    : >"$w/rows.tsv"
    local tool form cipher
    while read -r tool form; do
        if run_row "$s" "$mb" "$reps" sign "$tool" "$form" sha256 "$msg" "$w/s.out"; then
            run_row "$s" "$mb" "$reps" verify "$tool" "$form" sha256 "$w/s.out" "$w/v.out" "$msg" || true
        else
            skip_row verify "$tool" "$form" sha256 "$(dependent_note sign)"
        fi
        rm -f "$w/s.out" "$w/v.out"
    done <<<"$SIGN_ROWS"
    while read -r tool form cipher; do
        if run_row "$s" "$mb" "$reps" encrypt "$tool" "$form" "$cipher" "$msg" "$w/e.out"; then
            run_row "$s" "$mb" "$reps" decrypt "$tool" "$form" "$cipher" "$w/e.out" "$w/d.out" "$msg" || true
        else
            skip_row decrypt "$tool" "$form" "$cipher" "$(dependent_note encrypt)"
        fi
        rm -f "$w/e.out" "$w/d.out"
    done < <(enc_rows)
    rm -f "$msg"
    local how="the mean of $reps runs per row"
    [ "$bytes" -le $((8 << 20)) ] || how="the best of up to $reps runs per row (fewer past 20 s)"
    [ "$reps" != 1 ] || how="one run per row"
    local head="$s: message of $mb bytes ($(calc "$mb / 1048576" %.2f) MiB); $how; $(($(date +%s) - t0)) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    # the targets are stated for 100 MB (and the same memory at 1 GB)
    local tg=0
    [ "$bytes" -lt $((64 << 20)) ] || tg=1
    echo "## $head"
    report text $tg <"$w/rows.tsv"
    if [ -n "$md" ]; then
        { printf '### %s\n\n' "$head"; report md $tg <"$w/rows.tsv"; echo; } >>"$md"
    fi
}

# report text|md [TARGETS] < rows.tsv: the table (ratios to the fastest peer and to the
# bound), then with TARGETS=1 the issue's targets for every cachet row.
report() {
    awk -F'\t' -v mode="$1" -v targets="${2:-0}" '
    function f(v) {
        if (v == "-" || v == "") return "-"
        if (v >= 100) return sprintf("%.0f", v)
        if (v >= 10) return sprintf("%.1f", v)
        if (v >= 1) return sprintf("%.2f", v)
        if (v >= 0.01) return sprintf("%.3f", v)
        return sprintf("%.5f", v)
    }
    function shown(op, form) {
        if (form == "smime") return (op == "sign" || op == "verify") ? "S/MIME multipart/signed" : "S/MIME pkcs7-mime"
        if (form == "smime-opaque") return "S/MIME pkcs7-mime"
        return "DER (raw CMS)"
    }
    function row(a, b, c, d, e, g, h, i, j, k) {
        if (mode == "md") printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a, b, c, d, e, g, h, i, j, k
        else printf "%-8s %-8s %-24s %-12s %9s %9s %9s %8s %8s  %s\n", a, b, c, d, e, g, h, i, j, k
    }
    { n++; op[n] = $1; tool[n] = $2; form[n] = $3; ci[n] = $4; wall[n] = $5; cpu[n] = $6; rss[n] = $7
      st[n] = $8; note[n] = $9; bnd[n] = $10
      if ($8 == "ok" && $2 != "cachet" && (!(($1) in best) || $5 < best[$1])) { best[$1] = $5; bestt[$1] = $2 }
      if ($8 == "ok" && ($2 == "gpgsm" || $2 == "cmsutil") && (!(($1) in raw) || $5 < raw[$1])) { raw[$1] = $5; rawc[$1] = $6; rawt[$1] = $2 }
      if ($8 == "ok" && $2 == "openssl") { osl[$1 " " $3 " " $4] = $5; oslc[$1 " " $3 " " $4] = $6
        if (!(($1 " " $3) in osl2)) { osl2[$1 " " $3] = $5; oslc2[$1 " " $3] = $6 } } }
    END {
        if (mode == "md") { print "| op | tool | form | cipher | wall s | cpu s | peak RSS MiB | × fastest peer | × bound | note |"; print "|---|---|---|---|---:|---:|---:|---:|---:|---|" }
        else row("op", "tool", "form", "cipher", "wall s", "cpu s", "RSS MiB", "x peer", "x bound", "")
        for (i = 1; i <= n; i++) {
            c = (op[i] == "sign" || op[i] == "verify") ? "-" : ci[i]
            if (st[i] == "ok") {
                xp = (op[i] in best) ? f(wall[i] / best[op[i]]) : "-"
                row(op[i], tool[i], shown(op[i], form[i]), c, f(wall[i]), f(cpu[i]), sprintf("%.1f", rss[i] / 1024), xp, f(wall[i] / bnd[i]), (tool[i] != "cachet" && xp == "1.00") ? "fastest peer" : "")
            } else row(op[i], tool[i], shown(op[i], form[i]), c, "-", "-", "-", "-", "-", note[i])
        }
        if (!targets) exit
        if (mode == "md") { print ""; print "Targets of issue 6 (stated for 100 MB) for each cachet row:"; print ""
            print "| op | form | cipher | peak RSS MiB ≤ 16 | wall × bound ≤ 1.5 (cpu) | openssl cms ÷ cachet, wall ≥ 3 (cpu) | cachet ÷ fastest raw-CMS peer, wall ≤ 1 (cpu; peer) |"
            print "|---|---|---|---|---|---|---|" }
        else { print ""; print "targets of issue 6 (stated for 100 MB), cachet rows:" }
        for (i = 1; i <= n; i++) {
            if (tool[i] != "cachet" || st[i] != "ok") continue
            r = rss[i] / 1024
            t1 = sprintf("%.1f %s", r, r <= 16 ? "yes" : "NO")
            xb = wall[i] / bnd[i]; t2 = sprintf("%s %s (cpu %s)", f(xb), xb <= 1.5 ? "yes" : "NO", f(cpu[i] / bnd[i]))
            k = op[i] " " form[i] " " ci[i]; k2 = op[i] " " form[i]
            o = (k in osl) ? osl[k] : (k2 in osl2 ? osl2[k2] : ""); oc = (k in osl) ? oslc[k] : (k2 in osl2 ? oslc2[k2] : "")
            t3 = (o == "") ? "no openssl row" : sprintf("%s %s (cpu %s)", f(o / wall[i]), o / wall[i] >= 3 ? "yes" : "NO", cpu[i] > 0 ? f(oc / cpu[i]) : "-")
            t4 = (op[i] in raw) ? sprintf("%s %s (cpu %s; %s)", f(wall[i] / raw[op[i]]), wall[i] <= raw[op[i]] ? "yes" : "NO", rawc[op[i]] > 0 ? f(cpu[i] / rawc[op[i]]) : "-", rawt[op[i]]) : "no raw-CMS peer row"
            c = (op[i] == "sign" || op[i] == "verify") ? "-" : ci[i]
            if (mode == "md") printf "| %s | %s | %s | %s | %s | %s | %s |\n", op[i], shown(op[i], form[i]), c, t1, t2, t3, t4
            else printf "  %-7s %-24s %-12s RSS %-9s x bound %-20s openssl/cachet %-20s cachet/raw peer %s\n", op[i], shown(op[i], form[i]), c, t1, t2, t3, t4
        }
    }'
}
