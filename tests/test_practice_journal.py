"""Issue 17: the private journal. Entries are invisible to another member, to a moderator and
to search, present in the member's export, gone after deletion, and not readable in the
database as plain text; the chart is server-rendered SVG with the SOS days marked."""

import json
import re
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy import text as sql

from forum.data.models import Role
from forum.extensions import db
from forum.practice.models import JournalEntry, PracticeProfile, SosUse
from tests.conftest import make_user
from tests.fellowship_support import member, text, user_id

SECRET_WORDS = "Quinceharrow blackberry moment"
SECRET_TRIGGER = "uncle bartholomew"
PASSWORD = "correct horse battery"


def write(client, body: str = SECRET_WORDS, mood: int = 2, craving: int = 7, **extra):  # noqa: ANN001, ANN003, ANN201
    data = {"mood": str(mood), "craving": str(craving), "body": body, **extra}
    return client.submit("/journal", data)


def entry_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/journal/(\d+)/delete"', page)]


def test_an_entry_is_for_its_writer_only(app, new_forms):
    writer = member(new_forms, "Writer")
    response = write(writer, triggers=["stress", "payday"], other_triggers=SECRET_TRIGGER)
    assert response.status_code == 302
    page = text(writer.get("/journal"))
    assert SECRET_WORDS in page and "stress, payday, uncle bartholomew" in page
    assert "Mood 2 (low) · craving 7 of 10" in page
    [entry_id] = entry_ids(page)

    other = member(new_forms, "Curious")
    assert SECRET_WORDS not in text(other.get("/journal"))
    assert other.submit("/journal", {}, action=f"/journal/{entry_id}/delete").status_code == 404

    make_user(app, "Watchful", Role.ADMIN)
    moderator = new_forms()
    moderator.login("Watchful")
    for path in ("/journal", "/review/", "/review/log", "/admin/", "/search?q=Quinceharrow"):
        assert SECRET_WORDS not in text(moderator.get(path)), path
    assert moderator.submit("/journal", {}, action=f"/journal/{entry_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(JournalEntry, entry_id) is not None


def test_entries_never_enter_search(app, new_forms, boards):
    writer = member(new_forms, "Searcher")
    write(writer)
    writer.submit("/b/day-by-day/new", {"title": "Quinceharrow", "body": "A public post."})
    page = text(new_forms().get("/search?q=blackberry"))
    assert "blackberry" not in page.split("<main", 1)[1].split("</form>", 1)[1]
    assert 'class="search-result"' not in text(writer.get("/search?q=blackberry"))
    assert text(writer.get("/search?q=Quinceharrow")).count('class="search-result"') == 1


def test_entries_are_in_the_export_and_gone_with_the_account(app, new_forms):
    writer = member(new_forms, "Leaving")
    write(writer, triggers=["loneliness"])
    writer.submit("/sos/reasons", {"reasons": "My garden"})
    writer.submit("/", {}, action="/sos")
    export = json.loads(writer.get("/account/data/export").get_data(as_text=True))
    practice = export["daily_practice"]
    [entry] = practice["journal"]
    assert entry["body"] == SECRET_WORDS and entry["triggers"] == ["loneliness"]
    assert entry["mood"] == 2 and entry["craving"] == 7
    assert practice["reasons"] == ["My garden"] and len(practice["craving_sos_used"]) == 1

    member_id = user_id(app, "Leaving")
    deleted = writer.submit(
        "/account/data", {"posts": "erase", "password": PASSWORD}, action="/account/delete"
    )
    assert deleted.status_code == 302
    with app.app_context():
        for model in (JournalEntry, PracticeProfile, SosUse):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    assert member_id is not None


def _everything_stored(app) -> bytes:  # noqa: ANN001
    """Every byte of the database: the SQLite file and its write-ahead log, or on PostgreSQL
    every row of every table, as the server returns it."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            db.session.remove()
            path = Path(engine.url.database)
            return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        with engine.connect() as connection:
            rows = [
                connection.execute(sql(f'SELECT t::text FROM "{table}" t')).scalars().all()
                for table in inspect(engine).get_table_names()
            ]
        return "\n".join(row for table in rows for row in table).encode()


def test_the_database_holds_no_plain_text_of_an_entry(app, new_forms):
    writer = member(new_forms, "Sealed")
    write(writer, other_triggers=SECRET_TRIGGER)
    writer.submit("/sos/reasons", {"reasons": "Quinceharrow reasons"})
    stored = _everything_stored(app)
    assert b"Sealed" in stored  # the pseudonym is there: this is the database
    for secret in (SECRET_WORDS, "Quinceharrow", SECRET_TRIGGER, "bartholomew"):
        assert secret.encode() not in stored, secret
    # and the writer still reads it back
    assert SECRET_WORDS in text(writer.get("/journal"))


def test_a_changed_secret_leaves_the_entry_unreadable_not_broken(app, new_forms):
    writer = member(new_forms, "Rotated")
    write(writer)
    app.config["HARBOR_JOURNAL_SECRET"] = "a different secret"
    page = text(writer.get("/journal"))
    assert SECRET_WORDS not in page and "be read with this server" in page


def test_the_chart_is_inline_svg_with_sos_days_marked(app, new_forms):
    writer = member(new_forms, "Charting")
    write(writer, craving=8, mood=2)
    writer.submit("/", {}, action="/sos")
    page = text(writer.get("/journal"))
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "Your craving and mood, last 30 days" in svg
    assert 'class="chart-point chart-point-craving"' in svg
    assert svg.count('class="chart-sos-mark"') == 1 and "SOS used 1×" in svg
    assert "<script" not in page.replace('<script src="/static/', "")
    assert "You used the craving SOS on 1 day." in page
    ninety = text(writer.get("/journal?days=90"))
    assert "Your craving and mood, last 90 days" in ninety
