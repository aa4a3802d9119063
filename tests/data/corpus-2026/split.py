#!/usr/bin/env python3
"""Split collected.jsonl into dev/cases.jsonl and heldout/cases.jsonl, at random, stratified by label.

Run from the repository root:  python3 tests/data/corpus-2026/split.py
(add --check to verify that the committed halves are what the split gives, without writing).

The collection was landed in batches; each batch is split on its own (seed SEED + batch number),
so a case never changes half when a later batch is added. Within a batch, the cases of each label
are shuffled and dealt alternately to dev and heldout; after a label with an odd count, the next
label starts on the other half, so the two halves differ by at most one case per batch.
"""

import json
import random
import sys
from pathlib import Path

SEED = 20261201
# (first id number, last id number) of every batch, in landing order. Append, never edit.
BATCHES = [(1, 154), (155, 159)]

HERE = Path(__file__).resolve().parent


def load(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def number(case):
    return int(case["id"].lstrip("n"))


def split_batch(cases, seed, first_half):
    by_label = {}
    for case in sorted(cases, key=number):
        by_label.setdefault(case["label"], []).append(case)
    rng = random.Random(seed)
    halves = {"dev": [], "heldout": []}
    turn = first_half
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        side = turn
        for case in group:
            halves[side].append(case)
            side = "heldout" if side == "dev" else "dev"
        if len(group) % 2:
            turn = "heldout" if turn == "dev" else "dev"
    return halves


def split(cases):
    halves = {"dev": [], "heldout": []}
    first = "dev"
    for index, (low, high) in enumerate(BATCHES):
        batch = [c for c in cases if low <= number(c) <= high]
        part = split_batch(batch, SEED + index, first)
        for side in halves:
            halves[side].extend(part[side])
        first = "heldout" if first == "dev" else "dev"
    covered = sum(len(h) for h in halves.values())
    if covered != len(cases):
        sys.exit(f"{len(cases) - covered} cases lie outside every batch in BATCHES")
    return {side: sorted(h, key=number) for side, h in halves.items()}


def render(cases):
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


def main():
    cases = load(HERE / "collected.jsonl")
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        sys.exit("duplicate ids in collected.jsonl")
    halves = split(cases)
    check = "--check" in sys.argv[1:]
    stale = []
    for side, part in halves.items():
        path = HERE / side / "cases.jsonl"
        text = render(part)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        print(f"{side}: {len(part)} cases")
    if stale:
        sys.exit("not what the split gives: " + ", ".join(stale))


if __name__ == "__main__":
    main()
