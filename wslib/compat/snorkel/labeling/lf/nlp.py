"""spaCy labeling functions (``snorkel.labeling.lf.nlp``): one shared, memoized parse.

Every :class:`NLPLabelingFunction` runs the same :class:`SpacyPreprocessor`,
built by the first one, so a text is parsed once however many NLP LFs read
its ``doc``; asking for another configuration raises ``ValueError``, as in
Snorkel. Needs spaCy (``pip install "wslib[spacy]"``): without it, defining
an NLP LF raises an ``ImportError`` saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from wslib.compat.snorkel.labeling.lf.core import LabelingFunction
from wslib.compat.snorkel.preprocess.core import BasePreprocessor
from wslib.compat.snorkel.preprocess.nlp import EN_CORE_WEB_SM, SpacyPreprocessor
from wslib.compat.snorkel.types import HashingFunction

__all__ = ["NLPLabelingFunction", "nlp_labeling_function"]


class NLPLabelingFunction(LabelingFunction):
    """A labeling function whose data points carry a spaCy ``Doc`` (field ``doc_field``).

    Parameters are Snorkel's: ``name``, ``f``, ``resources``, ``pre`` (run before the
    parse), ``text_field``, ``doc_field``, ``language``, ``disable``, ``memoize``
    (default True), ``memoize_key``, ``gpu``.
    """

    #: (parameters, preprocessor) of the parse every instance shares
    _nlp_config: ClassVar[tuple[tuple, SpacyPreprocessor] | None] = None

    def __init__(self, name: str, f: Callable[..., int],
                 resources: Mapping[str, Any] | None = None,
                 pre: Sequence[BasePreprocessor] | None = None, text_field: str = "text",
                 doc_field: str = "doc", language: str = EN_CORE_WEB_SM,
                 disable: Sequence[str] | None = None, memoize: bool = True,
                 memoize_key: HashingFunction | None = None, gpu: bool = False) -> None:
        params = (text_field, doc_field, language, tuple(disable or ()), tuple(pre or ()),
                  memoize, memoize_key, gpu)
        cls = type(self)
        if cls._nlp_config is None:
            cls._nlp_config = (params, SpacyPreprocessor(
                text_field, doc_field, language, disable, pre, memoize, memoize_key, gpu))
        elif cls._nlp_config[0] != params:
            raise ValueError(f"{cls.__name__} already configured with different parameters: "
                             f"{cls._nlp_config[0]}")
        super().__init__(name, f, resources=resources, pre=[cls._nlp_config[1]])


def nlp_labeling_function(name: str | None = None, resources: Mapping[str, Any] | None = None,
                          pre: Sequence[BasePreprocessor] | None = None,
                          text_field: str = "text", doc_field: str = "doc",
                          language: str = EN_CORE_WEB_SM, disable: Sequence[str] | None = None,
                          memoize: bool = True, memoize_key: HashingFunction | None = None,
                          gpu: bool = False
                          ) -> Callable[[Callable[..., int]], NLPLabelingFunction]:
    """Decorator making an :class:`NLPLabelingFunction`; ``name`` defaults to the function's."""

    def decorate(f: Callable[..., int]) -> NLPLabelingFunction:
        return NLPLabelingFunction(name or f.__name__, f, resources, pre, text_field, doc_field,
                                   language, disable, memoize, memoize_key, gpu)

    return decorate
