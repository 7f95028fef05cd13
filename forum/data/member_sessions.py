"""Server-side sessions: each log-in is a row, so that ending it on the server ends it for good.

The browser's cookies carry only a random key; the table keeps its SHA-256, so a copy of the
table signs nobody in. Log-out deletes the browser's row; "log out everywhere", a password
change and a recovery code delete every row of the member; and a row ends HARBOR_SESSION_DAYS
after its log-in. A cookie copied before any of these opens nothing. Finding a session only
reads, so a page view still never writes (tests/test_page_views.py).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, bindparam, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.data.clock import utcnow
from forum.data.models import User
from forum.extensions import db


class MemberSession(db.Model):
    """One signed-in browser. No address, no browser name: only when it began and ends."""

    __tablename__ = "member_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, lifetime: timedelta) -> str:
    """A new session for `user` (their expired ones are dropped); returns its key."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    db.session.execute(
        delete(MemberSession).where(
            MemberSession.user_id == user.id, MemberSession.expires_at <= now
        )
    )
    db.session.add(
        MemberSession(
            user_id=user.id, token_hash=_digest(key), created_at=now, expires_at=now + lifetime
        )
    )
    return key


def end_session(key: str) -> None:
    db.session.execute(delete(MemberSession).where(MemberSession.token_hash == _digest(key)))


def end_sessions(user: User) -> None:
    """End every session of `user`, on every device."""
    db.session.execute(delete(MemberSession).where(MemberSession.user_id == user.id))


def open_session_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MemberSession)
        .where(MemberSession.user_id == user.id, MemberSession.expires_at > utcnow())
    )


SESSION_MEMBER = (
    select(User)
    .join(MemberSession, MemberSession.user_id == User.id)
    .where(MemberSession.token_hash == bindparam("token_hash"))
    .where(MemberSession.expires_at > bindparam("now"))
)


def member_of_session(key: str) -> User | None:
    """The member whose open session has this key."""
    return db.session.scalar(SESSION_MEMBER, {"token_hash": _digest(key), "now": utcnow()})
