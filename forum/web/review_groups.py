"""A member's open review items, seen together.

Three crisis posts by one member in an evening are one person in trouble, not three
unrelated items: the queue shows them as one group ("3 crisis posts in 2 hours") and the
member's page offers one reach-out for all of them.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.data.models import User
from forum.data.moderated import moderated_model
from forum.data.review import ReviewItem, ReviewStatus
from forum.extensions import db
from forum.web.reviewables import REVIEWABLES, load_subjects, reviewable_of
from moderation.policy import ReviewKind

QUEUE_ORDER = (ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id)
# how a group's line names its items of each kind: "3 crisis posts", "1 reported post"
KIND_ADJECTIVES = {
    ReviewKind.CRISIS: "crisis",
    ReviewKind.POSSIBLE_CRISIS: "worrying",
    ReviewKind.REPORT: "reported",
    ReviewKind.AUTO_FLAG: "flagged",
    ReviewKind.IDENTIFYING: "identifying",
}
MEMBER_ITEMS_SHOWN = 50


@dataclass
class MemberGroup:
    """One member's items on a page of the queue, and all their open items."""

    member: User | None
    items: list[ReviewItem]  # on this page, in queue order
    open_items: list[ReviewItem]  # every open item of theirs

    @property
    def grouped(self) -> bool:
        return self.member is not None and len(self.open_items) > 1

    @property
    def summary(self) -> str:
        return summarise(self.open_items)


def open_items_of(member_ids: Iterable[int]) -> dict[int, list[ReviewItem]]:
    """Every open item about a text by each of these members, in queue order."""
    ids = sorted(set(member_ids))
    found: dict[int, list[ReviewItem]] = {member_id: [] for member_id in ids}
    if not ids:
        return found
    for review_type in REVIEWABLES:
        model = moderated_model(review_type)
        rows = db.session.execute(
            select(ReviewItem, model.author_id)
            .options(selectinload(ReviewItem.reasons), joinedload(ReviewItem.claimed_by))
            .join(
                model,
                and_(ReviewItem.subject_type == review_type, ReviewItem.subject_id == model.id),
            )
            .where(ReviewItem.status == ReviewStatus.OPEN, model.author_id.in_(ids))
            .order_by(*QUEUE_ORDER)
            .limit(MEMBER_ITEMS_SHOWN * len(ids))
        ).all()
        for item, author_id in rows:
            found[author_id].append(item)
    for member_id, items in found.items():
        items.sort(key=lambda item: (-item.priority, item.created_at, item.id))
        found[member_id] = items[:MEMBER_ITEMS_SHOWN]
    load_subjects(item for items in found.values() for item in items)
    return found


def group_by_member(items: Sequence[ReviewItem]) -> list[MemberGroup]:
    """The page's items, each member's together where the first of them stands."""
    groups: dict[object, MemberGroup] = {}
    for item in items:
        author_id = item.subject.author_id if item.subject is not None else None
        key = author_id if author_id is not None else ("item", item.id)
        if key not in groups:
            author = item.subject.author if item.subject is not None else None
            groups[key] = MemberGroup(author, [], [])
        groups[key].items.append(item)
    everyone = open_items_of(key for key in groups if isinstance(key, int))
    for key, group in groups.items():
        group.open_items = everyone.get(key, group.items) if isinstance(key, int) else group.items
    return list(groups.values())


def summarise(items: Sequence[ReviewItem]) -> str:
    """A group's line: "3 crisis posts in 2 hours", "2 crisis posts and 1 reported post in
    40 minutes"."""
    counted = Counter((item.kind, reviewable_of(item).noun) for item in items)
    parts = [
        f"{n} {KIND_ADJECTIVES.get(kind, kind)} {noun}{'s' if n > 1 else ''}"
        for kind in KIND_ADJECTIVES
        for (each_kind, noun), n in counted.items()
        if each_kind == kind
    ]
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    times = [item.created_at for item in items]
    return f"{said} {within(max(times) - min(times))}" if len(items) > 1 else said


def within(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 2:
        return "within a minute or two"
    if minutes < 90:
        return f"in {minutes} minutes"
    hours = round(minutes / 60)
    if hours < 36:
        return f"in {hours} hours"
    return f"in {round(hours / 24)} days"
