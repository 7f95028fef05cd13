"""Harbor served from a thread on 127.0.0.1, on a fresh SQLite file with the demo content,
for a real browser: the browser tests and docs/make_screenshots.py both use it."""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from forum.data.models import Board, Role, Topic, User
from forum.data.posting import add_reply, start_topic
from forum.data.review import ReviewItem
from forum.demo import seed_demo
from forum.extensions import db
from forum.flow.pipeline import submit
from tests.conftest import FixedScorer, make_app, make_user, use_scorer

PASSWORD = "correct horse battery"
# the strict policy Harbor's pages are written for: script and style from files only
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# as in the `moderated_app` fixture: a post with this word is held for a moderator
HELD_KEYWORD = "HOSTILE"
HELD_SCORES = {HELD_KEYWORD: {"threat": 0.93, "toxicity": 0.95, "insult": 0.9}}


@dataclass
class PostRef:
    topic_id: int
    post_id: int
    review_item_id: int | None = None

    @property
    def topic_path(self) -> str:
        return f"/t/{self.topic_id}"


@dataclass
class LiveHarbor:
    """A running Harbor: its app (for setting the scene directly) and its address."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def member(self, pseudonym: str, role: Role = Role.MEMBER) -> str:
        """A member who can log in with PASSWORD (made once, however often asked for)."""
        with self.app.app_context():
            exists = db.session.scalar(
                select(User.id).where(User.pseudonym_key == pseudonym.casefold())
            )
        if exists is None:
            make_user(self.app, pseudonym, role, PASSWORD)
        return pseudonym

    def post_topic(
        self,
        author: str,
        title: str,
        body: str,
        board: str = "day-by-day",
        content_warning: str | None = None,
    ) -> PostRef:
        """A topic sent through the real pipeline: published, or held if it says HOSTILE."""
        self.member(author)
        with self.app.app_context():
            writer = db.session.scalar(select(User).where(User.pseudonym == author))
            where = db.session.scalar(select(Board).where(Board.slug == board))
            post = start_topic(where, writer, title, body, content_warning=content_warning)
            submit(post)
            return self._ref(post)

    def post_reply(self, author: str, topic_id: int, body: str) -> PostRef:
        self.member(author)
        with self.app.app_context():
            writer = db.session.scalar(select(User).where(User.pseudonym == author))
            post = add_reply(db.session.get(Topic, topic_id), writer, body)
            submit(post)
            return self._ref(post)

    @staticmethod
    def _ref(post) -> PostRef:  # noqa: ANN001
        item_id = db.session.scalar(select(ReviewItem.id).where(ReviewItem.subject_id == post.id))
        return PostRef(topic_id=post.topic_id, post_id=post.id, review_item_id=item_id)


def start_harbor(folder: Path) -> LiveHarbor:
    """Harbor on a fresh database in `folder`, with the demo content, rate limits off."""
    app = make_app(folder)
    use_scorer(app, lambda: FixedScorer(HELD_SCORES))
    with app.app_context():
        seed_demo()

    @app.after_request
    def strict_content_security_policy(response: Response) -> Response:
        """Pages must work under the strict policy (Harbor's own header wins if it sets one)."""
        response.headers.setdefault("Content-Security-Policy", STRICT_CSP)
        return response

    return LiveHarbor(app, make_server("127.0.0.1", 0, app, threaded=True))
