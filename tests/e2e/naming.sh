#!/usr/bin/env bash
# RFC 3183 §3.1.1 naming and §4.1 name mapping, through B's gateway. Domain-signed
# messages (SignatureType domainSig) are handed straight to B:
#   signer                                          From                   B's verdict
#   domain-signing-authority@evil.example           alice@a.example        fail (flagged)
#   domain-signing-authority@sub.a.example          alice@a.example        fail (a descendant)
#   domain-signing-authority@example                alice@a.example        fail (one label)
#   domain-signing-authority@a.example              alice@a.example        pass
#   DOMAIN-SIGNING-AUTHORITY@A.EXAMPLE              alice@a.example        pass (case)
#   domain-signing-authority@a.example              dave@sub.a.example     pass (ascendant)
source "$(dirname "$0")/lib.sh"
e2e_prereqs
e2e_init naming 12600
e2e_two_domains
e2e_need_domain_signing

cases=(
    "evil dsa-evil alice@a.example fail"
    "sub dsa-sub alice@a.example fail"
    "up dsa-up alice@a.example fail"
    "same dsa-a alice@a.example pass"
    "caps dsa-caps alice@a.example pass"
    "ascendant dsa-a dave@sub.a.example pass"
)
for c in "${cases[@]}"; do
    read -r name signer from _ <<<"$c"
    e2e_message "$WORK/$name.eml" "$from" bob@b.example "naming-$name" "Signed by $signer for $from."
    e2e_sign "$signer" "$WORK/$name.eml" "$WORK/$name.p7m.eml" --signature-type domain
    e2e_send "$P_B_IN" "$from" bob@b.example "$WORK/$name.p7m.eml"
done
e2e_wait_delivered sink ${#cases[@]}

for c in "${cases[@]}"; do
    read -r name signer from want <<<"$c"
    e2e_sink_by_subject sink "naming-$name" "$WORK/got-$name.eml"
    ar=$(e2e_header "$WORK/got-$name.eml" Authentication-Results)
    e2e_log "$name ($signer on $from): $ar"
    email=$(openssl x509 -in "$PKI/$signer.crt" -noout -ext subjectAltName | sed -n 's/.*email://p' | tr -d ' ')
    case $want in
        pass)
            e2e_expect_header "$WORK/got-$name.eml" Authentication-Results \
                "^mx\.b\.example; smime=pass .*body\.smime-identifier=$email"
            e2e_header "$WORK/got-$name.eml" Authentication-Results | grep -i 'flagged\|smime=fail' >/dev/null &&
                fail "$name: a conforming domain signature was flagged"
            ;;
        fail)
            e2e_expect_header "$WORK/got-$name.eml" Authentication-Results '^mx\.b\.example; smime=fail'
            e2e_header "$WORK/got-$name.eml" Authentication-Results | grep 'smime=pass' >/dev/null &&
                fail "$name: a non-conforming domain signature also passed"
            e2e_expect_header "$WORK/got-$name.eml" Authentication-Results '[Ff]lagged|naming|name'
            ;;
    esac
done
echo "OK: naming"
