"""Issue 17: the craving SOS works without JavaScript, is one press away on every page, and
a post in "Right now" reaches the members and mentors who offered to help, inside Harbor."""

import re

from sqlalchemy import func, select

from forum.data.models import Role
from forum.data.notifications import Notification
from forum.extensions import db
from forum.practice.models import SosUse
from tests.conftest import make_user
from tests.fellowship_support import member, text, user_id
from tests.practice_support import add_right_now_board

SCRIPT_TAGS = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)


def offer_to_help(client):  # noqa: ANN001, ANN201
    response = client.submit("/recovery", {"helps_right_now": "y"}, action="/practice/helping")
    assert response.status_code == 302
    return response


def notes_of(app, pseudonym: str, kind: str = "right_now") -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == user_id(app, pseudonym), Notification.kind == kind
                )
            )
        )


def test_the_sos_button_is_on_every_page_for_members(app, new_forms, boards):
    guest = new_forms()
    assert 'action="/sos"' not in text(guest.get("/"))
    craving = member(new_forms, "Craving")
    for path in ("/", "/b/day-by-day", "/help/", "/search", "/account", "/journal"):
        page = text(craving.get(path))
        assert re.search(
            r'<form method="post" action="/sos" class="inline">\s*<input type="hidden" '
            r'name="csrf_token"[^>]*>\s*<button type="submit" class="sos-button">'
            r"I'm having a craving</button>",
            page,
        ), path


def test_the_sos_page_works_without_javascript_and_records_the_use_privately(
    app, new_forms, boards
):
    add_right_now_board(app)
    craving = member(new_forms, "Wave")
    craving.submit("/sos/reasons", {"reasons": "My daughter\n\nMornings without a headache\n"})
    pressed = craving.submit("/", {}, action="/sos")
    assert pressed.status_code == 303 and pressed.location.endswith("/sos")
    page = text(craving.get(pressed.location))
    # everything is in the HTML; the only script is Harbor's own file, and it adds a countdown
    assert [m for m in SCRIPT_TAGS.findall(page) if m.strip()] == []
    assert '<script src="/static/urge-timer.js" defer></script>' in page
    assert re.search(r"It's \d\d:\d\d now \(UTC\)\. Follow the steps below until \d\d:\d\d", page)
    assert "Urge surfing, step by step" in page and "Breathe in slowly" in page
    for halt in ("Hungry?", "Angry?", "Lonely?", "Tired?"):
        assert halt in page
    assert "<li>My daughter</li>" in page and "<li>Mornings without a headache</li>" in page
    assert 'href="/b/right-now/new?title=Having+a+craving+right+now"' in page
    assert 'href="tel:988"' in page  # the helplines panel, as on the help page
    with app.app_context():
        uses = db.session.scalars(select(SosUse)).all()
        assert [use.user_id for use in uses] == [user_id(app, "Wave")]
    # a second press within the minute is the same use; nobody else sees any of it
    craving.submit("/", {}, action="/sos")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SosUse)) == 1
    other = member(new_forms, "Other")
    assert "My daughter" not in text(other.get("/sos"))
    # guests can read it too, and are offered to join to post
    guest_page = text(new_forms().get("/sos"))
    assert "Urge surfing" in guest_page and "to post in Right now" in guest_page


def test_the_timer_script_degrades_to_the_text(app, forms):
    script = app.open_resource("static/urge-timer.js").read().decode()
    # the countdown and its buttons start hidden in the HTML and are shown by the script
    page = text(forms.get("/sos"))
    assert '<p class="timer-display" hidden>' in page
    assert '<p class="timer-controls actions" hidden>' in page
    assert (
        "controls.hidden = false" in script
        and 'querySelector(".timer-text").hidden = true' in script
    )


def test_a_right_now_post_notifies_opted_in_helpers_and_shows_first_to_them(
    moderated_app, new_forms, boards
):
    app = moderated_app
    add_right_now_board(app)
    helper = member(new_forms, "Helper")
    offer_to_help(helper)
    make_user(app, "MentorMo", Role.MEMBER)
    mentor = new_forms()
    mentor.login("MentorMo")
    offer_to_help(mentor)
    bystander = member(new_forms, "Bystander")
    writer = member(new_forms, "Struggling")
    offer_to_help(writer)  # a helper who writes is not told of their own post

    posted = writer.submit(
        "/b/right-now/new",
        {"title": "Having a craving right now", "body": "Payday, and the shop is on my way home."},
    )
    assert posted.status_code == 302
    topic_path = posted.location.split("#")[0]
    for name in ("Helper", "MentorMo"):
        [note] = notes_of(app, name)
        assert note.link == topic_path and "Having a craving right now" in note.subject
    assert notes_of(app, "Bystander") == [] and notes_of(app, "Struggling") == []
    assert "Someone needs support right now" in text(helper.get("/account/messages"))
    home = text(helper.get("/"))
    assert home.index("Someone needs support right now") < home.index("<h2>Boards</h2>")
    assert "Someone needs support right now" not in text(bystander.get("/"))

    # a post in another board tells nobody; a held one nobody until it is approved
    writer.submit("/b/day-by-day/new", {"title": "Elsewhere", "body": "Not an SOS."})
    assert len(notes_of(app, "Helper")) == 1
    held = writer.submit(
        "/b/right-now/new", {"title": "Angry", "body": "HOSTILE words at everyone."}
    )
    assert held.status_code == 302
    assert len(notes_of(app, "Helper")) == 1
    from forum.data.review import ReviewItem

    make_user(app, "Moderator", Role.MODERATOR)
    moderator = new_forms()
    moderator.login("Moderator")
    with app.app_context():
        item_id = db.session.scalar(select(ReviewItem.id))
    moderator.submit(f"/review/{item_id}", {}, action=f"/review/{item_id}/claim")
    approved = moderator.submit(
        f"/review/{item_id}",
        {"action": "approve", "reason": "Venting, not a threat."},
        action=f"/review/{item_id}/act",
    )
    assert approved.status_code == 302
    assert len(notes_of(app, "Helper")) == 2


def test_helpers_opt_in_and_out_on_their_recovery_page(app, new_forms):
    helper = member(new_forms, "Kind")
    assert 'id="helps_right_now"' in text(helper.get("/recovery"))
    offer_to_help(helper)
    assert 'id="helps_right_now" checked' in text(helper.get("/recovery"))
    helper.submit("/recovery", {}, action="/practice/helping")
    assert 'id="helps_right_now" checked' not in text(helper.get("/recovery"))
