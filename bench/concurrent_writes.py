"""Concurrent writing: 8 clients post 2,000 replies through the real HTTP forms; nothing is lost.

    python bench/concurrent_writes.py                 # SQLite, then PostgreSQL
    python bench/concurrent_writes.py --databases sqlite --replies 400

Each client logs in as a seeded member, takes the CSRF token from the topic page as a browser
would, and posts replies to one of two topics (four clients per topic, so they race for post
numbers). Then the benchmark counts successful responses against rows in the database, checks
every topic's post numbers run 1..N without a gap or a repeat, scores the new posts with a
worker, and checks that every kept counter agrees with a count of the rows.
"""

import argparse
import http.client
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import database_url, ensure_seeded, gunicorn  # noqa: E402
from bench.seed import PASSWORD  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEED_POSTS = 10_000
MARK = "concurrent write"


class FormClient:
    """One browser: a kept-alive connection, its cookies, and forms posted with their token."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def token(self, path: str) -> str:
        status, page = self.request("GET", path)
        match = CSRF_FIELD.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"no form on {path} ({status})")
        return match.group(1)

    def log_in(self, pseudonym: str) -> None:
        form = {"csrf_token": self.token("/login"), "pseudonym": pseudonym, "password": PASSWORD}
        status, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"{pseudonym} could not log in ({status})")


def post_replies(base: str, client_number: int, topic_id: int, replies: int, statuses: Counter):
    client = FormClient(base)
    client.log_in(f"member{client_number:04d}")
    token = client.token(f"/t/{topic_id}")
    for number in range(replies):
        form = {"csrf_token": token, "body": f"{MARK} {client_number}-{number}"}
        try:
            status, _ = client.request("POST", f"/t/{topic_id}/reply", form)
        except (OSError, http.client.HTTPException):
            status = 0  # the connection failed: counted as not successful; reconnect
            cookies, client = client.cookies, FormClient(base)
            client.cookies = cookies
        statuses[status] += 1


def count_rows(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.scalar(
            text("SELECT count(*) FROM posts WHERE body LIKE :mark"), {"mark": f"{MARK} %"}
        )
        numbering = connection.execute(
            text(
                "SELECT t.id, t.post_count, count(p.id), count(DISTINCT p.number), max(p.number) "
                "FROM topics t JOIN posts p ON p.topic_id = t.id WHERE t.id IN (1, 2) "
                "GROUP BY t.id, t.post_count"
            )
        ).all()
    engine.dispose()
    gapless = all(kept == rows == distinct == top for _, kept, rows, distinct, top in numbering)
    return {"rows": rows, "numbering_ok": gapless}


def score_and_check_counters(url: str) -> list[str]:
    """Publish the new posts with a worker (the fallback scorer), then compare every kept
    counter with a count of the rows. Returns the disagreements."""
    from sqlalchemy import text

    from forum import create_app
    from forum.extensions import db
    from forum.flow.scoring import run_worker
    from moderation.scoring import ScoringService

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HARBOR_BACKGROUND_SWEEP": False})
    with app.app_context():
        run_worker(ScoringService(start=False), forever=False)
        published = "p.status = 'published'"
        checks = {
            "topic replies": f"""SELECT t.id FROM topics t WHERE t.reply_count <> (SELECT count(*)
                FROM posts p WHERE p.topic_id = t.id AND p.number > 1 AND {published})""",
            "board posts": f"""SELECT b.id FROM boards b WHERE b.post_count <> (SELECT count(*)
                FROM posts p JOIN topics t ON t.id = p.topic_id
                WHERE t.board_id = b.id AND {published})""",
            "member posts": f"""SELECT u.id FROM users u WHERE u.post_count <> (SELECT count(*)
                FROM posts p WHERE p.author_id = u.id AND {published})""",
        }
        problems = []
        for name, query in checks.items():
            wrong = db.session.scalars(text(query)).all()
            if wrong:
                problems.append(f"{name} disagree for ids {wrong[:10]}")
        db.engine.dispose()
    return problems


def run(database: str, clients: int, replies: int) -> dict:
    url = database_url(database, SEED_POSTS, purpose="writes")
    ensure_seeded(url, SEED_POSTS, reseed=True)
    statuses: Counter = Counter()
    per_client = [replies // clients + (1 if i < replies % clients else 0) for i in range(clients)]
    with gunicorn(url) as server:
        base = server.base
        threads = [
            threading.Thread(
                target=post_replies, args=(base, number + 1, number % 2 + 1, count, statuses)
            )
            for number, count in enumerate(per_client)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - began
    database_figures = count_rows(url)
    problems = score_and_check_counters(url)
    return {
        "database": database,
        "sent": sum(statuses.values()),
        "successful": statuses[302],
        "other_statuses": {k: v for k, v in statuses.items() if k != 302},
        "seconds": seconds,
        "counter_problems": problems,
        **database_figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--replies", type=int, default=2000)
    args = parser.parse_args()
    results = [run(db, args.clients, args.replies) for db in args.databases.split(",")]
    print(
        f"\n{'database':<11}{'sent':>6}{'302s':>7}{'rows':>7}{'lost':>6}{'replies/s':>11}"
        f"  numbering  counters"
    )
    failed = False
    for r in results:
        lost = r["successful"] - r["rows"]
        counters = "agree" if not r["counter_problems"] else "; ".join(r["counter_problems"])
        print(
            f"{r['database']:<11}{r['sent']:>6}{r['successful']:>7}{r['rows']:>7}{lost:>6}"
            f"{r['sent'] / r['seconds']:>11.0f}  {'gapless' if r['numbering_ok'] else 'BROKEN':<9}"
            f"  {counters}"
        )
        if r["other_statuses"]:
            print(f"  other responses: {r['other_statuses']}")
        failed |= lost != 0 or r["successful"] != r["sent"] or bool(r["counter_problems"])
        failed |= not r["numbering_ok"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
