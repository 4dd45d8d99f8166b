"""Invariances of Weaver: what must not change the selection (row, column and candidate
order; strictly monotone transforms of a verifier; exact copies of a verifier), and the
degenerate inputs that must be refused or warned about rather than answered silently."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wslib.datasets.synthetic import make_verifier_table
from wslib.weaver import VerifierTable, Weaver
from wslib.weaver.filter import filter_verifiers
from wslib.weaver.io import IgnoredColumnWarning
from wslib.weaver.weaver import DevSetWarning

IDS = ["problem_id", "candidate_id", "correct"]
SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """120 problems of 4-10 candidates, 8 verifiers, no answer column (candidate-level
    selection: the fast path)."""
    df = make_verifier_table(120, (4, 10), 8, random_state=5)
    return df.drop(columns="answer")


def _fit(df, **kw) -> Weaver:
    dev = kw.pop("dev", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Weaver(**kw).fit(df, dev=dev)


def _picks(weaver: Weaver, df: pd.DataFrame) -> dict:
    """Selected candidate of each problem, keyed by problem id (order-free)."""
    rows = weaver.select(df)
    return dict(zip(df["problem_id"].to_numpy()[rows], df["candidate_id"].to_numpy()[rows]))


def _verifiers(df):
    return [c for c in df.columns if c not in IDS]


def _with_twin(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a near-duplicate of its first verifier (same coverage, rank correlation
    above 0.95, not equal): the duplicate filter must drop one of the two."""
    v = _verifiers(df)[0]
    x = df[v].rank()
    twin = x + np.random.default_rng(0).normal(scale=0.05 * x.std(), size=len(df))
    return df.assign(**{v + "_twin": twin.where(df[v].notna())})


# ------------------------------------------------------------------ order
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_column_and_row_order_never_change_the_selection(frame, seed):
    df = _with_twin(frame)
    rng = np.random.default_rng(seed)
    base = _fit(df)
    shuffled = df[list(rng.permutation(df.columns))].sample(frac=1.0, random_state=seed % 1000)
    other = _fit(shuffled)
    assert other.dropped_ == base.dropped_
    assert _picks(other, shuffled) == _picks(base, df)


def test_near_duplicate_kept_is_the_same_whatever_the_column_order():
    rng = np.random.default_rng(1)
    s = rng.normal(size=(300, 1))
    X = np.hstack([s, s + 0.01 * rng.normal(size=(300, 1)), rng.normal(size=(300, 1))])
    names = ["b", "a", "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, forward = filter_verifiers(X, names)
        _, backward = filter_verifiers(X[:, ::-1], names[::-1])
    assert forward == backward and list(forward) == ["b"]  # "a" sorts first: it is kept


# -------------------------------------------------------- monotone transforms
TRANSFORMS = {
    "affine": lambda x: 10.0 * x + 3.0,
    "exp": lambda x: np.exp((x - x.mean()) / x.std()),
    "rank": lambda x: x.rank(),
    "negate": lambda x: -x,
}


@SETTINGS
@given(column=st.integers(0, 7), transform=st.sampled_from(sorted(TRANSFORMS)),
       dev=st.booleans())
def test_monotone_transform_or_negation_of_a_verifier_keeps_the_selection(
        frame, column, transform, dev):
    v = _verifiers(frame)[column]
    kw = {"dev": frame["problem_id"].unique()[:24]} if dev else {}
    base = _fit(frame, **kw)
    df = frame.assign(**{v: TRANSFORMS[transform](frame[v])})
    other = _fit(df, **kw)
    assert _picks(other, df) == _picks(base, frame)
    assert other.dropped_.keys() == base.dropped_.keys()
    if transform == "negate" and not dev and v in base.verifiers_:  # the flip is learned
        w0 = dict(zip(base.verifiers_, base.model_.weight_))[v]
        w1 = dict(zip(other.verifiers_, other.model_.weight_))[v]
        assert np.sign(w1) == -np.sign(w0)


# ------------------------------------------------------------------ copies
@pytest.mark.parametrize("copy", ["same", "negated", "five"])
def test_exact_copies_of_a_verifier_change_neither_mode(frame, copy):
    v = _verifiers(frame)[2]
    if copy == "five":
        df = frame.assign(**{f"{v}__copy{i}": frame[v] for i in range(5)})
    else:
        df = frame.assign(**{v + "__copy": frame[v] if copy == "same" else -frame[v]})
    dev = frame["problem_id"].unique()[:24]
    for kw in ({}, {"dev": dev}):
        base, other = _fit(frame, **kw), _fit(df, **kw)
        assert _picks(other, df) == _picks(base, frame)
    # the dev model leaves an exact copy out: it has no contrast with its twin
    fitted = _fit(df, dev=dev)
    assert not any("__copy" in name for name in fitted.dev_verifiers_)


# --------------------------------------------------------------- answers
def _many_answers_frame(reverse: bool) -> pd.DataFrame:
    """A simulated table plus six problems of 16 candidates with 16 distinct answers (all
    tied in frequency, more than ``max_answers``); ``reverse`` renames their candidates
    (the same rows and answers, the candidate ids in the other order)."""
    df = make_verifier_table(150, (4, 10), 12, random_state=2)
    verifiers = [c for c in df.columns if c not in IDS + ["answer"]]
    rng = np.random.default_rng(0)
    rows = []
    for p in range(6):
        for c in range(16):
            best = c == 15
            row = {"problem_id": f"zz{p}", "candidate_id": 15 - c if reverse else c,
                   "answer": f"a{c}", "correct": int(best)}
            for v in verifiers:
                lo, hi = df[v].min(), df[v].max()
                row[v] = hi if best else lo + 0.7 * (hi - lo) * rng.random()
            rows.append(row)
    return pd.concat([df, pd.DataFrame(rows)], ignore_index=True)


def test_answers_past_the_max_answers_cut_do_not_depend_on_candidate_ids():
    picked = []
    for reverse in (False, True):
        df = _many_answers_frame(reverse)
        weaver = _fit(df)
        assert weaver.aggregate_ == "answer"
        chosen = df.iloc[weaver.select(df)]
        picked.append(dict(zip(chosen["problem_id"], chosen["answer"].astype(str))))
    assert picked[0] == picked[1]


# ------------------------------------------------------------------ dev sets
def test_empty_dev_is_refused(frame):
    with pytest.raises(ValueError, match="dev names no problem"):
        Weaver().fit(frame, dev=[])


def test_dev_given_as_a_set(frame):
    ids = list(frame["problem_id"].unique()[:24])
    assert _picks(_fit(frame, dev=set(ids)), frame) == _picks(_fit(frame, dev=ids), frame)


def test_dev_with_a_single_contrast_problem_keeps_the_label_free_selection(frame):
    share = frame.groupby("problem_id", sort=False)["correct"].mean()
    one = share.index[(share > 0) & (share < 1)][:1]  # one problem with both classes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        weaver = Weaver().fit(frame, dev=one)
    kinds = {type(w.message) for w in caught}
    assert DevSetWarning in kinds and RuntimeWarning not in kinds
    assert weaver.selector_ == "label-free" and weaver.dev_model_ is None
    label_free = _fit(frame)
    assert _picks(weaver, frame) == _picks(label_free, frame)


# ------------------------------------------------------------------ layouts
def test_list_cells_in_a_long_table_are_refused_not_exploded():
    df = pd.DataFrame({"problem_id": [0, 0, 1, 1], "candidate_id": [0, 1, 0, 1],
                       "rm": [0.1, 0.5, 0.3, 0.2],
                       "prm_steps": [[0.1, 0.2], [0.9], [0.4, 0.4, 0.5], [0.3]]})
    with pytest.raises(ValueError, match="hold lists in a table with a candidate column"):
        VerifierTable.from_frame(df)


def test_weaver_layout_names_the_per_problem_columns_it_does_not_use():
    df = pd.DataFrame({"samples": [["a", "b"], ["c", "d"]], "rm_scores": [[0.1, 0.5], [0.3, 0.2]],
                       "difficulty": [3, 5]})
    with pytest.warns(IgnoredColumnWarning, match="difficulty"):
        table = VerifierTable.from_frame(df)
    assert table.verifiers == ["rm_scores"]


def test_a_tie_is_broken_the_same_whatever_the_other_problems(frame):
    tied = frame.copy()
    verifiers = _verifiers(tied)
    first = tied.groupby("problem_id").head(2).index  # two tied candidates per problem
    tied.loc[first, verifiers] = tied.loc[first, verifiers].groupby(
        tied.loc[first, "problem_id"]).transform("max")
    weaver = _fit(tied)
    fewer = tied[tied["problem_id"] != tied["problem_id"].iloc[0]]
    everything, without_first = _picks(weaver, tied), _picks(weaver, fewer)
    assert all(everything[p] == pick for p, pick in without_first.items())
    picks = [_picks(_fit(tied, random_state=seed), tied) for seed in range(4)]
    assert len({tuple(sorted(p.items())) for p in picks}) > 1  # the seed does break ties
