r"""Per-LF statistics of a vote matrix: ``lf_summary`` and its building blocks.

For LF :math:`j` over :math:`n` items:

* polarity — the sorted set of classes :math:`j` ever votes;
* coverage — :math:`\frac1n \#\{i : L_{ij} \ne -1\}`;
* overlaps — :math:`\frac1n \#\{i : L_{ij} \ne -1,\ \exists j' \ne j,\ L_{ij'} \ne -1\}`;
* conflicts — :math:`\frac1n \#\{i : L_{ij} \ne -1,\ \exists j' \ne j,\ L_{ij'} \notin \{-1, L_{ij}\}\}`;
* with gold :math:`y` (``-1`` = unknown, skipped): correct / incorrect vote counts and
  empirical accuracy ``correct / (correct + incorrect)`` (NaN when the LF never
  votes on a labelled item).

* with a fitted label model: its estimate of each LF's accuracy (``accuracy_``), ``est_acc``,
  and for a :class:`~wslib.labelmodel.LabelModel` what set it, ``est_basis``: the votes,
  the better-than-random bound (``"at bound"``: often an underestimate), the precision
  shared by LFs the votes do not identify, or dev labels.

All counts come from :mod:`wslib.kernels.agreement` (vectorised NumPy on small
matrices, numba kernels on large ones); dense and sparse matrices are accepted.
The table prints rounded to three decimals and never cut to the terminal's or
notebook's width (:class:`LFSummary`).

Example
-------
>>> import numpy as np
>>> from wslib.analysis import lf_summary
>>> L = np.array([[0, 0, -1], [0, 1, -1], [-1, 1, 1]])
>>> lf_summary(L, y=np.array([0, 1, 1]), lfs=["a", "b", "c"])  # doctest: +NORMALIZE_WHITESPACE
   j polarity  coverage  overlaps  conflicts  correct  incorrect  emp_acc
a  0      [0]     0.667     0.667      0.333        1          1    0.500
b  1   [0, 1]     1.000     1.000      0.333        3          0    1.000
c  2      [1]     0.333     0.333      0.000        1          0    1.000
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wslib._spelling import other_spellings
from wslib._validation import column_positions, frame_columns
from wslib.kernels import count_votes
from wslib.kernels.agreement import confusion_counts, overlap_conflict_counts
from wslib.exceptions import CardinalityWarning, user_stacklevel
from wslib.matrix import VoteMatrix, check_votes, warn_unused_classes
from wslib.metrics import check_labels

__all__ = [
    "LFSummary",
    "lf_accuracies",
    "lf_conflicts",
    "lf_confusion",
    "lf_coverages",
    "lf_empirical_accuracies",
    "lf_overlaps",
    "lf_polarities",
    "lf_summary",
]


def _prepare(L: Any, y: Any = None, cardinality: int | None = None
             ) -> tuple[VoteMatrix, np.ndarray | None, int]:
    """Checked votes, gold labels and number of classes. Gold classes that no LF votes
    for widen an inferred cardinality, with a warning naming them (1-based labels, or a
    class the LFs miss: both change every accuracy)."""
    L, k = check_votes(L, cardinality=cardinality)
    if y is not None:
        y = check_labels(y, n=L.shape[0], cardinality=cardinality, allow_abstain=True)
        if cardinality is None and y.size and y.max() >= k:
            extra = np.unique(y[y >= k]).tolist()
            warnings.warn(f"y holds class(es) {extra[:10]} that no LF votes for (the votes use "
                          f"0..{k - 1}); they count as classes {k}..{int(y.max())}, which every "
                          "LF gets wrong. If the labels are 1-based, subtract 1; else pass "
                          "cardinality= to say the number of classes", CardinalityWarning,
                          stacklevel=user_stacklevel())
            k = int(y.max()) + 1
            L, k = check_votes(L, cardinality=k)
    warn_unused_classes(L, k, y)
    return L, y, k


class LFSummary(pd.DataFrame):
    """The table :func:`lf_summary` returns: a DataFrame that displays its numbers
    rounded to :attr:`decimals` places and every column in full, in a terminal
    (``print``, ``repr``) and in a notebook (HTML), however wide. The values
    themselves are not rounded; slicing and sorting keep the display."""

    #: decimal places shown for floats
    decimals = 3

    @property
    def _constructor(self) -> type[LFSummary]:
        return LFSummary

    def _format(self, value: float) -> str:
        return f"{value:.{self.decimals}f}"

    def __repr__(self) -> str:
        return self.to_string(float_format=self._format)

    def _repr_html_(self) -> str:
        return self.to_html(float_format=self._format)


def _names(lfs: Sequence[Any] | None, m: int, default: np.ndarray | None = None) -> pd.Index:
    """Row names: those of ``lfs``, else ``default`` (the column names of a DataFrame
    ``L``, the LF names a model was fitted on), else ``0 .. m-1``."""
    if lfs is None and default is None:
        return pd.RangeIndex(m)
    names = [getattr(lf, "name", lf) for lf in (default if lfs is None else lfs)]
    if len(names) != m:
        raise ValueError(f"lfs has {len(names)} entries but L has {m} columns")
    index = pd.Index([str(n) for n in names])
    if index.has_duplicates:
        dups = sorted(set(index[index.duplicated()]))
        raise ValueError(f"duplicate labeling function names {dups}; every LF needs a unique name")
    return index


def lf_polarities(L: Any) -> list[list[int]]:
    """Sorted classes each LF votes (``[]`` for an LF that always abstains)."""
    L, k = check_votes(L)
    return [np.flatnonzero(row).tolist() for row in count_votes(L, k)]


def lf_coverages(L: Any) -> np.ndarray:
    """Fraction of items each LF votes on."""
    L, k = check_votes(L)
    return overlap_conflict_counts(L, k)[:, 0] / L.shape[0]


def lf_overlaps(L: Any) -> np.ndarray:
    """Fraction of items on which each LF votes together with at least one other LF."""
    L, k = check_votes(L)
    return overlap_conflict_counts(L, k)[:, 1] / L.shape[0]


def lf_conflicts(L: Any) -> np.ndarray:
    """Fraction of items on which another LF votes a different class than each LF."""
    L, k = check_votes(L)
    return overlap_conflict_counts(L, k)[:, 2] / L.shape[0]


def lf_confusion(L: Any, y: Any, *, lfs: Sequence[Any] | None = None,
                 cardinality: int | None = None) -> pd.DataFrame:
    """Per-LF, per-gold-class vote counts, abstains included.

    Returns a DataFrame with a ``(lf, gold)`` row MultiIndex and one column per
    vote (``-1`` = abstain, then ``0 .. k-1``); items with gold ``-1`` are skipped.
    LFs are named by ``lfs``, else by the column names of a DataFrame ``L``.

    >>> import numpy as np
    >>> lf_confusion(np.array([[0, 1], [1, -1]]), np.array([0, 1]), lfs=["a", "b"])
    ... # doctest: +NORMALIZE_WHITESPACE
    vote     -1  0  1
    lf gold
    a  0      0  1  0
       1      0  0  1
    b  0      0  0  1
       1      1  0  0
    """
    columns = frame_columns(L)
    L, y, k = _prepare(L, y, cardinality)
    names = _names(lfs, L.shape[1], columns)
    conf = confusion_counts(L, y, k)  # (m, k, k)
    per_class = np.bincount(y[y >= 0], minlength=k)
    abstain = per_class[None, :] - conf.sum(axis=2)
    table = np.concatenate([abstain[:, :, None], conf], axis=2).reshape(-1, k + 1)
    index = pd.MultiIndex.from_product([names, range(k)],
                                       names=["lf", "gold"])
    return pd.DataFrame(table, index=index, columns=pd.Index([-1, *range(k)], name="vote"))


def lf_empirical_accuracies(L: Any, y: Any, *, cardinality: int | None = None) -> np.ndarray:
    """Accuracy of each LF's non-abstain votes on items with known gold (NaN if none)."""
    L, y, k = _prepare(L, y, cardinality)
    correct, incorrect = _correct_incorrect(confusion_counts(L, y, k))
    return _ratio(correct, correct + incorrect)


def _correct_incorrect(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    correct = np.trace(conf, axis1=1, axis2=2)
    return correct, conf.sum(axis=(1, 2)) - correct


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def lf_accuracies(model: Any, lfs: Sequence[Any] | None = None) -> pd.Series:
    """A fitted label model's estimate of each LF's accuracy, indexed by LF name.

    Reads ``model.accuracy_`` (every wslib label model but ``MajorityVote``,
    which weighs all LFs alike); ``lfs`` (LFs or names, in ``L``'s column order)
    names the entries, default the LF names the model was fitted on
    (``feature_names_in_``), else ``0 .. m-1``.

    >>> import numpy as np
    >>> from wslib.labelmodel import DawidSkene
    >>> L = np.array([[0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 0]] * 5)
    >>> lf_accuracies(DawidSkene().fit(L), ["a", "b", "c"]).round(1).tolist()
    [1.0, 1.0, 0.5]
    """
    accuracy = getattr(model, "accuracy_", None)
    if accuracy is None:
        fitted = hasattr(model, "n_sources_")
        raise ValueError(f"{type(model).__name__} "
                         + ("learns no per-LF accuracies (accuracy_)" if fitted else
                            "is not a fitted label model: call fit(L) first"))
    accuracy = np.asarray(accuracy, dtype=np.float64)
    return pd.Series(accuracy, index=_names(lfs, accuracy.shape[0],
                                            getattr(model, "feature_names_in_", None)),
                     name="est_acc")


@other_spellings({"Y": "wslib spells the gold labels y",
                  "est_weights": "add the model's weights as a column: "
                                 "summary['weight'] = model.weights_"})
def lf_summary(L: Any, y: Any = None, lfs: Sequence[Any] | None = None, *,
               cardinality: int | None = None, model: Any = None) -> LFSummary:
    """One row per LF: ``j``, ``polarity``, ``coverage``, ``overlaps``, ``conflicts``
    and, with gold ``y``, ``correct``, ``incorrect``, ``emp_acc``; with a fitted
    label ``model``, ``est_acc`` (:func:`lf_accuracies`) and, where the model says what
    set each estimate (:class:`~wslib.labelmodel.LabelModel`'s ``estimate_basis_``),
    ``est_basis``.

    Parameters
    ----------
    L : vote matrix, shape (n_items, n_lfs)
        Dense or sparse (see :func:`wslib.matrix.check_votes`).
    y : array-like of int, optional
        Gold labels; ``-1`` marks unknown items, which are skipped for the gold columns.
    lfs : sequence of LabelingFunction or str, optional
        Names for the rows (default: the column names of a DataFrame ``L``, else
        ``0 .. m-1``).
    cardinality : int, optional
        Number of classes (inferred from ``L`` and ``y`` otherwise).
    model : fitted label model, optional
        Adds its accuracy estimates as ``est_acc``, beside ``emp_acc`` (and
        ``est_basis`` for a :class:`~wslib.labelmodel.LabelModel`). A DataFrame ``L``
        is matched to the LFs of a model fitted on one by column name, as in
        ``model.predict_proba(L)``; other names raise ``ValueError``.
    """
    columns = frame_columns(L)
    by_name = None if model is None else column_positions(
        L, getattr(model, "feature_names_in_", None), "L", "labeling functions")
    L, y, k = _prepare(L, y, cardinality)
    n, m = L.shape
    names = _names(lfs, m, columns)
    estimated = None
    if model is not None:
        estimated = lf_accuracies(model).to_numpy()
        if len(estimated) != m:
            raise ValueError(f"model was fitted on {len(estimated)} LFs but L has {m} columns")
    source = np.arange(m) if by_name is None else by_name  # L's columns among the model's
    counts = overlap_conflict_counts(L, k)
    polarity = [np.flatnonzero(row).tolist() for row in count_votes(L, k)]
    out = LFSummary({"j": np.arange(m), "polarity": polarity,
                     "coverage": counts[:, 0] / n, "overlaps": counts[:, 1] / n,
                     "conflicts": counts[:, 2] / n}, index=names)
    if y is not None:
        correct, incorrect = _correct_incorrect(confusion_counts(L, y, k))
        out["correct"] = correct
        out["incorrect"] = incorrect
        out["emp_acc"] = _ratio(correct, correct + incorrect)
    if estimated is not None:
        out["est_acc"] = estimated[source]
        basis = getattr(model, "estimate_basis_", None)
        if basis is not None:
            out["est_basis"] = np.asarray(basis)[source]
    return out
