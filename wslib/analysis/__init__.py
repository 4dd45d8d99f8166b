"""Analysing labeling functions from their vote matrix.

>>> from wslib.analysis import lf_summary, lf_confusion
"""

from wslib.analysis.summary import (
    lf_conflicts,
    lf_confusion,
    lf_coverages,
    lf_empirical_accuracies,
    lf_overlaps,
    lf_polarities,
    lf_summary,
)

__all__ = ["lf_summary", "lf_confusion", "lf_polarities", "lf_coverages", "lf_overlaps",
           "lf_conflicts", "lf_empirical_accuracies"]
