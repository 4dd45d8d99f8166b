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

Rows without votes: a label model gives items no LF voted on a soft label too
(a prior, or what silence says), and those rows carry no evidence from the LFs.
``fit`` drops them when it knows which they are: pass the vote matrix ``L``
(``fit(X, P, L=L)``), or the label model and ``L`` and let ``fit`` compute the
soft labels (``fit(X, label_model=lm, L=L)``), or a ``coverage`` mask. Given
soft labels alone it can only drop exactly uniform rows, and warns
(:class:`~wslib.exceptions.CoverageWarning`) that the others are trained on
as if labelled; ``filter_uncovered=False`` says every row is meant.

Example
-------
>>> import numpy as np
>>> from wslib.endmodel import EndModel
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 5)).astype(np.float32)
>>> L = np.stack([np.where(X[:, 0] < -0.2, 0, -1), np.where(X[:, 0] > 0.2, 1, -1)], axis=1)
>>> P = np.where(L[:, [1]] == 1, [0.1, 0.9], [0.9, 0.1])  # a label model's soft labels
>>> clf = EndModel(head="logreg", lr=0.05, max_epochs=30).fit(X, P, L=L)
>>> clf.n_uncovered_, clf.score(X, (X[:, 0] > 0).astype(int)) > 0.9
(27, True)
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from wslib._validation import (
    CheckedParams,
    align_columns,
    boolean,
    check_class_balance,
    check_features,
    check_params,
    choice,
    class_balance,
    frame_columns,
    integer,
    number,
    text,
    verbosity,
)
from wslib.classes import check_classes, encode_labels
from wslib.device import resolve_device
from wslib.endmodel.heads import DEFAULT_LR, HEADS
from wslib.endmodel.targets import (
    SAMPLE_WEIGHTINGS,
    TARGETS,
    class_weights,
    confidence_weights,
    make_targets,
)
from wslib.endmodel.trainer import Features, predict_logits, torch_threads, train_head
from wslib.endmodel.validation import (
    LABEL_METRICS,
    check_coverage,
    check_dev_labels,
    check_sample_weight,
    check_soft_labels,
    check_two_classes,
    score_labels,
)
from wslib.exceptions import CoverageWarning, NotFittedError, user_stacklevel
from wslib.kernels import row_coverage
from wslib.matrix import check_votes
from wslib.persist import check_format_version, read_archive, write_archive

#: values of ``dev_metric`` and of ``score``'s ``metric``: label metrics of the arg-max,
#: higher is better
DEV_METRICS = LABEL_METRICS
#: the file format of :meth:`EndModel.save` and the newest version this wslib reads
FORMAT, FORMAT_VERSION = "wslib.endmodel", 1

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
        flattens, 1 keeps the label model's probabilities. The default, 2,
        tempers label models' overconfidence (docs/endmodel.md, "The defaults,
        without any gold label").
        No effect on the one-hot targets ``"hard"`` and ``"hard-balanced"``.
    hidden, dropout : int, float
        MLP width and dropout rate (ignored by ``"logreg"``).
    lr : float or None
        AdamW learning rate; ``None``: 0.01 for ``"logreg"``, 0.001 for ``"mlp"``
        (:data:`~wslib.endmodel.heads.DEFAULT_LR`).
    weight_decay : float
        AdamW decoupled weight decay.
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
        Drop rows with no LF vote: those without a vote in ``L`` or flagged
        by ``coverage`` in ``fit``, or exactly uniform soft-label rows (with a
        warning) when neither is given. ``False`` trains on every row.
    confidence_coef : float
        Final weight :math:`\\alpha` of the auxiliary confidence loss (0 = off;
        Burns et al. use 0.5–0.75). How the defaults were chosen, and what they
        score against ``LabelModel``, is measured in the end-model guide
        (``wslib bench endmodel --defaults``).
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
    verbose : int
        ``1`` prints one line per epoch (training loss, validation score,
        elapsed time) and which epoch was kept; ``0`` is silent.

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
        Training rows dropped as uncovered: without an LF vote (``L``, ``coverage``),
        abstaining hard labels, or (given soft labels alone) exactly uniform rows.
        Covered rows dropped for a zero weight are not counted.
    """

    _parameter_constraints = {
        "head": choice(*HEADS), "target": choice(*TARGETS),
        "class_balance": class_balance(positive=True),
        "label_temperature": number(0, open_low=True), "hidden": integer(1),
        "dropout": number(0, 1, open_high=True), "lr": number(0, open_low=True, optional=True),
        "weight_decay": number(low=0), "batch_size": integer(1), "max_epochs": integer(1),
        "patience": integer(1), "validation_fraction": number(0, 1, open_high=True),
        "dev_metric": choice(*DEV_METRICS), "sample_weighting": choice(*SAMPLE_WEIGHTINGS),
        "filter_uncovered": boolean(), "confidence_coef": number(0, 1),
        "confidence_warmup": number(0, 1), "device": text(), "n_threads": integer(1, optional=True),
        "random_state": integer(0), "verbose": verbosity()}

    def __init__(self, head: str = "mlp", *, target: str = "soft",
                 class_balance: Any = None, label_temperature: float = 2.0,
                 hidden: int = 256,
                 dropout: float = 0.2, lr: float | None = None, weight_decay: float = 1e-4,
                 batch_size: int = 128, max_epochs: int = 50, patience: int = 10,
                 validation_fraction: float = 0.1,
                 dev_metric: str = "accuracy", sample_weighting: str | None = None,
                 filter_uncovered: bool = True, confidence_coef: float = 0.5,
                 confidence_warmup: float = 0.2, device: str = "cpu",
                 n_threads: int | None = 1, random_state: int = 0, verbose: int = 0):
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
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def _check_params(self) -> None:
        check_params(self)
        if self.class_balance is not None and self.target not in ("balanced", "hard-balanced"):
            raise ValueError(f"class_balance is only used by target='balanced' or "
                             f"'hard-balanced', not target={self.target!r}")

    def fit(self, X: Any, y: Any = None, *, sample_weight: Any = None, coverage: Any = None,
            L: Any = None, label_model: Any = None, X_dev: Any = None,
            y_dev: Any = None) -> EndModel:
        """Train on features ``X`` and labels ``y``; returns ``self``.

        Parameters
        ----------
        X : array (n, d) or scipy.sparse matrix
            Numeric features (no NaN).
        y : array (n, k) of probabilities, or (n,) of int labels (``-1`` = abstain)
            Soft labels from a label model (``predict_proba``), or hard labels.
            Leave it out when passing ``label_model``.
        sample_weight : array (n,), optional
            Non-negative row weights, multiplied with ``sample_weighting``.
        coverage : bool array (n,), optional
            ``True`` where at least one LF voted (``label_model.coverage(L)``).
        L : vote matrix (n, m), optional
            The votes behind ``y``: rows without a vote are the uncovered ones.
        label_model : fitted label model, optional
            With ``L``: the soft labels are ``label_model.predict_proba(L)``, which
            matches a DataFrame ``L``'s columns to the model's LFs by name; a model
            fitted with class names passes them on (``classes_``).
        X_dev, y_dev : optional
            A small gold-labelled set for early stopping (every class present).
        """
        self._check_params()
        device = resolve_device(self.device)
        names = frame_columns(X)
        X = check_features(X, dtype=np.float32)
        n = X.shape[0]
        y, coverage = self._labels_and_coverage(y, coverage, L, label_model, n)
        P = check_soft_labels(y, n=n)
        k = P.shape[1]
        keep = check_coverage(coverage, P, filter_uncovered=self.filter_uncovered)
        n_uncovered = int(n - keep.sum())
        if coverage is None and self.filter_uncovered and np.asarray(y).ndim == 2:
            _warn_uniform_rows_dropped(n, int(keep.sum()))
        balance = None if self.class_balance is None else \
            check_class_balance(self.class_balance, k, positive=True)
        targets = make_targets(P, keep, self.target, balance=balance,
                               temperature=float(self.label_temperature))
        weight = confidence_weights(P, self.sample_weighting) * \
            class_weights(P, keep, self.target, balance=balance)
        if sample_weight is not None:
            weight = weight * check_sample_weight(sample_weight, n)
        keep &= weight > 0
        if not keep.any():
            raise ValueError("every training row has zero weight or is uncovered")
        check_two_classes(P, keep, hard=np.ndim(y) == 1)
        named = getattr(label_model, "classes_", None)
        if y_dev is not None and named is not None and named.dtype == object:
            y_dev = encode_labels(y_dev, named.tolist(), "y_dev")  # gold labels as names
        rows, val_X, val_target = self._validation_split(np.flatnonzero(keep), X, targets, k,
                                                         X_dev, y_dev, names)
        with torch_threads(self.n_threads):
            result = train_head(
                X[rows], targets[rows], weight[rows], X_val=val_X, val_target=val_target,
                val_metric=self.dev_metric, head=self.head, hidden=int(self.hidden),
                dropout=float(self.dropout),
                lr=float(DEFAULT_LR[self.head] if self.lr is None else self.lr),
                weight_decay=float(self.weight_decay), batch_size=int(self.batch_size),
                max_epochs=int(self.max_epochs), patience=int(self.patience),
                confidence_coef=float(self.confidence_coef),
                confidence_warmup=float(self.confidence_warmup), device=device,
                seed=int(self.random_state), on_epoch=self._progress(rows.size, n - keep.sum()))
        self._set_fitted(result, getattr(label_model, "classes_", None), k, X.shape[1], names)
        self.n_uncovered_ = n_uncovered
        if self.verbose:
            print(f"kept epoch {self.best_epoch_ + 1} ({self.validation_} validation)",
                  flush=True)
        return self

    def _validation_split(self, rows: np.ndarray, X: Any, targets: np.ndarray, k: int,
                          X_dev: Any, y_dev: Any, names: Any) -> tuple[np.ndarray, Any, Any]:
        """The training rows and the validation features and targets: the dev set when
        given, else a random held-out share of ``rows`` (``validation_fraction``, with
        20 rows or more), else none; sets ``validation_``."""
        if (X_dev is None) != (y_dev is None):
            raise ValueError("pass both X_dev and y_dev (gold labels), or neither")
        if X_dev is not None:
            val_X = check_features(align_columns(X_dev, names, "X_dev"), name="X_dev",
                                   dtype=np.float32, n_columns=X.shape[1], model="the end model")
            self.validation_ = "dev"
            return rows, val_X, check_dev_labels(y_dev, n=val_X.shape[0], n_classes=k)
        if self.validation_fraction > 0 and rows.size >= 20:
            rng = np.random.default_rng(self.random_state)
            shuffled = rng.permutation(rows)
            n_val = max(1, round(self.validation_fraction * rows.size))
            held, rows = np.sort(shuffled[:n_val]), np.sort(shuffled[n_val:])
            self.validation_ = "held-out"
            return rows, X[held], targets[held]
        self.validation_ = "none"
        return rows, None, None

    def _set_fitted(self, result: Any, named: np.ndarray | None, k: int, n_features: int,
                    names: Any) -> None:
        """The learned attributes from the trained head; class names from the label
        model when it was fitted with them."""
        self.head_ = result.head
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.best_score_ = result.history[result.best_epoch].get("val_score")
        self.classes_ = named.copy() if named is not None and named.dtype == object \
            else np.arange(k)
        self.n_features_in_ = int(n_features)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):  # a refit on unnamed features
            del self.feature_names_in_

    @staticmethod
    def _labels_and_coverage(y: Any, coverage: Any, L: Any, label_model: Any, n: int
                             ) -> tuple[Any, Any]:
        """The soft labels and coverage mask ``fit`` trains on, from whichever of
        ``y``, ``coverage``, ``L`` and ``label_model`` were given."""
        if label_model is not None and y is not None:
            raise ValueError("pass the soft labels y or a label_model (with L), not both")
        if label_model is not None and L is None:
            raise ValueError("label_model needs the vote matrix: fit(X, label_model=model, L=L)")
        if y is None and label_model is None:
            raise ValueError("fit needs labels: fit(X, soft_labels), or "
                             "fit(X, label_model=model, L=L)")
        if L is None:
            return y, coverage
        if coverage is not None:
            raise ValueError("pass coverage or L, not both: L gives the coverage")
        if label_model is None:
            covered = row_coverage(check_votes(L)[0]) > 0
        else:  # L as given: the model matches a DataFrame's columns to its LFs by name
            covered = label_model.coverage(L)
        if covered.shape[0] != n:
            raise ValueError(f"X has {n} rows but L has {covered.shape[0]}")
        return (y if label_model is None else label_model.predict_proba(L)), covered

    def _progress(self, n_train: int, n_dropped: int):
        """With ``verbose``, a callback printing one line per epoch (else ``None``)."""
        if not self.verbose:
            return None
        start = time.perf_counter()
        print(f"EndModel: {self.head} head on {n_train} rows ({n_dropped} uncovered or "
              f"zero-weight rows dropped), {self.validation_} validation", flush=True)

        def report(entry: dict[str, float], best: bool) -> None:
            score = f"  val {entry['val_score']:.4f}" if "val_score" in entry else ""
            print(f"epoch {entry['epoch'] + 1:>3}/{self.max_epochs}  train loss "
                  f"{entry['train_loss']:.4f}{score}{'  *' if best else ''}  "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
        return report

    # --------------------------------------------------------------- inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "head_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; "
                                 "call fit(X, soft_labels) first")

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits, shape ``(n, k)``; for two classes, as scikit-learn's classifiers,
        the positive class's margin ``z_1 - z_0``, shape ``(n,)`` (> 0: ``classes_[1]``)."""
        z = self._logits(X)
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def _logits(self, X: Any) -> np.ndarray:
        """The head's logits on ``X``, shape ``(n, k)``, after checking ``X``."""
        self._check_fitted()
        X = align_columns(X, getattr(self, "feature_names_in_", None), "X")
        X = check_features(X, dtype=np.float32, n_columns=self.n_features_in_,
                           model="the end model")
        device = next(self.head_.parameters()).device
        with torch_threads(self.n_threads):
            return predict_logits(self.head_, Features(X, device)).astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n, k)``; rows sum to 1."""
        z = self._logits(X)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row: its index, or its name when the label
        model given to ``fit`` was fitted with class names."""
        best = self._logits(X).argmax(axis=1)  # checks that the model is fitted
        return self.classes_[best]

    def score(self, X: Any, y: Any, sample_weight: Any = None, *,
              metric: str = "accuracy") -> float:
        """``metric`` (``accuracy``, ``f1``, ``f1_binary``, ``f1_macro`` or ``f1_micro``)
        of :meth:`predict` against gold ``y`` (1-D labels, or soft labels scored by
        their arg-max); ``sample_weight`` weighs the rows (with ``accuracy``)."""
        self._check_fitted()  # before classes_ is read: NotFittedError, not AttributeError
        y = np.asarray(y)
        if y.ndim == 2:
            y = y.argmax(axis=1)
        if self.classes_.dtype == object:
            y = encode_labels(y, self.classes_.tolist())
        return score_labels(y, self._logits(X).argmax(axis=1), n_classes=len(self.classes_),
                            metric=metric, sample_weight=sample_weight)

    # ------------------------------------------------------------- persistence
    #: fitted attributes saved as JSON values in the file's header
    _SCALARS = ("n_features_in_", "best_epoch_", "best_score_", "validation_", "n_uncovered_",
                "history_")

    def save(self, path: str | Path) -> None:
        """Write the hyper-parameters and the trained network to a versioned ``.npz``
        file (a JSON header plus the network's weights; no pickle).

        >>> import numpy as np, tempfile, pathlib
        >>> X = np.eye(4, dtype=np.float32).repeat(5, axis=0)
        >>> model = EndModel(head="logreg", max_epochs=2).fit(X, np.repeat([0, 0, 1, 1], 5))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "end.npz"
        >>> model.save(path)
        >>> bool((EndModel.load(path).predict_proba(X) == model.predict_proba(X)).all())
        True
        """
        self._check_fitted()
        from wslib import __version__

        header = {"format": FORMAT, "format_version": FORMAT_VERSION,
                  "wslib_version": __version__, "params": self.get_params(deep=False),
                  "n_classes": len(self.classes_),
                  "classes": self.classes_.tolist() if self.classes_.dtype == object else None,
                  "feature_names": (self.feature_names_in_.tolist()
                                    if hasattr(self, "feature_names_in_") else None),
                  "scalars": {name: getattr(self, name) for name in self._SCALARS}}
        arrays = {name: tensor.detach().cpu().numpy()
                  for name, tensor in self.head_.state_dict().items()}
        write_archive(path, header, arrays)

    @classmethod
    def load(cls, path: str | Path, *, device: str | None = None) -> EndModel:
        """Load a model written by :meth:`save`, by this or an earlier wslib.

        ``device`` overrides the saved one (a model trained on ``"cuda"`` loads
        on a machine without a GPU with ``device="cpu"``). A file of a newer
        format, or one that is not an end-model file, raises ``ValueError``
        saying which.
        """
        from wslib.endmodel.heads import make_head
        from wslib.endmodel.trainer import torch

        header, arrays = read_archive(path, FORMAT, "end-model",
                                      ("format_version", "params", "n_classes", "scalars"))
        check_format_version(header, FORMAT_VERSION, path)
        params = {key: value for key, value in header["params"].items()
                  if key in cls._get_param_names()}
        if device is not None:
            params["device"] = device
        model = cls(**params)
        for name, value in header["scalars"].items():
            setattr(model, name, value)
        k = int(header["n_classes"])
        head = make_head(model.head, model.n_features_in_, k, generator=torch.Generator(),
                         hidden=int(model.hidden), dropout=float(model.dropout))
        try:
            head.load_state_dict({name: torch.from_numpy(value) for name, value in arrays.items()})
        except RuntimeError as exc:
            raise ValueError(f"{path} holds weights that do not fit a {model.head} head with "
                             f"{model.n_features_in_} features and {k} classes: the file was "
                             f"altered or damaged ({exc})") from None
        model.head_ = head.to(resolve_device(model.device)).eval()
        names = header.get("classes")
        model.classes_ = np.arange(k) if names is None else \
            np.array(check_classes(names), dtype=object)
        if header.get("feature_names") is not None:  # columns stay matched by name
            model.feature_names_in_ = np.asarray(header["feature_names"], dtype=object)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _warn_uniform_rows_dropped(n: int, n_kept: int) -> None:
    warnings.warn(
        f"EndModel.fit got soft labels without L= or coverage=, so it cannot tell the "
        f"items no LF voted on from labelled ones: it dropped the {n - n_kept} "
        f"exactly uniform rows and trains on the other {n_kept} as if labelled. "
        "Pass L=L (the vote matrix), label_model=model with L=L, or "
        "coverage=model.coverage(L); filter_uncovered=False trains on every row "
        "without this warning", CoverageWarning, stacklevel=user_stacklevel())
