"""What happens to a post, or a private message, between submit and publication.

Posts and the private messages of a mentorship (forum/fellowship) go through the same steps;
both are "subjects" here, with the same moderation columns. A post is stored (pending)
before it is scored. Crisis language is recognised at once, so the
writer sees helplines on the very next page and the post enters the queue at the top. Scoring
then happens within a short budget at submit (embedded default) or by a worker; a post still
waiting is shown to its author with a notice and to nobody else.
"""

import concurrent.futures
import functools
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, select

from forum.data.models import (
    AuditEntry,
    Post,
    PostStatus,
    ReviewItem,
    ReviewStatus,
    ScoringState,
    utcnow,
)
from forum.data.posting import set_post_status
from forum.extensions import db
from forum.fellowship.messaging import set_message_status
from forum.fellowship.models import ConversationMessage
from forum.flow.runtime import scoring_service
from forum.pages.posting_limits import is_new_member
from moderation.crisis import CrisisDetector, Severity
from moderation.policy import (
    Decision,
    Outcome,
    PostFacts,
    ReviewKind,
    decide,
    thresholds_from_config,
)
from moderation.scores import Scores

Subject = Post | ConversationMessage  # what the pipeline moderates

_budget_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="score")


@functools.cache
def crisis_detector() -> CrisisDetector:
    return CrisisDetector()


def post_text(post: Post) -> str:
    title = post.topic.title if post.is_first else ""
    return f"{title}\n\n{post.body}".strip()


def subject_text(subject: Subject) -> str:
    """What the detectors and the scorer read: a post with its topic's title, or a message."""
    return post_text(subject) if isinstance(subject, Post) else subject.body


def subject_key(subject: Subject) -> dict[str, int]:
    """The column that points at this subject from a review item or an audit entry."""
    return {"post_id" if isinstance(subject, Post) else "message_id": subject.id}


def points_at(model: type[ReviewItem] | type[AuditEntry], subject: Subject) -> ColumnElement[bool]:
    """The condition "this review item (or audit entry) is about `subject`"."""
    if isinstance(subject, Post):
        return model.post_id == subject.id
    return model.message_id == subject.id


def set_status(subject: Subject, status: PostStatus) -> None:
    """Change a subject's status with its side effects (a post's counters, a message's
    delivery note)."""
    if isinstance(subject, Post):
        set_post_status(subject, status)
    else:
        set_message_status(subject, status)


def submit(subject: Subject, identifying_details: list[Any] | None = None) -> None:
    """Store a new or edited post or message, recognise crisis language, then score it if
    time allows."""
    inline = current_app.config["HARBOR_SCORING"] == "inline"
    budget = current_app.config["HARBOR_SCORING_BUDGET_SECONDS"]
    subject.scoring = ScoringState.WAITING
    subject.scoring_lease_token = None
    # scored here within the budget: hold a lease so a worker doesn't score it at the same time
    subject.scoring_lease_until = utcnow() + timedelta(seconds=budget + 1) if inline else None
    if identifying_details:
        subject.identifying_details = [asdict(detail) for detail in identifying_details]
    found = crisis_detector().detect(subject_text(subject))
    subject.crisis = found.to_dict() if found.is_crisis else None
    if subject.crisis:
        if isinstance(subject, Post):
            subject.topic.has_crisis = True
        reason = f"crisis language: {subject.crisis['category']}"
        open_review_item(subject, ReviewKind.CRISIS, [reason])
    db.session.commit()  # stored before it is scored: nothing is lost if scoring fails
    if inline:
        scores = _score_within_budget(subject_text(subject), budget)
        if scores is not None:
            apply_scores(subject, scores)
            db.session.commit()


def _score_within_budget(text: str, budget: float) -> Scores | None:
    future = _budget_pool.submit(scoring_service().score, text)
    try:
        return future.result(timeout=budget)
    except concurrent.futures.TimeoutError:
        return None  # its lease runs out and the sweeper or a worker scores it


def facts_for(subject: Subject) -> PostFacts:
    return PostFacts(
        crisis_category=subject.crisis["category"] if subject.crisis else None,
        identifying_kinds=tuple(detail["kind"] for detail in subject.identifying_details or ()),
        links_from_new_member=is_new_member(subject.author) and "<a " in subject.body_html,
    )


def apply_scores(subject: Subject, scores: Scores) -> Decision:
    """Record the scores and the policy's decision on the subject, and queue it where it must
    go."""
    decision = decide(
        scores, facts_for(subject), thresholds_from_config(current_app.config["HARBOR_THRESHOLDS"])
    )
    subject.scores = dict(scores.labels)
    subject.scored_by = scores.model
    subject.scored_at = utcnow()
    subject.scoring = ScoringState.FALLBACK if scores.is_fallback else ScoringState.DONE
    subject.scoring_lease_until = subject.scoring_lease_token = None
    subject.decision = decision.as_dict()
    if decision.outcome == Outcome.HOLD and subject.status in (
        PostStatus.PENDING,
        PostStatus.PUBLISHED,
    ):
        if subject.status == PostStatus.PENDING or not _approved_by_moderator(subject):
            set_status(subject, PostStatus.HELD)
    elif subject.status == PostStatus.PENDING:
        set_status(subject, PostStatus.PUBLISHED)
    for kind in decision.review_kinds:
        open_review_item(subject, kind, decision.reasons)
    db.session.add(
        AuditEntry(
            action="auto_decision",
            member_id=subject.author_id,
            reason="; ".join(decision.reasons) or "nothing to flag",
            details={
                "model": scores.model,
                "outcome": decision.outcome.value,
                "scores": subject.scores,
            },
            **subject_key(subject),
        )
    )
    return decision


def _approved_by_moderator(subject: Subject) -> bool:
    return (
        db.session.scalar(
            select(AuditEntry.id).where(
                points_at(AuditEntry, subject), AuditEntry.action == "approve"
            )
        )
        is not None
    )


def review_priority(subject: Subject, kind: ReviewKind) -> int:
    """Crisis first (by severity), then severity of the flag, then (in the query) age."""
    if kind == ReviewKind.CRISIS:
        # a member's "I'm worried" report with no crisis language found ranks as severity 1
        crisis = subject.crisis
        severity = Severity[crisis["severity"].upper()] if crisis else Severity.PAST
        return 1000 + 100 * int(severity)
    top_score = max((subject.scores or {}).values(), default=0.0)
    held = 200 if subject.status == PostStatus.HELD else 0
    return held + int(100 * top_score) + (50 if kind == ReviewKind.REPORT else 0)


def open_review_item(subject: Subject, kind: ReviewKind, reasons: list[str]) -> ReviewItem:
    """The subject's open item of this kind, made if there is none, with reasons added."""
    db.session.flush()
    item = db.session.scalar(
        select(ReviewItem).where(
            points_at(ReviewItem, subject),
            ReviewItem.kind == kind,
            ReviewItem.status == ReviewStatus.OPEN,
        )
    )
    if item is None:
        item = ReviewItem(kind=kind, reasons=[], **subject_key(subject))
        db.session.add(item)
    item.reasons = list(dict.fromkeys([*item.reasons, *reasons]))
    item.priority = max(item.priority or 0, review_priority(subject, kind))
    return item
