"""The fellowship's pages: my recovery (milestones, starting again), the daily check-in, the
welcome list. Mentorship has its own pages, a blueprint nested in this one."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug import Response

from forum.data.local_time import local_today, zone_name
from forum.data.models import Board, User
from forum.extensions import db
from forum.fellowship import checkin, mentorship_views
from forum.fellowship.forms import HelpingForm, RecoveryDateForm, StartAgainForm
from forum.fellowship.mentorship import has_mentor_time, mentor_min_days
from forum.fellowship.milestones import (
    day_count_label,
    days_in_recovery,
    milestone_to_offer,
    next_milestone,
    utc_today,
)
from forum.fellowship.welcome import sees_newcomers, waiting_for_welcome
from forum.ratelimit import limiter
from forum.web.compose import after_submit, ensure_can_post, post_url
from forum.web.keyset import page_and_cursor, parse_cursor

bp = Blueprint("fellowship", __name__)
bp.register_blueprint(mentorship_views.bp)

WELCOME_PER_PAGE = 25


@bp.app_template_filter("public_day_count")
def public_day_count(user: User | None) -> str | None:
    """ "day 41" beside a pseudonym, only for members who chose to show it."""
    if user is None or not user.show_day_count or user.recovery_started_on is None:
        return None
    return day_count_label(user.recovery_started_on, utc_today())


def _milestones_board() -> Board | None:
    slug = current_app.config["HARBOR_MILESTONES_BOARD"]
    return db.session.scalar(select(Board).where(Board.slug == slug))


def _recovery_page(
    date_form: RecoveryDateForm | None = None, helping_form: HelpingForm | None = None
) -> str:
    member = current_user
    # the member's own day (their time zone), as their pledge and journal count it
    started, today = member.recovery_started_on, local_today(member)
    date_form = date_form or RecoveryDateForm(
        formdata=None, started_on=started, show_day_count=member.show_day_count
    )
    helping_form = helping_form or HelpingForm(
        formdata=None,
        offers_mentoring=member.offers_mentoring,
        welcomes_newcomers=member.welcomes_newcomers,
    )
    upcoming = next_milestone(started, today) if started else None
    return render_template(
        "fellowship/recovery.html",
        started=started,
        days=days_in_recovery(started, today) if started else None,
        day_label=day_count_label(started, today) if started else None,
        upcoming=upcoming,
        days_to_upcoming=(upcoming.reached_on - today).days if upcoming else None,
        offer=milestone_to_offer(started, member.milestone_acknowledged_on, today),
        milestones_board=_milestones_board(),
        started_again=session.pop("started_again", False),
        has_mentor_time=has_mentor_time(member),
        mentor_min_days=mentor_min_days(),
        date_form=date_form,
        again_form=StartAgainForm(formdata=None, keep_showing=False),
        helping_form=helping_form,
        zone=zone_name(member),
    )


@bp.route("/recovery")
@login_required
def recovery() -> str:
    return _recovery_page()


@bp.route("/recovery/start-date", methods=["POST"])
@login_required
def set_start_date() -> str | tuple[str, int] | Response:
    form = RecoveryDateForm()
    if not form.validate_on_submit():
        return _recovery_page(date_form=form), 400
    member = current_user
    if form.started_on.data != member.recovery_started_on:
        member.recovery_started_on = form.started_on.data
        member.milestone_acknowledged_on = None
    member.show_day_count = form.show_day_count.data
    db.session.commit()
    flash("Saved. Only you see your day count unless you choose to show it.", "success")
    return redirect(url_for("fellowship.recovery"))


@bp.route("/recovery/clear", methods=["POST"])
@login_required
def clear_start_date() -> Response:
    member = current_user
    member.recovery_started_on = member.milestone_acknowledged_on = None
    member.show_day_count = False
    db.session.commit()
    flash("Your start date is removed. Harbor keeps no other record of it.", "success")
    return redirect(url_for("fellowship.recovery"))


@bp.route("/recovery/start-again", methods=["POST"])
@login_required
def start_again() -> Response:
    """One click, judged by nobody: the count starts today, and nothing shows it publicly
    unless the member keeps their day count on."""
    form = StartAgainForm()
    if not form.validate_on_submit():
        abort(400)
    member = current_user
    member.recovery_started_on = local_today(member)
    member.milestone_acknowledged_on = None
    member.show_day_count = member.show_day_count and form.keep_showing.data
    db.session.commit()
    session["started_again"] = True
    return redirect(url_for("fellowship.recovery"))


@bp.route("/recovery/milestone", methods=["POST"])
@login_required
def answer_milestone() -> Response:
    """Use the offer of a milestone post (go to a prefilled form) or dismiss it."""
    member = current_user
    offer = milestone_to_offer(
        member.recovery_started_on, member.milestone_acknowledged_on, local_today(member)
    )
    if offer is None:
        return redirect(url_for("fellowship.recovery"))
    member.milestone_acknowledged_on = offer.reached_on
    db.session.commit()
    board = _milestones_board()
    if request.form.get("action") == "share" and board is not None:
        return redirect(url_for("boards.new_topic", slug=board.slug, title=f"{offer.label} today"))
    flash(f"{offer.label}: congratulations, quietly. It counts all the same.", "success")
    return redirect(url_for("fellowship.recovery"))


@bp.route("/recovery/helping", methods=["POST"])
@login_required
def set_helping() -> str | tuple[str, int] | Response:
    form = HelpingForm()
    if not form.validate_on_submit():
        abort(400)
    member = current_user
    if form.offers_mentoring.data and not has_mentor_time(member):
        form.offers_mentoring.errors.append(
            f"Mentors have at least {mentor_min_days()} days in recovery: set your start date "
            "above. Until then, you can ask a mentor yourself."
        )
        return _recovery_page(helping_form=form), 400
    member.offers_mentoring = form.offers_mentoring.data
    member.welcomes_newcomers = form.welcomes_newcomers.data
    db.session.commit()
    flash("Saved. Thank you for being there for others.", "success")
    return redirect(url_for("fellowship.recovery"))


@bp.route("/today")
def today() -> str:
    """Today's "Just for today" thread, if someone has opened it with a check-in."""
    thread = checkin.todays_thread()
    checked_in = (
        thread is not None
        and current_user.is_authenticated
        and checkin.already_checked_in(thread, current_user)
    )
    return render_template(
        "fellowship/today.html",
        thread=thread,
        board=checkin.checkin_board(),
        checked_in=checked_in,
        title=checkin.thread_title(utc_today()),
    )


@bp.route("/today/check-in", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["HARBOR_CHECKIN_LIMIT"],
    key_func=lambda: f"check-in:{current_user.id}",
)
def check_in() -> Response:
    ensure_can_post()
    post, thread = checkin.check_in(current_user)
    if post is None:
        flash("You have already checked in today. Well done.", "info")
        return redirect(url_for("boards.topic", topic_id=thread.id, page=-1))
    flash("You checked in. Just for today: that is all it takes.", "success")
    return after_submit(post, post_url(post))


@bp.route("/welcome")
@login_required
def welcome() -> str:
    """First posts waiting for a welcome, for moderators and members who offered to welcome."""
    if not sees_newcomers(current_user):
        abort(
            403,
            "This list is for moderators and for members who offer to welcome newcomers. "
            "You can offer on your recovery page.",
        )
    after = request.args.get("after")
    posts = db.session.scalars(
        waiting_for_welcome(
            parse_cursor(after, datetime, int) if after else None, WELCOME_PER_PAGE + 1
        )
    ).all()
    posts, more = page_and_cursor(posts, WELCOME_PER_PAGE, lambda post: (post.created_at, post.id))
    return render_template("fellowship/welcome.html", posts=posts, more=more, paged=bool(after))
