#!/usr/bin/env python3
"""bench/imap_report.py TMPDIR md TITLE HEADER — the markdown tables of bench/imap.sh from
the JSON lines bench/imap_client.py wrote (TMPDIR/{correio,dovecot}.{workload,idle}.jsonl)."""

from __future__ import annotations

import json
import math
import os
import sys


def load(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def fmt_rate(r: dict | None) -> str:
    if r is None:
        return "-"
    if "error" in r:
        return "error"
    if r["unit"] == "ms":
        return f"{r['median_ms']:.1f} (p95 {r['p95_ms']:.1f})"
    v = r["rate"]
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}" if v < 10 else f"{v:.1f}"


def ratio(c: dict | None, d: dict | None) -> float | None:
    if not c or not d or "error" in c or "error" in d:
        return None
    if c["unit"] == "ms":  # latency: lower is better, so Dovecot / Correio
        return d["median_ms"] / c["median_ms"] if c["median_ms"] > 0 else None
    return c["rate"] / d["rate"]


def main() -> int:
    tmp, _, title, header = sys.argv[1:5]
    co = load(os.path.join(tmp, "correio.workload.jsonl"))
    dv = load(os.path.join(tmp, "dovecot.workload.jsonl"))
    names = [r["phase"] for r in (co or dv)]
    by = lambda rows: {r["phase"]: r for r in rows}  # noqa: E731
    cmap, dmap = by(co), by(dv)
    print(title + "\n\n" + header + "\n")
    print("| phase | unit | Correio | Dovecot | Correio/Dovecot | client CPU % (C / D) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    ratios, c_total, d_total = [], 0.0, 0.0
    errors = []
    for name in names:
        c, d = cmap.get(name), dmap.get(name)
        q = ratio(c, d)
        if q is not None:
            ratios.append(q)
        for side, r in (("Correio", c), ("Dovecot", d)):
            if r and "error" in r:
                errors.append(f"{side}, {name}: {r['error']}")
        if c and d and "seconds" in c and "seconds" in d:
            c_total += c["seconds"]
            d_total += d["seconds"]
        cpu = " / ".join(str(r.get("client_cpu_pct", "-")) if r else "-" for r in (c, d))
        unit = "ms, median (p95); ratio = Dovecot/Correio" if (c or d)["unit"] == "ms" else (c or d)["unit"]
        print(f"| {name} | {unit} | {fmt_rate(c)} | {fmt_rate(d)} | "
              f"{'-' if q is None else f'{q:.2f}'} | {cpu} |")
    if ratios and c_total and d_total:
        gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        print(f"| **overall**: the whole workload (same operations on both) | seconds | "
              f"{c_total:.1f} | {d_total:.1f} | **{d_total / c_total:.2f}** | |")
        print(f"| **overall**: geometric mean of the phase ratios | | | | **{gm:.2f}** | |")
    for e in errors:
        print(f"\n- error: {e}")

    ci = load(os.path.join(tmp, "correio.idle.jsonl"))
    di = load(os.path.join(tmp, "dovecot.idle.jsonl"))
    if ci or di:
        print("\nMemory of the whole server (all its processes: PSS, RSS in parentheses) with "
              "that many authenticated connections (LOGIN, SELECT a 20-message INBOX, IDLE):\n")
        print("| connections | Correio MB | Correio processes | Dovecot MB | Dovecot processes |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        notes = []
        rows = max(len(ci), len(di))
        for i in range(rows):
            cells = []
            label = None
            for side, lst in (("Correio", ci), ("Dovecot", di)):
                r = lst[i] if i < len(lst) else None
                if r is None:
                    cells += ["-", "-"]
                    continue
                want = r.get("target", r["connections"])
                label = label or (f"{want:,}" if want else "0 (started, no client)")
                got = r["connections"]
                reached = "" if got >= want else f" (reached {got:,})"
                cells += [f"{r['pss_mb']:,.1f} ({r['rss_mb']:,.0f}){reached}", str(r["processes"])]
                if r.get("stop_reason"):
                    notes.append(f"{side}: {r['stop_reason']}")
                if r.get("failures"):
                    last = f", last: {r['last_error']}" if r.get("last_error") else ""
                    notes.append(f"{side} at {want:,}: {r['failures']} logins failed{last}")
                if "alive" in r and r["alive"] < got:
                    notes.append(f"{side} at {want:,}: only {r['alive']} of {got} still open")
            print(f"| {label} | " + " | ".join(cells) + " |")
        for n in dict.fromkeys(notes):
            print(f"\n- {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
