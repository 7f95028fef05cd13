"""Scoring: lease texts, score them, apply the policy. One step for every path.

The inline path (a post scored at submit), the scoring workers and the rescore command all
lease what they score and call `score_and_apply`, so two of them never score one text at
once and every decision is made the same way. A lease is a token and an expiry written on
the row: several workers run at once without scoring a post twice (on PostgreSQL, candidates
are picked with FOR UPDATE SKIP LOCKED, so workers never wait on each other), and a post whose
worker died is taken up again once its lease runs out.
"""

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, literal, or_, select, update

from forum.data.clock import utcnow
from forum.data.moderated import (
    Moderated,
    ModeratedText,
    PostStatus,
    ScoringState,
    moderated_models,
)
from forum.data.review import AuditEntry, key_of
from forum.extensions import db
from forum.flow import queue
from forum.flow.checks import examine
from moderation.policy import Decision, Outcome, decide, thresholds_from_config
from moderation.scores import Scores
from moderation.scoring import Scorer


def lease(
    model: type[ModeratedText], condition: ColumnElement[bool], limit: int
) -> list[Moderated]:
    """Lease up to `limit` rows that meet `condition` and no one holds; committed before any
    scoring starts."""
    now = utcnow()
    free = or_(model.scoring_lease_until.is_(None), model.scoring_lease_until < now)
    candidates = db.session.scalars(
        select(model.id)
        .where(condition, free)
        .order_by(model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        db.session.commit()
        return []
    token = secrets.token_hex(8)
    until = now + timedelta(seconds=current_app.config["HARBOR_SCORING_LEASE_SECONDS"])
    # the WHERE repeats the whole test, so on SQLite (no row locks) too only one claimer wins a
    # row: another may have leased, scored and released it since the SELECT above
    db.session.execute(
        update(model)
        .where(model.id.in_(candidates), condition, free)
        .values(
            scoring_lease_until=until,
            scoring_attempts=model.scoring_attempts + 1,
            scoring_lease_token=token,
        )
    )
    db.session.commit()
    return list(db.session.scalars(select(model).where(model.scoring_lease_token == token)))


def _still_leased(subject: Moderated, token: str) -> bool:
    """Lock the row and check the lease is still ours: a lease that ran out may have passed
    it to another scorer, and then that one applies its scores, not this one."""
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


def thresholds() -> dict[str, Any]:
    return thresholds_from_config(current_app.config["HARBOR_THRESHOLDS"])


def score_and_apply(subject: Moderated, scores: Scores, token: str) -> Decision | None:
    """Record the scores and the policy's decision on a leased subject, let it through or hold
    it, and file it for review where it must go. None: the lease was lost, nothing changed."""
    if not _still_leased(subject, token):
        return None
    submission = subject.submission()
    findings = (subject.findings or examine(submission)).with_scores(scores)
    decision = decide(submission, findings, thresholds())
    subject.findings, subject.decision = findings, decision
    subject.scored_by, subject.scored_at = scores.model, utcnow()
    subject.scoring = ScoringState.FALLBACK if scores.is_fallback else ScoringState.DONE
    subject.scoring_lease_until = subject.scoring_lease_token = None
    if decision.outcome == Outcome.HOLD:
        # a moderator's approval covers the text they approved, until it is edited
        if not subject.moderator_approved and (
            subject.is_waiting or subject.status == PostStatus.PUBLISHED
        ):
            subject.hold()
    elif subject.is_waiting:
        subject.release()
    queue.file(subject, decision.reasons)
    db.session.add(
        AuditEntry(
            action="auto_decision",
            member_id=subject.author_id,
            reason="; ".join(reason.text for reason in decision.reasons) or "nothing to flag",
            details={"model": scores.model, "outcome": decision.outcome.value},
            **key_of(subject),
        )
    )
    return decision


def score_leased(scorer: Scorer, subjects: list[Moderated]) -> int:
    """Score leased subjects in one batch; each is decided in a transaction of its own, so row
    locks are held briefly and always taken in the same order (post, topic, board, member):
    scorers never deadlock each other. Returns how many were applied."""
    tokens = [subject.scoring_lease_token for subject in subjects]
    texts = [subject.submission().text for subject in subjects]
    applied = 0
    for subject, token, scores in zip(subjects, tokens, scorer.score_many(texts), strict=True):
        applied += score_and_apply(subject, scores, token) is not None
        db.session.commit()
    return applied


def score_waiting(scorer: Scorer, *, include_fallback: bool, batch_size: int = 16) -> int:
    """Score one batch of every kind of moderated text that waits for a score (and, with
    Detoxify back, those the fallback scored); returns how many (0: nothing waits)."""
    states = (
        [ScoringState.WAITING, ScoringState.FALLBACK]
        if include_fallback
        else [ScoringState.WAITING]
    )
    scored = 0
    for model in moderated_models().values():
        waiting = (
            # written out literally so PostgreSQL and SQLite use the partial index of unscored
            model.scoring != literal(ScoringState.DONE.value, literal_execute=True)
        ) & model.scoring.in_(states)
        scored += score_leased(scorer, lease(model, waiting, batch_size))
    return scored


def rescore(
    scorer: Scorer, model: type[ModeratedText], condition: ColumnElement[bool], batch_size: int
) -> Iterator[int]:
    """Score again every row meeting `condition`, a batch at a time, under leases like any
    scorer (a row a worker holds is left to that worker); yields each batch's size."""
    last_id = 0
    while True:
        ids = db.session.scalars(
            select(model.id)
            .where(condition, model.id > last_id)
            .order_by(model.id)
            .limit(batch_size)
        ).all()
        if not ids:
            return
        last_id = ids[-1]
        score_leased(scorer, lease(model, model.id.in_(ids), batch_size))
        yield len(ids)


def count(model: type[ModeratedText], condition: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(condition)) or 0
