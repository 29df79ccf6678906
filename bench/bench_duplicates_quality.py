"""Duplicate detection quality on the two labelled sets: bench/duplicates_eval/ (the Wirral set
the scorer was tuned on) and bench/duplicates_eval_holdout/ (Preston, held out: never tuned on).

    .venv/bin/python bench/bench_duplicates_quality.py

Prints precision, recall and F1 over the set's cross-provider pairs (a pair counts as found
whatever its kind), how often a found pair's kind (clash or duplicate) is right, how many
labelled pairs survive blocking, and then every error with the scorer's features, so a
reader can see why it went wrong.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from activities.duplicates import BlockingIndex, find_matches, match_one  # noqa: E402
from activities.duplicates.scoring import Batch, concept_score, pair_features  # noqa: E402
from bench.duplicates_eval.loader import load  # noqa: E402


def _features(pair, by_key) -> str:
    a, b = (by_key[k] for k in sorted(pair))
    batch = Batch([a, b])
    values = pair_features(batch, np.array([0]), np.array([1]))
    score = float(concept_score(values)[0])
    shown = ", ".join(f"{name} {float(v[0]):.2f}" for name, v in values.items())
    return f"concept score {score:.2f} ({shown})"


SETS = (
    ("tuning set (bench/duplicates_eval, Wirral)", ROOT / "bench" / "duplicates_eval"),
    (
        "held-out set (bench/duplicates_eval_holdout, Preston)",
        ROOT / "bench" / "duplicates_eval_holdout",
    ),
)


def main() -> None:
    for name, folder in SETS:
        print(f"== {name}")
        report(load(folder))
        print()


def report(gold) -> None:
    by_key = {r.key: r for r in gold.records}
    cross = gold.cross_provider_pairs()
    started = time.perf_counter()
    matches = find_matches(gold.records)
    elapsed = (time.perf_counter() - started) * 1000
    found = {frozenset(m.keys): m for m in matches}
    true_positives = [p for p in found if p in gold.labels]
    false_positives = [p for p in found if p not in gold.labels]
    false_negatives = [p for p in gold.labels if p not in found]
    precision = len(true_positives) / len(found) if found else 0.0
    recall = len(true_positives) / len(gold.labels)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    kinds_right = sum(found[p].kind == gold.labels[p] for p in true_positives)
    index = BlockingIndex(gold.records)
    kept = sum(
        sorted(p)[1] in {c.key for c in index.candidates(by_key[sorted(p)[0]])} for p in gold.labels
    )
    hard = [p for p in gold.notes if p not in gold.labels]

    print(
        f"{len(gold.records)} activities, {len(cross)} cross-provider pairs, "
        f"{len(gold.labels)} labelled duplicates or clashes, {len(hard)} documented hard negatives"
    )
    print(f"scan: {elapsed:.0f} ms, {len(found)} pairs reported")
    print(
        f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  "
        f"(TP {len(true_positives)}, FP {len(false_positives)}, FN {len(false_negatives)})"
    )
    print(f"kind right (clash vs duplicate): {kinds_right}/{len(true_positives)}")
    print(f"blocking keeps {kept}/{len(gold.labels)} labelled pairs")
    hard_found = [p for p in hard if p in found]
    print(f"hard negatives reported: {len(hard_found)}/{len(hard)}")

    print("\nErrors:")
    if not (false_positives or false_negatives):
        print("  none")
    for pair in false_positives:
        match = found[pair]
        print(
            f"  FALSE POSITIVE {match.a.key} / {match.b.key} ({match.kind}, score {match.score}): "
            f"{'; '.join(match.reasons)}"
        )
        if pair in gold.notes:
            print(f"    label says: {gold.notes[pair]}")
    for pair in false_negatives:
        a, b = sorted(pair)
        print(f"  MISSED {a} / {b} ({gold.labels[pair]}): {gold.notes.get(pair, '')}")
        print(f"    {_features(pair, by_key)}")
        if not match_one(by_key[a], [by_key[b]]):
            print("    (below the concept threshold, or stopped by a policy gate)")
    for pair in true_positives:
        if found[pair].kind != gold.labels[pair]:
            match = found[pair]
            print(
                f"  WRONG KIND {match.a.key} / {match.b.key}: reported {match.kind}, "
                f"labelled {gold.labels[pair]}"
            )


if __name__ == "__main__":
    main()
