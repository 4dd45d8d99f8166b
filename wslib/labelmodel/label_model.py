"""``LabelModel``: the label model wslib recommends by default."""

from __future__ import annotations

from wslib.labelmodel.dawid_skene import DawidSkene

__all__ = ["LabelModel"]


class LabelModel(DawidSkene):
    """The recommended default label model (currently an abstain-aware :class:`DawidSkene`).

    Examples
    --------
    >>> from wslib.datasets.synthetic import make_votes
    >>> from wslib.labelmodel import LabelModel
    >>> data = make_votes(2000, 10, 3, random_state=0)
    >>> LabelModel().fit(data.L).predict_proba(data.L).shape
    (2000, 3)
    """
