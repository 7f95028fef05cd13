"""Harbor: an anonymous peer-support forum for people recovering from alcohol and drug use."""

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.data.search_index import keep_index_with
from forum.extensions import csrf, db, login_manager, migrate
from forum.log_privacy import keep_addresses_out_of_logs
from forum.ratelimit import limiter
from forum.settings import Settings

# templates/ and migrations/ sit at the top of the repository; forum/templates and
# forum/migrations link to them, so they travel inside the installed package (pyproject.toml)
PACKAGE_ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The application factory: settings, extensions, blueprints, commands.

    The settings come from the environment, checked (forum/settings.py: a bad value stops
    start-up with its name); `overrides` (tests) set Flask config keys directly.
    """
    settings = Settings.from_environ()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(settings.flask_config(Path(app.instance_path)))
    if overrides:
        app.config.from_mapping(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if hops := app.config["HARBOR_PROXY_HOPS"]:
        # the client's address is the one these proxies saw: rate limits key on it (hashed)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    keep_addresses_out_of_logs()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # the sqlite3 module's timeout is SQLite's busy timeout: how long a write waits for a lock
        engine_options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        connect_args = engine_options.setdefault("connect_args", {})
        connect_args.setdefault("timeout", app.config["HARBOR_DATABASE_BUSY_SECONDS"])

    from forum import hooks, security
    from forum.fellowship import views as fellowship
    from forum.meetings import views as meetings
    from forum.pages import (
        account_data,
        admin,
        auth,
        blocking,
        boards,
        errors,
        health,
        help,
        notifications,
        preview,
        reactions,
        review,
        safe_messaging,
        search,
    )
    from forum.practice import views as practice

    hooks.register(app)  # first, so unreadable input is refused before CSRF parses the form
    security.register(app)
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
    keep_index_with(db.session)
    migrate.init_app(app, db, directory=str(PACKAGE_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    app.register_blueprint(auth.bp)
    app.register_blueprint(boards.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(help.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(fellowship.bp)
    app.register_blueprint(account_data.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(reactions.bp)
    app.register_blueprint(preview.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(practice.bp)
    app.register_blueprint(blocking.bp)
    app.register_blueprint(safe_messaging.bp)
    app.register_blueprint(meetings.bp)
    errors.register(app)

    from forum.cli import harbor_cli

    app.cli.add_command(harbor_cli)
    return app


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets readers and one writer work at once (a write waits for a lock for the busy
    timeout set in create_app)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
