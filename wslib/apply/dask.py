"""Labeling functions over a ``dask.dataframe``: partition-wise, ordered, faults merged.

:func:`apply_lfs_dask` runs :func:`wslib.apply.chunk.apply_chunk` — the engine
behind :func:`wslib.apply_lfs` — on every partition where the data lives
(threads, processes, or a ``dask.distributed`` cluster), then assembles the
vote matrix in partition order, so row ``i`` of ``L`` is row ``i`` of the
dataframe and the votes equal ``apply_lfs(ddf.compute(), lfs)``. Per-LF fault
counts of every partition are summed (Snorkel's Dask applier drops them).

:func:`vote_stats_dask` keeps the vote matrix on the workers: each partition
is reduced to :class:`~wslib.vote_stats.VoteStats` and the statistics
are merged in a tree, so only one small summary reaches the client; fit a
label model from it with :func:`wslib.labelmodel.streaming.fit_streaming`.
:func:`predict_proba_dask` then gives the soft labels as a lazy dask
dataframe aligned with the input, computed where the partitions live.

A partition that fails raises :class:`PartitionError` naming its index (and,
for an LF fault, the LF and the row); nothing partial is returned.

Scheduler: pass ``client=`` (a ``distributed.Client`` or a scheduler address
such as ``"tcp://10.0.0.5:8786"``); without it the active distributed client
is used when there is one, else dask's default scheduler. Dask is an optional
dependency: ``pip install "wslib[dask]"``.

Example
-------
>>> import pandas as pd, dask.dataframe as dd
>>> from wslib.lf import keyword_lf
>>> ddf = dd.from_pandas(pd.DataFrame({"text": ["free money", "hi", "free"]}), npartitions=2)
>>> apply_lfs_dask(ddf, [keyword_lf("free", 1)]).ravel().tolist()
[1, -1, 1]
"""

from __future__ import annotations

import uuid
from typing import Any, Sequence

import numpy as np
import pandas as pd

from wslib.apply.api import _warn_faults
from wslib.apply.chunk import ERRORS, ChunkResult, CompiledLFs, apply_chunk, compile_lfs
from wslib.lf.core import LabelingFunction
from wslib.matrix import VoteMatrix, vote_dtype
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats

__all__ = ["apply_lfs_dask", "vote_stats_dask", "predict_proba_dask", "PartitionError"]


def _require_dask() -> Any:
    try:
        import dask
        import dask.dataframe  # the dataframe extra must be present too
    except ImportError as exc:
        raise ImportError('wslib.apply.dask needs dask[dataframe]; install it with '
                          'pip install "wslib[dask]"') from exc
    return dask


class PartitionError(RuntimeError):
    """Applying LFs to one partition of a Dask dataframe failed.

    Attributes: ``partition`` (0-based index), ``n_partitions``, and when an
    LF was at fault ``lf``, ``index`` (row label) and ``position`` (row
    position within the partition).
    """

    def __init__(self, message: str, *, partition: int | None = None,
                 n_partitions: int | None = None, lf: str | None = None, index: Any = None,
                 position: int | None = None) -> None:
        super().__init__(message)
        self.partition = partition
        self.n_partitions = n_partitions
        self.lf = lf
        self.index = index
        self.position = position


def _fail(i: int, n: int, exc: BaseException) -> PartitionError:
    if isinstance(exc, PartitionError):
        return exc
    where = " (row positions below count from the partition's start)" \
        if getattr(exc, "position", None) is not None or hasattr(exc, "lf") else ""
    err = PartitionError(f"partition {i} of {n} failed{where}: {type(exc).__name__}: {exc}",
                         partition=i, n_partitions=n, lf=getattr(exc, "lf", None),
                         index=getattr(exc, "index", None),
                         position=getattr(exc, "position", None))
    err.__cause__ = exc
    return err


def _compact(votes: np.ndarray, cardinality: int | None) -> np.ndarray:
    """Chunk votes (int16) in the vote-matrix dtype: int8 when they fit."""
    top = votes.max() if votes.size else 0
    return votes.astype(vote_dtype(cardinality or int(top) + 1), copy=False)


class _Failed:
    """A partition's failure carried as a value (dask's local scheduler raises whichever
    failure it meets first, so the first failing partition is picked after all ran)."""

    def __init__(self, error: PartitionError) -> None:
        self.error = error


def _partition_result(plan: CompiledLFs, part: pd.DataFrame, i: int, n: int, errors: str,
                      capacity: int | None, capture: bool = False
                      ) -> tuple[Any, np.ndarray, dict] | _Failed:
    """Votes (or their statistics, when ``capacity`` is set) of partition ``i``;
    with ``capture`` a failure is returned as :class:`_Failed` instead of raised."""
    try:
        res: ChunkResult = apply_chunk(plan, part, errors=errors)
        votes = _compact(res.votes, plan.cardinality)
        out = votes if capacity is None else \
            VoteStats._from_checked(votes, plan.cardinality, capacity)
        first = {j: f"{what} in partition {i}" for j, what in res.first_fault.items()}
        return out, res.faults, first
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its partition
        err = _fail(i, n, exc)
        if capture:
            if err is not exc:
                err.__cause__ = exc
            return _Failed(err)
        raise err from exc


def _merge(a: tuple | _Failed, b: tuple | _Failed) -> tuple | _Failed:
    if isinstance(a, _Failed):  # a holds the earlier partitions: its failure comes first
        return a
    if isinstance(b, _Failed):
        return b
    first = dict(b[2])
    first.update(a[2])
    return a[0] + b[0], a[1] + b[1], first


def _client(client: Any) -> tuple[Any, bool]:
    """The distributed client to use (``None``: dask's default scheduler) and whether
    this call opened it (from a scheduler address) and must close it."""
    if client is None:
        try:
            from distributed import default_client
            return default_client(), False
        except (ImportError, ValueError):
            return None, False
    if isinstance(client, str):
        try:
            from distributed import Client
        except ImportError as exc:
            raise ImportError('a scheduler address needs dask.distributed; install it with '
                              'pip install "wslib[dask]"') from exc
        return Client(client), True
    return client, False


def _run(ddf: Any, lfs: Sequence[LabelingFunction], *, errors: str, cardinality: int | None,
         client: Any, capacity: int | None) -> tuple[CompiledLFs, list[tuple] | tuple]:
    """Leaves (one per partition, in order) or, with ``capacity``, their merged statistics."""
    dask = _require_dask()
    import dask.dataframe as dd

    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"apply_lfs_dask needs a dask.dataframe.DataFrame, got "
                        f"{type(ddf).__name__}; use wslib.apply_lfs for in-memory data")
    plan = compile_lfs(lfs, cardinality)
    plan.check_columns(ddf.columns)  # as apply_chunk checks each partition: labels as they are
    parts = ddf.to_delayed()
    n = len(parts)
    token = uuid.uuid4().hex
    client, owned = _client(client)  # closed by _compute when this call opened it
    # dask's local scheduler raises the failure it meets first, in no fixed order: there the
    # leaves return failures as values and the first failing partition is raised after all
    capture = client is None
    plan_d = dask.delayed(plan, name=f"wslib-plan-{token}", traverse=False)
    leaves = [dask.delayed(_partition_result)(plan_d, p, i, n, errors, capacity, capture,
                                              dask_key_name=f"wslib-lfs-{token}-{i}")
              for i, p in enumerate(parts)]
    return plan, _compute(leaves, client, owned, capacity is not None)


def _tree(items: list, merge: Any) -> Any:
    """Pairwise reduction of ``items`` with ``merge(a, b)`` (delayed or futures)."""
    while len(items) > 1:
        items = [merge(items[t], items[t + 1]) if t + 1 < len(items) else items[t]
                 for t in range(0, len(items), 2)]
    return items[0]


def _compute(leaves: list, client: Any, owned: bool, reduce: bool) -> Any:
    """Leaf results in order, or (``reduce``) their merge; a failure names its partition
    (the first failing one). ``client``: from :func:`_client` (``owned``: close it)."""
    if client is None:
        import dask
        results = [dask.compute(_tree(leaves, dask.delayed(_merge)))[0]] if reduce else \
            list(dask.compute(*leaves))
        failed = next((r for r in results if isinstance(r, _Failed)), None)
        if failed is not None:
            raise failed.error
        return results[0] if reduce else results
    from distributed import wait

    futures = client.compute(leaves)
    try:
        if reduce:
            return _tree(futures, lambda a, b: client.submit(_merge, a, b)).result()
        return client.gather(futures)
    except Exception:  # noqa: BLE001 - report the first failed partition, whatever failed
        wait(futures)
        bad = [i for i, f in enumerate(futures) if f.status == "error"]
        if not bad:
            raise
        cause = futures[bad[0]].exception()
        raise _fail(bad[0], len(futures), cause) from cause
    finally:
        for f in futures:
            f.release()
        if owned:
            client.close()


def apply_lfs_dask(ddf: Any, lfs: Sequence[LabelingFunction], *, errors: str = "raise",
                   cardinality: int | None = None, return_faults: bool = False,
                   client: Any = None) -> VoteMatrix | tuple[VoteMatrix, pd.Series]:
    """Apply ``lfs`` to every partition of ``ddf`` and return the vote matrix in row order.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The items; a column an LF needs must be present (checked before any work).
    lfs : sequence of LabelingFunction
        Shipped to the workers (with cloudpickle when they are processes).
    errors : {"raise", "abstain"}
        As in :func:`wslib.apply_lfs`. With ``"raise"`` a fault raises
        :class:`PartitionError` naming the partition, the LF and the row.
    cardinality : int, optional
        Number of classes.
    return_faults : bool
        Also return the per-LF fault counts summed over partitions.
    client : distributed.Client or str, optional
        Cluster to run on (a client or a scheduler address).

    Returns
    -------
    L : ndarray (n_rows, n_lfs), int8 when votes fit
    faults : pandas.Series (only with ``return_faults=True``)
    """
    plan, leaves = _run(ddf, lfs, errors=errors, cardinality=cardinality, client=client,
                        capacity=None)
    blocks = [votes for votes, _, _ in leaves]
    dtype = np.result_type(*[b.dtype for b in blocks])
    L = np.concatenate([b.astype(dtype, copy=False) for b in blocks], axis=0)
    faults = _merge_faults(plan, [(f, w) for _, f, w in leaves])
    if return_faults:
        return L, faults
    return L


def _merge_faults(plan: CompiledLFs, parts: list[tuple[np.ndarray, dict]]) -> pd.Series:
    """Per-LF fault counts summed over partitions (one warning lists them)."""
    total = np.zeros(len(plan), dtype=np.int64)
    first: dict[int, str] = {}
    for faults, what in parts:
        total += faults
        for j, w in what.items():
            first.setdefault(j, w)
    if total.any():
        _warn_faults(plan, total, first)
    return pd.Series(total, index=pd.Index(plan.names, name="lf"), name="faults")


def vote_stats_dask(ddf: Any, lfs: Sequence[LabelingFunction], cardinality: int, *,
                    capacity: int = DEFAULT_CAPACITY, errors: str = "raise",
                    client: Any = None) -> tuple[VoteStats, pd.Series]:
    """Label-model statistics of ``apply_lfs_dask(ddf, lfs)`` without gathering the votes.

    Each partition's votes are summarised on its worker and the summaries are
    merged pairwise on the cluster. Fit with
    ``fit_streaming(DawidSkene(cardinality=k), stats)``.

    Returns
    -------
    stats : VoteStats
        Equal to ``VoteStats.from_votes(L, cardinality, capacity=capacity)``.
    faults : pandas.Series
    """
    if cardinality is None:
        raise ValueError("vote_stats_dask needs cardinality=k (statistics are indexed by class)")
    plan, (stats, faults, first) = _run(ddf, lfs, errors=errors, cardinality=cardinality,
                                        client=client, capacity=capacity)
    return stats, _merge_faults(plan, [(faults, first)])


def _proba_partition(part: pd.DataFrame, plan: CompiledLFs, model: Any, errors: str, n: int,
                     partition_info: dict | None = None) -> pd.DataFrame:
    i = -1 if partition_info is None else int(partition_info["number"])
    try:
        proba = model.predict_proba(apply_chunk(plan, part, errors=errors).votes) \
            if len(part) else np.empty((0, model.cardinality_))
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its partition
        raise _fail(i, n, exc) from exc
    return pd.DataFrame(proba, index=part.index,
                        columns=[f"p{c}" for c in range(model.cardinality_)])


def predict_proba_dask(ddf: Any, lfs: Sequence[LabelingFunction], model: Any, *,
                       errors: str = "raise") -> Any:
    """Soft labels of every row as a lazy ``dask.dataframe`` (columns ``p0 .. p{k-1}``).

    Each partition's votes are computed and passed to the fitted ``model``'s
    ``predict_proba`` on the worker that holds it; the result keeps ``ddf``'s
    index and partitions (write it with ``.to_parquet(...)`` or ``.compute()``).
    A failing partition raises :class:`PartitionError` naming its index when
    the result is computed.
    """
    _require_dask()
    model._check_fitted()
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    plan = compile_lfs(lfs, model.cardinality_)
    plan.check_columns(ddf.columns)
    if len(plan) != model.n_sources_:
        raise ValueError(f"{type(model).__name__} was fitted on {model.n_sources_} LFs, "
                         f"got {len(plan)}")
    # the meta carries the index's dtype and name, or to_parquet loses the index
    index = pd.Index([], dtype=ddf.index.dtype, name=ddf.index.name)
    meta = pd.DataFrame(index=index, columns=[f"p{c}" for c in range(model.cardinality_)],
                        dtype=np.float64)
    return ddf.map_partitions(_proba_partition, plan, model, errors, ddf.npartitions,
                              meta=meta, align_dataframes=False)
