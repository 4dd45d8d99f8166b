"""Label models under benchmark: wslib's own and its peers, behind one small interface.

Every method is a :class:`Method`: a name, the library it comes from, and a
factory ``make(k, seed) -> adapter`` whose adapter has ``fit(L) -> self`` and
``predict_proba(L) -> (n, k)``. Peers are imported only when used; a peer that
cannot run on a dataset says why (:meth:`Method.skip_reason`) instead of failing.

* wslib: every class exported by :mod:`wslib.labelmodel` that subclasses
  :class:`~wslib.labelmodel.BaseLabelModel` (found at run time).
* Snorkel 0.10: ``LabelModel`` trained for 100 and 500 epochs (fixed seed),
  ``MajorityLabelVoter``.
* crowd-kit: ``DawidSkene``, ``OneCoinDawidSkene``, ``GLAD``, ``MACE`` (the
  classification aggregators with soft labels). crowd-kit fits on a long
  ``task / worker / label`` table and labels only the tasks it was fitted on, so
  it runs transductively on the fit rows plus the evaluation rows.
* HyperLM 0.0.5 (Wu et al., 2023, *Learning Hyper Label Model for Programmatic
  Weak Supervision*, ICLR): a graph network pretrained to aggregate votes,
  applied transductively to the fit rows plus the evaluation rows.
* FlyingSquid: binary only; it does not import with numpy 2, then it is skipped.
* Dev-label methods, given ``DEV_ITEMS`` gold-labelled items
  (:meth:`wslib.bench.data.BenchData.dev_sample`): ``LabelModel+dev100``
  (``fit(L, y_dev=, L_dev=)``) and ``reference.logreg-dev100``, a logistic
  regression on the one-hot votes of the dev items alone.

A conversion a peer needs (Snorkel's dense int64 matrix, crowd-kit's long table)
is its method's ``prepare``, which the benchmark runs and times apart from the
fit. A peer that may be missing from an install says why in ``optional``; the
test suite fails on any other skipped peer.

>>> names = [m.name for m in all_methods()]
>>> "MajorityVote" in names and "snorkel.LabelModel-100ep" in names
True
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import numpy as np
import scipy.sparse as sp

from wslib.matrix import VoteMatrix, to_dense

__all__ = ["Adapter", "Method", "all_methods", "wslib_methods", "peer_methods", "dev_methods",
           "method_groups", "DEV_ITEMS"]

#: gold-labelled items given to the dev-label methods
DEV_ITEMS = 100


class Adapter(Protocol):
    """``fit(X)`` (dev-label methods: ``fit(X, L_dev, y_dev)``) and ``predict_proba(X)``,
    where ``X`` is the method's ``prepare(L)``; optionally ``decision()``, the fitted
    choices worth recording (a dict)."""

    def fit(self, X: Any, *dev: Any) -> "Adapter": ...

    def predict_proba(self, X: Any) -> np.ndarray: ...


def _as_is(L: VoteMatrix) -> VoteMatrix:
    return L


def _dense_int64(L: VoteMatrix) -> np.ndarray:
    return to_dense(L).astype(np.int64)


@dataclass(frozen=True)
class Method:
    """One label model under benchmark.

    ``prepare`` converts ``L`` into what the method reads (timed apart).
    ``transductive`` methods are fitted on the fit rows stacked over the
    evaluation rows and label those (``predict_proba`` then only slices).
    ``max_votes`` caps the number of non-abstain votes a slow peer is given;
    above it the method is skipped with a note rather than run for an hour.
    ``optional`` says why the method may be absent from an install (a skip
    for a missing package is a failure otherwise). ``n_dev`` gold-labelled
    items are given to ``fit`` when it is not 0.
    """

    name: str
    library: str
    make: Callable[[int, int], Adapter]
    requires: str | None = None
    transductive: bool = False
    binary_only: bool = False
    max_votes: int | None = None
    prepare: Callable[[VoteMatrix], Any] = _as_is
    optional: str | None = None
    n_dev: int = 0

    def skip_reason(self, k: int, n_votes: int) -> str | None:
        """Why this method cannot run here (missing package, cardinality, size), or None."""
        if self.requires is not None:
            try:
                importlib.import_module(self.requires)
            except Exception as exc:  # noqa: BLE001 - any import failure means "not available"
                return f"skipped: {self.requires} does not import ({type(exc).__name__}: {exc})"
        if self.binary_only and k != 2:
            return f"skipped: {self.library} is binary-only, this dataset has {k} classes"
        if self.max_votes is not None and n_votes > self.max_votes:
            return (f"skipped: {n_votes:,} votes exceed this peer's cap of {self.max_votes:,} "
                    "(--peer-max-votes)")
        return None


# ----------------------------------------------------------------------------- wslib
class _Wslib:
    def __init__(self, cls: type, k: int, seed: int):
        self.model = cls(cardinality=k, random_state=seed)

    def fit(self, L: VoteMatrix, L_dev: VoteMatrix | None = None,
            y_dev: np.ndarray | None = None) -> "_Wslib":
        if y_dev is None:
            self.model.fit(L)
        else:
            self.model.fit(L, y_dev=y_dev, L_dev=L_dev)
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return self.model.predict_proba(L)

    def decision(self) -> dict[str, Any]:
        """The estimator a structure-reading model picked, and on what evidence."""
        model = self.model
        if not hasattr(model, "posterior_"):
            return {}
        return {"posterior": model.posterior_, "n_identified": int(model.identified_.sum()),
                "multipolar_share": float(model.multipolar_share_),
                "n_dev_trusted": int(model.dev_trust_.sum())}


def wslib_methods() -> list[Method]:
    """Every concrete label model exported by :mod:`wslib.labelmodel`."""
    import wslib.labelmodel as lm

    found = []
    for name in lm.__all__:
        cls = getattr(lm, name)
        if (inspect.isclass(cls) and issubclass(cls, lm.BaseLabelModel)
                and not inspect.isabstract(cls)):
            found.append(Method(name, "wslib",
                                lambda k, seed, cls=cls: _Wslib(cls, k, seed)))
    return found


# --------------------------------------------------------------------------- Snorkel
class _SnorkelLabelModel:
    def __init__(self, k: int, seed: int, epochs: int):
        from snorkel.labeling.model import LabelModel

        logging.getLogger("snorkel").setLevel(logging.WARNING)
        self.model = LabelModel(cardinality=k, verbose=False)
        self.seed, self.epochs = seed, epochs

    def fit(self, L: np.ndarray) -> "_SnorkelLabelModel":
        self.model.fit(L, n_epochs=self.epochs, seed=self.seed, progress_bar=False)
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(L)


class _SnorkelMajority:
    def __init__(self, k: int, seed: int):
        from snorkel.labeling.model import MajorityLabelVoter

        self.model = MajorityLabelVoter(cardinality=k)

    def fit(self, L: np.ndarray) -> "_SnorkelMajority":
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(L)


# ------------------------------------------------------------ transductive peers
class _Transductive:
    """A peer that labels the rows it is fitted on: ``fit`` keeps their soft labels
    (``proba_``), ``predict_proba`` returns them for the same rows."""

    k: int
    proba_: np.ndarray

    def _keep(self, proba: np.ndarray, rows: np.ndarray, n: int) -> None:
        """Soft labels ``proba`` of ``rows`` (of ``n``), padded to ``k`` classes and
        normalised; rows without any (the peer dropped or skipped them, or gave them no
        mass) get the uniform label."""
        full = np.zeros((n, self.k))
        full[rows, :proba.shape[1]] = proba
        total = full.sum(axis=1, keepdims=True)
        self.proba_ = np.where(total > 0, full / np.where(total > 0, total, 1.0), 1.0 / self.k)

    def predict_proba(self, X: Any) -> np.ndarray:
        n = len(X[1]) if isinstance(X, tuple) else X.shape[0]
        if n != self.proba_.shape[0]:
            raise ValueError(f"{type(self).__name__} labels only the rows it was fitted on "
                             f"(transductive): {self.proba_.shape[0]}, not {n}")
        return self.proba_


def _answer_table(L: VoteMatrix) -> tuple[Any, np.ndarray]:
    """crowd-kit's input: the long ``task / worker / label`` table of the votes, and a
    row marker of length ``n``."""
    import pandas as pd

    L = to_dense(L)
    rows, cols = np.nonzero(L >= 0)
    table = pd.DataFrame({"task": rows, "worker": cols, "label": L[rows, cols]})
    return table, np.arange(L.shape[0])


class _CrowdKit(_Transductive):
    """Fits a crowd-kit aggregator on the rows given to ``fit`` and keeps their labels."""

    def __init__(self, k: int, seed: int, name: str, **params: Any):
        from crowdkit import aggregation

        cls = getattr(aggregation, name)
        if "random_state" in inspect.signature(cls).parameters:
            params["random_state"] = seed
        self.model, self.k = cls(**params), k

    def fit(self, X: tuple[Any, np.ndarray]) -> "_CrowdKit":
        table, rows = X
        proba = self.model.fit_predict_proba(table)  # tasks without votes are absent
        proba = proba.reindex(columns=range(self.k), fill_value=0.0).fillna(0.0)
        self._keep(proba.to_numpy(dtype=np.float64), proba.index.to_numpy(), rows.size)
        return self


# --------------------------------------------------------------------------- HyperLM
@contextmanager
def _trusted_torch_load() -> Iterator[None]:
    """``torch.load`` with ``weights_only=False`` while HyperLM reads its checkpoint: a
    full pickle that ships inside the installed wheel (trusted as the package's code
    is); torch 2.6+ refuses it otherwise."""
    import torch

    original = torch.load
    torch.load = functools.partial(original, weights_only=False)
    try:
        yield
    finally:
        torch.load = original


class _HyperLM(_Transductive):
    """HyperLM on CPU. It infers the classes from the largest vote and drops trailing
    rows without votes, and its training masked every such row: it is given the rows
    with votes, missing classes are padded with zero and rows without votes get the
    uniform label."""

    def __init__(self, k: int, seed: int):
        from hyperlm import HyperLabelModel

        with _trusted_torch_load():
            self.model = HyperLabelModel(device="cpu")
        self.k = k

    def fit(self, L: np.ndarray) -> "_HyperLM":
        rows = np.flatnonzero((L >= 0).any(axis=1))
        proba = np.zeros((0, self.k))
        if rows.size:
            proba = np.asarray(self.model.infer(L[rows], return_probs=True), dtype=np.float64)
        if proba.shape[0] != rows.size:
            raise ValueError(f"HyperLM returned {proba.shape[0]} rows for {rows.size} voted ones")
        self._keep(proba, rows, L.shape[0])
        return self


# ----------------------------------------------------------------------- FlyingSquid
class _FlyingSquid:
    def __init__(self, k: int, seed: int):
        self.seed = seed

    @staticmethod
    def _signed(L: VoteMatrix) -> np.ndarray:
        L = to_dense(L)
        return np.where(L < 0, 0, np.where(L == 1, 1, -1))

    def fit(self, L: VoteMatrix) -> "_FlyingSquid":
        from flyingsquid.label_model import LabelModel

        np.random.seed(self.seed)
        self.model = LabelModel(L.shape[1])
        self.model.fit(self._signed(L))
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        p1 = np.asarray(self.model.predict_proba_marginalized(self._signed(L)), dtype=float)
        return np.column_stack([1.0 - p1, p1])


def peer_methods(max_votes: int | None = 20_000_000) -> list[Method]:
    """The peers (see the module docstring); crowd-kit's pandas engine is capped at
    ``max_votes`` non-abstain votes, GLAD, MACE and HyperLM at a tenth of that."""
    slow = None if max_votes is None else max_votes // 10
    methods = [
        Method("snorkel.LabelModel-100ep", "snorkel",
               lambda k, s: _SnorkelLabelModel(k, s, 100), requires="snorkel",
               prepare=_dense_int64),
        Method("snorkel.LabelModel-500ep", "snorkel",
               lambda k, s: _SnorkelLabelModel(k, s, 500), requires="snorkel",
               prepare=_dense_int64),
        Method("snorkel.MajorityLabelVoter", "snorkel", _SnorkelMajority, requires="snorkel",
               prepare=_dense_int64),
    ]
    for name, cap in (("DawidSkene", max_votes), ("OneCoinDawidSkene", max_votes),
                      ("GLAD", slow), ("MACE", slow)):
        methods.append(Method(f"crowdkit.{name}", "crowdkit",
                              lambda k, s, name=name: _CrowdKit(k, s, name),
                              requires="crowdkit", transductive=True, max_votes=cap,
                              prepare=_answer_table))
    methods.append(Method("hyperlm.HyperLM", "hyperlm", _HyperLM, requires="hyperlm",
                          transductive=True, max_votes=slow, prepare=_dense_int64))
    methods.append(Method("flyingsquid.LabelModel", "flyingsquid", _FlyingSquid,
                          requires="flyingsquid", binary_only=True,
                          optional="FlyingSquid does not import with numpy 2, so it is not in "
                                   "the peers extra"))
    return methods


# ---------------------------------------------------------------- dev-label methods
def _one_hot(L: VoteMatrix, k: int) -> sp.csr_matrix:
    """Votes as a sparse one-hot matrix: column ``j * k + c`` is "LF j votes c"."""
    L = to_dense(L)
    rows, cols = np.nonzero(L >= 0)
    return sp.csr_matrix((np.ones(rows.size), (rows, cols * k + L[rows, cols])),
                         shape=(L.shape[0], L.shape[1] * k))


class _LogRegDev:
    """Logistic regression (scikit-learn defaults) from one-hot votes to the gold labels
    of the dev items alone; one dev class only: that class everywhere."""

    def __init__(self, k: int, seed: int):
        self.k = k

    def fit(self, L: VoteMatrix, L_dev: VoteMatrix, y_dev: np.ndarray) -> "_LogRegDev":
        from sklearn.linear_model import LogisticRegression

        self.classes_ = np.unique(y_dev)
        self.model = None
        if self.classes_.size > 1:
            self.model = LogisticRegression(max_iter=1000).fit(_one_hot(L_dev, self.k), y_dev)
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        proba = np.zeros((L.shape[0], self.k))
        if self.model is None:
            proba[:, self.classes_[0]] = 1.0
        else:
            proba[:, self.model.classes_] = self.model.predict_proba(_one_hot(L, self.k))
        return proba


def dev_methods() -> list[Method]:
    """``LabelModel+dev100`` and ``reference.logreg-dev100`` (module docstring)."""
    from wslib.labelmodel import LabelModel

    return [Method(f"LabelModel+dev{DEV_ITEMS}", "wslib",
                   lambda k, seed: _Wslib(LabelModel, k, seed), n_dev=DEV_ITEMS),
            Method(f"reference.logreg-dev{DEV_ITEMS}", "reference", _LogRegDev,
                   n_dev=DEV_ITEMS)]


def all_methods(max_votes: int | None = 20_000_000) -> list[Method]:
    """wslib's label models, the peers, then the dev-label methods."""
    return wslib_methods() + peer_methods(max_votes) + dev_methods()


def method_groups(methods: list[Method]) -> dict[str, list[str]]:
    """Group names usable in ``--methods``: each library, and ``peers`` (all but wslib)."""
    groups: dict[str, list[str]] = {}
    for method in methods:
        groups.setdefault(method.library, []).append(method.name)
    groups["peers"] = [m.name for m in methods if m.library != "wslib"]
    return groups
