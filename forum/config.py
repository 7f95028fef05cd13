"""Harbor's configuration: one place, read from the environment, with safe embedded defaults.

Every setting is an environment variable named HARBOR_<NAME>. Unset, Harbor runs as the
embedded default: one SQLite file in the instance folder and in-process rate-limit counts.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """The HARBOR_SECRET_KEY, or one generated once and kept in the instance folder."""
    if key := os.environ.get("HARBOR_SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, exactly one writes the key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance_path: Path) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    database_url = os.environ.get(
        "HARBOR_DATABASE_URL", f"sqlite:///{instance_path / 'harbor.sqlite3'}"
    )
    redis_url = os.environ.get("HARBOR_REDIS_URL") or None
    https = _flag("HARBOR_HTTPS", False)
    session_days = int(os.environ.get("HARBOR_SESSION_DAYS", 30))
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # SQLite: how long a write waits for another process's write lock before Harbor
        # refuses it (503, with the writer's words shown back)
        "HARBOR_DATABASE_BUSY_SECONDS": float(os.environ.get("HARBOR_DATABASE_BUSY_SECONDS", 10)),
        "HARBOR_REDIS_URL": redis_url,
        # A post is at most 50,000 characters; a request over 256 KiB is refused with 413.
        "MAX_CONTENT_LENGTH": int(os.environ.get("HARBOR_MAX_REQUEST_BYTES", 256 * 1024)),
        "HARBOR_POST_MAX_CHARS": 50_000,
        "HARBOR_TITLE_MAX_CHARS": 150,
        "HARBOR_TOPICS_PER_PAGE": 25,
        "HARBOR_POSTS_PER_PAGE": 20,
        "HARBOR_SEARCH_RESULTS_PER_PAGE": 20,
        # Behind N proxies (a load balancer, nginx), trust N X-Forwarded-For/-Proto entries, so
        # the limiter sees the client's address, not the proxy's. 0: no proxy, trust none.
        "HARBOR_PROXY_HOPS": int(os.environ.get("HARBOR_PROXY_HOPS", 0)),
        # Rate limits are on unless this is "off" (load tests only; never in production).
        "RATELIMIT_ENABLED": os.environ.get("HARBOR_RATE_LIMITS", "on").lower() != "off",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis down: count in this process (flask-limiter logs a warning) rather than fail, and
        # give up on it within a second, not a TCP timeout; it is asked again now and then
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_HEADERS_ENABLED": True,
        # Cookies: HttpOnly always, SameSite=Lax, Secure when served over HTTPS.
        "HARBOR_HTTPS": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        # a log-in lasts this long at most: its server-side session and its remember cookie
        "HARBOR_SESSION_DAYS": session_days,
        "REMEMBER_COOKIE_DURATION": timedelta(days=session_days),
        # no hash of the client's address in the session (see forum.security)
        "SESSION_PROTECTION": None,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session, so a long draft is not lost
        # Referrer-Policy: no-referrer means browsers send no Referer, even to Harbor itself, so
        # Flask-WTF's HTTPS Referer check would refuse every form. The token and the SameSite
        # session cookie carry the CSRF protection.
        "WTF_CSRF_SSL_STRICT": False,
        # Moderation: Detoxify model and the per-label thresholds (see moderation.policy).
        "HARBOR_MODEL_TYPE": os.environ.get("HARBOR_MODEL_TYPE", "unbiased-small"),
        "HARBOR_MODEL_CHECKPOINT": os.environ.get("HARBOR_MODEL_CHECKPOINT") or None,
        "HARBOR_MODEL_HF_CONFIG": os.environ.get("HARBOR_MODEL_HF_CONFIG") or None,
        "HARBOR_MODEL_DEVICE": os.environ.get("HARBOR_MODEL_DEVICE", "cpu"),
        # "inline": this process loads the model and scores (embedded default);
        # "worker": `flask harbor worker` processes score (scale-out)
        "HARBOR_SCORING": os.environ.get("HARBOR_SCORING", "inline"),
        "HARBOR_SCORING_BUDGET_SECONDS": float(os.environ.get("HARBOR_SCORING_BUDGET", 2.0)),
        "HARBOR_SCORING_LEASE_SECONDS": int(os.environ.get("HARBOR_SCORING_LEASE", 120)),
        "HARBOR_BACKGROUND_SWEEP": _flag("HARBOR_BACKGROUND_SWEEP", True),
        # members younger than this are new: their posts with links wait for a moderator
        "HARBOR_NEW_MEMBER_DAYS": int(os.environ.get("HARBOR_NEW_MEMBER_DAYS", 1)),
        "HARBOR_THRESHOLDS": json.loads(os.environ.get("HARBOR_THRESHOLDS", "{}")),
        # Fellowship: the daily "Just for today" thread, milestones, mentors and welcomes
        "HARBOR_CHECKIN_BOARD": os.environ.get("HARBOR_CHECKIN_BOARD", "day-by-day"),
        "HARBOR_MILESTONES_BOARD": os.environ.get("HARBOR_MILESTONES_BOARD", "milestones"),
        # days in recovery before a member may offer to mentor
        "HARBOR_MENTOR_MIN_DAYS": int(os.environ.get("HARBOR_MENTOR_MIN_DAYS", 90)),
        # a member's first post counts as "new here" for this many days
        "HARBOR_WELCOME_DAYS": int(os.environ.get("HARBOR_WELCOME_DAYS", 30)),
        "HARBOR_MESSAGE_MAX_CHARS": 5_000,
        # rate limits, in flask-limiter's notation, per member
        "HARBOR_MENTOR_REQUEST_LIMIT": os.environ.get("HARBOR_MENTOR_REQUEST_LIMIT", "5 per day"),
        "HARBOR_MESSAGE_LIMIT": os.environ.get("HARBOR_MESSAGE_LIMIT", "30 per hour"),
        "HARBOR_CHECKIN_LIMIT": os.environ.get("HARBOR_CHECKIN_LIMIT", "10 per day"),
    }
