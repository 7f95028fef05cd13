"""One normaliser for every detector (crisis, hostility, identifying details).

Why: people hide words from filters, on purpose or not: zero-width and other format
characters, soft hyphens, look-alike letters from other scripts ("kіll" with a Cyrillic і),
full-width or mathematical letters, leetspeak ("k1ll"), stretched letters ("diiiie") and
spaced-out letters ("k i l l"). Every detector reads text through this module, so a trick
that beats one beats none. Whatever is rewritten, every span still points into the ORIGINAL
text, so highlights and redaction land on what the writer typed.

Two layers:

* :func:`fold` works on characters: compatibility folding (NFKC's mappings, done as NFKD with
  the combining marks dropped, so accents and "zalgo" marks go too), Unicode format
  characters (category Cf: zero-width space and joiners, soft hyphen, bidi marks) removed,
  and look-alike letters mapped to Latin from Unicode's confusables table (TR39, as packaged
  by ``confusable-homoglyphs``). The identifying-details guard uses this layer, case kept.
* :class:`Normaliser` cuts folded text into lower-case words, each with its original span,
  and repairs leetspeak, stretched and spaced letters, but only into words a detector's
  patterns use, so ordinary words are never "corrected" into something they are not.

Everything here runs in time linear in the length of the text.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u2032"
_APOSTROPHE_TABLE = str.maketrans({c: "'" for c in APOSTROPHES})
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})  # combining marks, format characters
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# A word: letters/digits, apostrophes inside it, the leetspeak symbols @ and $, and ! or |
# standing for a letter between two letters ("k!ll").
_WORD = r"(?:[^\W_]+|[" + re.escape(APOSTROPHES) + r"@$]|(?<=[^\W\d_])[!|](?=[^\W\d_]))+"
# Spaced-out letters: three or more single letters with a few separators between them
# ("k i l l", "k.i.l.l", "k-1-l-l"), read as one run and split into words afterwards.
_SEPARATOR = r"[ \t.\-_*\u00b7]"
_NOT_IN_A_WORD = r"(?![^\W_]|[" + re.escape(APOSTROPHES) + "])"
_RUN = rf"(?<![^\W_])[^\W_](?:{_SEPARATOR}{{1,3}}[^\W_]{_NOT_IN_A_WORD}){{2,}}"
_TOKEN_RE = re.compile(rf"(?P<run>{_RUN})|(?P<word>{_WORD})")
_LETTER = re.compile(r"[^\W_]")
_WIDE_GAP = re.compile(r"\s{2,}")
# Between two words, a sentence ends at . ! ? ; followed by a space (not "k.i.l.l"), or at a
# line break.
_SENTENCE_BREAK_RE = re.compile(r"[.!?;]\s|\n")
_LEET = {"0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
         "!": "i", "|": "il", "8": "b", "9": "g"}  # fmt: skip
_LEET_TABLES = tuple(
    str.maketrans({k: v[min(i, len(v) - 1)] for k, v in _LEET.items()}) for i in range(2)
)
_RUN_RE = re.compile(r"(.)\1{2,}")  # a letter stretched to three or more ("diiiie")
_REPAIR_CACHE_SIZE = 100_000


# ---------------------------------------------------------------------------------------------
# Characters
# ---------------------------------------------------------------------------------------------


@functools.cache
def _lookalikes() -> dict[str, str]:
    """Non-ASCII characters Unicode lists as confusable with one ASCII letter, to that letter.

    Read once from ``confusable-homoglyphs``' copy of Unicode's confusables.txt. Digits and
    symbols are left out: "0" for "o" is leetspeak, repaired word by word, so that numbers
    stay numbers.
    """
    from confusable_homoglyphs.utils import load

    letters = set(string.ascii_letters)
    table: dict[str, str] = {}
    for char, entries in load("confusables.json").items():
        if len(char) != 1 or char.isascii():
            continue
        targets = [e["c"] for e in entries if len(e["c"]) == 1 and e["c"] in letters]
        if targets:
            same_case = [t for t in targets if t.isupper() == char.isupper()]
            table[char] = (same_case or targets)[0]
    return table


@functools.lru_cache(maxsize=65_536)
def _fold_char(char: str, lower: bool) -> str:
    """One non-ASCII character as the detectors read it (may be empty, or several letters)."""
    table = _lookalikes()
    if char in table:
        folded = table[char]
    else:
        folded = "".join(
            table.get(part, part)
            for part in unicodedata.normalize("NFKD", char)
            if unicodedata.category(part) not in _DROPPED_CATEGORIES
        )
    if lower:
        folded = "".join(
            c for c in folded.lower() if unicodedata.category(c) not in _DROPPED_CATEGORIES
        )
    return folded


@dataclass(frozen=True)
class FoldedText:
    """Text with its characters folded, and the way back to the original offsets."""

    original: str
    text: str
    origin: tuple[int, ...] | None  # origin[i]: where text[i] came from; None: same offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text offsets of folded text[start:end] (end > start)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str, *, lower: bool = True) -> FoldedText:
    """Fold the characters of ``text`` (see the module docstring); ``lower`` also lower-cases.

    ASCII text is only lower-cased: offsets are unchanged and nothing else is done.
    """
    if text.isascii():
        return FoldedText(text, text.lower() if lower else text, None)
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for run in _NON_ASCII.finditer(text):
        start, end = run.span()
        plain = text[position:start]
        pieces.append(plain.lower() if lower else plain)
        origin.extend(range(position, start))
        for index in range(start, end):
            folded = _fold_char(text[index], lower)
            pieces.append(folded)
            origin.extend([index] * len(folded))
        position = end
    plain = text[position:]
    pieces.append(plain.lower() if lower else plain)
    origin.extend(range(position, len(text)))
    return FoldedText(text, "".join(pieces), tuple(origin))


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


class Token(NamedTuple):
    """One normalised word and the span of ORIGINAL text it came from."""

    word: str
    start: int
    end: int
    sentence: int


def canonical(word: str) -> str:
    """A word as written in a pattern: folded, lower-case, apostrophes unified."""
    return fold(word).text.translate(_APOSTROPHE_TABLE)


class _Trie:
    """The detector's words letter by letter, to join spaced-out letters in linear time.

    The same trie is written out as a regular expression whose every branch is one letter
    (with its leetspeak look-alikes), longest word first: finditer over a run of letters then
    finds, in C and without unbounded backtracking (a word is at most a few dozen letters),
    the greedy leftmost-longest words.
    """

    END = ""

    def __init__(self, words: Iterable[str]) -> None:
        self.root: dict = {}
        for word in words:
            if len(word) >= 3 and word.isalpha() and word.isascii():
                node = self.root
                for char in word:
                    node = node.setdefault(char, {})
                node[self.END] = word
        pattern = self._regex(self.root)
        self.regex = re.compile(pattern) if pattern else None

    def _regex(self, node: dict) -> str:
        branches = [
            _LETTER_CLASS.get(char, re.escape(char)) + self._regex(child)
            for char, child in sorted(node.items())
            if char != self.END
        ]
        if not branches:
            return ""
        if self.END in node:
            branches.append("")  # end here, but only if no longer word fits
        return "(?:" + "|".join(branches) + ")"

    def word(self, letters: str) -> str:
        """The trie's word that ``letters`` (as matched, leetspeak perhaps) spells."""
        nodes = [self.root]
        for char in letters:
            nodes = [n[c] for n in nodes for c in _OPTIONS.get(char, char) if c in n]
        return next(n[self.END] for n in nodes if self.END in n)


_OPTIONS = {k: k + v for k, v in _LEET.items()}
_LETTER_CLASS = {
    letter: "[" + re.escape(letter + "".join(k for k, v in _LEET.items() if letter in v)) + "]"
    for letter in string.ascii_lowercase
}


@dataclass(frozen=True)
class Words:
    """A text as a detector reads it: normalised words, each with its ORIGINAL span and the
    number of the sentence it is in (parallel tuples: cheap to build for a long text)."""

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sentences: tuple[int, ...]

    @property
    def tokens(self) -> tuple[Token, ...]:
        return tuple(map(Token, self.words, self.starts, self.ends, self.sentences))

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Original-text offsets covered by words first..last."""
        return self.starts[first], self.ends[last]


class Normaliser:
    """Turns text into plain lower-case words, keeping each word's original offsets.

    ``spellings`` maps what people type to what patterns say (``{"im": "i am"}``; keys may
    hold an apostrophe or several words). ``vocabulary`` and ``prefixes`` are the words
    patterns use: leetspeak, stretched letters and spaced-out letters are repaired only into
    those. Built once per detector; calling it is then pure and thread-safe.
    """

    def __init__(
        self,
        spellings: Mapping[str, str] | None = None,
        vocabulary: Iterable[str] = (),
        prefixes: Iterable[str] = (),
    ) -> None:
        self._spellings: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, value in (spellings or {}).items():
            words = tuple(canonical(key).split())
            if not words:
                raise ValueError(f"empty spelling key for {value!r}")
            self._spellings[words] = tuple(canonical(value).replace("'", "").split())
        self._longest_key = max((len(k) for k in self._spellings), default=1)
        self._multi_starts = frozenset(k[0] for k in self._spellings if len(k) > 1)
        self._vocabulary = {w for w in vocabulary if w}
        for key in self._spellings:
            self._vocabulary.update(w.replace("'", "") for w in key)
        self._prefixes = tuple(sorted({p for p in prefixes if p}))
        self._trie = _Trie(self._vocabulary | set(self._prefixes))
        self._single = {k[0]: v for k, v in self._spellings.items() if len(k) == 1}
        self._repaired: dict[str, str] = {}
        self._read_cache: dict[str, tuple[str, str]] = {}

    def canonical_words(self, word: str) -> tuple[str, ...]:
        """How a single word in a pattern is read: the same rewriting posts get."""
        raw = canonical(word)
        for form in (raw, raw.replace("'", "")):
            if (form,) in self._spellings:
                return self._spellings[(form,)]
        return tuple(m.group().replace("'", "") for m in re.finditer(_WORD, raw))

    def _known(self, word: str) -> bool:
        return word in self._vocabulary or word.startswith(self._prefixes)

    def _repair(self, word: str) -> str:
        """Undo leetspeak and stretched letters, but only into a word the patterns use."""
        repaired = self._repaired.get(word)
        if repaired is None:
            if len(self._repaired) > _REPAIR_CACHE_SIZE:
                self._repaired.clear()  # a burst of unique words: start over, stay bounded
            repaired = self._repaired[word] = self._repair_uncached(word)
        return repaired

    def _repair_uncached(self, word: str) -> str:
        if self._known(word):
            return word
        candidates = []
        if any(c.isalpha() for c in word) and any(c in _LEET for c in word):
            candidates.extend(word.translate(t) for t in _LEET_TABLES)
        for base in [word, *candidates]:
            if _RUN_RE.search(base):
                candidates.append(_RUN_RE.sub(r"\1\1", base))
                candidates.append(_RUN_RE.sub(r"\1", base))
        for candidate in candidates:
            if self._known(candidate):
                return candidate
        return word.translate(_STRIP_SYMBOLS)

    def _spaced(
        self, found: _Found, run: str, offset: int, origin: Sequence[int] | None, sentence: int
    ) -> None:
        """Read a run of spaced-out letters ("k i l l m y s e l f" -> "kill myself").

        A wider gap (two spaces or more) ends a word, as the writer meant it. Within a word
        the words the patterns use are found greedily, longest first (a trie-shaped regular
        expression); the letters between them are read as one word each ("q w e r t y" is
        "qwerty", not six words), which is how a person reads spaced-out writing.
        """
        position = 0
        for gap in [*_WIDE_GAP.finditer(run), None]:
            end = gap.start() if gap else len(run)
            self._spaced_word(found, run[position:end], offset + position, origin, sentence)
            position = gap.end() if gap else end

    def _spaced_word(
        self, found: _Found, run: str, offset: int, origin: Sequence[int] | None, sentence: int
    ) -> None:
        letters = "".join(_LETTER.findall(run))
        pieces = []  # (first letter, stop, word or None)
        position = 0
        if self._trie.regex is not None:
            for m in self._trie.regex.finditer(letters):
                if m.end() - m.start() >= 3:
                    if m.start() > position:
                        pieces.append((position, m.start(), None))
                    pieces.append((m.start(), m.end(), self._trie.word(m.group())))
                    position = m.end()
        if position < len(letters):
            pieces.append((position, len(letters), None))
        at = [m.start() for m in _LETTER.finditer(run)]
        for first, stop, word in pieces:
            start, end = offset + at[first], offset + at[stop - 1] + 1
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            raw = word or letters[first:stop]
            found.add(raw, word or self._repair(raw), start, end, sentence)

    def _respell(self, found: _Found) -> Words:
        """Apply the spellings: longest key first; one-word keys with their apostrophe first."""
        spellings, single, multi_starts = self._spellings, self._single, self._multi_starts
        raws, words, starts, ends, sentences = (
            found.raws, found.words, found.starts, found.ends, found.sentences,
        )  # fmt: skip
        count = len(words)
        todo = [
            i
            for i, (raw, word) in enumerate(zip(raws, words, strict=True))
            if word in multi_starts or raw in single or word in single
        ]
        if not todo:
            return Words(found.text, tuple(words), tuple(starts), tuple(ends), tuple(sentences))
        out = _Found(found.text)
        copied = 0
        for i in todo:
            if i < copied:
                continue  # inside a several-word spelling already applied
            value, length = None, 1
            if words[i] in multi_starts:
                for length in range(min(self._longest_key, count - i), 1, -1):
                    value = spellings.get(tuple(words[i : i + length]))
                    if value is not None:
                        break
            if value is None:
                length = 1
                value = single.get(raws[i]) or single.get(words[i])
            if value is None:
                continue
            out.extend(found, copied, i)
            end = ends[i + length - 1]
            for w in value:
                out.add(w, w, starts[i], end, sentences[i])
            copied = i + length
        out.extend(found, copied, count)
        return Words(
            found.text, tuple(out.words), tuple(out.starts), tuple(out.ends), tuple(out.sentences)
        )

    def _read(self, raw: str) -> tuple[str, str]:
        """A token as found, as (lower-case with apostrophes unified, repaired word)."""
        cached = self._read_cache.get(raw)
        if cached is None:
            if len(self._read_cache) > _REPAIR_CACHE_SIZE:
                self._read_cache.clear()  # a burst of unique words: start over, stay bounded
            plain = raw.translate(_APOSTROPHE_TABLE).strip("'")
            cached = self._read_cache[raw] = (plain, self._repair(plain.replace("'", "")))
        return cached

    def __call__(self, text: str) -> Words:
        folded = fold(text)
        body, origin = folded.text, folded.origin
        breaks = [m.start() for m in _SENTENCE_BREAK_RE.finditer(body)]
        found = _Found(text)
        cache, read, add = self._read_cache, self._read, found.add
        b, count = 0, len(breaks)
        for m in _TOKEN_RE.finditer(body):
            start = m.start()
            while b < count and breaks[b] < start:
                b += 1
            if m.lastgroup == "run":
                self._spaced(found, m.group(), start, origin, b)
                continue
            token = m.group()
            raw, word = cache.get(token) or read(token)
            if word:
                end = m.end()
                if origin is not None:
                    start, end = origin[start], origin[end - 1] + 1
                add(raw, word, start, end, b)
        return self._respell(found)


class _Found:
    """Words as found, before spaced letters are joined and spellings applied."""

    __slots__ = ("text", "raws", "words", "starts", "ends", "sentences")

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.raws: list[str] = []  # lower-case, apostrophes unified
        self.words: list[str] = []  # apostrophes removed, repaired
        self.starts: list[int] = []  # offsets in the original text
        self.ends: list[int] = []
        self.sentences: list[int] = []

    def add(self, raw: str, word: str, start: int, end: int, sentence: int) -> None:
        self.raws.append(raw)
        self.words.append(word)
        self.starts.append(start)
        self.ends.append(end)
        self.sentences.append(sentence)

    def extend(self, other: _Found, first: int, stop: int) -> None:
        self.raws += other.raws[first:stop]
        self.words += other.words[first:stop]
        self.starts += other.starts[first:stop]
        self.ends += other.ends[first:stop]
        self.sentences += other.sentences[first:stop]


_STRIP_SYMBOLS = str.maketrans("", "", "@$!|")
