"""Moderator wellbeing: noticing a long or heavy stretch in the queue.

A stretch is a run of a moderator's queue work with no pause longer than BREAK_GAP_MINUTES
(or since they last said they took a break). After HARBOR_BREAK_AFTER_MINUTES of it, or
HARBOR_BREAK_AFTER_CRISIS_ITEMS crisis items decided in it (forum/settings.py), the queue
suggests, gently, a break. Read from the audit log: nothing new is recorded about the moderator.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.review import AuditEntry, ReviewItem, ReviewReason
from forum.extensions import db
from moderation.policy import ReviewKind

BREAK_GAP_MINUTES = 20
# what counts as deciding an item (not claiming it, nor reaching out)
DECISIONS = ("approve", "remove", "edit", "redact", "warn", "silence", "suspend")
CRISIS_KINDS = (ReviewKind.CRISIS, ReviewKind.POSSIBLE_CRISIS)


@dataclass(frozen=True)
class Stretch:
    minutes: int
    crisis_decisions: int

    @property
    def break_suggested(self) -> bool:
        config = current_app.config
        return (
            self.minutes >= config["HARBOR_BREAK_AFTER_MINUTES"]
            or self.crisis_decisions >= config["HARBOR_BREAK_AFTER_CRISIS_ITEMS"]
        )


def current_stretch(moderator_id: int, break_taken_at: datetime | None = None) -> Stretch:
    """How long this moderator has been at it, and how many crisis items they decided."""
    now = utcnow()
    since = now - timedelta(hours=12)
    if break_taken_at is not None:
        since = max(since, break_taken_at)
    entries = db.session.execute(
        select(AuditEntry.created_at, AuditEntry.action, AuditEntry.review_item_id)
        .where(AuditEntry.actor_id == moderator_id, AuditEntry.created_at >= since)
        .order_by(AuditEntry.created_at.desc())
        .limit(500)
    ).all()
    gap = timedelta(minutes=BREAK_GAP_MINUTES)
    if not entries or now - entries[0].created_at > gap:
        return Stretch(0, 0)
    run = [entries[0]]
    for entry in entries[1:]:
        if run[-1].created_at - entry.created_at > gap:
            break
        run.append(entry)
    decided_items = {e.review_item_id for e in run if e.action in DECISIONS and e.review_item_id}
    crisis = db.session.scalar(
        select(db.func.count(ReviewItem.id.distinct()))
        .join(ReviewReason, ReviewReason.item_id == ReviewItem.id)
        .where(ReviewItem.id.in_(decided_items), ReviewReason.kind.in_(CRISIS_KINDS))
    )
    minutes = int((now - run[-1].created_at).total_seconds() // 60)
    return Stretch(minutes, crisis or 0)
