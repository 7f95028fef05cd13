"""Rate limiting keyed on hashed values, and the limits other modules share.

Neither a client address nor a pseudonym is stored as it is: the limiter's storage (memory, or
Redis when configured) holds an HMAC of it, and each key expires with its window. With Redis,
every gunicorn process counts against the same keys.
"""

import hashlib
import hmac
import math
import time

from flask import current_app, request
from flask_limiter import Limiter
from flask_login import current_user

#: Searching: per client address. Generous for a person, slow for a scraper.
SEARCH_LIMIT = "30 per minute"

LOGIN_PER_ADDRESS = "20 per hour"
# attempts naming a member, from browsers that have not signed in as them before (shared) ...
LOGIN_PER_PSEUDONYM = "10 per 15 minutes"
# ... and from one that has (its own allowance: see forum/pages/known_devices.py)
LOGIN_PER_KNOWN_DEVICE = "10 per 15 minutes"
SIGNUP_PER_ADDRESS = "10 per hour"
RECOVER_PER_ADDRESS = "10 per hour"
# per pseudonym *and* address: a code carries 48 random bits, so the per-address limit already
# makes guessing hopeless; a limit on the pseudonym alone would let anyone lock its owner out
RECOVER_PER_PSEUDONYM_AND_ADDRESS = "5 per hour"
REPORTS_PER_MEMBER = "10 per hour"
ACCOUNT_DELETION_PER_MEMBER = "10 per hour"


def keyed_hash(value: str) -> str:
    """An HMAC under the app's secret key: stable for a window, useless to anyone without it."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def hashed_address() -> str:
    return keyed_hash(f"address:{request.remote_addr or 'unknown'}")


def hashed_pseudonym() -> str:
    """The pseudonym a log-in or recovery form names, casefolded as accounts are matched."""
    pseudonym = (request.form.get("pseudonym") or "").strip().casefold()[:32]
    return keyed_hash(f"pseudonym:{pseudonym}")


def hashed_pseudonym_and_address() -> str:
    return keyed_hash(f"{hashed_pseudonym()}:{hashed_address()}")


def member_or_address() -> str:
    """Signed-in requests count per member, wherever they come from; others per address."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return hashed_address()


def seconds_until_retry() -> int | None:
    """How long the limit this request broke still holds, rounded up to whole seconds."""
    breached = limiter.current_limit
    if breached is None:
        return None
    return max(1, math.ceil(breached.reset_at - time.time()))


limiter = Limiter(key_func=hashed_address, default_limits=[], strategy="moving-window")
