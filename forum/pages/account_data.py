"""My data: a member downloads everything Harbor holds about them, or deletes their account.

The download holds the account (with the recovery start date and offers to help), every post
with its earlier versions, its edit waiting for moderation and what moderation recorded about
it, the mentorships asked for and offered with their private conversations, the reports the
member made, the topics they follow or muted, the reactions they gave, the members they
blocked, their messages, the devices signed in, when they last posted, and the moderators'
decisions about them (tests/test_privacy_holes.py checks that every table naming a member is
here). Left out, to protect other people: who reported the member's posts and what they wrote,
which moderator made each decision, what moderation recorded about the other person's private
messages, moderators' internal steps (claiming, escalating, reopening a review item), and
whether anyone blocked the member. Harbor stores no IP address to include.

Deleting an account removes the member's row. Their posts are either erased (each leaves a
"removed by its author" note, so threads still read) or left under "former member". Either
way the schema's foreign keys take every link to the account with the row: recovery codes and
messages are deleted; posts, topics, reports, review-item claims and audit entries lose their
member reference (ON DELETE SET NULL, so the append-only audit log is never rewritten by
Harbor's code).
"""

import json
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug import Response

from forum.data.blocks import blocks_of
from forum.data.clock import exported, utcnow
from forum.data.member_sessions import MemberSession
from forum.data.models import Post, PostRevision, PostStatus, Topic, User
from forum.data.moderated import Moderated, ScoringState
from forum.data.notifications import Notification, TopicFollow
from forum.data.posting_clocks import PostingClock
from forum.data.reactions import Reaction, take_back_all
from forum.data.review import AuditEntry, DebriefNote, Report, ReviewHelper
from forum.extensions import db
from forum.fellowship.models import (
    ConversationMessage,
    Mentorship,
    MentorshipStatus,
    MessageReport,
)
from forum.flow.queue import open_item
from forum.flow.review_actions import resolve_item
from forum.meetings.export import erase_lines_of, meetings_data
from forum.pages.forms import DeleteAccountForm
from forum.practice.export import practice_data
from forum.practice.library import erase_tools_of
from forum.ratelimit import ACCOUNT_DELETION_PER_MEMBER, limiter, member_or_address

bp = Blueprint("account_data", __name__)

EXPORT_FORMAT = "harbor-member-data/1"
ERASED_TITLE = "Removed by its author"
# moderators' steps between themselves, not decisions about the member
INTERNAL_ACTIONS = ("claim", "escalate", "reopen", "ask_moderator")
NOT_INCLUDED = [
    "Who reported your posts, and what they wrote: Harbor never names a reporter.",
    "Which moderator made each decision.",
    "Moderators' internal steps: claiming, escalating, reopening or asking a colleague in"
    " on a review item.",
    "What moderation recorded about the other person's private messages: it is theirs.",
    "Whether anyone blocked you: a block is its maker's own, and nobody is told of one.",
    "Your IP address, e-mail or real name: Harbor never stores them.",
    "Your password and recovery codes, which are stored only as one-way hashes.",
]


def _post_data(post: Post, revisions: list[PostRevision]) -> dict[str, Any]:
    return {
        "id": post.id,
        "topic_id": post.topic_id,
        "topic_title": post.topic.title,
        "board": post.topic.board.name,
        "number_in_topic": post.number,
        "starts_topic": post.is_first,
        "status": post.status,
        "created_at": exported(post.created_at),
        "edited_at": exported(post.edited_at),
        "body": post.body,
        "earlier_versions": [
            {
                "replaced_at": exported(revision.created_at),
                "replaced_by": revision.replaced_by,
                "title": revision.title,
                "body": revision.body,
            }
            for revision in revisions
        ],
        "edit_waiting_for_moderation": _pending_edit_data(post),
        "moderation": _moderation_record(post),
    }


def _pending_edit_data(post: Post) -> dict[str, Any] | None:
    edit = post.pending_edit
    if edit is None:
        return None
    return {
        "title": edit.title,
        "body": edit.body,
        "content_warning": edit.content_warning,
        "written_at": exported(edit.created_at),
        "held_for_a_moderator": edit.held,
    }


def _moderation_record(subject: Moderated) -> dict[str, Any]:
    return {
        "scored_by": subject.scored_by,
        "findings": subject.findings.to_json() if subject.findings else None,
        "decision": subject.decision.to_json() if subject.decision else None,
    }


def _message_data(message: ConversationMessage, user: User) -> dict[str, Any]:
    """A message of the member's conversation as they see it; what moderation recorded only
    about their own."""
    mine = message.author_id == user.id
    data = {
        "from_you": mine,
        "status": message.status,
        "created_at": exported(message.created_at),
        "body": message.body,
    }
    if mine:
        data["moderation"] = _moderation_record(message)
    return data


def _mentorships_data(user: User) -> list[dict[str, Any]]:
    """Mentorships the member asked for or was asked for, answered or not, with their
    conversations (a request's note is its first message)."""
    mentorships = db.session.scalars(
        select(Mentorship)
        .options(joinedload(Mentorship.mentor), joinedload(Mentorship.newcomer))
        .where(or_(Mentorship.mentor_id == user.id, Mentorship.newcomer_id == user.id))
        .order_by(Mentorship.id)
    ).all()
    messages: dict[int, list[ConversationMessage]] = {}
    for message in db.session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.mentorship_id.in_([m.id for m in mentorships]))
        .order_by(ConversationMessage.id)
    ):
        if message.visible_to(user.id):
            messages.setdefault(message.mentorship_id, []).append(message)
    return [
        {
            "you_are": "mentor" if mentorship.mentor_id == user.id else "newcomer",
            "partner": partner.pseudonym if partner else "former member",
            "status": mentorship.status,
            "requested_at": exported(mentorship.created_at),
            "answered": (
                None
                if mentorship.answered_at is None
                else mentorship.status != MentorshipStatus.DECLINED
            ),
            "answered_at": exported(mentorship.answered_at),
            "ended_at": exported(mentorship.ended_at),
            "messages": [_message_data(m, user) for m in messages.get(mentorship.id, [])],
        }
        for mentorship in mentorships
        for partner in [mentorship.partner_of(user.id)]
    ]


def _rows(model: Any, key: Any, user: User) -> list[Any]:
    return db.session.scalars(select(model).where(key == user.id)).all()


def _activity_data(user: User) -> dict[str, Any]:
    """Reports of private messages, follows, reactions, sessions and posting clocks."""
    follows = db.session.execute(
        select(TopicFollow, Topic.title)
        .join(Topic, Topic.id == TopicFollow.topic_id)
        .where(TopicFollow.user_id == user.id)
        .order_by(TopicFollow.id)
    ).all()
    return {
        "message_reports_made": [
            {
                "message_id": report.message_id,
                "kind": report.kind,
                "category": report.category,
                "reason": report.reason,
                "created_at": exported(report.created_at),
            }
            for report in _rows(MessageReport, MessageReport.reporter_id, user)
        ],
        "topics_followed": [
            {
                "topic_id": follow.topic_id,
                "topic_title": title,
                "muted": follow.muted,
                "since": exported(follow.created_at),
            }
            for follow, title in follows
        ],
        "reactions_given": [
            {
                "post_id": reaction.post_id,
                "kind": reaction.kind,
                "created_at": exported(reaction.created_at),
            }
            for reaction in _rows(Reaction, Reaction.user_id, user)
        ],
        "devices_signed_in": [
            {"signed_in_at": exported(row.created_at), "ends_at": exported(row.expires_at)}
            for row in _rows(MemberSession, MemberSession.user_id, user)
        ],
        "last_posted": {
            clock.kind: exported(clock.last_at)
            for clock in _rows(PostingClock, PostingClock.user_id, user)
        },
    }


def _moderator_data(user: User) -> dict[str, Any]:
    """A moderator's own private notes on review items, and when they asked a colleague in
    or were asked in (never who the other moderator was)."""
    notes = db.session.scalars(
        select(DebriefNote).where(DebriefNote.author_id == user.id).order_by(DebriefNote.id)
    ).all()
    helping = db.session.scalars(
        select(ReviewHelper)
        .where(or_(ReviewHelper.moderator_id == user.id, ReviewHelper.asked_by_id == user.id))
        .order_by(ReviewHelper.id)
    ).all()
    return {
        "moderation_private_notes": [
            {
                "review_item": note.item_id,
                "note": note.body,
                "created_at": exported(note.created_at),
            }
            for note in notes
        ],
        "moderation_help_asked": [
            {
                "review_item": helper.item_id,
                "you": "were asked in" if helper.moderator_id == user.id else "asked a colleague",
                "created_at": exported(helper.created_at),
            }
            for helper in helping
        ],
    }


def member_data(user: User) -> dict[str, Any]:
    """Everything Harbor holds about `user`, as plain JSON-ready data."""
    posts = db.session.scalars(
        select(Post)
        .options(joinedload(Post.topic).joinedload(Topic.board), selectinload(Post.pending_edit))
        .where(Post.author_id == user.id)
        .order_by(Post.id)
    ).all()
    revisions: dict[int, list[PostRevision]] = {}
    for revision in db.session.scalars(
        select(PostRevision)
        .join(Post, PostRevision.post_id == Post.id)
        .where(Post.author_id == user.id)
        .order_by(PostRevision.id)
    ):
        revisions.setdefault(revision.post_id, []).append(revision)
    reports = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    ).all()
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    decisions = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.member_id == user.id, AuditEntry.action.notin_(INTERNAL_ACTIONS))
        .order_by(AuditEntry.id)
    ).all()
    actions_taken = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == user.id)
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": exported(utcnow()),
        "account": {
            "pseudonym": user.pseudonym,
            "role": user.role,
            "created_at": exported(user.created_at),
            "silenced_until": exported(user.silenced_until),
            "suspended_until": exported(user.suspended_until),
            "published_topics": user.topic_count,
            "published_posts": user.post_count,
            "recovery_started_on": (
                user.recovery_started_on and user.recovery_started_on.isoformat()
            ),
            "show_day_count": user.show_day_count,
            "milestone_acknowledged_on": (
                user.milestone_acknowledged_on and user.milestone_acknowledged_on.isoformat()
            ),
            "offers_mentoring": user.offers_mentoring,
            "welcomes_newcomers": user.welcomes_newcomers,
            "time_zone": user.time_zone,
        },
        "recovery_codes": {
            "unused": sum(1 for code in user.recovery_codes if code.used_at is None),
            "used": [exported(code.used_at) for code in user.recovery_codes if code.used_at],
        },
        "posts": [_post_data(post, revisions.get(post.id, [])) for post in posts],
        "mentorships": _mentorships_data(user),
        "reports_made": [
            {
                "post_id": report.post_id,
                "kind": report.kind,
                "category": report.category,
                "reason": report.reason,
                "created_at": exported(report.created_at),
            }
            for report in reports
        ],
        "messages": [
            {
                "kind": note.kind,
                "subject": note.subject,
                "body": note.body,
                "link": note.link,
                "created_at": exported(note.created_at),
                "read_at": exported(note.read_at),
            }
            for note in notes
        ],
        "moderation_decisions_about_you": [
            {
                "action": entry.action,
                "about": entry.subject_type,
                "id": entry.subject_id,
                "reason": entry.reason,
                "details": entry.details,
                "created_at": exported(entry.created_at),
            }
            for entry in decisions
        ],
        "moderation_actions_you_took": actions_taken,
        "members_you_blocked": [
            {"pseudonym": entry.blocked.pseudonym, "since": exported(entry.created_at)}
            for entry in blocks_of(user)
        ],
        **_moderator_data(user),
        **_activity_data(user),
        # pledges, journal (unsealed), SOS uses, partners, coping tools: forum/practice
        "daily_practice": practice_data(user),
        # meetings chaired or hosted, attendance and 7-day plans, lines: forum/meetings
        "meetings": meetings_data(user),
        "not_included": NOT_INCLUDED,
    }


def _erase_text(subject: Moderated) -> None:
    """Clear a text's words and everything the moderation flow kept of them, and close its
    open review item: nothing is left to read, score or decide."""
    subject.body = subject.body_html = ""
    subject.findings = subject.decision = None
    subject.scored_by = None
    subject.scoring = ScoringState.DONE  # nothing left for a worker to score
    item = open_item(subject)
    if item is not None:
        resolve_item(item, "author_erased", by_moderator=False)


def erase_post(post: Post) -> None:
    """Leave only a "removed by its author" stub: no text, no earlier versions, no scores."""
    if post.status != PostStatus.DELETED:
        post.set_status(PostStatus.DELETED)
    if post.is_first:
        post.topic.title = ERASED_TITLE
    db.session.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    _erase_text(post)


def erase_message(message: ConversationMessage) -> None:
    """A private message becomes a "removed by its author" stub, as a post does."""
    message.set_status(PostStatus.DELETED)
    _erase_text(message)


def delete_member(user: User, erase_posts: bool) -> None:
    """Delete the account; its posts are erased or stay under "former member" (the caller
    commits). The foreign keys unlink or delete everything else that named the account."""
    if erase_posts:
        for post in db.session.scalars(select(Post).where(Post.author_id == user.id)).all():
            erase_post(post)
        written = select(ConversationMessage).where(ConversationMessage.author_id == user.id)
        for message in db.session.scalars(written).all():
            erase_message(message)
        erase_tools_of(user)
    erase_lines_of(user)  # a meeting's lines are never kept under "former member"
    take_back_all(user)  # the counts on other members' posts drop with the reactions
    db.session.delete(user)


@bp.route("/account/data")
@login_required
def my_data() -> str:
    return render_template("auth/my_data.html", form=DeleteAccountForm())


@bp.route("/account/data/export")
@login_required
def export() -> Response:
    body = json.dumps(member_data(current_user), indent=2, ensure_ascii=False)
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = 'attachment; filename="harbor-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["POST"])
@limiter.limit(ACCOUNT_DELETION_PER_MEMBER, key_func=member_or_address)
@login_required
def delete_account() -> str | Response:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That is not your password. Nothing was deleted.")
        else:
            user = current_user._get_current_object()
            erase = form.posts.data == "erase"
            logout_user()
            delete_member(user, erase_posts=erase)
            db.session.commit()
            session.clear()
            posts = "your posts are erased" if erase else "your posts stay as “former member”"
            flash(f"Your account is deleted and {posts}. Take care.", "success")
            return redirect(url_for("boards.index"))
    return render_template("auth/my_data.html", form=form), 400
