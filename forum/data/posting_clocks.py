"""When each member last stored a topic, a reply or an edit: the posting intervals' record.

`claim` moves a member's clock with one statement, an upsert that moves it only when the
interval has passed and says (RETURNING) whether it did. Run in the transaction that stores
the post, it holds the clock's row until that transaction ends, so of two requests at once
the second sees the first's time, on SQLite and PostgreSQL and across processes; a post that
is rolled back takes its claim with it.
"""

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.data.clock import utcnow
from forum.data.sql import dialect_insert
from forum.extensions import db


class PostingClock(db.Model):
    __tablename__ = "posting_clocks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_at: Mapped[datetime]


def claim(user_id: int, kind: str, interval: timedelta) -> timedelta | None:
    """Move the member's `kind` clock to now if `interval` has passed since it was last moved
    (None), or leave it and say how long is left."""
    now = utcnow()
    moved = db.session.execute(
        dialect_insert(PostingClock)
        .values(user_id=user_id, kind=kind, last_at=now)
        .on_conflict_do_update(
            index_elements=[PostingClock.user_id, PostingClock.kind],
            set_={"last_at": now},
            where=PostingClock.last_at <= now - interval,
        )
        .returning(PostingClock.user_id)
    ).first()
    if moved is not None:
        return None
    last_at = db.session.scalar(
        select(PostingClock.last_at).where(
            PostingClock.user_id == user_id, PostingClock.kind == kind
        )
    )
    return last_at + interval - now
