"""The crisis detector's learned stage: small, lean to import, reproducible, and tiered."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from moderation import crisis_model
from moderation.crisis import CrisisDetector, Tier
from moderation.crisis_model import MODEL_PATH, CrisisModel
from moderation.crisis_tiers import CrisisTiers

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def model() -> CrisisModel:
    return CrisisModel.load()


def test_model_is_small_and_has_a_data_card(model: CrisisModel) -> None:
    assert MODEL_PATH.stat().st_size <= 5 * 1024 * 1024
    card = (MODEL_PATH.parent / "DATA_CARD.md").read_text(encoding="utf-8")
    for source, figures in model.meta["held_out"].items():
        assert f"| {source} | {figures['n']} |" in card
    assert "blind_crisis_v1.csv" in card  # says it never trained on the blind set


def test_probabilities_rank_crisis_above_recovery_talk(model: CrisisModel) -> None:
    crisis = model.probability("i cant do this anymore, i just want it all to be over tonight")
    ordinary = model.probability("day 40, went to a meeting and had coffee with my sponsor")
    assert 0.0 <= ordinary < crisis <= 1.0
    assert model.probability("") == pytest.approx(model.probabilities([""])[0])


def test_scoring_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from moderation.crisis import CrisisDetector\n"
        "d = CrisisDetector()\n"
        "assert d.model is not None\n"
        "d.detect('i want to die')\n"
        "heavy = {'sklearn', 'scipy', 'torch', 'transformers'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class FixedModel:
    """A stand-in that always answers the same probability: these tests are about tiers."""

    def __init__(self, probability: float) -> None:
        self.value = probability

    def probability(self, text: str) -> float:
        return self.value


TIERS = CrisisTiers(possible=0.5, concern=0.8)


@pytest.mark.parametrize(
    ("probability", "text", "tier"),
    [
        (0.1, "had a good day", Tier.NONE),
        (0.6, "had a good day", Tier.POSSIBLE),  # the model alone, below concern
        (0.9, "had a good day", Tier.CONCERN),  # the model alone, above concern
        (0.1, "i want to kill myself", Tier.CONCERN),  # a warning sign whatever the model says
        (0.9, "i've got the pills ready tonight", Tier.IMMINENT),
    ],
)
def test_tiers_combine_signs_and_probability(probability: float, text: str, tier: Tier) -> None:
    detector = CrisisDetector(model=FixedModel(probability), tiers=TIERS)
    result = detector.detect(text)
    assert result.tier == tier
    assert result.probability == probability
    if tier == Tier.POSSIBLE:
        assert not result.is_crisis and result.shows_help and not result.matches
        assert "learned model" in result.reason


def test_a_model_that_cannot_load_leaves_the_warning_signs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a model")
    monkeypatch.setattr(crisis_model, "MODEL_PATH", broken)
    with caplog.at_level(logging.WARNING):
        detector = CrisisDetector()
    assert detector.model is None and "crisis model not loaded" in caplog.text
    assert detector.detect("i want to kill myself").is_crisis


def test_training_reproduces_the_committed_held_out_figures(model: CrisisModel) -> None:
    """Retrains from scratch (about 20 s) and compares every held-out figure."""
    if not (SHARED_DATA / "crisis").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    from moderation.crisis_model.train import train

    retrained = train(SHARED_DATA)
    assert json.dumps(retrained.meta["held_out"], sort_keys=True) == json.dumps(
        model.meta["held_out"], sort_keys=True
    )
    assert retrained.meta["sizes"] == model.meta["sizes"]
