"""``LabelingFunction`` and ``@labeling_function`` with Snorkel's signatures.

Both build :class:`wslib.lf.LabelingFunction` row LFs, so every wslib applier
runs them. Snorkel's order of arguments is kept: ``LabelingFunction(name, f,
resources, pre)`` positionally too. An LF receives a light row (``x.text``,
``x["text"]``); its preprocessors (``pre=``) are Snorkel preprocessors from
:mod:`wslib.compat.snorkel.preprocess` or wslib row preprocessors. Its output is
read as Snorkel reads it: ``True``/``False`` vote 1/0 and a whole float such as
``1.0`` votes its integer (:class:`SnorkelVote`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from wslib.lf.core import LabelingFunction as _WslibLabelingFunction
from wslib.lf.preprocess import Preprocessor

__all__ = ["LabelingFunction", "SnorkelVote", "labeling_function"]


class SnorkelVote:
    """An LF's call with Snorkel's reading of its output: a ``bool`` votes ``0``/``1`` and
    a whole float (``1.0``, ``np.float32(0)``, a value read from a float column) its
    integer, as Snorkel's label matrix stores them; anything else goes to wslib's checks
    unchanged (``None``, a string, ``0.5``, NaN: a fault naming the LF and the row).

    >>> SnorkelVote(lambda x: x > 1)(2), SnorkelVote(lambda x: float(x))(0)
    (1, 0)
    """

    __slots__ = ("call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self.call = call

    def __call__(self, x: Any) -> Any:
        v = self.call(x)
        if type(v) is int:
            return v
        if isinstance(v, (bool, np.bool_)):
            return int(v)
        if isinstance(v, (float, np.floating)) and math.isfinite(v) and v == int(v):
            return int(v)
        return v

    def __getstate__(self) -> Any:
        return self.call

    def __setstate__(self, call: Any) -> None:
        self.call = call


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
        self._call = SnorkelVote(self._call)

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
