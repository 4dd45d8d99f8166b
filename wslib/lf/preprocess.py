"""Preprocessors: expensive derived fields computed once and shared by many LFs.

A row preprocessor is ``f(x) -> x``: it receives a row and returns it with new
fields (Snorkel style: ``x.n_words = len(x.text.split()); return x``) or any
object with attribute access. A batch preprocessor (``batch=True``) is
``f(df) -> df`` on a DataFrame chunk.

The applier memoizes them: within a run each preprocessor (more precisely,
each distinct chain ``pre=[p1, p2, ...]`` prefix) is computed once per row — or
once per chunk for batch preprocessors — however many LFs use it. Each
preprocessor receives its own copy of the row, so in-place edits never leak
into LFs that do not ask for that preprocessor.

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

from collections.abc import Callable, Mapping
from typing import Any

from wslib._spelling import other_spellings

__all__ = ["Preprocessor", "preprocessor"]


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


def _copy(x: Any) -> Any:
    """Shallow copy that keeps fields added by earlier preprocessors."""
    if hasattr(x, "_make"):  # wslib row (named tuple, maybe with extra fields)
        out = x._make(x)
        extra = getattr(x, "__dict__", None)
        if extra:
            out.__dict__.update(extra)
        return out
    if hasattr(x, "copy"):  # DataFrame chunk, Series, dict
        return x.copy(deep=False) if hasattr(x, "columns") else x.copy()
    return x
