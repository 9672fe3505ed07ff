#!/usr/bin/env bash
# alice@a.example -> bob@b.example through both gateways. A domain-signs (it trusts
# the submitter 127.0.0.1) and, having no certificate of bob, encrypts to B's Domain
# Confidentiality Authority (RFC 3183 §4 case d); B decrypts with its DCA key,
# verifies, and delivers the plaintext with Authentication-Results smime=pass for
# domain-signing-authority@a.example. What travelled between A and B (the tap) is
# checked independently with openssl cms.
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init a_to_b 12500
e2e_two_domains

text="Hi Bob, the quarterly figures are attached in spirit. $RANDOM"
e2e_alice_to_bob "$WORK/sent.eml" "Figures" "$text"

# --- between the domains: enveloped for dca-b only, around A's domain signature.
e2e_sink_message tap "$WORK/wire.eml"
e2e_expect_header "$WORK/wire.eml" Content-Type '^application/pkcs7-mime'
e2e_header "$WORK/wire.eml" Subject | grep -x Figures >/dev/null || fail "the Subject did not travel unchanged"
e2e_body "$WORK/wire.eml" | grep -F "$text" >/dev/null && fail "the text travelled in clear between the domains"
e2e_inspect "$WORK/wire.eml" >"$WORK/wire.json"
e2e_expect_json "$WORK/wire.json" 'j["layers"][0]["type"] in ("enveloped", "authEnveloped") and j["layers"][0]["recipients"] == 1'
openssl cms -cmsout -print -in "$WORK/wire.eml" >"$WORK/wire.print" || fail "openssl cannot parse the wire message"
dca_serial=$(openssl x509 -in "$PKI/dca-b.crt" -noout -serial | sed 's/^serial=//')
grep -q "serialNumber: $((16#$dca_serial))\$" "$WORK/wire.print" ||
    fail "the RecipientInfo is not for dca-b (serial 0x$dca_serial)"
openssl cms -decrypt -recip "$PKI/bob.crt" -inkey "$PKI/bob.key" -in "$WORK/wire.eml" \
    -out "$WORK/bob-try.eml" 2>/dev/null && fail "bob's own key decrypts a message sent to the DCA"
openssl cms -decrypt -recip "$PKI/dca-b.crt" -inkey "$PKI/dca-b.key" -in "$WORK/wire.eml" \
    -out "$WORK/inner.eml" || fail "openssl cannot decrypt the wire message with dca-b's key"
openssl cms -verify -CAfile "$PKI/ca.crt" -purpose any -in "$WORK/inner.eml" -out "$WORK/inner-content.eml" \
    2>"$WORK/verify.err" || { cat "$WORK/verify.err" >&2; fail "openssl cms -verify rejects A's domain signature"; }
grep -qF "$text" "$WORK/inner-content.eml" || fail "the signed content is not the text alice wrote"
openssl cms -cmsout -print -in "$WORK/inner.eml" >"$WORK/inner.print"
grep -q 'signatureType\|(1.2.840.113549.1.9.16.2.28)' "$WORK/inner.print" ||
    fail "no SignatureType attribute (1.2.840.113549.1.9.16.2.28) in A's signature"
grep -A4 '(1.2.840.113549.1.9.16.2.28)' "$WORK/inner.print" | grep ':1.2.840.113549.1.9.16.9.2$' >/dev/null ||
    fail "the SignatureType is not id-sti-domainSig (1.2.840.113549.1.9.16.9.2)"
openssl cms -verify -CAfile "$PKI/ca.crt" -purpose any -in "$WORK/inner.eml" -signer "$WORK/signer.pem" \
    -out /dev/null 2>/dev/null
openssl x509 -in "$WORK/signer.pem" -noout -ext subjectAltName | grep 'email:domain-signing-authority@a.example' >/dev/null ||
    fail "the signer is not domain-signing-authority@a.example"
"$CACHET" inspect --json --in "$WORK/inner.eml" >"$WORK/inner.json"
e2e_expect_json "$WORK/inner.json" 'j["layers"][0]["type"] == "signed" and j["layers"][0]["signers"][0]["signature_type"] == "domain" and j["layers"][0]["signers"][0]["emails"] == ["domain-signing-authority@a.example"]'

# --- as delivered to bob: plaintext, with B's verdict.
e2e_sink_message sink "$WORK/got.eml"
e2e_expect_header "$WORK/got.eml" Authentication-Results \
    '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'
[ "$(e2e_header "$WORK/got.eml" Authentication-Results | wc -l)" = 1 ] ||
    fail "more than one Authentication-Results field"
grep -qi '^Content-Type: application/pkcs7-mime' "$WORK/got.eml" && fail "B delivered the message still encrypted"
e2e_body "$WORK/got.eml" | grep -F "$text" >/dev/null || fail "the delivered body lacks the text alice wrote"
e2e_header "$WORK/got.eml" Subject | grep -x Figures >/dev/null || fail "the Subject was not delivered unchanged"
# B keeps A's signature for bob's own client: it still verifies, independently of cachet.
openssl cms -verify -CAfile "$PKI/ca.crt" -purpose any -in "$WORK/got.eml" -out "$WORK/got-content.eml" \
    2>/dev/null || fail "the message as delivered does not verify with openssl"
grep -qF "$text" "$WORK/got-content.eml" || fail "the delivered signed content is not alice's text"
e2e_log "delivered: $(e2e_header "$WORK/got.eml" Authentication-Results)"
grep -Eq 'action=[a-z,]*sign[a-z,]*encrypt' "$WORK/cachetd-a.log" || fail "cachetd-a did not log action=sign,encrypt"
grep -Eq 'action=[a-z,]*decrypt' "$WORK/cachetd-b.log" || fail "cachetd-b did not log a decrypt action"
echo "OK: a_to_b"
