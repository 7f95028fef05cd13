"""Writing to the forum: topics, replies, edits and deletions, with their kept counters.

Every change of a post's status goes through `set_post_status`, which moves the counters shown
on pages (board topics and posts, topic replies, member posts) in the same transaction, with
SQL increments so concurrent writers never lose a count. A reply's first publication is also
where the topic's followers are told of it.
"""

from sqlalchemy import case, update

from forum.data.markdown import render_markdown
from forum.data.models import Board, Post, PostStatus, Topic, User, utcnow
from forum.data.notifications import follow_automatically, notify_followers
from forum.extensions import db


class PostingError(Exception):
    """A request the forum refuses: `status` is the HTTP status, the message is for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _bump(model: type, row_id: int, later: dict | None = None, **deltas: int) -> None:
    """Add `deltas` to counters and move `later` timestamps forward, in one SQL statement, so
    concurrent writers never lose a count nor move a time back."""
    values: dict = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    for name, moment in (later or {}).items():
        column = getattr(model, name)
        values[name] = case((column.is_(None), moment), (column < moment, moment), else_=column)
    if values:
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        row = db.session.identity_map.get(db.session.identity_key(model, row_id))
        if row is not None:
            db.session.expire(row, list(values))


def _next_post_number(topic: Topic) -> int:
    """Hand out the topic's next post number atomically (a row lock on PostgreSQL)."""
    return db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1)
        .returning(Topic.post_count)
    ).scalar_one()


def set_post_status(post: Post, status: PostStatus) -> None:
    """Change a post's status and move every counter that depends on it being published."""
    was_public = post.status == PostStatus.PUBLISHED
    is_public = status == PostStatus.PUBLISHED
    post.status = status
    topic = post.topic
    if post.is_first and status != PostStatus.DELETED:
        # the topic follows its first post, except that an author's deletion leaves the thread
        topic.status = status
    delta = int(is_public) - int(was_public)
    if not delta:
        return
    # rows are locked in one order, topic, board, member, so concurrent writers never deadlock
    later = {"last_post_at": post.created_at} if is_public else None
    if post.is_first:
        _bump(Topic, topic.id, later)
        _bump(Board, topic.board_id, later, topic_count=delta, post_count=delta)
        if post.author_id:
            _bump(User, post.author_id, topic_count=delta, post_count=delta)
    else:
        _bump(Topic, topic.id, later, reply_count=delta)
        _bump(Board, topic.board_id, later, post_count=delta)
        if post.author_id:
            _bump(User, post.author_id, post_count=delta)
    if is_public and post.first_published_at is None:
        post.first_published_at = utcnow()
        if not post.is_first:
            notify_followers(post)


def _new_post(topic: Topic, author: User, body: str, content_warning: str | None) -> Post:
    post = Post(
        topic=topic,
        number=_next_post_number(topic),
        author=author,
        body=body,
        body_html=render_markdown(body),
        content_warning=content_warning or None,
        status=PostStatus.PENDING,
        created_at=utcnow(),
    )
    db.session.add(post)
    follow_automatically(topic.id, author.id)
    return post


def start_topic(
    board: Board, author: User, title: str, body: str, content_warning: str | None = None
) -> Post:
    """Store a new topic and its first post, pending until moderation decides."""
    topic = Topic(board=board, author=author, title=title, status=PostStatus.PENDING)
    db.session.add(topic)
    db.session.flush()
    return _new_post(topic, author, body, content_warning)


def add_reply(topic: Topic, author: User, body: str, content_warning: str | None = None) -> Post:
    """Store a reply, pending until moderation decides. Locked and hidden topics refuse."""
    if topic.locked:
        raise PostingError("This topic is locked, so it takes no new replies.", 403)
    if topic.status != PostStatus.PUBLISHED:
        raise PostingError("This topic is not open for replies.", 403)
    return _new_post(topic, author, body, content_warning)


def edit_post(
    post: Post, body: str, title: str | None = None, *, content_warning: str | None
) -> None:
    """Change a post's text and its content warning; the caller sends it through moderation."""
    if post.status in (PostStatus.DELETED, PostStatus.REMOVED):
        raise PostingError("A removed post can't be edited.", 403)
    post.body = body
    post.body_html = render_markdown(body)
    post.content_warning = content_warning or None
    post.edited_at = utcnow()
    if title is not None and post.is_first:
        post.topic.title = title


def delete_post_by_author(post: Post) -> None:
    """Leave a "removed by its author" stub so the thread still reads."""
    if post.status == PostStatus.DELETED:
        return
    set_post_status(post, PostStatus.DELETED)
    post.body = ""
    post.body_html = ""
