"""An operator's transformer as the crisis detector's learned stage, loaded through
``transformers``' own ``from_pretrained`` from a tiny model built here (nothing downloaded)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch
from transformers import BertForSequenceClassification, BertTokenizer

from moderation.crisis import CrisisDetector, Tier
from moderation.crisis_model.transformer import TransformerCrisisModel
from moderation.crisis_tiers import CRISIS_TIERS
from tests.moderation.tiny_detoxify import tiny_bert_config, write_vocab

ORDINARY = "I had pasta for dinner and watched the football."


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def tiny_classifier(folder: Path, labels: dict[int, str], leaning: list[float]) -> Path:
    """A two-layer BERT whose output is its classifier's bias alone: `leaning` sets it."""
    folder.mkdir(parents=True, exist_ok=True)
    config = tiny_bert_config()
    config.num_labels = len(labels)
    config.id2label = labels
    config.label2id = {name: index for index, name in labels.items()}
    BertTokenizer(str(write_vocab(folder))).save_pretrained(folder)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor(leaning))
    model.save_pretrained(folder)
    return folder


def test_the_crisis_label_is_read_from_the_models_own_config(tmp_path: Path) -> None:
    folder = tiny_classifier(tmp_path / "m", {0: "crisis", 1: "ordinary"}, [4.0, 0.0])
    model = TransformerCrisisModel(folder)
    chance = model.probability(ORDINARY)
    assert chance == pytest.approx(torch.sigmoid(torch.tensor(4.0)).item(), abs=1e-4)
    assert model.probabilities([ORDINARY, "hello"]) == pytest.approx([chance, chance], abs=1e-4)
    assert model.probabilities([]) == []
    assert model.name == "transformer:m"


def test_its_probability_sets_the_tier_where_no_warning_sign_does(tmp_path: Path) -> None:
    leaning_crisis = TransformerCrisisModel(
        tiny_classifier(tmp_path / "yes", {0: "LABEL_0", 1: "LABEL_1"}, [0.0, 5.0])
    )
    leaning_ordinary = TransformerCrisisModel(
        tiny_classifier(tmp_path / "no", {0: "LABEL_0", 1: "LABEL_1"}, [5.0, 0.0])
    )
    flagged = CrisisDetector(model=leaning_crisis, tiers=CRISIS_TIERS).detect(ORDINARY)
    assert flagged.tier == Tier.CONCERN and flagged.probability > CRISIS_TIERS.concern
    quiet = CrisisDetector(model=leaning_ordinary, tiers=CRISIS_TIERS).detect(ORDINARY)
    assert quiet.tier == Tier.NONE


def test_a_model_with_no_crisis_output_is_refused_naming_its_labels(tmp_path: Path) -> None:
    folder = tiny_classifier(tmp_path / "m", {0: "toxic", 1: "insult", 2: "threat"}, [0, 0, 0])
    with pytest.raises(ValueError, match="insult"):
        TransformerCrisisModel(folder)


def test_the_forum_uses_the_configured_model_and_degrades_when_it_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from forum.flow.checks import checks
    from tests.conftest import make_app

    folder = tiny_classifier(tmp_path / "m", {0: "LABEL_0", 1: "LABEL_1"}, [0.0, 5.0])
    app = make_app(tmp_path, HARBOR_CRISIS_MODEL=str(folder), HARBOR_CRISIS_TIERS=(0.5, 0.9))
    with app.app_context():
        detector = checks().crisis
        assert detector.model.name == "transformer:m"
        assert detector.detect(ORDINARY).tier == Tier.CONCERN

    (tmp_path / "other").mkdir()
    missing = make_app(tmp_path / "other", HARBOR_CRISIS_MODEL=str(tmp_path / "nowhere"))
    with missing.app_context(), caplog.at_level(logging.ERROR):
        detector = checks().crisis
        assert detector.model is not None and not detector.model.name.startswith("transformer")
    assert "could not be loaded" in caplog.text and "packaged crisis model" in caplog.text
