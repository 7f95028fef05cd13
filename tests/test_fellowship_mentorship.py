"""Issue 8: mentorship, and the private conversation a newcomer's request opens."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from forum.data.clock import utcnow
from forum.data.models import PostStatus, Role, User
from forum.data.notifications import Notification
from forum.data.review import ReviewItem
from forum.extensions import db
from forum.fellowship.models import ConversationMessage, Mentorship, MessageReport
from tests.conftest import FormClient, make_user
from tests.fellowship_support import (
    item_ids,
    location_path,
    member,
    mentor,
    no_writes,
    offer_help,
    set_start,
    text,
    user_id,
)


def ask(client, mentor_id: int, note: str = "Day 9. I'd be grateful for someone to talk to."):
    return client.submit(f"/mentors/{mentor_id}/ask", {"note": note})


def mentorship_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Mentorship.id).order_by(Mentorship.id.desc()))


def notes_for(app, pseudonym: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.subject)
                .join(User, User.id == Notification.user_id)
                .where(User.pseudonym_key == pseudonym.casefold())
                .order_by(Notification.id)
            )
        )


def send(client, mentorship: int, body: str, **extra):
    # the token comes from the account page, which a member can always open
    return client.submit(
        "/account", {"body": body, **extra}, action=f"/mentorship/{mentorship}/messages"
    )


def paired(app, new_forms, mentor_name="Sponsor", newcomer_name="Newbie"):
    """A mentor and a newcomer whose request was accepted: (mentor, newcomer, mentorship id)."""
    guide = mentor(new_forms, mentor_name)
    newcomer = member(new_forms, newcomer_name)
    assert ask(newcomer, user_id(app, mentor_name)).status_code == 302
    pair = mentorship_id(app)
    assert guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept").status_code == 302
    return guide, newcomer, pair


def test_only_members_with_the_time_who_offer_are_listed(app, new_forms):
    steady = mentor(new_forms, "Steady", days=400)
    early = member(new_forms, "Early")
    set_start(early, days_ago=30)
    response = offer_help(early, mentoring=True)
    assert response.status_code == 400 and "at least 90 days" in text(response)
    quiet = member(new_forms, "NotOffering")
    set_start(quiet, days_ago=500)
    mentor(new_forms, "Borderline", days=90)

    viewer = member(new_forms, "Looking")
    with no_writes(app):
        page = text(viewer.get("/mentors"))
    assert "Steady" in page and "Borderline" in page
    assert "Early" not in page and "NotOffering" not in page
    assert "Ask Steady" in page and "Ask Steady" not in text(steady.get("/mentors"))
    assert viewer.get(f"/mentors/{user_id(app, 'Early')}/ask").status_code == 404


def test_the_minimum_time_is_a_setting(app, new_forms):
    app.config["HARBOR_MENTOR_MIN_DAYS"] = 30
    mentor(new_forms, "Thirty", days=30)
    assert "Thirty" in text(member(new_forms, "Viewer").get("/mentors"))


def test_request_accept_talk_end(app, new_forms):
    guide = mentor(new_forms, "Sponsor")
    newcomer = member(new_forms, "Newbie")
    guide_id = user_id(app, "Sponsor")
    response = ask(newcomer, guide_id, note="Day 9 and **scared**.")
    assert response.status_code == 302 and response.location == "/mentorship"
    assert notes_for(app, "Sponsor") == ["Newbie would like you to be their mentor"]
    pair = mentorship_id(app)
    requests = text(guide.get("/mentorship"))
    assert "<strong>scared</strong>" in requests and "Say yes" in requests
    # no conversation before the mentor says yes
    assert guide.get(f"/mentorship/{pair}").location == "/mentorship"
    assert send(newcomer, pair, "hello?").status_code == 403

    guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept")
    assert notes_for(app, "Newbie") == ["Sponsor said yes: they will be your mentor"]
    assert send(newcomer, pair, "Thank you. Rough night.").status_code == 302
    assert send(newcomer, pair, "Still awake.").status_code == 302
    with no_writes(app):
        conversation = text(guide.get(f"/mentorship/{pair}"))
    assert "Rough night" in conversation and "Still awake" in conversation
    assert "scared" in conversation  # the request's note begins the conversation
    # one unread note for however many messages
    assert notes_for(app, "Sponsor").count("A new message from Newbie") == 1
    assert send(guide, pair, "I'm here. Call a meeting buddy too.").status_code == 302
    assert "I'm here" in text(newcomer.get(f"/mentorship/{pair}"))

    # nobody else reads it, moderators included
    outsider = member(new_forms, "Outsider")
    assert outsider.get(f"/mentorship/{pair}").status_code == 404
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    assert moderator.get(f"/mentorship/{pair}").status_code == 404
    assert send(outsider, pair, "let me in").status_code == 404

    assert newcomer.submit("/mentorship", {}, action=f"/mentorship/{pair}/end").status_code == 302
    assert notes_for(app, "Sponsor")[-1] == "Newbie ended the mentorship"
    ended = text(guide.get(f"/mentorship/{pair}"))
    assert "This mentorship has ended" in ended and "Write to" not in ended
    response = send(guide, pair, "one more thing")
    assert response.status_code == 403 and "has ended" in text(response)
    # ended, they are free to ask someone else
    mentor(new_forms, "Another")
    assert ask(newcomer, user_id(app, "Another")).status_code == 302


def test_one_open_request_at_a_time_and_no_asking_yourself(app, new_forms):
    mentor(new_forms, "First")
    mentor(new_forms, "Second")
    newcomer = member(new_forms, "Eager")
    assert ask(newcomer, user_id(app, "First")).status_code == 302
    response = ask(newcomer, user_id(app, "Second"))
    assert response.status_code == 409 and "one at a time" in text(response)
    newcomer.submit("/mentorship", {}, action=f"/mentorship/{mentorship_id(app)}/end")
    assert ask(newcomer, user_id(app, "Second")).status_code == 302
    first = FormClient(app.test_client())
    first.login("First")
    assert first.get(f"/mentors/{user_id(app, 'First')}/ask").status_code == 404


def test_declined_request_is_answered_kindly(app, new_forms):
    guide = mentor(new_forms, "Busy")
    newcomer = member(new_forms, "Hopeful")
    ask(newcomer, user_id(app, "Busy"))
    pair = mentorship_id(app)
    assert (
        newcomer.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept").status_code == 403
    )
    guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/decline")
    assert notes_for(app, "Hopeful") == ["Busy can't be your mentor just now"]
    assert "not about you" in text(newcomer.get("/account/messages"))
    assert newcomer.get(f"/mentorship/{pair}").location == "/mentorship"
    assert guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept").status_code == 409


def test_held_message_is_delivered_only_when_a_moderator_approves(moderated_app, new_forms):
    app = moderated_app
    guide, newcomer, pair = paired(app, new_forms)
    assert send(newcomer, pair, "Something HOSTILE here").status_code == 302
    with app.app_context():
        message = db.session.scalar(
            select(ConversationMessage).order_by(ConversationMessage.id.desc())
        )
        assert message.status == PostStatus.HELD and "threat" in message.decision.flagged_labels
    assert "HOSTILE" not in text(guide.get(f"/mentorship/{pair}"))
    assert "waiting for a moderator" in text(newcomer.get(f"/mentorship/{pair}"))
    assert "A new message from Newbie" not in notes_for(app, "Sponsor")

    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    queue = text(moderator.get("/review/"))
    assert "A private message in a mentorship" in queue
    (item_id,) = item_ids(queue)
    item_page = text(moderator.get(f"/review/{item_id}"))
    assert "HOSTILE" in item_page
    assert "In its conversation" in item_page and "Day 9" in item_page
    assert 'value="edit"' not in item_page  # a message is delivered or removed, not edited
    response = moderator.submit(
        f"/review/{item_id}", {"action": "edit", "body": "x"}, action=f"/review/{item_id}/act"
    )
    assert response.status_code == 400
    moderator.submit(
        f"/review/{item_id}",
        {"action": "approve", "reason": "friends joking"},
        action=f"/review/{item_id}/act",
    )
    assert "HOSTILE" in text(guide.get(f"/mentorship/{pair}"))
    assert "A new message from Newbie" in notes_for(app, "Sponsor")
    log = text(moderator.get(f"/review/{item_id}"))
    assert "Approved: friends joking" in log


def test_removed_message_tells_its_writer_and_leaves_a_stub(moderated_app, new_forms):
    app = moderated_app
    guide, newcomer, pair = paired(app, new_forms)
    send(guide, pair, "Something HOSTILE again")
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    (item_id,) = item_ids(text(moderator.get("/review/")))
    act = f"/review/{item_id}/act"
    moderator.submit(f"/review/{item_id}", {"action": "remove", "reason": "threats"}, action=act)
    assert "removed by a moderator" in text(guide.get(f"/mentorship/{pair}"))
    assert "A moderator removed a private message you sent" in notes_for(app, "Sponsor")
    # the writer can be silenced from the item, as with a post
    moderator.submit(f"/review/{item_id}", {"action": "reopen", "reason": "again"}, action=act)
    moderator.submit(
        f"/review/{item_id}", {"action": "silence", "days": "2", "reason": "cool off"}, action=act
    )
    with app.app_context():
        assert db.session.get(User, user_id(app, "Sponsor")).is_silenced()


def test_crisis_message_shows_the_writer_helplines_and_tops_the_queue(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    response = send(newcomer, pair, "I have the pills ready and I want to end it all tonight")
    page = text(newcomer.get(location_path(response)))
    assert "You don't have to go through this alone" in page
    assert "If either of you is struggling" in text(guide.get(f"/mentorship/{pair}"))
    with app.app_context():
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "crisis" and item.subject_type == "message" and item.priority >= 1000
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    item_page = text(moderator.get(f"/review/{item_ids(text(moderator.get('/review/')))[0]}"))
    assert "Crisis language" in item_page and "Reach out" in item_page


def test_identifying_details_warn_before_sending(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    draft = "Text me on 07700 900123 any time"
    response = send(newcomer, pair, draft)
    assert response.status_code == 200 and "this may identify you" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConversationMessage)) == 1
    assert send(newcomer, pair, draft, post_anyway="y").status_code == 302
    assert "07700 900123" in text(guide.get(f"/mentorship/{pair}"))
    with app.app_context():
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "identifying" and item.subject_type == "message"


def test_either_person_can_report_a_message_and_moderators_then_see_it(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    send(guide, pair, "You should stop going to meetings, they are pointless.")
    with app.app_context():
        message_id = db.session.scalar(
            select(ConversationMessage.id).order_by(ConversationMessage.id.desc())
        )
    report_url = f"/mentorship/messages/{message_id}/report"
    assert guide.get(report_url).status_code == 400  # not your own
    assert member(new_forms, "Stranger").get(report_url).status_code == 404
    assert newcomer.submit(report_url, {"reason": ""}).status_code == 400
    response = newcomer.submit(report_url, {"reason": "undermining my recovery"})
    assert response.status_code == 302
    again = newcomer.submit(report_url, {"reason": "again"}, follow_redirects=True)
    assert "already reported" in text(again)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MessageReport)) == 1
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "report" and item.subject_id == message_id
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    page = text(moderator.get(f"/review/{item.id}"))
    assert "stop going to meetings" in page and "undermining my recovery" in page
    assert "Day 9" in page  # the messages around it
    moderator.submit(
        f"/review/{item.id}",
        {"action": "warn", "reason": "Please be kind."},
        action=f"/review/{item.id}/act",
    )
    assert "A message from the moderators" in notes_for(app, "Sponsor")


def test_a_message_report_has_the_categories_of_a_post_report(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    send(guide, pair, "Send me your address and your full name, now.")
    with app.app_context():
        message_id = db.session.scalar(
            select(ConversationMessage.id).order_by(ConversationMessage.id.desc())
        )
    report_url = f"/mentorship/messages/{message_id}/report"
    form = text(newcomer.get(report_url))
    for label in ("Harassment or bullying", "Identifying details", "Spam or advertising"):
        assert label in form
    assert 'value="other" checked' in form
    assert 'value="worried" checked' in text(newcomer.get(f"{report_url}?kind=worried"))
    assert newcomer.submit(report_url, {"category": "gossip", "reason": ""}).status_code == 400
    # a chosen category needs no words; "Something else" does
    response = newcomer.submit(report_url, {"category": "harassment", "reason": ""})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(select(MessageReport))
        assert (report.kind, report.category) == ("report", "harassment")
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "report"
    make_user(app, "Mod", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Mod")
    assert "Harassment or bullying" in text(moderator.get(f"/review/{item.id}"))
    mine = newcomer.get("/account/data/export").get_json()["message_reports_made"]
    assert [each["category"] for each in mine] == ["harassment"]


def test_worried_report_opens_a_crisis_item(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    send(newcomer, pair, "Everything feels pointless lately.")
    with app.app_context():
        message_id = db.session.scalar(
            select(ConversationMessage.id).order_by(ConversationMessage.id.desc())
        )
    guide.submit(
        f"/mentorship/messages/{message_id}/report?kind=worried",
        {"reason": "they sound very low", "kind": "worried"},
    )
    with app.app_context():
        assert db.session.scalar(select(ReviewItem)).kind == "crisis"


def test_silenced_mentor_cannot_write_and_is_not_listed(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    mentor(new_forms, "Other")
    with app.app_context():
        db.session.get(User, user_id(app, "Sponsor")).silenced_until = utcnow() + timedelta(days=2)
        db.session.commit()
    response = send(guide, pair, "hello")
    assert response.status_code == 403 and "paused your posting" in text(response)
    page = text(guide.get(f"/mentorship/{pair}"))
    assert "paused your posting" in page and "Write to" not in page
    listing = text(member(new_forms, "Browsing").get("/mentors"))
    assert "Sponsor" not in listing and "Other" in listing
    asker = member(new_forms, "Asker")
    assert asker.get(f"/mentors/{user_id(app, 'Sponsor')}/ask").status_code == 404
    # the newcomer can still write; their mentor reads it when the pause ends
    assert send(newcomer, pair, "Thinking of you").status_code == 302


def test_silenced_mentor_cannot_take_on_a_request(app, new_forms):
    guide = mentor(new_forms, "Paused")
    newcomer = member(new_forms, "Waiting")
    ask(newcomer, user_id(app, "Paused"))
    with app.app_context():
        db.session.get(User, user_id(app, "Paused")).silenced_until = utcnow() + timedelta(days=1)
        db.session.commit()
    response = guide.submit("/mentorship", {}, action=f"/mentorship/{mentorship_id(app)}/accept")
    assert response.status_code == 403


def test_partner_who_deleted_their_account_leaves_a_readable_ended_conversation(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    send(newcomer, pair, "Thank you for everything.")
    send(guide, pair, "Any time. Keep going.")
    make_user(app, "Mod", Role.MODERATOR)
    with app.app_context():
        message_id = db.session.scalar(
            select(ConversationMessage.id).where(ConversationMessage.body.like("Any time%"))
        )
    newcomer.submit(
        f"/mentorship/messages/{message_id}/report",
        {"reason": "checking the report survives"},
    )
    with app.app_context():  # what deleting an account does: the row goes, references empty
        db.session.execute(delete(User).where(User.pseudonym_key == "sponsor"))
        db.session.commit()
        assert db.session.get(Mentorship, pair).mentor_id is None
    page = text(newcomer.get(f"/mentorship/{pair}"))
    assert "has left Harbor" in page and "former member" in page and "Write to" not in page
    assert "Any time. Keep going." in page
    response = send(newcomer, pair, "are you there?")
    assert response.status_code == 403
    overview = text(newcomer.get("/mentorship"))
    assert "A former member mentors you" in overview and "they left Harbor" in overview
    moderator = new_forms()
    moderator.login("Mod")
    queue = moderator.get("/review/")
    assert queue.status_code == 200 and "former member" in text(queue)
    item_page = moderator.get(f"/review/{item_ids(text(queue))[0]}")
    assert item_page.status_code == 200 and "A former member" in text(item_page)
    # the newcomer is free to find another mentor
    mentor(new_forms, "NextOne")
    assert ask(newcomer, user_id(app, "NextOne")).status_code == 302


def test_newcomer_who_deleted_their_account_leaves_the_mentor_a_readable_page(app, new_forms):
    guide, newcomer, pair = paired(app, new_forms)
    with app.app_context():
        db.session.execute(delete(User).where(User.pseudonym_key == "newbie"))
        db.session.commit()
    assert "has left Harbor" in text(guide.get(f"/mentorship/{pair}"))
    assert "You mentor a former member" in text(guide.get("/mentorship"))
    assert guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/end").status_code == 302


def test_worker_mode_delivers_a_message_once_scored(app, new_forms):
    from forum.flow.runtime import score_what_waits

    guide, newcomer, pair = paired(app, new_forms)
    app.config["HARBOR_SCORING"] = "worker"
    send(newcomer, pair, "Made it to a meeting today.")
    assert "Made it to a meeting" not in text(guide.get(f"/mentorship/{pair}"))
    assert "being checked" in text(newcomer.get(f"/mentorship/{pair}"))
    with app.app_context():
        assert score_what_waits(app.extensions["harbor_scoring"]) == 1
    assert "Made it to a meeting" in text(guide.get(f"/mentorship/{pair}"))


@pytest.fixture
def limited(limited_app):
    limited_app.config["HARBOR_MESSAGE_LIMIT"] = "3 per hour"
    limited_app.config["HARBOR_MENTOR_REQUEST_LIMIT"] = "2 per day"
    return limited_app


def test_messages_and_requests_are_rate_limited(limited):
    app = limited
    new_forms = lambda: FormClient(app.test_client())  # noqa: E731
    guide, newcomer, pair = paired(app, new_forms)
    codes = [send(newcomer, pair, f"message {n}").status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert send(guide, pair, "the mentor has their own allowance").status_code == 302

    mentor(new_forms, "Second")
    asker = member(new_forms, "Asker")
    second = user_id(app, "Second")
    codes = []
    for _ in range(3):
        codes.append(ask(asker, second).status_code)
        asker.submit("/mentorship", {}, action=f"/mentorship/{mentorship_id(app)}/end")
    assert codes == [302, 302, 429]


def test_demo_members_offer_mentoring(app, new_forms):
    assert app.test_cli_runner().invoke(args=["harbor", "seed-demo"]).exit_code == 0
    page = text(member(new_forms, "Visitor").get("/mentors"))
    assert "TideTurner" in page and "day 400" in page  # shows their count
    assert "Lighthouse_Keeper" in page and "day 1,200" not in page  # keeps it private
    assert "MorningCoffee" not in page


@pytest.mark.parametrize("posts", ["erase", "keep"])
def test_deleting_an_account_through_the_form_reaches_its_private_messages(app, new_forms, posts):
    guide, newcomer, pair = paired(app, new_forms)
    send(guide, pair, "Any time. Keep going.")
    response = guide.submit(
        "/account/data",
        {"posts": posts, "password": "correct horse battery"},
        action="/account/delete",
    )
    assert response.status_code == 302
    page = text(newcomer.get(f"/mentorship/{pair}"))
    assert "former member" in page and "has left Harbor" in page
    if posts == "erase":
        assert "Any time. Keep going." not in page
        assert "This message was removed by its author." in page
    else:
        assert "Any time. Keep going." in page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ConversationMessage)
                .where(
                    ConversationMessage.author_id.is_not(None),
                    ConversationMessage.body.like("Any time%"),
                )
            )
            == 0
        )


def test_a_long_conversation_pages_back_to_its_first_message(app, new_forms):
    """The newest 50 messages, oldest first, then "Earlier messages" for the rest."""
    guide, _, pair = paired(app, new_forms)
    with app.app_context():
        writer = user_id(app, "Sponsor")
        db.session.add_all(
            ConversationMessage(
                mentorship_id=pair,
                author_id=writer,
                body=f"note {n:02}",
                body_html=f"<p>note {n:02}</p>",
                status=PostStatus.PUBLISHED,
            )
            for n in range(60)
        )
        db.session.commit()
    newest = text(guide.get(f"/mentorship/{pair}"))
    shown = re.findall(r"note (\d\d)", newest)
    assert shown == [f"{n:02}" for n in range(10, 60)]
    earlier = re.search(r'href="([^"]+before=\d+)">Earlier messages', newest).group(1)
    first_page = text(guide.get(earlier.replace("&amp;", "&")))
    assert re.findall(r"note (\d\d)", first_page) == [f"{n:02}" for n in range(10)]
    assert "Earlier messages" not in first_page
