"""Score posts with a Detoxify model, reading the whole post however long it is."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import torch
import transformers
from detoxify import Detoxify

from moderation.scores import Scores

DEFAULT_MODEL_TYPE = "unbiased-small"


def split_into_windows(token_ids: Sequence[int], size: int, overlap: int) -> list[list[int]]:
    """Overlapping slices of `size` tokens that together cover every token.

    Consecutive windows share `overlap` tokens so a sentence cut by one boundary is read
    whole by the neighbouring window. An empty input gives one empty window (the model
    still scores just its special tokens, as Detoxify does for an empty string).
    """
    if size <= 0 or not 0 <= overlap < size:
        raise ValueError(f"need size > 0 and 0 <= overlap < size, got {size=} {overlap=}")
    windows = []
    start = 0
    while True:
        windows.append(list(token_ids[start : start + size]))
        if start + size >= len(token_ids):
            return windows
        start += size - overlap


class DetoxifyScorer:
    """A loaded Detoxify model that scores posts of any length; thread-safe.

    Why `unbiased-small` by default: the "unbiased" models were trained to score identity
    words (gay, Black, Muslim, mentally ill...) more fairly, which matters on a forum where
    people talk about themselves; the ALBERT "-small" ones are about a tenth of the download
    and memory of the BERT/RoBERTa ones at roughly the same CPU time as BERT base.

    Loading (the constructor) is slow and may download; give it to `ScoringService`, which
    loads in the background. Three ways to load:

    - `model_type` only: Detoxify's release checkpoint, downloaded and cached on first use
      (needs network access to GitHub and the Hugging Face hub).
    - `checkpoint` (a local `.ckpt`) plus `huggingface_config_path` (a local folder with the
      Hugging Face config and tokenizer). Detoxify still looks up the hub model name stored in
      the checkpoint first, so offline this only works after `prepare_offline_checkpoint`
      (see `moderation/offline_model.py` and docs/offline-model.md), or with a pre-filled
      Hugging Face cache and `HF_HUB_OFFLINE=1`.

    Long posts: Detoxify's tokenizer does not cut input at the model's 512-token limit, and a
    threat can sit at the end of a long post. So each post is split into overlapping windows
    of `window_tokens` tokens, every window is scored (in batches) and each label keeps its
    highest window score. Windows of 256 rather than 510 tokens also stop one hostile
    sentence from being diluted by a page of friendly text around it.

    `batch_size` (default 8) is how many windows go through the model at once. On one CPU
    thread batching barely helps and big batches were slower per post (bench/scoring.py);
    windows are sorted by length first so batches carry little padding.

    `num_threads` (default 1) is torch's CPU thread count for scoring: on a 2-core machine
    that also serves pages, 2 threads made one post take 0.4-2.5 s instead of 0.15 s.
    """

    def __init__(
        self,
        model_type: str = DEFAULT_MODEL_TYPE,
        checkpoint: str | Path | None = None,
        huggingface_config_path: str | Path | None = None,
        device: str = "cpu",
        batch_size: int = 8,
        num_threads: int | None = 1,
        window_tokens: int = 256,
        window_overlap: int = 64,
    ) -> None:
        self.num_threads = num_threads
        self._use_thread_count()
        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        self._detoxify = Detoxify(
            model_type=model_type,
            checkpoint=str(checkpoint) if checkpoint is not None else None,
            device=device,
            huggingface_config_path=(
                str(huggingface_config_path) if huggingface_config_path is not None else None
            ),
        )
        self._detoxify.model.eval()
        self.name = f"detoxify:{Path(checkpoint).name if checkpoint else model_type}"
        self.labels: tuple[str, ...] = tuple(self._detoxify.class_names)
        self.batch_size = batch_size
        self._start_token, self._end_token = self._wrapping_tokens()
        # Never build a window longer than the model's position table can hold.
        longest = self._detoxify.model.config.max_position_embeddings
        self.window_tokens = min(window_tokens, min(512, longest) - 2)
        self.window_overlap = min(window_overlap, self.window_tokens // 2)
        self._lock = threading.Lock()

    def score(self, text: str) -> Scores:
        return self.score_many([text])[0]

    def score_many(self, texts: Sequence[str]) -> list[Scores]:
        """Scores for each text, in order; long texts score the max over their windows."""
        if not texts:
            return []
        with self._lock:
            self._use_thread_count()
            windows, windows_per_text = self._windows_of(texts)
            window_scores = self._score_windows(windows)
        return [
            Scores(
                model=self.name,
                labels=dict(zip(self.labels, own.amax(dim=0).tolist(), strict=True)),
            )
            for own in window_scores.split(windows_per_text)
        ]

    def _use_thread_count(self) -> None:
        # torch's thread count is per OS thread here (OpenMP), and requests arrive on
        # different threads from the one that loaded the model, so set it where we score.
        if self.num_threads is not None and torch.get_num_threads() != self.num_threads:
            torch.set_num_threads(self.num_threads)

    def _wrapping_tokens(self) -> tuple[int, int]:
        """The ids every model input starts and ends with: [CLS]/[SEP], or <s>/</s> for RoBERTa.

        Checked against the tokenizer's own output, so a tokenizer that wraps text some
        other way fails at load time (and the service says why) instead of scoring wrongly.
        """
        tokenizer = self._detoxify.tokenizer
        start, end = tokenizer.cls_token_id, tokenizer.sep_token_id
        bare = tokenizer("sober", add_special_tokens=False)["input_ids"]
        wrapped = tokenizer("sober")["input_ids"]
        if wrapped != [start, *bare, end]:
            raise ValueError(f"{type(tokenizer).__name__} does not wrap text as [CLS] text [SEP]")
        return start, end

    def _windows_of(self, texts: Sequence[str]) -> tuple[list[list[int]], list[int]]:
        """Every window of every text, in order, and how many windows each text has."""
        token_ids = self._detoxify.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        windows: list[list[int]] = []
        windows_per_text: list[int] = []
        for ids in token_ids:
            own = split_into_windows(ids, self.window_tokens, self.window_overlap)
            windows += [[self._start_token, *window, self._end_token] for window in own]
            windows_per_text.append(len(own))
        return windows, windows_per_text

    @torch.no_grad()
    def _score_windows(self, windows: list[list[int]]) -> torch.Tensor:
        """Sigmoid probability per window (rows, in the given order) and label (columns).

        Windows are batched shortest first, so each batch pads little: padded batches of
        mixed-length posts were slower than scoring the posts one at a time.
        """
        tokenizer = self._detoxify.tokenizer
        model = self._detoxify.model
        order = sorted(range(len(windows)), key=lambda index: len(windows[index]))
        scores = torch.empty(len(windows), len(self.labels))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            inputs = tokenizer.pad(
                [{"input_ids": windows[row]} for row in rows], return_tensors="pt"
            )
            logits = model(**inputs.to(model.device)).logits
            # Unbiased checkpoints have extra identity outputs after the labels; skip them.
            scores[rows] = torch.sigmoid(logits[:, : len(self.labels)]).float().cpu()
        return scores
