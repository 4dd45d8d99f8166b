"""``LFApplier`` (lists and arrays of data points) and what every applier shares.

An applier hands its LFs to :func:`wslib.apply_lfs` and returns what Snorkel
returns: an ``int`` vote matrix, ``-1`` for abstain, and with
``return_meta=True`` the per-LF fault counts. With ``fault_tolerant=False``
the first LF exception propagates as itself (an ``AttributeError`` stays one),
with a note naming the LF and the row; with ``fault_tolerant=True`` the faulty
votes become ``-1`` and are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib.util import find_spec
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from wslib.apply import LFApplyError, apply_lfs
from wslib.compat.snorkel.types import DataPoints
from wslib.compat.snorkel.utils.data_operators import check_unique_names
from wslib.lf.core import LabelingFunction

__all__ = ["ApplierMetadata", "BaseLFApplier", "LFApplier", "original_errors"]


class ApplierMetadata(NamedTuple):
    """What an apply call reports besides the votes: faults per LF name (LFs with none left out)."""

    faults: dict[str, int]


@contextmanager
def original_errors() -> Iterator[None]:
    """Re-raise an LF's own exception instead of wslib's wrapper (``LFApplyError``,
    ``PartitionError``), as Snorkel does, with wslib's message (LF, row) as a note."""
    from wslib.apply.dask import PartitionError

    try:
        yield
    except (LFApplyError, PartitionError) as exc:
        root = exc
        while root.__cause__ is not None:
            root = root.__cause__
        if root is exc:
            raise
        root.add_note(f"wslib: {exc}")
        raise root from None


class BaseLFApplier:
    """An applier of ``lfs`` (unique names); subclasses define ``apply`` for one input type."""

    def __init__(self, lfs: Sequence[LabelingFunction]) -> None:
        self._lfs = list(lfs)
        self._lf_names = [lf.name for lf in self._lfs]
        check_unique_names(self._lf_names)

    def _apply(self, data: Any, progress_bar: bool, fault_tolerant: bool, return_meta: bool,
               **options: Any) -> np.ndarray | tuple[np.ndarray, ApplierMetadata]:
        """``wslib.apply_lfs`` with Snorkel's conventions (a bar only when tqdm is installed)."""
        if len(data) == 0:
            L, faults = np.full((0, len(self._lfs)), -1), pd.Series(dtype=np.int64)
        else:
            with original_errors():
                L, faults = apply_lfs(data, self._lfs, errors="abstain" if fault_tolerant
                                      else "raise", return_faults=True,
                                      progress=bool(progress_bar) and find_spec("tqdm") is not None,
                                      **options)
        L = np.asarray(L, dtype=np.int_)
        if not return_meta:
            return L
        return L, ApplierMetadata({name: int(n) for name, n in faults.items() if n})

    def __repr__(self) -> str:
        return f"{type(self).__name__}, LFs: {self._lf_names}"


def records(data_points: DataPoints | np.ndarray) -> pd.DataFrame:
    """Data points as the rows of a frame: objects and dicts by field, arrays, tuples and
    lists by position (``x[1]``). Scalars and strings have no fields: a ``TypeError``."""
    if isinstance(data_points, np.ndarray) and data_points.ndim == 2:
        return pd.DataFrame(data_points)
    points = list(data_points)
    first = points[0] if points else None
    if isinstance(first, (Mapping, pd.Series, tuple, list, np.ndarray)) and \
            not hasattr(first, "_asdict"):
        return pd.DataFrame(points)
    if hasattr(first, "_asdict"):
        return pd.DataFrame([x._asdict() for x in points])
    if hasattr(first, "__dict__"):
        return pd.DataFrame([vars(x) for x in points])
    raise TypeError(f"LFApplier needs data points with fields (objects, dicts, named tuples, "
                    f"Series, array rows), got {type(first).__name__}; for texts use "
                    "PandasLFApplier on pd.DataFrame({'text': texts}) and read x.text")


class LFApplier(BaseLFApplier):
    """Applies LFs to a list of data points (``SimpleNamespace``, dicts, ...) or a 2-D array.

    Each data point reaches the LFs as a row with the same fields (``x.num``,
    ``x["num"]``) or, for arrays and tuples, the same positions (``x[0]``).
    """

    def apply(self, data_points: DataPoints | np.ndarray, progress_bar: bool = True,
              fault_tolerant: bool = False, return_meta: bool = False
              ) -> np.ndarray | tuple[np.ndarray, ApplierMetadata]:
        """The ``(n, m)`` vote matrix of the data points (and, with ``return_meta``, the faults)."""
        frame = records(data_points) if len(data_points) else data_points
        return self._apply(frame, progress_bar, fault_tolerant, return_meta)
