"""The hostility detector: hostility aimed at someone is held; recovery talk is left alone.

The sentences here were written for these tests (not copied from the phrase file), the way
people write when they are angry, and the way people in recovery talk about themselves.
Content warning: threats, slurs, incitement to suicide.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.hostility import HostilityDetector, HostilityResult, Kind


@pytest.fixture(scope="module")
def detector() -> HostilityDetector:
    return HostilityDetector()


HELD = [
    ("I will find you and hurt you", Kind.THREAT),
    ("keep talking and ill come round and smash your face in", Kind.THREAT),
    ("i know where u live, watch your back", Kind.THREAT),
    ("you're dead when i see you at the thursday meeting", Kind.THREAT),
    ("im going to beat the shit out of you", Kind.THREAT),
    ("someone should put a bullet in your head", Kind.THREAT),
    ("hope your kids get cancer", Kind.THREAT),
    ("go kill yourself", Kind.SELF_HARM_INCITEMENT),
    ("kys loser", Kind.SELF_HARM_INCITEMENT),
    ("just kill urself already nobody cares", Kind.SELF_HARM_INCITEMENT),
    ("do everyone a favour and OD", Kind.SELF_HARM_INCITEMENT),
    ("do us all a favor and drink yourself to death", Kind.SELF_HARM_INCITEMENT),
    ("nobody would miss you if you overdosed", Kind.SELF_HARM_INCITEMENT),
    ("you should just neck yourself", Kind.SELF_HARM_INCITEMENT),
    ("shut up faggot", Kind.IDENTITY_ATTACK),
    ("you're nothing but a dirty junkie scum", Kind.IDENTITY_ATTACK),
    ("all muslims should be deported and shot", Kind.IDENTITY_ATTACK),
    ("trans people are subhuman", Kind.IDENTITY_ATTACK),
    ("go back to your own country", Kind.IDENTITY_ATTACK),
]


@pytest.mark.parametrize(("text", "kind"), HELD)
def test_hostility_aimed_at_someone_is_held(
    detector: HostilityDetector, text: str, kind: Kind
) -> None:
    result = detector.detect(text)
    assert result.holds, f"missed {text!r} (read as {detector.normalise(text)!r})"
    assert kind in result.kinds, [m.to_json() for m in result.matches]


LEFT_ALONE = [
    # swearing about oneself
    "I f***ed up again and drank on Saturday",
    "i fucked up so bad, i hate myself right now",
    "what a shit day, i'm such an idiot",
    # one's own cravings and one's own past violence
    "I want to kill this craving so bad",
    "when I was drinking I used to get in fights and beat people up",
    "I hurt a lot of people when I was using",
    "i wanted to kill myself last year",
    # quoting what was said to one
    "my dad used to tell me to go die",
    "someone on another forum told me to kill myself and it stuck with me",
    "kids at school called me a faggot every day",
    "my ex would say the world would be better without you, and I believed her",
    # games, jokes, idioms
    "I'm going to kill you at mario kart tonight",
    "my sponsor will kill me if I skip again",
    "love you to death, see you at group",
    "shoot me a text after the meeting",
    "i could kill for a coffee",
    "you are killing it, 90 days!",
    # identity words that are not attacks
    "as a gay man in recovery I found a great LGBT meeting",
    "I'm a trans woman and 2 years sober",
    "I'm an addict and an alcoholic and today I'm clean",
    # negated
    "I would never hurt you, you know that",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_recovery_talk_is_left_alone(detector: HostilityDetector, text: str) -> None:
    result = detector.detect(text)
    assert not result.holds, [m.to_json() for m in result.matches]


def test_spans_point_into_the_original_text(detector: HostilityDetector) -> None:
    text = "Honestly? Go k\u0456ll y\u200bourself."
    result = detector.detect(text)
    assert [m.text for m in result.matches] == ["Go k\u0456ll y\u200bourself"]
    for m in result.matches:
        assert text[m.start : m.end] == m.text
    assert "telling someone to kill or hurt themselves" in result.reason


def test_result_json_round_trip(detector: HostilityDetector) -> None:
    result = detector.detect("I will find you. kys")
    stored = json.loads(json.dumps(result.to_json()))
    assert stored["holds"] is True
    assert HostilityResult.from_json(stored) == result
    assert HostilityResult.from_json(HostilityResult().to_json()) == HostilityResult()


def test_detect_accepts_a_list(detector: HostilityDetector) -> None:
    assert [r.holds for r in detector.detect(["kys", "hello"])] == [True, False]


def test_moderators_extend_the_file(tmp_path: Path) -> None:
    path = tmp_path / "hostility.toml"
    path.write_text(
        '[lists]\nx = ["you"]\n[[sign]]\nkind = "threat"\nphrases = ["i will egg <x>"]\n',
        encoding="utf-8",
    )
    detector = HostilityDetector(path)
    assert detector.detect("I will egg you").kinds == (Kind.THREAT,)
    assert not detector.detect("i will find you").holds  # only the file's phrases count


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[sign]]\nkind = "rudeness"\nphrases = ["x"]', "kind must be one of"),
        ('[[sign]]\nkind = "threat"\nphrases = ["re:x"]', "regular expressions"),
        ('[[sign]]\nkind = "threat"\ntogether = ["x"]', "two cues or more"),
        ("[signs]\nx = 1", "unknown section"),
    ],
)
def test_bad_files_fail_clearly(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        HostilityDetector(path)
    assert str(path) in str(info.value)
