"""Known devices: a browser that has signed in as a member before can prove it at log-in, so
that someone guessing that member's password elsewhere never locks the owner out of it
(OWASP's "device cookies" against online guessing).

After each sign-in the browser keeps a cookie: a random device id and, for each member who
signed in on it (up to five), a tag, an HMAC of the device id and the member's id under the
secret key. A log-in attempt naming a member whose tag the browser holds counts against that
device's own allowance; every other attempt counts against the member's shared one. Guessing
from many addresses is slowed as before, and the owner's own phone and computer sign in
whatever a guesser does. The cookie names nobody: without the secret a tag is noise; it grants
nothing but its own allowance; and it is sent only to the log-in page.
"""

import hmac
import re
import secrets

from flask import current_app, request
from werkzeug import Response

from forum.data.models import User
from forum.ratelimit import keyed_hash

COOKIE = "harbor_device"
MEMBERS_PER_DEVICE = 5
ONE_YEAR = 365 * 24 * 3600
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def _tag(device_id: str, user_id: int) -> str:
    return keyed_hash(f"device:{device_id}:{user_id}")


def _cookie() -> tuple[str | None, list[str]]:
    """The device id and tags this browser sent, or (None, []) when it sent none that parse."""
    device_id, *tags = (request.cookies.get(COOKIE) or "").split(".")
    if not _DEVICE_ID.fullmatch(device_id):
        return None, []
    return device_id, tags[:MEMBERS_PER_DEVICE]


def known_device_of(user: User | None) -> str | None:
    """This browser's device id if it has signed in as `user` before, else None."""
    device_id, tags = _cookie()
    if user is None or device_id is None:
        return None
    expected = _tag(device_id, user.id)
    return device_id if any(hmac.compare_digest(expected, tag) for tag in tags) else None


def remember_device(response: Response, user: User) -> Response:
    """Mark this browser as one `user` signs in on (their tag first, the oldest dropped)."""
    device_id, tags = _cookie()
    device_id = device_id or secrets.token_urlsafe(16)
    tag = _tag(device_id, user.id)
    tags = [tag, *(other for other in tags if other != tag)][:MEMBERS_PER_DEVICE]
    response.set_cookie(
        COOKIE,
        ".".join([device_id, *tags]),
        max_age=ONE_YEAR,
        path="/login",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["HARBOR_HTTPS"],
    )
    return response
