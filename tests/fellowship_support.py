"""Helpers for the fellowship tests: members who set dates and offers through the forms."""

import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from forum.data.models import Board, User
from forum.extensions import db
from forum.fellowship.milestones import utc_today


def member(new_forms, pseudonym: str):  # noqa: ANN001, ANN201
    """A new member, signed up and logged in on their own client."""
    client = new_forms()
    assert client.signup(pseudonym).status_code == 200  # the recovery codes
    return client


def set_start(client, days_ago: int, show: bool = False):  # noqa: ANN001, ANN201
    """Set the member's recovery start date `days_ago` days before today, through the form."""
    data = {"started_on": (utc_today() - timedelta(days=days_ago)).isoformat()}
    if show:
        data["show_day_count"] = "y"
    return client.submit("/recovery", data, action="/recovery/start-date")


def offer_help(client, mentoring: bool = False, welcoming: bool = False):  # noqa: ANN001, ANN201
    data = {}
    if mentoring:
        data["offers_mentoring"] = "y"
    if welcoming:
        data["welcomes_newcomers"] = "y"
    return client.submit("/recovery", data, action="/recovery/helping")


def mentor(new_forms, pseudonym: str, days: int = 120):  # noqa: ANN001, ANN201
    """A member with `days` in recovery who offers to mentor."""
    client = member(new_forms, pseudonym)
    assert set_start(client, days).status_code == 302
    assert offer_help(client, mentoring=True).status_code == 302
    return client


def user_id(app, pseudonym: str) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.pseudonym_key == pseudonym.casefold()))


def add_board(app, slug: str, name: str) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(Board(slug=slug, name=name, position=9))
        db.session.commit()


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def location_path(response) -> str:  # noqa: ANN001
    return response.location.split("#")[0]


def item_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/review/(\d+)"', page)]


@contextmanager
def no_writes(app):  # noqa: ANN001, ANN201
    """Fail if any INSERT, UPDATE or DELETE reaches the database inside the block."""
    writes: list[str] = []

    def record(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == [], f"a page view wrote to the database: {writes}"
