"""Issue 17: a writer says what kind of replies they want; repliers see it above the reply
box; and the daily places are in the main navigation."""

import re

from sqlalchemy import event

from forum.extensions import db
from tests.fellowship_support import member, text


def test_the_writer_chooses_and_repliers_see_it_above_the_reply_box(app, new_forms, boards):
    writer = member(new_forms, "Listener Wanted")
    form = text(writer.get("/b/day-by-day/new"))
    for label in (
        "Any kind of reply",
        "Just listen",
        "Advice welcome",
        "Share your experience",
        "A mentor&#39;s view",
    ):
        assert label in form or label.replace("&#39;", "'") in form
    posted = writer.submit(
        "/b/day-by-day/new",
        {
            "title": "Rough evening",
            "body": "I don't want fixing tonight.",
            "support_wanted": "listen",
        },
    )
    topic_path = posted.location.split("#")[0]
    page = text(member(new_forms, "Replier").get(topic_path))
    wanted = page.index("Listener Wanted asked for: Just listen.")
    assert page.index('id="reply-heading"') < wanted < page.index('name="body"')
    assert (
        "Please don&#39;t give advice unless they ask" in page or "Please don't give advice" in page
    )

    plain = writer.submit("/b/day-by-day/new", {"title": "Any replies", "body": "Hello."})
    assert "asked for:" not in text(new_forms().get(plain.location.split("#")[0]))
    refused = writer.submit(
        "/b/day-by-day/new", {"title": "Odd", "body": "Hi.", "support_wanted": "shouting"}
    )
    assert refused.status_code == 200 and "Not a valid choice" in text(refused)


def test_the_topic_page_reads_support_wanted_without_another_query(app, new_forms, boards):
    writer = member(new_forms, "Counter")
    plain = writer.submit("/b/day-by-day/new", {"title": "Plain", "body": "One."})
    wanted = writer.submit(
        "/b/day-by-day/new", {"title": "Wanted", "body": "Two.", "support_wanted": "advice"}
    )
    reader = new_forms()

    def statements(path: str) -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
        record = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", record)
        try:
            reader.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    paths = [r.location.split("#")[0] for r in (plain, wanted)]
    statements(paths[0])  # warm up
    assert statements(paths[1]) == statements(paths[0])


def test_the_daily_places_are_in_the_main_navigation(app, new_forms):
    someone = member(new_forms, "Navigator")
    page = text(someone.get("/"))
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    for path in ("/pledge", "/today", "/journal", "/library", "/recovery", "/mentors"):
        assert re.search(rf'<a href="{path}">', nav), path
    guest_nav = text(new_forms().get("/"))
    assert 'href="/pledge"' not in guest_nav
