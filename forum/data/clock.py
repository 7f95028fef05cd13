"""Harbor's one notion of "now", and how its times are written out."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def exported(value: datetime | date | None) -> str | None:
    """A stored time as "My data" writes it: ISO 8601, a time marked as UTC with Z; a day as
    it is."""
    if value is None:
        return None
    return f"{value.isoformat()}Z" if isinstance(value, datetime) else value.isoformat()
