"""Issue 16 in headless Chromium: a whole online meeting, with several people each in their own
browser: the chair opens it, a member raises a hand and shares, a late-comer is greeted, an
intruder in the waiting room is removed by a co-host, a crisis line brings helplines to its
writer and alerts the chair, the meeting ends and a member writes a 7-day plan. Then the room
once more with JavaScript off. Screenshots of the schedule and the room at both widths."""

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import User
from forum.extensions import db
from forum.meetings.models import HostRole, Meeting, MeetingHost, MeetingOccasion, MeetingStatus
from tests.browser.docs_screenshots import SCREENSHOTS

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

CRISIS = "I can't do this any more. I'm going to kill myself tonight."


def seasoned(harbor, name: str, days: int = 90, posts: int = 4) -> str:  # noqa: ANN001
    harbor.member(name)
    with harbor.app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == name))
        user.created_at = utcnow() - timedelta(days=days)
        user.post_count = posts
        user.time_zone = "Europe/London"
        db.session.commit()
    return name


def a_meeting(harbor, title: str, chair: str, co_host: str, greeter: str) -> int:  # noqa: ANN001
    with harbor.app.app_context():
        users = {u.pseudonym: u for u in db.session.scalars(select(User))}
        meeting = Meeting(
            title=title,
            format="open_share",
            status=MeetingStatus.APPROVED,
            chair=users[chair],
            weekday=1,
            at_time="19:00",
            time_zone="Europe/London",
            greeting="Glad you made it. We're in the shares; raise your hand any time.",
            hosts=[
                MeetingHost(user_id=users[co_host].id, role=HostRole.CO_HOST),
                MeetingHost(user_id=users[greeter].id, role=HostRole.GREETER),
            ],
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def opened_a_while_ago(harbor, meeting_id: int) -> None:  # noqa: ANN001
    with harbor.app.app_context():
        occasion = db.session.scalar(
            select(MeetingOccasion).where(MeetingOccasion.meeting_id == meeting_id)
        )
        occasion.started_at -= timedelta(minutes=10)
        db.session.commit()


def keep(visit, name: str) -> None:  # noqa: ANN001
    """A screenshot for the README: docs/screenshots/<name>-<phone|desktop>.png (see
    tests/browser/docs_screenshots.py)."""
    path = visit.screenshot(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENSHOTS / path.name)


def join(visit, meeting_id: int) -> None:  # noqa: ANN001
    visit.page.goto(f"/meetings/{meeting_id}")
    visit.page.get_by_role("button", name="Join the meeting").click()


def test_a_whole_meeting_from_opening_to_the_7_day_plan(open_visit, harbor):
    chair_name = seasoned(harbor, "ChairRowan")
    cohost_name = seasoned(harbor, "CoveHost")
    seasoned(harbor, "WrenGreets")
    sam_name = seasoned(harbor, "SamShares")
    lou_name = seasoned(harbor, "LouLate")
    intruder_name = harbor.member("JustJoined99")  # a brand-new account with no posts
    meeting_id = a_meeting(harbor, "Tuesday open share", chair_name, cohost_name, "WrenGreets")

    chair = open_visit("desktop")
    chair.log_in(chair_name)
    chair.page.get_by_role("link", name="Meetings", exact=True).click()
    expect(chair.page.get_by_role("heading", name="Online meetings")).to_be_visible()
    keep(chair, "meetings-schedule")
    chair.assert_accessible("meetings-schedule")
    chair.page.get_by_role("link", name="Tuesday open share").click()
    chair.page.get_by_role("button", name="Open the meeting").click()
    expect(chair.page.locator("#room-log")).to_contain_text("This is an open share meeting")
    expect(chair.page.locator("#room-log")).to_contain_text("Code of conduct")

    cohost = open_visit("desktop")
    cohost.log_in(cohost_name)
    join(cohost, meeting_id)

    sam = open_visit("phone")
    sam.log_in(sam_name)
    sam.page.goto("/meetings")
    expect(sam.page.locator(".meeting-card.is-live")).to_contain_text("Open now: 2 here")
    keep(sam, "meetings-schedule")
    join(sam, meeting_id)
    sam.page.get_by_role("button", name="Raise my hand").click()
    expect(sam.page.locator(".my-turn")).to_contain_text("Your hand is up")
    chair.page.get_by_role("button", name=f"Call on {sam_name}").click()
    expect(sam.page.locator(".my-turn")).to_contain_text("It's your turn to share")
    sam.page.get_by_label("Your share").fill("Day 40 today. The evenings are the hard part.")
    sam.page.get_by_role("button", name="Send").click()
    expect(chair.page.locator("#room-log")).to_contain_text("Day 40 today")
    expect(chair.page.locator(".now-sharing")).to_contain_text(f"{sam_name} is sharing")
    keep(sam, "meetings-room")
    sam.assert_accessible("meeting-room")
    chair.assert_accessible("meeting-room-host")
    sam.page.get_by_role("button", name="I'm done").click()
    expect(chair.page.locator("#room-log")).to_contain_text(f"{sam_name} [done]")
    expect(cohost.page.locator(".now-sharing")).to_contain_text("Nobody is sharing")

    opened_a_while_ago(harbor, meeting_id)
    lou = open_visit("phone")
    lou.log_in(lou_name)
    join(lou, meeting_id)
    expect(lou.page.locator("#room-log")).to_contain_text(f"Welcome, {lou_name}. Glad you made it.")
    expect(chair.page.locator("#room-log")).to_contain_text(f"Welcome, {lou_name}")

    intruder = open_visit("desktop")
    intruder.log_in(intruder_name)
    join(intruder, meeting_id)
    expect(intruder.page.get_by_role("heading", name="You're in the waiting room")).to_be_visible()
    expect(intruder.page.locator("#room-log")).not_to_contain_text("Day 40 today")
    cohost.page.get_by_role("button", name=f"Remove {intruder_name}").click()
    expect(intruder.page.locator("main")).to_contain_text("A host removed you")
    expect(cohost.page.locator(".room-waiting")).to_contain_text("Nobody is waiting")

    lou.page.get_by_role("button", name="Raise my hand").click()
    chair.page.get_by_role("button", name=f"Call on {lou_name}").click()
    lou.page.get_by_label("Your share").fill(CRISIS)
    lou.page.get_by_role("button", name="Send").click()
    expect(
        lou.page.get_by_role("heading", name="You don't have to go through this alone")
    ).to_be_visible()
    expect(lou.page.locator(".helplines-first .helpline").first).to_be_visible()
    expect(chair.page.locator(".room-alerts")).to_contain_text(f"{lou_name} wrote words of crisis")
    keep(chair, "meetings-room")
    lou.page.get_by_role("button", name="I'm done").click()

    chair.page.get_by_role("button", name="End meeting").click()
    expect(chair.page.get_by_role("heading", name="The meeting has ended")).to_be_visible()
    expect(sam.page.get_by_role("heading", name="The meeting has ended")).to_be_visible()
    sam.page.get_by_label("My plan for the next 7 days").fill(
        "Thursday: call my sponsor after work. Every evening: a walk before dinner."
    )
    sam.page.get_by_role("button", name="Save my plan").click()
    expect(sam.page.locator(".seven-day-plan")).to_contain_text("a walk before dinner")
    for person in (chair, sam):
        person.assert_accessible("meeting-closed")


def test_the_room_works_as_a_refreshing_page_without_javascript(open_visit, harbor):
    chair_name = seasoned(harbor, "NoScriptChair")
    seasoned(harbor, "NoScriptCo")
    seasoned(harbor, "NoScriptGreeter")
    member_name = seasoned(harbor, "NoScriptSam")
    meeting_id = a_meeting(
        harbor, "Plain page meeting", chair_name, "NoScriptCo", "NoScriptGreeter"
    )
    chair = open_visit("phone", java_script_enabled=False)
    chair.log_in(chair_name)
    chair.page.goto(f"/meetings/{meeting_id}")
    chair.page.get_by_role("button", name="Open the meeting").click()
    member = open_visit("phone", java_script_enabled=False)
    member.log_in(member_name)
    join(member, meeting_id)
    # the page refreshes itself while the reader is not writing
    expect(member.page.locator("head meta[http-equiv='refresh']")).to_have_count(1)
    member.page.get_by_role("button", name="Raise my hand").click()
    chair.page.reload()
    chair.page.get_by_role("button", name=f"Call on {member_name}").click()
    member.page.reload()
    member.page.get_by_label("Your share").fill("Reading along on a slow phone tonight.")
    member.page.get_by_role("button", name="Send").click()
    expect(member.page.locator("#room-log")).to_contain_text("Reading along on a slow phone")
    member.page.get_by_role("button", name="I'm done").click()
    chair.page.reload()
    expect(chair.page.locator("#room-log")).to_contain_text(f"{member_name} [done]")
    # (axe-core runs as a script, so the accessibility check is made on the scripted room)
    keep(chair, "meetings-room-no-script")
