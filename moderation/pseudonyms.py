"""Pseudonyms that pass for someone else, or abuse everyone who reads them.

On an anonymous forum a name is all members have to know who is speaking. One that looks like
Harbor's own staff ("Harbor Moderators", "Harb0r_", "The Harbor Team") borrows an authority it
doesn't have; one that looks like another member ("caroI", a capital I, for "carol") lets
someone speak in another person's voice; one that is abuse ("KillYourself Junkie") says it to
everyone who reads a post. So names are compared by what they look like, not how they are
spelled: Unicode's confusables (UTS #39, the table the shared normaliser uses) map each
character to its prototype (I and 1 to l, 0 to O, m to rn, Cyrillic а to a), then case and
separators are dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from moderation.hostility import HostilityDetector, HostilityResult
from moderation.normalise import fold

# words that make any name read as a moderator's or the site's own voice
STAFF_WORDS = frozenset(
    {"moderator", "moderators", "mod", "mods", "admin", "admins", "administrator", "staff",
     "official"}
)  # fmt: skip
HARBOR = frozenset({"harbor", "harbour"})
# beside "Harbor", words that make a name read as the service itself ("Harbor Team")
SERVICE_WORDS = frozenset(
    {"team", "support", "help", "helpline", "service", "crew", "bot", "system", "safety",
     "care", "the"}
)  # fmt: skip
_SEPARATORS = re.compile(r"[\s._\-]+")
_WORDS = re.compile(r"[A-Z0-9]+(?![a-z])|[A-Z0-9]?[a-z0-9]+")  # "KillYourself": Kill, Yourself
_MARKS = "\u200e\u200f"


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each character Unicode lists as confusable with one prototype, to that prototype."""
    from confusable_homoglyphs.utils import load

    table = {}
    for char, entries in load("confusables.json").items():
        if len(char) == 1 and len(entries) == 1:
            table[char] = entries[0]["c"].strip(_MARKS)
    return table


def skeleton(text: str) -> str:
    """What a text looks like, whatever its case: UTS #39's skeleton (each look-alike to its
    prototype) of the case-folded skeleton, so "caroI" and "carol", "Mod" and "mod" meet."""
    return _mapped(_mapped(text).casefold()).casefold()


def _mapped(text: str) -> str:
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFKD", text)
    shown = "".join(prototypes.get(char, char) for char in decomposed if not _invisible(char))
    return unicodedata.normalize("NFKD", shown)


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me", "Cf")


def look_alike_key(name: str) -> str:
    """Two pseudonyms with the same key can't be told apart by a reader."""
    return _SEPARATORS.sub("", skeleton(name))


def words_of(name: str) -> list[str]:
    """The words a reader sees in a name: "KillYourself_Junkie" -> Kill, Yourself, Junkie."""
    folded = fold(name, lower=False).text  # look-alike letters read as the Latin they mimic
    return [w for part in _SEPARATORS.split(folded) for w in _WORDS.findall(part) or [part] if w]


def names_staff(name: str) -> bool:
    """The name reads as Harbor's own voice: Harbor itself, its team or helpline, or a
    moderator ("Harbor_", "The Harb0r Team", "Sober Mod"); "QuietHarbor" does not."""
    words = {look_alike_key(word) for word in words_of(name)}
    if words & _keys(STAFF_WORDS):
        return True
    harbor = _keys(HARBOR)
    return look_alike_key(name) in harbor or bool(words & harbor and words & _keys(SERVICE_WORDS))


@functools.cache
def _keys(words: frozenset[str]) -> frozenset[str]:
    return frozenset(look_alike_key(word) for word in words)


def abuse_in(name: str, detector: HostilityDetector) -> HostilityResult:
    """Hostility in a name, read as what it is: something said to everyone who sees it."""
    return detector.detect("you " + " ".join(words_of(name)))
