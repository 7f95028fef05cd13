"""The moderation policy: scores and checks in, one decision with its reasons out.

Defaults follow the evidence. Discourse found its original Detoxify thresholds (toxicity 0.80,
severe 0.30, others 0.60) far too aggressive for community forums; its maintainers advise about
0.85. People in recovery swear about themselves all the time ("I f***ed up and drank again"),
which is not hostility, so obscene language alone neither holds nor queues a post. What gets
held is what harms others: targeted threats, severe toxicity and identity attacks.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from moderation.scores import Scores


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


@dataclass(frozen=True)
class CrisisTiers:
    """Where the crisis model's probability alone raises a tier (moderation/crisis.py).

    At or above ``concern``: CONCERN (helplines and the queue). At or above ``possible``:
    POSSIBLE (a gentle note to the writer, a low-priority look). Warning signs found in the
    text set their own tier whatever the model says.
    """

    possible: float
    concern: float


# Chosen from bench/crisis_eval.py on held-out data (the README gives the figures).
CRISIS_TIERS = CrisisTiers(possible=0.45, concern=0.85)


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
class PostFacts:
    """What the policy needs to know beyond the text's scores."""

    crisis_category: str | None = None  # from moderation.crisis, where crisis language was found
    identifying_kinds: tuple[str, ...] = ()  # details the writer chose to post anyway
    links_from_new_member: bool = False


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: list[str] = field(default_factory=list)
    review_kinds: list[ReviewKind] = field(default_factory=list)
    flagged_labels: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": self.reasons,
            "review_kinds": [kind.value for kind in self.review_kinds],
            "flagged_labels": self.flagged_labels,
        }


def applicable_thresholds(
    scores: Scores, thresholds: Mapping[str, Threshold]
) -> Mapping[str, Threshold]:
    return FALLBACK_THRESHOLDS if scores.is_fallback else thresholds


def decide(
    scores: Scores,
    facts: PostFacts = PostFacts(),
    thresholds: Mapping[str, Threshold] = DEFAULT_THRESHOLDS,
) -> Decision:
    """Turn scores and facts into publish, publish-and-review, or hold, with reasons."""
    table = applicable_thresholds(scores, thresholds)
    outcome = Outcome.PUBLISH
    reasons: list[str] = []
    flagged: list[str] = []
    kinds: list[ReviewKind] = []
    for label, threshold in table.items():
        value = scores.labels.get(label)
        if value is None:
            continue
        if threshold.hold is not None and value >= threshold.hold:
            outcome = Outcome.HOLD
            reasons.append(f"{label} {value:.2f} ≥ hold threshold {threshold.hold:.2f}")
            flagged.append(label)
        elif threshold.review is not None and value >= threshold.review:
            outcome = max(outcome, Outcome.REVIEW, key=_severity)
            reasons.append(f"{label} {value:.2f} ≥ review threshold {threshold.review:.2f}")
            flagged.append(label)
    if flagged:
        kinds.append(ReviewKind.AUTO_FLAG)
    if facts.links_from_new_member:
        outcome = Outcome.HOLD
        reasons.append("a new member's post with links waits for a moderator")
        kinds.append(ReviewKind.AUTO_FLAG)
    if facts.crisis_category:
        # crisis posts stay published so peers can answer, and go to the top of the queue
        outcome = max(outcome, Outcome.REVIEW, key=_severity)
        reasons.append(f"crisis language: {facts.crisis_category}")
        kinds.append(ReviewKind.CRISIS)
    if facts.identifying_kinds:
        outcome = max(outcome, Outcome.REVIEW, key=_severity)
        found = sorted(set(facts.identifying_kinds))
        reasons.append(f"posted with identifying details: {', '.join(found)}")
        kinds.append(ReviewKind.IDENTIFYING)
    return Decision(outcome, reasons, list(dict.fromkeys(kinds)), flagged)


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
    outcomes = [decide(scores, thresholds=thresholds).outcome for scores in scored]
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
