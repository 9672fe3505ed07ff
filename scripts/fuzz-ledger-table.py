#!/usr/bin/env python3
"""Prints the campaign table of doc/fuzzing.md from a ledger (default
fuzz/campaign-ledger.tsv): per target, CPU seconds and executions summed over
its runs; coverage, features and corpus size from its latest run that has them,
and the highest coverage any run reached (a working corpus lost with its machine
makes the next run start again from the committed seeds).
On stderr: the CPU seconds that count towards the goal (GOAL per target, default
3600). Usage: fuzz-ledger-table.py [LEDGER] [GOAL]"""
import sys

ledger = sys.argv[1] if len(sys.argv) > 1 else "fuzz/campaign-ledger.tsv"
goal = int(sys.argv[2]) if len(sys.argv) > 2 else 3600
rows = {}
with open(ledger) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        date, target, _commit, cpu, execs, cov, ft, corpus, findings = cols[:9]
        r = rows.setdefault(target, {"cpu": 0, "execs": 0, "last": ("", "", "", ""), "best": 0,
                                    "findings": 0})
        r["cpu"] += int(cpu)
        r["execs"] += int(execs) if execs.isdigit() else 0  # "—": not recorded
        r["findings"] += int(findings or 0)
        if cov:
            r["last"] = (date, cov, ft, corpus)
            if cov.isdigit():
                r["best"] = max(r["best"], int(cov))

print("| target | CPU s | executions | coverage | features | corpus | best coverage |")
print("|---|---|---|---|---|---|---|")
total = 0
for target in sorted(rows):
    r = rows[target]
    total += min(r["cpu"], goal)
    _, cov, ft, corpus = r["last"]
    corpus = f"{int(corpus):,}" if corpus else ""
    print(f"| {target} | {r['cpu']:,} | {r['execs']:,} | {cov} | {ft} | {corpus} | {r['best']} |")
print(f"\n{total:,} of {goal * len(rows):,} CPU s towards the goal of {goal:,} per target",
      file=sys.stderr)
