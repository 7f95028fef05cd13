"""Daily practice's tables. Everything a member writes for themselves (pledge words, review
notes, reasons, journal entries) is stored sealed (forum/practice/sealing.py), and every row
goes with the account when it is deleted (ON DELETE CASCADE)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.data.clock import utcnow
from forum.data.models import User
from forum.data.moderated import ModeratedText, PostStatus
from forum.extensions import db
from moderation.submission import Place, Standing, Submission


def _member_key() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PracticeProfile(db.Model):
    """A member's practice settings, made the first time they save one."""

    __tablename__ = "practice_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # the streak of pledged days is shown only to the member, and only if they want it
    show_streak: Mapped[bool] = mapped_column(default=False, server_default=false())
    # hears of new posts in the "right now" board (a notification inside Harbor)
    helps_right_now: Mapped[bool] = mapped_column(default=False, server_default=false())
    # random, per account: with the server's secret it makes the account's sealing key
    key_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    # "reasons I'm doing this", one a line, sealed
    reasons_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class WentHow(StrEnum):
    """How the day went against the pledge, as the member chooses to say it."""

    KEPT = "kept"
    USED = "used"  # a slip or a relapse: met with kind words, shown to nobody
    UNSAID = "unsaid"


class Pledge(db.Model):
    """One day's pledge ("Just for today I won't drink") and its evening review. The day is
    the member's own calendar day, in their time zone."""

    __tablename__ = "pledges"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_pledges_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the unique (user_id, day) index serves every look-up by member
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    words_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    reviewed_at: Mapped[datetime | None]
    # "How hard was today?" 1 (easy) to 5 (very hard)
    difficulty: Mapped[int | None]
    went: Mapped[str | None] = mapped_column(String(8))
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class PartnerStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


OPEN_PARTNERSHIP_SQL = "status IN ('requested', 'active')"


class AccountabilityPartner(db.Model):
    """A member's chosen partner (a mentor or any member, who must accept). The partner sees
    only whether the member checked in today: never the pledge, the review or a streak."""

    __tablename__ = "accountability_partners"
    __table_args__ = (
        Index("ix_accountability_partners_partner", "partner_id", "status"),
        # one partner (or one request waiting) per member at a time
        Index(
            "uq_accountability_partners_open_member",
            "member_id",
            unique=True,
            sqlite_where=text(OPEN_PARTNERSHIP_SQL),
            postgresql_where=text(OPEN_PARTNERSHIP_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PartnerStatus.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    partner: Mapped[User] = relationship(foreign_keys=[partner_id])


class SosUse(db.Model):
    """A press of "I'm having a craving": private, for the member's own journal chart."""

    __tablename__ = "sos_uses"
    __table_args__ = (Index("ix_sos_uses_member_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
    day: Mapped[date]


class JournalEntry(db.Model):
    """A private journal entry. Nobody but its writer reads it, moderators included, and it
    never enters search. The words and trigger tags are sealed; mood and craving are numbers
    the chart draws."""

    __tablename__ = "journal_entries"
    __table_args__ = (Index("ix_journal_entries_member_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    day: Mapped[date]
    mood: Mapped[int]  # 1 (low) to 5 (good)
    craving: Mapped[int]  # 0 (none) to 10 (overwhelming)
    # {"body": ..., "triggers": [...]}, as JSON, sealed
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class CopingTool(ModeratedText, db.Model):
    """A member's "what worked for me", moderated as a post is (forum/practice/moderation.py
    puts it in the review queue). One with crisis language waits for a moderator: a library is
    not where someone in danger should wait for an answer, and its writer sees helplines at
    once."""

    __tablename__ = "coping_tools"
    __table_args__ = (Index("ix_coping_tools_listing", "status", "featured", "helped_count"),)
    review_type = "coping_tool"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    featured: Mapped[bool] = mapped_column(default=False, server_default=false())
    # "this helped me", counted here in the transaction that adds or takes one back
    helped_count: Mapped[int] = mapped_column(default=0)

    author: Mapped[User | None] = relationship()
    tags: Mapped[list["CopingToolTag"]] = relationship(
        cascade="all, delete-orphan", order_by="CopingToolTag.tag", lazy="selectin"
    )

    @property
    def tag_names(self) -> list[str]:
        return [tag.tag for tag in self.tags]

    def submission(self) -> Submission:
        standing = self.author.standing() if self.author else Standing()
        return Submission(
            Place.COPING_TOOL,
            self.body,
            title=self.title,
            author=standing,
            has_links="<a " in self.body_html,
        )

    def removal_notice(self) -> tuple[str, str]:
        return (
            "A moderator removed a coping tool you wrote",
            f"Your tool “{self.title}” was removed from the library.",
        )

    def release(self) -> None:
        """A new tool with crisis language is held, not published; a moderator's approval of
        the held tool publishes it."""
        crisis = self.findings is not None and self.findings.crisis.is_crisis
        if self.status == PostStatus.PENDING and crisis:
            self.hold()
        else:
            super().release()

    def visible_to(self, user: object) -> bool:
        """Published tools are public; pending and held ones only to their author and
        moderators; removed ones to moderators."""
        if self.status == PostStatus.PUBLISHED:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_moderator:  # type: ignore[attr-defined]
            return True
        return self.author_id == user.id and self.status in (  # type: ignore[attr-defined]
            PostStatus.PENDING,
            PostStatus.HELD,
        )


class CopingToolTag(db.Model):
    __tablename__ = "coping_tool_tags"
    __table_args__ = (Index("ix_coping_tool_tags_tag", "tag", "tool_id"),)

    tool_id: Mapped[int] = mapped_column(
        ForeignKey("coping_tools.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)


class ToolHelped(db.Model):
    """A member's "this helped me" on a tool: one each; there is no opposite."""

    __tablename__ = "tool_helped"
    __table_args__ = (UniqueConstraint("tool_id", "user_id", name="uq_tool_helped_tool_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("coping_tools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = _member_key()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
