"""Site settings an admin changes at run time, cached briefly so a page view reads no row."""

import time
from typing import Any

from flask import current_app

from forum.data.models import Setting
from forum.extensions import db

_CACHE_SECONDS = 30.0


def _cache() -> dict[str, tuple[float, Any]]:
    return current_app.extensions.setdefault("harbor_settings", {})


def get_setting(key: str, default: Any) -> Any:
    cached = _cache().get(key)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    row = db.session.get(Setting, key)
    value = default if row is None else row.value
    _cache()[key] = (time.monotonic(), value)
    return value


def set_setting(key: str, value: Any) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    _cache().pop(key, None)
