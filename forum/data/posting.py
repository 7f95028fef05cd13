"""Writing to the forum: topics, replies, edits and deletions, with their kept counters.

Every change of a post's status goes through `Post.set_status`, which moves the counters shown
on pages (board topics and posts, topic replies, member posts) in the same transaction.
"""

from sqlalchemy import update

from forum.data.clock import utcnow
from forum.data.markdown import render_markdown
from forum.data.models import Board, PendingEdit, Post, PostStatus, Topic, User
from forum.data.notifications import follow_automatically
from forum.extensions import db


class PostingError(Exception):
    """A request the forum refuses: `status` is the HTTP status, the message is for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _next_post_number(topic: Topic) -> int:
    """Hand out the topic's next post number atomically (a row lock on PostgreSQL)."""
    return db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1)
        .returning(Topic.post_count)
    ).scalar_one()


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
    """Change a post's text and its content warning; the caller sends it through moderation.

    A published post keeps its published text in view: the edit waits beside it (a
    `PendingEdit`) until moderation releases it. A post nobody else reads yet (pending or
    held) takes the new text at once.
    """
    if post.status in (PostStatus.DELETED, PostStatus.REMOVED):
        raise PostingError("A removed post can't be edited.", 403)
    title = title if post.is_first else None
    if post.status == PostStatus.PUBLISHED:
        post.pending_edit = PendingEdit(
            title=title,
            body=body,
            body_html=render_markdown(body),
            content_warning=content_warning or None,
            created_at=utcnow(),
        )
        return
    post.replace_text(body, render_markdown(body), replaced_by="author", title=title)
    post.content_warning = content_warning or None


def delete_post_by_author(post: Post) -> None:
    """Leave a "removed by its author" stub so the thread still reads."""
    if post.status == PostStatus.DELETED:
        return
    post.set_status(PostStatus.DELETED)
    post.body = ""
    post.body_html = ""
