"""The fast checks every submission gets at once, compiled once per process."""

import functools
import logging

from flask import current_app
from sqlalchemy import select

from forum.data.models import User
from forum.extensions import db
from moderation.crisis import CrisisDetector
from moderation.crisis_tiers import CrisisTiers
from moderation.findings import Checks, Findings
from moderation.pseudonyms import abuse_in, look_alike_key, names_staff
from moderation.submission import Submission

logger = logging.getLogger(__name__)


def checks() -> Checks:
    """This app's checks: the phrase lists compile on first use, then are shared."""
    config = current_app.config
    return _checks_for(config["HARBOR_CRISIS_MODEL"], tuple(config["HARBOR_CRISIS_TIERS"]))


@functools.cache
def _checks_for(crisis_model: str | None, tiers: tuple[float, float]) -> Checks:
    """One set of checks per configuration (tests build apps with different ones)."""
    possible, concern = tiers
    crisis_tiers = CrisisTiers(possible=possible, concern=concern)
    if crisis_model is None:
        return Checks(crisis=CrisisDetector(tiers=crisis_tiers))
    from moderation.crisis_model.transformer import TransformerCrisisModel

    try:
        model = TransformerCrisisModel(crisis_model)
    except (OSError, ValueError, ImportError) as exc:
        # The warning signs and the packaged model still work: degrade, say so, don't stop.
        logger.error(
            "HARBOR_CRISIS_MODEL %r could not be loaded (%s); using the packaged crisis model",
            crisis_model,
            exc,
        )
        return Checks(crisis=CrisisDetector(tiers=crisis_tiers))
    return Checks(crisis=CrisisDetector(model=model, tiers=crisis_tiers))


def examine(submission: Submission) -> Findings:
    """What the fast checks find in a submission: crisis language, identifying details."""
    return checks().examine(submission)


def pseudonym_refusal(name: str) -> str | None:
    """Why a new member can't take this name, in words for them; None when it's fine.

    Names are compared by what they look like (moderation/pseudonyms.py): one may not read as
    Harbor's staff, look like another member's, or be abuse aimed at whoever reads it.
    """
    if names_staff(name):
        return "That name reads as Harbor's own staff or team. Please pick another."
    taken = db.session.scalar(select(User.pseudonym).where(User.name_key == look_alike_key(name)))
    if taken is not None:
        return f"That name looks too much like “{taken}”, a member's name. Please pick another."
    if abuse_in(name, checks().hostility).holds:
        return "That name would read as abuse to the people who see it. Please pick another."
    return None
