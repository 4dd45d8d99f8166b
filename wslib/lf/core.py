"""``LabelingFunction`` and the ``@labeling_function`` decorator.

One decorator, three kinds of labeling function (LF):

* **row** (default) — ``f(x) -> int`` where ``x`` is one row. ``x.text`` and
  ``x["text"]`` both work, so Snorkel LFs port by changing the import. Rows
  are light named tuples, never a ``pd.Series`` per row.
* **batch** (``batch=True``) — ``f(df_chunk) -> votes``: a pandas DataFrame
  chunk in, an integer array-like of one vote per row out. Column operations
  (pandas ``.str``, numpy, ``pyarrow.compute``) make this the fast path.
* **numba** (``numba=True``) — ``f(a, b, ...) -> int`` over *numeric* columns
  named by the parameters. All numba LFs of a run are compiled and fused into
  one generated kernel that loops over the rows once.

Every LF returns a class index ``0 .. k-1`` or ``ABSTAIN`` (``-1``), or a
class name mapped to its index by ``apply_lfs(..., classes=[...])`` (see
:func:`with_classes`).

Example
-------
>>> from wslib import labeling_function, ABSTAIN
>>> @labeling_function()
... def lf_check_out(x):
...     return 1 if "check out" in x.text.lower() else ABSTAIN
>>> from collections import namedtuple
>>> lf_check_out(namedtuple("Row", "text")("Check out my channel"))
1
"""

from __future__ import annotations

import functools
import inspect
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wslib._spelling import other_spellings
from wslib.classes import class_index
from wslib.lf.preprocess import Preprocessor

__all__ = ["KINDS", "MAX_CLASS", "LabelingFunction", "labeling_function", "row_type",
           "with_classes"]

KINDS = ("row", "batch", "numba")
#: the largest class index a vote can be: votes are stored as int16
MAX_CLASS = int(np.iinfo(np.int16).max) - 1


class LabelingFunction:
    """A named labeling function with the metadata the appliers need.

    Parameters
    ----------
    name : str
        Unique name; it labels the LF's column in the vote matrix and in errors.
    f : callable
        The function. Signature depends on ``kind`` (see the module docstring).
    kind : {"row", "batch", "numba"}
        How ``f`` is called.
    resources : mapping, optional
        Extra keyword arguments passed to every call of ``f`` (e.g. a lexicon,
        a spaCy pipeline). Not available to numba LFs.
    pre : sequence of Preprocessor, optional
        Preprocessors applied (memoized, in order) before ``f``: row
        preprocessors for row LFs, ``batch=True`` preprocessors for batch LFs.
    columns : sequence of str, optional
        The input columns ``f`` reads. Templates and numba LFs always know them;
        give them for row/batch LFs so appliers can check a schema up front and
        read only those columns.

    Attributes
    ----------
    template : object or None
        For LFs built by :mod:`wslib.lf.templates`, the specification the
        applier uses to fuse many templates into one pass.
    class_name : str or None
        The class name a template was given as its label (``keyword_lf(...,
        "SPAM")``); :func:`with_classes` remakes the LF with the name's index.
    """

    class_name: str | None = None

    @other_spellings({}, positional="resources= and pre= are keyword-only in wslib")
    def __init__(self, name: str, f: Callable[..., Any], *, kind: str = "row",
                 resources: Mapping[str, Any] | None = None,
                 pre: Sequence[Preprocessor] | None = None,
                 columns: Iterable[str] | None = None, template: Any = None) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a labeling function needs a non-empty string name, got {name!r}")
        if kind not in KINDS:
            raise ValueError(f"LF {name!r}: kind must be one of {KINDS}, got {kind!r}")
        if not callable(f):
            raise TypeError(f"LF {name!r}: f must be callable, got {type(f).__name__}")
        self.name = name
        self.f = f
        self.kind = kind
        self.resources = dict(resources or {})
        self.pre = tuple(pre or ())
        self.template = template
        for p in self.pre:
            if not isinstance(p, Preprocessor):
                raise TypeError(f"LF {name!r}: pre must hold @preprocessor functions, "
                                f"got {type(p).__name__}")
            if p.batch != (kind == "batch"):
                want = "batch=True" if kind == "batch" else "row (batch=False)"
                raise TypeError(f"LF {name!r} is a {kind} LF and needs {want} preprocessors; "
                                f"preprocessor {p.name!r} has batch={p.batch}")
        if kind == "numba":
            if self.resources or self.pre:
                raise TypeError(f"numba LF {name!r} cannot take resources or preprocessors")
            params = list(inspect.signature(f).parameters.values())
            if not params or any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                 for p in params):
                raise TypeError(f"numba LF {name!r} must take one positional parameter per "
                                "numeric column it reads, e.g. def f(length, n_links)")
            derived = tuple(p.name for p in params)
            if columns is not None and tuple(columns) != derived:
                raise ValueError(f"numba LF {name!r}: columns={tuple(columns)} must equal its "
                                 f"parameter names {derived}")
            columns = derived
        self.columns = None if columns is None else tuple(columns)
        self._call = functools.partial(f, **self.resources) if self.resources else f

    # ------------------------------------------------------------------ calling
    def __call__(self, x: Any) -> int:
        """Vote on one row (any object with attribute access to the columns).

        Row LFs call ``f`` directly (after their preprocessors); batch and numba
        LFs are evaluated on a one-row frame, so every kind can be unit-tested
        the same way.
        """
        if self.kind == "row":
            for p in self.pre:
                x = p(x)
            return self._call(x)
        frame = pd.DataFrame([_row_dict(x)])
        if self.kind == "batch":
            return int(np.asarray(self.apply_batch(frame))[0])
        return int(self.f(*(frame[c].iloc[0] for c in self.columns)))

    def apply_batch(self, df: pd.DataFrame) -> Any:
        """Votes of a batch LF on a DataFrame chunk (preprocessors applied first)."""
        if self.kind != "batch":
            raise TypeError(f"LF {self.name!r} is a {self.kind} LF, not a batch LF")
        for p in self.pre:
            df = p(df)
        return self._call(df)

    def __repr__(self) -> str:
        cols = "" if self.columns is None else f", columns={list(self.columns)}"
        return f"LabelingFunction({self.name!r}, kind={self.kind!r}{cols})"


def labeling_function(name: str | None = None, *, batch: bool = False, numba: bool = False,
                      resources: Mapping[str, Any] | None = None,
                      pre: Sequence[Preprocessor] | None = None,
                      columns: Iterable[str] | None = None
                      ) -> Callable[[Callable[..., Any]], LabelingFunction]:
    """Decorator turning a function into a :class:`LabelingFunction`.

    Parameters
    ----------
    name : str, optional
        Defaults to the function's ``__name__``.
    batch : bool
        ``f(df_chunk) -> array of votes`` instead of ``f(x) -> vote``.
    numba : bool
        ``f(col_a, col_b, ...) -> vote`` over numeric columns, compiled with
        numba and fused with the other numba LFs into one loop.
    resources : mapping, optional
        Keyword arguments injected into every call.
    pre : sequence of Preprocessor, optional
        Memoized preprocessors run before the LF.
    columns : iterable of str, optional
        Columns the LF reads (lets appliers check the schema first).

    Examples
    --------
    >>> import numpy as np
    >>> from wslib import labeling_function, ABSTAIN
    >>> @labeling_function(batch=True, columns=["text"])
    ... def lf_link(df):
    ...     return np.where(df["text"].str.contains("http", regex=False), 1, ABSTAIN)
    >>> @labeling_function(numba=True)
    ... def lf_long(n_words):
    ...     return 0 if n_words > 30 else -1
    >>> lf_link.kind, lf_long.columns
    ('batch', ('n_words',))
    """
    if batch and numba:
        raise ValueError("an LF is either batch=True or numba=True, not both")
    kind = "batch" if batch else "numba" if numba else "row"

    def decorate(f: Callable[..., Any]) -> LabelingFunction:
        return LabelingFunction(name or f.__name__, f, kind=kind, resources=resources, pre=pre,
                                columns=columns)

    if callable(name):  # used bare: @labeling_function
        f, name = name, None
        return decorate(f)
    return decorate


def _row_dict(x: Any) -> dict[str, Any]:
    if isinstance(x, Mapping):
        return dict(x)
    if isinstance(x, pd.Series):
        return x.to_dict()
    if hasattr(x, "_asdict"):
        out = dict(zip(getattr(x, "_columns", x._fields), x))
        out.update(getattr(x, "__dict__", {}))
        return out
    return dict(vars(x))


@functools.lru_cache(maxsize=256)
def row_type(columns: tuple[str, ...]) -> type:
    """The light row class for a set of column names (cached).

    A ``namedtuple`` subclass: attribute access for identifier columns, item
    access ``x["any name"]`` for every column, and a ``__dict__`` so Snorkel-style
    preprocessors can add fields (``x.n_words = ...``).

    >>> Row = row_type(("text", "user id"))
    >>> x = Row._make(["hi", 7])
    >>> x.text, x["user id"], x[0]
    ('hi', 7, 'hi')
    """
    base = namedtuple("Row", columns, rename=True)
    position = {c: i for i, c in enumerate(columns)}

    def __getitem__(self, key):
        if isinstance(key, str):
            i = position.get(key)
            if i is None:
                return getattr(self, key)
            return tuple.__getitem__(self, i)
        return tuple.__getitem__(self, key)

    def __repr__(self) -> str:
        return "Row(" + ", ".join(f"{c}={v!r}" for c, v in zip(columns, self)) + ")"

    return type("Row", (base,), {"__getitem__": __getitem__, "__repr__": __repr__,
                                 "_columns": columns})


def _refuse(lf_name: str, class_name: str) -> Callable[..., Any]:
    def vote(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"LF {lf_name!r} votes the class name {class_name!r}: pass "
                         "classes=[...] to apply_lfs to map class names to class indices")
    return vote


def named_class(made: LabelingFunction, class_name: str,
                remake: Callable[[int], LabelingFunction]) -> LabelingFunction:
    """An LF voting ``class_name`` that waits for :func:`with_classes`: ``remake(index)``
    builds it for the name's index; applied before that, it raises saying so.
    ``made`` is the LF built for index 0 (its name, kind and columns are kept)."""
    lf = LabelingFunction(made.name, _refuse(made.name, class_name), kind=made.kind,
                          columns=made.columns)
    lf.class_name = class_name
    lf._remake = remake
    return lf


def _map_row_votes(f: Callable[..., Any], index: dict[str, int]) -> Callable[..., Any]:
    @functools.wraps(f)
    def vote(*args: Any, **kwargs: Any) -> Any:
        v = f(*args, **kwargs)
        if isinstance(v, str):
            if v not in index:
                raise ValueError(f"returned the class name {v!r}, which is not in classes "
                                 f"{list(index)}")
            return index[v]
        return v
    return vote


def _map_batch_votes(f: Callable[..., Any], index: dict[str, int]) -> Callable[..., Any]:
    """``f`` with the class names among its votes replaced by their indices; every
    other value is left for the applier to validate as a vote, as without classes."""
    names = pd.Index(list(index), dtype=object)  # a name's position is its class index

    @functools.wraps(f)
    def vote(*args: Any, **kwargs: Any) -> Any:
        out = f(*args, **kwargs)
        values = out.to_numpy() if isinstance(out, pd.Series) else \
            np.asarray(out, dtype=object if isinstance(out, (list, tuple)) else None)
        if values.dtype.kind not in "OUS" or values.ndim != 1:
            return out
        try:
            where = names.get_indexer(values)
        except TypeError:  # unhashable values: no names among them
            return out
        found = where >= 0
        if not found.any():
            return out
        mapped = where if found.all() else \
            np.where(found, where, values.astype(object))  # a str array would make 0 '0'
        return pd.Series(mapped, index=out.index) if isinstance(out, pd.Series) else mapped
    return vote


def with_classes(lfs: Sequence[LabelingFunction] | LabelingFunction,
                 classes: Sequence[str] | None) -> list[LabelingFunction]:
    """``lfs`` with class names turned into class indices: the position of each
    name in ``classes``. ``apply_lfs(..., classes=...)`` calls it.

    Templates given a name as ``label`` are remade with its index; row and batch
    LFs may return names (or indices), mapped as they vote. Numba LFs vote
    indices. A name missing from ``classes`` raises ``ValueError`` naming it
    (templates: before any row is read; row and batch LFs: as a fault of that LF).
    Without ``classes``, an LF given a class name raises ``ValueError``.

    >>> from wslib.lf import keyword_lf
    >>> [lf] = with_classes([keyword_lf("free", "SPAM", name="free")], ["HAM", "SPAM"])
    >>> lf.template.label
    1
    """
    lfs = [lfs] if isinstance(lfs, LabelingFunction) else list(lfs)
    named = {lf.name: lf.class_name for lf in lfs if getattr(lf, "class_name", None)}
    if classes is None:
        if named:
            raise ValueError(f"LFs {sorted(named)} vote class names "
                             f"{sorted(set(named.values()))}: pass classes=[...] (the class "
                             "names in index order) to map them to class indices")
        return lfs
    index = class_index(classes)
    missing = {name: c for name, c in named.items() if c not in index}
    if missing:
        raise ValueError(f"class names {sorted(set(missing.values()))} (of LFs "
                         f"{sorted(missing)}) are not in classes {list(index)}")
    out = []
    for lf in lfs:
        if lf.name in named:
            out.append(lf._remake(index[lf.class_name]))
        elif lf.kind == "numba" or lf.template is not None:
            out.append(lf)
        else:
            mapped = _map_row_votes if lf.kind == "row" else _map_batch_votes
            out.append(LabelingFunction(lf.name, mapped(lf.f, index), kind=lf.kind,
                                        resources=lf.resources, pre=lf.pre, columns=lf.columns))
    return out
