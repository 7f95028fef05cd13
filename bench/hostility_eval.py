"""How often the hostility detector holds posts in the public toxicity sets.

    python -m bench.hostility_eval [--data ../shared/data]

False alarms: bias_madlibs' NOT_BAD sentences (identity words in harmless templates: "i am a
gay person") and Davidson's tweets labelled "neither" (neither hate nor offensive). For a
sense of reach: the share held of bias_madlibs BAD, Davidson "hate speech" and "offensive",
and the Wikipedia talk comments labelled toxic. The detector is meant for hostility aimed at
someone (threats, telling someone to die, slurs at a person or group), so it is expected to
hold only part of general "toxic" or "offensive" text; Detoxify scores the rest.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from moderation.crisis_model.train import DEFAULT_DATA
from moderation.hostility import HostilityDetector


def sets(data: Path) -> dict[str, list[str]]:
    tox = data / "toxicity"
    with (tox / "bias_madlibs_77k.csv").open(encoding="utf-8") as f:
        madlibs = list(csv.DictReader(f))
    with (tox / "davidson_hate_offensive_labeled_data.csv").open(encoding="utf-8") as f:
        davidson = list(csv.DictReader(f))
    with (tox / "wikipedia_talk_toxicity_nonfuzzed_testset.csv").open(encoding="utf-8") as f:
        wiki = list(csv.DictReader(f))
    text_column = next(c for c in wiki[0] if c.lower() in ("comment", "text", "comment_text"))
    return {
        "false alarms: bias_madlibs NOT_BAD": [
            r["Text"] for r in madlibs if r["Label"] == "NOT_BAD"
        ],
        "false alarms: Davidson neither": [r["tweet"] for r in davidson if r["class"] == "2"],
        "false alarms: Wikipedia talk not toxic": [
            r[text_column] for r in wiki if r["toxic"].lower() == "false"
        ],
        "held: bias_madlibs BAD": [r["Text"] for r in madlibs if r["Label"] == "BAD"],
        "held: Davidson hate speech": [r["tweet"] for r in davidson if r["class"] == "0"],
        "held: Davidson offensive": [r["tweet"] for r in davidson if r["class"] == "1"],
        "held: Wikipedia talk toxic": [
            r[text_column] for r in wiki if r["toxic"].lower() == "true"
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--examples", type=int, default=0, help="print N held texts per set")
    args = parser.parse_args()
    if not (args.data / "toxicity").is_dir():
        parser.error(f"no shared data at {args.data} (set HARBOR_SHARED_DATA or --data)")
    detector = HostilityDetector()
    print("set | n | held | share")
    print("--- | --- | --- | ---")
    for name, texts in sets(args.data).items():
        results = detector.detect(texts)
        held = [(t, r) for t, r in zip(texts, results, strict=True) if r.holds]
        print(f"{name} | {len(texts)} | {len(held)} | {len(held) / len(texts):.4f}")
        for text, result in held[: args.examples]:
            print("    ", text[:100].replace("\n", " "), "->", [m.text for m in result.matches])


if __name__ == "__main__":
    main()
