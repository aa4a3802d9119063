#!/usr/bin/env python3
"""Split collected.jsonl into dev/cases.jsonl and heldout/cases.jsonl, at random, stratified by label.

Run from the repository root:  python3 tests/data/corpus-2026/split.py
(add --check to verify that the committed halves are what the split gives, without writing).

The collection was landed in batches; each batch is split on its own, so a case never changes
half when a later batch is added. Within a batch, the cases of each stratum are shuffled and dealt
alternately to dev and heldout; after a stratum with an odd count, the next starts on the other
half, so the two halves differ by at most one case per batch. Batches 1-2 are stratified by label
(seed SEED + batch number). Batches 3, 4 and 5 (rounds 2, 3 and 4) are stratified by tool with seeds
ROUND2_SEED, ROUND3_SEED and ROUND4_SEED: the tool cannot change when a case is verified, so a relabel or a dropped case never
moves another case between halves.

Rounds: a held-out half that has been scored and read joins dev when a new one is collected.
Only the batches from HELD_OUT_FROM on keep a held-out half; the held-out halves of earlier
batches are in dev/cases.jsonl.
"""

import json
import random
import sys
from pathlib import Path

SEED = 20261201
# (first id number, last id number) of every batch, in landing order. Append, never edit.
BATCHES = [(1, 154), (155, 159), (160, 264), (265, 380), (381, 470)]
ROUND2_SEED = 20261202
# round 3 (batch 4): same deal as round 2, its own seed
ROUND3_SEED = 20261203
# round 4 (batch 5): same deal, its own seed
ROUND4_SEED = 20261204
TOOL_DEAL_SEEDS = {2: ROUND2_SEED, 3: ROUND3_SEED, 4: ROUND4_SEED}
# index into BATCHES of the first batch whose held-out half is still held out (round 4)
HELD_OUT_FROM = 4
# Batch 3 and 4 cases dropped by the verification after they were dealt (id: tool, why). They take
# their place in the deal, so removing them moved no other case.
DROPPED_AFTER_DEAL = {
    "n178": ("npm", "transcript and quote not found in the thread"),
    "n221": ("yarn-berry", "the thread never states a cause"),
    "n234": ("npm", "near-duplicate of a corpus thread in the same repository (core-ui #1127)"),
    "n237": ("pnpm", "the project's follow-up PR refutes the cause"),
    "n300": ("npm", "same registry 503 outage as npm/cli#1301 (already a source)"),
    "n330": ("yarn1", "same 2020-08-06 incident as yarnpkg/yarn#8279 (already a source); the thread calls itself its duplicate"),
    "n333": ("yarn1", "same 2018-05-25 Cloudflare 403 incident as yarnpkg/yarn#5886 (already a source), another repository"),
    "n366": ("yarn-berry", "same release failure as segmentio/analytics-next#1384 (already a source), whose thread says this one's fix did not work"),
    "n374": ("npm", "unresolved: the PR's own text contradicts its diagnosis (exchange accepted, then 403)"),
}

HERE = Path(__file__).resolve().parent


def load(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def number(case):
    return int(case["id"].lstrip("n"))


def split_batch(cases, seed, first_half, stratum):
    by_stratum = {}
    for case in sorted(cases, key=number):
        by_stratum.setdefault(case[stratum], []).append(case)
    rng = random.Random(seed)
    halves = {"dev": [], "heldout": []}
    turn = first_half
    for key in sorted(by_stratum):
        group = by_stratum[key]
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
        if index < 2:
            part = split_batch(batch, SEED + index, first, "label")
            first = "heldout" if first == "dev" else "dev"
        else:
            stubs = [{"id": i, "tool": t} for i, (t, _) in DROPPED_AFTER_DEAL.items()]
            stubs = [c for c in stubs if low <= number(c) <= high]
            part = split_batch(batch + stubs, TOOL_DEAL_SEEDS[index], "heldout", "tool")
            part = {side: [c for c in h if c["id"] not in DROPPED_AFTER_DEAL] for side, h in part.items()}
        if index < HELD_OUT_FROM:
            part = {"dev": part["dev"] + part["heldout"], "heldout": []}
        for side in halves:
            halves[side].extend(part[side])
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
