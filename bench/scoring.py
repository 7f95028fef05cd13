"""How fast, and how much memory, Detoxify scoring takes on this machine's CPU.

Run: python bench/scoring.py   (a few minutes; not a test; no download)

Detoxify's weights cannot be downloaded here, so this builds randomly initialised checkpoints
in the exact shapes of Detoxify's `original-small`/`unbiased-small` (ALBERT base) and
`original` (BERT base). Random weights compute exactly as fast as trained ones. Both use a
BertTokenizer over a generated vocab of the model's vocab size instead of the real tokenizer
(sentencepiece for ALBERT): fine for timing, since posts are built from words in that vocab
so a word is one token, about what real tokenizers give for plain English.

Each model is measured in a fresh process (spawned) so peak memory figures don't mix. Timings
are only as steady as the machine is idle: other work on the same cores slows them down.
The int8 rows use torch's dynamic quantisation of Linear layers; their score differences from
fp32 are on random weights, so accuracy on the real models still needs checking.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BATCH_SIZES = (1, 8, 32)
POST_COUNT = 64
LONG_POST_WORDS = 1000
LONG_POST_COLUMN = f"{LONG_POST_WORDS}-word post s"


def realistic_posts(count: int = POST_COUNT) -> list[str]:
    """Forum-post-sized texts: 15 to 200 words, most around 60-90 (one token a word here)."""
    from tests.moderation.tiny_detoxify import WORDS

    rng = random.Random(0)
    lengths = [min(200, max(15, int(rng.lognormvariate(4.2, 0.5)))) for _ in range(count)]
    return [" ".join(rng.choices(WORDS, k=length)) for length in lengths]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from Linux's /proc.

    Not getrusage's ru_maxrss: a spawned process keeps its parent's peak across exec.
    """
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def release_free_memory() -> None:
    """Hand freed heap back to the OS so RSS shows what is still in use (glibc only)."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def posts_per_second(score, posts: list[str]) -> float:
    began = time.perf_counter()
    score(posts)
    return len(posts) / (time.perf_counter() - began)


def measure(checkpoint: str, quantise: bool) -> dict[str, float | str]:
    """Load one checkpoint in this (fresh) process and time scoring the sample posts."""
    import torch

    from moderation.detoxify_scorer import DetoxifyScorer

    posts = realistic_posts()
    baseline, _ = rss_mb()
    began = time.perf_counter()
    scorer = DetoxifyScorer(checkpoint=checkpoint, huggingface_config_path=Path(checkpoint).parent)
    load_seconds = time.perf_counter() - began
    reference = scorer.score_many(posts[:8])
    result: dict[str, float | str] = {}
    if quantise:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scorer._detoxify.model = torch.ao.quantization.quantize_dynamic(
                scorer._detoxify.model, {torch.nn.Linear}, dtype=torch.qint8
            )
        if caught:
            result["note"] = str(caught[0].message).splitlines()[0][:90]
        quantised = scorer.score_many(posts[:8])
        result["max |int8 - fp32|"] = max(
            abs(a.labels[label] - b.labels[label])
            for a, b in zip(quantised, reference, strict=True)
            for label in a.labels
        )
    release_free_memory()
    loaded, _ = rss_mb()
    result |= {"load s": load_seconds, "RSS before MB": baseline, "+loaded MB": loaded - baseline}
    scorer.score_many(posts[:4])  # warm up
    single_seconds = [1 / posts_per_second(scorer.score_many, [post]) for post in posts]
    result["1 at a time"] = len(posts) / sum(single_seconds)
    result["ms/post median"] = 1000 * statistics.median(single_seconds)
    for batch_size in BATCH_SIZES:
        scorer.batch_size = batch_size
        result[f"batch {batch_size}"] = posts_per_second(scorer.score_many, posts)
    long_post = " ".join(" ".join(posts).split()[:LONG_POST_WORDS])
    began = time.perf_counter()
    scorer.score(long_post)
    result[LONG_POST_COLUMN] = time.perf_counter() - began
    release_free_memory()
    after_scoring, peak = rss_mb()
    result |= {"+after scoring MB": after_scoring - baseline, "peak MB": peak}
    return result


def build_checkpoints(folder: Path) -> dict[str, Path]:
    from transformers import (
        AlbertConfig,
        AlbertForSequenceClassification,
        BertConfig,
        BertForSequenceClassification,
    )

    from tests.moderation.tiny_detoxify import build_random_checkpoint

    return {
        # albert-base-v2, the base of Detoxify's *-small models. Spelled out because
        # AlbertConfig()'s defaults are albert-xxlarge-v2 (hidden 4096, 64 heads), ~20x slower.
        "ALBERT base (original-small, unbiased-small)": build_random_checkpoint(
            folder / "albert",
            AlbertForSequenceClassification,
            AlbertConfig(
                vocab_size=30000,
                embedding_size=128,
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                intermediate_size=3072,
            ),
        ),
        # BertConfig() defaults are bert-base-uncased (Detoxify's `original`): vocab 30522.
        "BERT base (original)": build_random_checkpoint(
            folder / "bert", BertForSequenceClassification, BertConfig()
        ),
    }


def main() -> None:
    print(f"torch threads per scorer: 1 (DetoxifyScorer default); CPUs: {os.cpu_count()}")
    posts = realistic_posts()
    words = [len(post.split()) for post in posts]
    print(
        f"{len(posts)} posts, words each: median {statistics.median(words):.0f}, max {max(words)}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        checkpoints = build_checkpoints(Path(folder))
        context = multiprocessing.get_context("spawn")
        with context.Pool(1, maxtasksperchild=1) as pool:
            for name, checkpoint in checkpoints.items():
                size_mb = checkpoint.stat().st_size / 2**20
                for quantise in (False, True):
                    label = f"{name}{' int8' if quantise else ''}"
                    print(f"measuring {label} (checkpoint {size_mb:.0f} MB)...", flush=True)
                    result = pool.apply(measure, (str(checkpoint), quantise))
                    rows.append({"model": label, "ckpt MB": size_mb, **result})
    print_table(rows)


def format_cell(value: float | str) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if value < 0.1 else f"{value:.1f}"
    return str(value)


def print_table(rows: list[dict[str, float | str]]) -> None:
    columns = [
        "model", "ckpt MB", "load s", "RSS before MB", "+loaded MB", "+after scoring MB",
        "peak MB", "ms/post median",
        "1 at a time", *(f"batch {size}" for size in BATCH_SIZES), LONG_POST_COLUMN,
        "max |int8 - fp32|",
    ]  # fmt: skip
    print(
        "\n'1 at a time' and 'batch N' are posts/s (score_many over all posts). Memory: RSS"
        " before loading (torch + transformers imported), RSS added once loaded (and"
        " quantised), and after all scoring; peak is the process's high-water mark."
    )
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    for row in rows:
        print(" | ".join(format_cell(row.get(column, "")) for column in columns))
    for row in rows:
        if "note" in row:
            print(f"note ({row['model']}): {row['note']}")


if __name__ == "__main__":
    main()
