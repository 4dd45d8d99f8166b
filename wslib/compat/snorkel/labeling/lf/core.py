"""``LabelingFunction`` and ``@labeling_function`` with Snorkel's signatures.

Both build :class:`wslib.lf.LabelingFunction` row LFs, so every wslib applier
runs them. Snorkel's order of arguments is kept: ``LabelingFunction(name, f,
resources, pre)`` positionally too. An LF receives a light row (``x.text``,
``x["text"]``); its preprocessors (``pre=``) are Snorkel preprocessors from
:mod:`wslib.compat.snorkel.preprocess` or wslib row preprocessors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from wslib.lf.core import LabelingFunction as _WslibLabelingFunction
from wslib.lf.preprocess import Preprocessor

__all__ = ["LabelingFunction", "labeling_function"]


class LabelingFunction(_WslibLabelingFunction):
    """A Snorkel labeling function: ``f(x, **resources) -> label or -1``.

    >>> from types import SimpleNamespace
    >>> def keyword(x, word):
    ...     return 1 if word in x.text else -1
    >>> lf = LabelingFunction("kw_check", keyword, dict(word="check"))
    >>> lf(SimpleNamespace(text="check it"))
    1
    """

    def __init__(self, name: str, f: Callable[..., int],
                 resources: Mapping[str, Any] | None = None,
                 pre: Sequence[Preprocessor] | None = None) -> None:
        super().__init__(name, f, resources=resources, pre=pre)

    def __repr__(self) -> str:
        return f"{type(self).__name__} {self.name}, Preprocessors: {list(self.pre)}"


def labeling_function(name: str | None = None, resources: Mapping[str, Any] | None = None,
                      pre: Sequence[Preprocessor] | None = None
                      ) -> Callable[[Callable[..., int]], LabelingFunction]:
    """Decorator making a :class:`LabelingFunction`; ``name`` defaults to the function's.

    >>> @labeling_function()
    ... def check(x):
    ...     return 1 if "check" in x.text.lower() else -1
    >>> check
    LabelingFunction check, Preprocessors: []
    """

    def decorate(f: Callable[..., int]) -> LabelingFunction:
        return LabelingFunction(name or f.__name__, f, resources=resources, pre=pre)

    if callable(name):  # used bare: @labeling_function
        f, name = name, None
        return decorate(f)  # type: ignore[return-value]
    return decorate
