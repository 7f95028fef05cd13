"""Issue 5: brute force, posting floods, bots and restricted members are stopped, in plain words."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.data.clock import utcnow
from forum.data.models import Board, Post, PostStatus, Role, Topic, User
from forum.data.posting import add_reply, start_topic
from forum.data.review import ReviewItem
from forum.extensions import db
from forum.pages.posting_limits import FIRST_DAY_REPLIES, FIRST_DAY_TOPICS
from forum.ratelimit import keyed_hash
from tests.conftest import FormClient, make_app, make_user

PASSWORD = "correct horse battery"


def client_from(app, address: str) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return FormClient(client)


def wrong_login(app, address: str, pseudonym: str) -> int:
    return client_from(app, address).login(pseudonym, "not the password").status_code


def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def make_board(app) -> str:
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    return "/b/day-by-day/new"


def age_member(app, pseudonym: str, days: float) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym == pseudonym))
        user.created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def count_posts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post))


# --- log-in brute force -------------------------------------------------------------------


def test_guessing_one_pseudonym_from_many_addresses_is_stopped(limited_app):
    app = limited_app
    make_user(app, "Target", password=PASSWORD)
    codes = [wrong_login(app, f"198.51.100.{n}", "Target") for n in range(10)]
    assert codes == [200] * 10
    blocked = client_from(app, "198.51.100.200").login("TARGET", "still guessing")
    assert blocked.status_code == 429
    assert 0 < retry_after(blocked) <= 15 * 60
    page = blocked.get_data(as_text=True)
    assert "Too many log-in attempts" in page and "Please try again in about" in page
    assert "per 15 minute" not in page  # plain words, not the limit's notation
    # even the right password waits: the guesser can't learn it by trying on
    assert client_from(app, "198.51.100.201").login("Target", PASSWORD).status_code == 429
    # other members log in as usual
    make_user(app, "Bystander", password=PASSWORD)
    assert client_from(app, "198.51.100.202").login("Bystander", PASSWORD).status_code == 302


def test_guessing_many_pseudonyms_from_one_address_is_stopped(limited_app):
    app = limited_app
    codes = [wrong_login(app, "203.0.113.9", f"member{n}") for n in range(20)]
    assert codes == [200] * 20
    blocked = client_from(app, "203.0.113.9").login("member99", "guess")
    assert blocked.status_code == 429 and retry_after(blocked) > 0
    assert wrong_login(app, "203.0.113.10", "member99") == 200  # another address is not held


def test_limiter_keys_hold_no_address_or_pseudonym(limited_app):
    app = limited_app
    wrong_login(app, "192.0.2.44", "Somebody")
    from forum.ratelimit import limiter

    storage = limiter.storage  # memory:// here: moving-window entries live in .events
    keys = " ".join(str(key) for key in [*storage.events, *storage.storage])
    assert "192.0.2.44" not in keys and "somebody" not in keys.lower()
    with app.test_request_context():
        assert keyed_hash("address:192.0.2.44") in keys
        assert keyed_hash("pseudonym:somebody") in keys


def test_behind_a_trusted_proxy_each_client_has_its_own_count(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, HARBOR_PROXY_HOPS=1)
    attempts = iter(range(100))

    def through_proxy(client_address: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
        client.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
        return FormClient(client).login(f"guess{next(attempts)}", "guess").status_code

    assert [through_proxy("198.51.100.7") for _ in range(20)] == [200] * 20
    assert through_proxy("198.51.100.7") == 429
    assert through_proxy("198.51.100.8") == 200  # a different client behind the same proxy


def test_without_a_trusted_proxy_a_forwarded_header_changes_nothing(limited_app):
    def spoofing(n: int) -> int:
        client = client_from(limited_app, "203.0.113.50")
        client.client.environ_base["HTTP_X_FORWARDED_FOR"] = f"10.0.0.{n}"
        return client.login(f"spoof{n}", "guess").status_code

    codes = [spoofing(n) for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


# --- sign-up ------------------------------------------------------------------------------


def test_signup_is_limited_per_address(limited_app):
    app = limited_app
    codes = [client_from(app, "198.51.100.60").signup(f"Newbie {n}").status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429  # 200: the new recovery codes
    assert client_from(app, "198.51.100.61").signup("Another").status_code == 200


def test_the_honeypot_turns_a_bot_away_in_plain_words(app, forms):
    page = forms.get("/signup").get_data(as_text=True)
    assert 'class="honeypot" aria-hidden="true"' in page and 'tabindex="-1"' in page
    response = forms.submit(
        "/signup",
        {"pseudonym": "Botty", "password": PASSWORD, "confirm": PASSWORD, "website": "http://x"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sign-up refused" in text and "If you are a person" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert forms.signup("Person").status_code == 200


# --- posting ------------------------------------------------------------------------------


def test_a_new_member_waits_120_s_between_topics_and_30_s_between_replies(limited_app):
    app = limited_app
    new_topic = make_board(app)
    member = client_from(app, "198.51.100.70")
    member.signup("Fresh")
    first = member.submit(new_topic, {"title": "Day 1", "body": "Hello"})
    assert first.status_code == 302
    second = member.submit(new_topic, {"title": "Day 1 again", "body": "Hello again"})
    assert second.status_code == 429
    assert 100 < retry_after(second) <= 120
    text = second.get_data(as_text=True)
    assert "Your topic was not posted" in text and "about 2 minutes" in text

    topic_url = first.location.split("#")[0]
    reply = f"{topic_url}/reply"
    assert member.submit(topic_url, {"body": "reply one"}, action=reply).status_code == 302
    refused = member.submit(topic_url, {"body": "reply two"}, action=reply)
    assert refused.status_code == 429 and 20 < retry_after(refused) <= 30
    assert "Your reply was not posted" in refused.get_data(as_text=True)
    assert count_posts(app) == 2


def test_a_refused_post_hands_its_words_back(limited_app):
    """A 429 loses nothing: the page shows what was written, ready to copy."""
    app = limited_app
    new_topic = make_board(app)
    member = client_from(app, "198.51.100.74")
    member.signup("Keeper")
    assert member.submit(new_topic, {"title": "First", "body": "Hello"}).status_code == 302
    words = "Ninety days today & I <still> can't quite believe it"
    refused = member.submit(new_topic, {"title": "Second one", "body": words})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "What you wrote" in text
    assert "Ninety days today &amp; I &lt;still&gt; can&#39;t quite believe it</textarea>" in text
    assert 'value="Second one"' in text


def test_a_new_member_waits_between_edits(limited_app):
    """Every edit is scored again, so edits are paced like replies."""
    app = limited_app
    new_topic = make_board(app)
    member = client_from(app, "198.51.100.75")
    member.signup("Editor")
    assert member.submit(new_topic, {"title": "Mine", "body": "first words"}).status_code == 302
    with app.app_context():
        edit_url = f"/p/{db.session.scalar(select(Post.id))}/edit"
    assert member.submit(edit_url, {"title": "Mine", "body": "second words"}).status_code == 302
    refused = member.submit(edit_url, {"title": "Mine", "body": "third words"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429 and 10 < retry_after(refused) <= 20
    assert "Your edit was not saved" in text and "third words</textarea>" in text
    with app.app_context():
        assert "second words" in db.session.scalar(select(Post.body))


def test_an_established_member_waits_less(limited_app):
    app = limited_app
    new_topic = make_board(app)
    make_user(app, "Regular", password=PASSWORD)
    age_member(app, "Regular", days=30)
    member = client_from(app, "198.51.100.71")
    member.login("Regular")
    assert member.submit(new_topic, {"title": "One", "body": "x"}).status_code == 302
    refused = member.submit(new_topic, {"title": "Two", "body": "y"})
    assert refused.status_code == 429 and retry_after(refused) <= 15


def test_only_stored_posts_count_against_the_interval(limited_app):
    """A draft sent back (missing title, identifying details) costs the writer nothing."""
    app = limited_app
    new_topic = make_board(app)
    member = client_from(app, "198.51.100.72")
    member.signup("Drafter")
    assert member.submit(new_topic, {"title": "", "body": "x"}).status_code == 200
    draft = {"title": "Hi", "body": "Call me on 07700 900123"}
    assert member.submit(new_topic, draft).status_code == 200  # the warning
    assert member.submit(new_topic, {**draft, "post_anyway": "y"}).status_code == 302


@pytest.mark.parametrize("kind", ["topic", "reply"])
def test_first_day_caps(limited_app, kind):
    app = limited_app
    new_topic = make_board(app)
    author_id = make_user(app, "Dayone", password=PASSWORD)
    cap = FIRST_DAY_TOPICS if kind == "topic" else FIRST_DAY_REPLIES
    with app.app_context():
        author = db.session.get(User, author_id)
        board = db.session.scalar(select(Board))
        first = start_topic(board, author, "Mine", "first")
        first.set_status(PostStatus.PUBLISHED)
        topic_id = first.topic_id
        for n in range(cap - 1 if kind == "topic" else cap):
            if kind == "topic":
                start_topic(board, author, f"Topic {n}", "x")
            else:
                add_reply(db.session.get(Topic, topic_id), author, f"reply {n}")
        db.session.commit()
    member = client_from(app, "198.51.100.73")
    member.login("Dayone")
    topic_url = f"/t/{topic_id}"

    def attempt():  # noqa: ANN202
        if kind == "topic":
            return member.submit(new_topic, {"title": "One more", "body": "x"})
        return member.submit(topic_url, {"body": "one more"}, action=f"{topic_url}/reply")

    before = count_posts(app)
    refused = attempt()
    assert refused.status_code == 429
    assert 23 * 3600 < retry_after(refused) <= 24 * 3600  # until the first day is over
    text = refused.get_data(as_text=True)
    assert f"members can write {cap} " in text and "about 24 hours" in text
    assert count_posts(app) == before

    age_member(app, "Dayone", days=2)
    assert attempt().status_code == 302


def test_moderators_are_not_held_by_posting_limits(limited_app):
    app = limited_app
    new_topic = make_board(app)
    make_user(app, "Mod", Role.MODERATOR, password=PASSWORD)
    mod = client_from(app, "198.51.100.74")
    mod.login("Mod")
    codes = [mod.submit(new_topic, {"title": f"N{n}", "body": "x"}).status_code for n in range(5)]
    assert codes == [302] * 5


def test_a_new_members_links_wait_for_a_moderator(app, forms, new_forms, boards):
    forms.signup("Linker")
    topic_url = forms.submit(
        "/b/day-by-day/new", {"title": "Useful", "body": "This helped me: https://example.org/x"}
    ).location.split("#")[0]
    with app.app_context():
        post = db.session.scalar(select(Post))
        assert post.status == PostStatus.HELD
        item = db.session.scalar(select(ReviewItem))
        assert "a new member's post with links waits for a moderator" in [
            reason.text for reason in item.reasons
        ]
    assert "waiting for a moderator" in forms.get(topic_url).get_data(as_text=True)
    assert new_forms().get(topic_url).status_code == 404
    reader = new_forms()
    reader.signup("Reader")
    assert reader.get(topic_url).status_code == 404

    make_user(app, "Settled")
    age_member(app, "Settled", days=30)
    settled = new_forms()
    settled.login("Settled")
    other_url = settled.submit(
        "/b/day-by-day/new", {"title": "Also useful", "body": "See https://example.org/y"}
    ).location.split("#")[0]
    assert new_forms().get(other_url).status_code == 200
    plain_url = forms.submit(
        "/b/day-by-day/new", {"title": "No links", "body": "Just words."}
    ).location.split("#")[0]
    assert new_forms().get(plain_url).status_code == 200


# --- restricted members -------------------------------------------------------------------


def test_silenced_members_cannot_post_and_are_told_until_when(app, forms, boards):
    forms.signup("Hushed")
    topic_url = forms.submit("/b/day-by-day/new", {"title": "T", "body": "B"}).location.split("#")[
        0
    ]
    until = utcnow() + timedelta(days=3)
    with app.app_context():
        db.session.scalar(select(User)).silenced_until = until
        db.session.commit()
    stamp = until.strftime("%Y-%m-%d %H:%M UTC")
    for response in (
        forms.submit("/b/day-by-day/new", {"title": "T2", "body": "B2"}),
        forms.submit(topic_url, {"body": "R"}, action=f"{topic_url}/reply"),
        forms.submit("/p/1/edit", {"title": "T", "body": "changed"}),
    ):
        text = response.get_data(as_text=True)
        assert response.status_code == 403 and f"paused your posting until {stamp}" in text
    assert count_posts(app) == 1
    assert forms.get("/account").status_code == 200  # still reads and logs in


def test_suspended_members_cannot_log_in_and_are_told_until_when(app, forms, new_forms):
    forms.signup("Benched")
    until = utcnow() + timedelta(days=7)
    with app.app_context():
        db.session.scalar(select(User)).suspended_until = until
        db.session.commit()
    assert forms.get("/account").status_code == 302  # the open session ends
    response = new_forms().login("Benched")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"suspended until {until.strftime('%Y-%m-%d %H:%M UTC')}" in text
    with app.app_context():
        db.session.scalar(select(User)).suspended_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert new_forms().login("Benched").status_code == 302
