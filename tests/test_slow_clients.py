"""Issue 15: slow clients ("slowloris") do not block the embedded default's one process."""

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from forum import create_app
from forum.extensions import db
from tests.hardening_support import free_port

ROOT = Path(__file__).resolve().parents[1]


SLOW_HEAD = b"GET /help/ HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * 200
FAST_HEAD = (
    b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300\r\n\r\n"
)


def dribble(
    port: int, stop: threading.Event, hung_up: list[bool], slowly: bytes, first: bytes = b""
) -> None:
    """A slow client: sends `first` at once, then a byte of `slowly` every 2 s, until the
    server answers or hangs up."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(2)
        sock.sendall(first)
        for byte in slowly:
            try:
                sock.sendall(bytes([byte]))
                sock.recv(1)  # a request not finished has no answer: only a hang-up ends this
            except TimeoutError:
                if stop.is_set():
                    return
                continue
            except OSError:
                pass
            hung_up.append(True)
            return


@pytest.mark.slow
def test_slow_clients_do_not_block_the_embedded_default(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'slow.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HARBOR_DATABASE_URL": database_url,
        "HARBOR_SECRET_KEY": "slow-clients",
        "HARBOR_SCORING": "worker",
        "HARBOR_BIND": f"127.0.0.1:{port}",
        "HARBOR_REQUEST_SECONDS": "4",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:forum.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()
    hung_up: list[bool] = []
    # twenty that dribble their headers, and three that send a head at once and dribble the
    # body (these hold a thread each, until their body's time is up)
    slow = [
        threading.Thread(target=dribble, args=(port, stop, hung_up, SLOW_HEAD), daemon=True)
        for _ in range(20)
    ] + [
        threading.Thread(
            target=dribble, args=(port, stop, hung_up, b"a" * 300, FAST_HEAD), daemon=True
        )
        for _ in range(3)
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/help/", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        for client in slow:
            client.start()
        time.sleep(3)  # every slow client is connected and sending
        still_sending = sum(client.is_alive() for client in slow)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/help/", timeout=10) as page:
            assert page.status == 200
        assert still_sending == len(slow)  # answered while all of them were still dribbling
        for client in slow:
            client.join(timeout=30)
        # the server hung up on them (or refused the body): they would have taken 7 minutes
        assert len(hung_up) == len(slow)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
