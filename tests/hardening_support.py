"""Helpers for the issue 15 tests: members and topics made through the forms, and a port
nothing listens on."""

import socket
from datetime import timedelta

from sqlalchemy import func, select

from forum.data.clock import utcnow
from forum.data.models import Board, User
from forum.extensions import db
from tests.conftest import FormClient, make_user

PASSWORD = "correct horse battery"


def free_port() -> int:
    """A port nothing listens on (a Redis or PostgreSQL that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def established_member(app, pseudonym: str) -> FormClient:
    make_user(app, pseudonym, password=PASSWORD)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == pseudonym))
        user.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    client = FormClient(app.test_client())
    assert client.login(pseudonym).status_code == 302
    return client


def topic_with_a_post(app, client: FormClient) -> str:
    with app.app_context():
        if not db.session.scalar(select(Board.id)):
            db.session.add(Board(slug="day-by-day", name="Day by day"))
            db.session.commit()
    response = client.submit("/b/day-by-day/new", {"title": "Day 40", "body": "Still here."})
    assert response.status_code == 302
    return response.location.split("#")[0]
