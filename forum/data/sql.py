"""Small SQL helpers that must behave the same on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from forum.extensions import db

#: The largest value an INTEGER column holds on PostgreSQL (ids, counts, positions); a number
#: past it names no row, and SQLite can't even take one past 2**63 as a parameter.
INTEGER_MAX = 2**31 - 1


def database_int(value: str) -> int:
    """An integer from a URL or form that fits an INTEGER column; ValueError otherwise (so
    `request.args.get(name, type=database_int)` reads it as absent)."""
    number = int(value)
    if not -INTEGER_MAX - 1 <= number <= INTEGER_MAX:
        raise ValueError(f"{value!r} is past an integer column")
    return number


def dialect_insert(model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with the current database's ON CONFLICT clauses (both dialects have them)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_unless_present(model: Any, **values: Any) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call added it.

    Two requests at once (a double click) must not fail on the unique constraint, so the
    database decides who wins with ON CONFLICT DO NOTHING; RETURNING says whether this one did
    (a row count is not reliable for an INSERT across drivers).
    """
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.returning(model.id)).first() is not None
