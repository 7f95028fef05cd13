"""The daily "Just for today" thread: opened once per UTC day, by whoever checks in first.

Page views never write, so the thread opens on the first check-in of the day (a POST) or by
`flask harbor open-checkin`. The day is the primary key of `daily_checkins`, and the row is
written in the same transaction as the thread, so when two processes race, one commits and
the other's insert fails: it rolls back (its thread with it) and uses the winner's.
"""

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.data.models import Board, Post, PostStatus, Topic, User
from forum.data.moderated import ScoringState
from forum.data.posting import PostingError, add_reply, start_topic
from forum.extensions import db
from forum.fellowship.harbor_member import harbor_member
from forum.fellowship.milestones import utc_today
from forum.fellowship.models import DailyCheckin
from forum.flow.pipeline import submit

CHECKIN_TEXT = "I'm staying sober today."
OPENING_TEXT = (
    "One day at a time. However yesterday went, today is its own day.\n\n"
    "Say here that you're staying sober today: one click on the check-in page, or a few words "
    "of your own about the good and the hard. Nobody keeps score, and nobody judges."
)


def checkin_board() -> Board | None:
    slug = current_app.config["HARBOR_CHECKIN_BOARD"]
    return db.session.scalar(select(Board).where(Board.slug == slug))


def thread_title(day: date) -> str:
    return f"Just for today: {day:%A} {day.day} {day:%B %Y}"


def todays_thread(day: date | None = None) -> Topic | None:
    """The day's thread if it is open; reading never opens it."""
    return db.session.scalar(
        select(Topic)
        .join(DailyCheckin, DailyCheckin.topic_id == Topic.id)
        .where(DailyCheckin.day == (day or utc_today()))
    )


def open_thread(day: date | None = None, attempts: int = 3) -> Topic:
    """The day's thread, opened now if nobody has opened it yet. Commits."""
    day = day or utc_today()
    for _ in range(attempts):
        if (topic := todays_thread(day)) is not None:
            return topic
        board = checkin_board()
        if board is None:
            raise PostingError("Daily check-ins are not set up on this forum.", 404)
        try:
            topic = _start_thread(board, day)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another process opened it first: use theirs
        else:
            return topic
    raise PostingError("Today's thread could not be opened. Please try again.", 503)


def _start_thread(board: Board, day: date) -> Topic:
    first = start_topic(board, harbor_member(), thread_title(day), OPENING_TEXT)
    # Harbor's own words: published at once, with nothing for the scorer to judge
    first.scoring = ScoringState.DONE
    first.set_status(PostStatus.PUBLISHED)
    db.session.flush()
    db.session.add(DailyCheckin(day=day, topic_id=first.topic_id))
    db.session.flush()
    return first.topic


def already_checked_in(topic: Topic, member: User) -> bool:
    return (
        db.session.scalar(
            select(Post.id).where(
                Post.topic_id == topic.id,
                Post.author_id == member.id,
                Post.status != PostStatus.DELETED,
            )
        )
        is not None
    )


def check_in(member: User) -> tuple[Post | None, Topic]:
    """Post the member's "staying sober today" in today's thread: (None, thread) if they
    already have. The reply goes through moderation like any other."""
    topic = open_thread()
    if already_checked_in(topic, member):
        return None, topic
    post = add_reply(topic, member, CHECKIN_TEXT)
    submit(post)
    return post, topic
