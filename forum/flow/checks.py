"""The fast checks every submission gets at once, compiled once per process."""

import functools

from moderation.findings import Checks, Findings
from moderation.submission import Submission


@functools.cache
def checks() -> Checks:
    """The process's checks: the phrase lists compile on first use, then are shared."""
    return Checks()


def examine(submission: Submission) -> Findings:
    """What the fast checks find in a submission: crisis language, identifying details."""
    return checks().examine(submission)
