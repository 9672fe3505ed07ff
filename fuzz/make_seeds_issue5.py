#!/usr/bin/env python3
"""Regenerates the issue 5 seed files of fuzz/corpus/ (they are committed; this
records how they were made). Needs openssl (3.0, with the legacy provider),
Python `cryptography` and a built cachet CLI:

    fuzz/make_seeds_issue5.py BUILD_DIR/cachet [OUT_ROOT]   # OUT_ROOT: fuzz/corpus

The secrets are the fixed ones of fuzz/fuzz_cms_decrypt.c (keys and certificates
are read from that file), so every seed opens in the fuzzer. Messages are made
with `openssl cms` and `cachet encrypt`/`cachet digest` where those can; the
rest (X25519/X448 with the X9.63 KDF or with ukm, AES-192-CCM and
ChaCha20-Poly1305 with authAttrs, RFC 5649 key wrap, legacy parameter forms,
BER EncryptedData, a DigestedData of another content type) is built here with
an independent implementation, which also cross-checks cachet's."""
import os
import re
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import x448, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import aes_key_wrap, aes_key_wrap_with_padding
from cryptography.hazmat.primitives.padding import PKCS7

HERE = os.path.dirname(os.path.abspath(__file__))
KEK128 = bytes(range(0x00, 0x10))
KEK256 = bytes(range(0x10, 0x30))
CEK16 = bytes(range(0xA0, 0xB0))
PASSWORD = "fuzz-password"
MSG = b"Content-Type: text/plain\r\n\r\nfuzz me\r\n"


# ---- DER -------------------------------------------------------------------
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_of(*items):
    return tlv(0x31, b"".join(sorted(items)))


def octets(b):
    return tlv(0x04, b)


def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big"))


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def alg(dotted, params=None):
    return seq(oid(dotted), params if params is not None else b"")


def ctx(n, body, constructed=True):
    return tlv((0xA0 if constructed else 0x80) | n, body)


def content_info(type_oid, content):
    return seq(oid(type_oid), ctx(0, content))


O = {
    "data": "1.2.840.113549.1.7.1",
    "signed": "1.2.840.113549.1.7.2",
    "enveloped": "1.2.840.113549.1.7.3",
    "digested": "1.2.840.113549.1.7.5",
    "encrypted": "1.2.840.113549.1.7.6",
    "authEnveloped": "1.2.840.113549.1.9.16.1.23",
    "contentType": "1.2.840.113549.1.9.3",
    "aes128-cbc": "2.16.840.1.101.3.4.1.2",
    "aes256-cbc": "2.16.840.1.101.3.4.1.42",
    "aes192-ccm": "2.16.840.1.101.3.4.1.27",
    "aes128-wrap": "2.16.840.1.101.3.4.1.5",
    "aes256-wrap": "2.16.840.1.101.3.4.1.45",
    "aes128-wrap-pad": "2.16.840.1.101.3.4.1.8",
    "chacha20-poly1305": "1.2.840.113549.1.9.16.3.18",
    "x963-sha256": "1.3.132.1.11.1",
    "x963-sha512": "1.3.132.1.11.3",
    "hkdf-sha256": "1.2.840.113549.1.9.16.3.19",
    "X25519": "1.3.101.110",
    "X448": "1.3.101.111",
    "cast5-cbc": "1.2.840.113533.7.66.10",
    "idea-cbc": "1.3.6.1.4.1.188.7.1.1.2",
    "rc2-cbc": "1.2.840.113549.3.2",
    "sha256": "2.16.840.1.101.3.4.2.1",
}


# ---- helpers -----------------------------------------------------------------
def pem_from_c(path, name):
    src = open(path).read()
    m = re.search(r"static const char %s\[\]\s*=\s*(.*?);\n" % name, src, re.S)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace("\\n", "\n").encode()


def cbc(key, iv, data, algo=algorithms.AES):
    p = PKCS7(algo.block_size).padder()
    e = Cipher(algo(key), modes.CBC(iv)).encryptor()
    return e.update(p.update(data) + p.finalize()) + e.finalize()


def eci(alg_id, ciphertext, segments=None):
    """EncryptedContentInfo, definite; segments: encryptedContent as a
    constructed [0] of OCTET STRINGs of that size instead of primitive."""
    if segments:
        parts = [octets(ciphertext[i:i + segments]) for i in range(0, len(ciphertext), segments)]
        body = ctx(0, b"".join(parts))
    else:
        body = ctx(0, ciphertext, constructed=False)
    return seq(oid(O["data"]), alg_id, body)


def issuer_serial(cert):
    return seq(cert.issuer.public_bytes(), integer(cert.serial_number))


def shared_info(wrap_oid, kek_bits, ukm):
    return seq(alg(wrap_oid), ctx(0, octets(ukm)) if ukm else b"",
               ctx(2, octets(kek_bits.to_bytes(4, "big"))))


def kari_x(cert, kind, kea, wrap_oid, cek, ukm=None, use_ski=False):
    """RFC 8418 KeyAgreeRecipientInfo to |cert| (X25519 or X448)."""
    if kind == "X25519":
        eph = x25519.X25519PrivateKey.generate()
    else:
        eph = x448.X448PrivateKey.generate()
    z = eph.exchange(cert.public_key())
    kek_len = 16 if wrap_oid == O["aes128-wrap"] else 32
    info = shared_info(wrap_oid, 8 * kek_len, ukm)
    if kea == O["hkdf-sha256"]:
        kek = HKDF(hashes.SHA256(), kek_len, ukm, info).derive(z)
    else:
        md = hashes.SHA256() if kea == O["x963-sha256"] else hashes.SHA512()
        kek = X963KDF(md, kek_len, info).derive(z)
    raw = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    okey = ctx(1, alg(O[kind]) + tlv(0x03, b"\x00" + raw))
    if use_ski:
        ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        rid = ctx(0, octets(ski))
    else:
        rid = issuer_serial(cert)
    rek = seq(seq(rid, octets(aes_key_wrap(kek, cek))))
    return ctx(1, integer(3) + ctx(0, okey) + (ctx(1, octets(ukm)) if ukm else b"") +
               alg(kea, alg(wrap_oid)) + rek)


def kekri(kek, kek_id, wrap_oid, cek, pad=False):
    wrapped = aes_key_wrap_with_padding(kek, cek) if pad else aes_key_wrap(kek, cek)
    return ctx(2, integer(4) + seq(octets(kek_id)) + alg(wrap_oid) + octets(wrapped))


def enveloped(ris, cek, cbc_oid=O["aes128-cbc"]):
    iv = os.urandom(16)
    body = seq(integer(2), set_of(*ris), eci(alg(cbc_oid, octets(iv)), cbc(cek, iv, MSG)))
    return content_info(O["enveloped"], body)


def auth_enveloped(ris, cek, algo, with_attrs):
    attrs = [seq(oid(O["contentType"]), set_of(oid(O["data"])))]
    aad = set_of(*attrs) if with_attrs else b""
    if algo == "ccm":
        nonce = os.urandom(12)
        out = AESCCM(cek, tag_length=16).encrypt(nonce, MSG, aad or None)
        alg_id = alg(O["aes192-ccm"], seq(octets(nonce), integer(16)))
    else:
        nonce = os.urandom(12)
        out = ChaCha20Poly1305(cek).encrypt(nonce, MSG, aad or None)
        alg_id = alg(O["chacha20-poly1305"], octets(nonce))
    ct, tag = out[:-16], out[-16:]
    body = seq(integer(0), set_of(*ris), eci(alg_id, ct),
               ctx(1, b"".join(sorted(attrs))) if with_attrs else b"", octets(tag))
    return content_info(O["authEnveloped"], body)


def openssl_enc(cipher, key, iv, data):
    return subprocess.run(["openssl", "enc", "-provider", "legacy", "-provider", "default",
                           "-" + cipher, "-K", key.hex(), "-iv", iv.hex()],
                          input=data, capture_output=True, check=True).stdout


def encrypted_data(alg_id, ciphertext, segments=None, attrs=False):
    unprot = ctx(1, seq(oid("1.2.3.4"), set_of(octets(b"fuzz")))) if attrs else b""
    body = seq(integer(2 if attrs else 0), eci(alg_id, ciphertext, segments), unprot)
    return content_info(O["encrypted"], body)


# ---- the seeds ---------------------------------------------------------------
def decrypt_seeds(cli, keys, out):
    def run(args, name):
        subprocess.run(args + ["-out" if args[0] == "openssl" else "--out", os.path.join(out, name)],
                       check=True, capture_output=True)

    msg = os.path.join(keys, "msg.txt")
    ossl = ["openssl", "cms", "-binary", "-in", msg, "-outform", "DER"]
    legacy = ossl[:2] + ["-provider", "legacy", "-provider", "default"] + ossl[2:]
    k128 = ["-secretkey", KEK128.hex(), "-secretkeyid", b"fuzz-kek-128".hex()]
    k256 = ["-secretkey", KEK256.hex(), "-secretkeyid", b"fuzz-kek-256".hex()]
    rsa, ec = os.path.join(keys, "rsa.pem"), os.path.join(keys, "ec.pem")
    run(ossl + ["-encrypt", "-aes128"] + k128, "kek_aes128wrap_aes128cbc.der")
    run(ossl + ["-encrypt", "-aes256"] + k256, "kek_aes256wrap_aes256cbc.der")
    run(ossl + ["-encrypt", "-aes-256-gcm"] + k256, "kek_aes256wrap_gcm.der")
    run(ossl + ["-encrypt", "-aes256", "-pwri_password", PASSWORD], "pwri_aes256.der")
    run(ossl + ["-EncryptedData_encrypt", "-aes128", "-secretkey", CEK16.hex()],
        "encdata_aes128.der")
    run(legacy + ["-encrypt", "-des3"] + k128, "legacy_kek_des3.der")
    run(legacy + ["-encrypt", "-des3", "-pwri_password", PASSWORD], "legacy_pwri_des3.der")
    run(legacy + ["-encrypt", "-cast5-cbc"] + k128, "legacy_kek_cast5.der")
    run(legacy + ["-encrypt", "-camellia-256-cbc"] + k128, "legacy_kek_camellia256.der")
    run(legacy + ["-encrypt", "-rc2-40", "-recip", rsa], "legacy_rsa_rc2_40.der")
    run(legacy + ["-encrypt", "-des", "-recip", rsa], "legacy_rsa_des.der")
    run(legacy + ["-encrypt", "-seed-cbc", "-recip", ec], "legacy_ec_seed.der")
    for c, n in (("camellia-128-cbc", "camellia128"), ("rc2-cbc", "rc2_128"), ("seed-cbc", "seed")):
        run(legacy + ["-EncryptedData_encrypt", "-" + c, "-secretkey", CEK16.hex()],
            "legacy_encdata_%s.der" % n)
    c = [cli, "encrypt", "--raw", "--format", "der", "--in", msg]
    run(c + ["--to", os.path.join(keys, "x25519.pem")], "x25519_hkdf_gcm.der")
    run(c + ["--to", os.path.join(keys, "x448.pem"), "--cipher", "aes-128-cbc"],
        "x448_hkdf_cbc.der")
    run(c + ["--secret-key", KEK128.hex(), "--key-id", "fuzz-kek-128", "--cipher", "aes-128-ccm"],
        "kek128_ccm.der")
    run(c + ["--secret-key", KEK256.hex(), "--key-id", "fuzz-kek-256",
             "--cipher", "chacha20-poly1305"], "kek256_chacha.der")
    run(c + ["--password", PASSWORD, "--pbkdf2-iterations", "1000", "--cipher", "aes-256-ccm"],
        "pwri_sha256_ccm.der")
    run(c + ["--password", PASSWORD, "--pbkdf2-iterations", "4000"], "pwri_over_limit.der")
    run(c + ["--encrypted-data", "--secret-key", CEK16.hex()], "encdata_cachet.der")
    # Every kind of recipient in one message: selection picks the first ours.
    run(c + ["--to", rsa, "--to", os.path.join(keys, "x448.pem"), "--secret-key", KEK256.hex(),
             "--key-id", "fuzz-kek-256", "--password", PASSWORD, "--pbkdf2-iterations", "1000"],
        "all_recipients.der")

    x25519_cert = x509.load_pem_x509_certificate(open(os.path.join(keys, "x25519.pem"), "rb").read())
    x448_cert = x509.load_pem_x509_certificate(open(os.path.join(keys, "x448.pem"), "rb").read())
    cek, cek32, cek24 = os.urandom(16), os.urandom(32), os.urandom(24)
    crafted = {
        "x25519_x963sha256_ukm_ski_cbc.der": enveloped(
            [kari_x(x25519_cert, "X25519", O["x963-sha256"], O["aes128-wrap"], cek,
                    ukm=b"fuzz ukm 0123456", use_ski=True)], cek),
        "x448_x963sha512_cbc.der": enveloped(
            [kari_x(x448_cert, "X448", O["x963-sha512"], O["aes256-wrap"], cek32)], cek32,
            O["aes256-cbc"]),
        "x25519_hkdf_ukm_ccm192_attrs.der": auth_enveloped(
            [kari_x(x25519_cert, "X25519", O["hkdf-sha256"], O["aes128-wrap"], cek24,
                    ukm=b"salt")], cek24, "ccm", True),
        "kek128_wrap_pad_cbc.der": enveloped(
            [kekri(KEK128, b"fuzz-kek-128", O["aes128-wrap-pad"], cek, pad=True)], cek),
        "kek256_chacha_attrs.der": auth_enveloped(
            [kekri(KEK256, b"fuzz-kek-256", O["aes256-wrap"], cek32)], cek32, "chacha", True),
    }
    iv8 = bytes(range(8))
    crafted["legacy_encdata_cast5_params.der"] = encrypted_data(
        alg(O["cast5-cbc"], seq(octets(iv8), integer(128))), openssl_enc("cast5-cbc", CEK16, iv8, MSG))
    crafted["legacy_encdata_rc2_v58.der"] = encrypted_data(
        alg(O["rc2-cbc"], seq(integer(58), octets(iv8))), openssl_enc("rc2-cbc", CEK16, iv8, MSG))
    # OpenSSL here has no IDEA: the ciphertext is noise, the parameters are the point.
    crafted["legacy_encdata_idea_params.der"] = encrypted_data(
        alg(O["idea-cbc"], seq(octets(iv8))), os.urandom(48))
    iv = os.urandom(16)
    crafted["encdata_aes128_segments_attrs.der"] = encrypted_data(
        alg(O["aes128-cbc"], octets(iv)), cbc(CEK16, iv, MSG), segments=16, attrs=True)
    for name, der in crafted.items():
        open(os.path.join(out, name), "wb").write(der)


def digested_seeds(cli, keys, out):
    msg = os.path.join(keys, "msg.txt")
    for md in ("md5", "sha1", "sha256", "sha512"):
        subprocess.run(["openssl", "cms", "-digest_create", "-md", md, "-binary", "-in", msg,
                        "-outform", "DER", "-out", os.path.join(out, "ossl_%s.der" % md)],
                       check=True)
    subprocess.run(["openssl", "cms", "-digest_create", "-md", "sha256", "-binary", "-stream",
                    "-indef", "-in", msg, "-outform", "DER",
                    "-out", os.path.join(out, "ossl_sha256_stream.der")], check=True)
    c = [cli, "digest", "--raw", "--format", "der"]
    subprocess.run(c + ["--in", msg, "--out", os.path.join(out, "cachet_sha256.der")], check=True)
    subprocess.run(c + ["--digest", "sha384", "--in", msg,
                        "--out", os.path.join(out, "cachet_sha384.der")], check=True)
    subprocess.run(c + ["--in", "/dev/null", "--out", os.path.join(out, "cachet_empty.der")],
                   check=True)
    # Another content type (version 2) and a constructed, definite eContent.
    dg = hashes.Hash(hashes.SHA256())
    dg.update(MSG)
    digest = dg.finalize()
    econtent = tlv(0x24, octets(MSG[:10]) + octets(MSG[10:]))
    body = seq(integer(2), alg(O["sha256"]), seq(oid(O["signed"]), ctx(0, econtent)), octets(digest))
    open(os.path.join(out, "crafted_ctype_signed_segments.der"), "wb").write(
        content_info(O["digested"], body))


def main():
    cli = os.path.abspath(sys.argv[1])
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    with tempfile.TemporaryDirectory() as keys:
        src = os.path.join(HERE, "fuzz_cms_decrypt.c")
        for name, file in (("kRsaCert", "rsa.pem"), ("kEcCert", "ec.pem"),
                           ("kX25519Cert", "x25519.pem"), ("kX448Cert", "x448.pem")):
            open(os.path.join(keys, file), "wb").write(pem_from_c(src, name))
        open(os.path.join(keys, "msg.txt"), "wb").write(MSG)
        decrypt_seeds(cli, keys, os.path.join(root, "fuzz_cms_decrypt"))
        os.makedirs(os.path.join(root, "fuzz_cms_digested"), exist_ok=True)
        digested_seeds(cli, keys, os.path.join(root, "fuzz_cms_digested"))


if __name__ == "__main__":
    main()
