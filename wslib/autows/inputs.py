"""Input checks shared by every generator: features and partially labelled targets.

Validation happens once, at :meth:`BaseGenerator.fit` / ``transform``; the
generators' inner code trusts the arrays it receives.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from wslib._validation import check_unmasked
from wslib.metrics import check_labels

__all__ = ["check_features", "check_partial_labels", "class_name"]


def class_name(c: int, class_names: Sequence[str] | None) -> str:
    """``2 ('HUM')`` when names are known, else ``2``."""
    if class_names is not None and 0 <= c < len(class_names):
        return f"{c} ({class_names[c]!r})"
    return str(c)


def check_features(X: Any, *, name: str = "X", n_rows: int | None = None,
                   n_columns: int | None = None, allow_sparse: bool = True
                   ) -> np.ndarray | sp.csr_matrix:
    """Validate a feature matrix: 2-D, numeric, finite, with the expected shape.

    Dense input comes back as C-contiguous ``float32`` or ``float64`` (kept as
    given when already floating, else ``float64``); sparse input as CSR.
    Errors name the first offending row and column.
    """
    if sp.issparse(X):
        if not allow_sparse:
            raise TypeError(f"{name} is sparse; this generator needs a dense feature matrix "
                            "(e.g. embeddings or PCA of TF-IDF)")
        X = sp.csr_matrix(X)
        if X.dtype.kind not in "fiub":
            raise TypeError(f"{name} has dtype {X.dtype}; features must be numeric")
        bad = ~np.isfinite(X.data) if X.dtype.kind == "f" else np.zeros(0, bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            row = int(np.searchsorted(X.indptr, i, side="right") - 1)
            raise ValueError(f"{name} has a non-finite value {X.data[i]} at row {row}, "
                             f"column {int(X.indices[i])}; impute or drop it before generating LFs")
        out: np.ndarray | sp.csr_matrix = X
    else:
        if hasattr(X, "to_numpy") and hasattr(X, "columns"):
            X = X.to_numpy()
        check_unmasked(X, name)
        arr = np.asarray(X)
        if arr.dtype == object:
            raise TypeError(f"{name} has object dtype; pass a numeric feature matrix "
                            "(texts go through a feature builder first, e.g. TextFeatures)")
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{name} has dtype {arr.dtype}; features must be numeric")
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D (n_items, n_features), got shape {arr.shape}")
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        bad = ~np.isfinite(arr)
        if bad.any():
            r, c = (int(v) for v in np.argwhere(bad)[0])
            raise ValueError(f"{name} has a non-finite value {arr[r, c]} at row {r}, column {c} "
                             f"({int(bad.sum())} in all); impute or drop it before generating LFs")
        out = np.ascontiguousarray(arr)
    if out.shape[0] == 0:
        raise ValueError(f"{name} has zero rows")
    if out.shape[1] == 0:
        raise ValueError(f"{name} has zero features (columns): no rule can be generated")
    if n_rows is not None and out.shape[0] != n_rows:
        raise ValueError(f"{name} has {out.shape[0]} rows but y has {n_rows} entries; "
                         "pass one label (or -1 for unlabelled) per row of X")
    if n_columns is not None and out.shape[1] != n_columns:
        raise ValueError(f"{name} has {out.shape[1]} columns but the generator was fitted on "
                         f"{n_columns}; use the same feature builder for fit and transform")
    return out


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
    counts = np.bincount(y[labelled], minlength=k)
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        names = ", ".join(class_name(int(c), class_names) for c in missing)
        raise ValueError(f"class {names} has no labelled example among the {labelled.size} "
                         "labelled items; no labeling function can be generated for it")
    return y, k, labelled
