"""Issue 15: posting intervals hold when a member sends many posts at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from forum.data.models import Board, Post, Topic, User
from forum.data.posting import start_topic
from forum.extensions import db
from forum.flow.pipeline import submit
from tests.conftest import CSRF_FIELD, FormClient, make_user

PASSWORD = "correct horse battery"


def client_from(app, address: str) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return FormClient(client)


def send_at_once(app, client: FormClient, url: str, forms: list[dict]) -> list[int]:
    """Post every form to `url` at the same moment, each from its own connection carrying
    the member's cookies."""
    token = CSRF_FIELD.search(client.get("/account").get_data(as_text=True)).group(1)
    session_cookie = client.client.get_cookie("session").value
    barrier = threading.Barrier(len(forms))

    def send(data: dict) -> int:
        browser = app.test_client()
        browser.set_cookie("session", session_cookie)
        barrier.wait()
        return browser.post(url, data={"csrf_token": token, **data}).status_code

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(send, forms))


def count_posts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post))


def test_simultaneous_replies_store_one(limited_app):
    app = limited_app
    writer_id = make_user(app, "Quick Replier", password=PASSWORD)
    with app.app_context():
        board = Board(slug="day-by-day", name="Day by day")
        db.session.add(board)
        db.session.flush()
        topic_post = start_topic(board, db.session.get(User, writer_id), "Hello", "First")
        submit(topic_post)
        topic_id = topic_post.topic_id
    replier = client_from(app, "198.51.100.40")
    replier.login("Quick Replier")
    statuses = send_at_once(
        app, replier, f"/t/{topic_id}/reply", [{"body": f"reply {n}"} for n in range(10)]
    )
    assert sorted(statuses) == [302] + [429] * 9
    assert count_posts(app) == 2
    with app.app_context():
        assert db.session.get(Topic, topic_id).post_count == 2


def test_simultaneous_topics_store_one(limited_app):
    app = limited_app
    make_user(app, "Quick Starter", password=PASSWORD)
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    starter = client_from(app, "198.51.100.41")
    starter.login("Quick Starter")
    statuses = send_at_once(
        app,
        starter,
        "/b/day-by-day/new",
        [{"title": f"Topic {n}", "body": "words"} for n in range(10)],
    )
    assert sorted(statuses) == [302] + [429] * 9
    assert count_posts(app) == 1
