"""Issue 17 in headless Chromium: the craving SOS journey at phone width, the SOS page with
JavaScript off, and the daily-practice pages checked with axe-core."""

import re

import pytest
from sqlalchemy import select

from forum.data.models import User
from forum.extensions import db
from forum.practice.sos import set_helping

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect


def opt_in_to_help(harbor, pseudonym: str) -> None:  # noqa: ANN001
    harbor.member(pseudonym)
    with harbor.app.app_context():
        set_helping(db.session.scalar(select(User).where(User.pseudonym == pseudonym)), True)
        db.session.commit()


def test_a_member_with_a_craving_presses_sos_rides_it_out_posts_and_a_helper_replies(
    open_visit, harbor
):
    visit = open_visit("phone")
    page = visit.page
    helper = visit.name("NightHelper")
    visit.log_in(helper)
    page.goto("/recovery")
    page.get_by_label("Tell me when someone posts in “Right now”").check()
    page.locator("form[action='/practice/helping'] button").click()
    expect(page.get_by_role("status")).to_contain_text("someone needs support right now")
    visit.log_out()

    writer = visit.name("CravingNow")
    page.clock.install()
    visit.log_in(writer)
    page.get_by_role("button", name="I'm having a craving").click()
    expect(
        page.get_by_role("heading", name="You're having a craving. It will pass.")
    ).to_be_visible()
    timer = page.get_by_role("timer")
    expect(timer).to_have_text("10:00")
    page.get_by_role("button", name="Start the 10-minute timer").click()
    expect(page.locator(".timer-status")).to_contain_text("Breathe in for 4")
    page.clock.run_for("05:01")
    expect(timer).to_have_text(re.compile(r"0[45]:\d\d"))
    expect(page.locator(".timer-status")).to_contain_text("Halfway")
    visit.assert_accessible("sos-timer")
    visit.screenshot("sos-timer-running")
    page.clock.run_for("05:00")
    expect(timer).to_have_text("00:00")
    expect(page.locator(".timer-status")).to_contain_text("you rode it out")

    page.get_by_role("link", name="Post in Right now").click()
    expect(page.get_by_label("Title")).to_have_value("Having a craving right now")
    page.get_by_label("Your post").fill("Payday, and the off-licence is on my way home.")
    page.get_by_label("Just listen").check()
    visit.assert_accessible("right-now-new-topic")
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("heading", name="Having a craving right now")).to_be_visible()
    topic_url = page.url
    visit.log_out()

    visit.log_in(helper)
    page.get_by_role("link", name=re.compile(r"Messages \(1 new\)")).click()
    expect(
        page.get_by_role("heading", name=re.compile("Someone needs support right now"))
    ).to_be_visible()
    page.goto("/")
    first = page.get_by_role("region", name="Someone needs support right now")
    first.get_by_role("link", name="Having a craving right now").first.click()
    expect(page.get_by_text(f"{writer} asked for: Just listen.")).to_be_visible()
    page.get_by_label("Your reply").fill("I'm here. Breathe out slowly; this wave will pass.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("this wave will pass")).to_be_visible()
    visit.assert_accessible("right-now-topic")
    visit.screenshot("right-now-helper-replied")
    visit.log_out()

    visit.log_in(writer)
    expect(page.get_by_role("link", name=re.compile(r"Messages \(1 new\)"))).to_be_visible()
    page.goto(topic_url)
    expect(page.get_by_text("this wave will pass")).to_be_visible()


def test_the_sos_page_works_with_javascript_off(open_visit):
    visit = open_visit("phone", java_script_enabled=False)
    page = visit.page
    visit.log_in(visit.name("NoScriptCraving"))
    page.get_by_role("button", name="I'm having a craving").click()
    expect(page.get_by_text(re.compile(r"It's \d\d:\d\d now \(UTC\)"))).to_be_visible()
    expect(page.get_by_role("timer")).to_be_hidden()
    expect(page.get_by_role("button", name="Start the 10-minute timer")).to_be_hidden()
    expect(page.get_by_role("link", name="Post in Right now")).to_be_visible()
    expect(page.get_by_role("link", name="Call 988").first).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_daily_practice_pages_are_accessible(open_visit, harbor, viewport):
    visit = open_visit(viewport)
    page = visit.page
    visit.log_in(visit.name("PracticeA11y"))
    page.goto("/pledge")
    page.get_by_role("button", name="I pledge, just for today").click()
    expect(page.get_by_role("heading", name="This evening's review")).to_be_visible()
    visit.assert_accessible("pledge")
    page.goto("/journal")
    page.get_by_label("3: okay").check()
    page.locator("fieldset.scale-wide").get_by_label("6", exact=True).check()
    page.get_by_label("What's on your mind").fill("A long day; the craving came after work.")
    page.get_by_label("stress").check()
    page.get_by_role("button", name="Save to my journal").click()
    expect(page.get_by_role("img", name=re.compile("Your craving and mood"))).to_be_visible()
    visit.assert_accessible("journal")
    for name, url in [
        ("library", "/library"),
        ("partner", "/partner"),
        ("settings", "/pledge/settings"),
        ("reasons", "/sos/reasons"),
        ("recovery", "/recovery"),
    ]:
        page.goto(url)
        visit.assert_accessible(name)
    page.goto("/")
    page.get_by_text("My day").click()
    expect(page.get_by_role("link", name="Journal")).to_be_visible()
    visit.assert_accessible("day-menu-open")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= (375 if viewport == "phone" else 1280), f"the page is {width}px wide"
