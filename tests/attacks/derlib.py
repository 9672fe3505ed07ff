"""A minimal BER/DER tree editor for building malicious CMS inputs in tests.

parse() reads BER (definite and indefinite lengths) into Nodes; ser() writes DER-style
definite lengths from the tree (lengths recomputed), ser_indef() writes a constructed node
with indefinite lengths. Constructors build new nodes. Written for the tests; not a
general ASN.1 library.
"""

import base64
import re


class Node:
    __slots__ = ("tag", "val", "kids")

    def __init__(self, tag, val=b"", kids=None):
        self.tag = tag if isinstance(tag, bytes) else bytes([tag])
        self.val = val
        self.kids = kids

    @property
    def cons(self):
        return bool(self.tag[0] & 0x20)

    def __repr__(self):
        if self.cons:
            return "Node(%s, %d kids)" % (self.tag.hex(), len(self.kids))
        return "Node(%s, %d bytes)" % (self.tag.hex(), len(self.val))

    def find(self, tagbyte):
        """The first direct child whose tag is |tagbyte| (or None)."""
        for k in self.kids:
            if k.tag[0] == tagbyte:
                return k
        return None


class DerError(Exception):
    pass


def _parse_tag(d, i):
    start = i
    if i >= len(d):
        raise DerError("truncated tag at %d" % i)
    i += 1
    if d[start] & 0x1F == 0x1F:
        while True:
            if i >= len(d):
                raise DerError("truncated high tag")
            i += 1
            if not d[i - 1] & 0x80:
                break
    return d[start:i], i


def _parse_len(d, i):
    if i >= len(d):
        raise DerError("truncated length at %d" % i)
    b = d[i]
    i += 1
    if b < 0x80:
        return b, i
    if b == 0x80:
        return None, i
    n = b & 0x7F
    if i + n > len(d):
        raise DerError("truncated long length")
    return int.from_bytes(d[i:i + n], "big"), i + n


def parse_one(d, i=0):
    tag, i = _parse_tag(d, i)
    ln, i = _parse_len(d, i)
    if tag[0] & 0x20:
        kids = []
        if ln is None:
            while True:
                if d[i:i + 2] == b"\x00\x00":
                    i += 2
                    break
                k, i = parse_one(d, i)
                kids.append(k)
        else:
            end = i + ln
            if end > len(d):
                raise DerError("length beyond input")
            while i < end:
                k, i = parse_one(d, i)
                kids.append(k)
        return Node(tag, kids=kids), i
    if ln is None:
        raise DerError("indefinite primitive")
    if i + ln > len(d):
        raise DerError("length beyond input")
    return Node(tag, d[i:i + ln]), i + ln


def parse(d):
    n, i = parse_one(d, 0)
    if i != len(d):
        raise DerError("%d trailing bytes" % (len(d) - i))
    return n


def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def raw(data):
    """A node serialised as the given bytes as they are (any encoding, e.g. deep BER)."""
    return Node(b"\x00", data, None)


def ser(n):
    if n.kids is None and n.tag == b"\x00":
        return n.val
    if n.cons:
        body = b"".join(ser(k) for k in n.kids)
    else:
        body = n.val
    return n.tag + enc_len(len(body)) + body


def ser_indef(n):
    """Constructed nodes with indefinite lengths all the way down (BER, like -stream)."""
    if n.cons:
        return n.tag + b"\x80" + b"".join(ser_indef(k) for k in n.kids) + b"\x00\x00"
    return ser(n)


# ---- constructors ----
def seq(*kids):
    return Node(0x30, kids=list(kids))


def set_of(*kids, sort=False):
    kids = list(kids)
    if sort:
        kids.sort(key=ser)
    return Node(0x31, kids=kids)


def ctx(n, *kids):
    return Node(0xA0 | n, kids=list(kids))


def ctx_prim(n, val):
    return Node(0x80 | n, val)


def octet(b):
    return Node(0x04, b)


def null():
    return Node(0x05, b"")


def integer(v):
    if v == 0:
        return Node(0x02, b"\x00")
    ln = (v.bit_length() + 8) // 8 if v > 0 else ((-v - 1).bit_length() + 8) // 8
    return Node(0x02, v.to_bytes(ln, "big", signed=True))


def int_value(n):
    return int.from_bytes(n.val, "big", signed=True)


def oid_bytes(s):
    arcs = [int(a) for a in s.split(".")]
    out = [40 * arcs[0] + arcs[1]] + arcs[2:]
    b = bytearray()
    for a in out:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        b += bytes(reversed(chunk))
    return bytes(b)


def oid(s):
    return Node(0x06, oid_bytes(s))


def oid_str(n):
    arcs, v = [], 0
    for b in n.val:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(v)
            v = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])


def utctime(s):
    return Node(0x17, s.encode())


# ---- input/output framing ----
def unarmor(data):
    """DER from DER, PEM ('-----BEGIN ...') or an S/MIME message (base64 CMS body)."""
    if data[:1] == b"\x30":
        return data
    text = data.decode("latin-1")
    m = re.search(r"-----BEGIN [A-Z0-9 ]+-----(.*?)-----END", text, re.S)
    if m:
        return base64.b64decode(re.sub(r"\s", "", m.group(1)))
    body = text.replace("\r\n", "\n").split("\n\n", 1)[1]
    return base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", body))


def b64_lines(der):
    s = base64.b64encode(der).decode()
    return "\r\n".join(s[i:i + 64] for i in range(0, len(s), 64)) + "\r\n"
