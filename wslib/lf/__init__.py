"""Labeling functions: the decorator, the class, preprocessors and vectorized templates.

>>> from wslib.lf import labeling_function, keyword_lf, regex_lf, threshold_lf, similarity_lf
"""

from wslib.lf.core import LabelingFunction, labeling_function, row_type, with_classes
from wslib.lf.preprocess import Preprocessor, preprocessor
from wslib.lf.templates import keyword_lf, regex_lf, similarity_lf, threshold_lf

__all__ = ["LabelingFunction", "labeling_function", "row_type", "Preprocessor", "preprocessor",
           "keyword_lf", "regex_lf", "threshold_lf", "similarity_lf", "with_classes"]
