"""Issue 5: with Redis, the log-in limit holds across gunicorn processes.

A real gunicorn with two workers serves a fresh SQLite database; concurrent guessers send
wrong passwords for one member over HTTP. Exactly the configured number get an answer and the
rest a 429, although the access log shows both workers served: had each worker counted alone,
each would have let its own quota through.
"""

import concurrent.futures
import hashlib
import hmac
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from forum import create_app
from forum.extensions import db
from forum.ratelimit import LOGIN_PER_PSEUDONYM

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("HARBOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ALLOWED = int(LOGIN_PER_PSEUDONYM.split()[0])
ATTEMPTS = ALLOWED + 14
ROUNDS = 3  # a fresh member each round, until both workers have served log-ins in one


def redis_client():  # noqa: ANN201
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        client.ping()
    except Exception as error:  # noqa: BLE001 (any failure means: no Redis to test with)
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}): cross-process limit untested")
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str, pseudonyms: list[str]) -> None:
    """Migrate a fresh database and create the members with the operators' command."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    for pseudonym in pseudonyms:
        result = app.test_cli_runner().invoke(
            args=["harbor", "create-admin", pseudonym, "--password", "the real password"]
        )
        assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()


def wait_until_serving(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited early"
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start serving")


def worker_pids(access_log: Path, request_line: str) -> set[str]:
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    return {line.split()[0] for line in lines if request_line in line}


def wait_until_both_workers_serve(base: str, access_log: Path, timeout: float = 90) -> None:
    """Booting is not serving: send page views until each worker has answered one."""
    deadline = time.monotonic() + timeout
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        while len(worker_pids(access_log, '"GET /help/"')) < 2:
            assert time.monotonic() < deadline, "the second worker never served"
            list(pool.map(lambda _: urllib.request.urlopen(f"{base}/help/").close(), range(8)))


def guess(base: str, pseudonym: str) -> tuple[int, str | None]:
    """One guesser: fetch the log-in form (cookie and CSRF token), send a wrong password."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "pseudonym": pseudonym, "password": secrets.token_hex(8)}
    request = urllib.request.Request(
        f"{base}/login", data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def guessing_round(
    base: str, pseudonym: str, access_log: Path
) -> tuple[list[tuple[int, str | None]], set[str]]:
    """ATTEMPTS concurrent wrong guesses for one member; the results, and which workers served."""
    served_before = access_log.read_text().count('"POST /login"')
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(guess, [base] * ATTEMPTS, [pseudonym] * ATTEMPTS))
    time.sleep(0.3)  # the last access-log lines are written just after their responses
    posts = [line for line in access_log.read_text().splitlines() if '"POST /login"' in line]
    return results, {line.split()[0] for line in posts[served_before:]}


def test_login_limit_holds_across_two_gunicorn_workers(tmp_path):
    redis = redis_client()
    secret = secrets.token_hex(16)  # fresh secret: this run's hashed keys are its own
    pseudonyms = [f"Target {secrets.token_hex(3)}" for _ in range(ROUNDS)]
    database_url = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    prepare_database(database_url, pseudonyms)
    env = {
        **os.environ,
        "HARBOR_DATABASE_URL": database_url,
        "HARBOR_REDIS_URL": REDIS_URL,
        "HARBOR_SECRET_KEY": secret,
        "HARBOR_SCORING": "worker",  # web processes never load the model
        "HARBOR_RATE_LIMITS": "on",
        "HARBOR_WEB_THREADS": "4",
    }

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log = tmp_path / "gunicorn-access.log"
    error_log = tmp_path / "gunicorn-error.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:forum.gunicorn_config",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
            # the worker's pid on each line, to see that both workers served
            "--access-logformat",
            '%(p)s "%(m)s %(U)s" %(s)s',
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(base, server)
        wait_until_both_workers_serve(base, access_log)
        for pseudonym in pseudonyms:
            results, workers = guessing_round(base, pseudonym, access_log)
            statuses = [status for status, _ in results]
            assert statuses.count(200) == ALLOWED, statuses
            assert statuses.count(429) == ATTEMPTS - ALLOWED, statuses
            assert all(int(wait) > 0 for status, wait in results if status == 429)
            assert guess(base, pseudonym.upper())[0] == 429  # any letter case: the same member
            if len(workers) == 2:
                break
        assert len(workers) == 2, f"one worker served every log-in, {ROUNDS} rounds running"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    logs = access_log.read_text() + error_log.read_text()
    assert "127.0.0.1" not in logs and "Listening at" in logs

    # Redis holds hashed keys that expire, never the address or the pseudonym
    keys = [key.decode() for key in redis.keys("*")]
    assert not [key for key in keys if "127.0.0.1" in key or "target" in key.lower()]
    name_key = hmac.new(
        secret.encode(), f"pseudonym:{pseudonym.casefold()}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    ours = [key for key in keys if name_key in key]
    assert ours, keys
    assert all(0 < redis.ttl(key) <= 15 * 60 for key in ours)
