"""A Hugging Face sequence-classification model as the crisis detector's learned stage.

For operators with a network (or a model folder on disk) who want a transformer instead of the
packaged hashed n-gram model. It is loaded the way Detoxify loads its models, through
``transformers``' ``from_pretrained``, so a hub name or a local folder both work, and it
answers the same question: ``probability(text)`` in [0, 1].

What it costs: torch and transformers are imported in every process that runs the fast checks,
web processes included (the packaged model needs numpy alone), and a post takes tens of
milliseconds on the CPU instead of one. Its tier thresholds must be chosen for it: the
packaged ones were chosen for the packaged model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

CRISIS_LABEL = "crisis"


class TransformerCrisisModel:
    """A loaded classifier: which output means crisis, read from the model's own labels.

    The crisis output is the label named ``crisis`` (any case) in the model's config; a model
    with two unnamed labels (LABEL_0, LABEL_1) counts the second as crisis, and one with a
    single output is read through a sigmoid. Anything else is refused at load, naming the
    labels found, rather than guessed.
    """

    def __init__(self, name_or_path: str | Path, max_tokens: int = 512) -> None:
        import torch  # here, so importing this module costs nothing until one is configured
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(name_or_path))
        self.network = AutoModelForSequenceClassification.from_pretrained(str(name_or_path))
        self.network.eval()
        self.max_tokens = max_tokens
        self.name = f"transformer:{Path(str(name_or_path)).name or name_or_path}"
        self.crisis_index = _crisis_index(self.network.config.id2label)

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        batch = self.tokenizer(
            list(texts),
            return_tensors="pt",
            truncation=True,
            max_length=self.max_tokens,
            padding=True,
        )
        with self._torch.inference_mode():
            logits = self.network(**batch).logits
        if logits.shape[-1] == 1:
            chances = self._torch.sigmoid(logits[:, 0])
        else:
            chances = self._torch.softmax(logits, dim=-1)[:, self.crisis_index]
        return [float(chance) for chance in chances]

    def probability(self, text: str) -> float:
        return self.probabilities([text])[0]


def _crisis_index(id2label: dict[int, str]) -> int:
    labels = {int(index): str(name) for index, name in id2label.items()}
    named = [index for index, name in labels.items() if name.lower() == CRISIS_LABEL]
    if named:
        return named[0]
    if len(labels) == 1:
        return 0
    if sorted(labels.values()) == ["LABEL_0", "LABEL_1"]:
        return 1
    raise ValueError(
        f"the model's labels {sorted(labels.values())} name no '{CRISIS_LABEL}' output; "
        f"rename one in its config.json (id2label)"
    )
