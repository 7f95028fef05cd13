"""A member's pause: why a moderator silenced or suspended them, and until when.

Shown before they write (no reply box while paused, the reason and the end in its place) and
at log-in for a suspension. The reason is the moderator's own words, from the audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from forum.data.models import User
from forum.data.review import AuditEntry
from forum.extensions import db


@dataclass(frozen=True)
class Pause:
    kind: str  # "silence" (may read, not write) or "suspend" (may not log in)
    until: datetime
    reason: str

    @property
    def until_text(self) -> str:
        return self.until.strftime("%Y-%m-%d %H:%M UTC")


def _reason(member: User, kind: str) -> str:
    return (
        db.session.scalar(
            select(AuditEntry.reason)
            .where(AuditEntry.member_id == member.id, AuditEntry.action == kind)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        or ""
    )


def pause_of(member: User) -> Pause | None:
    """The member's pause now, if any (a suspension before a silence)."""
    if not member.is_authenticated:
        return None
    if member.is_suspended():
        return Pause("suspend", member.suspended_until, _reason(member, "suspend"))
    if member.is_silenced():
        return Pause("silence", member.silenced_until, _reason(member, "silence"))
    return None
