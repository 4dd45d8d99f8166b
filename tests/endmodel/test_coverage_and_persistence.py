"""EndModel: rows without votes, progress output, and versioned save / load."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from wslib.endmodel import EndModel
from wslib.endmodel.estimator import FORMAT_VERSION
from wslib.exceptions import CoverageWarning, NotFittedError
from wslib.labelmodel import LabelModel
from wslib.matrix import to_sparse

from .conftest import make_problem

FAST = dict(max_epochs=6, batch_size=64, head="logreg", lr=1e-2)


@pytest.fixture(scope="module")
def votes_problem():
    """Features, gold labels and the votes of three LFs that leave a third of the rows
    without any vote; the label model gives those rows a non-uniform soft label."""
    X, y, _ = make_problem(n=300, seed=1)
    rng = np.random.default_rng(1)
    L = np.where(rng.random((300, 3)) < 0.8, y[:, None], 1 - y[:, None])
    L[:100] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        lm = LabelModel().fit(L)
    return X, y, L, lm


def test_soft_labels_alone_warn_that_uncovered_rows_are_trained_on(votes_problem):
    X, _, L, lm = votes_problem
    P = lm.predict_proba(L)
    assert np.ptp(P[:100], axis=1).min() > 0  # not uniform: no way to spot them in P
    with pytest.warns(CoverageWarning, match="trains on the other 300 as if labelled") as rec:
        model = EndModel(**FAST).fit(X, P)
    assert rec[0].filename == __file__  # the warning points at the caller's line
    assert model.n_uncovered_ == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert EndModel(**FAST, filter_uncovered=False).fit(X, P).n_uncovered_ == 0
        EndModel(**FAST).fit(X, P.argmax(axis=1))  # hard labels: -1 marks the abstains


def test_votes_or_label_model_drop_the_uncovered_rows(votes_problem):
    X, _, L, lm = votes_problem
    P, covered = lm.predict_proba(L), lm.coverage(L)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_mask = EndModel(**FAST).fit(X, P, coverage=covered)
        by_votes = EndModel(**FAST).fit(X, P, L=L)
        by_model = EndModel(**FAST).fit(X, label_model=lm, L=L)
        by_sparse = EndModel(**FAST).fit(X, label_model=lm, L=to_sparse(L))
    for model in (by_mask, by_votes, by_model, by_sparse):
        assert model.n_uncovered_ == 100
        np.testing.assert_array_equal(model.predict_proba(X), by_mask.predict_proba(X))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"y": "P", "label_model": "lm", "L": "L"}, "not both"),
    ({"label_model": "lm"}, r"label_model=model, L=L"),
    ({}, "fit needs labels"),
    ({"y": "P", "coverage": "covered", "L": "L"}, "pass coverage or L, not both"),
    ({"y": "P", "L": "L_short"}, "X has 300 rows but L has 299"),
])
def test_bad_label_arguments_are_named(votes_problem, kwargs, message):
    X, _, L, lm = votes_problem
    values = {"P": lm.predict_proba(L), "lm": lm, "L": L, "covered": lm.coverage(L),
              "L_short": L[:299]}
    with pytest.raises(ValueError, match=message):
        EndModel(**FAST).fit(X, **{k: values[v] for k, v in kwargs.items()})


def test_verbose_prints_one_line_per_epoch(votes_problem, capsys):
    X, _, L, lm = votes_problem
    model = EndModel(**FAST, verbose=1).fit(X, label_model=lm, L=L)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("EndModel: logreg head on 180 rows (100 uncovered")
    epochs = [line for line in lines if line.startswith("epoch")]
    assert len(epochs) == len(model.history_) and "train loss" in epochs[0]
    assert lines[-1] == f"kept epoch {model.best_epoch_ + 1} (held-out validation)"
    EndModel(**FAST).fit(X, label_model=lm, L=L)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("head", ["logreg", "mlp"])
def test_save_load_round_trip(tmp_path, head):
    X, y, P = make_problem(k=3)
    model = EndModel(head=head, max_epochs=4, hidden=16, target="hard",
                     random_state=3).fit(sp.csr_matrix(X), y)
    path = tmp_path / "end.npz"
    model.save(path)
    loaded = EndModel.load(path)
    assert loaded.get_params() == model.get_params()
    for name in ("n_features_in_", "best_epoch_", "best_score_", "validation_",
                 "n_uncovered_", "history_"):
        assert getattr(loaded, name) == getattr(model, name), name
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.score(X, y) == model.score(X, y)
    with np.load(path, allow_pickle=False) as npz:  # nothing pickled
        assert "__header__" in npz.files


def test_a_loaded_model_matches_feature_columns_by_name(tmp_path):
    X, y, _ = make_problem(k=3)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    model = EndModel(**FAST).fit(frame, y)
    model.save(tmp_path / "end.npz")
    loaded = EndModel.load(tmp_path / "end.npz")
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)
    reordered = frame[frame.columns[::-1]]
    np.testing.assert_array_equal(loaded.predict_proba(reordered), model.predict_proba(frame))
    with pytest.raises(ValueError, match="zzz"):
        loaded.predict_proba(frame.rename(columns={"f0": "zzz"}))


@pytest.mark.parametrize("balance", [{0: 0.3, 1: 0.7}, pd.Series({0: 0.3, 1: 0.7}),
                                     {np.int64(0): 0.3, np.int64(1): 0.7}])
def test_a_class_balance_keyed_by_class_index_survives_saving(tmp_path, balance):
    """JSON keys are text; a class index 0 must come back as 0, a Series as its mapping."""
    X, y, _ = make_problem()
    model = EndModel(**FAST, target="balanced", class_balance=balance).fit(X, y)
    model.save(tmp_path / "end.npz")
    loaded = EndModel.load(tmp_path / "end.npz")
    assert loaded.class_balance == {0: 0.3, 1: 0.7}
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def _rewrite(path, edit):
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files}
    header = edit(json.loads(arrays["__header__"].tobytes().decode()))
    arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.fixture
def saved(tmp_path):
    X, y, _ = make_problem()
    path = tmp_path / "end.npz"
    EndModel(**FAST).fit(X, y).save(path)
    return path, X


def test_a_file_from_another_version(saved):
    path, X = saved
    _rewrite(path, lambda h: dict(h, wslib_version="0.0.1"))  # older wslib, same format
    assert EndModel.load(path).predict(X).shape == (300,)
    _rewrite(path, lambda h: dict(h, format_version=FORMAT_VERSION + 1, wslib_version="9.0"))
    with pytest.raises(ValueError, match=rf"format version {FORMAT_VERSION + 1} by wslib 9.0"
                                         r".*reads up to 1: upgrade") as info:
        EndModel.load(path)
    assert str(path) in str(info.value)


def test_files_that_are_not_end_models(saved, tmp_path):
    path, _ = saved
    lm_path = tmp_path / "lm.npz"
    LabelModel().fit(np.array([[0, 0, 1], [1, 1, -1]] * 5)).save(lm_path)
    with pytest.raises(ValueError, match="not a wslib end-model file .*'wslib.labelmodel'"):
        EndModel.load(lm_path)
    text = tmp_path / "x.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a readable wslib end-model file"):
        EndModel.load(text)
    _rewrite(path, lambda h: dict(h, scalars=dict(h["scalars"], n_features_in_=5)))
    with pytest.raises(ValueError, match="do not fit a logreg head with 5 features"):
        EndModel.load(path)
    with pytest.raises(NotFittedError):
        EndModel().save(tmp_path / "unfitted.npz")
