"""Issue 5: no IP address in any database or log. Named to run last in the suite.

Every test database lives under pytest's base temp folder for the session (tmp_path), and so
do the gunicorn logs of the cross-worker test and the suite's own log file (tests/conftest.py
`suite_log`: everything logged at INFO or above, Werkzeug's request lines included). The last
test reads every one of those files as raw bytes (free pages and WAL files too) and looks for
IPv4 and IPv6 addresses. The Flask test client sends every request from 127.0.0.1, and the
first test here sends requests from two more addresses through every path that writes.

The only addresses allowed are ones the XSS payloads themselves contain: text a test posted
on purpose, not an address Harbor recorded.
"""

import contextlib
import ipaddress
import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FormClient, make_app, shared_data_dir
from tests.page_watch import live_server

IPV4 = re.compile(rb"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?!\d)")
IPV6_CANDIDATE = re.compile(rb"[0-9A-Fa-f]*:[0-9A-Fa-f:]*")
TEST_ADDRESSES = ("203.0.113.77", "2001:db8::77")


def addresses_in(data: bytes) -> set[str]:
    """Every string in `data` that parses as an IPv4 or IPv6 address (but "::")."""
    found = set()
    for match in IPV4.finditer(data):
        with contextlib.suppress(ValueError):
            found.add(str(ipaddress.IPv4Address(match.group().decode())))
    for match in IPV6_CANDIDATE.finditer(data):
        if match.group().count(b":") >= 2:
            with contextlib.suppress(ValueError):
                address = ipaddress.IPv6Address(match.group().decode())
                # "::" (no address at all) turns up in any binary page and names no client
                if not address.is_unspecified:
                    found.add(str(address))
    return found


def written_files(root: Path) -> list[Path]:
    """The databases (with WAL and journal files) and the logs under `root`."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and (".sqlite3" in path.name or path.suffix == ".log")
    )


def payload_addresses() -> set[str]:
    folder = shared_data_dir() / "xss"
    return {a for path in folder.glob("*.txt") for a in addresses_in(path.read_bytes())}


def test_the_scanner_finds_addresses():
    text = b"x 127.0.0.1 y [::1]:80 2001:db8::77, 10:11:12 v1.2.3 999.1.1.1 ::ffff:c000:280"
    assert addresses_in(text) == {"127.0.0.1", "::1", "2001:db8::77", "::ffff:c000:280"}


def test_requests_from_known_addresses_leave_no_trace(tmp_path, suite_log):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    writer, reporter = (FormClient(app.test_client()) for _ in TEST_ADDRESSES)
    for client, address in zip((writer, reporter), TEST_ADDRESSES, strict=True):
        client.client.environ_base["REMOTE_ADDR"] = address
    from forum.data.models import Board
    from forum.extensions import db

    with app.app_context():
        db.session.add(Board(slug="day-by-day", name="Day by day"))
        db.session.commit()
    writer.signup("Scan Writer")
    response = writer.submit(
        "/b/day-by-day/new",
        {"title": "Hello", "body": "Call me on 07700 900123", "post_anyway": "y"},
    )
    assert response.status_code == 302
    reporter.signup("Scan Reporter")
    assert reporter.submit("/p/1/report", {"reason": "an e-mail address"}).status_code == 302
    reporter.logout()
    codes = [reporter.login("Scan Writer", "wrong password").status_code for _ in range(11)]
    assert codes[-1] == 429
    export = writer.get("/account/data/export").get_data()
    assert addresses_in(export) == set()
    with live_server(app) as origin:  # a real socket: Werkzeug logs each request line
        for path in ("/", "/login", "/no-such-page"):
            try:
                urllib.request.urlopen(origin + path).close()
            except urllib.error.HTTPError as error:
                assert error.code == 404
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    log = suite_log.read_text()
    assert '"GET /login HTTP/1.1" 200' in log  # the request lines were logged...
    assert "[address removed]" in log  # ...without their address
    for path in [*written_files(tmp_path), suite_log]:
        assert addresses_in(path.read_bytes()) == set(), path
    assert json.loads(export)["account"]["pseudonym"] == "Scan Writer"


def test_no_database_or_log_the_suite_wrote_holds_an_ip_address(
    tmp_path_factory: pytest.TempPathFactory, suite_log
):
    files = written_files(tmp_path_factory.getbasetemp())
    allowed = payload_addresses() if (shared_data_dir() / "xss").is_dir() else set()
    found = {}
    for path in files:
        addresses = addresses_in(path.read_bytes()) - allowed
        if addresses:
            found[str(path)] = sorted(addresses)
    databases = [path for path in files if path.name.endswith(".sqlite3")]
    logs = [path for path in files if path.suffix == ".log"]
    print(f"\nIP scan: {len(databases)} databases, {len(logs)} logs, {len(files)} files read")
    assert found == {}
    assert suite_log in files and databases
