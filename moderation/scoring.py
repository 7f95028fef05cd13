"""The scorer the web app and workers hold: Detoxify once it is loaded, the fallback until then.

Loading Detoxify takes seconds (minutes if it downloads) and can fail, so it happens in a
background thread; no request waits for it and no request fails because of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal, Protocol

from moderation.scores import Scores

logger = logging.getLogger(__name__)

Status = Literal["loading", "ready", "unavailable"]


class Scorer(Protocol):
    name: str

    def score_many(self, texts: Sequence[str]) -> list[Scores]: ...


def load_fallback() -> Scorer:
    """The fallback scorer, imported only by a process that scores: it brings scikit-learn
    and SciPy, which a web process in worker mode never needs."""
    from moderation.fallback_scorer import FallbackScorer

    return FallbackScorer()


def load_default_detoxify() -> Scorer:
    """`DetoxifyScorer()` with its defaults, imported here so that torch and transformers load
    in the background thread, and a broken install only makes Detoxify unavailable."""
    from moderation.detoxify_scorer import DetoxifyScorer

    return DetoxifyScorer()


class ScoringService:
    """Scores posts with Detoxify when it is ready, and with the fallback until then.

    `load_detoxify` builds the Detoxify scorer, e.g.
    `functools.partial(DetoxifyScorer, checkpoint=..., huggingface_config_path=...)`.
    Loading starts at construction unless `start=False`; pass `start=False` when the process
    will fork afterwards (gunicorn `--preload`), since the loading thread does not survive a
    fork, and call `start()` in each worker.

    `status` is "loading", "ready" or "unavailable", and `reason` explains it in plain
    English for moderators. Every `Scores` names the model that produced it.
    """

    def __init__(
        self,
        load_detoxify: Callable[[], Scorer] = load_default_detoxify,
        fallback: Scorer | None = None,
        *,
        start: bool = True,
    ) -> None:
        self._load_detoxify = load_detoxify
        self._fallback = fallback if fallback is not None else load_fallback()
        self._lock = threading.Lock()
        self._detoxify: Scorer | None = None
        self._status: Status = "unavailable"
        self._reason = "Detoxify loading has not been started; posts are scored by the fallback."
        self._load_finished = threading.Event()
        self._load_finished.set()
        if start:
            self.start()

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    @property
    def reason(self) -> str:
        with self._lock:
            return self._reason

    def start(self, load_detoxify: Callable[[], Scorer] | None = None) -> bool:
        """Load Detoxify in a background thread, unless it is already loaded or loading.

        Call it again to retry after a failure, optionally with a different loader (say, a
        corrected checkpoint path). Returns True if a load was started.
        """
        with self._lock:
            if self._status == "loading" or self._detoxify is not None:
                return False
            if load_detoxify is not None:
                self._load_detoxify = load_detoxify
            self._status = "loading"
            self._reason = (
                "Detoxify is loading; until it is ready posts are scored by the fallback."
            )
            self._load_finished.clear()
            loader = self._load_detoxify
        threading.Thread(
            target=self._load, args=(loader,), name="detoxify-load", daemon=True
        ).start()
        return True

    def wait_until_loaded(self, timeout: float | None = None) -> bool:
        """Block until the current load attempt ends (for workers and tests); True if ready."""
        self._load_finished.wait(timeout)
        return self.status == "ready"

    def score(self, text: str) -> Scores:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """Scores for each text, from Detoxify if ready, else from the fallback; never waits."""
        texts = list(texts)
        with self._lock:
            detoxify = self._detoxify
        if detoxify is not None:
            try:
                return detoxify.score_many(texts)
            except Exception as error:  # a scoring failure must not lose the post
                logger.exception("Detoxify failed while scoring; using the fallback")
                at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
                with self._lock:
                    self._reason = (
                        f"{detoxify.name} is loaded but failed at {at}; those posts were scored"
                        f" by the fallback. Error: {type(error).__name__}: {error}"
                    )
        return self._fallback.score_many(texts)

    def _load(self, load_detoxify: Callable[[], Scorer]) -> None:
        began = time.monotonic()
        try:
            detoxify = load_detoxify()
        except Exception as error:  # any failure: keep scoring with the fallback, say why
            # one plain line: the reason also reaches moderators through `reason`
            logger.warning("Detoxify could not be loaded; scoring with the fallback: %r", error)
            with self._lock:
                self._status = "unavailable"
                self._reason = (
                    f"Detoxify could not be loaded, so posts are scored by the fallback"
                    f" ({self._fallback.name}). Error: {type(error).__name__}: {error}"
                )
        else:
            with self._lock:
                self._detoxify = detoxify
                self._status = "ready"
                self._reason = f"{detoxify.name} loaded in {time.monotonic() - began:.1f} s."
        finally:
            self._load_finished.set()
