r"""``EndModel``: a scikit-learn classifier trained on soft labels with torch.

The model minimises the noise-aware soft cross-entropy between its predictions
:math:`q_i = \mathrm{softmax}(f(x_i))` and the label model's probabilities
:math:`\tilde p_i`, optionally weighted by the label model's confidence and
optionally with the weak-to-strong auxiliary confidence loss (Burns et al.,
2023; see :mod:`wslib.endmodel.losses`):

.. math:: \min_f \; \frac{\sum_{i \in C} w_i \,\mathrm{CE}\big(t_i, q_i\big)}{\sum_{i \in C} w_i},
          \qquad t_i = (1-\alpha_t)\,\tilde p_i + \alpha_t\,\hat f_t(x_i)

over the covered rows :math:`C` (rows no LF voted on carry no supervision and
are dropped). :math:`\alpha_t = 0` gives plain soft cross-entropy.

Model selection (early stopping, best epoch kept):

* with ``X_dev, y_dev`` passed to ``fit``: the gold dev metric (``dev_metric``);
* otherwise: a random ``validation_fraction`` of the covered training rows is
  held out and scored by soft cross-entropy against their (label-free) soft
  labels — no gold label is used;
* ``validation_fraction=0`` and no dev set: ``max_epochs`` epochs, last kept.

Example
-------
>>> import numpy as np
>>> from wslib.endmodel import EndModel
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 5)).astype(np.float32)
>>> P = np.stack([X[:, 0] < 0, X[:, 0] >= 0], axis=1) * 0.8 + 0.1
>>> clf = EndModel(head="logreg", lr=0.05, max_epochs=30).fit(X, P)
>>> clf.score(X, P.argmax(axis=1)) > 0.9
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from wslib._validation import (
    CheckedParams,
    align_columns,
    boolean,
    check_class_balance,
    check_params,
    choice,
    class_balance,
    frame_columns,
    integer,
    number,
    text,
)
from wslib.device import resolve_device
from wslib.endmodel.heads import HEADS
from wslib.endmodel.targets import (
    SAMPLE_WEIGHTINGS,
    TARGETS,
    class_weights,
    confidence_weights,
    make_targets,
)
from wslib.endmodel.trainer import Features, predict_logits, torch_threads, train_head
from wslib.endmodel.validation import (
    check_coverage,
    check_dev_labels,
    check_features,
    check_soft_labels,
)
from wslib.exceptions import NotFittedError
from wslib.metrics import check_labels, score_predictions

#: values of ``dev_metric``: label metrics of the arg-max, higher is better
DEV_METRICS = ("accuracy", "f1", "f1_binary", "f1_macro", "f1_micro")

__all__ = ["EndModel"]


class EndModel(CheckedParams, ClassifierMixin, BaseEstimator):
    """Logistic-regression or MLP classifier trained on (soft) labels.

    Parameters
    ----------
    head : {"mlp", "logreg"}
        ``"logreg"``: multinomial logistic regression; ``"mlp"``: one hidden
        ReLU layer of ``hidden`` units with ``dropout``.
    target : {"soft", "balanced", "hard", "hard-balanced"}
        What to train towards (see :mod:`wslib.endmodel.targets`): the soft
        labels as given, soft labels rescaled so their class balance matches
        ``class_balance`` (for a label model skewed towards one class),
        one-hot arg-max labels, or one-hot labels with rows weighted per
        class so the classes weigh as ``class_balance`` says.
    class_balance : array of shape (k,) or None
        Class shares for ``target="balanced"`` or ``"hard-balanced"``, e.g. the
        label frequencies of a small gold dev set; ``None`` uses the arg-max
        labels' balance (``"balanced"``) or equal shares (``"hard-balanced"``).
    label_temperature : float
        :math:`T` reshaping each covered soft-label row to
        :math:`\\propto \\tilde p^{1/T}` before ``target`` (see
        :func:`~wslib.endmodel.targets.sharpen`): below 1 sharpens, above 1
        flattens; 1 (default) keeps the label model's probabilities. No effect
        on the one-hot targets ``"hard"`` and ``"hard-balanced"``.
    hidden, dropout : int, float
        MLP width and dropout rate (ignored by ``"logreg"``).
    lr, weight_decay : float
        AdamW learning rate and decoupled weight decay.
    batch_size, max_epochs, patience : int
        Mini-batch size; epoch budget; epochs without validation improvement
        before stopping.
    validation_fraction : float
        Share of covered training rows held out for label-free early stopping
        when no dev set is given (0 disables it).
    dev_metric : str
        Metric on the gold dev set (``accuracy``, ``f1``, ``f1_macro``).
    sample_weighting : {None, "confidence", "entropy"}
        Weight each row by the label model's confidence (see
        :func:`~wslib.endmodel.targets.confidence_weights`); multiplied with ``sample_weight``.
    filter_uncovered : bool
        Drop rows with no LF vote: those flagged by ``coverage`` in ``fit``, or
        exactly uniform soft-label rows when no mask is given.
    confidence_coef : float
        Final weight :math:`\\alpha` of the auxiliary confidence loss (0 = off;
        Burns et al. use 0.5–0.75).
    confidence_warmup : float
        Fraction of ``max_epochs`` over which :math:`\\alpha` rises linearly from 0.
    device : str
        Torch device; an unavailable one raises instead of falling back.
    n_threads : int or None
        Intra-op torch threads during ``fit`` and prediction (restored after).
        The default 1 is fastest for these small heads on a shared CPU;
        ``None`` keeps torch's global setting.
    random_state : int
        Seeds initialisation, shuffling, dropout and the held-out split
        (locally: torch's global generator is not touched).

    Attributes
    ----------
    classes_ : ndarray of shape (k,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names when ``X`` was a DataFrame with string column names; a
        DataFrame given later is matched to them by name.
    head_ : torch.nn.Module
        The trained network (on ``device``).
    validation_ : str
        What selected the epoch: ``"dev"``, ``"held-out"`` or ``"none"``.
    best_epoch_ : int
    best_score_ : float or None
        Validation score of the kept epoch (gold ``dev_metric``, or minus the
        held-out soft cross-entropy); ``None`` without validation.
    history_ : list of dict
        Per epoch: ``train_loss``, ``alpha`` and ``val_score`` when validated.
    n_uncovered_ : int
        Training rows dropped as uncovered.
    """

    _parameter_constraints = {
        "head": choice(*HEADS), "target": choice(*TARGETS),
        "class_balance": class_balance(positive=True),
        "label_temperature": number(0, open_low=True), "hidden": integer(1),
        "dropout": number(0, 1, open_high=True), "lr": number(0, open_low=True),
        "weight_decay": number(low=0), "batch_size": integer(1), "max_epochs": integer(1),
        "patience": integer(1), "validation_fraction": number(0, 1, open_high=True),
        "dev_metric": choice(*DEV_METRICS), "sample_weighting": choice(*SAMPLE_WEIGHTINGS),
        "filter_uncovered": boolean(), "confidence_coef": number(0, 1),
        "confidence_warmup": number(0, 1), "device": text(), "n_threads": integer(1, optional=True),
        "random_state": integer(0)}

    def __init__(self, head: str = "mlp", *, target: str = "soft",
                 class_balance: Any = None, label_temperature: float = 1.0,
                 hidden: int = 256,
                 dropout: float = 0.2, lr: float = 1e-3, weight_decay: float = 1e-4,
                 batch_size: int = 128, max_epochs: int = 50, patience: int = 5,
                 validation_fraction: float = 0.1,
                 dev_metric: str = "accuracy", sample_weighting: str | None = None,
                 filter_uncovered: bool = True, confidence_coef: float = 0.0,
                 confidence_warmup: float = 0.2, device: str = "cpu",
                 n_threads: int | None = 1, random_state: int = 0):
        self.head = head
        self.target = target
        self.class_balance = class_balance
        self.label_temperature = label_temperature
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.dev_metric = dev_metric
        self.sample_weighting = sample_weighting
        self.filter_uncovered = filter_uncovered
        self.confidence_coef = confidence_coef
        self.confidence_warmup = confidence_warmup
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def _check_params(self) -> None:
        check_params(self)
        if self.class_balance is not None and self.target not in ("balanced", "hard-balanced"):
            raise ValueError(f"class_balance is only used by target='balanced' or "
                             f"'hard-balanced', not target={self.target!r}")

    def fit(self, X: Any, y: Any, *, sample_weight: Any = None, coverage: Any = None,
            X_dev: Any = None, y_dev: Any = None) -> EndModel:
        """Train on features ``X`` and labels ``y``; returns ``self``.

        Parameters
        ----------
        X : array (n, d) or scipy.sparse matrix
            Numeric features (no NaN).
        y : array (n, k) of probabilities, or (n,) of int labels (``-1`` = abstain)
            Soft labels from a label model (``predict_proba``), or hard labels.
        sample_weight : array (n,), optional
            Non-negative row weights, multiplied with ``sample_weighting``.
        coverage : bool array (n,), optional
            ``True`` where at least one LF voted (``label_model.coverage(L)``).
        X_dev, y_dev : optional
            A small gold-labelled set for early stopping (every class present).
        """
        self._check_params()
        device = resolve_device(self.device)
        names = frame_columns(X)
        X = check_features(X)
        n = X.shape[0]
        P = check_soft_labels(y, n=n)
        k = P.shape[1]
        keep = check_coverage(coverage, P, filter_uncovered=self.filter_uncovered)
        balance = None if self.class_balance is None else \
            check_class_balance(self.class_balance, k, positive=True)
        targets = make_targets(P, keep, self.target, balance=balance,
                               temperature=float(self.label_temperature))
        weight = confidence_weights(P, self.sample_weighting) * \
            class_weights(P, keep, self.target, balance=balance)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            if sw.shape != (n,):
                raise ValueError(f"sample_weight has shape {sw.shape}, expected ({n},)")
            if not np.all(np.isfinite(sw)) or np.any(sw < 0):
                r = int(np.flatnonzero(~np.isfinite(sw) | (sw < 0))[0])
                raise ValueError(f"sample_weight[{r}] = {sw[r]} must be finite and >= 0")
            weight = weight * sw
        keep &= weight > 0
        if not keep.any():
            raise ValueError("every training row has zero weight or is uncovered")
        rows = np.flatnonzero(keep)
        val_X = val_target = None
        if (X_dev is None) != (y_dev is None):
            raise ValueError("pass both X_dev and y_dev (gold labels), or neither")
        if X_dev is not None:
            val_X = check_features(align_columns(X_dev, names, "X_dev"), name="X_dev",
                                   n_features=X.shape[1])
            val_target = check_dev_labels(y_dev, n=val_X.shape[0], n_classes=k)
            self.validation_ = "dev"
        elif self.validation_fraction > 0 and rows.size >= 20:
            rng = np.random.default_rng(self.random_state)
            shuffled = rng.permutation(rows)
            n_val = max(1, round(self.validation_fraction * rows.size))
            held, rows = np.sort(shuffled[:n_val]), np.sort(shuffled[n_val:])
            val_X, val_target = X[held], targets[held]
            self.validation_ = "held-out"
        else:
            self.validation_ = "none"
        with torch_threads(self.n_threads):
            result = train_head(
                X[rows], targets[rows], weight[rows], X_val=val_X, val_target=val_target,
                val_metric=self.dev_metric, head=self.head, hidden=int(self.hidden),
                dropout=float(self.dropout), lr=float(self.lr),
                weight_decay=float(self.weight_decay), batch_size=int(self.batch_size),
                max_epochs=int(self.max_epochs), patience=int(self.patience),
                confidence_coef=float(self.confidence_coef),
                confidence_warmup=float(self.confidence_warmup), device=device,
                seed=int(self.random_state))
        self.head_ = result.head
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.best_score_ = result.history[result.best_epoch].get("val_score")
        self.classes_ = np.arange(k)
        self.n_features_in_ = int(X.shape[1])
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):  # a refit on unnamed features
            del self.feature_names_in_
        self.n_uncovered_ = int(n - keep.sum())
        return self

    # --------------------------------------------------------------- inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "head_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; "
                                 "call fit(X, soft_labels) first")

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits, shape ``(n, k)``."""
        self._check_fitted()
        X = align_columns(X, getattr(self, "feature_names_in_", None), "X")
        X = check_features(X, n_features=self.n_features_in_)
        device = next(self.head_.parameters()).device
        with torch_threads(self.n_threads):
            return predict_logits(self.head_, Features(X, device)).astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n, k)``; rows sum to 1."""
        z = self.decision_function(X)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row."""
        return self.decision_function(X).argmax(axis=1)

    def score(self, X: Any, y: Any, sample_weight: Any = None, *,
              metric: str = "accuracy") -> float:
        """``metric`` (``accuracy``, ``f1``, ``f1_macro``) of :meth:`predict` against
        gold ``y`` (1-D labels, or soft labels scored by their arg-max)."""
        y = np.asarray(y)
        if y.ndim == 2:
            y = y.argmax(axis=1)
        pred = self.predict(X)
        y = check_labels(y, n=pred.shape[0], cardinality=len(self.classes_))
        if sample_weight is not None:
            if metric != "accuracy":
                raise ValueError("sample_weight is only supported with metric='accuracy'")
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != y.shape:
                raise ValueError(f"sample_weight has shape {w.shape}, expected ({y.size},)")
            if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
                raise ValueError("sample_weight must be finite, >= 0 and not all zero")
            return float(np.sum(w * (pred == y)) / np.sum(w))
        return score_predictions(y, pred, metric=metric, cardinality=len(self.classes_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

