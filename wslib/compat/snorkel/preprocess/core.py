"""Snorkel's preprocessors (mappers) as wslib preprocessors, with Snorkel's memoization.

A Snorkel preprocessor maps a data point to a data point with new fields. These
classes are :class:`wslib.lf.Preprocessor` subclasses, so ``wslib.apply_lfs``
runs them as it runs its own (each once per row per apply run, however many
LFs use it); on top of that they keep Snorkel's semantics:

* each call works on a deep copy of the data point (Snorkel's pickle round trip:
  in-place edits such as ``x.tokens.append(...)`` stay in the preprocessor's output),
  and a row of a DataFrame becomes a mutable record (attribute and ``x["field"]``
  access), so ``x.text = x.text.lower()`` works as it does on Snorkel's ``pd.Series``;
* ``memoize=True`` caches outputs by the data point's content
  (``memoize_key``, default :func:`get_hashable`) across calls and apply runs,
  until :meth:`BasePreprocessor.reset_cache`;
* ``pre=[...]`` runs other preprocessors first.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Hashable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from wslib.compat.snorkel.types import DataPoint, FieldMap, HashingFunction
from wslib.lf.preprocess import Preprocessor as _WslibPreprocessor
from wslib.lf.preprocess import own_copy

__all__ = ["BasePreprocessor", "LambdaPreprocessor", "Preprocessor", "Record", "get_hashable",
           "preprocessor"]


class Record(SimpleNamespace):
    """A mutable data point: fields as attributes, ``x["field"]`` and ``x[position]``.

    >>> x = Record(text="Hi", n=3)
    >>> x.text = x.text.lower(); x["text"], x[1]
    ('hi', 3)
    """

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return getattr(self, key)
        return list(vars(self).values())[key]


def _editable(x: DataPoint) -> DataPoint:
    """A deep copy of ``x`` that the preprocessor may change, in place too (Snorkel
    copies the data point by a pickle round trip, so ``x.tokens.append(...)`` never
    reaches the data, other LFs or the next apply run): wslib's read-only row tuples
    become a :class:`Record` (fields, then those added by earlier preprocessors).
    A value that cannot be deep-copied is shared, as a shallow copy would."""
    columns = getattr(type(x), "_columns", None)
    if columns is not None:  # a wslib row
        fields = {**dict(zip(map(str, columns), x)), **getattr(x, "__dict__", {})}
        return Record(**{k: own_copy(v) for k, v in fields.items()})
    try:
        return copy.deepcopy(x)
    except Exception:  # noqa: BLE001 - an uncopyable member: fall back to a shallow copy
        return x.copy() if isinstance(x, (pd.Series, dict)) else copy.copy(x)


def get_hashable(obj: Any) -> Hashable:
    """A hashable stand-in for ``obj``'s content (Snorkel's memoization key).

    >>> get_hashable(SimpleNamespace(a=[1, 2])) == get_hashable(SimpleNamespace(a=[1, 2]))
    True
    """
    columns = getattr(type(obj), "_columns", None)
    if columns is not None:  # a wslib row: its columns and values (added fields derive from them)
        return columns, tuple(get_hashable(v) for v in obj)
    try:
        hash(obj)
        return obj
    except TypeError:
        pass
    if isinstance(obj, SimpleNamespace):
        obj = vars(obj)
    if isinstance(obj, (dict, pd.Series)):
        return frozenset((k, get_hashable(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return tuple(get_hashable(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return obj.tobytes()
    raise ValueError(f"Object {obj} has no hashing proxy.")


class BasePreprocessor(_WslibPreprocessor):
    """Snorkel's ``BaseMapper``: a named, optionally memoized data point transformation.

    Subclasses implement ``_generate_mapped_data_point(x) -> x``.
    """

    def __init__(self, name: str, pre: Sequence[BasePreprocessor] | None = None,
                 memoize: bool = False, memoize_key: HashingFunction | None = None) -> None:
        super().__init__(name, self._map)
        self.pre = list(pre or [])
        self.memoize = memoize
        self._memoize_key = memoize_key or get_hashable
        self.reset_cache()

    def reset_cache(self) -> None:
        """Forget the memoized outputs."""
        self._cache: dict[Hashable, DataPoint] = {}

    def _generate_mapped_data_point(self, x: DataPoint) -> DataPoint | None:
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "_generate_mapped_data_point(x)")

    def _map(self, x: DataPoint) -> DataPoint | None:
        for p in self.pre:
            x = p(x)
        return self._generate_mapped_data_point(x)

    def __call__(self, x: DataPoint) -> DataPoint:
        key = self._memoize_key(x) if self.memoize else None
        if self.memoize and key in self._cache:
            return self._cache[key]
        out = self._map(_editable(x))
        if out is None:
            raise ValueError(f"Preprocessor should not return None (preprocessor {self.name!r})")
        if self.memoize:
            self._cache[key] = out
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__} {self.name}, Pre: {self.pre}"


class Preprocessor(BasePreprocessor):
    """Snorkel's ``Mapper``: subclasses implement ``run(**fields) -> {field: value}``.

    ``field_names`` maps ``run``'s parameters to data point fields (default: the
    same names) and ``mapped_field_names`` renames its outputs.

    >>> class Length(Preprocessor):
    ...     def run(self, text):
    ...         return {"length": len(text)}
    >>> Length("length")(SimpleNamespace(text="abc")).length
    3
    """

    def __init__(self, name: str, field_names: Mapping[str, str] | None = None,
                 mapped_field_names: Mapping[str, str] | None = None,
                 pre: Sequence[BasePreprocessor] | None = None, memoize: bool = False,
                 memoize_key: HashingFunction | None = None) -> None:
        if field_names is None:
            field_names = {k: k for k in list(inspect.signature(self.run).parameters)}
        self.field_names = dict(field_names)
        self.mapped_field_names = None if mapped_field_names is None else dict(mapped_field_names)
        super().__init__(name, pre, memoize, memoize_key)

    def run(self, **kwargs: Any) -> FieldMap | None:
        """The new fields, from the input fields named by ``field_names``."""
        raise NotImplementedError(f"{type(self).__name__} must implement run(**fields)")

    def _generate_mapped_data_point(self, x: DataPoint) -> DataPoint | None:
        fields = self.run(**{k: getattr(x, v) for k, v in self.field_names.items()})
        if fields is None:
            return None
        if self.mapped_field_names is not None:
            fields = {v: fields[k] for k, v in self.mapped_field_names.items()}
        for k, v in fields.items():
            setattr(x, k, v)
        return x


class LambdaPreprocessor(BasePreprocessor):
    """A preprocessor from a function ``f(x) -> x`` (what ``@preprocessor()`` builds)."""

    def __init__(self, name: str, f: Callable[[DataPoint], DataPoint | None],
                 pre: Sequence[BasePreprocessor] | None = None, memoize: bool = False,
                 memoize_key: HashingFunction | None = None) -> None:
        self._f = f
        super().__init__(name, pre, memoize, memoize_key)

    def _generate_mapped_data_point(self, x: DataPoint) -> DataPoint | None:
        return self._f(x)


def preprocessor(name: str | None = None, pre: Sequence[BasePreprocessor] | None = None,
                 memoize: bool = False, memoize_key: HashingFunction | None = None
                 ) -> Callable[[Callable[[DataPoint], DataPoint | None]], LambdaPreprocessor]:
    """Decorator making a :class:`LambdaPreprocessor`; ``name`` defaults to the function's.

    >>> @preprocessor(memoize=True)
    ... def words(x):
    ...     x.words = x.text.split()
    ...     return x
    >>> words(SimpleNamespace(text="check it out")).words
    ['check', 'it', 'out']
    """

    def decorate(f: Callable[[DataPoint], DataPoint | None]) -> LambdaPreprocessor:
        return LambdaPreprocessor(name or f.__name__, f, pre=pre, memoize=memoize,
                                  memoize_key=memoize_key)

    if callable(name):  # used bare: @preprocessor
        f, name = name, None
        return decorate(f)  # type: ignore[return-value]
    return decorate
