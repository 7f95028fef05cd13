"""The craving SOS: a private record of each use, the member's reasons, and the "right now"
board whose new posts are shown first to the members and mentors who offered to help.

Posts in the "right now" board are ordinary forum posts, moderated as every post is. When one
starts a topic and is first published (at submit, by a scoring worker, or when a moderator
approves it), each helper hears of it inside Harbor; never while it is pending or held.
"""

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from forum.data.clock import utcnow
from forum.data.local_time import local_today
from forum.data.models import Board, Post, PostStatus, Topic, User
from forum.data.notifications import Notification
from forum.extensions import db
from forum.practice.models import PracticeProfile, SosUse
from forum.practice.sealing import profile_for_writing, seal, unseal_or_note

REASONS_MAX_CHARS = 2_000
# presses closer together than this are one use (a double click, a reload of the form)
ONE_USE = timedelta(minutes=1)
RIGHT_NOW = "right_now"
# how long a "right now" post is shown first to helpers
RIGHT_NOW_FRESH = timedelta(hours=12)
# the helpers told of one post: enough to be answered quickly, not a broadcast
HELPERS_PER_POST = 200


def right_now_board() -> Board | None:
    slug = current_app.config["HARBOR_RIGHT_NOW_BOARD"]
    return db.session.scalar(select(Board).where(Board.slug == slug))


def record_use(user: User) -> None:
    """Note the press for the member's own chart (the caller commits)."""
    now = utcnow()
    recent = db.session.scalar(
        select(SosUse.id).where(SosUse.user_id == user.id, SosUse.used_at > now - ONE_USE)
    )
    if recent is None:
        db.session.add(SosUse(user_id=user.id, used_at=now, day=local_today(user)))


def reasons_of(user: Any) -> list[str]:
    profile = db.session.get(PracticeProfile, user.id)
    if profile is None:
        return []
    text = unseal_or_note(profile, "reasons", profile.reasons_sealed)
    return [line.strip() for line in text.splitlines() if line.strip()]


def set_reasons(user: User, text: str) -> None:
    profile = profile_for_writing(user.id)
    cleaned = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    profile.reasons_sealed = seal(profile, "reasons", cleaned) if cleaned else None


def set_helping(user: User, helps: bool) -> None:
    profile_for_writing(user.id).helps_right_now = helps


def helps_right_now(user: Any) -> bool:
    profile = db.session.get(PracticeProfile, user.id)
    return bool(profile and profile.helps_right_now)


def fresh_right_now_posts(viewer: Any, limit: int = 5) -> list[Topic]:
    """For helpers: the newest "right now" topics, shown first on the boards page."""
    if not (getattr(viewer, "is_authenticated", False) and helps_right_now(viewer)):
        return []
    board = right_now_board()
    if board is None:
        return []
    return list(
        db.session.scalars(
            select(Topic)
            .options(joinedload(Topic.author))
            .where(
                Topic.board_id == board.id,
                Topic.status == PostStatus.PUBLISHED,
                Topic.created_at > utcnow() - RIGHT_NOW_FRESH,
            )
            .order_by(Topic.created_at.desc())
            .limit(limit)
        )
    )


def _helpers_for(author_id: int | None) -> list[int]:
    now = utcnow()
    query = (
        select(PracticeProfile.user_id)
        .join(User, User.id == PracticeProfile.user_id)
        .where(
            PracticeProfile.helps_right_now.is_(True),
            (User.suspended_until.is_(None)) | (User.suspended_until <= now),
        )
        .order_by(PracticeProfile.user_id.desc())
        .limit(HELPERS_PER_POST)
    )
    if author_id is not None:
        query = query.where(PracticeProfile.user_id != author_id)
    return list(db.session.scalars(query))


def tell_helpers(post: Post) -> None:
    """A new "right now" topic was just published: tell every helper, inside Harbor."""
    with db.session.no_autoflush:
        board = post.topic.board
        if not post.is_first or board.slug != current_app.config["HARBOR_RIGHT_NOW_BOARD"]:
            return
        helpers = _helpers_for(post.author_id)
    topic = post.topic
    for helper_id in helpers:
        db.session.add(
            Notification(
                user_id=helper_id,
                kind=RIGHT_NOW,
                subject=f"Someone needs support right now: “{topic.title}”"[:200],
                body="A member posted in Right now. A few kind words, soon, can carry them.",
                link=f"/t/{topic.id}",
                topic_id=topic.id,
            )
        )


@event.listens_for(Post.first_published_at, "set")
def _first_published(post: Post, value: Any, old: Any, initiator: Any) -> None:
    """set_post_status sets first_published_at once, when a post first becomes public."""
    if value is not None and post.status == PostStatus.PUBLISHED:
        tell_helpers(post)
