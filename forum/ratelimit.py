"""Rate limiting keyed on a hashed client address.

The address itself is never stored: the limiter's storage (memory, or Redis when configured)
holds an HMAC of it, and each key expires with its window.
"""

import hashlib
import hmac

from flask import current_app, request
from flask_limiter import Limiter


def hashed_address() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]


limiter = Limiter(key_func=hashed_address, default_limits=[], strategy="moving-window")

# each search runs a full-text query: enough for a person, too few to scrape the forum with
SEARCH_LIMIT = "30 per minute"
