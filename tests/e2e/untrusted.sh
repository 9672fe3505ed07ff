#!/usr/bin/env bash
# RFC 3183 §3.2: a domain signature vouches for an authenticated originator. cachetd-a
# trusts only 127.0.0.1/32 (no SASL here); a message submitted from 127.0.0.5 leaves A
# without a domain signature, and B reports no domain signature. The same message
# from 127.0.0.1 is the control: domain-signed, smime=pass at B.
# Both are submitted straight to A's milter smtpd (the before-queue arrangement, as
# for a submission port): cachetd judges the SMTP client it sees, and behind a
# content filter hop that is always the filter (Postfix's {client_addr} milter macro
# is the connection's address; XFORWARD does not change it), so there the relay
# decision of the first smtpd is the only trust check (doc/gateway.md).
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init untrusted 12540
e2e_two_domains

e2e_message "$WORK/u.eml" alice@a.example bob@b.example untrusted "From the lobby kiosk."
e2e_message "$WORK/t.eml" alice@a.example bob@b.example trusted "From the office."
e2e_send "$P_A_FILTER" alice@a.example bob@b.example "$WORK/u.eml" --local-interface 127.0.0.5
e2e_send "$P_A_FILTER" alice@a.example bob@b.example "$WORK/t.eml"
e2e_wait_delivered sink 2
e2e_wait_delivered tap 2
grep -q 'client=unknown\[127.0.0.5\]' "$WORK/a/maillog" || fail "the message did not come from 127.0.0.5"

# signed_layers FILE: the signed layers of FILE (decrypted with dca-b's key first if
# it is enveloped), as "signature_type:email" words.
signed_layers() {
    local f=$1
    if grep -qi '^Content-Type: application/pkcs7-mime' "$f" &&
        ! openssl cms -cmsout -print -in "$f" 2>/dev/null | grep 'signerInfos' >/dev/null; then
        openssl cms -decrypt -recip "$PKI/dca-b.crt" -inkey "$PKI/dca-b.key" -in "$f" -out "$f.dec" ||
            fail "cannot decrypt ${f#"$WORK"/} with dca-b's key"
        f=$f.dec
    fi
    e2e_inspect "$f" >"$f.json"
    e2e_json "$f.json" '" ".join("%s:%s" % (s.get("signature_type", "-"), ",".join(s["emails"])) for l in j.get("layers", []) for s in l.get("signers", []))'
}

e2e_sink_by_subject tap untrusted "$WORK/wire-u.eml"
e2e_sink_by_subject tap trusted "$WORK/wire-t.eml"
layers_u=$(signed_layers "$WORK/wire-u.eml")
layers_t=$(signed_layers "$WORK/wire-t.eml")
e2e_log "untrusted submitter: signers [$layers_u]; trusted: [$layers_t]"
[ -z "$layers_u" ] || fail "A signed the untrusted submitter's message: $layers_u"
grep -q 'from=<alice@a.example> client=127.0.0.5' "$WORK/cachetd-a.log" || fail "cachetd-a did not see client 127.0.0.5"
[ "$layers_t" = "domain:domain-signing-authority@a.example" ] ||
    fail "A did not domain-sign the trusted submitter's message (got [$layers_t])"

e2e_sink_by_subject sink untrusted "$WORK/got-u.eml"
e2e_sink_by_subject sink trusted "$WORK/got-t.eml"
e2e_header "$WORK/got-u.eml" Authentication-Results | grep 'smime=pass' >/dev/null &&
    fail "B reports smime=pass for a message nobody signed"
e2e_expect_header "$WORK/got-u.eml" Authentication-Results '^mx\.b\.example; (none|smime=none)'
grep -q 'action=encrypt result=ok .*reason="not domain-signed' "$WORK/cachetd-a.log" ||
    fail "cachetd-a did not log why it did not domain-sign"
e2e_expect_header "$WORK/got-t.eml" Authentication-Results \
    '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'
e2e_body "$WORK/got-u.eml" | grep -F "From the lobby kiosk." >/dev/null || fail "the untrusted message body was lost"
echo "OK: untrusted"
