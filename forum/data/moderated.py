"""Texts the moderation flow checks: the columns they share, and the protocol they satisfy.

Posts and private messages (and any new kind of text) mix in `ModeratedText` and satisfy
`Moderated`, so the flow, the scoring workers and the review queue handle them all alike
without asking which one they hold. A review item or an audit entry names its subject by
`review_type` and id; `moderated_model` finds the table again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from sqlalchemy import JSON, String, false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from moderation.findings import Findings
from moderation.policy import Decision
from moderation.submission import Submission


class PostStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for its score: its author sees it, nobody else
    PUBLISHED = "published"
    HELD = "held"  # waiting for a moderator: its author and moderators see it
    REMOVED = "removed"  # removed by a moderator: a stub remains
    DELETED = "deleted"  # deleted by its author: a stub remains


class ScoringState(StrEnum):
    WAITING = "waiting"  # not scored yet: a worker will take it
    FALLBACK = "fallback"  # scored by the fallback: rescored once Detoxify is back
    DONE = "done"


class _Typed(TypeDecorator):
    """A JSON column holding one typed value, written with `to_json` and read with
    `from_json`, so what is stored is read back as the same type."""

    impl = JSON
    cache_ok = True
    value_type: ClassVar[Any]

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else value.to_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.value_type.from_json(value)


class FindingsColumn(_Typed):
    value_type = Findings


class DecisionColumn(_Typed):
    value_type = Decision


class ModeratedText:
    """The moderation record of a text: the scoring lease, what the checks and the model
    found, and the policy's decision."""

    #: names the subject in review items and audit entries ("post", "message")
    review_type: ClassVar[str]

    scoring: Mapped[str] = mapped_column(String(16), default=ScoringState.WAITING)
    scoring_lease_until: Mapped[datetime | None]
    scoring_lease_token: Mapped[str | None] = mapped_column(String(16))
    scoring_attempts: Mapped[int] = mapped_column(default=0)
    scored_by: Mapped[str | None] = mapped_column(String(120))
    scored_at: Mapped[datetime | None]
    findings: Mapped[Findings | None] = mapped_column(FindingsColumn)
    decision: Mapped[Decision | None] = mapped_column(DecisionColumn)
    # a moderator approved this text: scoring it again (a rescore) never holds it again; a
    # new text (an edit) is a new submission and is decided afresh
    moderator_approved: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def is_waiting(self) -> bool:
        """What the author submitted waits for the flow to let it through or hold it."""
        return self.status == PostStatus.PENDING

    def set_status(self, status: PostStatus) -> None:
        self.status = status

    def release(self) -> None:
        """Let others read what the author submitted."""
        if self.status != PostStatus.PUBLISHED:
            self.set_status(PostStatus.PUBLISHED)

    def hold(self) -> None:
        """Keep what the author submitted from others until a moderator decides."""
        self.set_status(PostStatus.HELD)


class Moderated(Protocol):
    """What the flow needs of any text it moderates."""

    review_type: ClassVar[str]
    id: int
    author_id: int | None
    status: str
    scoring: str
    scoring_lease_until: datetime | None
    scoring_lease_token: str | None
    scored_by: str | None
    scored_at: datetime | None
    findings: Findings | None
    decision: Decision | None
    moderator_approved: bool

    @property
    def author(self) -> Any: ...

    @property
    def is_waiting(self) -> bool:
        """What the author submitted waits for the flow to let it through or hold it."""

    def submission(self) -> Submission:
        """The text as moderation reads it, with its place and its writer's standing."""

    def set_status(self, status: PostStatus) -> None:
        """Change the status, with its side effects (counters, telling a recipient)."""

    def release(self) -> None:
        """Let others read what the author submitted (a post's edit included)."""

    def hold(self) -> None:
        """Keep what the author submitted from others until a moderator decides (a held
        edit leaves the post's earlier, approved text in view)."""

    def removal_notice(self) -> tuple[str, str]:
        """What its author reads when a moderator removes it: a subject and a first line."""


def moderated_models() -> dict[str, type[ModeratedText]]:
    """Every table of moderated texts, by review type (each mixes in ModeratedText)."""
    return {model.review_type: model for model in ModeratedText.__subclasses__()}


def moderated_model(review_type: str) -> type[ModeratedText]:
    return moderated_models()[review_type]
