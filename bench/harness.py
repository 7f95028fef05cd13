"""What the benchmarks share: their databases, seeding them once, gunicorn on loopback."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
POSTGRESQL_SERVER = os.environ.get(
    "HARBOR_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def database_url(database: str, posts: int, purpose: str = "bench") -> str:
    """The benchmark database of a kind and size: a file under bench/out, or a PostgreSQL
    database on the local server (made if missing)."""
    OUT.mkdir(parents=True, exist_ok=True)
    if database == "sqlite":
        return f"sqlite:///{OUT / f'{purpose}-{posts}.sqlite3'}"
    name = f"harbor_{purpose}_{posts}"
    server = create_engine(POSTGRESQL_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(POSTGRESQL_SERVER).set(database=name).render_as_string(hide_password=False)


def seeded_posts(url: str) -> int | None:
    """How many posts the database holds, or None when it has no forum schema."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM posts"))
    except Exception:  # noqa: BLE001 - no database file or no schema yet: not seeded
        return None
    finally:
        engine.dispose()


def ensure_seeded(url: str, posts: int, reseed: bool = False) -> None:
    if not reseed and seeded_posts(url) == posts:
        return
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "seed.py"), "--database-url", url, "--posts", str(posts)],
        check=True,
        cwd=ROOT,
    )


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers: what a page costs,
        whatever else the machine is doing."""
        ticks = 0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int = 2, threads: int = 2, **env: str) -> Iterator["Server"]:
    """Serve Harbor from `url` with the production gunicorn configuration.

    Rate limits are off (HARBOR_RATE_LIMITS=off: load tests only) and scoring is left to
    workers, so web processes load no model, as at scale.
    """
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "HARBOR_DATABASE_URL": url,
        "HARBOR_BIND": f"127.0.0.1:{port}",
        "HARBOR_WEB_WORKERS": str(workers),
        "HARBOR_WEB_THREADS": str(threads),
        "HARBOR_SCORING": "worker",
        "HARBOR_RATE_LIMITS": "off",
        "HARBOR_SECRET_KEY": "bench-secret-key",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    log = (OUT / "gunicorn.log").open("ab")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "python:forum.gunicorn_config", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log_path = OUT / "gunicorn.log"
                    raise RuntimeError(f"gunicorn did not start; see {log_path}") from None
                time.sleep(0.2)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
