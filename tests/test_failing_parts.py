"""Issue 15: when a part fails (Redis, a busy or missing database, a number past a column)
Harbor degrades, answers in plain words and keeps the writer's words; it never gives a 500."""

import logging
import sqlite3

import pytest
from sqlalchemy import select

from forum import create_app
from forum.data.models import Post, Role
from forum.data.review import Report
from forum.extensions import db
from forum.ratelimit import limiter
from tests.conftest import FormClient, make_app, make_user
from tests.hardening_support import (
    PASSWORD,
    count,
    established_member,
    free_port,
    topic_with_a_post,
)

PAST_SQLITE = "99999999999999999999"  # past 2**63: SQLite can't even take it as a parameter
PAST_INTEGER = "2147483648"  # past PostgreSQL's INTEGER, which every id column is
PAST_BIGINT = "9223372036854775808"


# --- numbers past an integer column -------------------------------------------------------


def test_numbers_past_an_integer_column_are_not_found(app, new_forms):
    make_user(app, "Mod", Role.MODERATOR, password=PASSWORD)
    member = established_member(app, "Counter")
    topic = topic_with_a_post(app, member)
    moderator = new_forms()
    moderator.login("Mod")
    guest = new_forms()
    for number in (PAST_INTEGER, PAST_BIGINT, PAST_SQLITE):
        paths = [
            f"/t/{number}",
            f"/p/{number}",
            f"/p/{number}/edit",
            f"/p/{number}/report",
            f"/review/{number}",
            f"/mentorship/{number}",
            f"/mentors/{number}/ask",
            f"/mentorship/messages/{number}/report",
            f"{topic}?page={number}",
            f"/b/day-by-day?before=2026-01-01T00:00:00_{number}",
            f"/search?q=still&before={number}",
            f"/review/log?before={number}",
            f"/review/?after={number}_2026-01-01T00:00:00_1",
            f"/review/?after=1_2026-01-01T00:00:00_{number}",
            f"/welcome?after=2026-01-01T00:00:00_{number}",
        ]
        for client in (guest, member, moderator):
            for path in paths:
                status = client.get(path).status_code
                assert status in (302, 400, 403, 404), (path, status)
        posted = member.submit(topic, {"body": "hi"}, action=f"/t/{number}/reply")
        assert posted.status_code == 404
        posted = member.submit(topic, {"kind": "hear_you"}, action=f"/p/{number}/react")
        assert posted.status_code == 404


# --- Redis down ---------------------------------------------------------------------------


@pytest.fixture
def redis_down_app(tmp_path, database):  # noqa: ANN201
    """An app whose rate-limit storage is a Redis nobody answers for."""
    app = make_app(
        tmp_path,
        database,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/13",
    )
    yield app
    # one Limiter serves every app the suite makes: the next one starts with its storage alive
    limiter._storage_dead = False


def test_with_redis_down_limits_count_in_process_and_words_are_kept(redis_down_app, caplog):
    app = redis_down_app
    caplog.set_level(logging.WARNING)
    member = established_member(app, "Steady")
    topic = topic_with_a_post(app, member)
    assert "falling back to in-memory storage" in caplog.text
    reply = member.submit(topic, {"body": "words that must not be lost"}, action=f"{topic}/reply")
    assert reply.status_code == 302
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.body.contains("must not be lost")))
    assert post_id
    reporter = established_member(app, "Worried")
    report = reporter.submit(f"/p/{post_id}/report", {"reason": "a reason worth keeping"})
    assert report.status_code == 302 and count(app, Report) == 1
    assert reporter.get("/search?q=still").status_code == 200
    guesser = FormClient(app.test_client())
    guesser.client.environ_base["REMOTE_ADDR"] = "198.51.100.90"
    codes = [guesser.login(f"nobody{n}", "guess").status_code for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429  # still limited, in this process


# --- SQLite busy --------------------------------------------------------------------------


def test_a_busy_sqlite_database_refuses_with_the_draft_kept(tmp_path):
    app = make_app(tmp_path, HARBOR_DATABASE_BUSY_SECONDS=1)
    member = established_member(app, "Patient")
    topic = topic_with_a_post(app, member)
    words = "Ninety days & counting: words that must <not> be lost"
    blocker = sqlite3.connect(tmp_path / "harbor-test.sqlite3", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        refused = member.submit(topic, {"body": words}, action=f"{topic}/reply")
    finally:
        blocker.rollback()
        blocker.close()
    page = refused.get_data(as_text=True)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    assert "busy" in page and "What you wrote" in page
    assert "words that must &lt;not&gt; be lost</textarea>" in page
    assert count(app, Post) == 1
    assert member.submit(topic, {"body": words}, action=f"{topic}/reply").status_code == 302
    assert count(app, Post) == 2


def test_an_unreachable_database_answers_503_in_plain_words(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://harbor:secret-pw@127.0.0.1:{free_port()}/x",
            "HARBOR_BACKGROUND_SWEEP": False,
        }
    )
    client = app.test_client()
    for response in (client.get("/"), client.get("/healthz")):
        assert response.status_code == 503
        text = response.get_data(as_text=True)
        assert "database" in text.lower()
        assert "secret-pw" not in text and "127.0.0.1" not in text and "harbor:" not in text


# --- /healthz -----------------------------------------------------------------------------


def test_healthz_says_the_database_answers(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "rate_limits": "in this process",
    }
    assert "Set-Cookie" not in response.headers


def test_healthz_says_plainly_that_redis_is_down(redis_down_app):
    health = redis_down_app.test_client().get("/healthz")
    assert health.status_code == 200  # the forum works: limits count in this process
    assert health.get_json()["rate_limits"] == "Redis unreachable: counting in this process"


# --- a refusal after crisis words ---------------------------------------------------------


def test_a_refused_post_in_crisis_brings_the_helplines_first(limited_app):
    """Crisis words pass a posting limit a few times an hour (tests/test_crisis_never_refused.py);
    past that the refusal keeps the words and brings the helplines first."""
    limited_app.config["HARBOR_CRISIS_EXCEPTIONS_PER_HOUR"] = 1
    member = established_member(limited_app, "Struggling")
    topic_with_a_post(limited_app, member)
    crisis = {"title": "Tonight", "body": "I have the pills ready and I want to end it all tonight"}
    assert member.submit("/b/day-by-day/new", crisis).status_code == 302  # let past, once
    refused = member.submit("/b/day-by-day/new", crisis)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429  # a topic a moment ago: topics need time between them
    helplines = page.index("You don't have to go through this alone")
    assert helplines < page.index("What you wrote") < page.index("end it all tonight")
