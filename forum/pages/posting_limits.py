"""How fast members may post and edit: stricter for new members, after Discourse's defaults.

Two kinds of limit, both kept in the database, where they are exact in every process and on
both databases, with Redis or without:

- Intervals (one topic every 120 s, one reply every 30 s for a new member; edits too, since
  each one is scored again) are a clock per member and kind (forum/data/posting_clocks.py),
  claimed in the transaction that stores the post. Of ten replies sent at once exactly one is
  stored; and a post that is not stored (a draft sent back, a refusal) rolls its claim back,
  so it costs the writer nothing.
- First-day caps (3 topics and 10 replies in the account's first 24 hours) are about a fixed
  stretch of the account's life, not a rate. They are a count of the member's rows, taken
  after the clock is claimed (so posts sent at once are counted one after another), kept
  across restarts, and no spam deleted by its writer frees a place. The count runs only
  during an account's first day.

Moderators and admins are exempt; HARBOR_RATE_LIMITS=off (load tests) turns both kinds off.
Crisis words are never refused: a text with crisis language is let past either kind, a few
times an hour (forum/web/crisis_pass.py).
"""

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from forum.data import posting_clocks
from forum.data.clock import utcnow
from forum.data.models import Post, Topic, User
from forum.extensions import db
from forum.web import crisis_pass

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


def take_turn(user: User, kind: str, *, crisis: bool = False) -> None:
    """Claim the member's turn to store a `kind` ("topic", "reply" or "edit"), in the
    transaction that stores it, or refuse with a 429 that says how long to wait. A `crisis`
    text (crisis language in it) is let past a refusal while the member has exceptions left."""
    if user.is_moderator or not current_app.config["RATELIMIT_ENABLED"]:
        return
    refusal = _interval_refusal(user, kind)
    if refusal is None and kind in ("topic", "reply"):
        refusal = _first_day_refusal(user, kind)
    if refusal is not None and not (crisis and crisis_pass.grant(refusal.limit)):
        raise refusal


class Refusal(TooManyRequests):
    """A 429 that names the limit it enforces, for the moderators' note on a crisis text."""

    def __init__(self, limit: str, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.limit = limit


def _interval_refusal(user: User, kind: str) -> Refusal | None:
    new_member, member = INTERVALS[kind]
    interval = timedelta(seconds=new_member if user.is_new_member() else member)
    if (left := posting_clocks.claim(user.id, kind, interval)) is None:
        return None
    wait = max(1, math.ceil(left.total_seconds()))
    return Refusal(f"the {kind} interval", REFUSALS[kind], retry_after=wait)


def _first_day_refusal(user: User, kind: str) -> Refusal | None:
    """The refusal when a member in their first day has reached the cap for `kind`.

    `kind` is "topic" or "reply". Deleted posts count too: deleting spam frees no place.
    """
    first_day_ends = user.created_at + FIRST_DAY
    now = utcnow()
    if now >= first_day_ends:
        return None
    if kind == "topic":
        cap = FIRST_DAY_TOPICS
        query = select(func.count(Topic.id)).where(Topic.author_id == user.id)
        what = "topics"
    else:
        cap = FIRST_DAY_REPLIES
        query = select(func.count(Post.id)).where(Post.author_id == user.id, Post.number > 1)
        what = "replies"
    if db.session.scalar(query) < cap:
        return None
    wait = max(1, int((first_day_ends - now).total_seconds()) + 1)
    return Refusal(
        f"the first-day cap on {what}",
        f"Not posted: in their first day on Harbor, members can write {cap} {what} (it keeps "
        "spam out), and you have reached that.",
        retry_after=wait,
    )
