"""Harbor's settings: one typed object, read from the environment and checked at start.

Every setting is an environment variable named HARBOR_<NAME> with a safe default; unset,
Harbor runs as the embedded default (one SQLite file in the instance folder, in-process rate
limits, inline scoring). A value Harbor can't use stops start-up with a message that names the
variable and says what it accepts, rather than quietly meaning something else. The README's
configuration table is `settings_table()`, and a test keeps the two the same.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from moderation.crisis_tiers import CRISIS_TIERS
from moderation.policy import thresholds_from_config


class SettingsError(ValueError):
    """One message naming every setting that can't be used, and what each accepts."""


# parsers: raw text in, a typed value out, or ValueError saying what is accepted ------------


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("use on or off")


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise ValueError(f"use one of {', '.join(options)}")
        return value

    return parse


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        try:
            value = kind(raw.strip())
        except ValueError:
            raise ValueError(f"use a number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"use a number from {low} to {high}")
        return value

    return parse


def _database_url(raw: str) -> str:
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ValueError("use an SQLAlchemy URL: postgresql+psycopg://harbor@db/harbor") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("Harbor runs on SQLite or PostgreSQL")
    return raw.strip()


def _redis_url(raw: str) -> str:
    if not raw.strip().startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("use a redis:// (or rediss://, unix://) URL")
    return raw.strip()


def _thresholds(raw: str) -> dict[str, dict[str, float | None]]:
    try:
        overrides = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f'use JSON such as {{"threat": {{"hold": 0.9}}}} ({error})') from None
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ValueError('use JSON such as {"threat": {"hold": 0.9}}')
    thresholds_from_config(overrides)  # raises ValueError naming an unknown label
    return overrides


def _crisis_tiers(raw: str) -> tuple[float, float]:
    try:
        possible, concern = (float(part) for part in raw.split(","))
    except ValueError:
        raise ValueError("use two probabilities, possible then concern: 0.45,0.85") from None
    if not 0 < possible < concern <= 1:
        raise ValueError("use 0 < possible < concern <= 1, such as 0.45,0.85")
    return possible, concern


def _rate(raw: str) -> str:
    try:
        parse_many(raw)
    except ValueError:
        raise ValueError('use a rate such as "30 per hour"') from None
    return raw.strip()


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("can't be empty")
    return raw.strip()


def setting(env: str, parse: Callable[[str], Any], default: Any, doc: str, shown: str = "") -> Any:
    """A field of Settings: its variable, how its text is read, its default and its meaning
    (`shown`: the default as the README says it, when it is not the value itself)."""
    return field(default=default, metadata={"env": env, "parse": parse, "doc": doc, "shown": shown})


@dataclass(frozen=True)
class Settings:
    """Every setting an operator can choose (documented in the README's configuration table)."""

    database_url: str | None = setting(
        "HARBOR_DATABASE_URL",
        _database_url,
        None,
        "any SQLAlchemy URL, e.g. `postgresql+psycopg://harbor@db/harbor`",
        "SQLite file `instance/harbor.sqlite3`",
    )
    redis_url: str | None = setting(
        "HARBOR_REDIS_URL",
        _redis_url,
        None,
        "Redis for the rate-limit counts, shared by every process and machine",
        "unset: the embedded default",
    )
    secret_key: str | None = setting(
        "HARBOR_SECRET_KEY",
        _text,
        None,
        "signs sessions and CSRF tokens; the same on every web machine",
        "generated once into `instance/secret_key`",
    )
    https: bool = setting(
        "HARBOR_HTTPS", _boolean, False, "on behind HTTPS: secure cookies and HSTS", "off"
    )
    proxy_hops: int = setting(
        "HARBOR_PROXY_HOPS",
        _number(int, 0, 10),
        0,
        "how many proxies stand in front (see Deployment); 0 trusts no `X-Forwarded-For`",
    )
    scoring: str = setting(
        "HARBOR_SCORING",
        _choice("inline", "worker"),
        "inline",
        "`inline`: each web process loads Detoxify and scores; "
        "`worker`: `flask harbor worker` processes score",
    )
    scoring_lease_seconds: int = setting(
        "HARBOR_SCORING_LEASE",
        _number(int, 1, 3600),
        120,
        "seconds a worker holds a post it is scoring; a post held by a worker that died is "
        "taken up after this",
    )
    scoring_budget_seconds: float = setting(
        "HARBOR_SCORING_BUDGET",
        _number(float, 0, 30),
        2.0,
        "seconds a post waits at submit for its score (inline scoring) before the sweeper "
        "takes over",
        "2",
    )
    background_sweep: bool = setting(
        "HARBOR_BACKGROUND_SWEEP",
        _boolean,
        True,
        "inline scoring: a background thread scores what waits (off only for tests)",
        "on",
    )
    model_type: str = setting(
        "HARBOR_MODEL_TYPE",
        _text,
        "unbiased-small",
        "which Detoxify model scores (a name of Detoxify's)",
    )
    model_checkpoint: str | None = setting(
        "HARBOR_MODEL_CHECKPOINT",
        _text,
        None,
        "a local Detoxify checkpoint instead (see docs/offline-model.md)",
        "unset",
    )
    model_hf_config: str | None = setting(
        "HARBOR_MODEL_HF_CONFIG",
        _text,
        None,
        "the local Hugging Face config folder for that checkpoint",
        "unset",
    )
    model_device: str = setting(
        "HARBOR_MODEL_DEVICE", _text, "cpu", "torch device Detoxify scores on"
    )
    crisis_model: str | None = setting(
        "HARBOR_CRISIS_MODEL",
        _text,
        None,
        "a Hugging Face classifier (hub name or folder) as the crisis detector's learned stage "
        "instead of the packaged one; loads torch in every process (docs/offline-model.md)",
        "the packaged model",
    )
    crisis_tiers: tuple[float, float] = setting(
        "HARBOR_CRISIS_TIERS",
        _crisis_tiers,
        (CRISIS_TIERS.possible, CRISIS_TIERS.concern),
        "the learned stage's probability for the possible and the concern tier; chosen for the "
        "packaged model (README: crisis detection), set your own for another model",
        "`0.45,0.85`",
    )
    thresholds: dict | None = setting(
        "HARBOR_THRESHOLDS",
        _thresholds,
        None,
        'per-label overrides of the moderation thresholds (JSON), e.g. `{"threat": {"hold": 0.9}}`',
        "`{}`",
    )
    rate_limits: bool = setting(
        "HARBOR_RATE_LIMITS",
        _boolean,
        True,
        "`off` lifts every rate limit, **for load tests only: never set it in production**",
        "on",
    )
    max_request_bytes: int = setting(
        "HARBOR_MAX_REQUEST_BYTES",
        _number(int, 64 * 1024, 16 * 1024 * 1024),
        256 * 1024,
        "a larger request is refused with 413 (a post is at most 50,000 characters)",
        "`262144`",
    )
    new_member_days: int = setting(
        "HARBOR_NEW_MEMBER_DAYS",
        _number(int, 0, 365),
        1,
        "members younger than this are new: stricter limits, and their links wait for a moderator",
    )
    checkin_board: str = setting(
        "HARBOR_CHECKIN_BOARD", _text, "day-by-day", "the board of the daily check-in thread"
    )
    milestones_board: str = setting(
        "HARBOR_MILESTONES_BOARD", _text, "milestones", "where milestone posts are offered"
    )
    mentor_min_days: int = setting(
        "HARBOR_MENTOR_MIN_DAYS",
        _number(int, 0, 3650),
        90,
        "days in recovery before a member may offer to mentor",
    )
    welcome_days: int = setting(
        "HARBOR_WELCOME_DAYS",
        _number(int, 1, 365),
        30,
        'a member\'s first post counts as "new here" for this many days',
    )
    mentor_request_limit: str = setting(
        "HARBOR_MENTOR_REQUEST_LIMIT", _rate, "5 per day", "mentorship requests per member"
    )
    message_limit: str = setting(
        "HARBOR_MESSAGE_LIMIT", _rate, "30 per hour", "private messages per member"
    )
    crisis_exceptions_per_hour: int = setting(
        "HARBOR_CRISIS_EXCEPTIONS_PER_HOUR",
        _number(int, 1, 100),
        5,
        "texts with crisis language a member may send in an hour past a posting interval, "
        "first-day cap, pause or rate limit that would refuse them (crisis words are never "
        "refused; this keeps a flood bounded)",
    )
    checkin_limit: str = setting(
        "HARBOR_CHECKIN_LIMIT", _rate, "10 per day", "check-ins per member"
    )
    right_now_board: str = setting(
        "HARBOR_RIGHT_NOW_BOARD",
        _text,
        "right-now",
        "the board the craving SOS offers to post in; its new topics reach the opted-in helpers",
    )
    journal_secret: str | None = setting(
        "HARBOR_JOURNAL_SECRET",
        _text,
        None,
        "seals journals, pledges and reasons (see Daily practice); changing it makes them "
        "unreadable",
        "the `SECRET_KEY`",
    )
    journal_limit: str = setting(
        "HARBOR_JOURNAL_LIMIT", _rate, "60 per hour", "journal entries per member"
    )
    tool_limit: str = setting(
        "HARBOR_TOOL_LIMIT", _rate, "10 per day", "coping tools written or edited per member"
    )
    partner_request_limit: str = setting(
        "HARBOR_PARTNER_REQUEST_LIMIT",
        _rate,
        "5 per day",
        "accountability-partner requests per member",
    )
    break_after_minutes: int = setting(
        "HARBOR_BREAK_AFTER_MINUTES",
        _number(int, 15, 720),
        60,
        "minutes of queue work (no pause of 20) after which the queue suggests a moderator "
        "take a break",
    )
    break_after_crisis_items: int = setting(
        "HARBOR_BREAK_AFTER_CRISIS_ITEMS",
        _number(int, 1, 100),
        5,
        "crisis items decided in one stretch after which the queue suggests a break",
    )
    on_duty_minutes: int = setting(
        "HARBOR_ON_DUTY_MINUTES",
        _number(int, 5, 1440),
        120,
        'a moderator who acted in the queue this recently is "on duty": marked so, and asked '
        "in when a colleague asks everyone on duty",
    )
    meeting_propose_days: int = setting(
        "HARBOR_MEETING_PROPOSE_DAYS",
        _number(int, 0, 3650),
        30,
        "days a member has had their account before they may propose an online meeting",
    )
    meeting_waiting_days: int = setting(
        "HARBOR_MEETING_WAITING_DAYS",
        _number(int, 0, 365),
        7,
        "accounts younger than this (or with no posts) wait in a meeting's waiting room for a "
        "host to let them in",
    )
    meeting_streams: int = setting(
        "HARBOR_MEETING_STREAMS",
        _number(int, 0, 10000),
        100,
        "live meeting streams one web process holds open (each a gunicorn thread, added to "
        "`HARBOR_WEB_THREADS`); past it a room's page refreshes itself instead",
    )
    meeting_message_limit: str = setting(
        "HARBOR_MEETING_MESSAGE_LIMIT", _rate, "20 per minute", "lines per member in a meeting"
    )
    bind: str = setting("HARBOR_BIND", _text, "127.0.0.1:5000", "where gunicorn listens")
    web_workers: int | None = setting(
        "HARBOR_WEB_WORKERS",
        _number(int, 1, 256),
        None,
        "gunicorn processes (without Redis the rate-limit counts live in one process)",
        "1, or 2 per core with Redis",
    )
    web_threads: int = setting(
        "HARBOR_WEB_THREADS",
        _number(int, 1, 256),
        4,
        "threads per gunicorn process (slow clients don't hold one: see Deployment)",
    )
    request_seconds: float = setting(
        "HARBOR_REQUEST_SECONDS",
        _number(float, 1, 600),
        30.0,
        "how long a client has to send a request's head, and then its body, before gunicorn "
        "hangs up",
        "`30`",
    )
    session_days: int = setting(
        "HARBOR_SESSION_DAYS",
        _number(int, 1, 365),
        30,
        'a log-in ends on the server this many days after it began (or at log-out, "log out '
        'everywhere", a password change or recovery)',
    )
    database_busy_seconds: float = setting(
        "HARBOR_DATABASE_BUSY_SECONDS",
        _number(float, 0.1, 60),
        10.0,
        "SQLite: how long a write waits for another process's write lock before a 503 that "
        "keeps the writer's words",
        "`10`",
    )
    access_log: str = setting(
        "HARBOR_ACCESS_LOG",
        _text,
        "-",
        "gunicorn's access log: method, path, status, size, time; no address, no query string",
        "`-` (stdout)",
    )
    forwarded_allow_ips: str = setting(
        "HARBOR_FORWARDED_ALLOW_IPS",
        _text,
        "127.0.0.1",
        "proxies gunicorn trusts for `X-Forwarded-Proto`",
    )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every HARBOR_ variable; raise SettingsError naming each bad one."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for spec in fields(cls):
            raw = environ.get(spec.metadata["env"])
            if raw is None or raw == "":
                continue
            try:
                values[spec.name] = spec.metadata["parse"](raw)
            except ValueError as error:
                problems.append(f"{spec.metadata['env']}={raw!r}: {error}")
        if problems:
            raise SettingsError("Harbor can't start: " + "; ".join(problems) + ".")
        return cls(**values)

    def flask_config(self, instance_path: Path) -> dict[str, Any]:
        """The Flask config these settings make, with the embedded defaults filled in."""
        database_url = self.database_url or f"sqlite:///{instance_path / 'harbor.sqlite3'}"
        return {
            "SECRET_KEY": self.secret_key or _generated_secret_key(instance_path),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HARBOR_REDIS_URL": self.redis_url,
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "HARBOR_POST_MAX_CHARS": 50_000,
            "HARBOR_TITLE_MAX_CHARS": 150,
            "HARBOR_MESSAGE_MAX_CHARS": 5_000,
            "HARBOR_TOPICS_PER_PAGE": 25,
            "HARBOR_POSTS_PER_PAGE": 20,
            "HARBOR_SEARCH_RESULTS_PER_PAGE": 20,
            "HARBOR_PROXY_HOPS": self.proxy_hops,
            "RATELIMIT_ENABLED": self.rate_limits,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            # Redis down: count in this process (flask-limiter logs a warning) rather than
            # fail, and give up on it within a second, not a TCP timeout; it is asked again
            # now and then
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "HARBOR_DATABASE_BUSY_SECONDS": self.database_busy_seconds,
            # Cookies: HttpOnly always, SameSite=Lax, Secure when served over HTTPS.
            "HARBOR_HTTPS": self.https,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.https,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.https,
            # a log-in lasts this long at most: its server-side session and its remember cookie
            "HARBOR_SESSION_DAYS": self.session_days,
            "REMEMBER_COOKIE_DURATION": timedelta(days=self.session_days),
            # no hash of the client's address in the session (see forum.security)
            "SESSION_PROTECTION": None,
            "PREFERRED_URL_SCHEME": "https" if self.https else "http",
            "WTF_CSRF_TIME_LIMIT": None,  # tied to the session, so a long draft is not lost
            # Referrer-Policy: no-referrer means browsers send no Referer, even to Harbor
            # itself, so Flask-WTF's HTTPS Referer check would refuse every form. The token and
            # the SameSite session cookie carry the CSRF protection.
            "WTF_CSRF_SSL_STRICT": False,
            "HARBOR_MODEL_TYPE": self.model_type,
            "HARBOR_MODEL_CHECKPOINT": self.model_checkpoint,
            "HARBOR_MODEL_HF_CONFIG": self.model_hf_config,
            "HARBOR_MODEL_DEVICE": self.model_device,
            "HARBOR_CRISIS_MODEL": self.crisis_model,
            "HARBOR_CRISIS_TIERS": self.crisis_tiers,
            "HARBOR_SCORING": self.scoring,
            "HARBOR_SCORING_BUDGET_SECONDS": self.scoring_budget_seconds,
            "HARBOR_SCORING_LEASE_SECONDS": self.scoring_lease_seconds,
            "HARBOR_BACKGROUND_SWEEP": self.background_sweep,
            "HARBOR_NEW_MEMBER_DAYS": self.new_member_days,
            "HARBOR_THRESHOLDS": self.thresholds or {},
            "HARBOR_CHECKIN_BOARD": self.checkin_board,
            "HARBOR_MILESTONES_BOARD": self.milestones_board,
            "HARBOR_MENTOR_MIN_DAYS": self.mentor_min_days,
            "HARBOR_WELCOME_DAYS": self.welcome_days,
            "HARBOR_MENTOR_REQUEST_LIMIT": self.mentor_request_limit,
            "HARBOR_MESSAGE_LIMIT": self.message_limit,
            "HARBOR_CRISIS_EXCEPTIONS_PER_HOUR": self.crisis_exceptions_per_hour,
            "HARBOR_CHECKIN_LIMIT": self.checkin_limit,
            "HARBOR_RIGHT_NOW_BOARD": self.right_now_board,
            "HARBOR_JOURNAL_SECRET": self.journal_secret,
            "HARBOR_JOURNAL_LIMIT": self.journal_limit,
            "HARBOR_TOOL_LIMIT": self.tool_limit,
            "HARBOR_PARTNER_REQUEST_LIMIT": self.partner_request_limit,
            "HARBOR_BREAK_AFTER_MINUTES": self.break_after_minutes,
            "HARBOR_BREAK_AFTER_CRISIS_ITEMS": self.break_after_crisis_items,
            "HARBOR_ON_DUTY_MINUTES": self.on_duty_minutes,
            "HARBOR_MEETING_PROPOSE_DAYS": self.meeting_propose_days,
            "HARBOR_MEETING_WAITING_DAYS": self.meeting_waiting_days,
            "HARBOR_MEETING_MESSAGE_LIMIT": self.meeting_message_limit,
            "HARBOR_MEETING_STREAMS": self.meeting_streams,
        }

    @property
    def gunicorn_workers(self) -> int:
        """One process in the embedded default (its in-memory limit counts are shared by
        every request); two per core when Redis holds the counts for all of them."""
        if self.web_workers is not None:
            return self.web_workers
        return 2 * (os.cpu_count() or 1) if self.redis_url else 1


def _generated_secret_key(instance_path: Path) -> str:
    """A key generated once and kept in the instance folder."""
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


def settings_table() -> str:
    """The README's configuration table, made from the settings themselves."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for spec in fields(Settings):
        shown = spec.metadata["shown"] or f"`{spec.default}`"
        rows.append(f"| `{spec.metadata['env']}` | {shown} | {spec.metadata['doc']} |")
    return "\n".join(rows)
