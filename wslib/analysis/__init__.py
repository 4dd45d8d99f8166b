"""Analysing labeling functions from their vote matrix.

:func:`lf_summary` gives one line of statistics per LF, :func:`lf_examples` the
rows behind them, :func:`lf_accuracies` a label model's accuracy estimates by LF
name; :mod:`wslib.analysis.plots` draws them (matplotlib, the ``plots`` extra).

>>> from wslib.analysis import lf_summary, lf_confusion, lf_examples
"""

from wslib.analysis.rows import lf_examples
from wslib.analysis.summary import (
    LFSummary,
    lf_accuracies,
    lf_conflicts,
    lf_confusion,
    lf_coverages,
    lf_empirical_accuracies,
    lf_overlaps,
    lf_polarities,
    lf_summary,
)

__all__ = ["lf_summary", "lf_examples", "lf_accuracies", "lf_confusion", "lf_polarities",
           "lf_coverages", "lf_overlaps", "lf_conflicts", "lf_empirical_accuracies", "LFSummary"]
