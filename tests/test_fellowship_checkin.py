"""Issue 8: the daily "Just for today" thread, opened once a day, even under a race."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from forum.data.models import Board, Post, PostStatus, Role, Topic, User
from forum.extensions import db
from forum.fellowship.checkin import CHECKIN_TEXT, open_thread, thread_title
from forum.fellowship.milestones import utc_today
from forum.fellowship.models import DailyCheckin
from tests.conftest import make_user
from tests.fellowship_support import member, no_writes
from tests.fellowship_support import text as page_text


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_today_page_never_opens_the_thread(app, forms, boards):
    with no_writes(app):
        page = page_text(forms.get("/today"))
    assert "Today's thread opens with the first check-in of the day." in page
    assert count(app, Topic) == 0 and count(app, DailyCheckin) == 0


def test_first_check_in_opens_the_thread_and_each_member_checks_in_once(app, new_forms, boards):
    first = member(new_forms, "EarlyBird")
    response = first.submit("/today", {}, action="/today/check-in")
    assert response.status_code == 302
    thread_url = response.location.split("#")[0]
    page = page_text(first.get(thread_url))
    assert thread_title(utc_today()) in page and CHECKIN_TEXT in page
    assert '<span class="author">Harbor</span>' in page

    again = first.submit("/today", {}, action="/today/check-in", follow_redirects=True)
    assert "You have already checked in today" in page_text(again)
    with no_writes(app):
        assert "You have checked in today" in page_text(first.get("/today"))

    second = member(new_forms, "NightOwl")
    assert second.submit("/today", {}, action="/today/check-in").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DailyCheckin)) == 1
        topic = db.session.scalar(select(Topic))
        assert topic.reply_count == 2 and topic.status == PostStatus.PUBLISHED
        authors = db.session.scalars(
            select(User.pseudonym).join(Post, Post.author_id == User.id).order_by(Post.number)
        ).all()
        assert authors == ["Harbor", "EarlyBird", "NightOwl"]
        # the check-ins went through moderation like any reply
        assert all(
            post.scored_by == "fixed-test-scorer"
            for post in db.session.scalars(select(Post).where(Post.number > 1))
        )
    assert "2 check-ins so far" in page_text(new_forms().get("/today"))


def test_silenced_member_cannot_check_in(app, new_forms, boards):
    quiet = member(new_forms, "Paused")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == "paused"))
        user.silenced_until = user.created_at + timedelta(days=3)
        db.session.commit()
    response = quiet.submit("/today", {}, action="/today/check-in")
    assert response.status_code == 403 and "paused your posting" in page_text(response)


def test_without_a_check_in_board_the_page_says_so(app, new_forms):
    writer = member(new_forms, "Lonely")
    assert "not set up" in page_text(writer.get("/today"))
    response = writer.submit("/recovery", {}, action="/today/check-in")
    assert response.status_code == 404 and count(app, Topic) == 0


def test_open_checkin_command_is_idempotent(app, boards):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["harbor", "open-checkin"])
    second = runner.invoke(args=["harbor", "open-checkin"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output == second.output and "Just for today" in first.output
    assert count(app, Topic) == 1


def test_nobody_can_sign_up_as_harbor(app, forms, boards):
    app.test_cli_runner().invoke(args=["harbor", "open-checkin"])
    response = forms.signup("harbor")
    assert response.status_code == 200 and "Harbor&#39;s own" in page_text(response)
    assert forms.login("~harbor", "anything at all").status_code == 200  # can't log in as it


def race_to_open(app, monkeypatch, racers: int = 6) -> list[int]:
    """`racers` threads, each with its own app context and connection, all find no thread for
    today and then all try to open it at once; returns the topic id each one ended up with."""
    from forum.fellowship import checkin

    all_looked = threading.Barrier(racers)
    first_look = threading.local()
    look_up = checkin.todays_thread

    def todays_thread_then_wait(day=None):  # noqa: ANN001, ANN202
        found = look_up(day)
        if not getattr(first_look, "done", False):
            first_look.done = True
            assert found is None
            all_looked.wait(timeout=10)  # nobody creates until everyone has looked
        return found

    monkeypatch.setattr(checkin, "todays_thread", todays_thread_then_wait)
    results: list[int] = []
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            with app.app_context():
                results.append(open_thread().id)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=racer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def assert_opened_once(app, results: list[int]) -> None:
    with app.app_context():
        topics = db.session.scalars(select(Topic.id)).all()
        assert len(topics) == 1 and set(results) == set(topics)
        assert db.session.scalar(select(func.count()).select_from(DailyCheckin)) == 1
        board = db.session.scalar(select(Board).where(Board.slug == "day-by-day"))
        assert (board.topic_count, board.post_count) == (1, 1)  # the losers left no count
        assert db.session.scalar(select(func.count()).select_from(User)) == 1  # one Harbor


def test_racing_processes_open_one_thread(app, boards, monkeypatch):
    results = race_to_open(app, monkeypatch)
    assert len(results) == 6
    assert_opened_once(app, results)


def test_moderators_see_the_daily_thread_like_anyone(app, new_forms, boards):
    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    mod.submit("/today", {}, action="/today/check-in")
    with app.app_context():
        topic_id = db.session.scalar(select(Topic.id))
    assert "Just for today" in page_text(new_forms().get(f"/t/{topic_id}"))
