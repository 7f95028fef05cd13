"""The craving SOS pages: one press opens them, and they work without JavaScript."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.local_time import local_now, zone_name
from forum.extensions import db
from forum.practice import sos
from forum.practice.forms import ReasonsForm
from forum.practice.library import tools_for_a_craving

bp = Blueprint("sos", __name__, url_prefix="/sos")

URGE_MINUTES = 10


@bp.route("", methods=["POST"])
@login_required
def press() -> Response:
    """ "I'm having a craving": note it for the member's own chart, then open the page. The
    page opens even if the note can't be written."""
    try:
        sos.record_use(current_user)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the person needs the page more than the record
        db.session.rollback()
    return redirect(url_for("practice.sos.page"), code=303)


@bp.route("")
def page() -> str:
    """Readable by anyone (a guest with a craving too); a member also sees their reasons."""
    member = current_user if current_user.is_authenticated else None
    now = local_now(member)
    board = sos.right_now_board()
    return render_template(
        "practice/sos.html",
        minutes=URGE_MINUTES,
        started=now,
        ends=now + timedelta(minutes=URGE_MINUTES),
        zone=zone_name(member),
        reasons=sos.reasons_of(member) if member else [],
        tools=tools_for_a_craving(),
        board=board,
    )


@bp.route("/reasons", methods=["GET", "POST"])
@login_required
def reasons() -> str | Response:
    form = ReasonsForm()
    if form.validate_on_submit():
        sos.set_reasons(current_user, form.reasons.data or "")
        db.session.commit()
        flash("Saved. Your reasons will be there on the SOS page, for you alone.", "success")
        return redirect(url_for("practice.sos.page"))
    if not form.is_submitted():
        form.reasons.data = "\n".join(sos.reasons_of(current_user))
    return render_template("practice/reasons.html", form=form)
