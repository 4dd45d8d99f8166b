"""wslib: programmatic weak supervision.

The pipeline, one module per step::

    wslib.lf  ->  wslib.apply  ->  L  ->  wslib.analysis / wslib.labelmodel  ->  wslib.endmodel

>>> from wslib import labeling_function, ABSTAIN, apply_lfs
"""

__version__ = "0.1.0"

from wslib.matrix import ABSTAIN  # noqa: E402
from wslib.lf import (  # noqa: E402
    LabelingFunction,
    keyword_lf,
    labeling_function,
    preprocessor,
    regex_lf,
    similarity_lf,
    threshold_lf,
)
from wslib.apply import apply_lfs  # noqa: E402

__all__ = ["ABSTAIN", "__version__", "LabelingFunction", "labeling_function", "preprocessor",
           "apply_lfs", "keyword_lf", "regex_lf", "threshold_lf", "similarity_lf"]
