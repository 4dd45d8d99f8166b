"""lf_summary of a DataFrame of votes: rows named by its columns, a model's estimates
matched to them by LF name."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib.analysis import lf_accuracies, lf_confusion, lf_summary
from wslib.datasets.synthetic import make_votes
from wslib.labelmodel import LabelModel

pytestmark = pytest.mark.filterwarnings("ignore::wslib.exceptions.WslibWarning")

COLUMNS = [f"lf{i}" for i in range(5)]


@pytest.fixture(scope="module")
def named():
    """Votes of LFs of accuracies 0.55 to 0.95 as a named frame, gold labels, a model."""
    d = make_votes(3000, 5, 2, random_state=0, n_unipolar=5, accuracy=(0.55, 0.95))
    L = pd.DataFrame(d.L, columns=COLUMNS)
    return L, d.y, LabelModel().fit(L)


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(COLUMNS))
def test_lf_summary_rows_follow_the_lf_names(named, order):
    L, y, model = named
    reference = lf_summary(L, y, model=model)
    shuffled = lf_summary(L[list(order)], y, model=model)
    assert shuffled.index.tolist() == list(order)
    assert shuffled["j"].tolist() == list(range(len(COLUMNS)))  # the column in the frame given
    pd.testing.assert_frame_equal(shuffled.drop(columns="j").loc[COLUMNS],
                                  reference.drop(columns="j"))


def test_estimates_sit_beside_the_lf_they_belong_to(named):
    L, y, model = named
    summary = lf_summary(L[COLUMNS[::-1]], y, model=model)
    accuracy = pd.Series(model.accuracy_, index=COLUMNS)
    np.testing.assert_array_equal(summary["est_acc"], accuracy[COLUMNS[::-1]])
    basis = pd.Series(model.estimate_basis_, index=COLUMNS)
    assert summary["est_basis"].tolist() == basis[COLUMNS[::-1]].tolist()
    assert lf_accuracies(model).index.tolist() == COLUMNS  # named after the fitted LFs
    # the estimates track the LFs' real accuracies only when they sit beside them
    assert np.corrcoef(summary["emp_acc"], summary["est_acc"])[0, 1] > 0.9


def test_frame_with_other_lf_names_is_refused(named):
    L, y, model = named
    with pytest.raises(ValueError, match=r"missing \['lf0'\]; unexpected \['other'\]"):
        lf_summary(L.rename(columns={"lf0": "other"}), y, model=model)


def test_array_votes_are_read_by_position(named):
    L, y, model = named
    summary = lf_summary(L.to_numpy(), y, model=model)
    assert summary.index.tolist() == list(range(len(COLUMNS)))
    np.testing.assert_array_equal(summary["est_acc"], model.accuracy_)


def test_lfs_name_the_rows_before_the_frame_does(named):
    L, y, _ = named
    names = list("abcde")
    assert lf_summary(L, y, names).index.tolist() == names
    assert lf_confusion(L, y).index.get_level_values("lf").unique().tolist() == COLUMNS
