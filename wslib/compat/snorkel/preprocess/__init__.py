"""Snorkel's preprocessors (``snorkel.preprocess``): ``@preprocessor`` and its classes.

>>> from types import SimpleNamespace
>>> from wslib.compat.snorkel.preprocess import preprocessor
>>> @preprocessor(memoize=True)
... def lower(x):
...     x.text = x.text.lower()
...     return x
>>> lower(SimpleNamespace(text="Check OUT")).text
'check out'
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.preprocess.core import (
    BasePreprocessor,
    LambdaPreprocessor,
    Preprocessor,
    preprocessor,
)

__all__ = ["BasePreprocessor", "LambdaPreprocessor", "Preprocessor", "preprocessor"]
__getattr__ = module_getattr(__name__)
