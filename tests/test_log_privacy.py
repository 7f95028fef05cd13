"""Issue 5: log lines lose their IP addresses, whatever writes them."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from forum.gunicorn_config import AddressFreeLogger, access_log_format
from forum.log_privacy import PLACEHOLDER, AddressScrubber, scrub_addresses


def test_addresses_are_masked_and_nothing_else_changes():
    assert (
        scrub_addresses('127.0.0.1 - - "GET / HTTP/1.1" 200')
        == f'{PLACEHOLDER} - - "GET / HTTP/1.1" 200'
    )
    assert scrub_addresses("from 2001:db8::77 and [::1]:5000") == (
        f"from {PLACEHOLDER} and [{PLACEHOLDER}]:5000"
    )
    assert scrub_addresses("fe80::1%eth0 said hi") == f"{PLACEHOLDER} said hi"
    unchanged = "[21/Nov/2026 16:20:43] v1.2.3 took 12.5ms; ratio 3:2; Day 30 at 10:00"
    assert scrub_addresses(unchanged) == unchanged


def test_the_filter_rewrites_arguments_and_tracebacks(tmp_path):
    logger = logging.getLogger("tests.log_privacy")
    logger.propagate = False
    handler = logging.FileHandler(tmp_path / "out.log")
    logger.addHandler(handler)
    logger.addFilter(AddressScrubber())
    try:
        logger.warning("client %s at %s", "198.51.100.23", "2001:db8::5")
        try:
            raise ConnectionError("reset by 198.51.100.23")
        except ConnectionError:
            logger.exception("request failed")
    finally:
        handler.close()
        logger.removeHandler(handler)
    text = (tmp_path / "out.log").read_text()
    assert "198.51.100" not in text and "2001:db8" not in text
    assert f"client {PLACEHOLDER} at {PLACEHOLDER}" in text
    assert f"reset by {PLACEHOLDER}" in text and "request failed" in text


def test_gunicorn_logs_hold_no_address_even_with_one_in_the_format(tmp_path):
    """Harbor's format leaves the address out; were %(h)s put back, the logger still masks it."""
    assert "%(h)s" not in access_log_format and "%(q)s" not in access_log_format
    assert "%(r)s" not in access_log_format  # the request line would carry the query string
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %({x-forwarded-for}i)s')
    logger = AddressFreeLogger(config)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.5")])
    environ = {
        "REMOTE_ADDR": "198.51.100.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/search?q=203.0.113.6",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/search",
        "QUERY_STRING": "q=203.0.113.6",
    }
    logger.access(response, request, environ, timedelta(milliseconds=3))
    logger.info("Listening at: http://127.0.0.1:5000")
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            handler.close()
            log.removeHandler(handler)
    text = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert '"GET /search?q=' in text and "Listening at" in text
    for address in ("198.51.100.9", "203.0.113.5", "203.0.113.6", "127.0.0.1"):
        assert address not in text
