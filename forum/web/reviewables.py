"""What each kind of review item offers, as Discourse's reviewables do.

A kind of subject (a post, a private message, ...) declares how its items are loaded and
shown and which decisions they offer; each decision is a Flask-WTF form and a function of
forum.flow.review_actions. The review pages know nothing else about the kinds, so a new kind
of moderated text registers here and the queue serves it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.data.models import Post, User
from forum.data.review import AuditEntry, DebriefNote, Report, ReviewItem, ReviewStatus, about
from forum.extensions import db
from forum.flow import review_actions
from forum.web.plain_words import plain


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[Length(max=2000)])


class RequiredReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Say why: its author will be told."), Length(max=2000)],
    )


class RestrictForm(ReasonForm):
    days = IntegerField(
        "Days",
        validators=[
            InputRequired("Say for how many days."),
            NumberRange(1, 365, "Choose between 1 and 365 days."),
        ],
    )


class EditForm(ReasonForm):
    body = TextAreaField(
        "Text", validators=[DataRequired("An edited post can't be empty; remove it instead.")]
    )


class RemoveAndWarnForm(RequiredReasonForm):
    warning = TextAreaField("Warning", validators=[Length(max=5000)])


class LiftForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Say why the silence or suspension ends early: it goes in the log."),
            Length(max=2000),
        ],
    )


class AskForm(ReasonForm):
    # a moderator's id; empty: every moderator on duty
    helper = IntegerField("Who", validators=[Optional()])


class DebriefForm(FlaskForm):
    note = TextAreaField(
        "Note", validators=[DataRequired("Write something in the note first."), Length(max=5000)]
    )


class MessageForm(FlaskForm):
    message = TextAreaField(
        "Message",
        validators=[DataRequired("Write the message the member will read."), Length(max=5000)],
    )


def _open(item: ReviewItem) -> bool:
    return item.status == ReviewStatus.OPEN


@dataclass(frozen=True)
class ReviewAction:
    """One decision an item offers: its button, its form, and what it does."""

    name: str
    label: str
    form: type[FlaskForm]
    perform: Callable[[ReviewItem, User, Any], None]  # (item, moderator, validated form)
    offered: Callable[[ReviewItem], bool] = _open
    # a decision about the text (a crisis must be claimed first); False for reaching out,
    # escalating, asking a colleague in, lifting a silence and private notes
    decides: bool = True


@dataclass(frozen=True)
class Reviewable:
    """A kind of review item: its subject's review type, its page and its decisions."""

    review_type: str
    noun: str  # "post", "private message": how pages name the subject
    headline: Callable[[Any], str]  # the subject's line in the queue
    template: str
    load: Callable[[list[int]], dict[int, Any]]  # subjects by id, with what the queue shows
    context: Callable[[ReviewItem], dict[str, Any]]
    actions: tuple[ReviewAction, ...]

    def offered(self, item: ReviewItem) -> list[ReviewAction]:
        return [action for action in self.actions if action.offered(item)]

    def action(self, item: ReviewItem, name: str) -> ReviewAction | None:
        return next((a for a in self.offered(item) if a.name == name), None)


def _restrict(kind: str) -> Callable[[ReviewItem, User, Any], None]:
    return lambda item, moderator, form: review_actions.restrict(
        item, moderator, kind, form.days.data, _reason(form)
    )


def _reason(form: Any) -> str:
    return (form.reason.data or "").strip()


# decisions every kind of subject offers
APPROVE = ReviewAction(
    "approve", "Approve", ReasonForm, lambda i, m, f: review_actions.approve(i, m, _reason(f))
)
REMOVE = ReviewAction(
    "remove", "Remove", RequiredReasonForm, lambda i, m, f: review_actions.remove(i, m, _reason(f))
)
WARN = ReviewAction(
    "warn",
    "Warn privately (the reason is the message)",
    RequiredReasonForm,
    lambda i, m, f: review_actions.warn(i, m, _reason(f)),
)
SILENCE = ReviewAction("silence", "Silence", RestrictForm, _restrict("silence"))
SUSPEND = ReviewAction("suspend", "Suspend", RestrictForm, _restrict("suspend"))
REMOVE_AND_WARN = ReviewAction(
    "remove_warn",
    "Remove and warn",
    RemoveAndWarnForm,
    lambda i, m, f: review_actions.remove_and_warn(i, m, _reason(f), f.warning.data or ""),
)
ESCALATE = ReviewAction(
    "escalate",
    "Escalate to an admin",
    ReasonForm,
    lambda i, m, f: review_actions.escalate(i, m, _reason(f)),
    offered=lambda item: True,
    decides=False,
)


def _has_author(item: ReviewItem) -> bool:
    return item.subject is not None and item.subject.author_id is not None


def _author_restricted(item: ReviewItem) -> bool:
    author = item.subject.author if item.subject is not None else None
    return author is not None and (author.is_silenced() or author.is_suspended())


def _ask(item: ReviewItem, moderator: User, form: Any) -> None:
    helper = db.session.get(User, form.helper.data) if form.helper.data else None
    if form.helper.data and helper is None:
        raise review_actions.ReviewError("Choose another moderator.")
    review_actions.ask_moderator(item, moderator, helper, _reason(form))


REACH_OUT = ReviewAction(
    "reach_out",
    "Send this message",
    MessageForm,
    lambda i, m, f: review_actions.reach_out(i, m, f.message.data),
    offered=_has_author,  # before, with and after the decision
    decides=False,
)
LIFT = ReviewAction(
    "lift",
    "Lift it now",
    LiftForm,
    lambda i, m, f: review_actions.lift_restrictions(i.subject.author, m, _reason(f), i),
    offered=_author_restricted,
    decides=False,
)
ASK = ReviewAction(
    "ask_moderator",
    "Ask for help",
    AskForm,
    _ask,
    offered=lambda item: True,
    decides=False,
)
DEBRIEF = ReviewAction(
    "debrief",
    "Save my private note",
    DebriefForm,
    lambda i, m, f: review_actions.write_debrief(i, m, f.note.data),
    offered=lambda item: True,
    decides=False,
)
REOPEN = ReviewAction(
    "reopen",
    "Reopen",
    ReasonForm,
    lambda i, m, f: review_actions.reopen(i, m, _reason(f)),
    offered=lambda item: item.status != ReviewStatus.OPEN,
)
COMMON = (
    APPROVE,
    REMOVE,
    REMOVE_AND_WARN,
    WARN,
    SILENCE,
    SUSPEND,
    LIFT,
    ESCALATE,
    ASK,
    REACH_OUT,
    DEBRIEF,
    REOPEN,
)

REVIEWABLES: dict[str, Reviewable] = {}


def register(reviewable: Reviewable) -> None:
    REVIEWABLES[reviewable.review_type] = reviewable


def reviewable_of(item: ReviewItem) -> Reviewable:
    return REVIEWABLES[item.subject_type]


def load_subjects(items: Iterable[ReviewItem]) -> None:
    """Load every item's subject, one query per kind, so a page of the queue costs a few."""
    by_type: dict[str, list[ReviewItem]] = {}
    for item in items:
        by_type.setdefault(item.subject_type, []).append(item)
    for review_type, group in by_type.items():
        subjects = REVIEWABLES[review_type].load([item.subject_id for item in group])
        for item in group:
            item.__dict__["_subject"] = subjects.get(item.subject_id)


def decisions_about(member_id: int | None) -> list[AuditEntry]:
    """A member's earlier moderation history, newest first."""
    if member_id is None:
        return []
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.member_id == member_id, AuditEntry.action != "auto_decision")
        .order_by(AuditEntry.id.desc())
        .limit(40)
    ).all()
    return once_per_message(entries)[:20]


def once_per_message(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """One reach-out for a group of items is logged on each of them: list it once."""
    seen, kept = set(), []
    for entry in entries:
        if entry.action == "reach_out":
            key = (entry.actor_id, entry.created_at.replace(microsecond=0))
            if key in seen:
                continue
            seen.add(key)
        kept.append(entry)
    return kept


def distressing(item: ReviewItem) -> str | None:
    """Why an item's text may be hard to read (crisis, self-harm, violence), in plain words;
    None if it is not. Such text stays closed until the moderator chooses to open it."""
    findings = item.subject.findings if item.subject is not None else None
    if findings is not None and findings.crisis.is_crisis and findings.crisis.category:
        return plain(findings.crisis.category)
    if item.is_crisis:
        return "Someone may be struggling"
    if findings is not None and findings.hostility.holds:
        return "Hostile or threatening words"
    decision = item.subject.decision if item.subject is not None else None
    if decision is not None and "threat" in decision.flagged_labels:
        return plain("threat")
    return None


def debrief_notes(item: ReviewItem, moderator_id: int) -> list[DebriefNote]:
    """This moderator's own private notes on the item (nobody else's, ever)."""
    return db.session.scalars(
        select(DebriefNote)
        .where(DebriefNote.item_id == item.id, DebriefNote.author_id == moderator_id)
        .order_by(DebriefNote.id)
    ).all()


def audit_trail(subject: Any) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(about(AuditEntry, subject)).order_by(AuditEntry.id)
    ).all()


# posts ------------------------------------------------------------------------------------


def _load_posts(ids: list[int]) -> dict[int, Post]:
    posts = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author), joinedload(Post.topic), joinedload(Post.pending_edit))
        .where(Post.id.in_(ids))
    )
    return {post.id: post for post in posts}


def _post_context(item: ReviewItem) -> dict[str, Any]:
    post = item.subject
    nearby = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author))
        .where(
            Post.topic_id == post.topic_id, Post.number.between(post.number - 2, post.number + 2)
        )
        .order_by(Post.number)
    ).all()
    reports = db.session.scalars(select(Report).where(Report.post_id == post.id)).all()
    return {"post": post, "nearby": nearby, "reports": reports}


def _has_identifying_details(item: ReviewItem) -> bool:
    findings = item.subject.findings if item.subject else None
    return _open(item) and findings is not None and bool(findings.identifying)


register(
    Reviewable(
        review_type=Post.review_type,
        noun="post",
        headline=lambda post: f"{post.topic.title} #{post.number}",
        template="review/item.html",
        load=_load_posts,
        context=_post_context,
        actions=(
            *COMMON,
            ReviewAction(
                "edit",
                "Save edit and approve",
                EditForm,
                lambda i, m, f: review_actions.edit(i, i.subject, m, f.body.data, _reason(f)),
            ),
            ReviewAction(
                "redact",
                "Redact identifying details",
                ReasonForm,
                lambda i, m, f: review_actions.redact_identifying(i, i.subject, m, _reason(f)),
                offered=_has_identifying_details,
            ),
        ),
    )
)
