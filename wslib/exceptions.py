"""Warnings and errors specific to wslib."""


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
