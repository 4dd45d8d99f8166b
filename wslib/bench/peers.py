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
* FlyingSquid: binary only; it does not import with numpy 2, then it is skipped.

>>> names = [m.name for m in all_methods()]
>>> "MajorityVote" in names and "snorkel.LabelModel-100ep" in names
True
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import numpy as np

from wslib.matrix import VoteMatrix, to_dense

__all__ = ["Adapter", "Method", "all_methods", "wslib_methods", "peer_methods",
           "method_groups"]


class Adapter(Protocol):
    def fit(self, L: VoteMatrix) -> "Adapter": ...

    def predict_proba(self, L: VoteMatrix) -> np.ndarray: ...


@dataclass(frozen=True)
class Method:
    """One label model under benchmark.

    ``transductive`` methods are fitted on the fit rows stacked over the
    evaluation rows and label those (``predict_proba`` then only slices).
    ``max_votes`` caps the number of non-abstain votes a slow peer is given;
    above it the method is skipped with a note rather than run for an hour.
    """

    name: str
    library: str
    make: Callable[[int, int], Adapter]
    requires: str | None = None
    transductive: bool = False
    binary_only: bool = False
    max_votes: int | None = None

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

    def fit(self, L: VoteMatrix) -> "_Wslib":
        self.model.fit(L)
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return self.model.predict_proba(L)


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

    def fit(self, L: VoteMatrix) -> "_SnorkelLabelModel":
        self.model.fit(to_dense(L).astype(np.int64), n_epochs=self.epochs, seed=self.seed,
                       progress_bar=False)
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return self.model.predict_proba(to_dense(L).astype(np.int64))


class _SnorkelMajority:
    def __init__(self, k: int, seed: int):
        from snorkel.labeling.model import MajorityLabelVoter

        self.model = MajorityLabelVoter(cardinality=k)

    def fit(self, L: VoteMatrix) -> "_SnorkelMajority":
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return self.model.predict_proba(to_dense(L).astype(np.int64))


# ------------------------------------------------------------------------- crowd-kit
class _CrowdKit:
    """Fits a crowd-kit aggregator on the rows given to ``fit`` and keeps their labels."""

    def __init__(self, k: int, seed: int, name: str, **params: Any):
        from crowdkit import aggregation

        cls = getattr(aggregation, name)
        if "random_state" in inspect.signature(cls).parameters:
            params["random_state"] = seed
        self.model, self.k = cls(**params), k

    def fit(self, L: VoteMatrix) -> "_CrowdKit":
        import pandas as pd

        L = to_dense(L)
        rows, cols = np.nonzero(L >= 0)
        table = pd.DataFrame({"task": rows, "worker": cols, "label": L[rows, cols]})
        proba = self.model.fit_predict_proba(table)
        proba = proba.reindex(index=range(L.shape[0]), columns=range(self.k), fill_value=0.0)
        proba = proba.fillna(0.0).to_numpy(dtype=np.float64)
        total = proba.sum(axis=1, keepdims=True)
        # tasks without votes are absent from crowd-kit's output: give them the uniform label
        self.proba_ = np.where(total > 0, proba / np.where(total > 0, total, 1.0), 1.0 / self.k)
        self.n_fit_ = L.shape[0]
        return self

    def predict_proba(self, L: VoteMatrix) -> np.ndarray:
        if L.shape[0] != self.n_fit_:
            raise ValueError("crowd-kit labels only the tasks it was fitted on (transductive)")
        return self.proba_


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
    ``max_votes`` non-abstain votes, GLAD and MACE at a tenth of that."""
    slow = None if max_votes is None else max_votes // 10
    methods = [
        Method("snorkel.LabelModel-100ep", "snorkel",
               lambda k, s: _SnorkelLabelModel(k, s, 100), requires="snorkel"),
        Method("snorkel.LabelModel-500ep", "snorkel",
               lambda k, s: _SnorkelLabelModel(k, s, 500), requires="snorkel"),
        Method("snorkel.MajorityLabelVoter", "snorkel", _SnorkelMajority, requires="snorkel"),
    ]
    for name, cap in (("DawidSkene", max_votes), ("OneCoinDawidSkene", max_votes),
                      ("GLAD", slow), ("MACE", slow)):
        methods.append(Method(f"crowdkit.{name}", "crowdkit",
                              lambda k, s, name=name: _CrowdKit(k, s, name),
                              requires="crowdkit", transductive=True, max_votes=cap))
    methods.append(Method("flyingsquid.LabelModel", "flyingsquid", _FlyingSquid,
                          requires="flyingsquid", binary_only=True))
    return methods


def all_methods(max_votes: int | None = 20_000_000) -> list[Method]:
    """wslib's label models followed by the peers."""
    return wslib_methods() + peer_methods(max_votes)


def method_groups(methods: list[Method]) -> dict[str, list[str]]:
    """Group names usable in ``--methods``: each library, and ``peers`` (all but wslib)."""
    groups: dict[str, list[str]] = {}
    for method in methods:
        groups.setdefault(method.library, []).append(method.name)
    groups["peers"] = [m.name for m in methods if m.library != "wslib"]
    return groups
