"""Readable phrase patterns, matched over normalised words by one automaton, in linear time.

Why: moderators keep phrase lists in data files they can read, so the lists need a small
pattern language rather than raw regular expressions; and a forum must check any draft,
however long or hostile, without stalling. So every pattern of a detector is compiled into
one token-level automaton (a Thompson NFA with its empty moves resolved at compile time) that
reads the words once, left to right, keeping at most one thread per automaton state: the time
is linear in the number of words, whatever the text. There is no regular-expression escape
hatch, so no pattern can backtrack.

Pattern language (documented for moderators at the top of each data/*_phrases.toml):
``word``, ``{a|b c|}`` alternatives (empty = optional), ``word*`` prefix, ``*`` one word,
``...`` up to three words, ``#`` a number, ``#year`` a year (1900-2099), ``<list>`` a named
list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from moderation.normalise import Normaliser, Words, canonical

GAP_WORDS = 3  # what "..." stands for
_KNOWN_CACHE_SIZE = 100_000
_UNSEEN = object()
_LONGEST_SPAN = 64  # words: no pattern or cue combination is longer


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message names the pattern."""


# --- the pattern's syntax tree ------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    word: str


@dataclass(frozen=True)
class _Prefix:
    prefix: str


@dataclass(frozen=True)
class _Any:
    kind: str  # "any", "number" or "year"


@dataclass(frozen=True)
class _Gap:
    pass


@dataclass(frozen=True)
class _Seq:
    parts: tuple


@dataclass(frozen=True)
class _Alt:
    options: tuple


# --- the automaton under construction -----------------------------------------------------


class _State:
    """A state under construction; its moves are made only when needed (most have none)."""

    __slots__ = ("words", "prefixes", "wild", "empty", "accepts")

    def __init__(self) -> None:
        self.words: dict[str, set[int]] | None = None
        self.prefixes: list[tuple[str, int]] | None = None
        self.wild: dict[str, set[int]] | None = None  # "any" / "number" / "year"
        self.empty: list[int] | None = None
        self.accepts: set[int] | None = None

    def on_word(self, word: str, target: int) -> None:
        self.words = self.words or {}
        self.words.setdefault(word, set()).add(target)

    def on_prefix(self, prefix: str, target: int) -> None:
        self.prefixes = self.prefixes or []
        self.prefixes.append((prefix, target))

    def on_wild(self, kind: str, target: int) -> None:
        self.wild = self.wild or {}
        self.wild.setdefault(kind, set()).add(target)

    def on_empty(self, target: int) -> None:
        self.empty = self.empty or []
        self.empty.append(target)


def _nullable(tree: object) -> bool:
    """Whether a syntax tree can match no word at all."""
    if isinstance(tree, _Gap):
        return True
    if isinstance(tree, _Seq):
        return all(_nullable(p) for p in tree.parts)
    if isinstance(tree, _Alt):
        return any(_nullable(o) for o in tree.options)
    return False


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


_WILD_TESTS = {"any": lambda w: True, "number": str.isdigit, "year": _is_year}


@dataclass(frozen=True)
class _Step:
    """A compiled state: where each kind of word leads (targets are closed over empty moves)."""

    words: dict[str, tuple[int, ...]]
    prefixes: tuple[tuple[str, tuple[int, ...]], ...]
    wild: tuple[tuple[str, tuple[int, ...]], ...]
    accepts: tuple[int, ...]


class PhraseSet:
    """Patterns compiled together; :meth:`find` reports every rule's matches in one pass.

    Add patterns with :meth:`add` (each gets a rule number), then :meth:`compile`. The
    compiler also records the vocabulary (literal words) and prefixes the patterns use,
    which the Normaliser needs so that it repairs text only towards words that matter.
    """

    def __init__(self, lists: Mapping[str, Sequence[str]], normaliser: Normaliser) -> None:
        self._lists = lists
        self._reader = normaliser  # spellings only: used to read the patterns themselves
        self._list_trees: dict[str, object] = {}
        self._states: list[_State] = [_State()]  # state 0: the start of every pattern
        self.patterns: list[str] = []
        self.vocabulary: set[str] = set()
        self.prefixes: set[str] = set()
        self._steps: tuple[_Step, ...] = ()
        self._root_prefixes: dict[int, dict[str, tuple[int, ...]]] = {}
        self._named: frozenset[str] = frozenset()
        self._all_prefixes: tuple[str, ...] = ()
        self._any_moves: tuple[tuple[int, ...], ...] = ()
        self._known: dict[str, tuple[int, ...] | None] = {}

    # --- building -------------------------------------------------------------------------

    def add(self, pattern: str) -> int:
        """Add a pattern; returns its rule number. Raises PatternError naming the pattern."""
        if pattern.startswith("re:"):
            raise PatternError(
                f"regular expressions are not supported ({pattern!r}): write it in the "
                "pattern language, which runs in linear time"
            )
        tree = self._parse(pattern, ())
        if _nullable(tree):
            raise PatternError(f"pattern {pattern!r} can match nothing at all")
        rule = len(self.patterns)
        self.patterns.append(pattern)
        start, end = self._build(tree)
        self._states[0].on_empty(start)
        self._states[end].accepts = (self._states[end].accepts or set()) | {rule}
        return rule

    def _new(self) -> int:
        self._states.append(_State())
        return len(self._states) - 1

    def _build(self, tree: object) -> tuple[int, int]:
        """Thompson construction: a fragment (start, end) for one syntax tree."""
        states = self._states
        if isinstance(tree, _Seq) and tree.parts:
            start, current = self._build(tree.parts[0])
            for part in tree.parts[1:]:
                a, b = self._build(part)
                states[current].on_empty(a)
                current = b
            return start, current
        start = self._new()
        end = self._new()
        if isinstance(tree, _Word):
            states[start].on_word(tree.word, end)
        elif isinstance(tree, _Prefix):
            states[start].on_prefix(tree.prefix, end)
        elif isinstance(tree, _Any):
            states[start].on_wild(tree.kind, end)
        elif isinstance(tree, _Gap):
            current = start
            states[current].on_empty(end)
            for _ in range(GAP_WORDS):
                nxt = self._new()
                states[current].on_wild("any", nxt)
                states[nxt].on_empty(end)
                current = nxt
        elif isinstance(tree, _Alt):
            for option in tree.options:
                a, b = self._build(option)
                states[start].on_empty(a)
                states[b].on_empty(end)
        else:  # an empty sequence: "{a|}"'s empty option
            states[start].on_empty(end)
        return start, end

    def compile(self) -> None:
        """Resolve empty moves; after this the set is read-only and safe to share.

        Only the start and the states a word leads to are ever active, so only those get a
        compiled step; each gathers the moves of every state its empty moves reach.
        """
        states = self._states
        live = {0}
        for state in states:
            for targets in (state.words or {}).values():
                live |= targets
            live.update(t for _, t in state.prefixes or ())
            for targets in (state.wild or {}).values():
                live |= targets
        renumber = {old: new for new, old in enumerate(sorted(live))}
        productive: dict[int, frozenset[int]] = {}

        def reach(state: int) -> frozenset[int]:
            """The states with moves or accepts that ``state``'s empty moves reach (the graph
            of empty moves has no cycles: the language has no repetition)."""
            if state not in productive:
                st = states[state]
                own = st.words or st.prefixes or st.wild or st.accepts
                found = frozenset({state}) if own else frozenset()
                for nxt in st.empty or ():
                    found |= reach(nxt)
                productive[state] = found
            return productive[state]

        steps = []
        for s in sorted(live):
            words: dict[str, set[int]] = {}
            prefixes: list[tuple[str, int]] = []
            wild: dict[str, set[int]] = {}
            accepts: set[int] = set()
            for member in reach(s):
                state = states[member]
                for word, targets in (state.words or {}).items():
                    words.setdefault(word, set()).update(renumber[t] for t in targets)
                prefixes.extend((p, renumber[t]) for p, t in state.prefixes or ())
                for kind, targets in (state.wild or {}).items():
                    wild.setdefault(kind, set()).update(renumber[t] for t in targets)
                accepts |= state.accepts or set()
            steps.append(
                _Step(
                    {w: tuple(sorted(t)) for w, t in words.items()},
                    tuple((p, (t,)) for p, t in prefixes),
                    tuple((k, tuple(sorted(t))) for k, t in wild.items()),
                    tuple(sorted(accepts)),
                )
            )
        by_length: dict[int, dict[str, set[int]]] = {}
        for prefix, (target,) in steps[0].prefixes:
            by_length.setdefault(len(prefix), {}).setdefault(prefix, set()).add(target)
        self._root_prefixes = {
            n: {p: tuple(sorted(t)) for p, t in group.items()} for n, group in by_length.items()
        }
        self._steps = tuple(steps)
        self._named = frozenset(w for step in steps for w in step.words)
        self._all_prefixes = tuple(sorted({p for step in steps for p, _ in step.prefixes}))
        self._any_moves = tuple(
            tuple(t for kind, targets in step.wild if kind == "any" for t in targets)
            for step in steps
        )
        self._states = []  # construction data no longer needed

    # --- matching -------------------------------------------------------------------------

    def find(self, words: Sequence[str]) -> dict[int, list[tuple[int, int]]]:
        """Every rule's matches as (first, last) word indexes, longest per end position.

        One left-to-right pass; at most one thread per automaton state, each keeping the
        earliest start, so the work per word is bounded by the automaton's size. A word no
        pattern names (most words) can only move a thread through ``*`` or ``...``.
        """
        found: dict[int, list[tuple[int, int]]] = {}
        active: dict[int, int] = {}
        steps = self._steps
        anywhere = self._any_moves
        known = self._known
        for index, word in enumerate(words):
            following: dict[int, int] = {}
            starts = known.get(word, _UNSEEN)
            if starts is _UNSEEN:
                starts = self._remember(word)
            if starts is None:  # a word no pattern names
                if not active and not anywhere[0]:
                    continue
                for target in anywhere[0]:
                    following[target] = index
                for state, start in active.items():
                    for target in anywhere[state]:
                        if following.get(target, index) > start:
                            following[target] = start
            else:
                for target in starts:
                    following[target] = index
                for state, start in active.items():
                    step = steps[state]
                    lists = [step.words.get(word, ())]
                    if step.prefixes:
                        lists.extend(t for p, t in step.prefixes if word.startswith(p))
                    if step.wild:
                        lists.extend(t for kind, t in step.wild if _WILD_TESTS[kind](word))
                    for targets in lists:
                        for target in targets:
                            if following.get(target, index) > start:
                                following[target] = start
            for state, start in following.items():
                for rule in steps[state].accepts:
                    found.setdefault(rule, []).append((start, index))
            active = following
        return found

    def _remember(self, word: str) -> tuple[int, ...] | None:
        """Where ``word`` moves the start state, remembered; None when no pattern names it
        (nor may: a prefix, a number), so it can only move threads through * and ...."""
        if len(self._known) > _KNOWN_CACHE_SIZE:
            self._known.clear()  # a burst of unique words: start over, stay bounded
        named = word in self._named or word.startswith(self._all_prefixes) or word.isdigit()
        starts = None
        if named:
            root = self._steps[0]
            found = set(root.words.get(word, ()))
            for length, group in self._root_prefixes.items():
                found.update(group.get(word[:length], ()))
            for kind, targets in root.wild:
                if _WILD_TESTS[kind](word):
                    found.update(targets)
            starts = tuple(sorted(found))
        self._known[word] = starts
        return starts

    # --- parsing --------------------------------------------------------------------------

    def _parse(self, pattern: str, stack: tuple[str, ...]) -> object:
        try:
            tree, i = self._sequence(pattern, 0, stack)
        except IndexError:
            raise PatternError(f"unclosed '{{' in pattern {pattern!r}") from None
        if i != len(pattern):
            raise PatternError(f"unexpected {pattern[i]!r} in pattern {pattern!r}")
        return tree

    def _sequence(self, s: str, i: int, stack: tuple[str, ...]) -> tuple[object, int]:
        parts: list[object] = []
        while i < len(s):
            c = s[i]
            if c == " ":
                i += 1
            elif c in "|}":
                break
            elif c == "{":
                options = []
                i += 1
                while True:
                    part, i = self._sequence(s, i, stack)
                    options.append(part)
                    if s[i] == "}":
                        i += 1
                        break
                    i += 1  # "|"
                parts.append(_Alt(tuple(options)))
            elif c == "<":
                end = s.find(">", i)
                if end < 0:
                    raise PatternError(f"unclosed '<' in pattern {s!r}")
                parts.append(self._list(s[i + 1 : end].strip(), stack, s))
                i = end + 1
            else:
                end = i
                while end < len(s) and s[end] not in " {}|<":
                    end += 1
                parts.extend(self._word(s[i:end], s))
                i = end
        return _Seq(tuple(parts)), i

    def _word(self, word: str, pattern: str) -> list[object]:
        if word == "*":
            return [_Any("any")]
        if word == "...":
            return [_Gap()]
        if word == "#":
            return [_Any("number")]
        if word == "#year":
            return [_Any("year")]
        if word.endswith("*"):
            prefix = canonical(word[:-1]).replace("'", "")
            if not prefix.isalnum():
                raise PatternError(f"bad prefix {word!r} in pattern {pattern!r}")
            self.prefixes.add(prefix)
            return [_Prefix(prefix)]
        words = self._reader.canonical_words(word)
        if not words:
            raise PatternError(f"no word in {word!r} in pattern {pattern!r}")
        self.vocabulary.update(words)
        return [_Word(w) for w in words]

    def _list(self, name: str, stack: tuple[str, ...], pattern: str) -> object:
        if name in stack:
            raise PatternError(f"list <{name}> refers to itself (via {' -> '.join(stack)})")
        if name not in self._list_trees:
            if name not in self._lists:
                raise PatternError(f"unknown list <{name}> in pattern {pattern!r}")
            items = tuple(self._parse(item, (*stack, name)) for item in self._lists[name])
            self._list_trees[name] = _Alt(items)
        return self._list_trees[name]


def leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping spans, as a regular expression's finditer would pick them."""
    chosen: list[tuple[int, int]] = []
    for first, last in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not chosen or first > chosen[-1][1]:
            chosen.append((first, last))
    return chosen


def together(cues: list[list[tuple[int, int]]], within: int) -> list[tuple[int, int]]:
    """Spans holding one span of every cue, first to last at most ``within`` words apart
    (the tightest window ending at each span; windows do not overlap). Linear after sorting.
    """
    if not all(cues):
        return []
    events = sorted((last, first, n) for n, spans in enumerate(cues) for first, last in spans)
    latest: dict[int, tuple[int, int]] = {}
    out: list[tuple[int, int]] = []
    for last, first, n in events:
        latest[n] = (first, last)
        if len(latest) == len(cues):
            start = min(f for f, _ in latest.values())
            if last - start <= within and (not out or start > out[-1][1]):
                out.append((start, last))
    return out


class Found:
    """The spans of every rule in one text, indexed so that each context question (is this
    span excluded, negated, near a marker?) costs time bounded by the window, not by the
    number of spans: the whole check stays linear in the length of the text."""

    def __init__(self, words: Words, spans: dict[int, list[tuple[int, int]]], window: int):
        self.words = words
        self.spans = spans
        self.window = window
        self._sentences = words.sentences
        # Keyed by id(): the rule tuples belong to the detector and live as long as it does,
        # and hashing a long tuple on every question would cost more than the answer.
        self._covers: dict[int, list[int]] = {}
        self._ends: dict[int, set[int]] = {}
        self._by_start: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}

    def of(self, rules: tuple[int, ...]) -> list[tuple[int, int]]:
        return [s for r in rules for s in self.spans.get(r, ())]

    def overlaps(self, span: tuple[int, int], rules: tuple[int, ...]) -> bool:
        """Whether any span of ``rules`` shares a word with ``span`` (prefix sums)."""
        key = id(rules)
        if key not in self._covers:
            marks = [0] * (len(self._sentences) + 1)
            for first, last in self.of(rules):
                marks[first] += 1
                marks[last + 1] -= 1
            running, covered = 0, [0]
            for m in marks[:-1]:
                running += m
                covered.append(covered[-1] + (running > 0))
            self._covers[key] = covered
        covered = self._covers[key]
        return covered[span[1] + 1] > covered[span[0]]

    def ends_at(self, index: int, rules: tuple[int, ...]) -> list[tuple[int, int]]:
        key = id(rules)
        if key not in self._ends:
            self._ends[key] = {last for _, last in self.of(rules)}
        if index not in self._ends[key]:
            return []
        return [s for s in self.of(rules) if s[1] == index]

    def spans_of(self, rules: tuple[int, ...]) -> bool:
        return any(r in self.spans for r in rules)

    def _sorted(self, rules: tuple[int, ...]) -> tuple[list[int], list[tuple[int, int]]]:
        key = id(rules)
        if key not in self._by_start:
            ordered = sorted(set(self.of(rules)))
            self._by_start[key] = ([f for f, _ in ordered], ordered)
        return self._by_start[key]

    def same_sentence(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        sentences = self._sentences
        return {sentences[a[0]], sentences[a[1]]} & {sentences[b[0]], sentences[b[1]]} != set()

    def near(self, span: tuple[int, int], rules: tuple[int, ...]) -> bool:
        """A span of ``rules`` within the window of ``span``, in the same sentence."""
        starts, ordered = self._sorted(rules)
        # Patterns are at most a few dozen words long, so a marker that reaches the window
        # starts at most that far before it.
        low = bisect_left(starts, span[0] - self.window - _LONGEST_SPAN)
        high = bisect_right(starts, span[1] + self.window)
        for marker in ordered[low:high]:
            gap = max(marker[0] - span[1], span[0] - marker[1], 0)
            if gap <= self.window and self.same_sentence(span, marker):
                return True
        return False

    def near_before(self, span: tuple[int, int], rules: tuple[int, ...]) -> bool:
        """A span of ``rules`` ending within the window before ``span``, same sentence."""
        if not self.spans_of(rules):
            return False
        starts, ordered = self._sorted(rules)
        low = bisect_left(starts, span[0] - self.window - _LONGEST_SPAN)
        high = bisect_right(starts, span[0])
        return any(
            m[1] < span[0] and span[0] - m[1] <= self.window and self.same_sentence(m, span)
            for m in ordered[low:high]
        )


def strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} must be a list of strings")
    return value


def table(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a table")
    return value


def sign_rules(
    sign: Mapping[str, Any], rules: Any, where: str
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A [[sign]]'s rule numbers: (phrases, any one of which is the sign; together, all of
    which must be found close together). Exactly one of the two, together of two cues or
    more."""
    phrases = rules(sign.get("phrases", []), f"{where}.phrases")
    cues = rules(sign.get("together", []), f"{where}.together")
    if bool(phrases) == bool(cues) or len(cues) == 1:
        raise ValueError(f"{where}: give either phrases or together (two cues or more)")
    return phrases, cues


ResultT = TypeVar("ResultT")


class PhraseDetector(Generic[ResultT]):
    """What every phrase-file detector offers: ``detect`` on a string or a list, as
    Detoxify's ``predict`` does, and ``normalise`` to see a text as the patterns do."""

    _normaliser: Normaliser

    def normalise(self, text: str) -> str:
        """The text as the patterns see it (lower-case words, single spaces); for debugging."""
        return " ".join(self._normaliser(text).words)

    @overload
    def detect(self, text: str) -> ResultT: ...

    @overload
    def detect(self, text: Sequence[str]) -> list[ResultT]: ...

    def detect(self, text: str | Sequence[str]) -> ResultT | list[ResultT]:
        if isinstance(text, str):
            return self._detect_one(text)
        return [self._detect_one(t) for t in text]

    def _detect_one(self, text: str) -> ResultT:
        raise NotImplementedError
