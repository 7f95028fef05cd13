"""Scoring workers: take waiting posts and private messages, score them in batches, apply the
policy.

Several workers run at once without scoring a post twice: each claims a batch by setting a
lease (on PostgreSQL, candidates are picked with FOR UPDATE SKIP LOCKED, so workers never
wait on each other). A post whose worker died is taken up again once its lease runs out.
"""

import logging
import secrets
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from forum.extensions import db
from forum.fellowship.models import ConversationMessage
from forum.models import Post, ScoringState, utcnow
from forum.pipeline import Subject, apply_scores, subject_text
from moderation.scoring import ScoringService

logger = logging.getLogger(__name__)


def claim_waiting(
    model: type[Post] | type[ConversationMessage], batch_size: int, include_fallback: bool
) -> list[Subject]:
    """Lease up to `batch_size` posts (or messages) that wait for a score (and, with Detoxify
    back, those the fallback scored). The lease is committed before any scoring starts."""
    states = (
        [ScoringState.WAITING, ScoringState.FALLBACK]
        if include_fallback
        else [ScoringState.WAITING]
    )
    now = utcnow()
    free = or_(model.scoring_lease_until.is_(None), model.scoring_lease_until < now)
    candidates = db.session.scalars(
        select(model.id)
        .where(model.scoring.in_(states), free)
        .order_by(model.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        db.session.commit()
        return []
    token = secrets.token_hex(8)
    lease = now + timedelta(seconds=current_app.config["HARBOR_SCORING_LEASE_SECONDS"])
    # the WHERE repeats the free-lease test, so on SQLite too only one claimer wins a post
    db.session.execute(
        update(model)
        .where(model.id.in_(candidates), free)
        .values(
            scoring_lease_until=lease,
            scoring_attempts=model.scoring_attempts + 1,
            scoring_lease_token=token,
        )
    )
    db.session.commit()
    return list(db.session.scalars(select(model).where(model.scoring_lease_token == token)))


def score_waiting(service: ScoringService, batch_size: int = 16) -> int:
    """Score one batch of waiting posts and one of waiting private messages; returns how many
    were scored (0: nothing waits)."""
    scored = 0
    for model in (Post, ConversationMessage):
        subjects = claim_waiting(model, batch_size, include_fallback=service.status == "ready")
        if not subjects:
            continue
        texts = [subject_text(subject) for subject in subjects]
        for subject, scores in zip(subjects, service.score_many(texts), strict=True):
            apply_scores(subject, scores)
        db.session.commit()
        scored += len(subjects)
    return scored


def run_worker(service: ScoringService, *, forever: bool, interval: float = 1.0) -> int:
    """Score until nothing waits, or forever; returns the number of posts scored."""
    from forum.scoring_runtime import publish_status

    scored = 0
    while True:
        publish_status(service)
        batch = score_waiting(service)
        scored += batch
        if batch:
            continue
        if not forever:
            return scored
        time.sleep(interval)
