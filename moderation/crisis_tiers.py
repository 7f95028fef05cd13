"""The crisis detector's tier thresholds: the policy's table for crisis language.

A module of its own because the crisis detector reads it and the policy reads the detector's
findings: in moderation/policy.py it would make an import cycle.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CrisisTiers:
    """Where the crisis model's probability alone raises a tier (moderation/crisis.py).

    At or above ``concern``: CONCERN (helplines and the queue). At or above ``possible``:
    POSSIBLE (a gentle note to the writer, a low-priority look). Warning signs found in the
    text set their own tier whatever the model says.
    """

    possible: float
    concern: float


# Chosen from bench/crisis_eval.py on held-out data (the README gives the figures).
CRISIS_TIERS = CrisisTiers(possible=0.45, concern=0.85)
