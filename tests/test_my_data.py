"""Issue 5: a member downloads their data, and deletes their account leaving no link to it."""

import json
import re

import pytest
from sqlalchemy import JSON, String, Text, func, select

from forum.data.models import Post, PostRevision, PostStatus, RecoveryCode, Role, Topic, User
from forum.data.notifications import Notification
from forum.data.review import AuditEntry, Report, ReviewItem, ReviewStatus
from forum.extensions import db
from forum.pages.account_data import ERASED_TITLE
from tests.conftest import make_user

PASSWORD = "correct horse battery"
MEMBER = "Alder Quill"


def only(app, query):  # noqa: ANN001, ANN201
    with app.app_context():
        return db.session.scalar(query)


@pytest.fixture
def history(moderated_app, forms, new_forms, boards) -> dict:
    """A member with a past: topics, replies, a revision, reports both ways, moderation."""
    app = moderated_app
    forms.signup(MEMBER)
    topic = forms.submit(
        "/b/day-by-day/new", {"title": "Alder's first week", "body": "Seven days without a drink."}
    ).location.split("#")[0]
    forms.submit(topic, {"body": "Something HOSTILE here"}, action=f"{topic}/reply")
    forms.submit(
        topic,
        {"body": "Text me on 07700 900123", "post_anyway": "y"},
        action=f"{topic}/reply",
    )

    other = new_forms()
    other.signup("Birch Reporter")
    other_topic = other.submit(
        "/b/day-by-day/new", {"title": "Birch's topic", "body": "Hello from Birch."}
    ).location.split("#")[0]
    other.submit(other_topic, {"body": "Answering Alder"}, action=f"{other_topic}/reply")
    ids = {}
    with app.app_context():
        member = db.session.scalar(select(User).where(User.pseudonym == MEMBER))
        ids["member"] = member.id
        posts = db.session.scalars(select(Post).where(Post.author_id == member.id)).all()
        ids["posts"] = sorted(p.id for p in posts)
        ids["topic"] = posts[0].topic_id
        ids["hostile"] = next(p.id for p in posts if "HOSTILE" in p.body)
        ids["birch_post"] = db.session.scalar(
            select(Post.id).where(Post.body == "Hello from Birch.")
        )
    # Birch reports Alder's post; Alder reports Birch's
    other.submit(f"/p/{ids['posts'][0]}/report", {"reason": "Birch thinks this is off-topic"})
    forms.submit(f"/p/{ids['birch_post']}/report", {"reason": "Alder's report of Birch"})

    make_user(app, "Moss Moderator", Role.MODERATOR)
    mod = new_forms()
    mod.login("Moss Moderator")
    hostile_item = only(app, select(ReviewItem.id).where(ReviewItem.subject_id == ids["hostile"]))
    act = f"/review/{hostile_item}/act"
    mod.submit(f"/review/{hostile_item}", {}, action=f"/review/{hostile_item}/claim")
    mod.submit(
        f"/review/{hostile_item}",
        {"action": "warn", "reason": "Please keep it kind, Alder."},
        action=act,
    )
    mod.submit(
        f"/review/{hostile_item}",
        {"action": "edit", "body": "Something here", "reason": "toned down"},
        action=act,
    )
    ids["mod_item"] = hostile_item
    return ids


def test_export_holds_everything_about_the_member_and_nothing_about_others(
    moderated_app, forms, history
):
    response = forms.get("/account/data/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="harbor-my-data.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))

    assert data["format"] == "harbor-member-data/1"
    assert data["account"]["pseudonym"] == MEMBER and data["account"]["role"] == "member"
    assert data["recovery_codes"] == {"unused": 8, "used": []}
    assert [p["id"] for p in data["posts"]] == history["posts"]
    bodies = {p["body"] for p in data["posts"]}
    assert {"Seven days without a drink.", "Something here", "Text me on 07700 900123"} == bodies
    first = data["posts"][0]
    assert first["starts_topic"] and first["topic_title"] == "Alder's first week"
    edited = next(p for p in data["posts"] if p["id"] == history["hostile"])
    assert edited["earlier_versions"][0]["body"] == "Something HOSTILE here"
    assert edited["moderation"]["findings"]["scores"]["labels"]["threat"] == pytest.approx(0.93)
    posted_anyway = next(p for p in data["posts"] if "07700" in p["body"])
    assert posted_anyway["moderation"]["findings"]["identifying"][0]["kind"] == "phone"
    assert data["reports_made"] == [
        {
            "post_id": history["birch_post"],
            "kind": "report",
            "category": "other",
            "reason": "Alder's report of Birch",
            "created_at": data["reports_made"][0]["created_at"],
        }
    ]
    assert [m["body"] for m in data["messages"]] == ["Please keep it kind, Alder."]
    actions = [d["action"] for d in data["moderation_decisions_about_you"]]
    assert "edit" in actions and "warn" in actions and "claim" not in actions

    text = json.dumps(data)
    assert "Moss Moderator" not in text  # which moderator decided
    assert "Birch Reporter" not in text and "Birch thinks" not in text  # who reported, and why
    assert not re.search(r"\b[0-9a-f]{64}\b", text)  # no recovery-code or password hashes
    assert "scrypt" not in text


def _user_columns() -> list:
    """Every column that refers to a member's row."""
    return [
        column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
    ]


def assert_nothing_links_to(app, member_id: int, pseudonym: str) -> None:
    """No foreign key names the member, and no text anywhere holds their pseudonym."""
    with app.app_context():
        columns = _user_columns()
        assert len(columns) >= 8
        for column in columns:
            rows = db.session.scalar(
                select(func.count()).select_from(column.table).where(column == member_id)
            )
            assert rows == 0, f"{column.table.name}.{column.name} still names the member"
        assert db.session.get(User, member_id) is None
        for table in db.metadata.sorted_tables:
            texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for row in db.session.execute(select(*texts)).all() if texts else []:
                for value in row:
                    if value is not None:
                        assert pseudonym.lower() not in json.dumps(value).lower(), table.name


def delete_account(forms, posts: str, password: str = PASSWORD):  # noqa: ANN201
    return forms.submit(
        "/account/data", {"posts": posts, "password": password}, action="/account/delete"
    )


def test_wrong_password_deletes_nothing(moderated_app, forms, history):
    response = delete_account(forms, "erase", password="not my password")
    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in response.get_data(as_text=True)
    assert only(moderated_app, select(User.id).where(User.id == history["member"]))
    response = forms.submit("/account/data", {"password": PASSWORD}, action="/account/delete")
    assert response.status_code == 400 and "Choose what happens to your posts" in (
        response.get_data(as_text=True)
    )


def test_delete_and_erase_posts(moderated_app, forms, new_forms, history):
    app = moderated_app
    response = delete_account(forms, "erase")
    assert response.status_code == 302
    assert_nothing_links_to(app, history["member"], MEMBER)
    with app.app_context():
        posts = [db.session.get(Post, post_id) for post_id in history["posts"]]
        assert all(p.status == PostStatus.DELETED and p.body == "" for p in posts)
        assert all(p.body_html == "" and p.findings is None and p.decision is None for p in posts)
        assert all(p.author_id is None for p in posts)
        assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 0
        assert db.session.get(Topic, history["topic"]).title == ERASED_TITLE
        items = db.session.scalars(
            select(ReviewItem).where(
                ReviewItem.subject_type == "post", ReviewItem.subject_id.in_(history["posts"])
            )
        ).all()
        assert items and all(item.status == ReviewStatus.RESOLVED for item in items)
        # the recovery codes and messages left are Birch's own
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 8
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        # what others did stays: Birch's report of Alder's post, Alder's report (unsigned)
        assert db.session.scalar(select(func.count()).select_from(Report)) == 2
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "warn")
            )
            == 1
        )
    page = new_forms().get(f"/t/{history['topic']}").get_data(as_text=True)
    assert page.count("This post was removed by its author.") == 3
    assert "Seven days" not in page and "07700" not in page and "former member" in page
    assert forms.get("/account").status_code == 302  # logged out
    assert new_forms().login(MEMBER).status_code == 200  # the account is gone


def test_delete_and_keep_posts_as_former_member(moderated_app, forms, new_forms, history):
    app = moderated_app
    response = delete_account(forms, "keep")
    assert response.status_code == 302
    assert_nothing_links_to(app, history["member"], MEMBER)
    with app.app_context():
        posts = [db.session.get(Post, post_id) for post_id in history["posts"]]
        assert [p.author_id for p in posts] == [None] * 3
        assert posts[0].body == "Seven days without a drink."
        assert posts[0].status == PostStatus.PUBLISHED
        assert db.session.get(Topic, history["topic"]).author_id is None
    page = new_forms().get(f"/t/{history['topic']}").get_data(as_text=True)
    assert "Seven days without a drink." in page and page.count("former member") >= 2


def test_a_new_member_who_gets_the_same_number_inherits_nothing(app, forms, new_forms, boards):
    forms.signup("Short Stay")
    forms.submit("/b/day-by-day/new", {"title": "Hello", "body": "Hi all"})
    old_id = only(app, select(User.id))
    assert delete_account(forms, "keep").status_code == 302
    newcomer = new_forms()
    newcomer.signup("Next Person")
    data = json.loads(newcomer.get("/account/data/export").get_data(as_text=True))
    assert data["posts"] == [] and data["messages"] == []
    assert data["account"]["pseudonym"] == "Next Person"
    with app.app_context():
        reuses_numbers = db.engine.dialect.name == "sqlite"  # PostgreSQL's sequences never do
    if reuses_numbers:
        assert only(app, select(User.id)) == old_id


def test_deleting_an_account_takes_its_reactions_back(moderated_app, forms, new_forms, history):
    app = moderated_app
    birch = history["birch_post"]
    forms.submit(f"/t/{history['topic']}", {"kind": "strength"}, action=f"/p/{birch}/react")
    assert only(app, select(Post.reactions_strength).where(Post.id == birch)) == 1
    assert delete_account(forms, "keep").status_code == 302
    assert only(app, select(Post.reactions_strength).where(Post.id == birch)) == 0
    page = new_forms().get(f"/p/{birch}", follow_redirects=True).get_data(as_text=True)
    assert "Hello from Birch." in page
