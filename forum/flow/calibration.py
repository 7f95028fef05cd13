"""Threshold suggestions from what moderators decided about flagged and reported posts."""

from sqlalchemy import exists, select

from forum.data.models import Post
from forum.data.review import ReviewItem, ReviewReason
from forum.extensions import db
from forum.flow.scoring import thresholds
from moderation.policy import ReviewKind

MINIMUM_REVIEWED = 10


def suggest_thresholds() -> list[dict]:
    """Per label: the hold threshold that best separates removed from approved posts (F1)."""
    flagged_or_reported = exists().where(
        ReviewReason.item_id == ReviewItem.id,
        ReviewReason.kind.in_([ReviewKind.AUTO_FLAG, ReviewKind.REPORT]),
    )
    decided = db.session.execute(
        select(Post.findings, ReviewItem.resolution)
        .join(
            ReviewItem,
            (ReviewItem.subject_type == Post.review_type) & (ReviewItem.subject_id == Post.id),
        )
        .where(flagged_or_reported, ReviewItem.resolution.in_(["approved", "removed"]))
    ).all()
    rows = [
        (findings.scores.labels, resolution)
        for findings, resolution in decided
        if findings is not None and findings.scores is not None
    ]
    if not rows:
        return []
    suggestions = []
    for label, current in thresholds().items():
        pairs = [
            (scores[label], resolution == "removed")
            for scores, resolution in rows
            if label in scores
        ]
        removed = sum(1 for _, was_removed in pairs if was_removed)
        suggested = "too few reviews"
        if len(pairs) >= MINIMUM_REVIEWED and removed:
            suggested = f"hold ≥ {best_f1_threshold(pairs):.2f}"
        suggestions.append(
            {
                "label": label,
                "reviewed": len(pairs),
                "removed": removed,
                "current": f"hold ≥ {current.hold:.2f}"
                if current.hold is not None
                else "never holds",
                "suggested": suggested,
            }
        )
    return suggestions


def best_f1_threshold(pairs: list[tuple[float, bool]]) -> float:
    """The score cut-off at which holding posts best matches moderators' removals."""
    best_threshold, best_f1 = 1.0, -1.0
    positives = sum(1 for _, removed in pairs if removed)
    for threshold in sorted({score for score, _ in pairs}):
        flagged = [(score, removed) for score, removed in pairs if score >= threshold]
        true_positives = sum(1 for _, removed in flagged if removed)
        if not flagged or not true_positives:
            continue
        precision = true_positives / len(flagged)
        recall = true_positives / positives
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_threshold, best_f1 = threshold, f1
    return best_threshold
