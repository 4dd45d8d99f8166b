"""Out-of-core LF application: a Parquet dataset in, a vote matrix file out, bounded memory.

:func:`apply_parquet` reads a Parquet file, a folder of Parquet files or any
``pyarrow.dataset.Dataset`` batch by batch (only the columns the LFs read),
runs each batch through :func:`wslib.apply.chunk.apply_chunk` — the engine
behind :func:`wslib.apply_lfs`, so the votes are identical — and appends the
votes to the output file as it goes. Memory holds a few batches, whatever the
number of rows: 10 million rows x 20 LFs stream in well under 2 GB
(``wslib bench scale``).

Outputs, chosen by the suffix of ``out``:

* ``.npy`` — a NumPy array file written sequentially; open it with
  ``np.load(path, mmap_mode="r")`` to use it without loading it;
* ``.parquet`` — one ``int8``/``int16`` column per LF, named after the LF;
* ``.arrow`` / ``.feather`` — the same table as an Arrow IPC file (memory-mappable).

The file is written under a temporary name and renamed when every row is
done, so a failed run leaves no partial output behind. With ``stats=True``
the run also accumulates :class:`~wslib.vote_stats.VoteStats`, the
mergeable sufficient statistics a label model fits from
(:func:`wslib.labelmodel.streaming.fit_streaming`), in the same pass.

Example
-------
>>> import tempfile, pathlib, numpy as np, pandas as pd
>>> from wslib.lf import keyword_lf, threshold_lf
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> pd.DataFrame({"text": ["buy now", "hello", "buy"], "n": [3, 0, 9]}).to_parquet(tmp / "x.parquet")
>>> res = apply_parquet(tmp / "x.parquet", [keyword_lf("buy", 1), threshold_lf("n", 5, 0)],
...                     tmp / "L.npy", batch_size=2)
>>> np.load(res.path).tolist(), res.n_rows
([[1, -1], [-1, -1], [1, 0]], 3)
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from wslib.apply.api import (DEFAULT_CHUNK_SIZE, _check_unique_columns, _FaultTally,
                             _parquet_file, _parquet_files, _progress_bar)
from wslib.apply.chunk import ERRORS, CompiledLFs, apply_chunk, compile_lfs
from wslib.lf.core import LabelingFunction
from wslib.matrix import vote_dtype

if TYPE_CHECKING:  # pyarrow's Parquet modules and scipy.sparse load when first used
    import pyarrow.dataset as ds

    from wslib.vote_stats import VoteStats

__all__ = ["apply_parquet", "StreamResult", "ArrayWriter", "check_output_path",
           "open_parquet_dataset", "read_votes", "vote_format", "VOTE_FORMATS"]

#: output suffix -> format name
VOTE_FORMATS = {".npy": "npy", ".parquet": "parquet", ".arrow": "arrow", ".feather": "arrow"}


@dataclass
class StreamResult:
    """What :func:`apply_parquet` wrote.

    Attributes
    ----------
    path : Path or None
        The vote matrix file (``None`` when only statistics were asked for).
    n_rows : int
    lf_names : list of str
        Column ``j`` of the vote matrix holds ``lf_names[j]``'s votes.
    faults : pandas.Series
        Per-LF fault counts (non-zero only with ``errors="abstain"``).
    stats : VoteStats or None
        Sufficient statistics of the whole vote matrix (``stats=True``).
    dtype : numpy.dtype
    seconds : float
        Wall time of the run.
    n_batches : int
        Batches streamed (at most ``batch_size`` rows each).
    """

    path: Path | None
    n_rows: int
    lf_names: list[str]
    faults: pd.Series
    stats: VoteStats | None
    dtype: np.dtype
    seconds: float = 0.0
    n_batches: int = 0

    def votes(self, mmap: bool = True) -> np.ndarray:
        """The vote matrix as an array (memory-mapped for ``.npy`` when ``mmap``)."""
        if self.path is None:
            raise ValueError("no vote matrix was written (out=None); rerun with out=...")
        return read_votes(self.path, mmap=mmap)


def read_votes(path: str | os.PathLike, *, mmap: bool = True) -> np.ndarray:
    """Load a 2-D array written by :func:`apply_parquet` or
    :func:`~wslib.labelmodel.streaming.predict_proba_streaming` (any of the three formats)."""
    path = Path(path)
    fmt = vote_format(path)
    if fmt == "npy":
        return np.load(path, mmap_mode="r" if mmap else None)
    import pyarrow.parquet as pq

    table = pq.read_table(path) if fmt == "parquet" else \
        pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    return np.column_stack([c.to_numpy() for c in table.columns]) if table.num_columns \
        else np.empty((table.num_rows, 0), dtype=np.int8)


def vote_format(path: Path) -> str:
    """The format (``"npy"``, ``"parquet"`` or ``"arrow"``) of a vote-matrix file, from its suffix.

    >>> vote_format(Path("L.feather"))
    'arrow'
    """
    fmt = VOTE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the vote-matrix format of {path}: use a name ending "
                         f"in one of {sorted(VOTE_FORMATS)}")
    return fmt


def check_output_path(out: str | os.PathLike, inputs: Sequence[Any]) -> Path:
    """``out`` as a Path, after refusing what would destroy or corrupt input.

    Refused: an output that is one of the ``inputs`` (the same file by any path,
    link or symlink), one inside an input folder (a vote file there would be read
    as data by the next run), an existing folder, and a folder that does not exist.

    >>> check_output_path("x.npy", ["x.npy"])
    Traceback (most recent call last):
    ...
    ValueError: the output x.npy is the input x.npy: writing it would destroy the input; choose another path
    """
    path = Path(out)
    if path.is_dir():
        raise IsADirectoryError(f"the output {path} is a folder; give a file name ending in "
                                f"one of {sorted(VOTE_FORMATS)}")
    vote_format(path)
    target = path.resolve()
    for source in inputs:
        src = Path(source).resolve()
        same = target == src or (path.exists() and src.exists() and os.path.samefile(path, src))
        if same:
            raise ValueError(f"the output {path} is the input {source}: writing it would destroy "
                             "the input; choose another path")
        if src.is_dir() and src in target.parents:
            raise ValueError(f"the output {path} is inside the input folder {source}: the next "
                             "run would read it as input; write it elsewhere")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder of the output {path} does not exist; create "
                                f"{path.parent} first")
    return path


def _input_paths(source: Any) -> list[Any]:
    """The files and folders a Parquet source reads (for :func:`check_output_path`)."""
    import pyarrow.dataset as ds

    if isinstance(source, ds.Dataset):
        return list(getattr(source, "files", []))
    if isinstance(source, (str, os.PathLike)):
        return [source]
    return list(source) if isinstance(source, Sequence) else []


def open_parquet_dataset(source: Any) -> ds.Dataset:
    """A ``pyarrow.dataset.Dataset`` for a file, a folder, a list of files or a dataset.

    A folder holds the files ``pd.read_parquet(folder)`` reads, in its order (every
    file below it except under names starting with ``_`` or ``.``, sorted by path),
    which fixes the row order.
    """
    import pyarrow.dataset as ds

    if isinstance(source, ds.Dataset):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"Parquet input {path} does not exist")
        files = _parquet_files(path)
    elif isinstance(source, Sequence) and source:
        files = [str(f) for f in source]
        for f in files:
            if not Path(f).exists():
                raise FileNotFoundError(f"Parquet input {f} does not exist")
    else:
        raise TypeError(f"cannot read Parquet from a {type(source).__name__}; pass a path, "
                        "a list of paths or a pyarrow.dataset.Dataset")
    try:
        return ds.dataset(files, format="parquet")
    except pa.ArrowInvalid:  # its schema is the first file's: say what is wrong there
        _check_unique_columns(_parquet_file(files[0]).schema_arrow.names,
                              f"Parquet input {files[0]}")
        raise


def _check_schema(dataset: ds.Dataset, plan: CompiledLFs) -> None:
    """Every file must hold every column an LF reads (a dataset would fill nulls)."""
    partitioning = getattr(dataset, "partitioning", None)  # hive keys live in paths, not files
    keys = partitioning.schema.names if partitioning is not None else []
    parts = [(f"Parquet input {getattr(f, 'path', 'the dataset')}",
              f.physical_schema.names + keys) for f in dataset.get_fragments()]
    for where, names in parts:
        _check_unique_columns(names, where)
    # files first: the dataset's schema is the first file's, so checking it first would
    # blame "the dataset" for what one file lacks
    plan.check_sources(parts + [("Parquet input the dataset", dataset.schema.names)])


def _batches(dataset: ds.Dataset, columns: Sequence[str] | None, batch_size: int
             ) -> Iterator[pd.DataFrame]:
    """DataFrames of at most ``batch_size`` rows, in file order.

    Files are scanned one at a time with one batch of read-ahead: a dataset-wide
    scan reads ahead whole files while the LFs are slower than the reader,
    which multiplied the peak memory of a 10M-row run.
    """
    start = 0
    cols = None if columns is None else list(columns)
    batches = (batch for frag in dataset.get_fragments()
               for batch in _fragment_batches(frag, dataset.schema, cols, batch_size))
    for batch in batches:
        if batch.num_rows == 0:
            continue
        df = batch.to_pandas()
        df.index = pd.RangeIndex(start, start + len(df))
        start += len(df)
        yield df


def _fragment_batches(frag: Any, schema: pa.Schema, columns: list[str] | None,
                      batch_size: int) -> Iterator[pa.RecordBatch]:
    """One file's batches in the dataset's schema; a file whose values cannot take that
    schema (a column of another type than in the first file) is named."""
    batches = frag.to_batches(schema=schema, columns=columns, batch_size=batch_size,
                              batch_readahead=1, use_threads=True)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            raise ValueError(
                f"cannot read Parquet input {getattr(frag, 'path', 'the dataset')} with the "
                f"schema of the dataset (its first file's): {' '.join(str(exc).split())}"
            ) from exc
        yield batch


class ArrayWriter:
    """Appends row blocks of a 2-D array to ``path`` (``.npy``, ``.parquet`` or
    ``.arrow``), under a temporary name until ``close(commit=True)``.

    ``apply_parquet`` writes its votes and ``predict_proba_streaming`` its soft
    labels with it. The blocks must already be in ``dtype`` and add up to
    ``n_rows`` rows; ``close(commit=False)`` leaves no file behind.

    >>> import tempfile, pathlib, numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "L.npy"
    >>> writer = ArrayWriter(path, 3, ["lf_a", "lf_b"], np.dtype(np.int8))
    >>> writer.write(np.array([[1, -1], [0, 0]], dtype=np.int8))
    >>> writer.write(np.array([[-1, 1]], dtype=np.int8))
    >>> writer.close(commit=True)
    >>> np.load(path).tolist()
    [[1, -1], [0, 0], [-1, 1]]
    """

    def __init__(self, path: Path, n_rows: int, names: list[str], dtype: np.dtype):
        self.path, self.fmt, self.dtype = path, vote_format(path), dtype
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.schema = pa.schema([(n, pa.from_numpy_dtype(dtype)) for n in names])
        if self.fmt == "npy":
            self.fh = open(self.tmp, "wb")
            np.lib.format.write_array_header_1_0(
                self.fh, {"descr": np.lib.format.dtype_to_descr(dtype),
                          "fortran_order": False, "shape": (n_rows, len(names))})
        elif self.fmt == "parquet":
            import pyarrow.parquet as pq

            self.fh = pq.ParquetWriter(str(self.tmp), self.schema, compression="zstd")
        else:
            self.sink = pa.OSFile(str(self.tmp), "wb")
            self.fh = pa.ipc.new_file(self.sink, self.schema)

    def write(self, votes: np.ndarray) -> None:
        if self.fmt == "npy":
            self.fh.write(np.ascontiguousarray(votes).tobytes())
        else:
            cols = [pa.array(votes[:, j]) for j in range(votes.shape[1])]
            self.fh.write_table(pa.Table.from_arrays(cols, schema=self.schema)) \
                if self.fmt == "parquet" else \
                self.fh.write_batch(pa.RecordBatch.from_arrays(cols, schema=self.schema))

    def close(self, commit: bool) -> None:
        self.fh.close()
        if self.fmt == "arrow":
            self.sink.close()
        if commit:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def apply_parquet(source: Any, lfs: Sequence[LabelingFunction], out: str | os.PathLike | None,
                  *, batch_size: int = DEFAULT_CHUNK_SIZE, errors: str = "raise",
                  cardinality: int | None = None, stats: bool = False,
                  capacity: int | None = None, progress: bool = False) -> StreamResult:
    """Apply ``lfs`` to a Parquet dataset batch by batch, writing the votes to ``out``.

    Parameters
    ----------
    source : path, list of paths or pyarrow.dataset.Dataset
        A Parquet file, a folder of Parquet files (the files and order of
        ``pd.read_parquet(folder)``: see :func:`open_parquet_dataset`) or a dataset.
    lfs : sequence of LabelingFunction
        Column ``j`` of the output holds ``lfs[j]``'s votes. Every column an LF
        declares must be in every file: a missing one raises
        :class:`~wslib.apply.MissingColumnError` naming the column, the LF and the file
        before any row is read.
    out : path or None
        ``.npy``, ``.parquet``, ``.arrow`` or ``.feather`` file for the vote matrix;
        ``None`` keeps only the statistics (needs ``stats=True``).
    batch_size : int
        Rows per batch (files' row groups may make batches smaller).
    errors : {"raise", "abstain"}
        As in :func:`wslib.apply_lfs`; ``"raise"`` stops at the first fault and
        removes the partial output.
    cardinality : int, optional
        Number of classes; fixes the output dtype (``int8`` up to 127 classes).
        Needed with ``stats=True``. Without it, votes above 127 are an error.
    stats : bool
        Also accumulate :class:`~wslib.vote_stats.VoteStats` (``result.stats``).
    capacity : int, optional
        Distinct multi-vote patterns kept in the statistics (default
        ``wslib.vote_stats.DEFAULT_CAPACITY``, as the label models use).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    StreamResult
    """
    _check_stream_options(errors, batch_size, out, stats, cardinality)
    from wslib.vote_stats import DEFAULT_CAPACITY, VoteStats

    count = (functools.partial(VoteStats._from_checked, k=cardinality,
                               capacity=DEFAULT_CAPACITY if capacity is None else capacity)
             if stats else None)
    plan = compile_lfs(lfs, cardinality)
    dataset = open_parquet_dataset(source)
    if out is not None:
        check_output_path(out, [*_input_paths(source), *_input_paths(dataset)])
    _check_schema(dataset, plan)
    n = dataset.count_rows()
    if n == 0:
        raise ValueError(f"Parquet input {source} has zero rows; nothing to label")
    dtype = vote_dtype(cardinality or 2)
    writer = None if out is None else ArrayWriter(Path(out), n, plan.names, dtype)
    faults, bar = _FaultTally(plan), _progress_bar(n) if progress else None
    t0, ok = time.perf_counter(), False
    try:
        done, n_batches, acc = _stream_batches(_batches(dataset, plan.columns, int(batch_size)),
                                               plan, errors, dtype, writer, count, faults, bar)
        if done != n:
            raise RuntimeError(f"Parquet input {source} yielded {done} rows, its metadata "
                               f"says {n}; was it modified during the run?")
        ok = True
    finally:
        if writer is not None:
            writer.close(commit=ok)
        if bar is not None:
            bar.close()
    faults.warn()
    return StreamResult(path=None if out is None else Path(out), n_rows=n,
                        lf_names=list(plan.names), faults=faults.series(), stats=acc,
                        dtype=dtype, seconds=time.perf_counter() - t0, n_batches=n_batches)


def _check_stream_options(errors: str, batch_size: int, out: Any, stats: bool,
                          cardinality: int | None) -> None:
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if out is None and not stats:
        raise ValueError("out=None writes nothing; give an output path or stats=True")
    if stats and cardinality is None:
        raise ValueError("stats=True needs cardinality=k (the statistics are indexed by class)")


def _stream_batches(batches: Iterator[pd.DataFrame], plan: CompiledLFs, errors: str,
                    dtype: np.dtype, writer: ArrayWriter | None,
                    count: Callable[[np.ndarray], VoteStats] | None, faults: _FaultTally,
                    bar: Any) -> tuple[int, int, VoteStats | None]:
    """Apply ``plan`` to each batch; write its votes and add up their statistics
    (``count``); return the rows, the batches and the statistics."""
    top = int(np.iinfo(dtype).max)
    done = n_batches = 0
    acc = None
    for df in batches:
        res = apply_chunk(plan, df, errors=errors, start=done)
        if res.votes.size and int(res.votes.max()) > top:
            j = int(np.argmax(res.votes.max(axis=0)))
            raise ValueError(f"LF {plan.names[j]!r} voted {int(res.votes[:, j].max())} in "
                             f"rows {done}..{done + len(df) - 1}, beyond {dtype} votes; "
                             "pass cardinality=k")
        votes = res.votes.astype(dtype, copy=False)
        if writer is not None:
            writer.write(votes)
        if count is not None:
            acc = count(votes) if acc is None else acc + count(votes)
        faults.add(res)
        done += len(df)
        n_batches += 1
        if bar is not None:
            bar.update(len(df))
    return done, n_batches, acc
