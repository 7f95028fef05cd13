"""The crisis detector's learned second stage: hashed word n-grams and logistic weights.

Why this shape: it must run in every web process, on the CPU, with nothing downloaded, in a
few milliseconds, without importing scikit-learn, SciPy or torch (web processes stay lean).
So inference is a dot product in numpy over the words the shared normaliser reads: word
unigrams and bigrams, hashed (CRC-32) into a fixed number of buckets, each present feature
weighted 1/sqrt(number present). The weights are trained by ``python -m
moderation.crisis_model.train`` (see DATA_CARD.md for the data and the held-out figures).
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from moderation.normalise import APOSTROPHES, fold

MODEL_PATH = Path(__file__).resolve().parent / "model.npz"
# Words as written (after the shared character folding), apostrophes removed: the model
# learns spellings itself, so it needs none of the phrase file's repairs.
_WORD = re.compile(r"[^\W_]+")
_NO_APOSTROPHES = str.maketrans("", "", APOSTROPHES)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).text.translate(_NO_APOSTROPHES))


def feature_indexes(text: str, buckets: int) -> list[int]:
    """The distinct hashed features of ``text``: its words and pairs of adjacent words."""
    found = words(text)
    grams = [f"w {w}" for w in found]
    grams += [f"b {a} {b}" for a, b in zip(found, found[1:], strict=False)]
    return list({zlib.crc32(g.encode()) % buckets for g in grams})


class CrisisModel:
    """A trained logistic model over hashed n-grams: ``probability(text)`` in [0, 1]."""

    def __init__(self, weights: np.ndarray, bias: float, meta: dict) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.meta = meta
        self.buckets = len(weights)
        self.name = str(meta.get("name", "crisis-model"))

    @classmethod
    def load(cls, path: Path | None = None) -> CrisisModel:
        """Read a model written by the training command (default: the packaged one).
        Raises OSError or ValueError."""
        with np.load(path or MODEL_PATH, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(data["weights"], float(data["bias"]), meta)

    def probability(self, text: str) -> float:
        indexes = feature_indexes(text, self.buckets)
        if not indexes:
            return 1 / (1 + math.exp(-self.bias))
        score = float(self.weights[indexes].sum()) / math.sqrt(len(indexes)) + self.bias
        return 1 / (1 + math.exp(-max(min(score, 50.0), -50.0)))

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        return [self.probability(t) for t in texts]
