"""What happens to a text between submit and publication.

Posts, private messages and any other moderated text (forum.data.moderated) go through the
same steps. The text is stored (waiting) with what the fast checks found, before any model
scores it: crisis language and identifying details reach the queue at once, and the writer of
a crisis post sees helplines on the very next page. Scoring then happens within a short budget
at submit (embedded default) or by a worker; a text still waiting is shown to its author with
a notice and to nobody else (an edit's earlier, published text stays in view meanwhile).
"""

import concurrent.futures
import secrets
from datetime import timedelta

from flask import current_app

from forum.data.clock import utcnow
from forum.data.moderated import Moderated, ScoringState
from forum.extensions import db
from forum.flow import queue
from forum.flow.checks import examine
from forum.flow.runtime import scoring_service
from forum.flow.scoring import score_and_apply, thresholds
from moderation.findings import Findings
from moderation.policy import decide
from moderation.scores import Scores

_budget_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="score")


def submit(subject: Moderated, findings: Findings | None = None) -> None:
    """Store a new or edited text with its findings (those the writer was shown, or found
    now), queue what needs a moderator at once, then score it if time allows."""
    submission = subject.submission()
    findings = findings if findings is not None else examine(submission)
    subject.findings = findings
    subject.decision = decide(submission, findings, thresholds())  # before any model
    subject.moderator_approved = False  # a new text: no earlier approval covers it
    subject.scoring = ScoringState.WAITING
    inline = current_app.config["HARBOR_SCORING"] == "inline"
    budget = current_app.config["HARBOR_SCORING_BUDGET_SECONDS"]
    # scored here within the budget: hold a lease so no worker scores it at the same time
    token = secrets.token_hex(8) if inline else None
    subject.scoring_lease_token = token
    subject.scoring_lease_until = utcnow() + timedelta(seconds=budget + 1) if inline else None
    queue.file(subject, subject.decision.reasons)
    db.session.commit()  # stored before it is scored: nothing is lost if scoring fails
    if token is not None:
        scores = _score_within_budget(submission.text, budget)
        if scores is not None:
            score_and_apply(subject, scores, token)
            db.session.commit()


def _score_within_budget(text: str, budget: float) -> Scores | None:
    future = _budget_pool.submit(scoring_service().score, text)
    try:
        return future.result(timeout=budget)
    except concurrent.futures.TimeoutError:
        return None  # its lease runs out and the sweeper or a worker scores it
