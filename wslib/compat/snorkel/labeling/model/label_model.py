"""Snorkel's ``LabelModel`` signatures on wslib's :class:`~wslib.labelmodel.LabelModel`.

wslib's ``LabelModel`` estimates each LF's precision by EM on the distinct
vote patterns (an abstain-aware Dawid–Skene fit) and predicts with the
weighted vote, in milliseconds and deterministically, where Snorkel runs
``n_epochs`` of SGD on a matrix-completion loss. So Snorkel's training
options (:class:`TrainConfig`: ``n_epochs``, ``lr``, ``l2``, ``optimizer``,
``lr_scheduler``, ``prec_init``, ``seed``, ``log_freq``, ...) are accepted,
checked as Snorkel checks them, and otherwise ignored, with one
:class:`~wslib.compat.snorkel.SnorkelCompatWarning` naming those given.

Snorkel's meanings are kept where code depends on them:

* a row without votes gets the class prior ``p`` (``class_balance``, else the
  class shares of ``Y_dev``, else uniform), so ``predict`` abstains on it by
  default and ``filter_unlabeled_dataframe`` idioms drop the same rows;
* ``predict`` and ``score`` default to ``tie_break_policy="abstain"``;
  ``"random"`` breaks a tie as Snorkel does, by a hash of the row position;
* ``score`` returns ``{metric: value}``;
* ``get_weights()`` gives each LF's estimated accuracy (precision) and
  ``get_conditional_probs()`` the ``(m, k + 1, k)`` table ``P(LF = l | Y = y)``
  (row 0: abstain), here the posterior-weighted vote shares on ``L_train``,
  clamped to ``[mu_eps, 1 - mu_eps]`` as Snorkel clamps its parameters (the
  predictions come from the LF accuracies and do not read the table).
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any, NamedTuple

import numpy as np

from wslib.compat.snorkel._support import closest, warn_ignored
from wslib.compat.snorkel.labeling.model.base_labeler import BaseLabeler, as_votes
from wslib.kernels import row_coverage
from wslib.kernels.stats import weighted_vote_counts
from wslib.labelmodel import BaseLabelModel
from wslib.labelmodel import LabelModel as _WslibLabelModel
from wslib.matrix import check_votes

__all__ = ["LabelModel", "TrainConfig"]

_log = logging.getLogger("wslib.compat.snorkel")
_OPTIMIZERS = ("sgd", "adam", "adamax")
_SCHEDULERS = ("constant", "linear", "exponential", "step")


class TrainConfig(NamedTuple):
    """Snorkel's ``LabelModel.fit`` options with their defaults; none changes wslib's fit.

    ``optimizer`` and ``lr_scheduler`` must name one of Snorkel's choices and
    ``prec_init`` be a number or one per LF, as in Snorkel; ``seed`` has no
    effect because the fit is deterministic. Only ``mu_eps`` is used: it
    clamps the table of ``get_conditional_probs()`` (default
    ``min(0.01, 10 ** -ceil(log10(n)))``, Snorkel's).
    """

    n_epochs: int = 100
    lr: float = 0.01
    l2: float = 0.0
    optimizer: str = "sgd"
    optimizer_config: Any = None
    lr_scheduler: str = "constant"
    lr_scheduler_config: Any = None
    prec_init: Any = 0.7
    seed: int | None = None
    log_freq: int = 10
    mu_eps: float | None = None


def _train_config(options: dict[str, Any], n_lfs: int) -> TrainConfig:
    """``TrainConfig(**options)``, refusing what Snorkel refuses."""
    unknown = [name for name in options if name not in TrainConfig._fields]
    if unknown:
        raise TypeError(f"LabelModel.fit() got an unexpected keyword argument {unknown[0]!r}"
                        f"{closest(unknown[0], TrainConfig._fields)}")
    config = TrainConfig(**options)
    if config.optimizer not in _OPTIMIZERS:
        raise ValueError(f"Unrecognized optimizer option '{config.optimizer}'"
                         f"{closest(config.optimizer, _OPTIMIZERS)}")
    if config.lr_scheduler not in _SCHEDULERS:
        raise ValueError(f"Unrecognized lr scheduler option '{config.lr_scheduler}'"
                         f"{closest(config.lr_scheduler, _SCHEDULERS)}")
    prec = config.prec_init
    if isinstance(prec, (str, bytes, dict)) or not isinstance(prec, (int, float, list, tuple)) \
            and not hasattr(prec, "shape"):
        raise TypeError(f"prec_init is of type {type(prec)} which is not supported currently.")
    if np.ndim(prec) and np.shape(prec)[0] != n_lfs:
        raise ValueError(f"prec_init must have shape {n_lfs}.")
    return config


class LabelModel(BaseLabeler):
    """Snorkel's label model: ``LabelModel(cardinality=2, verbose=True, device="cpu")``.

    ``verbose`` logs a line about each fit at INFO level (logger
    ``wslib.compat.snorkel``); ``device`` is passed to wslib (``"cpu"``: numba
    kernels, ``"cuda"``: torch).

    >>> from wslib.compat.snorkel.labeling.model import LabelModel
    >>> L = np.array([[0, 0, -1], [1, 1, -1], [0, 0, -1]])
    >>> model = LabelModel(verbose=False)
    >>> model.fit(L).predict(L)
    array([0, 1, 0])
    >>> model.score(L, Y=np.array([0, 1, 1]))
    {'accuracy': 0.6666666666666666}
    """

    _params = ("cardinality", "verbose", "device")

    def __init__(self, cardinality: int = 2, verbose: bool = True, device: str = "cpu") -> None:
        super().__init__(cardinality)
        self.verbose = verbose
        self.device = device

    def fit(self, L_train: np.ndarray, Y_dev: np.ndarray | None = None,
            class_balance: np.ndarray | None = None, progress_bar: bool = True,
            **kwargs: Any) -> LabelModel:
        """Estimate the LFs' accuracies from ``L_train``; returns ``self``.

        ``class_balance`` (or the class shares of the gold labels ``Y_dev``) is the
        prior; Snorkel's :class:`TrainConfig` options are accepted and ignored
        (one warning names those given). There is no progress bar: the fit
        takes milliseconds.
        """
        votes, k = check_votes(as_votes(L_train), cardinality=self.cardinality, name="L_train")
        self.train_config = _train_config(kwargs, votes.shape[1])
        warn_ignored("LabelModel.fit", [name for name in kwargs if name != "mu_eps"],
                     "wslib's LabelModel is fitted by EM on the distinct vote patterns, "
                     "deterministically, not by SGD")
        prior = self._class_balance(class_balance, Y_dev)
        model = _WslibLabelModel(cardinality=k, device=None if self.device == "cpu"
                                 else self.device)
        self._model = model.fit(votes, class_balance=prior)
        self._prior = np.full(k, 1.0 / k) if prior is None else prior
        probs = self.predict_proba(votes)
        with np.errstate(invalid="ignore", divide="ignore"):  # (m, k votes, k classes)
            shares = np.nan_to_num(weighted_vote_counts(votes, probs) / probs.sum(axis=0))
        eps = self.train_config.mu_eps
        eps = min(0.01, 10.0 ** -np.ceil(np.log10(votes.shape[0]))) if eps is None else eps
        shares = np.clip(shares, eps, 1 - eps)
        self._cprobs = np.concatenate([1 - shares.sum(axis=1, keepdims=True), shares], axis=1)
        if self.verbose:
            _log.info("LabelModel: fitted the accuracies of %d LFs on %d items (EM)",
                      votes.shape[1], votes.shape[0])
        return self

    def _class_balance(self, class_balance: Any, Y_dev: Any) -> np.ndarray | None:
        """Snorkel's prior: ``class_balance``, else the class shares of ``Y_dev``, else None
        (uniform)."""
        k = self.cardinality
        if class_balance is not None:
            p = np.asarray(class_balance, dtype=float)
            if p.shape != (k,):
                raise ValueError(f"class_balance has {p.size} entries. Does not match "
                                 f"LabelModel cardinality {k}.")
        elif Y_dev is not None:
            labels = np.unique(np.asarray(Y_dev), return_counts=True)
            outside = labels[0][(labels[0] < 0) | (labels[0] >= k)]
            if outside.size:  # Snorkel would read the share of -1 as class 0's
                raise ValueError(f"Y_dev holds {outside.tolist()}, not classes 0..{k - 1}: the "
                                 "prior is the share of each class among gold labels, so "
                                 "leave out the items without one (-1)")
            counts = labels[1]
            if len(counts) != k:
                raise ValueError(f"Y_dev has {len(counts)} class(es). Does not match "
                                 f"LabelModel cardinality {k}.")
            p = counts / counts.sum()
        else:
            return None
        if np.any(p == 0):
            raise ValueError(f"Class balance prior is 0 for class(es) {np.flatnonzero(p == 0)}.")
        return p / p.sum()

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """``P(Y | votes)``, shape ``(n, k)``; a row without votes gets the prior ``p``."""
        self._check_fitted("_model")
        votes, _ = check_votes(as_votes(L), cardinality=self._model.cardinality_,
                               n_sources=self._model.n_sources_)
        probs = self._model.predict_proba(votes)
        probs[row_coverage(votes) == 0] = self._prior
        return probs

    def get_weights(self) -> np.ndarray:
        """Each LF's estimated accuracy when it votes, shape ``(m,)``."""
        self._check_fitted("_model")
        return self._model.accuracy_.copy()

    def get_conditional_probs(self) -> np.ndarray:
        """``P[j, l + 1, y]`` = P(LF ``j`` votes ``l`` | Y = ``y``); ``l = -1`` is abstain."""
        self._check_fitted("_cprobs")
        return self._cprobs.copy()

    def _arrays(self) -> dict[str, np.ndarray]:
        self._check_fitted("_model")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.npz")
            self._model.save(path)
            with open(path, "rb") as fh:
                model = np.frombuffer(fh.read(), dtype=np.uint8)
        return {"model": model, "prior": self._prior, "cprobs": self._cprobs}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.npz")
            with open(path, "wb") as fh:
                fh.write(arrays["model"].tobytes())
            self._model = BaseLabelModel.load(path)
        self._prior, self._cprobs = arrays["prior"], arrays["cprobs"]
