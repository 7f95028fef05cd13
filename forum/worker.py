"""Scoring workers: take waiting posts, score them in batches, apply the policy.

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

from forum.extensions import db
from forum.models import Post, ScoringState, utcnow
from forum.pipeline import apply_scores, post_text
from moderation.scoring import ScoringService

logger = logging.getLogger(__name__)


def claim_waiting_posts(batch_size: int, include_fallback: bool) -> list[Post]:
    """Lease up to `batch_size` posts that wait for a score (and, with Detoxify back, the
    posts the fallback scored). The lease is committed before any scoring starts."""
    states = (
        [ScoringState.WAITING, ScoringState.FALLBACK]
        if include_fallback
        else [ScoringState.WAITING]
    )
    now = utcnow()
    free = or_(Post.scoring_lease_until.is_(None), Post.scoring_lease_until < now)
    candidates = db.session.scalars(
        select(Post.id)
        .where(Post.scoring != literal(ScoringState.DONE.value, literal_execute=True))
        .where(Post.scoring.in_(states), free)
        .order_by(Post.id)
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
        update(Post)
        .where(Post.id.in_(candidates), Post.scoring.in_(states), free)
        .values(
            scoring_lease_until=lease,
            scoring_attempts=Post.scoring_attempts + 1,
            scoring_lease_token=token,
        )
    )
    db.session.commit()
    return list(db.session.scalars(select(Post).where(Post.scoring_lease_token == token)))


def _still_leased(post: Post, token: str) -> bool:
    """Lock the post and check the lease is still ours: a lease that ran out may have passed
    the post to another worker, and then that worker scores it, not this one."""
    return (
        db.session.execute(
            update(Post)
            .where(Post.id == post.id, Post.scoring_lease_token == token)
            .values(scoring_lease_token=token)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def score_waiting_posts(service: ScoringService, batch_size: int = 16) -> int:
    """Score one batch of waiting posts; returns how many were scored (0: nothing waits).

    Each post is decided in a transaction of its own, so row locks are held briefly and always
    taken in the same order (post, topic, board, member): workers never deadlock each other.
    """
    posts = claim_waiting_posts(batch_size, include_fallback=service.status == "ready")
    if not posts:
        return 0
    tokens = {post.id: post.scoring_lease_token for post in posts}
    scored = 0
    for post, scores in zip(posts, service.score_many([post_text(p) for p in posts]), strict=True):
        if _still_leased(post, tokens[post.id]):
            apply_scores(post, scores)
            scored += 1
        db.session.commit()
    return scored


def run_worker(service: ScoringService, *, forever: bool, interval: float = 1.0) -> int:
    """Score until nothing waits, or forever; returns the number of posts scored.

    A worker that runs forever outlives a bad moment (the database restarting, say): it logs
    the error and tries again after `interval`.
    """
    from forum.scoring_runtime import publish_status

    scored = 0
    while True:
        try:
            publish_status(service)
            batch = score_waiting_posts(service)
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
