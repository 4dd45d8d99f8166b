"""AutoWS: generate labeling functions from a few labels and features of all items.

Writing LFs by hand is the bottleneck of weak supervision. Given ~100
labelled items and a feature matrix of *all* items, each generator here
proposes many candidate rules, scores them on the labelled items and keeps a
few that are accurate, cover much and disagree with each other
(:func:`~wslib.autows.selection.greedy_select`):

* :class:`SnubaGenerator` — decision stumps and small logistic regressions
  with abstain bands (Snuba / Reef);
* :class:`PrototypeGenerator` — cluster and class-centroid affinities in an
  embedding space (GOGGLES-like);
* :class:`KeywordGenerator` — terms with high class precision (text);
* :class:`ZeroShotGenerator` — similarity to embedded class descriptions
  (and :class:`ZeroShotClassifier`, the label-free baseline).

Every generator is a scikit-learn transformer: ``fit(X, y)`` with ``y = -1``
for unlabelled items, ``transform(X)`` -> vote matrix for any
:mod:`wslib.labelmodel`, ``describe()`` prints the rules.
:mod:`wslib.autows.features` builds the feature views (raw numeric, PCA,
TF-IDF / term counts, sentence embeddings) and :mod:`wslib.autows.protocol`
runs the AutoWS-Bench-101 protocol behind ``wslib bench autows``.

>>> import numpy as np
>>> from sklearn.datasets import load_digits
>>> from wslib.autows import PrototypeGenerator
>>> from wslib.labelmodel import LabelModel
>>> X, y_true = load_digits(return_X_y=True)
>>> y = np.full_like(y_true, -1); y[:100] = y_true[:100]
>>> L = PrototypeGenerator(cardinality=10).fit_transform(X, y)
>>> LabelModel(cardinality=10).fit(L, y_dev=y).predict_proba(L).shape
(1797, 10)
"""

from wslib.autows.base import BaseGenerator
from wslib.autows.keywords import KeywordGenerator
from wslib.autows.lfs import to_lfs
from wslib.autows.prototype import PrototypeGenerator
from wslib.autows.rules import KeywordRule, LinearRule, PrototypeRule, Rule, ThresholdRule
from wslib.autows.snuba import SnubaGenerator
from wslib.autows.zeroshot import ZeroShotClassifier, ZeroShotGenerator

__all__ = [
    "BaseGenerator",
    "SnubaGenerator",
    "PrototypeGenerator",
    "KeywordGenerator",
    "ZeroShotGenerator",
    "ZeroShotClassifier",
    "Rule",
    "ThresholdRule",
    "KeywordRule",
    "LinearRule",
    "PrototypeRule",
    "to_lfs",
]
