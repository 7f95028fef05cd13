"""Who may see what: members-only boards, and posts that are not public yet."""

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from forum.extensions import db
from forum.models import Board, PostStatus, Topic


def visible_boards() -> Select[tuple[Board]]:
    query = select(Board).order_by(Board.position, Board.id)
    if not current_user.is_authenticated:
        query = query.where(Board.members_only.is_(False))
    return query


def board_or_404(slug: str) -> Board:
    """A members-only board answers a reader without an account as a missing page would."""
    board = db.session.scalar(select(Board).where(Board.slug == slug))
    if board is None or (board.members_only and not current_user.is_authenticated):
        abort(404)
    return board


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    board_or_404(topic.board.slug)
    if topic.status == PostStatus.PUBLISHED:
        return topic
    if current_user.is_authenticated and (
        current_user.is_moderator
        or (current_user.id == topic.author_id and topic.status != PostStatus.REMOVED)
    ):
        return topic
    abort(404)
