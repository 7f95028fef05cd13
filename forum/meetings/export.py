"""Online meetings' part of "My data": the meetings a member chairs or hosts, where they were
barred, every meeting they went to (with their 7-day plans) and any line of theirs still
stored (a kept transcript, or one a moderator has yet to decide on). Deleting the account
deletes their lines and, by the tables' ON DELETE CASCADE, their attendance and roles."""

from typing import Any

from sqlalchemy import select

from forum.data.clock import exported
from forum.data.models import User
from forum.extensions import db
from forum.flow.queue import open_item
from forum.flow.review_actions import resolve_item
from forum.meetings.models import (
    Meeting,
    MeetingBan,
    MeetingHost,
    MeetingLine,
    MeetingOccasion,
    MeetingParticipant,
)


def meetings_data(user: User) -> dict[str, Any]:
    chaired = db.session.scalars(
        select(Meeting)
        .where((Meeting.chair_id == user.id) | (Meeting.approved_by_id == user.id))
        .order_by(Meeting.id)
    ).all()
    hosting = db.session.execute(
        select(Meeting.title, MeetingHost.role)
        .join(MeetingHost, MeetingHost.meeting_id == Meeting.id)
        .where(MeetingHost.user_id == user.id)
    ).all()
    barred = db.session.execute(
        select(Meeting.title, MeetingBan.created_at, MeetingBan.user_id)
        .join(MeetingBan, MeetingBan.meeting_id == Meeting.id)
        .where((MeetingBan.user_id == user.id) | (MeetingBan.banned_by_id == user.id))
    ).all()
    attended = db.session.scalars(
        select(MeetingParticipant)
        .where(MeetingParticipant.user_id == user.id)
        .order_by(MeetingParticipant.id)
    ).all()
    lines = db.session.scalars(
        select(MeetingLine).where(MeetingLine.author_id == user.id).order_by(MeetingLine.id)
    ).all()
    sharing = db.session.scalars(
        select(MeetingOccasion.id).where(MeetingOccasion.sharing_id == user.id)
    ).all()
    return {
        "meetings_you_chair_or_approved": [
            {
                "title": m.title,
                "you_are": "chair" if m.chair_id == user.id else "the moderator who decided",
                "format": m.format,
                "status": m.status,
                "weekday": m.weekday,
                "starts_on": exported(m.starts_on),
                "at": f"{m.at_time} {m.time_zone}",
                "greeting": m.greeting,
            }
            for m in chaired
        ],
        "meetings_you_host": [{"title": title, "role": role} for title, role in hosting],
        "removals": [
            {
                "meeting": title,
                "you_were": "removed" if who == user.id else "the host who removed someone",
                "at": exported(at),
            }
            for title, at, who in barred
        ],
        "attended": [
            {
                "meeting": here.occasion.meeting.title,
                "started_at": exported(here.occasion.started_at),
                "state": here.state,
                "muted": here.muted,
                "seven_day_plan": here.plan,
                "plan_written_at": exported(here.plan_written_at),
            }
            for here in attended
        ],
        "sharing_now_in": list(sharing),
        "lines_still_stored": [
            {"said_at": exported(line.created_at), "text": line.body, "status": line.status}
            for line in lines
        ],
    }


def erase_lines_of(user: User) -> None:
    """On deleting an account: their lines go, and any review item about one is closed."""
    for line in db.session.scalars(select(MeetingLine).where(MeetingLine.author_id == user.id)):
        item = open_item(line)
        if item is not None:
            resolve_item(item, "author_erased", by_moderator=False)
        db.session.delete(line)
