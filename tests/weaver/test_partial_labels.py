"""Tables labelled on some problems only: a missing label is unknown (-1), never read
as a 0, and nothing is scored or learned on it."""

import json
import warnings

import numpy as np
import pytest

from wslib.cli import main
from wslib.weaver import VerifierTable, Weaver, selection_metrics


def _dev_only(frame, dev_ids):
    """``frame`` with the labels of every problem outside ``dev_ids`` removed."""
    out = frame.copy()
    out["correct"] = out["correct"].astype("Int64")
    out.loc[~out["problem_id"].isin(dev_ids), "correct"] = None
    return out


def _fit(table, dev):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Weaver().fit(table, dev=dev)


def test_missing_labels_are_unknown_and_problems_with_one_are_unlabelled(sim_frame):
    frame = sim_frame.astype({"correct": "Int64"})
    frame.loc[frame.index[0], "correct"] = None  # one candidate of the first problem
    table = VerifierTable.from_frame(frame)
    assert table.labels[0] == -1 and (table.labels[1:] >= 0).all()
    assert table.labelled.tolist() == [False] + [True] * (table.n_problems - 1)


def test_dev_labels_alone_give_the_fit_of_the_fully_labelled_table(sim_frame):
    dev = np.sort(sim_frame["problem_id"].unique())[:30]
    full = VerifierTable.from_frame(sim_frame)
    partial = VerifierTable.from_frame(_dev_only(sim_frame, dev))
    assert (partial.labelled == np.isin(partial.problem_ids, dev)).all()
    np.testing.assert_array_equal(_fit(full, dev).selection_score(full),
                                  _fit(partial, dev).selection_score(partial))


def test_a_dev_problem_without_labels_is_refused(sim_frame):
    dev = np.sort(sim_frame["problem_id"].unique())[:30]
    partial = VerifierTable.from_frame(_dev_only(sim_frame, dev[:20]))
    with pytest.raises(ValueError, match="10 dev problems have a candidate without a label"):
        Weaver().fit(partial, dev=dev)


def test_metrics_leave_unlabelled_problems_out_and_count_them(sim_frame):
    ids = np.sort(sim_frame["problem_id"].unique())
    labelled = ids[50:]
    full = VerifierTable.from_frame(sim_frame)
    partial = VerifierTable.from_frame(_dev_only(sim_frame, labelled))
    weaver = _fit(full, None)
    on_partial = selection_metrics(partial, scores=weaver.selection_score(partial))
    on_full = selection_metrics(full, scores=weaver.selection_score(full),
                                problems=np.isin(full.problem_ids, labelled))
    assert on_partial.pop("n_unlabelled_problems") == 50
    assert on_partial == on_full
    nothing = VerifierTable.from_frame(_dev_only(sim_frame, []))
    with pytest.raises(ValueError, match="none of the problems to score has a label"):
        selection_metrics(nothing, scores=weaver.selection_score(nothing))


def test_cli_with_labels_on_the_dev_problems_only(tmp_path, sim_frame, capsys):
    dev = np.sort(sim_frame["problem_id"].unique())[:40]
    path = tmp_path / "table.csv"
    _dev_only(sim_frame, dev).to_csv(path, index=False)
    (tmp_path / "dev.txt").write_text("".join(f"{p}\n" for p in dev))
    out = tmp_path / "out"
    assert main(["weaver", str(path), "--dev", str(tmp_path / "dev.txt"), "--out",
                 str(out)]) == 0
    assert "no problem outside the dev set is labelled: no metrics" in capsys.readouterr().out
    assert not (out / "metrics.json").exists()
    assert (out / "selected.csv").read_text().count("\n") == 201  # header + 200 problems
    # --dev-fraction draws among the labelled problems
    frac = tmp_path / "frac"
    assert main(["weaver", str(path), "--dev-fraction", "0.5", "--out", str(frac)]) == 0
    drawn = (frac / "dev.txt").read_text().split()
    assert len(drawn) == 20 and set(drawn) <= set(map(str, dev))
    metrics = json.loads((frac / "metrics.json").read_text())  # the other 20 labelled
    assert metrics["n_problems"] == 20 and metrics["n_unlabelled_problems"] == 160
    assert "metrics on the other 20 labelled problems" in capsys.readouterr().out


def test_cli_metrics_count_the_unlabelled_problems(tmp_path, sim_frame):
    ids = np.sort(sim_frame["problem_id"].unique())
    path = tmp_path / "table.csv"
    _dev_only(sim_frame, ids[20:]).to_csv(path, index=False)
    assert main(["weaver", str(path), "--out", str(tmp_path / "out")]) == 0
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["n_problems"] == 180 and metrics["n_unlabelled_problems"] == 20
