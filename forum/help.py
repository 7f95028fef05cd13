"""The help page: helplines for the reader's chosen region, for everyone, without JavaScript."""

from flask import Blueprint, render_template

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.route("/")
def index() -> str:
    return render_template("help/index.html")
