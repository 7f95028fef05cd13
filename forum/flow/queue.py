"""Filing texts in the moderators' queue: one open item per subject, every reason on it.

Crisis comes first (by urgency), then held texts, then by how strong the flag is; within a
priority, the oldest first (the queue's ORDER BY).
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.data.moderated import Moderated, PostStatus
from forum.data.review import ReviewItem, ReviewReason, ReviewStatus, about, key_of
from forum.extensions import db
from moderation.crisis import Tier
from moderation.policy import Reason, ReviewKind

POSSIBLE_CRISIS_PRIORITY = 150  # below held texts and strong flags: a look, not an alarm


def priority(subject: Moderated, kind: ReviewKind) -> int:
    """Crisis first (by tier), then held texts, then the strength of the flag; a possible
    crisis (the model alone) is a low-priority look."""
    findings = subject.findings
    if kind == ReviewKind.POSSIBLE_CRISIS:
        return POSSIBLE_CRISIS_PRIORITY
    if kind == ReviewKind.CRISIS:
        # a member's "I'm worried" report with no crisis language found ranks as POSSIBLE
        tier = findings.crisis.tier if findings else Tier.NONE
        return 1000 + 100 * int(max(tier, Tier.POSSIBLE))
    scores = findings.scores.labels if findings and findings.scores else {}
    held = 200 if subject.status == PostStatus.HELD else 0
    return (
        held
        + int(100 * max(scores.values(), default=0.0))
        + (50 if kind == ReviewKind.REPORT else 0)
    )


def open_item(subject: Moderated) -> ReviewItem | None:
    return db.session.scalar(
        select(ReviewItem).where(about(ReviewItem, subject), ReviewItem.status == ReviewStatus.OPEN)
    )


def file(subject: Moderated, reasons: Iterable[Reason]) -> ReviewItem | None:
    """Add `reasons` to the subject's open item, made if there is none (None: no reasons).

    Two processes filing the same subject at once meet at the unique index of open items:
    the second adds its reasons to the item the first made.
    """
    reasons = list(reasons)
    if not reasons:
        return None
    db.session.flush()
    item = open_item(subject)
    if item is None:
        item = ReviewItem(**key_of(subject), status=ReviewStatus.OPEN, priority=0)
        try:
            with db.session.begin_nested():
                db.session.add(item)
        except IntegrityError:
            item = open_item(subject)
    known = {(reason.kind, reason.text) for reason in item.reasons}
    for reason in reasons:
        if (reason.kind, reason.text) not in known:
            known.add((reason.kind, reason.text))
            item.reasons.append(ReviewReason(kind=reason.kind, text=reason.text[:500]))
    item.priority = max(item.priority or 0, *(priority(subject, r.kind) for r in reasons))
    return item
