"""Threshold and similarity LFs on a torch device (``"cpu"`` here) vote like the NumPy path."""

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from wslib import apply_lfs
from wslib.device import DeviceUnavailableError
from wslib.kernels.torch_lf import max_cosine, threshold_hits
from wslib.lf import similarity_lf, threshold_lf
from wslib.lf.templates import _OPS


@pytest.fixture(scope="module")
def frame():
    """Scores with NaN / missing values, embeddings with zero rows and near-duplicates."""
    rng = np.random.default_rng(8)
    n, d = 3_000, 16
    emb = rng.normal(size=(n, d))
    emb[::97] = 0.0
    emb[1::50] = emb[0] * 3.0  # exactly parallel to the first prototype below
    score = rng.normal(size=n).round(2)
    score[::31] = np.nan
    return pd.DataFrame({"emb": list(emb), "score": score,
                         "count": pd.array(rng.integers(0, 5, n), dtype="Int64")})


@pytest.mark.parametrize("op", sorted(_OPS))
def test_threshold_lf_on_device_votes_like_numpy(frame, op):
    for column, t in (("score", 0.25), ("count", 2)):
        ref = threshold_lf(column, t, 1, op=op).apply_batch(frame)
        got = threshold_lf(column, t, 1, op=op, device="cpu").apply_batch(frame)
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
        assert (ref >= 0).any() and (ref < 0).any()


def test_similarity_lf_on_device_votes_like_numpy(frame):
    rng = np.random.default_rng(9)
    protos = np.vstack([np.eye(16)[0] + 0.1, rng.normal(size=(2, 16))])
    numpy_lfs = [similarity_lf("emb", 0.25, 1, prototype=protos, name="sim"),
                 similarity_lf("emb", 0.3, 0, prototype=protos[1], name="sim1"),
                 similarity_lf("score", 0.5, 1, name="score")]
    torch_lfs = [similarity_lf("emb", 0.25, 1, prototype=protos, name="sim", device="cpu"),
                 similarity_lf("emb", 0.3, 0, prototype=protos[1], name="sim1", device="cpu"),
                 similarity_lf("score", 0.5, 1, name="score", device="cpu")]
    ref, got = apply_lfs(frame, numpy_lfs), apply_lfs(frame, torch_lfs)
    np.testing.assert_array_equal(got, ref)
    assert ref.dtype == got.dtype and (ref >= 0).any(axis=0).all() and (ref < 0).any(axis=0).all()
    assert (ref[::97, :2] == -1).all()  # zero vectors abstain on both paths


def test_device_lfs_stream_from_parquet(frame, tmp_path):
    from wslib.apply.parquet import apply_parquet

    frame.drop(columns="count").to_parquet(tmp_path / "x.parquet", row_group_size=700)
    proto = np.eye(16)[0] + 0.1
    lfs = {d: [similarity_lf("emb", 0.2, 1, prototype=proto, name="sim", device=d),
               threshold_lf("score", 0.0, 0, name="th", device=d)] for d in (None, "cpu")}
    votes = {d: apply_parquet(tmp_path / "x.parquet", lfs[d], tmp_path / f"L{d}.npy",
                              cardinality=2, batch_size=1_000).votes(mmap=False)
             for d in lfs}
    np.testing.assert_array_equal(votes["cpu"], votes[None])
    np.testing.assert_array_equal(votes[None], apply_lfs(frame, lfs[None]))


def test_kernels_equal_numpy_over_several_blocks(frame):
    emb = np.stack(frame["emb"].to_numpy())
    protos = np.random.default_rng(3).normal(size=(4, 16))
    protos /= np.linalg.norm(protos, axis=1, keepdims=True)
    norm = np.linalg.norm(emb, axis=1)
    ref = np.divide((emb @ protos.T).max(axis=1), norm, out=np.full(len(emb), -np.inf),
                    where=norm > 0)
    for x in (emb, torch.from_numpy(emb)):
        np.testing.assert_allclose(max_cosine(x, protos, block_rows=700).numpy(), ref,
                                   rtol=1e-13, atol=1e-15)
    score = frame["score"].to_numpy()
    np.testing.assert_array_equal(threshold_hits(score, 0.1, block_rows=999).numpy(),
                                  score >= 0.1)
    with pytest.raises(ValueError, match="block_rows"):
        max_cosine(emb, protos, block_rows=0)


def test_device_errors_are_raised_when_the_lf_is_made(frame):
    if not torch.cuda.is_available():
        with pytest.raises(DeviceUnavailableError, match="CUDA is not available"):
            similarity_lf("emb", 0.5, 1, prototype=np.ones(16), device="cuda")
        with pytest.raises(DeviceUnavailableError):
            threshold_lf("score", 0.5, 1, device="cuda:1")
    with pytest.raises(ValueError, match="not a valid torch device"):
        similarity_lf("score", 0.5, 1, device="gpu")
    lf = similarity_lf("emb", 0.5, 1, prototype=np.ones(8), device="cpu")
    with pytest.raises(ValueError, match="16-d vectors, the prototype is 8-d"):
        lf.apply_batch(frame)
