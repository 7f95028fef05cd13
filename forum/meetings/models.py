"""Online meetings' tables. A `Meeting` is what the schedule lists (a weekly meeting or a
one-off); each time it is held is a `MeetingOccasion`, with the people there
(`MeetingParticipant`, kept as their private attendance) and what was said (`MeetingLine`,
deleted when the meeting ends unless the chair keeps a transcript for a day)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.data.clock import utcnow
from forum.data.models import User
from forum.data.moderated import ModeratedText, PostStatus
from forum.extensions import db
from forum.meetings.formats import FORMATS
from moderation.submission import Place, Standing, Submission


class MeetingStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for a moderator to approve its chair
    APPROVED = "approved"  # on the schedule
    DECLINED = "declined"


class HostRole(StrEnum):
    CO_HOST = "co_host"
    GREETER = "greeter"


class Meeting(db.Model):
    """A meeting on the schedule: weekly (`weekday` set) or once (`starts_on` set), at a time
    of day in the zone its chair chose."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(24))
    members_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PROPOSED)
    chair_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    weekday: Mapped[int | None]  # 0 is Monday
    starts_on: Mapped[date | None]  # a one-off's date, in the meeting's zone
    at_time: Mapped[str] = mapped_column(String(5))  # "19:00", in the meeting's zone
    time_zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    # the reading the chair posts at the opening, in their own words (a moderator reads it
    # when approving the chair); empty: the format's
    reading: Mapped[str] = mapped_column(Text, default="")
    # what the greeter says to whoever comes in late
    greeting: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])

    @property
    def opening_reading(self) -> str:
        return self.reading.strip() or FORMATS[self.format].reading

    hosts: Mapped[list["MeetingHost"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MeetingHost.user_id"
    )


class MeetingHost(db.Model):
    """A co-host (lets people in, mutes, removes) or the greeter of a meeting."""

    __tablename__ = "meeting_hosts"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(lazy="joined")


class MeetingBan(db.Model):
    """Someone removed from a meeting: they can't come to its next ones."""

    __tablename__ = "meeting_bans"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    banned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingOccasion(db.Model):
    """One holding of a meeting, from the chair opening it to "end meeting"."""

    __tablename__ = "meeting_occasions"
    __table_args__ = (Index("ix_meeting_occasions_meeting", "meeting_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the last line's number: each line published takes the next, so the room's order is
    # the database's and a reconnecting page asks for what follows the last it saw
    last_seq: Mapped[int] = mapped_column(default=0)
    sharing_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # kept, members-only, until this moment (the chair's choice at the end); else deleted
    transcript_until: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(lazy="joined")
    sharing: Mapped[User | None] = relationship(foreign_keys=[sharing_id])

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class ParticipantState(StrEnum):
    WAITING = "waiting"  # in the waiting room, until a host lets them in
    IN = "in"
    REMOVED = "removed"


class MeetingParticipant(db.Model):
    """Someone at an occasion: their place in the room, and afterwards their own private
    record that they came (and their 7-day plan, if they wrote one)."""

    __tablename__ = "meeting_participants"
    __table_args__ = (UniqueConstraint("occasion_id", "user_id", name="uq_meeting_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occasion_id: Mapped[int] = mapped_column(ForeignKey("meeting_occasions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=ParticipantState.IN)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    muted: Mapped[bool] = mapped_column(default=False, server_default=false())
    hand_raised_at: Mapped[datetime | None]
    # SMART Recovery's 7-day plan, written at the close: the member's alone
    plan: Mapped[str | None] = mapped_column(Text)
    plan_written_at: Mapped[datetime | None]

    occasion: Mapped[MeetingOccasion] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class LineKind(StrEnum):
    SHARE = "share"  # a member's share, or a host speaking
    READING = "reading"  # the format's reading and the code of conduct, at the opening
    WELCOME = "welcome"  # the greeter's welcome to a late-comer
    NOTE = "note"  # Harbor's own line: "[done]", "passed", "the meeting has ended"


class MeetingLine(ModeratedText, db.Model):
    """A line said in a room. A member's lines go through the moderation flow as posts do;
    one held never reaches the room. Harbor's own lines (readings, notes) are not scored."""

    __tablename__ = "meeting_lines"
    __table_args__ = (Index("ix_meeting_lines_room", "occasion_id", "seq"),)
    review_type = "meeting_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    occasion_id: Mapped[int] = mapped_column(ForeignKey("meeting_occasions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), default=LineKind.SHARE)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.PENDING)
    seq: Mapped[int | None]  # its place in the room, once published
    # crisis language found: the writer saw helplines, the chair and moderators were alerted
    crisis: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
    occasion: Mapped[MeetingOccasion] = relationship()

    def submission(self) -> Submission:
        standing = self.author.standing() if self.author else Standing()
        return Submission(Place.MEETING, self.body, author=standing)

    def removal_notice(self) -> tuple[str, str]:
        return (
            "A moderator removed something you said in a meeting",
            "A line you wrote in an online meeting was removed.",
        )
