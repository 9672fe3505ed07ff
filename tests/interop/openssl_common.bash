# Helpers shared by the tests/interop/openssl_*.sh suites, sourced after lib.sh and make_pki.
# (Named .bash, not .sh: tests/CMakeLists.txt registers every tests/interop/*.sh as a test.)

# ---- extra keys the shared PKI lacks, issued by its intermediate ----
# ossl_extra_leaf NAME ALG KEYUSAGE SERIAL: PKI/NAME.key and PKI/NAME.crt (SAN NAME@example.com).
# X25519/X448 cannot sign a request: the request carries an Ed25519 key, replaced by
# -force_pubkey. DSA: 2048-bit parameters made here (slow once, then cached in the PKI).
ossl_extra_leaf() {
    local n=$1 alg=$2 ku=$3 serial=$4
    [ -f "$PKI/$n.crt" ] && return 0
    case $alg in
        DSA)
            openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
                -out "$W/dsaparam.pem" 2>/dev/null
            openssl genpkey -paramfile "$W/dsaparam.pem" -out "$PKI/$n.key"
            ;;
        *) openssl genpkey -algorithm "$alg" -out "$PKI/$n.key" ;;
    esac
    local fk=() csrkey=$PKI/$n.key
    if [ "$alg" = X25519 ] || [ "$alg" = X448 ]; then
        csrkey=$W/csr-$n.key
        openssl genpkey -algorithm ED25519 -out "$csrkey"
        openssl pkey -in "$PKI/$n.key" -pubout -out "$W/$n.pub"
        fk=(-force_pubkey "$W/$n.pub")
    fi
    openssl req -new -key "$csrkey" -subj "/C=XX/O=Cachet Test/CN=$n/emailAddress=$n@example.com" \
        -out "$W/$n.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s@example.com\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
        "$ku" "$n" >"$W/$n.ext"
    openssl x509 -req -in "$W/$n.csr" "${fk[@]}" -CA "$PKI/inter.crt" -CAkey "$PKI/inter.key" \
        -set_serial "0x$serial" -days 3650 -sha256 -extfile "$W/$n.ext" -out "$PKI/$n.crt" 2>/dev/null
}

# Shared secrets: KEKs for AES-128/192/256 key wrap, their KEKIdentifier, a password.
# shellcheck disable=SC2034 # used by the suites that source this file
KEK128=000102030405060708090a0b0c0d0e0f
# shellcheck disable=SC2034
KEK192=101112131415161718191a1b1c1d1e1f2021222324252627
# shellcheck disable=SC2034
KEK256=303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f
# shellcheck disable=SC2034
KEKID=6f73736c2d6b6579 # "ossl-key"
# shellcheck disable=SC2034
PASSWORD='correct horse battery staple'

# ossl_err FILE: the first OpenSSL error of FILE, reduced to "reason (function)" so that it
# does not carry the thread id and the source line of this build.
ossl_err() {
    local l
    l=$(grep -m1 -E ':error:' "$1" || grep -m1 -E 'Unknown|unknown|not supported|Error' "$1" || true)
    if [[ $l == *:error:* ]]; then
        # 40E7..:error:17000080:CMS routines:CMS_add1_signer:no default digest:../crypto/..:356:pkey nid=1088
        echo "$l" | awk -F: '{ print $6 " (" $5 ")" }'
    else
        echo "${l:-no message}"
    fi
}

# Reasons the peer gave for "not supported by peer" rows, one line each, for the prose.
UNSUP=$W/unsupported
: >"$UNSUP"
# unsupported_by_peer WHAT WHY: records WHY (the peer's exact error) for the doc.
unsupported_by_peer() { printf -- '- %s: `%s`\n' "$1" "$2" >>"$UNSUP"; }

# close_row NAME DIRECTION FORM ALGORITHM PARAMETER: end_case NAME and its matrix row.
close_row() {
    if end_case "$1"; then
        matrix_row "$2" "$3" "$4" "$5" pass
    else
        matrix_row "$2" "$3" "$4" "$5" FAIL
    fi
}

# ossl_matrix_write SECTION PROSE: matrix_write with PROSE and OpenSSL's own errors for the
# unsupported rows.
ossl_matrix_write() {
    matrix_write "$1" "$(openssl version)" "$2" "Not supported by OpenSSL 3.0's \`cms\` (its exact error):" "$UNSUP"
}
