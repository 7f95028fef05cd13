"""Issue 17: the coping-tools library. Tools go through moderation (abuse is held, crisis
language brings the writer help), members say "this helped me" (never the opposite), and
moderators feature tools."""

import re

from sqlalchemy import select

from forum.data.models import PostStatus, Role
from forum.data.notifications import Notification
from forum.data.review import AuditEntry, ReviewItem
from forum.demo import seed_demo
from forum.extensions import db
from forum.practice.models import CopingTool
from tests.conftest import make_user
from tests.fellowship_support import member, text, user_id

CALM_TOOL = {
    "title": "Cold water on the wrists",
    "body": "When a craving spikes I run cold water over my wrists for a minute.",
    "tags": ["cravings", "first 30 days"],
}


def review_item_of(app, tool_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(
            select(ReviewItem.id).where(
                ReviewItem.subject_type == "coping_tool", ReviewItem.subject_id == tool_id
            )
        )


def share(client, **fields):  # noqa: ANN001, ANN003, ANN201
    return client.submit("/library/new", {**CALM_TOOL, **fields})


def tool_id_of(response) -> int:  # noqa: ANN001
    return int(re.search(r"/library/(\d+)", response.location).group(1))


def moderator(app, new_forms, name: str = "LibraryMod"):  # noqa: ANN001, ANN201
    make_user(app, name, Role.MODERATOR)
    client = new_forms()
    client.login(name)
    return client


def test_a_calm_tool_joins_the_library_with_its_tags(moderated_app, new_forms):
    writer = member(new_forms, "Sharer")
    response = share(writer)
    assert response.status_code == 302
    tool_id = tool_id_of(response)
    assert "Your tool is in the library" in text(writer.get(response.location))
    guest = new_forms()
    listing = text(guest.get("/library"))
    assert "Cold water on the wrists" in listing and '<span class="tag">cravings</span>' in listing
    assert "Cold water on the wrists" in text(guest.get("/library?tag=cravings"))
    assert "Cold water on the wrists" not in text(guest.get("/library?tag=sleep"))
    with moderated_app.app_context():
        tool = db.session.get(CopingTool, tool_id)
        assert tool.scored_by == "fixed-test-scorer" and tool.status == PostStatus.PUBLISHED


def test_a_tool_with_abuse_in_it_is_held_until_a_moderator_approves(moderated_app, new_forms):
    app = moderated_app
    writer = member(new_forms, "Angry Writer")
    response = share(writer, title="What works", body="Tell them HOSTILE things until they leave.")
    tool_id = tool_id_of(response)
    assert "A moderator will read your tool" in text(writer.get(response.location))
    guest = new_forms()
    assert "What works" not in text(guest.get("/library"))
    assert guest.get(f"/library/{tool_id}").status_code == 404
    assert "Waiting for a moderator" in text(writer.get(f"/library/{tool_id}"))

    mod = moderator(app, new_forms)
    queue = text(mod.get("/review/"))
    assert "Coping tool: What works" in queue
    item_id = review_item_of(app, tool_id)
    page = text(mod.get(f"/review/{item_id}"))
    assert "Tell them HOSTILE things" in page and "threat" in page
    approved = mod.submit(
        f"/review/{item_id}",
        {"action": "approve", "reason": "Heated, not a threat."},
        action=f"/review/{item_id}/act",
    )
    assert approved.status_code == 302
    assert "What works" in text(guest.get("/library"))
    assert "Coping tool: What works" not in text(mod.get("/review/"))
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_type == "coping_tool")
        ).all()
        assert actions[-1] == "approve"


def test_a_removed_tool_tells_its_writer_why(moderated_app, new_forms):
    app = moderated_app
    writer = member(new_forms, "Ranter")
    tool_id = tool_id_of(share(writer, body="HOSTILE HOSTILE"))
    mod = moderator(app, new_forms)
    item_id = review_item_of(app, tool_id)
    no_reason = mod.submit(
        f"/review/{item_id}", {"action": "remove"}, action=f"/review/{item_id}/act"
    )
    assert no_reason.status_code == 400
    mod.submit(
        f"/review/{item_id}",
        {"action": "remove", "reason": "Threatening others."},
        action=f"/review/{item_id}/act",
    )
    assert writer.get(f"/library/{tool_id}").status_code == 404
    with app.app_context():
        note = db.session.scalar(
            select(Notification).where(Notification.user_id == user_id(app, "Ranter"))
        )
        assert "Threatening others." in note.body


def test_crisis_language_in_a_tool_brings_help_to_its_writer_at_once(moderated_app, new_forms):
    writer = member(new_forms, "Low")
    response = share(
        writer,
        title="Nothing works",
        body="Nothing helps. I want to end it all tonight, I have the pills ready.",
    )
    page = text(writer.get(response.location))
    assert (
        "You don&#39;t have to go through this alone" in page
        or "have to go through this alone" in page
    )
    assert page.index("go through this alone") < page.index("Nothing helps.")
    assert 'href="tel:988"' in page
    assert "Nothing works" not in text(new_forms().get("/library"))  # held for a moderator
    mod = moderator(moderated_app, new_forms)
    queue = text(mod.get("/review/"))
    assert "Coping tool: Nothing works" in queue
    assert queue.index("Coping tool: Nothing works") < queue.index("</ol>")
    with moderated_app.app_context():
        item = db.session.get(ReviewItem, review_item_of(moderated_app, tool_id_of(response)))
        assert item.kind == "crisis"


def test_this_helped_me_counts_once_each_and_has_no_opposite(moderated_app, new_forms):
    writer = member(new_forms, "Giver")
    tool_id = tool_id_of(share(writer))
    reader = member(new_forms, "Taker")
    page = text(reader.get(f"/library/{tool_id}"))
    assert 'aria-pressed="false">This helped me</button>' in page
    assert "downvote" not in page.lower() and "didn't help" not in page.lower()
    reader.submit(f"/library/{tool_id}", {}, action=f"/library/{tool_id}/helped")
    page = text(reader.get(f"/library/{tool_id}"))
    assert "This helped 1 person." in page and 'aria-pressed="true"' in page
    reader.submit(f"/library/{tool_id}", {}, action=f"/library/{tool_id}/helped")  # taken back
    assert "Nobody has said yet" in text(reader.get(f"/library/{tool_id}"))
    own = writer.submit(f"/library/{tool_id}", {}, action=f"/library/{tool_id}/helped")
    assert own.status_code == 400


def test_moderators_feature_tools_and_members_cannot(moderated_app, new_forms):
    writer = member(new_forms, "Featured Writer")
    first = tool_id_of(share(writer, title="First tool"))
    second = tool_id_of(share(writer, title="Second tool"))
    assert (
        writer.submit(
            f"/library/{first}", {"featured": "yes"}, action=f"/library/{first}/feature"
        ).status_code
        == 403
    )
    mod = moderator(moderated_app, new_forms)
    mod.submit(f"/library/{first}", {"featured": "yes"}, action=f"/library/{first}/feature")
    listing = text(new_forms().get("/library?sort=new"))
    assert listing.index("First tool") < listing.index("Second tool")  # featured first
    assert '<span class="tag tag-featured">featured</span>' in listing
    assert second


def test_the_demo_includes_tools_written_for_harbor(app, new_forms):
    with app.app_context():
        seed_demo()
    listing = text(new_forms().get("/library"))
    for title in (
        "Urge surfing: ride it, don",
        "HALT before anything else",
        "Play the tape forward",
    ):
        assert title in listing
    assert "Urge surfing" in text(new_forms().get("/sos"))  # the SOS page offers them
