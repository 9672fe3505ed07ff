# Sourced by every tests/e2e/*.sh (not a test itself) and by scripts/demo.sh.
# Two mail domains, each a private Postfix instance on 127.0.0.1 with cachetd as an
# after-queue milter:
#
#   swaks -> A:PORT+0 (smtpd, queue) --content_filter--> A:PORT+1 (smtpd + cachetd-a)
#         -> A's queue --transport_maps--> B:PORT+2 (smtpd, queue) --content_filter-->
#            B:PORT+3 (smtpd + cachetd-b) -> B's queue -> relayhost smtp-sink PORT+4 (sink/)
#
# The milters sit behind a content filter hop so that a tempfail from cachetd (or
# cachetd being down: milter_default_action = tempfail) leaves the message deferred
# in that instance's own queue, where the tests look for it and flush it. (XFORWARD
# on the filter hop reaches Postfix's logs and Received fields, not the milter
# macros: cachetd sees the filter hop, 127.0.0.1, as its client; untrusted.sh submits
# straight to the milter smtpd for that reason.)
# A copy of everything A sends to B goes to a second smtp-sink on PORT+5 (tap/): A's
# filter smtpd has its own cleanup that adds always_bcc after cachetd has run, so
# the tap holds exactly the bytes that travelled between the domains.
# cachetd-a and cachetd-b listen on inet PORT+6 and PORT+7.
#
# Environment: CACHET (cli), CACHETD (daemon), CACHET_SRC; E2E_PORT_BASE overrides
# the script's base port (each script passes its own, so parallel ctest runs never
# collide). Postfix needs root (its own users, setgid postdrop): outside CI a
# non-root run is a skip (77); under CI=true it is a failure.
set -euo pipefail

: "${CACHET:?CACHET must point to the built cachet binary}"
E2E_SRC=${CACHET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

e2e_skip() {
    if [ "${CI:-}" = true ] || [ "${E2E_STRICT:-0}" = 1 ]; then
        echo "FAIL: $* (the end-to-end tests must run under CI)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*" >&2
    e2e_dump_logs >&2 || true
    exit 1
}

e2e_log() { printf -- '-- [%ss] %s\n' "$SECONDS" "$*"; }

# e2e_prereqs [nocachetd]: root, the Postfix tools, swaks, and the cachetd binary.
e2e_prereqs() {
    [ "$(id -u)" = 0 ] || e2e_skip "the end-to-end tests run Postfix instances and need root"
    local t
    for t in postfix postconf postqueue postsuper smtp-sink swaks openssl python3; do
        command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
            e2e_skip "$t is not installed (scripts/run deps installs it)"
    done
    id postfix >/dev/null 2>&1 || e2e_skip "no 'postfix' user (install the postfix package)"
    getent group postdrop >/dev/null || e2e_skip "no 'postdrop' group (install the postfix package)"
    [ "${1:-}" = nocachetd ] || [ -x "${CACHETD:-}" ] || e2e_skip "no cachetd binary at '${CACHETD:-}' (build the cachetd target)"
    PATH=$PATH:/usr/sbin:/sbin
}

# e2e_init NAME BASEPORT: work directory, ports, cleanup trap.
E2E_PIDS=()
E2E_INSTANCES=()
e2e_init() {
    E2E_NAME=$1
    local base=${E2E_PORT_BASE:-$2}
    P_A_IN=$base P_A_FILTER=$((base + 1)) P_B_IN=$((base + 2)) P_B_FILTER=$((base + 3))
    P_SINK=$((base + 4)) P_TAP=$((base + 5)) P_MILTER_A=$((base + 6)) P_MILTER_B=$((base + 7))
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachet-e2e-$E2E_NAME.XXXXXX")
    # Postfix daemons (user postfix) and smtp-sink (nobody) reach their directories under it.
    chmod 0755 "$WORK"
    trap e2e_cleanup EXIT
    # A test killed by CTest's timeout still stops its instances.
    trap 'exit 143' TERM
    trap 'exit 130' INT
    local p
    for p in $P_A_IN $P_A_FILTER $P_B_IN $P_B_FILTER $P_SINK $P_TAP $P_MILTER_A $P_MILTER_B; do
        if e2e_port_open "$p"; then
            fail "port $p on 127.0.0.1 is already in use (set E2E_PORT_BASE to another base)"
        fi
    done
}

e2e_cleanup() {
    local status=$? d pid i
    set +e
    trap - TERM INT
    local masters=()
    for d in "${E2E_INSTANCES[@]}"; do
        pid=$(e2e_master_pid "$d")
        postfix -c "$d/etc" stop >/dev/null 2>&1
        [ -z "$pid" ] || masters+=("$pid:$d")
    done
    for pid in "${E2E_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # postfix stop only signals the master: wait for each to finish, and kill one that
    # does not within 5 s (only if it is still the master of that instance).
    for d in "${masters[@]}"; do
        for ((i = 0; i < 50; i++)); do
            [ -n "$(e2e_master_pid "${d#*:}")" ] || break
            sleep 0.1
        done
        [ -z "$(e2e_master_pid "${d#*:}")" ] || kill -9 "${d%%:*}" 2>/dev/null
    done
    for pid in "${E2E_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $status
}

# e2e_master_pid DIR: the pid of the running Postfix master of the instance in DIR
# (its lock file names it and its environment has MAIL_CONFIG=DIR/etc), or nothing.
e2e_master_pid() {
    local pid
    pid=$(tr -dc 0-9 2>/dev/null <"$1/data/master.lock") || return 0
    [ -n "$pid" ] && [ -r "/proc/$pid/environ" ] || return 0
    tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -x "MAIL_CONFIG=$1/etc" >/dev/null && echo "$pid"
    return 0
}

e2e_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# e2e_wait_port PORT [SECONDS]
e2e_wait_port() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        e2e_port_open "$1" && return 0
        sleep 0.1
    done
    return 1
}

# e2e_postfix NAME DOMAIN IN_PORT FILTER_PORT MILTER_PORT TRANSPORTS RELAYHOST [TAP_PORT]
# writes and starts a private Postfix instance in $WORK/NAME (config, queue, data and
# log all there). TRANSPORTS is an inline: map body ("b.example=smtp:[127.0.0.1]:N");
# RELAYHOST the next hop for everything else ("" = none). TAP_PORT: copy every message
# leaving the milter hop to tap@tap.invalid, routed to that port.
e2e_postfix() {
    local name=$1 domain=$2 in_port=$3 filter_port=$4 milter_port=$5 transports=$6 relay=$7
    local tap=${8:-} d=$WORK/$1 filter_cleanup=cleanup c=$WORK/$1/etc milters=
    [ -z "$milter_port" ] || milters=inet:127.0.0.1:$milter_port
    local deftr="error:no route in this test"
    [ -z "$relay" ] || deftr=smtp
    # Postfix insists: queue owned by root, data by postfix, neither inside the config directory.
    mkdir -p "$c" "$d/queue" "$d/data"
    chown postfix "$d/data"
    if [ -n "$tap" ]; then
        transports="$transports, tap.invalid=smtp:[127.0.0.1]:$tap"
        filter_cleanup=cleanup-tap
    fi
    cat >"$c/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/maillog
maillog_file_prefixes = $d
myhostname = mx.$domain
mydomain = $domain
myorigin = $domain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
transport_maps = inline:{ $transports }
relayhost = $relay
default_transport = $deftr
# Never re-encode what cachetd signed.
disable_mime_output_conversion = yes
# Quick retries keep the tests short; deferred mail is flushed explicitly anyway.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
smtp_connect_timeout = 5s
milter_protocol = 6
milter_default_action = tempfail
milter_connect_macros = j {daemon_name} v {client_addr} {client_name}
milter_mail_macros = i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer} {client_addr}
milter_rcpt_macros = i {rcpt_addr} {rcpt_host} {rcpt_mailer}
milter_end_of_header_macros = i
milter_end_of_data_macros = i {client_addr}
MAIN
    # chroot off everywhere: the instance lives in a temporary directory.
    cat >"$c/master.cf" <<MASTER
127.0.0.1:$in_port inet n - n - - smtpd
  -o content_filter=scan:[127.0.0.1]:$filter_port
  -o receive_override_options=no_address_mappings
127.0.0.1:$filter_port inet n - n - - smtpd
  -o content_filter=
  -o smtpd_milters=$milters
  -o smtpd_authorized_xforward_hosts=127.0.0.0/8
  -o cleanup_service_name=$filter_cleanup
scan unix - - n - 10 smtp
  -o smtp_send_xforward_command=yes
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
cleanup-tap unix n - n - 0 cleanup
  -o always_bcc=tap@tap.invalid
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
MASTER
    E2E_INSTANCES+=("$d")
    postfix -c "$c" start >/dev/null 2>&1 || fail "postfix $name did not start"
    e2e_wait_port "$in_port" 10 || fail "Postfix $name does not listen on $in_port"
    e2e_wait_port "$filter_port" 10 || fail "Postfix $name does not listen on $filter_port"
}

# e2e_sink NAME PORT: an smtp-sink on PORT writing each message to $WORK/NAME/.
e2e_sink() {
    local dir=$WORK/$1
    mkdir -p "$dir"
    chown nobody "$dir"
    smtp-sink -u nobody -d "$dir/%Y%m%d%H%M%S." -c "127.0.0.1:$2" 64 >"$WORK/$1.log" 2>&1 &
    E2E_PIDS+=($!)
    e2e_wait_port "$2" 10 || fail "smtp-sink $1 does not listen on $2"
}

# e2e_dump_logs: what a failing test shows (Postfix logs, cachetd logs).
e2e_dump_logs() {
    [ -n "${WORK:-}" ] && [ -d "$WORK" ] || return 0
    local f
    for f in "$WORK"/*/maillog "$WORK"/cachetd-*.log; do
        [ -f "$f" ] || continue
        echo "--- ${f#"$WORK"/} (last 40 lines)"
        tail -n 40 "$f"
    done
}

# e2e_message FILE FROM TO SUBJECT BODY: a plain RFC 5322 message (CRLF).
e2e_message() {
    printf 'From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s.%s@e2e.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n' \
        "$2" "$3" "$4" "$(date -R)" "$E2E_NAME" "$RANDOM$RANDOM" "$5" >"$1"
}

# e2e_send PORT FROM TO FILE [swaks options...]: one SMTP transaction; the server
# must accept it (250 after DATA), else the test fails.
e2e_send() {
    local port=$1 from=$2 to=$3 file=$4
    shift 4
    # swaks ends DATA with CRLF . CRLF after the text: drop the file's last line break
    # so that the message arrives exactly as written.
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[:-2] if d.endswith(b"\r\n") else d.rstrip(b"\n"))' \
        "$file" "$WORK/swaks-data.eml"
    swaks --server "127.0.0.1:$port" --from "$from" --to "$to" --data "@$WORK/swaks-data.eml" \
        --helo client.e2e.test "$@" >"$WORK/swaks.log" 2>&1 || {
        cat "$WORK/swaks.log" >&2
        fail "swaks could not hand the message to 127.0.0.1:$port"
    }
}

# e2e_alice_to_bob FILE SUBJECT BODY [swaks options...]: writes alice@a.example's
# message to bob@b.example into FILE, hands it to Postfix A and waits until bob's
# sink and the tap between the domains each hold one message.
e2e_alice_to_bob() {
    local file=$1 subject=$2 body=$3
    shift 3
    e2e_message "$file" alice@a.example bob@b.example "$subject" "$body"
    e2e_send "$P_A_IN" alice@a.example bob@b.example "$file" "$@"
    e2e_wait_delivered sink 1
    e2e_wait_delivered tap 1
}

# e2e_queue NAME: Postfix's queue listing of instance NAME (postqueue -p).
e2e_queue() {
    postqueue -c "$WORK/$1/etc" -p 2>&1
}

e2e_queue_empty() {
    e2e_queue "$1" | grep '^Mail queue is empty' >/dev/null
}

# e2e_flush NAME: retry every deferred message of instance NAME now.
e2e_flush() {
    postqueue -c "$WORK/$1/etc" -f
}

# e2e_sink_count NAME: number of messages the sink NAME has written.
e2e_sink_count() {
    find "$WORK/$1" -type f | wc -l
}

# e2e_wait_delivered SINK COUNT [SECONDS]: waits until SINK holds COUNT messages and
# both instances' queues are empty (so every file is complete); then unpacks them
# (e2e_sink_unpack) for e2e_sink_by_subject.
e2e_wait_delivered() {
    local sink=$1 want=$2 i n
    for ((i = 0; i < ${3:-30} * 5; i++)); do
        n=$(e2e_sink_count "$sink")
        if [ "$n" -ge "$want" ] && e2e_queue_empty a && e2e_queue_empty b; then
            [ "$n" -eq "$want" ] || fail "$sink holds $n messages, expected $want"
            e2e_sink_unpack "$sink"
            return 0
        fi
        sleep 0.2
    done
    e2e_queue a >&2
    e2e_queue b >&2
    fail "$sink holds $(e2e_sink_count "$sink") messages after ${3:-30}s, expected $want"
}

# e2e_wait_sent NAME PORT COUNT [SECONDS]: waits until instance NAME has logged COUNT
# deliveries to 127.0.0.1:PORT (for when a held message keeps its queue from emptying).
e2e_wait_sent() {
    local i n
    for ((i = 0; i < ${4:-30} * 5; i++)); do
        n=$(grep -c "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$2,.*status=sent" "$WORK/$1/maillog" || true)
        [ "$n" -lt "$3" ] || return 0
        sleep 0.2
    done
    fail "$1 delivered $n messages to port $2 within ${4:-30}s, expected $3"
}

# e2e_wait_log NAME REGEX [SECONDS]: waits until instance NAME's maillog matches REGEX.
e2e_wait_log() {
    local i
    for ((i = 0; i < ${3:-30} * 5; i++)); do
        grep -Eq -- "$2" "$WORK/$1/maillog" 2>/dev/null && return 0
        sleep 0.2
    done
    fail "the log of $1 never showed /$2/ within ${3:-30}s"
}

# e2e_sink_unpack SINK: every message smtp-sink wrote into $WORK/SINK, as the client
# sent it (smtp-sink's own headers, X-Client-Addr ... its three-line Received, and
# its trailing empty line removed; lines end in CRLF), into $WORK/SINK.msgs/N.eml
# (N from 1, in file name order) with the Subject of each in N.subject.
e2e_sink_unpack() {
    python3 - "$WORK/$1" "$WORK/$1.msgs" <<'PY' || fail "cannot read the messages of $1"
import os, sys, shutil, email.parser, email.policy
src, dst = sys.argv[1], sys.argv[2]
shutil.rmtree(dst, ignore_errors=True)
os.makedirs(dst)
names = sorted(os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs)
for n, path in enumerate(names, 1):
    lines = open(path, "rb").read().split(b"\n")
    i = 0
    while i < len(lines) and not lines[i].startswith(b"Received: from "):
        i += 1
    if i == len(lines):
        sys.exit("not an smtp-sink dump: " + path)
    i += 1
    while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
        i += 1
    body = lines[i:]
    # smtp-sink ends each dump with an empty line; split() adds one more after the last LF.
    if len(body) >= 2 and body[-1] == b"" and body[-2] == b"":
        body = body[:-2]
    data = b"".join(l.rstrip(b"\r") + b"\r\n" for l in body)
    open(os.path.join(dst, "%d.eml" % n), "wb").write(data)
    msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data, headersonly=True)
    open(os.path.join(dst, "%d.subject" % n), "w").write(" ".join(str(msg.get("Subject", "")).split()))
PY
}

# e2e_sink_message SINK OUT [INDEX]: the INDEXth message (default 1st) of SINK.
e2e_sink_message() {
    e2e_sink_unpack "$1"
    [ -f "$WORK/$1.msgs/${3:-1}.eml" ] || fail "no message number ${3:-1} in $1"
    cp "$WORK/$1.msgs/${3:-1}.eml" "$2"
}

# e2e_sink_by_subject SINK SUBJECT OUT: the message in SINK whose Subject is SUBJECT
# (exactly one must be there). Reads what the last e2e_sink_unpack SINK unpacked.
e2e_sink_by_subject() {
    [ -d "$WORK/$1.msgs" ] || e2e_sink_unpack "$1"
    local f found=0
    for f in "$WORK/$1.msgs"/*.subject; do
        [ -f "$f" ] || continue
        if [ "$(cat "$f")" = "$2" ]; then
            found=$((found + 1))
            cp "${f%.subject}.eml" "$3"
        fi
    done
    [ "$found" = 1 ] || fail "$1 holds $found messages with Subject '$2', expected 1"
}

# e2e_header FILE NAME: the unfolded values of header NAME in FILE, one per line.
e2e_header() {
    python3 - "$1" "$2" <<'PY'
import sys, email.parser, email.policy
msg = email.parser.BytesParser(policy=email.policy.compat32).parse(open(sys.argv[1], "rb"), headersonly=True)
for v in msg.get_all(sys.argv[2]) or []:
    print(" ".join(str(v).split()))
PY
}

# e2e_pki: the two-domain test PKI (tests/pki/mkdomains.sh) in $PKI. Under CTest it
# is made once per build tree and version of mkdomains.sh (RSA key generation is most
# of a test's set-up time), under a lock so that parallel tests wait for the first.
e2e_pki() {
    local mk=$E2E_SRC/tests/pki/mkdomains.sh
    if [ -n "${CACHET_BUILD:-}" ] && [ -w "${CACHET_BUILD:-}" ] && command -v flock >/dev/null; then
        PKI=$CACHET_BUILD/e2e-pki-$(sha256sum "$mk" | cut -c1-16)
        flock "$CACHET_BUILD/e2e-pki.lock" bash "$mk" "$PKI" >/dev/null 2>&1 || fail "mkdomains.sh $PKI"
    else
        PKI=$WORK/pki
        bash "$mk" "$PKI" >/dev/null 2>&1 || fail "mkdomains.sh"
    fi
}

# e2e_store FILE ITEM...: a SQLite store for a gateway. ITEM: anchor:NAME,
# key:NAME (the key and its certificate) or cert:NAME, NAME a mkdomains leaf.
e2e_store() {
    local store=$1 item
    shift
    for item in "$@"; do
        case $item in
            anchor:*) CACHET_STORE=$store "$CACHET" certs import --anchor "$PKI/${item#anchor:}.crt" ;;
            key:*) CACHET_STORE=$store "$CACHET" keys import --key "$PKI/${item#key:}.key" \
                --cert "$PKI/${item#key:}.crt" ;;
            cert:*) CACHET_STORE=$store "$CACHET" certs import "$PKI/${item#cert:}.crt" ;;
            *) fail "e2e_store: unknown item $item" ;;
        esac >>"$WORK/stores.log" 2>&1 || { cat "$WORK/stores.log" >&2; fail "store $store: $item"; }
    done
}

# e2e_cachetd_conf NAME PORT DOMAIN STORE: writes $WORK/cachetd-NAME.conf for our
# domain DOMAIN; lines on stdin are added right after [domain DOMAIN] (keys for it,
# then any further sections, e.g. [partner ...]).
e2e_cachetd_conf() {
    local name=$1 port=$2 domain=$3 store=$4
    {
        cat <<CONF
[cachetd]
socket = inet:$port@127.0.0.1
user =
store = $store
authserv_id = mx.$domain
log = stderr
debug = yes
trusted_networks = 127.0.0.1/32
revocation = none

[domain $domain]
CONF
        cat
    } >"$WORK/cachetd-$name.conf"
}

# e2e_cachetd_start NAME PORT: runs cachetd -f with $WORK/cachetd-NAME.conf (log
# appended to $WORK/cachetd-NAME.log) and waits for its socket.
declare -A E2E_CACHETD_PID
e2e_cachetd_start() {
    local name=$1 port=$2
    "$CACHETD" -f -c "$WORK/cachetd-$name.conf" >>"$WORK/cachetd-$name.log" 2>&1 &
    E2E_CACHETD_PID[$name]=$!
    E2E_PIDS+=($!)
    local i
    for ((i = 0; i < 100; i++)); do
        e2e_port_open "$port" && return 0
        kill -0 "${E2E_CACHETD_PID[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/cachetd-$name.log" >&2
    fail "cachetd-$name did not start listening on $port"
}

# e2e_cachetd_kill NAME [SIGNAL]: stops cachetd NAME (default SIGKILL: a crash).
e2e_cachetd_kill() {
    local pid=${E2E_CACHETD_PID[$1]}
    kill "-${2:-KILL}" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# e2e_two_domains: the whole topology. Before calling, scenarios may set
#   A_STORE_ITEMS / B_STORE_ITEMS  (arrays, e2e_store items; defaults below)
#   A_CONF / B_CONF                (text added after [domain a.example] / [domain b.example])
#   E2E_NO_CACHETD=1               (Postfix alone, no milters: the harness self-test)
e2e_two_domains() {
    e2e_pki
    if [ -z "${A_STORE_ITEMS+x}" ]; then
        A_STORE_ITEMS=(anchor:ca key:dsa-a key:dca-a cert:dca-b)
    fi
    if [ -z "${B_STORE_ITEMS+x}" ]; then
        B_STORE_ITEMS=(anchor:ca key:dca-b key:dsa-b)
    fi
    STORE_A=$WORK/store-a.db
    STORE_B=$WORK/store-b.db
    e2e_store "$STORE_A" "${A_STORE_ITEMS[@]}"
    e2e_store "$STORE_B" "${B_STORE_ITEMS[@]}"
    e2e_sink sink "$P_SINK"
    e2e_sink tap "$P_TAP"
    local ma=$P_MILTER_A mb=$P_MILTER_B
    if [ "${E2E_NO_CACHETD:-0}" = 1 ]; then
        ma='' mb=''
    else
        printf '%s\n' "${A_CONF:-}" | e2e_cachetd_conf a "$P_MILTER_A" a.example "$STORE_A"
        printf '%s\n' "${B_CONF:-}" | e2e_cachetd_conf b "$P_MILTER_B" b.example "$STORE_B"
        e2e_cachetd_start a "$P_MILTER_A"
        e2e_cachetd_start b "$P_MILTER_B"
    fi
    # A: b.example goes to B; bounces for a.example are discarded (nothing local here).
    e2e_postfix a a.example "$P_A_IN" "$P_A_FILTER" "$ma" \
        "b.example=smtp:[127.0.0.1]:$P_B_IN, a.example=discard:" "" "$P_TAP"
    e2e_postfix b b.example "$P_B_IN" "$P_B_FILTER" "$mb" "a.example=discard:" "[127.0.0.1]:$P_SINK"
}

# e2e_expect_header FILE NAME ERE: some NAME field of FILE (unfolded) matches ERE.
e2e_expect_header() {
    # grep reads everything (no -q): stopping at the first match would close the
    # pipe under e2e_header, whose broken-pipe failure pipefail would report as
    # no match (seen in CI, e2e.tamper)
    e2e_header "$1" "$2" | grep -E -- "$3" >/dev/null || {
        echo "--- $2 fields of ${1#"$WORK"/}:" >&2
        e2e_header "$1" "$2" >&2
        fail "no $2 field matching /$3/ in ${1#"$WORK"/}"
    }
}

# e2e_body FILE: the body of FILE (after the first empty line), CRLF kept.
e2e_body() {
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(d.split(b"\r\n\r\n", 1)[1])' "$1"
}

# e2e_inspect FILE: `cachet inspect --json` of FILE (exit status of inspect ignored).
e2e_inspect() {
    "$CACHET" inspect --json --in "$1" 2>/dev/null || true
}

# e2e_json FILE EXPR: evaluates the Python expression EXPR on the JSON in FILE (as j)
# and prints it (json.dumps for non-strings).
e2e_json() {
    python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# e2e_expect_json FILE EXPR: fails unless the Python expression EXPR is true for j.
e2e_expect_json() {
    local got
    got=$(e2e_json "$1" "bool($2)" 2>&1) || got="error: $got"
    [ "$got" = true ] || {
        cat "$1" >&2
        fail "${1#"$WORK"/}: not ($2) [$got]"
    }
}

# e2e_sign SIGNER IN OUT [cachet sign options]: signs IN with the mkdomains leaf
# SIGNER (e.g. --signature-type domain for an RFC 3183 domain signature).
e2e_sign() {
    local signer=$1 in=$2 out=$3
    shift 3
    "$CACHET" sign --cert "$PKI/$signer.crt" --key "$PKI/$signer.key" "$@" --in "$in" --out "$out" ||
        fail "cachet sign as $signer"
}

# e2e_need_domain_signing: skips (77) unless the cli can make domain signatures.
e2e_need_domain_signing() {
    printf 'From: <x@a.example>\r\n\r\nx\r\n' >"$WORK/probe.eml"
    "$CACHET" sign --cert "$PKI/dsa-a.crt" --key "$PKI/dsa-a.key" --signature-type domain \
        --in "$WORK/probe.eml" --out "$WORK/probe.p7m" >/dev/null 2>&1 ||
        e2e_skip "cachet sign has no --signature-type yet (needed to prepare domain-signed messages)"
}
