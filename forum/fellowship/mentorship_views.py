"""Mentorship pages: the willing mentors, asking one, answering, and the pair's conversation.

Only the two people in a mentorship can open its conversation. Moderators read a private
message only through a review item, after it was reported or flagged (forum/pages/review.py).
"""

from collections.abc import Callable

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
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from werkzeug import Response

from forum.data.blocks import blocked_by
from forum.data.models import PostStatus, User
from forum.data.review import REPORT_CATEGORIES, ReviewItem
from forum.extensions import db
from forum.fellowship import mentorship
from forum.fellowship.forms import MentorRequestForm, MessageForm, MessageReportForm
from forum.fellowship.models import (
    ConversationMessage,
    Mentorship,
    MentorshipStatus,
    MessageReport,
)
from forum.flow import queue as review_queue
from forum.ratelimit import limiter
from forum.web import crisis_pass, reviewables
from forum.web.compose import Draft, after_submit, helplines_first_for
from forum.web.helplines import helplines_for_reader
from forum.web.keyset import id_before, page_and_cursor
from forum.web.pauses import pause_of
from forum.web.plain_words import plain
from moderation.policy import Reason, ReviewKind
from moderation.submission import Place

bp = Blueprint("mentorship", __name__)

MENTORS_PER_PAGE = 25
MESSAGES_PER_PAGE = 50


def _member_key(action: str) -> Callable[[], str]:
    """Rate limits count per member, whatever address they write from."""
    return lambda: f"{action}:{current_user.id}"


def _mentorship_or_404(mentorship_id: int) -> Mentorship:
    """The mentorship, only for the two people in it (to anyone else, no such page)."""
    found = db.session.get(Mentorship, mentorship_id)
    if found is None or not found.involves(current_user.id):
        abort(404)
    return found


@bp.route("/mentors")
@login_required
def mentors() -> str:
    """Members who offer to mentor, by pseudonym, a page at a time."""
    query = mentorship.willing_mentors(current_user).limit(MENTORS_PER_PAGE + 1)
    if after := request.args.get("after"):
        query = query.where(User.pseudonym_key > after)
    listed, more = page_and_cursor(
        db.session.scalars(query).all(), MENTORS_PER_PAGE, lambda mentor: (mentor.pseudonym_key,)
    )
    return render_template(
        "fellowship/mentors.html",
        mentors=listed,
        more=more,
        paged=bool(after),
        current=mentorship.open_mentorship_of(current_user),
        min_days=mentorship.mentor_min_days(),
    )


@bp.route("/mentors/<int:mentor_id>/ask", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["HARBOR_MENTOR_REQUEST_LIMIT"],
    methods=["POST"],
    key_func=_member_key("mentor-request"),
    exempt_when=crisis_pass.exempt_from_rate_limit,
)
def ask(mentor_id: int) -> str | Response:
    mentor = db.session.get(User, mentor_id)
    if mentor is None or mentor.id == current_user.id or not mentorship.can_mentor(mentor):
        abort(404)
    form = MentorRequestForm()
    draft = None
    if form.validate_on_submit():
        draft = Draft.of(Place.PRIVATE_MESSAGE, form.note.data, confirmed=form.post_anyway.data)
        if not draft.needs_confirmation:
            message = mentorship.ask(current_user, mentor, form.note.data, draft.findings)
            flash(
                f"Your request is on its way to {mentor.pseudonym}. You'll find their answer "
                "in your messages.",
                "success",
            )
            return after_submit(message, url_for(".overview"))
    return render_template(
        "fellowship/ask.html",
        mentor=mentor,
        form=form,
        details=draft.details if draft else [],
        current=mentorship.open_mentorship_of(current_user),
    )


@bp.route("/mentorship")
@login_required
def overview() -> str:
    """The member's mentorships, as mentor and as newcomer, newest first."""
    mine = db.session.scalars(
        select(Mentorship)
        .options(joinedload(Mentorship.mentor), joinedload(Mentorship.newcomer))
        .where(
            or_(Mentorship.mentor_id == current_user.id, Mentorship.newcomer_id == current_user.id)
        )
        .order_by(Mentorship.id.desc())
        .limit(50)
    ).all()
    waiting = [m.id for m in mine if m.status == MentorshipStatus.REQUESTED]
    notes: dict[int, ConversationMessage] = {}
    if waiting:
        for message in db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.mentorship_id.in_(waiting))
            .order_by(ConversationMessage.id.desc())
        ):
            notes[message.mentorship_id] = message  # the earliest, the request's note, wins
    crisis_id = helplines_first_for(
        ConversationMessage.review_type, {note.id for note in notes.values()}
    )
    return render_template(
        "fellowship/mentorships.html",
        mentorships=mine,
        notes=notes,
        helplines=helplines_for_reader() if crisis_id else None,
    )


@bp.route("/mentorship/<int:mentorship_id>/accept", methods=["POST"])
@login_required
def accept(mentorship_id: int) -> Response:
    found = _mentorship_or_404(mentorship_id)
    mentorship.accept(found, current_user)
    db.session.commit()
    flash("Thank you for saying yes. You can talk privately now.", "success")
    return redirect(url_for(".conversation", mentorship_id=found.id))


@bp.route("/mentorship/<int:mentorship_id>/decline", methods=["POST"])
@login_required
def decline(mentorship_id: int) -> Response:
    found = _mentorship_or_404(mentorship_id)
    mentorship.decline(found, current_user)
    db.session.commit()
    flash("Declined. They are told kindly, and can ask someone else.", "info")
    return redirect(url_for(".overview"))


@bp.route("/mentorship/<int:mentorship_id>/end", methods=["POST"])
@login_required
def end(mentorship_id: int) -> Response:
    found = _mentorship_or_404(mentorship_id)
    mentorship.end(found, current_user)
    db.session.commit()
    flash("Ended. The conversation stays for you to read; nobody can write in it now.", "info")
    return redirect(url_for(".overview"))


def _conversation_page(found: Mentorship, form: MessageForm, details: list) -> str:
    """A page of the conversation: the newest messages, or those before `?before=<id>`."""
    query = (
        select(ConversationMessage)
        .options(joinedload(ConversationMessage.author))
        .where(ConversationMessage.mentorship_id == found.id)
        .order_by(ConversationMessage.id.desc())
        .limit(MESSAGES_PER_PAGE + 1)
    )
    before = id_before()
    if before:
        query = query.where(ConversationMessage.id < before)
    newest_first, older = page_and_cursor(
        db.session.scalars(query).all(), MESSAGES_PER_PAGE, lambda message: (message.id,)
    )
    messages = [m for m in reversed(newest_first) if m.visible_to(current_user.id)]
    crisis_id = helplines_first_for(ConversationMessage.review_type, {m.id for m in messages})
    helplines_first = next((m for m in messages if m.id == crisis_id), None)
    has_crisis = any(
        m.findings and m.findings.crisis.is_crisis and m.status == PostStatus.PUBLISHED
        for m in messages
    )
    return render_template(
        "fellowship/conversation.html",
        mentorship=found,
        partner=found.partner_of(current_user.id),
        messages=messages,
        older=older,
        form=form,
        details=details,
        helplines_first=helplines_first,
        helplines=helplines_for_reader() if has_crisis or helplines_first else None,
        waiting=any(m.status == PostStatus.PENDING for m in messages),
        blocked=blocked_by(current_user),
        pause=pause_of(current_user),
    )


@bp.route("/mentorship/<int:mentorship_id>")
@login_required
def conversation(mentorship_id: int) -> str | Response:
    found = _mentorship_or_404(mentorship_id)
    if found.answered_at is None or found.status == MentorshipStatus.DECLINED:
        return redirect(url_for(".overview"))  # a conversation begins when a mentor says yes
    return _conversation_page(found, MessageForm(), [])


@bp.route("/mentorship/<int:mentorship_id>/messages", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["HARBOR_MESSAGE_LIMIT"],
    key_func=_member_key("message"),
    exempt_when=crisis_pass.exempt_from_rate_limit,
)
def send(mentorship_id: int) -> str | tuple[str, int] | Response:
    found = _mentorship_or_404(mentorship_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _conversation_page(found, form, []), 400
    draft = Draft.of(Place.PRIVATE_MESSAGE, form.body.data, confirmed=form.post_anyway.data)
    if draft.needs_confirmation:
        return _conversation_page(found, form, draft.details)
    message = mentorship.send(found, current_user, form.body.data, draft.findings)
    return after_submit(
        message,
        url_for(".conversation", mentorship_id=found.id, _anchor=f"message-{message.id}"),
    )


@bp.route("/mentorship/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_member_key("message-report"))
def report(message_id: int) -> str | tuple[str, int] | Response:
    """Either person can take a message to the moderators, who may then read it in context."""
    message = db.session.get(ConversationMessage, message_id)
    if (
        message is None
        or not message.visible_to(current_user.id)
        or message.status != PostStatus.PUBLISHED
    ):
        abort(404)
    if message.author_id == current_user.id:
        abort(400, "You can't report your own message.")
    # as for a post: the link chooses "I'm worried about this person" or a report, and the
    # form asks which kind of problem it is
    category = request.values.get("category") or (
        "worried" if request.values.get("kind") == "worried" else ""
    )
    if category and category not in REPORT_CATEGORIES:
        abort(400, "Unknown kind of report.")
    form = MessageReportForm()
    shown = {"message": message, "category": category, "categories": REPORT_CATEGORIES}
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("fellowship/report_message.html", form=form, **shown), status
    category = category or "other"
    reason = form.reason.data.strip()
    if category == "other" and not reason:
        flash("Please say what worries you, in a few words.", "error")
        return render_template("fellowship/report_message.html", form=form, **shown), 400
    kind = "worried" if category == "worried" else "report"
    back = url_for(".conversation", mentorship_id=message.mentorship_id)
    already = select(MessageReport.id).where(
        MessageReport.message_id == message.id,
        MessageReport.reporter_id == current_user.id,
        MessageReport.kind == kind,
    )
    if db.session.scalar(already):
        flash("You have already reported this message. The moderators have it.", "info")
        return redirect(back)
    db.session.add(
        MessageReport(
            message_id=message.id,
            reporter_id=current_user.id,
            kind=kind,
            category=category,
            reason=reason,
        )
    )
    said = f": {reason[:200]}" if reason else ""
    if kind == "worried":
        filed = Reason(
            ReviewKind.CRISIS,
            f"the other person in the mentorship is worried about this person{said}",
        )
    else:
        filed = Reason(
            ReviewKind.REPORT,
            f"report from the other person in the mentorship, {plain(category).lower()}{said}",
        )
    review_queue.file(message, [filed])
    db.session.commit()
    flash(
        "Thank you. The moderators will read this message and the ones around it, and decide.",
        "success",
    )
    return redirect(back)


# moderators review a private message in its conversation ---------------------------------

MESSAGE_CONTEXT = 5  # messages shown on each side of the one under review


def _load_messages(ids: list[int]) -> dict[int, ConversationMessage]:
    messages = db.session.scalars(
        select(ConversationMessage)
        .options(joinedload(ConversationMessage.author))
        .where(ConversationMessage.id.in_(ids))
    )
    return {message.id: message for message in messages}


def _message_context(item: ReviewItem) -> dict:
    """The messages just before and after the one under review, and its reports."""
    message = item.subject
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
    return {"nearby": [*reversed(before), *after], "reports": reports}


reviewables.register(
    reviewables.Reviewable(
        review_type=ConversationMessage.review_type,
        noun="private message",
        headline=lambda message: "A private message in a mentorship",
        template="review/message_item.html",
        load=_load_messages,
        context=_message_context,
        actions=reviewables.COMMON,
    )
)
