"""Screenshots of Harbor's main pages for the README: light and dark, phone and desktop.

Run from the project root (needs Debian's Chromium and the test extras):

    python -m docs.make_screenshots [page ...]   # e.g. review-queue review-item; default all

It serves Harbor with the demo content on a throwaway database, in this process, and writes
docs/screenshots/<page>-<light|dark>-<phone|desktop>.png: what a person sees on opening each
page, at its viewport's size.
"""

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from forum.data.models import Post, Role, Topic, User, utcnow
from forum.data.reactions import react
from forum.extensions import db
from tests.browser.conftest import VIEWPORTS
from tests.browser.live_server import HELD_KEYWORD, PASSWORD, LiveHarbor, start_harbor
from tests.page_watch import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parent / "screenshots"
SHOWN_TOPIC = "Slipped after 40 days"
MEMBER = "Sam"
MODERATOR = "HarborMod"
# who is logged in for which pages: a member for the forum, a moderator for the review queue
PAGES_BY_VIEWER = {
    MEMBER: ["home", "topic", "new-topic", "help", "pledge", "sos", "library", "journal"],
    MODERATOR: ["review-queue", "review-item"],
}


CRISIS_NIGHT = [
    ("Can't sleep again", "I have the pills ready and I want to end it all tonight."),
    ("Still here", "Nobody would notice if I was gone. I keep thinking about ending it."),
    ("Sorry for the posts", "I don't want to be here anymore. I've written the letters."),
]


def set_the_scene(harbor: LiveHarbor) -> dict[str, str]:
    """Reactions on the shown topic, a post held for review, one member's three crisis posts
    (one group in the queue; the moderator has claimed the first); the pages to photograph."""
    from forum.data.review import ReviewItem
    from forum.flow.review_actions import claim

    harbor.member(MEMBER)
    harbor.member(MODERATOR, Role.MODERATOR)
    harbor.post_topic(
        "Heated", "Stop telling me what to do", f"If one more person lectures me, {HELD_KEYWORD}."
    )
    crisis = [harbor.post_topic("Driftwood", title, body) for title, body in CRISIS_NIGHT]
    with harbor.app.app_context():
        moderator = db.session.scalar(select(User).where(User.pseudonym == MODERATOR))
        claim(db.session.get(ReviewItem, crisis[0].review_item_id), moderator)
        db.session.commit()
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
        practice_history(members[MEMBER])
    return {
        "home": "/",
        "topic": topic_path,
        "new-topic": "/b/day-by-day/new",
        "help": "/help/",
        "pledge": "/pledge",
        "sos": "/sos",
        "library": "/library",
        "journal": "/journal",
        "review-queue": "/review/",
        "review-item": f"/review/{crisis[0].review_item_id}",
    }


# a month of Sam's journal: (days ago, mood, craving, words); SOS pressed on some of those days
JOURNAL = [
    (27, 2, 8, "Third day. Shaky, and the evening was long."),
    (25, 2, 7, "Walked to the park instead of the shop."),
    (22, 3, 6, "Work was stressful; the craving came at five."),
    (20, 3, 5, "Cooked dinner. Felt almost normal."),
    (17, 2, 8, "Payday. Hard. Rode it out with the timer."),
    (15, 3, 4, "A quiet day."),
    (12, 4, 4, "Slept through the night for the first time."),
    (10, 4, 3, "Coffee with my sister."),
    (7, 3, 5, "A wedding invitation: nervous already."),
    (5, 4, 2, "Good day. Garden."),
    (3, 4, 3, "Meeting in the morning, then a long walk."),
    (1, 5, 2, "Three weeks of pledges in a row."),
]
SOS_DAYS_AGO = (27, 17, 7)


def practice_history(member: User) -> None:
    """Sam's pledges (a run of 21 days), a month of journal entries, SOS presses, reasons."""
    from forum.practice.models import JournalEntry, Pledge, SosUse
    from forum.practice.sealing import profile_for_writing, seal
    from forum.practice.sos import set_reasons

    member.time_zone = "Europe/London"
    profile = profile_for_writing(member.id)
    profile.show_streak = True
    db.session.flush()
    today = utcnow().date()
    for days_ago in range(1, 22):
        words = seal(profile, "pledge", "Just for today, I won't drink.")
        db.session.add(
            Pledge(user_id=member.id, day=today - timedelta(days=days_ago), words_sealed=words)
        )
    for days_ago, mood, craving, words in JOURNAL:
        payload = json.dumps({"body": words, "triggers": ["stress"] if craving > 5 else []})
        db.session.add(
            JournalEntry(
                user_id=member.id,
                written_at=utcnow() - timedelta(days=days_ago),
                day=today - timedelta(days=days_ago),
                mood=mood,
                craving=craving,
                sealed=seal(profile, "journal", payload),
            )
        )
    for days_ago in SOS_DAYS_AGO:
        db.session.add(SosUse(user_id=member.id, day=today - timedelta(days=days_ago)))
    set_reasons(member, "My daughter's face at breakfast\nMornings without a headache\nThe money")
    db.session.commit()


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
    elif name == "journal":
        page.locator(".journal-chart").scroll_into_view_if_needed()
    elif name == "sos":
        page.get_by_role("button", name="Start the 10-minute timer").click()
        page.wait_for_timeout(1200)
    elif name == "topic":
        page.locator("details.cw-post > summary").click()
        page.locator("details.cw-post > summary").blur()


def photograph(
    browser: Browser, base_url: str, pages: dict[str, str], only: list[str] | None = None
) -> None:
    for scheme in ("light", "dark"):
        for viewport, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size, color_scheme=scheme, base_url=base_url)
            page = context.new_page()
            for who, names in PAGES_BY_VIEWER.items():
                names = [name for name in names if not only or name in only]
                if not names:
                    continue
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
            photograph(browser, harbor.url, pages, sys.argv[1:])
            browser.close()
    finally:
        harbor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
