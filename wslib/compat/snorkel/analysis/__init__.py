"""Snorkel's model analysis (``snorkel.analysis``): label buckets, metrics, ``Scorer``.

>>> import numpy as np
>>> from wslib.compat.snorkel.analysis import get_label_buckets
>>> get_label_buckets(np.array([1, 1, 0]), np.array([1, -1, -1]))[(1, 1)]
array([0])
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.analysis.error_analysis import get_label_buckets, get_label_instances
from wslib.compat.snorkel.analysis.metrics import metric_score
from wslib.compat.snorkel.analysis.scorer import Scorer

__all__ = ["Scorer", "get_label_buckets", "get_label_instances", "metric_score"]
__getattr__ = module_getattr(__name__)
