"""Torch vote kernels equal the numba kernels on the CPU; devices are resolved strictly."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wslib.datasets.synthetic import make_votes
from wslib.device import (
    DeviceFallbackWarning,
    DeviceUnavailableError,
    available_devices,
    resolve_device,
)
from wslib.kernels import accumulate_scores, count_votes, row_coverage, row_vote_counts
from wslib.kernels import torch_votes as tv
from wslib.kernels.stats import weighted_vote_counts
from wslib.matrix import to_sparse

K = 3


@pytest.fixture(scope="module")
def L():
    return make_votes(2_500, 9, K, random_state=5).L


@pytest.fixture(params=["dense", "csr", "tensor"])
def layout(request, L):
    return {"dense": L, "csr": to_sparse(L), "tensor": torch.from_numpy(L)}[request.param]


def test_integer_kernels_equal_numba(L, layout):
    kw = {"device": "cpu", "block_rows": 700}  # several blocks, a ragged last one
    np.testing.assert_array_equal(tv.count_votes(layout, K, **kw).numpy(), count_votes(L, K))
    np.testing.assert_array_equal(tv.row_vote_counts(layout, K, **kw).numpy(),
                                  row_vote_counts(L, K))
    np.testing.assert_array_equal(tv.row_coverage(layout, **kw).numpy(), row_coverage(L))


def test_float_kernels_equal_numba(L, layout):
    rng = np.random.default_rng(0)
    W, A, b = rng.normal(size=(9, K, K)), rng.normal(size=(9, K)), rng.normal(size=K)
    R = rng.random((L.shape[0], K))
    kw = {"device": "cpu", "block_rows": 700}
    np.testing.assert_allclose(tv.accumulate_scores(layout, W, A, b, **kw).numpy(),
                               accumulate_scores(L, W, A, b), rtol=0, atol=1e-12)
    np.testing.assert_allclose(tv.accumulate_scores(layout, W, **kw).numpy(),
                               accumulate_scores(L, W), rtol=0, atol=1e-12)
    np.testing.assert_allclose(tv.weighted_vote_counts(layout, R, **kw).numpy(),
                               weighted_vote_counts(L, R), rtol=1e-12, atol=1e-9)
    w = rng.random(L.shape[0])
    both, agree = tv.pairwise_agreement(layout, K, weights=w, **kw)
    voted = (L >= 0).astype(float)
    ref_both = (voted * w[:, None]).T @ voted
    ref_agree = sum((((L == c) * w[:, None]).T @ (L == c)) for c in range(K))
    for ref in (ref_both, ref_agree):
        np.fill_diagonal(ref, 0.0)
    np.testing.assert_allclose(both.numpy(), ref_both, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(agree.numpy(), ref_agree, rtol=1e-12, atol=1e-9)


def test_cooccurrence_is_one_hot_gram_matrix(L):
    Z = np.zeros((L.shape[0], 9 * K))
    rows, cols = np.nonzero(L >= 0)
    Z[rows, cols * K + L[rows, cols]] = 1.0
    np.testing.assert_array_equal(tv.onehot(L, K, block_rows=1000).numpy(), Z)
    delta, start = tv.score_weights(np.ones((9, K, K)), np.full((9, K), 0.5), np.arange(K))
    np.testing.assert_array_equal((tv.onehot(L, K) @ delta + start).numpy(),
                                  accumulate_scores(L, np.ones((9, K, K)), np.full((9, K), 0.5),
                                                    np.arange(K, dtype=float)))
    O = tv.cooccurrence(L, K, device="cpu", block_rows=1000).numpy()
    np.testing.assert_array_equal(O, Z.T @ Z)
    np.testing.assert_array_equal(np.diag(O).reshape(9, K), count_votes(L, K))


def test_softmax_of_scores_is_the_posterior(L):
    W = np.log(np.full((9, K, K), 0.1) + 0.7 * np.eye(K))
    post = torch.softmax(tv.accumulate_scores(L, W, device="cpu"), dim=1).numpy()
    from wslib.kernels import softmax_rows
    np.testing.assert_allclose(post, softmax_rows(accumulate_scores(L, W)), atol=1e-12)


def test_block_rows_must_be_positive(L):
    with pytest.raises(ValueError, match="block_rows"):
        tv.count_votes(L, K, block_rows=0)


def test_unavailable_device_is_an_error_not_a_fallback(L):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceUnavailableError, match=r"'cuda'.*CUDA is not available.*"
                                                     r"available here: cpu"):
        tv.count_votes(L, K, device="cuda")
    with pytest.raises(DeviceUnavailableError) as err:
        resolve_device("cuda:3")
    assert err.value.device == "cuda:3"
    with pytest.warns(DeviceFallbackWarning, match="running on the CPU"):
        assert resolve_device("cuda", fallback=True).type == "cpu"


def test_resolve_device_strings():
    assert resolve_device(None).type == "cpu"
    assert resolve_device(torch.device("cpu")).type == "cpu"
    assert resolve_device("auto") == torch.device(available_devices()[0])
    assert available_devices()[-1] == "cpu"
    with pytest.raises(ValueError, match="not a valid torch device"):
        resolve_device("gpu0")
