"""Help for everyone, logged in or not, without JavaScript: helplines for the reader's region.

The reader picks their region once and it is kept in a cookie. Harbor never guesses it from an
IP address; with no region picked it shows the international directory and the common lines.
"""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug import Response

from forum.flow.checks import checks
from forum.ratelimit import limiter
from forum.web.helplines import REGION_COOKIE, chosen_region, helplines_for_reader
from moderation.helplines import REGIONS, normalise_region

bp = Blueprint("help", __name__, url_prefix="/help")

bp.add_app_template_global(helplines_for_reader, "reader_helplines")
ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
def index() -> str:
    return render_template(
        "help/index.html", selection=helplines_for_reader(), regions=REGIONS, region=chosen_region()
    )


@bp.route("/region", methods=["POST"])
def choose_region() -> Response:
    region = normalise_region(request.form.get("region"))
    response = redirect(url_for("help.index"))
    if region is None:
        response.delete_cookie(REGION_COOKIE)
        flash("Region cleared: showing the international directory and common helplines.", "info")
    else:
        response.set_cookie(
            REGION_COOKIE,
            region,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["HARBOR_HTTPS"],
        )
        flash(f"Showing helplines for {REGIONS[region]}.", "info")
    return response


@bp.route("/check-draft", methods=["POST"])
@limiter.limit("60 per minute")
def check_draft() -> Response:
    """The crisis check on a draft, for the page's script: resources before the post is sent."""
    found = checks().crisis.detect(request.form.get("text", "")[:50_000])
    return jsonify({"crisis": found.is_crisis})
