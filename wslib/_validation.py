"""Shared checks of parameters and inputs: one helper per kind of value, each naming it.

Estimators declare their hyper-parameters once, in a ``_parameter_constraints``
table (parameter name -> constraint), and :class:`CheckedParams` checks the table
when the estimator is made and again, through :func:`check_params`, at the top
of ``fit`` (``set_params`` may have changed a value since). A constraint is a
callable ``(name, value)`` that raises ``TypeError`` / ``ValueError`` naming the
parameter; :func:`integer`, :func:`number`, :func:`boolean`, :func:`choice` and
:func:`class_balance` build them from the ``check_*`` helpers below.

Example
-------
>>> check_number("timeout", "2", low=0, open_low=True)
Traceback (most recent call last):
...
TypeError: timeout must be a number, got '2' (str)
>>> check_class_balance({1: 0.7, 0: 0.3}, 2).tolist()
[0.3, 0.7]
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from wslib.exceptions import WslibWarning, user_stacklevel

__all__ = [
    "CheckedParams",
    "align_columns",
    "boolean",
    "check_above_chance",
    "check_bool",
    "check_choice",
    "check_class_balance",
    "check_features",
    "check_integer",
    "check_number",
    "check_params",
    "check_positive",
    "check_unmasked",
    "choice",
    "class_balance",
    "column_positions",
    "frame_columns",
    "repeated_names",
    "integer",
    "number",
    "sequence",
    "text",
    "verbosity",
]

#: tolerance on the sum of a class balance
BALANCE_SUM_TOL = 1e-6

Constraint = Callable[[str, Any], Any]


def check_bool(name: str, value: Any, optional: bool = False) -> None:
    """Raise ``TypeError`` naming ``name`` unless ``value`` is a bool (or ``None`` when
    ``optional``): a string such as ``"no"`` would otherwise count as true.

    >>> check_bool("fix_nested", "no")
    Traceback (most recent call last):
    ...
    TypeError: fix_nested must be True or False, got 'no'
    """
    if not (isinstance(value, (bool, np.bool_)) or (optional and value is None)):
        raise TypeError(f"{name} must be True or False{' (or None)' if optional else ''}, "
                        f"got {value!r}")


def check_integer(name: str, value: Any, minimum: int | None = 1, maximum: int | None = None,
                  optional: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is an integer in
    ``minimum .. maximum`` (or ``None`` when ``optional``); floats, even integral
    ones, and bools are refused (``2.5`` would be truncated, ``True`` is 1).

    >>> check_integer("n_steps", -5)
    Traceback (most recent call last):
    ...
    ValueError: n_steps must be a positive integer, got -5
    """
    if optional and value is None:
        return
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not ok or (minimum is not None and value < minimum) or \
            (maximum is not None and value > maximum):
        if maximum is not None:
            what = f"an integer in {minimum}..{maximum}"
        else:
            what = {0: "a non-negative integer", 1: "a positive integer", None: "an integer"}.get(
                minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {what}{' (or None)' if optional else ''}, "
                         f"got {value!r}")


def check_number(name: str, value: Any, *, low: float | None = None,
                 high: float | None = None, open_low: bool = False, open_high: bool = False,
                 optional: bool = False) -> float | None:
    """``value`` as a float after checking it is a finite real number in the range.

    A string (``"2"``), a bool or NaN is refused with ``TypeError`` / ``ValueError``
    naming ``name``; ``open_low`` / ``open_high`` exclude the bound itself.

    >>> check_number("dropout", 1.0, low=0, high=1, open_high=True)
    Traceback (most recent call last):
    ...
    ValueError: dropout must be a finite number in [0, 1), got 1.0
    """
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    x = float(value)
    bad = not np.isfinite(x)
    if low is not None:
        bad |= x <= low if open_low else x < low
    if high is not None:
        bad |= x >= high if open_high else x > high
    if bad:
        if low is not None and high is not None:
            where = f" in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        elif low is not None:
            where = f" {'>' if open_low else '>='} {low:g}"
        elif high is not None:
            where = f" {'<' if open_high else '<='} {high:g}"
        else:
            where = ""
        raise ValueError(f"{name} must be a finite number{where}, got {value!r}")
    return x


def check_above_chance(name: str, value: float, k: int) -> None:
    """Raise ``ValueError`` naming ``name`` unless the accuracy ``value`` is in ``(1/k, 1)``:
    better than a uniform guess among ``k`` classes, and not certain.

    >>> check_above_chance("default_accuracy", 0.3, 3)
    Traceback (most recent call last):
    ...
    ValueError: default_accuracy must be in (1/k, 1) = (0.333, 1), got 0.3
    """
    if not 1.0 / k < value < 1.0:
        raise ValueError(f"{name} must be in (1/k, 1) = ({1 / k:.3g}, 1), got {value}")


def check_positive(name: str, value: Any) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a finite number > 0.

    >>> check_positive("learning_rate", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0, got nan
    """
    check_number(name, value, low=0, open_low=True)


def check_choice(name: str, value: Any, choices: tuple, optional: bool = False) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is one of ``choices``.

    >>> check_choice("posterior", "bayes", ("auto", "votes", "dawid-skene"))
    Traceback (most recent call last):
    ...
    ValueError: unknown posterior 'bayes': posterior must be one of ('auto', 'votes', 'dawid-skene')
    """
    if optional and value is None:
        return
    try:
        ok = any(value == c and isinstance(value, type(c)) for c in choices)
    except (TypeError, ValueError):  # an array compared elementwise
        ok = False
    if not ok:
        what = " or ".join(map(repr, choices)) if len(choices) == 2 else f"one of {choices}"
        raise ValueError(f"unknown {name} {value!r}: {name} must be {what}"
                         f"{' (or None)' if optional else ''}")


def check_class_balance(balance: Any, cardinality: int | None, *, name: str = "class_balance",
                        positive: bool = False) -> np.ndarray:
    """A class prior as ``k`` shares summing to 1 (within 1e-6), renormalised.

    A sequence or array is read by position. A dict or a pandas Series is read **by
    class**: its keys / index are the class indices ``0..k-1`` (as
    ``y.value_counts(normalize=True)`` gives them, most frequent first), and every
    class must be present. ``positive`` refuses zero shares. With ``cardinality``
    ``None`` (not known yet) the length is not checked.

    >>> import pandas as pd
    >>> check_class_balance(pd.Series({1: 0.7, 0: 0.3}), 2).tolist()
    [0.3, 0.7]
    """
    p = _balance_array(balance, cardinality, name)
    if p.ndim != 1 or (cardinality is not None and p.shape != (cardinality,)) or p.size < 2:
        expected = f"({cardinality},)" if cardinality is not None else "(k,) with k >= 2"
        raise ValueError(f"{name} has shape {p.shape}, expected {expected}: one share per class")
    bad = ~np.isfinite(p) | ((p <= 0) if positive else (p < 0))
    if bad.any():
        c = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be finite and {'> 0' if positive else 'non-negative'}, "
                         f"got {p.tolist()}: {name}[{c}] = {p[c]}")
    if not abs(p.sum() - 1.0) <= BALANCE_SUM_TOL:
        raise ValueError(f"{name} must sum to 1, got sum {p.sum():.6g}")
    return p / p.sum()


def _balance_array(balance: Any, cardinality: int | None, name: str) -> np.ndarray:
    """``balance`` as float64 shares in class order (dict / Series keys are classes)."""
    if isinstance(balance, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of class shares, got {balance!r}")
    if hasattr(balance, "index") and hasattr(balance, "to_dict") and \
            not hasattr(balance, "columns"):  # pandas Series: by its index
        balance = balance.to_dict()
    if isinstance(balance, Mapping):
        keys = list(balance)
        bad = [key for key in keys if isinstance(key, (bool, np.bool_))
               or not isinstance(key, (int, np.integer)) or key < 0]
        if bad:
            raise ValueError(f"{name} is keyed by class, so its keys must be class indices "
                             f"0..k-1; got key {bad[0]!r}")
        k = cardinality if cardinality is not None else max(keys, default=-1) + 1
        missing = sorted(set(range(k)) - {int(key) for key in keys})
        extra = sorted(int(key) for key in keys if key >= k)
        if missing or extra:
            raise ValueError(f"{name} is keyed by class and must give a share for each of the "
                             f"{k} classes 0..{k - 1}: "
                             + (f"missing class(es) {missing}" if missing else
                                f"class(es) {extra} do not exist"))
        balance = [balance[c] for c in sorted(keys)]
    try:
        return np.asarray(balance, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must hold numbers (one share per class), got "
                        f"{balance!r}") from exc


# ----------------------------------------------------------------------- inputs
def check_unmasked(values: Any, name: str) -> None:
    """Refuse a numpy masked array with masked cells: ``np.asarray`` would silently
    read the hidden values under the mask as data.

    >>> import numpy as np
    >>> check_unmasked(np.ma.masked_array([[0, 1]], mask=[[0, 1]]), "L")
    Traceback (most recent call last):
    ...
    ValueError: L is a masked array with 1 masked cell(s), the first at (0, 1); fill them with the value they stand for (e.g. L.filled(-1) for abstains) or pass L.data
    """
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        if mask.any():
            first = tuple(int(i) for i in np.argwhere(mask)[0])
            where = first if len(first) > 1 else first[0]
            raise ValueError(f"{name} is a masked array with {int(mask.sum())} masked cell(s), "
                             f"the first at {where}; fill them with the value they stand for "
                             f"(e.g. {name}.filled(-1) for abstains) or pass {name}.data")


#: what a text column given as features is told to go through
_FEATURE_BUILDERS = "e.g. tfidf_features(texts), embed_texts(texts) or autows.TextFeatures"


def check_features(X: Any, *, name: str = "X", dtype: Any = None, allow_sparse: bool = True,
                   n_rows: int | None = None, n_columns: int | None = None,
                   model: str = "the model") -> Any:
    """A feature matrix: 2-D, numeric, finite, with at least one row and one column.

    Dense input comes back C-contiguous in ``dtype`` (default: as given when
    floating, else ``float64``); sparse input as canonical CSR (in ``dtype`` when
    given), or ``TypeError`` without ``allow_sparse``. A non-finite cell is named
    by row and column. ``n_rows`` is the number of labels ``X`` must match;
    ``n_columns`` the number of columns ``model`` was fitted on.

    >>> check_features(np.array([[0.0, 1.0], [np.inf, 2.0]]))
    Traceback (most recent call last):
    ...
    ValueError: X has a non-finite value inf at row 1, column 0 (1 in all); impute or drop it
    """
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):  # scipy.sparse, imported only when given
        out = _sparse_features(X, name, dtype, allow_sparse)
    else:
        out = _dense_features(X, name, dtype)
    if out.shape[0] == 0:
        raise ValueError(f"{name} has zero rows")
    if out.shape[1] == 0:
        raise ValueError(f"{name} has zero features (columns): there is nothing to learn from")
    if n_rows is not None and out.shape[0] != n_rows:
        raise ValueError(f"{name} has {out.shape[0]} rows but y has {n_rows} entries; "
                         f"pass one label (or -1 for unlabelled) per row of {name}")
    if n_columns is not None and out.shape[1] != n_columns:
        raise ValueError(f"{name} has {out.shape[1]} features but {model} was fitted with "
                         f"{n_columns}; use the same feature builder for fit and predict")
    return out


def _dense_features(X: Any, name: str, dtype: Any) -> np.ndarray:
    if hasattr(X, "to_numpy") and hasattr(X, "columns"):
        X = X.to_numpy()
    check_unmasked(X, name)
    arr = np.asarray(X)
    if arr.dtype == object or arr.dtype.kind in "US":
        what = "object dtype" if arr.dtype == object else f"dtype {arr.dtype}"
        raise TypeError(f"{name} has {what}; pass numeric features ({_FEATURE_BUILDERS}), "
                        "not raw texts")
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} has dtype {arr.dtype}; features must be numeric")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_items, n_features), got shape {arr.shape}")
    if dtype is None:
        dtype = arr.dtype if arr.dtype.kind == "f" else np.float64
    arr = np.ascontiguousarray(arr, dtype=dtype)
    bad = ~np.isfinite(arr)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        _non_finite(name, arr[r, c], r, c, int(bad.sum()))
    return arr


def _sparse_features(X: Any, name: str, dtype: Any, allow_sparse: bool) -> Any:
    import scipy.sparse as sp

    if not allow_sparse:
        raise TypeError(f"{name} is sparse; a dense feature matrix is needed here "
                        "(e.g. embeddings or PCA of TF-IDF)")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{name} has dtype {X.dtype}; features must be numeric")
    X = sp.csr_matrix(X, dtype=dtype)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    bad = ~np.isfinite(X.data) if X.dtype.kind == "f" else np.zeros(0, bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row = int(np.searchsorted(X.indptr, i, side="right") - 1)
        _non_finite(name, X.data[i], row, int(X.indices[i]), int(bad.sum()))
    return X


def _non_finite(name: str, value: Any, row: int, column: int, count: int) -> None:
    raise ValueError(f"{name} has a non-finite value {value} at row {row}, column {column} "
                     f"({count} in all); impute or drop it")


def repeated_names(names: Any) -> list:
    """The names that occur more than once in ``names``, in order of first occurrence.

    >>> repeated_names(["a", "b", "a", "c", "b"])
    ['a', 'b']
    """
    counts = Counter(names)
    return [name for name, count in counts.items() if count > 1]


def frame_columns(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame ``X`` when they are all strings (what
    scikit-learn records as ``feature_names_in_``), else ``None``; repeated names raise
    ``ValueError``."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "to_numpy") or len(columns) == 0 \
            or not all(isinstance(c, str) for c in columns):
        return None
    repeated = repeated_names(columns)
    if repeated:
        raise ValueError(f"the DataFrame repeats the column names {repeated}; columns are "
                         "matched by name, so each must be unique")
    return np.asarray(columns, dtype=object)


def align_columns(X: Any, names: np.ndarray | None, name: str, what: str = "features") -> Any:
    """``X`` with its columns in the order ``names`` recorded at fit, when ``X`` is a
    DataFrame with string column names; a DataFrame whose names differ raises
    ``ValueError`` naming the missing and unexpected columns. Anything else is
    returned as it is (read by position).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"b": [1], "a": [0]})
    >>> align_columns(frame, np.array(["a", "b"]), "L").columns.tolist()
    ['a', 'b']
    """
    given = None if names is None else _named_columns(X, names, name)
    if given is None or _same_order(given, names):
        return X
    _check_same_names(given, names, name, what)
    return X[names.tolist()]


def column_positions(X: Any, names: np.ndarray | None, name: str,
                     what: str = "features") -> np.ndarray | None:
    """For each column of ``X``, its position among the ``names`` recorded at fit, when
    ``X`` is a DataFrame with string column names (``None`` otherwise: read by
    position); names that differ raise as in :func:`align_columns`.

    >>> import pandas as pd
    >>> column_positions(pd.DataFrame({"b": [1], "a": [0]}), np.array(["a", "b"]), "L").tolist()
    [1, 0]
    """
    given = None if names is None else _named_columns(X, names, name)
    if given is None:
        return None
    if _same_order(given, names):
        return np.arange(len(names))
    _check_same_names(given, names, name, what)
    position = {column: i for i, column in enumerate(names.tolist())}
    return np.array([position[column] for column in given.tolist()], dtype=np.intp)


def _named_columns(X: Any, names: np.ndarray, name: str) -> np.ndarray | None:
    """:func:`frame_columns` of ``X``, warning when ``X`` is a DataFrame whose columns are
    not all strings although the model was fitted on named columns: it is read by
    position, which scikit-learn also warns about."""
    given = frame_columns(X)
    if given is None and hasattr(X, "columns") and hasattr(X, "to_numpy") and len(X.columns):
        warnings.warn(f"{name} is a DataFrame without string column names "
                      f"({list(X.columns[:3])}{' ...' if len(X.columns) > 3 else ''}), but "
                      f"the model was fitted on named columns ({list(names[:3])}"
                      f"{' ...' if len(names) > 3 else ''}): its columns are read by position",
                      WslibWarning, stacklevel=user_stacklevel())
    return given


def _same_order(given: np.ndarray, names: np.ndarray) -> bool:
    return len(given) == len(names) and bool((given == names).all())


def _check_same_names(given: np.ndarray, names: np.ndarray, name: str, what: str) -> None:
    """Raise ``ValueError`` naming the missing, unexpected or repeated columns unless
    ``given`` holds the fitted ``names`` in some order."""
    known, have = set(names.tolist()), set(given.tolist())
    missing = [c for c in names.tolist() if c not in have]
    unexpected = [c for c in given.tolist() if c not in known]
    if missing or unexpected or len(have) != len(given):
        detail = "; ".join(part for part in (
            f"missing {missing[:10]}" if missing else "",
            f"unexpected {unexpected[:10]}" if unexpected else "",
            "duplicate column names" if len(have) != len(given) else "") if part)
        raise ValueError(f"{name} has columns {given.tolist()[:10]} but the model was fitted on "
                         f"{len(names)} {what} named {names.tolist()[:10]} ({detail}); pass the "
                         "same columns (their order may differ: they are matched by name)")


# ------------------------------------------------------------------- constraints
def integer(minimum: int | None = 1, maximum: int | None = None, *,
            optional: bool = False) -> Constraint:
    """Constraint: an integer in ``minimum .. maximum`` (see :func:`check_integer`)."""
    return functools.partial(check_integer, minimum=minimum, maximum=maximum, optional=optional)


def number(low: float | None = None, high: float | None = None, *, open_low: bool = False,
           open_high: bool = False, optional: bool = False) -> Constraint:
    """Constraint: a finite real number in a range (see :func:`check_number`)."""
    return functools.partial(check_number, low=low, high=high, open_low=open_low,
                             open_high=open_high, optional=optional)


def boolean(optional: bool = False) -> Constraint:
    """Constraint: ``True`` or ``False`` (see :func:`check_bool`)."""
    return functools.partial(check_bool, optional=optional)


def verbosity() -> Constraint:
    """Constraint: ``True``/``False`` or a non-negative integer level."""
    def check(name: str, value: Any) -> None:
        if not isinstance(value, (bool, np.bool_)):
            check_integer(name, value, minimum=0)
    return check


def choice(*choices: Any, optional: bool = False) -> Constraint:
    """Constraint: one of ``choices`` (see :func:`check_choice`)."""
    return functools.partial(check_choice, choices=choices, optional=optional)


def class_balance(positive: bool = False) -> Constraint:
    """Constraint: ``None`` or a class prior whose length is checked later, at fit."""
    def check(name: str, value: Any) -> None:
        if value is not None:
            check_class_balance(value, None, name=name, positive=positive)
    return check


def text(optional: bool = False) -> Constraint:
    """Constraint: a string (e.g. a torch device name)."""
    def check(name: str, value: Any) -> None:
        if not (isinstance(value, str) or (optional and value is None)):
            raise TypeError(f"{name} must be a string{' (or None)' if optional else ''}, "
                            f"got {value!r}")
    return check


def sequence(item: Constraint, *, optional: bool = False) -> Constraint:
    """Constraint: a non-empty list, tuple or 1-D array whose items each meet ``item``
    (named ``name[i]``); a string or a bare number is refused."""
    def check(name: str, value: Any) -> None:
        if optional and value is None:
            return
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)) \
                or np.ndim(value) != 1 or len(value) == 0:
            raise TypeError(f"{name} must be a non-empty list of values"
                            f"{' (or None)' if optional else ''}, got {value!r}")
        for i, v in enumerate(value):
            item(f"{name}[{i}]", v.item() if isinstance(v, np.generic) else v)
    return check


def check_params(estimator: Any) -> None:
    """Check every hyper-parameter of ``estimator`` against the ``_parameter_constraints``
    tables of its class and its bases; the first violation raises naming the parameter."""
    for name, constraint in _constraints(type(estimator)).items():
        constraint(name, getattr(estimator, name))


@functools.lru_cache(maxsize=None)
def _constraints(cls: type) -> dict[str, Constraint]:
    """The constraints of ``cls``'s hyper-parameters, from its tables and its bases'
    (built once per class: checking costs a few microseconds)."""
    table: dict[str, Constraint] = {}
    for klass in reversed(cls.__mro__):
        table.update(vars(klass).get("_parameter_constraints", {}))
    params = set(cls._get_param_names()) if hasattr(cls, "_get_param_names") else set(table)
    return {name: check for name, check in table.items() if name in params}


class CheckedParams:
    """Mixin: the hyper-parameters in ``_parameter_constraints`` are checked as soon as
    the estimator is made (after the outermost ``__init__``), so a bad value fails
    where it is written, not at ``fit``; ``fit`` calls :func:`check_params` again.
    ``__init__`` still only stores its arguments, so ``get_params``, ``set_params``
    and ``clone`` work as in scikit-learn."""

    _parameter_constraints: ClassVar[dict[str, Constraint]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def checked_init(self: Any, *args: Any, **kw: Any) -> None:
            init(self, *args, **kw)
            if _init_owner(type(self)) is cls:  # the outermost __init__ only
                check_params(self)

        cls.__init__ = checked_init


def _init_owner(cls: type) -> type:
    """The class whose own ``__init__`` runs first when ``cls`` is made (other wrappers
    of ``__init__``, e.g. decorators added by a base class, do not change it)."""
    return next(klass for klass in cls.__mro__ if "__init__" in vars(klass))
