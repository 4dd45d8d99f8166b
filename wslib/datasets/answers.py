"""Crowd answer tables as vote matrices.

Crowdsourcing data usually comes as a long table, one row per answer: which
item, which source (worker, annotator, model) and which label. Each source
becomes a column of the vote matrix, each item a row; a source that did not
answer an item abstains there. Gold labels, where known, come as a second
table of item and label.

>>> import pandas as pd
>>> answers = pd.DataFrame({"question": ["q1", "q1", "q2", "q3"],
...                         "worker": ["w1", "w2", "w1", "w2"], "answer": [1, 1, 0, 2]})
>>> truth = pd.DataFrame({"question": ["q1", "q2"], "truth": [1, 0]})
>>> votes = from_answers(answers, truth)
>>> votes.L
array([[ 1,  1],
       [ 0, -1],
       [-1,  2]], dtype=int8)
>>> votes.y.tolist(), votes.item_ids.tolist(), votes.source_ids.tolist()
([1, 0, -1], ['q1', 'q2', 'q3'], ['w1', 'w2'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from wslib.matrix import ABSTAIN, vote_dtype

__all__ = ["AnswerVotes", "from_answers"]


class AnswerVotes(NamedTuple):
    """Votes ``L`` (items x sources), gold ``y`` (``-1`` where unknown) and the ids of
    the rows and columns, in the order of ``L``."""

    L: np.ndarray
    y: np.ndarray
    item_ids: np.ndarray
    source_ids: np.ndarray


def from_answers(answers: pd.DataFrame, truth: pd.DataFrame | pd.Series | None = None, *,
                 item: str = "question", source: str = "worker", label: str = "answer",
                 truth_label: str = "truth", classes: Sequence | None = None,
                 cardinality: int | None = None) -> AnswerVotes:
    """The vote matrix of a crowd answer table, and the gold labels of its items.

    ``answers`` has one row per answer: columns ``item``, ``source`` and
    ``label``. ``truth`` is a table with columns ``item`` and ``truth_label``,
    or a Series of labels indexed by item id. Labels are class ids ``0..k-1``,
    or values of ``classes``, whose positions are then the class ids.

    Every item of either table is a row (an item only in ``truth`` has no
    votes) and every source a column, both sorted by id, so the result does
    not depend on the tables' row order. An answer or gold label that is
    missing, not a class, or given twice for the same item (and source) is a
    ``ValueError`` naming it; nothing is dropped.

    ``cardinality`` defaults to ``len(classes)``, else to the largest label + 1.
    """
    _require(answers, [item, source, label], "answers")
    votes = _class_ids(answers[label], classes, f"answers column {label!r}")
    pairs = answers[[item, source]]
    _check_present(pairs, "answers")
    twice = pairs.duplicated(keep=False)
    if twice.any():
        first = pairs[twice].iloc[0]
        rows = answers.index[twice & (pairs[item] == first[item])
                             & (pairs[source] == first[source])].tolist()
        raise ValueError(f"answers: source {_plain(first[source])!r} answers item "
                         f"{_plain(first[item])!r} "
                         f"more than once (rows {rows})")
    gold_items, gold = _truth(truth, item, truth_label, classes)
    k = _cardinality(cardinality, classes, votes, gold)
    items = _sorted_ids(pd.concat([pairs[item], pd.Series(gold_items)], ignore_index=True),
                        "item")
    sources = _sorted_ids(pairs[source], "source")
    L = np.full((len(items), len(sources)), ABSTAIN, dtype=vote_dtype(k))
    L[items.get_indexer(pairs[item]), sources.get_indexer(pairs[source])] = votes
    y = np.full(len(items), ABSTAIN, dtype=np.int64)
    y[items.get_indexer(gold_items)] = gold
    return AnswerVotes(L, y, items.to_numpy(), sources.to_numpy())


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} has no column {missing[0]!r}; its columns are "
                         f"{list(frame.columns)}")


def _check_present(frame: pd.DataFrame, what: str) -> None:
    missing = frame.isna()
    if missing.to_numpy().any():
        row, col = np.argwhere(missing.to_numpy())[0]
        raise ValueError(f"{what}: row {_plain(frame.index[row])!r} has no "
                         f"{frame.columns[col]!r}")


def _class_ids(values: pd.Series, classes: Sequence | None, what: str) -> np.ndarray:
    """Class ids of ``values``: positions in ``classes``, or the values themselves when
    they are integers >= 0; anything else is an error naming the row and value."""
    if classes is not None:
        ids = pd.Index(list(classes)).get_indexer(values)
        bad = ids < 0
        expected = f"one of the classes {list(classes)}"
    else:
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(numeric) | (numeric != np.round(numeric)) | (numeric < 0)
        ids = np.where(bad, 0, numeric).astype(np.int64)
        expected = "a class id 0..k-1 (or pass classes=)"
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"{what}: row {_plain(values.index[row])!r} holds "
                         f"{_plain(values.iloc[row])!r}, not {expected}")
    return np.asarray(ids, dtype=np.int64)


def _truth(truth: pd.DataFrame | pd.Series | None, item: str, truth_label: str,
           classes: Sequence | None) -> tuple[pd.Series, np.ndarray]:
    """Item ids and class ids of the gold table (empty without one)."""
    if truth is None:
        return pd.Series([], dtype=object), np.zeros(0, dtype=np.int64)
    if isinstance(truth, pd.Series):
        truth = pd.DataFrame({item: truth.index, truth_label: truth.to_numpy()},
                             index=truth.index)
    _require(truth, [item, truth_label], "truth")
    _check_present(truth[[item]], "truth")
    twice = truth[item].duplicated(keep=False)
    if twice.any():
        raise ValueError(f"truth: item {_plain(truth[item][twice].iloc[0])!r} has more than one "
                         f"gold label (rows {truth.index[twice].tolist()[:5]})")
    gold = _class_ids(truth[truth_label], classes, f"truth column {truth_label!r}")
    return truth[item].reset_index(drop=True), gold


def _cardinality(cardinality: int | None, classes: Sequence | None, votes: np.ndarray,
                 gold: np.ndarray) -> int:
    largest = int(max(votes.max(initial=-1), gold.max(initial=-1)))
    if cardinality is None:
        return len(classes) if classes is not None else max(largest + 1, 1)
    if isinstance(cardinality, bool) or not isinstance(cardinality, (int, np.integer)) \
            or cardinality < 1:
        raise ValueError(f"cardinality must be a positive integer, got {cardinality!r}")
    if largest >= cardinality:
        raise ValueError(f"label {largest} is outside 0..{cardinality - 1} "
                         f"(cardinality={cardinality})")
    return int(cardinality)


def _plain(value):
    """A numpy scalar as the Python value it holds (for error messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _sorted_ids(values: pd.Series, what: str) -> pd.Index:
    """The distinct ids, sorted (as text when they do not compare, e.g. ints and strs);
    two ids that differ only in type (``1`` and ``"1"``) raise ``ValueError``."""
    ids = pd.Index(pd.unique(values))
    text = pd.Index(ids.astype(str))
    if text.duplicated().any():
        same = ids[text == text[text.duplicated()][0]].tolist()
        raise ValueError(f"{what} ids {same[0]!r} and {same[1]!r} differ only in type: give "
                         "the ids in one type (e.g. read both tables' id columns as text)")
    try:
        return ids.sort_values()
    except TypeError:
        return ids[np.argsort(ids.astype(str), kind="stable")]
