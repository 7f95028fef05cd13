"""Issue 8: recovery start dates, milestones and starting again."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.data.models import Post, Topic, User
from forum.extensions import db
from forum.fellowship.milestones import (
    add_months,
    day_count_label,
    days_in_recovery,
    milestone_to_offer,
    milestones_until,
    next_milestone,
    utc_today,
)
from tests.fellowship_support import add_board, member, no_writes, set_start, text

START = date(2025, 1, 31)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 3, 15), 9, date(2025, 12, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # across a year end
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
    ],
)
def test_months_are_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_days_count_whole_days_from_the_start():
    assert days_in_recovery(START, START) == 0
    assert day_count_label(START, START) == "first day"
    assert days_in_recovery(START, START + timedelta(days=1)) == 1  # 24 hours
    assert day_count_label(START, START + timedelta(days=41)) == "day 41"
    assert days_in_recovery(START, START - timedelta(days=1)) == 0  # never negative


def labels(start: date, today: date) -> list[str]:
    return [m.label for m in milestones_until(start, today)]


def test_traditional_milestones_in_order():
    assert labels(START, START) == []
    assert labels(START, START + timedelta(days=1)) == ["24 hours"]
    assert labels(START, START + timedelta(days=29)) == ["24 hours"]
    assert labels(START, START + timedelta(days=30))[-1] == "30 days"
    assert labels(START, START + timedelta(days=90))[-1] == "90 days"
    # six calendar months from 31 January is 31 July; nine is 31 October
    assert labels(START, date(2025, 7, 30))[-1] == "90 days"
    assert labels(START, date(2025, 7, 31))[-1] == "6 months"
    assert labels(START, date(2025, 10, 31))[-1] == "9 months"
    assert labels(START, date(2026, 1, 31)) == [
        "24 hours",
        "30 days",
        "60 days",
        "90 days",
        "6 months",
        "9 months",
        "1 year",
    ]
    assert labels(START, date(2028, 1, 31))[-3:] == ["1 year", "2 years", "3 years"]
    assert labels(START, date(2028, 1, 30))[-1] == "2 years"


def test_next_milestone_and_leap_day_anniversaries():
    assert next_milestone(START, START).label == "24 hours"
    assert next_milestone(START, START + timedelta(days=45)).label == "60 days"
    assert next_milestone(START, date(2025, 11, 1)).reached_on == date(2026, 1, 31)
    leap = date(2024, 2, 29)
    assert next_milestone(leap, date(2026, 6, 1)).reached_on == date(2027, 2, 28)
    assert next_milestone(leap, date(2027, 6, 1)).reached_on == date(2028, 2, 29)


def test_an_offer_is_made_once_per_milestone():
    today = START + timedelta(days=30)
    offer = milestone_to_offer(START, None, today)
    assert offer is not None and offer.label == "30 days"
    assert milestone_to_offer(START, offer.reached_on, today) is None
    assert milestone_to_offer(START, offer.reached_on, START + timedelta(days=60)).label == (
        "60 days"
    )
    assert milestone_to_offer(None, None, today) is None
    assert milestone_to_offer(START, None, START) is None


@pytest.fixture
def milestones_board(app, boards):
    add_board(app, "milestones", "Milestones")


def test_a_start_date_in_the_future_is_refused_clearly(app, new_forms):
    writer = member(new_forms, "Tomorrow")
    response = set_start(writer, days_ago=-10)
    assert response.status_code == 400
    assert "That date is in the future" in text(response)
    response = writer.submit(
        "/recovery", {"started_on": "not a date"}, action="/recovery/start-date"
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User.recovery_started_on)) is None
    # a member east of UTC may already be on tomorrow's date: that is accepted
    assert set_start(writer, days_ago=-1).status_code == 302
    assert "First day" in text(writer.get("/recovery"))


def test_milestone_is_offered_then_shared_through_a_prefilled_form(
    app, new_forms, milestones_board
):
    writer = member(new_forms, "Thirty")
    assert set_start(writer, days_ago=30).status_code == 302
    with no_writes(app):
        page = text(writer.get("/recovery"))
    assert "Day 30" in page and "30 days: well done" in page and "Next: 60 days" in page

    response = writer.submit("/recovery", {"action": "share"}, action="/recovery/milestone")
    assert response.status_code == 302
    assert response.location == "/b/milestones/new?title=30+days+today"
    form = text(writer.get(response.location))
    assert 'value="30 days today"' in form
    assert "well done" not in text(writer.get("/recovery"))  # the offer was used
    # nothing was posted: the member writes the post, or not
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 0
    response = writer.submit(
        response.location, {"title": "30 days today", "body": "Thirty days. Thank you all."}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Topic.title)) == "30 days today"


def test_milestone_offer_can_be_dismissed(app, new_forms, milestones_board):
    writer = member(new_forms, "Quietly")
    set_start(writer, days_ago=400)
    assert "1 year: well done" in text(writer.get("/recovery"))
    response = writer.submit(
        "/recovery", {"action": "dismiss"}, action="/recovery/milestone", follow_redirects=True
    )
    assert "congratulations, quietly" in text(response)
    assert "well done" not in text(writer.get("/recovery"))
    # moving the date to a different start makes its milestones new again
    set_start(writer, days_ago=61)
    assert "60 days: well done" in text(writer.get("/recovery"))


def test_day_count_shows_beside_the_pseudonym_only_when_chosen(app, new_forms, boards):
    writer = member(new_forms, "Counter")
    set_start(writer, days_ago=41)
    topic_url = writer.submit("/b/day-by-day/new", {"title": "Hello", "body": "Still here."})
    topic_url = topic_url.location.split("#")[0]
    reader = new_forms()
    assert "day 41" not in text(reader.get(topic_url))
    set_start(writer, days_ago=41, show=True)
    assert '<span class="day-count">day 41</span>' in text(reader.get(topic_url))


def test_starting_again_is_one_kind_click_with_no_public_trace(app, new_forms, boards):
    writer = member(new_forms, "Again")
    set_start(writer, days_ago=41, show=True)
    topic_url = writer.submit("/b/day-by-day/new", {"title": "Hi", "body": "Day 41 here."})
    topic_url = topic_url.location.split("#")[0]
    with app.app_context():
        posts_before = db.session.scalar(select(func.count()).select_from(Post))

    response = writer.submit("/recovery", {}, action="/recovery/start-again")
    assert response.status_code == 302 and response.location == "/recovery"
    page = text(writer.get("/recovery"))
    assert "Starting again takes courage" in page and "First day" in page
    assert "Starting again takes courage" not in text(writer.get("/recovery"))  # said once
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == "again"))
        assert user.recovery_started_on == utc_today()
        assert user.show_day_count is False  # the public count does not visibly drop
        assert db.session.scalar(select(func.count()).select_from(Post)) == posts_before
    reader_page = text(new_forms().get(topic_url))
    assert "day-count" not in reader_page and "first day" not in reader_page


def test_starting_again_can_keep_the_count_visible(app, new_forms):
    writer = member(new_forms, "Open")
    set_start(writer, days_ago=200, show=True)
    writer.submit("/recovery", {"keep_showing": "y"}, action="/recovery/start-again")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == "open"))
        assert user.show_day_count is True and user.recovery_started_on == utc_today()


def test_start_date_can_be_removed(app, new_forms):
    writer = member(new_forms, "Private")
    set_start(writer, days_ago=10, show=True)
    writer.submit("/recovery", {}, action="/recovery/clear")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == "private"))
        assert user.recovery_started_on is None and user.show_day_count is False
    assert "tell Harbor the day your recovery started" in text(writer.get("/recovery"))


def test_recovery_pages_need_a_member(forms):
    assert forms.get("/recovery").status_code == 302
    response = forms.submit("/login", {}, action="/recovery/start-again")
    assert response.status_code == 302 and "/login" in response.location
