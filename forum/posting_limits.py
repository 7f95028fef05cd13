"""How fast members may post and edit: stricter for new members, after Discourse's defaults.

Two kinds of limit, both kept in the database, where they are exact in every process and on
both databases, with Redis or without:

- Intervals (one topic every 120 s, one reply every 30 s for a new member; edits too, since
  each one is scored again) are a clock per member and kind: the time of their last stored
  post. `take_turn` claims it with one statement in the transaction that stores the post (an
  upsert that moves the clock only when the interval has passed, and says whether it did). The
  clock's row stays locked until that transaction ends, so of ten replies sent at once exactly
  one is stored; and a post that is not stored (a draft sent back, a refusal) rolls the clock
  back with it, so it costs the writer nothing.
- First-day caps (3 topics and 10 replies in the account's first 24 hours) are about a fixed
  stretch of the account's life, not a rate. They are a count of the member's rows, taken
  after the clock is claimed (so concurrent posts are counted one after another), kept across
  restarts, and no spam deleted by its writer frees a place. The count runs only during an
  account's first day.

Moderators and admins are exempt; HARBOR_RATE_LIMITS=off (load tests) turns both kinds off.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from forum.extensions import db
from forum.models import Post, Topic, User, utcnow
from forum.sql import dialect_insert

# seconds between two stored posts of a kind: (a new member, any other member)
INTERVALS = {"topic": (120, 15), "reply": (30, 5), "edit": (20, 5)}
REFUSALS = {
    "topic": "Your topic was not posted: you started one a moment ago, and topics need a little "
    "time between them (a little more for new members).",
    "reply": "Your reply was not posted: you replied a moment ago, and replies need a little time "
    "between them (a little more for new members).",
    "edit": "Your edit was not saved: you changed a post a moment ago, and edits need a little "
    "time between them (a little more for new members).",
}
FIRST_DAY = timedelta(days=1)
FIRST_DAY_TOPICS = 3
FIRST_DAY_REPLIES = 10


class PostingClock(db.Model):
    """When a member last stored a topic, a reply or an edit."""

    __tablename__ = "posting_clocks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_at: Mapped[datetime]


def is_new_member(user: Any) -> bool:
    """Younger than HARBOR_NEW_MEMBER_DAYS: stricter limits, and links wait for a moderator."""
    if not getattr(user, "is_authenticated", False) or user.is_moderator:
        return False
    days = current_app.config["HARBOR_NEW_MEMBER_DAYS"]
    return user.created_at > utcnow() - timedelta(days=days)


def _limited(user: User) -> bool:
    return not user.is_moderator and current_app.config["RATELIMIT_ENABLED"]


def take_turn(user: User, kind: str) -> None:
    """Claim the member's turn to store a `kind` ("topic", "reply" or "edit"), in the
    transaction that stores it, or refuse with a 429 that says how long to wait."""
    if not _limited(user):
        return
    new_member, member = INTERVALS[kind]
    interval = timedelta(seconds=new_member if is_new_member(user) else member)
    now = utcnow()
    insert = dialect_insert(PostingClock).values(user_id=user.id, kind=kind, last_at=now)
    claim = insert.on_conflict_do_update(
        index_elements=[PostingClock.user_id, PostingClock.kind],
        set_={"last_at": now},
        where=PostingClock.last_at <= now - interval,
    ).returning(PostingClock.user_id)
    if db.session.execute(claim).first() is None:
        last_at = db.session.scalar(
            select(PostingClock.last_at).where(
                PostingClock.user_id == user.id, PostingClock.kind == kind
            )
        )
        wait = math.ceil((last_at + interval - now).total_seconds())
        raise TooManyRequests(REFUSALS[kind], retry_after=max(1, wait))
    if kind in ("topic", "reply"):
        _enforce_first_day_cap(user, kind)


def _enforce_first_day_cap(user: User, kind: str) -> None:
    """Refuse with 429 when a member in their first day has reached the cap for `kind`.

    `kind` is "topic" or "reply". Deleted posts count too: deleting spam frees no place.
    """
    first_day_ends = user.created_at + FIRST_DAY
    now = utcnow()
    if now >= first_day_ends:
        return
    if kind == "topic":
        cap = FIRST_DAY_TOPICS
        query = select(func.count(Topic.id)).where(Topic.author_id == user.id)
        what = "topics"
    else:
        cap = FIRST_DAY_REPLIES
        query = select(func.count(Post.id)).where(Post.author_id == user.id, Post.number > 1)
        what = "replies"
    if db.session.scalar(query) < cap:
        return
    wait = max(1, int((first_day_ends - now).total_seconds()) + 1)
    raise TooManyRequests(
        f"Not posted: in their first day on Harbor, members can write {cap} {what} (it keeps "
        "spam out), and you have reached that.",
        retry_after=wait,
    )
