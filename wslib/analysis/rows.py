"""The rows behind an LF's numbers: where it fires, conflicts, is wrong or abstains.

:func:`lf_examples` answers "show me" for a line of :func:`~wslib.analysis.lf_summary`
without writing ``data[L[:, j] != -1]`` by hand: it picks the rows, samples a
few, and puts the LF's vote, the gold label and the other LFs' votes beside
the data.

Example
-------
>>> import numpy as np
>>> import pandas as pd
>>> from wslib.analysis import lf_examples
>>> data = pd.DataFrame({"text": ["buy now", "nice song", "buy this song"]})
>>> L = np.array([[1, -1], [-1, 0], [1, 0]])
>>> lf_examples(L, data, "spam", which="conflicts", lfs=["spam", "song"])
            text  vote  others
2  buy this song     1  song=0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from wslib._validation import frame_columns
from wslib.analysis.summary import _names, _prepare
from wslib.apply.api import input_rows
from wslib.kernels import row_vote_counts
from wslib.matrix import ABSTAIN, to_dense

__all__ = ["WHICH", "lf_column", "lf_examples"]

#: the row selections of :func:`lf_examples`
WHICH = ("fires", "conflicts", "wrong", "abstains")


def lf_column(lf: Any, lfs: Sequence[Any] | None, m: int) -> int:
    """The column of ``L`` holding ``lf``: an index ``0 .. m-1``, or an LF / LF name
    found in ``lfs`` (the list given to ``apply_lfs``). Raises ``ValueError`` naming
    ``lf`` when it is not one of ``L``'s columns.

    >>> lf_column("song", ["spam", "song"], 2), lf_column(-1, None, 2)
    (1, 1)
    """
    if isinstance(lf, (int, np.integer)) and not isinstance(lf, bool):
        if not -m <= lf < m:
            raise ValueError(f"lf={lf} is not a column of L, which has {m} LFs (0..{m - 1})")
        return int(lf) % m
    name = getattr(lf, "name", lf)
    if not isinstance(name, str):
        raise TypeError(f"lf must be a column index, an LF name or a LabelingFunction, "
                        f"got {type(lf).__name__}")
    if lfs is None:
        raise ValueError(f"to find LF {name!r} by name, pass lfs= (the LFs given to apply_lfs, "
                         "in L's column order), or pass its column index")
    names = _names(lfs, m)
    if name not in names:
        raise ValueError(f"LF {name!r} is not in L: its LFs are {list(names)}")
    return int(names.get_loc(name))


def _frame(data: Any, n: int) -> pd.DataFrame | pa.Table:
    data = input_rows(data)  # a dict's rows in the order apply_lfs gave L's rows
    if len(data) != n:
        raise ValueError(f"data has {len(data)} rows but L has {n}: pass the rows L was "
                         "computed from, in the same order")
    return data


def _selected(which: str, votes: np.ndarray, counts: np.ndarray, y: np.ndarray | None
              ) -> np.ndarray:
    """Boolean mask of the rows ``which`` asks for (``counts``: per-row class counts)."""
    fires = votes != ABSTAIN
    if which == "fires":
        return fires
    if which == "abstains":
        return ~fires
    if which == "conflicts":
        agreeing = counts[np.arange(len(votes)), np.where(fires, votes, 0)]
        return fires & (counts.sum(axis=1) > agreeing)
    return fires & (y != ABSTAIN) & (votes != y)  # wrong


def lf_examples(L: Any, data: Any, lf: Any, which: str = "fires", y: Any = None,
                n: int | None = 10, *, lfs: Sequence[Any] | None = None,
                random_state: int = 0) -> pd.DataFrame:
    """Rows of ``data`` where LF ``lf`` fires, conflicts, is wrong or abstains.

    Parameters
    ----------
    L : vote matrix, shape (n_items, n_lfs)
        Dense or sparse, as ``apply_lfs`` returns it.
    data : pandas DataFrame, pyarrow Table or dict of columns
        The rows ``L`` was computed from, in the same order; a dict is read as
        ``apply_lfs`` reads it (:func:`~wslib.apply.input_rows`).
    lf : int, str or LabelingFunction
        A column index of ``L``, or an LF or its name (then ``lfs`` is needed).
    which : {"fires", "conflicts", "wrong", "abstains"}
        ``"fires"``: the LF votes; ``"conflicts"``: it votes and another LF votes
        a different class; ``"wrong"``: its vote differs from gold ``y``;
        ``"abstains"``: it does not vote.
    y : array-like of int, optional
        Gold labels (``-1`` = unknown); needed for ``"wrong"``, shown as ``gold``.
    n : int or None
        At most this many rows, a seeded random sample kept in data order;
        ``None``: all of them.
    lfs : sequence of LabelingFunction or str, optional
        ``L``'s LFs in column order: to find ``lf`` by name and to name the
        other LFs' votes (default: the column names of a DataFrame ``L``).
    random_state : int
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        The chosen rows (``data``'s index), its columns, then ``vote`` (this
        LF's vote), ``gold`` (with ``y``) and ``others``: the other LFs'
        votes on the row, ``name=vote`` (empty when none voted). A name that
        ``data`` already uses gets the prefix ``lf_`` (again, until it is new).
    """
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}, got {which!r}")
    if which == "wrong" and y is None:
        raise ValueError("which='wrong' compares the LF's votes with gold labels: pass y=")
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0):
        raise ValueError(f"n must be a non-negative integer or None, got {n!r}")
    columns = frame_columns(L)  # a DataFrame L names its LFs, as in lf_summary
    L, y, k = _prepare(L, y)
    n_rows, m = L.shape
    data = _frame(data, n_rows)
    named = lfs if lfs is not None else None if columns is None else list(columns)
    j = lf_column(lf, named, m)
    names = [str(name) for name in _names(named, m)]
    votes = to_dense(L[:, [j]]).ravel().astype(np.int64)
    rows = np.flatnonzero(_selected(which, votes, row_vote_counts(L, k), y))
    if n is not None and rows.size > n:
        rows = np.sort(np.random.default_rng(random_state).choice(rows, size=n, replace=False))
    out = (data.iloc[rows].copy() if isinstance(data, pd.DataFrame)
           else data.take(pa.array(rows)).to_pandas().set_axis(rows))
    added = {"vote": votes[rows]}
    if y is not None:
        added["gold"] = y[rows]
    added["others"] = [", ".join(f"{names[c]}={row[c]}" for c in np.flatnonzero(row != ABSTAIN)
                                 if c != j) for row in to_dense(L[rows])]
    taken = set(out.columns)
    for column, values in added.items():
        while column in taken:  # never overwrite a column of data ("vote" and "lf_vote")
            column = "lf_" + column
        taken.add(column)
        out[column] = values
    return out
