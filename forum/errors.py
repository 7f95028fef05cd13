"""Error pages: every refusal gets a plain message and the right status, never a 500."""

from flask import Flask, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests

from forum.extensions import db
from forum.posting import PostingError
from forum.ratelimit import seconds_until_retry

MESSAGES = {
    400: "Harbor couldn't read that request. Nothing was saved; please go back and try again.",
    403: "You can't do that here.",
    404: "There is no page here. It may have been removed, or the link may be wrong.",
    405: "That page doesn't take this kind of request.",
    413: "That was too large to accept. A post can be at most 50,000 characters. "
    "Nothing was saved; please shorten it and try again.",
    429: "That's a lot of requests in a short time.",
}


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
        body = render_template("error.html", code=code, title=error.name, message=message)
        response.set_data(body)
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        message = (
            "This form has expired or was sent without its security token, so nothing was "
            "saved. Please go back, reload the page and send it again."
        )
        return render_template("error.html", code=400, title="Form expired", message=message), 400

    @app.errorhandler(PostingError)
    def posting_error(error: PostingError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return (
            render_template(
                "error.html", code=error.status, title="Not posted", message=str(error)
            ),
            error.status,
        )
