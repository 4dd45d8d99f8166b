"""The labeling rules AutoWS generates: small, inspectable functions of a feature matrix.

Every rule maps a feature matrix ``X`` (n_items x n_features, dense or CSR)
to one vote per item (a class id, or ``-1`` to abstain) with vectorised
numpy, prints as a readable rule (``str(rule)``) and as Python code
(:meth:`Rule.to_code`), and becomes an ordinary wslib labeling function with
:func:`wslib.autows.to_lfs`.

* :class:`ThresholdRule` — a decision stump ``x[f] > t -> c`` (Snuba, D = 1).
* :class:`KeywordRule` — a stump on a term-count column: ``"free" in text -> spam``.
* :class:`LinearRule` — a small logistic regression on a few features that
  votes its arg-max class only when its confidence clears an abstain band
  (Snuba, D >= 2).
* :class:`PrototypeRule` — nearest prototype by cosine similarity (class
  centroids, cluster centres, labelled examples, or class-description
  embeddings), voting only above a similarity and margin threshold
  (GOGGLES-like affinity and zero-shot LFs).

>>> import numpy as np
>>> from wslib.autows.rules import ThresholdRule
>>> rule = ThresholdRule("stump", feature=0, threshold=0.5, label=1)
>>> rule.votes(np.array([[0.2], [0.9]]))
array([-1,  1], dtype=int32)
>>> print(rule)
stump: x[0] > 0.5 -> 1
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from wslib.matrix import ABSTAIN

__all__ = ["Rule", "ThresholdRule", "KeywordRule", "LinearRule", "PrototypeRule",
           "normalize_rows"]


def normalize_rows(X: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Dense float32 copy of ``X`` with unit-L2 rows (all-zero rows stay zero)."""
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    dense = dense.astype(np.float32, copy=True)
    norms = np.sqrt(np.einsum("ij,ij->i", dense, dense))
    np.divide(dense, norms[:, None], out=dense, where=norms[:, None] > 0)
    return dense


def _column(X: np.ndarray | sp.spmatrix, feature: int) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X[:, feature].toarray()).ravel()
    return X[:, feature]


def _label_text(label: int, class_names: Sequence[str] | None) -> str:
    return f"{label} ({class_names[label]})" if class_names else str(label)


class Rule(ABC):
    """A generated labeling rule over a feature matrix; see the module docstring."""

    name: str

    @abstractmethod
    def votes(self, X: np.ndarray | sp.spmatrix) -> np.ndarray:
        """One vote per row of ``X`` (int32, ``-1`` = abstain)."""

    @abstractmethod
    def describe(self, class_names: Sequence[str] | None = None) -> str:
        """The rule in one human-readable line."""

    @abstractmethod
    def to_code(self) -> str:
        """A Python function ``def <name>(x): ...`` over one feature vector ``x``."""

    def __call__(self, X: np.ndarray | sp.spmatrix) -> np.ndarray:
        return self.votes(X)

    def __str__(self) -> str:
        return f"{self.name}: {self.describe()}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"


class ThresholdRule(Rule):
    """Vote ``label`` where ``x[feature] > threshold`` (or ``<=`` when ``above=False``).

    Parameters
    ----------
    name : str
    feature : int
        Column of the feature matrix.
    threshold : float
    label : int
        Class voted for on the selected side; the other side abstains.
    above : bool
        Which side of the threshold votes.
    feature_name : str, optional
        Printed instead of ``x[feature]``.
    """

    def __init__(self, name: str, *, feature: int, threshold: float, label: int,
                 above: bool = True, feature_name: str | None = None):
        self.name = name
        self.feature = int(feature)
        self.threshold = float(threshold)
        self.label = int(label)
        self.above = bool(above)
        self.feature_name = feature_name

    def votes(self, X):
        col = _column(X, self.feature)
        hit = col > self.threshold if self.above else col <= self.threshold
        return np.where(hit, self.label, ABSTAIN).astype(np.int32)

    def _lhs(self) -> str:
        return self.feature_name or f"x[{self.feature}]"

    def describe(self, class_names=None):
        op = ">" if self.above else "<="
        return f"{self._lhs()} {op} {self.threshold:.4g} -> {_label_text(self.label, class_names)}"

    def to_code(self):
        op = ">" if self.above else "<="
        return (f"def {self.name}(x):\n"
                f"    return {self.label} if x[{self.feature}] {op} {self.threshold!r} else -1\n")


class KeywordRule(ThresholdRule):
    """Vote ``label`` where the term in column ``feature`` of a term-count matrix occurs.

    >>> import scipy.sparse as sp
    >>> KeywordRule("kw_free", feature=0, term="free", label=1).votes(
    ...     sp.csr_matrix([[0], [2]]))
    array([-1,  1], dtype=int32)
    """

    def __init__(self, name: str, *, feature: int, term: str, label: int):
        super().__init__(name, feature=feature, threshold=0.0, label=label, above=True,
                         feature_name=term)
        self.term = term

    def describe(self, class_names=None):
        return f"{self.term!r} in text -> {_label_text(self.label, class_names)}"

    def to_code(self):
        return (f"def {self.name}(tokens):\n"
                f"    return {self.label} if {self.term!r} in tokens else -1\n")


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class LinearRule(Rule):
    """A logistic regression on a few features with an abstain band.

    .. math:: p = \\mathrm{softmax}(W x_S + b), \\quad
              \\mathrm{vote} = \\arg\\max_c p_c \\text{ if } \\max_c p_c \\ge \\beta
              \\text{ else abstain}

    With ``label`` set, the rule is one-class: it votes ``label`` where
    :math:`p_{label} \\ge \\beta` and abstains elsewhere.

    Parameters
    ----------
    name : str
    features : sequence of int
        The feature subset ``S``.
    coef : array (k, |S|), intercept : array (k,)
        Multinomial logits of classes ``0..k-1``.
    confidence : float
        The abstain band ``beta``.
    label : int, optional
        Make the rule one-class (see above).
    """

    def __init__(self, name: str, *, features: Sequence[int], coef: np.ndarray,
                 intercept: np.ndarray, confidence: float, label: int | None = None):
        self.name = name
        self.features = np.asarray(features, dtype=np.int64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.confidence = float(confidence)
        self.label = None if label is None else int(label)

    def proba(self, X) -> np.ndarray:
        sub = X[:, self.features]
        sub = sub.toarray() if sp.issparse(sub) else sub
        return _softmax(sub @ self.coef.T + self.intercept)

    def votes(self, X):
        p = self.proba(X)
        if self.label is not None:
            return np.where(p[:, self.label] >= self.confidence, self.label,
                            ABSTAIN).astype(np.int32)
        return np.where(p.max(axis=1) >= self.confidence, p.argmax(axis=1),
                        ABSTAIN).astype(np.int32)

    def describe(self, class_names=None):
        cols = ", ".join(f"x[{f}]" for f in self.features)
        if self.label is not None:
            return (f"p[{self.label}] of softmax(W [{cols}] + b) >= {self.confidence:.3g} -> "
                    f"{_label_text(self.label, class_names)}")
        return f"argmax softmax(W [{cols}] + b) if confidence >= {self.confidence:.3g}"

    def to_code(self):
        pick = (f"{self.label} if p[{self.label}] >= {self.confidence!r}" if self.label is not None
                else f"int(p.argmax()) if p.max() >= {self.confidence!r}")
        return (f"def {self.name}(x):\n"
                f"    import numpy as np\n"
                f"    z = np.array({self.coef.tolist()!r}) @ x[{self.features.tolist()!r}]"
                f" + np.array({self.intercept.tolist()!r})\n"
                f"    p = np.exp(z - z.max()); p /= p.sum()\n"
                f"    return {pick} else -1\n")


class PrototypeRule(Rule):
    """Nearest prototype by cosine similarity, voting only when close and unambiguous.

    .. math:: s_p(x) = \\frac{x \\cdot c_p}{\\|x\\| \\|c_p\\|}, \\quad
              p^* = \\arg\\max_p s_p(x)

    The rule votes ``labels[p*]`` when ``s_{p*} >= min_similarity`` and the
    best similarity to any prototype with another label is at least
    ``min_margin`` lower. Prototypes with label ``-1`` (e.g. clusters with no
    reliable class) make the rule abstain on the items nearest to them.

    Parameters
    ----------
    name : str
    prototypes : array (p, n_features)
    labels : array (p,) of int, ``-1`` allowed
    min_similarity, min_margin : float
    kind : str
        What the prototypes are (``centroid``, ``cluster``, ``example``,
        ``description``); printed in the description.
    """

    def __init__(self, name: str, *, prototypes: np.ndarray, labels: Sequence[int],
                 min_similarity: float = -1.0, min_margin: float = 0.0, kind: str = "prototype"):
        self.name = name
        self.prototypes = normalize_rows(prototypes)
        self.labels = np.asarray(labels, dtype=np.int32)
        self.min_similarity = float(min_similarity)
        self.min_margin = float(min_margin)
        self.kind = kind
        order = np.argsort(self.labels, kind="stable")
        self._order = order
        sorted_labels = self.labels[order]
        self._starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
        self._group_labels = sorted_labels[self._starts]

    def votes(self, X, *, normalized: bool = False):
        Xn = X if normalized else normalize_rows(X)
        return self.votes_from_similarity(Xn @ self.prototypes.T)

    def votes_from_similarity(self, S: np.ndarray) -> np.ndarray:
        """Votes from a precomputed similarity matrix ``S`` (n_items x n_prototypes)."""
        group_best = np.maximum.reduceat(S[:, self._order], self._starts, axis=1)
        if group_best.shape[1] > 1:
            top2 = np.partition(group_best, group_best.shape[1] - 2, axis=1)[:, -2:]
            best, second = top2[:, 1], top2[:, 0]
        else:
            best, second = group_best[:, 0], np.full(S.shape[0], -np.inf)
        winner = self._group_labels[group_best.argmax(axis=1)]
        ok = (best >= self.min_similarity) & (best - second >= self.min_margin)
        return np.where(ok, winner, ABSTAIN).astype(np.int32)

    def describe(self, class_names=None):
        labelled = self.labels[self.labels >= 0]
        classes = sorted({_label_text(int(c), class_names) for c in labelled})
        return (f"nearest of {len(self.labels)} {self.kind} prototypes "
                f"({len(labelled)} mapped to classes {classes}) if cosine >= "
                f"{self.min_similarity:.3g} and margin >= {self.min_margin:.3g}")

    def to_code(self):
        return (f"def {self.name}(x, prototypes, labels):  # prototypes: {self.prototypes.shape}\n"
                f"    import numpy as np\n"
                f"    s = prototypes @ (x / np.linalg.norm(x))\n"
                f"    best = int(s.argmax()); other = s[labels != labels[best]]\n"
                f"    margin = s[best] - (other.max() if other.size else -np.inf)\n"
                f"    ok = s[best] >= {self.min_similarity!r} and margin >= {self.min_margin!r}\n"
                f"    return int(labels[best]) if ok else -1\n")
