"""Issue 5: the identifying-details guard through the web, from warning to redaction."""

import re

from sqlalchemy import func, select

from forum.data.models import Post, PostRevision, PostStatus, Role, User
from forum.data.review import AuditEntry, ReviewItem
from forum.extensions import db
from tests.conftest import make_user

NEW_TOPIC = "/b/day-by-day/new"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def latest_post(app) -> Post:
    with app.app_context():
        return db.session.scalars(select(Post).order_by(Post.id.desc())).first()


def test_the_writer_is_told_what_was_found_and_can_edit_it_out(app, forms, new_forms, boards):
    forms.signup("Careful")
    draft = {"title": "Reaching out", "body": "Email me at jane.doe@example.com if you like."}
    response = forms.submit(NEW_TOPIC, draft)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Before you post: this may identify you" in page
    assert "<strong>jane.doe@example.com</strong>" in page
    assert "An e-mail address can lead straight to you." in page
    assert 'name="post_anyway"' in page
    assert "jane.doe@example.com" in re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)[1]
    assert count(app, Post) == 0  # nothing stored until the writer decides

    response = forms.submit(NEW_TOPIC, {**draft, "body": "Message me here on Harbor."})
    assert response.status_code == 302
    post = latest_post(app)
    assert post.status == PostStatus.PUBLISHED and not post.findings.identifying
    assert count(app, ReviewItem) == 0


def test_each_kind_is_named_with_why_it_matters(app, forms, boards):
    forms.signup("Sharer")
    cases = {
        "Call me on 07700 900123": "A phone number can be looked up",
        "I live at 12 Acacia Avenue, Leeds": "A street address shows where you",
        "Find me at instagram.com/janedoe": "A social-media profile or handle links",
        "Hi all, my name is Jane Doe and I am 40 days sober": "A full name can tell anyone",
    }
    for body, why in cases.items():
        page = forms.submit(NEW_TOPIC, {"title": "Hello", "body": body}).get_data(as_text=True)
        assert "Before you post" in page and why in page, body
    assert count(app, Post) == 0


def test_post_anyway_goes_to_review_and_a_moderator_redacts(app, forms, new_forms, boards):
    forms.signup("Open")
    body = "My number is 07700 900123, text me any time. Day 30 today."
    draft = {"title": "Day 30", "body": body}
    assert forms.submit(NEW_TOPIC, draft).status_code == 200
    response = forms.submit(NEW_TOPIC, {**draft, "post_anyway": "y"})
    assert response.status_code == 302
    topic_url = response.location.split("#")[0]
    post = latest_post(app)
    assert post.status == PostStatus.PUBLISHED  # published, and queued for a moderator
    assert post.findings.identifying_kinds == ("phone",)
    with app.app_context():
        item = db.session.scalar(select(ReviewItem))
        assert item.kind == "identifying" and item.subject_id == post.id
        assert any("identifying details: phone" in reason.text for reason in item.reasons)
        item_id = item.id

    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    queue = mod.get("/review/?kind=identifying").get_data(as_text=True)
    assert f'href="/review/{item_id}"' in queue and "Identifying details" in queue
    response = mod.submit(
        f"/review/{item_id}",
        {"action": "redact", "reason": "phone number"},
        action=f"/review/{item_id}/act",
    )
    assert response.status_code == 302

    post = latest_post(app)
    assert post.body == "My number is [removed by a moderator], text me any time. Day 30 today."
    assert not post.findings.identifying and post.status == PostStatus.PUBLISHED
    with app.app_context():
        revision = db.session.scalar(select(PostRevision))
        assert revision.body == body and revision.replaced_by == "moderator"
        assert db.session.get(ReviewItem, item_id).resolution == "approved"
        redaction = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "redact"))
        assert redaction.details["kinds"] == ["phone"]
    public = new_forms().get(topic_url).get_data(as_text=True)
    assert "900123" not in public and "[removed by a moderator]" in public


def test_replies_and_edits_are_guarded_too(app, forms, new_forms, boards):
    forms.signup("Replier")
    topic_url = forms.submit(NEW_TOPIC, {"title": "T", "body": "B"}).location.split("#")[0]
    reply = {"body": "Add me: facebook.com/jane.doe.77"}
    response = forms.submit(topic_url, reply, action=f"{topic_url}/reply")
    assert response.status_code == 200 and "Before you post" in response.get_data(as_text=True)
    assert count(app, Post) == 1
    response = forms.submit(topic_url, {**reply, "post_anyway": "y"}, action=f"{topic_url}/reply")
    assert response.status_code == 302
    reply_post = latest_post(app)
    assert reply_post.findings.identifying_kinds == ("social_profile",)
    assert reply_post.status == PostStatus.HELD  # and, from a new member, a link: held

    first_id = 1
    edit = {"title": "T", "body": "Text me on 07700 900123"}
    response = forms.submit(f"/p/{first_id}/edit", edit)
    assert response.status_code == 200 and "Before you post" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Post, first_id).body == "B"  # unchanged until confirmed
    assert forms.submit(f"/p/{first_id}/edit", {**edit, "post_anyway": "y"}).status_code == 302
    with app.app_context():
        items = db.session.scalars(select(ReviewItem).order_by(ReviewItem.subject_id)).all()
        # one item per post, carrying every reason it is in the queue
        assert [(item.subject_id, item.kinds) for item in items] == [
            (first_id, ("identifying",)),
            (reply_post.id, ("auto_flag", "identifying")),
        ]


def test_pseudonyms_that_identify_are_refused_with_the_reason(app, forms):
    refusals = {
        "jane at gmail dot com": "looks like an e-mail address",
        "07700 900123": "looks like a phone number",
        "janedoe.com": "looks like a web address",
        "My name is Jane Doe": "seems to contain a full name",
        "12 Acacia Avenue": "seems to contain a street address",
    }
    for name, reason in refusals.items():
        response = forms.signup(name)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and reason in page, name
        assert "pick a name that can&#39;t lead back to you" in page, name
    response = forms.signup("jane.doe@example.com")  # the allowed characters stop it first
    assert "Use 3 to 32 letters" in response.get_data(as_text=True)
    assert count(app, User) == 0
    assert forms.signup("Quiet Harbor").status_code == 200  # the recovery codes
