"""Backing up and restoring the whole forum: `flask harbor backup` and `flask harbor restore`.

SQLite (the embedded default) uses SQLite's online backup API, which copies a consistent
snapshot while the forum keeps serving, WAL and all. PostgreSQL uses pg_dump's custom format
and pg_restore (the client tools of the server's major version, or newer). Either way the
backup is written to a temporary file beside the target and renamed into place, so a backup
that failed half-way never looks like a good one, and only its owner can read it (it holds
password and session hashes). A restore replaces every table in the backup (the search index
too) in one step, and refuses a file that is not a Harbor backup.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL

# tables every Harbor database has had since its first release
HARBOR_TABLES = ("users", "boards", "topics", "posts")


class BackupError(Exception):
    """A backup or restore that could not be done, in words for the operator."""


@contextlib.contextmanager
def _written_atomically(target: Path) -> Iterator[Path]:
    """A private temporary file beside `target`, renamed onto it once written."""
    temporary = target.with_name(f".{target.name}.partial")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def backup(url: URL, target: Path) -> None:
    with _written_atomically(target) as temporary:
        match url.get_backend_name():
            case "sqlite":
                _sqlite_copy(_sqlite_path(url), temporary)
            case "postgresql":
                _run(["pg_dump", "--format=custom", f"--file={temporary}", _dbname(url)], url)
            case other:
                raise BackupError(f"Harbor can back up SQLite and PostgreSQL, not {other}.")


def restore(url: URL, source: Path) -> None:
    """Replace the database's contents with the backup's (stop the web processes first)."""
    match url.get_backend_name():
        case "sqlite":
            _check_sqlite_backup(source)
            _sqlite_copy(source, _sqlite_path(url))
        case "postgresql":
            try:
                listing = _run(["pg_restore", "--list", str(source)], url)
            except BackupError as error:
                raise BackupError(f"{source} is not a Harbor backup: {error}") from error
            if not all(f"TABLE public {table} " in listing for table in HARBOR_TABLES):
                raise BackupError(f"{source} is not a Harbor backup: it has no forum tables.")
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    _dbname(url),
                    str(source),
                ],
                url,
            )
        case other:
            raise BackupError(f"Harbor can restore SQLite and PostgreSQL, not {other}.")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database lives in memory: there is no file to back up.")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy, page by page, taken under a read lock."""
    with (
        contextlib.closing(sqlite3.connect(source)) as reading,
        contextlib.closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)


def _check_sqlite_backup(source: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup:
            (integrity,) = backup.execute("PRAGMA integrity_check").fetchone()
            names = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a Harbor backup: {error}.") from error
    if integrity != "ok" or not set(HARBOR_TABLES) <= names:
        raise BackupError(f"{source} is not a Harbor backup, or it is damaged.")


def _dbname(url: URL) -> str:
    """The database for PostgreSQL's own tools, without the password (they read PGPASSWORD)."""
    libpq_url = url.set(drivername="postgresql", password=None)
    return f"--dbname={libpq_url.render_as_string(hide_password=False)}"


def _run(command: list[str], url: URL) -> str:
    """Run a PostgreSQL client tool; the password goes in its environment, never on a command
    line (where `ps` shows it). Returns what it printed."""
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools, of the "
            "server's major version or newer."
        )
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed ({result.returncode}).")
    return result.stdout
