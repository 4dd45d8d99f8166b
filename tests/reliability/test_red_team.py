"""Adversarial inputs and faults a hostile but realistic user produces.

Every case gets either the right result or a specific error or warning that names
the problem; none may give a silent wrong answer, an internal traceback, or
destroy the user's data. ``REFUSED`` lists the inputs that must raise (exception
type and a regular expression naming the culprit); ``WARNED`` those that must warn
(``Bad.exc`` is then the warning category); the tests below them check the inputs
that must be answered correctly.
"""

from __future__ import annotations

import enum
import io
import re
import warnings
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from wslib import ABSTAIN, apply_lfs, labeling_function
from wslib.analysis import lf_confusion, lf_summary
from wslib.apply import LFApplyError, LFOutputError, MissingColumnError
from wslib.apply.parquet import apply_parquet
from wslib.autows import KeywordGenerator, SnubaGenerator
from wslib.datasets.synthetic import make_verifier_table, make_votes
from wslib.endmodel import EndModel
from wslib.exceptions import CardinalityWarning, LFFaultWarning, WslibWarning
from wslib.labelmodel import (
    DawidSkene,
    LabelModel,
    MajorityVote,
    WeightedMajorityVote,
)
from wslib.labelmodel.streaming import fit_streaming, predict_proba_streaming
from wslib.lf import keyword_lf, preprocessor, regex_lf, similarity_lf, threshold_lf
from wslib.metrics import score_predictions, score_proba
from wslib.weaver.io import IgnoredColumnWarning, read_table

from .test_bad_inputs import Bad

KW = keyword_lf("spam", 1)
FRAME = pd.DataFrame({"text": ["spam a", "ham b", "spam c", "ham d"], "n": [1, 9, 2, 8]})
L = make_votes(400, 5, 2, random_state=3).L
X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
P = np.tile([0.3, 0.7], (40, 1))
Y_PARTIAL = np.r_[np.tile([0, 1], 10), np.full(20, -1)]


def quiet(f: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        return f()


def wslib_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``wslib ARGV``; returns (exit status, stdout, stderr)."""
    from wslib.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@labeling_function()
def lf_ok(x):
    return 1


def _parquet(tmp: Path, name: str, frame: pd.DataFrame) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path)
    return path


def _votes_file(tmp: Path, bad_row: int | None = None) -> Path:
    votes = np.zeros((3000, 3), dtype=np.int8)
    if bad_row is not None:
        votes[bad_row, 1] = 5
    path = tmp / f"votes{bad_row}.npy"
    np.save(path, votes)
    return path


def _folder_missing_column(tmp: Path) -> Path:
    folder = tmp / "parts"
    _parquet(folder, "a.parquet", FRAME)
    _parquet(folder, "b.parquet", FRAME[["n"]])
    return folder


class Halt(BaseException):
    """A BaseException that is not an Exception (like a user's own 'stop' signal)."""


@labeling_function()
def lf_halts(x):
    if x.n == 2:
        raise Halt("stop here")
    return 1


@preprocessor()
def pre_halts(x):
    if x.n == 9:
        raise Halt("stop in the preprocessor")
    return x


@labeling_function(pre=[pre_halts])
def lf_after_halting_pre(x):
    return 0


@labeling_function(batch=True)
def lf_relabelled_series(df):
    return pd.Series(1, index=[f"x{i}" for i in range(len(df))])


@labeling_function(batch=True)
def lf_shorter_series(df):
    return pd.Series(1, index=df.index[1:])


@preprocessor(batch=True)
def pre_drops_a_row(df):
    return df.iloc[1:]


@labeling_function(batch=True, pre=[pre_drops_a_row])
def lf_after_drop(df):
    return np.ones(len(df), dtype=int)


EMB = pd.DataFrame({"emb": [np.array([1.0, 0.0]), np.array([np.nan, 1.0]),
                            np.array([0.9, 0.1]), None]})
SIMILAR = similarity_lf("emb", 0.5, 1, prototype=[1.0, 0.0], name="close")


#: case id -> an input that must be refused, naming the culprit
REFUSED: dict[str, Bad] = {
    # ---- containers that are not plain
    "dict-generator-column": Bad(lambda tmp: apply_lfs({"text": (t for t in ["a", "b"])}, [KW]),
                                  TypeError, r"column 'text' is a generator .*list\(values\)"),
    "dict-set-column": Bad(lambda tmp: apply_lfs({"text": {"spam", "ham"}}, [KW]), TypeError,
                            r"column 'text' is a set, which has no row order"),
    "dict-scalar-str-column": Bad(lambda tmp: apply_lfs({"text": "spam"}, [KW]), TypeError,
                                   r"column 'text' is a single str \('spam'\), not a column"),
    "dict-scalar-number-column": Bad(
        lambda tmp: apply_lfs({"text": ["a", "b"], "n": 3}, [KW]), TypeError,
        r"column 'n' is a single int"),
    "dict-mapping-column": Bad(lambda tmp: apply_lfs({"text": {0: "spam"}}, [KW]), TypeError,
                                r"column 'text' is a dict, which has no row order"),
    "dict-keys-same-as-text": Bad(lambda tmp: apply_lfs({1: [1, 2], "1": [3, 4]}, [lf_ok]),
                                   ValueError, r"same column name as text: \['1'\]"),
    "dict-series-other-labels": Bad(
        lambda tmp: apply_lfs({"text": FRAME.text, "n": FRAME.n.set_axis(list("wxyz"))}, [KW]),
        ValueError, r"'text' and 'n' are Series with different indexes"),
    "dict-series-other-length-labels": Bad(
        lambda tmp: apply_lfs({"text": FRAME.text.iloc[:3], "n": FRAME.n.iloc[1:]}, [KW]),
        ValueError, r"'text' and 'n' are Series with different indexes"),
    "masked-votes-fit": Bad(lambda tmp: MajorityVote().fit(np.ma.masked_less(L, 0)), ValueError,
                             r"L is a masked array with \d+ masked cell\(s\).*L\.filled\(-1\)"),
    "masked-votes-predict": Bad(
        lambda tmp: quiet(lambda: MajorityVote().fit(L)).predict_proba(np.ma.masked_less(L, 0)),
        ValueError, r"L is a masked array"),
    "masked-gold-labels": Bad(
        lambda tmp: lf_summary(L, y=np.ma.masked_array(np.zeros(400, int), mask=np.eye(1, 400))),
        ValueError, r"y is a masked array with 1 masked cell\(s\), the first at 0"),
    "masked-features": Bad(
        lambda tmp: EndModel(max_epochs=1).fit(np.ma.masked_array(X, mask=np.eye(40, 3)), P),
        ValueError, r"X is a masked array"),
    # ---- alignment that cannot be done
    "batch-series-other-labels": Bad(lambda tmp: apply_lfs(FRAME, [lf_relabelled_series]),
                                      LFOutputError,
                                      r"lf_relabelled_series.*cannot be matched to rows.*'x0'|"
                                      r"lf_relabelled_series.*cannot be matched to rows"),
    "batch-series-missing-row": Bad(lambda tmp: apply_lfs(FRAME, [lf_shorter_series]),
                                     LFOutputError, r"lf_shorter_series.*has 3 rows, the chunk 4"),
    "batch-preprocessor-drops-row": Bad(lambda tmp: apply_lfs(FRAME, [lf_after_drop]),
                                         LFApplyError, r"'pre_drops_a_row'.*3 rows, the chunk 4"),
    # ---- destroyed input
    "parquet-out-is-input": Bad(
        lambda tmp: apply_parquet(_parquet(tmp, "in.parquet", FRAME), [KW], tmp / "in.parquet"),
        ValueError, r"the output .*in\.parquet is the input.*destroy"),
    "parquet-out-inside-input-folder": Bad(
        lambda tmp: apply_parquet(_parquet(tmp / "data", "in.parquet", FRAME).parent, [KW],
                                  tmp / "data" / "votes.parquet"),
        ValueError, r"votes\.parquet is inside the input folder"),
    "parquet-out-missing-folder": Bad(
        lambda tmp: apply_parquet(_parquet(tmp, "in2.parquet", FRAME), [KW],
                                  tmp / "nowhere" / "L.npy"),
        FileNotFoundError, r"^(?!.*partial).*the folder of the output .*nowhere.* does not exist"),
    "parquet-out-is-folder": Bad(
        lambda tmp: apply_parquet(_parquet(tmp, "in3.parquet", FRAME), [KW], tmp),
        IsADirectoryError, r"is a folder; give a file name"),
    "streaming-out-is-input": Bad(
        lambda tmp: predict_proba_streaming(quiet(lambda: MajorityVote().fit(L[:, :3])),
                                            _votes_file(tmp), _votes_file(tmp)),
        ValueError, r"votesNone\.npy is the input"),
    # ---- parameters: types, NaN, ranges, when made
    "apply-timeout-string": Bad(lambda tmp: apply_lfs(FRAME, [KW], timeout="2"), TypeError,
                                 r"timeout must be a positive number of seconds, got '2' \(str\)"),
    "apply-timeout-nan": Bad(lambda tmp: apply_lfs(FRAME, [KW], timeout=float("nan")),
                              ValueError, r"timeout must be a positive number.*nan"),
    "apply-sparse-string": Bad(lambda tmp: apply_lfs(FRAME, [KW], sparse="no"), TypeError,
                                r"sparse must be True or False, got 'no'"),
    "apply-n-jobs-bool": Bad(lambda tmp: apply_lfs(FRAME, [KW], n_jobs=True), ValueError,
                              r"n_jobs must be a positive integer or -1, got True"),
    "apply-chunk-size-float": Bad(lambda tmp: apply_lfs(FRAME, [KW], chunk_size=2.5),
                                   ValueError, r"chunk_size must be a positive integer, got 2\.5"),
    "threshold-nan": Bad(lambda tmp: threshold_lf("n", float("nan"), 0), ValueError,
                          r"threshold must be a finite number, got nan"),
    "threshold-string": Bad(lambda tmp: threshold_lf("n", "5", 0), TypeError,
                             r"threshold must be a number, got '5'"),
    "similarity-threshold-beyond-cosine": Bad(
        lambda tmp: similarity_lf("emb", 1.5, 1, prototype=[1, 0]), ValueError,
        r"threshold must be a finite number in \[-1, 1\], got 1\.5"),
    "keyword-case-flag-string": Bad(lambda tmp: keyword_lf("a", 1, case_sensitive="no"),
                                     TypeError, r"case_sensitive must be True or False"),
    "regex-empty-pattern": Bad(lambda tmp: regex_lf("", 1), ValueError,
                                r"pattern must be a non-empty string"),
    "lm-tol-nan-when-made": Bad(lambda tmp: DawidSkene(tol=float("nan")), ValueError,
                                 r"tol must be a finite number >= 0, got nan"),
    "lm-max-iter-float-when-made": Bad(lambda tmp: LabelModel(max_iter=2.5), ValueError,
                                        r"max_iter must be a positive integer, got 2\.5"),
    "lm-cardinality-one-when-made": Bad(lambda tmp: MajorityVote(cardinality=1), ValueError,
                                         r"cardinality must be an integer >= 2"),
    "lm-posterior-unknown-when-made": Bad(lambda tmp: LabelModel(posterior="bayes"), ValueError,
                                           r"unknown posterior 'bayes'"),
    "lm-default-accuracy-out-of-range": Bad(
        lambda tmp: WeightedMajorityVote(default_accuracy=1.2), ValueError,
        r"default_accuracy must be a finite number in \(0, 1\), got 1\.2"),
    "lm-accuracy-nan": Bad(lambda tmp: WeightedMajorityVote(accuracy=[0.9, np.nan]),
                            ValueError, r"accuracy must be m numbers in \(0, 1\)"),
    "end-lr-nan-when-made": Bad(lambda tmp: EndModel(lr=float("nan")), ValueError,
                                 r"lr must be a finite number > 0, got nan"),
    "end-weight-decay-negative": Bad(lambda tmp: EndModel(weight_decay=-1.0), ValueError,
                                      r"weight_decay must be a finite number >= 0"),
    "autows-validation-fraction": Bad(lambda tmp: SnubaGenerator(validation_fraction=1.5),
                                       ValueError, r"validation_fraction must be a finite "
                                                   r"number in \[0, 1\)"),
    "autows-empty-vocabulary": Bad(lambda tmp: KeywordGenerator(vocabulary=[]), TypeError,
                                    r"vocabulary must be a non-empty list"),
    "autows-max-lfs-zero": Bad(lambda tmp: SnubaGenerator(max_lfs=0), ValueError,
                                r"max_lfs must be a positive integer, got 0"),
    # ---- class balances, mapped by class
    "balance-dict-missing-class": Bad(lambda tmp: MajorityVote().fit(L, class_balance={0: 1.0}),
                                       ValueError, r"missing class\(es\) \[1\]"),
    "balance-dict-unknown-class": Bad(
        lambda tmp: MajorityVote().fit(L, class_balance={0: .5, 1: .3, 2: .2}), ValueError,
        r"class\(es\) \[2\] do not exist"),
    "balance-names-not-classes": Bad(
        lambda tmp: MajorityVote().fit(L, class_balance={"ham": .5, "spam": .5}), ValueError,
        r"keys must be class indices 0\.\.k-1; got key 'ham'"),
    "balance-string": Bad(lambda tmp: MajorityVote().fit(L, class_balance="0.5,0.5"), TypeError,
                           r"class_balance must be a sequence of class shares"),
    "balance-zero-for-end-model": Bad(
        lambda tmp: EndModel(target="balanced", class_balance=[1.0, 0.0], max_epochs=1).fit(X, P),
        ValueError, r"class_balance must be finite and > 0.*class_balance\[1\] = 0\.0"),
    # ---- vote and feature containers checked at predict
    "votes-frame-renamed-columns": Bad(
        lambda tmp: quiet(lambda: MajorityVote().fit(pd.DataFrame(L[:, :3], columns=list("abc"))))
        .predict_proba(pd.DataFrame(L[:, :3], columns=list("abz"))),
        ValueError, r"missing \['c'\]; unexpected \['z'\]"),
    "votes-frame-extra-column": Bad(
        lambda tmp: quiet(lambda: MajorityVote().fit(pd.DataFrame(L[:, :2], columns=list("ab"))))
        .predict_proba(pd.DataFrame(L[:, :3], columns=list("abc"))),
        ValueError, r"unexpected \['c'\]"),
    "features-frame-renamed": Bad(
        lambda tmp: EndModel(max_epochs=1).fit(pd.DataFrame(X, columns=list("abc")), P)
        .predict_proba(pd.DataFrame(X, columns=list("abd"))),
        ValueError, r"X has columns .*missing \['c'\]"),
    "accuracy-by-name-unknown-lf": Bad(
        lambda tmp: WeightedMajorityVote(accuracy={"a": .9, "q": .8}).fit(
            pd.DataFrame(L[:, :2], columns=list("ab"))),
        ValueError, r"accuracy is keyed by LF name.*missing \['b'\], unknown \['q'\]"),
    # ---- gold labels outside the classes
    "score-proba-abstain-label": Bad(
        lambda tmp: score_proba([0, -1], np.array([[.9, .1], [.2, .8]])), ValueError,
        r"y\[1\] = -1 is not a class label"),
    "score-proba-class-beyond": Bad(
        lambda tmp: score_proba([0, 2], np.array([[.9, .1], [.2, .8]])), ValueError,
        r"y\[1\] = 2 is not a class label: expected 0\.\.1"),
    "score-predictions-strings": Bad(lambda tmp: score_predictions(["a", "b"], [0, 1]),
                                      TypeError, r"y must hold integer class labels"),
    "summary-gold-beyond-cardinality": Bad(
        lambda tmp: lf_summary(L, y=np.r_[np.zeros(399, int), 5], cardinality=2), ValueError,
        r"y\[399\] = 5 is not a class label"),
    # ---- degenerate shapes
    "end-zero-features": Bad(lambda tmp: EndModel(max_epochs=1).fit(np.zeros((40, 0)), P),
                              ValueError, r"X has zero features"),
    "autows-zero-features": Bad(lambda tmp: SnubaGenerator().fit(np.zeros((40, 0)), Y_PARTIAL),
                                 ValueError, r"X has zero features"),
    "lm-zero-columns": Bad(lambda tmp: MajorityVote().fit(np.empty((5, 0), dtype=int)),
                            ValueError, r"L has zero columns"),
    "apply-zero-rows-dict": Bad(lambda tmp: apply_lfs({"text": []}, [KW]), ValueError,
                                 r"data has zero rows"),
    # ---- errors that name the file, the global row and the LF that faulted
    "streaming-global-row": Bad(
        lambda tmp: fit_streaming(MajorityVote(cardinality=2), _votes_file(tmp, 2500),
                                  batch_size=1000),
        ValueError, r"votes2500\.npy has vote 5 at row 2500, column 1"),
    "streaming-predict-global-row": Bad(
        lambda tmp: predict_proba_streaming(
            quiet(lambda: MajorityVote(cardinality=2).fit(np.zeros((4, 3), dtype=int))),
            _votes_file(tmp, 1700), tmp / "P.npy", batch_size=1000),
        ValueError, r"votes1700\.npy has vote 5 at row 1700"),
    "parquet-folder-later-file-lacks-column": Bad(
        lambda tmp: apply_lfs(_folder_missing_column(tmp), [KW]), MissingColumnError,
        r"column 'text' needed by LF 'keyword_spam' is missing from Parquet input .*b\.parquet"),
    "parquet-folder-later-file-undeclared": Bad(
        lambda tmp: apply_parquet(_folder_missing_column(tmp), [lf_ok], tmp / "o.npy"),
        MissingColumnError, r"b\.parquet lacks column\(s\) \['text'\] that .*a\.parquet holds"),
    "fused-regex-fault-under-its-name": Bad(
        lambda tmp: apply_lfs(FRAME, [regex_lf(r"check.*out", 1, column="n", name="rx"),
                                      keyword_lf("x", 0, column="n", name="kw")]),
        LFApplyError, r"^LF 'rx' raised TypeError: column 'n' must hold strings(?!.*'kw')"),
    "similarity-nan-embedding-row": Bad(lambda tmp: apply_lfs(EMB, [SIMILAR]), LFApplyError,
                                         r"LF 'close' raised .*non-finite.*on row 1 "
                                         r"\(position 1\)"),
    "base-exception-one-process": Bad(lambda tmp: apply_lfs(FRAME, [lf_halts]), LFApplyError,
                                       r"LF 'lf_halts' raised Halt: stop here on row 2 "
                                       r"\(position 2\).*BaseException"),
    "base-exception-abstain-still-stops": Bad(
        lambda tmp: apply_lfs(FRAME, [lf_halts], errors="abstain"), LFApplyError,
        r"'lf_halts' raised Halt.*whatever errors= says"),
    "base-exception-in-preprocessor": Bad(lambda tmp: apply_lfs(FRAME, [lf_after_halting_pre]),
                                           LFApplyError, r"raised Halt: stop in the preprocessor "
                                                         r"on row 1"),
}

#: case id -> an input that must warn
WARNED: dict[str, Bad] = {
    "summary-one-based-gold": Bad(lambda tmp: lf_summary(L, y=np.where(L[:, 0] >= 0, 2, 1)),
                                   CardinalityWarning, r"y holds class\(es\) \[2\] that no LF "
                                                       r"votes for.*1-based"),
    "confusion-gold-beyond-votes": Bad(lambda tmp: lf_confusion(L, np.r_[np.zeros(399, int), 4]),
                                        CardinalityWarning, r"class\(es\) \[4\]"),
    "cardinality-far-above-votes": Bad(lambda tmp: DawidSkene(cardinality=1000).fit(L),
                                        CardinalityWarning, r"cardinality=1000, but the largest "
                                                            r"class voted is 1"),
    "summary-cardinality-far-above": Bad(lambda tmp: lf_summary(L, cardinality=20000),
                                          CardinalityWarning, r"19998 classes never occur"),
    "weaver-text-column": Bad(
        lambda tmp: read_table(make_verifier_table(6, 4, 3, random_state=0)
                               .assign(note="fine")),
        IgnoredColumnWarning, r"columns \['note'\] hold text and are not used as verifiers"),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("red-team")


@pytest.mark.parametrize("case_id", sorted(REFUSED))
def test_refused_naming_the_culprit(scratch, case_id):
    case = REFUSED[case_id]
    (scratch / case_id).mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        with pytest.raises(case.exc) as info:
            case.call(scratch / case_id)
    assert re.search(case.names, str(info.value), flags=re.DOTALL), (
        f"{case_id}: /{case.names}/ not in:\n{info.value}")


@pytest.mark.parametrize("case_id", sorted(WARNED))
def test_warned_naming_the_problem(scratch, case_id):
    """The warning is turned into an error, so a slow fit it warns about never runs."""
    case = WARNED[case_id]
    (scratch / case_id).mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error", case.exc)
        with pytest.raises(case.exc, match=case.names):
            case.call(scratch / case_id)


# --------------------------------------------------------- answered correctly
def test_dict_of_series_on_a_sliced_frame_gives_the_frame_votes():
    sub = FRAME.iloc[1:]
    lfs = [KW, threshold_lf("n", 5, 0)]
    expected = apply_lfs(sub, lfs)
    np.testing.assert_array_equal(apply_lfs({"text": sub.text, "n": sub.n}, lfs), expected)
    np.testing.assert_array_equal(apply_lfs({"text": sub.text, "n": sub.n.to_numpy()}, lfs),
                                  expected)
    np.testing.assert_array_equal(apply_lfs({"text": sub.text, "n": sub.n[::-1]}, lfs), expected)


def test_fresh_series_and_fresh_preprocessed_frame_on_a_permuted_index_are_read_by_position():
    frame = pd.DataFrame({"text": ["spam", "ham", "ham"]}, index=[2, 0, 1])

    @labeling_function(batch=True)
    def fresh(df):
        return pd.Series([1 if "spam" in t else -1 for t in df.text])

    @preprocessor(batch=True)
    def new_frame(df):
        return pd.DataFrame({"text": df.text.to_numpy()})

    @labeling_function(batch=True, pre=[new_frame])
    def via_new_frame(df):
        return pd.Series(np.where(df.text.str.contains("spam"), 1, -1), index=df.index)

    np.testing.assert_array_equal(apply_lfs(frame, [fresh, via_new_frame]),
                                  [[1, 1], [-1, -1], [-1, -1]])


def test_parquet_input_survives_a_refused_overwrite(tmp_path):
    path = _parquet(tmp_path, "raw.parquet", FRAME)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="is the input"):
        apply_parquet(path, [KW], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.parquet"]  # no temporary left


def test_streaming_votes_survive_a_refused_overwrite(tmp_path):
    path = _votes_file(tmp_path)
    model = quiet(lambda: MajorityVote(cardinality=2).fit(np.load(path)))
    with pytest.raises(ValueError, match="is the input"):
        predict_proba_streaming(model, path, tmp_path / "." / path.name)
    np.testing.assert_array_equal(np.load(path), np.zeros((3000, 3), dtype=np.int8))


def test_weaver_out_is_checked_before_the_table_and_reruns_need_force(tmp_path):
    table = tmp_path / "runs.csv"
    make_verifier_table(12, 5, 4, random_state=0).to_csv(table, index=False)
    a_file = tmp_path / "taken.txt"
    a_file.write_text("keep me")
    code, _, err = wslib_cli("weaver", str(tmp_path / "absent.csv"), "--out", str(a_file))
    assert code == 2 and "is a file" in err and "absent" not in err  # before reading anything
    assert err.count("\n") == 1 and "Traceback" not in err
    assert a_file.read_text() == "keep me"
    out = tmp_path / "out"
    assert wslib_cli("weaver", str(table), "--out", str(out))[0] == 0
    assert (out / "metrics.json").exists()
    code, _, err = wslib_cli("weaver", str(table), "--labels", "none", "--out", str(out))
    assert code == 2 and "--force" in err
    (out / "notes.md").write_text("mine")
    assert wslib_cli("weaver", str(table), "--labels", "none", "--out", str(out),
                     "--force")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["notes.md", "scores.csv", "selected.csv",
                                                     "verifiers.csv"]  # no stale metrics


def test_cli_type_error_is_one_line_with_exit_2(tmp_path):
    bad = make_verifier_table(6, 4, 3, random_state=0).astype({"rm02_scores": object})
    bad.loc[0, "rm02_scores"] = "high"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    code, _, err = wslib_cli("weaver", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o"))
    assert code == 2 and err.count("\n") == 1 and "'rm02_scores'" in err
    assert not (tmp_path / "o").exists()


def test_weaver_reads_yes_no_verdicts_as_scores():
    table = make_verifier_table(20, 4, 3, random_state=1)
    words = table.assign(judge=np.where(table["correct"] == 1, " Yes", "no"))
    read = quiet(lambda: read_table(words))
    assert "judge" in read.verifiers
    j = read.verifiers.index("judge")
    np.testing.assert_array_equal(read.scores[:, j], read.labels.astype(float))


def test_class_balance_series_by_class_equals_the_array_in_class_order():
    as_series = pd.Series({1: 0.7, 0: 0.3})  # value_counts(normalize=True) order
    for model in (MajorityVote, LabelModel, WeightedMajorityVote):
        a = quiet(lambda: model().fit(L, class_balance=as_series))
        b = quiet(lambda: model().fit(L, class_balance=[0.3, 0.7]))
        np.testing.assert_allclose(a.class_balance_, [0.3, 0.7])
        np.testing.assert_array_equal(a.predict(L), b.predict(L))
    fitted = quiet(lambda: DawidSkene().fit(L, class_balance={0: 0.5, 1: 0.5}))
    np.testing.assert_allclose(fitted.class_balance_, [0.5, 0.5])


def test_vote_frame_with_reordered_columns_gives_the_same_soft_labels(tmp_path):
    frame = pd.DataFrame(L, columns=[f"lf{j}" for j in range(L.shape[1])])
    model = quiet(lambda: LabelModel().fit(frame))
    shuffled = frame[frame.columns[::-1]]
    np.testing.assert_array_equal(model.predict_proba(shuffled), model.predict_proba(frame))
    model.save(tmp_path / "m.npz")
    loaded = LabelModel.load(tmp_path / "m.npz")
    assert loaded.feature_names_in_.tolist() == frame.columns.tolist()
    np.testing.assert_array_equal(loaded.predict_proba(shuffled), model.predict_proba(frame))
    quiet(lambda: model.fit(L))  # refitted on an array: the names are forgotten
    assert not hasattr(model, "feature_names_in_")


def test_feature_frame_with_reordered_columns_gives_the_same_probabilities():
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = EndModel(max_epochs=2, hidden=4).fit(frame, P)
    np.testing.assert_allclose(model.predict_proba(frame[["c", "a", "b"]]),
                               model.predict_proba(frame))


def test_accuracy_keyed_by_lf_name_follows_the_columns():
    frame = pd.DataFrame(L[:, :3], columns=["a", "b", "c"])
    by_name = WeightedMajorityVote(accuracy={"c": 0.9, "a": 0.6, "b": 0.7}).fit(frame)
    np.testing.assert_allclose(by_name.accuracy_, [0.6, 0.7, 0.9])


class Vote(enum.IntEnum):
    SPAM = 1


def test_each_row_lf_is_called_once_per_row_whatever_it_returns():
    calls: list[str] = []

    def counted(name, result):
        @labeling_function(name=name)
        def lf(x):
            calls.append(name)
            if callable(result):
                return result(x)
            return result
        return lf

    def raise_on_b(x):
        if x.text == "b":
            raise ValueError("no b")
        return 1

    lfs = [counted("enum", Vote.SPAM), counted("float", 1.0), counted("raising", raise_on_b),
           counted("string", "spam")]
    frame = pd.DataFrame({"text": ["a", "b", "c"]})
    with pytest.warns(LFFaultWarning):
        L_out, faults = apply_lfs(frame, lfs, errors="abstain", return_faults=True)
    assert {name: calls.count(name) for name in set(calls)} == {
        "enum": 3, "float": 3, "raising": 3, "string": 3}
    np.testing.assert_array_equal(L_out[:, 0], [1, 1, 1])
    assert faults.to_dict() == {"enum": 0, "float": 3, "raising": 1, "string": 3}
    calls.clear()
    with pytest.raises(LFApplyError, match=r"'raising' raised ValueError: no b on row 1"):
        apply_lfs(frame, lfs[2:3])
    assert calls == ["raising", "raising"]  # stops at the fault: row c is never called


@pytest.mark.parametrize("chained_pickling", [False, True], ids=["plain", "tblib"])
def test_local_base_exception_under_two_workers_is_a_named_error(chained_pickling):
    """Also when a library (tblib, installed by dask's distributed) makes exceptions
    pickle their chained causes: the local class must not reach the pickler."""
    if chained_pickling:
        pytest.importorskip("tblib.pickling_support").install()

    class Stop(BaseException):
        pass

    @labeling_function()
    def stopper(x):
        if x.n == 1500:
            raise Stop("halt")
        return 0

    frame = pd.DataFrame({"n": np.arange(3000)})
    with pytest.raises(LFApplyError, match=r"LF 'stopper' raised Stop: halt on row 1500 "
                                           r"\(position 1500\)"):
        apply_lfs(frame, [stopper], n_jobs=2, chunk_size=500)


def test_keyboard_interrupt_is_not_swallowed():
    @labeling_function()
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_lfs(FRAME, [interrupted], errors="abstain")


def test_categorical_text_column_is_read_by_the_templates():
    text = ["spam now", "ham", None, "check it out", "spam"]
    lfs = [keyword_lf("spam", 1), regex_lf(r"check.*out", 1, name="rx"),
           keyword_lf(["ham"], 0, word_boundary=True, name="kw_ham")]
    plain = apply_lfs(pd.DataFrame({"text": text}), lfs)
    categorical = apply_lfs(pd.DataFrame({"text": pd.Categorical(text)}), lfs)
    np.testing.assert_array_equal(categorical, plain)


def test_similarity_lf_keeps_the_other_rows_votes_and_counts_the_bad_ones():
    with pytest.warns(LFFaultWarning, match=r"'close': 2 row\(s\), first: .*row 1"):
        votes, faults = apply_lfs(EMB, [SIMILAR], errors="abstain", return_faults=True)
    np.testing.assert_array_equal(votes[:, 0], [1, ABSTAIN, 1, ABSTAIN])
    assert faults["close"] == 2


def test_masked_dict_columns_are_missing_values():
    data = {"text": np.ma.masked_array(["spam", "spam", "ham"], mask=[0, 1, 0]),
            "n": np.ma.masked_array([9, 9, 9], mask=[0, 0, 1])}
    votes = apply_lfs(data, [KW, threshold_lf("n", 5, 0)])
    np.testing.assert_array_equal(votes, [[1, 0], [ABSTAIN, 0], [ABSTAIN, ABSTAIN]])


def test_unicode_case_folding_is_str_lower_with_the_documented_exceptions():
    """Every character with a lower case: ``keyword_lf(c.lower())`` finds ``c`` unless it is
    one of the exceptions docs/lfs.md lists (İ, whose lower case is longer; characters
    newer than this Python's Unicode tables). The final sigma is read as σ both ways."""
    chars = [chr(c) for c in range(0x110000)
             if not 0xD800 <= c <= 0xDFFF and chr(c).lower() != chr(c)]
    keywords = [c.lower() for c in chars]
    from wslib.lf.templates import KeywordTemplate, match_keyword_templates

    specs = [KeywordTemplate("text", (k,), 1, False, False) for k in keywords]
    hits = match_keyword_templates(pd.Series(chars), specs, ["fold"] * len(specs))
    found = hits[np.arange(len(chars)), np.arange(len(chars))] == 1
    misses = {c for c, f in zip(chars, found) if not f}
    assert misses <= {"İ"}, sorted(misses)[:20]
    greek = pd.DataFrame({"text": ["ΟΔΟΣ", "η οδος", "οδοσ"]})
    lfs = [keyword_lf("οδος", 1), keyword_lf("ΟΔΟΣ", 1, name="upper")]
    np.testing.assert_array_equal(apply_lfs(greek, lfs), np.ones((3, 2)))


def test_multi_index_rows_are_named_by_their_tuple_label():
    frame = FRAME.set_axis(pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2)]))
    with pytest.raises(LFApplyError, match=r"row \('b', 1\) \(position 2\)"):
        apply_lfs(frame, [lf_halts])


def test_unique_temporary_output_names_leave_nothing_behind(tmp_path):
    source = _parquet(tmp_path / "in", "x.parquet", FRAME)

    @labeling_function()
    def breaks(x):
        raise ValueError("no")

    with pytest.raises(LFApplyError):
        apply_parquet(source, [breaks], tmp_path / "L.npy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no partial file left
    res = apply_parquet(source, [KW], tmp_path / "L.parquet")
    assert pq.read_table(res.path).num_rows == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L.parquet", "in"]


def test_estimator_errors_point_at_the_constructor_not_fit():
    with pytest.raises(ValueError, match="smoothing"):
        DawidSkene(smoothing=-1.0)  # the line that holds the mistake
    model = DawidSkene().set_params(smoothing=-1.0)  # set_params stores, like scikit-learn
    with pytest.raises(ValueError, match="smoothing must be a finite number >= 0"):
        model.fit(L)


def test_at_least_a_hundred_red_team_cases_in_the_reliability_suite():
    from . import test_bad_inputs

    answered = [name for name in globals() if name.startswith("test_")
                and name not in ("test_refused_naming_the_culprit",
                                 "test_warned_naming_the_problem",
                                 "test_at_least_a_hundred_red_team_cases_in_the_reliability_suite")]
    total = len(REFUSED) + len(WARNED) + len(answered) + len(test_bad_inputs.CASES)
    assert total >= 100, total
