"""GOGGLES-like affinity generator: cluster and prototype LFs in an embedding space."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from wslib._validation import integer, number, sequence
from wslib.autows.base import BaseGenerator
from wslib.autows.rules import PrototypeRule, Rule, normalize_rows
from wslib.autows.selection import wilson_lower_bound
from wslib.matrix import ABSTAIN

__all__ = ["PrototypeGenerator", "margin_rules"]


class PrototypeGenerator(BaseGenerator):
    r"""LFs from affinities in a feature space (GOGGLES-like), mapped to classes by a few labels.

    GOGGLES (Das et al., "GOGGLES: Automatic Image Labeling with Affinity
    Coding", SIGMOD 2020) labels images by clustering them with affinity
    functions over a pretrained network's features and maps the clusters to
    classes with a handful of labelled examples. The same idea, on any
    feature matrix (sentence embeddings, image pixels or CNN features):

    * **cluster LFs** — spherical k-means on *all* items for each size in
      ``n_clusters`` (multiples of ``k``), one LF per clustering: a cluster
      votes the majority class of its labelled members when the Wilson lower
      bound of that majority reaches ``min_cluster_purity`` (and abstains
      otherwise);
    * **centroid LFs** — the class centroids of the labelled items, voting the
      nearest class when its cosine margin over the runner-up is at least
      each value in ``margins`` (quantiles of the labelled margins);

    :func:`~wslib.autows.selection.greedy_select` keeps up to ``max_lfs``.

    .. math:: \mathrm{vote}(x) = y_{p^*}\ \text{if}\ \cos(x, c_{p^*}) \ge \tau
              \ \text{and}\ \cos(x, c_{p^*}) - \max_{p: y_p \ne y_{p^*}} \cos(x, c_p) \ge \mu

    Parameters
    ----------
    cardinality : int, optional
    max_lfs : int
    n_clusters : sequence of int
        Cluster counts as multiples of the number of classes ``k``.
    n_restarts : int
        k-means runs (different seeds) per cluster count, each one candidate LF.
    min_cluster_purity : float
        Lower bound a cluster's majority needs for the cluster to vote.
    margins : sequence of float
        Quantiles of the labelled items' centroid margins used as thresholds.
    min_accuracy : float, optional
        Precision lower bound an LF needs; default halfway between chance and 1.
    min_support : int
    n_threads : int or None
        Threads for k-means (``None``: all cores). One is fastest on a busy
        shared machine, where more threads oversubscribe the cores.
    class_names : sequence of str, optional
    random_state : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> import numpy as np
    >>> from wslib.autows import PrototypeGenerator
    >>> X, y_true = load_digits(return_X_y=True)
    >>> y = np.full_like(y_true, -1); y[:100] = y_true[:100]
    >>> L = PrototypeGenerator(cardinality=10).fit_transform(X, y)
    >>> L.shape[0]
    1797
    """

    _parameter_constraints = {"n_clusters": sequence(integer(1)), "n_restarts": integer(1),
                              "min_cluster_purity": number(0, 1),
                              "n_threads": integer(1, optional=True)}

    def __init__(self, cardinality: int | None = None, *, max_lfs: int = 12,
                 n_clusters: Sequence[int] = (2, 4, 8), n_restarts: int = 2,
                 min_cluster_purity: float = 0.5, margins: Sequence[float] = (0.0, 0.25, 0.5),
                 min_accuracy: float | None = None, min_support: int = 3,
                 n_threads: int | None = 1,
                 class_names: Sequence[str] | None = None, random_state: int = 0):
        super().__init__(cardinality, max_lfs, min_accuracy, min_support, class_names, random_state)
        self.n_threads = n_threads
        self.n_clusters = n_clusters
        self.n_restarts = n_restarts
        self.min_cluster_purity = min_cluster_purity
        self.margins = margins

    def _candidates(self, X, y_lab, labelled, k, rng) -> list[Rule]:
        Xn = normalize_rows(X)
        rules: list[Rule] = []
        for mult in self.n_clusters:
            n_clusters = min(int(mult * k), Xn.shape[0])
            for restart in range(self.n_restarts):
                seed = int(rng.integers(2**31 - 1))
                rules.append(self._cluster_rule(Xn, y_lab, labelled, k, n_clusters, seed,
                                                f"goggles_kmeans{n_clusters}_r{restart}"))
        rules += self._centroid_rules(Xn[labelled], y_lab, k)
        return rules

    def _cluster_rule(self, Xn, y_lab, labelled, k, n_clusters, seed, name) -> PrototypeRule:
        with threadpool_limits(limits=self.n_threads):
            km = KMeans(n_clusters=n_clusters, n_init=1, max_iter=50, random_state=seed).fit(Xn)
        centres = normalize_rows(km.cluster_centers_)
        assign = (Xn[labelled] @ centres.T).argmax(axis=1)
        counts = np.zeros((n_clusters, k), dtype=np.int64)
        np.add.at(counts, (assign, y_lab), 1)
        majority = counts.argmax(axis=1)
        lb = wilson_lower_bound(counts.max(axis=1), counts.sum(axis=1))
        labels = np.where(lb >= self.min_cluster_purity, majority, ABSTAIN)
        return PrototypeRule(name, prototypes=centres, labels=labels, kind="cluster")

    def _centroid_rules(self, Xl, y_lab, k) -> list[Rule]:
        centroids = np.vstack([Xl[y_lab == c].mean(axis=0) for c in range(k)])
        return margin_rules("goggles_centroid", centroids, Xl, self.margins, kind="class-centroid")


def margin_rules(prefix: str, prototypes: np.ndarray, X_lab: np.ndarray,
                 quantiles: Sequence[float], *, kind: str) -> list[Rule]:
    """One :class:`PrototypeRule` per quantile of the labelled items' margins.

    ``prototypes`` has one row per class (row ``c`` votes class ``c``); a rule
    votes the most similar class when its cosine margin over the runner-up is
    at least the ``q``-quantile of that margin on ``X_lab``.
    """
    labels = np.arange(prototypes.shape[0])
    unit = normalize_rows(prototypes)
    S = np.sort(normalize_rows(X_lab) @ unit.T, axis=1)
    margin = S[:, -1] - S[:, -2]
    return [PrototypeRule(f"{prefix}_m{int(round(q * 100))}", prototypes=prototypes,
                          labels=labels, min_margin=float(np.quantile(margin, q)), kind=kind)
            for q in quantiles]
