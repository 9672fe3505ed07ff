# ESS in the CLI: `cachet sign` with --security-label / --equivalent-label
# SPECs, --content-hint, --signing-certificate-v1 and --signature-policy writes
# attributes that `cachet verify` reports (JSON "ess" member, text lines) and
# that `openssl cms` verifies and parses; bad SPECs are usage errors (exit 2)
# naming the option; RFC 4134 4.10 (Bouncy Castle) reports its labels,
# contentReference and mlExpansionHistory; --ml-identity naming an agent in the
# history is a mail list loop (exit 1, POLICY). Text from the message is escaped.
source "$(dirname "$0")/lib.sh"
make_pki
a_message msg.eml

HASH=$(printf 'policy document' | openssl dgst -sha256 -r | cut -d' ' -f1)
LABEL='policy=2.16.840.1.101.2.1.12.0.1,class=secret,category=2.16.840.1.101.2.1.8.3.1:3003020101,mark=SECRET, handle via channel A'

# ---- sign with every option, opaque and detached; verify reports them ----
for form in "" --opaque; do
    expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key $form \
        --security-label "$LABEL" \
        --equivalent-label 'policy=1.3.6.1.4.1.99999.1,class=3,mark=vertraulich' \
        --content-hint 'quarterly figures' --signing-certificate-v1 \
        --signature-policy "1.2.3.4.5:sha256:$HASH" --in msg.eml --out signed.eml
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in signed.eml --out /dev/null
    json_check out.txt 'r["status"] == "valid"' \
        'r["layers"][0]["signers"][0]["ess"]["security_label"]["policy"] == "2.16.840.1.101.2.1.12.0.1"' \
        'r["layers"][0]["signers"][0]["ess"]["security_label"]["classification"] == 4' \
        'r["layers"][0]["signers"][0]["ess"]["security_label"]["classification_name"] == "secret"' \
        'r["layers"][0]["signers"][0]["ess"]["security_label"]["privacy_mark"] == "SECRET, handle via channel A"' \
        'r["layers"][0]["signers"][0]["ess"]["security_label"]["categories"] == [{"type": "2.16.840.1.101.2.1.8.3.1", "value": "3003020101"}]' \
        'r["layers"][0]["signers"][0]["ess"]["equivalent_labels"][0]["policy"] == "1.3.6.1.4.1.99999.1"' \
        'r["layers"][0]["signers"][0]["ess"]["content_hints"] == {"description": "quarterly figures", "content_type": "id-data"}' \
        'r["layers"][0]["signers"][0]["ess"]["signing_certificate_v1"] is True' \
        'r["layers"][0]["signers"][0]["ess"]["signing_certificate_v2"] is True' \
        "r['layers'][0]['signers'][0]['ess']['signature_policy'] == {'implied': False, 'id': '1.2.3.4.5', 'hash_algorithm': 'sha256', 'hash': '$HASH'}"
    expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in signed.eml --out /dev/null
    expect_stderr 'security label: policy 2.16.840.1.101.2.1.12.0.1, classification 4 (secret), privacy mark "SECRET, handle via channel A"'
    expect_stderr 'category 2.16.840.1.101.2.1.8.3.1 = 3003020101'
    expect_stderr 'equivalent label: policy 1.3.6.1.4.1.99999.1, classification 3 (confidential)'
    expect_stderr 'content hints: id-data, "quarterly figures"'
    expect_stderr "signature policy: 1.2.3.4.5, sha256 $HASH"
    expect_stderr 'signing certificate attribute: v1 and v2'
    # openssl verifies the signature over our attributes and sees them
    if [ -z "$form" ]; then
        openssl cms -verify -in signed.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null ||
            fail "openssl cms -verify refused our labelled multipart/signed"
    else
        openssl cms -verify -in signed.eml -CAfile pki/ca.crt -out /dev/null 2>/dev/null ||
            fail "openssl cms -verify refused our labelled opaque message"
    fi
    openssl cms -cmsout -print -in signed.eml -noout >print.txt 2>/dev/null
    for a in id-smime-aa-securityLabel id-smime-aa-equivalentLabels id-smime-aa-contentHint \
        id-smime-aa-signingCertificate id-smime-aa-ets-sigPolicyId; do
        grep -q "$a" print.txt || fail "openssl does not see $a"
    done
done

# ---- bad SPECs: exit 2, the option named, nothing written ----
bad() { # bad TEXT OPTION VALUE
    rm -f bad.eml
    expect_exit 2 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key "$2" "$3" \
        --in msg.eml --out bad.eml
    expect_stderr "$1"
    expect_no_file bad.eml
}
bad 'a label needs policy=OID' --security-label 'class=secret'
bad 'class=ultra' --security-label 'policy=1.2.3,class=ultra'
bad 'unknown label item "colour"' --security-label 'policy=1.2.3,colour=red'
bad 'is not OID:HEXDER' --security-label 'policy=1.2.3,category=1.2.3'
bad 'is not OID:DIGEST:HEX' --signature-policy '1.2.3'
bad 'the hash has the wrong length' --signature-policy '1.2.3:sha256:00ff'
bad 'give the security label too' --equivalent-label 'policy=1.2.4'

# ---- RFC 4134 4.10 (Bouncy Castle): labels, reference, history ----
V=$CACHET_VECTORS/rfc4134-bcjava
expect_exit 0 "$CACHET" verify --raw --allow-legacy --trust "$V/CarlDSSSelf.cer" \
    --at 2026-06-01T00:00:00Z --json --in "$V/4.10.bin" --out /dev/null
json_check out.txt 'r["status"] == "valid"' \
    'r["layers"][0]["signers"][0]["ess"]["security_label"]["privacy_mark"] == "THIS IS A PRIVACY MARK TEST"' \
    'len(r["layers"][0]["signers"][0]["ess"]["equivalent_labels"]) == 2' \
    'r["layers"][0]["signers"][0]["ess"]["content_reference"]["content_type"] == "1.2.3.4.5.6"' \
    'r["layers"][0]["signers"][0]["ess"]["ml_expansion_history"] == [{"identifier": "ski=35373338323939", "expansion_time": "1999-03-11T10:44:33Z", "receipt_policy": "insteadOf"}]'
expect_exit 0 "$CACHET" verify --raw --allow-legacy --trust "$V/CarlDSSSelf.cer" \
    --at 2026-06-01T00:00:00Z --in "$V/4.10.bin" --out /dev/null
expect_stderr 'mail list expansion 1: ski=35373338323939 at 1999-03-11T10:44:33Z, receipts insteadOf'
expect_stderr 'content reference: 1.2.3.4.5.6, identifier 436f6e74'

# ---- --ml-identity: a history naming our mail list agent is a loop (RFC 2634 §4.2) ----
ml_agent() { # ml_agent NAME SKI-HEX: a self-signed certificate with that subjectKeyIdentifier
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -subj "/CN=$1" -days 30 -addext "subjectKeyIdentifier=$2" -out "$1.crt" 2>/dev/null ||
        fail "ml agent $1"
}
ml_agent mla 35:37:33:38:32:39:39
ml_agent other 35:37:33:38:32:39:3a
expect_exit 1 "$CACHET" verify --raw --allow-legacy --trust "$V/CarlDSSSelf.cer" \
    --at 2026-06-01T00:00:00Z --ml-identity mla.crt --in "$V/4.10.bin" --out loop.out
expect_stderr 'mail list loop: mlExpansionHistory[0] names this mail list agent'
expect_no_file loop.out
expect_exit 0 "$CACHET" verify --raw --allow-legacy --trust "$V/CarlDSSSelf.cer" \
    --at 2026-06-01T00:00:00Z --ml-identity other.crt --in "$V/4.10.bin" --out /dev/null
expect_exit 2 "$CACHET" verify --raw --ml-identity missing.crt --in "$V/4.10.bin" --out /dev/null

# ---- a hostile privacy mark is escaped in the text and the JSON (ATTACKS CL-02) ----
expect_exit 0 "$CACHET" sign --cert pki/alice.crt --key pki/alice.key --opaque \
    --security-label $'policy=1.2.3,mark=red\x1b[31m"quoted"\x07' --in msg.eml --out hostile.eml
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --in hostile.eml --out /dev/null
expect_stderr 'privacy mark "red\x1b[31m"quoted"\x07"'
grep -q $'\x1b' err.txt && fail "a raw ESC reached the terminal"
expect_exit 0 "$CACHET" verify --trust pki/ca.crt --json --in hostile.eml --out /dev/null
json_check out.txt \
    'r["layers"][0]["signers"][0]["ess"]["security_label"]["privacy_mark"] == "red\x1b[31m\"quoted\"\x07"'
grep -q $'\x1b' out.txt && fail "a raw ESC in the JSON"
true
