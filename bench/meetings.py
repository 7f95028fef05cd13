"""Online meetings under load: 20 live meetings of 100 listeners each, over loopback.

Each meeting's chair sends a line every second through the real form (the moderation flow
included); every participant listens to the room's Server-Sent Events. Each line carries the
moment its POST began, so every listener's copy gives one fan-out latency: from the chair
pressing Send to the line arriving on that listener's stream. Prints p50, p99 and lines
delivered per second, for

- the embedded default: one gunicorn process, SQLite, the in-process broker, and
- scale-out: two gunicorn processes, PostgreSQL and Redis pub/sub between them.

    python bench/meetings.py [--seconds 30] [--meetings 20] [--listeners 100] [--only embedded]
"""

import argparse
import asyncio
import http.cookiejar
import os
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.harness import OUT, database_url, gunicorn  # noqa: E402

REDIS_URL = os.environ.get("HARBOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "bench meeting password"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ARRIVING_AT_ONCE = 50
STAMP = re.compile(r"bench m(\d+) k(\d+) t([\d.]+)")


def reset(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def seed(url: str, meetings: int, listeners: int) -> list[int]:
    """Migrate; make the chairs and listeners (a cheap password hash: this is not the log-in
    benchmark) and open every meeting, with everyone in its room."""
    os.environ["HARBOR_SECRET_KEY"] = "bench-secret-key"
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from forum import create_app
    from forum.data.clock import utcnow
    from forum.data.models import User
    from forum.extensions import db
    from forum.meetings import room
    from forum.meetings.models import Meeting, MeetingParticipant, MeetingStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.app_context(), app.test_request_context():
        upgrade()
        old = utcnow() - timedelta(days=365)
        people = [
            User(
                pseudonym=name,
                pseudonym_key=name,
                password_hash=cheap,
                created_at=old,
                post_count=10,
            )
            for name in [f"chair{m}" for m in range(meetings)]
            + [f"listener{n}" for n in range(listeners)]
        ]
        db.session.add_all(people)
        db.session.flush()
        ids = []
        for m in range(meetings):
            meeting = Meeting(
                title=f"Bench meeting {m}",
                format="open_share",
                status=MeetingStatus.APPROVED,
                chair=people[m],
                weekday=m % 7,
                at_time="19:00",
                time_zone="UTC",
            )
            db.session.add(meeting)
            db.session.flush()
            occasion = room.open_meeting(meeting, people[m])
            db.session.add_all(
                MeetingParticipant(occasion_id=occasion.id, user_id=person.id)
                for person in people[meetings:]
            )
            ids.append(meeting.id)
        db.session.commit()
        db.engine.dispose()
    return ids


def log_in(base: str, name: str) -> str:
    """The Cookie header of a fresh log-in."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    form = {"csrf_token": CSRF.search(page).group(1), "pseudonym": name, "password": PASSWORD}
    opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


async def request(port: int, head: str, body: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode() + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


async def listen(
    port: int, meeting_id: int, cookie: str, heard: list, stop: asyncio.Event, ready: list
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /meetings/{meeting_id}/room/events HTTP/1.1\r\nHost: bench\r\n"
        f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        ready.append(False)
        writer.close()
        return
    ready.append(True)
    try:
        while not stop.is_set():
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data: ") and (found := STAMP.search(line.decode())):
                heard.append(time.perf_counter() - float(found.group(3)))
    finally:
        writer.close()


async def say(port: int, meeting_id: int, cookie: str, body: bytes) -> bool:
    answer = await request(
        port,
        f"POST /meetings/{meeting_id}/room/say HTTP/1.1\r\nHost: bench\r\n"
        f"Cookie: {cookie}\r\nX-Requested-With: fetch\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n",
        body,
    )
    return b" 200 " in answer.split(b"\r\n", 1)[0]


async def warm_up(port: int, meeting_id: int, cookie: str, token: str) -> None:
    """A few unmeasured lines first: each process compiles its checks on its first line."""
    for n in range(4):
        body = urllib.parse.urlencode({"csrf_token": token, "body": f"warming up {n}"}).encode()
        await say(port, meeting_id, cookie, body)


async def chair(
    port: int,
    meeting_id: int,
    cookie: str,
    token: str,
    seconds: float,
    phase: float,
    sent: list,
    failed: list,
) -> None:
    """A line a second, `phase` seconds into each second: the meetings' chairs do not all
    press Send at the same instant (a burst of 20 at once would measure the burst)."""
    start = time.perf_counter() + phase
    for k in range(int(seconds)):
        await asyncio.sleep(max(0.0, start + k - time.perf_counter()))
        now = time.perf_counter()
        body = urllib.parse.urlencode(
            {"csrf_token": token, "body": f"bench m{meeting_id} k{k} t{now:.6f}"}
        ).encode()
        ok = await say(port, meeting_id, cookie, body)
        (sent if ok else failed).append(time.perf_counter() - now)


async def run_load(base: str, ids: list[int], listeners: int, seconds: float) -> dict:
    port = int(base.rsplit(":", 1)[1])
    loop = asyncio.get_running_loop()
    listener_cookies = await asyncio.gather(
        *(loop.run_in_executor(None, log_in, base, f"listener{n}") for n in range(listeners))
    )
    chair_cookies = [log_in(base, f"chair{m}") for m in range(len(ids))]
    tokens = []
    for meeting_id, cookie in zip(ids, chair_cookies, strict=True):
        page = (
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{base}/meetings/{meeting_id}/room", headers={"Cookie": cookie}
                ),
                timeout=30,
            )
            .read()
            .decode()
        )
        tokens.append(CSRF.search(page).group(1))
    await asyncio.gather(
        *(warm_up(port, m, c, t) for m, c, t in zip(ids, chair_cookies, tokens, strict=True))
    )
    heard: list[float] = []
    ready: list[bool] = []
    stop = asyncio.Event()
    streams = []
    for meeting_id in ids:  # people arrive over some seconds, as they do, not all at once
        for cookie in listener_cookies:
            streams.append(
                asyncio.create_task(listen(port, meeting_id, cookie, heard, stop, ready))
            )
            if len(streams) % ARRIVING_AT_ONCE == 0:
                await asyncio.sleep(0.5)
    while len(ready) < len(streams):
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # every stream subscribed
    sent: list[int] = []
    failed: list[int] = []
    began = time.perf_counter()
    await asyncio.gather(
        *(
            chair(port, m, c, t, seconds, n / len(ids), sent, failed)
            for n, (m, c, t) in enumerate(zip(ids, chair_cookies, tokens, strict=True))
        )
    )
    await asyncio.sleep(3)  # the last lines arrive
    elapsed = time.perf_counter() - began
    stop.set()
    for stream in streams:
        stream.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    return {
        "streams": sum(ready),
        "refused": ready.count(False),
        "sent": len(sent),
        "failed": len(failed),
        "delivered": len(heard),
        "expected": len(sent) * listeners,
        "elapsed": elapsed,
        "latencies": heard,
        "posts": sent,
    }


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    return statistics.median(ordered) * 1000, ordered[int(0.99 * (len(ordered) - 1))] * 1000


def report(name: str, result: dict) -> str:
    p50, p99 = percentiles(result["latencies"])
    post50, post99 = percentiles(result["posts"])
    return (
        f"{name}: {result['streams']} streams ({result['refused']} refused), "
        f"{result['sent']} lines sent ({result['failed']} failed), "
        f"{result['delivered']}/{result['expected']} deliveries, "
        f"fan-out p50 {p50:.0f} ms, p99 {p99:.0f} ms (the chair's POST alone: p50 "
        f"{post50:.0f} ms, p99 {post99:.0f} ms), "
        f"{result['delivered'] / result['elapsed']:.0f} lines delivered/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--meetings", type=int, default=20)
    parser.add_argument("--listeners", type=int, default=100)
    parser.add_argument("--only", choices=["embedded", "redis"])
    args = parser.parse_args()
    streams = args.meetings * args.listeners
    setups = {
        "embedded": (
            "embedded default (1 process, SQLite, in-process broker)",
            database_url("sqlite", 0, "meetings"),
            1,
            {},
        ),
        "redis": (
            "scale-out (2 processes, PostgreSQL, Redis)",
            database_url("postgresql", 0, "meetings"),
            2,
            {"HARBOR_REDIS_URL": REDIS_URL},
        ),
    }
    if args.only:
        setups = {args.only: setups[args.only]}
    lines = []
    for name, url, workers, env in setups.values():
        reset(url)
        ids = seed(url, args.meetings, args.listeners)
        with gunicorn(
            url, workers=workers, threads=4, HARBOR_MEETING_STREAMS=str(streams + 50), **env
        ) as server:
            result = asyncio.run(run_load(server.base, ids, args.listeners, args.seconds))
        line = report(name, result)
        print(line, flush=True)
        lines.append(line)
    (OUT / "meetings.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
