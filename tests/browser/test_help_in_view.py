"""Issue 14: help in view. Measured with bounding boxes in headless Chromium, with and without
JavaScript, at 320, 375 and 1280 px: after a crisis post the helplines are the first thing on
the screen; while drafting on a phone the live crisis panel is on the screen; after pressing
Post with identifying details the warning is on the screen and has the focus.

The pages after a crisis post are saved to docs/screenshots/ (crisis-after-post-*.png) when
HARBOR_UPDATE_SCREENSHOTS=1 is set.
"""

from collections.abc import Iterator

import pytest

from tests.browser.docs_screenshots import SCREENSHOTS
from tests.browser.live_server import PASSWORD

pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright")

CRISIS_TEXT = "I can't do this anymore. I've got the pills ready and I want to end it all tonight."
IDENTIFYING_TEXT = "Email me at jordan.reyes.1987@gmail.com if you want to talk tonight."
WIDTHS = {320: 640, 375: 812, 1280: 800}  # viewport width: its height
SCREENSHOT_NAMES = {375: "phone", 1280: "desktop"}


@pytest.fixture
def open_page(browser, harbor) -> Iterator:  # noqa: ANN001
    """open_page(width, javascript) -> a page logged in as a member unique to that run."""
    contexts = []

    def open_one(width: int, javascript: bool):  # noqa: ANN202
        context = browser.new_context(
            viewport={"width": width, "height": WIDTHS[width]},
            base_url=harbor.url,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        pseudonym = harbor.member(f"Writer{width}{'js' if javascript else 'nojs'}")
        page.goto("/login")
        page.get_by_label("Pseudonym").fill(pseudonym)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Log out").wait_for()
        return page

    yield open_one
    for context in contexts:
        context.close()


def on_screen(page, selector: str) -> dict:  # noqa: ANN001
    """The element's box, asserted to start inside the viewport and show at least 100 px."""
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    assert box is not None, f"{selector} is not on the page"
    assert -2 <= box["y"] < height - 100, f"{selector} starts at y={box['y']:.0f} of {height}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
    return box


def write_topic(page, title: str, body: str) -> None:  # noqa: ANN001
    page.goto("/b/day-by-day/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your post").fill(body)


both_ways = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@both_ways
@pytest.mark.parametrize("width", list(WIDTHS))
def test_after_a_crisis_post_the_helplines_are_the_first_thing_in_view(
    open_page, width, javascript
):
    page = open_page(width, javascript)
    write_topic(page, f"Tonight {width} {javascript}", CRISIS_TEXT)
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_url("**/t/*#helplines-first")
    panel = on_screen(page, "#helplines-first")
    # first: nothing of the page's own content sits above it on the screen
    assert panel["y"] < 60
    on_screen(page, "#helplines-first-heading")
    first_line = page.locator("#helplines-first .helpline").first
    assert first_line.bounding_box()["y"] < WIDTHS[width], "no helpline on the first screen"
    if width in SCREENSHOT_NAMES:
        SCREENSHOTS.mkdir(exist_ok=True)
        name = f"crisis-after-post-{SCREENSHOT_NAMES[width]}{'' if javascript else '-no-js'}"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@both_ways
@pytest.mark.parametrize("width", [320, 375])
def test_after_a_crisis_reply_the_helplines_are_in_view(open_page, harbor, width, javascript):
    topic = harbor.post_topic("Opener", f"A hard week {width} {javascript}", "How is everyone?")
    page = open_page(width, javascript)
    page.goto(topic.topic_path)
    page.get_by_label("Your reply").fill(CRISIS_TEXT)
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url("**#helplines-first")
    on_screen(page, "#helplines-first-heading")


@pytest.mark.parametrize("width", [320, 375])
def test_the_live_draft_panel_shows_beside_the_text_box_on_a_phone(open_page, width):
    page = open_page(width, True)
    write_topic(page, "Tonight", "")
    page.get_by_label("Your post").press_sequentially(CRISIS_TEXT[:40])
    page.get_by_label("Your post").fill(CRISIS_TEXT)
    page.locator("#draft-helplines").wait_for(state="visible")
    page.wait_for_timeout(300)  # the panel's one scroll into view
    on_screen(page, "#draft-helplines-heading")
    # beside the text box: nothing between the two but the box's own hint and errors
    box = page.get_by_label("Your post").bounding_box()
    panel = page.locator("#draft-helplines").bounding_box()
    assert 0 <= panel["y"] - (box["y"] + box["height"]) < 40


@both_ways
@pytest.mark.parametrize("width", [320, 375])
def test_the_identifying_warning_is_in_view_and_focused_after_post(open_page, width, javascript):
    page = open_page(width, javascript)
    write_topic(page, "Someone to talk to", IDENTIFYING_TEXT)
    page.get_by_role("button", name="Post topic").click()
    page.locator("#identifying-warning").wait_for()
    on_screen(page, "#identifying-heading")
    if javascript:  # the focus, as a screen reader would start: read through the page's script
        assert page.evaluate("document.activeElement.id") == "identifying-warning"
    else:
        assert page.locator("#identifying-warning").get_attribute("autofocus") is not None


@pytest.mark.parametrize("width", [375, 1280])
def test_the_help_page_without_a_region_asks_where_first(browser, harbor, width):
    context = browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]}, base_url=harbor.url
    )
    page = context.new_page()
    page.goto("/help/")
    on_screen(page, "#region-heading")
    assert page.get_by_label("Country or region").bounding_box()["y"] < WIDTHS[width]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"help-no-region-{SCREENSHOT_NAMES[width]}.png"))
    context.close()


def test_a_reader_of_a_crisis_topic_gets_guidance_and_no_reactions(open_page, harbor):
    topic = harbor.post_topic("Hurting", "Tonight, reader view", CRISIS_TEXT)
    page = open_page(375, True)
    page.goto(topic.topic_path)
    assert page.locator(".resources-panel").count() == 1
    assert page.locator("form.reactions").count() == 0
    page.get_by_label("Your reply").scroll_into_view_if_needed()
    guidance = page.locator(".reply-with-care").bounding_box()
    box = page.get_by_label("Your reply").bounding_box()
    assert guidance["y"] < box["y"] and box["y"] - (guidance["y"] + guidance["height"]) < 200
    page.locator(".reply-with-care").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "crisis-topic-reader-phone.png"))


@both_ways
def test_crisis_words_with_identifying_details_keep_the_helplines_in_view(open_page, javascript):
    page = open_page(320, javascript)
    write_topic(page, "Tonight, and my email", f"{CRISIS_TEXT} {IDENTIFYING_TEXT}")
    page.get_by_role("button", name="Post topic").click()
    page.locator("#identifying-warning").wait_for()
    on_screen(page, "#helplines-first-heading")
