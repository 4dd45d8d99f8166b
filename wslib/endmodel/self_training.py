r"""Self-training: the end model relabels the data as one more source, the label model refits.

One round:

1. fit the label model on :math:`[L \mid s]` (the LFs' votes plus the
   student's column :math:`s`, empty in the first round) and take its soft
   labels :math:`\tilde p` and coverage;
2. train the end model on :math:`(X, \tilde p)`;
3. relabel: :math:`s_i = \arg\max_c q_{ic}` where the student's confidence
   :math:`\max_c q_{ic} \ge` ``threshold``, else abstain. The predictions are
   *out-of-fold* (``cv`` folds, each row predicted by a student that did not
   train on it), so the label model sees the student's real accuracy rather
   than its memorisation of the soft labels.

Because the student votes on items no LF covers, coverage grows round after
round; the label model weighs the student like any other source. After the
last round the end model is trained once more on the final soft labels.

Example
-------
>>> import numpy as np
>>> from wslib.labelmodel import MajorityVote
>>> from wslib.endmodel import EndModel
>>> from wslib.endmodel.self_training import self_train
>>> rng = np.random.default_rng(0)
>>> y = rng.integers(0, 2, 300); X = (y[:, None] + rng.normal(0, .3, (300, 3))).astype("f4")
>>> L = np.where(rng.random((300, 3)) < .5, y[:, None], -1)
>>> student = EndModel(head="logreg", lr=0.05, max_epochs=10)
>>> res = self_train(MajorityVote(), L, X, student, rounds=1)
>>> bool(res.coverage.mean() > (L != -1).any(axis=1).mean())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from wslib._validation import frame_columns
from wslib.labelmodel.base import BaseLabelModel
from wslib.matrix import ABSTAIN, check_votes, to_dense

__all__ = ["SelfTrainingResult", "self_train", "student_votes"]


@dataclass
class SelfTrainingResult:
    """Models and soft labels after the last round, and per-round statistics.

    ``label_model`` is fitted on the LFs plus the student column ``votes``;
    ``initial_label_model`` is the label model given, fitted on the LFs alone (round 0),
    for comparisons; ``end_model`` is the one given, fitted on ``soft_labels``.
    """

    end_model: Any
    label_model: BaseLabelModel
    soft_labels: np.ndarray
    coverage: np.ndarray
    votes: np.ndarray
    initial_label_model: BaseLabelModel
    history: list[dict[str, float]] = field(default_factory=list)


def student_votes(end_model: Any, X: Any, P: np.ndarray, coverage: np.ndarray, *,
                  threshold: float, cv: int, random_state: int) -> np.ndarray:
    """Out-of-fold hard votes of clones of ``end_model``; ``-1`` below ``threshold``.

    The ``cv`` folds are a random balanced split (sizes differ by one at most) that
    spreads the covered rows evenly: no fold is empty, and every fold's training
    part has covered rows when two rows or more are covered.
    """
    n = P.shape[0]
    if cv > n:
        raise ValueError(f"cv={cv} folds need at least {cv} rows; X has {n}")
    order = np.random.default_rng(random_state).permutation(n)
    order = np.concatenate([order[coverage[order]], order[~coverage[order]]])
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % cv
    proba = np.zeros_like(P)
    for f in range(cv):
        inside = folds == f
        model = clone(end_model).fit(_rows(X, np.flatnonzero(~inside)), P[~inside],
                                     coverage=coverage[~inside])
        proba[inside] = model.predict_proba(_rows(X, np.flatnonzero(inside)))
    votes = proba.argmax(axis=1)
    votes[proba.max(axis=1) < threshold] = ABSTAIN
    return votes


def _rows(X: Any, index: np.ndarray) -> Any:
    """Rows ``index`` of features ``X``: by position for a DataFrame (``X[index]`` would
    select its columns), by indexing for an array or a sparse matrix."""
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


def self_train(label_model: BaseLabelModel, L: Any, X: Any, end_model: Any, *,
               rounds: int = 1, threshold: float = 0.9, cv: int = 2,
               random_state: int = 0, **fit_params: Any) -> SelfTrainingResult:
    """Alternate label-model fits and student relabelling for ``rounds`` rounds.

    Parameters
    ----------
    label_model : BaseLabelModel
        Fitted in place on the LFs alone (round 0: ``initial_label_model``); each later
        round fits a clone on the LFs plus the student column.
    L : vote matrix (n, m)
        A DataFrame's column names are kept: every label model is fitted on named
        columns (the student's is ``"student"``) and matches a DataFrame by name later.
    X : features (n, d) for the end model (dense, sparse, a DataFrame, or a list of rows)
    end_model : EndModel (or any estimator with ``fit(X, P, coverage=)`` and ``predict_proba``)
        Cloned for the student votes; fitted in place on the last round's soft labels.
    rounds : int
        Relabelling rounds (0 = the plain label model -> end model pipeline).
    threshold : float
        Minimum student confidence for a vote; below it the student abstains.
    cv : int
        Folds for out-of-fold student predictions (>= 2).
    **fit_params
        Passed to the label model's ``fit`` (``class_balance``, ``y_dev``, ``L_dev``
        are not supported here, since the student column has no dev votes).
    """
    if rounds < 0:
        raise ValueError(f"rounds must be >= 0, got {rounds}")
    if cv < 2:
        raise ValueError(f"cv must be >= 2 for out-of-fold student votes, got {cv}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if "L_dev" in fit_params or "y_dev" in fit_params:
        raise ValueError("self_train does not take y_dev/L_dev: the student column has no "
                         "votes on a dev set")
    names = frame_columns(L)
    lf_votes = to_dense(check_votes(L, cardinality=getattr(label_model, "cardinality", None))[0])
    n = lf_votes.shape[0]
    if not hasattr(X, "shape"):  # a list of rows: an array, which the folds can index
        X = np.asarray(X)
    n_rows = X.shape[0] if len(X.shape) else 0
    if n_rows != n:
        raise ValueError(f"X has {n_rows} rows but L has {n}")
    lm = label_model.fit(L, **fit_params)
    P, coverage = lm.predict_proba(L), (lf_votes != ABSTAIN).any(axis=1)
    votes = np.full(n, ABSTAIN, dtype=lf_votes.dtype)
    history = [{"round": 0, "coverage": float(coverage.mean()), "student_votes": 0.0}]
    for r in range(1, rounds + 1):
        votes = student_votes(end_model, X, P, coverage, threshold=threshold, cv=cv,
                              random_state=random_state + r - 1).astype(lf_votes.dtype)
        stacked = np.column_stack([lf_votes, votes])
        augmented = stacked if names is None else \
            pd.DataFrame(stacked, columns=[*names, _student_name(names)])
        lm = clone(label_model).set_params(cardinality=label_model.cardinality_)
        lm.fit(augmented, **fit_params)
        P, coverage = lm.predict_proba(augmented), (stacked != ABSTAIN).any(axis=1)
        history.append({"round": r, "coverage": float(coverage.mean()),
                        "student_votes": float(np.mean(votes != ABSTAIN))})
    end_model.fit(X, P, coverage=coverage)
    return SelfTrainingResult(end_model, lm, P, coverage, votes, label_model, history)


def _student_name(names: np.ndarray) -> str:
    """``"student"``, with underscores appended while an LF already has the name."""
    name, taken = "student", set(names.tolist())
    while name in taken:
        name += "_"
    return name
