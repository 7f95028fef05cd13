"""Tricks that hide words from filters, on crisis and hostile words alike.

Each trick is applied to a message both detectors must catch; the disguised message must
still be caught, with the span covering what the writer actually typed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from moderation.crisis import CrisisDetector
from moderation.hostility import HostilityDetector

CYRILLIC = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "i": "\u0456",
                          "c": "\u0441", "p": "\u0440", "y": "\u0443", "x": "\u0445"})  # fmt: skip
LEET = str.maketrans({"i": "1", "e": "3", "o": "0", "a": "4", "s": "5"})


def zero_width(text: str) -> str:
    return "\u200b".join(text)


def soft_hyphens(text: str) -> str:
    return "\u00ad".join(text)


def look_alikes(text: str) -> str:
    return text.translate(CYRILLIC)


def spaced(text: str) -> str:
    return "  ".join(" ".join(word) for word in text.split())


def leetspeak(text: str) -> str:
    return " ".join(w.translate(LEET) if len(w) > 1 else w for w in text.split())


def stretched(text: str) -> str:
    return " ".join(
        "".join(c * 4 if c in "aeiou" else c for c in w) if len(w) > 2 else w for w in text.split()
    )


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


TRICKS: dict[str, Callable[[str], str]] = {
    "zero-width": zero_width,
    "soft hyphen": soft_hyphens,
    "Cyrillic look-alikes": look_alikes,
    "spacing": spaced,
    "leetspeak": leetspeak,
    "stretched": stretched,
    "full-width": full_width,
}
CRISIS = ["kill myself", "i want to die", "i feel suicidal"]
HOSTILE = ["kill yourself", "i will find you and hurt you", "faggot"]


@pytest.fixture(scope="module")
def crisis() -> CrisisDetector:
    return CrisisDetector(model=None)


@pytest.fixture(scope="module")
def hostility() -> HostilityDetector:
    return HostilityDetector()


@pytest.mark.parametrize("trick", TRICKS)
@pytest.mark.parametrize("words", CRISIS)
def test_crisis_words_survive_the_trick(crisis: CrisisDetector, trick: str, words: str) -> None:
    text = f"honestly {TRICKS[trick](words)} tbh"
    result = crisis.detect(text)
    assert result.is_crisis, f"{trick}: {text!r} read as {crisis.normalise(text)!r}"
    disguised = TRICKS[trick](words)
    assert any(disguised in text[m.start : m.end] or text[m.start : m.end] in disguised
               for m in result.matches)  # fmt: skip


@pytest.mark.parametrize("trick", TRICKS)
@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_words_survive_the_trick(
    hostility: HostilityDetector, trick: str, words: str
) -> None:
    text = f"shut up, {TRICKS[trick](words)}"
    result = hostility.detect(text)
    assert result.holds, f"{trick}: {text!r} read as {hostility.normalise(text)!r}"
    for m in result.matches:
        assert text[m.start : m.end] == m.text
