"""Harbor's one notion of "now"."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
