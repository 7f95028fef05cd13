"""What happens in a meeting: proposing and approving it, opening it, coming in (through the
waiting room if the account is new), hands, shares, passing, the host's controls, the end
and the 7-day plan.

Every line a person writes goes through the moderation flow as a post does (the caller
builds a `Draft`, forum/web/compose.py): a held line never reaches the room, and crisis
language brings helplines to its writer (the page's part), alerts the chair and moderators
here, and files the line first in the review queue (the flow's part). Each line published
takes the room's next number in the same transaction; once the transaction commits, the
room's pages are told (forum/meetings/broker.py). Every host action is an audit entry.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy import delete, event, exists, select, update
from sqlalchemy.orm import Session

from forum.data.clock import utcnow
from forum.data.markdown import render_markdown
from forum.data.models import Role, User
from forum.data.moderated import PostStatus, ScoringState
from forum.data.notifications import notify
from forum.data.posting import PostingError
from forum.data.review import AuditEntry, ReviewItem, ReviewStatus
from forum.extensions import db
from forum.meetings.broker import rooms
from forum.meetings.events import ENDED, LINE, STATE, RoomEvent
from forum.meetings.formats import CODE_OF_CONDUCT, FORMATS
from forum.meetings.models import (
    HostRole,
    LineKind,
    Meeting,
    MeetingBan,
    MeetingHost,
    MeetingLine,
    MeetingOccasion,
    MeetingParticipant,
    MeetingStatus,
    ParticipantState,
)
from moderation.policy import Outcome

MEETING_CRISIS = "meeting_crisis"
# someone coming in this long after the opening is greeted by the greeter
LATE_AFTER = timedelta(minutes=2)
TRANSCRIPT_KEPT_FOR = timedelta(hours=24)
# moderators told of a crisis line at once (in their messages; the queue has it first too)
MODERATORS_ALERTED = 50
_PENDING_EVENTS = "meeting_room_events"


# -- telling the room, once the transaction is in the database --------------------------------


def _tell_room(occasion_id: int, event: RoomEvent) -> None:
    db.session.info.setdefault(_PENDING_EVENTS, []).append((occasion_id, event.encode()))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    for occasion_id, data in session.info.pop(_PENDING_EVENTS, ()):
        rooms().publish(occasion_id, data)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_EVENTS, None)


def _changed(occasion: MeetingOccasion) -> None:
    """Who is where changed (a hand, the sharer, the waiting room): pages fetch their panel."""
    _tell_room(occasion.id, RoomEvent(STATE))


def _publish_line(line: MeetingLine) -> None:
    seq = db.session.execute(
        update(MeetingOccasion)
        .where(MeetingOccasion.id == line.occasion_id)
        .values(last_seq=MeetingOccasion.last_seq + 1)
        .returning(MeetingOccasion.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    line.seq = seq
    _tell_room(line.occasion_id, RoomEvent(LINE, seq, line_html(line)))


def line_html(line: MeetingLine) -> str:
    return render_template("meetings/_line.html", line=line)


def _harbor_line(occasion: MeetingOccasion, author: User | None, kind: LineKind, text: str) -> None:
    """A line Harbor writes (a reading, "[done]", a welcome): published, never scored."""
    line = MeetingLine(
        occasion_id=occasion.id,
        author=author,
        kind=kind,
        body=text,
        body_html=render_markdown(text),
        status=PostStatus.PUBLISHED,
        scoring=ScoringState.DONE,
    )
    db.session.add(line)
    db.session.flush()
    _publish_line(line)


def _audit(actor: User, action: str, meeting: Meeting, member: User | None, reason: str) -> None:
    db.session.add(
        AuditEntry(
            actor_id=actor.id,
            action=action,
            subject_type="meeting",
            subject_id=meeting.id,
            member_id=member.id if member else None,
            reason=f"{meeting.title}: {reason}"[:2000],
        )
    )


# -- the schedule: proposing, approving -----------------------------------------------------


def may_propose(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    days = current_app.config["HARBOR_MEETING_PROPOSE_DAYS"]
    return user.is_moderator or user.created_at <= utcnow() - timedelta(days=days)


def _member_named(pseudonym: str) -> User:
    user = db.session.scalar(select(User).where(User.pseudonym_key == pseudonym.casefold()))
    if user is None:
        raise PostingError(f"There is no member called “{pseudonym}”.", 400)
    return user


def propose(
    chair: User,
    *,
    title: str,
    format_key: str,
    members_only: bool,
    weekday: int | None,
    starts_on: date | None,
    at_time: str,
    time_zone: str,
    duration_minutes: int,
    greeting: str,
    reading: str,
    co_hosts: list[str],
    greeter: str | None,
) -> Meeting:
    if not may_propose(chair):
        days = current_app.config["HARBOR_MEETING_PROPOSE_DAYS"]
        raise PostingError(f"Members may propose a meeting after {days} days with Harbor.", 403)
    if format_key not in FORMATS:
        raise PostingError("Choose one of the formats.", 400)
    if (weekday is None) == (starts_on is None):
        raise PostingError("Choose a weekday for a weekly meeting, or a date for a one-off.", 400)
    meeting = Meeting(
        title=title,
        format=format_key,
        members_only=members_only,
        chair=chair,
        weekday=weekday,
        starts_on=starts_on,
        at_time=at_time,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        greeting=greeting,
        reading=reading,
        status=MeetingStatus.PROPOSED,
    )
    hosts = {}
    for name in co_hosts:
        user = _member_named(name)
        if user.id != chair.id:
            hosts[user.id] = MeetingHost(user_id=user.id, role=HostRole.CO_HOST)
    if greeter:
        user = _member_named(greeter)
        if user.id != chair.id and user.id not in hosts:
            hosts[user.id] = MeetingHost(user_id=user.id, role=HostRole.GREETER)
    meeting.hosts = list(hosts.values())
    db.session.add(meeting)
    db.session.flush()
    return meeting


def decide_proposal(meeting: Meeting, moderator: User, approve: bool) -> None:
    if meeting.status != MeetingStatus.PROPOSED:
        raise PostingError("This meeting has been decided already.", 409)
    meeting.status = MeetingStatus.APPROVED if approve else MeetingStatus.DECLINED
    meeting.approved_by_id = moderator.id
    meeting.approved_at = utcnow()
    action = "meeting_approve" if approve else "meeting_decline"
    _audit(moderator, action, meeting, meeting.chair, "chair approved" if approve else "declined")
    notify(
        meeting.chair_id,
        "meeting",
        f"Your meeting “{meeting.title}” was {'approved' if approve else 'not approved'}"[:200],
        "It is on the schedule now; open it from there when it is time."
        if approve
        else "A moderator did not approve it this time. You can propose another.",
        f"/meetings/{meeting.id}",
    )


# -- who is who ------------------------------------------------------------------------------


def role_in(meeting: Meeting, user: Any) -> str | None:
    """ "chair", "co_host", "greeter" or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if meeting.chair_id == user.id:
        return "chair"
    for host in meeting.hosts:
        if host.user_id == user.id:
            return host.role
    return None


def is_host(meeting: Meeting, user: Any) -> bool:
    return role_in(meeting, user) in ("chair", HostRole.CO_HOST)


def live_occasion(meeting: Meeting) -> MeetingOccasion | None:
    return db.session.scalar(
        select(MeetingOccasion).where(
            MeetingOccasion.meeting_id == meeting.id, MeetingOccasion.ended_at.is_(None)
        )
    )


def participant(occasion: MeetingOccasion, user: Any) -> MeetingParticipant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(MeetingParticipant).where(
            MeetingParticipant.occasion_id == occasion.id, MeetingParticipant.user_id == user.id
        )
    )


def _require_host(occasion: MeetingOccasion, user: User) -> None:
    if not is_host(occasion.meeting, user):
        raise PostingError("Only the chair and co-hosts can do that.", 403)
    if not occasion.is_live:
        raise PostingError("This meeting has ended.", 409)


def _in_room(occasion: MeetingOccasion, user: User) -> MeetingParticipant:
    here = participant(occasion, user)
    if not occasion.is_live:
        raise PostingError("This meeting has ended.", 409)
    if here is None or here.state != ParticipantState.IN:
        raise PostingError("You are not in this meeting's room.", 403)
    return here


# -- opening and coming in --------------------------------------------------------------------


def open_meeting(meeting: Meeting, host: User) -> MeetingOccasion:
    """The chair (or a co-host) opens the room: the format's reading, then the code of conduct."""
    if meeting.status != MeetingStatus.APPROVED:
        raise PostingError("A moderator has to approve this meeting first.", 403)
    if not is_host(meeting, host):
        raise PostingError("Only the chair and co-hosts can open the meeting.", 403)
    occasion = live_occasion(meeting)
    if occasion is not None:
        return occasion
    occasion = MeetingOccasion(meeting_id=meeting.id, started_at=utcnow())
    db.session.add(occasion)
    db.session.flush()
    db.session.add(MeetingParticipant(occasion_id=occasion.id, user_id=host.id))
    _harbor_line(occasion, host, LineKind.READING, meeting.opening_reading)
    _harbor_line(occasion, host, LineKind.READING, CODE_OF_CONDUCT)
    _audit(host, "meeting_open", meeting, None, "opened the room")
    return occasion


def must_wait(user: User) -> bool:
    """New accounts, and accounts that have never posted, wait for a host to let them in."""
    days = current_app.config["HARBOR_MEETING_WAITING_DAYS"]
    return user.created_at > utcnow() - timedelta(days=days) or user.post_count == 0


def is_banned(meeting: Meeting, user: User) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(MeetingBan.meeting_id == meeting.id, MeetingBan.user_id == user.id)
            )
        )
    )


def join(occasion: MeetingOccasion, user: User) -> MeetingParticipant:
    meeting = occasion.meeting
    if not occasion.is_live:
        raise PostingError("This meeting has ended.", 409)
    here = participant(occasion, user)
    if here is not None:
        if here.state == ParticipantState.REMOVED:
            raise PostingError("A host removed you from this meeting.", 403)
        return here
    host = is_host(meeting, user)
    if not host and is_banned(meeting, user):
        raise PostingError("A host removed you from this meeting's earlier one.", 403)
    if occasion.locked and not host:
        raise PostingError("The hosts have locked the room: nobody new can come in now.", 403)
    waits = not host and role_in(meeting, user) is None and must_wait(user)
    here = MeetingParticipant(
        occasion_id=occasion.id,
        user_id=user.id,
        state=ParticipantState.WAITING if waits else ParticipantState.IN,
    )
    db.session.add(here)
    db.session.flush()
    if not waits:
        _welcome_if_late(occasion, user)
    _changed(occasion)
    return here


def _welcome_if_late(occasion: MeetingOccasion, user: User) -> None:
    if utcnow() - occasion.started_at < LATE_AFTER:
        return
    meeting = occasion.meeting
    greeter = next((h.user for h in meeting.hosts if h.role == HostRole.GREETER), meeting.chair)
    words = meeting.greeting.strip() or "Raise your hand whenever you'd like to share."
    _harbor_line(occasion, greeter, LineKind.WELCOME, f"Welcome, {user.pseudonym}. {words}")


def admit(occasion: MeetingOccasion, host: User, here: MeetingParticipant) -> None:
    _require_host(occasion, host)
    if here.state != ParticipantState.WAITING:
        raise PostingError("They are not in the waiting room.", 409)
    here.state = ParticipantState.IN
    _welcome_if_late(occasion, here.user)
    _audit(host, "meeting_admit", occasion.meeting, here.user, "let in from the waiting room")
    _changed(occasion)


def remove(occasion: MeetingOccasion, host: User, here: MeetingParticipant) -> None:
    """Out of this meeting, and barred from its next ones."""
    _require_host(occasion, host)
    if is_host(occasion.meeting, here.user):
        raise PostingError("A host can't be removed from the room; ask a moderator.", 403)
    here.state = ParticipantState.REMOVED
    here.hand_raised_at = None
    if occasion.sharing_id == here.user_id:
        occasion.sharing_id = None
    if not is_banned(occasion.meeting, here.user):
        db.session.add(
            MeetingBan(meeting_id=occasion.meeting_id, user_id=here.user_id, banned_by_id=host.id)
        )
    _audit(host, "meeting_remove", occasion.meeting, here.user, "removed and barred")
    _changed(occasion)


def mute(occasion: MeetingOccasion, host: User, here: MeetingParticipant, muted: bool) -> None:
    _require_host(occasion, host)
    here.muted = muted
    if muted and occasion.sharing_id == here.user_id:
        occasion.sharing_id = None
    _audit(host, "meeting_mute" if muted else "meeting_unmute", occasion.meeting, here.user, "")
    _changed(occasion)


def lock(occasion: MeetingOccasion, host: User, locked: bool) -> None:
    _require_host(occasion, host)
    occasion.locked = locked
    _audit(host, "meeting_lock" if locked else "meeting_unlock", occasion.meeting, None, "")
    _changed(occasion)


# -- hands and shares -------------------------------------------------------------------------


def raise_hand(occasion: MeetingOccasion, user: User, up: bool) -> None:
    here = _in_room(occasion, user)
    here.hand_raised_at = (here.hand_raised_at or utcnow()) if up else None
    _changed(occasion)


def hands(occasion: MeetingOccasion) -> list[MeetingParticipant]:
    """The queue the chair calls from: hands in the order they went up."""
    return list(
        db.session.scalars(
            select(MeetingParticipant)
            .where(
                MeetingParticipant.occasion_id == occasion.id,
                MeetingParticipant.state == ParticipantState.IN,
                MeetingParticipant.hand_raised_at.is_not(None),
            )
            .order_by(MeetingParticipant.hand_raised_at, MeetingParticipant.id)
        )
    )


def call_on(occasion: MeetingOccasion, host: User, here: MeetingParticipant) -> None:
    _require_host(occasion, host)
    if here.state != ParticipantState.IN:
        raise PostingError("They are not in the room.", 409)
    here.hand_raised_at = None
    occasion.sharing_id = here.user_id
    _audit(host, "meeting_call", occasion.meeting, here.user, "called to share")
    _changed(occasion)


def finish_share(occasion: MeetingOccasion, user: User, passed: bool) -> None:
    """The sharer writes [done], or someone called (or with a hand up) passes."""
    here = _in_room(occasion, user)
    if passed:
        if occasion.sharing_id != user.id and here.hand_raised_at is None:
            raise PostingError("There is nothing to pass on just now.", 409)
        _harbor_line(occasion, user, LineKind.NOTE, "passes")
    else:
        if occasion.sharing_id != user.id:
            raise PostingError("You are not sharing just now.", 409)
        _harbor_line(occasion, user, LineKind.NOTE, "[done]")
    here.hand_raised_at = None
    if occasion.sharing_id == user.id:
        occasion.sharing_id = None
    _changed(occasion)


def may_write(occasion: MeetingOccasion, here: MeetingParticipant | None) -> bool:
    """Hosts may always write; a member when called to share, and not muted."""
    if here is None or here.state != ParticipantState.IN or not occasion.is_live:
        return False
    if is_host(occasion.meeting, here.user):
        return True
    return not here.muted and occasion.sharing_id == here.user_id


def start_line(
    occasion: MeetingOccasion, user: User, body: str, crisis: bool
) -> tuple[MeetingLine, bool]:
    """A line to be sent through the moderation flow (the caller sends it, then `said`), and
    whether it may reach the room. Someone who may not write now (not called, muted,
    silenced) is refused, unless the line holds crisis language: then it is kept from the
    room but goes to the chair and the moderators, and its writer sees helplines."""
    here = _in_room(occasion, user)
    allowed = may_write(occasion, here) and not user.is_silenced()
    if not allowed and not crisis:
        if here.muted:
            raise PostingError("A host has muted you in this meeting.", 403)
        if user.is_silenced():
            until = user.silenced_until.strftime("%Y-%m-%d %H:%M UTC")
            raise PostingError(f"A moderator has paused your posting until {until}.", 403)
        raise PostingError("Raise your hand: you can write when the chair calls on you.", 403)
    line = MeetingLine(
        occasion_id=occasion.id,
        author=user,
        kind=LineKind.SHARE,
        body=body,
        body_html=render_markdown(body),
        status=PostStatus.PENDING,
    )
    db.session.add(line)
    db.session.flush()
    return line, allowed


def said(line: MeetingLine, to_room: bool = True) -> None:
    """After the flow: a line not held reaches the room (on the fast checks' decision when a
    worker is yet to score it); crisis language alerts the chair and the moderators."""
    if not to_room:
        line.hold()  # for the moderators only: it waits in the queue with its reasons
    elif line.status == PostStatus.PENDING and line.decision.outcome != Outcome.HOLD:
        line.release()
    if line.findings is not None and line.findings.crisis.is_crisis:
        line.crisis = True
        _alert(line)
    if line.status == PostStatus.PUBLISHED:
        _publish_line(line)


def _alert(line: MeetingLine) -> None:
    occasion = line.occasion
    meeting = occasion.meeting
    who = line.author.pseudonym if line.author else "Someone"
    subject = f"{who} may be in crisis in “{meeting.title}”"[:200]
    body = (
        "They have been shown helplines. A kind word in the room, or a private message from "
        "a moderator, can help; the line is first in the review queue."
    )
    notify(meeting.chair_id, MEETING_CRISIS, subject, body, f"/meetings/{meeting.id}/room")
    moderators = db.session.scalars(
        select(User.id)
        .where(User.role.in_([Role.MODERATOR, Role.ADMIN]), User.id != meeting.chair_id)
        .limit(MODERATORS_ALERTED)
    )
    for moderator_id in moderators:
        notify(moderator_id, MEETING_CRISIS, subject, body, "/review/")
    _changed(occasion)


def crisis_alerts(occasion: MeetingOccasion) -> list[MeetingLine]:
    return list(
        db.session.scalars(
            select(MeetingLine)
            .where(MeetingLine.occasion_id == occasion.id, MeetingLine.crisis.is_(True))
            .order_by(MeetingLine.id)
        )
    )


def lines_after(occasion_id: int, seq: int, limit: int = 500) -> list[MeetingLine]:
    return list(
        db.session.scalars(
            select(MeetingLine)
            .where(
                MeetingLine.occasion_id == occasion_id,
                MeetingLine.seq > seq,
                MeetingLine.status == PostStatus.PUBLISHED,
            )
            .order_by(MeetingLine.seq)
            .limit(limit)
        )
    )


# -- the end ----------------------------------------------------------------------------------


def end(occasion: MeetingOccasion, host: User, keep_transcript: bool) -> None:
    """End the meeting: its lines are deleted, unless the chair keeps a members-only
    transcript for a day (a line a moderator has still to decide on stays for them)."""
    _require_host(occasion, host)
    now = utcnow()
    occasion.ended_at = now
    occasion.sharing_id = None
    if keep_transcript and occasion.meeting.chair_id == host.id:
        occasion.transcript_until = now + TRANSCRIPT_KEPT_FOR
    else:
        _delete_lines(occasion.id)
    _audit(
        host,
        "meeting_end",
        occasion.meeting,
        None,
        "kept a transcript for 24 hours" if occasion.transcript_until else "ended; lines deleted",
    )
    _tell_room(occasion.id, RoomEvent(ENDED))


def _delete_lines(occasion_id: int) -> None:
    under_review = select(ReviewItem.subject_id).where(
        ReviewItem.subject_type == MeetingLine.review_type,
        ReviewItem.status == ReviewStatus.OPEN,
    )
    db.session.execute(
        delete(MeetingLine)
        .where(MeetingLine.occasion_id == occasion_id, MeetingLine.id.not_in(under_review))
        .execution_options(synchronize_session=False)
    )


def delete_expired_transcripts() -> None:
    """Transcripts kept for a day go when the day is over (run as the schedule is read)."""
    expired = db.session.scalars(
        select(MeetingOccasion.id).where(MeetingOccasion.transcript_until < utcnow())
    ).all()
    for occasion_id in expired:
        _delete_lines(occasion_id)
        db.session.execute(
            update(MeetingOccasion)
            .where(MeetingOccasion.id == occasion_id)
            .values(transcript_until=None)
        )


def write_plan(occasion: MeetingOccasion, user: User, plan: str) -> None:
    here = participant(occasion, user)
    if here is None or here.state == ParticipantState.WAITING:
        raise PostingError("Only people who were in the meeting can write its plan.", 403)
    here.plan = plan
    here.plan_written_at = utcnow()


def last_attended(meeting: Meeting, user: Any) -> int | None:
    """The id of the latest ended occasion of `meeting` the member was in, if any."""
    return db.session.scalar(
        select(MeetingOccasion.id)
        .join(MeetingParticipant, MeetingParticipant.occasion_id == MeetingOccasion.id)
        .where(
            MeetingOccasion.meeting_id == meeting.id,
            MeetingOccasion.ended_at.is_not(None),
            MeetingParticipant.user_id == user.id,
            MeetingParticipant.state == ParticipantState.IN,
        )
        .order_by(MeetingOccasion.id.desc())
        .limit(1)
    )


def attendance_of(user: Any) -> list[MeetingParticipant]:
    """The member's own record of the meetings they were in, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(MeetingParticipant)
            .join(MeetingOccasion, MeetingOccasion.id == MeetingParticipant.occasion_id)
            .where(
                MeetingParticipant.user_id == user.id,
                MeetingParticipant.state != ParticipantState.WAITING,
            )
            .order_by(MeetingOccasion.started_at.desc())
            .limit(20)
        )
    )
