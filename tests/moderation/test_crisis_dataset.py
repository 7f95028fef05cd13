"""The crisis detector on the public labelled sets, held-out parts only (bench/crisis_eval.py).

The data lives beside the checkout in ../shared/data (or $HARBOR_SHARED_DATA) and is never
copied into the repository; the test skips with a clear message where it is absent. The
learned stage trained on the rest of each set, so only the seeded held-out part is scored.
Floors sit a little under what was measured (see the README); they guard against a phrase
file or model change that quietly loses people.
"""

from __future__ import annotations

import pytest

from bench.crisis_eval import evaluate
from moderation.crisis import CrisisDetector
from moderation.crisis_model.train import DEFAULT_DATA

# set name -> (column, floor or ceiling); measured values in the comments
EXPECTED = {
    "tweets, suicidal intention (held out)": ("recall possible+", 0.87),  # 0.898
    "r/SuicideWatch (SDCNL test split)": ("recall possible+", 0.83),  # 0.860
    "Harbor crisis statements (held out)": ("recall concern+", 0.95),  # 0.977
}
CEILINGS = {
    "r/addiction + r/alcoholism posts (held out)": ("false alarms possible+", 0.14),  # 0.122
    "Harbor ordinary recovery talk (held out)": ("false alarms possible+", 0.10),  # 0.079
}


@pytest.fixture(scope="module")
def table() -> dict[str, dict]:
    if not (DEFAULT_DATA / "crisis").is_dir():
        pytest.skip(f"shared data not found at {DEFAULT_DATA} (set HARBOR_SHARED_DATA)")
    return {row["set"]: row for row in evaluate(CrisisDetector(), DEFAULT_DATA, blind=False)}


@pytest.mark.parametrize("name", EXPECTED)
def test_recall_floor(table: dict[str, dict], name: str) -> None:
    column, floor = EXPECTED[name]
    assert table[name][column] >= floor, table[name]


@pytest.mark.parametrize("name", CEILINGS)
def test_false_alarm_ceiling(table: dict[str, dict], name: str) -> None:
    column, ceiling = CEILINGS[name]
    assert table[name][column] <= ceiling, table[name]
