"""The identifying-details guard: finds what could identify a member, and nothing else."""

import pytest

from moderation.identifying import (
    KINDS,
    LABELS,
    WHY,
    IdentifyingDetail,
    find_identifying_details,
    pseudonym_problem,
    redact,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(d.kind, d.text) for d in find_identifying_details(text)]


def only_detail(text: str) -> IdentifyingDetail:
    details = find_identifying_details(text)
    assert len(details) == 1, details
    return details[0]


# (text, kind, the exact text that must be found)
FOUND = [
    # e-mail addresses, plain and obfuscated
    ("email me at jane.doe+harbor@gmail.com please", "email", "jane.doe+harbor@gmail.com"),
    ("J.Smith@example.co.uk", "email", "J.Smith@example.co.uk"),
    ("it's jane.doe at gmail dot com", "email", "jane.doe at gmail dot com"),
    ("name [at] domain [dot] com", "email", "name [at] domain [dot] com"),
    ("jane(at)yahoo(dot)co(dot)uk", "email", "jane(at)yahoo(dot)co(dot)uk"),
    ("write to jane at gmail.com", "email", "jane at gmail.com"),
    ("jane @ outlook dot com", "email", "jane @ outlook dot com"),
    ("JANE AT HOTMAIL DOT COM", "email", "JANE AT HOTMAIL DOT COM"),
    # phone numbers
    ("call 555-123-4567 tonight", "phone", "555-123-4567"),
    ("call (555) 123 4567 tonight", "phone", "(555) 123 4567"),
    ("my mobile is +44 7700 900123", "phone", "+44 7700 900123"),
    ("ring me on 07700 900123.", "phone", "07700 900123"),
    ("+1 555 123 4567", "phone", "+1 555 123 4567"),
    ("555.123.4567", "phone", "555.123.4567"),
    ("text 5551234567", "phone", "5551234567"),
    ("1-555-123-4567", "phone", "1-555-123-4567"),
    ("(555)123-4567", "phone", "(555)123-4567"),
    ("+44 (0)7700 900123", "phone", "+44 (0)7700 900123"),
    ("landline 020 7946 0958", "phone", "020 7946 0958"),
    ("+353 87 123 4567", "phone", "+353 87 123 4567"),
    ("0044 7700 900123", "phone", "0044 7700 900123"),
    ("call 555-1234", "phone", "555-1234"),
    ("day 412 555-123-4567", "phone", "555-123-4567"),
    ("(call 07700 900123)", "phone", "07700 900123"),
    # street addresses
    ("I live at 42 Elm Street now", "street_address", "42 Elm Street"),
    ("1600 Pennsylvania Ave", "street_address", "1600 Pennsylvania Ave"),
    ("meet at 221B Baker St. tomorrow", "street_address", "221B Baker St"),
    ("12 Rue de Rivoli", "street_address", "12 Rue de Rivoli"),
    ("500 5th Avenue", "street_address", "500 5th Avenue"),
    ("13 Old Mill Road", "street_address", "13 Old Mill Road"),
    ("42 Elm street", "street_address", "42 Elm street"),
    ("send it to PO Box 1234", "street_address", "PO Box 1234"),
    # social-media profiles and handles
    (
        "https://www.facebook.com/jane.doe.123",
        "social_profile",
        "https://www.facebook.com/jane.doe.123",
    ),
    ("see instagram.com/jane_doe.", "social_profile", "instagram.com/jane_doe"),
    ("x.com/janedoe", "social_profile", "x.com/janedoe"),
    (
        "https://twitter.com/janedoe/status/1",
        "social_profile",
        "https://twitter.com/janedoe/status/1",
    ),
    ("https://www.tiktok.com/@jane.doe", "social_profile", "https://www.tiktok.com/@jane.doe"),
    ("linkedin.com/in/jane-doe-1234", "social_profile", "linkedin.com/in/jane-doe-1234"),
    ("reddit.com/u/janedoe", "social_profile", "reddit.com/u/janedoe"),
    ("snapchat.com/add/janedoe", "social_profile", "snapchat.com/add/janedoe"),
    ("youtube.com/@janedoe", "social_profile", "youtube.com/@janedoe"),
    ("threads.net/@janedoe", "social_profile", "threads.net/@janedoe"),
    ("t.me/janedoe", "social_profile", "t.me/janedoe"),
    ("wa.me/447700900123", "social_profile", "wa.me/447700900123"),
    ("join discord.gg/abc123", "social_profile", "discord.gg/abc123"),
    ("my insta is @jane_doe", "social_profile", "@jane_doe"),
    ("follow me on twitter @janedoe", "social_profile", "@janedoe"),
    ("I'm @jane_doe on insta", "social_profile", "@jane_doe"),
    ("my snap is jane_doe99", "social_profile", "jane_doe99"),
    ("IG: jane.doe", "social_profile", "jane.doe"),
    # full names introduced as one's own
    ("my name is Jane Doe", "full_name", "Jane Doe"),
    ("My real name is Jane Doe.", "full_name", "Jane Doe"),
    ("Hi all, I'm John Smith and I'm an alcoholic", "full_name", "John Smith"),
    ("I am Mary-Jane O'Neill", "full_name", "Mary-Jane O'Neill"),
    ("im John F. Kennedy", "full_name", "John F. Kennedy"),
    ("my name is jane doe and", "full_name", "jane doe"),
    ("call me José Núñez", "full_name", "José Núñez"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), FOUND)
def test_finds_detail_with_kind_and_exact_span(text: str, kind: str, expected: str) -> None:
    detail = only_detail(text)
    assert detail.kind == kind
    assert detail.text == expected
    assert text[detail.start : detail.end] == expected
    assert detail.why == WHY[kind]


NOT_IDENTIFYING = [
    # years, dates, times
    "sober since 2019",
    "my date is 12/03/2021",
    "12.03.2021",
    "2021-03-12 10:30:00",
    "meeting at 10:30pm, then 7:15",
    "1990-2005 were my drinking years",
    # sobriety counts and numbers
    "day 412",
    "90 days today!",
    "I'm 34 and sober 2 years",
    "1 2 3 4 5 6 7 8 9 10",
    "it was 100 200 300 4000",
    "I've got 1000000000 reasons",
    "Big Book p. 417",
    # money
    "$1,500 on booze last month",
    "£2,000",
    "$1500000000",
    # the steps
    "I did the 12 steps",
    "working the 12 Steps with my sponsor",
    "step 4 is hard",
    "12 Steps Way of life",
    "2 days on the road",
    # not a name
    "I'm Sober",
    "I'm Really tired",
    "I'm Really Tired Today",
    "I'm SO TIRED",
    "I'm Native American",
    "I am Irish Catholic",
    "I live in New York",
    # a first name alone is low-risk and not flagged
    "my name is Jane",
    "Hi, I'm Jane, alcoholic",
    "I'm Bill W. and I'm grateful",
    # ordinary links
    "https://www.aa.org",
    "find a meeting at https://www.aa.org/find-aa",
    "https://www.bbc.co.uk/news/health-12345678",
    "https://www.nytimes.com/2021/03/12/health/sobriety-5551234567.html",
    "youtube.com/watch?v=abc",
    "reddit.com/r/stopdrinking",
    "facebook.com/groups/sober",
    "I bought it at amazon.com",
    # helplines and short codes belong to organisations, not members
    "call SAMHSA 1-800-662-4357",
    "call 988",
    "Samaritans: 116 123",
    "Lifeline 13 11 14",
    "text HOME to 741741",
    "0800 123 4567",
    # handles without a social context could be forum mentions
    "thanks @Sam, that helped",
    "I read these threads @Sam",
    "my insta is private",
]


@pytest.mark.parametrize("text", NOT_IDENTIFYING)
def test_finds_nothing_in_ordinary_writing(text: str) -> None:
    assert found(text) == []


def test_several_details_sorted_and_not_overlapping() -> None:
    text = (
        "I'm at 3 Elm St. My number is (555) 123-4567, my name is Jane Doe "
        "and my insta is @jane_doe or email jane@example.com"
    )
    details = find_identifying_details(text)
    assert [(d.kind, d.text) for d in details] == [
        ("street_address", "3 Elm St"),
        ("phone", "(555) 123-4567"),
        ("full_name", "Jane Doe"),
        ("social_profile", "@jane_doe"),
        ("email", "jane@example.com"),
    ]
    starts = [d.start for d in details]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(details, details[1:], strict=False))


def test_overlapping_findings_keep_one() -> None:
    # A wa.me link holds a phone number; it is reported once, as the link.
    assert found("wa.me/447700900123") == [("social_profile", "wa.me/447700900123")]


def test_every_kind_has_a_why_and_a_label() -> None:
    assert set(WHY) == set(KINDS) == set(LABELS)
    for why in WHY.values():
        assert why.endswith(".") and "anonymous" in why


def test_detail_is_frozen() -> None:
    detail = only_detail("call 555-123-4567")
    with pytest.raises(AttributeError):
        detail.kind = "email"  # type: ignore[misc]


def test_long_inputs_stay_fast() -> None:
    import time

    for text in ("1 " * 5000, "1-" * 5000, "I'm " * 5000, "a [at] b " * 3000, "12 " * 3000):
        started = time.perf_counter()
        find_identifying_details(text)
        assert time.perf_counter() - started < 2


# --- redact ----------------------------------------------------------------------------------


def test_redact_masks_each_detail() -> None:
    text = "Call me on 07700 900123 or write to jane@example.com. Day 90!"
    details = find_identifying_details(text)
    assert redact(text, details) == (
        "Call me on [removed by a moderator] or write to [removed by a moderator]. Day 90!"
    )


def test_redact_custom_mask_and_nothing_to_do() -> None:
    assert redact("my name is Jane Doe", find_identifying_details("my name is Jane Doe"), "▇") == (
        "my name is ▇"
    )
    assert redact("day 412", []) == "day 412"


def test_redact_accepts_any_order_and_merges_overlaps() -> None:
    text = "abc 555-123-4567 def"
    a = IdentifyingDetail("phone", 4, 16, "555-123-4567", WHY["phone"])
    b = IdentifyingDetail("phone", 8, 16, "123-4567", WHY["phone"])
    assert redact(text, [b, a], "X") == "abc X def"


def test_redact_refuses_details_from_another_text() -> None:
    details = find_identifying_details("call 555-123-4567")
    with pytest.raises(ValueError, match="does not match"):
        redact("call me maybe, ok?", details)


# --- pseudonyms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mentions"),
    [
        ("jane@example.com", "e-mail"),
        ("jane at gmail dot com", "e-mail"),
        ("+44 7700 900123", "phone"),
        ("555-123-4567", "phone"),
        ("Sam07700900123", "phone"),
        ("www.jane.com", "web address"),
        ("http://x.y", "web address"),
        ("x.com", "web address"),
        ("jane.co.uk", "web address"),
        ("instagram.com/jane", "web address"),
        ("my name is Jane Doe", "full name"),
    ],
)
def test_pseudonym_refused(name: str, mentions: str) -> None:
    problem = pseudonym_problem(name)
    assert problem is not None
    assert mentions in problem
    assert "anonymous" in problem


@pytest.mark.parametrize(
    "name", ["QuietHarbor42", "day-by-day", "Sober_Sam", "Sober2019", "OneDayAtATime", "Jane"]
)
def test_pseudonym_accepted(name: str) -> None:
    assert pseudonym_problem(name) is None
