"""One table of the crisis detector's recall and false alarms, per tier, on every set.

    python -m bench.crisis_eval [--data ../shared/data] [--signs-only] [--json]

Sets: ../shared/data crisis/ and recovery/, and the project's fixtures. Wherever the learned
model trained on a set, only its seeded held-out part is scored (the same split the training
command uses), so no figure here is a training figure. The blind set was never trained or
tuned on. Each row gives, for texts that should be caught, the share reaching each tier
("possible+" counts every tier that shows the writer help), and for texts that should not,
the share wrongly reaching it (false alarms).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from moderation.crisis import CrisisDetector, Tier
from moderation.crisis_model.train import DEFAULT_DATA, FIXTURES, Example, split

TIERS = (Tier.POSSIBLE, Tier.CONCERN, Tier.IMMINENT)
NAMES = {
    "twitter_suicidal_intention": "tweets, suicidal intention (held out)",
    "sdcnl_suicide_vs_depression": "Reddit SDCNL (its test split)",
    "rmhd_addiction_alcoholism": "r/addiction + r/alcoholism posts (held out)",
    "harbor_crisis_statements": "Harbor crisis statements (held out)",
    "harbor_ordinary_recovery_talk": "Harbor ordinary recovery talk (held out)",
    "harbor_crisis_dev_v1": "Harbor dev set (held out)",
}


BLIND_SETS = {
    "v1": "blind_crisis_v1.csv",
    "v2": "blind_crisis_v2.csv",
    "v3": "blind_crisis_v3.csv",
}


def blind_set(version: str = "v1") -> list[Example]:
    with (FIXTURES / BLIND_SETS[version]).open(encoding="utf-8") as f:
        return [Example("blind", r["text"], r["label"] == "1") for r in csv.DictReader(f)]


def rows_by_set(data: Path, blind: bool = True) -> dict[str, list[tuple[str, bool]]]:
    """Every evaluation set as (text, should be caught) rows; the SDCNL set in two rows."""
    sets: dict[str, list[tuple[str, bool]]] = {}
    if (data / "crisis").is_dir():
        _, held_out = split(data)
        for e in held_out:
            name = NAMES[e.source]
            if e.source == "sdcnl_suicide_vs_depression":
                name = (
                    "r/SuicideWatch (SDCNL test split)"
                    if e.label
                    else ("r/depression (SDCNL test split)")
                )
            sets.setdefault(name, []).append((e.text, e.label))
    else:
        print(f"shared data not found at {data}: fixtures only", file=sys.stderr)
    if blind:
        for version in BLIND_SETS:
            rows = blind_set(version)
            name = f"Harbor blind set {version}"
            sets[f"{name}: crisis messages"] = [(e.text, True) for e in rows if e.label]
            sets[f"{name}: ordinary messages"] = [(e.text, False) for e in rows if not e.label]
    return sets


def evaluate(detector: CrisisDetector, data: Path, blind: bool = True) -> list[dict]:
    table = []
    for name, rows in rows_by_set(data, blind).items():
        results = detector.detect([text for text, _ in rows])
        positives = [r for r, (_, label) in zip(results, rows, strict=True) if label]
        negatives = [r for r, (_, label) in zip(results, rows, strict=True) if not label]
        entry: dict = {"set": name, "n": len(rows), "positives": len(positives)}
        for tier in TIERS:
            key = f"{tier.name.lower()}+"
            entry[f"recall {key}"] = (
                sum(r.tier >= tier for r in positives) / len(positives) if positives else None
            )
            entry[f"false alarms {key}"] = (
                sum(r.tier >= tier for r in negatives) / len(negatives) if negatives else None
            )
        table.append(entry)
    return table


def print_table(table: list[dict]) -> None:
    columns = [c for c in table[0] if c not in ("set", "n", "positives")]
    # Only the side of each set that exists: recall for crisis sets, false alarms otherwise.
    heads = ["set", "n", *(c.replace("false alarms", "FA") for c in columns)]
    print(" | ".join(heads))
    print(" | ".join("---" for _ in heads))
    for entry in table:
        cells = [entry["set"], str(entry["n"])]
        cells += ["" if entry[c] is None else f"{entry[c]:.3f}" for c in columns]
        print(" | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--signs-only", action="store_true", help="without the learned model")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-blind", action="store_true", help="leave the blind set out (while developing)"
    )
    args = parser.parse_args()
    detector = CrisisDetector(model=None) if args.signs_only else CrisisDetector()
    if not args.signs_only and detector.model is None:
        parser.error("the learned model did not load")
    table = evaluate(detector, args.data, blind=not args.no_blind)
    if args.json:
        print(json.dumps(table, indent=2))
    else:
        print(
            f"tiers: {detector.tiers}; model: {'none' if args.signs_only else detector.model.name}"
        )
        print_table(table)


if __name__ == "__main__":
    main()
