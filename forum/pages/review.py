"""The moderators' review queue: one queue of typed items, claimed, decided, logged.

Each item is about one moderated text and carries every reason it is there; what an item
shows and offers is declared by its kind (forum/web/reviewables.py). Members report posts
here too; the author never learns who reported.
"""

import statistics
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload
from werkzeug import Response

from forum.data.clock import utcnow
from forum.data.models import Post, PostStatus, User
from forum.data.review import (
    KIND_ORDER,
    REPORT_CATEGORIES,
    AuditEntry,
    Report,
    ReviewItem,
    ReviewReason,
    ReviewStatus,
)
from forum.data.site_settings import get_setting
from forum.extensions import db
from forum.flow import queue as review_queue
from forum.flow import review_actions
from forum.flow.calibration import suggest_thresholds
from forum.flow.runtime import STATUS_KEY, request_model_reload
from forum.flow.wellbeing import current_stretch
from forum.pages.access import moderator_required
from forum.pages.visibility import topic_or_404
from forum.ratelimit import REPORTS_PER_MEMBER, limiter, member_or_address
from forum.web.keyset import id_before, page_and_cursor, parse_cursor
from forum.web.plain_words import plain, plain_reason
from forum.web.review_groups import QUEUE_ORDER, group_by_member, open_items_of, summarise
from forum.web.reviewables import (
    audit_trail,
    debrief_notes,
    decisions_about,
    distressing,
    load_subjects,
    once_per_message,
    reviewable_of,
)
from moderation.policy import Reason, ReviewKind

bp = Blueprint("review", __name__)
bp.add_app_template_filter(plain, "plain")
bp.add_app_template_filter(plain_reason, "plain_reason")

KIND_LABELS = {kind: plain(kind) for kind in KIND_ORDER}
CLAIM_FILTERS = {"mine": "Claimed by me", "unclaimed": "Unclaimed"}
# written into the SQL, so that the log's partial index (review.MODERATOR_ACTION) applies
AUTO_DECISION = literal("auto_decision", literal_execute=True)
QUEUE_PAGE = 50
BREAK_KEY = "review_break_taken_at"
# how far back an item's page looks for an earlier reach-out to the same member
REACHED_OUT_DAYS = 7
MODEL_WORDS = {
    "loading": "The model that scores posts is loading. Until it is ready, automatic holds"
    " are off; a simpler filter queues posts.",
    "unavailable": "Automatic holds are off; a simpler filter queues posts. The model that"
    " scores posts could not be loaded.",
}


def _reach_out_template() -> str:
    return render_template("review/reach_out_message.txt")


@bp.app_context_processor
def model_status_banner() -> dict:
    """Moderators see plainly when Detoxify is not scoring (the technical reason is on the
    admin's dashboard, for whoever fixes it)."""
    if not (current_user.is_authenticated and current_user.is_moderator):
        return {}
    status = get_setting(STATUS_KEY, None)
    if status and status.get("status") != "ready":
        words = MODEL_WORDS.get(status.get("status"), MODEL_WORDS["unavailable"])
        return {
            "model_banner": words,
            "model_status": status.get("status"),
            "model_reason": status.get("reason", ""),
        }
    return {}


def _stretch_nudge() -> object:
    """The gentle break suggestion, when this moderator's stretch is long or heavy."""
    taken = session.get(BREAK_KEY)
    stretch = current_stretch(current_user.id, datetime.fromisoformat(taken) if taken else None)
    return stretch if stretch.break_suggested else None


def _after_in_queue(position: str) -> ColumnElement[bool]:
    """Items after `position` (a cursor) in QUEUE_ORDER: lower priority, or the same
    priority and later."""
    priority, created_at, item_id = parse_cursor(position, int, datetime, int)
    return or_(
        ReviewItem.priority < priority,
        and_(
            ReviewItem.priority == priority,
            tuple_(ReviewItem.created_at, ReviewItem.id) > (created_at, item_id),
        ),
    )


@bp.route("/review/")
@moderator_required
def queue() -> str:
    """Open items, crisis first, a page at a time (keyset: the cursor is the last item shown),
    a member's items together; filtered by kind and by who claimed them."""
    kind = request.args.get("kind")
    claimed = request.args.get("claimed")
    query = (
        select(ReviewItem)
        .options(selectinload(ReviewItem.reasons), joinedload(ReviewItem.claimed_by))
        .where(ReviewItem.status == ReviewStatus.OPEN)
        .order_by(*QUEUE_ORDER)
        .limit(QUEUE_PAGE + 1)
    )
    if kind in KIND_LABELS:
        query = query.where(
            exists().where(ReviewReason.item_id == ReviewItem.id, ReviewReason.kind == kind)
        )
    else:
        kind = None
    now = utcnow()
    claim_holds = and_(ReviewItem.claimed_by_id.is_not(None), ReviewItem.claim_expires_at > now)
    if claimed == "mine":
        query = query.where(claim_holds, ReviewItem.claimed_by_id == current_user.id)
    elif claimed == "unclaimed":
        query = query.where(~claim_holds)
    else:
        claimed = None
    if after := request.args.get("after"):
        query = query.where(_after_in_queue(after))
    items = db.session.scalars(query).all()
    items, later = page_and_cursor(
        items, QUEUE_PAGE, lambda item: (item.priority, item.created_at, item.id)
    )
    load_subjects(items)
    return render_template(
        "review/queue.html",
        groups=group_by_member(items),
        counts=open_counts_by_kind(),
        kinds=KIND_LABELS,
        kind=kind,
        claimed=claimed,
        claim_filters=CLAIM_FILTERS,
        later=later,
        paged=bool(after),
        reviewable_of=reviewable_of,
        distressing=distressing,
        nudge=_stretch_nudge(),
    )


@bp.route("/review/bulk", methods=["POST"])
@moderator_required
def bulk() -> Response:
    """Approve or remove the ticked items at once (spam); crises are never decided in bulk."""
    ids = [int(value) for value in request.form.getlist("item_id") if value.isdigit()][:100]
    back = redirect(_back_here(), 303)
    if not ids:
        flash("Tick the items to decide first.", "error")
        return back
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "").strip()
    if decision == "remove" and not reason:
        flash("Say why they are removed: their authors will be told.", "error")
        return back
    items = db.session.scalars(
        select(ReviewItem).where(ReviewItem.id.in_(ids)).order_by(ReviewItem.id)
    ).all()
    load_subjects(items)
    decided, left = review_actions.bulk_decide(
        items, current_user._get_current_object(), decision, reason
    )
    db.session.commit()
    done = "approved" if decision == "approve" else "removed"
    flash(f"{decided} item{'' if decided == 1 else 's'} {done}.", "success")
    if left:
        flash("Left as they were: " + "; ".join(left) + ".", "info")
    return back


def _back_here() -> str:
    """The page a form came from (a path on Harbor only), else the queue."""
    back = request.form.get("back", "")
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return url_for("review.queue")


@bp.route("/review/break", methods=["POST"])
@moderator_required
def take_break() -> Response:
    """The moderator is taking a break: the stretch starts again when they are back."""
    session[BREAK_KEY] = utcnow().isoformat()
    flash("Take care of yourself. The queue will be here, and others are on it too.", "info")
    return redirect(url_for("review.queue"), 303)


@bp.route("/review/model/reload", methods=["POST"])
@moderator_required
def reload_model() -> Response:
    request_model_reload()
    review_actions.log(current_user, "model_reload", None)
    db.session.commit()
    flash(
        "Loading the model again. When it is ready, automatic holds come back on and the posts"
        " the simpler filter scored are scored again.",
        "info",
    )
    return redirect(_back_here(), 303)


@bp.route("/review/member/<int:member_id>")
@moderator_required
def member(member_id: int) -> str:
    """A member's open items together, with one reach-out for all of them."""
    person = db.get_or_404(User, member_id)
    items = open_items_of([member_id])[member_id]
    return render_template(
        "review/member.html",
        member=person,
        items=items,
        summary=summarise(items) if items else "",
        kinds=KIND_LABELS,
        history=decisions_about(member_id),
        reached_out=_recent_reach_outs(member_id),
        reach_out_message=_reach_out_template(),
        reviewable_of=reviewable_of,
        distressing=distressing,
    )


@bp.route("/review/member/<int:member_id>/reach_out", methods=["POST"])
@moderator_required
def reach_out_to_member(member_id: int) -> Response:
    """One message for all of the member's open items; each item's log records it."""
    person = db.get_or_404(User, member_id)
    items = open_items_of([member_id])[member_id]
    review_actions.reach_out_to_member(
        person.id, items, current_user._get_current_object(), request.form.get("message", "")
    )
    db.session.commit()
    flash(f"Your message is in {person.pseudonym}'s messages.", "success")
    return redirect(url_for("review.member", member_id=member_id), 303)


@bp.route("/review/member/<int:member_id>/lift", methods=["POST"])
@moderator_required
def lift(member_id: int) -> Response:
    person = db.get_or_404(User, member_id)
    if person.is_moderator:
        abort(403)
    review_actions.lift_restrictions(
        person, current_user._get_current_object(), request.form.get("reason", "")
    )
    db.session.commit()
    flash(f"{person.pseudonym} can post again; they have been told.", "success")
    return redirect(url_for("review.member", member_id=member_id), 303)


def _recent_reach_outs(member_id: int | None) -> list[AuditEntry]:
    """Reach-outs to this member in the last days: nobody sends a second, identical message."""
    if member_id is None:
        return []
    entries = db.session.scalars(
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(
            AuditEntry.member_id == member_id,
            AuditEntry.action == "reach_out",
            AuditEntry.created_at >= utcnow() - timedelta(days=REACHED_OUT_DAYS),
        )
        .order_by(AuditEntry.id.desc())
        .limit(50)
    ).all()
    return once_per_message(entries)


@bp.route("/review/<int:item_id>")
@moderator_required
def item(item_id: int) -> str:
    item = db.get_or_404(ReviewItem, item_id)
    subject = item.subject
    if subject is None:
        abort(410, "What this item was about no longer exists.")
    reviewable = reviewable_of(item)
    me = current_user._get_current_object()
    return render_template(
        reviewable.template,
        item=item,
        subject=subject,
        actions={action.name: action for action in reviewable.offered(item)},
        history=decisions_about(subject.author_id),
        log=audit_trail(subject),
        kinds=KIND_LABELS,
        reach_out_message=_reach_out_template(),
        claim_needed=review_actions.claim_needed(item, me),
        distress=distressing(item),
        notes=debrief_notes(item, me.id),
        colleagues=review_actions.other_moderators(me),
        on_duty={other.id for other in review_actions.moderators_on_duty(me)},
        reached_out=_recent_reach_outs(subject.author_id),
        others_open=len(open_items_of([subject.author_id])[subject.author_id])
        if subject.author_id
        else 0,
        nudge=_stretch_nudge(),
        **reviewable.context(item),
    )


@bp.route("/review/<int:item_id>/claim", methods=["POST"])
@moderator_required
def claim(item_id: int) -> Response:
    item = db.get_or_404(ReviewItem, item_id)
    review_actions.claim(item, current_user)
    db.session.commit()
    if item.is_crisis:
        flash(
            "This crisis is yours now. Nobody should handle one alone: ask another moderator"
            " in below if you would like company.",
            "info",
        )
    return redirect(url_for("review.item", item_id=item.id))


@bp.route("/review/<int:item_id>/act", methods=["POST"])
@moderator_required
def act(item_id: int) -> Response:
    """Carry out one of the decisions the item offers, through that decision's form."""
    item = db.get_or_404(ReviewItem, item_id)
    moderator = current_user._get_current_object()
    action = reviewable_of(item).action(item, request.form.get("action", ""))
    if action is None:
        if item.status != ReviewStatus.OPEN:
            raise review_actions.ReviewError(
                "This item is already decided. To decide it again, reopen it first.", 409
            )
        abort(400, "This item doesn't offer that decision.")
    if action.decides and (why := review_actions.claim_needed(item, moderator)):
        flash(why, "error")  # the item again, with the reason: not an error page
        return redirect(url_for("review.item", item_id=item.id), 303)
    form = action.form()
    if not form.validate_on_submit():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        raise review_actions.ReviewError(" ".join(errors) or "That form could not be read.")
    action.perform(item, moderator, form)
    if action.decides and request.form.get("also_reach_out") == "yes":
        # reaching out is offered with the decision: one press does both
        review_actions.reach_out(item, moderator, request.form.get("message", ""))
    db.session.commit()
    flash(f"Done: {action.label.lower()}.", "success")
    if item.status == ReviewStatus.RESOLVED and not item.is_crisis:
        return redirect(url_for("review.queue"))
    # after a crisis decision the item stays in view: reaching out, asking a colleague in
    # and a private note are all still there
    return redirect(url_for("review.item", item_id=item.id))


@bp.route("/review/dashboard")
@moderator_required
def dashboard() -> str:
    open_by_kind = open_counts_by_kind()
    decided = db.session.execute(
        select(ReviewItem.created_at, ReviewItem.first_decided_at)
        .where(ReviewItem.first_decided_at.is_not(None))
        .order_by(ReviewItem.id.desc())
        .limit(1000)
    ).all()
    waits = [(decided_at - created).total_seconds() / 60 for created, decided_at in decided]
    median_minutes = statistics.median(waits) if waits else None
    return render_template(
        "review/dashboard.html",
        open_by_kind=open_by_kind,
        kinds=KIND_LABELS,
        median_minutes=median_minutes,
        agreement=label_agreement(),
        suggestions=suggest_thresholds(),
    )


def open_counts_by_kind() -> dict[str, int]:
    """How many open items call for each kind of review (an item may call for several)."""
    return dict(
        db.session.execute(
            select(ReviewReason.kind, func.count(ReviewReason.item_id.distinct()))
            .join(ReviewItem, ReviewItem.id == ReviewReason.item_id)
            .where(ReviewItem.status == ReviewStatus.OPEN)
            .group_by(ReviewReason.kind)
        ).all()
    )


def label_agreement() -> dict[str, dict[str, int]]:
    """For each label, how often moderators removed (agreed) or approved (disagreed) its flags."""
    rows = db.session.execute(
        select(Post.decision, ReviewItem.resolution)
        .join(
            ReviewItem,
            (ReviewItem.subject_type == Post.review_type) & (ReviewItem.subject_id == Post.id),
        )
        .where(
            exists().where(
                ReviewReason.item_id == ReviewItem.id, ReviewReason.kind == ReviewKind.AUTO_FLAG
            ),
            ReviewItem.resolution.in_(["approved", "removed"]),
        )
        .limit(5000)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for decision, resolution in rows:
        for label in decision.flagged_labels if decision else ():
            counts = table.setdefault(label, {"agreed": 0, "disagreed": 0})
            counts["agreed" if resolution == "removed" else "disagreed"] += 1
    return table


LOG_PAGE = 200


@bp.route("/review/log")
@moderator_required
def audit_log() -> str:
    """Moderators' decisions, newest first, a page at a time by keyset (older than `before`)."""
    before = id_before()
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(AuditEntry.action != AUTO_DECISION)
        .order_by(AuditEntry.id.desc())
        .limit(LOG_PAGE + 1)
    )
    if before is not None:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query).all()
    entries, older = page_and_cursor(entries, LOG_PAGE, lambda entry: (entry.id,))
    return render_template(
        "review/log.html", entries=entries, older=older, paged=before is not None
    )


@bp.route("/p/<int:post_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(
    REPORTS_PER_MEMBER,
    methods=["POST"],
    key_func=member_or_address,
    error_message="You have sent a lot of reports in the last hour. The moderators have them.",
)
def report(post_id: int) -> str | Response:
    post = db.session.get(Post, post_id)
    if post is None or post.status != PostStatus.PUBLISHED:
        abort(404)
    topic_or_404(post.topic_id)
    # the link under a post chooses "I'm worried about this person" or a report; the form
    # asks the reporter which kind of problem it is
    category = request.values.get("category") or (
        "worried" if request.values.get("kind") == "worried" else ""
    )
    if category and category not in REPORT_CATEGORIES:
        abort(400, "Unknown kind of report.")
    shown = {"post": post, "category": category, "categories": REPORT_CATEGORIES}
    if request.method == "GET":
        return render_template("review/report.html", **shown)
    category = category or "other"
    reason = request.form.get("reason", "").strip()
    if category == "other" and not reason:
        flash("Please say what worries you, in a few words.", "error")
        return render_template("review/report.html", **shown), 400
    if post.author_id == current_user.id:
        abort(400, "You can't report your own post.")
    kind = "worried" if category == "worried" else "report"
    already = select(Report.id).where(
        Report.post_id == post.id, Report.reporter_id == current_user.id, Report.kind == kind
    )
    if db.session.scalar(already):
        flash("You have already reported this post. The moderators have it.", "info")
        return redirect(url_for("boards.show_post", post_id=post.id))
    db.session.add(
        Report(
            post_id=post.id,
            reporter_id=current_user.id,
            kind=kind,
            category=category,
            reason=reason[:500],
        )
    )
    said = f": {reason[:200]}" if reason else ""
    if kind == "worried":
        filed = Reason(ReviewKind.CRISIS, f"a member is worried about this person{said}")
    else:
        filed = Reason(ReviewKind.REPORT, f"report, {plain(category).lower()}{said}")
    review_queue.file(post, [filed])
    db.session.commit()
    flash("Thank you. The moderators will look at it; nobody else will know it was you.", "success")
    return redirect(url_for("boards.show_post", post_id=post.id))
