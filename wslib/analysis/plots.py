"""Plots of LFs and soft labels, one call each, returning a matplotlib ``Figure``.

* :func:`plot_coverage`: per LF, bars of coverage, overlaps and conflicts;
* :func:`plot_accuracy`: a label model's estimated accuracy of each LF against
  its empirical accuracy on gold labels;
* :func:`plot_calibration`: the reliability curve of soft labels (top-class
  probability against how often that class is right) with the item counts.

Matplotlib is an optional extra (``pip install "wslib[plots]"``), imported
when a plot is drawn. The figures are built without ``pyplot``: nothing is
shown or kept open behind your back, they render headless
(``fig.savefig("lfs.png")``), and a notebook displays them when a cell
returns one.

Example
-------
>>> import numpy as np
>>> from wslib.analysis.plots import plot_coverage
>>> L = np.array([[0, 1, -1], [0, -1, -1], [1, 1, -1]])
>>> fig = plot_coverage(L, lfs=["a", "b", "never"])
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['a', 'b', 'never (never votes)']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wslib.analysis.summary import lf_summary
from wslib.metrics import check_labels, reliability_curve

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_accuracy", "plot_calibration", "plot_coverage"]


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("wslib.analysis.plots needs matplotlib: pip install "
                          '"wslib[plots]" (or pip install matplotlib)') from exc
    return Figure(figsize=(width, height), layout="constrained")


def plot_coverage(L: Any, lfs: Sequence[Any] | None = None) -> Figure:
    """Horizontal bars per LF: the share of items it votes on (coverage), votes on
    together with another LF (overlaps) and disagrees with another LF on
    (conflicts). An LF that never votes keeps its row, marked ``(never votes)``."""
    summary = lf_summary(L, lfs=lfs)
    m = len(summary)
    fig = _figure(7.0, 1.2 + 0.3 * m)
    ax = fig.add_subplot()
    pos = np.arange(m)
    for shift, column, colour in ((-0.27, "coverage", "tab:blue"), (0.0, "overlaps", "tab:orange"),
                                  (0.27, "conflicts", "tab:red")):
        ax.barh(pos + shift, summary[column], height=0.27, color=colour, label=column)
    ax.set_yticks(pos, [f"{name} (never votes)" if cov == 0 else str(name)
                        for name, cov in zip(summary.index, summary["coverage"])])
    ax.invert_yaxis()
    ax.set_xlim(0, max(1e-3, float(summary["coverage"].max())) * 1.05)
    ax.set_xlabel("share of items")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_accuracy(L: Any, y: Any, model: Any, lfs: Sequence[Any] | None = None) -> Figure:
    """Each LF's accuracy as the fitted label ``model`` estimates it (``accuracy_``,
    without gold) against its empirical accuracy on gold ``y`` (``-1`` = unknown),
    with the diagonal of perfect agreement; marker size shows coverage.

    LFs that never vote on a labelled item have no empirical accuracy: they are
    left out and listed under the plot. Raises ``ValueError`` when no LF votes on
    a labelled item.
    """
    summary = lf_summary(L, y, lfs, model=model)
    shown = summary[summary["emp_acc"].notna()]
    if shown.empty:
        raise ValueError("no LF votes on an item with a gold label: there is no empirical "
                         "accuracy to plot (check y, -1 marks unknown items)")
    fig = _figure(5.5, 5.0)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.scatter(shown["emp_acc"], shown["est_acc"], s=20 + 400 * shown["coverage"],
               alpha=0.6, edgecolor="black", linewidth=0.5)
    for name, row in shown.iterrows():
        ax.annotate(str(name), (row["emp_acc"], row["est_acc"]), fontsize=7,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("empirical accuracy (gold labels)")
    ax.set_ylabel(f"estimated accuracy ({type(model).__name__}, no gold)")
    left_out = [str(name) for name in summary.index[summary["emp_acc"].isna()]]
    if left_out:
        ax.set_title("not shown (no vote on a labelled item): " + ", ".join(left_out[:8])
                     + (" ..." if len(left_out) > 8 else ""), fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def plot_calibration(proba: Any, y: Any, n_bins: int = 10) -> Figure:
    """Reliability curve of soft labels ``proba`` (n, k) against gold ``y`` (``-1`` =
    unknown, skipped): in ``n_bins`` equal-width bins of the top-class probability,
    how often the top class is right, with the diagonal of perfect calibration,
    the expected calibration error in the title and the item counts below."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2 or proba.shape[0] == 0:
        raise ValueError(f"proba must be soft labels of shape (n, k), got {proba.shape}")
    y = check_labels(y, n=proba.shape[0], cardinality=proba.shape[1], allow_abstain=True)
    known = y >= 0
    if not known.any():
        raise ValueError("y has no gold label (every entry is -1): nothing to calibrate against")
    P = proba[known]
    conf, hit, count, ece = reliability_curve(P.max(axis=1), P.argmax(axis=1) == y[known],
                                              n_bins)
    fig = _figure(5.0, 5.5)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    top.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    top.plot(conf, hit, marker="o")
    top.set_ylim(0, 1.02)
    top.set_ylabel("accuracy of the top class")
    top.set_title(f"expected calibration error {ece:.3f} ({int(known.sum())} items)",
                  fontsize=9)
    top.grid(alpha=0.3)
    bottom.bar(conf, count, width=0.8 / n_bins, color="tab:grey")
    bottom.set_xlim(0, 1.02)
    bottom.set_xlabel("top-class probability")
    bottom.set_ylabel("items")
    return fig
