"""The whole weak-supervision pipeline in one call: LFs -> votes -> label model -> end model.

:func:`run_pipeline` takes either labeling functions and raw data (it calls
:func:`wslib.apply_lfs`) or ready vote matrices, builds text features (TF-IDF,
sentence embeddings or both) unless you pass your own, fits the label model on
the training votes, trains the end model on its soft labels and scores both on
the test split when gold labels are given. :func:`run_wrench` does the same
for a WRENCH dataset.

Example
-------
>>> from wslib.datasets import load_embedded
>>> from wslib.endmodel import EndModel
>>> from wslib.pipeline import run_wrench
>>> res = run_wrench(load_embedded("youtube"), end_model=EndModel(head="logreg", lr=0.01))
>>> sorted(res.scores)
['endmodel', 'labelmodel']
>>> res.scores["endmodel"] > res.scores["labelmodel"]
True
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from wslib.exceptions import CoverageWarning

__all__ = ["FEATURES", "PipelineResult", "make_features", "run_pipeline", "run_wrench"]

FEATURES = ("tfidf", "embeddings", "tfidf+embeddings")


@dataclass
class PipelineResult:
    """What :func:`run_pipeline` fitted and measured.

    ``scores`` maps ``"labelmodel"`` and ``"endmodel"`` to the test ``metric``
    (empty without test gold labels); ``seconds`` times each stage. With
    self-training, ``label_model`` is the one fitted on the LFs alone (its
    test score is comparable) and ``soft_labels`` / ``coverage`` are the last
    round's, which include the student's votes.
    """

    label_model: Any
    end_model: Any
    soft_labels: np.ndarray
    coverage: np.ndarray
    metric: str
    scores: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    test_proba: np.ndarray | None = None


def make_features(kind: str, train_texts: Sequence[str], *other_texts: Sequence[str],
                  device: str = "cpu") -> tuple[Any, ...]:
    """Features for each list of texts: ``"tfidf"`` (CSR), ``"embeddings"`` (dense,
    cached) or ``"tfidf+embeddings"`` (TF-IDF with the embeddings appended as extra columns).

    Relation data (texts marked by :func:`~wslib.endmodel.features.mark_entities`)
    gets a second block from the words between the two entities: their TF-IDF,
    and their embedding beside the marked sentence's.
    """
    from wslib.endmodel.features import (
        between_entities,
        embed_texts,
        has_entity_markers,
        tfidf_features,
    )

    if kind not in FEATURES:
        raise ValueError(f"unknown features {kind!r}; choose one of {FEATURES}")
    groups = (train_texts, *other_texts)
    relation = all(has_entity_markers(t) for t in groups if len(t))
    between = [between_entities(t) for t in groups] if relation else None

    def embed(i: int) -> np.ndarray:
        emb = embed_texts(groups[i], device=device)
        return np.hstack([emb, embed_texts(between[i], device=device)]) if relation else emb

    if kind == "embeddings":
        return tuple(embed(i) for i in range(len(groups)))
    tfidf = tfidf_features(train_texts, *other_texts)
    if relation:
        tfidf = tuple(sp.hstack([a, b], format="csr", dtype=np.float32)
                      for a, b in zip(tfidf, tfidf_features(*between, min_df=1)))
    if kind == "tfidf":
        return tfidf
    return tuple(sp.hstack([x, sp.csr_matrix(embed(i))], format="csr", dtype=np.float32)
                 for i, x in enumerate(tfidf))


def _votes(L: Any, lfs: Any, data: Any, name: str) -> Any:
    if L is not None:
        return L
    if lfs is None or data is None:
        raise ValueError(f"pass {name} (a vote matrix), or lfs together with the raw data")
    from wslib import apply_lfs

    return apply_lfs(data, lfs)


def _texts(data: Any, column: str, name: str) -> list[str]:
    from wslib.endmodel.features import texts_of

    if data is None:
        raise ValueError(f"pass X_{name} (features) or data_{name} with a {column!r} column")
    return texts_of(data, column)


def run_pipeline(*, L_train: Any = None, L_test: Any = None, lfs: Any = None,
                 data_train: Any = None, data_test: Any = None, X_train: Any = None,
                 X_test: Any = None, y_test: Any = None, features: str = "tfidf",
                 text_column: str = "text", label_model: Any = None, end_model: Any = None,
                 metric: str = "accuracy", class_balance: Any = None, X_dev: Any = None,
                 y_dev: Any = None, self_training_rounds: int = 0,
                 device: str = "cpu") -> PipelineResult:
    """Fit label model and end model on the training split; score both on test.

    Parameters
    ----------
    L_train, L_test : vote matrices, optional
        Ready votes. When omitted, ``apply_lfs(data_*, lfs)`` computes them.
    lfs : sequence of LabelingFunction, optional
    data_train, data_test : DataFrame, optional
        Raw items (for the LFs and, without ``X_*``, the text features).
    X_train, X_test : feature matrices, optional
        Your own features; otherwise ``features`` is built from ``text_column``.
    y_test : gold test labels, optional
    features : {"tfidf", "embeddings", "tfidf+embeddings"}
    label_model : BaseLabelModel, optional
        Default :class:`wslib.labelmodel.LabelModel`. Fitted in place, on the LFs
        alone with self-training too (the later rounds fit copies).
    end_model : EndModel, optional
        Default :class:`wslib.endmodel.EndModel` with its defaults. Fitted in place, on
        the last round's soft labels with self-training.
    metric : str
        Test metric (``accuracy``, ``f1``, ``f1_macro``).
    class_balance : array, optional
        Passed to the label model.
    X_dev, y_dev : optional
        Gold dev set for the end model's early stopping (otherwise label-free).
    self_training_rounds : int
        Rounds of :func:`wslib.endmodel.self_training.self_train` (0 = off).
    """
    from wslib.endmodel import EndModel
    from wslib.endmodel.self_training import self_train
    from wslib.labelmodel import LabelModel

    label_model = LabelModel() if label_model is None else label_model
    end_model = EndModel(device=device) if end_model is None else end_model
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    L_train = _votes(L_train, lfs, data_train, "L_train")
    has_test = L_test is not None or data_test is not None or X_test is not None
    if has_test:
        L_test = _votes(L_test, lfs, data_test, "L_test")
    seconds["apply"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    X_train, X_test = _features(X_train, X_test, data_train, data_test, has_test, features,
                                text_column, device)
    seconds["features"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit_kw = {} if class_balance is None else {"class_balance": class_balance}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        if self_training_rounds:
            if X_dev is not None:
                raise ValueError("self-training does not use a dev set; drop X_dev/y_dev or "
                                 "set self_training_rounds=0")
            st = self_train(label_model, L_train, X_train, end_model,
                            rounds=self_training_rounds, **fit_kw)
            P, coverage = st.soft_labels, st.coverage
            seconds["labelmodel"] = 0.0
        else:
            label_model.fit(L_train, **fit_kw)
            P = label_model.predict_proba(L_train)
            coverage = label_model.coverage(L_train)
            seconds["labelmodel"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            end_model.fit(X_train, P, coverage=coverage, X_dev=X_dev, y_dev=y_dev)
    seconds["endmodel"] = time.perf_counter() - t0
    result = PipelineResult(label_model, end_model, P, coverage, metric, seconds=seconds)
    if has_test:
        result.test_proba = end_model.predict_proba(X_test)
        if y_test is not None:
            result.scores["labelmodel"] = float(label_model.score(L_test, y_test,
                                                                  metric=metric))
            result.scores["endmodel"] = float(end_model.score(X_test, y_test, metric=metric))
    return result


def _features(X_train: Any, X_test: Any, data_train: Any, data_test: Any, has_test: bool,
              features: str, text_column: str, device: str) -> tuple[Any, Any]:
    """The given feature matrices, or ``features`` built from the texts of the training
    split and (with ``has_test``) the test split."""
    if X_train is None:
        others = [_texts(data_test, text_column, "test")] if has_test and X_test is None else []
        built = make_features(features, _texts(data_train, text_column, "train"), *others,
                              device=device)
        X_train = built[0]
        if others:
            X_test = built[1]
    elif has_test and X_test is None:
        raise ValueError("X_train was given without X_test; pass features for both splits")
    return X_train, X_test


def run_wrench(dataset: Any, *, features: str = "tfidf", label_model: Any = None,
               end_model: Any = None, use_dev: bool = False, self_training_rounds: int = 0,
               text_column: str = "text", device: str = "cpu") -> PipelineResult:
    """:func:`run_pipeline` on a :class:`~wslib.datasets.WrenchDataset`'s own votes.

    Fits on ``dataset.fit_split``, scores on ``dataset.eval_split`` with the
    dataset's WRENCH metric. ``use_dev=True`` early-stops the end model on the
    gold ``valid`` split instead of the label-free held-out slice.
    """
    train = dataset[dataset.fit_split]
    test_name = dataset.eval_split
    test = dataset[test_name] if test_name is not None else None
    X_dev = y_dev = None
    texts = [train.data] + ([test.data] if test is not None else [])
    if use_dev:
        if "valid" not in dataset.splits or not dataset["valid"].has_labels:
            raise ValueError(f"dataset {dataset.name!r} has no labelled valid split for use_dev")
        texts.append(dataset["valid"].data)
        y_dev = dataset["valid"].y
    built = make_features(features, *[_texts(d, text_column, "split") for d in texts],
                          device=device)
    X_train = built[0]
    X_test = built[1] if test is not None else None
    if use_dev:
        X_dev = built[-1]
    return run_pipeline(L_train=train.L, L_test=None if test is None else test.L,
                        X_train=X_train, X_test=X_test,
                        y_test=None if test is None else test.y, label_model=label_model,
                        end_model=end_model, metric=dataset.metric, X_dev=X_dev, y_dev=y_dev,
                        self_training_rounds=self_training_rounds, device=device)
