#!/usr/bin/env python3
"""Regenerates the issue 8 seed files of fuzz/corpus/ (they are committed; this
records how they were made). Needs openssl (3.0, legacy provider for the RC2/3DES
PKCS#12), Python `cryptography`, and for the S/MIME and gateway seeds a built
cachet CLI:

    fuzz/make_seeds_issue8.py [--cachet BUILD_DIR/cachet] [OUT_ROOT]   # OUT_ROOT: fuzz/corpus

Targets: fuzz_mime_mailboxes, fuzz_crypto_cert, fuzz_crypto_crl,
fuzz_crypto_pkcs12, fuzz_smime_decrypt, fuzz_gateway_milter. Keys and
certificates are read from the fuzz targets themselves (and fuzz_cms_decrypt.c),
so every seed opens in its fuzzer; the CRL CA key is below (throw-away, made
for fuzz_crypto_crl only)."""
import datetime
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def pem_blocks(c_file, names):
    """The PEM string constants |names| of a fuzz target, as text."""
    src = open(os.path.join(HERE, c_file)).read()
    out = {}
    for name in names:
        m = re.search(r"\b%s\[\]\s*=\s*((?:\s*\"[^\"]*\")+)\s*;" % re.escape(name), src)
        if m is None:
            raise SystemExit("%s: no %s" % (c_file, name))
        text = "".join(re.findall(r"\"([^\"]*)\"", m.group(1)))
        out[name] = text.replace("\\n", "\n")
    return out


def write(root, target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_mime_mailboxes: first byte = length of the "other" address ----------
MAILBOX_SEEDS = {
    "plain": ("alice@a.example", "alice@a.example"),
    "name_addr": ("ALICE@A.EXAMPLE", "Alice Example <alice@a.example>"),
    "quoted_display": ("bob@b.example", '"Bob, the \\"builder\\"" <bob@b.example>'),
    "quoted_local": ('"john doe"@example.org', '"john doe"@example.org'),
    "quoted_local_escapes": ("x@y", '"a\\\\b\\"c"@example.org'),
    "comments": ("alice@a.example", "(lead) alice (in) @ (dom) a.example (trail)"),
    "nested_comments": ("", "Alice ((nested) comment) <alice@a.example>"),
    "list": ("carol@c.example", "alice@a.example, Bob <bob@b.example>,carol@c.example"),
    "obs_empty_elements": ("a@b", ",,alice@a.example,,"),
    "group": ("a@b", "Team: alice@a.example, bob@b.example;"),
    "group_empty": ("a@b", "undisclosed-recipients:;"),
    "obs_route": ("alice@a.example", "<@relay.example,@other.example:alice@a.example>"),
    "domain_literal": ("user@[192.0.2.1]", "user@[192.0.2.1]"),
    "domain_literal_v6": ("user@[IPv6:2001:db8::1]", "User <user@[IPv6:2001:db8::1]>"),
    "utf8": ("j\u00f6rg@b\u00fccher.example", "J\u00f6rg <j\u00f6rg@b\u00fccher.example>"),
    "encoded_word": ("a@b", "=?utf-8?q?Al=C3=AFce?= <alice@a.example>"),
    "folded": ("a@b", "Alice\r\n <alice@a.example>,\r\n\tbob@b.example"),
    "dotted_obs": ("a@b", "first . last @ a . example"),
    "two_ats_quoted": ("\"a@b\"@c.example", '"a@b"@c.example'),
    "spoof_display": ("alice@a.example", '"alice@a.example" <mallory@evil.example>'),
    "trailing_dot": ("a@b", "alice@a.example."),
    "bad_unclosed": ("a@b", "Alice <alice@a.example"),
    "bad_control": ("a@b", "ali\x01ce@a.example"),
    "bad_nul": ("a@b", "alice\x00@a.example"),
    "no_at": ("nobody", "nobody"),
}


def mailboxes(root):
    t = "fuzz_mime_mailboxes"
    for name, (other, value) in MAILBOX_SEEDS.items():
        o = other.encode("utf-8")
        write(root, t, name + ".txt", bytes([len(o)]) + o + value.encode("utf-8"))



# ---- DER helpers --------------------------------------------------------------
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def children(der):
    """The TLVs inside the constructed DER |der| (definite lengths only)."""
    hdr, n = header(der, 0)
    out, i = [], hdr
    while i < hdr + n:
        h, ln = header(der, i)
        out.append(der[i : i + h + ln])
        i += h + ln
    return out


def header(der, i):
    ln = der[i + 1]
    if ln < 0x80:
        return 2, ln
    k = ln & 0x7F
    return 2 + k, int.from_bytes(der[i + 2 : i + 2 + k], "big")


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        enc = [a & 0x7F]
        a >>= 7
        while a:
            enc.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        body += bytes(enc)
    return tlv(0x06, body)


CN, EMAIL = "2.5.4.3", "1.2.840.113549.1.9.1"


def rdn(attr_oid, tag, value):
    return tlv(0x31, seq(oid(attr_oid), tlv(tag, value)))


def with_subject(cert_der, name_der, extra_ext=None):
    """|cert_der| with its subject replaced (and an extension added); the
    signature no longer verifies, which parsing does not check."""
    cert = children(cert_der)
    tbs = children(cert[0])
    off = 1 if tbs[0][0] == 0xA0 else 0
    tbs[off + 4] = name_der
    if extra_ext is not None:
        exts = children(tbs[-1])  # [3] { SEQUENCE OF Extension }
        inner = children(exts[0]) + [extra_ext]
        tbs[-1] = tlv(0xA3, seq(*inner))
    return seq(seq(*tbs), cert[1], cert[2])


def san_ext(*general_names):
    return seq(oid("2.5.29.17"), tlv(0x04, seq(*general_names)))


def pem(label, der):
    import base64

    b = base64.b64encode(der).decode()
    lines = [b[i : i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def pem_to_der(text):
    import base64

    body = "".join(l for l in text.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


# ---- fuzz_crypto_cert -----------------------------------------------------------
def certs(root):
    t = "fuzz_crypto_cert"
    crl = pem_blocks("fuzz_crypto_crl.c", ["kCaPem", "kLeafPem"])
    dec = pem_blocks("fuzz_cms_decrypt.c", ["kRsaCert", "kEcCert", "kX25519Cert", "kX448Cert"])
    ver = pem_blocks("fuzz_smime_verify.c", ["fuzz_cert"])
    leaf = pem_to_der(crl["kLeafPem"])
    write(root, t, "ca.pem", crl["kCaPem"])
    write(root, t, "leaf.der", leaf)
    write(root, t, "rsa.der", pem_to_der(dec["kRsaCert"]))
    write(root, t, "x448.der", pem_to_der(dec["kX448Cert"]))
    write(root, t, "san_email.pem", ver["fuzz_cert"])
    write(root, t, "bundle3.pem", "junk before\n" + dec["kEcCert"] + dec["kX25519Cert"] + crl["kLeafPem"])
    write(root, t, "bundle_with_key.pem", crl["kCaPem"] + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    write(root, t, "x509_old_label.pem", crl["kCaPem"].replace("CERTIFICATE", "X509 CERTIFICATE"))
    write(root, t, "pem_empty_body.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    names = {
        # ATTACKS PA-13: string types and contents a printer must survive
        "bmp_odd": seq(rdn(CN, 0x1E, "caf\u00e9".encode("utf-16-be") + b"\x00")),
        "bmp_ok": seq(rdn(CN, 0x1E, "caf\u00e9 \u20ac".encode("utf-16-be"))),
        "bmp_surrogate": seq(rdn(CN, 0x1E, b"\xd8\x00\x00a")),
        "universal_bad_len": seq(rdn(CN, 0x1C, "ab".encode("utf-32-be") + b"\x00\x00")),
        "universal_ok": seq(rdn(CN, 0x1C, "\U0001f512x".encode("utf-32-be"))),
        "utf8_nul": seq(rdn(CN, 0x0C, b"alice\x00.evil")),
        "utf8_invalid": seq(rdn(CN, 0x0C, b"a\xc3\x28b\xff\xfe\xed\xa0\x80")),
        "utf8_controls": seq(rdn(CN, 0x0C, b"a\x1b[31mred\x7f\xc2\x85\r\nX-Injected: 1")),
        "utf8_long": seq(rdn(CN, 0x0C, ("\u00e9" * 40).encode())),
        "t61_high": seq(rdn(CN, 0x14, b"caf\xe9 \xc2e")),
        "two_cns": seq(rdn(CN, 0x0C, b"one"), rdn(CN, 0x0C, b"two")),
        "email_nul": seq(rdn(CN, 0x0C, b"x"), rdn(EMAIL, 0x16, b"alice@a.example\x00@evil.example")),
        "email_bmp": seq(rdn(EMAIL, 0x1E, "bob@b.example".encode("utf-16-be"))),
        "multi_valued_rdn": seq(tlv(0x31, seq(oid(CN), tlv(0x0C, b"a+b")) + seq(oid("2.5.4.10"), tlv(0x13, b"O,=\"#")))),
        "unknown_attr": seq(rdn("1.2.3.4.5", 0x04, b"\x00\x01\x02")),
        "empty_name": seq(),
    }
    for name, n in names.items():
        write(root, t, "name_%s.der" % name, with_subject(leaf, n))
    sans = {
        "san_nul": san_ext(tlv(0x81, b"alice@a.example\x00.evil.example")),
        "san_dup_case": san_ext(tlv(0x81, b"Alice@A.example"), tlv(0x81, b"alice@a.EXAMPLE")),
        "san_control": san_ext(tlv(0x81, b"al\nice@a.example"), tlv(0x81, b"ok@a.example")),
        "san_uri": san_ext(tlv(0x86, b"http://a.example/ x"), tlv(0x81, b"")),
    }
    base = seq(rdn(CN, 0x0C, b"san test"))
    for name, ext in sans.items():
        write(root, t, "%s.der" % name, with_subject(leaf, base, ext))
    # A second SAN extension (a duplicate extension must not go unnoticed).
    write(root, t, "dup_san.der", with_subject(leaf, base, san_ext(tlv(0x81, b"x@y.example"))))


# ---- fuzz_crypto_crl ------------------------------------------------------------
CRL_CA_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+aHiN46+cN2sWJI6
7DU4NpHzG+4sZvexhokpYs+fCnWhRANCAATJSo99amqCjltqSH31ehhzJrE+f0Sm
pFqVUjKn5cRGnL17QX/02CgcSjliQtQGRI4nw7sgNvf9G//xaARAHyT+
-----END PRIVATE KEY-----
"""


def crls(root):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    t = "fuzz_crypto_crl"
    blocks = pem_blocks("fuzz_crypto_crl.c", ["kCaPem"])
    ca = x509.load_pem_x509_certificate(blocks["kCaPem"].encode())
    key = serialization.load_pem_private_key(CRL_CA_KEY.encode(), None)
    other = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)

    def build(entries=(), exts=(), signer=key, issuer=None, algo=hashes.SHA256(), nxt=True):
        b = x509.CertificateRevocationListBuilder().issuer_name(issuer or ca.subject)
        b = b.last_update(now)
        if nxt:
            b = b.next_update(now + datetime.timedelta(days=30))
        for serial, reason in entries:
            rb = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now)
            if reason is not None:
                rb = rb.add_extension(x509.CRLReason(reason), critical=False)
            b = b.add_revoked_certificate(rb.build())
        for ext, crit in exts:
            b = b.add_extension(ext, critical=crit)
        return b.sign(signer, algo)

    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())
    num = x509.CRLNumber(7)
    R = x509.ReasonFlags
    cases = {
        "empty": build(exts=[(aki, False), (num, False)]),
        "revoked_leaf": build([(0x1001, R.key_compromise)], [(aki, False), (num, False)]),
        "revoked_many": build([(i, R.superseded if i % 2 else None) for i in range(1, 40)] + [(0x1001, R.ca_compromise)], [(num, False)]),
        "delta": build([(0x1001, R.remove_from_crl)], [(num, False), (x509.DeltaCRLIndicator(6), True)]),
        "idp_partitioned": build([], [(x509.IssuingDistributionPoint(None, None, True, False, None, False, False), True)]),
        "wrong_signer": build([(0x1001, None)], signer=other),
        "other_issuer": build([], issuer=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone else")])),
        "sha512": build([(0x1001, R.affiliation_changed)], algo=hashes.SHA512()),
    }
    for name, crl in cases.items():
        der = crl.public_bytes(serialization.Encoding.DER)
        write(root, t, name + ".der", der)
    write(root, t, "revoked_leaf.pem", cases["revoked_leaf"].public_bytes(serialization.Encoding.PEM))
    write(root, t, "pem_empty_body.pem", "-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n")
    write(root, t, "trailing_byte.der", cases["empty"].public_bytes(serialization.Encoding.DER) + b"\x00")


# ---- fuzz_crypto_ocsp ---------------------------------------------------------
def ocsp(root):
    t = "fuzz_crypto_ocsp"
    blocks = pem_blocks("fuzz_crypto_crl.c", ["kCaPem", "kLeafPem"])
    with tempfile.TemporaryDirectory() as tmp:
        def f(name, text):
            p = os.path.join(tmp, name)
            open(p, "w").write(text)
            return p

        ca, leaf, key = f("ca.crt", blocks["kCaPem"]), f("leaf.crt", blocks["kLeafPem"]), f("ca.key", CRL_CA_KEY)
        serial = openssl("x509", "-in", leaf, "-noout", "-serial").decode().strip().split("=")[1]
        req, req_nonce = os.path.join(tmp, "req.der"), os.path.join(tmp, "req_nonce.der")
        openssl("ocsp", "-issuer", ca, "-cert", leaf, "-no_nonce", "-reqout", req)
        openssl("ocsp", "-issuer", ca, "-cert", leaf, "-reqout", req_nonce)
        rows = {
            "good": "V\t21261102165534Z\t\t%s\tunknown\t/CN=crl leaf\n" % serial,
            "revoked": "R\t21261102165534Z\t261101000000Z,keyCompromise\t%s\tunknown\t/CN=crl leaf\n" % serial,
            "unknown": "V\t21261102165534Z\t\t%s\tunknown\t/CN=someone else\n" % "0BAD",
        }
        for name, row in rows.items():
            index = f("index_" + name, row)
            out = os.path.join(tmp, name + ".der")
            openssl("ocsp", "-index", index, "-rsigner", ca, "-rkey", key, "-CA", ca, "-reqin", req, "-respout", out, "-ndays", "36500")
            write(root, t, name + ".der", open(out, "rb").read())
        out = os.path.join(tmp, "nonce.der")
        openssl("ocsp", "-index", f("index_n", rows["good"]), "-rsigner", ca, "-rkey", key, "-CA", ca, "-reqin", req_nonce, "-respout", out, "-ndays", "36500")
        write(root, t, "good_other_nonce.der", open(out, "rb").read())
        write(root, t, "unauthorized.der", bytes.fromhex("3003 0a01 06".replace(" ", "")))
        write(root, t, "try_later.der", bytes.fromhex("30030a0103"))


# ---- fuzz_crypto_pkcs12 ---------------------------------------------------------
def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


def pkcs12(root):
    t = "fuzz_crypto_pkcs12"
    dec = pem_blocks("fuzz_cms_decrypt.c", ["kRsaKey", "kRsaCert", "kEcKey", "kEcCert", "kX25519Key", "kX25519Cert"])
    crl = pem_blocks("fuzz_crypto_crl.c", ["kCaPem", "kLeafPem"])
    with tempfile.TemporaryDirectory() as tmp:
        def f(name, text):
            p = os.path.join(tmp, name)
            open(p, "w").write(text)
            return p

        rk, rc = f("rk", dec["kRsaKey"]), f("rc", dec["kRsaCert"])
        ek, ec_ = f("ek", dec["kEcKey"]), f("ec", dec["kEcCert"])
        xk, xc = f("xk", dec["kX25519Key"]), f("xc", dec["kX25519Cert"])
        chain = f("chain", crl["kCaPem"] + crl["kLeafPem"])
        pw = "pass:fuzz-p12"
        cases = {
            "rsa_aes": ["-inkey", rk, "-in", rc, "-passout", pw],
            "ec_aes_chain": ["-inkey", ek, "-in", ec_, "-certfile", chain, "-passout", pw],
            "x25519_nopass": ["-inkey", xk, "-in", xc, "-passout", "pass:"],
            "ec_nomac": ["-inkey", ek, "-in", ec_, "-passout", pw, "-nomac"],
            "ec_plain_bags": ["-inkey", ek, "-in", ec_, "-passout", pw, "-keypbe", "NONE", "-certpbe", "NONE"],
            "ec_plain_nomac": ["-inkey", ek, "-in", ec_, "-passout", "pass:", "-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
            "rsa_legacy": ["-legacy", "-inkey", rk, "-in", rc, "-passout", pw],
            "ec_iter1": ["-inkey", ek, "-in", ec_, "-passout", pw, "-iter", "1", "-maciter"],
            "ec_sha512_mac": ["-inkey", ek, "-in", ec_, "-passout", pw, "-macalg", "sha512"],
            "mismatch_key_cert": ["-inkey", rk, "-in", ec_, "-passout", pw, "-nomac", "-keypbe", "NONE", "-certpbe", "NONE"],
            "cert_only": ["-nokeys", "-in", ec_, "-passout", pw],
            "key_and_other_certs": ["-inkey", ek, "-in", ec_, "-certfile", chain, "-passout", pw, "-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
        }
        for name, args in cases.items():
            try:
                der = openssl("pkcs12", "-export", *args, "-out", "/dev/stdout")
            except subprocess.CalledProcessError as e:
                if name == "mismatch_key_cert":
                    continue
                raise SystemExit("%s: %s" % (name, e.stderr.decode()))
            write(root, t, name + ".p12", der)
        # Regressions (issue 8 item 4): iteration counts from the file bound
        # before any key derivation runs.
        nomac = openssl("pkcs12", "-export", "-inkey", ek, "-in", ec_, "-passout", pw, "-nomac", "-out", "/dev/stdout")
        write(root, t, "regress_pbe_iter_huge.p12", set_integers(nomac, 2048, 0x7FFFFFFF))
        mac = openssl("pkcs12", "-export", "-inkey", ek, "-in", ec_, "-passout", pw, "-out", "/dev/stdout")
        top = children(mac)
        macdata = children(top[2])
        macdata[2] = tlv(0x02, (0x7FFFFFFF).to_bytes(4, "big"))
        write(root, t, "regress_mac_iter_huge.p12", seq(top[0], top[1], seq(*macdata)))


def set_integers(der, old, new):
    """|der| re-encoded with every INTEGER |old| made |new|, also inside OCTET
    STRINGs that hold DER (PKCS#12 nests its safes so)."""

    def walk(b):
        out, i = b"", 0
        while i < len(b):
            tag = b[i]
            h, n = header(b, i)
            body = b[i + h : i + h + n]
            if tag & 0x20:
                body = walk(body)
            elif tag == 0x04 and len(body) > 2 and body[0] == 0x30:
                try:
                    if sum(1 for _ in iter_tlvs(body)) >= 1:
                        body = walk(body)
                except (IndexError, ValueError):
                    pass
            elif tag == 0x02 and int.from_bytes(body, "big") == old:
                body = new.to_bytes((new.bit_length() + 8) // 8, "big")
            out += tlv(tag, body)
            i += h + n
        return out

    return walk(der)


def iter_tlvs(b):
    i = 0
    while i < len(b):
        h, n = header(b, i)
        if i + h + n > len(b):
            raise ValueError("not DER")
        yield b[i : i + h + n]
        i += h + n


# ---- fuzz_smime_decrypt and fuzz_gateway_milter: made with the cachet CLI --------
MSG = (
    "From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: quarterly numbers\r\n"
    "Message-ID: <1@a.example>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob.\r\nThe numbers are fine.\r\n"
)
MULTIPART = (
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
    "preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b1\r\n"
    "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "AAECAwQFBgc=\r\n--b1--\r\nepilogue\r\n"
)
KEK256_HEX = bytes(range(0x10, 0x30)).hex()


def cli(cachet, args, data):
    r = subprocess.run([cachet, *args], input=data, capture_output=True)
    if r.returncode != 0:
        raise SystemExit("cachet %s: %s" % (" ".join(args), r.stderr.decode()))
    return r.stdout


def smime_decrypt(root, cachet):
    t = "fuzz_smime_decrypt"
    k = pem_blocks("fuzz_smime_decrypt.c", ["kRsaKey", "kRsaCert", "kEcKey", "kEcCert", "kX25519Cert"])
    with tempfile.TemporaryDirectory() as tmp:
        def f(name, text):
            p = os.path.join(tmp, name)
            open(p, "w").write(text)
            os.chmod(p, 0o600)
            return p

        rsa, ec_, x = f("rsa.crt", k["kRsaCert"]), f("ec.crt", k["kEcCert"]), f("x.crt", k["kX25519Cert"])
        eck = f("ec.key", k["kEcKey"])
        msg, mp = MSG.encode(), MULTIPART.encode()
        enc = lambda *a, data=msg: cli(cachet, ["encrypt", *a], data)
        write(root, t, "rsa_cbc.eml", enc("--to", rsa, "--cipher", "aes-256-cbc"))
        write(root, t, "rsa_oaep_gcm.eml", enc("--to", rsa, "--oaep", "--cipher", "aes-128-gcm"))
        write(root, t, "ec_gcm.eml", enc("--to", ec_))
        write(root, t, "x25519_chacha.eml", enc("--to", x, "--cipher", "chacha20-poly1305"))
        write(root, t, "three_recipients_ccm.eml", enc("--to", rsa, "--to", ec_, "--to", x, "--cipher", "aes-128-ccm"))
        write(root, t, "kek.eml", enc("--secret-key", KEK256_HEX, "--key-id", "fuzz-kek-256"))
        write(root, t, "password.eml", enc("--password", "fuzz-password", "--pbkdf2-iterations", "1000"))
        write(root, t, "multipart_x25519.eml", enc("--to", x, data=mp))
        write(root, t, "ec_raw.der", enc("--to", ec_, "--raw", "--format", "der", data=b"raw content\n"))
        write(root, t, "ec_pem.pem", enc("--to", ec_, "--format", "pem"))
        signed = cli(cachet, ["sign", "--cert", ec_, "--key", eck, "--at", "2029-06-01T00:00:00Z"], msg)
        write(root, t, "signed_then_ec.eml", enc("--to", ec_, data=signed))
        compressed = cli(cachet, ["compress"], msg)
        write(root, t, "compressed_then_x25519.eml", enc("--to", x, data=compressed))
        write(root, t, "signed_only.eml", signed)
        write(root, t, "plain.eml", msg)
        try:
            ossl = openssl("smime", "-encrypt", "-aes256", "-in", "/dev/stdin", rsa, data=msg)
            write(root, t, "openssl_rsa.eml", ossl)
        except subprocess.CalledProcessError:
            pass


# The inbound seeds are signed by b.example's domain-signing authority (its key
# lives here only: the target needs just a.example's keys and b.example's DCA).
DSA_B_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1MljwOT8F+jrXdhB
qEXh0F98Bwmwzy2hA3NW2tLvQDGhRANCAAQbN66SxeIr0ET5hjF5chpGslKO9mJ/
7FQgF6NnRBrrleWsEYM1l6R1XtLyBLIFzFWlE71R6bo9W2+pQ7oyDDOS
-----END PRIVATE KEY-----
"""
DSA_B_CRT = """-----BEGIN CERTIFICATE-----
MIICKTCCAdCgAwIBAgICAgEwCgYIKoZIzj0EAwIwTjELMAkGA1UEBhMCWFgxHDAa
BgNVBAoME0NhY2hldCBGdXp6IERvbWFpbnMxITAfBgNVBAMMGGNhY2hldCBmdXp6
IGRvbWFpbnMgcm9vdDAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFow
RDELMAkGA1UEBhMCWFgxEjAQBgNVBAoMCUIgRXhhbXBsZTEhMB8GA1UEAwwYZG9t
YWluLXNpZ25pbmctYXV0aG9yaXR5MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
GzeuksXiK9BE+YYxeXIaRrJSjvZif+xUIBejZ0Qa65XlrBGDNZekdV7S8gSyBcxV
pRO9Uem6PVtvqUO6MgwzkqOBpTCBojAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQE
AwIGwDATBgNVHSUEDDAKBggrBgEFBQcDBDAtBgNVHREEJjAkgSJkb21haW4tc2ln
bmluZy1hdXRob3JpdHlAYi5leGFtcGxlMB0GA1UdDgQWBBRG9q43GYMeg39YtkzV
+rlvcMATZDAfBgNVHSMEGDAWgBTRF01UwglgkkncqdTqfWf78iiBXjAKBggqhkjO
PQQDAgNHADBEAiAtyG6mC700hQ4UtoDN3fmAEQulb4l9hs+4W2Sq5opkEgIgAxlA
/Sw6Sft86cZ86ioZ1xmch75lKgNDw/EBmn97Rrc=
-----END CERTIFICATE-----
"""


def gateway_milter(root, cachet):
    t = "fuzz_gateway_milter"
    k = pem_blocks("fuzz_gateway_milter.c", ["kDcaACrt", "kDsaAKey", "kDsaACrt"])
    with tempfile.TemporaryDirectory() as tmp:
        def f(name, text):
            p = os.path.join(tmp, name)
            open(p, "w").write(text)
            os.chmod(p, 0o600)
            return p

        dca_a = f("dca-a.crt", k["kDcaACrt"])
        dsab, dsab_crt = f("dsa-b.key", DSA_B_KEY), f("dsa-b.crt", DSA_B_CRT)
        dsaa, dsaa_crt = f("dsa-a.key", k["kDsaAKey"]), f("dsa-a.crt", k["kDsaACrt"])
        msg = MSG.replace("From: Alice <alice@a.example>\r\nTo: bob@b.example", "From: Bob <bob@b.example>\r\nTo: alice@a.example").encode()
        write(root, t, "plain.eml", MSG)
        write(root, t, "plain_lf_folded.eml", MSG.replace("\r\n", "\n").replace("Subject: quarterly numbers", "Subject: quarterly\n numbers\n\tand more"))
        write(root, t, "multipart.eml", "From: alice@a.example\r\nTo: bob@b.example\r\n" + MULTIPART)
        write(root, t, "forged_authres.eml", "Authentication-Results: mx.a.example; smime=pass\r\n" + MSG)
        write(root, t, "no_header.eml", "\r\njust a body\r\n")
        signed_b = cli(cachet, ["sign", "--cert", dsab_crt, "--key", dsab, "--signature-type", "domain"], msg)
        write(root, t, "inbound_signed.eml", signed_b)
        write(root, t, "inbound_signed_encrypted.eml", cli(cachet, ["encrypt", "--to", dca_a], signed_b))
        write(root, t, "inbound_encrypted_only.eml", cli(cachet, ["encrypt", "--to", dca_a], msg))
        write(root, t, "outbound_already_signed.eml", cli(cachet, ["sign", "--cert", dsaa_crt, "--key", dsaa, "--signature-type", "domain"], MSG.encode()))


if __name__ == "__main__":
    args = sys.argv[1:]
    cachet = None
    if len(args) >= 2 and args[0] == "--cachet":
        cachet = args[1]
        args = args[2:]
    root = args[0] if args else os.path.join(HERE, "corpus")
    mailboxes(root)
    certs(root)
    crls(root)
    ocsp(root)
    pkcs12(root)
    if cachet is not None:
        smime_decrypt(root, cachet)
        gateway_milter(root, cachet)
