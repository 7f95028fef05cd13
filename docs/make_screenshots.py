"""Screenshots of Harbor's main pages for the README: light and dark, phone and desktop.

Run from the project root (needs Debian's Chromium and the test extras):

    python -m docs.make_screenshots

It serves Harbor with the demo content on a throwaway database, in this process, and writes
docs/screenshots/<page>-<light|dark>-<phone|desktop>.png: what a person sees on opening each
page, at its viewport's size.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from forum.data.models import Post, Role, Topic, User
from forum.data.reactions import react
from forum.extensions import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS
from tests.browser.live_server import HELD_KEYWORD, PASSWORD, LiveHarbor, start_harbor

OUT = Path(__file__).resolve().parent / "screenshots"
SHOWN_TOPIC = "Slipped after 40 days"
MEMBER = "Sam"
MODERATOR = "HarborMod"
# who is logged in for which pages: a member for the forum, a moderator for the review queue
PAGES_BY_VIEWER = {
    MEMBER: ["home", "topic", "new-topic", "help"],
    MODERATOR: ["review-queue", "review-item"],
}


def set_the_scene(harbor: LiveHarbor) -> dict[str, str]:
    """Reactions on the shown topic, a post held for review; the pages to photograph."""
    harbor.member(MEMBER)
    harbor.member(MODERATOR, Role.MODERATOR)
    held = harbor.post_topic(
        "Heated", "Stop telling me what to do", f"If one more person lectures me, {HELD_KEYWORD}."
    )
    with harbor.app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.title == SHOWN_TOPIC))
        first, reply = db.session.scalars(
            select(Post).where(Post.topic_id == topic.id).order_by(Post.number)
        ).all()
        members = {user.pseudonym: user for user in db.session.scalars(select(User))}
        for name, kind in [
            ("TideTurner", "hear_you"),
            ("QuietHarbor", "strength"),
            ("MorningCoffee", "hear_you"),
            (MEMBER, "strength"),
        ]:
            react(first, members[name], kind)
        react(reply, members["StillHere22"], "hear_you")
        db.session.commit()
        topic_path = f"/t/{topic.id}"
    return {
        "home": "/",
        "topic": topic_path,
        "new-topic": "/b/day-by-day/new",
        "help": "/help/",
        "review-queue": "/review/",
        "review-item": f"/review/{held.review_item_id}",
    }


def log_in(page: Page, pseudonym: str) -> None:
    page.goto("/login")
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def prepare(page: Page, name: str) -> None:
    """Show each page at its most telling: a draft with its preview, a warning opened."""
    if name == "new-topic":
        page.get_by_label("Title").fill("Three months, and a wobble")
        page.get_by_label("Your post").fill(
            "Three months today. **Proud**, and a bit scared of the weekend.\n\n"
            ":::cw drinking\nThere's a wedding on Saturday with a free bar.\n:::"
        )
        page.locator("#draft-preview details").first.wait_for()
        page.get_by_label("Your post").blur()
        page.locator("#draft-preview").scroll_into_view_if_needed()
    elif name == "topic":
        page.locator("details.cw-post > summary").click()
        page.locator("details.cw-post > summary").blur()


def photograph(browser: Browser, base_url: str, pages: dict[str, str]) -> None:
    for scheme in ("light", "dark"):
        for viewport, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size, color_scheme=scheme, base_url=base_url)
            page = context.new_page()
            for who, names in PAGES_BY_VIEWER.items():
                context.clear_cookies()
                log_in(page, who)
                for name in names:
                    page.goto(pages[name])
                    prepare(page, name)
                    path = OUT / f"{name}-{scheme}-{viewport}.png"
                    page.screenshot(path=str(path))
                    print(f"docs/screenshots/{path.name}: {path.stat().st_size:,} bytes")
            context.close()


def main() -> int:
    if not CHROMIUM.exists():
        print("Needs Debian's Chromium at /usr/bin/chromium.", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    harbor = start_harbor(Path(tempfile.mkdtemp(prefix="harbor-screenshots-")))
    try:
        pages = set_the_scene(harbor)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            photograph(browser, harbor.url, pages)
            browser.close()
    finally:
        harbor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
