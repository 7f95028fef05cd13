"""Issue 14: crisis words are never refused, by a posting limit, a pause, a 429 or an old form.

Each text is sent through the real forms, with the rate limits on as in production; what is
checked is what the writer and the moderators would find: the text stored, its queue item, and
the helplines first on the next page.
"""

import random
from datetime import timedelta

from sqlalchemy import func, select, update

from forum.data.clock import utcnow
from forum.data.models import Board, Post, User
from forum.data.posting_clocks import PostingClock
from forum.data.review import ReviewItem
from forum.extensions import db
from forum.fellowship.models import ConversationMessage
from tests.conftest import FormClient, make_app
from tests.test_fellowship_mentorship import paired, send

CRISIS_REPLY = "I can't do this anymore. I've got the pills ready and I want to end it all tonight."


def member_on_a_topic(
    app, pseudonym: str = "Writer", address: str = "127.0.0.1"
) -> tuple[FormClient, str]:
    """A signed-up member who just started a topic (so their reply interval is running)."""
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    member = FormClient(app.test_client())
    member.client.environ_base["REMOTE_ADDR"] = address
    member.signup(pseudonym)
    started = member.submit("/b/day-by-day/new", {"title": "Day 1", "body": "Hello all"})
    assert started.status_code == 302
    return member, started.location.split("#")[0]


def reply(member: FormClient, topic_url: str, body: str):  # noqa: ANN201
    return member.submit(topic_url, {"body": body}, action=f"{topic_url}/reply")


def stored_with_item(app, words: str) -> ReviewItem:
    """The post holding `words`, which must be stored, and its open queue item."""
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.body == words))
        assert post is not None, "the crisis text was not stored"
        item = db.session.scalar(
            select(ReviewItem).where(
                ReviewItem.subject_type == "post", ReviewItem.subject_id == post.id
            )
        )
        assert item is not None and item.kind == "crisis"
        return item


def reasons_of(app, item: ReviewItem) -> str:
    with app.app_context():
        return " | ".join(reason.text for reason in db.session.get(ReviewItem, item.id).reasons)


def helplines_first(member: FormClient, response) -> str:  # noqa: ANN001
    """The page after the post, which must open at the helplines panel."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.location.endswith("#helplines-first")
    page = member.get(response.location).get_data(as_text=True)
    assert 'id="helplines-first"' in page and 'href="tel:988"' in page
    return page


def test_a_crisis_reply_inside_the_posting_interval_is_stored_queued_and_answered(
    tmp_path, database
):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True)
    member, topic_url = member_on_a_topic(app)
    assert reply(member, topic_url, "first reply").status_code == 302
    # an ordinary reply inside the 30-second interval is refused, as before
    assert reply(member, topic_url, "too soon").status_code == 429
    page = helplines_first(member, reply(member, topic_url, CRISIS_REPLY))
    assert page.index('id="helplines-first"') < page.index("pills ready")
    item = stored_with_item(app, CRISIS_REPLY)
    assert "let past the reply interval" in reasons_of(app, item)


def test_a_crisis_topic_past_the_first_day_cap_is_stored(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True)
    member, _ = member_on_a_topic(app)
    for title in ("Two", "Three", None):  # topics 2 and 3, each after the interval has passed
        with app.app_context():
            db.session.execute(update(PostingClock).values(last_at=utcnow() - timedelta(minutes=5)))
            db.session.commit()
        if title:
            sent = member.submit("/b/day-by-day/new", {"title": title, "body": "hi"})
            assert sent.status_code == 302
    refused = member.submit("/b/day-by-day/new", {"title": "Four", "body": "ordinary"})
    assert refused.status_code == 429 and "first day" in refused.get_data(as_text=True)
    sent = member.submit("/b/day-by-day/new", {"title": "Tonight", "body": CRISIS_REPLY})
    helplines_first(member, sent)
    item = stored_with_item(app, CRISIS_REPLY)
    assert "first-day cap on topics" in reasons_of(app, item)


def test_a_paused_member_is_heard_when_they_write_crisis_words(tmp_path, database):
    app = make_app(tmp_path, database)
    member, topic_url = member_on_a_topic(app, "Hushed")
    with app.app_context():
        db.session.scalar(select(User)).silenced_until = utcnow() + timedelta(days=3)
        db.session.commit()
    assert reply(member, topic_url, "an ordinary reply").status_code == 403
    helplines_first(member, reply(member, topic_url, CRISIS_REPLY))
    assert "a pause on posting" in reasons_of(app, stored_with_item(app, CRISIS_REPLY))


def test_exceptions_are_capped_per_hour_and_the_refusal_keeps_the_words(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True, HARBOR_CRISIS_EXCEPTIONS_PER_HOUR=2)
    member, topic_url = member_on_a_topic(app)
    assert reply(member, topic_url, "first reply").status_code == 302
    for n in range(2):
        helplines_first(member, reply(member, topic_url, f"{CRISIS_REPLY} ({n})"))
    flood = reply(member, topic_url, f"{CRISIS_REPLY} (again)")
    page = flood.get_data(as_text=True)
    assert flood.status_code == 429
    # refused, yet the words come back and the helplines come first
    assert page.index('id="helplines-first"') < page.index("What you wrote")
    assert "(again)</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 4


def test_a_crisis_text_in_an_expired_form_is_stored(tmp_path, database):
    app = make_app(tmp_path, database)
    member, topic_url = member_on_a_topic(app)
    stale = {"csrf_token": "an-old-token", "body": "an ordinary reply"}
    refused = member.client.post(f"{topic_url}/reply", data=stale)
    assert refused.status_code == 400 and "Form expired" in refused.get_data(as_text=True)
    sent = member.client.post(
        f"{topic_url}/reply", data={"csrf_token": "an-old-token", "body": CRISIS_REPLY}
    )
    helplines_first(member, sent)
    assert "an expired form" in reasons_of(app, stored_with_item(app, CRISIS_REPLY))
    # signed out, nothing can be stored as them: the words and the helplines come back
    member.logout()
    signed_out = member.client.post(
        f"{topic_url}/reply", data={"csrf_token": "x", "body": f"{CRISIS_REPLY} once more"}
    ).get_data(as_text=True)
    assert 'id="helplines-first"' in signed_out and "once more</textarea>" in signed_out


def test_a_crisis_message_past_the_message_limit_is_delivered(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True, HARBOR_MESSAGE_LIMIT="1 per hour")
    new_forms = lambda: FormClient(app.test_client())  # noqa: E731
    _, newcomer, pair = paired(app, new_forms)
    assert send(newcomer, pair, "thank you for saying yes").status_code == 302
    assert send(newcomer, pair, "and one more thing").status_code == 429
    sent = send(newcomer, pair, CRISIS_REPLY)
    helplines_first(newcomer, sent)
    with app.app_context():
        message = db.session.scalar(
            select(ConversationMessage).where(ConversationMessage.body == CRISIS_REPLY)
        )
        item = db.session.scalar(
            select(ReviewItem).where(
                ReviewItem.subject_type == "message", ReviewItem.subject_id == message.id
            )
        )
        assert item is not None and "a rate limit" in " ".join(r.text for r in item.reasons)


def test_crisis_words_with_identifying_details_bring_the_helplines_above_the_warning(app):
    member, topic_url = member_on_a_topic(app)
    words = f"{CRISIS_REPLY} Email me at jordan.reyes.1987@gmail.com"
    page = reply(member, topic_url, words).get_data(as_text=True)
    assert page.index('id="helplines-first"') < page.index('id="identifying-warning"')
    assert page.index('id="identifying-warning"') < page.index(
        "jordan.reyes.1987@gmail.com</textarea>"
    )
    sent = member.submit(
        topic_url, {"body": words, "post_anyway": "y"}, action=f"{topic_url}/reply"
    )
    helplines_first(member, sent)


def test_a_crisis_edit_inside_the_edit_interval_is_saved_and_queued(tmp_path, database):
    app = make_app(tmp_path, database, RATELIMIT_ENABLED=True)
    member, topic_url = member_on_a_topic(app)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
    edit = f"/p/{post_id}/edit"
    assert member.submit(edit, {"title": "Day 1", "body": "Hello all, again"}).status_code == 302
    assert member.submit(edit, {"title": "Day 1", "body": "and again"}).status_code == 429
    helplines_first(member, member.submit(edit, {"title": "Day 1", "body": CRISIS_REPLY}))
    with app.app_context():
        post = db.session.get(Post, post_id)
        stored = post.pending_edit.body if post.pending_edit else post.body
        assert stored == CRISIS_REPLY
        item = db.session.scalar(select(ReviewItem).where(ReviewItem.subject_id == post_id))
        assert "the edit interval" in " ".join(reason.text for reason in item.reasons)


def test_the_hourly_cap_is_counted_in_redis_when_configured(tmp_path, database):
    """With Redis (several gunicorn processes), the exceptions are counted there, so every
    process sees the same count: the key is in Redis, and the cap holds."""
    from tests.test_rate_limits_across_workers import REDIS_URL, redis_client

    redis = redis_client()
    for key in redis.scan_iter("*crisis-exception*"):
        redis.delete(key)
    app = make_app(
        tmp_path,
        database,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        HARBOR_CRISIS_EXCEPTIONS_PER_HOUR=1,
    )
    # an address of this run's own: the shared Redis outlives test runs, and its sign-up count
    # for 127.0.0.1 may already be spent
    address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"
    member, topic_url = member_on_a_topic(app, address=address)
    assert reply(member, topic_url, "first reply").status_code == 302
    helplines_first(member, reply(member, topic_url, f"{CRISIS_REPLY} (one)"))
    assert list(redis.scan_iter("*crisis-exception*")), "the count is not in Redis"
    refused = reply(member, topic_url, f"{CRISIS_REPLY} (two)")
    assert refused.status_code == 429 and "(two)</textarea>" in refused.get_data(as_text=True)
    for key in redis.scan_iter("*crisis-exception*"):
        redis.delete(key)
