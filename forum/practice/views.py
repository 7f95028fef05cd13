"""Daily practice's pages: the pledge and its review, the member's settings, the partner.
The SOS, the journal and the library have blueprints of their own, nested in this one."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug import Response
from wtforms.fields.choices import SelectChoice

from forum.data.local_time import UTC_NAME, zone_choices
from forum.data.models import User
from forum.data.support_wanted import support_wanted_of
from forum.extensions import db
from forum.fellowship.mentorship import open_mentorship_of
from forum.practice import (
    journal_views,
    library_views,
    moderation,  # noqa: F401 - coping tools in the review queue
    partners,
    sos,
    sos_views,
)
from forum.practice.forms import (
    HelpRightNowForm,
    PartnerForm,
    PledgeForm,
    PracticeSettingsForm,
    ReviewForm,
)
from forum.practice.models import AccountabilityPartner, WentHow
from forum.practice.pledge import make_pledge, pledge_to_review, practice_day, review
from forum.practice.sealing import profile_for_writing
from forum.ratelimit import limiter

bp = Blueprint("practice", __name__)
bp.register_blueprint(sos_views.bp)
bp.register_blueprint(journal_views.bp)
bp.register_blueprint(library_views.bp)
bp.add_app_template_global(support_wanted_of, "support_wanted_of")
bp.add_app_template_global(practice_day, "practice_day")
bp.add_app_template_global(sos.fresh_right_now_posts, "fresh_right_now_posts")
bp.add_app_template_global(sos.helps_right_now, "helps_right_now")

AFTER_REVIEW = {
    WentHow.KEPT: "Well done: another day kept. Rest well tonight.",
    WentHow.USED: (
        "Thank you for being honest with yourself: that takes courage. A slip doesn't undo "
        "what you've built, and nobody else sees this. Tomorrow is a new day."
    ),
    WentHow.UNSAID: "Thank you for showing up today. That counts.",
}


def _partner_limit() -> str:
    return current_app.config["HARBOR_PARTNER_REQUEST_LIMIT"]


def _pledge_page(pledge_form: PledgeForm | None = None, review_form: ReviewForm | None = None):  # noqa: ANN202
    day = practice_day(current_user)
    to_review = day.to_review
    if review_form is None and to_review is not None:
        review_form = ReviewForm(formdata=None, pledge_id=str(to_review.id))
    return render_template(
        "practice/pledge.html",
        day=day,
        pledge_form=pledge_form or PledgeForm(formdata=None),
        review_form=review_form,
        partnership=partners.open_partnership_of(current_user),
        went_after=AFTER_REVIEW,
    )


@bp.route("/pledge")
@login_required
def pledge_page() -> str:
    return _pledge_page()


@bp.route("/pledge", methods=["POST"])
@login_required
def make() -> str | tuple[str, int] | Response:
    form = PledgeForm()
    if not form.validate_on_submit():
        return _pledge_page(pledge_form=form), 400
    make_pledge(current_user, form.words.data)
    db.session.commit()
    flash("Your pledge is made. Just for today: that is all it takes.", "success")
    return redirect(url_for("practice.pledge_page"))


@bp.route("/pledge/review", methods=["POST"])
@login_required
def review_day() -> str | tuple[str, int] | Response:
    form = ReviewForm()
    to_review = pledge_to_review(current_user)
    if to_review is None or form.pledge_id.data != str(to_review.id):
        flash("That day is already reviewed, or its review has closed. That's fine.", "info")
        return redirect(url_for("practice.pledge_page"))
    if not form.validate_on_submit():
        return _pledge_page(review_form=form), 400
    went = WentHow(form.went.data)
    review(to_review, int(form.difficulty.data), went, form.note.data or "")
    db.session.commit()
    flash(AFTER_REVIEW[went], "success")
    return redirect(url_for("practice.pledge_page", reviewed=went.value))


@bp.route("/pledge/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    form = PracticeSettingsForm()
    form.time_zone.choices = [SelectChoice("", f"{UTC_NAME} (not chosen)")] + [
        SelectChoice(name, name.replace("_", " "), optgroup=region)
        for region, names in zone_choices()
        for name in names
    ]
    if form.validate_on_submit():
        current_user.time_zone = form.time_zone.data or None
        profile_for_writing(current_user.id).show_streak = form.show_streak.data
        db.session.commit()
        flash("Saved. Your day now follows your own clock.", "success")
        return redirect(url_for("practice.pledge_page"))
    if not form.is_submitted():
        day = practice_day(current_user)
        form.time_zone.data = current_user.time_zone or ""
        form.show_streak.data = day.show_streak
    return render_template("practice/settings.html", form=form)


@bp.route("/practice/helping", methods=["POST"])
@login_required
def set_helping() -> Response:
    form = HelpRightNowForm()
    if not form.validate_on_submit():
        abort(400)
    sos.set_helping(current_user, form.helps_right_now.data)
    db.session.commit()
    if form.helps_right_now.data:
        flash(
            "Thank you. You'll hear inside Harbor when someone needs support right now.", "success"
        )
    else:
        flash("Saved. You won't be told about “Right now” posts.", "success")
    return redirect(url_for("fellowship.recovery"))


def _partner_page(form: PartnerForm | None = None):  # noqa: ANN202
    mentorship = open_mentorship_of(current_user)
    return render_template(
        "practice/partner.html",
        form=form or PartnerForm(formdata=None),
        partnership=partners.open_partnership_of(current_user),
        mentor=mentorship.mentor if mentorship and mentorship.is_active else None,
        requests=partners.requests_for(current_user),
        supported=partners.supported_by(current_user),
    )


@bp.route("/partner")
@login_required
def partner_page() -> str:
    return _partner_page()


@bp.route("/partner/ask", methods=["POST"])
@login_required
@limiter.limit(_partner_limit, key_func=lambda: f"partner:{current_user.id}")
def ask_partner() -> str | tuple[str, int] | Response:
    form = PartnerForm()
    if not form.validate_on_submit():
        return _partner_page(form), 400
    partner = db.session.scalar(
        select(User).where(User.pseudonym_key == form.pseudonym.data.casefold())
    )
    if partner is None:
        form.pseudonym.errors.append("Nobody here has that pseudonym. Check the spelling?")
        return _partner_page(form), 400
    partners.ask(current_user, partner)
    db.session.commit()
    flash(f"Asked {partner.pseudonym}. You'll hear when they answer.", "success")
    return redirect(url_for("practice.partner_page"))


def _partnership_or_404(partnership_id: int) -> AccountabilityPartner:
    asked = db.session.get(AccountabilityPartner, partnership_id)
    if asked is None or current_user.id not in (asked.member_id, asked.partner_id):
        abort(404)
    return asked


@bp.route("/partner/<int:partnership_id>/answer", methods=["POST"])
@login_required
def answer_partner(partnership_id: int) -> Response:
    """Accept or decline (CSRF is checked for every form by the app's CSRFProtect)."""
    asked = _partnership_or_404(partnership_id)
    if request.form.get("answer") == "accept":
        partners.accept(asked, current_user)
        flash(f"You're {asked.member.pseudonym}'s accountability partner now.", "success")
    else:
        partners.decline(asked, current_user)
        flash("Declined. They'll be told kindly.", "info")
    db.session.commit()
    return redirect(url_for("practice.partner_page"))


@bp.route("/partner/<int:partnership_id>/end", methods=["POST"])
@login_required
def end_partner(partnership_id: int) -> Response:
    asked = _partnership_or_404(partnership_id)
    partners.end(asked, current_user)
    db.session.commit()
    flash("Ended. Thank you for the days you shared.", "success")
    return redirect(url_for("practice.partner_page"))
