"""Error pages: every refusal gets a plain message and the right status, never a 500.

A refused form's words are shown back, and when they hold crisis language the helplines come
first, as they would after a post. A database that is busy or down gets a 503 from a page that
needs no database.
"""

from contextlib import suppress

from flask import Flask, current_app, render_template, request, template_rendered
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, TooManyRequests

from forum.data.posting import PostingError
from forum.extensions import db
from forum.flow.checks import checks
from forum.flow.review_actions import ReviewError
from forum.ratelimit import seconds_until_retry
from forum.web import crisis_pass
from forum.web.helplines import helplines_for_reader
from moderation.helplines import HelplineSelection

MESSAGES = {
    400: "Harbor couldn't read that request. Nothing was saved; please go back and try again.",
    403: "You can't do that here.",
    404: "There is no page here. It may have been removed, or the link may be wrong.",
    405: "That page doesn't take this kind of request.",
    413: "That was too large to accept. A post can be at most 50,000 characters. "
    "Nothing was saved; please shorten it and try again.",
    429: "That's a lot of requests in a short time.",
    503: "Harbor's database is busy or can't be reached just now, so nothing was saved. "
    "Please try again in a few seconds.",
}
# seconds a client is asked to wait after a 503
RETRY_UNAVAILABLE_AFTER = 10


def _wait_in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{round(seconds / 3600)} hours"


def too_many_requests_message(error: TooManyRequests) -> str:
    """Plain words: what was refused, and when to try again (the Retry-After, in words)."""
    if isinstance(error, RateLimitExceeded):
        # flask-limiter's own description is the limit string ("10 per 15 minute")
        message = error.description if error.limit.error_message else MESSAGES[429]
        wait = seconds_until_retry()
    else:
        message = error.description or MESSAGES[429]
        wait = error.retry_after if isinstance(error.retry_after, int) else None
    if wait:
        return f"{message} Please try again in about {_wait_in_words(wait)}."
    return f"{message} Please wait a little and try again."


# the form fields that hold what someone wrote: a topic's title, a post, a message, a note
DRAFT_FIELDS = ("title", "body", "note", "message", "reason")
# refusals after which the words are handed back (not 413: that request's form is not read)
REFUSALS_WITH_DRAFT = (403, 409, 429, 503)


def unsent_draft() -> dict[str, str]:
    """What a refused form said, so that the error page hands the words back, not loses them."""
    if request.method != "POST":
        return {}
    return {name: text for name in DRAFT_FIELDS if (text := request.form.get(name, "").strip())}


def helplines_for_draft(draft: dict[str, str] | None) -> HelplineSelection | None:
    """The reader's helplines when the words handed back hold crisis language."""
    if draft and checks().crisis.detect("\n".join(draft.values())).shows_help:
        return helplines_for_reader()
    return None


def error_page(code: int, title: str, message: str, draft: dict[str, str] | None = None) -> str:
    return render_template(
        "error.html",
        code=code,
        title=title,
        message=message,
        draft=draft,
        helplines=helplines_for_draft(draft),
    )


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        db.session.rollback()
        code = error.code or 500
        message = MESSAGES.get(code, error.description)
        # aborts that carry their own words (abort(403, "...")) say those instead
        if error.description and error.description != type(error).description:
            message = error.description
        if isinstance(error, TooManyRequests):
            message = too_many_requests_message(error)
        response = error.get_response()
        draft = unsent_draft() if code in REFUSALS_WITH_DRAFT else None
        response.set_data(error_page(code, error.name, message, draft))
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if crisis_pass.past_expired_form():  # crisis words are never refused
            return current_app.view_functions[request.endpoint](**request.view_args)
        message = (
            "This form has expired or was sent without its security token, so nothing was "
            "saved. Please go back, reload the page and send it again."
        )
        return error_page(400, "Form expired", message, unsent_draft()), 400

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: SQLAlchemyError):  # type: ignore[no-untyped-def]
        """Busy (another process holds SQLite's write lock past the busy timeout) or down."""
        with suppress(SQLAlchemyError):
            db.session.rollback()
        cause = getattr(error, "orig", None) or error
        line = (str(cause).strip().splitlines() or [""])[0]
        current_app.logger.warning("Database unavailable (%s): %s", type(cause).__name__, line)
        draft = unsent_draft()
        # straight from Jinja: the app's context processors read the database (the member, the
        # site settings), and this page must not; the signal is sent as render_template would
        template = current_app.jinja_env.get_template("unavailable.html")
        context = {
            "message": MESSAGES[503],
            "draft": draft,
            "helplines": helplines_for_draft(draft),
        }
        page = template.render(context)
        template_rendered.send(
            current_app._get_current_object(), template=template, context=context
        )
        return page, 503, {"Retry-After": str(RETRY_UNAVAILABLE_AFTER)}

    @app.errorhandler(PostingError)
    def posting_error(error: PostingError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return error_page(error.status, "Not posted", str(error), unsent_draft()), error.status

    @app.errorhandler(ReviewError)
    def review_error(error: ReviewError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return error_page(error.status, "Not done", str(error), unsent_draft()), error.status
