"""Issue 2: the forum core, driven through plain HTTP forms with their CSRF tokens."""

import re

from sqlalchemy import func, select

from forum.data.models import Board, Post, PostStatus, RecoveryCode, Role, Topic, User
from forum.extensions import db
from tests.conftest import make_user


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def start_topic(forms, slug="day-by-day", title="Day 12", body="Still here, still sober."):
    return forms.submit(f"/b/{slug}/new", {"title": title, "body": body})


def test_member_journey_then_guest_reads(app, forms, new_forms, boards):
    response = forms.signup("TideTurner")
    assert response.status_code == 200
    codes_page = response.get_data(as_text=True)
    assert len(re.findall(r"<code>[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}</code>", codes_page)) == 8
    assert forms.logout().status_code == 302
    assert forms.login("tideturner").status_code == 302  # pseudonyms match in any case

    response = start_topic(forms, title="Day 12 and counting", body="Made it to a **meeting**.")
    assert response.status_code == 302
    topic_url = response.location.split("#")[0]
    page = forms.get(topic_url).get_data(as_text=True)
    assert "Day 12 and counting" in page and "<strong>meeting</strong>" in page

    response = forms.submit(
        topic_url, {"body": "An update: slept well."}, action=f"{topic_url}/reply"
    )
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
        first = db.session.scalars(select(Post).order_by(Post.id)).first()
        reply_id, first_id, topic_id = reply.id, first.id, first.topic_id

    response = forms.submit(f"/p/{first_id}/edit", {"title": "Day 12!", "body": "Made it, edited."})
    assert response.status_code == 302
    response = forms.submit(topic_url, {}, action=f"/p/{reply_id}/delete")
    assert response.status_code == 302

    guest = new_forms()
    page = guest.get(f"/t/{topic_id}").get_data(as_text=True)
    assert "Day 12!" in page and "Made it, edited." in page
    assert "This post was removed by its author." in page
    assert "slept well" not in page
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        board = db.session.get(Board, boards["public"])
        assert (topic.post_count, topic.reply_count) == (2, 0)
        assert (board.topic_count, board.post_count) == (1, 1)


def test_guest_who_tries_to_post_is_sent_to_log_in(app, forms, boards):
    response = forms.get("/b/day-by-day/new")
    assert response.status_code == 302 and "/login" in response.location.split("#")[0]
    make_user(app, "Writer")
    writer = forms.__class__(app.test_client())
    writer.login("Writer")
    topic_url = start_topic(writer).location.split("#")[0]
    # the topic page offers a guest no form, so take a token from a page that has one
    response = forms.submit("/login", {"body": "hello"}, action=f"{topic_url}/reply")
    assert response.status_code == 302 and "/login" in response.location.split("#")[0]
    assert "log in" in forms.get(topic_url).get_data(as_text=True).lower()
    assert count(app, Post) == 1


def test_guest_never_sees_a_members_only_board(app, forms, new_forms, boards):
    make_user(app, "Member")
    member = new_forms()
    member.login("Member")
    topic_url = start_topic(member, slug="members-room", title="Just us").location.split("#")[0]
    assert member.get("/").get_data(as_text=True).count("Members&#39; room") == 1

    index = forms.get("/").get_data(as_text=True)
    assert "Day by day" in index and "Members" not in index
    assert forms.get("/b/members-room").status_code == 404
    assert forms.get(topic_url).status_code == 404
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
    assert forms.get(f"/p/{post_id}").status_code == 404


def test_pages_carry_noindex_until_the_admin_allows_indexing(app, forms, boards):
    assert 'name="robots" content="noindex' in forms.get("/").get_data(as_text=True)
    make_user(app, "Admin", Role.ADMIN)
    forms.login("Admin")
    assert forms.submit("/admin/", {"allow": "yes"}, action="/admin/indexing").status_code == 302
    assert "noindex" not in forms.get("/").get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt(app, forms):
    forms.signup("Hashed")
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.password_hash.startswith("scrypt:")
        assert "correct horse" not in user.password_hash


def test_recovery_code_sets_a_new_password_once(app, forms, new_forms):
    codes = re.findall(r"<code>([0-9a-f-]+)</code>", forms.signup("Forgetful").get_data(True))
    assert len(codes) == 8
    stranger = new_forms()
    data = {
        "pseudonym": "Forgetful",
        "code": codes[0],
        "password": "a brand new password",
        "confirm": "a brand new password",
    }
    assert stranger.submit("/recover", data).status_code == 302
    assert stranger.login("Forgetful", "a brand new password").status_code == 302
    again = new_forms().submit(
        "/recover", {**data, "password": "another password!", "confirm": "another password!"}
    )
    assert again.status_code == 200 and "don&#39;t match an unused code" in again.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(RecoveryCode.used_at.is_not(None))) == 1


def test_change_password_signs_out_other_sessions(app, forms, new_forms):
    forms.signup("Changer")
    other_device = new_forms()
    other_device.login("Changer")
    data = {
        "current": "correct horse battery",
        "password": "new and longer pw",
        "confirm": "new and longer pw",
    }
    assert forms.submit("/account/password", data).status_code == 302
    assert forms.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_pseudonym_taken_in_any_letter_case(app, forms, new_forms):
    forms.signup("QuietHarbor")
    response = new_forms().signup("quietHARBOR")
    assert response.status_code == 200
    assert "That pseudonym is taken" in response.get_data(as_text=True)
    assert count(app, User) == 1


def test_pseudonym_that_identifies_is_refused(app, forms):
    for name in ("jane.doe@example.com", "+44 7700 900123", "www.janedoe.com"):
        response = forms.signup(name)
        assert response.status_code == 200, name
        assert 'class="error"' in response.get_data(as_text=True), name
    assert count(app, User) == 0


def test_bad_topic_input_gets_a_clear_message_and_writes_nothing(app, forms, boards):
    forms.signup("Careful")
    response = start_topic(forms, title="")
    assert response.status_code == 200 and "Give your topic a title." in response.get_data(
        as_text=True
    )
    response = start_topic(forms, title="x" * 10_000)
    assert response.status_code == 200 and "at most 150 characters" in response.get_data(
        as_text=True
    )
    response = start_topic(forms, body="")
    assert response.status_code == 200 and "Write something first." in response.get_data(
        as_text=True
    )
    response = start_topic(forms, body="y" * 60_000)
    assert response.status_code == 200 and "at most 50,000 characters" in response.get_data(
        as_text=True
    )
    assert (count(app, Topic), count(app, Post)) == (0, 0)


def test_a_one_megabyte_post_is_refused_with_413(app, forms, boards):
    forms.signup("Verbose")
    response = start_topic(forms, body="z" * 1_000_000)
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert (count(app, Topic), count(app, Post)) == (0, 0)


def test_nul_bytes_are_refused_with_400(app, forms, boards):
    forms.signup("Nully")
    response = start_topic(forms, title="A\x00title", body="body")
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    response = start_topic(forms, body="body\x00")
    assert response.status_code == 400
    assert count(app, Post) == 0


def test_invalid_utf8_is_refused_with_400(app, forms, boards):
    forms.signup("Bytes")
    token = forms.token("/b/day-by-day/new")
    raw = f"csrf_token={token}&title=Broken%FF%FEtitle&body=hello".encode()
    response = forms.client.post(
        "/b/day-by-day/new", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and "UTF-8" in response.get_data(as_text=True)
    assert count(app, Post) == 0


def test_form_without_csrf_token_is_refused(app, forms, boards):
    forms.signup("NoToken")
    response = forms.client.post("/b/day-by-day/new", data={"title": "t", "body": "b"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert count(app, Post) == 0
    response = forms.client.post(
        "/signup", data={"pseudonym": "x1x", "password": "p" * 12, "confirm": "p" * 12}
    )
    assert response.status_code == 400


def test_reply_to_locked_or_missing_topic(app, forms, boards):
    forms.signup("Replier")
    topic_url = start_topic(forms).location.split("#")[0]
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        topic.locked = True
        db.session.commit()
        topic_id = topic.id
    response = forms.submit(topic_url, {"body": "hi"}, action=f"/t/{topic_id}/reply")
    assert response.status_code == 403 and "locked" in response.get_data(as_text=True)
    response = forms.submit(topic_url, {"body": "hi"}, action="/t/99999/reply")
    assert response.status_code == 404
    assert count(app, Post) == 1


def test_members_cannot_change_others_posts(app, forms, new_forms, boards):
    forms.signup("Owner")
    start_topic(forms)
    with app.app_context():
        post_id = db.session.scalar(select(Post.id))
    other = new_forms()
    other.signup("Other")
    assert other.submit("/", {}, action=f"/p/{post_id}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Post, post_id).status == PostStatus.PUBLISHED


def test_topic_pages_paginate_oldest_first(app, forms, boards):
    app.config["HARBOR_POSTS_PER_PAGE"] = 3
    forms.signup("Chatty")
    topic_url = start_topic(forms, body="post number 1").location.split("#")[0]
    for n in range(2, 8):
        forms.submit(topic_url, {"body": f"post number {n}"}, action=f"{topic_url}/reply")
    first = forms.get(topic_url).get_data(as_text=True)
    assert "post number 1" in first and "post number 3" in first and "post number 4" not in first
    last = forms.get(f"{topic_url}?page=3").get_data(as_text=True)
    assert "post number 7" in last and "Page 3 of 3" in last
    assert forms.get(f"{topic_url}?page=4").status_code == 404


def test_board_pages_paginate_newest_activity_first(app, forms, boards):
    app.config["HARBOR_TOPICS_PER_PAGE"] = 2
    forms.signup("Starter")
    for n in range(5):
        start_topic(forms, title=f"Topic {n}")
    page = forms.get("/b/day-by-day").get_data(as_text=True)
    assert page.index("Topic 4") < page.index("Topic 3") and "Topic 2" not in page
    older = re.search(r'href="([^"]+before=[^"]+)"', page).group(1).replace("&amp;", "&")
    page2 = forms.get(older).get_data(as_text=True)
    assert "Topic 2" in page2 and "Topic 1" in page2 and "Topic 4" not in page2
    assert forms.get("/b/day-by-day?before=garbage").status_code == 400


def test_silenced_member_cannot_post(app, forms, boards):
    from datetime import timedelta

    from forum.data.clock import utcnow

    forms.signup("Quiet")
    with app.app_context():
        user = db.session.scalar(select(User))
        user.silenced_until = utcnow() + timedelta(days=1)
        db.session.commit()
    response = start_topic(forms)
    assert response.status_code == 403 and "paused your posting" in response.get_data(as_text=True)
    assert count(app, Post) == 0


def test_topic_page_queries_do_not_grow_with_its_posts(app, forms, new_forms, boards):
    """Every column a post's template reads is loaded with the page: no query per post."""
    from sqlalchemy import event

    forms.signup("Chatty")
    topic_url = start_topic(forms, body="post number 1").location.split("#")[0]
    guest = new_forms()

    def statements_for_page() -> int:
        seen: list[str] = []
        with app.app_context():
            engine = db.engine

        def record(conn, cursor, statement, *args) -> None:  # noqa: ANN001
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert guest.get(topic_url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    with_one_post = statements_for_page()
    for n in range(2, 12):
        forms.submit(topic_url, {"body": f"post number {n}"}, action=f"{topic_url}/reply")
    assert statements_for_page() == with_one_post
