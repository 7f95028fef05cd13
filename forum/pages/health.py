"""/healthz, for load balancers and monitors: does the database answer, where do limits count.

It answers 200 while Harbor can serve (the rate limits may be counting in-process while Redis
is down: the forum works, and the body says so) and 503 when the database does not answer.
It says what is wrong in plain words and nothing more: no address, URL or error text, which
go to the log instead.
"""

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from forum.extensions import db
from forum.ratelimit import limiter

bp = Blueprint("health", __name__)


def database_status() -> str:
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (OperationalError, PoolTimeout) as error:
        cause = getattr(error, "orig", None) or error
        current_app.logger.warning("Health check: the database did not answer: %s", cause)
        return "unreachable: the database did not answer"
    return "ok"


def rate_limit_status() -> str:
    if not current_app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        return "in this process"
    if limiter.storage.check():
        return "Redis"
    return "Redis unreachable: counting in this process"


@bp.route("/healthz")
def healthz() -> Response:
    database = database_status()
    response = jsonify(
        status="ok" if database == "ok" else "unavailable",
        database=database,
        rate_limits=rate_limit_status(),
    )
    response.status_code = 200 if database == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
