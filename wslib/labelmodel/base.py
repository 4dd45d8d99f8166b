"""The contract every label model shares.

A label model turns a vote matrix ``L`` (n items x m labeling functions,
``-1`` = abstain) into soft labels ``P`` (n x k, rows sum to 1). Every model
in :mod:`wslib.labelmodel` follows scikit-learn's estimator conventions:

* ``__init__`` only stores hyper-parameters (``cardinality``, ``random_state``, ...);
* ``fit(L, *, class_balance=None, y_dev=None, L_dev=None, classes=None)`` validates,
  learns and returns ``self``; learned state ends with ``_`` (``cardinality_``,
  ``n_sources_``, also read as scikit-learn's ``n_features_in_``, ``classes_``,
  ``class_balance_`` and model-specific attributes);
* ``classes=["HAM", "SPAM"]`` names the classes in index order: ``predict``
  then returns names (``None`` for an abstain) and ``score`` / ``y_dev`` take
  gold labels as names (see :mod:`wslib.classes`);
* ``predict_proba(L)``, ``predict(L, tie_break=...)``, ``score(L, y, metric=...)``;
* ``save(path)`` / ``load(path)`` write a versioned ``.npz`` file with a JSON
  header (no pickle), so a file written by one version loads in the next.

Items without votes
-------------------
An item no LF voted on is never dropped: ``predict_proba`` returns one row per
input row, and ``coverage(L)`` marks the items with a vote. What such an item
gets is each model's choice, documented with the model: ``MajorityVote`` and
the weighted votes give it ``class_balance_``; ``LabelModel`` gives it
``uncovered_proba_``, what silence says about the class (its ``uncovered``
parameter); ``DawidSkene`` the posterior given that every LF abstained. An end
model should not train on these rows as if labelled:
``EndModel().fit(X, label_model=model, L=L)`` drops them.

Subclasses implement ``_fit`` and ``_predict_proba`` on already-validated
arrays, list the learned attributes to persist in ``_learned``, and those with one
entry per LF or per class in ``_per_source`` and ``_per_class``.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from wslib._keys import GOLDEN, mix, seed_hash, unit_interval
from wslib._spelling import other_spellings
from wslib._validation import (
    CheckedParams,
    align_columns,
    check_class_balance,
    check_params,
    frame_columns,
    integer,
)
from wslib.classes import check_classes, decode_labels, encode_labels
from wslib.exceptions import CoverageWarning, NotFittedError, WslibWarning, user_stacklevel
from wslib.kernels import coverage_counts, row_coverage
from wslib.kernels.jit import issparse
from wslib.matrix import ABSTAIN, VoteMatrix, check_votes, warn_unused_classes
from wslib.metrics import (PROBA_METRICS, check_labels, score_expected, score_predictions,
                           score_proba)
from wslib.persist import check_format_version, read_archive, write_archive

FORMAT = "wslib.labelmodel"
FORMAT_VERSION = 1
TIE_BREAKS = ("random", "abstain", "first", "prior")
#: :meth:`BaseLabelModel.score` also takes ``"expected"``: the mean over random tie breaks
SCORE_TIE_BREAKS = ("expected",) + TIE_BREAKS

_REGISTRY: dict[str, type["BaseLabelModel"]] = {}

#: Snorkel's ``LabelModel`` arguments, and what a wslib label model does instead
_NOT_SGD = ("{cls} is not trained by gradient descent: its estimate is closed form or EM "
            "(see max_iter and tol where it has them), so there is nothing to set")
_TIE = ("wslib spells it tie_break= ('abstain', 'random', 'first' or 'prior'; score also "
        "'expected')")
_FIT_SPELLINGS = {"L_train": "pass the vote matrix as the first argument, L",
                  "Y_dev": "wslib spells it y_dev= (gold labels of the rows of L, or of L_dev)",
                  "seed": "the fit is deterministic; random_state= in the constructor seeds "
                          "predict(tie_break='random')",
                  **dict.fromkeys(("n_epochs", "lr", "l2", "optimizer", "optimizer_config",
                                   "lr_scheduler", "lr_scheduler_config", "prec_init",
                                   "log_freq", "mu_eps", "progress_bar"), _NOT_SGD)}
_PREDICT_SPELLINGS = {"tie_break_policy": _TIE,
                      "return_probs": "call predict_proba(L) for the probabilities"}
_SCORE_SPELLINGS = {"tie_break_policy": _TIE, "Y": "wslib spells the gold labels y",
                    "metrics": "wslib scores one metric= per call and returns a float"}
_INIT_SPELLINGS = {"verbose": "wslib's label models print nothing; drop verbose="}

if TYPE_CHECKING:
    from wslib.vote_stats import VoteStats

__all__ = ["BaseLabelModel", "TIE_BREAKS", "SCORE_TIE_BREAKS", "FORMAT_VERSION", "break_ties",
           "check_dev_set", "content_keys", "dev_class_balance", "tied_classes"]


def break_ties(proba: np.ndarray, tie_break: str, rng: np.random.Generator | None,
               prior: np.ndarray | None = None, tol: float = 1e-9,
               keys: np.ndarray | None = None) -> np.ndarray:
    """Arg-max of each row of ``proba`` with an explicit policy for ties.

    ``random``: uniformly among the tied classes, by ``keys`` (``(n, k)`` uniform
    keys, e.g. :func:`content_keys`) or keys drawn from ``rng`` by row position;
    ``first``: the lowest class index; ``abstain``: ``-1``; ``prior``: the tied class
    with the largest ``prior`` (then the lowest index).
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"unknown tie_break {tie_break!r}; choose one of {TIE_BREAKS}")
    tied = tied_classes(proba, tol)
    n_tied = tied.sum(axis=1)
    if tie_break == "random":
        keys = rng.random(proba.shape) if keys is None else keys
        return (keys * tied).argmax(axis=1).astype(np.int64)
    if tie_break == "prior" and prior is not None:
        keys = np.where(tied, prior[None, :] + 1.0, 0.0)
        return keys.argmax(axis=1).astype(np.int64)
    pred = tied.argmax(axis=1).astype(np.int64)
    if tie_break == "abstain":
        pred[n_tied > 1] = -1
    return pred


def content_keys(L: VoteMatrix, k: int, seed: int, block: int = 1 << 14) -> np.ndarray:
    """``(n, k)`` keys uniform in [0, 1) for breaking ties at random, hashed from
    ``seed`` and each row's votes (which LF voted which class; abstains count for
    nothing), as Snorkel's deterministic-hash ``"random"`` policy does: a row gets the
    same keys whatever the order of the rows or the batch it comes in, and identical
    rows get identical keys.

    >>> L = np.array([[0, 1, -1], [1, 0, -1], [0, 1, -1]])
    >>> keys = content_keys(L, 2, seed=0)
    >>> bool((keys[0] == keys[2]).all() and (keys[0] != keys[1]).any())
    True
    """
    n, m = L.shape
    column = (np.arange(m, dtype=np.uint64) + np.uint64(1)) * GOLDEN
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        if issparse(L):
            csr = L.tocsr()
            rows = np.repeat(np.arange(n), np.diff(csr.indptr))
            entry = mix(column[csr.indices] ^ mix(csr.data.astype(np.uint64) + GOLDEN))
            vote = csr.data != ABSTAIN
            np.bitwise_xor.at(h, rows[vote], entry[vote])
        else:
            for start in range(0, n, block):  # xor of the votes' hashes: order-free
                votes = np.asarray(L[start:start + block])
                entry = mix(column[None, :] ^ mix(votes.astype(np.uint64) + GOLDEN))
                h[start:start + block] = np.bitwise_xor.reduce(
                    np.where(votes != ABSTAIN, entry, np.uint64(0)), axis=1)
        h = mix(h ^ seed_hash(seed))
        cells = mix(h[:, None] ^ ((np.arange(k, dtype=np.uint64) + np.uint64(1)) * GOLDEN))
    return unit_interval(cells)


def tied_classes(proba: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Boolean ``(n, k)``: the classes within ``tol`` of each row's largest probability.

    >>> tied_classes(np.array([[0.5, 0.5], [0.2, 0.8]])).tolist()
    [[True, True], [False, True]]
    """
    return proba >= proba.max(axis=1, keepdims=True) - tol


def dev_class_balance(y_dev: np.ndarray | None, k: int) -> np.ndarray | None:
    """The class shares of gold labels ``y_dev`` (``-1`` = unlabelled, skipped), add-one
    smoothed; ``None`` without them, or with a single class, which cannot say how the
    classes compare (with a warning).

    >>> dev_class_balance(np.array([0, 0, 1, -1]), 2).tolist()
    [0.6, 0.4]
    """
    if y_dev is None:
        return None
    labels = y_dev[y_dev >= 0]
    present = np.unique(labels)
    if present.size == 1:
        warnings.warn(f"y_dev holds only class {int(present[0])}: it cannot set the class "
                      "balance, which stays as without dev labels", WslibWarning,
                      stacklevel=user_stacklevel())
    if present.size < 2:
        return None
    counts = np.bincount(labels, minlength=k) + 1.0
    return counts / counts.sum()


class BaseLabelModel(CheckedParams, BaseEstimator, ABC):
    """Base class of label models; see the module docstring for the contract.

    Parameters
    ----------
    cardinality : int, optional
        Number of classes. Inferred from the largest vote in ``L`` when omitted.
    random_state : int
        Seed for initialisation and for ``tie_break="random"``. Fixed default,
        so results are reproducible unless you change it.
    """

    _learned: ClassVar[tuple[str, ...]] = ("class_balance_",)
    #: learned arrays with one row per LF / one entry per class, checked against
    #: ``n_sources_`` / ``cardinality_`` when a file is loaded
    _per_source: ClassVar[tuple[str, ...]] = ()
    _per_class: ClassVar[tuple[str, ...]] = ("class_balance_",)
    _parameter_constraints = {"cardinality": integer(2, optional=True),
                              "random_state": integer(0)}
    #: learned attributes added after a release: ``{name: default from the loaded model}``
    #: for a file saved before that lacks it
    _learned_defaults: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    #: Minimum number of labeling functions the model can identify parameters with.
    _min_sources: ClassVar[int] = 1
    #: Whether shuffling the LF columns of ``L`` (at fit and predict alike) leaves the
    #: soft labels unchanged; every model that claims it is tested for it.
    permutation_invariant: ClassVar[bool] = False

    @other_spellings(_INIT_SPELLINGS)
    def __init__(self, cardinality: int | None = None, random_state: int = 0):
        self.cardinality = cardinality
        self.random_state = random_state

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls
        if "__init__" in cls.__dict__:  # every model's constructor names Snorkel's options
            cls.__init__ = other_spellings(_INIT_SPELLINGS)(cls.__init__)

    # ------------------------------------------------------------------ fitting
    @other_spellings(_FIT_SPELLINGS, positional="class_balance=, y_dev=, L_dev= and classes= "
                                                "are keyword-only")
    def fit(self, L, *, class_balance=None, y_dev=None, L_dev=None,
            classes=None) -> "BaseLabelModel":
        """Learn source parameters from votes ``L``; returns ``self``.

        Parameters
        ----------
        L : vote matrix (dense int array or scipy.sparse), shape (n_items, n_sources)
        class_balance : array of shape (k,), optional
            Known class prior. Estimated from ``L`` (or ``y_dev``) when omitted.
        y_dev, L_dev : optional
            A small gold-labelled set; models may use it for the prior or to
            choose between candidate fits. ``L_dev`` defaults to ``None`` and
            then ``y_dev`` must align with the rows of ``L``.
        classes : list of str, optional
            Class names in index order (as given to ``apply_lfs``); sets the
            number of classes and makes ``predict`` return names.
        """
        check_params(self)
        names = frame_columns(L)
        class_names = None if classes is None else check_classes(classes)
        if class_names is not None and self.cardinality not in (None, len(class_names)):
            raise ValueError(f"cardinality={self.cardinality} but classes lists "
                             f"{len(class_names)} names")
        L, k = check_votes(L, cardinality=self.cardinality if class_names is None
                           else len(class_names))
        if class_names is not None and y_dev is not None:
            y_dev = encode_labels(y_dev, class_names, "y_dev")
        n, m = L.shape
        self._check_n_sources(m)
        prior = None if class_balance is None else check_class_balance(class_balance, k)
        if y_dev is not None:
            if L_dev is None:
                y_dev = check_labels(y_dev, n=n, cardinality=k, name="y_dev", allow_abstain=True)
            else:
                L_dev = align_columns(L_dev, names, "L_dev", "labeling functions")
                L_dev, _ = check_votes(L_dev, cardinality=k, n_sources=m, name="L_dev")
                y_dev = check_labels(y_dev, n=L_dev.shape[0], cardinality=k, name="y_dev")
        elif L_dev is not None:
            raise ValueError("L_dev was given without y_dev; pass the gold labels of L_dev")
        warn_unused_classes(L, k, y_dev)
        self._warn_coverage(L, k)
        self.cardinality_ = k
        self.n_sources_ = m
        self._set_feature_names(names)
        self.classes_ = (np.arange(k) if class_names is None
                         else np.array(class_names, dtype=object))
        self._fit(L, k, class_balance=prior, y_dev=y_dev, L_dev=L_dev)
        return self

    @staticmethod
    def _prior(k: int, class_balance: np.ndarray | None, y_dev: np.ndarray | None
               ) -> np.ndarray:
        """The class prior of a model that does not estimate one: ``class_balance`` given
        to ``fit``, else the class shares of gold ``y_dev`` (:func:`dev_class_balance`),
        else uniform."""
        if class_balance is not None:
            return class_balance
        balance = dev_class_balance(y_dev, k)
        return np.full(k, 1.0 / k) if balance is None else balance

    def _check_n_sources(self, m: int) -> None:
        if m < self._min_sources:
            raise ValueError(
                f"{type(self).__name__} needs at least {self._min_sources} labeling functions "
                f"to identify their accuracies, got {m}; use MajorityVote or "
                "WeightedMajorityVote for fewer sources"
            )

    def _check_stats(self, stats: Any, class_balance: Any) -> np.ndarray | None:
        """The checks every ``fit_stats`` starts with: the hyper-parameters, enough LFs in
        the :class:`~wslib.labelmodel.VoteStats` ``stats``, and the class prior (returned)."""
        check_params(self)
        self._check_n_sources(stats.n_sources)
        return None if class_balance is None else \
            check_class_balance(class_balance, stats.cardinality)

    def _set_stats_shape(self, k: int, m: int) -> None:
        """The learned shape of a fit from :class:`~wslib.vote_stats.VoteStats`: ``k``
        classes and ``m`` LFs, the class indices as ``classes_`` and no LF names (the
        statistics keep none), so a refit forgets what an earlier fit learned of them."""
        self.cardinality_, self.n_sources_ = k, m
        self.classes_ = np.arange(k)
        self._set_feature_names(None)

    def _set_feature_names(self, names: np.ndarray | None) -> None:
        """Record the LF (column) names of a DataFrame ``L``, checked at predict."""
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):  # a refit on an unnamed matrix
            del self.feature_names_in_

    def _warn_coverage(self, L: VoteMatrix, k: int) -> None:
        per_row, per_lf = coverage_counts(L)
        uncovered = int(np.count_nonzero(per_row == 0))
        if uncovered:
            warnings.warn(
                f"{uncovered} of {L.shape[0]} items ({uncovered / L.shape[0]:.1%}) have no votes; "
                "each model gives them a soft label of its own (help(wslib.labelmodel.base), "
                "'Items without votes'); model.coverage(L) marks the covered ones",
                CoverageWarning,
                stacklevel=user_stacklevel(),
            )
        silent = np.flatnonzero(per_lf == 0)
        if silent.size:
            warnings.warn(
                f"labeling functions {silent.tolist()[:20]} never vote on the data; "
                "they carry no information and get neutral weight",
                CoverageWarning,
                stacklevel=user_stacklevel(),
            )

    @abstractmethod
    def _fit(self, L: VoteMatrix, k: int, *, class_balance: np.ndarray | None,
             y_dev: np.ndarray | None, L_dev: VoteMatrix | None) -> None:
        """Learn parameters from validated votes (dense int8/int16 or CSR)."""

    # --------------------------------------------------------------- inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "cardinality_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(L) first"
            )

    def _validate_for_predict(self, L) -> VoteMatrix:
        self._check_fitted()
        L = align_columns(L, getattr(self, "feature_names_in_", None), "L", "labeling functions")
        L, _ = check_votes(L, cardinality=self.cardinality_, n_sources=self.n_sources_)
        return L

    def predict_proba(self, L) -> np.ndarray:
        """Soft labels, shape ``(n_items, k)``; every row is finite and sums to 1."""
        return self._predict_proba(self._validate_for_predict(L))

    @abstractmethod
    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        """Soft labels for validated votes."""

    @other_spellings(_PREDICT_SPELLINGS)
    def predict(self, L, *, tie_break: str = "random") -> np.ndarray:
        """Hard labels (arg-max of :meth:`predict_proba`) with an explicit tie policy.

        ``tie_break`` is one of ``"random"`` (keys hashed from ``random_state`` and
        each row's votes, :func:`content_keys`: a row gets the same class in any row
        order or batch), ``"first"``, ``"prior"`` or ``"abstain"`` (returns ``-1`` on
        ties).
        """
        L = self._validate_for_predict(L)
        pred = self._hard_labels(L, self._predict_proba(L), tie_break)
        names = self._class_names()
        return pred if names is None else decode_labels(pred, names)

    def _hard_labels(self, L: VoteMatrix, proba: np.ndarray, tie_break: str) -> np.ndarray:
        keys = None
        if tie_break == "random":  # keys only where a row ties: hashing costs more
            keys = np.ones(proba.shape)  # than the arg-max (a row's one top class wins)
            tied = np.flatnonzero(tied_classes(proba).sum(axis=1) > 1)
            keys[tied] = content_keys(L[tied], self.cardinality_, self.random_state)
        return break_ties(proba, tie_break, None, prior=self.class_balance_, keys=keys)

    def _class_names(self) -> list[str] | None:
        """The class names given to ``fit``, or ``None`` for plain class indices."""
        classes = getattr(self, "classes_", None)
        return None if classes is None or classes.dtype != object else classes.tolist()

    @other_spellings(_SCORE_SPELLINGS)
    def score(self, L, y, *, metric: str = "accuracy", tie_break: str = "expected") -> float:
        """Score on gold labels ``y``: ``accuracy``, ``f1`` (class 1), ``f1_macro``,
        ``f1_micro``, ``log_loss`` or ``brier`` (the last two on :meth:`predict_proba`).

        ``tie_break="expected"`` (the default) scores the expected value over uniform
        random tie breaks (:func:`~wslib.metrics.score_expected`): no draw, so the score
        depends on neither ``random_state`` nor the order of the rows. The other
        policies score :meth:`predict`'s hard labels. An abstain
        (``tie_break="abstain"``) is a wrong label, so ``f1_micro`` equals
        ``accuracy``, not scikit-learn's micro-F1 over the classes ``0..k-1``, which
        counts an abstain against recall only."""
        if tie_break not in SCORE_TIE_BREAKS:
            raise ValueError(f"unknown tie_break {tie_break!r}; choose one of "
                             f"{SCORE_TIE_BREAKS}")
        L = self._validate_for_predict(L)
        names = self._class_names()
        y = check_labels(y if names is None else encode_labels(y, names),
                         n=L.shape[0], cardinality=self.cardinality_)
        if metric in PROBA_METRICS:
            return score_proba(y, self._predict_proba(L), metric=metric)
        proba = self._predict_proba(L)
        if tie_break == "expected":
            return score_expected(y, tied_classes(proba), metric=metric)
        return score_predictions(y, self._hard_labels(L, proba, tie_break), metric=metric,
                                 cardinality=self.cardinality_)

    @property
    def n_features_in_(self) -> int:
        """scikit-learn's name for ``n_sources_``: the LF columns seen at fit."""
        return self.n_sources_

    def coverage(self, L) -> np.ndarray:
        """Boolean mask of items with at least one vote."""
        return row_coverage(self._validate_for_predict(L)) > 0

    # ------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write hyper-parameters and learned state to a versioned ``.npz`` file."""
        self._check_fitted()
        from wslib import __version__

        arrays: dict[str, np.ndarray] = {}
        scalars: dict[str, Any] = {}
        for name in ("cardinality_", "n_sources_") + tuple(self._learned):
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                arrays[name] = value
            else:
                scalars[name] = value.item() if isinstance(value, np.generic) else value
        if hasattr(self, "feature_names_in_"):  # strings: JSON, not a pickled object array
            scalars["feature_names_in_"] = self.feature_names_in_.tolist()
        scalars["classes_"] = self._class_names()
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "wslib_version": __version__,
            "class": type(self).__name__,
            "params": self.get_params(deep=False),
            "scalars": scalars,
        }
        write_archive(path, header, arrays)

    @classmethod
    def load(cls, path: str | Path) -> "BaseLabelModel":
        """Load a model written by :meth:`save` (any wslib version with the same format).

        Called on the base class it returns whatever model the file holds;
        called on a subclass it checks the file holds that class.
        """
        header, arrays = read_archive(path, FORMAT, "label-model",
                                      ("format_version", "class", "params", "scalars"))
        check_format_version(header, FORMAT_VERSION, path)
        name = header["class"]
        if name not in _REGISTRY:
            raise ValueError(f"{path} holds an unknown label model {name!r}")
        model_cls = _REGISTRY[name]
        if cls is not BaseLabelModel and not issubclass(model_cls, cls):
            raise TypeError(f"{path} holds a {name}, not a {cls.__name__}")
        missing = [key for key in ("cardinality_", "n_sources_") + tuple(model_cls._learned)
                   if key not in header["scalars"] and key not in arrays
                   and key not in model_cls._learned_defaults]
        if missing:
            raise ValueError(f"{path} holds a {name} without its learned attributes {missing}; "
                             "the file is truncated or was not written by save()")
        accepted = model_cls._get_param_names()
        dropped = sorted(set(header["params"]) - set(accepted))
        if dropped:  # a fit-time option a later version removed: the learned state still holds
            warnings.warn(f"{path}: hyper-parameters {dropped} of {name} no longer exist in "
                          f"this wslib and were ignored; the learned state is loaded as saved",
                          WslibWarning, stacklevel=user_stacklevel())
        model = model_cls(**{key: value for key, value in header["params"].items()
                             if key in accepted})
        for key, value in header["scalars"].items():
            setattr(model, key, np.asarray(value, dtype=object) if key == "feature_names_in_"
                    else value)
        names = header["scalars"].get("classes_")  # None: class indices (older files too)
        model.classes_ = np.arange(model.cardinality_) if names is None else \
            np.array(check_classes(names), dtype=object)
        for key, value in arrays.items():
            setattr(model, key, value)
        for key, default in model_cls._learned_defaults.items():
            if not hasattr(model, key):
                setattr(model, key, default(model))
        _check_loaded_shapes(model, path)
        return model


def _check_loaded_shapes(model: BaseLabelModel, path: Any) -> None:
    """A file whose learned arrays contradict its LF or class count (edited by hand,
    or damaged) is refused: it would predict from the wrong number of sources."""
    for names, size, what in ((model._per_source, model.n_sources_, "n_sources_"),
                              (model._per_class, model.cardinality_, "cardinality_")):
        for key in names:
            value = getattr(model, key, None)
            if isinstance(value, np.ndarray) and value.ndim and value.shape[0] != size:
                raise ValueError(f"{path} is inconsistent: {key} has {value.shape[0]} entries "
                                 f"but {what} is {size}; the file was altered or damaged")


def check_dev_set(stats: VoteStats, y_dev: Any, L_dev: Any, *, need_votes: bool
                  ) -> tuple[np.ndarray | None, VoteMatrix | None]:
    """Validate a gold-labelled dev set given to a fit from statistics.

    ``L_dev`` must have the statistics' LFs and ``y_dev`` one label per row of
    it. Without ``L_dev``, ``y_dev`` is a set of gold labels (``-1`` =
    unlabelled) with no votes, which only a model that reads class counts
    accepts (``need_votes=False``).
    """
    k, m = stats.cardinality, stats.n_sources
    if y_dev is None:
        if L_dev is not None:
            raise ValueError("L_dev was given without y_dev; pass the gold labels of L_dev")
        return None, None
    if L_dev is None:
        if need_votes:
            raise ValueError("y_dev was given without L_dev: statistics keep no rows to align "
                             "the gold labels with; pass L_dev, the votes on the labelled rows")
        return check_labels(y_dev, cardinality=k, name="y_dev", allow_abstain=True), None
    L_dev, _ = check_votes(L_dev, cardinality=k, n_sources=m, name="L_dev")
    return check_labels(y_dev, n=L_dev.shape[0], cardinality=k, name="y_dev"), L_dev
