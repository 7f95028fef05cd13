"""The moderators' review queue: one queue of typed items, claimed, decided, logged.

Each item is about one moderated text and carries every reason it is there; what an item
shows and offers is declared by its kind (forum/pages/reviewables.py). Members report posts
here too; the author never learns who reported.
"""

import statistics
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, tuple_
from sqlalchemy.orm import joinedload, selectinload
from werkzeug import Response

from forum.data.models import Post, PostStatus
from forum.data.review import AuditEntry, Report, ReviewItem, ReviewReason, ReviewStatus
from forum.data.site_settings import get_setting
from forum.extensions import db
from forum.flow import queue as review_queue
from forum.flow import review_actions
from forum.flow.runtime import STATUS_KEY
from forum.pages.access import moderator_required
from forum.pages.visibility import topic_or_404
from forum.ratelimit import REPORTS_PER_MEMBER, limiter, member_or_address
from forum.web.keyset import id_before, page_and_cursor, parse_cursor
from forum.web.reviewables import (
    audit_trail,
    decisions_about,
    load_subjects,
    reviewable_of,
)
from moderation.policy import Reason, ReviewKind

bp = Blueprint("review", __name__)

KIND_LABELS = {
    ReviewKind.CRISIS: "Crisis",
    ReviewKind.POSSIBLE_CRISIS: "Possibly struggling",
    ReviewKind.AUTO_FLAG: "Automatic flag",
    ReviewKind.REPORT: "Member report",
    ReviewKind.IDENTIFYING: "Identifying details",
}
# written into the SQL, so that the log's partial index (review.MODERATOR_ACTION) applies
AUTO_DECISION = literal("auto_decision", literal_execute=True)
QUEUE_ORDER = (ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id)
QUEUE_PAGE = 50


def _reach_out_template() -> str:
    return render_template("review/reach_out_message.txt")


@bp.app_context_processor
def model_status_banner() -> dict:
    """Moderators see plainly when Detoxify is not scoring."""
    if not (current_user.is_authenticated and current_user.is_moderator):
        return {}
    status = get_setting(STATUS_KEY, None)
    if status and status.get("status") != "ready":
        return {"model_banner": status["reason"]}
    return {}


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
    """Open items, crisis first, a page at a time (keyset: the cursor is the last item shown)."""
    kind = request.args.get("kind")
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
    if after := request.args.get("after"):
        query = query.where(_after_in_queue(after))
    items = db.session.scalars(query).all()
    items, later = page_and_cursor(
        items, QUEUE_PAGE, lambda item: (item.priority, item.created_at, item.id)
    )
    load_subjects(items)
    return render_template(
        "review/queue.html",
        items=items,
        kinds=KIND_LABELS,
        kind=kind,
        later=later,
        paged=bool(after),
        reviewable_of=reviewable_of,
    )


@bp.route("/review/<int:item_id>")
@moderator_required
def item(item_id: int) -> str:
    item = db.get_or_404(ReviewItem, item_id)
    subject = item.subject
    if subject is None:
        abort(410, "What this item was about no longer exists.")
    reviewable = reviewable_of(item)
    return render_template(
        reviewable.template,
        item=item,
        subject=subject,
        actions={action.name: action for action in reviewable.offered(item)},
        history=decisions_about(subject.author_id),
        log=audit_trail(subject),
        kinds=KIND_LABELS,
        reach_out_message=_reach_out_template(),
        **reviewable.context(item),
    )


@bp.route("/review/<int:item_id>/claim", methods=["POST"])
@moderator_required
def claim(item_id: int) -> Response:
    item = db.get_or_404(ReviewItem, item_id)
    review_actions.claim(item, current_user)
    db.session.commit()
    return redirect(url_for("review.item", item_id=item.id))


@bp.route("/review/<int:item_id>/act", methods=["POST"])
@moderator_required
def act(item_id: int) -> Response:
    """Carry out one of the decisions the item offers, through that decision's form."""
    item = db.get_or_404(ReviewItem, item_id)
    if item.claimed_by_other(current_user.id):
        raise review_actions.ReviewError(f"{item.claimed_by.pseudonym} has claimed this item.", 409)
    action = reviewable_of(item).action(item, request.form.get("action", ""))
    if action is None:
        if item.status != ReviewStatus.OPEN:
            raise review_actions.ReviewError("This item is already decided. Reopen it first.", 409)
        abort(400, "This item doesn't offer that decision.")
    form = action.form()
    if not form.validate_on_submit():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        raise review_actions.ReviewError(" ".join(errors) or "That form could not be read.")
    action.perform(item, current_user._get_current_object(), form)
    db.session.commit()
    flash(f"Done: {action.label.lower()}.", "success")
    if item.status == ReviewStatus.RESOLVED:
        return redirect(url_for("review.queue"))
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
    kind = request.values.get("kind", "report")
    if kind not in ("report", "worried"):
        abort(400, "Unknown kind of report.")
    if request.method == "GET":
        return render_template("review/report.html", post=post, kind=kind)
    reason = request.form.get("reason", "").strip()
    if not reason:
        flash("Please say what worries you, in a few words.", "error")
        return render_template("review/report.html", post=post, kind=kind), 400
    if post.author_id == current_user.id:
        abort(400, "You can't report your own post.")
    already = select(Report.id).where(
        Report.post_id == post.id, Report.reporter_id == current_user.id, Report.kind == kind
    )
    if db.session.scalar(already):
        flash("You have already reported this post. The moderators have it.", "info")
        return redirect(url_for("boards.show_post", post_id=post.id))
    db.session.add(
        Report(post_id=post.id, reporter_id=current_user.id, kind=kind, reason=reason[:500])
    )
    if kind == "worried":
        filed = Reason(ReviewKind.CRISIS, "a member is worried about this person")
    else:
        filed = Reason(ReviewKind.REPORT, f"report: {reason[:200]}")
    review_queue.file(post, [filed])
    db.session.commit()
    flash("Thank you. The moderators will look at it; nobody else will know it was you.", "success")
    return redirect(url_for("boards.show_post", post_id=post.id))
