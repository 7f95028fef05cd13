"""Harbor's database models (SQLAlchemy 2 typed models).

Counts shown on pages (posts in a topic, topics in a board) are kept on the rows and changed in
the same transaction as the posts they count, so no page counts rows per request.
"""

import hashlib
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    case,
    false,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from forum.data.clock import utcnow
from forum.data.moderated import ModeratedText, PostStatus
from forum.data.notifications import notify_followers
from forum.extensions import db
from moderation.pseudonyms import look_alike_key
from moderation.submission import Place, Standing, Submission


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32))
    # casefolded pseudonym: "Sam" and "sam" are the same name
    pseudonym_key: Mapped[str] = mapped_column(String(32), unique=True)
    # what the name looks like ("caroI" and "carol" alike: moderation/pseudonyms.py); set
    # with the pseudonym
    name_key: Mapped[str] = mapped_column(String(64), index=True)
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
    # daily practice (forum/practice): the member's own day; None is UTC
    time_zone: Mapped[str | None] = mapped_column(String(64))

    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # the key of the server-side session (forum/data/member_sessions.py) this request signed
    # in with: set when a session is started or loaded, never stored
    session_key = None

    @validates("pseudonym")
    def _key_what_it_looks_like(self, key: str, pseudonym: str) -> str:
        self.name_key = look_alike_key(pseudonym)[:64]
        return pseudonym

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

    def is_new_member(self) -> bool:
        """Younger than HARBOR_NEW_MEMBER_DAYS: stricter limits, and links wait for a moderator."""
        if self.is_moderator:
            return False
        days = current_app.config["HARBOR_NEW_MEMBER_DAYS"]
        return self.created_at > utcnow() - timedelta(days=days)

    def standing(self) -> Standing:
        return Standing(new_member=self.is_new_member())


def hash_recovery_code(code: str) -> str:
    """Recovery codes carry 48 random bits, so a plain SHA-256 is enough to store them."""
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
    # the replies its writer asks for (forum/data/support_wanted.py); None: any
    support_wanted: Mapped[str | None] = mapped_column(String(16))

    board: Mapped[Board] = relationship()
    author: Mapped[User | None] = relationship()


# Partial indexes hold only the rows a frequent query looks for. A query uses one only when it
# repeats the index's condition with the value written into the SQL (`literal_execute`).
NOT_SCORED = "scoring != 'done'"


def partial_index(name: str, condition: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=text(condition), postgresql_where=text(condition))


def bump(model: type, row_id: int, later: dict | None = None, **deltas: int) -> None:
    """Add `deltas` to counters and move `later` timestamps forward, in one SQL statement, so
    concurrent writers never lose a count nor move a time back."""
    values: dict = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    for name, moment in (later or {}).items():
        column = getattr(model, name)
        values[name] = case((column.is_(None), moment), (column < moment, moment), else_=column)
    if values:
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        row = db.session.identity_map.get(db.session.identity_key(model, row_id))
        if row is not None:
            db.session.expire(row, list(values))


class Post(ModeratedText, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "number", name="uq_posts_topic_number"),
        # the scoring workers' queue: the few posts not scored yet, oldest first
        partial_index("ix_posts_scoring_queue", NOT_SCORED, "id"),
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
    # safe messaging: a moderator hid details (of a method, say) from readers, and why; the
    # writer and moderators still read the post (forum/pages/safe_messaging.py)
    hidden_from_readers: Mapped[str | None] = mapped_column(String(300))

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship()
    pending_edit: Mapped["PendingEdit | None"] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    review_type = "post"

    @property
    def is_first(self) -> bool:
        return self.number == 1

    @validates("findings")
    def _readers_see_help(self, key: str, findings: Any) -> Any:
        """A topic with crisis language in one of its posts shows readers a resources panel."""
        if findings is not None and findings.crisis.is_crisis:
            self.topic.has_crisis = True
        return findings

    def submission(self) -> Submission:
        """The text waiting for a decision: an edit waiting, or else the post itself."""
        text: Post | PendingEdit = self.pending_edit or self
        title = ""
        if self.is_first:
            title = getattr(text, "title", None) or self.topic.title
        return Submission(
            place=Place.TOPIC if self.is_first else Place.REPLY,
            title=title,
            body=text.body,
            content_warning=text.content_warning or "",
            author=self.author.standing() if self.author else Standing(),
            has_links="<a " in text.body_html,
        )

    @property
    def is_waiting(self) -> bool:
        """Not published yet, or a published post whose edit waits (and is not held)."""
        edit = self.pending_edit
        return self.status == PostStatus.PENDING or (edit is not None and not edit.held)

    def release(self) -> None:
        """Publish the post, or put its waiting edit in place of the published text."""
        edit = self.pending_edit
        if edit is not None:
            self.replace_text(edit.body, edit.body_html, replaced_by="author", title=edit.title)
            self.content_warning = edit.content_warning
            self.pending_edit = None
        if self.status != PostStatus.PUBLISHED:
            self.set_status(PostStatus.PUBLISHED)

    def hold(self) -> None:
        """Hold the post; a published post's waiting edit is held instead, so readers keep
        the text they could already read."""
        if self.pending_edit is not None:
            self.pending_edit.held = True
        else:
            self.set_status(PostStatus.HELD)

    def replace_text(
        self, body: str, body_html: str, *, replaced_by: str, title: str | None = None
    ) -> None:
        """Put a new text in place, keeping the one it replaces as a revision."""
        revision = PostRevision(
            post_id=self.id,
            title=self.topic.title if self.is_first else None,
            body=self.body,
            replaced_by=replaced_by,
        )
        db.session.add(revision)
        self.body, self.body_html = body, body_html
        self.edited_at = utcnow()
        if title is not None and self.is_first:
            self.topic.title = title

    def removal_notice(self) -> tuple[str, str]:
        return (
            "A moderator removed one of your posts",
            f"Your post in “{self.topic.title}” was removed.",
        )

    def set_status(self, status: PostStatus) -> None:
        """Change the status and move every counter that depends on the post being published.

        Rows are locked in one order, topic, board, member, so concurrent writers never
        deadlock; a reply's first publication is when the topic's followers hear of it.
        """
        was_public = self.status == PostStatus.PUBLISHED
        is_public = status == PostStatus.PUBLISHED
        self.status = status
        if status in (PostStatus.REMOVED, PostStatus.DELETED):
            self.pending_edit = None  # nothing of a removed post waits to be published
        topic = self.topic
        if self.is_first and status != PostStatus.DELETED:
            # the topic follows its first post, except that an author's deletion leaves the thread
            topic.status = status
        delta = int(is_public) - int(was_public)
        if not delta:
            return
        later = {"last_post_at": self.created_at} if is_public else None
        if self.is_first:
            bump(Topic, topic.id, later)
            bump(Board, topic.board_id, later, topic_count=delta, post_count=delta)
            if self.author_id:
                bump(User, self.author_id, topic_count=delta, post_count=delta)
        else:
            bump(Topic, topic.id, later, reply_count=delta)
            bump(Board, topic.board_id, later, post_count=delta)
            if self.author_id:
                bump(User, self.author_id, post_count=delta)
        if is_public and self.first_published_at is None:
            self.first_published_at = utcnow()
            if not self.is_first:
                notify_followers(self)

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


class PendingEdit(db.Model):
    """An author's edit of a published post, waiting for moderation.

    Readers go on seeing the published text until the edit is released (forum.flow), so an
    edit is never public before it is checked; its author sees it at once, marked as waiting.
    """

    __tablename__ = "pending_edits"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    content_warning: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # held by the policy: a moderator decides; the published text stays in view meanwhile
    held: Mapped[bool] = mapped_column(default=False)
