"""Issue 8: a newcomer's first post is marked "new here" and listed until someone replies."""

from datetime import timedelta

from sqlalchemy import select, update

from forum.data.clock import utcnow
from forum.data.models import Post, Role, Topic
from forum.extensions import db
from forum.fellowship import views
from tests.conftest import make_user
from tests.fellowship_support import member, no_writes, offer_help, text

NEW_HERE = '<span class="tag tag-new">new here</span>'


def start(client, title: str, body: str = "Hello, I'm new.") -> str:
    response = client.submit("/b/day-by-day/new", {"title": title, "body": body})
    assert response.status_code == 302
    return response.location.split("#")[0]


def reply(client, topic_url: str, body: str) -> None:
    assert client.submit(topic_url, {"body": body}, action=f"{topic_url}/reply").status_code == 302


def test_first_post_is_marked_for_moderators_and_welcomers_only(app, new_forms, boards):
    newcomer = member(new_forms, "FirstTimer")
    topic_url = start(newcomer, "Day 2")
    reply(newcomer, topic_url, "Adding a second post of mine.")
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    welcomer = member(new_forms, "Welcomer")
    offer_help(welcomer, welcoming=True)
    regular = member(new_forms, "Regular")

    for viewer in (moderator, welcomer):
        page = text(viewer.get(topic_url))
        assert page.count(NEW_HERE) == 1  # the first post, not the second
    assert NEW_HERE not in text(regular.get(topic_url))
    assert NEW_HERE not in text(new_forms().get(topic_url))  # a guest
    assert regular.get("/welcome").status_code == 403


def test_welcome_list_keeps_first_posts_until_another_member_replies(app, new_forms, boards):
    newcomer = member(new_forms, "Arrived")
    topic_url = start(newcomer, "Just arrived")
    welcomer = member(new_forms, "Greeter")
    offer_help(welcomer, welcoming=True)
    with no_writes(app):
        page = text(welcomer.get("/welcome"))
    assert "Just arrived" in page and "Arrived in Day by day" in page

    reply(newcomer, topic_url, "Replying to myself does not count.")
    assert "Just arrived" in text(welcomer.get("/welcome"))
    reply(welcomer, topic_url, "Welcome! Glad you're here.")
    page = text(welcomer.get("/welcome"))
    assert "Arrived in Day by day" not in page
    # the greeter's reply is their own first post: it waits for a welcome in its turn
    assert "Greeter in Day by day" in page
    assert NEW_HERE in text(welcomer.get(topic_url))  # the mark stays on the post itself


def test_a_first_reply_is_a_first_post_too(app, new_forms, boards):
    old_hand = member(new_forms, "OldHand")
    topic_url = start(old_hand, "How was your weekend?")
    with app.app_context():  # OldHand has been around for a long time
        db.session.execute(update(Post).values(created_at=utcnow() - timedelta(days=90)))
        db.session.commit()
    shy = member(new_forms, "Shy")
    reply(shy, topic_url, "Quiet, sober, good.")
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    page = text(moderator.get("/welcome"))
    assert "How was your weekend?" in page and "(a reply)" in page and "Shy" in page
    assert "OldHand" not in page  # their first post is long past
    assert text(moderator.get(topic_url)).count(NEW_HERE) == 1


def test_welcome_list_pages_by_keyset(app, new_forms, boards, monkeypatch):
    monkeypatch.setattr(views, "WELCOME_PER_PAGE", 2)
    for name in ("Ana", "Ben", "Cat"):
        start(member(new_forms, name), f"{name} says hello")
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    first = text(moderator.get("/welcome"))
    assert "Ana says hello" in first and "Ben says hello" in first and "Cat" not in first
    more = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = text(moderator.get(more.replace("&amp;", "&")))
    assert "Cat says hello" in second and "Ana" not in second
    assert moderator.get("/welcome?after=nonsense").status_code == 400


def test_harbor_daily_thread_is_not_a_newcomer(app, new_forms, boards):
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    app.test_cli_runner().invoke(args=["harbor", "open-checkin"])
    with app.app_context():
        topic_id = db.session.scalar(select(Topic.id))
    assert NEW_HERE not in text(moderator.get(f"/t/{topic_id}"))
    assert "Just for today" not in text(moderator.get("/welcome"))
