"""Issue 14: a paused member sees why and until when, and no reply box, before they write."""

from datetime import timedelta

from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.models import User
from forum.data.review import AuditEntry
from forum.extensions import db
from tests.test_crisis_never_refused import CRISIS_REPLY, member_on_a_topic

REASON = "Three members reported replies that mocked their relapse."


def pause(app, kind: str, days: int = 3) -> str:
    """Pause the only member as a moderator's decision would: the date, and the reason logged."""
    until = utcnow() + timedelta(days=days)
    with app.app_context():
        member = db.session.scalar(select(User))
        setattr(member, "silenced_until" if kind == "silence" else "suspended_until", until)
        db.session.add(AuditEntry(action=kind, member_id=member.id, reason=REASON))
        db.session.commit()
    return until.strftime("%Y-%m-%d %H:%M UTC")


def test_a_silenced_member_sees_why_until_when_and_no_reply_box(app):
    member, topic_url = member_on_a_topic(app)
    before = member.get(topic_url).get_data(as_text=True)
    assert 'id="reply-heading"' in before and 'id="paused"' not in before
    until = pause(app, "silence")
    for url in (topic_url, "/b/day-by-day/new", "/p/1/edit"):
        page = member.get(url).get_data(as_text=True)
        assert f"paused your posting until {until}" in page, url
        assert REASON in page
        assert 'id="reply-heading"' not in page
        # the form waits folded away, for crisis words only (they are never refused)
        assert (
            page.index('id="paused"')
            < page.index('<details class="write-anyway"')
            < page.index('name="body"')
        )
    refused = member.submit(topic_url, {"body": "ordinary"}, action=f"{topic_url}/reply")
    assert refused.status_code == 403
    taken = member.submit(topic_url, {"body": CRISIS_REPLY}, action=f"{topic_url}/reply")
    assert taken.status_code == 302 and taken.location.endswith("#helplines-first")


def test_a_suspended_member_is_told_why_and_until_when_at_log_in(app):
    member, _ = member_on_a_topic(app, "Benched")
    member.logout()
    until = pause(app, "suspend", days=7)
    page = member.login("Benched").get_data(as_text=True)
    assert f"suspended until {until}" in page and REASON in page
