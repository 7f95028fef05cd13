"""Members blocking members: a blocked member's posts and messages are hidden for the one
who blocked them (a line says so), and the blocked member is never told.

A block changes only what its maker reads (and hears of: a blocked member's replies send
them no notification). Moderators' work is untouched: a moderator who
blocked someone still sees that member's crisis posts, and the queue shows everything.

Lists (a board's topics, search results) leave the blocked members' texts out in the query
itself (`unblocked`), so a keyset page is still full and its next-page link still right.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import AnonymousUserMixin
from sqlalchemy import Boolean, ColumnElement, ForeignKey, and_, bindparam, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.data.clock import utcnow
from forum.data.sql import dialect_insert
from forum.extensions import db

if TYPE_CHECKING:  # the models read blocks (notifications), so no import of them here
    from forum.data.models import User


class MemberBlock(db.Model):
    __tablename__ = "member_blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    blocked: Mapped[User] = relationship("User", foreign_keys=[blocked_id])


def blocked_by(member: User | AnonymousUserMixin) -> frozenset[int]:
    """The ids of the members `member` blocked (none for a guest)."""
    if not member.is_authenticated:
        return frozenset()
    query = select(MemberBlock.blocked_id).where(MemberBlock.blocker_id == member.id)
    return frozenset(db.session.scalars(query))


def unblocked(
    author_id: ColumnElement[int], has_crisis: ColumnElement[bool]
) -> ColumnElement[bool]:
    """A list's condition: not written by one of the ids bound as `blocked` (expanding), but
    kept where it has crisis language and `moderating` is bound true. Written once, so a
    prepared statement holds it; `blocks_bound` gives its values."""
    return or_(
        author_id.is_(None),
        author_id.not_in(bindparam("blocked", expanding=True)),
        and_(bindparam("moderating", type_=Boolean), has_crisis),
    )


def blocks_bound(member: User | AnonymousUserMixin) -> dict[str, object]:
    """The values of `unblocked`'s parameters for `member`."""
    return {
        "blocked": sorted(blocked_by(member)),
        "moderating": bool(member.is_authenticated and member.is_moderator),
    }


def block(blocker: User, blocked: User) -> None:
    """Block `blocked` for `blocker` (blocking twice is one block); the caller commits."""
    db.session.execute(
        dialect_insert(MemberBlock)
        .values(blocker_id=blocker.id, blocked_id=blocked.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[MemberBlock.blocker_id, MemberBlock.blocked_id])
    )


def unblock(blocker: User, blocked_id: int) -> None:
    db.session.execute(
        delete(MemberBlock).where(
            MemberBlock.blocker_id == blocker.id, MemberBlock.blocked_id == blocked_id
        )
    )


def blocks_of(member: User) -> list[MemberBlock]:
    """The member's blocks, newest first, with the blocked members loaded."""
    return list(
        db.session.scalars(
            select(MemberBlock)
            .where(MemberBlock.blocker_id == member.id)
            .order_by(MemberBlock.created_at.desc())
        )
    )
