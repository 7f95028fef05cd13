"""Notifications inside Harbor (there is no e-mail): replies in the topics a member follows.

Writers follow their topic, and repliers the topics they reply in, automatically. A member can
mute a topic, which stops its notifications even for its author and survives replying again.
Followers hear of a reply when it is first published, never while it is held or pending, and
one unread message per topic counts the replies since they last marked their messages read.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from forum.data.blocks import MemberBlock
from forum.data.clock import utcnow
from forum.data.sql import insert_unless_present
from forum.extensions import db

if TYPE_CHECKING:
    from forum.data.models import Post

REPLY = "reply"
# the navigation shows "9+" rather than counting a long backlog on every page
UNREAD_SHOWN_UP_TO = 9


class Notification(db.Model):
    """A message to a member inside Harbor (no e-mail): from moderators, or about replies."""

    __tablename__ = "notifications"
    __table_args__ = (
        # the unread count in every page's navigation reads this small index only
        Index(
            "ix_notifications_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # replies: the topic, and how many new replies this one unread message stands for
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    event_count: Mapped[int] = mapped_column(default=1)


def notify(
    user_id: int | None, kind: str, subject: str, body: str, link: str | None = None
) -> None:
    """Put a message in a member's messages (nothing for a former member)."""
    if user_id is not None:
        db.session.add(
            Notification(user_id=user_id, kind=kind, subject=subject, body=body, link=link)
        )


class TopicFollow(db.Model):
    """A member follows (muted=False) or has muted (muted=True) a topic."""

    __tablename__ = "topic_follows"
    __table_args__ = (UniqueConstraint("topic_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    muted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def follow_automatically(topic_id: int, user_id: int) -> None:
    """Follow a topic one writes in, unless one follows or has muted it already."""
    insert_unless_present(TopicFollow, topic_id=topic_id, user_id=user_id, muted=False)


def set_muted(topic_id: int, user_id: int, muted: bool) -> None:
    changed = db.session.execute(
        update(TopicFollow)
        .where(TopicFollow.topic_id == topic_id, TopicFollow.user_id == user_id)
        .values(muted=muted)
    ).rowcount
    if not changed:
        insert_unless_present(TopicFollow, topic_id=topic_id, user_id=user_id, muted=muted)


def follow_state(topic_id: int, member: Any) -> str | None:
    """The topic page's follow buttons: "following", "muted" or "none"; None for a guest."""
    if not getattr(member, "is_authenticated", False):
        return None
    muted = db.session.scalar(
        select(TopicFollow.muted).where(
            TopicFollow.topic_id == topic_id, TopicFollow.user_id == member.id
        )
    )
    if muted is None:
        return "none"
    return "muted" if muted else "following"


def notify_followers(post: Post) -> None:
    """Tell the topic's followers (not the reply's author) about a newly published reply.

    Two set-based statements, whatever the number of followers: add one to each follower's
    unread message for this topic, then make a message for the followers who have none.
    """
    db.session.flush()  # the post's id goes into the link
    topic = post.topic
    followers = select(TopicFollow.user_id).where(
        TopicFollow.topic_id == topic.id, TopicFollow.muted.is_(False)
    )
    if post.author_id is not None:
        blocked_the_author = exists().where(
            MemberBlock.blocker_id == TopicFollow.user_id, MemberBlock.blocked_id == post.author_id
        )
        followers = followers.where(TopicFollow.user_id != post.author_id, ~blocked_the_author)
    unread_here = and_(
        Notification.kind == REPLY,
        Notification.topic_id == topic.id,
        Notification.read_at.is_(None),
    )
    now = utcnow()
    db.session.execute(
        update(Notification)
        .where(unread_here, Notification.user_id.in_(followers))
        .values(event_count=Notification.event_count + 1, created_at=now)
        .execution_options(synchronize_session=False)
    )
    without_message = followers.add_columns(
        literal(REPLY),
        literal(f"New replies in “{topic.title}”"[:200]),
        literal(""),
        literal(f"/p/{post.id}"),
        literal(now),
        literal(topic.id),
        literal(1),
    ).where(~exists().where(unread_here, Notification.user_id == TopicFollow.user_id))
    db.session.execute(
        insert(Notification).from_select(
            ["user_id", "kind", "subject", "body", "link", "created_at", "topic_id", "event_count"],
            without_message,
        )
    )


def unread_count(user_id: int) -> int:
    """Unread messages, counted through the partial index and no further than the nav shows."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(UNREAD_SHOWN_UP_TO + 1)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(unread)) or 0
