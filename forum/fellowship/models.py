"""The fellowship's tables: daily check-in threads, mentorships and their private messages."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.data.clock import utcnow
from forum.data.models import User
from forum.data.moderated import ModeratedText, PostStatus
from forum.data.notifications import Notification, notify
from forum.extensions import db
from moderation.submission import Place, Standing, Submission

NEW_MESSAGE = "new_message"


def conversation_link(mentorship_id: int) -> str:
    """The conversation's path, written without a request (scoring workers deliver too)."""
    return f"/mentorship/{mentorship_id}"


class DailyCheckin(db.Model):
    """The "Just for today" thread of one UTC day. The day is the key, so it exists once."""

    __tablename__ = "daily_checkins"

    day: Mapped[date] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorshipStatus(StrEnum):
    REQUESTED = "requested"  # a newcomer asked; the mentor has not answered
    ACTIVE = "active"  # accepted: the pair has a private conversation
    DECLINED = "declined"
    ENDED = "ended"  # by either person, or withdrawn before an answer

    @classmethod
    def open(cls) -> tuple["MentorshipStatus", ...]:
        return (cls.REQUESTED, cls.ACTIVE)


OPEN_STATUSES_SQL = "status IN ('requested', 'active')"


class Mentorship(db.Model):
    """A newcomer's request to a mentor and, once accepted, their private conversation."""

    __tablename__ = "mentorships"
    __table_args__ = (
        Index("ix_mentorships_mentor", "mentor_id", "status"),
        Index("ix_mentorships_newcomer", "newcomer_id", "status"),
        # one open request or mentorship per newcomer at a time
        Index(
            "uq_mentorships_open_newcomer",
            "newcomer_id",
            unique=True,
            sqlite_where=text(OPEN_STATUSES_SQL),
            postgresql_where=text(OPEN_STATUSES_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once that person has deleted their account: the conversation then reads as ended
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    newcomer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=MentorshipStatus.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    newcomer: Mapped[User | None] = relationship(foreign_keys=[newcomer_id])

    def involves(self, user_id: int) -> bool:
        return user_id in (self.mentor_id, self.newcomer_id)

    def partner_of(self, user_id: int) -> User | None:
        return self.newcomer if user_id == self.mentor_id else self.mentor

    @property
    def partner_left(self) -> bool:
        return self.mentor_id is None or self.newcomer_id is None

    @property
    def is_active(self) -> bool:
        """Messages can be sent: accepted, not ended, and both people still members."""
        return self.status == MentorshipStatus.ACTIVE and not self.partner_left


class ConversationMessage(ModeratedText, db.Model):
    """A private message between a mentor and a newcomer, moderated as a post is
    (forum.data.moderated)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        Index("ix_conversation_messages_thread", "mentorship_id", "id"),
        Index("ix_conversation_messages_scoring", "scoring"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending until scored; held until a moderator approves; delivered once published
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING)

    mentorship: Mapped[Mentorship] = relationship()
    author: Mapped[User | None] = relationship()

    review_type = "message"

    def submission(self) -> Submission:
        standing = self.author.standing() if self.author else Standing()
        return Submission(Place.PRIVATE_MESSAGE, self.body, author=standing)

    def removal_notice(self) -> tuple[str, str]:
        return (
            "A moderator removed a private message you sent",
            "A private message you sent in your mentorship was removed.",
        )

    def set_status(self, status: PostStatus) -> None:
        """Change the status; the first time it is delivered, tell the other person."""
        delivered_now = status == PostStatus.PUBLISHED and self.status != PostStatus.PUBLISHED
        self.status = status
        mentorship = self.mentorship
        if delivered_now and mentorship.is_active and self.author_id is not None:
            recipient = mentorship.partner_of(self.author_id)
            if recipient is not None:
                notify_new_message(recipient.id, mentorship.id, self.author.pseudonym)

    def visible_to(self, user_id: int) -> bool:
        """Delivered (or removed or deleted: a stub) to both people; pending and held ones to
        the writer."""
        if not self.mentorship.involves(user_id):
            return False
        shown = (PostStatus.PUBLISHED, PostStatus.REMOVED, PostStatus.DELETED)
        return self.status in shown or (self.author_id == user_id)


class MessageReport(db.Model):
    """A participant's report of a private message: moderators may then read it, in context."""

    __tablename__ = "message_reports"
    __table_args__ = (UniqueConstraint("message_id", "reporter_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "report" (breaks the guidelines) or "worried" (I'm worried about this person)
    kind: Mapped[str] = mapped_column(String(16))
    # what the reporter chose it is: one of REPORT_CATEGORIES, as for a post's report
    category: Mapped[str] = mapped_column(String(24), default="other", server_default="other")
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def notify_new_message(recipient_id: int, mentorship_id: int, sender: str) -> None:
    """One unread "new message" note per conversation, however many messages arrive."""
    link = conversation_link(mentorship_id)
    unread = select(Notification.id).where(
        Notification.user_id == recipient_id,
        Notification.kind == NEW_MESSAGE,
        Notification.link == link,
        Notification.read_at.is_(None),
    )
    if db.session.scalar(unread) is None:
        notify(
            recipient_id,
            NEW_MESSAGE,
            f"A new message from {sender}",
            "You have a new private message in your mentorship.",
            link,
        )
