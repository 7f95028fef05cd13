"""Harbor's database models (SQLAlchemy 2 typed models).

Counts shown on pages (posts in a topic, topics in a board) are kept on the rows and changed in
the same transaction as the posts they count, so no page counts rows per request.
"""

import hashlib
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db

if TYPE_CHECKING:
    from forum.fellowship.models import ConversationMessage


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class PostStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for its score: its author sees it, nobody else
    PUBLISHED = "published"
    HELD = "held"  # waiting for a moderator: its author and moderators see it
    REMOVED = "removed"  # removed by a moderator: a stub remains
    DELETED = "deleted"  # deleted by its author: a stub remains


class ScoringState(StrEnum):
    WAITING = "waiting"  # not scored yet: a worker will take it
    FALLBACK = "fallback"  # scored by the fallback: rescored once Detoxify is back
    DONE = "done"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    # casefolded pseudonym: "Sam" and "sam" are the same name
    pseudonym_key: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    silenced_until: Mapped[datetime | None]
    suspended_until: Mapped[datetime | None]
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    # fellowship (forum/fellowship): private unless the member chooses to show or offer it
    recovery_started_on: Mapped[date | None]
    show_day_count: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the date of the last milestone whose offer of a post the member used or dismissed
    milestone_acknowledged_on: Mapped[date | None]
    offers_mentoring: Mapped[bool] = mapped_column(default=False, server_default=false())
    welcomes_newcomers: Mapped[bool] = mapped_column(default=False, server_default=false())

    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # the key of the server-side session (forum/data/member_sessions.py) this request signed
    # in with: set when a session is started or loaded, never stored
    session_key = None

    def get_id(self) -> str | None:
        """What Flask-Login puts in the cookies: the session's key, not the member's id."""
        return self.session_key

    def __eq__(self, other: object) -> bool:
        """The same member, whichever session loaded them (UserMixin compares get_id)."""
        return isinstance(other, User) and other.id == self.id

    __hash__ = UserMixin.__hash__

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt, a memory-hard scheme.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def is_silenced(self, now: datetime | None = None) -> bool:
        return self.silenced_until is not None and self.silenced_until > (now or utcnow())

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())


def hash_recovery_code(code: str) -> str:
    """Recovery codes carry 60 random bits, so a plain SHA-256 is enough to store them."""
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    members_only: Mapped[bool] = mapped_column(default=False)
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime | None]


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (
        # a board page: its visible topics, newest activity first, paginated by keyset
        Index("ix_topics_board_listing", "board_id", "status", "last_post_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the topic's status follows its first post's: a held first post holds the topic
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING)
    locked: Mapped[bool] = mapped_column(default=False)
    # numbers handed out to posts so far: post N of the topic has number N
    post_count: Mapped[int] = mapped_column(default=0)
    # published replies, shown on the board page
    reply_count: Mapped[int] = mapped_column(default=0)
    # a post here held crisis language: readers see a resources panel on the topic
    has_crisis: Mapped[bool] = mapped_column(default=False)

    board: Mapped[Board] = relationship()
    author: Mapped[User | None] = relationship()


# Partial indexes hold only the rows a frequent query looks for. A query uses one only when it
# repeats the index's condition with the value written into the SQL (`literal_execute`).
NOT_SCORED = "scoring != 'done'"
MODERATOR_ACTION = "action != 'auto_decision'"


def _partial_index(name: str, condition: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=text(condition), postgresql_where=text(condition))


class ModeratedText:
    """What the moderation pipeline records on any text it checks (posts, private messages):
    the scoring lease, which model scored it, the scores, and the decision with its reasons."""

    scoring: Mapped[str] = mapped_column(String(16), default=ScoringState.WAITING)
    scoring_lease_until: Mapped[datetime | None]
    scoring_lease_token: Mapped[str | None] = mapped_column(String(16))
    scoring_attempts: Mapped[int] = mapped_column(default=0)
    scored_by: Mapped[str | None] = mapped_column(String(120))
    scored_at: Mapped[datetime | None]
    scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    crisis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # identifying details the writer was shown and chose to post anyway
    identifying_details: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class Post(ModeratedText, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "number", name="uq_posts_topic_number"),
        # the scoring workers' queue: the few posts not scored yet, oldest first
        _partial_index("ix_posts_scoring_queue", NOT_SCORED, "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    # position in the topic, from 1: page N of a topic is a range of numbers
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING, index=True)
    # the writer's warning ("relapse details"): readers open the post with one click or key
    content_warning: Mapped[str | None] = mapped_column(String(60))
    # set when the post is first published: followers hear of a reply once, not on re-approval
    first_published_at: Mapped[datetime | None]
    # supportive reactions, counted here in the transaction that adds or takes one back
    reactions_hear_you: Mapped[int] = mapped_column(default=0)
    reactions_me_too: Mapped[int] = mapped_column(default=0)
    reactions_strength: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_first(self) -> bool:
        return self.number == 1

    def visible_to(self, user: Any) -> bool:
        """Published posts are public; pending and held ones only to their author and moderators."""
        if self.status in (PostStatus.PUBLISHED, PostStatus.REMOVED, PostStatus.DELETED):
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return user.is_moderator or user.id == self.author_id


class Setting(db.Model):
    """Site settings an admin changes at run time (for example, search-engine indexing)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class PostRevision(db.Model):
    """An earlier text of a post, kept when its author or a moderator edits or redacts it."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "author" or "moderator": who replaced this text (a moderator by name in the audit log)
    replaced_by: Mapped[str] = mapped_column(String(16))


class ReviewStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ReviewItem(db.Model):
    """One item in the moderators' queue: a post or a private message, why it is there, and
    what became of it."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_queue", "status", "priority", "created_at"),
        # one open item per post and kind: a second report adds to it, not beside it
        Index(
            "uq_review_items_open_post_kind",
            "post_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "uq_review_items_open_message_kind",
            "message_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("(post_id IS NULL) <> (message_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # what is under review: a forum post, or a private message in a mentorship
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    # crisis first, then severity: higher comes first; then the oldest
    priority: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated: Mapped[bool] = mapped_column(default=False)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claim_expires_at: Mapped[datetime | None]
    first_decided_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(32))

    post: Mapped[Post | None] = relationship()
    message: Mapped["ConversationMessage | None"] = relationship()
    claimed_by: Mapped[User | None] = relationship()

    @property
    def subject(self) -> "Post | ConversationMessage":
        """The post or the private message this item is about."""
        return self.post if self.post_id is not None else self.message

    def claimed_by_other(self, user_id: int, now: datetime | None = None) -> bool:
        return (
            self.claimed_by_id is not None
            and self.claimed_by_id != user_id
            and self.claim_expires_at is not None
            and self.claim_expires_at > (now or utcnow())
        )


class Report(db.Model):
    """A member's report of a post. The author never learns who reported."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # "report" (breaks the guidelines) or "worried" (I'm worried about this person)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(db.Model):
    """An append-only record of every moderation decision: who, what, when, why."""

    __tablename__ = "audit_log"
    # the moderators' log leaves out the automatic decisions, one per post
    __table_args__ = (_partial_index("ix_audit_log_moderator_actions", MODERATOR_ACTION, "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_items.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_log_is_append_only(mapper: Any, connection: Any, entry: AuditEntry) -> None:
    raise ValueError("The audit log is append-only.")


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


# ReviewItem and AuditEntry refer to private messages, so their model is always registered.
import forum.fellowship.models  # noqa: E402, F401
