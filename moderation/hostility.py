"""Hostility aimed at someone: direct threats, telling someone to kill themselves, slurs.

Why: Detoxify may be loading or unavailable, and its fallback measures profanity only, so a
threat ("I will find you and hurt you") or "go kill yourself" was published and stayed
visible to its target. This detector runs beside the crisis one, on the same normaliser and
phrase engine, from a moderator-owned file (data/hostility_phrases.toml), and anything it
finds is held for a moderator whichever scorer ran. It looks for hostility AIMED at someone;
swearing about oneself, one's own cravings or past, and quoting what was said to one are
left alone (see the file's header).

    >>> HostilityDetector().detect("I will find you and hurt you").holds
    True
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from moderation.normalise import Normaliser
from moderation.phrases import (
    Found,
    PhraseDetector,
    PhraseSet,
    leftmost_longest,
    sign_rules,
    strings,
    table,
    together,
)

DEFAULT_PHRASES_PATH = Path(__file__).resolve().parent / "data" / "hostility_phrases.toml"
_TOP_LEVEL_KEYS = {"settings", "lists", "spellings", "negation", "reported", "exclusions", "sign"}
_SIGN_KEYS = {"kind", "phrases", "together", "within"}


class Kind(StrEnum):
    THREAT = "threat"
    SELF_HARM_INCITEMENT = "self_harm_incitement"  # telling someone to kill or hurt themselves
    IDENTITY_ATTACK = "identity_attack"  # slurs and attacks aimed at a person or group


REASONS = {
    Kind.THREAT: "a direct threat",
    Kind.SELF_HARM_INCITEMENT: "telling someone to kill or hurt themselves",
    Kind.IDENTITY_ATTACK: "a slur or attack aimed at a person or group",
}


@dataclass(frozen=True)
class HostilityMatch:
    kind: Kind
    start: int  # text[start:end] == self.text, in the original text
    end: int
    text: str
    rule: str  # the pattern(s) as written in the phrase file

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HostilityMatch:
        return cls(
            Kind(data["kind"]), int(data["start"]), int(data["end"]), str(data["text"]),
            str(data["rule"]),
        )  # fmt: skip


@dataclass(frozen=True)
class HostilityResult:
    """What was found in one text, by position."""

    matches: tuple[HostilityMatch, ...] = ()

    @property
    def holds(self) -> bool:
        """Hold for a moderator's review, whichever scorer ran (the fallback included)."""
        return bool(self.matches)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        found = {m.kind for m in self.matches}
        return tuple(k for k in Kind if k in found)

    @property
    def reason(self) -> str:
        """Plain words for the moderator."""
        return "; ".join(f"{REASONS[m.kind]}: \u201c{m.text}\u201d" for m in self.matches)

    def to_json(self) -> dict[str, Any]:
        return {"holds": self.holds, "matches": [m.to_json() for m in self.matches]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HostilityResult:
        return cls(tuple(HostilityMatch.from_json(m) for m in data.get("matches", ())))


@dataclass(frozen=True)
class _Sign:
    kind: Kind
    phrases: tuple[int, ...]
    together: tuple[int, ...]
    within: int


class HostilityDetector(PhraseDetector[HostilityResult]):
    """Finds hostility aimed at someone; built once, then pure and thread-safe."""

    def __init__(self, phrases_path: Path | None = None) -> None:
        self.phrases_path = Path(phrases_path) if phrases_path else DEFAULT_PHRASES_PATH
        with self.phrases_path.open("rb") as handle:
            data = tomllib.load(handle)
        try:
            self._load(data)
        except ValueError as exc:  # PatternError included: name the file for the moderator
            raise ValueError(f"{self.phrases_path}: {exc}") from None

    def _load(self, data: dict) -> None:
        unknown = set(data) - _TOP_LEVEL_KEYS
        if unknown:
            raise ValueError(
                f"unknown section(s) {sorted(unknown)}; known: {sorted(_TOP_LEVEL_KEYS)}"
            )
        settings = table(data.get("settings", {}), "[settings]")
        within = int(settings.get("together_within", 8))
        spellings = table(data.get("spellings", {}), "[spellings]")
        lists = {
            name: strings(items, f"[lists].{name}")
            for name, items in table(data.get("lists", {}), "[lists]").items()
        }
        phrases = PhraseSet(lists, Normaliser(spellings))

        def rules(patterns: object, where: str) -> tuple[int, ...]:
            return tuple(phrases.add(p) for p in strings(patterns, where))

        exclusions = table(data.get("exclusions", {}), "[exclusions]")
        self._exclusions = rules(exclusions.get("everywhere", []), "[exclusions].everywhere")
        negation = table(data.get("negation", {}), "[negation]")
        self._negations = rules(negation.get("before", []), "[negation].before")
        reported = table(data.get("reported", {}), "[reported]")
        self._reported = rules(reported.get("before", []), "[reported].before")
        self._reported_window = int(reported.get("window", 8))
        signs = data.get("sign", [])
        if not isinstance(signs, list):
            raise ValueError("[[sign]] must be an array of tables")
        self._signs = []
        for number, sign in enumerate(signs, 1):
            where = f"[[sign]] number {number}"
            sign = table(sign, where)
            extra = set(sign) - _SIGN_KEYS
            if extra:
                raise ValueError(f"{where} has unknown key(s) {sorted(extra)}")
            try:
                kind = Kind(sign.get("kind"))
            except ValueError:
                raise ValueError(
                    f"{where}: kind must be one of {[k.value for k in Kind]}"
                ) from None
            one, all_of = sign_rules(sign, rules, where)
            self._signs.append(_Sign(kind, one, all_of, int(sign.get("within", within))))
        phrases.compile()
        self._phrases = phrases
        self._normaliser = Normaliser(spellings, phrases.vocabulary, phrases.prefixes)

    def _detect_one(self, text: str) -> HostilityResult:
        words = self._normaliser(text)
        found = Found(words, self._phrases.find(words.words), self._reported_window)
        if not found.spans:
            return HostilityResult()
        patterns = self._phrases.patterns

        def allowed(span: tuple[int, int]) -> bool:
            if found.overlaps(span, self._exclusions):
                return False
            if any(
                found.same_sentence(n, span) for n in found.ends_at(span[0] - 1, self._negations)
            ):
                return False
            return not found.near_before(span, self._reported)

        candidates = []
        for sign in self._signs:
            if sign.phrases:
                for rule in sign.phrases:
                    for span in leftmost_longest(found.spans.get(rule, [])):
                        if allowed(span):
                            candidates.append((span, sign.kind, patterns[rule]))
            else:
                cues = [[s for s in found.spans.get(r, ()) if allowed(s)] for r in sign.together]
                rule = " + ".join(patterns[r] for r in sign.together)
                candidates += [(span, sign.kind, rule) for span in together(cues, sign.within)]
        # Overlapping matches: keep the longest.
        kept: list[tuple[tuple[int, int], Kind, str]] = []
        taken: set[int] = set()
        for span, kind, rule in sorted(candidates, key=lambda c: (c[0][0] - c[0][1], c[0][0])):
            used = range(span[0], span[1] + 1)
            if taken.isdisjoint(used):
                kept.append((span, kind, rule))
                taken.update(used)
        matches = []
        for (first, last), kind, rule in sorted(kept):
            start, end = words.span(first, last)
            matches.append(HostilityMatch(kind, start, end, text[start:end], rule))
        return HostilityResult(tuple(matches))
