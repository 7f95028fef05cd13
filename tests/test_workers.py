"""Issue 6: scoring workers at scale: several at once score each post once, and a worker that
dies loses no post. On SQLite and on PostgreSQL (FOR UPDATE SKIP LOCKED)."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

from forum.data.clock import utcnow
from forum.data.models import Board, Post, PostStatus, Topic, User
from forum.data.moderated import ScoringState
from forum.data.review import AuditEntry
from forum.extensions import db
from forum.flow.scoring import score_waiting
from moderation.scores import Scores
from tests.conftest import make_app, make_user, use_scorer

ROOT = Path(__file__).resolve().parent.parent


class RecordingScorer:
    """Scores everything as harmless and records every text it was given."""

    name = "recording-test-scorer"

    def __init__(self, seen: list[str], lock: threading.Lock) -> None:
        self.seen, self.lock = seen, lock

    def score_many(self, texts):  # noqa: ANN001, ANN201
        time.sleep(0.005)  # long enough for the other worker to try for the same posts
        with self.lock:
            self.seen.extend(texts)
        labels = dict.fromkeys(
            ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"), 0.0
        )
        return [Scores(model=self.name, labels=labels) for _ in texts]


def add_waiting_posts(app, count: int) -> list[int]:  # noqa: ANN001
    """`count` replies waiting for a score, written in bulk (the topic's first post is scored)."""
    author_id = make_user(app, "Writer")
    with app.app_context():
        board = Board(slug="day-by-day", name="Day by day")
        topic = Topic(board=board, author_id=author_id, title="Waiting", status="published")
        db.session.add_all([board, topic])
        db.session.flush()
        now = utcnow()
        db.session.execute(
            insert(Post),
            [
                {
                    "topic_id": topic.id,
                    "number": number,
                    "author_id": author_id,
                    "body": f"waiting post {number}",
                    "body_html": f"<p>waiting post {number}</p>",
                    "status": PostStatus.PENDING,
                    "scoring": ScoringState.WAITING,
                    "created_at": now,
                }
                for number in range(1, count + 1)
            ],
        )
        topic.post_count = count
        db.session.commit()
        return list(db.session.scalars(select(Post.id).order_by(Post.id)))


def test_workers_at_once_score_every_post_exactly_once(tmp_path, database):
    apps = [make_app(tmp_path, database) for _ in range(3)]
    post_ids = add_waiting_posts(apps[0], 200)
    seen: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(app) -> None:  # noqa: ANN001
        try:
            service = use_scorer(app, lambda: RecordingScorer(seen, lock))
            with app.app_context():
                while score_waiting(service, include_fallback=False, batch_size=8):
                    pass
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    bodies = Counter(text.split("\n\n")[-1] for text in seen)  # the first post has a title
    assert bodies == Counter(f"waiting post {n}" for n in range(1, 201))
    with apps[0].app_context():
        decisions = Counter(
            db.session.scalars(
                select(AuditEntry.subject_id).where(AuditEntry.action == "auto_decision")
            )
        )
        assert decisions == Counter(post_ids)
        statuses = Counter(db.session.scalars(select(Post.status)))
        assert statuses == {PostStatus.PUBLISHED: 200}
        topic = db.session.scalar(select(Topic))
        board = db.session.scalar(select(Board))
        writer = db.session.scalar(select(User))
        # the kept counters moved once per post: the first post is the topic, the rest replies
        assert (topic.reply_count, board.topic_count, board.post_count) == (199, 1, 200)
        assert writer.post_count == 200


def _leased_and_scored(app) -> tuple[int, int]:  # noqa: ANN001
    with app.app_context():
        leased = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.scoring == ScoringState.WAITING, Post.scoring_lease_until.is_not(None))
        )
        scored = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.scoring != ScoringState.WAITING)
        )
        db.session.remove()
        return leased, scored


def test_a_killed_worker_loses_no_post(tmp_path, database, tiny_detoxify_checkpoint):
    """A real `flask harbor worker` with a tiny Detoxify is killed mid-batch; once its leases
    run out a second worker takes up what it held."""
    app = make_app(tmp_path, database)
    add_waiting_posts(app, 600)
    environment = {
        **os.environ,
        "HARBOR_DATABASE_URL": database,
        "HARBOR_SCORING_LEASE": "2",
        "HARBOR_MODEL_CHECKPOINT": str(tiny_detoxify_checkpoint),
        "HARBOR_MODEL_HF_CONFIG": str(tiny_detoxify_checkpoint.parent),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "harbor", "worker"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            leased, scored = _leased_and_scored(app)
            if leased and scored:  # part-way: some posts done, a batch held
                break
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never took a batch"
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stderr.close()
    leased, scored = _leased_and_scored(app)
    assert leased > 0 and scored < 600, "the worker was not killed part-way"

    time.sleep(2.1)  # the dead worker's leases run out
    finished = subprocess.run(
        [*command, "--once"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=90
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.scoring == ScoringState.WAITING)
        )
        pending = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.status == PostStatus.PENDING)
        )
        decided = db.session.scalar(
            select(func.count(func.distinct(AuditEntry.subject_id))).where(
                AuditEntry.action == "auto_decision"
            )
        )
    assert (waiting, pending, decided) == (0, 0, 600)
