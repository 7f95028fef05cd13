"""Server-side sessions: each log-in is a row, so that ending it on the server ends it for good.

Flask's session cookie and Flask-Login's remember cookie carry only a random key; the database
keeps its SHA-256, so a copy of the table signs nobody in. Log-out deletes the browser's row;
"log out everywhere", a password change and a recovery code delete every row of the member (a
password change then starts a new session for the browser that made it); and a row ends
HARBOR_SESSION_DAYS after its log-in. A cookie copied before any of these opens nothing.
Loading a session only reads, so a page view still never writes (tests/test_page_views.py).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_login import current_user, login_user, logout_user
from sqlalchemy import ForeignKey, String, bindparam, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, login_manager
from forum.models import User, utcnow


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


def session_lifetime() -> timedelta:
    return timedelta(days=current_app.config["HARBOR_SESSION_DAYS"])


def sign_in(user: User, remember: bool = False) -> None:
    """Start a session for `user` and sign this browser in with it (the caller commits)."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    db.session.execute(
        delete(MemberSession).where(
            MemberSession.user_id == user.id, MemberSession.expires_at <= now
        )
    )
    db.session.add(
        MemberSession(
            user_id=user.id,
            token_hash=_digest(key),
            created_at=now,
            expires_at=now + session_lifetime(),
        )
    )
    user.session_key = key
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's session on the server and sign it out (the caller commits)."""
    if key := getattr(current_user, "session_key", None):
        db.session.execute(delete(MemberSession).where(MemberSession.token_hash == _digest(key)))
    logout_user()


def end_sessions(user: User) -> None:
    """End every session of `user`, on every device (the caller commits)."""
    db.session.execute(delete(MemberSession).where(MemberSession.user_id == user.id))


def open_session_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MemberSession)
        .where(MemberSession.user_id == user.id, MemberSession.expires_at > utcnow())
    )


SIGNED_IN_MEMBER = (
    select(User)
    .join(MemberSession, MemberSession.user_id == User.id)
    .where(MemberSession.token_hash == bindparam("token_hash"))
    .where(MemberSession.expires_at > bindparam("now"))
)


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The member whose open session this cookie names; a suspended member is signed out."""
    user = db.session.scalar(SIGNED_IN_MEMBER, {"token_hash": _digest(key), "now": utcnow()})
    if user is None or user.is_suspended():
        return None
    user.session_key = key
    return user
