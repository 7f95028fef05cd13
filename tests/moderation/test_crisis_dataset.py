"""The crisis detector on public labelled data: laxmimerit's twitter suicidal-intention set.

The data lives beside the checkout in ../shared/data (or $HARBOR_SHARED_DATA) and is never
copied into the repository; the test skips with a clear message where it is absent. Its
positives include many third-person, vague or very long posts and its negatives many joking
"i want to die" tweets, so recall and precision here are lower than on first-person
statements; the floors sit a little under what was measured.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from moderation.crisis import CrisisDetector, evaluate_crisis
from moderation.evaluation import read_labelled_csv

SHARED_DATA = Path(
    os.environ.get("HARBOR_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)
TWITTER = SHARED_DATA / "crisis" / "twitter_suicidal_intention.csv"

# Measured: recall 0.547, precision 0.808, false-positive rate 0.102, ROC AUC 0.725.
RECALL_FLOOR = 0.50
PRECISION_FLOOR = 0.75
FPR_CEILING = 0.12


@pytest.fixture(scope="module")
def metrics() -> dict:
    if not TWITTER.is_file():
        pytest.skip(f"shared data not found at {TWITTER} (set HARBOR_SHARED_DATA to its folder)")
    rows = read_labelled_csv(TWITTER, "tweet", "intention")
    return evaluate_crisis(CrisisDetector(), rows)


def test_twitter_suicidal_intention(metrics: dict) -> None:
    summary = {k: metrics[k] for k in ("n", "precision", "recall", "false_positive_rate")}
    assert metrics["n"] == 9119
    assert metrics["recall"] >= RECALL_FLOOR, summary
    assert metrics["precision"] >= PRECISION_FLOOR, summary
    assert metrics["false_positive_rate"] <= FPR_CEILING, summary
    assert metrics["roc_auc"] > 0.65, summary
