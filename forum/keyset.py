"""Keyset page links: a page's last row, by its sort key, as a string for the next page's URL.

A "next page" link says where the previous page ended (say, a topic's last-post time and id),
so the next page is one index range, however deep it lies.
"""

from datetime import datetime

from flask import abort

_READERS = {int: int, datetime: datetime.fromisoformat}


def cursor(*key: int | datetime) -> str:
    """`cursor(topic.last_post_at, topic.id)` -> "2026-11-21T10:00:00_42"."""
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
