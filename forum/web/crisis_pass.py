"""Crisis words are never refused: the exceptions a text with crisis language gets.

A post, reply, edit or private message whose words reach the `shows_help` tier is stored,
queued and answered with helplines even where a posting interval, a first-day cap, a pause on
posting, a rate limit (flask-limiter's 429) or an expired form would refuse it. Each exception
is counted per member per hour (HARBOR_CRISIS_EXCEPTIONS_PER_HOUR) in the rate limiter's
storage (Redis when configured, so every process counts alike), so a flood stays bounded; past
the cap the ordinary refusal applies, and its page still hands the words back with helplines.

The moderators hear of every exception: the text's queue item says what it was let past.
"""

from flask import current_app, g, request
from flask_login import current_user
from limits import RateLimitItemPerHour

from forum.flow import queue
from forum.flow.checks import checks
from forum.ratelimit import limiter
from moderation.policy import Reason, ReviewKind

# the form fields that hold what someone wrote: a topic's title, a post, a message, a note
WRITTEN_FIELDS = ("title", "body", "note", "message")
# the pages that store a post, a reply, an edit or a private message
WRITING_ENDPOINTS = (
    "boards.new_topic",
    "boards.reply",
    "boards.edit",
    "fellowship.mentorship.send",
    "fellowship.mentorship.ask",
)


def crisis_words_in_form() -> bool:
    """Whether this request's form holds crisis language (the gentle `shows_help` tier or
    above), read once per request."""
    if "crisis_words_in_form" not in g:
        text = "\n".join(request.form.get(name, "") for name in WRITTEN_FIELDS).strip()
        g.crisis_words_in_form = bool(text) and checks().crisis.detect(text[:50_000]).shows_help
    return g.crisis_words_in_form


def grant(refusal: str) -> bool:
    """Let this request's crisis text past `refusal` ("the posting interval"), if the member
    has exceptions left this hour. Remembered on the request for `note_on`."""
    if not current_user.is_authenticated:
        return False
    per_hour = RateLimitItemPerHour(current_app.config["HARBOR_CRISIS_EXCEPTIONS_PER_HOUR"])
    try:
        allowed = limiter.limiter.hit(per_hour, "crisis-exception", str(current_user.id))
    except Exception:  # noqa: BLE001 - storage unreachable: a crisis text is still let through
        current_app.logger.warning("Crisis exceptions not counted: limiter storage failed")
        allowed = True
    if allowed:
        g.setdefault("crisis_exceptions", []).append(refusal)
    return allowed


def exempt_from_rate_limit() -> bool:
    """For `limiter.limit(exempt_when=...)`: a crisis text skips the route's rate limit (and is
    not counted against it), using one of the member's exceptions whether or not the limit
    was reached: the limiter does not say beforehand."""
    return request.method == "POST" and crisis_words_in_form() and grant("a rate limit")


def past_expired_form() -> bool:
    """Whether a form refused for its CSRF token may be taken anyway: a signed-in member's
    crisis text on a page that stores one. SameSite=Lax keeps the session cookie off other
    sites' forms, so a signed-in request here came from Harbor's own pages (a form left open
    across a new log-in, say); its view then runs as if the token were good."""
    if not (current_user.is_authenticated and request.endpoint in WRITING_ENDPOINTS):
        return False
    if crisis_words_in_form() and grant("an expired form"):
        g.csrf_valid = True  # Flask-WTF's mark of a checked request: the form validates
        return True
    return False


def note_on(subject: object) -> None:
    """File what this request's crisis text was let past on its queue item (the caller
    commits), so a moderator sees it first and knows."""
    refusals = g.get("crisis_exceptions")
    if refusals:
        text = f"crisis words let past {', '.join(refusals)} (they are never refused)"
        queue.file(subject, [Reason(ReviewKind.CRISIS, text)])
