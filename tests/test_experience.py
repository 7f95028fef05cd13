"""Issue 7: content warnings, supportive reactions, reply notifications and the live preview,
driven through plain HTTP forms (the browser journeys are in tests/browser/)."""

import re

from sqlalchemy import func, select

from forum.data.markdown import ALLOWED_TAGS, render_markdown, sanitise_html
from forum.data.models import Board, Post, PostStatus, Role, User
from forum.data.notifications import Notification
from forum.data.reactions import Reaction
from forum.data.review import ReviewItem
from forum.extensions import db
from tests.conftest import FormClient, make_user


def post_topic(forms, body="Day 40 today.", title="Day 40", **fields):
    response = forms.submit("/b/day-by-day/new", {"title": title, "body": body, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location.split("#")[0]


def reply(forms, topic_url, body, **fields):
    response = forms.submit(topic_url, {"body": body, **fields}, action=f"{topic_url}/reply")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def newest_post(app) -> Post:
    with app.app_context():
        return db.session.scalars(select(Post).order_by(Post.id.desc())).first()


def user_id(app, pseudonym: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.pseudonym == pseudonym))


def unread_replies(app, pseudonym_id: int) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == pseudonym_id,
                    Notification.kind == "reply",
                    Notification.read_at.is_(None),
                )
            )
        )


# --- content warnings ---------------------------------------------------------------------


def test_whole_post_warning_closes_the_post_for_every_reader(app, forms, new_forms, boards):
    forms.signup("Writer")
    topic_url = post_topic(forms, "I drank on Friday.", content_warning="relapse details")
    for reader in (forms, new_forms()):
        page = reader.get(topic_url).get_data(as_text=True)
        details = re.search(
            r'<details class="cw cw-post">\s*<summary>Content warning: relapse details</summary>'
            r'\s*<div class="post-body"><p>I drank on Friday.</p>\s*</div>\s*</details>',
            page,
        )
        assert details, page
        assert " open" not in details.group(0)
    assert newest_post(app).content_warning == "relapse details"


def test_edit_changes_or_clears_the_warning_and_long_warnings_are_refused(app, forms, boards):
    forms.signup("Writer")
    topic_url = post_topic(forms, content_warning="grief")
    post_id = newest_post(app).id
    edit = f"/p/{post_id}/edit"
    assert 'value="grief"' in forms.get(edit).get_data(as_text=True)
    forms.submit(edit, {"title": "Day 40", "body": "Day 40.", "content_warning": ""})
    assert newest_post(app).content_warning is None
    assert "<summary>Content warning" not in forms.get(topic_url).get_data(as_text=True)

    response = forms.submit(
        "/b/day-by-day/new", {"title": "Long", "body": "text", "content_warning": "x" * 61}
    )
    assert response.status_code == 200
    assert "60 characters or fewer" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 1


def test_part_of_a_post_goes_behind_a_warning_with_markdown():
    html = render_markdown("Before.\n\n:::cw self-harm\nThe *hard* part.\n:::\n\nAfter.")
    assert html == (
        "<p>Before.</p>\n"
        '<details class="cw"><summary>Content warning: self-harm</summary>\n'
        "<p>The <em>hard</em> part.</p>\n</details>\n<p>After.</p>\n"
    )
    assert render_markdown(":::CW\nhidden\n:::").startswith(
        '<details class="cw"><summary>Content warning</summary>'
    )
    label = render_markdown(':::cw <img src=x onerror=alert(1)> "q"\nx\n:::')
    assert "<img" not in label and "&lt;img src=x onerror=alert(1)&gt;" in label
    # a label is cut to the field's 60 characters
    assert "y" * 61 not in render_markdown(":::cw " + "y" * 100 + "\nx\n:::")
    assert "<details" not in render_markdown(":::note\nnot a warning\n:::")


def test_warning_markup_can_only_come_from_the_renderer():
    """Raw HTML is escaped; the sanitiser keeps class="cw" on details and nothing else."""
    assert "details" in ALLOWED_TAGS and "summary" in ALLOWED_TAGS
    raw = render_markdown('<details open><summary onclick="x()">s</summary></details>')
    assert "<details" not in raw and "&lt;details open&gt;" in raw
    cleaned = sanitise_html(
        '<details open class="cw" onclick="x()"><summary class="cw" style="x">s</summary>'
        '</details><details class="evil">y</details><details class="cw wide">z</details>'
    )
    assert cleaned == (
        '<details class="cw"><summary>s</summary></details><details>y</details><details>z</details>'
    )


# --- reactions ----------------------------------------------------------------------------


def react(forms, topic_url, post_id, kind):
    return forms.submit(topic_url, {"kind": kind}, action=f"/p/{post_id}/react")


def pressed(page: str) -> list[str]:
    return re.findall(r'value="(\w+)" class="reaction" aria-pressed="true"', page)


def test_one_reaction_per_member_replaced_or_taken_back(app, forms, new_forms, boards):
    forms.signup("Writer")
    topic_url = post_topic(forms, "Ninety days.")
    post_id = newest_post(app).id
    friend = new_forms()
    friend.signup("Friend")

    assert react(friend, topic_url, post_id, "hear_you").status_code == 302
    page = friend.get(topic_url).get_data(as_text=True)
    assert pressed(page) == ["hear_you"]
    assert re.search(r'value="hear_you"[^>]*>I hear you <span class="reaction-count">1<', page)

    react(friend, topic_url, post_id, "strength")  # another kind replaces it
    post = newest_post(app)
    assert (post.reactions_hear_you, post.reactions_me_too, post.reactions_strength) == (0, 0, 1)
    assert pressed(friend.get(topic_url).get_data(as_text=True)) == ["strength"]

    react(friend, topic_url, post_id, "strength")  # the same again takes it back
    post = newest_post(app)
    assert (post.reactions_hear_you, post.reactions_me_too, post.reactions_strength) == (0, 0, 0)
    assert pressed(friend.get(topic_url).get_data(as_text=True)) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0


def test_counts_match_the_rows_with_many_members(app, forms, new_forms, boards):
    forms.signup("Writer")
    topic_url = post_topic(forms)
    post_id = newest_post(app).id
    choices = ["hear_you", "hear_you", "me_too", "strength", "hear_you"]
    for n, kind in enumerate(choices):
        member = new_forms()
        member.signup(f"Member{n}")
        react(member, topic_url, post_id, kind)
    with app.app_context():
        post = db.session.get(Post, post_id)
        rows = dict(
            db.session.execute(select(Reaction.kind, func.count()).group_by(Reaction.kind)).all()
        )
        assert rows == {"hear_you": 3, "me_too": 1, "strength": 1}
        assert (post.reactions_hear_you, post.reactions_me_too, post.reactions_strength) == (
            3,
            1,
            1,
        )
    guest_page = new_forms().get(topic_url).get_data(as_text=True)
    assert "/react" not in guest_page
    assert re.search(r'I hear you <span class="reaction-count">3</span>', guest_page)


def test_no_reaction_on_your_own_post_held_posts_or_unknown_kinds(
    moderated_app, forms, new_forms, boards
):
    app = moderated_app
    forms.signup("Writer")
    topic_url = post_topic(forms)
    own_id = newest_post(app).id
    own_page = forms.get(topic_url).get_data(as_text=True)
    assert "/react" not in own_page  # the author sees counts only
    assert react(forms, topic_url, own_id, "hear_you").status_code == 403

    other = new_forms()
    other.signup("Other")
    assert react(other, topic_url, own_id, "dislike").status_code == 400
    reply(forms, topic_url, "Something HOSTILE here")
    held = newest_post(app)
    assert held.status == PostStatus.HELD
    assert react(other, topic_url, held.id, "hear_you").status_code == 404
    guest = new_forms()
    assert react(guest, "/login", own_id, "hear_you").status_code == 302  # to log in
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reaction)) == 0


def limited_client(app, pseudonym: str) -> FormClient:
    make_user(app, pseudonym)
    client = FormClient(app.test_client())
    client.login(pseudonym)
    return client


def add_board(app) -> None:
    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()


def test_reactions_are_rate_limited(limited_app):
    add_board(limited_app)
    topic_url = post_topic(limited_client(limited_app, "Writer"))
    post_id = newest_post(limited_app).id
    eager = limited_client(limited_app, "Eager")
    token = eager.token(topic_url)
    statuses = [
        eager.client.post(
            f"/p/{post_id}/react", data={"csrf_token": token, "kind": "hear_you"}
        ).status_code
        for _ in range(121)
    ]
    assert statuses[:120] == [302] * 120 and statuses[120] == 429


# --- follows and notifications ------------------------------------------------------------


def test_followers_hear_of_replies_once_per_topic_and_not_of_their_own(
    app, forms, new_forms, boards
):
    forms.signup("Writer")
    topic_url = post_topic(forms)
    b, c = new_forms(), new_forms()
    b.signup("Bee")
    c.signup("Cee")
    writer_id, bee_id, cee_id = (user_id(app, name) for name in ("Writer", "Bee", "Cee"))
    reply(b, topic_url, "Well done!")
    notes = unread_replies(app, writer_id)
    assert [(n.subject, n.event_count) for n in notes] == [("New replies in “Day 40”", 1)]
    assert notes[0].link == f"/p/{newest_post(app).id}"
    assert unread_replies(app, bee_id) == []  # never about one's own reply
    assert 'Messages <span class="unread">(1 new)</span>' in forms.get("/").get_data(as_text=True)

    reply(c, topic_url, "Keep going.")
    assert [n.event_count for n in unread_replies(app, writer_id)] == [2]  # one message, two
    assert [n.event_count for n in unread_replies(app, bee_id)] == [1]  # Bee follows by replying
    assert unread_replies(app, cee_id) == []
    inbox = forms.get("/account/messages").get_data(as_text=True)
    assert "2 new replies in a topic you follow" in inbox and "Read the first new reply" in inbox

    forms.submit("/account/messages", {}, action="/account/messages/read")
    assert "(1 new)" not in forms.get("/").get_data(as_text=True)
    reply(c, topic_url, "One more.")
    assert [n.event_count for n in unread_replies(app, writer_id)] == [1]  # a fresh message


def test_muting_stops_messages_even_for_the_author_and_survives_replying(
    app, forms, new_forms, boards
):
    forms.signup("Writer")
    topic_url = post_topic(forms)
    topic_id = int(topic_url.rsplit("/", 1)[1])
    page = forms.get(topic_url).get_data(as_text=True)
    assert "following this topic" in page and "Mute this topic" in page
    response = forms.submit(topic_url, {"mute": "yes"}, action=f"/t/{topic_id}/follow")
    assert response.status_code == 302
    assert "muted this topic" in forms.get(topic_url).get_data(as_text=True)
    reply(forms, topic_url, "Adding to my own topic.")  # replying does not undo a mute
    other = new_forms()
    other.signup("Other")
    reply(other, topic_url, "Hi!")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    forms.submit(topic_url, {"mute": "no"}, action=f"/t/{topic_id}/follow")
    reply(other, topic_url, "Hi again!")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1

    reader = new_forms()
    reader.signup("Reader")
    assert "Follow this topic" in reader.get(topic_url).get_data(as_text=True)
    assert "Follow this topic" not in new_forms().get(topic_url).get_data(as_text=True)
    assert new_forms().submit("/login", {}, action=f"/t/{topic_id}/follow").status_code == 302


def test_held_reply_notifies_only_when_approved_and_only_once(
    moderated_app, forms, new_forms, boards
):
    app = moderated_app
    forms.signup("Writer")
    topic_url = post_topic(forms)
    other = new_forms()
    other.signup("Other")
    reply(other, topic_url, "Something HOSTILE here")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        item_id = db.session.scalar(select(ReviewItem.id))
    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    act = f"/review/{item_id}/act"
    mod.submit(f"/review/{item_id}", {"action": "approve"}, action=act)
    with app.app_context():
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.kind, n.event_count) for n in notes] == [("reply", 1)]
    # removed and restored: the followers were told once already
    mod.submit(f"/review/{item_id}", {"action": "reopen"}, action=act)
    mod.submit(f"/review/{item_id}", {"action": "remove", "reason": "threat"}, action=act)
    mod.submit(f"/review/{item_id}", {"action": "reopen"}, action=act)
    mod.submit(f"/review/{item_id}", {"action": "approve"}, action=act)
    with app.app_context():
        replies = select(Notification).where(Notification.kind == "reply")
        assert [n.event_count for n in db.session.scalars(replies)] == [1]


def test_nav_count_stops_at_nine_plus(app, forms, new_forms, boards):
    forms.signup("Writer")
    for n in range(11):
        post_topic(forms, title=f"Topic {n}")
    other = new_forms()
    other.signup("Other")
    with app.app_context():
        topic_ids = db.session.scalars(select(Post.topic_id)).all()
    for topic_id in topic_ids:
        reply(other, f"/t/{topic_id}", "Hello")
    assert "(9+ new)" in forms.get("/").get_data(as_text=True)


# --- live preview -------------------------------------------------------------------------


def test_preview_is_rendered_and_sanitised_by_the_server(app, forms, new_forms, boards):
    forms.signup("Writer")
    token = forms.token("/b/day-by-day/new")
    response = forms.client.post(
        "/preview",
        data={"text": "**Day 3** <script>alert(1)</script>", "content_warning": "drug use"},
        headers={"X-CSRFToken": token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<summary>Content warning: drug use</summary>" in html
    assert "<strong>Day 3</strong>" in html and "<script>" not in html
    assert "&lt;script&gt;" in html
    assert forms.client.post("/preview", data={"text": "x"}).status_code == 400  # no CSRF token
    guest = new_forms()
    guest_token = guest.token("/login")
    guest_response = guest.client.post(
        "/preview", data={"text": "x"}, headers={"X-CSRFToken": guest_token}
    )
    assert guest_response.status_code == 302


def test_preview_is_rate_limited(limited_app):
    add_board(limited_app)
    writer = limited_client(limited_app, "Writer")
    headers = {"X-CSRFToken": writer.token("/b/day-by-day/new")}
    statuses = [
        writer.client.post("/preview", data={"text": "hi"}, headers=headers).status_code
        for _ in range(61)
    ]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_posting_forms_offer_warnings_and_preview_without_needing_script(app, forms, boards):
    forms.signup("Writer")
    topic_url = post_topic(forms)
    post_id = newest_post(app).id
    for url in ("/b/day-by-day/new", topic_url, f"/p/{post_id}/edit"):
        page = forms.get(url).get_data(as_text=True)
        assert 'list="content-warning-suggestions"' in page, url
        assert '<option value="relapse details">' in page, url
        assert re.search(r'id="draft-preview" class="preview" hidden', page), url
        assert 'aria-live="polite"' in page and "preview.js" in page, url


def test_pages_carry_no_inline_script_style_or_handlers(app, forms, boards):
    """Ready for a strict Content-Security-Policy: script only from files, no style= or on*=."""
    forms.signup("Writer")
    topic_url = post_topic(forms, ":::cw grief\nhard\n:::", content_warning="grief")
    other_page_urls = ["/", "/b/day-by-day", "/b/day-by-day/new", "/help/", "/account/messages"]
    for url in [topic_url, *other_page_urls]:
        page = forms.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_moderators_see_warned_text_open_on_the_review_item(
    moderated_app, forms, new_forms, boards
):
    app = moderated_app
    forms.signup("Writer")
    post_topic(
        forms, "Intro.\n\n:::cw grief\nSomething HOSTILE inside.\n:::", content_warning="grief"
    )
    with app.app_context():
        item_id = db.session.scalar(select(ReviewItem.id))
    make_user(app, "Mod", Role.MODERATOR)
    mod = new_forms()
    mod.login("Mod")
    page = mod.get(f"/review/{item_id}").get_data(as_text=True)
    assert '<p class="meta">Content warning: grief</p>' in page
    assert '<details class="cw" open><summary>Content warning: grief</summary>' in page
    reader_page = forms.get(f"/t/{newest_post(app).topic_id}").get_data(as_text=True)
    assert '<details class="cw" open>' not in reader_page
