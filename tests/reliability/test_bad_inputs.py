"""Every bad input gets a specific exception whose message names the culprit.

Each case is one distinct mistake a user makes, across the whole public API:
the vote matrix, labeling functions and ``apply_lfs``, LF analysis, label models,
the end model, the WRENCH loader, Weaver, AutoWS and the command line. A case
states the exception type and a regular expression the message must match; the
expression always contains the culprit (the LF, row, column, file, parameter or
value), so a generic "invalid input" message fails the test.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Callable
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from wslib import ABSTAIN, apply_lfs, autows, labeling_function, weaver
from wslib.analysis import lf_summary
from wslib.apply import LFApplyError, LFOutputError, MissingColumnError
from wslib.datasets import load_embedded, load_wrench
from wslib.exceptions import NotFittedError, WslibWarning
from wslib.labelmodel import BaseLabelModel, DawidSkene, MajorityVote, MatrixCompletion, Triplet
from wslib.lf import keyword_lf, regex_lf
from wslib.matrix import check_votes

from ._support import LABEL_MODEL_IDS, LABEL_MODELS


@dataclass(frozen=True)
class Bad:
    """One bad input: ``call(scratch_folder)`` raises ``exc``, message matching ``names``."""

    call: Callable[[Path], Any]
    exc: type[BaseException]
    names: str


# ------------------------------------------------------------------------ fixtures
DF = pd.DataFrame({"text": ["win money now", "hello friend", "check my channel", "ok"],
                   "n_words": [3, 2, 3, 1]}, index=[10, 11, 12, 13])
L = np.array([[0, 1, 1], [1, 1, -1], [0, 0, 0], [-1, 1, 0]], dtype=np.int8)
Y = np.array([0, 1, 0, 1])


@labeling_function()
def lf_divides(x):
    return 0 if 6 // (x.n_words - 2) else ABSTAIN  # ZeroDivisionError on 2-word rows


@labeling_function()
def lf_says_spam(x):
    return "spam"


@labeling_function()
def lf_half(x):
    return 0.5


@labeling_function()
def lf_class_seven(x):
    return 7


@labeling_function()
def lf_minus_two(x):
    return -2


@labeling_function()
def lf_none(x):
    return None


@labeling_function(batch=True)
def lf_short_batch(df):
    return np.zeros(len(df) - 1, dtype=np.int8)


@labeling_function(batch=True)
def lf_nan_batch(df):
    return np.where(df["n_words"].to_numpy() > 2, np.nan, 0.0)


@labeling_function(name="same")
def lf_same_a(x):
    return 0


@labeling_function(name="same")
def lf_same_b(x):
    return 1


def _fitted(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        return model.fit(L)


def _wrench(tmp: Path, label: str | None = '{"0": "ham", "1": "spam"}',
            train: str | None = None) -> Path:
    folder = tmp / "ds"
    folder.mkdir(parents=True, exist_ok=True)
    if label is not None:
        (folder / "label.json").write_text(label)
    if train is not None:
        (folder / "train.json").write_text(train)
    return folder


def _item(weak, label=0) -> str:
    return json.dumps({"0": {"label": label, "weak_labels": weak, "data": {"text": "x"}}})


class CommandFailed(Exception):
    """A ``wslib`` command exited non-zero; the message is its exit code and stderr."""


def cli(*argv: str) -> None:
    from wslib.cli import main

    err = io.StringIO()
    with redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
    if code:
        raise CommandFailed(f"exit {code}: {err.getvalue()}")


def _end_model():
    from wslib.endmodel import EndModel

    return EndModel(max_epochs=1, hidden=4)


X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
P = np.tile([0.3, 0.7], (40, 1))


def _verifier_table() -> pd.DataFrame:
    from wslib.datasets.synthetic import make_verifier_table

    return make_verifier_table(12, 6, 5, random_state=0)


def _partial_labels() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y = np.full(60, -1)
    y[:20] = np.tile([0, 1], 10)
    return rng.normal(size=(60, 4)), y


# --------------------------------------------------------------------------- cases
def _model_file(tmp: Path) -> Path:
    path = tmp / "mv.npz"
    _fitted(MajorityVote()).save(path)
    return path


def _text_file(tmp: Path, name: str = "notes.npz") -> Path:
    path = tmp / name
    path.write_text("not a model")
    return path


Xa, ya = _partial_labels()
TABLE = _verifier_table()


#: case id -> bad input; ``call`` gets a scratch folder for file-based cases.
CASES: dict[str, Bad] = {
    # ---- the vote matrix
    "votes-float-fraction": Bad(lambda tmp: check_votes(np.array([[0.0, 1.5]])), ValueError,
                                r"non-integer vote 1\.5 at row 0, column 1"),
    "votes-nan": Bad(lambda tmp: check_votes(np.array([[0.0, 1.0], [np.nan, 0.0]])), ValueError,
                     r"non-finite vote at row 1, column 0"),
    "votes-integral-floats": Bad(lambda tmp: check_votes(np.array([[0.0, 1.0]])), TypeError,
                                 r"float dtype float64.*astype"),
    "votes-below-abstain": Bad(lambda tmp: check_votes(np.array([[0, -3]])), ValueError,
                               r"vote -3 at row 0, column 1"),
    "votes-above-cardinality": Bad(lambda tmp: check_votes(np.array([[0, 4]]), cardinality=3),
                                   ValueError, r"vote 4 at row 0, column 1, outside 0\.\.2"),
    "votes-bool": Bad(lambda tmp: check_votes(np.array([[True, False]])), TypeError,
                      r"L has boolean dtype"),
    "votes-strings": Bad(lambda tmp: check_votes(np.array([["a", "b"]])), TypeError,
                         r"L has dtype <U1"),
    "votes-object-none": Bad(lambda tmp: check_votes(np.array([[0, None]], dtype=object)),
                             TypeError, r"object dtype.*None"),
    "votes-1d": Bad(lambda tmp: check_votes(np.array([0, 1])), ValueError,
                    r"2-D.*shape \(2,\)"),
    "votes-zero-rows": Bad(lambda tmp: check_votes(np.empty((0, 3), dtype=int)), ValueError,
                           r"L has zero rows"),
    "votes-zero-columns": Bad(lambda tmp: check_votes(np.empty((3, 0), dtype=int)), ValueError,
                              r"L has zero columns"),
    "votes-ragged": Bad(lambda tmp: check_votes([[0, 1], [1]]), ValueError,
                        r"L is not a rectangular matrix"),
    "votes-huge-vote": Bad(lambda tmp: check_votes(np.array([[0, 2**40]])), ValueError,
                           r"vote 1099511627776 at row 0, column 1.*cardinality="),
    "votes-sparse-nan": Bad(lambda tmp: check_votes(sp.csr_matrix(np.array([[0, 0], [np.nan, 1]]))),
                            ValueError, r"non-finite vote at row 1, column 0"),
    "votes-cardinality-one": Bad(lambda tmp: check_votes(L, cardinality=1), ValueError,
                                 r"cardinality must be an integer >= 2, got 1"),
    # ---- labeling functions and apply_lfs
    "lf-raises": Bad(lambda tmp: apply_lfs(DF, [lf_divides]), LFApplyError,
                     r"LF 'lf_divides' raised ZeroDivisionError.* row 11 \(position 1\)"),
    "lf-returns-string": Bad(lambda tmp: apply_lfs(DF, [lf_says_spam]), LFOutputError,
                             r"LF 'lf_says_spam' returned 'spam'.* row 10 \(position 0\)"),
    "lf-returns-float": Bad(lambda tmp: apply_lfs(DF, [lf_half]), LFOutputError,
                            r"LF 'lf_half' returned 0\.5.* row 10"),
    "lf-returns-none": Bad(lambda tmp: apply_lfs(DF, [lf_none]), LFOutputError,
                           r"LF 'lf_none' returned None.* row 10"),
    "lf-vote-above-cardinality": Bad(lambda tmp: apply_lfs(DF, [lf_class_seven], cardinality=3),
                                     LFOutputError, r"LF 'lf_class_seven' returned 7.*-1\.\.2"),
    "lf-vote-below-abstain": Bad(lambda tmp: apply_lfs(DF, [lf_minus_two]), LFOutputError,
                                 r"LF 'lf_minus_two' returned -2"),
    "lf-batch-wrong-length": Bad(lambda tmp: apply_lfs(DF, [lf_short_batch]), LFOutputError,
                                 r"LF 'lf_short_batch'.*shape \(3,\), expected \(4,\)"),
    "lf-batch-nan": Bad(lambda tmp: apply_lfs(DF, [lf_nan_batch]), LFOutputError,
                        r"LF 'lf_nan_batch' returned nan.* row 10"),
    "lf-duplicate-names": Bad(lambda tmp: apply_lfs(DF, [lf_same_a, lf_same_b]), ValueError,
                              r"duplicate labeling function names \['same'\]"),
    "lf-missing-column": Bad(lambda tmp: apply_lfs(DF, [keyword_lf("win", 1, column="body")]),
                             MissingColumnError, r"column 'body' needed by LF 'keyword_win'"),
    "lf-not-decorated": Bad(lambda tmp: apply_lfs(DF, [lambda x: 0]), TypeError,
                            r"lfs\[0\] is a function.*@labeling_function"),
    "apply-empty-data": Bad(lambda tmp: apply_lfs(DF.iloc[:0], [lf_same_a]), ValueError,
                            r"data has zero rows"),
    "apply-no-lfs": Bad(lambda tmp: apply_lfs(DF, []), ValueError, r"no labeling functions"),
    "apply-errors-policy": Bad(lambda tmp: apply_lfs(DF, [lf_same_a], errors="ignore"),
                               ValueError, r"errors must be one of.*'ignore'"),
    "apply-n-jobs": Bad(lambda tmp: apply_lfs(DF, [lf_same_a], n_jobs=0), ValueError,
                        r"n_jobs must be .*got 0"),
    "apply-chunk-size": Bad(lambda tmp: apply_lfs(DF, [lf_same_a], chunk_size=0), ValueError,
                            r"chunk_size must be a positive integer, got 0"),
    "apply-list-input": Bad(lambda tmp: apply_lfs([1, 2], [lf_same_a]), TypeError,
                            r"cannot apply LFs to a list"),
    "apply-dict-unequal": Bad(lambda tmp: apply_lfs({"text": ["a", "b"], "n": [1]}, [lf_same_a]),
                              ValueError, r"'text' has 2 rows, 'n' has 1"),
    "apply-timeout": Bad(lambda tmp: apply_lfs(DF, [lf_same_a], timeout=0), ValueError,
                         r"timeout must be a positive number of seconds, got 0"),
    "apply-parquet-missing": Bad(lambda tmp: apply_lfs(tmp / "absent.parquet", [lf_same_a]),
                                 FileNotFoundError, r"absent\.parquet"),
    "template-keyword-label": Bad(lambda tmp: keyword_lf("win", -3), ValueError,
                                  r"LF 'keyword_win': label must be a class index >= 0, got -3"),
    "template-keyword-empty": Bad(lambda tmp: keyword_lf([], 1), ValueError,
                                  r"keywords must be non-empty strings"),
    "template-regex-syntax": Bad(lambda tmp: regex_lf("(unclosed", 1), ValueError,
                                 r"pattern '\(unclosed' is not valid"),
    "template-keyword-numeric-column": Bad(
        lambda tmp: apply_lfs(DF, [keyword_lf("3", 1, column="n_words")]), LFApplyError,
        r"column 'n_words' must hold strings"),
    "lf-batch-and-numba": Bad(lambda tmp: labeling_function(batch=True, numba=True), ValueError,
                              r"batch=True or numba=True, not both"),
    # ---- analysis
    "summary-y-length": Bad(lambda tmp: lf_summary(L, y=np.array([0, 1])), ValueError,
                            r"y has 2 labels but there are 4 items"),
    "summary-names-length": Bad(lambda tmp: lf_summary(L, lfs=["a", "b"]), ValueError,
                                r"lfs has 2 entries but L has 3 columns"),
    "summary-duplicate-names": Bad(lambda tmp: lf_summary(L, lfs=["a", "b", "a"]), ValueError,
                                   r"duplicate labeling function names \['a'\]"),
    # ---- label models
    "lm-too-few-lfs": Bad(lambda tmp: DawidSkene().fit(L[:, :2]), ValueError,
                          r"DawidSkene needs at least 3 labeling functions.*MajorityVote"),
    "lm-predict-width": Bad(lambda tmp: _fitted(MajorityVote()).predict_proba(L[:, :2]),
                            ValueError, r"L has 2 columns but the model was fitted with 3"),
    "lm-not-fitted": Bad(lambda tmp: DawidSkene().predict(L), NotFittedError,
                         r"this DawidSkene is not fitted yet; call fit"),
    "lm-y-dev-length": Bad(lambda tmp: DawidSkene().fit(L, y_dev=[0, 1]), ValueError,
                           r"y_dev has 2 labels but there are 4 items"),
    "lm-y-dev-class": Bad(lambda tmp: DawidSkene().fit(L, y_dev=[0, 1, 5, 1]), ValueError,
                          r"y_dev\[2\] = 5 is not a class label: expected -1 \(unlabelled\) or 0\.\.1"),
    "lm-l-dev-without-y": Bad(lambda tmp: DawidSkene().fit(L, L_dev=L), ValueError,
                              r"L_dev was given without y_dev"),
    "lm-l-dev-width": Bad(lambda tmp: DawidSkene().fit(L, L_dev=L[:, :2], y_dev=Y), ValueError,
                          r"L_dev has 2 columns but the model was fitted with 3"),
    "lm-class-balance-sum": Bad(lambda tmp: MajorityVote().fit(L, class_balance=[0.8, 0.8]),
                                ValueError, r"class_balance must sum to 1, got sum 1\.6"),
    "lm-class-balance-negative": Bad(
        lambda tmp: MajorityVote().fit(L, class_balance=[1.5, -0.5]), ValueError,
        r"class_balance must be finite and non-negative, got \[1\.5, -0\.5\]"),
    "lm-class-balance-shape": Bad(lambda tmp: MajorityVote().fit(L, class_balance=[1.0]),
                                  ValueError, r"class_balance has shape \(1,\), expected \(2,\)"),
    "lm-tie-break": Bad(lambda tmp: _fitted(MajorityVote()).predict(L, tie_break="coin"),
                        ValueError, r"unknown tie_break 'coin'"),
    "lm-score-metric": Bad(lambda tmp: _fitted(MajorityVote()).score(L, Y, metric="auc"),
                           ValueError, r"unknown metric 'auc'"),
    "lm-score-fractional-y": Bad(lambda tmp: _fitted(MajorityVote()).score(L, [0, 1, 0.5, 1]),
                                 ValueError, r"y\[2\] = .*0\.5.* not an integer class label"),
    "lm-random-state": Bad(lambda tmp: MajorityVote(random_state=-1).fit(L), ValueError,
                           r"random_state must be a non-negative integer, got -1"),
    "lm-max-iter": Bad(lambda tmp: DawidSkene(max_iter=0).fit(L), ValueError,
                       r"max_iter must be a positive integer, got 0"),
    "lm-mc-learning-rate": Bad(lambda tmp: MatrixCompletion(learning_rate=float("nan")).fit(L),
                               ValueError, r"learning_rate must be a finite number > 0, got nan"),
    "lm-mc-steps": Bad(lambda tmp: MatrixCompletion(n_steps=-5).fit(L), ValueError,
                       r"n_steps must be a positive integer, got -5"),
    "lm-triplet-partners": Bad(lambda tmp: Triplet(n_partners=1).fit(L), ValueError,
                               r"n_partners must be an integer >= 2, got 1"),
    "lm-bool-flag": Bad(lambda tmp: DawidSkene(abstain_aware="no").fit(L), TypeError,
                        r"abstain_aware must be True or False, got 'no'"),
    "lm-smoothing": Bad(lambda tmp: DawidSkene(smoothing=-1.0).fit(L), ValueError,
                        r"smoothing must be a finite number >= 0, got -1\.0"),
    "lm-load-foreign-file": Bad(lambda tmp: BaseLabelModel.load(_text_file(tmp)),
                                    ValueError, r"notes\.npz is not a readable wslib"),
    "lm-load-other-class": Bad(lambda tmp: DawidSkene.load(_model_file(tmp)), TypeError,
                               r"mv\.npz holds a MajorityVote, not a DawidSkene"),
    # ---- end model
    "end-features-nan": Bad(lambda tmp: _end_model().fit(np.where(np.eye(40, 3) > 0, np.nan, X), P),
                            ValueError, r"X has a non-finite value nan at row 0, column 0"),
    "end-label-rows": Bad(lambda tmp: _end_model().fit(X, P[:30]), ValueError,
                          r"X has 40 rows but y has 30 rows"),
    "end-soft-label-sum": Bad(lambda tmp: _end_model().fit(X, P * 2), ValueError,
                              r"y row 0 is not a probability row: it sums to 2"),
    "end-raw-text": Bad(lambda tmp: _end_model().fit(np.array([["a"] * 3] * 40), P), TypeError,
                        r"X has dtype <U1; pass numeric features"),
    "end-unknown-head": Bad(lambda tmp: _end_model().set_params(head="svm").fit(X, P),
                            ValueError, r"unknown head 'svm'"),
    "end-unavailable-device": Bad(lambda tmp: _end_model().set_params(device="tpu9").fit(X, P),
                                  ValueError, r"device 'tpu9' is not a valid torch device"),
    "end-predict-width": Bad(lambda tmp: _end_model().fit(X, P).predict_proba(X[:, :2]),
                             ValueError, r"X has 2 features but the end model was fitted with 3"),
    "end-sample-weight": Bad(lambda tmp: _end_model().fit(X, P, sample_weight=-np.ones(40)),
                             ValueError, r"sample_weight\[0\] = -1\.0 must be finite and >= 0"),
    "end-coverage-length": Bad(lambda tmp: _end_model().fit(X, P, coverage=np.ones(3, bool)),
                               ValueError, r"coverage has shape \(3,\), expected \(40,\)"),
    # ---- datasets
    "wrench-missing-folder": Bad(lambda tmp: load_wrench(tmp / "nowhere"), FileNotFoundError,
                                 r"dataset folder .*nowhere does not exist"),
    "wrench-no-label-json": Bad(lambda tmp: load_wrench(_wrench(tmp / "a", label=None)),
                                FileNotFoundError, r"label\.json is missing"),
    "wrench-bad-label-json": Bad(lambda tmp: load_wrench(_wrench(tmp / "b", label="{oops")),
                                 ValueError, r"label\.json must be a JSON object"),
    "wrench-fractional-weak-label": Bad(
        lambda tmp: load_wrench(_wrench(tmp / "c", train=_item([0, 1.5]))), ValueError,
        r"train\.json: item '0' has weak label 1\.5 in column 1"),
    "wrench-weak-label-range": Bad(
        lambda tmp: load_wrench(_wrench(tmp / "d", train=_item([0, 5]))), ValueError,
        r"train\.json: item '0' has weak label 5 in column 1, outside -1\.\.1"),
    "wrench-gold-label-range": Bad(
        lambda tmp: load_wrench(_wrench(tmp / "e", train=_item([0, 1], label=7))), ValueError,
        r"train\.json: item '0' has label 7, outside 0\.\.1"),
    "wrench-invalid-json": Bad(lambda tmp: load_wrench(_wrench(tmp / "f", train='{"0": {')),
                               ValueError, r"train\.json is not valid JSON"),
    "wrench-unknown-embedded": Bad(lambda tmp: load_embedded("sms"), ValueError,
                                   r"unknown embedded dataset 'sms'"),
    "wrench-unknown-split": Bad(lambda tmp: load_embedded()["dev"], KeyError,
                                r"dataset 'youtube' has no split 'dev'"),
    # ---- weaver
    "weaver-mode": Bad(lambda tmp: weaver.Weaver(mode="fast").fit(TABLE), ValueError,
                       r"unknown mode 'fast'"),
    "weaver-missing-problem-column": Bad(
        lambda tmp: weaver.VerifierTable.from_frame(TABLE.drop(columns=["problem_id"])),
        KeyError, r"problem column 'problem_id' not in the table"),
    "weaver-missing-verifier": Bad(
        lambda tmp: weaver.VerifierTable.from_frame(TABLE, verifiers=["nope"]), KeyError,
        r"verifier columns \['nope'\] not in the table"),
    "weaver-duplicate-candidates": Bad(
        lambda tmp: weaver.VerifierTable.from_frame(pd.concat([TABLE, TABLE.iloc[:1]])),
        ValueError, r"1 duplicate \(problem, candidate\) rows"),
    "weaver-table-format": Bad(lambda tmp: weaver.read_table(_text_file(tmp, "scores.xlsx")),
                               ValueError, r"cannot read .*scores\.xlsx"),
    "weaver-table-missing": Bad(lambda tmp: weaver.read_table(tmp / "absent.parquet"),
                                FileNotFoundError, r"verifier table .*absent\.parquet"),
    # ---- autows
    "autows-y-length": Bad(lambda tmp: autows.SnubaGenerator().fit(Xa, ya[:30]), ValueError,
                           r"X has 60 rows but y has 30 entries"),
    "autows-class-without-example": Bad(
        lambda tmp: autows.SnubaGenerator(cardinality=3).fit(Xa, ya), ValueError,
        r"class .*2.* has no labelled example"),
    "autows-vocabulary-length": Bad(
        lambda tmp: autows.KeywordGenerator(vocabulary=["a", "b"]).fit(np.abs(Xa), ya),
        ValueError, r"vocabulary has 2 terms but X has 4 columns"),
    "autows-transform-width": Bad(
        lambda tmp: autows.SnubaGenerator().fit(Xa, ya).transform(Xa[:, :3]), ValueError,
        r"X has 3 features but the generator was fitted with 4"),
    "autows-zero-shot-dimensions": Bad(
        lambda tmp: autows.ZeroShotClassifier(class_embeddings=np.eye(2, 3)).fit(Xa), ValueError,
        r"class_embeddings has 3 dimensions but X has 4"),
    "autows-zero-shot-temperature": Bad(
        lambda tmp: autows.ZeroShotClassifier(np.eye(2, 4), temperature=0).fit(Xa), ValueError,
        r"temperature must be a finite number > 0, got 0"),
    # ---- command line
    "cli-unknown-bench": Bad(lambda tmp: cli("bench", "nope"), CommandFailed,
                             r"exit 2: .*invalid choice: 'nope'"),
    "cli-bench-missing-data": Bad(
        lambda tmp: cli("bench", "labelmodel", "--quick", "--data", str(tmp / "nodata")),
        CommandFailed, r"exit 2: .*nodata does not exist"),
    "cli-bench-seeds": Bad(lambda tmp: cli("bench", "labelmodel", "--seeds", "x"), CommandFailed,
                           r"exit 2: .*--seeds: invalid int value: 'x'"),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad-inputs")


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_input_is_refused_naming_the_culprit(scratch, case_id):
    case = CASES[case_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WslibWarning)
        with pytest.raises(case.exc) as info:
            case.call(scratch)
    assert type(info.value) not in (Exception, BaseException)
    message = str(info.value)
    assert re.search(case.names, message, flags=re.DOTALL), (
        f"{case_id}: message does not name the culprit /{case.names}/:\n{message}")


def test_at_least_forty_distinct_bad_inputs():
    assert len(CASES) >= 40
    areas = {case_id.split("-")[0] for case_id in CASES}
    assert {"votes", "lf", "apply", "summary", "lm", "end", "wrench", "weaver", "autows",
            "cli"} <= areas


# --------------------------------------------- the vote-matrix rules, for every model
@pytest.mark.parametrize("cls", LABEL_MODELS, ids=LABEL_MODEL_IDS)
@pytest.mark.parametrize("votes, exc, names", [
    (np.array([[0.0, 1.5, 1.0]] * 4), ValueError, r"non-integer vote 1\.5 at row 0, column 1"),
    (np.array([[0, 1, -2]] * 4), ValueError, r"vote -2 at row 0, column 2"),
    (np.array([[True, False, True]] * 4), TypeError, r"boolean dtype"),
    (np.empty((0, 3), dtype=np.int8), ValueError, r"zero rows"),
], ids=["fractional", "below-abstain", "bool", "empty"])
def test_every_label_model_applies_the_vote_matrix_contract(cls, votes, exc, names):
    with pytest.raises(exc, match=names):
        cls().fit(votes)
    with pytest.raises(exc, match=names):
        _fitted(cls()).predict_proba(votes)
