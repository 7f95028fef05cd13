"""Issue 17: the pledge and its evening review in the member's own day, a streak only they
see, relapse-safe counting, and a partner who sees only "checked in today" or "not yet"."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.practice.models import Pledge
from tests.fellowship_support import member, set_start, text, user_id
from tests.practice_support import choose_zone, moving_clock, pledge, review, review_id


@pytest.fixture
def clock(monkeypatch):  # noqa: ANN001, ANN201
    return moving_clock(monkeypatch)


def pledged_days(app, pseudonym: str) -> list[date]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Pledge.day)
                .where(Pledge.user_id == user_id(app, pseudonym))
                .order_by(Pledge.day)
            )
        )


def test_pledge_and_review_follow_the_members_day_across_a_time_zone_boundary(
    app, new_forms, clock
):
    kiwi = member(new_forms, "Kiwi")
    choose_zone(kiwi, "Pacific/Auckland")  # UTC+13 in December
    londoner = member(new_forms, "Londoner")  # no zone chosen: UTC, and told so
    assert "Harbor counts in UTC until you" in text(londoner.get("/pledge"))

    clock.set("2026-12-01T10:30")  # 23:30 on Tuesday 1 December in Auckland
    page = text(kiwi.get("/pledge"))
    assert "Tuesday 1 December 2026, Pacific/Auckland" in page
    assert pledge(kiwi, "Just for today, I won't drink.").status_code == 302
    page = text(kiwi.get("/pledge"))
    assert "Just for today, I won&#39;t drink." in page
    assert "This evening's review" in page  # 23:30 is evening there
    again = pledge(kiwi)
    assert again.status_code == 409 and "already made today" in text(again)
    assert pledge(londoner).status_code == 302  # 10:30 in London: a morning pledge
    assert "Come back this evening" in text(londoner.get("/pledge"))

    clock.set("2026-12-01T11:30")  # 00:30 on Wednesday 2 December in Auckland, still 1st in UTC
    page = text(kiwi.get("/pledge"))
    assert "Wednesday 2 December 2026" in page
    assert "Make today's pledge" in page
    assert "Yesterday's review" in page  # last night's review is still open, kindly
    assert review(kiwi, went="kept", difficulty=4, note="Hard at dinner.").status_code == 302
    assert pledge(kiwi).status_code == 302
    assert pledged_days(app, "Kiwi") == [date(2026, 12, 1), date(2026, 12, 2)]
    # the same moment is still the 1st for the Londoner: no second pledge
    assert pledge(londoner).status_code == 409
    assert pledged_days(app, "Londoner") == [date(2026, 12, 1)]

    with app.app_context():
        reviewed = db.session.scalar(
            select(Pledge).where(
                Pledge.day == date(2026, 12, 1), Pledge.user_id == user_id(app, "Kiwi")
            )
        )
        assert reviewed.difficulty == 4 and reviewed.went == "kept"
        assert b"Hard at dinner" not in reviewed.note_sealed  # sealed at rest


def test_west_of_utc_the_day_ends_later(app, new_forms, clock):
    angeleno = member(new_forms, "Angeleno")
    choose_zone(angeleno, "America/Los_Angeles")
    clock.set("2026-12-02T02:00")  # 18:00 on 1 December in Los Angeles
    page = text(angeleno.get("/pledge"))
    assert "Tuesday 1 December 2026" in page
    pledge(angeleno)
    assert "This evening's review" in text(angeleno.get("/pledge"))
    assert pledged_days(app, "Angeleno") == [date(2026, 12, 1)]


def test_streak_shows_only_when_wanted_and_a_missed_day_is_met_with_kind_words(
    app, new_forms, clock
):
    steady = member(new_forms, "Steady")
    for day in ("2026-12-01", "2026-12-02", "2026-12-03"):
        clock.set(f"{day}T08:00")
        assert pledge(steady).status_code == 302
    page = text(steady.get("/pledge"))
    assert "in a row" not in page  # nobody asked for a streak
    choose_zone(steady, "UTC", show_streak=True)
    assert "3 days</span> in a row" in text(steady.get("/pledge"))

    clock.set("2026-12-05T08:00")  # the 4th was missed
    page = text(steady.get("/pledge"))
    assert "Welcome back" in page and "A new run of pledges starts with today" in page
    assert "0 days" not in page and ">0<" not in page
    assert "3 pledges made in all" in page
    pledge(steady)
    assert "1 day</span> in a row" in text(steady.get("/pledge"))


def test_a_relapse_resets_nothing_publicly(app, new_forms, boards, clock):
    clock.set("2026-12-01T19:00")
    honest = member(new_forms, "Honest")
    set_start(honest, 40, show=True)
    partner = member(new_forms, "Steadfast")
    honest.submit("/partner", {"pseudonym": "Steadfast"}, action="/partner/ask")
    page = text(partner.get("/partner"))
    asked = re.search(r"/partner/(\d+)/answer", page).group(1)
    partner.submit("/partner", {"answer": "accept"}, action=f"/partner/{asked}/answer")
    topic = honest.submit("/b/day-by-day/new", {"title": "Forty days", "body": "Still here."})
    topic_path = topic.location.split("#")[0]
    reader = new_forms()
    before = text(reader.get(topic_path))
    assert "day 40" in before

    pledge(honest)
    response = review(honest, went="used", difficulty=5, note="I drank at the party.")
    assert response.status_code == 302
    page = text(honest.get(response.location))
    assert "A slip doesn" in page and "takes courage" in page
    assert "start your count again" in page  # offered, never done for them

    assert text(reader.get(topic_path)) == before  # the same day count, nothing new
    assert "day 40" in text(reader.get(topic_path))
    with app.app_context():
        from forum.data.models import Post, User

        honest_user = db.session.get(User, user_id(app, "Honest"))
        assert honest_user.show_day_count and honest_user.recovery_started_on is not None
        assert db.session.scalar(select(db.func.count()).select_from(Post)) == 1
    partner_view = text(partner.get("/partner"))
    assert "checked in today" in partner_view
    for private in ("drank", "party", "used", "5: very hard", "in a row"):
        assert private not in partner_view


def test_the_partner_must_accept_and_sees_only_the_check_in_state(app, new_forms, clock):
    clock.set("2026-12-01T07:00")
    newcomer = member(new_forms, "Dawn")
    choose_zone(newcomer, "Asia/Tokyo", show_streak=True)  # 16:00 there
    buddy = member(new_forms, "Buddy")
    other = member(new_forms, "Bystander")

    assert (
        newcomer.submit("/partner", {"pseudonym": "Buddy"}, action="/partner/ask").status_code
        == 302
    )
    assert "Dawn</strong> would like you as their accountability partner" in text(
        buddy.get("/partner")
    )
    assert "People you support" not in text(buddy.get("/partner"))  # not before a yes
    messages = text(buddy.get("/account/messages"))
    assert "Dawn would like you as their accountability partner" in messages

    page = text(buddy.get("/partner"))
    asked = re.search(r"/partner/(\d+)/answer", page).group(1)
    # nobody else can answer for Buddy
    assert (
        other.submit(
            "/partner", {"answer": "accept"}, action=f"/partner/{asked}/answer"
        ).status_code
        == 404
    )
    buddy.submit("/partner", {"answer": "accept"}, action=f"/partner/{asked}/answer")

    assert '<strong>Dawn</strong>: <span class="not-yet">not yet today</span>' in text(
        buddy.get("/partner")
    )
    pledge(newcomer, "Just for today I will call my sister instead.")
    review(newcomer, went="kept", difficulty=3, note="Sister was lovely.")
    view = text(buddy.get("/partner"))
    assert '<strong>Dawn</strong>: <span class="checked-in">checked in today</span>' in view
    for private in ("sister", "Sister", "lovely", "3: some", "in a row", "kept"):
        assert private not in view
    # the member's own pages are theirs alone
    assert "Just for today I will call my sister" not in text(buddy.get("/pledge"))

    clock.set("2026-12-01T15:30")  # 00:30 on the 2nd in Tokyo: a new day for Dawn
    assert "not yet today" in text(buddy.get("/partner"))

    newcomer.submit("/partner", {}, action=f"/partner/{asked}/end")
    assert "People you support" not in text(buddy.get("/partner"))


def test_a_review_for_someone_elses_pledge_is_refused(app, new_forms, clock):
    clock.set("2026-12-01T20:00")
    one, two = member(new_forms, "OneDay"), member(new_forms, "TwoDay")
    pledge(one)
    pledge(two)
    other_id = review_id(text(two.get("/pledge")))
    response = one.submit(
        "/pledge",
        {"pledge_id": other_id, "difficulty": "1", "went": "used"},
        action="/pledge/review",
        follow_redirects=True,
    )
    assert "already reviewed" in text(response)
    with app.app_context():
        assert db.session.get(Pledge, int(other_id)).reviewed_at is None
