"""Hard labels from soft ones and back, with Snorkel's tie policies; label filtering.

``probs_to_preds`` follows Snorkel exactly, so that predictions (and the rows a
``tie_break_policy="abstain"`` idiom drops) are the ones Snorkel gives: classes
within ``tol`` of the row's maximum are tied; ``"abstain"`` returns ``-1``,
``"random"`` picks ``sha1(str(row)) mod n_tied`` (the same choice as Snorkel,
run after run) and ``"true-random"`` draws from NumPy's global generator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from wslib.compat.snorkel._support import closest

__all__ = ["TIE_BREAK_POLICIES", "filter_labels", "preds_to_probs", "probs_to_preds",
           "to_int_label_array"]

TIE_BREAK_POLICIES = ("abstain", "random", "true-random")


def _row_hash(i: int) -> int:
    """Snorkel's deterministic hash of a row position."""
    return int(hashlib.sha1(str(i).encode("utf-8")).hexdigest(), 16)


def probs_to_preds(probs: np.ndarray, tie_break_policy: str = "random",
                   tol: float = 1e-5) -> np.ndarray:
    """Arg-max of each row of ``probs`` (n x k); ties broken by ``tie_break_policy``.

    >>> probs_to_preds(np.array([[0.5, 0.5, 0.5]]), tie_break_policy="abstain")
    array([-1])
    >>> probs_to_preds(np.array([[0.8, 0.1, 0.1]]))
    array([0])
    """
    if tie_break_policy not in TIE_BREAK_POLICIES:
        raise ValueError(f"tie_break_policy={tie_break_policy} policy not recognized"
                         f"{closest(tie_break_policy, TIE_BREAK_POLICIES)} (choose one of "
                         f"{', '.join(TIE_BREAK_POLICIES)})")
    probs = np.asarray(probs)
    if probs.ndim != 2 or probs.shape[1] <= 1:
        raise ValueError(f"probs must have probabilities for at least 2 classes. Instead, got "
                         f"shape {probs.shape}.")
    tied = np.abs(probs - probs.max(axis=1, keepdims=True)) < tol
    n_tied = tied.sum(axis=1)
    preds = tied.argmax(axis=1).astype(np.int_)
    rows = np.flatnonzero(n_tied > 1)
    if rows.size == 0:
        return preds
    if tie_break_policy == "abstain":
        preds[rows] = -1
        return preds
    if tie_break_policy == "random":  # one hash per tied row, as Snorkel (no vectorised sha1)
        pick = np.fromiter((_row_hash(i) for i in rows.tolist()), dtype=object,
                           count=rows.size) % n_tied[rows]
    else:
        pick = np.random.randint(0, n_tied[rows])
    rank = np.cumsum(tied[rows], axis=1) - 1  # 0-based rank of each tied class in its row
    preds[rows] = (tied[rows] & (rank == pick.astype(np.int64)[:, None])).argmax(axis=1)
    return preds


def preds_to_probs(preds: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot rows for hard labels ``preds`` (n or n x 1); an abstain (-1) is an error.

    >>> preds_to_probs(np.array([1, 0]), 2)
    array([[0., 1.],
           [1., 0.]])
    """
    preds = np.asarray(preds)
    if np.any(preds < 0):
        raise ValueError("Could not convert abstained vote to probability")
    return np.eye(num_classes)[preds.squeeze()]


def to_int_label_array(X: np.ndarray, flatten_vector: bool = True) -> np.ndarray:
    """``X`` as integers (a fractional value is an error), flattened to 1-D by default.

    >>> to_int_label_array(np.array([[1], [0], [2.0]]))
    array([1, 0, 2])
    """
    X = np.asarray(X)
    if np.any(np.mod(X, 1) != 0):
        raise ValueError("Input contains at least one non-integer value.")
    X = X.astype(int)
    if flatten_vector:
        X = np.atleast_1d(X.squeeze())
        if X.ndim != 1:
            raise ValueError("Input could not be converted to 1d np.array")
    return X


def filter_labels(label_dict: Mapping[str, np.ndarray | None],
                  filter_dict: Mapping[str, Sequence[int]]) -> dict[str, Any]:
    """Drop, from every array of ``label_dict``, the rows where any array named in
    ``filter_dict`` holds one of its values (e.g. gold or predicted ``-1``).

    >>> out = filter_labels({"golds": np.array([-1, 0, 1]), "preds": np.array([0, 0, -1])},
    ...                     {"golds": [-1], "preds": [-1]})
    >>> out["golds"], out["preds"]
    (array([0]), array([0]))
    """
    masks = [~np.isin(np.asarray(label_dict[name]), list(values)).squeeze()
             for name, values in filter_dict.items() if label_dict.get(name) is not None]
    keep = np.logical_and.reduce(masks) if masks else slice(None)
    return {name: None if labels is None else np.asarray(labels)[keep]
            for name, labels in label_dict.items()}
