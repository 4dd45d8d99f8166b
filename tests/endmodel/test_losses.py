"""Soft cross-entropy, balanced hardening and the confidence-loss target."""

import numpy as np
import pytest
import torch

from wslib.endmodel.losses import (
    confidence_alpha,
    confidence_target,
    harden_balanced,
    soft_cross_entropy,
)


def test_soft_cross_entropy_matches_hand_computation():
    z = torch.tensor([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]])
    p = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    logq = torch.log_softmax(z, dim=1)
    rows = -(p * logq).sum(dim=1)
    assert soft_cross_entropy(z, p).item() == pytest.approx(rows.mean().item())
    w = torch.tensor([3.0, 1.0])
    assert soft_cross_entropy(z, p, w).item() == pytest.approx(
        ((rows * w).sum() / w.sum()).item())
    onehot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert soft_cross_entropy(z, onehot).item() == pytest.approx(
        torch.nn.functional.cross_entropy(z, torch.tensor([0, 2])).item())


def test_binary_hardening_keeps_balance_by_margin():
    z = torch.tensor([[0.0, 3.0], [0.0, -1.0], [0.0, 1.0], [0.0, 0.5], [0.0, -2.0]])
    hard = harden_balanced(z, torch.tensor([0.6, 0.4]))
    # two of five rows are class 1: the two largest margins z1 - z0
    assert hard[:, 1].tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]
    assert hard.sum(dim=1).tolist() == [1.0] * 5
    # a balance of 0 or 1 gives all-0 / all-1
    assert harden_balanced(z, torch.tensor([1.0, 0.0]))[:, 0].tolist() == [1.0] * 5


def test_multiclass_hardening_follows_balance():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(600, 3, generator=g) + torch.tensor([2.0, 0.0, 0.0])  # skewed to class 0
    balance = torch.tensor([0.2, 0.3, 0.5])
    hard = harden_balanced(z, balance)
    assert hard.sum(dim=0).tolist() == [120.0, 180.0, 300.0]  # exactly the balance
    assert (hard.sum(dim=1) == 1).all()
    plain = torch.nn.functional.one_hot(z.argmax(dim=1), 3).float().mean(dim=0)
    assert plain[0] > 0.5  # without balancing, class 0 would dominate


def test_alpha_warmup_and_target_mix():
    assert confidence_alpha(0.0, 0.75, 0.2) == 0.0
    assert confidence_alpha(0.1, 0.75, 0.2) == pytest.approx(0.375)
    assert confidence_alpha(0.5, 0.75, 0.2) == 0.75
    assert confidence_alpha(0.0, 0.75, 0.0) == 0.75
    z = torch.tensor([[0.0, 2.0], [0.0, -2.0]], requires_grad=True)
    weak = torch.tensor([[0.4, 0.6], [0.4, 0.6]])
    assert confidence_target(z, weak, 0.0) is weak
    t = confidence_target(z, weak, 0.5)
    np.testing.assert_allclose(t.detach().numpy(), [[0.2, 0.8], [0.7, 0.3]])
    assert not t.requires_grad  # the hardened part carries no gradient
