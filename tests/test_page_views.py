"""Issue 6: a page view never writes to the database, for guests, members and moderators,
and reads outside a transaction (no BEGIN and ROLLBACK round trips)."""

import re

from sqlalchemy import event

from forum.data.models import Role
from forum.extensions import db
from tests.conftest import make_user

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


def test_page_views_never_write(moderated_app, forms, new_forms, boards):
    app = moderated_app
    make_user(app, "Mod", Role.ADMIN)
    forms.signup("Writer")
    response = forms.submit("/b/day-by-day/new", {"title": "Day one", "body": "Made it."})
    topic_url = response.location.split("#")[0]
    forms.submit(topic_url, {"body": "Something HOSTILE"}, action=f"{topic_url}/reply")
    forms.submit("/b/members-room/new", {"title": "Just us", "body": "Quiet here."})
    post_id = int(re.search(r"post-(\d+)", response.location).group(1))
    mod = new_forms()
    mod.login("Mod")
    item_id = re.search(r'href="/review/(\d+)"', mod.get("/review/").get_data(True)).group(1)
    pages = [
        "/",
        "/b/day-by-day",
        topic_url,
        f"{topic_url}?page=1",
        f"/p/{post_id}",
        "/search?q=made",
        "/help/",
        "/login",
        "/signup",
    ]
    member_pages = [
        *pages,
        "/b/members-room",
        "/account",
        "/account/messages",
        f"/p/{post_id}/edit",
    ]
    moderator_pages = [
        *pages,
        "/b/members-room",
        "/account/messages",
        "/review/",
        f"/review/{item_id}",
        "/review/dashboard",
        "/review/log",
        "/admin/",
    ]

    writes: list[str] = []
    in_a_transaction: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if WRITES.match(statement):
            writes.append(statement)
        dbapi_connection = conn.connection.dbapi_connection
        # psycopg says autocommit; Python 3.11's sqlite3 says isolation_level None
        if not (
            getattr(dbapi_connection, "autocommit", False) is True
            or getattr(dbapi_connection, "isolation_level", "") is None
        ):
            in_a_transaction.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for client, urls in ((new_forms(), pages), (forms, member_pages), (mod, moderator_pages)):
            for url in urls:
                response = client.get(url)
                assert response.status_code in (200, 302), (url, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []
    assert in_a_transaction == []
