"""``get_label_buckets`` / ``get_label_instances``: rows grouped by their combination of labels."""

from __future__ import annotations

import numpy as np

from wslib.compat.snorkel.utils.core import to_int_label_array

__all__ = ["get_label_buckets", "get_label_instances"]


def get_label_buckets(*y: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    """Row positions of each combination of labels across the arrays ``y``.

    ``get_label_buckets(L[:, 0], L[:, 1])[(-1, 1)]`` lists the rows where the first
    LF abstains and the second votes 1; with ``(Y_gold, Y_pred)`` the buckets are
    the cells of a confusion matrix. Keys appear in order of their first row.

    >>> buckets = get_label_buckets(np.array([1, 1, 1, 0]), np.array([1, 1, -1, -1]))
    >>> buckets[(1, 1)], buckets[(1, -1)], (1, 0) in buckets
    (array([0, 1]), array([2]), False)
    """
    labels = [to_int_label_array(a, flatten_vector=True) for a in y]
    if len({len(a) for a in labels}) != 1:
        raise ValueError("Arrays must all have the same number of elements")
    keys, first, group = np.unique(np.stack(labels, axis=1), axis=0, return_index=True,
                                   return_inverse=True)
    group = group.ravel()
    order = np.argsort(group, kind="stable")  # rows of each group, ascending
    bounds = np.cumsum(np.bincount(group, minlength=len(keys)))[:-1]
    members = np.split(order, bounds)
    return {tuple(int(v) for v in keys[g]): members[g] for g in np.argsort(first)}


def get_label_instances(bucket: tuple[int, ...], x: np.ndarray, *y: np.ndarray) -> np.ndarray:
    """The rows of ``x`` whose labels in ``y`` are ``bucket`` (empty when none are).

    >>> get_label_instances((1, 0), np.array(["a", "b", "c"]), np.array([1, 1, 0]),
    ...                     np.array([1, 0, 0]))
    array(['b'], dtype='<U1')
    """
    if len(y) != len(bucket):
        raise ValueError("Number of lists must match the amount of labels in bucket")
    if x.shape[0] != len(y[0]):
        raise ValueError("Number of rows in x does not match number of elements in at least "
                         "one label list")
    indices = get_label_buckets(*y).get(tuple(bucket))
    return x[:0] if indices is None else x[indices]
