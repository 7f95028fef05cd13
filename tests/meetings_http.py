"""A person at a real Harbor over HTTP (for tests that serve through gunicorn): cookies, the
CSRF token read from each form's page, and a room's event stream read line by line."""

import http.client
import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@dataclass
class Person:
    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, page: str, action: str, data: dict[str, str]) -> int:
        status, html = self.get(page)
        token = CSRF_FIELD.search(html)
        assert token, f"no form on {page} ({status})"
        body = urllib.parse.urlencode({"csrf_token": token.group(1), **data}).encode()
        try:
            with self.opener.open(self.base + action, data=body, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_in(self, pseudonym: str, password: str) -> None:
        assert self.post("/login", "/login", {"pseudonym": pseudonym, "password": password}) == 302

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class RoomListener:
    """Reads a room's Server-Sent Events in a thread: (event id, data) of each line."""

    def __init__(self, person: Person, meeting_id: int) -> None:
        self.lines: list[tuple[int, str]] = []
        host, port = urllib.parse.urlsplit(person.base).netloc.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.connection.request(
            "GET",
            f"/meetings/{meeting_id}/room/events",
            headers={"Cookie": person.cookie_header(), "Accept": "text/event-stream"},
        )
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event_id, data = None, []
        try:
            for raw in self.response:
                text = raw.decode().rstrip("\n")
                if text.startswith("id: "):
                    event_id = int(text[4:])
                elif text.startswith("data: "):
                    data.append(text[6:])
                elif text == "":
                    if event_id is not None:
                        self.lines.append((event_id, "\n".join(data)))
                    event_id, data = None, []
        except (OSError, ValueError, AttributeError):  # closed by the test
            return

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[int, str]]:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.lines)

    def close(self) -> None:
        self.connection.close()
