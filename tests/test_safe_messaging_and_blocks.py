"""Issue 14: safe messaging on a crisis post, and blocking a member, through the real forms."""

import json
import re

from sqlalchemy import select

from forum.data.models import Post, Role, User
from forum.data.notifications import Notification
from forum.data.review import AuditEntry
from forum.extensions import db
from tests.conftest import make_user
from tests.test_crisis_never_refused import CRISIS_REPLY
from tests.test_fellowship_mentorship import paired, send


def topic_by(forms, body: str, title: str = "Tonight") -> str:
    response = forms.submit("/b/day-by-day/new", {"title": title, "body": body})
    assert response.status_code == 302
    return response.location.split("#")[0]


def post_id_with(app, words: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.body.contains(words)))


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_a_crisis_post_offers_no_reactions_and_guides_the_reply(app, new_forms, boards):
    writer, reader = new_forms(), new_forms()
    writer.signup("Struggling")
    reader.signup("Reader")
    ordinary = topic_by(writer, "Ninety days today, and grateful.", title="Ninety")
    assert 'class="reactions"' in text(reader.get(ordinary))
    assert "Replying to someone who is struggling" not in text(reader.get(ordinary))
    crisis = topic_by(writer, CRISIS_REPLY)
    page = text(reader.get(crisis))
    assert 'class="reactions"' not in page and "Me too" not in page
    assert "resources-panel" in page
    guidance = page.index("Replying to someone who is struggling")
    assert page.index('id="reply-heading"') < guidance < page.index('name="body"')
    refused = reader.submit(
        crisis, {"kind": "me_too"}, action=f"/p/{post_id_with(app, 'pills ready')}/react"
    )
    assert refused.status_code == 403


def test_a_moderator_hides_method_details_from_readers_with_a_reason(app, new_forms, boards):
    writer, reader, mod = new_forms(), new_forms(), new_forms()
    writer.signup("Writer")
    reader.signup("Reader")
    make_user(app, "Mod", Role.MODERATOR)
    mod.login("Mod")
    topic = topic_by(writer, f"{CRISIS_REPLY} I counted out forty of them.")
    post_id = post_id_with(app, "forty of them")
    reason = "it described a method, which can put others at risk"
    assert "Tonight" in text(reader.get("/search?q=forty"))
    hidden = mod.submit(topic, {"reason": reason}, action=f"/p/{post_id}/hide-details")
    assert hidden.status_code == 302
    page = text(reader.get(topic))
    assert "forty of them" not in page and reason in page
    assert "Tonight" not in text(reader.get("/search?q=forty"))  # nor found by a search
    assert "forty of them" in text(writer.get(topic))  # the writer still reads their post
    assert "forty of them" in text(mod.get(topic))
    # only moderators may, and every step is in the audit log, and can be undone
    assert (
        reader.submit(topic, {"reason": "x"}, action=f"/p/{post_id}/hide-details").status_code
        == 403
    )
    assert mod.submit(topic, {}, action=f"/p/{post_id}/show-details").status_code == 302
    assert "forty of them" in text(reader.get(topic))
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == post_id)
            .order_by(AuditEntry.id)
        ).all()
    assert [a for a in actions if a.endswith("_details")] == ["hide_details", "show_details"]


def test_blocking_hides_their_posts_for_you_only_and_they_are_not_told(app, new_forms, boards):
    target, blocker, other = new_forms(), new_forms(), new_forms()
    target.signup("Hurtful")
    blocker.signup("Hurt")
    other.signup("Other")
    topic = topic_by(target, "You lot are pathetic, honestly.", title="Rant")
    author_id = post_id_with(app, "pathetic")
    with app.app_context():
        author_id = db.session.get(Post, author_id).author_id
    assert "Block Hurtful" in text(blocker.get(topic))
    done = blocker.submit(topic, {}, action=f"/members/{author_id}/block?next={topic}")
    assert done.status_code == 302 and done.location.endswith(topic)
    page = text(blocker.get(topic))
    assert "pathetic" not in page and "You blocked this member" in page
    assert "pathetic" in text(other.get(topic))  # only for the one who blocked
    assert "block" not in text(target.get("/account/messages")).lower()  # not told
    mine = blocker.get("/account/data/export").get_json()
    assert [b["pseudonym"] for b in mine["members_you_blocked"]] == ["Hurtful"]
    theirs = target.get("/account/data/export").get_json()
    assert theirs["members_you_blocked"] == [] and '"Hurt"' not in json.dumps(theirs)
    assert "Hurtful" in text(blocker.get("/account/blocked"))
    # the one who blocked hears nothing of their replies in a topic they follow
    mine = topic_by(blocker, "A quiet thread.", title="Quiet")
    target.submit(mine, {"body": "Pathetic thread."}, action=f"{mine}/reply")
    other.submit(mine, {"body": "Lovely thread."}, action=f"{mine}/reply")
    with app.app_context():
        notes = db.session.scalars(
            select(Notification.event_count)
            .join(User, User.id == Notification.user_id)
            .where(User.pseudonym == "Hurt", Notification.topic_id.is_not(None))
        ).all()
    assert notes == [1]  # the other member's reply, not the blocked one's
    blocker.submit("/account/blocked", {}, action=f"/members/{author_id}/unblock")
    assert "pathetic" in text(blocker.get(topic))


def test_a_moderators_block_never_hides_a_crisis_post_from_them(app, new_forms, boards):
    writer, mod = new_forms(), new_forms()
    writer.signup("Writer")
    make_user(app, "Mod", Role.MODERATOR)
    mod.login("Mod")
    ordinary = topic_by(writer, "An ordinary day.", title="Ordinary")
    crisis = topic_by(writer, CRISIS_REPLY)
    with app.app_context():
        author_id = db.session.get(Post, post_id_with(app, "ordinary day")).author_id
    mod.submit(ordinary, {}, action=f"/members/{author_id}/block")
    assert "An ordinary day." not in text(mod.get(ordinary))
    assert "pills ready" in text(mod.get(crisis))


def member_id(app, pseudonym: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.pseudonym == pseudonym))


def pages_of(forms, url: str) -> list[str]:
    """Every page of a keyset-paged list, following its "older" links."""
    pages = [text(forms.get(url))]
    while older := re.search(r'href="([^"]+before=[^"]+)" rel="next"', pages[-1]):
        pages.append(text(forms.get(older.group(1).replace("&amp;", "&"))))
    return pages


def test_blocking_leaves_their_topics_out_of_board_lists_and_pages_stay_full(
    app, new_forms, boards
):
    app.config["HARBOR_TOPICS_PER_PAGE"] = 2
    target, blocker, other = new_forms(), new_forms(), new_forms()
    target.signup("Hurtful")
    blocker.signup("Hurt")
    other.signup("Other")
    for n in range(3):  # newest first: Kind 2, Harsh 2, Kind 1, Harsh 1, Kind 0, Harsh 0
        topic_by(target, "You lot are pathetic.", title=f"Harsh {n}")
        topic_by(other, "A good day.", title=f"Kind {n}")
    blocker.submit("/b/day-by-day", {}, action=f"/members/{member_id(app, 'Hurtful')}/block")
    pages = pages_of(blocker, "/b/day-by-day")
    # filtered before the page is cut: two full pages of the other member's, then one
    assert [re.findall(r">(Kind \d|Harsh \d)</a>", page) for page in pages] == [
        ["Kind 2", "Kind 1"],
        ["Kind 0"],
    ]
    assert "Topics started by members you blocked are hidden for you" in pages[0]
    everyone = "".join(pages_of(other, "/b/day-by-day"))
    assert all(f"Harsh {n}" in everyone for n in range(3)) and "you blocked" not in everyone
    blocker.submit("/account/blocked", {}, action=f"/members/{member_id(app, 'Hurtful')}/unblock")
    assert "Harsh 2" in text(blocker.get("/b/day-by-day"))


def test_blocking_leaves_their_posts_out_of_search_results_and_pages_stay_full(
    app, new_forms, boards
):
    app.config["HARBOR_SEARCH_RESULTS_PER_PAGE"] = 2
    target, blocker, other = new_forms(), new_forms(), new_forms()
    target.signup("Hurtful")
    blocker.signup("Hurt")
    other.signup("Other")
    for n in range(3):
        topic_by(target, f"compass harsh{n}", title=f"Harsh {n}")
        topic_by(other, f"compass kind{n}", title=f"Kind {n}")
    blocker.submit("/search", {}, action=f"/members/{member_id(app, 'Hurtful')}/block")
    pages = pages_of(blocker, "/search?q=compass")
    assert [re.findall(r"(kind\d|harsh\d)", page) for page in pages] == [
        ["kind2", "kind1"],
        ["kind0"],
    ]
    assert "Posts by members you blocked are left out of these results" in pages[0]
    assert len(re.findall(r"harsh\d", "".join(pages_of(other, "/search?q=compass")))) == 3


def test_a_moderators_block_keeps_crisis_topics_in_their_lists_and_the_queue(
    app, new_forms, boards
):
    writer, mod = new_forms(), new_forms()
    writer.signup("Writer")
    make_user(app, "Mod", Role.MODERATOR)
    mod.login("Mod")
    topic_by(writer, "An ordinary compass day.", title="Ordinary")
    topic_by(writer, f"{CRISIS_REPLY} compass", title="Tonight")
    mod.submit("/b/day-by-day", {}, action=f"/members/{member_id(app, 'Writer')}/block")
    board = text(mod.get("/b/day-by-day"))
    assert ">Tonight</a>" in board and ">Ordinary</a>" not in board
    results = text(mod.get("/search?q=compass"))
    assert "pills ready" in results and "ordinary" not in results.lower()
    assert "pills ready" in text(mod.get("/review/"))  # the queue is never filtered by a block


def test_blocking_hides_their_private_messages(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    assert send(guide, pair, "You're hopeless, you know that?").status_code == 302
    conversation = f"/mentorship/{pair}"
    page = text(newcomer.get(conversation))
    assert "hopeless" in page and "Block Sponsor" in page
    with app.app_context():
        guide_id = db.session.scalar(select(User.id).where(User.pseudonym == "Sponsor"))
    newcomer.submit(conversation, {}, action=f"/members/{guide_id}/block")
    page = text(newcomer.get(conversation))
    assert "hopeless" not in page and "You blocked Sponsor" in page
    assert "hopeless" in text(guide.get(conversation))
