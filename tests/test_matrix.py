import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from wslib.analysis import lf_summary
from wslib.exceptions import CardinalityWarning, WslibWarning
from wslib.labelmodel import MajorityVote
from wslib.matrix import check_votes, to_dense, to_sparse, vote_dtype


def test_dense_is_compacted_to_int8():
    L, k = check_votes(np.array([[0, -1, 2]], dtype=np.int64))
    assert L.dtype == np.int8 and k == 3 and L.flags.c_contiguous


def test_large_cardinality_uses_int16():
    assert vote_dtype(200) == np.int16
    L, k = check_votes(np.array([[199, -1]]))
    assert L.dtype == np.int16 and k == 200


def test_dataframe_accepted():
    L, k = check_votes(pd.DataFrame({"a": [0, 1], "b": [-1, 1]}))
    assert L.tolist() == [[0, -1], [1, 1]]


def test_sparse_roundtrip_keeps_explicit_zeros():
    dense = np.array([[0, -1, 1], [-1, -1, -1], [1, 0, -1]], dtype=np.int8)
    S = to_sparse(dense)
    assert S.nnz == 4
    L, k = check_votes(S)
    assert sp.isspmatrix_csr(L) and k == 2
    np.testing.assert_array_equal(to_dense(L), dense)


@pytest.mark.parametrize(
    "bad, exc, words",
    [
        (np.array([[0.0, np.nan]]), ValueError, ["non-finite", "row 0, column 1"]),
        (np.array([[0.5, 1.0]]), ValueError, ["non-integer", "row 0, column 0"]),
        (np.array([[0.0, 1.0]]), TypeError, ["float dtype"]),
        (np.array([[0, -2]]), ValueError, ["vote -2", "row 0, column 1"]),
        (np.array([[0, 1], [0, 5]]), ValueError, ["vote 5", "row 1, column 1"]),
        (np.array([0, 1]), ValueError, ["2-D"]),
        (np.zeros((0, 3), dtype=int), ValueError, ["zero rows"]),
        (np.array([["a", "b"]], dtype=object), TypeError, ["object dtype"]),
        (np.array([[True, False]]), TypeError, ["boolean"]),
    ],
)
def test_bad_votes_are_named(bad, exc, words):
    with pytest.raises(exc) as info:
        check_votes(bad, cardinality=3 if "vote 5" in words else None)
    for w in words:
        assert w in str(info.value)


def test_wrong_column_count_named():
    with pytest.raises(ValueError, match="3 columns but the model was fitted with 2"):
        check_votes(np.zeros((2, 3), dtype=int), n_sources=2)


def test_sparse_bad_value_names_row_and_column():
    S = sp.csr_matrix(np.array([[0, 0], [0, 7]]))
    with pytest.raises(ValueError, match="row 1, column 1"):
        check_votes(S, cardinality=2)


def test_nullable_integer_frame_is_read_and_a_missing_vote_named():
    frame = pd.DataFrame({"a": [0, 1], "b": [1, -1]}).astype("Int8")
    L, k = check_votes(frame)
    assert k == 2 and L.tolist() == [[0, 1], [1, -1]]
    with pytest.raises(ValueError, match="missing value at row 1, column 'b'.*abstains as -1"):
        check_votes(frame.astype("Int64").mask(frame == -1))


def test_sparse_cell_stored_twice_is_refused():
    """COO input (or hand-built CSR) may hold one cell twice: adding them up would turn
    two votes for class 1 into one for class 2."""
    coo = sp.coo_matrix(([1, 1, 0], ([0, 0, 0], [0, 0, 1])), shape=(1, 2))
    with pytest.raises(ValueError, match="row 0, column 0 more than once"):
        check_votes(coo)
    csr = sp.csr_matrix((np.array([1, 1]), np.array([0, 0]), np.array([0, 2])), shape=(1, 2))
    with pytest.raises(ValueError, match="more than once"):
        check_votes(csr)
    ok = sp.coo_matrix(([1, 0], ([0, 0], [0, 1])), shape=(1, 2))
    assert check_votes(ok)[0].toarray().tolist() == [[1, 0]]


def test_uint64_votes_beyond_int64_are_refused():
    with pytest.raises(ValueError, match="vote 9223372036854775809 at row 0, column 0"):
        check_votes(np.array([[2**63 + 1, 1, 1]], dtype=np.uint64))


WRAPPED = [[0, 1, 2], [1, -1, 0]]  # the abstain at row 1, column 1 wraps around when unsigned


def _layout(votes: np.ndarray, layout: str):
    if layout == "sparse":
        return sp.csr_matrix(votes)
    frame = pd.DataFrame(votes, columns=list("abc"))
    if layout == "nullable frame":  # UInt8, UInt16, ...
        return frame.astype("U" + votes.dtype.name[1:].capitalize())
    return votes if layout == "dense" else frame


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64], ids=str)
@pytest.mark.parametrize("layout", ["dense", "sparse", "frame", "nullable frame"])
def test_unsigned_votes_with_wrapped_abstains_are_refused(dtype, layout):
    L = _layout(np.array(WRAPPED).astype(dtype), layout)
    top = np.iinfo(dtype).max
    with pytest.raises(ValueError, match=rf"vote {top} at row 1, column 1, the largest "
                                         rf"{np.dtype(dtype).name} value: an abstain \(-1\)"):
        check_votes(L)
    with pytest.raises(ValueError, match="wraps around"):  # out of range anyway: same message
        check_votes(L, cardinality=3)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64], ids=str)
def test_unsigned_column_next_to_signed_ones_is_checked_before_the_cast(dtype):
    # a frame mixing unsigned and signed columns is cast to a signed (or float) common
    # dtype, where a wrapped abstain would become a class, or -1 again (uint64)
    frame = pd.DataFrame({"a": [0, 1], "b": [1, 0], "c": [2, 0]})
    frame["b"] = np.array([1, np.iinfo(dtype).max], dtype=dtype)
    with pytest.raises(ValueError, match=rf"vote {np.iinfo(dtype).max} at row 1, column 'b', "
                                         "the largest"):
        check_votes(frame)
    frame["b"] = np.array([1, 0], dtype=dtype)
    assert check_votes(frame)[0].tolist() == [[0, 1, 2], [1, 0, 0]]


def test_unsigned_vote_for_a_class_of_a_large_cardinality_is_kept():
    L, k = check_votes(np.array([[255, 0]], dtype=np.uint8), cardinality=300)
    assert k == 300 and L.tolist() == [[255, 0]]
    assert check_votes(np.array([[254, 0]], dtype=np.uint8))[1] == 255  # not the dtype's max


def test_stray_vote_inflating_the_cardinality_warns():
    L = np.random.default_rng(0).integers(-1, 3, size=(200, 4))
    L[5, 2] = 999  # an id stored as a vote
    with pytest.warns(CardinalityWarning, match=r"cardinality=1000, but the largest class "
                                                r"voted is 999: 996 classes never occur "
                                                r"\(those that do: \[0, 1, 2, 999\]\)"):
        MajorityVote().fit(L)
    with pytest.warns(CardinalityWarning, match="996 classes never occur"):
        lf_summary(L)
    spread = np.tile(np.arange(100), (2, 1))  # 100 classes, every one voted: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", CardinalityWarning)
        MajorityVote().fit(spread)
    gaps = np.tile(np.arange(0, 100, 5), (2, 1))  # 20 of 100 classes voted
    with pytest.warns(CardinalityWarning, match="80 classes never occur"):
        MajorityVote(cardinality=100).fit(gaps)


def test_csr_with_unsorted_indices_is_read_without_touching_it():
    L = sp.csr_matrix((np.array([1, 0, 1], dtype=np.int64), np.array([2, 0, 1]),
                       np.array([0, 3])), shape=(1, 3))
    assert not L.has_sorted_indices
    checked, _ = check_votes(L)
    assert checked.toarray().tolist() == [[0, 1, 1]]
    assert L.indices.tolist() == [2, 0, 1] and L.toarray().tolist() == [[0, 1, 1]]


def test_sparse_votes_built_by_dropping_zeros_are_reported():
    dense = np.array([[0, 1, -1], [-1, 0, 1]])
    with pytest.warns(WslibWarning, match="no vote for class 0"):
        check_votes(sp.csr_matrix(dense))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_votes(to_sparse(dense))  # class-0 votes stored, abstains left out
        check_votes(sp.csr_matrix((np.array([-1, 0]), (np.array([0, 1]), np.array([0, 1])))))
