"""Matrix completion: Snorkel-style moment matching on the LF overlap matrix, multi-class."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from wslib._validation import check_above_chance, integer, number
from wslib.labelmodel.base import BaseLabelModel
from wslib.labelmodel.confusion import confusion_params, confusion_posterior
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats
from wslib.matrix import VoteMatrix

__all__ = ["MatrixCompletion"]

#: Largest ``m * k`` whose dense overlap matrix (``(m k)^2`` floats) is built.
MAX_CELLS = 6000


class MatrixCompletion(BaseLabelModel):
    r"""Fit class-conditional vote probabilities to the LFs' overlap matrix (Snorkel's method).

    With :math:`\psi_i \in \{0,1\}^{mk}` the indicators :math:`[L_{ij} = v]`,
    conditional independence of the LFs given the class means that every
    off-diagonal block of the overlap matrix is low rank:

    .. math::

        O = \mathbb{E}[\psi \psi^\top], \qquad
        O_{(j,v),(l,v')} = \sum_c \pi_c \, \mu_{jvc} \, \mu_{lv'c} \quad (j \ne l), \qquad
        \mu_{jvc} = P(L_j = v \mid y = c)

    ``MatrixCompletion`` finds :math:`\mu` by minimising the squared error on
    those blocks plus the first moments :math:`\mathbb{E}[\psi_{jv}] = \sum_c \pi_c \mu_{jvc}`,
    with Adam from an initialisation where every LF is right with probability
    ``init_accuracy`` when it votes (which picks the label-consistent one of the
    symmetric solutions), then projects :math:`\mu` onto valid probabilities.
    :math:`P(L_j = -1 \mid y = c) = 1 - \sum_v \mu_{jvc}`, so abstains are
    class-dependent, as in Snorkel. Predictions are the conditionally
    independent posterior of :class:`DawidSkene` with these parameters.

    Ratner, Hancock, Dunnmon, Sala, Pandey & Ré (2019). Training complex models
    with multi-task weak supervision. *AAAI*. The overlap matrix is built from
    the distinct vote patterns (:class:`VoteStats`), a sparse ``patterns x mk``
    indicator matrix, never a dense ``n x mk`` one-hot; it is dense ``mk x mk``,
    so ``m * k`` is limited to ``MAX_CELLS``.

    Parameters
    ----------
    cardinality, random_state
        As for every label model (:class:`~wslib.labelmodel.BaseLabelModel`). The fit is deterministic.
    init_accuracy : float
        Accuracy every LF starts from (Snorkel's ``prec_init``).
    n_steps : int
        Adam steps.
    learning_rate : float
        Adam step size.
    max_patterns : int
        Distinct multi-vote patterns kept (see :class:`VoteStats`).

    Attributes
    ----------
    class_balance_ : ndarray (k,)
        ``class_balance`` passed to ``fit``, else the class shares of gold ``y_dev``
        (add-one smoothed), else uniform (as Snorkel).
    confusion_ : ndarray (m, k, k + 1)
        ``P(L_j = v | y = c)``; the last column is abstain.
    accuracy_ : ndarray (m,)

    Examples
    --------
    >>> from wslib.datasets.synthetic import make_votes
    >>> from wslib.labelmodel import MatrixCompletion
    >>> data = make_votes(3000, 10, 3, coverage=(0.3, 0.8), random_state=0)
    >>> bool(MatrixCompletion().fit(data.L).score(data.L, data.y) > 0.9)
    True
    """

    _learned = ("class_balance_", "confusion_", "accuracy_")
    _per_source = ("confusion_", "accuracy_")
    _min_sources = 3
    _parameter_constraints = {"init_accuracy": number(0, 1, open_low=True, open_high=True),
                              "n_steps": integer(1), "learning_rate": number(0, open_low=True),
                              "max_patterns": integer(1)}
    permutation_invariant = True

    def __init__(self, cardinality: int | None = None, random_state: int = 0, *,
                 init_accuracy: float = 0.7, n_steps: int = 300, learning_rate: float = 0.01,
                 max_patterns: int = DEFAULT_CAPACITY):
        super().__init__(cardinality=cardinality, random_state=random_state)
        self.init_accuracy = init_accuracy
        self.n_steps = n_steps
        self.learning_rate = learning_rate
        self.max_patterns = max_patterns

    def _fit(self, L: VoteMatrix, k: int, *, class_balance, y_dev, L_dev) -> None:
        m = L.shape[1]
        if m * k > MAX_CELLS:
            raise ValueError(f"MatrixCompletion builds a dense ({m * k})^2 overlap matrix for "
                             f"{m} LFs x {k} classes (limit {MAX_CELLS} cells); use LabelModel")
        check_above_chance("init_accuracy", self.init_accuracy, k)
        P, w = VoteStats._from_checked(L, k, self.max_patterns).compressed()
        pi = self._prior(k, class_balance, y_dev)
        first, overlap = _moments(P, w, m, k)
        # small matrix products: one BLAS thread avoids fighting numba's worker threads
        with threadpool_limits(1, user_api="blas"):
            mu = self._solve(first, overlap, pi, m, k)
        vote = mu.reshape(m, k, k)  # (j, v, c)
        abstain = np.clip(1.0 - vote.sum(axis=1), 1e-6, 1.0)
        log_vote = np.log(np.clip(vote, 1e-6, 1.0))
        with np.errstate(divide="ignore"):  # a class of prior 0 gets -inf: never chosen
            self.class_balance_, self.confusion_, self.accuracy_ = confusion_params(
                np.log(pi), log_vote, np.log(abstain))

    def _predict_proba(self, L: VoteMatrix) -> np.ndarray:
        return confusion_posterior(L, self.confusion_, self.class_balance_)

    def _solve(self, first, overlap, pi, m, k) -> np.ndarray:
        """Adam on the moment-matching loss; returns ``mu`` of shape ``(m k, k)``."""
        cover = first.reshape(m, k).sum(axis=1)
        a = self.init_accuracy
        base = np.where(np.eye(k, dtype=bool), a, (1 - a) / (k - 1))  # (v, c)
        mu = (cover[:, None, None] * base[None]).reshape(m * k, k)
        lf = np.repeat(np.arange(m), k)
        off = overlap * (lf[:, None] != lf[None, :])  # only cross-LF blocks are low rank
        scale = 1.0 / max(float(np.abs(off).max()), 1e-12)
        g_mom = np.zeros_like(mu)
        g_sq = np.zeros_like(mu)
        b1, b2, eps = 0.9, 0.999, 1e-8
        for t in range(1, self.n_steps + 1):
            # gradient of ||offdiag(mu Pi mu^T) - off||^2 without forming the (mk)^2 product:
            # offdiag(mu Pi mu^T) @ mu Pi = mu Pi (mu^T mu Pi) - blockdiag(...) @ mu Pi
            mp = mu * pi
            blocks = mu.reshape(m, k, k)
            blocks_pi = blocks * pi
            own = (blocks_pi @ blocks.transpose(0, 2, 1) @ blocks_pi).reshape(m * k, k)
            resid_mp = mp @ (mu.T @ mp) - own - off @ mp
            resid_first = mu @ pi - first
            grad = scale * (4.0 * resid_mp + 2.0 * np.outer(resid_first, pi))
            g_mom = b1 * g_mom + (1 - b1) * grad
            g_sq = b2 * g_sq + (1 - b2) * grad * grad
            step = self.learning_rate * (g_mom / (1 - b1**t)) / (np.sqrt(g_sq / (1 - b2**t)) + eps)
            mu = np.clip(mu - step * cover[lf][:, None], 0.0, 1.0)
        return mu


def _moments(P: sp.csr_matrix, w: np.ndarray, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """First moments ``E[psi]`` (m k,) and overlap ``E[psi psi^T]`` (m k, m k) from patterns."""
    cols = P.indices.astype(np.int64) * k + P.data.astype(np.int64)
    psi = sp.csr_matrix((np.ones(P.nnz), cols, P.indptr), shape=(P.shape[0], m * k))
    n = w.sum()
    first = np.asarray(psi.T @ w).ravel() / n
    overlap = (psi.T @ sp.diags(w / n) @ psi).toarray()
    return first, overlap
