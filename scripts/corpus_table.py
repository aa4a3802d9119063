#!/usr/bin/env python3
"""Accuracy table of `regauth explain` over labelled corpora, per label and per tool.

Usage: python3 scripts/corpus_table.py [--bin target/release/regauth] CASES.jsonl...

Every case's transcript goes to `regauth explain - --format json --no-config --no-probe` in a
clean environment (fresh HOME, no npm/pnpm/yarn/CI variables), which scores from the text alone
like `regauth explain --eval`. Printed as Markdown: top-1, top-3 (a not-auth case counts as right
when the report says auth_failure false), false alarms on not-auth, and how often a top cause
given "high" confidence is the right one.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict


def clean_env(home):
    keep = {"PATH", "LANG", "LC_ALL", "TERM"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["HOME"] = home
    env["XDG_CONFIG_HOME"] = os.path.join(home, ".config")
    env["XDG_CACHE_HOME"] = os.path.join(home, ".cache")
    return env


def explain(binary, transcript, env):
    run = subprocess.run(
        [binary, "explain", "-", "--format", "json", "--no-config", "--no-probe"],
        input=transcript.encode(),
        capture_output=True,
        env=env,
        check=False,
    )
    if run.returncode != 0:
        sys.exit(f"regauth explain failed ({run.returncode}): {run.stderr.decode()[:400]}")
    return json.loads(run.stdout)


def score(case, report):
    ranked = [c["id"] for c in report.get("causes") or []] if report["auth_failure"] else []
    label = case["label"]
    if label == "not-auth":
        right1 = right3 = not report["auth_failure"]
    else:
        right1 = ranked[:1] == [label]
        right3 = label in ranked[:3]
    top_conf = report["causes"][0]["confidence"] if report["auth_failure"] and report.get("causes") else None
    return {
        "label": label,
        "tool": case.get("tool") or "unknown",
        "top1": right1,
        "top3": right3,
        "false_alarm": label == "not-auth" and report["auth_failure"],
        "high": top_conf == "high",
        "high_right": top_conf == "high" and right1,
        "predicted": ranked[0] if ranked else ("none" if report["auth_failure"] else "not-auth"),
        "id": case.get("id"),
        "ranked": ranked[:3],
        "confidence": top_conf,
    }


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "-"


def table(title, rows, key):
    groups = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    out = [f"| {title} | cases | top-1 | top-3 | high given | high right |", "|---|---|---|---|---|---|"]
    for name in sorted(groups):
        g = groups[name]
        n = len(g)
        t1 = sum(r["top1"] for r in g)
        t3 = sum(r["top3"] for r in g)
        hg = sum(r["high"] for r in g)
        hr = sum(r["high_right"] for r in g)
        out.append(f"| {name} | {n} | {t1}/{n} | {t3}/{n} | {hg} | {hr}/{hg} |")
    return "\n".join(out)


def summary(name, rows):
    n = len(rows)
    t1 = sum(r["top1"] for r in rows)
    t3 = sum(r["top3"] for r in rows)
    na = sum(r["label"] == "not-auth" for r in rows)
    fa = sum(r["false_alarm"] for r in rows)
    hg = sum(r["high"] for r in rows)
    hr = sum(r["high_right"] for r in rows)
    return (
        f"| {name} | {n} | {t1} ({pct(t1, n)}) | {t3} ({pct(t3, n)}) | {fa}/{na} ({pct(fa, na)}) "
        f"| {hr}/{hg} ({pct(hr, hg)}) |"
    )


def misses(rows):
    """One line per wrong top-1: id, label, tool, the first three causes and the top's confidence."""
    out = ["| id | label | tool | ranked (top 3) | confidence |", "|---|---|---|---|---|"]
    for r in rows:
        if not r["top1"]:
            shown = ", ".join(r["ranked"]) or r["predicted"]
            out.append(f"| {r['id']} | {r['label']} | {r['tool']} | {shown} | {r['confidence'] or '-'} |")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/regauth")
    parser.add_argument("--misses", action="store_true", help="also list every wrong top-1 and wrong high")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    per_file = {}
    with tempfile.TemporaryDirectory() as home:
        env = clean_env(home)
        for path in args.files:
            with open(path) as f:
                cases = [json.loads(line) for line in f if line.strip()]
            per_file[path] = [score(c, explain(args.bin, c["transcript"], env)) for c in cases]
    print("| corpus | cases | top-1 | top-3 | false alarms (not-auth) | high right |")
    print("|---|---|---|---|---|---|")
    for path, rows in per_file.items():
        print(summary(path, rows))
    for path, rows in per_file.items():
        print(f"\n#### {path}\n")
        print(table("label", rows, "label"))
        print()
        print(table("tool", rows, "tool"))
        if args.misses:
            print()
            print(misses(rows))


if __name__ == "__main__":
    main()
