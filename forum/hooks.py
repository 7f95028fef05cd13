"""Per-request hooks: reject unreadable input, add template context (headers: forum/security.py)."""

from urllib.parse import parse_qsl

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from forum.data.site_settings import get_setting
from forum.data.sql import INTEGER_MAX
from forum.extensions import db
from forum.flow.runtime import start_background_scoring

# endpoints that open no database session: static files, and the health check, which asks the
# database itself so that it can say what is wrong
SELF_CONTAINED = ("static", "health.healthz")


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in a URL matches only numbers an id column can hold, so /t/2147483648 is
    a missing page (404), not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=INTEGER_MAX, signed=False):  # noqa: A002, ANN001
        super().__init__(map, fixed_digits, min, max, signed)


def register(app: Flask) -> None:
    # before any blueprint adds its rules, so that every <int:...> is bounded
    app.url_map.converters["int"] = DatabaseIntConverter

    @app.before_request
    def read_pages_outside_a_transaction() -> None:
        """A page view only reads (tests/test_page_views.py), so it needs no transaction: on
        PostgreSQL that saves a BEGIN and a ROLLBACK round trip per page, which measured as
        two thirds of the database's CPU for a topic page. Registered first, so the session's
        connection is set up before anything queries."""
        if request.method in ("GET", "HEAD") and request.endpoint not in SELF_CONTAINED:
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    @app.before_request
    def start_scoring() -> None:
        start_background_scoring(app)

    @app.before_request
    def reject_unreadable_input() -> None:
        """A NUL character anywhere (PostgreSQL text can't hold one), or invalid UTF-8 in a
        form, gets a 400 before any view sees it."""
        in_address = [request.path, *request.args.keys(), *request.args.values()]
        if any("\x00" in value for value in in_address):
            abort(400, "The address held a NUL character.")
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if request.mimetype == "application/x-www-form-urlencoded":
            raw = request.get_data(cache=True)
            try:
                parse_qsl(raw.decode("ascii"), errors="strict", keep_blank_values=True)
            except UnicodeDecodeError:
                abort(400, "The form held text that isn't valid UTF-8, so nothing was saved.")
        for values in request.form.listvalues():
            if any("\x00" in value for value in values):
                abort(400, "The form held a NUL character, so nothing was saved.")

    @app.context_processor
    def page_context() -> dict:
        return {"allow_indexing": get_setting("allow_indexing", False)}
