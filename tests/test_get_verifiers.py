"""``benchmarks/get_verifiers.py``: the conversions on tiny synthetic inputs (no git, no
network)."""

import io
import json
import types
import zipfile

import numpy as np
import pandas as pd
import pytest

from benchmarks import get_verifiers as gv


class _Tree:
    """A stand-in for :class:`benchmarks.get_data.GitTree` holding ``files`` (path -> text)."""

    def __init__(self, files: dict[str, str | bytes]):
        self.files = files

    def names(self, folder: str) -> list[str]:
        return [p.rsplit("/", 1)[1] for p in self.files if p.startswith(folder + "/")]

    def read(self, path: str) -> bytes:
        data = self.files[path]
        return data if isinstance(data, bytes) else data.encode()


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


#: a stand-in for the MATH grader (not the repository's): strips spaces, fails on "!"
FAKE_GRADER = """
def _strip_string(string):
    if "!" in string:
        raise AssertionError(string)
    return string.replace(" ", "")

def is_equiv(str1, str2):
    try:
        return _strip_string(str1) == _strip_string(str2)
    except Exception:
        return str1 == str2
"""


def test_the_grader_is_loaded_from_its_source():
    grader = gv.load_grader(FAKE_GRADER.encode())
    assert grader.is_equiv("1 / 2", "1/2") and not grader.is_equiv("1", "2")
    with pytest.raises(ValueError, match="math_equivalence"):
        gv.load_grader(b"def broken(:")


def test_answers_are_normalized_by_the_grader():
    grader = gv.load_grader(FAKE_GRADER.encode())
    assert gv.normalize_answer("\\frac{1} {2}", grader) == "\\frac{1}{2}"
    assert gv.normalize_answer("5 !", grader) == "5 !"  # the grader fails: kept as is
    assert gv.normalize_answer(None, grader) == ""


def _mav_problem(answers: list, approvals: list[dict], gold: str = "4") -> dict:
    return {"dataset_name": "math", "correct_answer": gold, "solutions": ["..."] * len(answers),
            "extracted_answers": answers, "all_solution_vera_approvals": approvals}


def test_mav_rows_label_by_the_grader_and_keep_missing_verdicts_missing():
    grader = types.SimpleNamespace(is_equiv=lambda a, b: a.strip() == b,
                                   _strip_string=lambda a: a.strip())
    problem = _mav_problem([" 4", "5", None, ""],
                           [{"v1": True, "v2": False}, {"v1": False}, {"v1": True, "v2": True},
                            {"v1": False, "v2": False}])
    rows = gv.mav_rows(problem, 7, grader)
    assert [r["label"] for r in rows] == [1, 0, 0, 0]
    assert [r["answer"] for r in rows] == ["4", "5", "", ""]
    assert rows[0] == {"problem_id": 7, "label": 1, "answer": "4", "v1": 1, "v2": 0}
    assert "v2" not in rows[1]
    with pytest.raises(ValueError, match="problem 7"):
        gv.mav_rows({**problem, "extracted_answers": ["4"]}, 7, grader)
    with pytest.raises(ValueError, match="gsm8k"):
        gv.mav_rows({**problem, "dataset_name": "gsm8k"}, 7, grader)


def _zip(files: dict[str, dict]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content))
    return buffer.getvalue()


def test_mav_math_reads_the_run_and_shuffles_the_candidates():
    yes, no = {"b": True, "a": True}, {"b": False, "a": False}
    problems = {f"solutions/problem_{i}.json": _mav_problem(["4"] + ["3"] * 7, [yes] + [no] * 7)
                for i in (10, 2)}
    problems["solutions/problem_2.json"]["all_solution_vera_approvals"][1] = {"b": True}
    tree = _Tree({gv.MAV_GRADER: FAKE_GRADER, gv.MAV_ZIP: _zip(problems)})
    out = gv.mav_math(tree)
    assert list(out.columns) == ["problem_id", "candidate_id", "label", "answer", "a", "b"]
    assert out["problem_id"].tolist() == [2] * 8 + [10] * 8
    assert out.groupby("problem_id")["candidate_id"].apply(sorted).tolist() == [list(range(8))] * 2
    assert (out["label"] == (out["answer"] == "4")).all() and out["label"].sum() == 2
    assert (out["label"] == out["a"]).all()
    assert out["b"].sum() == 3 and out["a"].isna().sum() == 1  # the verdict "a" is absent once
    assert out.loc[out["label"] == 1, "candidate_id"].tolist() != [0, 0]  # seeded, not first
    pd.testing.assert_frame_equal(out, gv.mav_math(tree))


def test_a_table_without_its_source_is_skipped(tmp_path, capsys):
    code = gv.main(["--tables", "rewardmath_prms", "--shared", str(tmp_path / "none.csv"),
                    "--out", str(tmp_path / "out")])
    assert code == 1 and "rewardmath_prms skipped" in capsys.readouterr().err
    assert not (tmp_path / "out" / "rewardmath_prms.csv").exists()
