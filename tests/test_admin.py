"""Issue 2: the admin, made from the command line, runs boards and moderators."""

from sqlalchemy import select

from forum.data.models import Board, Role, User
from forum.extensions import db
from tests.conftest import make_user


def test_create_admin_from_the_cli(app):
    result = app.test_cli_runner().invoke(
        args=["harbor", "create-admin", "Keeper", "--password", "a long admin password"]
    )
    assert result.exit_code == 0, result.output
    assert "Recovery codes" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.pseudonym_key == "keeper"))
        assert user.role == Role.ADMIN and user.check_password("a long admin password")


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["harbor", "create-admin", "Keeper", "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_admin_manages_boards_and_moderators(app, forms, new_forms):
    make_user(app, "Admin", Role.ADMIN)
    make_user(app, "Helper")
    forms.login("Admin")
    for name in ("Newcomers", "Milestones"):
        assert (
            forms.submit(
                "/admin/", {"name": name, "description": "d"}, action="/admin/boards"
            ).status_code
            == 302
        )
    with app.app_context():
        newcomers, milestones = db.session.scalars(select(Board).order_by(Board.position)).all()
        ids = newcomers.id, milestones.id
    forms.submit("/admin/", {"direction": "up"}, action=f"/admin/boards/{ids[1]}/move")
    forms.submit(
        "/admin/",
        {"name": "Starting out", "description": "", "members_only": "y"},
        action=f"/admin/boards/{ids[0]}",
    )
    with app.app_context():
        ordered = db.session.scalars(select(Board).order_by(Board.position)).all()
        assert [b.name for b in ordered] == ["Milestones", "Starting out"]
        assert ordered[1].members_only and ordered[1].slug == "newcomers"

    guest_index = new_forms().get("/").get_data(as_text=True)
    assert "Milestones" in guest_index and "Starting out" not in guest_index

    assert (
        forms.submit(
            "/admin/", {"pseudonym": "helper", "action": "make"}, action="/admin/moderators"
        ).status_code
        == 302
    )
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.pseudonym_key == "helper")).role
            == Role.MODERATOR
        )
    forms.submit("/admin/", {"pseudonym": "Helper", "action": "remove"}, action="/admin/moderators")
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.pseudonym_key == "helper")).role
            == Role.MEMBER
        )


def test_members_cannot_reach_admin_pages(app, forms):
    forms.signup("Curious")
    assert forms.get("/admin/").status_code == 403
    assert forms.submit("/account", {"name": "Mine"}, action="/admin/boards").status_code == 403


def test_seed_demo_fills_the_forum_once(app, forms):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["harbor", "seed-demo", "--if-empty"]).exit_code == 0
    second = runner.invoke(args=["harbor", "seed-demo", "--if-empty"])
    assert "already has boards" in second.output
    index = forms.get("/").get_data(as_text=True)
    for name in (
        "Newcomers",
        "Day by day",
        "The twelve steps",
        "Family and friends",
        "Milestones",
        "Off-topic",
    ):
        assert name in index
    assert "Members&#39; room" not in index
    board = forms.get("/b/milestones").get_data(as_text=True)
    assert "One year today" in board
    with app.app_context():
        milestones = db.session.scalar(select(Board).where(Board.slug == "milestones"))
        assert (milestones.topic_count, milestones.post_count) == (1, 4)
