"""Memory of a web process: what each gunicorn worker holds after serving pages.

    python bench/web_memory.py [--posts 10000] [--requests 300]

Serves a seeded forum with the production gunicorn configuration (2 workers), in worker mode
(web processes import no model library: scoring processes do) and in the embedded default
(inline: the process loads the fallback scorer and tries to load Detoxify), requests each main
page many times, then prints each worker's resident memory (VmRSS) and how many of the model
libraries it imported. Target: at most 120 MiB per web worker in worker mode.
"""

import argparse
import json
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import OUT, database_url, ensure_seeded, gunicorn  # noqa: E402

PAGES = ("/", "/b/board-1", "/t/1", "/t/1?page=-1", "/search?q=sponsor+meeting", "/help/")


def worker_pids(server_pid: int) -> list[int]:
    pids = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    return pids


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def measure(url: str, scoring: str, requests: int) -> dict:
    with gunicorn(url, workers=2, threads=2, HARBOR_SCORING=scoring) as server:
        for _ in range(requests):
            for page in PAGES:
                with urllib.request.urlopen(server.base + page, timeout=30) as response:
                    response.read()
        sizes = [rss_mib(pid) for pid in worker_pids(server.pid)]
    return {"scoring": scoring, "workers_mib": sizes, "median_mib": statistics.median(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100, help="rounds of every page")
    args = parser.parse_args()
    url = database_url("sqlite", args.posts)
    ensure_seeded(url, args.posts)
    results = [measure(url, scoring, args.requests) for scoring in ("worker", "inline")]
    print(f"Resident memory per gunicorn worker after {args.requests} rounds of {len(PAGES)} pages")
    print("| scoring | worker RSS (MiB) | median MiB |")
    print("| --- | --- | ---: |")
    for result in results:
        each = " ".join(f"{size:.0f}" for size in result["workers_mib"])
        print(f"| {result['scoring']} | {each} | {result['median_mib']:.0f} |")
    (OUT / "web-memory.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
