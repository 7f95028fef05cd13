"""Score posts without Detoxify: a small profanity model that ships inside its package."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version

from profanity_check import predict_prob

from moderation.scores import Scores

PACKAGE = "alt-profanity-check"


class FallbackScorer:
    """Used while Detoxify loads, or when it cannot be loaded.

    Why alt-profanity-check: it is real and maintained, needs no download (its small
    scikit-learn model is inside the package), works offline and scores a post in ~7 ms.

    It gives one probability that a text is profane or offensive, so that number goes on
    `toxicity` and `obscene` only. It cannot judge threats, identity attacks or severity,
    so those labels are left out rather than guessed. It also cannot tell swearing about
    oneself ("I fucked up and drank again") from swearing at someone.
    """

    def __init__(self) -> None:
        self.name = f"fallback:{PACKAGE}-{version(PACKAGE)}"

    def score(self, text: str) -> Scores:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        if not texts:
            return []
        return [
            Scores(
                model=self.name,
                labels={"toxicity": probability, "obscene": probability},
                is_fallback=True,
            )
            for probability in map(float, predict_prob(list(texts)))
        ]
