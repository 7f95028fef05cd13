"""Readable phrase patterns, matched on normalised text, with spans back into the original.

Why: moderators keep phrase lists in data files they can read, so the lists need a small
pattern language rather than raw regular expressions; and people write messily (case,
apostrophes, odd spacing, leetspeak, stretched letters, misspellings), so text is normalised
into plain words first, each word remembering where it came from in the original text.

Pattern language (documented for moderators at the top of data/crisis_phrases.toml):
``word``, ``{a|b c|}`` alternatives (empty = optional), ``word*`` prefix, ``*`` one word,
``...`` up to three words, ``#`` a number, ``<list>`` a named list, ``re:...`` raw regex.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u2032"
_APOSTROPHE_TABLE = str.maketrans({c: "'" for c in APOSTROPHES})
# A word: letters/digits, apostrophes inside it, and the leetspeak symbols @ and $.
_TOKEN_RE = re.compile(r"(?:[^\W_]|[" + re.escape(APOSTROPHES) + r"@$])+")
# Between two words, a sentence ends at . ! ? ; followed by a space (not "k.i.l.l"), or at a
# line break.
_SENTENCE_BREAK_RE = re.compile(r"[.!?;]\s|\n")
_LEET_TABLES = (
    str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}),
    str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}),
)
_RUN_RE = re.compile(r"(.)\1{2,}")  # a letter stretched to three or more ("diiiie")
_GAP_WORDS = 3  # what "..." stands for


class PatternError(ValueError):
    """A phrase pattern that cannot be compiled; the message names the pattern."""


class Token(NamedTuple):
    """One normalised word and the span of original text it came from."""

    word: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True)
class Phrase:
    """A compiled pattern: its regex, and words one of which any match contains (None: ?)."""

    pattern: str
    regex: re.Pattern[str]
    triggers: frozenset[str] | None


@dataclass(frozen=True)
class NormalisedText:
    """Normalised words joined as `` w1 w2 ... wn `` (a space before and after every word)."""

    tokens: tuple[Token, ...]
    text: str
    word_starts: tuple[int, ...]
    words: frozenset[str]

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """First and last token index covered by text[start:end], or None if it covers none."""
        if end <= start or not self.tokens:
            return None
        first = max(bisect_right(self.word_starts, start) - 1, 0)
        last_char = end - 1
        if self.text[last_char] == " ":
            last_char -= 1
        last = bisect_right(self.word_starts, last_char) - 1
        if last < first:
            return None
        return first, last

    def find(self, phrase: Phrase) -> list[tuple[int, int]]:
        """Token ranges (first, last) of every non-overlapping match of ``phrase``."""
        if phrase.triggers is not None and phrase.triggers.isdisjoint(self.words):
            return []  # cheap: a word every match needs is not here
        found = []
        for m in phrase.regex.finditer(self.text):
            rng = self.token_range(m.start(), m.end())
            if rng is not None:
                found.append(rng)
        return found

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Original-text offsets covered by tokens first..last."""
        return self.tokens[first].start, self.tokens[last].end


class _Raw(NamedTuple):
    raw: str  # lower-case, apostrophes unified
    word: str  # apostrophes removed, repaired
    start: int
    end: int
    sentence: int


def _basic(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHE_TABLE)


class Normaliser:
    """Turns text into plain lower-case words, keeping each word's original offsets.

    ``spellings`` maps what people type to what patterns say (``{"im": "i am"}``; keys may
    hold an apostrophe or two words). ``vocabulary`` and ``prefixes`` are the words patterns
    use: leetspeak, stretched letters and spaced-out letters are repaired only into those,
    so ordinary words are never "corrected" into something they are not.
    """

    def __init__(
        self,
        spellings: Mapping[str, str],
        vocabulary: Iterable[str] = (),
        prefixes: Iterable[str] = (),
    ) -> None:
        self._spellings: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, value in spellings.items():
            words = tuple(_basic(key).split())
            if not words:
                raise PatternError(f"empty spelling key for {value!r}")
            self._spellings[words] = tuple(_basic(value).replace("'", "").split())
        self._longest_key = max((len(k) for k in self._spellings), default=1)
        self._multi_starts = frozenset(k[0] for k in self._spellings if len(k) > 1)
        self._vocabulary = set(vocabulary)
        for key in self._spellings:
            self._vocabulary.update(w.replace("'", "") for w in key)
        self._prefixes = tuple(sorted(set(prefixes)))
        self._repaired: dict[str, str] = {}  # words repeat a lot: remember each repair

    def canonical_words(self, word: str) -> tuple[str, ...]:
        """How a single word in a pattern is read: the same rewriting posts get."""
        raw = _basic(word)
        for form in (raw, raw.replace("'", "")):
            if (form,) in self._spellings:
                return self._spellings[(form,)]
        return tuple(m.group().replace("'", "") for m in _TOKEN_RE.finditer(raw))

    def _known(self, word: str) -> bool:
        return word in self._vocabulary or word.startswith(self._prefixes)

    def _repair(self, word: str) -> str:
        """Undo leetspeak and stretched letters, but only into a word the patterns use."""
        repaired = self._repaired.get(word)
        if repaired is None:
            if len(self._repaired) > 100_000:
                self._repaired.clear()
            repaired = self._repaired[word] = self._repair_uncached(word)
        return repaired

    def _repair_uncached(self, word: str) -> str:
        if self._known(word):
            return word
        candidates = []
        if any(c.isalpha() for c in word) and any(c in "013457@$" for c in word):
            candidates.extend(word.translate(t) for t in _LEET_TABLES)
        for base in [word, *candidates]:
            if _RUN_RE.search(base):
                candidates.append(_RUN_RE.sub(r"\1\1", base))
                candidates.append(_RUN_RE.sub(r"\1", base))
        for candidate in candidates:
            if self._known(candidate):
                return candidate
        return word.replace("@", "").replace("$", "")

    def _join_spaced(self, raws: list[_Raw]) -> list[_Raw]:
        """Join runs of single letters that spell a pattern word ("k i l l" -> "kill")."""
        out: list[_Raw] = []
        i = 0
        while i < len(raws):
            j = i
            while j < len(raws) and len(raws[j].word) == 1:
                j += 1
            if j - i < 3:
                out.append(raws[i])
                i += 1
                continue
            k = i
            while k < j:
                for end in range(j, k + 2, -1):  # longest first, at least three letters
                    joined = self._repair("".join(r.word for r in raws[k:end]))
                    if self._known(joined):
                        first, last = raws[k], raws[end - 1]
                        out.append(_Raw(joined, joined, first.start, last.end, first.sentence))
                        k = end
                        break
                else:
                    out.append(raws[k])
                    k += 1
            i = j
        return out

    def _respell(self, raws: list[_Raw]) -> list[Token]:
        """Apply [spellings]: longest key first; one-word keys with their apostrophe first."""
        tokens: list[Token] = []
        spellings = self._spellings
        i = 0
        while i < len(raws):
            r = raws[i]
            value, length = None, 1
            if r.word in self._multi_starts:
                for length in range(min(self._longest_key, len(raws) - i), 1, -1):
                    value = spellings.get(tuple(x.word for x in raws[i : i + length]))
                    if value is not None:
                        break
            if value is None:
                length = 1
                value = spellings.get((r.raw,)) or spellings.get((r.word,)) or (r.word,)
            end = raws[i + length - 1].end
            tokens.extend(Token(w, r.start, end, r.sentence) for w in value)
            i += length
        return tokens

    def __call__(self, text: str) -> NormalisedText:
        raws: list[_Raw] = []
        ascii_only = text.isascii()  # then lower() keeps offsets and NFKC changes nothing
        sentence = 0
        previous_end = 0
        for m in _TOKEN_RE.finditer(text):
            if raws and _SENTENCE_BREAK_RE.search(text[previous_end : m.start()]):
                sentence += 1
            previous_end = m.end()
            raw = (m.group().lower() if ascii_only else _basic(m.group())).strip("'")
            word = self._repair(raw.replace("'", ""))
            if word:
                raws.append(_Raw(raw, word, m.start(), m.end(), sentence))
        tokens = self._respell(self._join_spaced(raws))
        starts = []
        position = 1
        for t in tokens:
            starts.append(position)
            position += len(t.word) + 1
        joined = " " + " ".join(t.word for t in tokens) + " " if tokens else " "
        return NormalisedText(
            tuple(tokens), joined, tuple(starts), frozenset(t.word for t in tokens)
        )


# Words so common that a pattern needing one of them is worth running on almost any post.
# fmt: off
_COMMON_WORDS = frozenset({
    "i", "me", "my", "you", "your", "he", "she", "him", "her", "his", "they", "them", "their",
    "we", "us", "our", "it", "is", "am", "are", "was", "were", "be", "been", "to", "the", "a",
    "an", "and", "or", "of", "in", "on", "at", "for", "with", "so", "just", "not", "no", "do",
    "did", "have", "has", "had", "will", "would", "can", "could", "that", "this", "what", "all",
    "one", "if", "when", "up", "out", "like", "get", "got", "going", "want", "really", "about",
    "now", "there", "by", "from", "as", "but", "too", "very", "some", "any", "know", "think",
    "feel", "still", "even", "never",
})
# fmt: on


def _cost(words: frozenset[str] | None) -> tuple[int, int]:
    """How often a set of trigger words will be found in a post: lower is more selective."""
    if words is None:
        return (1 << 30, 0)
    return (len(words & _COMMON_WORDS), len(words))


class _Part(NamedTuple):
    """A compiled piece of a pattern.

    ``firsts``: the words a match of it can start with (None: any word). ``required``: a set
    of words one of which every match contains, chosen to be as rare as possible (None: no
    such set). ``nullable``: it can match nothing.
    """

    regex: str
    firsts: frozenset[str] | None
    required: frozenset[str] | None
    nullable: bool


def _join(parts: Sequence[_Part]) -> _Part:
    firsts: set[str] | None = set()
    for part in parts:
        if firsts is not None:
            firsts = None if part.firsts is None else firsts | part.firsts
        if not part.nullable:
            break
    first_set = None if firsts is None else frozenset(firsts)
    options = [p.required for p in parts if not p.nullable] + [first_set]
    return _Part(
        "".join(p.regex for p in parts),
        first_set,
        min(options, key=_cost),
        all(p.nullable for p in parts),
    )


def _union(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    total: set[str] = set()
    for words in sets:
        if words is None:
            return None
        total |= words
    return frozenset(total)


def _either(parts: Sequence[_Part]) -> _Part:
    nullable = any(p.nullable for p in parts)
    return _Part(
        "(?:" + "|".join(p.regex for p in parts) + ")",
        _union(p.firsts for p in parts),
        None if nullable else _union(p.required for p in parts),
        nullable,
    )


_ANY_WORD = _Part("[^ ]+ ", None, None, False)
_NUMBER = _Part("[0-9]+ ", None, None, False)
_GAP = _Part(f"(?:[^ ]+ ){{0,{_GAP_WORDS}}}", None, None, True)


class PatternCompiler:
    """Compiles the pattern language into regular expressions over normalised text.

    It also collects the vocabulary (literal words) and prefixes the patterns use, which the
    Normaliser needs so that it repairs text only towards words that matter.
    """

    def __init__(self, lists: Mapping[str, Sequence[str]], normaliser: Normaliser) -> None:
        self._lists = lists
        self._normaliser = normaliser
        self._list_parts: dict[str, _Part] = {}
        self.vocabulary: set[str] = set()
        self.prefixes: set[str] = set()

    def compile(self, pattern: str) -> Phrase:
        if pattern.startswith("re:"):
            try:
                return Phrase(pattern, re.compile(pattern[3:]), None)
            except re.error as exc:
                raise PatternError(f"bad regular expression in {pattern!r}: {exc}") from exc
        part = self._pattern(pattern, ())
        if part.nullable:
            raise PatternError(f"pattern {pattern!r} can match nothing at all")
        return Phrase(pattern, re.compile("(?<= )" + part.regex), part.required)

    def _pattern(self, pattern: str, stack: tuple[str, ...]) -> _Part:
        try:
            part, i = self._sequence(pattern, 0, stack)
        except IndexError:
            raise PatternError(f"unclosed '{{' in pattern {pattern!r}") from None
        if i != len(pattern):
            raise PatternError(f"unexpected {pattern[i]!r} in pattern {pattern!r}")
        return part

    def _sequence(self, s: str, i: int, stack: tuple[str, ...]) -> tuple[_Part, int]:
        parts: list[_Part] = []
        while i < len(s):
            c = s[i]
            if c == " ":
                i += 1
            elif c in "|}":
                break
            elif c == "{":
                alternatives = []
                i += 1
                while True:
                    part, i = self._sequence(s, i, stack)
                    alternatives.append(part)
                    if s[i] == "}":
                        i += 1
                        break
                    i += 1  # "|"
                parts.append(_either(alternatives))
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
                parts.append(self._word(s[i:end], s))
                i = end
        return _join(parts), i

    def _word(self, word: str, pattern: str) -> _Part:
        if word == "*":
            return _ANY_WORD
        if word == "...":
            return _GAP
        if word == "#":
            return _NUMBER
        if word.endswith("*"):
            prefix = _basic(word[:-1]).replace("'", "")
            if not prefix.isalnum():
                raise PatternError(f"bad prefix {word!r} in pattern {pattern!r}")
            self.prefixes.add(prefix)
            return _Part(re.escape(prefix) + "[^ ]* ", None, None, False)
        words = self._normaliser.canonical_words(word)
        if not words:
            raise PatternError(f"no word in {word!r} in pattern {pattern!r}")
        self.vocabulary.update(words)
        regex = "".join(re.escape(w) + " " for w in words)
        rarest = min((frozenset({w}) for w in words), key=_cost)
        return _Part(regex, frozenset({words[0]}), rarest, False)

    def _list(self, name: str, stack: tuple[str, ...], pattern: str) -> _Part:
        if name in stack:
            raise PatternError(f"list <{name}> refers to itself (via {' -> '.join(stack)})")
        if name not in self._list_parts:
            if name not in self._lists:
                raise PatternError(f"unknown list <{name}> in pattern {pattern!r}")
            items = [self._pattern(item, (*stack, name)) for item in self._lists[name]]
            # Longest first, so "sleeping pills" wins over "pills" where both fit.
            items.sort(key=lambda p: len(p.regex), reverse=True)
            self._list_parts[name] = _either(items)
        return self._list_parts[name]
