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
from sqlalchemy import literal, or_, select, update

from forum.data.models import Post, ScoringState, utcnow
from forum.extensions import db
from forum.fellowship.models import ConversationMessage
from forum.flow.pipeline import Subject, apply_scores, subject_text
from moderation.scoring import ScoringService

logger = logging.getLogger(__name__)

Model = type[Post] | type[ConversationMessage]


def claim_waiting(model: Model, batch_size: int, include_fallback: bool) -> list[Subject]:
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
        # written out literally so PostgreSQL and SQLite use the partial index of unscored posts
        .where(model.scoring != literal(ScoringState.DONE.value, literal_execute=True))
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
    # the WHERE repeats the whole test, so on SQLite (no row locks) too only one claimer wins a
    # post: another may have claimed, scored and released it since the SELECT above
    db.session.execute(
        update(model)
        .where(model.id.in_(candidates), model.scoring.in_(states), free)
        .values(
            scoring_lease_until=lease,
            scoring_attempts=model.scoring_attempts + 1,
            scoring_lease_token=token,
        )
    )
    db.session.commit()
    return list(db.session.scalars(select(model).where(model.scoring_lease_token == token)))


def _still_leased(subject: Subject, token: str) -> bool:
    """Lock the row and check the lease is still ours: a lease that ran out may have passed
    it to another worker, and then that worker scores it, not this one."""
    model = type(subject)
    return (
        db.session.execute(
            update(model)
            .where(model.id == subject.id, model.scoring_lease_token == token)
            .values(scoring_lease_token=token)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def score_waiting(service: ScoringService, batch_size: int = 16) -> int:
    """Score one batch of waiting posts and one of waiting private messages; returns how many
    were scored (0: nothing waits).

    Each one is decided in a transaction of its own, so row locks are held briefly and always
    taken in the same order (post, topic, board, member): workers never deadlock each other.
    """
    scored = 0
    for model in (Post, ConversationMessage):
        subjects = claim_waiting(model, batch_size, include_fallback=service.status == "ready")
        tokens = {subject.id: subject.scoring_lease_token for subject in subjects}
        texts = [subject_text(subject) for subject in subjects]
        for subject, scores in zip(subjects, service.score_many(texts), strict=True):
            if _still_leased(subject, tokens[subject.id]):
                apply_scores(subject, scores)
                scored += 1
            db.session.commit()
    return scored


def run_worker(service: ScoringService, *, forever: bool, interval: float = 1.0) -> int:
    """Score until nothing waits, or forever; returns the number scored.

    A worker that runs forever outlives a bad moment (the database restarting, say): it logs
    the error and tries again after `interval`.
    """
    from forum.flow.runtime import publish_status

    scored = 0
    while True:
        try:
            publish_status(service)
            batch = score_waiting(service)
        except Exception:
            if not forever:
                raise
            logger.exception("Scoring failed; trying again shortly")
            db.session.rollback()
            batch = 0
        scored += batch
        if batch:
            continue
        if not forever:
            return scored
        time.sleep(interval)
