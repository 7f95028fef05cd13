"""Issue 7: the journeys that matter, in headless Chromium, at desktop and phone widths.

Each journey checks its pages with axe-core (no serious or critical violation) and saves a
screenshot to tests/artifacts/.
"""

import re

import pytest

from forum.data.models import Role
from tests.browser.live_server import HELD_KEYWORD

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

CRISIS_TEXT = "I can't do this anymore. I've got the pills ready and I want to end it all tonight."


def test_guest_reads_a_topic(visit):
    page = visit.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome to Harbor")).to_be_visible()
    expect(page.get_by_role("link", name="Get help now")).to_be_visible()
    visit.assert_accessible("home")
    page.get_by_role("link", name="Day by day").click()
    page.get_by_role("link", name="Just for today: Tuesday").click()
    expect(page.get_by_role("heading", name="Just for today: Tuesday")).to_be_visible()
    expect(page.get_by_text("Grateful for the")).to_be_visible()
    expect(page.get_by_text("Morning meetings saved my first year")).to_be_visible()
    expect(page.get_by_role("button", name="I hear you")).to_have_count(0)  # guests read only
    expect(page.get_by_role("link", name="Log in").last).to_be_visible()
    visit.assert_accessible("topic-guest")
    visit.screenshot("guest-reads-topic")


def test_newcomer_signs_up_keeps_codes_starts_a_topic_and_replies(visit):
    page = visit.page
    pseudonym = visit.name("Newcomer")
    page.goto("/")
    page.get_by_role("link", name="Join").click()
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password", exact=True).fill("a long calm password")
    page.get_by_label("Password again").fill("a long calm password")
    visit.assert_accessible("signup")
    page.get_by_role("button", name="Join").click()

    expect(page.get_by_role("heading", name="Keep these recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code")
    expect(codes).to_have_count(8)
    assert all(
        re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", c) for c in codes.all_inner_texts()
    )
    visit.assert_accessible("recovery-codes")
    visit.screenshot("newcomer-recovery-codes")
    page.get_by_role("link", name="I've kept them").click()

    page.get_by_role("link", name="Newcomers").click()
    page.get_by_role("link", name="Start a topic").click()
    title = visit.name("Hello from day one")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your post").fill("First time posting. **Day one** again, and I'm here.")
    preview = page.locator("#draft-preview")
    expect(preview.locator("strong")).to_have_text("Day one")  # rendered by the server
    visit.assert_accessible("new-topic")
    page.get_by_role("button", name="Post topic").click()

    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("following this topic")).to_be_visible()
    page.get_by_label("Your reply").fill("A small update: I went to a meeting tonight.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("I went to a meeting tonight.")).to_be_visible()
    expect(page.locator("ol.posts > li")).to_have_count(2)
    visit.assert_accessible("topic-member")
    visit.screenshot("newcomer-topic-and-reply")


def test_crisis_post_brings_up_the_helplines_first(visit):
    page = visit.page
    visit.log_in(visit.name("Struggling"))
    page.goto("/b/day-by-day/new")
    page.get_by_label("Title").fill(visit.name("Tonight"))
    page.get_by_label("Your post").fill(CRISIS_TEXT)
    draft_panel = page.locator("#draft-helplines")
    expect(draft_panel).to_be_visible()  # while drafting, before sending
    expect(draft_panel.get_by_role("link", name="Call 988")).to_be_visible()
    visit.assert_accessible("crisis-draft")
    page.get_by_role("button", name="Post topic").click()

    # The drafting panel has the same name as the one after posting, so every look below is
    # made on the topic page, once it has loaded (its style applied, the fragment scrolled to).
    page.wait_for_url("**/t/*#helplines-first", wait_until="load")
    first = page.get_by_role("region", name="You don't have to go through this alone")
    expect(first).to_have_id("helplines-first")
    expect(first).to_be_in_viewport()
    expect(first.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    # both boxes from one layout, so no scroll can fall between the two measurements
    panel_top, post_top = page.evaluate(
        """() => [document.getElementById("helplines-first"),
                  document.querySelector("ol.posts > li")]
            .map((element) => element.getBoundingClientRect().top)"""
    )
    assert -2 <= panel_top < 60, f"the helplines start at y={panel_top:.0f}, not at the top"
    assert panel_top < post_top
    visit.assert_accessible("crisis-helplines")
    visit.screenshot("crisis-helplines-first")


def test_member_reports_a_post(visit):
    page = visit.page
    writer = visit.name("Venting")
    topic = visit.harbor.post_topic(writer, visit.name("Rough day"), "Everyone here is useless.")
    visit.log_in(visit.name("Reporter"))
    page.goto(topic.topic_path)
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name="Report this post")).to_be_visible()
    page.get_by_label("Harassment or bullying").check()
    page.get_by_label("In a few words").fill("Insulting the whole forum.")
    visit.assert_accessible("report")
    page.get_by_role("button", name="Send to the moderators").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("The moderators will look at it")
    expect(status).to_have_attribute("aria-live", "polite")
    visit.assert_accessible("reported")
    visit.screenshot("member-reports-post")


def test_moderator_claims_and_approves_a_held_post(visit):
    page = visit.page
    title = visit.name("Held for review")
    held = visit.harbor.post_topic(visit.name("Heated"), title, f"Something {HELD_KEYWORD} here")
    assert held.review_item_id is not None
    moderator = visit.harbor.member(visit.name("Moderator"), Role.MODERATOR)
    visit.log_in(moderator)
    page.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    visit.assert_accessible("review-queue")
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page.get_by_text("post is held")).to_be_visible()
    visit.assert_accessible("review-item")
    page.get_by_role("button", name="Claim this item").click()
    expect(page.get_by_text(f"claimed by {moderator}")).to_be_visible()
    visit.screenshot("moderator-review-item")
    page.get_by_label("Reason (the author is told").fill("Heated, but no threat to anyone.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Done: approve.")

    visit.log_out()
    page.goto(held.topic_path)
    expect(page.get_by_text(f"Something {HELD_KEYWORD} here")).to_be_visible()


def test_reader_opens_a_content_warned_post_by_click_and_by_key(visit):
    page = visit.page
    body = "Before.\n\n:::cw self-harm\nThe part behind its own warning.\n:::\n\nAfter."
    topic = visit.harbor.post_topic(
        visit.name("Careful"), visit.name("A hard week"), body, content_warning="relapse details"
    )
    page.goto(topic.topic_path)
    whole = page.locator("details.cw-post")
    whole_summary = whole.locator("> summary")
    expect(whole_summary).to_have_text("Content warning: relapse details")
    expect(page.get_by_text("Before.")).to_be_hidden()
    visit.assert_accessible("content-warning-closed")
    whole_summary.click()
    expect(page.get_by_text("Before.")).to_be_visible()
    part = page.get_by_text("The part behind its own warning.")
    expect(part).to_be_hidden()
    part_summary = page.get_by_text("Content warning: self-harm")
    part_summary.focus()
    page.keyboard.press("Enter")
    expect(part).to_be_visible()
    visit.assert_accessible("content-warning-open")
    visit.screenshot("reader-opens-content-warning")

    page.reload()
    expect(page.get_by_text("Before.")).to_be_hidden()
    whole_summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Before.")).to_be_visible()
    page.get_by_text("Content warning: self-harm").focus()
    page.keyboard.press(" ")
    expect(part).to_be_visible()


def test_member_sends_support_and_the_writer_hears_of_a_reply(visit):
    page = visit.page
    writer = visit.name("Sharing")
    topic = visit.harbor.post_topic(writer, visit.name("Ninety days"), "Ninety days today.")
    visit.log_in(visit.name("Supporter"))
    page.goto(topic.topic_path)
    hear_you = page.get_by_role("button", name="I hear you")
    expect(hear_you).to_have_attribute("aria-pressed", "false")
    hear_you.click()
    expect(page.get_by_role("status")).to_contain_text("You sent “I hear you”")
    expect(hear_you).to_have_attribute("aria-pressed", "true")
    expect(hear_you).to_contain_text("1")
    page.get_by_label("Your reply").fill("Ninety days is huge. Well done.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Ninety days is huge.")).to_be_visible()
    visit.log_out()

    visit.log_in(writer)
    messages = page.get_by_role("link", name="Messages (1 new)")
    expect(messages).to_be_visible()
    messages.click()
    expect(page.get_by_role("heading", name=re.compile("New replies in"))).to_be_visible()
    expect(page.get_by_text("1 new reply in a topic you follow.")).to_be_visible()
    visit.assert_accessible("messages")
    visit.screenshot("writer-messages")
    page.get_by_role("link", name="Read the first new reply").click()
    expect(page.get_by_text("Ninety days is huge.")).to_be_in_viewport()
    expect(page.get_by_text("I hear you 1")).to_be_visible()  # counts only on one's own post
