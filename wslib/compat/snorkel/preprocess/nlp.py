"""``SpacyPreprocessor``: a spaCy ``Doc`` of a text field, as in Snorkel (needs spaCy).

spaCy is an optional extra: ``pip install "wslib[spacy]"``, then the model,
``python -m spacy download en_core_web_sm``. Without it, building a
``SpacyPreprocessor`` raises an ``ImportError`` that says so; importing this
module does not need spaCy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wslib.compat.snorkel.preprocess.core import BasePreprocessor, Preprocessor
from wslib.compat.snorkel.types import FieldMap, HashingFunction

__all__ = ["EN_CORE_WEB_SM", "SpacyPreprocessor", "load_spacy"]

EN_CORE_WEB_SM = "en_core_web_sm"


def load_spacy(language: str, disable: Sequence[str] | None, gpu: bool) -> Any:
    """The spaCy pipeline ``language``; a missing spaCy or model is an ``ImportError`` naming
    what to install."""
    try:
        import spacy
    except ImportError as exc:
        raise ImportError('SpacyPreprocessor and nlp_labeling_function need spaCy: pip install '
                          f'"wslib[spacy]" && python -m spacy download {language}') from exc
    if gpu:
        spacy.prefer_gpu()
    try:
        return spacy.load(language, disable=list(disable or []))
    except OSError as exc:
        raise ImportError(f"spaCy is installed but its model {language!r} is not: "
                          f"python -m spacy download {language}") from exc


class SpacyPreprocessor(Preprocessor):
    """Adds the spaCy ``Doc`` of field ``text_field`` as field ``doc_field``.

    Parameters follow Snorkel: ``language`` (spaCy model), ``disable`` (pipeline
    components to skip), ``pre``, ``memoize``, ``memoize_key``, ``gpu``.
    """

    def __init__(self, text_field: str, doc_field: str, language: str = EN_CORE_WEB_SM,
                 disable: Sequence[str] | None = None,
                 pre: Sequence[BasePreprocessor] | None = None, memoize: bool = False,
                 memoize_key: HashingFunction | None = None, gpu: bool = False) -> None:
        self._nlp = load_spacy(language, disable, gpu)
        self.gpu = gpu
        super().__init__(type(self).__name__, field_names={"text": text_field},
                         mapped_field_names={"doc": doc_field}, pre=pre, memoize=memoize,
                         memoize_key=memoize_key)

    def run(self, text: str) -> FieldMap:  # type: ignore[override]
        """``{"doc": nlp(text)}``."""
        return {"doc": self._nlp(text)}
