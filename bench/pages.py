"""Page speed as the forum grows: wrk against gunicorn on loopback, on SQLite and PostgreSQL.

    python bench/pages.py                      # both databases, 10,000 and 1,000,000 posts
    python bench/pages.py --databases sqlite --sizes 10000 --duration 5

For each database and size it seeds the forum once (bench/seed.py; kept under bench/out and in
harbor_bench_<size> databases) and serves it with the production gunicorn configuration; then it
runs `wrk -t2 -c8 -d10s --latency` on the index, a board page, the first and the last page of
the big topic, and a search, every configuration in turn, three rounds over, keeping each
page's best round. It prints requests per second, p50/p99 latency and the gunicorn workers' CPU
time per request, then how much slower each page is at the largest size than at the smallest,
and writes JSON (every round) to bench/out.
"""

import argparse
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import OUT, database_url, ensure_seeded, gunicorn  # noqa: E402
from bench.seed import BIG_TOPIC_SHARE, POSTS_PER_TOPIC  # noqa: E402

POSTS_PER_PAGE = 20
SEARCH = "sponsor meeting"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def pages(posts: int) -> dict[str, str]:
    """The measured pages. The big topic is topic 1, on board 1."""
    big_topic = max(POSTS_PER_TOPIC, posts // BIG_TOPIC_SHARE)
    last_page = math.ceil(big_topic / POSTS_PER_PAGE)
    return {
        "index": "/",
        "board": "/b/board-1",
        "topic, first page": "/t/1",
        "topic, last page": f"/t/1?page={last_page}",
        "search": "/search?q=" + SEARCH.replace(" ", "+"),
    }


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * _UNITS[unit]


def run_wrk(url: str, duration: int, connections: int = 8, threads: int = 2) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99_ms": _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def warm_up(url: str, requests: int = 50) -> None:
    for _ in range(requests):
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200, (url, response.status)


def measure(
    databases: list[str], sizes: list[int], duration: int, rounds: int, reseed: bool
) -> list[dict]:
    """Serve every database and size at once and measure them in turn, page by page, `rounds`
    times over. Each figure is the best round of its page: other work on a shared machine
    comes and goes, and interleaving keeps it from favouring one size over another."""
    configurations = [(database, posts) for database in databases for posts in sizes]
    for database, posts in configurations:
        ensure_seeded(database_url(database, posts), posts, reseed)
    runs: dict[tuple[str, int, str], list[dict]] = {}
    with contextlib.ExitStack() as stack:
        servers = {
            (database, posts): stack.enter_context(gunicorn(database_url(database, posts)))
            for database, posts in configurations
        }
        for (_, posts), server in servers.items():
            for path in pages(posts).values():
                warm_up(server.base + path)
        for round_number in range(1, rounds + 1):
            for page in pages(sizes[0]):
                for (database, posts), server in servers.items():
                    path = pages(posts)[page]
                    cpu_before, load = server.worker_cpu_seconds(), os.getloadavg()[0]
                    figures = run_wrk(server.base + path, duration)
                    used = server.worker_cpu_seconds() - cpu_before
                    figures.update(cpu_ms=1000 * used / figures["requests"], load_before=load)
                    runs.setdefault((database, posts, page), []).append(figures)
                    print(
                        f"  round {round_number} {database:<10} {posts:>9,} {page:<18} "
                        f"{figures['rps']:>6.0f} rps  p50 {figures['p50_ms']:6.1f} ms  "
                        f"p99 {figures['p99_ms']:6.1f} ms  cpu {figures['cpu_ms']:4.1f} ms/req  "
                        f"load {load:.1f}",
                        file=sys.stderr,
                    )
    rows = []
    for (database, posts, page), figures in runs.items():
        best = max(figures, key=lambda f: f["rps"])
        rows.append({"database": database, "posts": posts, "page": page, **best, "rounds": figures})
    return rows


def print_table(rows: list[dict], sizes: list[int]) -> None:
    print(
        f"\n{'database':<11}{'posts':>10}  {'page':<19}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/req':>12}{'load':>6}"
    )
    for row in rows:
        flag = "  (non-2xx: {})".format(row["errors"]) if row["errors"] else ""
        print(
            f"{row['database']:<11}{row['posts']:>10,}  {row['page']:<19}{row['rps']:>8.0f}"
            f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['cpu_ms']:>12.2f}"
            f"{row['load_before']:>6.1f}{flag}"
        )
    if len(sizes) < 2:
        return
    small, large = min(sizes), max(sizes)
    print(f"\nslowdown at {large:,} posts against {small:,} (1.00 = no slower)")
    print(f"{'database':<11}{'page':<19}{'by req/s':>10}{'by p50':>9}{'by p99':>9}{'by CPU':>9}")
    by_key = {(r["database"], r["posts"], r["page"]): r for r in rows}
    for (database, posts, page), row in by_key.items():
        if posts != small or (database, large, page) not in by_key:
            continue
        big = by_key[(database, large, page)]
        print(
            f"{database:<11}{page:<19}{row['rps'] / big['rps']:>10.2f}"
            f"{big['p50_ms'] / row['p50_ms']:>9.2f}{big['p99_ms'] / row['p99_ms']:>9.2f}"
            f"{big['cpu_ms'] / row['cpu_ms']:>9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--rounds", type=int, default=3, help="runs per page; the best counts")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    databases = args.databases.split(",")
    rows = measure(databases, sizes, args.duration, args.rounds, args.reseed)
    print_table(rows, sizes)
    OUT.mkdir(parents=True, exist_ok=True)
    result = OUT / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.json"
    result.write_text(json.dumps(rows, indent=2))
    print(f"\nfigures written to {result.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
