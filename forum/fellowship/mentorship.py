"""Mentorship: who may mentor, asking one, answering, ending, and the pair's private messages.

Any member may ask a mentor (mentors have mentors too), one request or mentorship at a time.
Mentors are members with enough time in recovery (HARBOR_MENTOR_MIN_DAYS) who offer, and who
are not silenced or suspended. Private messages exist only inside a mentorship a newcomer
asked for, and go through the moderation pipeline as posts do: a held message is delivered
only once a moderator approves it.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError

from forum.data.clock import utcnow
from forum.data.markdown import render_markdown
from forum.data.models import PostStatus, User
from forum.data.notifications import notify
from forum.data.posting import PostingError
from forum.extensions import db
from forum.fellowship.milestones import days_in_recovery, utc_today
from forum.fellowship.models import (
    ConversationMessage,
    Mentorship,
    MentorshipStatus,
    conversation_link,
)
from forum.flow.pipeline import submit
from forum.web import crisis_pass
from moderation.findings import Findings


def mentor_min_days() -> int:
    return current_app.config["HARBOR_MENTOR_MIN_DAYS"]


def has_mentor_time(user: User) -> bool:
    started = user.recovery_started_on
    return started is not None and days_in_recovery(started, utc_today()) >= mentor_min_days()


def can_mentor(user: User) -> bool:
    """Offers to mentor, has the time in recovery, and may post."""
    return (
        user.offers_mentoring
        and has_mentor_time(user)
        and not user.is_silenced()
        and not user.is_suspended()
    )


def willing_mentors(viewer: User) -> Select[tuple[User]]:
    """Everyone `can_mentor` accepts, but the viewer, in pseudonym order."""
    now = utcnow()
    started_by = utc_today() - timedelta(days=mentor_min_days())
    return (
        select(User)
        .where(
            User.offers_mentoring.is_(True),
            User.recovery_started_on <= started_by,
            or_(User.silenced_until.is_(None), User.silenced_until <= now),
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
            User.id != viewer.id,
        )
        .order_by(User.pseudonym_key)
    )


def open_mentorship_of(newcomer: User) -> Mentorship | None:
    """The newcomer's request waiting for an answer, or their active mentorship (not one
    whose mentor has left Harbor)."""
    return db.session.scalar(
        select(Mentorship).where(
            Mentorship.newcomer_id == newcomer.id,
            Mentorship.status.in_(MentorshipStatus.open()),
            Mentorship.mentor_id.is_not(None),
        )
    )


def _end_abandoned(newcomer: User) -> None:
    """Mark ended the newcomer's open mentorship whose mentor deleted their account."""
    abandoned = db.session.scalars(
        select(Mentorship).where(
            Mentorship.newcomer_id == newcomer.id,
            Mentorship.status.in_(MentorshipStatus.open()),
            Mentorship.mentor_id.is_(None),
        )
    )
    for mentorship in abandoned:
        mentorship.status = MentorshipStatus.ENDED
        mentorship.ended_at = utcnow()


def _new_message(mentorship: Mentorship, author: User, body: str) -> ConversationMessage:
    message = ConversationMessage(
        mentorship=mentorship,
        author=author,
        body=body,
        body_html=render_markdown(body),
        status=PostStatus.PENDING,
        created_at=utcnow(),
    )
    db.session.add(message)
    return message


def ensure_can_write(member: User, findings: Findings | None = None) -> None:
    """A paused member writes no messages, except crisis words (forum/web/crisis_pass.py)."""
    if member.is_silenced():
        crisis = findings is not None and findings.crisis.shows_help
        if crisis and crisis_pass.grant("a pause on posting"):
            return
        until = member.silenced_until.strftime("%Y-%m-%d %H:%M UTC")
        raise PostingError(
            f"A moderator has paused your posting until {until}, and private messages too. "
            "Your mentorships are still there when the pause ends.",
            403,
        )


def ask(newcomer: User, mentor: User, note: str, findings: Findings) -> ConversationMessage:
    """Ask `mentor` to mentor `newcomer`. The note is the conversation's first message and is
    moderated like every other; the mentor hears of the request at once."""
    if mentor.id == newcomer.id:
        raise PostingError("You can't ask yourself to be your mentor.", 400)
    if not can_mentor(mentor):
        raise PostingError(f"{mentor.pseudonym} is not taking mentorship requests now.", 403)
    ensure_can_write(newcomer, findings)
    if open_mentorship_of(newcomer) is not None:
        raise PostingError(
            "You already have a mentor, or a request waiting for an answer. End or withdraw "
            "it first: one at a time keeps it simple for everyone.",
            409,
        )
    _end_abandoned(newcomer)
    mentorship = Mentorship(mentor=mentor, newcomer=newcomer, status=MentorshipStatus.REQUESTED)
    db.session.add(mentorship)
    try:
        db.session.flush()
    except IntegrityError as error:  # a second request sent at the same moment
        db.session.rollback()
        raise PostingError("You already have a request waiting for an answer.", 409) from error
    message = _new_message(mentorship, newcomer, note)
    notify(
        mentor.id,
        "mentorship_request",
        f"{newcomer.pseudonym} would like you to be their mentor",
        "Read their note and answer when you can. Saying no is fine.",
        "/mentorship",
    )
    submit(message, findings)
    crisis_pass.note_on(message)
    db.session.commit()
    return message


def _answerable(mentorship: Mentorship, mentor: User) -> None:
    if mentorship.mentor_id != mentor.id:
        raise PostingError("Only the mentor who was asked can answer.", 403)
    if mentorship.status != MentorshipStatus.REQUESTED or mentorship.partner_left:
        raise PostingError("This request is no longer waiting for an answer.", 409)


def accept(mentorship: Mentorship, mentor: User) -> None:
    _answerable(mentorship, mentor)
    ensure_can_write(mentor)
    mentorship.status = MentorshipStatus.ACTIVE
    mentorship.answered_at = utcnow()
    notify(
        mentorship.newcomer_id,
        "mentorship_accepted",
        f"{mentor.pseudonym} said yes: they will be your mentor",
        "You can talk privately now. Either of you can end the mentorship at any time.",
        conversation_link(mentorship.id),
    )


def decline(mentorship: Mentorship, mentor: User) -> None:
    _answerable(mentorship, mentor)
    mentorship.status = MentorshipStatus.DECLINED
    mentorship.answered_at = utcnow()
    notify(
        mentorship.newcomer_id,
        "mentorship_declined",
        f"{mentor.pseudonym} can't be your mentor just now",
        "It is not about you: mentors have only so much time. You can ask someone else.",
        "/mentors",
    )


def end(mentorship: Mentorship, member: User) -> None:
    """Either person ends it (or withdraws a request), at any time, with no reason needed."""
    if not mentorship.involves(member.id):
        raise PostingError("This is not your mentorship.", 403)
    if mentorship.status not in MentorshipStatus.open():
        return
    mentorship.status = MentorshipStatus.ENDED
    mentorship.ended_at = utcnow()
    partner = mentorship.partner_of(member.id)
    notify(
        partner.id if partner else None,
        "mentorship_ended",
        f"{member.pseudonym} ended the mentorship",
        "The conversation stays for you to read. Thank you for the time you gave each other.",
        conversation_link(mentorship.id),
    )


def send(
    mentorship: Mentorship, author: User, body: str, findings: Findings
) -> ConversationMessage:
    """A new message in an active mentorship, delivered once moderation lets it through."""
    if not mentorship.involves(author.id):
        raise PostingError("This is not your conversation.", 403)
    if not mentorship.is_active:
        raise PostingError("This conversation has ended, so it takes no new messages.", 403)
    ensure_can_write(author, findings)
    message = _new_message(mentorship, author, body)
    submit(message, findings)
    crisis_pass.note_on(message)
    db.session.commit()
    return message
