"""The NumPy path of every kernel (small inputs) and the compiled numba path (large
inputs) give the same votes, summaries and label-model outputs: dense and sparse,
two classes and more. Each test forces both paths on the same input."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from wslib import apply_lfs, labeling_function
from wslib.analysis import lf_confusion, lf_summary
from wslib.datasets import load_embedded
from wslib.datasets.synthetic import make_votes
from wslib.kernels import agreement, stats, votes
from wslib.kernels.jit import jit_threshold
from wslib.labelmodel import (DawidSkene, LabelModel, MajorityVote, MatrixCompletion, Triplet,
                              VoteStats, WeightedMajorityVote)
from wslib.lf import keyword_lf, regex_lf
from wslib.matrix import to_sparse

PATHS = {"numpy": 2**62, "compiled": 0}


def on_both_paths(f: Callable[..., Any], *args: Any) -> tuple[Any, Any]:
    """``f(*args)`` on the NumPy path, then on the compiled path (arrays copied:
    some kernels work in place)."""
    out = []
    for name in PATHS:
        with jit_threshold(PATHS[name]), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(f(*[a.copy() if hasattr(a, "copy") else a for a in args]))
    return out[0], out[1]


def assert_same(a: Any, b: Any, rtol: float = 1e-12) -> None:
    """Integers and booleans exactly; floats to rounding (NumPy's and LLVM's ``exp``
    may differ in the last bit on some CPUs)."""
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y, rtol)
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(a, b)


@st.composite
def vote_matrices(draw: Any) -> tuple[Any, int]:
    """Dense int8 or CSR vote matrices (CSR: implicit abstains, some stored -1)."""
    k = draw(st.integers(2, 7))
    n = draw(st.integers(1, 40))
    m = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    L = rng.integers(-1, k, size=(n, m)).astype(np.int8)
    L[rng.random((n, m)) < draw(st.floats(0.0, 0.9))] = -1
    if draw(st.booleans()):
        S = to_sparse(L)
        if S.nnz and draw(st.booleans()):  # a stored abstain is an abstain too
            S.data[0] = -1
        return S, k
    return L, k


@settings(max_examples=60, deadline=None)
@given(vote_matrices(), st.integers(0, 2**32 - 1))
def test_every_kernel_gives_the_same_result_on_both_paths(votes_k, seed):
    L, k = votes_k
    n, m = L.shape
    rng = np.random.default_rng(seed)
    w_vote, w_abstain = rng.normal(size=(m, k, k)), rng.normal(size=(m, k))
    weights, log_prior = rng.normal(size=m), np.log(rng.dirichlet(np.ones(k)))
    fixes = rng.integers(0, m, size=(2, 2))
    y = rng.integers(-1, k, size=n)
    for f, args in [(votes.count_votes, (L, k)), (votes.row_vote_counts, (L, k)),
                    (votes.row_coverage, (L,)), (votes.coverage_counts, (L,)),
                    (votes.accumulate_scores, (L, w_vote, w_abstain, log_prior)),
                    (votes.softmax_rows, (rng.normal(size=(n, k)) * 30,)),
                    (stats.pattern_hashes, (L, k)),
                    (stats.weighted_vote_counts, (L, rng.random((n, k)))),
                    (stats.one_coin_proba, (L, weights, log_prior, fixes)),
                    (stats.one_coin_proba, (L, weights, log_prior)),
                    (agreement.overlap_conflict_counts, (L, k)),
                    (agreement.confusion_counts, (L, y, k))]:
        assert_same(*on_both_paths(f, *args))
    P, counts = VoteStats.from_votes(L, k).compressed()
    assert_same(*on_both_paths(stats.pairwise_agreement, P, counts))


def test_many_rows_split_into_chunks_on_the_compiled_path():
    """Above 4,096 rows the parallel kernels sum per block of rows: the same counts,
    floating sums equal to rounding."""
    L = make_votes(20_000, 9, 4, random_state=3).L
    assert_same(*on_both_paths(votes.count_votes, L, 4))
    assert_same(*on_both_paths(agreement.overlap_conflict_counts, L, 4))
    assert_same(*on_both_paths(stats.weighted_vote_counts, L, np.random.default_rng(0)
                               .random((L.shape[0], 4))), rtol=1e-10)


# ----------------------------------------------------------------------------- votes
def _texts() -> pd.DataFrame:
    """The embedded comments plus the hard cases of keyword matching: case, word
    boundaries, characters whose lower case is ASCII (U+0130, U+212A), other
    characters on the same lead bytes, empty and missing texts."""
    tricky = ["call 5551234 now", "CHECK OUT my \u0130stanbul song", "\u212aelvin check my page", "songs!", "song",
              "\u20ac5 subscribe\u2014now", "\u0104 http://x.com", "", None, "SUBSCRIBE", "ok"]
    texts = load_embedded("youtube")["train"].data["text"].tolist() + tricky * 20
    return pd.DataFrame({"text": texts})


def _lfs(k: int) -> list:
    @labeling_function()
    def short(x: Any) -> int:
        return (k - 1) if isinstance(x.text, str) and len(x.text.split()) < 3 else -1

    return [keyword_lf(["check out", "check my"], 1, name="check"),
            keyword_lf("subscribe", 1, name="subscribe"),
            keyword_lf(["song", "love this"], 0, name="song", word_boundary=True),
            keyword_lf(["\u00e9t\u00e9", "stanbul"], k - 1, name="unicode"),
            keyword_lf("CHECK", 0, name="case", case_sensitive=True),
            regex_lf(r"https?://", 1, name="link"),
            regex_lf(r"\bmy (channel|page)\b", k - 1, name="my"),
            regex_lf(r"[0-9]{4,}", 1, name="number"),  # 10,000 four-digit prefilter words
            keyword_lf(["check", "channel"], 0, name="same_words"),  # words of other LFs
            short]


@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("sparse", [False, True])
def test_votes_and_summaries_are_the_same_on_both_paths(k, sparse):
    df = _texts()
    lfs = _lfs(k)
    L_np, L_jit = on_both_paths(lambda: apply_lfs(df, lfs, cardinality=k, sparse=sparse))
    assert sp.issparse(L_np) is sparse
    if sparse:
        L_np, L_jit = L_np.toarray(), L_jit.toarray()
    np.testing.assert_array_equal(L_np, L_jit)
    assert (L_np >= 0).sum(axis=0).min() > 0  # every LF votes somewhere
    L = to_sparse(L_np) if sparse else L_np
    y = np.random.default_rng(k).integers(-1, k, size=L.shape[0])
    for f in (lf_summary, lf_confusion):
        a, b = on_both_paths(lambda f=f: f(L, y, lfs=lfs, cardinality=k))
        pd.testing.assert_frame_equal(a, b, check_exact=True)


# ------------------------------------------------------------------------ label models
MODELS = [MajorityVote, WeightedMajorityVote, DawidSkene, LabelModel, MatrixCompletion, Triplet]


@pytest.mark.parametrize("model", MODELS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("sparse", [False, True])
def test_label_models_are_the_same_on_both_paths(model, k, sparse):
    L = make_votes(3000, 8, k, n_unipolar=3, random_state=k).L
    L = to_sparse(L) if sparse else L

    def fit() -> tuple[np.ndarray, dict[str, Any]]:
        fitted = model(cardinality=k).fit(L)
        learned = {name: getattr(fitted, name) for name in fitted._learned}
        return fitted.predict_proba(L), learned

    (proba_np, learned_np), (proba_jit, learned_jit) = on_both_paths(fit)
    np.testing.assert_allclose(proba_np, proba_jit, rtol=1e-9, atol=1e-12)
    for name, value in learned_np.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            np.testing.assert_allclose(value, learned_jit[name], rtol=1e-9, atol=1e-12,
                                       equal_nan=True, err_msg=name)
        else:
            assert np.array_equal(value, learned_jit[name]), name


def test_keyword_votes_on_a_slice_of_a_longer_arrow_column():
    """A chunk of an Arrow-backed column shares its parent's byte buffer: both paths
    read only the chunk's bytes (and decide by them)."""
    import pyarrow as pa

    from wslib.lf.templates import match_keyword_templates

    texts = pa.array(_texts()["text"], from_pandas=True)
    specs = [lf.template for lf in _lfs(2)[:4]]
    part = texts.slice(1500, 150)
    expected = match_keyword_templates(pa.array(part.to_pylist()), specs, ["x"] * 4)
    for got in on_both_paths(lambda: match_keyword_templates(part, specs, ["x"] * 4)):
        np.testing.assert_array_equal(got, expected)
