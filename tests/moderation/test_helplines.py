"""The helplines file loads, every entry is complete, links dial right, and regions select."""

import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from moderation.helplines import (
    DEFAULT_LINE_IDS,
    EMERGENCY_HINT,
    ENTRY_REGIONS,
    KINDS,
    REGIONS,
    Helpline,
    HelplineDataError,
    default_helplines,
    helplines_for,
    load_helplines,
    normalise_region,
)


@pytest.fixture(scope="module")
def helplines() -> list[Helpline]:
    return load_helplines()


def by_id(helplines: list[Helpline]) -> dict[str, Helpline]:
    return {h.id: h for h in helplines}


# --- The bundled file ------------------------------------------------------------------------


def test_bundled_file_loads(helplines: list[Helpline]) -> None:
    assert len(helplines) >= 10
    assert [h.id for h in helplines] == [h.id for h in default_helplines()]


def test_every_entry_has_every_field(helplines: list[Helpline]) -> None:
    field_names = {f.name for f in dataclasses.fields(Helpline)}
    for h in helplines:
        for name in ("id", "kind", "name", "purpose", "region", "source"):
            assert getattr(h, name).strip(), (h.id, name)
        for name in ("hours", "cost", "notes"):
            assert isinstance(getattr(h, name), str), (h.id, name)
        assert isinstance(h.languages, tuple)
        assert h.kind in KINDS
        assert h.region in ENTRY_REGIONS
        assert h.source.startswith("https://")
        # each entry keeps the date its facts were last checked against its source
        assert datetime.date(2026, 11, 21) <= h.last_checked <= datetime.date(2026, 12, 1)
        assert h.phone or h.sms or h.chat_url or h.website, h.id
        assert set(vars(h)) == field_names


def test_ids_are_unique(helplines: list[Helpline]) -> None:
    ids = [h.id for h in helplines]
    assert len(ids) == len(set(ids))


def test_the_facts_we_were_given(helplines: list[Helpline]) -> None:
    lines = by_id(helplines)
    assert lines["us-988"].phone == "988" and lines["us-988"].sms == "988"
    assert "press 1" in lines["us-988"].notes
    assert lines["us-988"].languages == ("English", "Spanish")
    assert lines["us-samhsa"].kind == "substance_use"
    assert lines["us-samhsa"].source == "https://www.samhsa.gov/find-help/national-helpline"
    assert (lines["us-crisis-text-line"].sms, lines["us-crisis-text-line"].sms_body) == (
        "741741",
        "HOME",
    )
    assert lines["gb-samaritans"].phone == lines["ie-samaritans"].phone == "116 123"
    assert lines["ca-988"].sms == "988"
    assert lines["au-lifeline"].phone == "13 11 14"
    assert lines["nz-1737"].sms == "1737"
    assert lines["intl-findahelpline"].kind == "directory"
    assert lines["intl-findahelpline"].region == "INTL"


def test_each_listed_region_has_an_emergency_number(helplines: list[Helpline]) -> None:
    emergency = {(h.region, h.phone) for h in helplines if h.kind == "emergency"}
    assert emergency == {
        ("US", "911"),
        ("CA", "911"),
        ("GB", "999"),
        ("IE", "112"),
        ("IE", "999"),
        ("EU", "112"),
        ("AU", "000"),
        ("NZ", "111"),
    }


# --- Links -----------------------------------------------------------------------------------


def test_tel_links(helplines: list[Helpline]) -> None:
    lines = by_id(helplines)
    assert lines["us-988"].tel_link == "tel:988"
    assert lines["us-samhsa"].tel_link == "tel:+18006624357"  # E.164: not a short code
    assert lines["gb-samaritans"].tel_link == "tel:116123"
    assert lines["au-lifeline"].tel_link == "tel:131114"
    assert lines["au-000"].tel_link == "tel:000"
    assert lines["us-crisis-text-line"].tel_link is None
    assert lines["intl-findahelpline"].tel_link is None
    for h in helplines:
        if h.tel_link:
            assert re.fullmatch(r"tel:\+?\d+", h.tel_link), h.tel_link


def test_sms_links(helplines: list[Helpline]) -> None:
    lines = by_id(helplines)
    assert lines["us-crisis-text-line"].sms_link == "sms:741741?&body=HOME"
    assert lines["us-988"].sms_link == "sms:988"
    assert lines["us-samhsa"].sms_link is None


def make(**changes: object) -> Helpline:
    base = dict(
        id="x",
        kind="crisis",
        name="X",
        purpose="P",
        region="GB",
        phone=None,
        sms=None,
        sms_body=None,
        chat_url=None,
        website="https://example.org/",
        hours="",
        cost="",
        languages=(),
        notes="",
        source="https://example.org/",
        last_checked=datetime.date(2026, 11, 21),
    )
    base.update(changes)
    return Helpline(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("region", "phone", "tel"),
    [
        ("GB", "020 7946 0958", "tel:+442079460958"),
        ("IE", "01 234 5678", "tel:+35312345678"),
        ("US", "(555) 123-4567", "tel:+15551234567"),
        ("AU", "+61 2 9876 5432", "tel:+61298765432"),
        ("NZ", "1737", "tel:1737"),
    ],
)
def test_tel_link_forms(region: str, phone: str, tel: str) -> None:
    assert make(region=region, phone=phone).tel_link == tel


def test_sms_body_is_url_encoded() -> None:
    assert make(sms="85258", sms_body="SHOUT ME").sms_link == "sms:85258?&body=SHOUT%20ME"


# --- Choosing by region ----------------------------------------------------------------------


def ids(entries: tuple[Helpline, ...]) -> list[str]:
    return [h.id for h in entries]


def test_us(helplines: list[Helpline]) -> None:
    chosen = helplines_for("US", helplines)
    assert chosen.region == "US"
    assert ids(chosen.emergency) == ["us-911"]
    assert ids(chosen.lines) == ["us-988", "us-samhsa", "us-crisis-text-line"]
    assert ids(chosen.directory) == ["intl-findahelpline"]
    assert chosen.emergency_hint is None


@pytest.mark.parametrize(
    ("region", "emergency", "lines"),
    [
        ("GB", ["gb-999"], ["gb-samaritans", "gb-frank", "gb-we-are-with-you"]),
        ("IE", ["ie-112", "ie-999"], ["ie-samaritans", "ie-hse-drugs-alcohol"]),
        ("CA", ["ca-911"], ["ca-988", "ca-nors", "ca-substance-use-help"]),
        ("AU", ["au-000"], ["au-lifeline", "au-aod-hotline"]),
        ("NZ", ["nz-111"], ["nz-1737", "nz-alcohol-drug-helpline"]),
        ("EU", ["eu-112"], ["eu-116123"]),
    ],
)
def test_each_region(
    helplines: list[Helpline], region: str, emergency: list[str], lines: list[str]
) -> None:
    chosen = helplines_for(region, helplines)
    assert chosen.region == region
    assert ids(chosen.emergency) == emergency
    assert ids(chosen.lines) == lines
    assert ids(chosen.directory) == ["intl-findahelpline"]


def test_region_codes_are_forgiving_about_case_and_uk(helplines: list[Helpline]) -> None:
    assert helplines_for(" gb ", helplines).region == "GB"
    assert helplines_for("UK", helplines).region == "GB"


@pytest.mark.parametrize("region", [None, "", "XX", "INTL", "United States", "FR"])
def test_no_or_unknown_region_gets_the_defaults(helplines: list[Helpline], region: str) -> None:
    chosen = helplines_for(region, helplines)
    assert chosen.region is None
    assert chosen.emergency == ()
    assert ids(chosen.lines) == list(DEFAULT_LINE_IDS)
    assert ids(chosen.directory) == ["intl-findahelpline"]
    assert chosen.emergency_hint == EMERGENCY_HINT
    for number in ("911", "999", "112", "000"):
        assert number in EMERGENCY_HINT


def test_another_country_gets_the_directory_not_other_countries_lines(
    helplines: list[Helpline],
) -> None:
    chosen = helplines_for("OTHER", helplines)
    assert chosen.region == "OTHER"
    assert chosen.emergency == () and chosen.lines == ()
    assert ids(chosen.directory) == ["intl-findahelpline"]
    assert chosen.emergency_hint == EMERGENCY_HINT


def test_default_line_ids_exist_in_the_bundled_file(helplines: list[Helpline]) -> None:
    assert set(DEFAULT_LINE_IDS) <= set(by_id(helplines))


def test_every_region_offered_gets_something(helplines: list[Helpline]) -> None:
    assert REGIONS["US"] == "United States" and REGIONS["OTHER"] == "Another country"
    for code in REGIONS:
        assert normalise_region(code) == code
        chosen = helplines_for(code, helplines)
        assert chosen.directory
        assert chosen.emergency or chosen.emergency_hint


def test_every_country_lists_a_crisis_line_and_an_alcohol_and_drug_line(
    helplines: list[Helpline],
) -> None:
    """Harbor is a recovery forum: each country offered has both kinds. The EU has no
    EU-wide alcohol and drug line; there the directory finds each country's."""
    for code in set(REGIONS) - {"OTHER", "EU"}:
        kinds = {line.kind for line in helplines_for(code, helplines).lines}
        assert {"crisis", "substance_use"} <= kinds, code
    assert {line.kind for line in helplines_for("EU", helplines).lines} == {"crisis"}


def test_each_entry_names_the_country_it_serves(helplines: list[Helpline]) -> None:
    by = by_id(helplines)
    assert by["gb-frank"].serves == "United Kingdom" and by["us-988"].serves == "United States"
    assert by["intl-findahelpline"].serves == "Any country"
    assert {line.region for line in helplines_for(None, helplines).lines} == {"US", "GB"}


def test_freephone_numbers_without_a_trunk_zero_dial_in_full(helplines: list[Helpline]) -> None:
    by = by_id(helplines)
    assert by["au-aod-hotline"].tel_link == "tel:+611800250015"
    assert by["ie-hse-drugs-alcohol"].tel_link == "tel:+3531800459459"
    assert by["gb-frank"].tel_link == "tel:+443001236600"


def test_uses_bundled_file_by_default() -> None:
    assert ids(helplines_for("NZ").lines) == ["nz-1737", "nz-alcohol-drug-helpline"]


# --- Broken files ----------------------------------------------------------------------------

GOOD_ENTRY = """
[[helpline]]
id = "gb-test"
kind = "crisis"
name = "Test line"
purpose = "For tests."
region = "GB"
phone = "116 123"
hours = "24/7"
cost = "Free"
languages = ["English"]
notes = ""
source = "https://example.org/"
last_checked = 2026-11-21
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "helplines.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    (line,) = load_helplines(write(tmp_path, GOOD_ENTRY))
    assert line.id == "gb-test" and line.tel_link == "tel:116123"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('source = "https://example.org/"\n', ""), "missing.*'source'"),
        (lambda t: t.replace('cost = "Free"\n', ""), "missing.*'cost'"),
        (lambda t: t.replace('name = "Test line"', 'name = ""'), "'name' is empty"),
        (lambda t: t.replace('kind = "crisis"', 'kind = "hotline"'), "'kind' is 'hotline'"),
        (lambda t: t.replace('region = "GB"', 'region = "FR"'), "'region' is 'FR'"),
        (lambda t: t.replace("2026-11-21", '"2026-11-21"'), "date"),
        (lambda t: t.replace('cost = "Free"', 'cots = "Free"'), "unknown field.*cots"),
        (lambda t: t.replace('phone = "116 123"', 'phone = "116 HELP"'), "'phone' may hold"),
        (lambda t: t.replace('phone = "116 123"', 'phone = "07700 900123"'), None),
        (lambda t: t.replace('phone = "116 123"', 'phone = "1800 123 456"'), 'starting with "\\+"'),
        (lambda t: t.replace('phone = "116 123"\n', ""), "at least one of"),
        (
            lambda t: t.replace('phone = "116 123"', 'phone = "1"\nsms_body = "HOME"'),
            "'sms_body' needs",
        ),
        (lambda t: t.replace('source = "https://', 'source = "http://'), "https://"),
        (lambda t: t.replace('languages = ["English"]', 'languages = "English"'), "languages"),
        (lambda t: t.replace('id = "gb-test"', 'id = "GB test"'), "'id' must be"),
        (lambda t: t + t, "used twice"),
        (lambda t: t.replace("[[helpline]]", "[[helplines]]"), "top-level"),
        (lambda t: "", "no \\[\\[helpline\\]\\] entries"),
        (lambda t: t.replace('name = "Test line"', "name = Test line"), "not valid TOML"),
    ],
)
def test_a_broken_file_gives_a_clear_error(tmp_path: Path, change, message: str | None) -> None:
    path = write(tmp_path, change(GOOD_ENTRY))
    if message is None:  # a control: this change is fine
        load_helplines(path)
        return
    with pytest.raises(HelplineDataError, match=message) as raised:
        load_helplines(path)
    assert str(path) in str(raised.value)


def test_error_names_the_entry(tmp_path: Path) -> None:
    second = GOOD_ENTRY.replace("gb-test", "gb-second").replace('cost = "Free"\n', "")
    with pytest.raises(HelplineDataError, match=r"helpline #2 \(id 'gb-second'\): missing"):
        load_helplines(write(tmp_path, GOOD_ENTRY + second))


def test_emergency_entry_needs_a_phone(tmp_path: Path) -> None:
    text = GOOD_ENTRY.replace('kind = "crisis"', 'kind = "emergency"').replace(
        'phone = "116 123"', 'website = "https://example.org/"'
    )
    with pytest.raises(HelplineDataError, match="emergency entry needs a 'phone'"):
        load_helplines(write(tmp_path, text))
