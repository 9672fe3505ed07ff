#!/usr/bin/env python3
"""Builds the MIME-level attack inputs of tests/attacks/mime_p1.sh from a genuine
multipart/signed message (CRLF) made with our own keys.

    mimemut.py COMMAND IN OUT [ARGS...]

Each command (a cmd_* function, run without arguments to list them) changes exactly one
thing of ATTACKS.md MW-02/MW-03/MW-04/PA-17 and leaves everything else byte for byte. The
message is handled as bytes: header block, preamble, the parts between the delimiters and
the epilogue, so that an edit never re-encodes anything it does not name.
"""

import base64
import re
import sys


class Msg:
    """A multipart/signed message split at its delimiters (CRLF input)."""

    def __init__(self, data):
        self.head, body = data.split(b"\r\n\r\n", 1)
        m = re.search(rb'boundary="?([^";\r\n]+)"?', self.head)
        self.b = m.group(1)
        dl = b"\r\n--" + self.b
        body = b"\r\n" + body
        first = body.index(dl)
        self.preamble = body[2:first]
        rest = body[first + len(dl):]
        close = rest.index(dl + b"--")
        self.epilogue = rest[close + len(dl) + 2:]
        # each part starts after the delimiter line's CRLF
        self.parts = [p[p.index(b"\r\n") + 2:] for p in rest[:close].split(dl)]
        self.pad = [p[:p.index(b"\r\n")] for p in rest[:close].split(dl)]

    def ser(self):
        out = self.head + b"\r\n\r\n" + self.preamble
        for pad, p in zip(self.pad, self.parts):
            out += b"\r\n--" + self.b + pad + b"\r\n" + p
        return out + b"\r\n--" + self.b + b"--" + self.epilogue

    def set_header(self, name, value):
        """Replace the (possibly folded) top-level header NAME by NAME: VALUE."""
        lines = re.split(rb"\r\n(?![ \t])", self.head)
        lines = [l for l in lines if not l.lower().startswith(name.lower() + b":")]
        lines.append(name + b": " + value)
        self.head = b"\r\n".join(lines)

    def ctype(self):
        m = re.search(rb"(?im)^content-type:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", self.head)
        return m.group(1)


def sigpart(m):
    """(headers, DER) of the signature part."""
    h, b = m.parts[1].split(b"\r\n\r\n", 1)
    return h, base64.b64decode(b"".join(b.split()))


def b64lines(der, width=64):
    s = base64.b64encode(der)
    return b"\r\n".join(s[i:i + width] for i in range(0, len(s), width))


def ct_param(m, old, new):
    """Edit the multipart/signed Content-Type value (regex OLD -> NEW), unfolded first."""
    v = re.sub(rb"\r\n[ \t]", b" ", m.ctype())
    v2 = re.sub(old, new, v, count=1)
    if v2 == v:
        raise SystemExit("mimemut: %r not found in the Content-Type" % old)
    m.set_header(b"Content-Type", v2.strip())


def cmd_none(m, a):
    """nothing changed (the round trip of the splitting)"""


# ---------------- MW-02 structure ----------------
def cmd_one_part(m, a):
    """only the signed content part (no signature part)"""
    m.parts, m.pad = m.parts[:1], m.pad[:1]


def cmd_sig_only(m, a):
    """only the signature part"""
    m.parts, m.pad = m.parts[1:], m.pad[1:]


def cmd_three_parts(m, a):
    """a third, unsigned text part after the signature (ARGS[0]: 'after' or 'between')"""
    extra = b"Content-Type: text/plain\r\n\r\nATTACKER TEXT: also pay Eve."
    at = 1 if a and a[0] == "between" else 2
    m.parts.insert(at, extra)
    m.pad.insert(at, b"")


def cmd_swap_parts(m, a):
    """signature part first, content second"""
    m.parts.reverse()
    m.pad.reverse()


def cmd_sig_type(m, a):
    """the signature part's Content-Type := ARGS[0]"""
    h, b = m.parts[1].split(b"\r\n\r\n", 1)
    h = re.sub(rb"(?im)^content-type:[^\r\n]*", b"Content-Type: " + a[0].encode(), h)
    m.parts[1] = h + b"\r\n\r\n" + b


def cmd_protocol(m, a):
    """protocol parameter := ARGS[0] ('-' removes it)"""
    if a[0] == "-":
        ct_param(m, rb';\s*protocol="?[^";]*"?', b"")
    else:
        ct_param(m, rb'protocol="?[^";]*"?', b'protocol="' + a[0].encode() + b'"')


def cmd_micalg(m, a):
    """micalg parameter := ARGS[0] ('-' removes it)"""
    if a[0] == "-":
        ct_param(m, rb';\s*micalg="?[^";]*"?', b"")
    else:
        ct_param(m, rb'micalg="?[^";]*"?', b"micalg=" + a[0].encode())


def cmd_preamble_epilogue(m, a):
    """HTML in the preamble and the epilogue"""
    m.preamble = b"<html><body><b>Signed and verified by your bank</b></body></html>"
    m.epilogue = b"\r\n<html><body>PREAMBLE-EPILOGUE: pay Eve</body></html>\r\n"


def cmd_sig_b64(m, a):
    """the signature part's base64 body: junk (ARGS[0]: 'junk' a '*' inside, 'midpad' a '='
    in the middle, 'nopad' the padding removed (or the last quantum cut), 'trailing' DER with bytes after it,
    'oneline' one line, 'spaces' blanks inside lines)"""
    h, der = sigpart(m)
    kind = a[0]
    if kind == "trailing":
        body = b64lines(der + b"\x00\x01garbage")
    elif kind == "oneline":
        body = base64.b64encode(der)
    else:
        body = b64lines(der)
        if kind == "junk":
            body = body[:100] + b"*" + body[100:]
        elif kind == "midpad":
            body = body[:100] + b"=" + body[100:]
        elif kind == "nopad":
            # the '=' padding removed; a DER whose length is a multiple of 3 has none, and
            # then its last quantum is cut short instead (the same incomplete final group)
            body = body.rstrip(b"=") if body.endswith(b"=") else body[:-1]
        elif kind == "spaces":
            body = body.replace(b"\r\n", b" \r\n", 3)
        elif kind == "chars":
            body = body[:50] + b"\xc3\xa9" + body[50:]
    m.parts[1] = h + b"\r\n\r\n" + body + b"\r\n"


# ---------------- MW-03 parser differentials ----------------
def cmd_dup_boundary(m, a):
    """a second boundary parameter naming another boundary"""
    ct_param(m, rb'(boundary="?[^";]*"?)', rb'\1; boundary="other"')


def cmd_boundary_2231(m, a):
    """the boundary as RFC 2231 continuations (boundary*0, boundary*1)"""
    half = len(m.b) // 2
    ct_param(m, rb'boundary="?[^";]*"?',
             b'boundary*0="' + m.b[:half] + b'"; boundary*1="' + m.b[half:] + b'"')


def cmd_boundary_2231_and_plain(m, a):
    """boundary and boundary*0/boundary*1 both present, naming different strings"""
    ct_param(m, rb'(boundary="?[^";]*"?)', rb'\1; boundary*0="x"; boundary*1="y"')


def cmd_boundary_encoded_word(m, a):
    """the boundary written as an RFC 2047 encoded word of itself"""
    ew = b"=?us-ascii?Q?" + m.b.replace(b"=", b"=3D") + b"?="
    ct_param(m, rb'boundary="?[^";]*"?', b'boundary="' + ew + b'"')


def cmd_boundary_ew_differential(m, a):
    """the boundary is renamed to an RFC 2047 encoded word EW everywhere (the message stays a
    valid multipart/signed for a reader taking the parameter literally), and the preamble
    holds a complete multipart delimited by the word's decoded text, carrying attacker
    content, for a reader that decodes parameters (MIME-tools CPANSA-2026-116265 class)"""
    ew = b"=?us-ascii?Q?evil?="
    ct_param(m, rb'boundary="?[^";]*"?', b'boundary="' + ew + b'"')
    m.b = ew
    m.preamble = (b"--evil\r\nContent-Type: text/plain\r\n\r\nATTACKER TEXT: pay Eve\r\n"
                  b"--evil--\r\n")


def cmd_dup_content_type(m, a):
    """a second top-level Content-Type (ARGS[0]: 'before' or 'after' the real one)"""
    extra = b"Content-Type: text/plain; charset=us-ascii"
    lines = re.split(rb"\r\n(?![ \t])", m.head)
    i = [k for k, l in enumerate(lines) if l.lower().startswith(b"content-type:")][0]
    lines.insert(i if a[0] == "before" else i + 1, extra)
    m.head = b"\r\n".join(lines)


def cmd_dup_part_header(m, a):
    """part 1 gets a second Content-Type or Content-Transfer-Encoding (ARGS[0]: ct | cte)"""
    extra = b"Content-Type: text/html" if a[0] == "ct" else b"Content-Transfer-Encoding: base64"
    m.parts[0] = extra + b"\r\n" + m.parts[0]


def cmd_fold_content_type(m, a):
    """the top-level Content-Type folded after every ';' and inside the type (obs-fold)"""
    v = re.sub(rb"\r\n[ \t]", b" ", m.ctype()).strip()
    v = v.replace(b"; ", b";\r\n\t")
    m.set_header(b"Content-Type", b"\r\n " + v)


def cmd_boundary_in_preamble(m, a):
    """the delimiter line also appears in the preamble (ahead of the real first part)"""
    m.preamble = (b"This is an S/MIME signed message\r\n--" + m.b +
                  b"\r\nContent-Type: text/plain\r\n\r\nATTACKER TEXT in the preamble")


def cmd_boundary_padding(m, a):
    """transport padding (blanks and tabs) after every delimiter"""
    m.pad = [b" \t " for _ in m.pad]


def cmd_no_close(m, a):
    """the close-delimiter removed"""
    data = m.ser()
    i = data.rindex(b"\r\n--" + m.b + b"--")
    raise Done(data[:i] + b"\r\n")


def cmd_line_ends(m, a):
    """every line end := ARGS[0]: 'lf' or 'cr'"""
    nl = {"lf": b"\n", "cr": b"\r"}[a[0]]
    raise Done(m.ser().replace(b"\r\n", nl))


def cmd_nul_in_header(m, a):
    """a NUL byte in the Subject header"""
    m.head = m.head.replace(b"Subject: ", b"Subject: a\x00b ", 1)


def cmd_8bit_header_name(m, a):
    """a header whose name has an 8-bit byte"""
    m.head = m.head + b"\r\nX-\xe9t\xe9: 1"


def cmd_nul_in_part_header(m, a):
    """a NUL byte inside part 1's Content-Type (signed bytes)"""
    m.parts[0] = m.parts[0].replace(b"text/plain", b"text/pl\x00ain", 1)


def cmd_prefix_boundaries(m, a):
    """the message nested in multipart/mixed whose boundary is a prefix of the inner one"""
    outer = m.b[:8]
    inner_ent = m.head[m.head.lower().index(b"content-type:"):] + b"\r\n\r\n" + m.ser().split(
        b"\r\n\r\n", 1)[1]
    body = (b"--" + outer + b"\r\n" + inner_ent + b"\r\n--" + outer + b"--\r\n")
    hdr = re.split(rb"\r\n(?![ \t])", m.head)
    hdr = [l for l in hdr if not l.lower().startswith(b"content-type:")]
    raise Done(b"\r\n".join(hdr) + b'\r\nContent-Type: multipart/mixed; boundary="' + outer +
               b'"\r\n\r\n' + body)


# ---------------- MW-04 changes to the signed entity ----------------
def cmd_part1(m, a):
    """part 1 (the signed bytes) edited: ARGS[0] = trailing-space | lf-in-body |
    header-case | charset | add-header | qp-reencode | body-8bit"""
    h, b = m.parts[0].split(b"\r\n\r\n", 1)
    k = a[0]
    if k == "trailing-space":
        b = b.replace(b"\r\n", b" \r\n", 1)
    elif k == "trailing-space-end":
        b = b + b" "
    elif k == "lf-in-body":
        b = b.replace(b"\r\n", b"\n", 1)
    elif k == "header-case":
        h = h.replace(b"Content-Type:", b"content-type:", 1)
    elif k == "charset":
        h = h.replace(b"us-ascii", b"utf-8", 1)
    elif k == "add-header":
        h = h + b"\r\nX-Disclaimer: scanned by the gateway"
    elif k == "footer":
        b = b + b"\r\n-- \r\nThis message was scanned."
    elif k == "qp-to-8bit":
        h = h.replace(b"quoted-printable", b"8bit")
        b = re.sub(rb"=([0-9A-F]{2})", lambda x: bytes([int(x.group(1), 16)]), b.replace(b"=\r\n", b""))
    else:
        raise SystemExit("part1: unknown edit " + k)
    m.parts[0] = h + b"\r\n\r\n" + b


def cmd_outer_header(m, a):
    """a header outside the signed entity changed (Subject := ARGS[0])"""
    m.set_header(b"Subject", a[0].encode())


class Done(Exception):
    def __init__(self, data):
        self.data = data


COMMANDS = {k[4:].replace("_", "-"): v for k, v in globals().items() if k.startswith("cmd_")}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in COMMANDS:
        print(__doc__ + "\ncommands: " + " ".join(sorted(COMMANDS)), file=sys.stderr)
        sys.exit(2)
    cmd, src, dst, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    m = Msg(open(src, "rb").read())
    try:
        COMMANDS[cmd](m, args)
        data = m.ser()
    except Done as d:
        data = d.data
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
