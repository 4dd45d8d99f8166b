"""Snorkel's labeling functions (``snorkel.labeling.lf``).

>>> from wslib.compat.snorkel.labeling.lf import LabelingFunction
>>> LabelingFunction("short", lambda x: 0 if len(x.text) < 5 else -1)
LabelingFunction short, Preprocessors: []
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.labeling.lf.core import LabelingFunction, labeling_function

__all__ = ["LabelingFunction", "labeling_function"]
__getattr__ = module_getattr(__name__)
