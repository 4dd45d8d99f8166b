"""``EndModel.fit``: the divergence error counts epochs like ``verbose``; ``n_uncovered_``
counts rows without votes only."""

import re

import numpy as np
import pytest

from wslib.endmodel import EndModel


def _binary(n=60):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    X = (np.eye(2)[y] + rng.normal(0, 0.7, (n, 2))).astype(np.float32)
    return X, y


def test_divergence_names_the_epoch_as_verbose_counts_it(capsys):
    X, y = _binary()
    model = EndModel(head="logreg", max_epochs=5, lr=1e30, verbose=1, validation_fraction=0)
    with pytest.raises(FloatingPointError, match="diverged") as info:
        model.fit(X * 1e3, y)
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    failed = int(re.search(r"in epoch (\d+)", str(info.value)).group(1))
    assert failed == len(printed) + 1  # the epochs printed finished; the next one diverged


def test_zero_weight_rows_are_not_counted_as_uncovered():
    X, y = _binary()
    weight = np.ones(60)
    weight[:10] = 0
    assert EndModel(head="logreg", max_epochs=2).fit(X, y, sample_weight=weight).n_uncovered_ == 0
    hard = np.where(np.arange(60) < 5, -1, y)
    model = EndModel(head="logreg", max_epochs=2).fit(X, hard, sample_weight=weight)
    assert model.n_uncovered_ == 5
