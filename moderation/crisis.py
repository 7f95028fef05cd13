"""Crisis-language detection for English posts.

Why: someone may write on Harbor at the worst moment of their life, and help has to come up
at once; but a detector that cries wolf at ordinary recovery talk ("that craving nearly
killed me") teaches people to ignore it. So the detector is a readable, moderator-owned
phrase list (data/crisis_phrases.toml) with idiom exclusions, negation and time context,
rather than an opaque model, and every match says which phrase fired and where.

    >>> detector = CrisisDetector()
    >>> result = detector.detect("I've got the pills ready tonight")
    >>> result.is_crisis, result.category, result.severity
    (True, <Category.SUICIDE_SELF_HARM: 'suicide_self_harm'>, <Severity.IMMINENT: 3>)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import overload

from moderation.evaluation import binary_metrics, misclassified
from moderation.phrases import (
    NormalisedText,
    Normaliser,
    PatternCompiler,
    Phrase,
)

DEFAULT_PHRASES_PATH = Path(__file__).resolve().parent / "data" / "crisis_phrases.toml"


class Severity(IntEnum):
    """How urgent a match is; ordered, so max() gives the most urgent."""

    NONE = 0
    PAST = 1  # danger told as past, in recovery: lower urgency, still brings up resources
    CONCERN = 2  # crisis language with no plan or time in view
    IMMINENT = 3  # a present plan, means or act


class Category(StrEnum):
    """What kind of help a match calls for. Declared in priority order for ties."""

    SUICIDE_SELF_HARM = "suicide_self_harm"
    OVERDOSE_MEDICAL = "overdose_medical"
    HARM_TO_OTHERS = "harm_to_others"
    DOMESTIC_ABUSE = "domestic_abuse"


_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}
_SEVERITY_KEYS = {"past": Severity.PAST, "concern": Severity.CONCERN, "imminent": Severity.IMMINENT}
_MARKER_KEYS = ("past", "recovered", "present", "imminent")
_TOP_LEVEL_KEYS = {"settings", "lists", "spellings", "negation", "markers", "exclusions"}


@dataclass(frozen=True)
class CrisisMatch:
    """One phrase found: what kind, how urgent, where in the original text, and which rule."""

    category: Category
    severity: Severity
    start: int
    end: int
    text: str
    rule: str  # the pattern as written in the phrase file, so a moderator can find it

    def to_json(self) -> dict:
        return {
            "category": self.category.value,
            "severity": self.severity.name.lower(),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: dict) -> CrisisMatch:
        return cls(
            Category(data["category"]),
            Severity[data["severity"].upper()],
            data["start"],
            data["end"],
            data["text"],
            data["rule"],
        )


@dataclass(frozen=True)
class CrisisResult:
    """Everything found in one text, ordered by position."""

    matches: tuple[CrisisMatch, ...] = ()

    @property
    def is_crisis(self) -> bool:
        """True for any match, PAST included: past danger still brings up resources."""
        return bool(self.matches)

    @property
    def severity(self) -> Severity:
        """The most urgent severity found (NONE when nothing was found)."""
        return max((m.severity for m in self.matches), default=Severity.NONE)

    @property
    def category(self) -> Category | None:
        """The category of the most urgent match; ties go to the earlier Category."""
        if not self.matches:
            return None
        top = min(self.matches, key=lambda m: (-m.severity, _CATEGORY_ORDER[m.category]))
        return top.category

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category found, in Category order."""
        found = {m.category for m in self.matches}
        return tuple(c for c in Category if c in found)

    def to_json(self) -> dict:
        return {"matches": [m.to_json() for m in self.matches]}

    @classmethod
    def from_json(cls, data: dict) -> CrisisResult:
        return cls(tuple(CrisisMatch.from_json(m) for m in data["matches"]))


@dataclass(frozen=True)
class _Rule:
    category: Category
    severity: Severity
    phrase: Phrase


@dataclass(frozen=True)
class _Candidate:
    rule: _Rule
    first: int
    last: int
    severity: Severity


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return value


def _table(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


class CrisisDetector:
    """Finds crisis language in English text using a moderator-editable phrase file.

    ``phrases_path`` defaults to the packaged data/crisis_phrases.toml. The file is read
    and compiled once, here; detect() is then pure and safe to share between threads.
    """

    def __init__(self, phrases_path: Path | None = None) -> None:
        self.phrases_path = Path(phrases_path) if phrases_path else DEFAULT_PHRASES_PATH
        with self.phrases_path.open("rb") as handle:
            data = tomllib.load(handle)
        try:
            self._load(data)
        except ValueError as exc:  # PatternError included: name the file for the moderator
            raise ValueError(f"{self.phrases_path}: {exc}") from None

    def _load(self, data: dict) -> None:
        categories = {c.value for c in Category}
        unknown = set(data) - _TOP_LEVEL_KEYS - categories
        if unknown:
            raise ValueError(
                f"unknown section(s) {sorted(unknown)}; categories are {sorted(categories)}"
            )
        settings = _table(data.get("settings", {}), "[settings]")
        self._window = int(settings.get("context_words", 12))
        spellings = _table(data.get("spellings", {}), "[spellings]")
        lists = {
            name: _strings(items, f"[lists].{name}")
            for name, items in _table(data.get("lists", {}), "[lists]").items()
        }
        reader = Normaliser(spellings)  # spellings only: used to read the patterns themselves
        compiler = PatternCompiler(lists, reader)

        def compile_all(patterns: object, where: str) -> list[Phrase]:
            return [compiler.compile(p) for p in _strings(patterns, where)]

        self._rules: list[_Rule] = []
        self._exclusions: dict[Category | None, list[Phrase]] = {}
        exclusions = _table(data.get("exclusions", {}), "[exclusions]")
        self._exclusions[None] = compile_all(
            exclusions.get("everywhere", []), "[exclusions].everywhere"
        )
        for category in Category:
            section = _table(data.get(category.value, {}), f"[{category.value}]")
            extra = set(section) - set(_SEVERITY_KEYS) - {"exclusions"}
            if extra:
                raise ValueError(f"[{category.value}] has unknown key(s) {sorted(extra)}")
            for key, severity in _SEVERITY_KEYS.items():
                for phrase in compile_all(section.get(key, []), f"{category}.{key}"):
                    self._rules.append(_Rule(category, severity, phrase))
            self._exclusions[category] = compile_all(
                section.get("exclusions", []), f"{category}.exclusions"
            )

        markers = _table(data.get("markers", {}), "[markers]")
        self._markers = {
            key: compile_all(markers.get(key, []), f"[markers].{key}") for key in _MARKER_KEYS
        }
        self._past_tense = frozenset(
            w
            for word in _strings(markers.get("past_tense", []), "[markers].past_tense")
            for w in reader.canonical_words(word)
        )
        negation = _table(data.get("negation", {}), "[negation]")
        self._negations = compile_all(negation.get("before", []), "[negation].before")
        self._cancels = compile_all(negation.get("cancel", []), "[negation].cancel")
        self._normaliser = Normaliser(
            spellings, compiler.vocabulary | self._past_tense, compiler.prefixes
        )

    def normalise(self, text: str) -> str:
        """The text as the patterns see it (lower-case words, single spaces); for debugging."""
        return self._normaliser(text).text.strip()

    @overload
    def detect(self, text: str) -> CrisisResult: ...

    @overload
    def detect(self, text: Sequence[str]) -> list[CrisisResult]: ...

    def detect(self, text: str | Sequence[str]) -> CrisisResult | list[CrisisResult]:
        """Find crisis language in one text, or in each of a list of texts."""
        if isinstance(text, str):
            return self._detect_one(text)
        return [self._detect_one(t) for t in text]

    def _detect_one(self, text: str) -> CrisisResult:
        normalised = self._normaliser(text)
        found = [
            (rule, first, last)
            for rule in self._rules
            for first, last in normalised.find(rule.phrase)
        ]
        if not found:  # the common case: skip the context work entirely
            return CrisisResult()
        context = _Context(normalised, self._window)
        excluded = {c: context.spans(rs) for c, rs in self._exclusions.items()}
        negations = context.spans(self._negations)
        cancels = context.spans(self._cancels)
        negations = [n for n in negations if not any(_overlap(n, c) for c in cancels)]
        markers = {key: context.spans(rs) for key, rs in self._markers.items()}

        candidates = []
        for rule, first, last in found:
            span = (first, last)
            if any(_overlap(span, e) for e in excluded[None] + excluded[rule.category]):
                continue
            if any(n[1] == first - 1 and context.same_sentence(n, span) for n in negations):
                continue
            severity = self._severity(rule.severity, span, markers, context)
            candidates.append(_Candidate(rule, first, last, severity))
        return CrisisResult(self._best(candidates, normalised, text))

    def _severity(
        self,
        base: Severity,
        span: tuple[int, int],
        markers: dict[str, list[tuple[int, int]]],
        context: _Context,
    ) -> Severity:
        """Adjust a phrase's severity by the time markers around it (see the phrase file)."""

        def near(key: str) -> bool:
            return any(context.near(span, m) for m in markers[key])

        if near("present"):
            return Severity.IMMINENT if near("imminent") else max(base, Severity.CONCERN)
        if near("past"):
            return Severity.PAST
        if near("recovered") and self._told_in_past(span, context.normalised):
            return Severity.PAST
        if base == Severity.CONCERN and near("imminent"):
            return Severity.IMMINENT
        return base

    def _told_in_past(self, span: tuple[int, int], normalised: NormalisedText) -> bool:
        first, last = span
        words = normalised.tokens[max(first - 3, 0) : last + 1]
        return any(t.word in self._past_tense for t in words)

    @staticmethod
    def _best(
        candidates: list[_Candidate], normalised: NormalisedText, text: str
    ) -> tuple[CrisisMatch, ...]:
        """Of overlapping matches in one category keep the most urgent, then the longest."""
        ranked = sorted(candidates, key=lambda c: (-c.severity, -(c.last - c.first), c.first))
        kept: list[_Candidate] = []
        for c in ranked:
            if not any(
                k.rule.category == c.rule.category
                and _overlap((k.first, k.last), (c.first, c.last))
                for k in kept
            ):
                kept.append(c)
        matches = []
        for c in sorted(kept, key=lambda c: (c.first, _CATEGORY_ORDER[c.rule.category])):
            start, end = normalised.span(c.first, c.last)
            matches.append(
                CrisisMatch(
                    c.rule.category, c.severity, start, end, text[start:end], c.rule.phrase.pattern
                )
            )
        return tuple(matches)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


class _Context:
    """Token-range helpers for one normalised text: sentences and distances."""

    def __init__(self, normalised: NormalisedText, window: int) -> None:
        self.normalised = normalised
        self.window = window

    def spans(self, phrases: Iterable[Phrase]) -> list[tuple[int, int]]:
        return [span for p in phrases for span in self.normalised.find(p)]

    def same_sentence(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        tokens = self.normalised.tokens
        return {tokens[a[0]].sentence, tokens[a[1]].sentence} & {
            tokens[b[0]].sentence,
            tokens[b[1]].sentence,
        } != set()

    def near(self, span: tuple[int, int], marker: tuple[int, int]) -> bool:
        gap = max(marker[0] - span[1], span[0] - marker[1], 0)
        return gap <= self.window and self.same_sentence(span, marker)


def evaluate_crisis(detector: CrisisDetector, rows: Sequence[tuple[str, bool]]) -> dict:
    """Score the detector on labelled (text, is_crisis) rows.

    Returns binary_metrics (the severity is the score for roc_auc), how many texts were
    flagged at each severity and in each top category, and example mistakes.
    """
    results = detector.detect([text for text, _ in rows])
    truth = [label for _, label in rows]
    predicted = [r.is_crisis for r in results]
    metrics = binary_metrics(truth, predicted, [float(r.severity) for r in results])
    metrics["by_severity"] = {
        s.name.lower(): sum(1 for r in results if r.severity == s)
        for s in Severity
        if s != Severity.NONE
    }
    metrics["by_category"] = {c.value: sum(1 for r in results if r.category == c) for c in Category}
    metrics.update(misclassified(rows, predicted, limit=10))
    return metrics
