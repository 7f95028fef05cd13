"""Pseudonyms compared by how they look (moderation/pseudonyms.py)."""

import pytest

from moderation.hostility import HostilityDetector
from moderation.pseudonyms import abuse_in, look_alike_key, names_staff


@pytest.mark.parametrize(
    "pair",
    [("caroI", "carol"), ("CAR0L", "carol"), ("с\u0430rol", "carol"), ("mike", "rnike"),
     ("Sober.Sam", "sober sam"), ("ja\u200bne", "jane")],
)  # fmt: skip
def test_names_a_reader_cannot_tell_apart_share_a_key(pair):
    assert look_alike_key(pair[0]) == look_alike_key(pair[1])


@pytest.mark.parametrize("name", ["carl", "Caroline", "Sam", "Sama"])
def test_different_names_keep_different_keys(name):
    assert look_alike_key(name) != look_alike_key("carol") or name == "carol"


@pytest.mark.parametrize(
    ("name", "staff"),
    [("Harbor", True), ("Harb0r_", True), ("HarborTeam", True), ("Moderator Mike", True),
     ("admin", True), ("QuietHarbor", False), ("ModernLife", False), ("Harbor Lights", False)],
)  # fmt: skip
def test_names_that_read_as_harbors_own_voice(name, staff):
    assert names_staff(name) is staff


def test_abuse_in_a_name_is_read_as_said_to_its_readers():
    detector = HostilityDetector()
    assert abuse_in("KillYourself Junkie", detector).holds
    assert not abuse_in("Day One Again", detector).holds
    assert not abuse_in("Recovering Junkie", detector).holds
