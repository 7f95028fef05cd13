"""Issue 15: "My data" holds everything, search shows nothing behind a content warning, and no
log line keeps an address, application tracebacks included."""

import json
import logging
import re

from sqlalchemy import ForeignKey, inspect, select

from forum.data.clock import utcnow
from forum.data.models import Post, User
from forum.data.posting import edit_post
from forum.data.posting_clocks import PostingClock
from forum.extensions import db
from forum.fellowship.models import ConversationMessage, Mentorship
from tests.conftest import FormClient, make_app
from tests.fellowship_support import member, mentor, set_start, user_id

# --- My data ------------------------------------------------------------------------------

# Every column that points at a member, and the part of the download that shows what it links.
# A new table that names members fails the test below until the download shows it too.
EXPORTED_LINKS = {
    "posts.author_id": "posts",
    "topics.author_id": "posts",  # the first post of each topic the member started
    "recovery_codes.user_id": "recovery_codes",
    "reports.reporter_id": "reports_made",
    "notifications.user_id": "messages",
    "audit_log.member_id": "moderation_decisions_about_you",
    "audit_log.actor_id": "moderation_actions_you_took",
    "review_items.claimed_by_id": "not_included",  # moderators' internal steps
    "review_helpers.moderator_id": "moderation_help_asked",
    "review_helpers.asked_by_id": "moderation_help_asked",
    "debrief_notes.author_id": "moderation_private_notes",
    "member_sessions.user_id": "devices_signed_in",
    "posting_clocks.user_id": "last_posted",
    "mentorships.mentor_id": "mentorships",
    "mentorships.newcomer_id": "mentorships",
    "conversation_messages.author_id": "mentorships",
    "message_reports.reporter_id": "message_reports_made",
    "topic_follows.user_id": "topics_followed",
    "reactions.user_id": "reactions_given",
    "member_blocks.blocker_id": "members_you_blocked",
    "member_blocks.blocked_id": "not_included",  # who blocked them: nobody is told of a block
    # daily practice (forum/practice/export.py)
    "practice_profiles.user_id": "daily_practice",
    "pledges.user_id": "daily_practice",
    "accountability_partners.member_id": "daily_practice",
    "accountability_partners.partner_id": "daily_practice",
    "sos_uses.user_id": "daily_practice",
    "journal_entries.user_id": "daily_practice",
    "coping_tools.author_id": "daily_practice",
    "tool_helped.user_id": "daily_practice",
    # online meetings (forum/meetings/export.py)
    "meetings.chair_id": "meetings",
    "meetings.approved_by_id": "meetings",
    "meeting_hosts.user_id": "meetings",
    "meeting_bans.user_id": "meetings",
    "meeting_bans.banned_by_id": "meetings",
    "meeting_occasions.sharing_id": "meetings",
    "meeting_participants.user_id": "meetings",
    "meeting_lines.author_id": "meetings",
}
# users' columns that are not shown as they are, and why
ACCOUNT_NOT_SHOWN = {
    "id": "an internal number",
    "pseudonym_key": "the pseudonym, casefolded",
    "name_key": "the pseudonym as it looks (look-alike letters folded)",
    "password_hash": "a one-way hash",
    "topic_count": "shown as published_topics",
    "post_count": "shown as published_posts",
}


def links_to_members() -> set[str]:
    found = set()
    for table in db.metadata.tables.values():
        for column in table.columns:
            for key in column.foreign_keys:
                if isinstance(key, ForeignKey) and key.target_fullname == "users.id":
                    found.add(f"{table.name}.{column.name}")
    return found


def test_every_link_to_a_member_is_in_the_download(app):
    assert links_to_members() == set(EXPORTED_LINKS)


def export(client: FormClient) -> dict:
    response = client.get("/account/data/export")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_download_holds_the_fellowship_and_everything_else(app, new_forms, boards):
    guide = mentor(new_forms, "Guide Willow")
    newcomer = member(new_forms, "Fern Newcomer")
    assert set_start(newcomer, 12, show=True).status_code == 302
    with app.app_context():
        newcomer_id = user_id(app, "Fern Newcomer")
    asked = newcomer.submit(
        f"/mentors/{user_id(app, 'Guide Willow')}/ask", {"note": "Day 12, could we talk?"}
    )
    assert asked.status_code == 302
    with app.app_context():
        pair = db.session.scalar(select(Mentorship.id))
    guide.submit("/mentorship", {}, action=f"/mentorship/{pair}/accept")
    guide.submit(
        "/account", {"body": "Of course. How is today?"}, action=f"/mentorship/{pair}/messages"
    )
    newcomer.submit("/account", {"body": "Better, thanks."}, action=f"/mentorship/{pair}/messages")
    with app.app_context():
        from_guide = db.session.scalar(
            select(ConversationMessage.id).where(ConversationMessage.body.startswith("Of course"))
        )
    newcomer.submit(
        f"/mentorship/messages/{from_guide}/report",
        {"reason": "just testing the report"},
        action=f"/mentorship/messages/{from_guide}/report?kind=worried",
    )
    topic = guide.submit("/b/day-by-day/new", {"title": "Willow's topic", "body": "Hello all."})
    topic_url = topic.location.split("#")[0]
    topic_id = int(topic_url.rsplit("/", 1)[1])
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic_id))
    newcomer.submit(topic_url, {"kind": "me_too"}, action=f"/p/{post_id}/react")
    newcomer.submit(topic_url, {"body": "Hello Willow."}, action=f"{topic_url}/reply")
    newcomer.submit(topic_url, {"mute": "yes"}, action=f"/t/{topic_id}/follow")
    with app.app_context():  # the posting limits are off here: a clock as they would leave it
        db.session.add(PostingClock(user_id=newcomer_id, kind="reply", last_at=utcnow()))
        db.session.commit()

    data = export(newcomer)
    account = data["account"]
    assert account["recovery_started_on"] and account["show_day_count"] is True
    assert account["offers_mentoring"] is False and account["welcomes_newcomers"] is False
    (mentorship,) = data["mentorships"]
    assert mentorship["you_are"] == "newcomer" and mentorship["partner"] == "Guide Willow"
    assert mentorship["status"] == "active" and mentorship["requested_at"]
    messages = [(m["from_you"], m["body"]) for m in mentorship["messages"]]
    assert messages == [
        (True, "Day 12, could we talk?"),
        (False, "Of course. How is today?"),
        (True, "Better, thanks."),
    ]
    assert "moderation" in mentorship["messages"][0]
    assert "moderation" not in mentorship["messages"][1]  # the partner's record is theirs
    assert data["message_reports_made"][0]["reason"] == "just testing the report"
    assert data["reactions_given"] == [
        {
            "post_id": post_id,
            "kind": "me_too",
            "created_at": data["reactions_given"][0]["created_at"],
        }
    ]
    followed = {entry["topic_id"]: entry["muted"] for entry in data["topics_followed"]}
    assert followed == {topic_id: True}
    assert len(data["devices_signed_in"]) == 1 and data["devices_signed_in"][0]["ends_at"]
    assert set(data["last_posted"]) == {"reply"}
    shown = set(account) | {"published_topics", "published_posts"}
    with app.app_context():
        columns = {column.key for column in inspect(User).columns}
    assert columns - set(ACCOUNT_NOT_SHOWN) <= shown

    guide_data = export(guide)
    (as_mentor,) = guide_data["mentorships"]
    assert as_mentor["you_are"] == "mentor" and as_mentor["partner"] == "Fern Newcomer"
    assert guide_data["account"]["offers_mentoring"] is True


# --- search -------------------------------------------------------------------------------

SNIPPET = re.compile(r'<p class="snippet">(.*?)</p>', re.S)


def snippets(client, query: str) -> list[str]:
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    return SNIPPET.findall(page)


def test_search_shows_nothing_behind_a_content_warning(app, forms, new_forms, boards):
    forms.signup("Careful Writer")
    body = (
        "Morning update: slept well after the meeting.\n\n"
        ":::cw relapse details\nI drank the whole bottle of vodka in the car\n:::\n\n"
        "Going back to the meeting tonight."
    )
    assert forms.submit("/b/day-by-day/new", {"title": "Day 3", "body": body}).status_code == 302
    whole = {
        "title": "Hard news",
        "body": "The funeral was today, by the lighthouse.",
        "content_warning": "grief",
    }
    assert forms.submit("/b/day-by-day/new", whole).status_code == 302
    reader = new_forms()
    for rebuilt in (False, True):  # as each post is published, and rebuilt from scratch
        if rebuilt:
            assert app.test_cli_runner().invoke(args=["harbor", "search-reindex"]).exit_code == 0
        (found,) = snippets(reader, "meeting")
        assert "<mark>meeting</mark>" in found and "vodka" not in found and "bottle" not in found
        assert snippets(reader, "vodka") == []  # words only behind the warning find nothing
        (warned,) = snippets(reader, "lighthouse")
        assert "funeral" not in warned and "grief" in warned


def test_private_use_characters_in_a_post_mark_nothing(app, forms, new_forms, boards):
    forms.signup("Sly Writer")
    body = "Look: \ue000<script>injected</script>\ue001 and \ue000unclosed words about harbourlight"
    assert forms.submit("/b/day-by-day/new", {"title": "Odd", "body": body}).status_code == 302
    for rebuilt in (False, True):
        if rebuilt:
            assert app.test_cli_runner().invoke(args=["harbor", "search-reindex"]).exit_code == 0
        (found,) = snippets(new_forms(), "harbourlight")
        assert found.count("<mark>") == found.count("</mark>") == 1
        assert "<mark>harbourlight</mark>" in found and "<script" not in found


# --- logs ---------------------------------------------------------------------------------


def test_application_tracebacks_lose_their_addresses(tmp_path):
    log_file = tmp_path / "harbor.log"
    handler = logging.FileHandler(log_file)  # an operator's handler, as their config adds it
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        app = make_app(tmp_path, PROPAGATE_EXCEPTIONS=False)

        @app.route("/boom")
        def boom() -> str:
            raise ConnectionError("connection to 198.51.100.23 and [2001:db8::5]:5432 refused")

        assert app.test_client().get("/boom").status_code == 500
        logging.getLogger("forum.anything").warning("a reader at %s", "203.0.113.5")
    finally:
        root.removeHandler(handler)
        handler.close()
    text = log_file.read_text()
    assert "ConnectionError" in text and "Exception on /boom" in text and "a reader at" in text
    for address in ("198.51.100.23", "2001:db8::5", "203.0.113.5"):
        assert address not in text
    assert text.count("[address removed]") >= 3


def test_the_download_holds_an_edit_waiting_for_moderation(app, forms, boards):
    forms.signup("Second Thoughts")
    assert (
        forms.submit("/b/day-by-day/new", {"title": "Day 5", "body": "First words."}).status_code
        == 302
    )
    with app.app_context():
        post = db.session.scalar(select(Post))
        edit_post(post, "Second words, not checked yet.", "Day 5", content_warning=None)
        db.session.commit()  # no moderation has run: the edit waits beside the published text
    (exported,) = export(forms)["posts"]
    assert exported["body"] == "First words."
    assert exported["edit_waiting_for_moderation"]["body"] == "Second words, not checked yet."
