"""What happens to a post between submit and publication.

A post is stored (pending) before it is scored. Crisis language is recognised at once, so the
writer sees helplines on the very next page and the post enters the queue at the top. Scoring
then happens within a short budget at submit (embedded default) or by a worker; a post still
waiting is shown to its author with a notice and to nobody else.
"""

import concurrent.futures
import functools
from dataclasses import asdict
from typing import Any

from flask import current_app
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AuditEntry,
    Post,
    PostStatus,
    ReviewItem,
    ReviewStatus,
    ScoringState,
    utcnow,
)
from forum.posting import set_post_status
from forum.posting_limits import is_new_member
from forum.scoring_runtime import scoring_service
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

_budget_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="score")


@functools.cache
def crisis_detector() -> CrisisDetector:
    return CrisisDetector()


def post_text(post: Post) -> str:
    title = post.topic.title if post.is_first else ""
    return f"{title}\n\n{post.body}".strip()


def submit(post: Post, identifying_details: list[Any] | None = None) -> None:
    """Store a new or edited post, recognise crisis language, then score it if time allows."""
    post.scoring = ScoringState.WAITING
    post.scoring_lease_until = post.scoring_lease_token = None
    if identifying_details:
        post.identifying_details = [asdict(detail) for detail in identifying_details]
    found = crisis_detector().detect(post_text(post))
    post.crisis = found.to_dict() if found.is_crisis else None
    if post.crisis:
        post.topic.has_crisis = True
        open_review_item(post, ReviewKind.CRISIS, [f"crisis language: {post.crisis['category']}"])
    db.session.commit()  # stored before it is scored: nothing is lost if scoring fails
    if current_app.config["HARBOR_SCORING"] == "inline":
        scores = _score_within_budget(post_text(post))
        if scores is not None:
            apply_scores(post, scores)
            db.session.commit()


def _score_within_budget(text: str) -> Scores | None:
    service = scoring_service()
    future = _budget_pool.submit(service.score, text)
    try:
        return future.result(timeout=current_app.config["HARBOR_SCORING_BUDGET_SECONDS"])
    except concurrent.futures.TimeoutError:
        return None  # the sweeper or a worker scores it shortly


def facts_for(post: Post) -> PostFacts:
    return PostFacts(
        crisis_category=post.crisis["category"] if post.crisis else None,
        identifying_kinds=tuple(detail["kind"] for detail in post.identifying_details or ()),
        links_from_new_member=is_new_member(post.author) and "<a " in post.body_html,
    )


def apply_scores(post: Post, scores: Scores) -> Decision:
    """Record the scores and the policy's decision on the post, and queue it where it must go."""
    decision = decide(
        scores, facts_for(post), thresholds_from_config(current_app.config["HARBOR_THRESHOLDS"])
    )
    post.scores = dict(scores.labels)
    post.scored_by = scores.model
    post.scored_at = utcnow()
    post.scoring = ScoringState.FALLBACK if scores.is_fallback else ScoringState.DONE
    post.scoring_lease_until = post.scoring_lease_token = None
    post.decision = decision.as_dict()
    if decision.outcome == Outcome.HOLD and post.status in (
        PostStatus.PENDING,
        PostStatus.PUBLISHED,
    ):
        if post.status == PostStatus.PENDING or not _approved_by_moderator(post):
            set_post_status(post, PostStatus.HELD)
    elif post.status == PostStatus.PENDING:
        set_post_status(post, PostStatus.PUBLISHED)
    for kind in decision.review_kinds:
        open_review_item(post, kind, decision.reasons)
    db.session.add(
        AuditEntry(
            action="auto_decision",
            post_id=post.id,
            member_id=post.author_id,
            reason="; ".join(decision.reasons) or "nothing to flag",
            details={
                "model": scores.model,
                "outcome": decision.outcome.value,
                "scores": post.scores,
            },
        )
    )
    return decision


def _approved_by_moderator(post: Post) -> bool:
    return (
        db.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.post_id == post.id, AuditEntry.action == "approve"
            )
        )
        is not None
    )


def review_priority(post: Post, kind: ReviewKind) -> int:
    """Crisis first (by severity), then severity of the flag, then (in the query) age."""
    if kind == ReviewKind.CRISIS:
        # a member's "I'm worried" report with no crisis language found ranks as severity 1
        severity = Severity[post.crisis["severity"].upper()] if post.crisis else Severity.PAST
        return 1000 + 100 * int(severity)
    top_score = max((post.scores or {}).values(), default=0.0)
    held = 200 if post.status == PostStatus.HELD else 0
    return held + int(100 * top_score) + (50 if kind == ReviewKind.REPORT else 0)


def open_review_item(post: Post, kind: ReviewKind, reasons: list[str]) -> ReviewItem:
    """The post's open item of this kind, made if there is none, with reasons added."""
    db.session.flush()
    item = db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id,
            ReviewItem.kind == kind,
            ReviewItem.status == ReviewStatus.OPEN,
        )
    )
    if item is None:
        item = ReviewItem(post_id=post.id, kind=kind, reasons=[])
        db.session.add(item)
    item.reasons = list(dict.fromkeys([*item.reasons, *reasons]))
    item.priority = max(item.priority or 0, review_priority(post, kind))
    return item
