"""Checking a draft takes time linear in its length, whatever is in it.

The issue: a 1.4 KB draft of spaced single letters took about 8 s (cubic growth), and four
of them stalled the server. Wall times are for bench/detectors.py; here only the growth is
asserted: 8x the text may take at most 12x the CPU time (best of several rounds).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.detectors import adversarial_draft, best_time
from moderation.crisis import CrisisDetector
from moderation.hostility import HostilityDetector
from moderation.identifying import find_identifying_details

MAX_GROWTH = 12


@pytest.fixture(scope="module")
def checks() -> dict[str, Callable[[str], object]]:
    return {
        "crisis": CrisisDetector().detect,
        "hostility": HostilityDetector().detect,
        "identifying": find_identifying_details,
    }


@pytest.mark.parametrize("name", ["crisis", "hostility", "identifying"])
@pytest.mark.parametrize(
    "make",
    [
        adversarial_draft,
        lambda n: ("q w e r t y u i o p " * n)[:n],  # the draft from the issue
        lambda n: ("i want to " * n)[:n],  # one half-phrase, repeated
        lambda n: ("k\u0456\u200bll " * n)[:n],  # look-alikes and zero-width characters
    ],
    ids=["adversarial", "spaced-letters", "half-phrase", "look-alikes"],
)
def test_time_grows_linearly(
    checks: dict[str, Callable[[str], object]], name: str, make: Callable[[int], str]
) -> None:
    check = checks[name]
    small, large = make(1_000), make(8_000)
    check(small)  # warm the caches
    ratio = best_time(check, large, 5) / max(best_time(check, small, 5), 1e-4)
    assert ratio <= MAX_GROWTH, f"{name}: 8 KB took {ratio:.1f}x the time of 1 KB"
