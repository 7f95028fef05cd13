"""The moderation policy: scores and checks in, one decision with its reasons out.

Defaults follow the evidence. Discourse found its original Detoxify thresholds (toxicity 0.80,
severe 0.30, others 0.60) far too aggressive for community forums; its maintainers advise about
0.85. People in recovery swear about themselves all the time ("I f***ed up and drank again"),
which is not hostility, so obscene language alone neither holds nor queues a post. What gets
held is what harms others: targeted threats, severe toxicity and identity attacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from moderation.findings import Findings
from moderation.scores import Scores
from moderation.submission import Place, Submission


class Outcome(StrEnum):
    PUBLISH = "publish"
    REVIEW = "review"  # published, and queued for a moderator's look
    HOLD = "hold"  # not visible to others until a moderator approves


class ReviewKind(StrEnum):
    AUTO_FLAG = "auto_flag"
    REPORT = "report"
    CRISIS = "crisis"
    IDENTIFYING = "identifying"


@dataclass(frozen=True)
class Threshold:
    """Scores at or above `review` queue the post; at or above `hold`, it is held. None: never."""

    review: float | None
    hold: float | None


# Per-label thresholds for Detoxify's scores: the one place they are set.
DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    "toxicity": Threshold(review=0.85, hold=None),
    "severe_toxicity": Threshold(review=0.30, hold=0.60),
    "obscene": Threshold(review=None, hold=None),  # recorded, never acted on alone
    "threat": Threshold(review=0.50, hold=0.80),
    "insult": Threshold(review=0.85, hold=None),
    "identity_attack": Threshold(review=0.50, hold=0.80),
    "sexual_explicit": Threshold(review=0.80, hold=None),
}

# The fallback scorer measures profanity only, which is not hostility: it can queue, never hold.
FALLBACK_THRESHOLDS: dict[str, Threshold] = {
    "toxicity": Threshold(review=0.95, hold=None),
}


def thresholds_from_config(
    overrides: Mapping[str, Mapping[str, float | None]],
) -> dict[str, Threshold]:
    """Defaults with per-label overrides, e.g. {"threat": {"hold": 0.9}}; unknown labels refused."""
    merged = dict(DEFAULT_THRESHOLDS)
    for label, values in overrides.items():
        if label not in merged:
            raise ValueError(f"Unknown moderation label in thresholds: {label!r}")
        current = merged[label]
        merged[label] = Threshold(
            review=values.get("review", current.review), hold=values.get("hold", current.hold)
        )
    return merged


@dataclass(frozen=True)
class Reason:
    """Why a text goes to the queue, under the kind of review it calls for."""

    kind: ReviewKind
    text: str


@dataclass(frozen=True)
class Decision:
    """What the policy decided about one submission, with its reasons and the model used."""

    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    flagged_labels: tuple[str, ...] = ()
    model: str | None = None  # None: decided before any model scored it

    @property
    def review_kinds(self) -> tuple[ReviewKind, ...]:
        return tuple(dict.fromkeys(reason.kind for reason in self.reasons))

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": [{"kind": r.kind.value, "text": r.text} for r in self.reasons],
            "flagged_labels": list(self.flagged_labels),
            "model": self.model,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        return cls(
            Outcome(data["outcome"]),
            tuple(Reason(ReviewKind(r["kind"]), r["text"]) for r in data["reasons"]),
            tuple(data["flagged_labels"]),
            data["model"],
        )


def applicable_thresholds(
    scores: Scores, thresholds: Mapping[str, Threshold]
) -> Mapping[str, Threshold]:
    return FALLBACK_THRESHOLDS if scores.is_fallback else thresholds


def _score_reasons(
    scores: Scores, thresholds: Mapping[str, Threshold]
) -> tuple[Outcome, list[Reason], list[str]]:
    outcome = Outcome.PUBLISH
    reasons: list[Reason] = []
    flagged: list[str] = []
    for label, threshold in applicable_thresholds(scores, thresholds).items():
        value = scores.labels.get(label)
        if value is None:
            continue
        if threshold.hold is not None and value >= threshold.hold:
            outcome = Outcome.HOLD
            text = f"{label} {value:.2f} ≥ hold threshold {threshold.hold:.2f}"
        elif threshold.review is not None and value >= threshold.review:
            outcome = max(outcome, Outcome.REVIEW, key=_severity)
            text = f"{label} {value:.2f} ≥ review threshold {threshold.review:.2f}"
        else:
            continue
        reasons.append(Reason(ReviewKind.AUTO_FLAG, text))
        flagged.append(label)
    return outcome, reasons, flagged


def decide(
    submission: Submission,
    findings: Findings,
    thresholds: Mapping[str, Threshold] = DEFAULT_THRESHOLDS,
) -> Decision:
    """Turn what was found in a submission into publish, publish-and-review, or hold.

    Before a model has scored it (`findings.scores` is None) the decision rests on the fast
    checks alone, so a crisis post reaches the queue at once; scoring then decides again.
    """
    outcome, reasons, flagged = Outcome.PUBLISH, [], []
    if findings.scores is not None:
        outcome, reasons, flagged = _score_reasons(findings.scores, thresholds)
    if submission.has_links and submission.author.new_member:
        outcome = Outcome.HOLD
        reasons.append(
            Reason(ReviewKind.AUTO_FLAG, "a new member's post with links waits for a moderator")
        )
    if findings.crisis.is_crisis:
        # crisis posts stay published so peers can answer, and go to the top of the queue
        outcome = max(outcome, Outcome.REVIEW, key=_severity)
        reasons.append(Reason(ReviewKind.CRISIS, f"crisis language: {findings.crisis.category}"))
    if findings.identifying:
        outcome = max(outcome, Outcome.REVIEW, key=_severity)
        kinds = ", ".join(sorted(findings.identifying_kinds))
        reasons.append(Reason(ReviewKind.IDENTIFYING, f"posted with identifying details: {kinds}"))
    model = findings.scores.model if findings.scores else None
    return Decision(outcome, tuple(reasons), tuple(flagged), model)


def _severity(outcome: Outcome) -> int:
    return [Outcome.PUBLISH, Outcome.REVIEW, Outcome.HOLD].index(outcome)


def closeness(scores: Scores, thresholds: Mapping[str, Threshold], level: str) -> float:
    """How near the scores come to the `level` ("review" or "hold") thresholds: 1.0 is at one.

    A single number per text, so the policy can be judged by ROC-AUC as well as by its decisions.
    """
    ratios = [
        scores.labels[label] / getattr(threshold, level)
        for label, threshold in applicable_thresholds(scores, thresholds).items()
        if getattr(threshold, level) and label in scores.labels
    ]
    return max(ratios, default=0.0)


def evaluate_moderation(
    scorer: Any,
    rows: Sequence[tuple[str, bool]],
    thresholds: Mapping[str, Threshold] = DEFAULT_THRESHOLDS,
    batch_size: int = 32,
) -> dict[str, Any]:
    """Run scoring and the policy over labelled (text, is_harmful) rows.

    Returns the model that scored, and binary metrics (precision, recall, F1, false-positive
    rate, ROC-AUC) for the hold decision and for the review decision (review or hold).
    """
    from moderation.evaluation import binary_metrics

    texts = [text for text, _ in rows]
    truth = [label for _, label in rows]
    scored: list[Scores] = []
    for start in range(0, len(texts), batch_size):
        scored.extend(scorer.score_many(texts[start : start + batch_size]))
    outcomes = [
        decide(Submission(Place.REPLY, text), Findings(scores=scores), thresholds).outcome
        for text, scores in zip(texts, scored, strict=True)
    ]
    return {
        "models": sorted({scores.model for scores in scored}),
        "held": binary_metrics(
            truth,
            [outcome == Outcome.HOLD for outcome in outcomes],
            [closeness(scores, thresholds, "hold") for scores in scored],
        ),
        "review": binary_metrics(
            truth,
            [outcome != Outcome.PUBLISH for outcome in outcomes],
            [closeness(scores, thresholds, "review") for scores in scored],
        ),
    }
