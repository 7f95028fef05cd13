"""Scoring: Detoxify through a tiny random local checkpoint, the fallback, and the service."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from detoxify import Detoxify

from moderation.detoxify_scorer import DetoxifyScorer, split_into_windows
from moderation.fallback_scorer import FallbackScorer
from moderation.offline_model import main as offline_model_main
from moderation.offline_model import prepare_offline_checkpoint
from moderation.scores import LABELS, Scores
from moderation.scoring import ScoringService
from tests.moderation.tiny_detoxify import WORDS, build_tiny_checkpoint

POSTS = [
    "Day 30 today. Grateful for this group.",
    "I relapsed last night and I feel like I lost everything",
    "",
    "you are a waste of space",
    "meeting at 7, anyone want to go together?",
]


@pytest.fixture(scope="module")
def scorer(tiny_detoxify_checkpoint: Path) -> DetoxifyScorer:
    return DetoxifyScorer(
        checkpoint=tiny_detoxify_checkpoint,
        huggingface_config_path=tiny_detoxify_checkpoint.parent,
    )


def long_post(word_count: int) -> str:
    return " ".join(WORDS[index % len(WORDS)] for index in range(word_count))


# --- the tiny checkpoint itself ------------------------------------------------------------


def test_tiny_checkpoint_loads_through_detoxify_itself(tiny_detoxify_checkpoint: Path) -> None:
    model = Detoxify(
        checkpoint=str(tiny_detoxify_checkpoint),
        huggingface_config_path=str(tiny_detoxify_checkpoint.parent),
    )
    result = model.predict("one day at a time")
    assert set(result) == set(LABELS)


# --- DetoxifyScorer -------------------------------------------------------------------------


def test_scores_every_label_in_unit_range_and_names_the_model(scorer: DetoxifyScorer) -> None:
    for scores in scorer.score_many(POSTS):
        assert scores.model == "detoxify:tiny-detoxify.ckpt"
        assert not scores.is_fallback
        assert set(scores.labels) == set(LABELS)
        assert all(0.0 <= value <= 1.0 for value in scores.labels.values())


def test_short_post_scores_what_detoxify_predict_gives(
    scorer: DetoxifyScorer, tiny_detoxify_checkpoint: Path
) -> None:
    plain = Detoxify(checkpoint=str(tiny_detoxify_checkpoint))
    expected = plain.predict(POSTS[1])
    assert scorer.score(POSTS[1]).labels == pytest.approx(expected, abs=1e-5)


def test_batches_score_the_same_as_one_at_a_time(scorer: DetoxifyScorer) -> None:
    batched = scorer.score_many(POSTS + [long_post(900)])
    single = [scorer.score(post) for post in POSTS + [long_post(900)]]
    for together, alone in zip(batched, single, strict=True):
        assert together.labels == pytest.approx(alone.labels, abs=1e-5)


def test_small_batch_size_scores_the_same(tiny_detoxify_checkpoint: Path) -> None:
    one_by_one = DetoxifyScorer(checkpoint=tiny_detoxify_checkpoint, batch_size=1)
    eight = DetoxifyScorer(checkpoint=tiny_detoxify_checkpoint, batch_size=8)
    for a, b in zip(one_by_one.score_many(POSTS), eight.score_many(POSTS), strict=True):
        assert a.labels == pytest.approx(b.labels, abs=1e-5)


def test_empty_list_scores_to_empty_list(scorer: DetoxifyScorer) -> None:
    assert scorer.score_many([]) == []


def test_scoring_sets_the_thread_count_in_the_calling_thread(scorer: DetoxifyScorer) -> None:
    # torch's count is per OS thread here; a request thread may still have the default.
    torch.set_num_threads(2)
    scorer.score("hello")
    assert torch.get_num_threads() == 1


def test_concurrent_callers_get_the_same_scores(scorer: DetoxifyScorer) -> None:
    expected = [scores.labels for scores in scorer.score_many(POSTS)]
    results: list[list[Scores]] = []

    def score_all() -> None:
        results.append(scorer.score_many(POSTS))

    workers = [threading.Thread(target=score_all) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(results) == 4
    for result in results:
        assert [s.labels for s in result] == [pytest.approx(e, abs=1e-5) for e in expected]


# --- long posts -----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 99, 100, 101, 250, 1000, 5003])
def test_windows_cover_every_token_and_overlap(length: int) -> None:
    tokens = list(range(length))
    windows = split_into_windows(tokens, size=100, overlap=20)
    assert all(len(window) <= 100 for window in windows)
    assert windows[0][:1] == tokens[:1]
    assert windows[-1][-1:] == tokens[-1:]
    assert sorted(set().union(*windows)) == tokens
    for before, after in zip(windows, windows[1:], strict=False):
        assert before[-20:] == after[:20]


def test_windows_reject_an_overlap_as_long_as_the_window() -> None:
    with pytest.raises(ValueError):
        split_into_windows([1, 2, 3], size=10, overlap=10)


def test_windows_never_exceed_the_model_position_limit(tiny_detoxify_checkpoint: Path) -> None:
    wide = DetoxifyScorer(checkpoint=tiny_detoxify_checkpoint, window_tokens=4000)
    assert wide.window_tokens == 510
    assert wide.score(long_post(5000)).labels.keys() == set(LABELS)


def test_long_post_takes_each_labels_maximum_over_its_windows(scorer: DetoxifyScorer) -> None:
    words = long_post(1000).split()
    tokenizer = scorer._detoxify.tokenizer
    assert len(tokenizer(" ".join(words), add_special_tokens=False)["input_ids"]) == len(words)
    window_texts = [
        " ".join(window)
        for window in split_into_windows(words, scorer.window_tokens, scorer.window_overlap)
    ]
    assert len(window_texts) > 3
    per_window = scorer.score_many(window_texts)
    expected = {label: max(s.labels[label] for s in per_window) for label in LABELS}
    assert scorer.score(" ".join(words)).labels == pytest.approx(expected, abs=1e-5)


class MarkerModel:
    """Stands in for the network: "threat" is certain exactly when `marker_id` is in a window."""

    device = torch.device("cpu")

    def __init__(self, marker_id: int) -> None:
        self.marker_id = marker_id

    def __call__(self, input_ids: torch.Tensor, **_: torch.Tensor) -> SimpleNamespace:
        logits = torch.full((len(input_ids), len(LABELS)), -30.0)
        has_marker = (input_ids == self.marker_id).any(dim=1)
        logits[has_marker, LABELS.index("threat")] = 30.0
        return SimpleNamespace(logits=logits)


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_threat_anywhere_in_a_5000_word_post_is_found(
    tiny_detoxify_checkpoint: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    marked = DetoxifyScorer(checkpoint=tiny_detoxify_checkpoint)
    marker_id = marked._detoxify.tokenizer.convert_tokens_to_ids("kill")
    monkeypatch.setattr(marked._detoxify, "model", MarkerModel(marker_id))
    benign = ["sober", "day", "meeting", "grateful"] * 1250
    position = {"start": 0, "middle": len(benign) // 2, "end": len(benign)}[where]
    post = " ".join(benign[:position] + ["kill"] + benign[position:])

    assert marked.score(" ".join(benign)).labels["threat"] < 0.01
    assert marked.score(post).labels["threat"] > 0.99


# --- offline loading ------------------------------------------------------------------------


def test_checkpoint_naming_a_hub_model_loads_offline_only_once_prepared(
    tmp_path: Path, scorer: DetoxifyScorer
) -> None:
    hub_named = build_tiny_checkpoint(tmp_path / "hf", model_type="bert-base-uncased")
    with pytest.raises(OSError):
        DetoxifyScorer(checkpoint=hub_named, huggingface_config_path=hub_named.parent)

    prepared = prepare_offline_checkpoint(hub_named, tmp_path / "hf", tmp_path / "offline.ckpt")
    offline = DetoxifyScorer(checkpoint=prepared, huggingface_config_path=tmp_path / "hf")
    assert offline.name == "detoxify:offline.ckpt"
    # Same seed, same weights: the same scores as the fixture's model.
    assert offline.score(POSTS[1]).labels == pytest.approx(scorer.score(POSTS[1]).labels)
    # The config folder path is optional once the checkpoint points at it.
    assert DetoxifyScorer(checkpoint=prepared).score("hi").labels.keys() == set(LABELS)


def test_prepare_offline_checkpoint_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub_named = build_tiny_checkpoint(tmp_path, model_type="bert-base-uncased")
    destination = tmp_path / "out" / "offline.ckpt"
    assert offline_model_main([str(hub_named), str(tmp_path), str(destination)]) == 0
    assert capsys.readouterr().out.strip() == str(destination)
    assert torch.load(destination, weights_only=False)["config"]["arch"]["args"][
        "model_type"
    ] == str(tmp_path.resolve())
    assert offline_model_main([]) == 2


def test_prepare_offline_checkpoint_refuses_bad_inputs(tmp_path: Path) -> None:
    hub_named = build_tiny_checkpoint(tmp_path / "hf", model_type="bert-base-uncased")
    with pytest.raises(FileNotFoundError):
        prepare_offline_checkpoint(hub_named, tmp_path / "empty", tmp_path / "x.ckpt")
    two_labels = tmp_path / "two-labels"
    two_labels.mkdir()
    (two_labels / "config.json").write_text('{"id2label": {"0": "NO", "1": "YES"}}')
    with pytest.raises(ValueError, match="num_labels=7"):
        prepare_offline_checkpoint(hub_named, two_labels, tmp_path / "x.ckpt")
    not_detoxify = tmp_path / "other.ckpt"
    torch.save({"weights": []}, not_detoxify)
    with pytest.raises(ValueError):
        prepare_offline_checkpoint(not_detoxify, tmp_path / "hf", tmp_path / "x.ckpt")


# --- FallbackScorer -------------------------------------------------------------------------


def test_fallback_scores_only_what_it_can_judge() -> None:
    scores = FallbackScorer().score("Day 30 today. Grateful for this group.")
    assert scores.is_fallback
    assert scores.model.startswith("fallback:alt-profanity-check-")
    assert set(scores.labels) == {"toxicity", "obscene"}
    assert scores.labels["toxicity"] == scores.labels["obscene"]
    assert 0.0 <= scores.labels["toxicity"] < 0.2


def test_fallback_ranks_hostility_above_a_confession() -> None:
    confession, insult = FallbackScorer().score_many(
        ["I f***ed up and drank again", "You are a worthless piece of shit, nobody wants you"]
    )
    assert confession.labels["toxicity"] < 0.3 < 0.9 < insult.labels["toxicity"]


def test_fallback_empty_list() -> None:
    assert FallbackScorer().score_many([]) == []


# --- ScoringService -------------------------------------------------------------------------


def test_service_uses_fallback_while_loading_then_detoxify(
    tiny_detoxify_checkpoint: Path,
) -> None:
    may_finish = threading.Event()

    def slow_load() -> DetoxifyScorer:
        may_finish.wait(10)
        return DetoxifyScorer(checkpoint=tiny_detoxify_checkpoint)

    service = ScoringService(slow_load)
    assert service.status == "loading"
    assert "loading" in service.reason
    assert service.score("hello").is_fallback
    assert not service.wait_until_loaded(timeout=0.01)
    assert service.start() is False  # already loading

    may_finish.set()
    assert service.wait_until_loaded(timeout=10)
    assert service.status == "ready"
    assert "detoxify:tiny-detoxify.ckpt" in service.reason
    scores = service.score_many(POSTS)
    assert [s.model for s in scores] == ["detoxify:tiny-detoxify.ckpt"] * len(POSTS)
    assert service.start() is False  # already loaded


def test_broken_checkpoint_makes_detoxify_unavailable_until_retried(
    tmp_path: Path, tiny_detoxify_checkpoint: Path
) -> None:
    service = ScoringService(partial(DetoxifyScorer, checkpoint=tmp_path / "missing.ckpt"))
    assert not service.wait_until_loaded(timeout=10)
    assert service.status == "unavailable"
    assert "could not be loaded" in service.reason
    assert "missing.ckpt" in service.reason
    fallback = service.score("I f***ed up and drank again")
    assert fallback.is_fallback
    assert fallback.model.startswith("fallback:")

    assert service.start(partial(DetoxifyScorer, checkpoint=tiny_detoxify_checkpoint))
    assert service.wait_until_loaded(timeout=10)
    assert service.status == "ready"
    scores = service.score("I f***ed up and drank again")
    assert not scores.is_fallback
    assert scores.model == "detoxify:tiny-detoxify.ckpt"


def test_service_created_without_starting_waits_for_start() -> None:
    service = ScoringService(start=False)
    assert service.status == "unavailable"
    assert "not been started" in service.reason
    assert not service.wait_until_loaded(timeout=0)
    assert service.score("hello").is_fallback


class BrokenScorer:
    name = "detoxify:broken"

    def score_many(self, texts: list[str]) -> list[Scores]:
        raise RuntimeError("out of memory")


def test_detoxify_failing_mid_scoring_falls_back_for_that_call() -> None:
    service = ScoringService(BrokenScorer)
    assert service.wait_until_loaded(timeout=10)
    scores = service.score_many(["one", "two"])
    assert [s.is_fallback for s in scores] == [True, True]
    assert service.status == "ready"
    assert "detoxify:broken" in service.reason
    assert "out of memory" in service.reason
