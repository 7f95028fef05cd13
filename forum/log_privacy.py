"""No IP address in any log line Harbor's processes write.

gunicorn's access log format leaves the client address out (see forum/gunicorn_config.py), but
other log lines carry addresses too: Werkzeug's development server starts each request line
with the client's, gunicorn's own messages name addresses, and an application traceback can
hold one (a database that refused a connection, say). A filter rewrites every IPv4 or IPv6
address in a line, and in its traceback, to a placeholder. It sits on the root logger's
handlers, which every logger's records reach (application tracebacks included), and on the
werkzeug and gunicorn loggers, whose handlers are their own.
"""

import ipaddress
import logging
import re

PLACEHOLDER = "[address removed]"

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# a run of hex digits, colons and dots, not glued to a word: checked by ipaddress below
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%\w+)?(?![\w:])")


def _ipv6_or_none(candidate: str) -> str | None:
    try:
        ipaddress.IPv6Address(candidate.split("%", 1)[0].strip("."))
    except ValueError:
        return None
    return candidate


def scrub_addresses(text: str) -> str:
    """`text` with every IPv4 and IPv6 address replaced by a placeholder."""
    text = _IPV4.sub(PLACEHOLDER, text)
    return _IPV6_CANDIDATE.sub(
        lambda m: PLACEHOLDER if _ipv6_or_none(m.group()) else m.group(), text
    )


class AddressScrubber(logging.Filter):
    """Rewrite the record's message without addresses; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_addresses(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_addresses(record.stack_info)
        return True


_scrubber = AddressScrubber()

#: Loggers that write request lines or connection messages.
ADDRESS_BEARING_LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")


def keep_addresses_out_of_logs(*logger_names: str) -> None:
    """Attach the scrubber to these loggers (all address-bearing ones by default) and to the
    root logger's handlers, once."""
    for name in logger_names or ADDRESS_BEARING_LOGGERS:
        logger = logging.getLogger(name)
        if _scrubber not in logger.filters:
            logger.addFilter(_scrubber)
    _scrub_at_the_root()


def _scrub_at_the_root() -> None:
    """Put the scrubber on every root handler. With none configured, add one to stderr: it
    also keeps Flask from giving the app's logger a handler of its own, which would bypass the
    root's."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s] %(levelname)s in %(name)s: %(message)s")
        )
        root.addHandler(handler)
    for handler in root.handlers:
        if _scrubber not in handler.filters:
            handler.addFilter(_scrubber)
