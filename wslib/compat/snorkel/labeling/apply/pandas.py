"""``PandasLFApplier``: Snorkel's applier of LFs to a DataFrame, on wslib's engine."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wslib.compat.snorkel.labeling.apply.core import ApplierMetadata, BaseLFApplier

__all__ = ["PandasLFApplier"]


class PandasLFApplier(BaseLFApplier):
    """Applies LFs to every row of a DataFrame (``wslib.apply_lfs`` underneath).

    >>> import pandas as pd
    >>> from wslib.compat.snorkel.labeling import labeling_function
    >>> @labeling_function()
    ... def big(x):
    ...     return 1 if x.num > 42 else 0
    >>> PandasLFApplier([big]).apply(pd.DataFrame({"num": [10, 100]}), progress_bar=False)
    array([[0],
           [1]])
    """

    def apply(self, df: pd.DataFrame, progress_bar: bool = True, fault_tolerant: bool = False,
              return_meta: bool = False) -> np.ndarray | tuple[np.ndarray, ApplierMetadata]:
        """The ``(len(df), m)`` vote matrix (and, with ``return_meta``, the faults)."""
        return self._apply(df, progress_bar, fault_tolerant, return_meta)
