"""Moderators' decisions on review items. Each one is written to the append-only audit log.

An item is about any moderated text (its `subject`): a post, a private message. Decisions are
reversible: a resolved item can be reopened and decided again (approving a removed post
restores it), edits and redactions keep the original text as a revision, and silences and
suspensions can be lifted. Which decisions an item offers is declared per kind of subject in
forum/web/reviewables.py; these are the steps themselves.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from forum.data.clock import utcnow
from forum.data.markdown import render_markdown
from forum.data.models import Post, Role, User
from forum.data.moderated import Moderated, PostStatus
from forum.data.notifications import notify
from forum.data.review import (
    AuditEntry,
    DebriefNote,
    ReviewHelper,
    ReviewItem,
    ReviewStatus,
    key_of,
)
from forum.extensions import db
from forum.flow.checks import examine
from forum.flow.queue import open_item
from moderation.identifying import redact
from moderation.submission import Field

CLAIM_MINUTES = 15
MODERATOR_MESSAGE = "moderator"
# the note other moderators get when one asks them in on an item
REVIEW_REQUEST = "review_request"


class ReviewError(Exception):
    """A decision the queue refuses: `status` is the HTTP status, the message is for people."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def log(actor: User, action: str, item: ReviewItem | None, reason: str = "", **details) -> None:
    subject = item.subject if item else None
    db.session.add(
        AuditEntry(
            actor_id=actor.id,
            action=action,
            member_id=subject.author_id if subject else details.pop("member_id", None),
            review_item_id=item.id if item else None,
            reason=reason,
            details=details,
            **(key_of(subject) if subject else {}),
        )
    )


def resolve_item(item: ReviewItem, resolution: str, by_moderator: bool = True) -> None:
    """Close an item. Only a moderator's decision counts towards the time to first decision."""
    now = utcnow()
    item.status = ReviewStatus.RESOLVED
    item.resolution = resolution
    item.resolved_at = now
    if by_moderator:
        item.first_decided_at = item.first_decided_at or now
    item.claimed_by_id = item.claim_expires_at = None


def _subject(item: ReviewItem) -> Moderated:
    subject = item.subject
    if subject is None:
        raise ReviewError("What this item was about no longer exists.", 410)
    return subject


def asked_in(item: ReviewItem, moderator_id: int) -> bool:
    return any(helper.moderator_id == moderator_id for helper in item.helpers)


def claim_needed(item: ReviewItem, moderator: User) -> str | None:
    """Why `moderator` can't decide this item yet, or None.

    While another moderator's claim holds, only they and those they asked in decide. A crisis
    (or a possible one) is decided by the moderator who claimed it, or one they asked in: one
    person sees it through, and nobody decides it in passing."""
    if item.status != ReviewStatus.OPEN:
        return None
    if item.claimed_by_other(moderator.id) and not asked_in(item, moderator.id):
        return (
            f"{item.claimed_by.pseudonym} has claimed this item and is working on it."
            " Nothing was changed; ask them if you'd like to help."
        )
    if not item.is_crisis or item.claimed_by_id == moderator.id:
        return None
    if item.claimed_by_id is not None and asked_in(item, moderator.id):
        return None
    return (
        "Claim this crisis item before deciding it: one moderator sees a crisis through, "
        "so nobody decides it in passing. Nothing was changed."
    )


def claim(item: ReviewItem, moderator: User) -> None:
    if item.claimed_by_other(moderator.id):
        raise ReviewError(f"{item.claimed_by.pseudonym} is working on this item.", 409)
    item.claimed_by_id = moderator.id
    item.claim_expires_at = utcnow() + timedelta(minutes=CLAIM_MINUTES)
    log(moderator, "claim", item)


def approve(item: ReviewItem, moderator: User, reason: str) -> None:
    """Let the text through (a held or removed one, or a held edit); the approval covers this
    text until its author edits it."""
    subject = _subject(item)
    subject.release()
    subject.moderator_approved = True
    resolve_item(item, "approved")
    log(moderator, "approve", item, reason)


def remove(item: ReviewItem, moderator: User, reason: str) -> None:
    """Remove the text; its author is told why, privately."""
    if not reason:
        raise ReviewError("Say why it is removed: its author will be told.")
    subject = _subject(item)
    subject.set_status(PostStatus.REMOVED)
    resolve_item(item, "removed")
    title, first_line = subject.removal_notice()
    notify(subject.author_id, MODERATOR_MESSAGE, title, f"{first_line} The reason: {reason}")
    log(moderator, "remove", item, reason)


def remove_and_warn(item: ReviewItem, moderator: User, reason: str, warning: str) -> None:
    """Remove the text and send its author a warning, in one step (the reason is the
    warning when none is written)."""
    remove(item, moderator, reason)
    warn(item, moderator, warning.strip() or reason)


def bulk_decide(
    items: Sequence[ReviewItem], moderator: User, decision: str, reason: str
) -> tuple[int, list[str]]:
    """Approve or remove several items at once (spam, say): how many were decided, and why
    the others were left. A crisis is never decided in bulk."""
    if decision not in ("approve", "remove"):
        raise ReviewError("Choose approve or remove for the items you ticked.")
    decided, left = 0, []
    for item in items:
        if item.status != ReviewStatus.OPEN:
            left.append(f"item {item.id} was already decided")
        elif item.is_crisis:
            left.append(f"item {item.id} is a crisis: open it, claim it and decide it alone")
        elif item.claimed_by_other(moderator.id):
            left.append(f"item {item.id} is claimed by {item.claimed_by.pseudonym}")
        elif item.subject is None:
            left.append(f"item {item.id} is about a text that no longer exists")
        else:
            (approve if decision == "approve" else remove)(item, moderator, reason)
            decided += 1
    return decided, left


def edit(item: ReviewItem, post: Post, moderator: User, body: str, reason: str) -> None:
    """Replace a post's text (the original is kept as a revision) and approve it."""
    if not body.strip():
        raise ReviewError("An edited post can't be empty; remove it instead.")
    post.release()  # a waiting edit goes in first, so the moderator's text replaces it
    post.replace_text(body, render_markdown(body), replaced_by="moderator")
    _recheck(post)
    approve(item, moderator, reason)
    log(moderator, "edit", item, reason)


def redact_identifying(item: ReviewItem, post: Post, moderator: User, reason: str) -> None:
    """Mask the identifying details in every field of the post (title and content warning
    included); the original stays as a revision."""
    post.release()  # in this transaction: nobody reads the unredacted edit
    findings = examine(post.submission())
    kinds = sorted(set(findings.identifying_kinds))
    title = redact(post.topic.title, findings.details_in(Field.TITLE)) if post.is_first else None
    body = redact(post.body, findings.details_in(Field.BODY))
    post.replace_text(body, render_markdown(body), replaced_by="moderator", title=title)
    if post.content_warning:
        post.content_warning = redact(
            post.content_warning, findings.details_in(Field.CONTENT_WARNING)
        )
    _recheck(post)
    approve(item, moderator, reason)
    log(moderator, "redact", item, reason, kinds=kinds)


def _recheck(subject: Moderated) -> None:
    """After a moderator changes a text, its findings describe the new text (the model's
    scores, of the text the moderator replaced, are kept for the record)."""
    scores = subject.findings.scores if subject.findings else None
    subject.findings = replace(examine(subject.submission()), scores=scores)


def warn(item: ReviewItem, moderator: User, message: str) -> None:
    if not message:
        raise ReviewError("Write the warning the member will read.")
    notify(_subject(item).author_id, MODERATOR_MESSAGE, "A message from the moderators", message)
    log(moderator, "warn", item, message)


def restrict(item: ReviewItem, moderator: User, kind: str, days: int, reason: str) -> None:
    """Silence (cannot post) or suspend (cannot log in) the author for a number of days."""
    author = _subject(item).author
    if author is None:
        raise ReviewError("Its author has left Harbor.")
    if author.is_moderator:
        raise ReviewError("Moderators can't be silenced or suspended here; ask an admin.", 403)
    if not 1 <= days <= 365:
        raise ReviewError("Choose between 1 and 365 days.")
    until = utcnow() + timedelta(days=days)
    if kind == "silence":
        author.silenced_until = until
        notify(
            author.id,
            MODERATOR_MESSAGE,
            "Your posting is paused",
            f"Until {until:%Y-%m-%d %H:%M} UTC. {reason}",
        )
    else:
        author.suspended_until = until
    log(moderator, kind, item, reason, until=until.isoformat(), days=days)


def lift_restrictions(
    member: User, moderator: User, reason: str, item: ReviewItem | None = None
) -> None:
    """End a silence or suspension early; the member is told their posting is open again."""
    if not reason.strip():
        raise ReviewError("Say why the silence or suspension ends early: it goes in the log.")
    if not (member.is_silenced() or member.is_suspended()):
        raise ReviewError(f"{member.pseudonym} is neither silenced nor suspended.")
    member.silenced_until = member.suspended_until = None
    notify(
        member.id,
        MODERATOR_MESSAGE,
        "You can post again",
        "The moderators have ended the pause on your account early. Welcome back.",
    )
    log(moderator, "lift_restrictions", item, reason, member_id=member.id)


def escalate(item: ReviewItem, moderator: User, reason: str) -> None:
    item.escalated = True
    log(moderator, "escalate", item, reason)


def reach_out(item: ReviewItem, moderator: User, message: str) -> None:
    """A private, supportive message with resources, written by a moderator: never automatic.
    Offered whatever the item's state: decided or not, reaching out is always possible."""
    reach_out_to_member(_subject(item).author_id, [item], moderator, message)


def reach_out_to_member(
    member_id: int | None, items: Sequence[ReviewItem], moderator: User, message: str
) -> None:
    """One message to a member for all of their items (three crisis posts get one message,
    not three); each item's log records it."""
    if not message.strip():
        raise ReviewError("Write the message the member will read.")
    if member_id is None:
        raise ReviewError("Its author has left Harbor.")
    notify(member_id, MODERATOR_MESSAGE, "A moderator is thinking of you", message, link="/help/")
    for item in items:
        log(moderator, "reach_out", item, together=len(items))
    if not items:  # nothing of theirs is open: the log still records it, about the member
        log(moderator, "reach_out", None, member_id=member_id)


def other_moderators(but: User) -> list[User]:
    """Every other moderator (and admin), by pseudonym."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.MODERATOR, Role.ADMIN]), User.id != but.id)
            .order_by(User.pseudonym_key)
        )
    )


def moderators_on_duty(but: User) -> list[User]:
    """Other moderators who acted in the queue in the last HARBOR_ON_DUTY_MINUTES (every other
    moderator if nobody did): whom "ask another moderator" reaches."""
    since = utcnow() - timedelta(minutes=current_app.config["HARBOR_ON_DUTY_MINUTES"])
    recent = set(
        db.session.scalars(select(AuditEntry.actor_id).where(AuditEntry.created_at >= since))
    )
    others = other_moderators(but)
    return [other for other in others if other.id in recent] or others


def ask_moderator(
    item: ReviewItem, moderator: User, helper: User | None, reason: str
) -> list[User]:
    """Bring a second volunteer in: `helper`, or every moderator on duty. They are notified
    with a link to the item, may work on it beside its claimer, and the item shows them."""
    if helper is not None and (helper.id == moderator.id or not helper.is_moderator):
        raise ReviewError("Choose another moderator.")
    asked = [helper] if helper is not None else moderators_on_duty(moderator)
    asked = [other for other in asked if not asked_in(item, other.id)]
    if not asked:
        raise ReviewError("There is no other moderator to ask yet; an admin can add one.")
    for other in asked:
        item.helpers.append(ReviewHelper(moderator_id=other.id, asked_by_id=moderator.id))
        notify(
            other.id,
            REVIEW_REQUEST,
            f"{moderator.pseudonym} asks for your help on a review item",
            reason.strip() or "Nobody should handle a crisis alone. Could you look with them?",
            link=f"/review/{item.id}",
        )
    log(moderator, "ask_moderator", item, reason, asked=[other.pseudonym for other in asked])
    return asked


def write_debrief(item: ReviewItem, moderator: User, body: str) -> None:
    """A private note on an item for its writer alone; not in the audit log, which others
    read."""
    if not body.strip():
        raise ReviewError("Write something in the note first.")
    db.session.add(DebriefNote(item_id=item.id, author_id=moderator.id, body=body.strip()[:5000]))


def reopen(item: ReviewItem, moderator: User, reason: str) -> None:
    if item.status == ReviewStatus.OPEN:
        return
    newer = open_item(_subject(item))
    if newer is not None:
        raise ReviewError(f"It is in the queue again, as item {newer.id}: decide it there.", 409)
    item.status = ReviewStatus.OPEN
    item.resolution = item.resolved_at = None
    log(moderator, "reopen", item, reason)
