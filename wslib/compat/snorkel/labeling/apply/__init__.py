"""Snorkel's LF appliers (``snorkel.labeling.apply``), run by wslib's engine.

>>> from types import SimpleNamespace
>>> from wslib.compat.snorkel.labeling import labeling_function
>>> from wslib.compat.snorkel.labeling.apply import LFApplier
>>> @labeling_function()
... def big(x):
...     return 1 if x.num > 42 else 0
>>> LFApplier([big]).apply([SimpleNamespace(num=10), SimpleNamespace(num=100)],
...                        progress_bar=False)
array([[0],
       [1]])
"""

from wslib.compat.snorkel._support import module_getattr
from wslib.compat.snorkel.labeling.apply.core import ApplierMetadata, BaseLFApplier, LFApplier
from wslib.compat.snorkel.labeling.apply.pandas import PandasLFApplier

__all__ = ["ApplierMetadata", "BaseLFApplier", "LFApplier", "PandasLFApplier"]
__getattr__ = module_getattr(__name__, {
    "DaskLFApplier": "wslib.compat.snorkel.labeling.apply.dask",
    "PandasParallelLFApplier": "wslib.compat.snorkel.labeling.apply.dask"})
