"""Issue 15: `flask harbor backup` and `restore` round-trip the whole forum, losing nothing."""

from sqlalchemy import select

from forum.data.models import Post
from forum.extensions import db
from tests.hardening_support import established_member, topic_with_a_post


def everything_in(app) -> dict[str, list]:
    """Every row of every table (search index included), sorted, as comparable text."""
    with app.app_context():
        connection = db.session.connection()
        tables = [*db.metadata.sorted_tables]
        rows = {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in tables
        }
        if connection.dialect.name == "sqlite":
            index = "SELECT rowid, title, body FROM post_search"
        else:
            index = "SELECT post_id, document::text FROM post_search"
        rows["post_search"] = sorted(repr(tuple(row)) for row in connection.exec_driver_sql(index))
        db.session.rollback()
    return rows


def a_forum_with_history(app, new_forms) -> None:
    writer = established_member(app, "Archivist")
    topic = topic_with_a_post(app, writer)
    writer.submit(topic, {"body": "A reply with a lighthouse in it."}, action=f"{topic}/reply")
    reader = established_member(app, "Reader")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).order_by(Post.id))
    reader.submit(topic, {"kind": "hear_you"}, action=f"/p/{post_id}/react")
    reader.submit(f"/p/{post_id}/report", {"reason": "kept through a restore"})
    new_forms().signup("Newest Member")


def test_backup_and_restore_lose_nothing(app, new_forms, tmp_path):
    a_forum_with_history(app, new_forms)
    before = everything_in(app)
    assert before["posts"] and before["member_sessions"] and before["post_search"]
    backup = tmp_path / "harbor.backup"
    runner = app.test_cli_runner()
    made = runner.invoke(args=["harbor", "backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert backup.stat().st_size > 0 and backup.stat().st_mode & 0o077 == 0

    # life goes on after the backup, then something goes wrong
    later = established_member(app, "After Backup")
    topic_with_a_post(app, later)
    with app.app_context():
        db.session.execute(Post.__table__.delete().where(Post.number > 1))
        db.session.commit()
    assert everything_in(app) != before

    refused = runner.invoke(args=["harbor", "restore", str(backup)], input="n\n")
    assert refused.exit_code != 0 and everything_in(app) != before
    restored = runner.invoke(args=["harbor", "restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert everything_in(app) == before
    found = app.test_client().get("/search?q=lighthouse").get_data(as_text=True)
    assert "<mark>lighthouse</mark>" in found


def test_restore_refuses_a_file_that_is_no_backup(app, tmp_path):
    junk = tmp_path / "not-a-backup"
    junk.write_text("hello")
    result = app.test_cli_runner().invoke(args=["harbor", "restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not a Harbor backup" in result.output
