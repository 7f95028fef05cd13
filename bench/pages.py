"""Page speed as the forum grows: wrk against gunicorn on loopback, on SQLite and PostgreSQL.

    python bench/pages.py                      # both databases, 10,000 and 1,000,000 posts
    python bench/pages.py --databases sqlite --sizes 10000 --duration 5

For each database and size it seeds the forum once (bench/seed.py; kept under bench/out and in
harbor_bench_<size> databases), serves it with the production gunicorn configuration, and runs
`wrk -t2 -c8 -d10s --latency` on the index, a board page, the first and the last page of the
big topic, and a search. It prints requests per second and p50/p99 latency, then how much
slower each page is at the largest size than at the smallest, and writes JSON to bench/out.
"""

import argparse
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


def measure(database: str, posts: int, duration: int, reseed: bool) -> list[dict]:
    url = database_url(database, posts)
    ensure_seeded(url, posts, reseed)
    rows = []
    with gunicorn(url) as server:
        for page, path in pages(posts).items():
            warm_up(server.base + path)
            cpu_before, load = server.worker_cpu_seconds(), os.getloadavg()[0]
            figures = run_wrk(server.base + path, duration)
            cpu_ms = 1000 * (server.worker_cpu_seconds() - cpu_before) / figures["requests"]
            figures.update(cpu_ms=cpu_ms, load_before=load)
            rows.append({"database": database, "posts": posts, "page": page, **figures})
            print(
                f"  {database:<10} {posts:>9,} {page:<18} {figures['rps']:>8.0f} rps "
                f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                f"cpu {cpu_ms:4.1f} ms/req  load {load:.1f}",
                file=sys.stderr,
            )
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
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    for database in args.databases.split(","):
        for posts in sizes:
            rows += measure(database, posts, args.duration, args.reseed)
    print_table(rows, sizes)
    OUT.mkdir(parents=True, exist_ok=True)
    result = OUT / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.json"
    result.write_text(json.dumps(rows, indent=2))
    print(f"\nfigures written to {result.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
