"""The AutoWS-Bench-101 protocol: 100 labels -> generated LFs -> label model -> end model.

For one task and one seed, :func:`run_protocol`

1. draws ``n_labels`` labelled items uniformly from the fit split (seeded;
   redrawn until every class has at least one example, see :func:`draw_labels`);
2. for every generator (and ``all``, the union of their LFs) generates LFs,
   fits the label model on the fit split's votes (the labelled items passed
   as ``y_dev``), scores it on the evaluation split (``autows/<g>``), then
   trains the end model on the main view with the label model's soft labels
   (gold one-hot rows for the labelled items) and scores it
   (``autows/<g>+end``);
3. scores the baselines on the same labels and features: few-shot logistic
   regression on the labelled items only (``fewshot/logreg``: scikit-learn's
   default ``C = 1``, as in AutoWS-Bench-101; ``fewshot/logreg-cv``: ``C``
   chosen by 5-fold cross-validation on the labelled items), the end model
   trained on the labelled items only (``fewshot/end``: same model class as
   the AutoWS pipeline, so the gain of the generated LFs shows) and, when class
   description embeddings are given, zero-shot similarity
   (``zeroshot/<encoder>``).

Each result is a benchmark record, a dict with ``dataset``, ``method``,
``metric``, ``value``, ``seconds`` and extra fields, as ``wslib bench`` writes
them; ``metric`` is one of ``accuracy`` (all evaluation items; the label model
predicts its prior on uncovered items), ``accuracy_covered``, ``coverage`` and,
where the dataset metric is F1 (sms), ``f1``.

The pipeline compared with few-shot is fixed in advance:
``autows/all+end`` (all generators' LFs -> label model -> end model); the
per-generator pipelines are reported beside it, never picked after the fact.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from wslib.autows.base import BaseGenerator
from wslib.autows.features import FeatureView
from wslib.autows.keywords import KeywordGenerator
from wslib.autows.prototype import PrototypeGenerator
from wslib.autows.snuba import SnubaGenerator
from wslib.autows.zeroshot import ZeroShotClassifier, ZeroShotGenerator
from wslib.exceptions import WslibWarning
from wslib.metrics import score_predictions

__all__ = ["AutoWSTask", "draw_labels", "make_generators", "run_protocol", "GENERATORS",
           "PRIMARY_PIPELINE"]

#: The AutoWS pipeline compared with few-shot, fixed before any run.
PRIMARY_PIPELINE = "autows/all+end"


@dataclass
class AutoWSTask:
    """One dataset prepared for the protocol.

    ``views`` maps a view name to its :class:`FeatureView`; ``main_view``
    names the features the end model and the few-shot baseline use;
    ``snuba_view`` the one the Snuba generator reads; ``term_view`` (text
    only) the binary term counts for keyword mining; ``class_embeddings``
    (optional) embeds the class descriptions in the main view's space.
    """

    name: str
    views: dict[str, FeatureView]
    y_train: np.ndarray
    y_test: np.ndarray
    label_names: list[str]
    metric: str = "accuracy"
    main_view: str = "raw"
    snuba_view: str = "raw"
    term_view: str | None = None
    class_embeddings: np.ndarray | None = None
    encoder: str = "minilm"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cardinality(self) -> int:
        return len(self.label_names)


def draw_labels(y: np.ndarray, n_labels: int, cardinality: int, seed: int,
                max_draws: int = 1000) -> np.ndarray:
    """Indices of ``n_labels`` items drawn uniformly without replacement (seeded).

    The draw is repeated (same generator) until every class appears, so that
    each class can get an LF; raises when that is impossible.
    """
    if n_labels < cardinality:
        raise ValueError(f"n_labels={n_labels} is fewer than the {cardinality} classes")
    present = np.unique(y[y >= 0])
    if present.size < cardinality:
        missing = sorted(set(range(cardinality)) - set(present.tolist()))
        raise ValueError(f"classes {missing} never occur in the fit split; cannot draw labels")
    if n_labels > y.shape[0]:
        raise ValueError(f"n_labels={n_labels} exceeds the {y.shape[0]} items of the fit split")
    rng = np.random.default_rng(seed)
    for _ in range(max_draws):
        idx = np.sort(rng.choice(y.shape[0], size=n_labels, replace=False))
        if np.unique(y[idx]).size == cardinality:
            return idx
    raise ValueError(f"no draw of {n_labels} labels out of {max_draws} had every class; "
                     "a class is too rare for this label budget")


def make_generators(task: AutoWSTask, seed: int) -> dict[str, tuple[BaseGenerator, str]]:
    """The protocol's generators for ``task``: name -> (unfitted generator, view it reads).

    The configuration :func:`run_protocol` uses; ``keywords`` and ``zeroshot``
    appear only when the task has their views. Use it to run the same
    generators outside the protocol (the label-model robustness study does).

    >>> import numpy as np
    >>> from wslib.autows.features import raw_view
    >>> rng = np.random.default_rng(0)
    >>> view = raw_view(rng.normal(size=(60, 4)), rng.normal(size=(20, 4)), name="x")
    >>> task = AutoWSTask("toy", {"x": view}, rng.integers(2, size=60), rng.integers(2, size=20),
    ...                   ["a", "b"], main_view="x", snuba_view="x")
    >>> sorted(make_generators(task, seed=0))
    ['goggles', 'snuba']
    """
    k, names = task.cardinality, task.label_names
    out: dict[str, tuple[BaseGenerator, str]] = {
        "snuba": (SnubaGenerator(k, class_names=names, random_state=seed), task.snuba_view),
        "goggles": (PrototypeGenerator(k, class_names=names, random_state=seed), task.main_view),
    }
    if task.term_view is not None:
        vocab = task.views[task.term_view].vocabulary
        out["keywords"] = (KeywordGenerator(vocab, k, class_names=names, random_state=seed),
                           task.term_view)
    if task.class_embeddings is not None:
        out["zeroshot"] = (ZeroShotGenerator(task.class_embeddings, k, class_names=names,
                                             random_state=seed), task.main_view)
    return out


#: Names of the generators :func:`run_protocol` may run (the text ones need their views).
GENERATORS = ("snuba", "goggles", "keywords", "zeroshot")


def _scores(task: AutoWSTask, pred: np.ndarray, covered: np.ndarray) -> dict[str, float]:
    y = task.y_test
    out = {"accuracy": score_predictions(y, pred, "accuracy"),
           "coverage": float(covered.mean()),
           "accuracy_covered": (score_predictions(y[covered], pred[covered], "accuracy")
                                if covered.any() else float("nan"))}
    if task.metric != "accuracy":
        out[task.metric] = score_predictions(y, pred, task.metric, cardinality=task.cardinality)
    return out


def _records(task: AutoWSTask, method: str, scores: dict[str, float], seconds: float,
             **extra: Any) -> list[dict[str, Any]]:
    return [{"dataset": task.name, "method": method, "metric": metric, "value": float(value),
             "seconds": float(seconds), **extra} for metric, value in scores.items()]


def run_protocol(task: AutoWSTask, *, seed: int = 0, n_labels: int = 100,
                 generators: Sequence[str] | None = None,
                 label_model: Callable[[int, int], Any] | None = None,
                 end_model: Callable[[int], Any] | None = None,
                 gold_weight: float = 1.0) -> list[dict[str, Any]]:
    """Run every generator, their union, few-shot and zero-shot on one task and seed.

    ``label_model(cardinality, seed)`` and ``end_model(seed)`` build the models
    (default: :class:`wslib.labelmodel.LabelModel` and an MLP
    :class:`wslib.endmodel.EndModel`); ``gold_weight`` is the end model's
    sample weight of the labelled items (weak rows weigh 1). Returns benchmark records (see the
    module docstring) carrying ``seed``, ``n_lfs`` and ``features``.
    """
    unknown = sorted(set(generators or ()) - set(GENERATORS))
    if unknown:
        raise ValueError(f"unknown generators {unknown}; choose from {list(GENERATORS)}")
    label_model = label_model or _default_label_model
    end_model = end_model or _default_end_model
    lab = draw_labels(task.y_train, n_labels, task.cardinality, seed)
    y_partial = np.full(task.y_train.shape[0], -1, dtype=np.int64)
    y_partial[lab] = task.y_train[lab]
    common = {"seed": seed, "n_labels": n_labels}
    out = _baselines(task, lab, end_model, seed, common)
    gens = make_generators(task, seed)  # keywords / zeroshot only where the task has their views
    votes = _generate(task, gens, [g for g in (generators or GENERATORS) if g in gens],
                      y_partial)
    for name, (L_train, L_test, gen_seconds) in votes.items():
        extra = {"features": task.views[gens[name][1]].name if name in gens else "all",
                 "n_lfs": int(L_train.shape[1]), "generation_seconds": gen_seconds, **common}
        if L_train.shape[1] == 0:  # recorded, so the tables count the seeds with no LF
            out += _records(task, f"autows/{name}", {"coverage": 0.0}, gen_seconds, **extra)
            continue
        out += _weak_label(task, name, L_train, L_test, lab, y_partial, extra,
                           label_model(task.cardinality, seed), end_model(seed), gold_weight)
    return out


def _baselines(task: AutoWSTask, lab: np.ndarray, end_model: Callable[[int], Any], seed: int,
               common: dict[str, Any]) -> list[dict[str, Any]]:
    """Few-shot (logistic regression, its CV-tuned variant, the end model) on the
    labelled items, and zero-shot where the task has class embeddings."""
    main = task.views[task.main_view]
    fits = {"fewshot/logreg": lambda: LogisticRegression(max_iter=2000).fit(
                main.train[lab], task.y_train[lab]),
            "fewshot/logreg-cv": lambda: _fewshot_logreg_cv(main.train[lab],
                                                            task.y_train[lab], seed),
            "fewshot/end": lambda: end_model(seed).fit(main.train[lab], task.y_train[lab])}
    if task.class_embeddings is not None:
        fits[f"zeroshot/{task.encoder}"] = lambda: ZeroShotClassifier(
            task.class_embeddings).fit(main.train)
    out: list[dict[str, Any]] = []
    for method, fit in fits.items():
        t0 = time.perf_counter()
        pred = fit().predict(main.test)
        out += _records(task, method, _scores(task, pred, np.ones_like(pred, bool)),
                        time.perf_counter() - t0, features=main.name, **common)
    return out


def _generate(task: AutoWSTask, gens: dict[str, Any], chosen: list[str], y_partial: np.ndarray
              ) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Each chosen generator fitted on the partial labels: its train and test votes and
    seconds; with two or more, also their union ``"all"``."""
    votes: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
    for name in chosen:
        gen, view_name = gens[name]
        view = task.views[view_name]
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", WslibWarning)
            gen.fit(view.train, y_partial)
        L_train, L_test = gen.transform(view.train), gen.transform(view.test)
        votes[name] = (L_train, L_test, time.perf_counter() - t0)
    if len(votes) > 1:
        votes["all"] = (np.hstack([v[0] for v in votes.values()]),
                        np.hstack([v[1] for v in votes.values()]),
                        sum(v[2] for v in votes.values()))
    return votes


def _weak_label(task: AutoWSTask, name: str, L_train: np.ndarray, L_test: np.ndarray,
                lab: np.ndarray, y_partial: np.ndarray, extra: dict[str, Any], lm: Any, em: Any,
                gold_weight: float) -> list[dict[str, Any]]:
    """The label model on one generator's votes (scored on the test items it covers), then
    the end model on its soft labels with the labelled items as one-hot rows."""
    k, main = task.cardinality, task.views[task.main_view]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        lm.fit(L_train, y_dev=y_partial)
    P_train = lm.predict_proba(L_train)
    pred = lm.predict(L_test, tie_break="prior")
    lm_seconds = time.perf_counter() - t0
    out = _records(task, f"autows/{name}", _scores(task, pred, (L_test >= 0).any(axis=1)),
                   extra["generation_seconds"] + lm_seconds, **extra)
    t0 = time.perf_counter()
    covered = (L_train >= 0).any(axis=1)
    P_train[lab] = np.eye(k)[task.y_train[lab]]
    covered[lab] = True
    weight = np.ones(P_train.shape[0])
    weight[lab] = gold_weight
    pred = em.fit(main.train, P_train, coverage=covered, sample_weight=weight).predict(main.test)
    out += _records(task, f"autows/{name}+end", _scores(task, pred, np.ones_like(pred, bool)),
                    extra["generation_seconds"] + lm_seconds + time.perf_counter() - t0,
                    **{**extra, "features": main.name})
    return out


def _fewshot_logreg_cv(X, y, seed: int) -> LogisticRegression:
    """Logistic regression with ``C`` chosen by 5-fold stratified CV on the labelled items."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class has 1 member"
        warnings.simplefilter("ignore", FutureWarning)  # sklearn 1.9 attribute-layout notice
        return LogisticRegressionCV(Cs=np.logspace(-2, 4, 13), cv=folds, scoring="accuracy",
                                    max_iter=3000).fit(X, y)


def _default_label_model(cardinality: int, seed: int):
    from wslib.labelmodel import LabelModel

    return LabelModel(cardinality=cardinality, random_state=seed)


def _default_end_model(seed: int):
    """The protocol's end model, fixed as measured (the label model's probabilities as
    they are: ``label_temperature=1``)."""
    from wslib.endmodel import EndModel

    return EndModel(head="mlp", lr=3e-3, batch_size=256, label_temperature=1.0,
                    random_state=seed)
