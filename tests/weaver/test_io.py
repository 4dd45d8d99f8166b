"""Reading and validating verifier tables: layouts, alignment and bad input."""

import numpy as np
import pandas as pd
import pytest

from tests.weaver.conftest import FIXTURES
from wslib.weaver import VerifierTable, from_weaver_layout, read_table


def test_rows_sorted_by_problem_then_candidate(tiny_frame):
    shuffled = tiny_frame.sample(frac=1.0, random_state=0)
    t = VerifierTable.from_frame(shuffled)
    assert t.problem_ids.tolist() == ["a", "b", "c"]
    assert t.starts.tolist() == [0, 3, 5, 6]
    assert t.candidate_ids.tolist() == [0, 1, 2, 0, 1, 0]
    assert t.scores[:, 0].tolist() == [0.1, 0.9, 0.8, 0.7, 0.2, 0.5]
    # frame_index points back at the shuffled input rows
    back = shuffled.iloc[t.frame_index]
    assert back["rm"].tolist() == t.scores[:, 0].tolist()


def test_auto_detects_columns(tiny_frame):
    t = VerifierTable.from_frame(tiny_frame.assign(note="free text"))
    assert t.verifiers == ["rm", "judge"]
    assert t.labels.tolist() == [0, 1, 1, 1, 0, 1]
    # the two "2" answers of problem a share a code, different problems never do
    assert t.answers[1] == t.answers[2] and len(set(t.answers.tolist())) == 5


def test_same_answer_text_in_two_problems_is_two_answers():
    df = pd.DataFrame({"problem_id": [0, 0, 1], "candidate_id": [0, 1, 0],
                       "answer": ["4", None, "4"], "rm": [1.0, 2.0, 3.0]})
    t = VerifierTable.from_frame(df)
    assert len(set(t.answers.tolist())) == 3  # a missing answer pools with nothing


def test_ragged_counts_and_single_candidate(tiny_frame):
    t = VerifierTable.from_frame(tiny_frame)
    assert t.sizes.tolist() == [3, 2, 1]


def test_non_numeric_scores_name_the_column(tiny_frame):
    bad = tiny_frame.astype({"rm": object})
    bad.loc[2, "rm"] = "high"
    with pytest.raises(TypeError, match=r"'rm'.*'high'.*row 2"):
        VerifierTable.from_frame(bad)


def test_numeric_strings_are_scores(tiny_frame):
    t = VerifierTable.from_frame(tiny_frame.astype({"rm": str}))
    assert t.scores[:, 0].tolist() == [0.1, 0.9, 0.8, 0.7, 0.2, 0.5]


def test_infinite_scores_rejected(tiny_frame):
    with pytest.raises(ValueError, match="'rm'.*infinite"):
        VerifierTable.from_frame(tiny_frame.assign(rm=[0.1, np.inf, 0.8, 0.7, 0.2, 0.5]))


def test_duplicate_rows_named(tiny_frame):
    dup = pd.concat([tiny_frame, tiny_frame.iloc[[4]]])
    with pytest.raises(ValueError, match=r"1 duplicate \(problem, candidate\) rows.*'b', 1"):
        VerifierTable.from_frame(dup)


def test_missing_columns_and_bad_labels(tiny_frame):
    with pytest.raises(KeyError, match="problem column 'qid'"):
        VerifierTable.from_frame(tiny_frame, problem="qid")
    with pytest.raises(KeyError, match=r"verifier columns \['nope'\]"):
        VerifierTable.from_frame(tiny_frame, verifiers=["rm", "nope"])
    with pytest.raises(ValueError, match="labels column 'correct'.*row 1"):
        VerifierTable.from_frame(tiny_frame.assign(correct=[0, 2, 1, 1, 0, 1]))
    with pytest.raises(ValueError, match="problem column 'problem_id' is missing at row 3"):
        VerifierTable.from_frame(tiny_frame.assign(
            problem_id=["a", "a", "a", None, "b", "c"]))


def test_candidate_none_numbers_rows_in_order(tiny_frame):
    t = VerifierTable.from_frame(tiny_frame.drop(columns="candidate_id"), candidate=None)
    assert t.candidate_ids.tolist() == [0, 1, 2, 0, 1, 0]


def test_id_and_index_columns_are_never_verifiers(tiny_frame, tmp_path):
    """An unused id column or a frame index written to CSV holds row numbers, not scores."""
    kept = VerifierTable.from_frame(tiny_frame).verifiers
    assert VerifierTable.from_frame(tiny_frame, candidate=None).verifiers == kept
    tiny_frame.to_csv(tmp_path / "t.csv")  # index written as "Unnamed: 0"
    assert read_table(tmp_path / "t.csv").verifiers == kept


def test_weaver_layout_matches_long_layout():
    wide = read_table(FIXTURES / "weaver_layout.parquet")
    long = read_table(FIXTURES / "long.csv")
    assert wide.verifiers == long.verifiers
    assert "GRM_scores" in wide.verifiers and "Llama-3.3-70B-Instruct_verdicts" in wide.verifiers
    assert wide.sizes.tolist() == long.sizes.tolist()
    assert np.allclose(wide.scores, long.scores, equal_nan=True)
    assert (wide.labels == long.labels).all()
    # answers pool identically (codes may differ, the partition may not)
    assert (pd.factorize(wide.answers)[0] == pd.factorize(long.answers)[0]).all()
    # a verifier that skipped a whole problem (None instead of a list) is missing there
    raw = pd.read_parquet(FIXTURES / "weaver_layout.parquet")
    skipped = int(np.flatnonzero(raw["QwenPRM_min_scores"].isna())[0])
    col = wide.verifiers.index("QwenPRM_min_scores")
    rows = slice(wide.starts[skipped], wide.starts[skipped + 1])
    assert np.isnan(wide.scores[rows, col]).all()


def test_weaver_layout_length_mismatch_named():
    df = pd.DataFrame({"samples": [["s1", "s2"], ["s3", "s4"]],
                       "answer_correct": [[1, 0], [1, 1]], "GRM_scores": [[0.1, 0.2], [0.3]]})
    with pytest.raises(ValueError, match=r"problem row 1: .*'answer_correct': 2, "
                                         r"'GRM_scores': 1"):
        from_weaver_layout(df)


@pytest.mark.parametrize("empty", [[[], []], [None, None]])
def test_weaver_layout_problem_without_candidates_is_refused(empty):
    df = pd.DataFrame({"answer_correct": [[1, 0], empty[0], [1]],
                       "GRM_scores": [[0.1, 0.2], empty[1], [0.3]]})
    with pytest.raises(ValueError, match="1 problem rows have no candidates.*row 1"):
        from_weaver_layout(df)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".json"])
def test_ids_that_look_numeric_stay_names(tmp_path, suffix):
    """``1`` and ``01`` are two problems, and leading zeros survive, in every format."""
    frame = pd.DataFrame({"problem_id": ["1", "1", "01", "01", "007", "007"],
                          "candidate_id": ["00", "04", "1", "2", "1", "2"],
                          "answer": ["1", "1.0", "2", "2", "3", "03"],
                          "correct": [1, 0, 0, 1, 1, 0], "rm": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]})
    path = tmp_path / f"t{suffix}"
    if suffix in (".csv", ".tsv"):
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    else:
        frame.to_json(path, orient="records", lines=suffix == ".jsonl")
    table, expected = read_table(path), read_table(frame)
    assert table.problem_ids.tolist() == ["007", "01", "1"]
    assert table.candidate_ids.tolist() == expected.candidate_ids.tolist()
    assert table.candidate_ids[table.starts[2]:].tolist() == ["00", "04"]
    assert np.array_equal(table.answers, expected.answers)  # "1" and "1.0" are two answers
    assert np.array_equal(table.scores, expected.scores)


def test_read_table_formats(tmp_path, tiny_frame):
    tiny_frame.to_parquet(tmp_path / "t.parquet")
    tiny_frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    for name in ("t.parquet", "t.jsonl"):
        assert read_table(tmp_path / name).scores.shape == (6, 2)
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "absent.csv")
    (tmp_path / "t.xlsx").touch()
    with pytest.raises(ValueError, match="cannot read"):
        read_table(tmp_path / "t.xlsx")
