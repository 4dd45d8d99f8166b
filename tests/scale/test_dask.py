"""apply_lfs_dask / vote_stats_dask: identical to in-process, faults merged, failures located."""

import sys

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from wslib import apply_lfs
from wslib.apply import MissingColumnError
from wslib.apply.dask import PartitionError, apply_lfs_dask, predict_proba_dask, vote_stats_dask
from wslib.exceptions import LFFaultWarning
from wslib.labelmodel import DawidSkene, fit_streaming
from wslib.vote_stats import VoteStats
from wslib.lf import keyword_lf, threshold_lf

from .conftest import fails_late


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def ddf(corpus):
    # shuffled index labels: order must follow partitions, not the index
    df = corpus.set_index(pd.Index(np.random.default_rng(0).permutation(len(corpus)) * 3))
    return dd.from_pandas(df, npartitions=6, sort=False), df


def assert_same_stats(a: VoteStats, b: VoteStats) -> None:
    assert (a.n_items, a.n_empty, a.n_multi) == (b.n_items, b.n_empty, b.n_multi)
    np.testing.assert_array_equal(a.singles, b.singles)
    np.testing.assert_array_equal(a.hashes, b.hashes)
    np.testing.assert_array_equal(a.counts, b.counts)


def test_default_scheduler_without_cluster(ddf, lfs):
    """First in the module: runs before the LocalCluster fixture starts."""
    frame, df = ddf
    with pytest.raises(ValueError):
        distributed.default_client()  # no client is active here
    np.testing.assert_array_equal(apply_lfs_dask(frame, lfs[:6]), apply_lfs(df, lfs[:6]))
    stats, _ = vote_stats_dask(frame, lfs, 2)
    assert_same_stats(stats, VoteStats.from_votes(apply_lfs(df, lfs), 2))
    with pytest.raises(PartitionError, match="partition .* of 6 failed"):
        apply_lfs_dask(frame, [fails_late])


def test_cluster_votes_and_stats_equal_in_process(client, ddf, lfs):
    frame, df = ddf
    L_ref = apply_lfs(df, lfs)
    L = apply_lfs_dask(frame, lfs, client=client)
    assert L.dtype == L_ref.dtype
    np.testing.assert_array_equal(L, L_ref)
    stats, faults = vote_stats_dask(frame, lfs, 2, capacity=40, client=client)
    assert_same_stats(stats, VoteStats.from_votes(L_ref, 2, capacity=40))
    assert not stats.exact and int(faults.sum()) == 0


def test_scheduler_address_and_local_scheduler(client, ddf, lfs):
    frame, df = ddf
    L_ref = apply_lfs(df, lfs[:5])
    np.testing.assert_array_equal(
        apply_lfs_dask(frame, lfs[:5], client=client.scheduler.address), L_ref)
    with distributed.Client(client.scheduler.address):  # active client, used when none is passed
        np.testing.assert_array_equal(apply_lfs_dask(frame, lfs[:5]), L_ref)


def test_fault_counts_are_merged_over_partitions(client, ddf):
    frame, df = ddf
    lfs = [keyword_lf("free", 1, name="free"), fails_late]
    L_ref = apply_lfs(df, lfs[:1])
    with pytest.warns(LFFaultWarning, match="in partition"):
        L, faults = apply_lfs_dask(frame, lfs, errors="abstain", return_faults=True,
                                   client=client)
    assert faults["fails_late"] > 0
    np.testing.assert_array_equal(L[:, 0], L_ref[:, 0])
    # whole failing partitions abstain: count = rows of the partitions where it raised
    sizes = frame.map_partitions(len).compute(scheduler="sync").to_numpy()
    bad = [i for i, part in enumerate(frame.to_delayed())
           if (part.compute(scheduler="sync")["score"] > 3.2).any()]
    assert faults["fails_late"] == sizes[bad].sum() and faults["free"] == 0


def test_failing_partition_is_reported_with_its_index(client, ddf):
    frame, _ = ddf
    parts = [p.compute(scheduler="sync") for p in frame.to_delayed()]
    first_bad = next(i for i, p in enumerate(parts) if (p["score"] > 3.2).any())
    with pytest.raises(PartitionError, match=rf"partition {first_bad} of 6 failed.*"
                                             r"LF 'fails_late' raised ZeroDivisionError") as err:
        apply_lfs_dask(frame, [keyword_lf("free", 1), fails_late], client=client)
    assert err.value.partition == first_bad and err.value.lf == "fails_late"
    with pytest.raises(PartitionError, match=rf"partition {first_bad} of 6"):
        vote_stats_dask(frame, [fails_late], 2, client=client)


def test_partition_whose_data_fails_to_load(client, ddf, lfs):
    frame, _ = ddf
    starts = [int(p.compute(scheduler="sync").index[0]) for p in frame.to_delayed()]

    def flaky_storage(part):
        if len(part) and int(part.index[0]) == starts[4]:
            raise OSError("read timed out")
        return part

    broken = frame.map_partitions(flaky_storage, meta=frame._meta)
    with pytest.raises(PartitionError, match=r"partition 4 of 6 failed: OSError: read timed out"):
        apply_lfs_dask(broken, lfs[:3], client=client)


@pytest.mark.filterwarnings("ignore::wslib.exceptions.ConvergenceWarning")
def test_fit_from_cluster_stats_then_soft_labels_on_the_cluster(client, ddf, lfs, tmp_path):
    frame, df = ddf
    stats, _ = vote_stats_dask(frame, lfs, 2, client=client)
    model = fit_streaming(DawidSkene(cardinality=2, max_iter=20), stats)
    proba = predict_proba_dask(frame, lfs, model)
    assert proba.npartitions == frame.npartitions and list(proba.columns) == ["p0", "p1"]
    got = client.compute(proba).result()
    assert got.index.equals(df.index)
    np.testing.assert_allclose(got.to_numpy(), model.predict_proba(apply_lfs(df, lfs)),
                               rtol=0, atol=1e-12)
    named = frame.rename_axis("doc_id")
    predict_proba_dask(named, lfs, model).to_parquet(tmp_path / "soft")
    stored = pd.read_parquet(tmp_path / "soft").loc[df.index]
    assert stored.index.name == "doc_id"
    np.testing.assert_allclose(stored.to_numpy(), got.to_numpy(), rtol=0, atol=1e-12)
    with pytest.warns(LFFaultWarning, match="fails_late"):
        stats, _ = vote_stats_dask(frame, [fails_late, *lfs[:3]], 2, errors="abstain",
                                   client=client)
    bad = fit_streaming(DawidSkene(cardinality=2, max_iter=20), stats)
    parts = [p.compute(scheduler="sync") for p in frame.to_delayed()]
    failing = {i for i, p in enumerate(parts) if (p["score"] > 3.2).any()}
    with pytest.raises(PartitionError, match=r"partition \d of 6 failed.*'fails_late'") as err:
        client.compute(predict_proba_dask(frame, [fails_late, *lfs[:3]], bad)).result()
    assert err.value.partition in failing  # lazily computed: whichever failed first
    with pytest.raises(ValueError, match="fitted on 4 LFs, got 20"):
        predict_proba_dask(frame, lfs, bad)


def test_bad_input(ddf, lfs):
    frame, df = ddf
    with pytest.raises(MissingColumnError, match=r"'clicks' needed by LF 'many_clicks'"):
        apply_lfs_dask(frame, [threshold_lf("clicks", 3, 1, name="many_clicks")])
    with pytest.raises(TypeError, match="needs a dask.dataframe.DataFrame"):
        apply_lfs_dask(df, lfs)
    with pytest.raises(ValueError, match="errors must be one of"):
        apply_lfs_dask(frame, lfs, errors="ignore")
    with pytest.raises(ValueError, match="needs cardinality"):
        vote_stats_dask(frame, lfs, None)


def test_missing_dask_gives_install_hint(monkeypatch, ddf, lfs):
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r'pip install "wslib\[dask\]"'):
        apply_lfs_dask(ddf[0], lfs)
