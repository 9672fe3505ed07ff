# RFC 3183 in the CLI: `cachet sign --signature-type` refuses a certificate
# that does not follow the section 3.1.1 naming convention of that type (exit 1,
# the rule and the name found, nothing written); `cachet verify` reports each
# signer's role (JSON "role", "role_detail" when flagged; a text ", role: ..."
# for any role but originator) and the position of each signed layer; signature
# encapsulation (section 3 method 2: an opaque domain signature over the
# originator's signed message) reads back as outer domain + inner originator.
source "$(dirname "$0")/lib.sh"
D=$WORK/d
bash "$CACHET_SRC/tests/pki/mkdomains.sh" "$D" >/dev/null 2>&1
CA=$D/ca.crt
printf 'From: alice@a.example\r\nTo: bob@b.example\r\nSubject: naming\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPay Bob 10 EUR.\r\n' >msg.eml
id() { echo --cert "$D/$1.crt" --key "$D/$1.key"; }

# ---- accepted: each authority signs with its own type; verify names the role ----
for c in "dsa-a domain domain" "ra-a review review" "aa-a attributes attributes" \
    "dsa-caps domain domain" "alice originator originator"; do
    set -- $c
    expect_exit 0 "$CACHET" sign $(id "$1") --signature-type "$2" --in msg.eml --out "s-$1.eml"
    expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --json --in "s-$1.eml" --out /dev/null
    json_check out.txt 'r["status"] == "valid"' "r['layers'][0]['signers'][0]['role'] == '$3'" \
        'r["layers"][0]["position"] == "only"' '"role_detail" not in r["layers"][0]["signers"][0]'
    expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --in "s-$1.eml" --out /dev/null
    if [ "$3" = originator ]; then
        grep -q "role:" err.txt && fail "an originator's line names no role: $(cat err.txt)"
    else
        expect_stderr "signature valid, chain trusted, signature type: $2, role: $3"
    fi
done

# ---- refused: the rule, the name found, exit 1, no output ----
refuse() { # refuse SIGNER TYPE TEXT
    rm -f bad.eml
    expect_exit 1 "$CACHET" sign $(id "$1") --signature-type "$2" --in msg.eml --out bad.eml
    expect_stderr "cachet sign: cannot sign: the "
    expect_stderr "$3"
    expect_stderr "(at signer certificate)"
    expect_no_file bad.eml
    [ -s out.txt ] && fail "refused signing wrote to stdout"
    return 0
}
refuse alice domain "the domainSig signature must be made by CN 'domain-signing-authority' (RFC 3183 section 3.1.1), not 'Alice'; the receiver would flag this signature"
refuse dsa-a review "the reviewSig signature must be made by CN 'review-authority' (RFC 3183 section 3.1.1), not 'domain-signing-authority'"
refuse ra-a attributes "the addAttribSig signature must be made by CN 'attribute-authority'"
refuse mallory review "not 'Mallory'"
refuse dsa-a originator "the certificate is named 'domain-signing-authority' but the signature is typed originatorSig"
# several signers: each is checked, the one that fails is named
rm -f bad.eml
expect_exit 1 "$CACHET" sign $(id dsa-a) $(id alice) --signature-type domain --in msg.eml --out bad.eml
expect_stderr "not 'Alice'"
expect_no_file bad.eml
# a combination that cannot be written stays a usage error
expect_exit 2 "$CACHET" sign $(id aa-a) --signature-type attributes,domain --in msg.eml --out bad.eml
expect_no_file bad.eml

# ---- the name mapping is the verifier's: a conforming name of another domain is flagged ----
expect_exit 0 "$CACHET" sign $(id dsa-evil) --signature-type domain --in msg.eml --out evil.eml
expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --json --in evil.eml --out /dev/null
json_check out.txt 'r["layers"][0]["signers"][0]["role"] == "flagged"' \
    '"domain-signing-authority@evil.example is not the originator'"'"'s domain a.example or an ascendant of it" in r["layers"][0]["signers"][0]["role_detail"]'
expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --in evil.eml --out /dev/null
expect_stderr "role: flagged (domain-signing-authority@evil.example is not the originator's domain a.example or an ascendant of it (RFC 3183 section 3.1.1))"

# ---- RFC 3183 section 3 method 2: a domain signature encapsulating the originator's ----
for inner in detached opaque; do
    extra=()
    [ "$inner" = opaque ] && extra=(--opaque)
    expect_exit 0 "$CACHET" sign $(id alice) "${extra[@]}" --in msg.eml --out orig.eml
    expect_exit 0 "$CACHET" sign $(id dsa-a) --signature-type domain --opaque --in orig.eml --out enc.eml
    grep -q '^Content-Type: application/pkcs7-mime; smime-type=signed-data' enc.eml ||
        fail "method 2 is an opaque signature"
    expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --json --in enc.eml --out content.eml
    json_check out.txt 'r["status"] == "valid"' \
        '[l["type"] for l in r["layers"]] == ["signed", "signed"]' \
        '[l["position"] for l in r["layers"]] == ["outer", "inner"]' \
        '[l["signers"][0]["role"] for l in r["layers"]] == ["domain", "originator"]' \
        'r["layers"][0]["signers"][0]["signature_type"] == "domain"' \
        '"signature_type" not in r["layers"][1]["signers"][0]' \
        "r['layers'][1]['detached'] == ($([ "$inner" = detached ] && echo True || echo False))"
    grep -q "Pay Bob 10 EUR." content.eml || fail "method 2: the content is not reached"
    expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --in enc.eml --out /dev/null
    expect_stderr "cachet: signed by domain-signing-authority@a.example"
    expect_stderr "role: domain; outer signature"
    expect_stderr "cachet: signed by alice@a.example (CN=Alice,O=A Example,C=XX): signature valid, chain trusted; inner signature"
done

# ---- the empty layer under a domain signature: outer domain, inner empty ----
expect_exit 0 "$CACHET" sign --empty --in msg.eml --out empty.eml
expect_exit 0 "$CACHET" sign $(id dsa-a) --signature-type domain --opaque --in empty.eml --out de.eml
expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --json --in de.eml --out /dev/null
json_check out.txt 'r["status"] == "valid"' '[l["position"] for l in r["layers"]] == ["outer", "inner"]' \
    'r["layers"][1]["empty"] is True'
expect_exit 0 "$CACHET" verify --trust "$CA" --no-address-check --in de.eml --out /dev/null
expect_stderr "cachet: signed (empty: no signers); inner layer"
echo "sigtype_naming: ok"
