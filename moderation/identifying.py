"""Find details in a post or a pseudonym that could identify the member who wrote it.

Harbor is anonymous: members write under a pseudonym so they can talk about drinking and
drug use without it following them into work, family or court. One e-mail address, phone
number, street address, social-media profile or full name undoes that. On submit the forum
hands the post back to the writer, says what was found and why it matters, and lets them
decide. Moderators use :func:`redact` on anything that got through.

The patterns lean towards *not* flagging. A false alarm on "day 412", "$1,500" or "the 12
steps" teaches people to click past the warning, and moderators can still redact what the
guard misses. Known gaps are listed in each section below.

Text is read through the shared normaliser's character layer (moderation/normalise.py:
zero-width characters and soft hyphens dropped, full-width digits and look-alike letters
folded), so "jane\u200b@gmail.com" or a number typed in full-width digits is still found;
every span points into the original text, so :func:`redact` masks what the writer typed.

Plain Python; no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from moderation.normalise import fold


def _word_set(words: str) -> frozenset[str]:
    """A set from a whitespace-separated list: long word lists stay readable."""
    return frozenset(words.split())


EMAIL = "email"
PHONE = "phone"
STREET_ADDRESS = "street_address"
SOCIAL_PROFILE = "social_profile"
FULL_NAME = "full_name"

KINDS: tuple[str, ...] = (EMAIL, PHONE, STREET_ADDRESS, SOCIAL_PROFILE, FULL_NAME)

_AFTERWORD = "Harbor is anonymous so you can speak freely; think twice before sharing it."

#: One plain, kind sentence per kind, shown to the writer next to what was found.
WHY: dict[str, str] = {
    EMAIL: f"An e-mail address can lead straight to you. {_AFTERWORD}",
    PHONE: f"A phone number can be looked up and traced back to you. {_AFTERWORD}",
    STREET_ADDRESS: (
        f"A street address shows where you, or someone close to you, can be found. {_AFTERWORD}"
    ),
    SOCIAL_PROFILE: (
        "A social-media profile or handle links what you write here to your other accounts, "
        f"and to the friends and family who follow them. {_AFTERWORD}"
    ),
    FULL_NAME: (
        "A full name can tell anyone reading, including people who know you, who wrote this. "
        f"{_AFTERWORD}"
    ),
}

#: Short noun phrases for messages such as "We found an e-mail address: ...".
LABELS: dict[str, str] = {
    EMAIL: "an e-mail address",
    PHONE: "a phone number",
    STREET_ADDRESS: "a street address",
    SOCIAL_PROFILE: "a social-media profile or handle",
    FULL_NAME: "a full name",
}


@dataclass(frozen=True)
class IdentifyingDetail:
    """One identifying detail found in a text: what kind, where, and why it matters."""

    kind: str  # one of KINDS
    start: int  # text[start:end] == self.text
    end: int
    text: str
    why: str


# ---------------------------------------------------------------------------------------------
# E-mail addresses
# ---------------------------------------------------------------------------------------------

# Top-level domains we accept in *obfuscated* addresses ("jane at gmail dot com"). A fixed list
# keeps "we met at church dot ..." style prose from looking like an address.
_COMMON_TLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|io|co|me|us|uk|ie|ca|au|nz|de|fr|es|it|nl|be|ch|at"
    "|se|no|dk|fi|pl|pt|app|dev|xyz|online|email|mail|live"
)

_EMAIL = re.compile(
    r"""
    (?<![\w.+-])                          # start of the local part, not mid-word
    [\w.+-]+                              # local part: jane.doe+harbor
    @
    [A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*     # domain labels
    \.[A-Za-z]{2,24}                      # top-level domain
    \b
    """,
    re.VERBOSE,
)

# "[at]", "(at)", "{at}", "<at>", and the same for "dot", with or without spaces.
_BRACKETED_AT = r"\s*[\[({<]\s*at\s*[\])}>]\s*"
_BRACKETED_DOT = r"\s*[\[({<]\s*dot\s*[\])}>]\s*"

_OBFUSCATED_EMAIL = re.compile(
    rf"""
    (?<![\w.+-])
    (?P<local>[\w.+-]+)
    (?P<at>
        {_BRACKETED_AT}                   # jane [at] gmail
      | \s+at\s+                          # jane at gmail
      | \s+@\s*|\s*@\s+                   # jane @ gmail
    )
    (?P<domain>
        [A-Za-z0-9-]+
        (?:(?:{_BRACKETED_DOT}|\s+dot\s+|\.)[A-Za-z0-9-]+)*
        (?:{_BRACKETED_DOT}|\s+dot\s+|\.)
        (?:{_COMMON_TLDS})
    )
    \b
    """,
    re.VERBOSE | re.IGNORECASE,
)

# With a plain " at " and real dots ("jane at gmail.com") we only trust well-known mail
# providers; otherwise "I bought it at amazon.com" would count as an address.
_MAIL_PROVIDERS = _word_set(
    "gmail googlemail yahoo ymail hotmail outlook live msn icloud me mac aol proton protonmail"
    " pm gmx mail yandex zoho fastmail btinternet sky virginmedia talktalk comcast verizon att"
    " sbcglobal bellsouth eircom"
)

_SPELLED_DOT = re.compile(rf"{_BRACKETED_DOT}|\s+dot\s+", re.IGNORECASE)


def _find_emails(text: str) -> Iterable[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()
    for match in _OBFUSCATED_EMAIL.finditer(text):
        at = match.group("at").strip().lower()
        domain = match.group("domain")
        if at == "at" and not _SPELLED_DOT.search(domain):
            first_label = re.split(r"[.\s]", domain, maxsplit=1)[0].lower()
            if first_label not in _MAIL_PROVIDERS:
                continue
        yield match.span()


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

# A run of digit groups split by spaces, dots or dashes, maybe with a leading "+" and brackets.
# The candidate is deliberately loose; _classify_digits() decides by digit count and grouping,
# so years, dates, times, day counts, money and short numbers are rejected there.
# Not covered: numbers spelled out in words ("five five five...") or with letters
# ("1-800-FLOWERS"), and extensions.
_PHONE_CANDIDATE = re.compile(
    r"""
    (?<![\w$£€¥/.,+#-])                   # not glued to a word, money, a date, a decimal, a tag
    (?P<plus>\+\s?)?                      # international prefix: +44 or + 44
    \(?\d+\)?                             # first group, maybe bracketed: (555)
    (?:
        (?:[ \t]?[.-][ \t]?|[ \t]|(?<=\))|(?=\())   # separator; none needed around brackets
        \(?\d+\)?
    )*
    (?![\w/%]|[.,]\d)                     # not followed by a word, a date or a decimal
    """,
    re.VERBOSE,
)

# Organisations publish toll-free numbers (1-800-662-4357 is SAMHSA's helpline); they are
# never a member's own number, and members share them to help each other.
_US_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
_UK_FREEPHONE = ("800", "808")


_DIGIT_GROUP = re.compile(r"\(?\d+\)?")


_ORGANISATION = "organisation"


def _classify_digits(candidate: str, has_plus: bool) -> str | None:
    """Say whether a digit run is a phone number, by digit count and grouping.

    Returns PHONE, "organisation" for a toll-free number (a phone number, but not a
    person's), or None for anything else: years, dates, counts, amounts.
    """
    groups = re.findall(r"\d+", candidate)
    digits = "".join(groups)
    sizes = [len(g) for g in groups]

    def unless(toll_free: bool) -> str:
        return _ORGANISATION if toll_free else PHONE

    if has_plus or digits.startswith("00"):
        national = digits if has_plus else digits[2:]
        if not 8 <= len(national) <= 15:
            return None
        if national.startswith("1"):  # +1: North America
            return unless(national[1:4] in _US_TOLL_FREE)
        if national.startswith("44"):
            return unless(national[2:].lstrip("0")[:3] in _UK_FREEPHONE)
        return PHONE

    # UK and Ireland national form: a leading 0, 10-11 digits, two or three groups of 3+.
    if digits.startswith("0"):
        if not 10 <= len(digits) <= 11 or len(groups) > 3 or min(sizes) < 3:
            return None
        return unless(digits[1:4] in _UK_FREEPHONE)

    # North American forms: 555 123 4567, (555) 123-4567, 1-555-123-4567, 5551234567.
    if sizes in ([10], [3, 3, 4], [3, 7]):
        area = digits[:3]
    elif sizes in ([11], [1, 3, 3, 4], [1, 10]) and digits.startswith("1"):
        area = digits[1:4]
    elif sizes == [3, 4] and re.search(r"\d[.-]\d", candidate):
        return PHONE  # local seven-digit form 555-1234; with only a space, too ambiguous
    else:
        return None
    # Area codes never start with 0 or 1, which also rules out 1000000000-style numbers.
    if area[0] in "01":
        return None
    return unless(area in _US_TOLL_FREE)


def _trim_brackets(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop an unmatched bracket the candidate swallowed, e.g. the ")" in "(07700 900123)"."""
    piece = text[start:end]
    while piece.endswith(")") and piece.count(")") > piece.count("("):
        piece, end = piece[:-1], end - 1
    while piece.startswith("(") and piece.count("(") > piece.count(")"):
        piece, start = piece[1:], start + 1
    return start, end


# No phone number is written in more than seven groups ("+33 1 23 45 67 89" has six); the cap
# keeps a long run of numbers from costing quadratic time.
_MAX_PHONE_GROUPS = 7


def _find_phones(text: str) -> Iterable[tuple[int, int]]:
    for match in _PHONE_CANDIDATE.finditer(text):
        # Try the whole run first, then shorter runs of its groups, so that "day 412
        # 555-123-4567" still finds the number. A shorter run only counts when it is set off
        # from the rest by a separator it doesn't use itself; otherwise a list of numbers
        # ("100 200 300 4000") would hide a phone-shaped tail.
        groups = [g.span() for g in _DIGIT_GROUP.finditer(text, *match.span())]
        seps = [text[a[1] : b[0]] for a, b in zip(groups, groups[1:], strict=False)]
        first = 0
        while first < len(groups):
            for last in range(min(len(groups), first + _MAX_PHONE_GROUPS) - 1, first - 1, -1):
                inside = set(seps[first:last])
                outside = {seps[i] for i in (first - 1, last) if 0 <= i < len(seps)}
                if inside & outside:
                    continue
                start = match.start() if first == 0 else groups[first][0]
                end = groups[last][1]
                has_plus = first == 0 and match.group("plus") is not None
                kind = _classify_digits(text[start:end], has_plus)
                if kind is not None:
                    if kind == PHONE:
                        yield _trim_brackets(text, start, end)
                    first = last + 1
                    break
            else:
                first += 1


# ---------------------------------------------------------------------------------------------
# Street addresses
# ---------------------------------------------------------------------------------------------

# Common English street suffixes. Words that often follow a number in ordinary writing
# ("Park", "Hill", "Green") are left out on purpose. The street name must be capitalised
# ("42 Elm Street", "42 Elm street"), which keeps "2 days on the road" out.
# Not covered: all-lower-case addresses ("42 elm street"), "12 The Avenue", postcodes and
# ZIP codes on their own, and flat or apartment numbers.
_STREET_SUFFIX = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl"
    r"|Terrace|Terr|Close|Crescent|Cres|Gardens|Gdns|Grove|Square|Sq|Parkway|Pkwy|Highway|Hwy"
    r"|Circle|Cir|Row|Mews|Way|Walk|Trail|Trl|Alley"
)

# Street-type-first forms, for the few non-English ones members are likely to type.
_STREET_PREFIX = r"Rue|Calle|Avenida|Via"

_STREET_ADDRESS = re.compile(
    rf"""
    (?<![\w$£€#/.,-])
    (?P<number>\d{{1,5}}[A-Za-z]?)        # 42, 1600, 221B
    ,?[ \t]+
    (?:
        (?P<names>                         # one to three capitalised words or ordinals
            (?:[A-Z][\w'’-]*|\d+(?:st|nd|rd|th))
            (?:[ \t]+(?:[A-Z][\w'’-]*|\d+(?:st|nd|rd|th))){{0,2}}
        )
        [ \t]+
        (?i:{_STREET_SUFFIX})\b            # Elm Street, Baker St, Pennsylvania Ave
      |
        (?:{_STREET_PREFIX})[ \t]+         # Rue de Rivoli, Calle Mayor
        (?:(?:de|del|de[ \t]la|des|du|la|le|di|della)[ \t]+)?
        [A-Z][\w'’-]+
    )
    """,
    re.VERBOSE,
)

_PO_BOX = re.compile(r"\bP\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+\b", re.IGNORECASE)

# Words that can sit between a number and "Way"/"Road"/... without making it an address:
# "12 Steps Way", "90 Days Clean Road" and friends.
_NOT_STREET_NAMES = _word_set(
    "step steps tradition traditions day days week weeks month months year years hour hours"
    " minute minutes time times the a an and or of my our your this that aa na ca"
)


def _find_street_addresses(text: str) -> Iterable[tuple[int, int]]:
    for match in _STREET_ADDRESS.finditer(text):
        names = match.group("names")
        if names and any(word.lower() in _NOT_STREET_NAMES for word in names.split()):
            continue
        yield match.span()
    for match in _PO_BOX.finditer(text):
        yield match.span()


# ---------------------------------------------------------------------------------------------
# Social-media profiles and handles
# ---------------------------------------------------------------------------------------------

# Links to a person's profile or that carry their handle. Links to posts without a handle,
# groups, hashtags and videos (youtube.com/watch) are ordinary links and stay allowed.
# A bare "@name" only counts next to a network's name or "follow me"/"add me": elsewhere it
# may be a mention of another member here. Not covered: a plain username with no context.
_SOCIAL_URL = re.compile(
    r"""
    (?<![\w.@/-])
    (?:https?://)?
    (?:(?:www|m|mobile|web|[a-z]{2})\.)?          # www., m., or a country subdomain
    (?:
        (?:facebook|fb)\.com/(?!(?:groups|events|hashtag|help|watch|share)\b)[\w.?=&%-]+
      | instagram\.com/(?!(?:explore|p|reel|reels)\b)[\w.]+
      | instagr\.am/[\w.]+
      | (?:twitter|x)\.com/(?!(?:home|search|explore|hashtag|i|intent|share)\b)\w+
      | tiktok\.com/@[\w.]+
      | linkedin\.com/in/[\w%-]+
      | reddit\.com/(?:u|user)/[\w-]+
      | snapchat\.com/add/[\w.-]+
      | youtube\.com/(?:@[\w.-]+|c/[\w.-]+|channel/[\w-]+|user/[\w.-]+)
      | threads\.(?:net|com)/@[\w.]+
      | t\.me/[\w+]+
      | wa\.me/\+?\d+
      | discord\.gg/[\w-]+
      | discord(?:app)?\.com/invite/[\w-]+
      | bsky\.app/profile/[\w.:-]+
    )
    [^\s<>"'\])]*                                 # the rest of the URL
    """,
    re.VERBOSE | re.IGNORECASE,
)

# Words that say "the next @handle is me somewhere else".
_NETWORKS = (
    r"insta(?:gram)?|ig|twitter|tik[ \t]?tok|snap(?:chat)?|telegram|discord|kik"
    r"|whats[ \t]?app|facebook|fb|bluesky|bsky|youtube|twitch|venmo|cash[ \t]?app"
)

_HANDLE = r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?"

_SOCIAL_HANDLE_AFTER = re.compile(  # "my insta is @jane_doe", "follow me @jane"
    rf"""
    \b(?:{_NETWORKS}|follow[ \t]+me|add[ \t]+me)\b
    [^.!?\n@]{{0,25}}?                             # a few words, same sentence
    (?P<handle>{_HANDLE})
    """,
    re.VERBOSE | re.IGNORECASE,
)

_SOCIAL_HANDLE_BEFORE = re.compile(  # "@jane_doe on insta"
    rf"(?P<handle>{_HANDLE})[ \t]+(?:on|in|at)[ \t]+(?:{_NETWORKS})\b",
    re.IGNORECASE,
)

# "my snap is jane_doe99", "insta: jane.doe" (no @). Bare words are only taken when they look
# like a handle (a digit, "_" or an inner "."), so "my insta is private" is left alone.
_SOCIAL_HANDLE_BARE = re.compile(
    rf"""
    (?:\bmy[ \t]+(?:{_NETWORKS})(?:[ \t]+(?:handle|name|username|account|id))?[ \t]*(?:is|:|=|-)
      | \b(?:{_NETWORKS})[ \t]*:
    )
    [ \t]*
    (?P<handle>[A-Za-z0-9_](?:[A-Za-z0-9_.#]*[A-Za-z0-9_])?)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _looks_like_handle(word: str) -> bool:
    return bool(re.search(r"[\d_#]|\w\.\w", word))


def _find_social_profiles(text: str) -> Iterable[tuple[int, int]]:
    for match in _SOCIAL_URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in ".,;:!?":
            end -= 1
        yield start, end
    for pattern in (_SOCIAL_HANDLE_AFTER, _SOCIAL_HANDLE_BEFORE):
        for match in pattern.finditer(text):
            yield match.span("handle")
    for match in _SOCIAL_HANDLE_BARE.finditer(text):
        if _looks_like_handle(match.group("handle")):
            yield match.span("handle")


# ---------------------------------------------------------------------------------------------
# Full names
# ---------------------------------------------------------------------------------------------
#
# Only a name the writer introduces as their own counts: "my name is Jane Doe", "I'm John
# Smith", "call me Jane Doe". A first name alone ("I'm Jane, alcoholic") is how people
# introduce themselves in meetings; it is common and low-risk, so it is not flagged. First
# and last name together are. Not covered: names in a sign-off ("- Jane Doe") or someone
# else's name; moderators handle those.

_NAME_INTRO = re.compile(
    r"""
    \b(?:
        (?P<explicit>
            my\s+(?:(?:real|full|actual|legal|birth|given|proper|whole)\s+)?name
            (?:\s+is|\s*:|\s*=|'s|’s)
          | name's | name’s
        )
      | i'm | i’m | im | i\s+am
      | call\s+me
    )
    [ \t]+
    """,
    re.VERBOSE | re.IGNORECASE,
)

_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MIDDLE_INITIAL = re.compile(r"[A-Z]\.")

# Capitalised words that follow "I'm" without being a name: states, feelings, identities.
_NOT_NAMES = _word_set(
    """
    a an the and or but so not no yes just only also still here there back home done out in on
    at from with for to of by about over now today tonight finally always never really very
    truly honestly actually literally totally completely pretty quite too
    sober clean dry fine ok okay good great well better worse bad sick tired exhausted awake
    alive ready sorry sure glad happy sad angry mad scared afraid anxious lonely alone lost
    broken grateful thankful blessed proud free new old young hopeful hopeless powerless
    relieved ashamed embarrassed confused stuck struggling trying going getting feeling doing
    having being living working thinking hoping looking starting celebrating relapsing drinking
    using craving recovering healing learning staying coming leaving
    alcoholic addict addicted recovered recovering sponsor newcomer member mom dad mum mother
    father wife husband son daughter sister brother parent single married divorced separated
    retired unemployed pregnant
    american british english irish scottish welsh canadian australian mexican native black
    white asian latino latina latinx jewish catholic christian muslim buddhist hindu atheist
    agnostic protestant gay straight lesbian bi trans queer nonbinary indigenous african
    indian italian german french polish russian chinese korean japanese filipino puerto
    monday tuesday wednesday thursday friday saturday sunday
    big book higher power god step steps program recovery meeting group fellowship friends
    one two three four five six seven eight nine ten day days week weeks month months year
    years
    i im me my you your we he she they it this that what who
    btw lol tbh idk
    """
)


def _is_name_word(word: str, lowercase_ok: bool) -> bool:
    if word.lower().removesuffix("'s").removesuffix("’s") in _NOT_NAMES:
        return False
    if word[0].isupper():
        # Reject shouting ("I'M SOBER") and acronyms ("AA"): names are Title-case.
        return not (len(word) > 1 and word.isupper())
    return lowercase_ok and len(word) > 1


def _find_full_names(text: str) -> Iterable[tuple[int, int]]:
    for intro in _NAME_INTRO.finditer(text):
        # After an explicit "my name is", lower-case names count too ("my name is jane doe").
        lowercase_ok = intro.group("explicit") is not None
        pos = intro.end()
        words: list[tuple[int, int]] = []
        while len(words) < 3:
            initial = _MIDDLE_INITIAL.match(text, pos)
            if words and initial and text[initial.end() : initial.end() + 1] in (" ", "\t"):
                pos = initial.end() + 1  # a middle initial: "John F. Kennedy"
                continue
            word = _NAME_WORD.match(text, pos)
            if not word or not _is_name_word(word.group(), lowercase_ok):
                break
            words.append(word.span())
            if word.group().endswith(("'s", "’s")):
                break  # "I'm Jane Doe's sister": the name ends here
            gap = re.match(r"[ \t]+", text[word.end() :])
            if not gap:
                break
            pos = word.end() + gap.end()
        if len(words) >= 2:
            yield words[0][0], words[-1][1]


# ---------------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------------

# Any web address. Phone numbers, street addresses and names are not looked for inside one,
# so digits in an article's URL or a capitalised path are left alone. (Social-profile links
# are found separately, above.)
_ANY_URL = re.compile(
    rf"""
    (?<![\w@.-])
    (?:
        (?:https?://|www\.)[^\s<>"']+
      | [A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:{_COMMON_TLDS})\b(?:/[^\s<>"']*)?
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)

_FINDERS = (
    (EMAIL, _find_emails, False),
    (SOCIAL_PROFILE, _find_social_profiles, False),
    (PHONE, _find_phones, True),
    (STREET_ADDRESS, _find_street_addresses, True),
    (FULL_NAME, _find_full_names, True),
)


def find_identifying_details(text: str) -> list[IdentifyingDetail]:
    """Every identifying detail in ``text``, sorted by start and never overlapping.

    Where two findings overlap, the one that starts first wins, then the longer one.
    """
    folded = fold(text, lower=False)
    url_spans = [m.span() for m in _ANY_URL.finditer(folded.text)]

    def inside_url(start: int, end: int) -> bool:
        return any(u_start <= start and end <= u_end for u_start, u_end in url_spans)

    found: list[tuple[int, int, str]] = []
    for kind, finder, skip_in_urls in _FINDERS:
        for start, end in finder(folded.text):
            if end <= start or (skip_in_urls and inside_url(start, end)):
                continue
            found.append((*folded.span(start, end), kind))

    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    details: list[IdentifyingDetail] = []
    for start, end, kind in found:
        if details and start < details[-1].end:
            continue
        details.append(IdentifyingDetail(kind, start, end, text[start:end], WHY[kind]))
    return details


def redact(
    text: str,
    details: Sequence[IdentifyingDetail],
    mask: str = "[removed by a moderator]",
) -> str:
    """Replace each detail's span in ``text`` with ``mask`` (overlapping spans merge).

    Raises ValueError if a detail does not match ``text``: it was found in another version of
    the post, and redacting by stale offsets would remove the wrong words.
    """
    pieces: list[str] = []
    pos = 0
    for detail in sorted(details, key=lambda d: (d.start, d.end)):
        if text[detail.start : detail.end] != detail.text:
            raise ValueError(
                f"detail {detail.text!r} at {detail.start}-{detail.end} does not match the text;"
                " find the details again on the current version of the post"
            )
        if detail.start < pos:  # overlaps the previous one, which is already masked
            pos = max(pos, detail.end)
            continue
        pieces += [text[pos : detail.start], mask]
        pos = detail.end
    pieces.append(text[pos:])
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# Pseudonyms
# ---------------------------------------------------------------------------------------------

_PSEUDONYM_ADVICE = "Harbor is anonymous, so please pick a name that can't lead back to you."

_URL_LIKE = re.compile(
    rf"""
    ://                                            # http://x.y
  | \bwww\.                                        # www.jane
  | \b[A-Za-z0-9-]+\.(?:{_COMMON_TLDS})\b          # jane.com, x.com
    """,
    re.VERBOSE | re.IGNORECASE,
)

_EMAIL_LIKE = re.compile(r"[^@\s]@[^@\s]+\.[^@\s]")


def pseudonym_problem(name: str) -> str | None:
    """Why ``name`` can't be a pseudonym, or None if it's fine on this count.

    Refuses names that look like an e-mail address, a phone number or a web address, or that
    contain any identifying detail. Length and allowed characters are checked by the forum.
    """
    name = name.strip()
    details = find_identifying_details(name)
    name = fold(name, lower=False).text  # what the checks below read: look-alikes folded
    kinds = {detail.kind for detail in details}

    if EMAIL in kinds or _EMAIL_LIKE.search(name):
        return f"That pseudonym looks like an e-mail address. {_PSEUDONYM_ADVICE}"
    if PHONE in kinds or sum(ch.isdigit() for ch in name) >= 7:
        return (
            "That pseudonym looks like a phone number (it has a long run of digits). "
            f"{_PSEUDONYM_ADVICE}"
        )
    if SOCIAL_PROFILE in kinds or _URL_LIKE.search(name):
        return f"That pseudonym looks like a web address or profile link. {_PSEUDONYM_ADVICE}"
    if details:
        return f"That pseudonym seems to contain {LABELS[details[0].kind]}. {_PSEUDONYM_ADVICE}"
    return None
