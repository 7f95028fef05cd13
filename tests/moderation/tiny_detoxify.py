"""Detoxify checkpoints with random weights, built locally in Detoxify's own format.

They load through the real `detoxify.Detoxify(checkpoint=..., huggingface_config_path=...)`
path with no download. Their scores mean nothing; they exercise the plumbing and, at full
size, the speed and memory of the real models.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer, PretrainedConfig

from moderation.scores import LABELS

CHECKPOINT_NAME = "tiny-detoxify.ckpt"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = [chr(code) for code in range(ord("a"), ord("z") + 1)]
COMMON_WORDS = """
a about after again alcohol all always am an and any anyone are around as at away back bad
be because been before being best better big bottle but by call can cannot change clean
come could craving crave cravings day days did do does doing done down drank drink drinking
drug drugs drunk each even ever every family feel feeling feels felt find first for friend
friends from get getting go going good got grateful had hard has have he help her here high
him his home hope how i if in is it its just keep kill know last let life like little long
look lost lot love made make many me meeting meetings more morning most much my need never
new next night no not now of off old on once one only or other our out over people relapse
relapsed right said same say see she should since sleep so some someone sponsor step still
stop sober sobriety support take talk than thank that the their them then there they thing
things think this time to today told tomorrow tonight too try trying up us use used using
very want was way we week weeks well went were what when where which while who why will
with without work would year years yes yesterday you your
"""
WORDS = COMMON_WORDS.split()


def write_vocab(folder: Path, size: int | None = None) -> Path:
    """A BERT word-piece vocab: special tokens, letters, `##` letters, common words.

    With `size`, made-up tokens fill it to exactly that many entries, so a tokenizer can
    stand in for a model with a bigger vocabulary (ALBERT's is 30000 sentencepieces).
    """
    tokens = SPECIAL_TOKENS + LETTERS + [f"##{letter}" for letter in LETTERS] + WORDS
    if size is not None:
        tokens += [f"made{number}up" for number in range(size - len(tokens))]
    path = folder / "vocab.txt"
    path.write_text("\n".join(tokens) + "\n")
    return path


def build_random_checkpoint(
    folder: str | Path,
    model_class: type[torch.nn.Module],
    config: PretrainedConfig,
    model_type: str | None = None,
) -> Path:
    """Save a Hugging Face folder (config + BertTokenizer) and a Detoxify checkpoint in it.

    The checkpoint names the folder itself as its `model_type`, so Detoxify finds config
    and tokenizer there with no download; pass `model_type` (say "bert-base-uncased") to
    store a hub name instead, like Detoxify's released checkpoints do.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizer(str(write_vocab(folder, config.vocab_size)))
    config.num_labels = len(LABELS)
    config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    model = model_class(config)
    checkpoint = {
        "config": {
            "arch": {
                "args": {
                    "model_type": model_type or str(folder.resolve()),
                    "model_name": model_class.__name__,
                    "tokenizer_name": "BertTokenizer",
                    "num_classes": len(LABELS),
                }
            },
            "dataset": {"args": {"classes": list(LABELS)}},
        },
        "state_dict": model.state_dict(),
    }
    path = folder / CHECKPOINT_NAME
    torch.save(checkpoint, path)
    return path


def tiny_bert_config() -> BertConfig:
    vocab_size = len(SPECIAL_TOKENS) + 2 * len(LETTERS) + len(WORDS)
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=512,
        # Wider than BERT's 0.02 so random scores spread out instead of all sitting at 0.5.
        initializer_range=0.5,
    )


def build_tiny_checkpoint(folder: str | Path, model_type: str | None = None) -> Path:
    """A ~100 kB BERT Detoxify checkpoint in `folder`; `folder` is its Hugging Face folder."""
    return build_random_checkpoint(
        folder, BertForSequenceClassification, tiny_bert_config(), model_type=model_type
    )
