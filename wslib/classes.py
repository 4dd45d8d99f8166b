"""Class names: one ``classes`` list maps names to the indices wslib computes with.

Inside wslib a class is an index ``0 .. k-1`` and ``-1`` abstains. Where you
would rather write names, give the list once: ``classes=["HAM", "SPAM"]``
makes ``"HAM"`` class 0 and ``"SPAM"`` class 1. LF templates take a name as
their label and ``apply_lfs(..., classes=...)`` maps it (see
:func:`wslib.lf.with_classes`); label models fitted with ``classes=`` predict
names and score gold labels given as names.

Example
-------
>>> encode_labels(["SPAM", None, "HAM"], ["HAM", "SPAM"]).tolist()
[1, -1, 0]
>>> decode_labels([1, -1, 0], ["HAM", "SPAM"]).tolist()
['SPAM', None, 'HAM']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["check_classes", "class_index", "decode_labels", "encode_labels"]


def check_classes(classes: Any) -> list[str]:
    """``classes`` as a list of at least two distinct, non-empty strings (the class
    names in index order); anything else raises ``ValueError`` / ``TypeError``."""
    if isinstance(classes, str) or not isinstance(classes, (Sequence, np.ndarray)):
        raise TypeError(f"classes must be a list of class names, e.g. ['HAM', 'SPAM'], got "
                        f"{classes!r}")
    names = list(classes)
    bad = [c for c in names if not isinstance(c, str) or not c]
    if bad:
        raise TypeError(f"classes must hold non-empty strings (class names; class indices "
                        f"need no mapping), got {bad[:5]}")
    if len(names) < 2:
        raise ValueError(f"classes needs at least two class names, got {names}")
    dups = sorted({c for c in names if names.count(c) > 1})
    if dups:
        raise ValueError(f"classes lists {dups} more than once")
    return names


def class_index(classes: Any) -> dict[str, int]:
    """``{name: index}`` of a checked ``classes`` list."""
    return {name: i for i, name in enumerate(check_classes(classes))}


def encode_labels(values: Any, classes: Any, name: str = "y") -> np.ndarray:
    """Labels given as class names (``None`` = unknown) as indices (``-1`` = unknown).

    Integer labels pass through unchanged. Names missing from ``classes`` raise
    ``ValueError`` listing them all.
    """
    arr = np.asarray(values, dtype=object if not isinstance(values, np.ndarray) else None)
    if arr.dtype.kind in "iuf":
        return arr
    index = class_index(classes)
    flat = arr.ravel()
    missing = sorted({str(v) for v in flat if isinstance(v, str) and v not in index})
    if missing:
        raise ValueError(f"{name} holds class names {missing} that are not in classes "
                         f"{list(index)}")
    codes = [index[v] if isinstance(v, str) else -1 if v is None or v != v else v
             for v in flat]  # None and NaN (pandas' missing value) are unknown
    return np.asarray(codes).reshape(arr.shape)


def decode_labels(indices: Any, classes: Any) -> np.ndarray:
    """Class indices as names: an object array, ``None`` where the index is ``-1``."""
    names = np.array(check_classes(classes) + [None], dtype=object)
    return names[np.asarray(indices, dtype=np.int64)]
