"""Crisis-language detection for English posts: warning signs, then a learned second stage.

Why: someone may write on Harbor at the worst moment of their life, and help has to come up
at once; but a detector that cries wolf at ordinary recovery talk ("that craving nearly
killed me") teaches people to ignore it. Two stages:

1. **Warning signs** from a moderator-owned file (data/crisis_phrases.toml), after the
   published guidance (988/AFSP warning signs, the C-SSRS ideation / preparation / behaviour
   categories, SAMHSA's signs of an overdose). A sign is a phrase, or a combination of cues
   found close together (a means and a time; a question and a lethal amount; a person and a
   sign of overdose), with idiom exclusions, negation and past-tense context. Each match
   says which rule fired, which family of warning sign it is, and where it is in the
   original text.
2. **A learned model** (moderation/crisis_model) gives a probability for what no phrase
   names. Alone, above the concern threshold it raises CONCERN; between the two thresholds it
   gives POSSIBLE: a gentle note to the writer and a low-priority look by a moderator.

The thresholds are ``CRISIS_TIERS`` in moderation/crisis_tiers.py.

    >>> detector = CrisisDetector()
    >>> result = detector.detect("I've got the pills ready tonight")
    >>> result.tier, result.category
    (<Tier.IMMINENT: 3>, <Category.SUICIDE_SELF_HARM: 'suicide_self_harm'>)
"""

from __future__ import annotations

import logging
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from moderation.crisis_tiers import CRISIS_TIERS, CrisisTiers
from moderation.evaluation import binary_metrics, misclassified
from moderation.normalise import Normaliser, Words
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

log = logging.getLogger(__name__)

DEFAULT_PHRASES_PATH = Path(__file__).resolve().parent / "data" / "crisis_phrases.toml"


class Tier(IntEnum):
    """What the writer and the moderators get; ordered, so max() gives the most urgent."""

    NONE = 0
    POSSIBLE = 1  # the model alone, below the concern threshold: a gentle note, a low item
    CONCERN = 2  # helplines for the writer, the readers' panel, high in the queue
    IMMINENT = 3  # a plan, means, place or act in view: helplines first, top of the queue


class Category(StrEnum):
    """What kind of help a match calls for. Declared in priority order for ties."""

    SUICIDE_SELF_HARM = "suicide_self_harm"
    OVERDOSE_MEDICAL = "overdose_medical"
    HARM_TO_OTHERS = "harm_to_others"
    DOMESTIC_ABUSE = "domestic_abuse"


_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}
_SIGN_TIERS = {"concern": Tier.CONCERN, "imminent": Tier.IMMINENT}
_MARKER_KEYS = ("past", "recovered", "present", "imminent")
_TOP_LEVEL_KEYS = {
    "settings", "lists", "spellings", "negation", "markers", "exclusions", "families", "sign",
}  # fmt: skip
_SIGN_KEYS = {"family", "category", "tier", "phrases", "together", "within"}


@dataclass(frozen=True)
class CrisisMatch:
    """One warning sign found: what kind, how urgent, where in the original text, which rule."""

    category: Category
    family: str
    tier: Tier
    start: int
    end: int
    text: str  # the original text[start:end]
    rule: str  # the pattern(s) as written in the phrase file, so a moderator can find them

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "family": self.family,
            "tier": self.tier.name.lower(),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CrisisMatch:
        return cls(
            Category(data["category"]),
            str(data.get("family", "")),
            _stored_tier(data),
            int(data["start"]),
            int(data["end"]),
            str(data["text"]),
            str(data["rule"]),
        )


@dataclass(frozen=True)
class CrisisResult:
    """What was found in one text: the tier, the warning signs (by position), the model's
    probability (None when the learned stage did not run) and a reason for moderators."""

    tier: Tier = Tier.NONE
    matches: tuple[CrisisMatch, ...] = ()
    probability: float | None = None
    reason: str = ""

    @property
    def is_crisis(self) -> bool:
        """CONCERN or IMMINENT: helplines for the writer and the readers, and the queue."""
        return self.tier >= Tier.CONCERN

    @property
    def shows_help(self) -> bool:
        """Any tier that shows the writer help, the gentle POSSIBLE note included."""
        return self.tier >= Tier.POSSIBLE

    @property
    def category(self) -> Category | None:
        """The category of the most urgent match (ties: the earlier Category). The learned
        stage is trained on suicidal language, so a model-only result is suicide/self-harm."""
        if self.matches:
            top = min(self.matches, key=lambda m: (-m.tier, _CATEGORY_ORDER[m.category]))
            return top.category
        return Category.SUICIDE_SELF_HARM if self.tier > Tier.NONE else None

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category found, in Category order."""
        found = {m.category for m in self.matches}
        if not found and self.category:
            found = {self.category}
        return tuple(c for c in Category if c in found)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; ``from_json`` gives the same result back. ``category`` is
        included for readers of the stored value and ignored when reading it back."""
        return {
            "tier": self.tier.name.lower(),
            "category": self.category.value if self.category else None,
            "probability": self.probability,
            "reason": self.reason,
            "matches": [m.to_json() for m in self.matches],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CrisisResult:
        probability = data.get("probability")
        return cls(
            _stored_tier(data),
            tuple(CrisisMatch.from_json(m) for m in data.get("matches", ())),
            None if probability is None else float(probability),
            str(data.get("reason", "")),
        )


def _stored_tier(data: Mapping[str, Any]) -> Tier:
    """The tier of a stored result or match. Results stored before tiers existed carry a
    "severity" (past, concern, imminent) instead: a past one showed resources, so POSSIBLE."""
    if "tier" not in data and "severity" not in data:  # a result stored as its matches only
        return max((_stored_tier(m) for m in data.get("matches", ())), default=Tier.NONE)
    value = str(data.get("tier") or data["severity"]).lower()
    return Tier.POSSIBLE if value == "past" else Tier[value.upper()]


@dataclass(frozen=True)
class _Sign:
    family: str
    category: Category
    tier: Tier
    phrases: tuple[int, ...] = ()  # rule numbers: any one is the sign
    together: tuple[int, ...] = ()  # rule numbers: all of them within `within` words
    within: int = 0


@dataclass(frozen=True)
class _Candidate:
    sign: _Sign
    first: int
    last: int
    rule: str
    tier: Tier


_DEFAULT_MODEL: Any = object()  # "load the packaged model", as opposed to None: no model


class CrisisDetector(PhraseDetector[CrisisResult]):
    """Finds crisis warning signs in English text, and asks the learned model about the rest.

    ``phrases_path`` defaults to the packaged data/crisis_phrases.toml. ``model`` defaults to
    the packaged learned model; pass None for the warning signs alone. A model that cannot be
    loaded is logged and left out: the warning signs still work. Everything is read and
    compiled once, here; detect() is then pure and safe to share between threads.
    """

    def __init__(
        self,
        phrases_path: Path | None = None,
        model: Any = _DEFAULT_MODEL,
        tiers: CrisisTiers = CRISIS_TIERS,
    ) -> None:
        self.phrases_path = Path(phrases_path) if phrases_path else DEFAULT_PHRASES_PATH
        self.tiers = tiers
        with self.phrases_path.open("rb") as handle:
            data = tomllib.load(handle)
        try:
            self._load(data)
        except ValueError as exc:  # PatternError included: name the file for the moderator
            raise ValueError(f"{self.phrases_path}: {exc}") from None
        self.model = _load_default_model() if model is _DEFAULT_MODEL else model

    def _load(self, data: dict) -> None:
        unknown = set(data) - _TOP_LEVEL_KEYS
        if unknown:
            raise ValueError(
                f"unknown section(s) {sorted(unknown)}; known: {sorted(_TOP_LEVEL_KEYS)}"
            )
        settings = table(data.get("settings", {}), "[settings]")
        self._window = int(settings.get("context_words", 12))
        default_within = int(settings.get("together_within", 30))
        spellings = table(data.get("spellings", {}), "[spellings]")
        lists = {
            name: strings(items, f"[lists].{name}")
            for name, items in table(data.get("lists", {}), "[lists]").items()
        }
        self.families = {
            str(k): str(v) for k, v in table(data.get("families", {}), "[families]").items()
        }
        phrases = PhraseSet(lists, Normaliser(spellings))
        rule_of: dict[str, int] = {}

        def rules(patterns: object, where: str) -> tuple[int, ...]:
            out = []
            for pattern in strings(patterns, where):
                if pattern not in rule_of:
                    rule_of[pattern] = phrases.add(pattern)
                out.append(rule_of[pattern])
            return tuple(out)

        categories = {c.value for c in Category}
        exclusions = table(data.get("exclusions", {}), "[exclusions]")
        extra = set(exclusions) - categories - {"everywhere"}
        if extra:
            raise ValueError(f"[exclusions] has unknown key(s) {sorted(extra)}")
        self._exclusions = {
            c: rules(exclusions.get("everywhere", []), "[exclusions].everywhere")
            + rules(exclusions.get(c.value, []), f"[exclusions].{c.value}")
            for c in Category
        }
        signs = data.get("sign", [])
        if not isinstance(signs, list):
            raise ValueError("[[sign]] must be an array of tables")
        self._signs = [self._sign(s, rules, default_within, n) for n, s in enumerate(signs, 1)]
        markers = table(data.get("markers", {}), "[markers]")
        self._markers = {k: rules(markers.get(k, []), f"[markers].{k}") for k in _MARKER_KEYS}
        reader = Normaliser(spellings)
        self._past_tense = frozenset(
            w
            for word in strings(markers.get("past_tense", []), "[markers].past_tense")
            for w in reader.canonical_words(word)
        )
        negation = table(data.get("negation", {}), "[negation]")
        self._negations = rules(negation.get("before", []), "[negation].before")
        self._cancels = rules(negation.get("cancel", []), "[negation].cancel")
        phrases.compile()
        self._phrases = phrases
        self._normaliser = Normaliser(
            spellings, phrases.vocabulary | self._past_tense, phrases.prefixes
        )

    def _sign(self, sign: object, rules: Any, default_within: int, number: int) -> _Sign:
        where = f"[[sign]] number {number}"
        sign = table(sign, where)
        extra = set(sign) - _SIGN_KEYS
        if extra:
            raise ValueError(f"{where} has unknown key(s) {sorted(extra)}")
        family = sign.get("family")
        if family not in self.families:
            raise ValueError(
                f"{where}: family {family!r} is not described in [families] "
                f"({', '.join(sorted(self.families))})"
            )
        try:
            category = Category(sign.get("category"))
            tier = _SIGN_TIERS[sign.get("tier")]
        except (ValueError, KeyError):
            raise ValueError(
                f"{where}: category must be one of {[c.value for c in Category]} and tier one "
                f"of {sorted(_SIGN_TIERS)}"
            ) from None
        phrases, together = sign_rules(sign, rules, where)
        return _Sign(
            family, category, tier, phrases, together, int(sign.get("within", default_within))
        )

    # --- one text ---------------------------------------------------------------------------

    def _detect_one(self, text: str) -> CrisisResult:
        words = self._normaliser(text)
        found = Found(words, self._phrases.find(words.words), self._window)
        matches = self._matches(found, text) if found.spans else ()
        probability = self.model.probability(text) if self.model is not None else None
        tier = max((m.tier for m in matches), default=Tier.NONE)
        if probability is not None:
            if probability >= self.tiers.concern:
                tier = max(tier, Tier.CONCERN)
            elif probability >= self.tiers.possible:
                tier = max(tier, Tier.POSSIBLE)
        return CrisisResult(tier, matches, probability, self._reason(tier, matches, probability))

    def _matches(self, found: Found, text: str) -> tuple[CrisisMatch, ...]:
        def allowed(span: tuple[int, int], sign: _Sign) -> bool:
            if found.overlaps(span, self._exclusions[sign.category]):
                return False
            return not any(
                found.same_sentence(n, span) and not found.overlaps(n, self._cancels)
                for n in found.ends_at(span[0] - 1, self._negations)
            )

        candidates = []
        for sign in self._signs:
            for rule, first, last in self._occurrences(sign, found, allowed):
                tier = self._context_tier(sign.tier, (first, last), found)
                if tier is not None:
                    candidates.append(_Candidate(sign, first, last, rule, tier))
        return self._best(candidates, found.words, text)

    def _occurrences(self, sign: _Sign, found: Found, allowed: Any) -> list[tuple[str, int, int]]:
        patterns = self._phrases.patterns
        if sign.phrases:
            return [
                (patterns[rule], first, last)
                for rule in sign.phrases
                for first, last in leftmost_longest(found.spans.get(rule, []))
                if allowed((first, last), sign)
            ]
        cues = [[s for s in found.spans.get(r, ()) if allowed(s, sign)] for r in sign.together]
        rule = " + ".join(patterns[r] for r in sign.together)
        return [(rule, first, last) for first, last in together(cues, sign.within)]

    def _context_tier(self, base: Tier, span: tuple[int, int], found: Found) -> Tier | None:
        """Adjust a sign's tier by the time markers around it; None: told as past, dropped."""
        markers = self._markers
        if found.near(span, markers["present"]):
            return Tier.IMMINENT if found.near(span, markers["imminent"]) else base
        if found.near(span, markers["past"]):
            return None
        if found.near(span, markers["recovered"]) and self._told_in_past(span, found.words):
            return None
        if base == Tier.CONCERN and found.near(span, markers["imminent"]):
            return Tier.IMMINENT
        return base

    def _told_in_past(self, span: tuple[int, int], words: Words) -> bool:
        first, last = span
        return any(w in self._past_tense for w in words.words[max(first - 3, 0) : last + 1])

    @staticmethod
    def _best(candidates: list[_Candidate], words: Words, text: str) -> tuple[CrisisMatch, ...]:
        """Of overlapping matches in one category keep the most urgent, then the longest."""
        ranked = sorted(candidates, key=lambda c: (-c.tier, -(c.last - c.first), c.first))
        kept: list[_Candidate] = []
        taken: dict[Category, set[int]] = {c: set() for c in Category}
        for c in ranked:
            words_used = range(c.first, c.last + 1)  # a few dozen words at most
            if taken[c.sign.category].isdisjoint(words_used):
                kept.append(c)
                taken[c.sign.category].update(words_used)
        matches = []
        for c in sorted(kept, key=lambda c: (c.first, _CATEGORY_ORDER[c.sign.category])):
            start, end = words.span(c.first, c.last)
            matches.append(
                CrisisMatch(
                    c.sign.category, c.sign.family, c.tier, start, end, text[start:end], c.rule
                )
            )
        return tuple(matches)

    def _reason(
        self, tier: Tier, matches: tuple[CrisisMatch, ...], probability: float | None
    ) -> str:
        """Plain words for the moderator: what was found and why this tier."""
        if tier == Tier.NONE:
            return ""
        parts = [
            f"{self.families[m.family]} ({m.category.value.replace('_', ' ')}, "
            f"{m.tier.name.lower()}): \u201c{m.text}\u201d"
            for m in matches
        ]
        if probability is not None and (not matches or tier > max(m.tier for m in matches)):
            parts.append(
                f"the learned model rates this {probability:.2f} likely to be crisis language"
            )
        elif probability is not None:
            parts.append(f"learned model: {probability:.2f}")
        return f"{tier.name.lower()}: " + "; ".join(parts)


def _load_default_model() -> Any:
    """The packaged learned model, or None (logged) where it cannot be loaded."""
    from moderation.crisis_model import CrisisModel

    try:
        return CrisisModel.load()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        log.warning("crisis model not loaded, warning signs only: %s", exc)
        return None


def evaluate_crisis(detector: CrisisDetector, rows: Sequence[tuple[str, bool]]) -> dict:
    """Score the detector on labelled (text, is_crisis) rows.

    The top-level figures (binary_metrics) count every tier that shows the writer help
    (POSSIBLE and up); ``by_tier`` gives, for each tier, how many texts got it ("concern
    texts") and the recall and false-positive rate counting it and the tiers above
    ("concern+ recall"). Also how many texts fell in
    each top category, and example mistakes.
    """
    results = detector.detect([text for text, _ in rows])
    truth = [label for _, label in rows]
    predicted = [r.shows_help for r in results]
    scores = [float(r.tier) + (r.probability or 0.0) / 2 for r in results]
    metrics = binary_metrics(truth, predicted, scores)
    metrics["by_tier"] = {}
    for tier in (Tier.POSSIBLE, Tier.CONCERN, Tier.IMMINENT):
        name = tier.name.lower()
        at_least = binary_metrics(truth, [r.tier >= tier for r in results])
        metrics["by_tier"][f"{name} texts"] = sum(1 for r in results if r.tier == tier)
        metrics["by_tier"][f"{name}+ recall"] = at_least["recall"]
        metrics["by_tier"][f"{name}+ false_positive_rate"] = at_least["false_positive_rate"]
    metrics["by_category"] = {c.value: sum(1 for r in results if r.category == c) for c in Category}
    metrics.update(misclassified(rows, predicted, limit=10))
    return metrics
