"""The shared normaliser: what it undoes, and that spans still point into the original text."""

from __future__ import annotations

import pytest

from moderation.normalise import Normaliser, fold

VOCABULARY = {"kill", "myself", "die", "want", "to", "i", "you", "hurt", "find"}


@pytest.fixture(scope="module")
def normaliser() -> Normaliser:
    return Normaliser({"im": "i am", "kms": "kill myself"}, VOCABULARY, {"overdos"})


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ki\u200bll", "kill"),  # zero-width space
        ("ki\u00adll", "kill"),  # soft hyphen
        ("k\u200di\u2060l\ufeffl", "kill"),  # joiner, word joiner, BOM: all format characters
        ("k\u0456ll", "kill"),  # Cyrillic i
        ("\u0440\u0456lls", "pills"),  # Cyrillic er and i
        ("\uff4b\uff49\uff4c\uff4c", "kill"),  # full-width letters
        ("\U0001d424\U0001d422\U0001d425\U0001d425", "kill"),  # mathematical bold
        ("k\u0336i\u0336l\u0336l\u0336", "kill"),  # combining strike-through ("zalgo")
        ("D\u00cdE", "die"),  # accents and case
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold_undoes_character_tricks(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_fold_keeps_case_when_asked_and_maps_spans_back() -> None:
    text = "Call J\u043ehn \u200bnow"
    folded = fold(text, lower=False)
    assert folded.text == "Call John now"
    start = folded.text.index("John")
    a, b = folded.span(start, start + 4)
    assert text[a:b] == "J\u043ehn"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("k1ll mys3lf", ["kill", "myself"]),
        ("i wanna diiiiie", ["i", "wanna", "die"]),
        ("k i l l  m y s e l f", ["kill", "myself"]),
        ("k.i.l.l m-y-s-e-l-f", ["kill", "myself"]),
        ("q w e r t y k i l l", ["qwerty", "kill"]),  # letters between words read as one word
        ("Im going to kms", ["i", "am", "going", "to", "kill", "myself"]),
        ("I\u2019m OK", ["i", "am", "ok"]),
        ("overd0sed", ["overdosed"]),  # repaired towards a prefix the patterns use
        ("h3llo w0rld", ["h3llo", "w0rld"]),  # not a pattern word: left alone
        ("2019 was hard", ["2019", "was", "hard"]),  # numbers stay numbers
    ],
)
def test_words_are_repaired_only_towards_pattern_words(
    normaliser: Normaliser, text: str, words: list[str]
) -> None:
    assert list(normaliser(text).words) == words


def test_every_word_points_into_the_original(normaliser: Normaliser) -> None:
    text = "Hey\u2026 k\u0456\u200bll  m y s e l f, I\u2019m s\u00adure"
    read = normaliser(text)
    pieces = [text[a:b] for a, b in zip(read.starts, read.ends, strict=True)]
    assert pieces == ["Hey", "k\u0456\u200bll", "m y s e l f", "I\u2019m", "I\u2019m", "s\u00adure"]
    assert read.span(1, 2) == (text.index("k"), text.index("f") + 1)


def test_sentences_are_numbered(normaliser: Normaliser) -> None:
    read = normaliser("i want to. die\nnow k.i.l.l")
    assert list(read.sentences) == [0, 0, 0, 1, 2, 2]
