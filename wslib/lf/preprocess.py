"""Preprocessors: expensive derived fields computed once and shared by many LFs.

A row preprocessor is ``f(x) -> x``: it receives a row and returns it with new
fields (Snorkel style: ``x.n_words = len(x.text.split()); return x``) or any
object with attribute access. A batch preprocessor (``batch=True``) is
``f(df) -> df`` on a DataFrame chunk.

The applier memoizes them: within a run each preprocessor (more precisely,
each distinct chain ``pre=[p1, p2, ...]`` prefix) is computed once per row — or
once per chunk for batch preprocessors — however many LFs use it. Each
preprocessor receives its own deep copy of the row (of a chunk's object
columns), as in Snorkel, so in-place edits such as ``x.tags.append(...)``
never leak into LFs that do not ask for that preprocessor, into the caller's
data or into the next run.

Example
-------
>>> from wslib import labeling_function, ABSTAIN
>>> from wslib.lf import preprocessor
>>> @preprocessor()
... def words(x):
...     x.words = x.text.lower().split()
...     return x
>>> @labeling_function(pre=[words])
... def lf_short(x):
...     return 0 if len(x.words) < 5 else ABSTAIN
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from wslib._spelling import other_spellings

__all__ = ["Preprocessor", "own_copy", "preprocessor"]


class Preprocessor:
    """A named, memoizable row or batch transformation (see the module docstring).

    Parameters
    ----------
    name : str
    f : callable
        ``f(x) -> x`` (row) or ``f(df) -> df`` (batch).
    batch : bool
        Whether ``f`` works on DataFrame chunks.
    resources : mapping, optional
        Keyword arguments injected into every call.
    """

    def __init__(self, name: str, f: Callable[..., Any], *, batch: bool = False,
                 resources: Mapping[str, Any] | None = None) -> None:
        if not callable(f):
            raise TypeError(f"preprocessor {name!r}: f must be callable")
        self.name = name
        self.f = f
        self.batch = bool(batch)
        self.resources = dict(resources or {})

    def __call__(self, x: Any) -> Any:
        out = self.f(_copy(x), **self.resources)
        if out is None:
            raise TypeError(f"preprocessor {self.name!r} returned None; it must return the "
                            "(modified) row or DataFrame")
        return out

    def __repr__(self) -> str:
        return f"Preprocessor({self.name!r}, batch={self.batch})"


@other_spellings({"memoize": "wslib always memoizes a preprocessor within an apply run (once per "
                             "row, however many LFs use it); drop memoize=",
                  "memoize_key": "wslib memoizes per row within an apply run; drop memoize_key="})
def preprocessor(name: str | None = None, *, batch: bool = False,
                 resources: Mapping[str, Any] | None = None
                 ) -> Callable[[Callable[..., Any]], Preprocessor]:
    """Decorator making a :class:`Preprocessor`; ``name`` defaults to the function name.

    >>> @preprocessor(batch=True)
    ... def add_length(df):
    ...     return df.assign(length=df["text"].str.len())
    >>> add_length.batch
    True
    """

    def decorate(f: Callable[..., Any]) -> Preprocessor:
        return Preprocessor(name or f.__name__, f, batch=batch, resources=resources)

    if callable(name):  # used bare: @preprocessor
        f, name = name, None
        return decorate(f)
    return decorate


#: cell types that cannot change in place: shared by copies, never copied
_IMMUTABLE = frozenset({type(None), str, bytes, int, float, bool, complex})


def own_copy(value: Any) -> Any:
    """``value`` itself when it cannot change in place (``None``, a string, a number),
    else a deep copy; a value that cannot be deep-copied is shared.

    >>> cell, text = ["a"], "a"
    >>> own_copy(cell) == cell, own_copy(cell) is cell, own_copy(text) is text
    (True, False, True)
    """
    if type(value) in _IMMUTABLE or isinstance(value, np.generic):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable value: shared, as a shallow copy would
        return value


def _copy(x: Any) -> Any:
    """A copy a preprocessor may change, in place too: mutable cells (lists, dicts,
    arrays) and fields added by earlier preprocessors are copied deeply."""
    if hasattr(x, "_make"):  # wslib row (named tuple, maybe with extra fields)
        out = x._make(map(own_copy, x))
        extra = getattr(x, "__dict__", None)
        if extra:
            out.__dict__.update({k: own_copy(v) for k, v in extra.items()})
        return out
    if isinstance(x, pd.DataFrame):  # batch chunk: only object columns hold mutable cells
        out = x.copy(deep=False)
        for i in np.flatnonzero((x.dtypes == object).to_numpy()):
            values = x.iloc[:, i].to_numpy()
            copied = np.fromiter(map(own_copy, values), dtype=object, count=len(values))
            if any(map(operator.is_not, copied, values)):
                out.isetitem(i, copied)
        return out
    return own_copy(x)
