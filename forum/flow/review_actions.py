"""Moderators' decisions on review items. Each one is written to the append-only audit log.

An item is about a post or a private message (its `subject`); both are decided alike, except
that a private message is never edited by a moderator, only delivered or removed.
Decisions are reversible: a resolved item can be reopened and decided again (approving a
removed post restores it), edits and redactions keep the original text as a revision, and
silences and suspensions can be lifted.
"""

from datetime import timedelta

from sqlalchemy import select

from forum.data.markdown import render_markdown
from forum.data.models import (
    AuditEntry,
    Notification,
    Post,
    PostRevision,
    PostStatus,
    ReviewItem,
    ReviewStatus,
    User,
    utcnow,
)
from forum.data.posting import PostingError
from forum.extensions import db
from forum.flow.pipeline import points_at, set_status, subject_key
from moderation.identifying import find_identifying_details, redact

CLAIM_MINUTES = 15


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
            **(subject_key(subject) if subject else {}),
        )
    )


def notify(user_id: int | None, subject: str, body: str, link: str | None = None) -> None:
    if user_id is not None:
        db.session.add(
            Notification(user_id=user_id, kind="moderator", subject=subject, body=body, link=link)
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


def claim(item: ReviewItem, moderator: User) -> None:
    if item.claimed_by_other(moderator.id):
        raise PostingError(f"{item.claimed_by.pseudonym} is working on this item.", 409)
    item.claimed_by_id = moderator.id
    item.claim_expires_at = utcnow() + timedelta(minutes=CLAIM_MINUTES)
    log(moderator, "claim", item)


def approve(item: ReviewItem, moderator: User, reason: str) -> None:
    """Publish the post (deliver the message) if it was held, pending or removed."""
    subject = item.subject
    if subject.status in (PostStatus.HELD, PostStatus.PENDING, PostStatus.REMOVED):
        set_status(subject, PostStatus.PUBLISHED)
    resolve_item(item, "approved")
    log(moderator, "approve", item, reason)


def remove(item: ReviewItem, moderator: User, reason: str) -> None:
    """Remove the post or message; its author is told why, privately. Every open item on it
    closes."""
    if not reason:
        raise PostingError("Say why it is removed: its author will be told.", 400)
    subject = item.subject
    set_status(subject, PostStatus.REMOVED)
    open_items = select(ReviewItem).where(
        points_at(ReviewItem, subject), ReviewItem.status == ReviewStatus.OPEN
    )
    for other in db.session.scalars(open_items):
        resolve_item(other, "removed")
    if isinstance(subject, Post):
        subject_name = "one of your posts"
        removed = f"Your post in “{subject.topic.title}” was removed."
    else:
        subject_name = "a private message you sent"
        removed = "A private message you sent in your mentorship was removed."
    notify(
        subject.author_id,
        f"A moderator removed {subject_name}",
        f"{removed} The reason: {reason}",
    )
    log(moderator, "remove", item, reason)


def _replace_text(post: Post, body: str) -> None:
    db.session.add(
        PostRevision(
            post_id=post.id,
            title=post.topic.title if post.is_first else None,
            body=post.body,
            replaced_by="moderator",
        )
    )
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = utcnow()


def _post_of(item: ReviewItem) -> Post:
    if item.post is None:
        raise PostingError(
            "A private message can't be edited by a moderator: deliver it or remove it.", 400
        )
    return item.post


def edit(item: ReviewItem, moderator: User, body: str, reason: str) -> None:
    post = _post_of(item)
    if not body.strip():
        raise PostingError("An edited post can't be empty; remove it instead.", 400)
    _replace_text(post, body)
    approve(item, moderator, reason)
    log(moderator, "edit", item, reason)


def redact_identifying(item: ReviewItem, moderator: User, reason: str) -> None:
    """Mask the identifying details in the post; the original stays as a revision."""
    post = _post_of(item)
    details = find_identifying_details(post.body)
    _replace_text(post, redact(post.body, details))
    post.identifying_details = None
    approve(item, moderator, reason)
    log(moderator, "redact", item, reason, kinds=sorted({d.kind for d in details}))


def warn(item: ReviewItem, moderator: User, message: str) -> None:
    if not message:
        raise PostingError("Write the warning the member will read.", 400)
    notify(item.subject.author_id, "A message from the moderators", message)
    log(moderator, "warn", item, message)


def restrict(item: ReviewItem, moderator: User, kind: str, days: int, reason: str) -> None:
    """Silence (cannot post) or suspend (cannot log in) the author for a number of days."""
    author = item.subject.author
    if author is None:
        raise PostingError("Its author has left Harbor.", 400)
    if author.is_moderator:
        raise PostingError("Moderators can't be silenced or suspended here; ask an admin.", 403)
    if not 1 <= days <= 365:
        raise PostingError("Choose between 1 and 365 days.", 400)
    until = utcnow() + timedelta(days=days)
    if kind == "silence":
        author.silenced_until = until
        notify(author.id, "Your posting is paused", f"Until {until:%Y-%m-%d %H:%M} UTC. {reason}")
    else:
        author.suspended_until = until
    log(moderator, kind, item, reason, until=until.isoformat(), days=days)


def lift_restrictions(member: User, moderator: User, reason: str) -> None:
    member.silenced_until = member.suspended_until = None
    log(moderator, "lift_restrictions", None, reason, member_id=member.id)


def escalate(item: ReviewItem, moderator: User, reason: str) -> None:
    item.escalated = True
    log(moderator, "escalate", item, reason)


def reach_out(item: ReviewItem, moderator: User, message: str) -> None:
    """A private, supportive message with resources, written by a moderator: never automatic."""
    if not message.strip():
        raise PostingError("Write the message the member will read.", 400)
    notify(item.subject.author_id, "A moderator is thinking of you", message, link="/help/")
    log(moderator, "reach_out", item)


def reopen(item: ReviewItem, moderator: User, reason: str) -> None:
    if item.status == ReviewStatus.OPEN:
        return
    item.status = ReviewStatus.OPEN
    item.resolution = item.resolved_at = None
    log(moderator, "reopen", item, reason)
