"""How long the detectors take on an adversarial draft, and how that grows with its length.

    python -m bench.detectors [--size 50000] [--rounds 5]

The draft is what an attacker would send to /help/check-draft: spaced-out single letters,
repeated half-phrases of crisis and hostile language, near-misses, look-alike letters and
zero-width characters, generated from a fixed seed. Prints the best of several rounds for
each detector at 1 KB, 8 KB and the full size, and the growth ratios (linear time: 8x the
text should take about 8x the time; the test allows 12x).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

LETTERS = "qwertyuiopasdfghjklzxcvbnm"
HALF_PHRASES = (
    "i want to", "going to kill", "i have the pills", "how many", "tonight i", "my boyfriend is",
    "k i l l m y", "i am on the", "if i drink", "better off", "wrote letters", "e n d  i t",
    "go kill", "i will find", "you f u c k i n g", "k y s", "do everyone a favour",
)  # fmt: skip
NEAR_MISSES = (
    "k\u0456\u200bll m\u00adyself", "1 w4nt t0 d11iie", "g\u043e k\u0456ll y\u043eurs",
    "i will f1nd", "pills ready at the pharmacy", "dying to see", "kill for a coffee",
)  # fmt: skip


def adversarial_draft(size: int, seed: int = 50) -> str:
    """A reproducible hostile draft of ``size`` characters."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.4:
            part = " ".join(rng.choice(LETTERS) for _ in range(40))
        elif roll < 0.8:
            part = rng.choice(HALF_PHRASES)
        else:
            part = rng.choice(NEAR_MISSES)
        parts.append(part)
        length += len(part) + 1
    return " ".join(parts)[:size]


def best_time(check: Callable[[str], object], text: str, rounds: int) -> float:
    """The best CPU time of ``rounds`` runs, in seconds (the machine may be shared)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        check(text)
        best = min(best, time.process_time() - start)
    return best


def detectors() -> dict[str, Callable[[str], object]]:
    from moderation.crisis import CrisisDetector
    from moderation.hostility import HostilityDetector
    from moderation.identifying import find_identifying_details

    crisis = CrisisDetector()
    signs = CrisisDetector(model=None)
    hostility = HostilityDetector()
    return {
        "crisis (warning signs + model)": crisis.detect,
        "crisis warning signs only": signs.detect,
        "crisis model only": crisis.model.probability,
        "hostility": hostility.detect,
        "identifying details": find_identifying_details,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = (1_000, 8_000, args.size)
    drafts = {n: adversarial_draft(n) for n in sizes}
    print(f"adversarial draft, best of {args.rounds} rounds (CPU time)")
    print(
        f"{'detector':34}" + "".join(f"{n // 1000:>7} KB" for n in sizes) + "   8KB/1KB  full/8KB"
    )
    for name, check in detectors().items():
        check(drafts[1_000])  # warm caches
        times = [best_time(check, drafts[n], args.rounds) for n in sizes]
        cells = "".join(f"{t * 1000:>7.1f} ms" for t in times)
        print(f"{name:34}{cells}   {times[1] / times[0]:>7.1f}  {times[2] / times[1]:>8.1f}")


if __name__ == "__main__":
    main()
