"""Snorkel's label utilities (``snorkel.utils``): hard and soft labels, filtering.

>>> import numpy as np
>>> from wslib.compat.snorkel.utils import probs_to_preds
>>> probs_to_preds(np.array([[0.2, 0.8], [0.5, 0.5]]), tie_break_policy="abstain")
array([ 1, -1])
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.utils.core import (
    filter_labels,
    preds_to_probs,
    probs_to_preds,
    to_int_label_array,
)

__all__ = ["filter_labels", "preds_to_probs", "probs_to_preds", "to_int_label_array"]
__getattr__ = module_getattr(__name__)
