"""How fast members may post and edit: stricter for new members, after Discourse's defaults.

Two kinds of limit, each kept where it is exact:

- Intervals (one topic every 120 s, one reply every 30 s for a new member; edits too, since
  each one is scored again) are rates over a moving window, so flask-limiter counts them per
  member: in memory in the embedded default, in Redis across every process when configured.
  A hit is counted only when a post was stored, so a draft sent back for a missing title or
  an identifying detail costs nothing.
- First-day caps (3 topics and 10 replies in the account's first 24 hours) are about a fixed
  stretch of the account's life, not a rate. They are a count of the member's rows in the
  database: exact, the same in every process, kept across restarts, and no spam deleted by its
  writer frees a place. The query runs only during an account's first day.

Moderators and admins are exempt; HARBOR_RATE_LIMITS=off (load tests) turns both kinds off.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from forum.data.clock import utcnow
from forum.data.models import Post, Topic, User
from forum.extensions import db
from forum.ratelimit import limiter, member_or_address

TOPIC_INTERVAL = "1 per 15 seconds"
REPLY_INTERVAL = "1 per 5 seconds"
NEW_MEMBER_TOPIC_INTERVAL = "1 per 120 seconds"
NEW_MEMBER_REPLY_INTERVAL = "1 per 30 seconds"
EDIT_INTERVAL = "1 per 5 seconds"
NEW_MEMBER_EDIT_INTERVAL = "1 per 20 seconds"
FIRST_DAY = timedelta(days=1)
FIRST_DAY_TOPICS = 3
FIRST_DAY_REPLIES = 10


def is_new_member(user: Any) -> bool:
    """Younger than HARBOR_NEW_MEMBER_DAYS: stricter limits, and links wait for a moderator."""
    if not getattr(user, "is_authenticated", False) or user.is_moderator:
        return False
    days = current_app.config["HARBOR_NEW_MEMBER_DAYS"]
    return user.created_at > utcnow() - timedelta(days=days)


def _exempt() -> bool:
    return current_user.is_authenticated and current_user.is_moderator


def _interval_for(new_member: str, member: str) -> Callable[[], str]:
    return lambda: new_member if is_new_member(current_user) else member


def post_stored() -> None:
    """Tell the posting limits that this request stored a post, so it counts."""
    g.harbor_post_stored = True


def _stored(response: Any) -> bool:
    return g.get("harbor_post_stored", False)


def _interval_limit(new_member: str, member: str, message: str) -> Callable:
    return limiter.limit(
        _interval_for(new_member, member),
        key_func=member_or_address,
        methods=["POST"],
        deduct_when=_stored,
        exempt_when=_exempt,
        error_message=message,
    )


topic_interval = _interval_limit(
    NEW_MEMBER_TOPIC_INTERVAL,
    TOPIC_INTERVAL,
    "Your topic was not posted: you started one a moment ago, and topics need a little time "
    "between them (a little more for new members).",
)
reply_interval = _interval_limit(
    NEW_MEMBER_REPLY_INTERVAL,
    REPLY_INTERVAL,
    "Your reply was not posted: you replied a moment ago, and replies need a little time "
    "between them (a little more for new members).",
)

edit_interval = _interval_limit(
    NEW_MEMBER_EDIT_INTERVAL,
    EDIT_INTERVAL,
    "Your edit was not saved: you changed a post a moment ago, and edits need a little time "
    "between them (a little more for new members).",
)


def enforce_first_day_cap(user: User, kind: str) -> None:
    """Refuse with 429 when a member in their first day has reached the cap for `kind`.

    `kind` is "topic" or "reply". Deleted posts count too: deleting spam frees no place.
    """
    if user.is_moderator or not current_app.config["RATELIMIT_ENABLED"]:
        return
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
