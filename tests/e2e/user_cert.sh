#!/usr/bin/env bash
# RFC 3183 §4 case (c): A's store has bob's own certificate, so A encrypts to bob (not
# to B's DCA, whose certificate it also has); B's gateway decrypts with bob's key from
# its store, verifies A's domain signature and delivers the plaintext with smime=pass.
# Between the domains only bob's key opens the message: dca-b's does not.
# shellcheck disable=SC2034 # A_STORE_ITEMS, B_STORE_ITEMS, A_CONF: read by e2e_two_domains
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init user_cert 12640
A_STORE_ITEMS=(anchor:ca key:dsa-a key:dca-a cert:dca-b cert:bob)
B_STORE_ITEMS=(anchor:ca key:dca-b key:dsa-b key:bob)
e2e_two_domains

text="For your eyes only, Bob. $RANDOM"
e2e_alice_to_bob "$WORK/m.eml" "Personal" "$text"

e2e_sink_message tap "$WORK/wire.eml"
e2e_expect_header "$WORK/wire.eml" Content-Type '^application/pkcs7-mime'
openssl cms -decrypt -recip "$PKI/dca-b.crt" -inkey "$PKI/dca-b.key" -in "$WORK/wire.eml" \
    -out /dev/null 2>/dev/null && fail "B's DCA key opens a message A had to encrypt to bob"
openssl cms -decrypt -recip "$PKI/bob.crt" -inkey "$PKI/bob.key" -in "$WORK/wire.eml" \
    -out "$WORK/inner.eml" || fail "bob's key does not open the message"
"$CACHET" inspect --json --in "$WORK/inner.eml" >"$WORK/inner.json"
e2e_expect_json "$WORK/inner.json" 'j["layers"][0]["type"] == "signed" and j["layers"][0]["signers"][0]["signature_type"] == "domain"'
grep -q 'encrypted_to=bob@b.example' "$WORK/cachetd-a.log" || fail "cachetd-a did not log encrypted_to=bob@b.example"

e2e_sink_message sink "$WORK/got.eml"
e2e_expect_header "$WORK/got.eml" Authentication-Results \
    '^mx\.b\.example; smime=pass .*body\.smime-identifier=domain-signing-authority@a\.example'
grep -qi '^Content-Type: application/pkcs7-mime' "$WORK/got.eml" && fail "B delivered the message still encrypted"
e2e_body "$WORK/got.eml" | grep -F "$text" >/dev/null || fail "the delivered body lacks the text"
echo "OK: user_cert"
