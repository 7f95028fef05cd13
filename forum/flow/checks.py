"""The fast checks every submission gets at once, compiled once per process."""

import functools

from sqlalchemy import select

from forum.data.models import User
from forum.extensions import db
from moderation.findings import Checks, Findings
from moderation.pseudonyms import abuse_in, look_alike_key, names_staff
from moderation.submission import Submission


@functools.cache
def checks() -> Checks:
    """The process's checks: the phrase lists compile on first use, then are shared."""
    return Checks()


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
