"""The plots render headless (Agg) and handle an LF that never votes."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from wslib.analysis.plots import plot_accuracy, plot_calibration, plot_coverage  # noqa: E402
from wslib.datasets.synthetic import make_votes  # noqa: E402
from wslib.labelmodel import LabelModel  # noqa: E402


@pytest.fixture(scope="module")
def votes():
    data = make_votes(2000, 6, 2, random_state=0)
    L = np.c_[data.L, np.full(len(data.y), -1, dtype=data.L.dtype)]  # the last LF never votes
    return L, data.y, [f"lf{j}" for j in range(6)] + ["silent"]


def _render(fig, path):
    fig.savefig(path)  # a Figure without pyplot: rendered by Agg, nothing shown
    assert path.stat().st_size > 1000


def test_coverage_bars(votes, tmp_path):
    L, _, names = votes
    fig = plot_coverage(L, names)
    _render(fig, tmp_path / "coverage.png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "silent (never votes)"
    assert len(ax.patches) == 3 * len(names)
    assert ax.patches[len(names) - 1].get_width() == 0  # coverage bar of the silent LF


def test_accuracy_scatter_leaves_out_the_silent_lf(votes, tmp_path):
    L, y, names = votes
    with pytest.warns(UserWarning, match="never vote"):
        model = LabelModel().fit(L)
    fig = plot_accuracy(L, y, model, names)
    _render(fig, tmp_path / "accuracy.png")
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 6
    assert "silent" in ax.get_title()
    with pytest.raises(ValueError, match="no LF votes on an item with a gold label"):
        plot_accuracy(L, np.full(len(y), -1), model, names)


def test_calibration_curve(votes, tmp_path):
    L, y, _ = votes
    with pytest.warns(UserWarning):
        proba = LabelModel().fit(L).predict_proba(L)
    fig = plot_calibration(proba, y)
    _render(fig, tmp_path / "calibration.png")
    assert "expected calibration error" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="no gold label"):
        plot_calibration(proba, np.full(len(y), -1))
    with pytest.raises(ValueError, match="y has 3 labels"):
        plot_calibration(proba, y[:3])
