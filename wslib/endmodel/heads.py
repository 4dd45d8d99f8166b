r"""Classifier heads: logistic regression and a one-hidden-layer MLP.

Both take a mini-batch that is either a dense tensor or a sparse COO tensor
(TF-IDF rows), so wide sparse features never have to be densified:

* ``"logreg"``: :math:`z = W x + b`;
* ``"mlp"``: :math:`z = W_2\,\mathrm{dropout}(\mathrm{ReLU}(W_1 x + b_1)) + b_2`.

Parameters are initialised and dropout masks drawn from a ``torch.Generator``
owned by the trainer, so training is reproducible without touching torch's
global random state.

Example
-------
>>> import torch
>>> from wslib.endmodel.heads import make_head
>>> g = torch.Generator().manual_seed(0)
>>> head = make_head("mlp", n_features=5, n_classes=3, hidden=8, generator=g)
>>> head(torch.zeros(4, 5)).shape
torch.Size([4, 3])
"""

from __future__ import annotations

import math

from wslib.device import require_torch

torch = require_torch()
nn = torch.nn

HEADS = ("logreg", "mlp")
#: the learning rate ``EndModel(lr=None)`` uses per head: a linear head on sparse text
#: features needs larger steps (at 1e-3 it stops far short of its optimum: semeval
#: 0.38 against 0.66 at 1e-2, youtube 0.87 against 0.92; docs/endmodel.md)
DEFAULT_LR = {"logreg": 1e-2, "mlp": 1e-3}

__all__ = ["DEFAULT_LR", "HEADS", "LogisticHead", "MLPHead", "make_head"]


def _linear_params(n_in: int, n_out: int, generator: torch.Generator
                   ) -> tuple[nn.Parameter, nn.Parameter]:
    """Weights and bias with PyTorch's default ``nn.Linear`` initialisation, seeded."""
    bound = 1.0 / math.sqrt(max(n_in, 1))
    weight = (torch.rand(n_out, n_in, generator=generator) * 2 - 1) * bound
    bias = (torch.rand(n_out, generator=generator) * 2 - 1) * bound
    return nn.Parameter(weight), nn.Parameter(bias)


def _affine(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    if x.is_sparse:
        return torch.sparse.mm(x, weight.t()) + bias
    return torch.addmm(bias, x, weight.t())


class LogisticHead(nn.Module):
    """Multinomial logistic regression ``z = W x + b``."""

    def __init__(self, n_features: int, n_classes: int, generator: torch.Generator):
        super().__init__()
        self.weight, self.bias = _linear_params(n_features, n_classes, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _affine(x, self.weight, self.bias)


class MLPHead(nn.Module):
    """One hidden ReLU layer with dropout drawn from the trainer's generator."""

    def __init__(self, n_features: int, n_classes: int, generator: torch.Generator,
                 hidden: int = 256, dropout: float = 0.2):
        super().__init__()
        self.generator = generator
        self.dropout = float(dropout)
        self.weight1, self.bias1 = _linear_params(n_features, hidden, generator)
        self.weight2, self.bias2 = _linear_params(hidden, n_classes, generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(_affine(x, self.weight1, self.bias1))
        if self.training and self.dropout > 0:
            keep = torch.rand(h.shape, generator=self.generator, device="cpu").to(h.device)
            h = h * (keep >= self.dropout) / (1.0 - self.dropout)
        return _affine(h, self.weight2, self.bias2)


def make_head(kind: str, n_features: int, n_classes: int, *, generator: torch.Generator,
              hidden: int = 256, dropout: float = 0.2) -> nn.Module:
    """Build the head named ``kind`` (``"logreg"`` or ``"mlp"``) on the CPU."""
    if kind == "logreg":
        return LogisticHead(n_features, n_classes, generator)
    if kind == "mlp":
        return MLPHead(n_features, n_classes, generator, hidden=hidden, dropout=dropout)
    raise ValueError(f"unknown head {kind!r}; choose one of {HEADS}")
