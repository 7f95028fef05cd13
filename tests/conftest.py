"""Shared test setup: no Hugging Face network access, and a tiny local Detoxify model."""

import os
from pathlib import Path

import pytest

# Set before anything imports huggingface_hub, which reads them once. Without them a failed
# hub look-up retries for ~30 s before giving up.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def tiny_detoxify_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random tiny Detoxify checkpoint; its folder is also its `huggingface_config_path`."""
    from tests.moderation.tiny_detoxify import build_tiny_checkpoint

    return build_tiny_checkpoint(tmp_path_factory.mktemp("tiny-detoxify"))
