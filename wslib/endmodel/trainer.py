"""The training loop behind :class:`~wslib.endmodel.EndModel`, on validated arrays.

:func:`train_head` runs mini-batch AdamW on soft targets (optionally mixed with
the student's hardened predictions, see :mod:`wslib.endmodel.losses`), scores
a validation set after every epoch and keeps the best epoch's weights
(early stopping with ``patience``). Inputs are trusted: the estimator
validates them once. Features may be a dense ``float32`` array (moved to the
device once) or a CSR matrix (each mini-batch becomes a sparse COO tensor).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from wslib.device import require_torch
from wslib.endmodel.heads import make_head
from wslib.endmodel.losses import confidence_alpha, confidence_target, soft_cross_entropy
from wslib.metrics import score_predictions

torch = require_torch()

__all__ = ["Features", "TrainResult", "predict_logits", "torch_threads", "train_head"]


@contextmanager
def torch_threads(n_threads: int | None):
    """Run the block with ``n_threads`` intra-op torch threads, then restore the setting.

    Small heads gain nothing from several threads, and on a busy machine
    (more runnable processes than cores) multi-threaded kernels can be ten
    times slower than one thread; ``None`` leaves torch's setting alone.
    """
    before = torch.get_num_threads()
    if n_threads is not None:
        torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Features:
    """A feature matrix (dense or CSR) that yields torch mini-batches on a device.

    CSR input must be in canonical format (sorted, no duplicates), which
    :func:`~wslib._validation.check_features` ensures; its row slices
    are then coalesced COO tensors.
    """

    def __init__(self, X: np.ndarray | sp.csr_matrix, device: torch.device):
        self.device = device
        self.sparse = sp.issparse(X)
        self.shape = X.shape
        self.X = X if self.sparse else torch.from_numpy(X).to(device)

    def __len__(self) -> int:
        return int(self.shape[0])

    def batch(self, idx: np.ndarray) -> torch.Tensor:
        if not self.sparse:
            return self.X[torch.from_numpy(idx).to(self.device)]
        coo = self.X[idx].tocoo()
        indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
        return torch.sparse_coo_tensor(indices, torch.from_numpy(coo.data),
                                       (len(idx), self.shape[1]), is_coalesced=True,
                                       check_invariants=False).to(self.device)


@dataclass
class TrainResult:
    """The fitted head and what happened while training it."""

    head: Any
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)


def predict_logits(head: Any, feats: Features, batch_size: int = 2048) -> np.ndarray:
    """Logits of ``head`` on every row of ``feats`` (evaluation mode, no gradient)."""
    head.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(feats), batch_size):
            idx = np.arange(start, min(start + batch_size, len(feats)))
            out.append(head(feats.batch(idx)).float().cpu().numpy())
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(out)


def _val_score(head: Any, val: Features, val_target: np.ndarray, metric: str) -> float:
    """Higher is better: a gold metric, or minus the soft cross-entropy on held-out rows."""
    logits = predict_logits(head, val)
    if val_target.ndim == 1:
        return score_predictions(val_target, logits.argmax(axis=1), metric=metric,
                                 cardinality=logits.shape[1])
    logp = logits - logits.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
    return float((val_target * logp).sum(axis=1).mean())


def train_head(X: np.ndarray | sp.csr_matrix, target: np.ndarray, weight: np.ndarray, *,
               X_val: np.ndarray | sp.csr_matrix | None, val_target: np.ndarray | None,
               val_metric: str, head: str, hidden: int, dropout: float, lr: float,
               weight_decay: float, batch_size: int, max_epochs: int, patience: int,
               confidence_coef: float, confidence_warmup: float, device: torch.device,
               seed: int, on_epoch: Callable[[dict[str, float], bool], None] | None = None
               ) -> TrainResult:
    """Train a head on soft ``target`` rows (shape ``(n, k)``) with row ``weight``.

    ``val_target`` is 1-D gold labels (scored with ``val_metric``) or 2-D soft
    labels (scored by minus soft cross-entropy). With the confidence loss on,
    only epochs after the warm-up compete for "best", so early stopping cannot
    undo the auxiliary loss by stopping before it acts. ``on_epoch(entry, best)``,
    when given, hears of every epoch's history entry and whether it is the best so far.
    """
    generator = torch.Generator().manual_seed(int(seed))
    rng = np.random.default_rng(seed)
    n, k = target.shape
    model = make_head(head, X.shape[1], k, generator=generator, hidden=hidden,
                      dropout=dropout).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    feats = Features(X, device)
    val = None if X_val is None else Features(X_val, device)
    target_t = torch.from_numpy(target.astype(np.float32)).to(device)
    weight_t = torch.from_numpy(weight.astype(np.float32)).to(device)
    n_batches = max(1, -(-n // batch_size))
    total_steps = max_epochs * n_batches
    first_eligible = int(np.ceil(confidence_warmup * max_epochs)) if confidence_coef > 0 else 0
    best_score, best_epoch, best_state, waited = -np.inf, -1, None, 0
    history: list[dict[str, float]] = []
    step = 0
    for epoch in range(max_epochs):
        model.train()
        order = rng.permutation(n)
        total = 0.0
        for b in range(n_batches):
            idx = order[b * batch_size:(b + 1) * batch_size]
            idx_t = torch.from_numpy(idx).to(device)
            logits = model(feats.batch(idx))
            alpha = confidence_alpha(step / total_steps, confidence_coef, confidence_warmup)
            goal = confidence_target(logits, target_t[idx_t], alpha)
            loss = soft_cross_entropy(logits, goal, weight_t[idx_t])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(idx)
            step += 1
        entry = {"epoch": epoch, "train_loss": total / n, "alpha": alpha}
        if not np.isfinite(entry["train_loss"]):  # every later step would be NaN as well
            raise FloatingPointError(f"end-model training diverged: the training loss is "
                                     f"{entry['train_loss']} in epoch {epoch + 1} (lr={lr:g}); "
                                     "lower lr")
        improved = False
        if val is not None:
            entry["val_score"] = _val_score(model, val, val_target, val_metric)
            if epoch >= first_eligible:
                improved = entry["val_score"] > best_score + 1e-9
                if improved:
                    best_score, best_epoch, waited = entry["val_score"], epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
        history.append(entry)
        if on_epoch is not None:
            on_epoch(entry, improved)
        if val is not None and waited >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = len(history) - 1
    model.eval()
    return TrainResult(model, best_epoch, history)
