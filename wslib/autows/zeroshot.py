"""Zero-shot labels and LFs: similarity between items and class descriptions in one embedding space."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score

from wslib._validation import CheckedParams, check_params, number
from wslib._validation import check_features
from wslib.autows.base import BaseGenerator
from wslib.autows.prototype import margin_rules
from wslib.autows.rules import Rule, normalize_rows
from wslib.exceptions import NotFittedError
from wslib.metrics import check_labels

__all__ = ["ZeroShotClassifier", "ZeroShotGenerator"]


def _check_class_embeddings(class_embeddings: Any, n_features: int) -> np.ndarray:
    E = check_features(class_embeddings, name="class_embeddings", allow_sparse=False)
    if E.shape[0] < 2:
        raise ValueError(f"class_embeddings has {E.shape[0]} row; give one per class (k >= 2)")
    if E.shape[1] != n_features:
        raise ValueError(f"class_embeddings has {E.shape[1]} dimensions but X has {n_features}; "
                         "embed the class descriptions with the same encoder as the items")
    return E


class ZeroShotClassifier(CheckedParams, ClassifierMixin, BaseEstimator):
    r"""Label items by cosine similarity to embedded class descriptions; needs no labels.

    .. math:: P(y = c \mid x) = \mathrm{softmax}_c\big(\cos(x, e_c) / T\big)

    where ``e_c`` embeds a description of class ``c`` (e.g. ``"spam: an
    advertisement or a request to subscribe"``) with the same encoder as the
    items. ``fit`` only checks shapes: the model learns nothing from data.

    Parameters
    ----------
    class_embeddings : array (k, n_features)
    temperature : float
        Softmax temperature ``T`` of :meth:`predict_proba`.

    Examples
    --------
    >>> import numpy as np
    >>> from wslib.autows import ZeroShotClassifier
    >>> zs = ZeroShotClassifier(np.eye(2)).fit(np.array([[1.0, 0.1], [0.2, 1.0]]))
    >>> zs.predict(np.array([[0.9, 0.0], [0.0, 0.3]]))
    array([0, 1])
    """

    _parameter_constraints = {"temperature": number(0, open_low=True)}

    def __init__(self, class_embeddings: Any, temperature: float = 0.05):
        self.class_embeddings = class_embeddings
        self.temperature = temperature

    def fit(self, X: Any, y: Any = None) -> "ZeroShotClassifier":
        """Validate the class embeddings against ``X``'s width; ``y`` is ignored."""
        check_params(self)
        X = check_features(X, allow_sparse=False)
        E = _check_class_embeddings(self.class_embeddings, X.shape[1])
        self.prototypes_ = normalize_rows(E)
        self.classes_ = np.arange(E.shape[0])
        self.n_features_in_ = X.shape[1]
        return self

    def similarity(self, X: Any) -> np.ndarray:
        """Cosine similarity of every item to every class description, (n_items, k)."""
        if not hasattr(self, "prototypes_"):
            raise NotFittedError("this ZeroShotClassifier is not fitted yet; call fit(X)")
        X = check_features(X, n_columns=self.n_features_in_, allow_sparse=False,
                           model="the generator")
        return normalize_rows(X) @ self.prototypes_.T

    def predict_proba(self, X: Any) -> np.ndarray:
        z = self.similarity(X).astype(np.float64) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        return self.similarity(X).argmax(axis=1)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of :meth:`predict` against gold ``y`` (classes ``0..k-1``), the rows
        weighted by ``sample_weight`` when given (as scikit-learn's ``accuracy_score``)."""
        pred = self.predict(X)  # checks that the model is fitted
        y = check_labels(y, n=pred.shape[0], cardinality=len(self.classes_))
        return float(accuracy_score(y, pred, sample_weight=sample_weight))


class ZeroShotGenerator(BaseGenerator):
    r"""Zero-shot LFs: the nearest class description votes when its margin is large enough.

    Each candidate is a :class:`~wslib.autows.rules.PrototypeRule` over the
    class-description embeddings that votes

    .. math:: \arg\max_c \cos(x, e_c) \quad \text{if} \quad
              \cos(x, e_{(1)}) - \cos(x, e_{(2)}) \ge \mu

    for margins ``mu`` at the ``margins`` quantiles of the labelled items'
    margins; the labelled items only pick the abstain band (and let
    :func:`~wslib.autows.selection.greedy_select` drop a description that is
    no better than chance).

    Parameters
    ----------
    class_embeddings : array (k, n_features)
        Embedded descriptions of classes ``0..k-1``.
    cardinality, max_lfs, margins, min_accuracy, min_support, class_names, random_state
        As in :class:`~wslib.autows.PrototypeGenerator`.

    Examples
    --------
    >>> import numpy as np
    >>> from wslib.autows import ZeroShotGenerator
    >>> X = np.array([[1.0, 0.1], [0.9, 0.3], [0.1, 1.0], [0.2, 0.8], [0.7, 0.6]])
    >>> gen = ZeroShotGenerator(np.eye(2), min_support=1, min_accuracy=0.0)
    >>> gen.fit(X, [0, 0, 1, 1, -1]).transform(X)[:, 0]
    array([ 0,  0,  1,  1, -1], dtype=int8)
    """

    def __init__(self, class_embeddings: Any, cardinality: int | None = None, *,
                 max_lfs: int = 2, margins: Sequence[float] = (0.0, 0.25, 0.5),
                 min_accuracy: float | None = None, min_support: int = 3,
                 class_names: Sequence[str] | None = None, random_state: int = 0):
        super().__init__(cardinality, max_lfs, min_accuracy, min_support, class_names, random_state)
        self.class_embeddings = class_embeddings
        self.margins = margins

    def _candidates(self, X, y_lab, labelled, k, rng) -> list[Rule]:
        E = _check_class_embeddings(self.class_embeddings, X.shape[1])
        if E.shape[0] != k:
            raise ValueError(f"class_embeddings has {E.shape[0]} rows but there are {k} classes")
        return margin_rules("zeroshot", E, X[labelled], self.margins, kind="class-description")
