"""The vote matrix ``L``: its contract and the one function that checks it.

A vote matrix holds one row per item and one column per labeling function
(LF, also called a *source*). Entry ``L[i, j]`` is the class LF ``j`` voted
for item ``i`` (``0 .. k-1``) or ``ABSTAIN`` (``-1``).

Two layouts are accepted everywhere:

* **dense** — any integer NumPy array (or a pandas DataFrame of integers).
  Internally stored as ``int8`` when ``k <= 127`` and ``int16`` otherwise.
* **sparse** — a ``scipy.sparse`` matrix whose *stored* entries are votes
  (``0 .. k-1``; a stored ``-1`` is also an abstain) and whose implicit
  entries are abstains. Explicit zeros are votes for class 0, so keep them
  (``wslib`` never calls ``eliminate_zeros``). Internally CSR.

Floats, NaN, values below ``-1`` or at/above the cardinality are rejected
with an error that names the first offending row and column.

Example
-------
>>> import numpy as np
>>> from wslib.matrix import check_votes
>>> L, k = check_votes(np.array([[0, -1], [1, 1]]))
>>> L.dtype, k
(dtype('int8'), 2)
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from wslib._validation import check_unmasked
from wslib.exceptions import CardinalityWarning, WslibWarning, user_stacklevel
from wslib.kernels.jit import issparse
from wslib.kernels.votes import vote_range

if TYPE_CHECKING:  # scipy.sparse is imported when a sparse matrix is first handled
    import scipy.sparse as sp

ABSTAIN = -1
#: Largest number of classes ``check_votes`` infers from the votes alone (int16 range);
#: a larger vote is almost always a bug (an id or a count stored as a vote).
MAX_INFERRED_CARDINALITY = int(np.iinfo(np.int16).max)

VoteMatrix = Union[np.ndarray, "sp.csr_matrix"]

__all__ = [
    "ABSTAIN",
    "VoteMatrix",
    "check_votes",
    "infer_cardinality",
    "warn_unused_classes",
    "vote_dtype",
    "to_sparse",
    "to_dense",
    "n_items",
]


def vote_dtype(cardinality: int) -> np.dtype:
    """Smallest signed integer dtype that holds votes ``-1 .. cardinality-1``."""
    if cardinality <= np.iinfo(np.int8).max:
        return np.dtype(np.int8)
    if cardinality <= np.iinfo(np.int16).max:
        return np.dtype(np.int16)
    return np.dtype(np.int32)


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _numpy_dtype(dtype: Any) -> Any:
    """The NumPy dtype of a pandas column dtype: that of a nullable integer (``Int8``) or
    the subtype of a sparse column (``Sparse[int64, -1]``, read densely), else ``dtype``."""
    for attr in ("numpy_dtype", "subtype"):
        inner = getattr(dtype, attr, None)
        if isinstance(inner, np.dtype):
            return inner
    return dtype


def _frame_votes(frame: Any, name: str, cardinality: int | None) -> np.ndarray:
    """A DataFrame's votes as an array; nullable integer columns (``Int8``...) count as
    integers when nothing is missing, and a missing vote is named, not read as a string;
    sparse columns are read densely (their fill value is a vote or an abstain like any)."""
    missing = frame.isna().to_numpy()
    if missing.any():
        r, c = (int(i) for i in np.argwhere(missing)[0])
        raise ValueError(f"{name} has a missing value at row {r}, column {frame.columns[c]!r}; "
                         "write abstains as -1")
    dtypes = [_numpy_dtype(dtype) for dtype in frame.dtypes]
    if all(getattr(dtype, "kind", "O") in "iu" for dtype in dtypes):
        common = np.result_type(*dtypes)  # unsigned columns stay unsigned: see _check_integral
        if common.kind != "u":  # unsigned next to signed columns: check them before the cast
            for c, dtype in enumerate(dtypes):
                if dtype.kind == "u" and len(frame):
                    _check_unsigned(frame.iloc[:, c].to_numpy(dtype=dtype), name,
                                    lambda pos, c=c: f"row {pos[0]}, column {frame.columns[c]!r}",
                                    cardinality)
        return frame.to_numpy(dtype=common if common.kind in "iu" else np.int64)
    return frame.to_numpy()


def _check_single_entries(L: Any, name: str, first_row: int = 0) -> None:
    """A sparse matrix may store one cell twice (COO input, or CSR built by hand); turning
    it into CSR would add the two votes into a vote for another class."""
    if L.format in ("csr", "csc") and L.has_canonical_format:
        return
    coo = L.tocoo()
    order = np.lexsort((coo.col, coo.row))
    row, col = coo.row[order], coo.col[order]
    dup = np.flatnonzero((np.diff(row) == 0) & (np.diff(col) == 0))
    if dup.size:
        raise ValueError(f"{name} stores row {int(row[dup[0]]) + first_row}, column {int(col[dup[0]])} more "
                         f"than once ({dup.size} repeated entries); each cell holds one vote "
                         "(converting would add the entries up)")


def _check_integral(values: np.ndarray, name: str, where: Callable[[tuple[int, ...]], str],
                    cardinality: int | None) -> np.ndarray:
    """Reject non-integer dtypes; name the first NaN / fractional cell, and the first
    wrapped abstain of an unsigned dtype (unless ``cardinality`` makes it a class)."""
    if values.dtype == bool:
        raise TypeError(f"{name} has boolean dtype; votes must be integers (-1 = abstain)")
    if np.issubdtype(values.dtype, np.integer):
        if values.dtype.kind == "u" and values.size:
            _check_unsigned(values, name, where, cardinality)
        return values
    if np.issubdtype(values.dtype, np.floating):
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{name} contains a non-finite vote at {where(_first_bad(bad))}; "
                "votes must be integers in -1..k-1"
            )
        frac = values != np.round(values)
        if frac.any():
            pos = _first_bad(frac)
            raise ValueError(
                f"{name} contains a non-integer vote {float(values[pos])} at {where(pos)}; "
                "votes must be integers in -1..k-1"
            )
        raise TypeError(
            f"{name} has float dtype {values.dtype}; pass integer votes "
            "(e.g. L.astype(np.int8)) so that no rounding happens silently"
        )
    raise TypeError(f"{name} has dtype {values.dtype}; votes must be integers in -1..k-1")


def _check_unsigned(values: np.ndarray, name: str, where: Callable[[tuple[int, ...]], str],
                    cardinality: int | None) -> None:
    """Refuse the largest value of an unsigned dtype, which is where an abstain (-1) cast to
    it wraps around (unless ``cardinality`` makes it a class), and votes beyond int64."""
    top, largest = values.max(), np.iinfo(values.dtype).max
    if top == largest and (cardinality is None or cardinality <= largest):
        raise ValueError(f"{name} has vote {largest} at {where(_first_bad(values == largest))}, "
                         f"the largest {values.dtype} value: an abstain (-1) cast to an unsigned "
                         "dtype wraps around to it; keep votes in a signed dtype (np.int8, "
                         "np.int16)")
    if top > np.iinfo(np.int64).max:
        pos = _first_bad(values > np.iinfo(np.int64).max)
        raise ValueError(f"{name} has vote {int(values[pos])} at {where(pos)}; votes must "
                         "be -1 (abstain) or a class index 0..k-1")


def infer_cardinality(L: VoteMatrix) -> int:
    """Number of classes implied by the largest vote (at least 2)."""
    if issparse(L):
        data = L.data
    else:
        data = np.asarray(L)
    top = int(data.max()) if data.size else -1
    return max(2, top + 1)


#: a cardinality above this, and above UNUSED_RATIO times the distinct classes used, is
#: reported
UNUSED_CLASSES_FROM = 64
UNUSED_RATIO = 4
#: votes read at once when looking for the classes used
_BLOCK = 1 << 20


def _classes_voted(L: VoteMatrix, k: int) -> np.ndarray:
    """The sorted classes that at least one vote of the checked vote matrix ``L`` is for."""
    votes = (L.data if issparse(L) else np.asarray(L)).reshape(-1)
    seen = np.zeros(k + 1, dtype=bool)  # entry 0: abstain
    for start in range(0, votes.size, _BLOCK):
        seen[votes[start:start + _BLOCK].astype(np.intp) + 1] = True
    return np.flatnonzero(seen[1:])


def warn_unused_classes(L: VoteMatrix, k: int, y: np.ndarray | None = None) -> None:
    """Warn (:class:`~wslib.exceptions.CardinalityWarning`) when ``k`` classes, given or
    inferred from the largest vote, are far more than the distinct classes the votes (and
    gold labels ``y``, ``-1`` = unknown) use: a stray vote (an id or a count) inflates an
    inferred ``k``, and models' time and memory grow with ``k`` (``k**2`` per LF for the EM
    models). Free up to ``UNUSED_CLASSES_FROM`` classes."""
    if k <= UNUSED_CLASSES_FROM:
        return
    used = _classes_voted(L, k)
    if y is not None:
        used = np.union1d(used, y[y >= 0])
    if k > UNUSED_RATIO * used.size:
        seen = "voted or labelled" if y is not None else "voted"
        largest = f"the largest class {seen} is {used[-1]}" if used.size else \
            f"no class is {seen}"
        warnings.warn(f"cardinality={k}, but {largest}: {k - used.size} classes never occur "
                      f"(those that do: {used[:10].tolist()}{' ...' if used.size > 10 else ''}); "
                      "a stray vote (an id or a count) inflates an inferred cardinality, and "
                      "fits grow with the number of classes (k**2 per LF for DawidSkene and "
                      "LabelModel); pass the number of classes there are", CardinalityWarning,
                      stacklevel=user_stacklevel())


def check_votes(
    L: Any,
    *,
    cardinality: int | None = None,
    n_sources: int | None = None,
    name: str = "L",
    allow_empty: bool = False,
    first_row: int = 0,
) -> tuple[VoteMatrix, int]:
    """Validate a vote matrix and return it in canonical form with its cardinality.

    Parameters
    ----------
    L : array-like of int, DataFrame, or scipy.sparse matrix, shape (n_items, n_sources)
        Votes in ``-1 .. k-1``.
    cardinality : int, optional
        Number of classes ``k``. Inferred from the largest vote when omitted.
    n_sources : int, optional
        Expected number of columns (e.g. the number seen at ``fit`` time).
    name : str
        Name used in error messages.
    allow_empty : bool
        Accept zero rows.
    first_row : int
        Number of the first row in messages (a block read from a larger matrix
        names its rows in the whole matrix's numbering).

    Returns
    -------
    L : ndarray of int8/int16, C-contiguous, or scipy.sparse.csr_matrix
    cardinality : int
    """
    check = _check_sparse_votes if issparse(L) else _check_dense_votes
    return check(L, cardinality=cardinality, n_sources=n_sources, name=name,
                 allow_empty=allow_empty, first_row=first_row)


def _check_dense_votes(L: Any, *, cardinality: int | None, n_sources: int | None, name: str,
                       allow_empty: bool, first_row: int) -> tuple[np.ndarray, int]:
    """:func:`check_votes` of an array-like or a DataFrame."""
    if hasattr(L, "to_numpy") and hasattr(L, "columns"):
        L = _frame_votes(L, name, cardinality)
    check_unmasked(L, name)
    try:
        arr = np.asarray(L)
    except ValueError as exc:
        raise ValueError(f"{name} is not a rectangular matrix (rows of different "
                         f"lengths?): {exc}") from exc
    if arr.dtype == object:
        raise TypeError(
            f"{name} has object dtype; votes must be integers in -1..k-1 "
            "(did an LF return None or a string?)"
        )
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_items, n_sources), got shape {arr.shape}"
        )
    where = functools.partial(_dense_position, first_row=first_row)
    arr = _check_integral(arr, name, where, cardinality)
    _check_shape(arr.shape, name, allow_empty, n_sources)
    k = _vote_cardinality(arr, cardinality, name, where)
    return np.ascontiguousarray(arr, dtype=vote_dtype(k)), k


def _check_sparse_votes(L: Any, *, cardinality: int | None, n_sources: int | None, name: str,
                        allow_empty: bool, first_row: int) -> tuple[sp.csr_matrix, int]:
    """:func:`check_votes` of a scipy.sparse matrix: the stored entries are the votes."""
    import scipy.sparse as sp

    _check_single_entries(L, name, first_row)
    L = sp.csr_matrix(L)
    if not L.has_sorted_indices:  # a sorted copy: sorting in place would reorder the
        L = L.sorted_indices()    # caller's column indices, shared with the output
    where = functools.partial(_sparse_position, L, first_row=first_row)
    data = _check_integral(L.data, name, where, cardinality)
    if L.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {L.shape}")
    _check_shape(L.shape, name, allow_empty, n_sources)
    k = _vote_cardinality(data, cardinality, name, where)
    _warn_dropped_zeros(data, name)
    out = sp.csr_matrix(
        (data.astype(vote_dtype(k), copy=False), L.indices.astype(np.int32, copy=False),
         L.indptr.astype(np.int64, copy=False)),
        shape=L.shape,
    )
    return out, k


def _warn_dropped_zeros(data: np.ndarray, name: str) -> None:
    """Warn when a sparse ``L`` stores abstains (-1) but no vote for class 0: the mark of a
    dense vote matrix given to scipy's constructor, which keeps the -1s and drops every
    zero, so the class-0 votes became abstains."""
    if data.size and (data == ABSTAIN).any() and not (data == 0).any():
        warnings.warn(f"sparse {name} stores {int((data == ABSTAIN).sum())} abstains (-1) but "
                      "no vote for class 0: built from a dense vote matrix with scipy's "
                      "constructor, which drops zeros, its class-0 votes are lost (read as "
                      "abstains); convert with wslib.matrix.to_sparse(L), which stores the "
                      "votes and leaves the abstains out", WslibWarning,
                      stacklevel=user_stacklevel())


def _check_shape(shape: tuple[int, int], name: str, allow_empty: bool,
                 n_sources: int | None) -> None:
    n, m = shape
    if n == 0 and not allow_empty:
        raise ValueError(f"{name} has zero rows; nothing to label")
    if m == 0:
        raise ValueError(f"{name} has zero columns; at least one labeling function is needed")
    if n_sources is not None and m != n_sources:
        raise ValueError(
            f"{name} has {m} columns but the model was fitted with {n_sources} "
            "labeling functions; pass the same LFs in the same order"
        )


def _vote_cardinality(vals: np.ndarray, cardinality: int | None, name: str,
                      where: Callable[[tuple[int, ...]], str]) -> int:
    """The number of classes (``cardinality`` or inferred from the largest vote), after
    checking every vote ``vals`` is ``-1`` or a class; ``where`` names a vote's cell."""
    if cardinality is not None:
        if int(cardinality) != cardinality or cardinality < 2:
            raise ValueError(f"cardinality must be an integer >= 2, got {cardinality!r}")
        cardinality = int(cardinality)
    lo, hi = vote_range(vals) if vals.size else (ABSTAIN, ABSTAIN)
    if lo < ABSTAIN:
        pos = _first_bad(vals < ABSTAIN)
        raise ValueError(
            f"{name} has vote {int(vals[pos])} at {where(pos)}; "
            "votes must be -1 (abstain) or a class index 0..k-1"
        )
    k = max(2, hi + 1) if cardinality is None else cardinality
    if cardinality is None and k > MAX_INFERRED_CARDINALITY:
        pos = _first_bad(vals == hi)
        raise ValueError(
            f"{name} has vote {int(vals[pos])} at {where(pos)}, which would mean {k} classes; "
            f"pass cardinality= explicitly if that is intended (it is only inferred up to "
            f"{MAX_INFERRED_CARDINALITY})"
        )
    if hi >= k:
        pos = _first_bad(vals >= k)
        raise ValueError(
            f"{name} has vote {int(vals[pos])} at {where(pos)}, outside 0..{k - 1} "
            f"for cardinality {k}"
        )
    return k


def _dense_position(pos: tuple[int, ...], first_row: int = 0) -> str:
    return f"row {pos[0] + first_row}, column {pos[1]}"


def _sparse_position(L: sp.csr_matrix, pos: tuple[int, ...], first_row: int = 0) -> str:
    """The cell of stored entry ``pos[0]`` of the CSR matrix ``L``."""
    i = pos[0]
    row = int(np.searchsorted(L.indptr, i, side="right") - 1) + first_row
    return f"row {row}, column {int(L.indices[i])}"


def n_items(L: VoteMatrix) -> int:
    return int(L.shape[0])


def to_sparse(L: VoteMatrix) -> sp.csr_matrix:
    """CSR copy of a dense vote matrix; abstains become implicit entries."""
    import scipy.sparse as sp

    if sp.issparse(L):
        return sp.csr_matrix(L)
    L = np.asarray(L)
    rows, cols = np.nonzero(L != ABSTAIN)  # row-major: already in CSR order
    indptr = np.zeros(L.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=L.shape[0]), out=indptr[1:])
    return sp.csr_matrix((L[rows, cols], cols, indptr), shape=L.shape, dtype=L.dtype)


def to_dense(L: VoteMatrix, dtype: np.dtype | None = None) -> np.ndarray:
    """Dense copy of a vote matrix; implicit sparse entries become ``-1``."""
    if not issparse(L):
        return np.asarray(L, dtype=dtype)
    import scipy.sparse as sp

    L = sp.csr_matrix(L)
    out = np.full(L.shape, ABSTAIN, dtype=dtype or L.dtype)
    rows = np.repeat(np.arange(L.shape[0]), np.diff(L.indptr))
    out[rows, L.indices] = L.data
    return out
