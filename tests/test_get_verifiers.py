"""``benchmarks/get_verifiers.py``: the conversions on tiny synthetic inputs (no git, no
network)."""

import json

import numpy as np
import pandas as pd
import pytest

from benchmarks import get_verifiers as gv


class _Tree:
    """A stand-in for :class:`benchmarks.get_data.GitTree` holding ``files`` (path -> text)."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def names(self, folder: str) -> list[str]:
        return [p.rsplit("/", 1)[1] for p in self.files if p.startswith(folder + "/")]

    def read(self, path: str) -> bytes:
        return self.files[path].encode()


def test_judges_are_cut_by_their_own_scale():
    ten = pd.Series([1, 8, 9, 10, np.nan])
    five = pd.Series([1.0, 4.0, 5.0, np.nan])
    nine = pd.Series([2, 8, 9])  # a 1-10 judge that never gave 10
    assert gv.binarize_judge(ten).tolist() == [0, 0, 1, 1, pd.NA]
    assert gv.binarize_judge(five).tolist() == [0, 0, 1, pd.NA]
    assert gv.binarize_judge(nine).tolist() == [0, 0, 1]


def test_step_scores_reduce_to_min_mean_last():
    assert gv.reduce_steps([0.9, 0.2, 0.4]) == pytest.approx({"min": 0.2, "mean": 0.5,
                                                               "last": 0.4})
    assert gv.reduce_steps([0.3, None]) == {"min": 0.3, "mean": 0.3, "last": 0.3}
    assert all(np.isnan(v) for v in gv.reduce_steps([]).values())


def test_pair_scores_average_the_two_orders():
    ab, ba = {"judgment": {"scores": [1.0, 3.0]}}, {"judgment": {"scores": [4.0, 2.0]}}
    assert gv.pair_scores([ab, ba]) == (1.5, 3.5)  # the second judged (B, A)
    assert gv.pair_scores([ab, None]) == (1.0, 3.0)
    assert all(np.isnan(gv.pair_scores([None, None])))


def test_candidates_are_shuffled_inside_each_problem():
    frame = pd.DataFrame({"problem_id": np.repeat(np.arange(40), 2),
                          "label": np.tile([1, 0], 40), "v": np.arange(80.0)})
    out = gv.shuffle_candidates(frame)
    assert list(out.columns) == ["problem_id", "candidate_id", "label", "v"]
    assert (out.groupby("problem_id")["candidate_id"].apply(sorted) == [[0, 1]] * 40).all()
    first = out[out["candidate_id"] == 0]["label"]
    assert 0 < first.mean() < 1  # correct candidates are not always first
    pd.testing.assert_frame_equal(out, gv.shuffle_candidates(frame))  # seeded
    assert out.set_index("v")["label"].sort_index().tolist() == frame["label"].tolist()


def _prm_entry(problem: str, pid: int, kind: str, steps: list[float]) -> dict:
    return {"problem": problem, "problem_id": pid, "solution_type": kind,
            "output": {"step_scores": steps}}


def test_rewardbench_files_are_joined_on_the_problem_text():
    folder = gv.REWARDBENCH_FOLDER
    classifier = [{"problem": "q1", "solution_reference": ["chosen", "rejected"],
                   "score": [5.0, 1.0]},
                  {"problem": "q0", "solution_reference": ["chosen", "rejected"],
                   "score": [2.0, 3.0]}]  # another order than the PRM file
    prm = [_prm_entry("q0", 0, "chosen", [0.9, 0.5]), _prm_entry("q0", 0, "rejected", [0.1]),
           _prm_entry("q1", 1, "chosen", [0.8]), _prm_entry("q1", 1, "rejected", [0.2, 0.6])]
    tree = _Tree({f"{folder}/rewardbench_internlm2-20b.json": json.dumps(classifier),
                  f"{folder}/rewardbench_Math_Shepherd.json": json.dumps(prm),
                  f"{folder}/README.md": "not a result file"})
    out = gv.rewardbench_math(tree).set_index(["problem_id", "label"])
    assert out.loc[(0, 1), "internlm2_20b"] == 2.0 and out.loc[(1, 0), "internlm2_20b"] == 1.0
    assert out.loc[(0, 1), ["Math_Shepherd_min", "Math_Shepherd_mean",
                            "Math_Shepherd_last"]].tolist() == pytest.approx([0.5, 0.7, 0.5])
    assert out.loc[(1, 0), "Math_Shepherd_last"] == 0.6


def _judgebench_line(pair_id: str, label: str, a: float, b: float) -> str:
    judgments = [{"judgment": {"scores": [a, b]}}, {"judgment": {"scores": [b, a]}}]
    return json.dumps({"pair_id": pair_id, "label": label, "judgments": judgments})


def test_judgebench_pairs_are_numbered_by_pair_id():
    name = f"{gv.JUDGEBENCH_FOLDER}/dataset=judgebench,{gv.JUDGEBENCH_FILES}judge_model=o_RM-1.jsonl"
    lines = [_judgebench_line("z", "A>B", 2.0, 1.0), _judgebench_line("a", "B>A", 0.0, 4.0)]
    out = gv.judgebench_rm(_Tree({name: "\n".join(lines) + "\n"}))
    assert list(out.columns) == ["problem_id", "candidate_id", "label", "RM-1"]
    correct = out[out["label"] == 1].set_index("problem_id")["RM-1"]
    assert correct.to_dict() == {0: 4.0, 1: 2.0}  # "a" before "z"


def test_a_table_without_its_source_is_skipped(tmp_path, capsys):
    code = gv.main(["--tables", "rewardmath_prms", "--shared", str(tmp_path / "none.csv"),
                    "--out", str(tmp_path / "out")])
    assert code == 1 and "rewardmath_prms skipped" in capsys.readouterr().err
    assert not (tmp_path / "out" / "rewardmath_prms.csv").exists()
