"""Train the crisis detector's learned stage: ``python -m moderation.crisis_model.train``.

Reproducible: the same data and seed give the same weights and the same held-out figures
(liblinear is deterministic for a fixed seed; the split hashes each text with the seed).
Trains on the public sets in ../shared/data (crisis/ and recovery/: recovery-community posts
are the negatives that keep recovery talk quiet) and on Harbor's own written examples in
tests/fixtures, never on the blind set. A seeded fifth of every source is held out, and the
figures on it go into the model file and DATA_CARD.md.

Training uses scikit-learn and SciPy; scoring (moderation/crisis_model/__init__.py) does not.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.crisis_model import MODEL_PATH, CrisisModel, feature_indexes
from moderation.evaluation import binary_metrics, roc_auc

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
DATA_CARD = Path(__file__).resolve().parent / "DATA_CARD.md"
DEFAULT_DATA = Path(os.environ.get("HARBOR_SHARED_DATA") or REPO.parent / "shared" / "data")
BUCKETS = 1 << 18
SEED = 13
HELD_OUT_PERCENT = 20
# Harbor's own examples are few but written the way people write here: they count more.
WRITTEN_WEIGHT = 3.0
C = 4.0  # inverse regularisation strength, chosen on the held-out split


@dataclass(frozen=True)
class Example:
    source: str
    text: str
    label: bool


def held_out(text: str, seed: int = SEED) -> bool:
    """Whether a text is in the held-out fifth: a hash of the seed and the text, so the split
    is the same on every machine and whatever the order of the rows."""
    digest = hashlib.blake2b(f"{seed}:{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100 < HELD_OUT_PERCENT


def _lines(name: str) -> list[str]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def examples(data: Path) -> Iterator[Example]:
    """Every training and held-out example, by source (see DATA_CARD.md)."""
    with (data / "crisis" / "twitter_suicidal_intention.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield Example("twitter_suicidal_intention", row["tweet"], row["intention"] == "1")
    with (data / "crisis" / "sdcnl_suicide_vs_depression.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            body = "" if row["selftext"] == "emptypost" else row["selftext"]
            text = f"{row['title']}\n\n{body}".strip()
            yield Example("sdcnl_suicide_vs_depression", text, row["is_suicide"] == "1")
    path = data / "recovery" / "rmhd_low2020_addiction_alcoholism.csv"
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield Example("rmhd_addiction_alcoholism", row["text"], False)
    for line in _lines("crisis_statements.txt"):
        yield Example("harbor_crisis_statements", line, True)
    for line in _lines("ordinary_recovery_talk.txt"):
        yield Example("harbor_ordinary_recovery_talk", line, False)
    with (FIXTURES / "crisis_dev_v1.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield Example("harbor_crisis_dev_v1", row["text"], row["label"] == "1")


def split(data: Path, seed: int = SEED) -> tuple[list[Example], list[Example]]:
    """(training, held-out) examples. sdcnl keeps its authors' own train/test split."""
    train, test = [], []
    sdcnl_test = set()
    with (data / "crisis" / "sdcnl_suicide_vs_depression.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["split"] == "test":
                body = "" if row["selftext"] == "emptypost" else row["selftext"]
                sdcnl_test.add(f"{row['title']}\n\n{body}".strip())
    for example in examples(data):
        if example.source == "sdcnl_suicide_vs_depression":
            (test if example.text in sdcnl_test else train).append(example)
        else:
            (test if held_out(example.text, seed) else train).append(example)
    return train, test


def _matrix(texts: list[str]):  # noqa: ANN202 - a SciPy sparse matrix
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        found = feature_indexes(text, BUCKETS)
        indices.extend(found)
        values.extend([1 / math.sqrt(len(found))] * len(found) if found else [])
        indptr.append(len(indices))
    return csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices), np.array(indptr)),
        shape=(len(texts), BUCKETS),
    )


def fit(train: list[Example], seed: int = SEED) -> CrisisModel:
    from sklearn.linear_model import LogisticRegression

    weights = [WRITTEN_WEIGHT if e.source.startswith("harbor_") else 1.0 for e in train]
    classifier = LogisticRegression(
        C=C, solver="liblinear", class_weight="balanced", random_state=seed, max_iter=200
    )
    classifier.fit(_matrix([e.text for e in train]), [e.label for e in train], weights)
    # float16 halves the file; the rounding moves no probability by more than ~0.001
    coefficients = classifier.coef_[0].astype(np.float16).astype(np.float32)
    return CrisisModel(coefficients, float(classifier.intercept_[0]), {"name": "crisis-ngram"})


def held_out_figures(model: CrisisModel, test: list[Example]) -> dict[str, dict]:
    """Per source: size, positives, ROC AUC, and recall / false-alarm rate at 0.5 and 0.85."""
    figures: dict[str, dict] = {}
    for source in sorted({e.source for e in test}):
        rows = [e for e in test if e.source == source]
        truth = [e.label for e in rows]
        scores = model.probabilities([e.text for e in rows])
        entry: dict = {"n": len(rows), "positives": sum(truth), "roc_auc": roc_auc(truth, scores)}
        for cut in (0.5, 0.85):
            m = binary_metrics(truth, [s >= cut for s in scores])
            entry[f"at_{cut}"] = {"recall": m["recall"], "false_alarms": m["false_positive_rate"]}
        figures[source] = entry
    return figures


def train(data: Path = DEFAULT_DATA, seed: int = SEED) -> CrisisModel:
    """Fit on the training split and return the model, its held-out figures in ``meta``."""
    training, test = split(data, seed)
    model = fit(training, seed)
    sizes: dict[str, dict[str, int]] = {}
    for part, rows in (("train", training), ("held_out", test)):
        for e in rows:
            sizes.setdefault(e.source, {"train": 0, "held_out": 0})[part] += 1
    model.meta.update(
        {
            "buckets": BUCKETS,
            "seed": seed,
            "C": C,
            "written_weight": WRITTEN_WEIGHT,
            "trained": datetime.date.today().isoformat(),
            "sizes": sizes,
            "held_out": held_out_figures(model, test),
        }
    )
    return model


def save(model: CrisisModel, path: Path = MODEL_PATH) -> None:
    np.savez_compressed(
        path,
        weights=model.weights.astype(np.float16),
        bias=np.float64(model.bias),
        meta=np.str_(json.dumps(model.meta, sort_keys=True)),
    )


def write_data_card(model: CrisisModel, path: Path = DATA_CARD) -> None:
    meta = model.meta
    lines = [
        "# Data card: the crisis detector's learned stage",
        "",
        "Written by `python -m moderation.crisis_model.train` (do not edit by hand).",
        "",
        f"- Trained: {meta['trained']}, seed {meta['seed']}; logistic regression (liblinear, "
        f"C={meta['C']}, balanced classes) on word unigrams and bigrams hashed into "
        f"{meta['buckets']:,} buckets, weights stored as float16 in `model.npz`.",
        "- Scoring needs numpy only (no scikit-learn, SciPy or torch).",
        f"- Held out: a seeded {HELD_OUT_PERCENT}% of every source (sdcnl: its authors' test "
        "split). Figures below are on that part only. Harbor's own examples count "
        f"{meta['written_weight']}x in training.",
        "- Never trained on: tests/fixtures/blind_crisis_v1.csv (the blind set).",
        "",
        "## Sources",
        "",
        "| source | what | train | held out |",
        "|---|---|---|---|",
    ]
    what = {
        "twitter_suicidal_intention": "../shared/data/crisis/twitter_suicidal_intention.csv "
        "(laxmimerit; internal use)",
        "sdcnl_suicide_vs_depression": "../shared/data/crisis/sdcnl_suicide_vs_depression.csv "
        "(r/SuicideWatch 1, r/depression 0; Haque et al. 2021)",
        "rmhd_addiction_alcoholism": "../shared/data/recovery/rmhd_low2020_addiction_alcoholism"
        ".csv (r/addiction, r/alcoholism; all 0, noisy; Low et al. 2020)",
        "harbor_crisis_statements": "tests/fixtures/crisis_statements.txt (written for Harbor)",
        "harbor_ordinary_recovery_talk": "tests/fixtures/ordinary_recovery_talk.txt (written "
        "for Harbor)",
        "harbor_crisis_dev_v1": "tests/fixtures/crisis_dev_v1.csv (Harbor's dev set)",
    }
    for source, size in sorted(meta["sizes"].items()):
        lines.append(f"| {source} | {what[source]} | {size['train']} | {size['held_out']} |")
    lines += [
        "",
        "## Held-out figures",
        "",
        "| source | n | positives | ROC AUC | recall @0.5 | false alarms @0.5 "
        "| recall @0.85 | false alarms @0.85 |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    for source, f in sorted(meta["held_out"].items()):
        lines.append(
            f"| {source} | {f['n']} | {f['positives']} | {shown(f['roc_auc'])} "
            f"| {shown(f['at_0.5']['recall'])} | {shown(f['at_0.5']['false_alarms'])} "
            f"| {shown(f['at_0.85']['recall'])} | {shown(f['at_0.85']['false_alarms'])} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    if not (args.data / "crisis").is_dir():
        parser.error(f"no shared data at {args.data} (set HARBOR_SHARED_DATA or --data)")
    model = train(args.data, args.seed)
    save(model, args.output)
    if args.output == MODEL_PATH:
        write_data_card(model)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KB)")
    print(json.dumps(model.meta["held_out"], indent=2))


if __name__ == "__main__":
    main()
