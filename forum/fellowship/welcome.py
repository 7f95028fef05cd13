"""A welcome for newcomers: their first post is marked "new here" for moderators and for
members who offered to welcome, and listed until another member replies to it.

A member's first post is their earliest published post, and it counts as new for
HARBOR_WELCOME_DAYS days. Nothing is stored: both questions are asked of the posts.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, exists, or_, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from forum.data.clock import utcnow
from forum.data.models import Post, PostStatus, Topic, User
from forum.extensions import db
from forum.fellowship.harbor_member import HARBOR_MEMBER_KEY


def sees_newcomers(viewer: Any) -> bool:
    """Moderators, and members who chose to welcome newcomers."""
    return getattr(viewer, "is_authenticated", False) and (
        viewer.is_moderator or viewer.welcomes_newcomers
    )


def _new_since() -> datetime:
    return utcnow() - timedelta(days=current_app.config["HARBOR_WELCOME_DAYS"])


def _is_authors_first_post() -> Any:
    earlier = aliased(Post)
    return ~exists().where(
        earlier.author_id == Post.author_id,
        earlier.status == PostStatus.PUBLISHED,
        earlier.id < Post.id,
    )


def _is_newcomer_post() -> Any:
    return and_(
        Post.status == PostStatus.PUBLISHED,
        Post.author_id.is_not(None),
        Post.created_at >= _new_since(),
        _is_authors_first_post(),
    )


def first_posts_among(posts: Iterable[Post], viewer: Any) -> set[int]:
    """Which of these posts are newcomers' first posts, if the viewer is one who sees that."""
    candidates = [post.id for post in posts if post.status == PostStatus.PUBLISHED]
    if not candidates or not sees_newcomers(viewer):
        return set()
    return set(
        db.session.scalars(
            select(Post.id)
            .join(User, User.id == Post.author_id)
            .where(Post.id.in_(candidates), User.pseudonym_key != HARBOR_MEMBER_KEY)
            .where(_is_newcomer_post())
        )
    )


def waiting_for_welcome(after: tuple[datetime, int] | None, limit: int) -> Select[tuple[Post]]:
    """Newcomers' first posts that no other member has replied to yet, longest waiting first."""
    reply = aliased(Post)
    answered = exists().where(
        reply.topic_id == Post.topic_id,
        reply.number > Post.number,
        reply.status == PostStatus.PUBLISHED,
        or_(reply.author_id.is_(None), reply.author_id != Post.author_id),
    )
    query = (
        select(Post)
        .join(User, User.id == Post.author_id)
        .join(Topic, Topic.id == Post.topic_id)
        .options(joinedload(Post.author), joinedload(Post.topic).joinedload(Topic.board))
        .where(
            _is_newcomer_post(),
            ~answered,
            Topic.status == PostStatus.PUBLISHED,
            Topic.locked.is_(False),
            User.pseudonym_key != HARBOR_MEMBER_KEY,
        )
        .order_by(Post.created_at, Post.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(Post.created_at, Post.id) > after)
    return query
