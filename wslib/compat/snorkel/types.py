"""Snorkel's type aliases (``snorkel.types``), for the annotations of ported code.

>>> from wslib.compat.snorkel.types import DataPoint
>>> def lf(x: DataPoint) -> int:
...     return -1
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["Config", "DataPoint", "DataPoints", "Field", "FieldMap", "HashingFunction"]

DataPoint = Any
DataPoints = Sequence[DataPoint]
Field = Any
FieldMap = Mapping[str, Field]
HashingFunction = Callable[[Any], Hashable]
#: base of Snorkel's configuration records: ``class MyConfig(Config): a: int = 1``
Config = NamedTuple
