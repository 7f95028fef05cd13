"""Issue 14 in the browser: one member's three crisis posts are one group; a moderator
reaches out once, claims, asks a colleague in, decides, and the audit log shows it all."""

import re

import pytest

from forum.data.models import Role
from tests.browser.live_server import HELD_KEYWORD

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

CRISIS = "I have the pills ready and I want to end it all tonight"
HELD = HELD_KEYWORD


def test_a_moderator_works_a_members_crisis_posts_together(visit):
    page, harbor = visit.page, visit.harbor
    writer = visit.name("Driftwood")
    titles = [visit.name(f"Night {n}") for n in range(3)]
    for n, title in enumerate(titles):
        harbor.post_topic(writer, title, f"{CRISIS} ({n})")
    first = harbor.member(visit.name("Alex"), Role.MODERATOR)
    second = harbor.member(visit.name("Blair"), Role.MODERATOR)

    visit.log_in(first)
    page.goto("/review/?kind=crisis")
    group = page.locator("li.queue-group", has_text=f"{writer}: 3 crisis posts")
    expect(group).to_be_visible()
    expect(group.locator("li.queue-item")).to_have_count(3)
    # distressing text stays closed until the moderator opens it
    expect(group.locator("details.distressing").first).not_to_have_attribute("open", "")
    visit.assert_accessible("review-queue-group")
    visit.screenshot("review-queue-group")

    group.get_by_role("link", name="See them together and reach out once").click()
    group_page = page.url
    page.get_by_label("Message").fill(f"Hi {writer}, I'm a volunteer here. You're not alone.")
    page.get_by_role("button", name="Send one message").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your message is in {writer}'s messages")
    expect(page.get_by_text(f"Already reached out: {first}")).to_be_visible()

    page.get_by_role("link", name=re.compile(re.escape(titles[0]))).click()
    decide = page.get_by_role("button", name="Approve")
    expect(decide).to_have_count(0)  # a crisis is claimed first
    page.get_by_role("button", name="Claim this item").click()
    expect(page.get_by_text(f"claimed by {first}")).to_be_visible()

    colleague = page.locator("#helper option", has_text=second).get_attribute("value")
    page.get_by_label("Who").select_option(value=colleague)
    page.get_by_role("button", name="Ask for help").click()
    expect(page.get_by_text(f"Asked in: {second} (by {first}")).to_be_visible()

    page.get_by_label("Reason (the author is told").fill("Peers are answering; reached out.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Done: approve.")
    expect(page.get_by_role("heading", name="Reach out")).to_be_visible()  # still possible
    visit.assert_accessible("review-crisis-decided")
    visit.screenshot("review-crisis-item")
    page.goto(group_page)
    visit.screenshot("review-member")

    page.goto("/review/log")
    rows = page.locator("tr", has_text=first)
    for action in ("Reached out privately", "Claimed", "Asked another moderator in", "Approved"):
        expect(rows.filter(has_text=action).first).to_be_visible()

    visit.log_out()
    visit.log_in(second)
    page.goto("/account/messages")
    expect(page.get_by_text(f"{first} asks for your help on a review item")).to_be_visible()


def test_bulk_removal_and_distressing_text_work_without_javascript(open_visit):
    visit = open_visit("phone", java_script_enabled=False)
    page, harbor = visit.page, visit.harbor
    spammer = visit.name("CheapPills")
    spam = [
        harbor.post_topic(spammer, visit.name(f"Offer {n}"), f"Buy {HELD} now {n}")
        for n in range(2)
    ]
    harbor.post_topic(visit.name("Lantern"), visit.name("Awake"), CRISIS)
    visit.log_in(harbor.member(visit.name("Casey"), Role.MODERATOR))
    page.goto("/review/")
    closed = page.locator("details.distressing", has_text="Talk of suicide").first
    expect(closed.locator(".post-body")).to_be_hidden()
    closed.locator("summary").click()  # a plain <details>: opens without script
    expect(closed.locator(".post-body")).to_be_visible()
    for ref in spam:
        page.locator(f"#tick-{ref.review_item_id}").check()
    page.get_by_role("button", name="Remove ticked items").click()
    expect(page.get_by_role("status")).to_contain_text("2 items removed.")
    expect(
        page.get_by_role("link", name=re.compile(re.escape(visit.name("Offer 0"))))
    ).to_have_count(0)
