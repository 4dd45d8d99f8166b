"""Label models: estimate each labeling function's accuracy and produce soft labels.

All models share :class:`~wslib.labelmodel.base.BaseLabelModel`'s contract:
``Model(cardinality=None, random_state=0, ...)``, ``fit(L, *, class_balance=None,
y_dev=None, L_dev=None) -> self``, ``predict_proba``, ``predict``, ``score``,
``save`` / ``load``.

>>> import numpy as np
>>> from wslib.labelmodel import MajorityVote
>>> MajorityVote().fit(np.array([[0, 0, 1]])).predict(np.array([[0, 0, 1]]))
array([0])
"""

from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.dawid_skene import DawidSkene
from wslib.labelmodel.label_model import LabelModel
from wslib.labelmodel.majority import MajorityVote
from wslib.labelmodel.matrix_completion import MatrixCompletion
from wslib.vote_stats import VoteStats
from wslib.labelmodel.streaming import accumulate_stats, fit_streaming, predict_proba_streaming
from wslib.labelmodel.triplet import Triplet
from wslib.labelmodel.weighted import WeightedMajorityVote

load = BaseLabelModel.load

__all__ = [
    "BaseLabelModel",
    "DawidSkene",
    "LabelModel",
    "MajorityVote",
    "MatrixCompletion",
    "Triplet",
    "VoteStats",
    "WeightedMajorityVote",
    "accumulate_stats",
    "fit_streaming",
    "load",
    "predict_proba_streaming",
]
