"""Helpers for the daily-practice tests: a clock to move, members who choose a time zone."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from forum.data import local_time
from forum.data.models import Board, User
from forum.extensions import db


@dataclass
class Clock:
    """The moment practice code reads as "now" (forum.data.local_time.now_utc)."""

    moment: datetime

    def set(self, iso_utc: str) -> None:
        self.moment = datetime.fromisoformat(iso_utc).replace(tzinfo=UTC)


def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A clock for a test's `clock` fixture, at 09:00 UTC on 1 December 2026 until set."""
    moving = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(local_time, "now_utc", lambda: moving.moment)
    return moving


def choose_zone(client, zone: str, show_streak: bool = False):  # noqa: ANN001, ANN201
    data = {"time_zone": zone}
    if show_streak:
        data["show_streak"] = "y"
    response = client.submit("/pledge/settings", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def pledge(client, words: str = "Just for today, I won't drink."):  # noqa: ANN001, ANN201
    return client.submit("/pledge", {"words": words})


def review_id(page: str) -> str:
    import re

    match = re.search(r'name="pledge_id"[^>]*value="(\d+)"', page)
    assert match, "no review form on the page"
    return match.group(1)


def review(client, went: str = "kept", difficulty: int = 2, note: str = ""):  # noqa: ANN001, ANN201
    page = client.get("/pledge").get_data(as_text=True)
    return client.submit(
        "/pledge",
        {"pledge_id": review_id(page), "difficulty": str(difficulty), "went": went, "note": note},
        action="/pledge/review",
    )


def add_right_now_board(app) -> int:  # noqa: ANN001
    with app.app_context():
        board = Board(slug="right-now", name="Right now", position=0)
        db.session.add(board)
        db.session.commit()
        return board.id


def user_named(app, pseudonym: str) -> User:  # noqa: ANN001
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == pseudonym.casefold()))
        db.session.expunge(user)
        return user
