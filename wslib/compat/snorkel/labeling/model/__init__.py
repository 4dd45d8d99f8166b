"""Snorkel's label models (``snorkel.labeling.model``) on wslib's engine.

>>> import numpy as np
>>> from wslib.compat.snorkel.labeling.model import MajorityLabelVoter
>>> MajorityLabelVoter().predict(np.array([[0, 0, 1], [1, -1, 0], [-1, -1, -1]]))
array([ 0, -1, -1])
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.labeling.model.baselines import (
    MajorityClassVoter,
    MajorityLabelVoter,
    RandomVoter,
)
from wslib.compat.snorkel.labeling.model.label_model import LabelModel

__all__ = ["LabelModel", "MajorityClassVoter", "MajorityLabelVoter", "RandomVoter"]
__getattr__ = module_getattr(__name__)
