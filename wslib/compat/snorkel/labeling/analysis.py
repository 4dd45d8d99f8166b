"""``LFAnalysis``: Snorkel's LF statistics and column names, counted by wslib's kernels.

``lf_summary`` has Snorkel's columns (``j`` with named LFs, ``Polarity``,
``Coverage``, ``Overlaps``, ``Conflicts``, with gold ``Y`` also ``Correct``,
``Incorrect``, ``Emp. Acc.``, with ``est_weights`` ``Learned Weight``) and
Snorkel's numbers; the counting is :mod:`wslib.analysis` (numba kernels).
Items whose gold label is ``-1`` are left out of ``Correct``, ``Incorrect``
and ``Emp. Acc.`` alike (Snorkel leaves them out of the first two only); an
LF with no vote on a labelled item has ``Emp. Acc.`` 0, as in Snorkel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wslib.analysis import lf_confusion, lf_summary
from wslib.compat.snorkel.utils.core import to_int_label_array
from wslib.kernels import row_vote_counts
from wslib.matrix import check_votes

__all__ = ["LFAnalysis"]

#: wslib's lf_summary columns -> Snorkel's
_COLUMNS = {"polarity": "Polarity", "coverage": "Coverage", "overlaps": "Overlaps",
            "conflicts": "Conflicts", "correct": "Correct", "incorrect": "Incorrect",
            "emp_acc": "Emp. Acc."}


class LFAnalysis:
    """Statistics of the votes ``L`` (n x m, ``-1`` = abstain) of the LFs ``lfs``.

    >>> L = np.array([[-1, 0, 0], [-1, -1, -1], [1, 0, -1], [-1, 0, -1], [0, 0, 0]])
    >>> LFAnalysis(L).label_coverage(), LFAnalysis(L).lf_polarities()
    (0.8, [[0, 1], [0], [0]])
    >>> LFAnalysis(L).lf_summary()  # doctest: +NORMALIZE_WHITESPACE
      Polarity  Coverage  Overlaps  Conflicts
    0   [0, 1]       0.4       0.4        0.2
    1      [0]       0.8       0.6        0.2
    2      [0]       0.4       0.4        0.0
    """

    def __init__(self, L: np.ndarray, lfs: Sequence[Any] | None = None) -> None:
        self.L = np.asarray(L)
        self._votes, self._k = check_votes(to_int_label_array(self.L, flatten_vector=False))
        self._lf_names = None
        if lfs is not None:
            if len(lfs) != self.L.shape[1]:
                raise ValueError(f"Number of LFs ({len(lfs)}) and number of LF matrix columns "
                                 f"({self.L.shape[1]}) are different")
            self._lf_names = [lf.name for lf in lfs]

    def _summary(self, Y: np.ndarray | None = None) -> pd.DataFrame:
        return lf_summary(self._votes, None if Y is None else to_int_label_array(Y))

    def _votes_per_row(self) -> np.ndarray:
        """``(n, k)`` number of votes for each class in each row."""
        return row_vote_counts(self._votes, self._k)

    def label_coverage(self) -> float:
        """Fraction of items with at least one vote."""
        return float(np.mean(self._votes_per_row().sum(axis=1) > 0))

    def label_overlap(self) -> float:
        """Fraction of items with at least two votes."""
        return float(np.mean(self._votes_per_row().sum(axis=1) > 1))

    def label_conflict(self) -> float:
        """Fraction of items with votes for at least two different classes."""
        return float(np.mean((self._votes_per_row() > 0).sum(axis=1) > 1))

    def lf_polarities(self) -> list[list[int]]:
        """The sorted classes each LF votes."""
        return list(self._summary()["polarity"])

    def lf_coverages(self) -> np.ndarray:
        """Fraction of items each LF votes on."""
        return self._summary()["coverage"].to_numpy()

    def lf_overlaps(self, normalize_by_coverage: bool = False) -> np.ndarray:
        """Fraction of items on which each LF and another LF vote (of its own votes with
        ``normalize_by_coverage``; 0 for an LF that never votes)."""
        s = self._summary()
        return _share(s["overlaps"], s["coverage"] if normalize_by_coverage else None)

    def lf_conflicts(self, normalize_by_overlaps: bool = False) -> np.ndarray:
        """Fraction of items on which another LF votes a different class than each LF (of
        its overlaps with ``normalize_by_overlaps``)."""
        s = self._summary()
        return _share(s["conflicts"], s["overlaps"] if normalize_by_overlaps else None)

    def lf_empirical_accuracies(self, Y: np.ndarray) -> np.ndarray:
        """Each LF's accuracy on the items with gold ``Y`` it votes on (0 when none)."""
        return np.nan_to_num(self._summary(Y)["emp_acc"].to_numpy())

    def lf_empirical_probs(self, Y: np.ndarray, k: int) -> np.ndarray:
        """``P[j, l + 1, y]``: the share of class-``y`` items on which LF ``j`` votes ``l``
        (``l = -1``: abstains), shape ``(m, k + 1, k)``."""
        y = to_int_label_array(Y)
        table = lf_confusion(self._votes, y, cardinality=k).to_numpy()  # (m * k, k + 1)
        counts = table.reshape(self.L.shape[1], k, k + 1).transpose(0, 2, 1).astype(float)
        per_class = np.bincount(y[y >= 0], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            return counts / per_class[None, None, :]

    def lf_summary(self, Y: np.ndarray | None = None,
                   est_weights: np.ndarray | None = None) -> pd.DataFrame:
        """One row per LF with Snorkel's columns (see the module docstring)."""
        s = pd.DataFrame(self._summary(Y)).rename(columns=_COLUMNS)  # Snorkel's plain frame
        if Y is not None:
            s["Emp. Acc."] = np.nan_to_num(s["Emp. Acc."].to_numpy())
        if est_weights is not None:
            s["Learned Weight"] = np.asarray(est_weights)
        if self._lf_names is None:
            return s.drop(columns="j").reset_index(drop=True)
        return s.set_axis(pd.Index(self._lf_names), axis=0)


def _share(part: pd.Series, whole: pd.Series | None) -> np.ndarray:
    if whole is None:
        return part.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(part.to_numpy() / whole.to_numpy())
