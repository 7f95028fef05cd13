"""Issue 16: a meeting held across two gunicorn processes on PostgreSQL and Redis.

Two separate gunicorn servers (one process each) share one database and one Redis. The chair
and one member are on the first, another member on the second; each listens to the room's
event stream on their own server. Lines written on either server reach both listeners, in
one order, numbered without a gap: the database numbers them, Redis carries them across.
"""

import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from forum import create_app
from forum.data.clock import utcnow
from forum.data.models import User
from forum.extensions import db
from forum.meetings.models import Meeting, MeetingStatus
from tests.databases import postgresql_unreachable_reason, scratch_database
from tests.meetings_http import Person, RoomListener
from tests.test_rate_limits_across_workers import REDIS_URL, free_port, redis_client

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
SECRET = "meetings-across-processes"


def prepare(database_url: str) -> int:
    """Migrate, make the members (old enough, with posts) and an approved meeting."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        for name in ("Chair Rowan", "Sam", "Alex"):
            user = User(pseudonym=name, pseudonym_key=name.casefold())
            user.set_password(PASSWORD)
            user.created_at = utcnow() - timedelta(days=90)
            user.post_count = 5
            db.session.add(user)
        db.session.flush()
        chair = db.session.scalar(select(User).where(User.pseudonym == "Chair Rowan"))
        meeting = Meeting(
            title="Across processes",
            format="open_share",
            status=MeetingStatus.APPROVED,
            chair=chair,
            weekday=1,
            at_time="19:00",
            time_zone="UTC",
        )
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
        db.engine.dispose()
    return meeting_id


def serve(database_url: str, log: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {
        **os.environ,
        "HARBOR_DATABASE_URL": database_url,
        "HARBOR_REDIS_URL": REDIS_URL,
        "HARBOR_SECRET_KEY": SECRET,
        "HARBOR_SCORING": "worker",  # web processes never load the model
        "HARBOR_RATE_LIMITS": "off",
        "HARBOR_WEB_WORKERS": "1",
        "HARBOR_MEETING_STREAMS": "8",
        "HARBOR_BIND": f"127.0.0.1:{port}",
        "HF_HUB_OFFLINE": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:forum.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert server.poll() is None, f"gunicorn exited early; see {log}"
        try:
            urllib.request.urlopen(f"{base}/meetings", timeout=2).close()
            return base, server
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start serving"
            time.sleep(0.2)


def test_participants_on_two_processes_see_each_others_lines_in_one_order(tmp_path):
    redis_client()
    if reason := postgresql_unreachable_reason():
        pytest.skip(reason)
    with scratch_database("harbor_meetings") as database_url:
        meeting_id = prepare(database_url)
        first, one = serve(database_url, tmp_path / "first.log")
        second, two = serve(database_url, tmp_path / "second.log")
        listeners = []
        try:
            chair, sam, alex = Person(first), Person(first), Person(second)
            chair.log_in("Chair Rowan", PASSWORD)
            sam.log_in("Sam", PASSWORD)
            alex.log_in("Alex", PASSWORD)
            meeting = f"/meetings/{meeting_id}"
            assert chair.post(meeting, f"{meeting}/open", {}) == 302
            assert sam.post(meeting, f"{meeting}/join", {}) == 302
            assert alex.post(meeting, f"{meeting}/join", {}) == 302
            listeners = [RoomListener(sam, meeting_id), RoomListener(alex, meeting_id)]
            time.sleep(0.5)  # both subscribed
            room = f"{meeting}/room"
            assert alex.post(room, f"{room}/hand", {"up": "yes"}) == 302
            status, chair_room = chair.get(room)
            participant = chair_room.split(f"{meeting}/room/people/")[1].split('"')[0]
            assert chair.post(room, f"{room}/people/{participant}", {"action": "call"}) == 302
            sent = []
            for n in range(6):  # the chair on the first process, Alex on the second, in turn
                writer, words = (
                    (chair, f"Chair line {n}") if n % 2 == 0 else (alex, f"Alex line {n}")
                )
                assert writer.post(room, f"{room}/say", {"body": words}) == 302
                sent.append(words)
            expected = 2 + len(sent)  # the reading and the code of conduct, then the lines
            heard = [listener.wait_for(expected) for listener in listeners]
        finally:
            for listener in listeners:
                listener.close()
            for server in (one, two):
                server.terminate()
                server.wait(timeout=30)
    on_first, on_second = heard
    assert len(on_first) == expected and len(on_second) == expected
    assert [i for i, _ in on_first] == list(range(1, expected + 1))
    assert on_first == on_second
    said = [next(words for words in sent if words in data) for _, data in on_first[2:]]
    assert said == sent
