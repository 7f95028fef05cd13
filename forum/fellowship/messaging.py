"""A private message's status, and telling its recipient when it is delivered.

Kept apart from the mentorship rules so the moderation pipeline can change a message's status
(as `set_post_status` does a post's) without importing what imports the pipeline.
"""

from sqlalchemy import select

from forum.data.models import Notification, PostStatus
from forum.extensions import db
from forum.fellowship.models import ConversationMessage

NEW_MESSAGE = "new_message"


def conversation_link(mentorship_id: int) -> str:
    """The conversation's path, written without a request (scoring workers deliver too)."""
    return f"/mentorship/{mentorship_id}"


def set_message_status(message: ConversationMessage, status: PostStatus) -> None:
    """Change a message's status; the first time it is delivered, tell the other person."""
    delivered_now = status == PostStatus.PUBLISHED and message.status != PostStatus.PUBLISHED
    message.status = status
    mentorship = message.mentorship
    if delivered_now and mentorship.is_active and message.author_id is not None:
        recipient = mentorship.partner_of(message.author_id)
        if recipient is not None:
            notify_new_message(recipient.id, mentorship.id, message.author.pseudonym)


def notify_new_message(recipient_id: int, mentorship_id: int, sender: str) -> None:
    """One unread "new message" note per conversation, however many messages arrive."""
    link = conversation_link(mentorship_id)
    unread = select(Notification.id).where(
        Notification.user_id == recipient_id,
        Notification.kind == NEW_MESSAGE,
        Notification.link == link,
        Notification.read_at.is_(None),
    )
    if db.session.scalar(unread) is None:
        db.session.add(
            Notification(
                user_id=recipient_id,
                kind=NEW_MESSAGE,
                subject=f"A new message from {sender}",
                body="You have a new private message in your mentorship.",
                link=link,
            )
        )
