#!/usr/bin/env python3
"""Rewrites the summary block of doc/interop.md from the generated tables below it.

Each peer suite writes its own table between <!-- BEGIN name --> and <!-- END name -->
(CACHET_WRITE_DOC=1); this counts their rows by peer and direction, so that the top of
the document says what the suites found without anyone retyping numbers. Run it after
the suites: python3 tests/interop/summary.py doc/interop.md
"""
import re
import sys

PEERS = {
    "openssl_sign": "OpenSSL 3.0 (openssl cms)",
    "openssl_encrypt": "OpenSSL 3.0 (openssl cms)",
    "openssl_secrets": "OpenSSL 3.0 (openssl cms)",
    "openssl_legacy": "OpenSSL 3.0 (openssl cms)",
    "gpgsm": "GnuPG gpgsm 2.2",
    "nss": "NSS cmsutil (Thunderbird's engine)",
    "bc": "Bouncy Castle 1.72",
}


def classify(result):
    r = result.strip()
    if r == "pass":
        return "pass"
    if r.startswith("FAIL"):
        return "FAIL"
    if r.startswith("not supported by peer"):
        return "peer"
    return "other"


def main(path):
    text = open(path, encoding="utf-8").read()
    counts = {}
    for name, body in re.findall(r"<!-- BEGIN (\w+) -->(.*?)<!-- END \1 -->", text, re.S):
        if name not in PEERS:
            continue
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or cells[0] in ("direction", "") or set(cells[0]) <= set("-"):
                continue
            direction = "cachet → peer" if cells[0].startswith("cachet") else "peer → cachet"
            key = (PEERS[name], direction)
            c = counts.setdefault(key, {"pass": 0, "FAIL": 0, "peer": 0, "other": 0})
            c[classify(cells[-1])] += 1
    rows = ["| peer | direction | pass | FAIL | not supported by peer | other |",
            "|---|---|---|---|---|---|"]
    for (peer, direction), c in sorted(counts.items()):
        rows.append("| %s | %s | %d | %d | %d | %d |" % (peer, direction, c["pass"], c["FAIL"],
                                                        c["peer"], c["other"]))
    block = ("<!-- BEGIN summary -->\n_Counted by `tests/interop/summary.py` from the tables "
             "below._\n\n" + "\n".join(rows) + "\n<!-- END summary -->")
    if "<!-- BEGIN summary -->" not in text:
        sys.exit("doc has no summary markers")
    text = re.sub(r"<!-- BEGIN summary -->.*?<!-- END summary -->", lambda _: block, text,
                  flags=re.S)
    open(path, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "doc/interop.md")
