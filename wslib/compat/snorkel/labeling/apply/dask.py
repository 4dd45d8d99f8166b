"""``DaskLFApplier`` / ``PandasParallelLFApplier``: partition-wise application with Dask.

Underneath is :func:`wslib.apply.dask.apply_lfs_dask`, which runs wslib's
engine on each partition and keeps row order. Needs ``dask[dataframe]``
(``pip install "wslib[dask]"``).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import numpy as np
import pandas as pd

from wslib.compat.snorkel.labeling.apply.core import BaseLFApplier, original_errors

__all__ = ["DaskLFApplier", "PandasParallelLFApplier"]


class DaskLFApplier(BaseLFApplier):
    """Applies LFs to a ``dask.dataframe.DataFrame``, partition by partition."""

    def apply(self, df: Any, scheduler: Any = "processes", fault_tolerant: bool = False
              ) -> np.ndarray:
        """The vote matrix of ``df``'s rows in order. ``scheduler`` is a Dask scheduler name
        (``"processes"``, ``"threads"``, ``"sync"``) or a ``distributed.Client``."""
        import dask

        from wslib.apply.dask import apply_lfs_dask

        named = isinstance(scheduler, str)
        with dask.config.set(scheduler=scheduler) if named else nullcontext(), original_errors():
            L = apply_lfs_dask(df, self._lfs, errors="abstain" if fault_tolerant else "raise",
                               client=None if named else scheduler)
        return np.asarray(L, dtype=np.int_)


class PandasParallelLFApplier(DaskLFApplier):
    """Applies LFs to a pandas DataFrame in ``n_parallel`` Dask partitions."""

    def apply(self, df: pd.DataFrame, n_parallel: int = 2,  # type: ignore[override]
              scheduler: Any = "processes", fault_tolerant: bool = False) -> np.ndarray:
        """The vote matrix of ``df``, row ``i`` for ``df.iloc[i]`` as with
        :class:`PandasLFApplier`, computed in ``n_parallel`` (>= 2) partitions.

        The partitions keep ``df``'s row order (``dd.from_pandas(..., sort=False)``):
        Snorkel sorts them by the index, so with an index that is not increasing its
        rows of ``L`` do not line up with ``df``'s (or with the gold labels).
        """
        if n_parallel < 2:
            raise ValueError("n_parallel should be >= 2. For single process Pandas, use "
                             "PandasLFApplier.")
        import dask.dataframe as dd

        return super().apply(dd.from_pandas(df, npartitions=n_parallel, sort=False),
                             scheduler=scheduler, fault_tolerant=fault_tolerant)
