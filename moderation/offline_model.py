"""Make a Detoxify checkpoint load with no network access.

Detoxify reads the Hugging Face model name stored in a checkpoint
(`config["arch"]["args"]["model_type"]`, e.g. "albert-base-v2") and looks it up on the hub
before it reads `huggingface_config_path`, so a local config folder alone does not load
offline. Rewriting that name to the local folder does. See docs/offline-model.md.

Command line: python -m moderation.offline_model SRC_CKPT HF_FOLDER DST_CKPT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch


def prepare_offline_checkpoint(
    src_ckpt: str | Path, hf_folder: str | Path, dst_ckpt: str | Path
) -> Path:
    """Copy a Detoxify checkpoint, pointing its model name at a local Hugging Face folder.

    `hf_folder` must hold the model's `config.json`, saved with `num_labels` equal to the
    checkpoint's `num_classes`, and its tokenizer files (both saved with `save_pretrained`;
    see docs/offline-model.md). The absolute folder path is stored in the new checkpoint, so keep
    the folder where it is. Returns the new checkpoint's path.
    """
    folder = Path(hf_folder).resolve()
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json; save the model's config there")
    checkpoint = torch.load(src_ckpt, map_location="cpu", weights_only=False)
    try:
        arch_args = checkpoint["config"]["arch"]["args"]
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{src_ckpt} is not a Detoxify checkpoint (no config.arch.args)"
        ) from error
    saved_labels = len(json.loads((folder / "config.json").read_text()).get("id2label", {}))
    if saved_labels != arch_args["num_classes"]:
        # Detoxify builds the model from this config when given `huggingface_config_path`,
        # and the checkpoint's classifier would then not fit.
        raise ValueError(
            f"{folder / 'config.json'} has {saved_labels} labels but the checkpoint has"
            f" {arch_args['num_classes']}; save the config with"
            f" num_labels={arch_args['num_classes']}"
        )
    arch_args["model_type"] = str(folder)
    destination = Path(dst_ckpt)
    destination.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, destination)
    return destination


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    print(prepare_offline_checkpoint(*argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
