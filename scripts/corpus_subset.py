#!/usr/bin/env python3
"""Writes a subset of a labelled corpus: the trusted-publishing cases (docs/oidc.md).

Usage: python3 scripts/corpus_subset.py oidc|policy CASES.jsonl OUT.jsonl
  oidc    the cases labelled oidc-exchange-failed / oidc-not-attempted
  policy  those plus corpus-2026's token-policy ids (tests/data/corpus-2026/README.md)
Then: python3 scripts/corpus_table.py --bin target/debug/regauth OUT.jsonl
The subset is chosen by label and id only; nothing else of a case is looked at.
"""

import json
import sys

POLICY_IDS = {"n009", "n106", "n107", "n044", "n045", "n038", "n053", "n054",
              "n087", "n010", "n099", "n122"}


def main():
    kind, src, out = sys.argv[1:4]
    if kind not in ("oidc", "policy"):
        sys.exit("kind must be oidc or policy")
    with open(src) as f, open(out, "w") as o:
        for line in f:
            if not line.strip():
                continue
            case = json.loads(line)
            if case["label"].startswith("oidc-") or (kind == "policy" and case["id"] in POLICY_IDS):
                o.write(line)


if __name__ == "__main__":
    main()
