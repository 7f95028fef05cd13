"""Supportive reactions instead of likes or votes: "I hear you", "Me too", "Sending strength".

A member gives one reaction per post (choosing another replaces it, choosing the same again
takes it back), never on their own post; there is no dislike. Counts are kept on the post and
moved in the same transaction, so reading a topic never counts rows.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from forum.data.clock import utcnow
from forum.data.models import Post, User
from forum.data.sql import insert_unless_present
from forum.extensions import db

# kind: what the button says. The order is the order on the page.
REACTIONS = {"hear_you": "I hear you", "me_too": "Me too", "strength": "Sending strength"}


class Reaction(db.Model):
    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def reaction_counts(post: Post) -> list[tuple[str, str, int]]:
    """(kind, label, count) for each reaction, in page order: one call per post on a page."""
    return [(kind, label, getattr(post, f"reactions_{kind}")) for kind, label in REACTIONS.items()]


def _move_count(post_id: int, kind: str, delta: int) -> None:
    column = getattr(Post, f"reactions_{kind}")
    db.session.execute(
        update(Post)
        .where(Post.id == post_id)
        .values({column: column + delta})
        .execution_options(synchronize_session=False)
    )


def react(post: Post, member: User, kind: str) -> str | None:
    """Give, change or take back the member's reaction; returns the reaction they now have.

    Each step is one guarded statement whose row count says whether it happened, so two
    clicks at once never count twice.
    """
    if kind not in REACTIONS:
        raise ValueError(f"unknown reaction {kind!r}")
    current = db.session.scalar(
        select(Reaction.kind).where(Reaction.post_id == post.id, Reaction.user_id == member.id)
    )
    mine = (Reaction.post_id == post.id) & (Reaction.user_id == member.id)
    if current is None:
        if insert_unless_present(Reaction, post_id=post.id, user_id=member.id, kind=kind):
            _move_count(post.id, kind, +1)
        return kind
    if current == kind:
        taken_back = db.session.execute(delete(Reaction).where(mine, Reaction.kind == kind))
        if taken_back.rowcount:
            _move_count(post.id, kind, -1)
        return None
    changed = db.session.execute(
        update(Reaction)
        .where(mine, Reaction.kind == current)
        .values(kind=kind, created_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount:
        _move_count(post.id, current, -1)
        _move_count(post.id, kind, +1)
    return kind


def take_back_all(member: User) -> None:
    """Take back every reaction the member gave (their account is going), keeping the counts."""
    given = db.session.execute(
        delete(Reaction)
        .where(Reaction.user_id == member.id)
        .returning(Reaction.post_id, Reaction.kind)
    ).all()
    for post_id, kind in given:
        _move_count(post_id, kind, -1)


def reactions_of(member: User, posts: Iterable[Post]) -> dict[int, str]:
    """The member's reaction on each of these posts (one query for a page of a topic)."""
    if not getattr(member, "is_authenticated", False):
        return {}
    post_ids = [post.id for post in posts]
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Reaction.post_id, Reaction.kind).where(
            Reaction.user_id == member.id, Reaction.post_id.in_(post_ids)
        )
    )
    return {post_id: kind for post_id, kind in rows}
