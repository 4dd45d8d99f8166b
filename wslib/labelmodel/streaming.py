"""Label models on vote matrices larger than memory: fit from statistics, predict in batches.

A conditionally independent label model sees the vote matrix only through
its :class:`~wslib.vote_stats.VoteStats` (distinct vote patterns and
their counts), and those statistics merge exactly across batches. So a
vote matrix on disk — the ``.npy`` / ``.parquet`` / ``.arrow`` file written by
:func:`wslib.apply.parquet.apply_parquet`, a memory-mapped array, or any
iterable of vote blocks — is fitted in one bounded-memory pass:

.. math::

    S(L) = S(L_1) + S(L_2) + \\dots + S(L_B)

and the fitted model equals ``model.fit(L)`` on the whole matrix (same
parameters to rounding; ``tests/scale`` checks 1e-6). Soft labels are then
written batch by batch by :func:`predict_proba_streaming`.

Models fitted this way implement ``fit_stats(stats, *, class_balance=None, ...)``:
:class:`~wslib.labelmodel.DawidSkene`, :class:`~wslib.labelmodel.LabelModel`,
:class:`~wslib.labelmodel.WeightedMajorityVote` (weights from ``accuracy=`` or a
dev set ``L_dev, y_dev``) and :class:`~wslib.labelmodel.MajorityVote`. A model
with a ``device`` (``DawidSkene(device="cuda")``) builds the statistics of
each block on that device.

Example
-------
>>> import numpy as np, tempfile, pathlib
>>> from wslib.datasets.synthetic import make_votes
>>> from wslib.labelmodel.dawid_skene import DawidSkene
>>> L = make_votes(3000, 8, 2, random_state=0).L
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> np.save(tmp / "L.npy", L)
>>> model = fit_streaming(DawidSkene(cardinality=2), tmp / "L.npy", batch_size=1000)
>>> bool(np.allclose(model.confusion_, DawidSkene().fit(L).confusion_, atol=1e-6))
True
>>> path = predict_proba_streaming(model, tmp / "L.npy", tmp / "P.npy", batch_size=1000)
>>> np.load(path).shape
(3000, 2)
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from wslib._validation import check_params
from wslib.apply.parquet import ArrayWriter, StreamResult, check_output_path, vote_format
from wslib.labelmodel.base import BaseLabelModel
from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats
from wslib.matrix import check_votes

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "accumulate_stats",
    "fit_streaming",
    "iter_vote_batches",
    "predict_proba_streaming",
]

DEFAULT_BATCH_SIZE = 262_144


def _n_rows(source: Any) -> int | None:
    """Rows of a sized vote source, ``None`` for a plain iterable of blocks."""
    if isinstance(source, StreamResult):
        return source.n_rows
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        fmt = vote_format(path)
        if fmt == "npy":
            with open(path, "rb") as fh:
                return _npy_header(fh, path)[0][0]
        if fmt == "parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        with pa.memory_map(str(path)) as src:
            return int(pa.ipc.open_file(src).count_rows())
    if isinstance(source, (np.ndarray, pd.DataFrame)) or sp.issparse(source):
        return int(source.shape[0])
    return None


def iter_vote_batches(source: Any, batch_size: int = DEFAULT_BATCH_SIZE
                      ) -> Iterator[np.ndarray]:
    """Vote blocks of at most ``batch_size`` rows, in row order.

    ``source`` is a vote-matrix file (``.npy``, ``.parquet`` or ``.arrow``, read
    block by block, never whole), a :class:`~wslib.apply.parquet.StreamResult`,
    an array / sparse matrix / pandas DataFrame of votes (sliced by rows), or an
    iterable of blocks (passed through).
    """
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    if isinstance(source, StreamResult):
        if source.path is None:
            raise ValueError("this StreamResult wrote no vote matrix (out=None)")
        source = source.path
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"vote matrix {path} does not exist")
        fmt = vote_format(path)
        if fmt == "npy":
            yield from _npy_blocks(path, batch_size)
        elif fmt == "parquet":
            for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
                yield _block(batch)
        else:
            with pa.memory_map(str(path)) as src:
                reader = pa.ipc.open_file(src)
                for i in range(reader.num_record_batches):
                    yield _block(reader.get_batch(i))
        return
    if isinstance(source, np.ndarray) or sp.issparse(source):
        for start in range(0, source.shape[0], batch_size):
            yield source[start:start + batch_size]
        return
    if isinstance(source, pd.DataFrame):  # a vote frame is sliced by rows, not iterated
        for start in range(0, source.shape[0], batch_size):  # (which yields column labels)
            yield source.iloc[start:start + batch_size]
        return
    if isinstance(source, Iterable):
        yield from source
        return
    raise TypeError(f"cannot read votes from a {type(source).__name__}; pass a .npy/.parquet/"
                    ".arrow path, an array, a StreamResult or an iterable of vote blocks")


def _npy_header(fh: Any, path: Path) -> tuple[tuple[int, int], np.dtype]:
    """Shape and dtype of a C-order 2-D ``.npy`` file; ``fh`` is left at the data."""
    version = np.lib.format.read_magic(fh)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
        np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(fh)
    if len(shape) != 2 or fortran:
        raise ValueError(f"{path} holds a {'Fortran-order ' if fortran else ''}array of "
                         f"shape {shape}; a vote matrix is a C-order 2-D array")
    return shape, dtype


def _npy_blocks(path: Path, batch_size: int) -> Iterator[np.ndarray]:
    """Row blocks of a ``.npy`` vote matrix, read (not mapped) so memory stays bounded."""
    with open(path, "rb") as fh:
        (n, m), dtype = _npy_header(fh, path)
        for start in range(0, n, batch_size):
            rows = min(batch_size, n - start)
            block = np.fromfile(fh, dtype=dtype, count=rows * m)
            if block.size != rows * m:
                raise ValueError(f"{path} is truncated: it ends within rows "
                                 f"{start}..{start + rows - 1} of the {n} its header announces")
            yield block.reshape(rows, m)


def _block(batch: pa.RecordBatch) -> np.ndarray:
    return np.column_stack([c.to_numpy(zero_copy_only=False) for c in batch.columns])


def accumulate_stats(source: Any, cardinality: int, *, capacity: int = DEFAULT_CAPACITY,
                     batch_size: int = DEFAULT_BATCH_SIZE, device: Any = None) -> VoteStats:
    """:class:`VoteStats` of a vote matrix read block by block (each block validated).

    Equals ``VoteStats.from_votes(L_whole, cardinality, capacity=capacity)``;
    ``device`` runs each block's pass with the torch kernels on that device. A bad
    vote is named by its row in the whole matrix (and the file it is read from).
    """
    total: VoteStats | None = None
    done = 0
    for block in iter_vote_batches(source, batch_size):
        try:
            part = VoteStats.from_votes(block, cardinality, capacity=capacity, device=device)
        except (TypeError, ValueError):
            _locate(block, source, done, cardinality=cardinality)
            raise
        total = part if total is None else total + part
        done += block.shape[0]
    if total is None:
        raise ValueError("the vote source yielded no rows; nothing to fit")
    return total


def _locate(block: Any, source: Any, first_row: int, **expect: Any) -> None:
    """Re-check a block that failed, naming rows in the whole matrix's numbering and the
    file it came from; returns only if the block's votes are valid (the failure was
    elsewhere)."""
    path = source.path if isinstance(source, StreamResult) else source
    name = str(path) if isinstance(path, (str, os.PathLike)) else "L"
    check_votes(block, name=name, first_row=first_row, allow_empty=True, **expect)


def _cardinality(model: BaseLabelModel, cardinality: int | None, source: Any) -> int:
    if isinstance(source, VoteStats):
        return source.cardinality
    k = cardinality if cardinality is not None else model.cardinality
    if k is None:
        raise ValueError(f"a streamed fit cannot infer the number of classes: pass "
                         f"cardinality=k or {type(model).__name__}(cardinality=k)")
    return int(k)


def fit_streaming(model: BaseLabelModel, source: Any, *, cardinality: int | None = None,
                  class_balance: Any = None, batch_size: int = DEFAULT_BATCH_SIZE,
                  y_dev: Any = None, L_dev: Any = None) -> BaseLabelModel:
    """Fit ``model`` from votes read block by block (or from ready ``VoteStats``).

    Parameters
    ----------
    model : label model with ``fit_stats``
        :class:`~wslib.labelmodel.DawidSkene`, :class:`~wslib.labelmodel.LabelModel`,
        :class:`~wslib.labelmodel.WeightedMajorityVote` or
        :class:`~wslib.labelmodel.MajorityVote`; its ``max_patterns`` is the
        statistics' capacity and its ``device`` (if any) where they are built.
    source : vote source (see :func:`iter_vote_batches`) or VoteStats
        ``VoteStats`` may come from ``apply_parquet(..., stats=True)`` or
        :func:`wslib.apply.dask.vote_stats_dask`.
    cardinality : int, optional
        Number of classes (else ``model.cardinality``); required for a vote source.
    class_balance : array of shape (k,), optional
        Known class prior.
    batch_size : int
        Rows per block.
    y_dev, L_dev : optional
        A small gold-labelled set (labels, and the LFs' votes on those rows),
        passed to ``fit_stats`` for the models that use one.

    Returns
    -------
    model
        Fitted; equal to ``model.fit(L)`` on the whole matrix.
    """
    fit_stats = getattr(model, "fit_stats", None)
    if fit_stats is None:
        raise TypeError(f"{type(model).__name__} cannot be fitted from streamed statistics "
                        "(it has no fit_stats method); use DawidSkene, LabelModel, "
                        "WeightedMajorityVote or MajorityVote, or fit in memory")
    dev = {name: value for name, value in (("y_dev", y_dev), ("L_dev", L_dev))
           if value is not None}
    unused = sorted(set(dev) - set(inspect.signature(fit_stats).parameters))
    if unused:
        raise TypeError(f"{type(model).__name__}.fit_stats takes no {' or '.join(unused)}: "
                        "this model does not use a dev set when fitted from statistics")
    check_params(model)
    k = _cardinality(model, cardinality, source)
    if model.cardinality is not None and model.cardinality != k:
        raise ValueError(f"{type(model).__name__} has cardinality={model.cardinality} but "
                         f"the statistics have {k} classes")
    stats = source if isinstance(source, VoteStats) else accumulate_stats(
        source, k, capacity=getattr(model, "max_patterns", DEFAULT_CAPACITY),
        batch_size=batch_size, device=getattr(model, "device", None))
    return fit_stats(stats, class_balance=class_balance, **dev)


def predict_proba_streaming(model: BaseLabelModel, source: Any, out: str | os.PathLike, *,
                            batch_size: int = DEFAULT_BATCH_SIZE,
                            dtype: Any = np.float64) -> Path:
    """Write ``model.predict_proba`` of every row to ``out``, one block at a time.

    ``source`` must have a known length (a file, an array, a vote DataFrame or a
    StreamResult).
    ``out`` ends in ``.npy`` (an ``(n, k)`` array), ``.parquet`` or ``.arrow``
    (columns ``p0 .. p{k-1}``); it may not be the vote file itself. The file is
    written under a temporary name and renamed at the end, so a failed run
    leaves no partial file and an existing ``out`` is replaced only by a
    complete one.
    """
    model._check_fitted()
    path = source.path if isinstance(source, StreamResult) else source
    check_output_path(out, [path] if isinstance(path, (str, os.PathLike)) else [])
    n = _n_rows(source)
    if n is None:
        raise TypeError("predict_proba_streaming needs a source of known length (a vote "
                        "file, an array or a StreamResult), not a plain iterable")
    k = model.cardinality_
    writer = ArrayWriter(Path(out), n, [f"p{c}" for c in range(k)], np.dtype(dtype))
    done, ok = 0, False
    try:
        for block in iter_vote_batches(source, batch_size):
            try:
                proba = model.predict_proba(block)
            except (TypeError, ValueError):
                _locate(block, source, done, cardinality=k, n_sources=model.n_sources_)
                raise
            writer.write(proba.astype(dtype, copy=False))
            done += block.shape[0]
        if done != n:
            raise RuntimeError(f"the vote source yielded {done} rows, expected {n}")
        ok = True
    finally:
        writer.close(commit=ok)
    return Path(out)
