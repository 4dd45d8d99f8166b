"""Snorkel's labeling API (``snorkel.labeling``): LFs, appliers, analysis, filtering.

>>> import numpy as np
>>> from wslib.compat.snorkel.labeling import LFAnalysis
>>> LFAnalysis(np.array([[0, -1], [0, 1], [-1, -1]])).label_conflict()
0.3333333333333333
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.labeling.analysis import LFAnalysis
from wslib.compat.snorkel.labeling.apply.core import LFApplier
from wslib.compat.snorkel.labeling.apply.pandas import PandasLFApplier
from wslib.compat.snorkel.labeling.lf.core import LabelingFunction, labeling_function
from wslib.compat.snorkel.labeling.utils import filter_unlabeled_dataframe

__all__ = ["LFAnalysis", "LFApplier", "LabelingFunction", "PandasLFApplier",
           "filter_unlabeled_dataframe", "labeling_function"]
__getattr__ = module_getattr(__name__)
