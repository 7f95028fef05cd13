"""Who may see what: members-only boards, and posts that are not public yet."""

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from forum.data.models import Board, PostStatus, Topic
from forum.extensions import db

# Statements that every page view runs are built once: SQLAlchemy works out a statement's
# cache key once per statement object, and rebuilding it per request cost a topic page a
# fifth of its time.
TOPIC_WITH_BOARD = (
    select(Topic).options(joinedload(Topic.board)).where(Topic.id == bindparam("topic_id"))
)
BOARD_BY_SLUG = select(Board).where(Board.slug == bindparam("slug"))


def visible_boards() -> Select[tuple[Board]]:
    query = select(Board).order_by(Board.position, Board.id)
    if not current_user.is_authenticated:
        query = query.where(Board.members_only.is_(False))
    return query


def _hidden_from_reader(board: Board | None) -> bool:
    """A members-only board answers a reader without an account as a missing page would."""
    return board is None or (board.members_only and not current_user.is_authenticated)


def board_or_404(slug: str) -> Board:
    board = db.session.scalar(BOARD_BY_SLUG, {"slug": slug})
    if _hidden_from_reader(board):
        abort(404)
    return board


def topic_or_404(topic_id: int) -> Topic:
    """The topic with its board, in one query, if this reader may see it."""
    topic = db.session.scalar(TOPIC_WITH_BOARD, {"topic_id": topic_id})
    if topic is None or _hidden_from_reader(topic.board):
        abort(404)
    if topic.status == PostStatus.PUBLISHED:
        return topic
    if current_user.is_authenticated and (
        current_user.is_moderator
        or (current_user.id == topic.author_id and topic.status != PostStatus.REMOVED)
    ):
        return topic
    abort(404)
