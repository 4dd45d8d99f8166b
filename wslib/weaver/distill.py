"""Distillation: train one small scorer on Weaver's scores, so that inference needs
no verifier ensemble.

Weaver needs every verifier's score on every candidate. Once fitted, its
posterior P(correct) is a soft label for each candidate; a small network on
cheap candidate features (a sentence embedding of the answer, a few cheap
verifier scores, ...) trained to reproduce it with a soft binary cross-entropy

.. math:: \\mathcal{L} = -\\frac{1}{n} \\sum_c q_c \\log \\sigma(f(x_c))
          + (1 - q_c) \\log (1 - \\sigma(f(x_c)))

then ranks new candidates alone. The Weaver paper distils into a cross-encoder
on the text; this helper trains an MLP on any feature matrix (torch, ``device=``).

Example
-------
>>> import numpy as np
>>> from wslib.weaver.distill import DistilledScorer
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(2000, 5))
>>> q = 1 / (1 + np.exp(-(2 * X[:, 0] - X[:, 1])))      # a teacher's P(correct)
>>> scorer = DistilledScorer(hidden=8, epochs=5, lr=0.02, random_state=0).fit(X, q)
>>> float(np.corrcoef(scorer.decision_function(X), 2 * X[:, 0] - X[:, 1])[0, 1]) > 0.95
True
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from wslib.device import resolve_device
from wslib.exceptions import NotFittedError

__all__ = ["DistilledScorer"]


class DistilledScorer(BaseEstimator):
    """An MLP trained on soft labels P(correct) from Weaver.

    Parameters
    ----------
    hidden : int
        Width of the hidden layer (0: a linear scorer).
    epochs, batch_size, lr, weight_decay :
        Adam training schedule.
    device : str
        Torch device (``"cpu"``, ``"cuda"``, ...).
    random_state : int
        Seed of the initialisation and of the batch order.
    """

    def __init__(self, hidden: int = 64, epochs: int = 20, batch_size: int = 512,
                 lr: float = 1e-3, weight_decay: float = 1e-4, device: str = "cpu",
                 random_state: int = 0):
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state

    def fit(self, X: np.ndarray, target: np.ndarray) -> DistilledScorer:
        """Train on features ``X`` (n x d) and teacher probabilities ``target`` (n,)."""
        import torch

        device = resolve_device(self.device)  # an absent device raises DeviceUnavailableError
        X = self._check_X(X)
        target = np.asarray(target, dtype=np.float32)
        if target.shape != (X.shape[0],):
            raise ValueError(f"target has shape {target.shape}, expected ({X.shape[0]},)")
        if not np.all((target >= 0) & (target <= 1)):
            raise ValueError("target must hold probabilities in [0, 1] (e.g. "
                             "Weaver.predict_proba(table)[:, 1])")
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0).astype(np.float32)
        torch.manual_seed(self.random_state)
        gen = torch.Generator().manual_seed(self.random_state)
        d = X.shape[1]
        layers = ([torch.nn.Linear(d, self.hidden), torch.nn.ReLU(),
                   torch.nn.Linear(self.hidden, 1)] if self.hidden else [torch.nn.Linear(d, 1)])
        self.net_ = torch.nn.Sequential(*layers).to(device)
        self.device_ = device
        xt = torch.as_tensor((X - self.mean_) / self.scale_, device=device)
        yt = torch.as_tensor(target, device=device)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr,
                               weight_decay=self.weight_decay)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        self.loss_curve_ = []
        for _ in range(self.epochs):
            order = torch.randperm(xt.shape[0], generator=gen).to(device)
            total = 0.0
            for start in range(0, xt.shape[0], self.batch_size):
                idx = order[start:start + self.batch_size]
                opt.zero_grad()
                loss = loss_fn(self.net_(xt[idx]).squeeze(1), yt[idx])
                loss.backward()
                opt.step()
                total += float(loss.detach()) * idx.numel()
            self.loss_curve_.append(total / xt.shape[0])
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds that each candidate is correct, as the teacher would say."""
        import torch

        if not hasattr(self, "net_"):
            raise NotFittedError("DistilledScorer is not fitted; call fit first")
        X = self._check_X(X)
        if X.shape[1] != self.mean_.size:
            raise ValueError(f"X has {X.shape[1]} features, the scorer was fitted on "
                             f"{self.mean_.size}")
        with torch.no_grad():
            xt = torch.as_tensor((X - self.mean_) / self.scale_, device=self.device_)
            return self.net_(xt).squeeze(1).cpu().numpy().astype(np.float64)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n, 2)`` P(incorrect), P(correct)."""
        p1 = 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -50, 50)))
        return np.column_stack([1.0 - p1, p1])

    @staticmethod
    def _check_X(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (candidates x features), got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            row = int(np.flatnonzero(~np.all(np.isfinite(X), axis=1))[0])
            raise ValueError(f"X has a missing or infinite feature at row {row}; impute first")
        return X
