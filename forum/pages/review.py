"""The moderators' review queue: one queue of typed items, claimed, decided, logged.

Members report posts here too; the author never learns who reported. Items about private
messages (forum/fellowship) share the queue; their page shows the message in its
conversation, which moderators can read only through such an item.
"""

import statistics
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import joinedload
from werkzeug import Response

from forum.data.models import AuditEntry, Post, PostStatus, Report, ReviewItem, ReviewStatus
from forum.data.posting import PostingError
from forum.data.site_settings import get_setting
from forum.extensions import db
from forum.fellowship.models import ConversationMessage, MessageReport
from forum.flow import review_actions
from forum.flow.pipeline import open_review_item
from forum.flow.runtime import STATUS_KEY
from forum.pages.access import moderator_required
from forum.pages.keyset import id_before, page_and_cursor, parse_cursor
from forum.pages.visibility import topic_or_404
from forum.ratelimit import REPORTS_PER_MEMBER, limiter, member_or_address
from moderation.policy import ReviewKind

bp = Blueprint("review", __name__)

KIND_LABELS = {
    ReviewKind.CRISIS: "Crisis",
    ReviewKind.AUTO_FLAG: "Automatic flag",
    ReviewKind.REPORT: "Member report",
    ReviewKind.IDENTIFYING: "Identifying details",
}
# written into the SQL, so that the log's partial index (models.MODERATOR_ACTION) applies
AUTO_DECISION = literal("auto_decision", literal_execute=True)
QUEUE_ORDER = (ReviewItem.priority.desc(), ReviewItem.created_at, ReviewItem.id)
QUEUE_PAGE = 50
# messages shown on each side of a reported private message
MESSAGE_CONTEXT = 5


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
        .options(
            joinedload(ReviewItem.post).joinedload(Post.author),
            joinedload(ReviewItem.post).joinedload(Post.topic),
            joinedload(ReviewItem.message).joinedload(ConversationMessage.author),
            joinedload(ReviewItem.claimed_by),
        )
        .where(ReviewItem.status == ReviewStatus.OPEN)
        .order_by(*QUEUE_ORDER)
        .limit(QUEUE_PAGE + 1)
    )
    if kind in KIND_LABELS:
        query = query.where(ReviewItem.kind == kind)
    else:
        kind = None
    if after := request.args.get("after"):
        query = query.where(_after_in_queue(after))
    items = db.session.scalars(query).all()
    items, later = page_and_cursor(
        items, QUEUE_PAGE, lambda item: (item.priority, item.created_at, item.id)
    )
    return render_template(
        "review/queue.html",
        items=items,
        kinds=KIND_LABELS,
        kind=kind,
        later=later,
        paged=bool(after),
    )


def _decisions_about(member_id: int | None) -> list[AuditEntry]:
    """A member's earlier moderation history, newest first."""
    if member_id is None:
        return []
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.member_id == member_id, AuditEntry.action != "auto_decision")
        .order_by(AuditEntry.id.desc())
        .limit(20)
    ).all()


@bp.route("/review/<int:item_id>")
@moderator_required
def item(item_id: int) -> str:
    item = db.get_or_404(ReviewItem, item_id)
    if item.message_id is not None:
        return _message_item(item)
    post = item.post
    nearby = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author))
        .where(
            Post.topic_id == post.topic_id, Post.number.between(post.number - 2, post.number + 2)
        )
        .order_by(Post.number)
    ).all()
    reports = db.session.scalars(select(Report).where(Report.post_id == post.id)).all()
    log = db.session.scalars(
        select(AuditEntry).where(AuditEntry.post_id == post.id).order_by(AuditEntry.id)
    ).all()
    return render_template(
        "review/item.html",
        item=item,
        post=post,
        subject=post,
        nearby=nearby,
        history=_decisions_about(post.author_id),
        reports=reports,
        log=log,
        kinds=KIND_LABELS,
        reach_out_message=_reach_out_template(),
    )


def _message_item(item: ReviewItem) -> str:
    """A private message under review, with the messages just before and after it."""
    message = item.message
    in_conversation = (
        select(ConversationMessage)
        .options(joinedload(ConversationMessage.author))
        .where(ConversationMessage.mentorship_id == message.mentorship_id)
    )
    before = db.session.scalars(
        in_conversation.where(ConversationMessage.id < message.id)
        .order_by(ConversationMessage.id.desc())
        .limit(MESSAGE_CONTEXT)
    ).all()
    after = db.session.scalars(
        in_conversation.where(ConversationMessage.id >= message.id)
        .order_by(ConversationMessage.id)
        .limit(MESSAGE_CONTEXT + 1)
    ).all()
    reports = db.session.scalars(
        select(MessageReport).where(MessageReport.message_id == message.id)
    ).all()
    log = db.session.scalars(
        select(AuditEntry).where(AuditEntry.message_id == message.id).order_by(AuditEntry.id)
    ).all()
    return render_template(
        "review/message_item.html",
        item=item,
        subject=message,
        nearby=[*reversed(before), *after],
        history=_decisions_about(message.author_id),
        reports=reports,
        log=log,
        kinds=KIND_LABELS,
        reach_out_message=_reach_out_template(),
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
    item = db.get_or_404(ReviewItem, item_id)
    if item.claimed_by_other(current_user.id):
        raise PostingError(f"{item.claimed_by.pseudonym} has claimed this item.", 409)
    form = request.form
    action = form.get("action", "")
    reason = form.get("reason", "").strip()[:2000]
    moderator = current_user._get_current_object()
    if action in {"escalate", "reopen"}:
        pass  # may be done on resolved items too
    elif item.status != ReviewStatus.OPEN:
        raise PostingError("This item is already decided. Reopen it first.", 409)
    match action:
        case "approve":
            review_actions.approve(item, moderator, reason)
        case "remove":
            review_actions.remove(item, moderator, reason)
        case "edit":
            review_actions.edit(item, moderator, form.get("body", ""), reason)
        case "redact":
            review_actions.redact_identifying(item, moderator, reason)
        case "warn":
            review_actions.warn(item, moderator, reason)
        case "silence" | "suspend":
            days = form.get("days", type=int) or 0
            review_actions.restrict(item, moderator, action, days, reason)
        case "escalate":
            review_actions.escalate(item, moderator, reason)
        case "reach_out":
            review_actions.reach_out(item, moderator, form.get("message", ""))
        case "reopen":
            review_actions.reopen(item, moderator, reason)
        case _:
            abort(400, "Unknown action.")
    db.session.commit()
    flash(f"Done: {action.replace('_', ' ')}.", "success")
    if item.status == ReviewStatus.RESOLVED:
        return redirect(url_for("review.queue"))
    return redirect(url_for("review.item", item_id=item.id))


@bp.route("/review/dashboard")
@moderator_required
def dashboard() -> str:
    open_by_kind = dict(
        db.session.execute(
            select(ReviewItem.kind, func.count())
            .where(ReviewItem.status == ReviewStatus.OPEN)
            .group_by(ReviewItem.kind)
        ).all()
    )
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


def label_agreement() -> dict[str, dict[str, int]]:
    """For each label, how often moderators removed (agreed) or approved (disagreed) its flags."""
    rows = db.session.execute(
        select(Post.decision, ReviewItem.resolution)
        .join(ReviewItem, ReviewItem.post_id == Post.id)
        .where(
            ReviewItem.kind == ReviewKind.AUTO_FLAG,
            ReviewItem.resolution.in_(["approved", "removed"]),
        )
        .limit(5000)
    ).all()
    table: dict[str, dict[str, int]] = {}
    for decision, resolution in rows:
        for label in (decision or {}).get("flagged_labels", []):
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
    review_kind = ReviewKind.CRISIS if kind == "worried" else ReviewKind.REPORT
    label = (
        "a member is worried about this person" if kind == "worried" else f"report: {reason[:200]}"
    )
    open_review_item(post, review_kind, [label])
    db.session.commit()
    flash("Thank you. The moderators will look at it; nobody else will know it was you.", "success")
    return redirect(url_for("boards.show_post", post_id=post.id))
