"""``EndModel.score`` lists exactly the metrics it accepts."""

import numpy as np
import pytest

from wslib.endmodel import EndModel


def _fitted():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = (np.eye(2)[y] + rng.normal(0, 0.5, (60, 2))).astype(np.float32)
    return EndModel(head="logreg", max_epochs=2).fit(X, y), X, y


@pytest.mark.parametrize("metric", ["log_loss", "brier", "coverage", "auc"])
def test_unsupported_metric_is_refused_with_the_accepted_list(metric):
    model, X, y = _fitted()
    with pytest.raises(ValueError, match=f"unknown metric '{metric}'") as info:
        model.score(X, y, metric=metric)
    listed = str(info.value).split("choose one of ")[1].split(";")[0]
    assert listed == "accuracy, f1, f1_binary, f1_macro, f1_micro"
    assert "score_proba" in str(info.value)


@pytest.mark.parametrize("metric", ["accuracy", "f1", "f1_binary", "f1_macro", "f1_micro"])
def test_every_listed_metric_is_accepted(metric):
    model, X, y = _fitted()
    assert 0.0 <= model.score(X, y, metric=metric) <= 1.0
