"""Input checks shared by every generator: partially labelled targets (features are
checked by :func:`wslib._validation.check_features`).

Validation happens once, at :meth:`BaseGenerator.fit` / ``transform``; the
generators' inner code trusts the arrays it receives.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from wslib.metrics import check_labels

__all__ = ["check_partial_labels", "class_name"]


def class_name(c: int, class_names: Sequence[str] | None) -> str:
    """``2 ('HUM')`` when names are known, else ``2``."""
    if class_names is not None and 0 <= c < len(class_names):
        return f"{c} ({class_names[c]!r})"
    return str(c)


def check_partial_labels(y: Any, *, n_rows: int, cardinality: int | None,
                         class_names: Sequence[str] | None = None
                         ) -> tuple[np.ndarray, int, np.ndarray]:
    """Validate ``y`` (class ids, ``-1`` = unlabelled) against the classes.

    Returns ``(y, k, labelled)`` where ``labelled`` holds the row indices with a
    gold label. Raises when there are fewer labelled items than classes or
    when a class has no labelled example (it could never get an LF).
    """
    if cardinality is not None and (int(cardinality) != cardinality or cardinality < 2):
        raise ValueError(f"cardinality must be an integer >= 2, got {cardinality!r}")
    y = check_labels(y, n=None, cardinality=cardinality, name="y", allow_abstain=True)
    if y.shape[0] != n_rows:
        raise ValueError(f"y has {y.shape[0]} entries but X has {n_rows} rows; pass one label "
                         "(or -1 for unlabelled) per row of X")
    labelled = np.flatnonzero(y >= 0)
    k = int(cardinality) if cardinality is not None else max(2, int(y.max()) + 1)
    if labelled.size < k:
        raise ValueError(f"only {labelled.size} labelled items for {k} classes; label at least "
                         "one example of every class (AutoWS-Bench uses 100 labels)")
    if class_names is not None and len(class_names) != k:
        raise ValueError(f"class_names has {len(class_names)} names for {k} classes; give one "
                         "name per class (and cardinality= when y does not show the largest "
                         "class)")
    counts = np.bincount(y[labelled], minlength=k)
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        names = ", ".join(class_name(int(c), class_names) for c in missing)
        raise ValueError(f"class {names} has no labelled example among the {labelled.size} "
                         "labelled items; no labeling function can be generated for it")
    return y, k, labelled
