"""Warnings and errors specific to wslib."""

import os
import sys

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


class LFFaultWarning(WslibWarning):
    """Labeling functions raised or returned invalid votes and were recorded as abstains."""


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
