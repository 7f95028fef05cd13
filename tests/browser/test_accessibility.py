"""Issue 7: keyboard-only use, the dark theme, and pages that work with JavaScript off."""

import pytest

from forum.data.models import Role
from tests.browser.live_server import HELD_KEYWORD

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install -e '.[test]')"
).expect

# what a keyboard user must be able to reach with Tab
INTERACTIVE = "a[href], button, input:not([type=hidden]), textarea, select, summary"

MARK_REACHABLE = """(selector) => {
  const closedAround = (el) => {
    const details = el.parentElement && el.parentElement.closest("details:not([open])");
    return details && !(el.tagName === "SUMMARY" && el.parentElement === details);
  };
  // a group of radio buttons is one Tab stop (its checked button, else its first); the
  // arrow keys move within it
  const radioStop = (el) => {
    if (el.type !== "radio") return true;
    const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
    return el === (group.find((radio) => radio.checked) || group[0]);
  };
  const wanted = [...document.querySelectorAll(selector)].filter((el) =>
    el.tabIndex >= 0 && !el.disabled && !closedAround(el) && el.checkVisibility() && radioStop(el)
  );
  wanted.forEach((el, index) => { el.dataset.keyboard = String(index); });
  return wanted.map((el) => el.outerHTML.slice(0, 120));
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return { index: el.dataset.keyboard ?? null, visible: outlined, tag: el.tagName };
}"""


def tab_through(page) -> tuple[list[str], set[int], list[str]]:  # noqa: ANN001
    """Tab from the top of the page; the controls present, those reached, those without focus."""
    controls = page.evaluate(MARK_REACHABLE, INTERACTIVE)
    reached: set[int] = set()
    unmarked: list[str] = []
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["index"] is None:
            continue
        reached.add(int(focused["index"]))
        if not focused["visible"]:
            unmarked.append(controls[int(focused["index"])])
    return controls, reached, unmarked


def test_keyboard_reaches_every_control_with_a_visible_focus(open_visit, harbor):
    held = harbor.post_topic("KeyboardWriter", "Held for the keyboard", f"A {HELD_KEYWORD} post")
    topic = harbor.post_topic(
        "KeyboardWriter",
        "A topic for the keyboard",
        "Hello.\n\n:::cw grief\nInside a warning.\n:::",
        content_warning="grief",
    )
    harbor.post_reply("KeyboardFriend", topic.topic_id, "Reply with a [link](https://example.org).")
    pages = {
        None: ["/", "/help/", "/signup", topic.topic_path],
        "KeyboardMember": ["/", topic.topic_path, "/b/day-by-day/new", "/account/messages"],
        "KeyboardModerator": ["/review/", f"/review/{held.review_item_id}"],
    }
    harbor.member("KeyboardModerator", Role.MODERATOR)
    for who, urls in pages.items():
        visit = open_visit("desktop")
        if who:
            visit.log_in(who)
        for url in urls:
            visit.page.goto(url)
            controls, reached, unmarked = tab_through(visit.page)
            assert len(controls) > 5, url
            missed = [controls[i] for i in range(len(controls)) if i not in reached]
            assert missed == [], f"{url} as {who}: Tab never reaches {missed}"
            assert unmarked == [], f"{url} as {who}: no visible focus on {unmarked}"


def test_skip_link_is_first_and_moves_to_the_content(open_visit):
    page = open_visit("phone").page
    page.goto("/help/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    first_in_main = page.evaluate("() => document.activeElement.closest('main') !== null")
    assert first_in_main


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_dark_theme_pages_are_accessible(open_visit, harbor, viewport):
    topic = harbor.post_topic(
        "DarkWriter", f"Dark theme {viewport}", "Night shift.", content_warning="drinking"
    )
    harbor.post_reply("DarkFriend", topic.topic_id, "**Sending strength.**")
    visit = open_visit(viewport, color_scheme="dark")
    page = visit.page
    for name, url in [("home", "/"), ("help", "/help/"), ("signup", "/signup")]:
        page.goto(url)
        visit.assert_accessible(f"dark-{name}")
    red, green, blue = page.evaluate(
        "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)"
    )
    assert max(red, green, blue) < 60, "the dark theme should have a dark background"
    visit.log_in(f"DarkReader_{viewport}")
    page.goto(topic.topic_path)
    page.locator("details.cw-post > summary").click()
    visit.assert_accessible("dark-topic")
    page.goto("/b/day-by-day/new")
    page.get_by_label("Your post").fill("Checking the *preview* in the dark.")
    expect(page.locator("#draft-preview em")).to_have_text("preview")
    visit.assert_accessible("dark-new-topic")
    visit.screenshot("dark-new-topic")


def test_pages_fit_a_320px_phone_without_sideways_scrolling(open_visit, harbor):
    topic = harbor.post_topic(
        "NarrowWriter",
        "A long-winded title that has to wrap on the narrowest phone screens",
        "A link: https://example.org/a/very/long/path/that/should/not/push/the/page/wider/ok\n\n"
        ":::cw relapse details with a long label\nInside.\n:::",
        content_warning="a fairly long content warning label",
    )
    harbor.member("NarrowModerator", Role.MODERATOR)
    visit = open_visit("desktop")
    page = visit.page
    page.set_viewport_size({"width": 320, "height": 640})
    visit.log_in("NarrowModerator")
    for url in ["/", "/b/day-by-day", topic.topic_path, "/b/day-by-day/new", "/help/", "/review/"]:
        page.goto(url)
        if url == topic.topic_path:
            page.locator("details.cw > summary").first.click()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width}px wide at 320px"


def test_reading_posting_reacting_and_warnings_work_without_javascript(open_visit, harbor):
    topic = harbor.post_topic("NoScriptWriter", "Read without script", "Plain and simple.")
    visit = open_visit("phone", java_script_enabled=False)
    page = visit.page
    visit.log_in("NoScriptReader")
    page.goto(topic.topic_path)
    page.get_by_role("button", name="Me too").click()
    expect(page.get_by_role("status")).to_contain_text("You sent “Me too”")
    expect(page.get_by_role("button", name="Me too")).to_have_attribute("aria-pressed", "true")

    page.get_by_label("Your reply").fill("Me too, every evening. Still here.")
    page.get_by_label("Content warning (optional)").fill("drug use")
    expect(page.locator("#draft-preview")).to_be_hidden()  # the preview needs the script
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator("ol.posts > li").last
    summary = reply.locator("details.cw-post > summary")
    expect(summary).to_have_text("Content warning: drug use")
    expect(reply.get_by_text("Still here.")).to_be_hidden()
    summary.click()
    expect(reply.get_by_text("Still here.")).to_be_visible()
    page.get_by_role("button", name="Mute this topic").click()
    expect(page.get_by_text("muted this topic")).to_be_visible()


def test_axe_does_find_problems_when_there_are_some(open_visit):
    """Guards the other tests: a page with known faults must fail the same check."""
    visit = open_visit("desktop")
    visit.page.goto("/help/")
    assert "default-src 'self'" in visit.page.evaluate(
        "async () => (await fetch('/help/')).headers.get('content-security-policy')"
    )
    visit.page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", '<input type="text"><button></button>');
        }"""
    )
    with pytest.raises(AssertionError, match="button-name"):
        visit.assert_accessible("deliberately-broken")
