"""Helplines and emergency numbers, loaded from ``data/helplines.toml``.

The facts live in a data file so a moderator can check and correct them without touching
code. The loader is strict: a missing or malformed field stops the load with an error naming
the entry. A wrong number is worse than no page.

Plain Python, standard library only; no Flask.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

DEFAULT_PATH = Path(__file__).with_name("data") / "helplines.toml"

KINDS: tuple[str, ...] = ("crisis", "substance_use", "emergency", "directory")

#: Where a member can say they are (code -> display name), in the order to offer them.
#: "EU" covers EU countries not listed separately (112 works there); "OTHER" means anywhere
#: else, and gets the international directory.
REGIONS: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "CA": "Canada",
    "AU": "Australia",
    "NZ": "New Zealand",
    "EU": "Another EU country",
    "OTHER": "Another country",
}

# Regions an entry can belong to: the places above, plus "INTL" for the directory.
ENTRY_REGIONS: frozenset[str] = frozenset(REGIONS) - {"OTHER"} | {"INTL"}

# Other spellings people (and browsers) use for a region.
_REGION_ALIASES = {"UK": "GB"}

# For tel: links to numbers longer than a short code. Entries elsewhere write "+..." in full.
_COUNTRY_CODES = {"US": "1", "CA": "1", "GB": "44", "IE": "353", "AU": "61", "NZ": "64"}
# Numbers dialled without a trunk 0 at home, kept whole after the country code (Australia's
# and Ireland's freephone and local-rate numbers: 1800 250 015, 1800 459 459)
_WITHOUT_TRUNK_ZERO = {"AU": ("1800", "1300"), "IE": ("1800", "1850")}
# The country each entry's line serves, said beside it (someone abroad must not mistake it)
_SERVES = {**REGIONS, "EU": "EU countries", "INTL": "Any country"}

#: Lines shown when the member hasn't said where they are, in this order: the US crisis
#: line, the US substance-use line (Harbor is a recovery forum), a text-only line for people
#: who can't talk out loud, Samaritans and Frank for the UK. Each is shown with the country
#: it serves so nobody mistakes it for their own country's line.
DEFAULT_LINE_IDS: tuple[str, ...] = (
    "us-988",
    "us-samhsa",
    "us-crisis-text-line",
    "gb-samaritans",
    "gb-frank",
)

#: Shown instead of emergency entries when we don't know the member's region.
EMERGENCY_HINT = "In an emergency, call your local emergency number (911, 999, 112, 000)."


class HelplineDataError(ValueError):
    """The helplines file is missing something or has something wrong; the message says where."""


@dataclass(frozen=True)
class Helpline:
    """One helpline, emergency number or directory, as written in the data file."""

    id: str
    kind: str  # one of KINDS
    name: str
    purpose: str
    region: str  # one of ENTRY_REGIONS
    phone: str | None  # as written locally, e.g. "1-800-662-4357", "116 123"
    sms: str | None  # digits to text
    sms_body: str | None  # word to send, e.g. "HOME"
    chat_url: str | None
    website: str | None
    hours: str  # "" when the source doesn't say
    cost: str  # "" when the source doesn't say
    languages: tuple[str, ...]  # () when the source doesn't say
    notes: str
    source: str  # the public page the facts come from
    last_checked: datetime.date

    @property
    def tel_link(self) -> str | None:
        """A tel: link: short codes as they are, longer numbers in E.164 (tel:+18006624357)."""
        if self.phone is None:
            return None
        return "tel:" + _dial_string(self.phone, self.region)

    @property
    def serves(self) -> str:
        """The country the line serves ("United Kingdom", "Any country")."""
        return _SERVES[self.region]

    @property
    def sms_link(self) -> str | None:
        """An sms: link, with the body pre-filled when there is one (sms:741741?&body=HOME)."""
        if self.sms is None:
            return None
        if self.sms_body is None:
            return f"sms:{self.sms}"
        # "?&body=" is the form both iOS and Android accept.
        return f"sms:{self.sms}?&body={quote(self.sms_body)}"


@dataclass(frozen=True)
class HelplineSelection:
    """What to show a member for where they are."""

    region: str | None  # the region code used; None when none was picked or it wasn't known
    emergency: tuple[Helpline, ...]  # that region's emergency numbers
    lines: tuple[Helpline, ...]  # crisis and substance-use lines to show
    directory: tuple[Helpline, ...]  # international directories, always included
    emergency_hint: str | None  # EMERGENCY_HINT when there are no emergency entries to show


def _dial_string(phone: str, region: str) -> str:
    """What to dial from a phone as written in the file; ValueError if it can't be worked out."""
    digits = re.sub(r"\D", "", phone)
    if phone.lstrip().startswith("+"):
        return "+" + digits
    if len(digits) <= 6:  # a short code: 988, 911, 116 123, 13 11 14
        return digits
    country = _COUNTRY_CODES.get(region)
    if country == "1":
        if len(digits) == 11 and digits.startswith("1"):
            return "+" + digits
        if len(digits) == 10:
            return "+1" + digits
    elif country is not None and digits.startswith("0"):
        return f"+{country}{digits[1:]}"
    elif country is not None and digits.startswith(_WITHOUT_TRUNK_ZERO.get(region, ())):
        return f"+{country}{digits}"
    raise ValueError(
        f"can't turn {phone!r} into an international number for region {region!r};"
        ' write it in full starting with "+"'
    )


# --- Loading ---------------------------------------------------------------------------------

_REQUIRED_TEXT = ("id", "kind", "name", "purpose", "region", "source")
_PRESENT_TEXT = ("hours", "cost", "notes")  # must be there, may be ""
_OPTIONAL_TEXT = ("phone", "sms", "sms_body", "chat_url", "website")
_ALL_FIELDS = frozenset(
    (*_REQUIRED_TEXT, *_PRESENT_TEXT, *_OPTIONAL_TEXT, "languages", "last_checked")
)

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PHONE = re.compile(r"\+?[\d() -]+")


def load_helplines(path: Path | None = None) -> list[Helpline]:
    """Read and check the helplines file (the bundled one by default), in file order.

    Raises HelplineDataError naming the file and the entry for anything missing or malformed.
    """
    path = DEFAULT_PATH if path is None else path
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise HelplineDataError(f"{path}: not valid TOML: {error}") from error

    unknown = set(data) - {"helpline"}
    if unknown:
        raise HelplineDataError(
            f"{path}: unexpected top-level key(s) {sorted(unknown)}; entries go in [[helpline]]"
        )
    entries = data.get("helpline")
    if not isinstance(entries, list) or not entries:
        raise HelplineDataError(f"{path}: no [[helpline]] entries")

    helplines: list[Helpline] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: helpline #{number}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            where += f" (id {entry['id']!r})"
        helpline = _parse_entry(entry, where)
        if helpline.id in seen:
            raise HelplineDataError(f"{where}: id {helpline.id!r} is used twice")
        seen.add(helpline.id)
        helplines.append(helpline)
    return helplines


def _parse_entry(entry: Any, where: str) -> Helpline:
    def fail(problem: str) -> HelplineDataError:
        return HelplineDataError(f"{where}: {problem}")

    if not isinstance(entry, dict):
        raise fail("is not a table of fields")
    unknown = set(entry) - _ALL_FIELDS
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)} (a typo?)")

    for field in _REQUIRED_TEXT + _PRESENT_TEXT + ("languages", "last_checked"):
        if field not in entry:
            raise fail(f"missing required field {field!r}")
    for field in _REQUIRED_TEXT + _PRESENT_TEXT + _OPTIONAL_TEXT:
        if field in entry and not isinstance(entry[field], str):
            raise fail(f"{field!r} must be a string in quotes")
    for field in _REQUIRED_TEXT + _OPTIONAL_TEXT:
        if field in entry and not entry[field].strip():
            raise fail(f"{field!r} is empty")

    languages = entry["languages"]
    if not isinstance(languages, list) or not all(
        isinstance(lang, str) and lang.strip() for lang in languages
    ):
        raise fail("'languages' must be a list of names, e.g. [\"English\"], or []")
    last_checked = entry["last_checked"]
    if not isinstance(last_checked, datetime.date) or isinstance(last_checked, datetime.datetime):
        raise fail("'last_checked' must be a date like 2026-11-21 (no quotes)")

    if not _ID.fullmatch(entry["id"]):
        raise fail("'id' must be lower-case letters, digits and dashes")
    if entry["kind"] not in KINDS:
        raise fail(f"'kind' is {entry['kind']!r}; expected one of {list(KINDS)}")
    if entry["region"] not in ENTRY_REGIONS:
        raise fail(f"'region' is {entry['region']!r}; expected one of {sorted(ENTRY_REGIONS)}")
    for field in ("chat_url", "website", "source"):
        if field in entry and not entry[field].startswith("https://"):
            raise fail(f"{field!r} must be an https:// address")
    if not any(field in entry for field in ("phone", "sms", "chat_url", "website")):
        raise fail("needs at least one of 'phone', 'sms', 'chat_url' or 'website'")
    if entry["kind"] == "emergency" and "phone" not in entry:
        raise fail("an emergency entry needs a 'phone'")
    if "phone" in entry:
        if not _PHONE.fullmatch(entry["phone"]):
            raise fail("'phone' may hold only digits, spaces, dashes, brackets and a leading +")
        try:
            _dial_string(entry["phone"], entry["region"])
        except ValueError as error:
            raise fail(str(error)) from None
    if "sms" in entry and not entry["sms"].isdigit():
        raise fail("'sms' must be digits only")
    if "sms_body" in entry and "sms" not in entry:
        raise fail("'sms_body' needs an 'sms' number to send it to")

    return Helpline(
        id=entry["id"],
        kind=entry["kind"],
        name=entry["name"],
        purpose=entry["purpose"],
        region=entry["region"],
        phone=entry.get("phone"),
        sms=entry.get("sms"),
        sms_body=entry.get("sms_body"),
        chat_url=entry.get("chat_url"),
        website=entry.get("website"),
        hours=entry["hours"],
        cost=entry["cost"],
        languages=tuple(languages),
        notes=entry["notes"],
        source=entry["source"],
        last_checked=last_checked,
    )


@cache
def default_helplines() -> tuple[Helpline, ...]:
    """The bundled helplines, loaded once per process."""
    return tuple(load_helplines())


# --- Choosing what to show -------------------------------------------------------------------


def normalise_region(region: str | None) -> str | None:
    """A code from REGIONS, or None for no answer or one we don't know. We never guess."""
    if region is None:
        return None
    code = region.strip().upper()
    code = _REGION_ALIASES.get(code, code)
    return code if code in REGIONS else None


def helplines_for(
    region: str | None, helplines: Sequence[Helpline] | None = None
) -> HelplineSelection:
    """What to show a member who says they are in ``region`` (a REGIONS code).

    - A listed region: its emergency numbers, its crisis and substance-use lines, and the
      directory.
    - "OTHER": the directory and the emergency hint; no other country's lines.
    - None or an unknown code: the directory, the DEFAULT_LINE_IDS lines and the emergency
      hint. We don't guess a region from an unknown code.

    ``helplines`` defaults to the bundled file. Order follows the file.
    """
    helplines = default_helplines() if helplines is None else helplines
    code = normalise_region(region)
    directory = tuple(h for h in helplines if h.kind == "directory")

    if code is None:
        by_id = {h.id: h for h in helplines}
        lines = tuple(by_id[i] for i in DEFAULT_LINE_IDS if i in by_id)
        return HelplineSelection(None, (), lines, directory, EMERGENCY_HINT)

    emergency = tuple(h for h in helplines if h.region == code and h.kind == "emergency")
    lines = tuple(
        h for h in helplines if h.region == code and h.kind in ("crisis", "substance_use")
    )
    return HelplineSelection(
        code, emergency, lines, directory, None if emergency else EMERGENCY_HINT
    )
