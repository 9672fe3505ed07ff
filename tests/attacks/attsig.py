#!/usr/bin/env python3
"""Builders for the P1 signature and certificate attacks (ATTACKS.md SG-12/13/17, CE-*, PA-04/
13/15/16/18), from messages and certificates made with our own keys.

    attsig.py COMMAND IN OUT [ARGS...]

IN is DER, PEM or an S/MIME message ('-' where the command builds from nothing); OUT is DER
(PEM-free). Each cmd_* below is one shape, named in its docstring. Only the standard library
and the openssl command are used; the tree editor is derlib.py, CMS navigation cmslib.py.
"""

import hashlib
import hmac
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derlib as D  # noqa: E402
from cmslib import *  # noqa: E402,F401,F403

OID_SMIME_CAPS = "1.2.840.113549.1.9.15"
OID_RSA = "1.2.840.113549.1.1.1"
OID_PSS = "1.2.840.113549.1.1.10"
OID_MGF1 = "1.2.840.113549.1.1.8"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_SHA1 = "1.3.14.3.2.26"
OID_HMAC_SHA256 = "1.2.840.113549.2.9"
OID_AUTH_DATA = "1.2.840.113549.1.9.16.1.2"
DIGESTINFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")
SIG_ALGS = {"sha1-rsa": "1.2.840.113549.1.1.5", "sha256-rsa": "1.2.840.113549.1.1.11",
            "ecdsa-sha256": "1.2.840.10045.4.3.2", "ecdsa-sha1": "1.2.840.10045.4.1",
            "ed25519": "1.3.101.112", "rsa": OID_RSA}


def sign_raw_rsa(key, block):
    """block^d mod n: the RSA private operation on a block we encoded ourselves."""
    return openssl(["pkeyutl", "-decrypt", "-inkey", key, "-pkeyopt", "rsa_padding_mode:none"], block)


def rsa_bytes(key):
    out = openssl(["pkey", "-in", key, "-noout", "-text"]).decode()
    for line in out.splitlines():
        if "Private-Key:" in line:
            return int(line.split("(")[1].split()[0]) // 8
    raise SystemExit("not an RSA key")


def tbs_attrs(si):
    sa = signed_attrs(si)
    return D.ser(D.Node(0x31, kids=sa.kids))


def alg_seq(name, params=None):
    kids = [D.oid(SIG_ALGS.get(name, name))]
    if params is not None:
        kids.append(params)
    return D.seq(*kids)


# ---------------- SG-12 algorithm consistency ----------------
def cmd_sig_alg(root, args):
    """SG-12: SignerInfo.signatureAlgorithm := ARGS[0] (a name of SIG_ALGS or an OID), params
    NULL for RSA names ('null') or absent; the signature is untouched."""
    si = signer_infos(content(root)).kids[0]
    params = D.null() if len(args) > 1 and args[1] == "null" else None
    si.kids[sig_index(si) - 1] = alg_seq(args[0], params)
    return root


def pss_params(hash_oid, mgf_hash_oid, salt, trailer):
    kids = [D.ctx(0, D.seq(D.oid(hash_oid))), D.ctx(1, D.seq(D.oid(OID_MGF1), D.seq(D.oid(mgf_hash_oid))))]
    if salt is not None:
        kids.append(D.ctx(2, D.integer(salt)))
    if trailer is not None:
        kids.append(D.ctx(3, D.integer(trailer)))
    return D.seq(*kids)


def cmd_pss(root, args):
    """SG-12: RSASSA-PSS over the signedAttrs with KEY (ARGS[0]); ARGS[1] picks the shape:
    ok (sha256, mgf1-sha256, salt 32) | mgf-sha1 (MGF1 hash differs, signature made so) |
    salt-huge (saltLength 4096 announced) | trailer-2 (trailerField 2) | no-params."""
    key, shape = args[0], args[1]
    si = signer_infos(content(root)).kids[0]
    mgf = OID_SHA1 if shape == "mgf-sha1" else OID_SHA256
    sig = openssl(["dgst", "-sha256", "-sign", key, "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                   "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:" + ("sha1" if shape == "mgf-sha1" else "sha256")],
                  tbs_attrs(si))
    salt = {"salt-huge": 4096}.get(shape, 32)
    params = None if shape == "no-params" else pss_params(OID_SHA256, mgf, salt, 2 if shape == "trailer-2" else None)
    si.kids[sig_index(si) - 1] = D.seq(D.oid(OID_PSS), *([params] if params is not None else []))
    si.kids[sig_index(si)] = D.octet(sig)
    return root


def cmd_ed_digest(root, args):
    """SG-12: an Ed25519 SignerInfo whose digestAlgorithm is ARGS[1] (sha256), messageDigest
    recomputed with it, signedAttrs signed again by the Ed25519 key ARGS[0]: every value is
    consistent except the pairing RFC 8419 §3.1 requires (SHA-512)."""
    key, md = args[0], args[1]
    sd = content(root)
    si = signer_infos(sd).kids[0]
    oid_s = {"sha256": OID_SHA256, "sha512": "2.16.840.1.101.3.4.2.3"}[md]
    si.kids[2] = D.seq(D.oid(oid_s))
    sd.kids[1] = D.set_of(D.seq(D.oid(oid_s)))
    data = econtent_bytes(sd)
    for a in signed_attrs(si).kids:
        if attr_oid(a) == OID_MD:
            a.kids[1].kids[0] = D.octet(hashlib.new(md, data).digest())
    signed_attrs(si).kids.sort(key=D.ser)
    with tempfile.NamedTemporaryFile() as f:
        f.write(tbs_attrs(si))
        f.flush()
        sig = openssl(["pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", f.name])
    si.kids[sig_index(si)] = D.octet(sig)
    return root


# ---------------- SG-13 signature encodings ----------------
def cmd_pkcs1(root, args):
    """SG-13: the RSA signature re-made by the raw private operation over a block we encode:
    ok | garbage-after (00 01 FF.. 00 DigestInfo || 8 bytes) | params-not-null (DigestInfo
    hash parameters = INTEGER 0) | long-length (DigestInfo SEQUENCE length in long form) |
    no-null (parameters absent) | short-pad (only 7 bytes of FF) | bt02 (block type 2)."""
    key, shape = args[0], args[1]
    si = signer_infos(content(root)).kids[0]
    h = hashlib.sha256(tbs_attrs(si)).digest()
    di = DIGESTINFO_SHA256 + h
    extra = b""
    if shape == "params-not-null":
        di = bytes.fromhex("3032300e0609608648016503040201020100") + b"\x04\x20" + h
    elif shape == "long-length":
        di = bytes.fromhex("308131300d060960864801650304020105000420") + h
    elif shape == "no-null":
        di = bytes.fromhex("302f300b0609608648016503040201") + b"\x04\x20" + h
    elif shape == "garbage-after":
        extra = os.urandom(8)
    k = rsa_bytes(key)
    body = di + extra
    bt = b"\x02" if shape == "bt02" else b"\x01"
    if shape == "short-pad":
        block = b"\x00\x01" + b"\xff" * 7 + b"\x00" + body
        block = block + b"\x00" * (k - len(block))  # the rest as trailing garbage
    else:
        block = b"\x00" + bt + b"\xff" * (k - 3 - len(body)) + b"\x00" + body
    si.kids[sig_index(si)] = D.octet(sign_raw_rsa(key, block))
    return root


def cmd_ecdsa(root, args):
    """SG-13: the ECDSA signature value re-encoded: trailing (two bytes after the SEQUENCE) |
    extra-int (a third INTEGER) | nonminimal (r with a redundant leading 00) | negative (r
    negated) | long-length (SEQUENCE length in long form) | ber-indef (indefinite length)."""
    shape = args[0]
    si = signer_infos(content(root)).kids[0]
    s = si.kids[sig_index(si)]
    sig = D.parse(s.val)
    r, sv = sig.kids
    if shape == "trailing":
        out = D.ser(sig) + b"\x00\x00"
    elif shape == "extra-int":
        sig.kids.append(D.integer(1))
        out = D.ser(sig)
    elif shape == "nonminimal":
        r.val = b"\x00" + r.val if r.val[0] != 0 else b"\x00" + r.val
        out = D.ser(sig)
    elif shape == "negative":
        sig.kids[0] = D.integer(-D.int_value(r))
        out = D.ser(sig)
    elif shape == "long-length":
        body = D.ser(r) + D.ser(sv)
        out = b"\x30\x81" + bytes([len(body)]) + body
    elif shape == "ber-indef":
        out = b"\x30\x80" + D.ser(r) + D.ser(sv) + b"\x00\x00"
    else:
        raise SystemExit("ecdsa: unknown shape")
    s.val = out
    return root


# ---------------- CE-12 capabilities ----------------
def caps_value(spec):
    """'rc2-40,des,aes256-gcm,...' -> SMIMECapabilities SEQUENCE."""
    table = {"rc2-40": D.seq(D.oid("1.2.840.113549.3.2"), D.integer(40)),
             "des": D.seq(D.oid("1.3.14.3.2.7")),
             "des3": D.seq(D.oid("1.2.840.113549.3.7")),
             "aes256-gcm": D.seq(D.oid("2.16.840.1.101.3.4.1.46")),
             "aes256-cbc": D.seq(D.oid("2.16.840.1.101.3.4.1.42"))}
    return D.seq(*[table[c] for c in spec.split(",")])


def cmd_caps(root, args):
    """CE-12: the signed SMIMECapabilities := ARGS[1] (caps_value), re-signed with ARGS[0]."""
    si = signer_infos(content(root)).kids[0]
    sa = signed_attrs(si)
    sa.kids = [a for a in sa.kids if attr_oid(a) != OID_SMIME_CAPS]
    sa.kids.append(attr(OID_SMIME_CAPS, caps_value(args[1])))
    resign(si, args[0])
    return root


def cmd_unsigned_caps(root, args):
    """CE-12: an SMIMECapabilities ARGS[0] added as an unsigned attribute (signature intact)."""
    si = signer_infos(content(root)).kids[0]
    si.kids.append(D.ctx(1, attr(OID_SMIME_CAPS, caps_value(args[0]))))
    return root


def cmd_label(root, args):
    """PA-13: an ESS securityLabel (RFC 2634 §3.2) whose privacy mark is a string of universal
    tag ARGS[1] (hex: 0c UTF8String, 13 PrintableString) holding the bytes ARGS[2] (hex),
    added to the signed attributes and re-signed with ARGS[0]."""
    si = signer_infos(content(root)).kids[0]
    label = D.set_of(D.integer(1), D.oid("1.2.3.4.5"), D.Node(int(args[1], 16), bytes.fromhex(args[2])))  # DER tag order
    signed_attrs(si).kids.append(attr("1.2.840.113549.1.9.16.2.2", label))
    resign(si, args[0])
    return root


# ---------------- certificates ----------------
def cert_sign(root, key):
    """Re-signs a Certificate's TBS with the issuer key (EC or RSA, SHA-256)."""
    tbs = root.kids[0]
    sig = openssl(["dgst", "-sha256", "-sign", key], D.ser(tbs))
    root.kids[2] = D.Node(0x03, b"\x00" + sig)
    return root


def tbs_fields(tbs):
    """Index of serial, signature, issuer, validity, subject, spki in a TBSCertificate."""
    off = 1 if tbs.kids[0].tag[0] == 0xA0 else 0
    return {"serial": off, "sigalg": off + 1, "issuer": off + 2, "validity": off + 3,
            "subject": off + 4, "spki": off + 5}


def cmd_cert_serial(root, args):
    """PA-15: serialNumber := ARGS[1] (an int, or 'bytes:N' for an N-byte positive serial),
    re-signed by ARGS[0]."""
    tbs = root.kids[0]
    v = args[1]
    if v.startswith("bytes:"):
        n = int(v.split(":")[1])
        node = D.Node(0x02, b"\x01" + os.urandom(n - 1))
    else:
        node = D.integer(int(v, 0))
    tbs.kids[tbs_fields(tbs)["serial"]] = node
    return cert_sign(root, args[0])


def cmd_cert_cn(root, args):
    """PA-13: the subject's CN value := a string of universal tag ARGS[1] (hex, e.g. 1e =
    BMPString) holding the bytes ARGS[2] (hex), re-signed by ARGS[0]."""
    tbs = root.kids[0]
    subj = tbs.kids[tbs_fields(tbs)["subject"]]
    done = False
    for rdn in subj.kids:
        for atv in rdn.kids:
            if D.oid_str(atv.kids[0]) == "2.5.4.3":
                atv.kids[1] = D.Node(int(args[1], 16), bytes.fromhex(args[2]))
                done = True
    if not done:
        raise SystemExit("cert-cn: no CN")
    return cert_sign(root, args[0])


def cmd_cert_rsa_spki(root, args):
    """CE-10: the subject key := an RSA key of ARGS[1] modulus bits and an ARGS[2]-bit
    exponent (random, odd; nobody holds its private key), re-signed by ARGS[0]."""
    bits, ebits = int(args[1]), int(args[2])
    n = int.from_bytes(os.urandom(bits // 8), "big") | (1 << (bits - 1)) | 1
    e = int.from_bytes(os.urandom((ebits + 7) // 8), "big") | (1 << (ebits - 1)) | 1 if ebits > 17 else 65537
    key = D.ser(D.seq(D.integer(n), D.integer(e)))
    tbs = root.kids[0]
    tbs.kids[tbs_fields(tbs)["spki"]] = D.seq(D.seq(D.oid(OID_RSA), D.null()), D.Node(0x03, b"\x00" + key))
    return cert_sign(root, args[0])


def cmd_add_certs(root, args):
    """PA-15: appends to SignedData.certificates: each ARGS file (PEM/DER certificate), or
    'copies:N:FILE' (N copies of FILE with distinct serials, signatures left invalid), or
    'choice:T' (a CertificateChoices alternative [T] holding an empty SEQUENCE: T = 1, 2, 3)."""
    sd = content(root)
    certs = sd.find(0xA0)
    if certs is None:
        certs = D.ctx(0)
        sd.kids.insert(3, certs)
    for a in args:
        if a.startswith("copies:"):
            _, n, path = a.split(":", 2)
            c = load(path)
            tbs = c.kids[0]
            i = tbs_fields(tbs)["serial"]
            for k in range(int(n)):
                tbs.kids[i] = D.integer(0x7000000 + k)
                certs.kids.append(D.parse(D.ser(c)))
        elif a.startswith("choice:"):
            t = int(a.split(":")[1])
            certs.kids.append(D.ctx(t, D.seq(D.oid("1.2.3.4"), D.null())))
        else:
            certs.kids.append(load(a))
    return root


def cmd_swap_cert(root, args):
    """PA-13/PA-15: the certificate in SignedData.certificates with the serial number of the
    certificate ARGS[0] is replaced by ARGS[0] (a DER/PEM file openssl may refuse to read);
    the SignerIdentifier still names it by issuer and serial number."""
    new = load(args[0])
    want = D.ser(new.kids[0].kids[tbs_fields(new.kids[0])["serial"]])
    certs = content(root).find(0xA0)
    for i, c in enumerate(certs.kids):
        if c.tag[0] == 0x30 and D.ser(c.kids[0].kids[tbs_fields(c.kids[0])["serial"]]) == want:
            certs.kids[i] = new
            return root
    raise SystemExit("swap-cert: no certificate with that serial")


def cmd_add_crls(root, args):
    """PA-16: appends each ARGS CRL file (PEM/DER) to SignedData.crls ([1]), or 'other' (an
    OtherRevocationInfoFormat [1] with an unknown format)."""
    sd = content(root)
    crls = sd.find(0xA1)
    if crls is None:
        crls = D.ctx(1)
        sd.kids.insert(len(sd.kids) - 1, crls)
    for a in args:
        if a == "other":
            crls.kids.append(D.ctx(1, D.oid("1.2.3.4"), D.null()))
        else:
            crls.kids.append(load(a))
    return root


def cmd_big_crl(root, args):
    """PA-16: a CRL of the issuer certificate IN listing ARGS[1] serials, signed by ARGS[0]
    (made directly: openssl ca takes minutes for this many)."""
    issuer = root.kids[0]
    name = issuer.kids[tbs_fields(issuer)["subject"]]
    n = int(args[1])
    entries = [D.seq(D.integer(0x100000 + i), D.utctime("250101000000Z")) for i in range(n)]
    tbs = D.seq(D.integer(1), D.seq(D.oid(SIG_ALGS["ecdsa-sha256"])), name, D.utctime("250101000000Z"),
                D.utctime("491231000000Z"), D.seq(*entries))
    sig = openssl(["dgst", "-sha256", "-sign", args[0]], D.ser(tbs))
    return D.seq(tbs, D.seq(D.oid(SIG_ALGS["ecdsa-sha256"])), D.Node(0x03, b"\x00" + sig))


def cmd_crl_drop_number(root, args):
    """PA-16: a CRL without its cRLNumber extension (kept: the deltaCRLIndicator), re-signed
    by ARGS[0] (the delta CRL without CRL Number of CVE-2026-28388)."""
    tbs = root.kids[0]
    exts = tbs.find(0xA0)
    lst = exts.kids[0]
    lst.kids = [e for e in lst.kids if D.oid_str(e.kids[0]) != "2.5.29.20"]
    sig = openssl(["dgst", "-sha256", "-sign", args[0]], D.ser(tbs))
    root.kids[2] = D.Node(0x03, b"\x00" + sig)
    return root


# ---------------- PA-04 originatorInfo ----------------
def cmd_originator_info(root, args):
    """PA-04: EnvelopedData.originatorInfo [0] inserted: certs ARGS[0] = 'choices' ([1] v1
    attribute certificate, [2] v2 attribute certificate, [3] other), 'crl-other' (crls with an
    [1] other RevocationInfoChoice), 'many:N:FILE' (N copies of a certificate), or a file."""
    ed = content(root)
    a = args[0]
    if a == "choices":
        oi = D.ctx(0, D.ctx(0, D.ctx(1, D.seq(D.null())), D.ctx(2, D.seq(D.null())),
                            D.ctx(3, D.oid("1.2.3.4"), D.null())))
    elif a == "crl-other":
        oi = D.ctx(0, D.ctx(1, D.ctx(1, D.oid("1.2.3.4"), D.null())))
    elif a.startswith("many:"):
        _, n, path = a.split(":", 2)
        c = D.ser(load(path))
        oi = D.ctx(0, D.ctx(0, D.raw(c * int(n))))
    else:
        oi = D.ctx(0, D.ctx(0, load(a)))
    if ed.kids[1].tag[0] == 0xA0:
        ed.kids[1] = oi
    else:
        ed.kids.insert(1, oi)
    if D.oid_str(root.kids[0]) == OID_ENVELOPED:
        ed.kids[0] = D.integer(2)  # RFC 5652 §6.1; AuthEnvelopedData stays version 0
    return root


# ---------------- PA-18 AuthenticatedData ----------------
def cmd_authdata(_, args):
    """PA-18: a genuine AuthenticatedData (RFC 5652 §9) for certificate ARGS[0] (RSA key
    transport) with HMAC-SHA256 over the content file ARGS[1]; ARGS[2] = 'attrs' adds
    authAttrs (contentType, messageDigest) and a digestAlgorithm, as §9.2 pairs them."""
    data = open(args[1], "rb").read()
    key = os.urandom(32)
    cert = load(args[0]).kids[0]
    f = tbs_fields(cert)
    rid = D.seq(cert.kids[f["issuer"]], cert.kids[f["serial"]])
    ktri = D.seq(D.integer(0), rid, D.seq(D.oid(OID_RSA), D.null()), D.octet(rsa_encrypt(args[0], key)))
    kids = [D.integer(0), D.set_of(ktri), D.seq(D.oid(OID_HMAC_SHA256))]
    eci = D.seq(D.oid(OID_DATA), D.ctx(0, D.octet(data)))
    with_attrs = len(args) > 2 and args[2] == "attrs"
    if with_attrs:
        kids.append(D.ctx(1, D.oid(OID_SHA256)))
    kids.append(eci)
    if with_attrs:
        attrs = [attr(OID_CT, D.oid(OID_DATA)), attr(OID_MD, D.octet(hashlib.sha256(data).digest()))]
        kids.append(D.Node(0xA2, kids=attrs))
        mac = hmac.new(key, D.ser(D.Node(0x31, kids=attrs)), hashlib.sha256).digest()
    else:
        mac = hmac.new(key, data, hashlib.sha256).digest()
    kids.append(D.octet(mac))
    return D.seq(D.oid(OID_AUTH_DATA), D.ctx(0, D.seq(*kids)))


COMMANDS = {k[4:].replace("_", "-"): v for k, v in globals().items() if k.startswith("cmd_")}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in COMMANDS:
        print(__doc__ + "\ncommands: " + " ".join(sorted(COMMANDS)), file=sys.stderr)
        sys.exit(2)
    cmd, src, dst, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    root = load(src) if src != "-" else None
    out = COMMANDS[cmd](root, args)
    open(dst, "wb").write(D.ser(out))


if __name__ == "__main__":
    main()
