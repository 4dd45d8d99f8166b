r"""Losses for training on soft labels: noise-aware soft cross-entropy and the
weak-to-strong auxiliary confidence loss.

Soft cross-entropy (noise-aware, as in Snorkel and WRENCH) on label-model
probabilities :math:`\tilde p_i` with sample weights :math:`w_i`:

.. math:: \ell_{soft} = \frac{\sum_i w_i \, \big(-\sum_c \tilde p_{ic} \log q_{ic}\big)}{\sum_i w_i}

where :math:`q_i = \mathrm{softmax}(z_i)` is the student's prediction.

Auxiliary confidence loss (Burns et al., 2023, "Weak-to-Strong Generalization:
Eliciting Strong Capabilities With Weak Supervision", arXiv:2312.09390, eq. 1):
the target mixes the weak labels with the student's own *hardened* predictions

.. math:: t_i = (1 - \alpha)\,\tilde p_i + \alpha\, \hat f_t(x_i), \qquad
          \ell_{conf} = \ell_{soft}(z, t)

where :math:`\hat f_t` is one-hot on a class chosen so that, within the batch,
the hardened labels keep the weak labels' class balance
:math:`\bar p = \frac1n\sum_i \tilde p_i` (binary: the :math:`n\,\bar p_1` rows
with the largest margin :math:`z_{i1} - z_{i0}` are class 1 — the adaptive
threshold of the paper; more classes: scores shifted by per-class offsets
from Sinkhorn scaling, then rows assigned greedily, most confident first, to
classes with quota left, so the counts match exactly). The hardened targets
carry no gradient.
:math:`\alpha` rises linearly from 0 to ``coef`` over the first ``warmup``
fraction of training, then stays. This lets a strong student disagree with a
confident-but-wrong weak supervisor instead of imitating its errors.

Example
-------
>>> import torch
>>> from wslib.endmodel.losses import soft_cross_entropy
>>> z = torch.tensor([[2.0, 0.0]]); p = torch.tensor([[1.0, 0.0]])
>>> round(float(soft_cross_entropy(z, p)), 4)
0.1269
"""

from __future__ import annotations

import numba
import numpy as np

from wslib.device import require_torch

torch = require_torch()

__all__ = [
    "confidence_alpha",
    "confidence_target",
    "harden_balanced",
    "quotas",
    "soft_cross_entropy",
]


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor,
                       weight: torch.Tensor | None = None) -> torch.Tensor:
    """Weighted mean of ``-sum_c target_c log softmax(logits)_c`` over rows."""
    per_row = -(target * torch.log_softmax(logits, dim=1)).sum(dim=1)
    if weight is None:
        return per_row.mean()
    return (per_row * weight).sum() / weight.sum().clamp_min(1e-12)


def harden_balanced(logits: torch.Tensor, balance: torch.Tensor,
                    sinkhorn_iters: int = 20) -> torch.Tensor:
    """One-hot hardened predictions whose class counts follow ``balance``.

    ``balance`` (shape ``(k,)``, sums to 1) is the batch's weak class balance.
    Binary: the ``round(n * balance[1])`` rows with the largest margin are class 1
    (exact). Multi-class: log-space Sinkhorn finds per-class offsets ``b`` so
    that ``softmax(z + b)`` has column means ``balance``; then rows are
    assigned greedily by decreasing ``log softmax(z) + b`` to classes with
    quota left (:func:`quotas`), so the counts match exactly.
    """
    n, k = logits.shape
    z = logits.detach()
    out = torch.zeros_like(z)
    if k == 2:
        n_pos = int(torch.round(balance[1] * n).item())
        if n_pos > 0:
            top = torch.topk(z[:, 1] - z[:, 0], n_pos).indices
            out[top, 1] = 1.0
        out[:, 0] = 1.0 - out[:, 1]
        return out
    log_b = torch.log(balance.clamp_min(1e-8))
    offset = torch.zeros(k, dtype=z.dtype, device=z.device)
    logp = torch.log_softmax(z, dim=1)
    log_n = float(np.log(n))
    for _ in range(sinkhorn_iters):
        col = torch.logsumexp(torch.log_softmax(logp + offset, dim=1), dim=0) - log_n
        offset = offset + (log_b - col)
    scores = (logp + offset).cpu().numpy().astype(np.float64)
    labels = _assign_with_quotas(scores, quotas(balance.cpu().numpy().astype(np.float64), n))
    out[torch.arange(n, device=z.device), torch.from_numpy(labels).to(z.device)] = 1.0
    return out


def quotas(balance: np.ndarray, n: int) -> np.ndarray:
    """Integer class counts summing to ``n``, proportional to ``balance`` (largest remainders).

    >>> quotas(np.array([0.2, 0.3, 0.5]), 7).tolist()
    [1, 2, 4]
    """
    share = balance / balance.sum() * n
    q = np.floor(share).astype(np.int64)
    rest = n - int(q.sum())
    if rest > 0:
        q[np.argsort(-(share - q), kind="stable")[:rest]] += 1
    return q


@numba.njit(cache=True)
def _assign_with_quotas(scores, quota):
    """Greedy: visit (row, class) pairs by decreasing score; give a row the class if
    the row is free and the class has quota left. Every row ends up assigned."""
    n, k = scores.shape
    order = np.argsort(-scores.ravel())
    labels = np.full(n, -1, dtype=np.int64)
    left = quota.copy()
    assigned = 0
    for flat in order:
        i = flat // k
        c = flat % k
        if labels[i] < 0 and left[c] > 0:
            labels[i] = c
            left[c] -= 1
            assigned += 1
            if assigned == n:
                break
    return labels


def confidence_alpha(progress: float, coef: float, warmup: float) -> float:
    """Mixing weight alpha at ``progress`` in [0, 1] of training: linear warm-up to ``coef``.

    >>> confidence_alpha(0.1, 0.5, 0.2), confidence_alpha(0.9, 0.5, 0.2)
    (0.25, 0.5)
    """
    if warmup <= 0 or progress >= warmup:
        return float(coef)
    return float(coef) * progress / warmup


def confidence_target(logits: torch.Tensor, weak: torch.Tensor, alpha: float
                      ) -> torch.Tensor:
    """``(1 - alpha) * weak + alpha * harden_balanced(logits, mean of weak)``."""
    if alpha == 0.0:
        return weak
    hard = harden_balanced(logits, weak.mean(dim=0))
    return (1.0 - alpha) * weak + alpha * hard
