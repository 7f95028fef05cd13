"""Small SQL helpers that must behave the same on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db


def insert_unless_present(model: Any, **values: Any) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call added it.

    Two requests at once (a double click) must not fail on the unique constraint, so the
    database decides who wins with ON CONFLICT DO NOTHING; RETURNING says whether this one did
    (a row count is not reliable for an INSERT across drivers).
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(model.id)).first() is not None
