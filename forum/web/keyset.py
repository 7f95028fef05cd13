"""Keyset page links: a page's last row, by its sort key, as a string for the next page's URL.

A "next page" link says where the previous page ended (say, a topic's last-post time and id),
so the next page is one index range, however deep it lies.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from flask import abort, request

from forum.data.sql import database_int

Row = TypeVar("Row")
# an int part past an id column names no row: the link is broken (400), not a database error
_READERS = {int: database_int, datetime: datetime.fromisoformat}


def cursor(*key: int | str | datetime) -> str:
    """`cursor(topic.last_post_at, topic.id)` -> "2026-11-21T10:00:00_42". A key that
    parse_cursor reads back holds no text with "_" in it."""
    return "_".join(part.isoformat() if isinstance(part, datetime) else str(part) for part in key)


def parse_cursor(value: str, *kinds: type) -> tuple:
    """The key back from a cursor, each part read as its kind; a 400 if the link is broken."""
    parts = value.split("_")
    try:
        if len(parts) != len(kinds):
            raise ValueError(value)
        return tuple(_READERS[kind](part) for kind, part in zip(kinds, parts, strict=True))
    except ValueError:
        abort(400, "That page link is broken.")


def id_before() -> int | None:
    """The `before` id of an older page's link (None on the first page); a 400 if broken."""
    if (value := request.args.get("before")) is None:
        return None
    (before,) = parse_cursor(value, int)
    if before < 1:
        abort(400, "That page link is broken.")
    return before


def page_and_cursor(
    rows: Sequence[Row], per_page: int, key: Callable[[Row], tuple]
) -> tuple[Sequence[Row], str | None]:
    """A page from rows fetched one beyond `per_page`, and the next page's cursor (the key of
    the page's last row) when that extra row says there is a next page."""
    if len(rows) > per_page:
        return rows[:per_page], cursor(*key(rows[per_page - 1]))
    return rows, None
