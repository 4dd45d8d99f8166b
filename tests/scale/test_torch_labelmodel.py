"""The torch path of the label models (``device="cpu"`` here) equals the numba path."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from wslib.datasets.synthetic import make_votes
from wslib.device import DeviceUnavailableError
from wslib.kernels import accumulate_scores, one_coin_proba, pattern_hashes, softmax_rows
from wslib.kernels import torch_votes as tv
from wslib.labelmodel import DawidSkene, LabelModel, VoteStats, load
from wslib.labelmodel.streaming import fit_streaming
from wslib.matrix import to_sparse

from .conftest import assert_same_learned

pytestmark = pytest.mark.filterwarnings("ignore::wslib.exceptions.CoverageWarning")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Torch's and numba's CPU threads spin against each other on a small shared machine;
    one each is enough for these small matrices (results agree to rounding either way)."""
    import numba

    before = torch.get_num_threads(), numba.get_num_threads()
    torch.set_num_threads(1)
    numba.set_num_threads(1)
    yield
    torch.set_num_threads(before[0])
    numba.set_num_threads(before[1])

PARAMS = ("class_balance_", "confusion_", "accuracy_")


def _votes(k: int) -> np.ndarray:
    """Votes with a block of all-abstain rows and a silent-ish LF."""
    L = make_votes(2_000, 9, k, n_unipolar=3, random_state=10 + k).L.copy()
    L[::17] = -1
    return L


@pytest.fixture(params=[2, 5], ids=["k2", "k5"])
def k(request):
    return request.param


@pytest.fixture(params=["dense", "csr"])
def layout(request):
    return (lambda L: L) if request.param == "dense" else to_sparse


@pytest.fixture
def small_blocks(monkeypatch):
    """Several device blocks (and a ragged last one) on small test matrices."""
    monkeypatch.setattr(tv, "DEFAULT_BLOCK_ROWS", 700)


@pytest.mark.parametrize("abstain_aware", [True, False])
def test_dawid_skene_on_torch_equals_numba(k, layout, abstain_aware, small_blocks):
    L = layout(_votes(k))
    ref = DawidSkene(abstain_aware=abstain_aware).fit(L)
    got = DawidSkene(abstain_aware=abstain_aware, device="cpu").fit(L)
    assert got.n_iter_ == ref.n_iter_ > 1
    for name in PARAMS:
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=0, atol=1e-8,
                                   err_msg=name)
    proba = got.predict_proba(L)
    assert isinstance(proba, np.ndarray) and proba.dtype == np.float64
    np.testing.assert_allclose(proba, ref.predict_proba(L), rtol=0, atol=1e-8)
    empty = np.flatnonzero((_votes(k) < 0).all(axis=1))
    assert empty.size and np.allclose(proba[empty].sum(axis=1), 1.0)


@pytest.mark.parametrize("uncovered", ["prior", "firing"])
@pytest.mark.parametrize("posterior", ["votes", "confusion", "dawid-skene"])
def test_label_model_on_torch_equals_numba(k, layout, uncovered, posterior, small_blocks):
    L = layout(_votes(k))
    ref = LabelModel(uncovered=uncovered, posterior=posterior).fit(L)
    got = LabelModel(uncovered=uncovered, posterior=posterior, device="cpu").fit(L)
    assert got.n_iter_ == ref.n_iter_
    assert_same_learned(got, ref, atol=1e-8)
    np.testing.assert_allclose(got.predict_proba(L), ref.predict_proba(L), rtol=0, atol=1e-8)


def test_label_model_with_nested_fixes_on_torch(small_blocks):
    # LF 3 fires only inside broad LF 2 and corrects it there: a learned "fixing" pair
    d = make_votes(3_000, 6, 2, accuracy=(0.75, 0.9), coverage=(0.2, 0.4), random_state=4)
    L = d.L.copy()
    broad = np.random.default_rng(0).random(3_000) < 0.4
    L[:, 2] = np.where(broad, 0, -1)
    L[:, 3] = np.where(broad & (d.y == 1), 1, -1)
    ref = LabelModel(posterior="votes").fit(L)
    got = LabelModel(posterior="votes", device="cpu").fit(L)
    assert [3, 2] in got.fixes_.tolist() and np.array_equal(got.fixes_, ref.fixes_)
    for X in (L, to_sparse(L)):
        np.testing.assert_allclose(got.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-8)
    ref = LabelModel(posterior="votes").fit(L, class_balance=[0.3, 0.7])  # the unipolar-aware branch
    got = LabelModel(posterior="votes", device="cpu").fit(L, class_balance=[0.3, 0.7])
    np.testing.assert_allclose(got.predict_proba(L), ref.predict_proba(L), rtol=0, atol=1e-8)


def test_priors_and_dev_labels_on_torch(small_blocks):
    d = make_votes(2_000, 8, 3, random_state=4)
    y_dev = np.where(np.arange(2_000) % 10 == 0, d.y, -1)
    for kw in ({"class_balance": [0.5, 0.3, 0.2]}, {"y_dev": y_dev}):
        ref = DawidSkene().fit(d.L, **kw)
        got = DawidSkene(device="cpu").fit(d.L, **kw)
        for name in PARAMS:
            np.testing.assert_allclose(getattr(got, name), getattr(ref, name), atol=1e-8)


@pytest.mark.parametrize("capacity", [20_000, 150])  # exact, then a hash sample
def test_vote_stats_on_device_equal_numba(k, layout, capacity, small_blocks):
    L = layout(_votes(k))
    ref = VoteStats.from_votes(L, k, capacity=capacity)
    got = VoteStats.from_votes(L, k, capacity=capacity, device="cpu")
    for name in ("n_items", "n_empty", "n_multi", "capacity"):
        assert getattr(got, name) == getattr(ref, name), name
    for name in ("singles", "hashes", "counts"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    assert (got.patterns != ref.patterns).nnz == 0 and got.patterns.dtype == ref.patterns.dtype
    assert got.exact == (capacity == 20_000)


def test_torch_pattern_hashes_are_the_numba_bits(layout):
    L = _votes(3)
    ref = pattern_hashes(L, 3)
    for X in (layout(L), torch.from_numpy(L)):
        h, nv, first = tv.pattern_hashes(X, 3, device="cpu", block_rows=999)
        np.testing.assert_array_equal(h.numpy().view(np.uint64), ref[0])
        np.testing.assert_array_equal(nv.numpy(), ref[1])
        np.testing.assert_array_equal(first.numpy(), ref[2])


def test_posterior_kernels_equal_numba():
    L = _votes(3)
    rng = np.random.default_rng(1)
    W, A, b = rng.normal(size=(9, 3, 3)), rng.normal(size=(9, 3)), rng.normal(size=3)
    np.testing.assert_allclose(tv.posterior(L, W, A, b, block_rows=800).numpy(),
                               softmax_rows(accumulate_scores(L, W, A, b)), atol=1e-12)
    w, prior = rng.random(9) * 2, np.log([0.2, 0.3, 0.5])
    fixes = np.array([[4, 1], [6, 2], [2, 1], [1, 3]])  # chained, and LF 1 fixed twice
    T = torch.from_numpy(L)
    for f in (None, fixes):
        ref = one_coin_proba(L, w, prior, f)
        for X in (L, to_sparse(L), T):
            np.testing.assert_allclose(tv.one_coin_posterior(X, w, prior, f, block_rows=800)
                                       .numpy(), ref, atol=1e-12)
    assert np.array_equal(T.numpy(), L)  # the fixes never write into the caller's tensor


def test_streamed_fit_on_device_equals_in_memory(tmp_path, small_blocks):
    L = _votes(2)
    np.save(tmp_path / "L.npy", L)
    ref = DawidSkene(cardinality=2).fit(L)
    got = fit_streaming(DawidSkene(cardinality=2, device="cpu"), tmp_path / "L.npy",
                        batch_size=1_000)
    for name in PARAMS:
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), atol=1e-8)


def test_device_model_saves_and_loads(tmp_path):
    L = _votes(2)
    model = DawidSkene(device="cpu").fit(L)
    model.save(tmp_path / "m.npz")
    back = load(tmp_path / "m.npz")
    assert back.device == "cpu"
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


def test_unavailable_or_invalid_device_is_an_error():
    L = _votes(2)
    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailableError, match="CUDA is not available"):
            DawidSkene(device="cuda").fit(L)
        with pytest.raises(DeviceUnavailableError):
            VoteStats.from_votes(L, 2, device="cuda:0")
        fitted = DawidSkene().fit(L)
        fitted.set_params(device="cuda")
        with pytest.raises(DeviceUnavailableError):
            fitted.predict_proba(L)
    with pytest.raises(ValueError, match="not a valid torch device"):
        DawidSkene(device="gpu0").fit(L)
