"""Warnings and errors specific to wslib."""

import os
import sys
from typing import Any

#: frames of files under this directory belong to wslib (see :func:`user_stacklevel`)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class WslibWarning(UserWarning):
    """Base class of wslib warnings (filter them all with ``warnings.filterwarnings``)."""


class CoverageWarning(WslibWarning):
    """Some items have no votes, or some labeling functions never vote."""


class ConvergenceWarning(WslibWarning):
    """An iterative fit stopped before meeting its tolerance."""


class CardinalityWarning(WslibWarning):
    """The number of classes is far above the classes the votes use, or gold labels hold
    classes no LF votes for (a cardinality or label numbering mistake)."""


class LFFaultWarning(WslibWarning):
    """Labeling functions raised or returned invalid votes and were recorded as abstains."""


class LFRowError(ValueError):
    """A batch LF that votes on most rows of a chunk but cannot on some (a NaN embedding):
    ``rows`` are their positions in the chunk, ``votes`` the votes of every row (any
    value at ``rows``). The applier reports the first of them by its row and keeps the
    other votes with ``errors="abstain"``."""

    def __init__(self, message: str, rows: Any = (), votes: Any = None) -> None:
        super().__init__(message)
        self.rows = rows
        self.votes = votes


class CacheWarning(WslibWarning):
    """numba cannot write its cache of compiled kernels where it was told to."""


def user_stacklevel() -> int:
    """The ``stacklevel`` of :func:`warnings.warn` that points at the caller's code.

    Call it inside the function that warns: it counts the frames from there up
    to the first one outside the wslib package, so the warning names the
    user's line however deep in wslib it was raised.

    ``warnings.warn("...", WslibWarning, stacklevel=user_stacklevel())``
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level
