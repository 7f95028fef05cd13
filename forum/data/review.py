"""The review records: the moderators' queue, members' reports, and the audit log.

One queue item per subject, as Discourse keeps one reviewable per post: every reason a text
is in the queue (an automatic flag, a report, identifying details, crisis language) is a
`ReviewReason` of that one item, so closing the item closes them all and a moderator sees
everything at once. A subject is any moderated text (forum.data.moderated), named by its
review type and id.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.data.clock import utcnow
from forum.data.models import User, partial_index
from forum.data.moderated import Moderated, moderated_model
from forum.extensions import db
from moderation.policy import ReviewKind

MODERATOR_ACTION = "action != 'auto_decision'"
# the order an item's kinds are named in, most urgent first
KIND_ORDER = (
    ReviewKind.CRISIS,
    ReviewKind.REPORT,
    ReviewKind.AUTO_FLAG,
    ReviewKind.POSSIBLE_CRISIS,
    ReviewKind.IDENTIFYING,
)


class ReviewStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ReviewItem(db.Model):
    """One item in the moderators' queue: a moderated text, every reason it is there, and
    what became of it."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_queue", "status", "priority", "created_at"),
        Index("ix_review_items_subject", "subject_type", "subject_id"),
        # one open item per subject: a second reason adds to it, never beside it
        Index(
            "uq_review_items_open_subject",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # what is under review: a moderated text, by its review type and id
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    # crisis first, then severity: higher comes first; then the oldest
    priority: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalated: Mapped[bool] = mapped_column(default=False)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claim_expires_at: Mapped[datetime | None]
    first_decided_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(32))

    claimed_by: Mapped[User | None] = relationship()
    reasons: Mapped[list["ReviewReason"]] = relationship(
        back_populates="item", order_by="ReviewReason.id", cascade="all, delete-orphan"
    )
    helpers: Mapped[list["ReviewHelper"]] = relationship(
        order_by="ReviewHelper.id", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def kinds(self) -> tuple[ReviewKind, ...]:
        """The kinds of review this item calls for, most urgent first."""
        present = {reason.kind for reason in self.reasons}
        return tuple(kind for kind in KIND_ORDER if kind in present)

    @property
    def kind(self) -> ReviewKind:
        """The most urgent kind: the one the queue files the item under."""
        return self.kinds[0] if self.kinds else ReviewKind.AUTO_FLAG

    @property
    def is_crisis(self) -> bool:
        """A crisis or a possible one: claimed before it is decided, and collapsed until a
        moderator chooses to read it."""
        return bool({ReviewKind.CRISIS, ReviewKind.POSSIBLE_CRISIS} & set(self.kinds))

    @property
    def subject(self) -> Moderated | None:
        """The text under review (None once it no longer exists)."""
        if "_subject" not in self.__dict__:
            model = moderated_model(self.subject_type)
            self.__dict__["_subject"] = db.session.get(model, self.subject_id)
        return self.__dict__["_subject"]

    def claimed_by_other(self, user_id: int, now: datetime | None = None) -> bool:
        return (
            self.claimed_by_id is not None
            and self.claimed_by_id != user_id
            and self.claim_expires_at is not None
            and self.claim_expires_at > (now or utcnow())
        )


class ReviewReason(db.Model):
    """One reason an item is in the queue, under the kind of review it calls for."""

    __tablename__ = "review_reasons"
    __table_args__ = (Index("ix_review_reasons_kind", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ReviewItem] = relationship(back_populates="reasons")


class Report(db.Model):
    """A member's report of a post. The author never learns who reported."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # "report" (breaks the guidelines) or "worried" (I'm worried about this person)
    kind: Mapped[str] = mapped_column(String(16))
    # what the reporter chose it is: one of REPORT_CATEGORIES
    category: Mapped[str] = mapped_column(String(24), default="other", server_default="other")
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# what a reporter can say a post is, in the order the report form offers them; "worried" is
# a crisis report (I'm worried about this person), the others break the guidelines
REPORT_CATEGORIES = ("worried", "harassment", "identifying_details", "spam", "other")


class ReviewHelper(db.Model):
    """A second moderator asked in on an item ("ask another moderator"): nobody handles a
    crisis alone. The item shows who was asked, by whom and when."""

    __tablename__ = "review_helpers"
    __table_args__ = (UniqueConstraint("item_id", "moderator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    asked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator: Mapped[User] = relationship(foreign_keys=[moderator_id])
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])


class DebriefNote(db.Model):
    """A moderator's private note on an item, for themselves only: what it was like, what to
    remember. Never shown to anyone but its writer."""

    __tablename__ = "debrief_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(db.Model):
    """An append-only record of every moderation decision: who, what, when, why."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # the moderators' log leaves out the automatic decisions, one per post
        partial_index("ix_audit_log_moderator_actions", MODERATOR_ACTION, "id"),
        Index("ix_audit_log_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    # the moderated text the decision was about, if any
    subject_type: Mapped[str | None] = mapped_column(String(24))
    subject_id: Mapped[int | None]
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    review_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_items.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_log_is_append_only(mapper: Any, connection: Any, entry: AuditEntry) -> None:
    raise ValueError("The audit log is append-only.")


def about(model: type[ReviewItem] | type[AuditEntry], subject: Moderated) -> Any:
    """The condition "this review item (or audit entry) is about `subject`"."""
    return (model.subject_type == subject.review_type) & (model.subject_id == subject.id)


def key_of(subject: Moderated) -> dict[str, Any]:
    """The columns that name `subject` on a review item or an audit entry."""
    return {"subject_type": subject.review_type, "subject_id": subject.id}
