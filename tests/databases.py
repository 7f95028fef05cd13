"""The databases the suite runs on: SQLite always, PostgreSQL when it can be reached.

`HARBOR_TEST_DATABASES` (default `sqlite,postgresql`) or `pytest --db sqlite` chooses them.
PostgreSQL tests share one database per test session, emptied before each test, which is far
faster than building a schema per test; migration tests get a database of their own.
"""

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

DEFAULT_DATABASES = "sqlite,postgresql"
KNOWN_DATABASES = ("sqlite", "postgresql")
# trust authentication on these machines: the `postgres` role can create databases
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def chosen_databases(option: str | None) -> list[str]:
    names = [
        name.strip()
        for name in (option or os.environ.get("HARBOR_TEST_DATABASES") or DEFAULT_DATABASES)
        .lower()
        .split(",")
        if name.strip()
    ]
    unknown = [name for name in names if name not in KNOWN_DATABASES]
    if unknown:
        raise ValueError(f"unknown test database(s) {unknown}; choose from {KNOWN_DATABASES}")
    return names


def server_url() -> URL:
    """A URL of the PostgreSQL server's maintenance database, where databases are made."""
    return make_url(os.environ.get("HARBOR_TEST_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL))


@functools.cache
def postgresql_unreachable_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why not and how to enable that half."""
    url = server_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means: skip that half, saying why
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return (
            f"PostgreSQL half skipped: no PostgreSQL at "
            f"{url.render_as_string(hide_password=True)} ({first_line}). To run it, start "
            "PostgreSQL there (trust auth, a role that may create databases) or point "
            "HARBOR_TEST_POSTGRESQL_URL at one; HARBOR_TEST_DATABASES=sqlite runs SQLite only."
        )
    return None


def _admin_engine() -> Engine:
    return create_engine(server_url(), isolation_level="AUTOCOMMIT")


def create_database(prefix: str) -> str:
    """Make an empty database on the server; returns its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url().set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def drop_abandoned_databases(prefix: str) -> None:
    """Drop scratch databases left by test runs that were killed before they could clean up
    (their names carry the pid of a process that no longer runs)."""
    engine = _admin_engine()
    with engine.connect() as connection:
        names = connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
            {"pattern": f"{prefix}\\_%"},
        ).all()
    engine.dispose()
    for name in names:
        pid = name.removeprefix(f"{prefix}_").split("_")[0]
        if pid.isdigit() and _process_is_gone(int(pid)):
            drop_database(server_url().set(database=name).render_as_string(hide_password=False))


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    drop_abandoned_databases(prefix)
    url = create_database(prefix)
    try:
        yield url
    finally:
        drop_database(url)


def empty_all_tables(engine: Engine) -> None:
    """Empty every table of the public schema and restart its ids, as a fresh schema would.

    Connections a finished test left open are ended first: one idle in a transaction would
    otherwise make TRUNCATE wait for its locks.
    """
    with engine.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        tables = connection.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).all()
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
