"""CMS navigation for the attack builders: where things are inside ContentInfo, SignedData,
EnvelopedData and AuthEnvelopedData (RFC 5652 §5, §6; RFC 5083), as derlib Nodes, and the few
cryptographic operations the builders need, done by the openssl command.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import derlib as D  # noqa: E402

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED = "1.2.840.113549.1.7.2"
OID_ENVELOPED = "1.2.840.113549.1.7.3"
OID_AUTH_ENVELOPED = "1.2.840.113549.1.9.16.1.23"
OID_COMPRESSED = "1.2.840.113549.1.9.16.1.9"
OID_TSTINFO = "1.2.840.113549.1.9.16.1.4"
OID_CT = "1.2.840.113549.1.9.3"
OID_MD = "1.2.840.113549.1.9.4"
OID_ST = "1.2.840.113549.1.9.5"
OID_ZLIB = "1.2.840.113549.1.9.16.3.8"
OID_AES256_CBC = "2.16.840.1.101.3.4.1.42"
OID_AES256_GCM = "2.16.840.1.101.3.4.1.46"
OID_AES256_OFB = "2.16.840.1.101.3.4.1.43"
MD_OIDS = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
           "2.16.840.1.101.3.4.2.3": "sha512", "1.3.14.3.2.26": "sha1"}


# The cryptography comes from the openssl command (present wherever the suites run).
def openssl(args, data=b""):
    return subprocess.run(["openssl"] + args, input=data, stdout=subprocess.PIPE, check=True).stdout


def rsa_encrypt(cert_path, data):
    """RSAES-PKCS1-v1_5 under the certificate's public key."""
    return openssl(["pkeyutl", "-encrypt", "-certin", "-inkey", cert_path], data)


def aes_cbc_encrypt(key, iv, data):
    """AES-CBC without padding (the caller pads, possibly wrongly on purpose)."""
    cipher = "aes-%d-cbc" % (8 * len(key))
    return openssl(["enc", "-" + cipher, "-K", key.hex(), "-iv", iv.hex(), "-nopad"], data)


def load(path):
    return D.parse(D.unarmor(open(path, "rb").read()))


def save(path, node, indef=False):
    open(path, "wb").write(D.ser_indef(node) if indef else D.ser(node))


def content(root):
    return root.kids[1].kids[0]


# ---------------- SignedData ----------------
def signer_infos(sd):
    return sd.kids[-1]


def econtent_info(sd):
    return sd.kids[2]


def econtent_bytes(sd):
    eci = econtent_info(sd)
    if len(eci.kids) < 2:
        return None
    os_ = eci.kids[1].kids[0]
    return b"".join(k.val for k in os_.kids) if os_.cons else os_.val


def set_econtent(sd, data):
    eci = econtent_info(sd)
    node = D.ctx(0, D.octet(data))
    if len(eci.kids) < 2:
        eci.kids.append(node)
    else:
        eci.kids[1] = node


def signed_attrs(si):
    return si.find(0xA0)


def sig_index(si):
    return [i for i, k in enumerate(si.kids) if k.tag[0] == 0x04][0]


def attr(oid_s, *values):
    return D.seq(D.oid(oid_s), D.set_of(*values))


def attr_oid(a):
    return D.oid_str(a.kids[0])


def resign(si, key_path):
    """Signs the DER of the signedAttrs (re-tagged SET OF) with the key (RSA PKCS#1 v1.5 or
    ECDSA: what `openssl dgst -sign` does for the key type), as RFC 5652 §5.4 says."""
    sa = signed_attrs(si)
    sa.kids.sort(key=D.ser)
    data = D.ser(D.Node(0x31, kids=sa.kids))
    md = MD_OIDS[D.oid_str(si.kids[2].kids[0])]
    sig = openssl(["dgst", "-" + md, "-sign", key_path], data)
    si.kids[sig_index(si)] = D.octet(sig)


# ---------------- EnvelopedData / AuthEnvelopedData ----------------
def recipient_infos(ed):
    return [k for k in ed.kids if k.tag[0] == 0x31][0]


def enc_content_info(ed):
    return [k for k in ed.kids if k.tag[0] == 0x30][0]


def enc_content(eci):
    n = eci.kids[2]
    data = b"".join(k.val for k in n.kids) if n.cons else n.val
    eci.kids[2] = D.ctx_prim(0, data)
    return data


def set_enc_content(eci, data):
    eci.kids[2] = D.ctx_prim(0, data)


def mac_node(aed):
    return [k for k in aed.kids if k.tag[0] == 0x04][-1]


def ktris(ed):
    return [r for r in recipient_infos(ed).kids if r.tag[0] == 0x30]


def cert_serial(path):
    out = openssl(["x509", "-in", path, "-noout", "-serial"]).decode()
    return int(out.strip().split("=", 1)[1], 16)


def cert_point(path):
    """The public key BIT STRING contents (0x00 + X9.62 point) of an EC certificate."""
    spki = D.parse(D.unarmor(openssl(["x509", "-in", path, "-noout", "-pubkey"])))
    return spki.kids[1].val


def ri_for(ed, cert_path):
    serial = cert_serial(cert_path)
    for r in ktris(ed):
        rid = r.kids[1]
        if rid.tag[0] == 0x30 and D.int_value(rid.kids[1]) == serial:
            return r
    raise SystemExit("no KTRI for " + cert_path)


def kari(ed):
    return [r for r in recipient_infos(ed).kids if r.tag[0] == 0xA1][0]
