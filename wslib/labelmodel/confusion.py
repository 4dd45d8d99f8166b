r"""Dawid–Skene maths shared by the label models: EM on vote patterns and the posterior.

Plain functions on validated arrays, called by :class:`~wslib.labelmodel.DawidSkene`
(its whole fit), :class:`~wslib.labelmodel.LabelModel` (its estimate) and
:class:`~wslib.labelmodel.MatrixCompletion` (its posterior). A fit is described
by log parameters: the class prior :math:`\log \pi` ``(k,)``, the vote
log-probabilities :math:`\log P(L_j = v \mid y = c)` as ``(m, v, c)`` and the
abstain log-probabilities ``(m, c)``.

>>> import numpy as np
>>> from wslib.labelmodel.confusion import fit_confusion
>>> from wslib.vote_stats import VoteStats
>>> from wslib.datasets.synthetic import make_votes
>>> data = make_votes(2000, 6, 2, random_state=0)
>>> fit = fit_confusion(VoteStats.from_votes(data.L, 2), abstain_aware=True, smoothing=1.0,
...                     max_iter=200, tol=1e-6)
>>> fit.confusion.shape, bool(np.allclose(fit.confusion.sum(axis=2), 1.0))
((6, 2, 3), True)
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from wslib.exceptions import ConvergenceWarning, user_stacklevel
from wslib.kernels import accumulate_scores, softmax_rows
from wslib.kernels.stats import weighted_vote_counts
from wslib.vote_stats import VoteStats
from wslib.matrix import VoteMatrix

__all__ = ["ConfusionFit", "confusion_params", "confusion_posterior", "fit_confusion"]


class ConfusionFit(NamedTuple):
    """A fitted Dawid–Skene model: class prior ``(k,)``, ``confusion[j, c, v] =
    P(L_j = v | y = c)`` ``(m, k, k + 1)`` (``v = k``: abstain), each LF's accuracy
    ``P(L_j = y | L_j votes)`` ``(m,)`` and the EM iterations run."""

    class_balance: np.ndarray
    confusion: np.ndarray
    accuracy: np.ndarray
    n_iter: int


def fit_confusion(stats: VoteStats, *, abstain_aware: bool, smoothing: float, max_iter: int,
                  tol: float, device: str | None = None, class_balance: np.ndarray | None = None,
                  dev_counts: np.ndarray | None = None, name: str = "DawidSkene"
                  ) -> ConfusionFit:
    """EM for the Dawid–Skene model on the distinct vote patterns of ``stats``.

    Starts from majority-vote posteriors; stops when the mean log-likelihood per
    item improves by less than ``tol`` (else warns, naming the model ``name``,
    after ``max_iter`` iterations). ``class_balance`` fixes the class prior;
    ``dev_counts`` (gold class counts) join its estimate otherwise. ``device``:
    ``None`` for the numba kernels, else a torch device.
    """
    P, w = stats.compressed()
    k = stats.cardinality
    em = _NumbaEM(P, w) if device is None else _TorchEM(P, w, k, device)
    n = float(w.sum())
    R = em.array(majority_posteriors(P, k))
    log_prior = None if class_balance is None else \
        em.array(np.log(np.maximum(class_balance, 1e-300)))
    dev_counts = None if dev_counts is None else em.array(dev_counts)

    def m_step(R):
        return _m_step(em, R * em.w[:, None], k, log_prior, dev_counts, smoothing=smoothing,
                       abstain_aware=abstain_aware)

    prev = -np.inf
    n_iter = 0
    for it in range(1, max_iter + 1):
        R, loglik = em.e_step(*m_step(R))
        loglik /= n
        n_iter = it
        change, prev = loglik - prev, loglik
        if change < tol:
            break
    else:
        warnings.warn(f"{name} did not converge in {max_iter} "
                      f"iterations (last change in mean log-likelihood {change:.2g}, "
                      f"tol {tol:g}); raise max_iter", ConvergenceWarning,
                      stacklevel=user_stacklevel())
    log_params = (em.numpy(x) for x in m_step(R))
    return ConfusionFit(*confusion_params(*log_params, abstain_aware=abstain_aware), n_iter)


def _m_step(em: Any, Rw: Any, k: int, log_prior: Any, dev_counts: Any, *, smoothing: float,
            abstain_aware: bool) -> tuple[Any, Any, Any]:
    """MAP class prior and class-conditional vote distributions from weighted posteriors.

    Written once for NumPy arrays and torch tensors (``em.xp`` is the module).
    """
    xp = em.xp
    class_mass = Rw.sum(axis=0)
    if log_prior is None:
        counts = class_mass + 1.0 + (0.0 if dev_counts is None else dev_counts)
        log_pi = xp.log(counts / counts.sum())
    else:
        log_pi = log_prior
    voted = em.voted(Rw)  # (m, v, c)
    abstained = (class_mass[None, :] - voted.sum(axis=1)).clip(min=0.0)
    joint = xp.concatenate([voted.swapaxes(1, 2), abstained[:, :, None]], axis=2)
    s = smoothing
    marginal = joint.sum(axis=1) + 0.5  # (m, k+1) overall outcome counts, add-half
    if not abstain_aware:
        joint[:, :, k] = 0.0
        marginal[:, k] = 0.0
    ref = marginal / marginal.sum(axis=1, keepdims=True)
    pseudo = joint + s * ref[:, None, :]
    diag = list(range(k))
    pseudo[:, diag, diag] += s
    if not abstain_aware:
        pseudo[:, :, k] = 1.0  # abstain is uninformative: equal for every class
        pseudo[:, :, :k] /= pseudo[:, :, :k].sum(axis=2, keepdims=True)
        log_theta = xp.log(pseudo)
    else:
        log_theta = xp.log(pseudo) - xp.log(pseudo.sum(axis=2, keepdims=True))
        log_theta = _anchor_unipolar(xp, log_theta, voted.sum(axis=2), log_pi, k)
    return log_pi, log_theta[:, :, :k].swapaxes(1, 2), log_theta[:, :, k]


def confusion_params(log_pi: np.ndarray, log_vote: np.ndarray, log_abstain: np.ndarray, *,
                     abstain_aware: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class prior, confusion matrices ``(m, k, k + 1)`` and accuracies from log parameters.

    Without ``abstain_aware`` the abstain column of the confusion matrices is zero.
    """
    k = log_pi.shape[0]
    pi = np.exp(log_pi)
    class_balance = pi / pi.sum()
    conf = np.concatenate([np.exp(log_vote).transpose(0, 2, 1),
                           np.exp(log_abstain)[:, :, None]], axis=2)
    if not abstain_aware:
        conf[:, :, k] = 0.0
    diag = np.arange(k)
    fire = conf[:, :, :k].sum(axis=2)  # (m, k) P(vote | class)
    correct = conf[:, diag, diag] @ class_balance
    accuracy = correct / np.maximum(fire @ class_balance, 1e-300)
    return class_balance, conf, accuracy


def _anchor_unipolar(xp: Any, log_theta: Any, per_value: Any, log_pi: Any, k: int) -> Any:
    r"""Keep each unipolar LF's vote pointing at its own class (NumPy or torch).

    "LFs are better than random", stated per vote: given that LF ``j`` voted
    ``v``, class ``v`` is at least as likely as any other class,
    :math:`\pi_v \theta_{jvv} \ge \pi_c \theta_{jcv}`. EM on unipolar LFs
    with many classes can break it by *label switching*: a rare latent class
    absorbs the items one group of LFs fires on. For each unipolar LF the
    excess :math:`\theta_{jcv}` above that bound moves to abstain; the bound
    does not bind when the latent classes follow the votes.
    ``log_theta`` is ``(m, k, k + 1)``, ``per_value`` the ``(m, k)`` vote counts.
    """
    diag = list(range(k))
    cast = per_value > 0
    own = (cast.sum(axis=1) == 1)[:, None] & cast  # (m, v): the one value a unipolar LF casts
    own = own * 1.0
    theta = xp.exp(log_theta)
    votes = theta[:, :, :k]  # (m, c, v)
    pi = xp.exp(log_pi)
    on_own = (votes * own[:, None, :]).sum(axis=2)  # (m, c): P(vote own value | class c)
    bound = ((votes[:, diag, diag] * own).sum(axis=1) * (own * pi[None, :]).sum(axis=1))
    excess = (on_own - bound[:, None] / pi[None, :]).clip(min=0.0) * (1.0 - own)
    theta[:, :, :k] = votes - excess[:, :, None] * own[:, None, :]
    theta[:, :, k] = theta[:, :, k] + excess
    return xp.log(theta.clip(min=1e-300))


def confusion_posterior(L: VoteMatrix, confusion: np.ndarray, class_balance: np.ndarray, *,
                        abstain_aware: bool = True, device: str | None = None) -> np.ndarray:
    r"""Dawid–Skene posterior :math:`P(y \mid L_i) \propto \pi_c \prod_j \theta_{jcL_{ij}}`.

    ``confusion[j, c, v]`` is :math:`P(L_j = v \mid y = c)` with ``v = k`` for
    abstain (read only when ``abstain_aware``); numba on the CPU, or torch
    on ``device``.
    """
    k = class_balance.shape[0]
    conf = np.maximum(confusion, 1e-300)
    log_vote = np.log(conf[:, :, :k]).transpose(0, 2, 1)
    log_abstain = (np.log(conf[:, :, k]) if abstain_aware
                   else np.zeros((conf.shape[0], k)))
    log_pi = np.log(np.maximum(class_balance, 1e-300))
    if device is None:
        return softmax_rows(accumulate_scores(L, log_vote, log_abstain, log_pi))
    from wslib.kernels import torch_votes as tv

    return tv.posterior(L, log_vote, log_abstain, log_pi, device=device).cpu().numpy()


def majority_posteriors(P: VoteMatrix, k: int) -> np.ndarray:
    """Soft majority vote per pattern (ties split; no votes -> uniform)."""
    from wslib.kernels import row_vote_counts

    counts = row_vote_counts(P, k).astype(np.float64)
    top = counts.max(axis=1, keepdims=True)
    R = (counts == top).astype(np.float64)
    return R / R.sum(axis=1, keepdims=True)


class _NumbaEM:
    """EM kernels on the compressed patterns with NumPy arrays and the numba kernels."""

    xp = np

    def __init__(self, P: Any, w: np.ndarray) -> None:
        self.P, self.w = P, w

    @staticmethod
    def array(x: np.ndarray) -> np.ndarray:
        return x

    numpy = array

    def voted(self, Rw: np.ndarray) -> np.ndarray:
        return weighted_vote_counts(self.P, Rw)

    def e_step(self, log_pi, log_vote, log_abstain) -> tuple[np.ndarray, float]:
        """Posteriors of the patterns and their total log-likelihood (weighted by counts)."""
        scores = accumulate_scores(self.P, np.ascontiguousarray(log_vote),
                                   np.ascontiguousarray(log_abstain), log_pi)
        top = scores.max(axis=1, keepdims=True)
        loglik = float(self.w @ (top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))))
        return softmax_rows(scores), loglik


class _TorchEM:
    """The same kernels in torch on ``device``: the patterns' one-hot votes ``Z`` and
    their counts live there for the whole fit, each iteration is two products
    with ``Z``, and only the log-likelihood (a scalar) comes back."""

    def __init__(self, P: Any, w: np.ndarray, k: int, device: str) -> None:
        from wslib.device import resolve_device
        from wslib.kernels import torch_votes as tv
        from wslib.matrix import to_dense

        self.tv, self.xp = tv, tv.torch
        self.dev = resolve_device(device)
        self.k = k
        self.Z = tv.onehot(to_dense(P), k, device=self.dev)
        self.w = self.array(w)

    def array(self, x: np.ndarray):
        return self.xp.as_tensor(x, dtype=self.xp.float64, device=self.dev)

    @staticmethod
    def numpy(x) -> np.ndarray:
        return x.cpu().numpy()

    def voted(self, Rw):
        return (self.Z.T @ Rw).reshape(-1, self.k, self.k)

    def e_step(self, log_pi, log_vote, log_abstain):
        delta, start = self.tv.score_weights(log_vote, log_abstain, log_pi, device=self.dev)
        scores = self.Z @ delta + start
        lse = self.xp.logsumexp(scores, dim=1)
        return self.xp.exp(scores - lse[:, None]), float(self.w @ lse)
