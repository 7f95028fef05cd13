"""The journal's pages: write, read one's own entries, and the 30- or 90-day chart. Every
route serves the member's own entries only: another member's, or a moderator asking, gets a
"not found", as for a page that does not exist."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from forum.data.local_time import zone_name
from forum.extensions import db
from forum.practice import journal
from forum.practice.chart import build_chart
from forum.practice.forms import JournalForm
from forum.ratelimit import limiter

bp = Blueprint("journal", __name__, url_prefix="/journal")

ENTRIES_SHOWN = 30


def _journal_page(form: JournalForm | None = None):  # noqa: ANN202
    days = request.args.get("days", 30, type=int)
    if days not in journal.CHART_PERIODS:
        days = 30
    show_all = request.args.get("all") == "1"
    entries = journal.entries_of(current_user, None if show_all else ENTRIES_SHOWN + 1)
    more = not show_all and len(entries) > ENTRIES_SHOWN
    return render_template(
        "practice/journal.html",
        form=form or JournalForm(formdata=None),
        chart=build_chart(journal.daily_series(current_user, days)),
        periods=journal.CHART_PERIODS,
        entries=entries[:ENTRIES_SHOWN] if more else entries,
        more=more,
        zone=zone_name(current_user),
    )


@bp.route("")
@login_required
def page() -> str:
    return _journal_page()


@bp.route("", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["HARBOR_JOURNAL_LIMIT"],
    key_func=lambda: f"journal:{current_user.id}",
)
def write() -> str | tuple[str, int] | Response:
    form = JournalForm()
    if not form.validate_on_submit():
        return _journal_page(form), 400
    triggers = journal.clean_triggers(form.triggers.data or [], form.other_triggers.data or "")
    journal.write_entry(
        current_user, int(form.mood.data), int(form.craving.data), form.body.data or "", triggers
    )
    db.session.commit()
    flash("Written. Only you can read it.", "success")
    return redirect(url_for("practice.journal.page"))


@bp.route("/<int:entry_id>/delete", methods=["POST"])
@login_required
def delete(entry_id: int) -> Response:
    entry = journal.own_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    db.session.delete(entry)
    db.session.commit()
    flash("That entry is deleted.", "success")
    return redirect(url_for("practice.journal.page"))
