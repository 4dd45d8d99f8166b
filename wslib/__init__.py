"""wslib: programmatic weak supervision.

The pipeline, one module per step::

    wslib.lf  ->  wslib.apply  ->  L  ->  wslib.analysis / wslib.labelmodel  ->  wslib.endmodel

>>> from wslib import labeling_function, ABSTAIN, apply_lfs
"""

__version__ = "0.1.0"

from wslib.matrix import ABSTAIN  # noqa: E402

__all__ = ["ABSTAIN", "__version__"]
