"""``apply_lfs``: labeling functions in, compact vote matrix out.

Inputs: a pandas DataFrame, a pyarrow Table, a dict of equal-length arrays, or
the path of a Parquet file / folder of Parquet files (read in batches, never
whole). The data is cut into chunks of ``chunk_size`` rows; each chunk goes
through :func:`wslib.apply.chunk.apply_chunk`, in this process or in ``n_jobs``
forked worker processes, and the chunk results are written back in input
order, so row ``i`` of the vote matrix is row ``i`` of the input.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import pickle
import time
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from wslib._spelling import other_spellings
from wslib._validation import check_bool, check_integer, check_number, repeated_names
from wslib.apply.chunk import ERRORS, ChunkResult, CompiledLFs, Watch, apply_chunk, compile_lfs
from wslib.apply.errors import WorkerDiedError
from wslib.exceptions import LFFaultWarning, WslibWarning, user_stacklevel
from wslib.lf.core import LabelingFunction, with_classes
from wslib.matrix import VoteMatrix, infer_cardinality, to_sparse, vote_dtype

__all__ = ["DEFAULT_CHUNK_SIZE", "apply_lfs", "input_rows"]

DEFAULT_CHUNK_SIZE = 65_536
#: without row LFs, one process: chunks of up to this many rows, as long as a
#: chunk's int16 vote block stays within 8 MiB (fewer per-chunk calls: Arrow
#: compiles a regex anew on every call, 8-10% of a 1M-row run at 65,536 rows)
_BATCH_CHUNK_SIZE = 262_144
_BATCH_VOTE_BYTES = 8 << 20


# ----------------------------------------------------------------------------- sources
class _Source:
    """Rows cut into chunks. ``tasks`` are cheap descriptions (sent to workers);
    ``load(task)`` turns one into ``(start, DataFrame)``."""

    n_rows: int
    columns: list[str]

    def tasks(self, chunk_size: int) -> Iterator[Any]:
        for start in range(0, self.n_rows, chunk_size):
            yield (start, min(start + chunk_size, self.n_rows))

    def load(self, task: Any) -> tuple[int, pd.DataFrame]:
        raise NotImplementedError


def _check_unique_columns(names: Sequence[Any], where: str) -> None:
    """Raise ``ValueError`` naming the column names ``where`` repeats."""
    dup = repeated_names(names)
    if dup:
        raise ValueError(f"{where} has duplicate column names {dup[:5]}: an LF reading one "
                         "of them could not tell which column it gets")


class _PandasSource(_Source):
    def __init__(self, df: pd.DataFrame):
        _check_unique_columns(df.columns, "data")
        self.df, self.n_rows = df, len(df)
        self.columns = list(df.columns)

    def load(self, task):
        start, stop = task
        return start, self.df.iloc[start:stop]


class _ArrowSource(_Source):
    def __init__(self, table: pa.Table):
        _check_unique_columns(table.column_names, "data")
        self.table, self.n_rows, self.columns = table, table.num_rows, table.column_names

    def load(self, task):
        start, stop = task
        return start, _to_pandas(self.table.slice(start, stop - start), start)


class _DictSource(_Source):
    """Columns given as a dict, read by position. Series columns must share one index
    (or hold the same labels in another order: they are aligned to the first Series'
    order), which then labels the rows; anything else is refused, never mixed."""

    def __init__(self, data: Mapping[Any, Any]):
        names = [str(k) for k in data]
        if len(set(names)) < len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"dict input has keys that are the same column name as text: "
                             f"{dup[:5]}")
        self.data = {str(k): _dict_column(str(k), v) for k, v in data.items()}
        lengths = {k: len(v) for k, v in self.data.items()}
        if len(set(lengths.values())) > 1:
            first = next(iter(lengths))
            odd = next(k for k, n in lengths.items() if n != lengths[first])
            raise ValueError(f"dict input columns differ in length: {first!r} has "
                             f"{lengths[first]} rows, {odd!r} has {lengths[odd]}")
        self.index = _shared_index(self.data)
        self.data = {k: v.array if isinstance(v, pd.Series) else v for k, v in self.data.items()}
        self.n_rows = next(iter(lengths.values()), 0)
        self.columns = list(self.data)

    def load(self, task):
        start, stop = task
        cols = {k: (list(v[start:stop]) if getattr(v, "ndim", 1) > 1 else v[start:stop])
                for k, v in self.data.items()}
        index = pd.RangeIndex(start, stop) if self.index is None else self.index[start:stop]
        return start, pd.DataFrame(cols, index=index)


def _dict_column(name: str, values: Any) -> Any:
    """One dict column as a sliceable sequence of one value per row; masked cells of a
    masked array become missing values (NaN, or None for non-numbers)."""
    if isinstance(values, np.ma.MaskedArray):
        numeric = values.dtype.kind in "fiu"
        return (values.astype(np.float64).filled(np.nan) if numeric
                else values.astype(object).filled(None))
    if isinstance(values, (Set, Mapping)):
        raise TypeError(f"dict input column {name!r} is a {type(values).__name__}, which has "
                        "no row order: pass a list, an array or a Series")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable) or \
            (isinstance(values, np.ndarray) and values.ndim == 0):
        raise TypeError(f"dict input column {name!r} is a single {type(values).__name__} "
                        f"({str(values)[:40]!r}), not a column: give one value per row (a "
                        "list, an array or a Series)")
    if not (hasattr(values, "__len__") and hasattr(values, "__getitem__")):
        raise TypeError(f"dict input column {name!r} is a {type(values).__name__} (no length, "
                        "read only once): pass a list, e.g. list(values)")
    return values


def _shared_index(columns: Mapping[str, Any]) -> pd.Index | None:
    """The index of the Series among ``columns`` (made to agree), or None if there are
    none; Series whose labels differ are refused."""
    series = {k: v for k, v in columns.items() if isinstance(v, pd.Series)}
    if not series:
        return None
    first, index = next(iter(series)), next(iter(series.values())).index
    for k, s in series.items():
        if s.index.equals(index):
            continue
        if not (index.is_unique and s.index.is_unique and len(s) == len(index)
                and (s.index.get_indexer(index) >= 0).all()):
            raise ValueError(f"dict input columns {first!r} and {k!r} are Series with different "
                             "indexes: their rows cannot be matched; align them first (e.g. "
                             "pd.concat(columns, axis=1)) or pass arrays (.to_numpy()) to "
                             "read them by position")
        columns[k] = s.reindex(index)  # type: ignore[index]
    return index


def _parquet_files(path: Path) -> list[str]:
    """The files of a Parquet input: the file itself, or the files of a folder as
    pyarrow's dataset discovery (and so ``pd.read_parquet(folder)``) finds them:
    every file below it except under names starting with ``_`` or ``.``
    (``_SUCCESS``, ``_temporary/``), sorted as full path strings."""
    if not path.is_dir():
        return [str(path)]
    import pyarrow.dataset as ds  # loaded for Parquet input only

    files = ds.dataset(str(path), format="parquet", schema=pa.schema([])).files  # opens none
    if not files:
        raise FileNotFoundError(f"{path} holds no Parquet files (names starting with '_' or "
                                "'.' are skipped, as pandas and pyarrow skip them)")
    return files


def _parquet_file(path: str) -> Any:
    """``pyarrow.parquet.ParquetFile(path)``; a file it cannot read is named."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        raise ValueError(f"cannot read Parquet input {path}: {exc}") from exc


class _ParquetSource(_Source):
    """Parquet file or folder of Parquet files (see :func:`_parquet_files`), streamed."""

    def __init__(self, path: Path, plan: CompiledLFs):
        files = _parquet_files(path)
        self.files = [_parquet_file(f) for f in files]
        parts = [(f"Parquet input {f}", pf.schema_arrow.names) for f, pf in zip(files, self.files)]
        for where, names in parts:
            _check_unique_columns(names, where)
        plan.check_sources(parts)
        self.n_rows = sum(f.metadata.num_rows for f in self.files)
        self.columns = self.files[0].schema_arrow.names
        columns = plan.columns
        self.read = None if columns is None else [c for c in columns if c in self.columns]

    def tasks(self, chunk_size):
        start = 0
        for f in self.files:
            for batch in f.iter_batches(batch_size=chunk_size, columns=self.read):
                table = pa.Table.from_batches([batch])
                yield start, _to_pandas(table, start)
                start += table.num_rows

    def load(self, task):
        return task


def _to_pandas(table: pa.Table, start: int) -> pd.DataFrame:
    df = table.to_pandas()
    df.index = pd.RangeIndex(start, start + len(df))
    return df


def input_rows(data: Any) -> pd.DataFrame | pa.Table:
    """``data`` as the table whose row ``i`` is row ``i`` of :func:`apply_lfs`'s vote
    matrix: a DataFrame or pyarrow Table as it is, a RecordBatch as a Table, and a dict
    of columns read exactly as ``apply_lfs`` reads it (Series aligned to the first
    Series' order, whose labels become the index).

    >>> import pandas as pd
    >>> input_rows({"a": pd.Series([1, 2], index=["y", "x"]),
    ...             "b": pd.Series([20, 10], index=["x", "y"])})
       a   b
    y  1  10
    x  2  20
    """
    if isinstance(data, (pd.DataFrame, pa.Table)):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, Mapping):
        source = _DictSource(data)
        return source.load((0, source.n_rows))[1]
    raise TypeError(f"data must be a pandas DataFrame, a pyarrow Table or a dict of "
                    f"columns, got {type(data).__name__}")


def _source(data: Any, plan: CompiledLFs) -> _Source:
    if isinstance(data, pd.DataFrame):
        return _PandasSource(data)
    if isinstance(data, pa.Table):
        return _ArrowSource(data)
    if isinstance(data, pa.RecordBatch):
        return _ArrowSource(pa.Table.from_batches([data]))
    if isinstance(data, Mapping):
        return _DictSource(data)
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not path.exists():
            raise FileNotFoundError(f"input {path} does not exist")
        return _ParquetSource(path, plan)
    raise TypeError(f"cannot apply LFs to a {type(data).__name__}; pass a pandas DataFrame, "
                    "a pyarrow Table, a dict of equal-length arrays or a Parquet path")


# ----------------------------------------------------------------------------- workers
#: (source, plan, errors) of the one pool a worker process serves, set in the worker by
#: ``_init_worker`` (forked: nothing is pickled), so tasks carry only row ranges; the
#: calling process keeps no state, and concurrent ``apply_lfs`` calls have their own pools
_WORKER: tuple | None = None


def _init_worker(source: _Source, plan: CompiledLFs, errors: str) -> None:
    global _WORKER
    _WORKER = (source, plan, errors)


def _run_task(task: Any) -> tuple[int, ChunkResult]:
    source, plan, errors = _WORKER
    start, df = source.load(task)
    try:
        result = apply_chunk(plan, df, errors=errors, start=start)
    except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
        error = _sendable(exc)
    else:
        return start, result
    raise error  # outside the except block: no unpicklable context is attached


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` made safe to pickle to the parent process: as it is when it pickles;
    else without its chained exceptions (an LF's locally defined exception class
    cannot be pickled, and libraries such as tblib pickle chains); else a
    RuntimeError carrying its text."""
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001 - any pickling failure
        pass
    exc.__cause__ = exc.__context__ = None
    exc.__traceback__ = None
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _run_serial(source: _Source, tasks: Iterator[Any], plan: CompiledLFs, errors: str
                ) -> Iterator[tuple[int, ChunkResult]]:
    for task in tasks:
        start, df = source.load(task)
        yield start, apply_chunk(plan, df, errors=errors, start=start)


def _run_pool(source: _Source, tasks: Iterator[Any], plan: CompiledLFs, errors: str,
              n_jobs: int) -> Iterator[tuple[int, ChunkResult]]:
    """Results in task order; at most ``2 * n_jobs`` chunks in flight."""
    pending: deque = deque()
    with ProcessPoolExecutor(n_jobs, mp_context=mp.get_context("fork"),
                             initializer=_init_worker,
                             initargs=(source, plan, errors)) as pool:
        try:
            for task in tasks:
                try:
                    pending.append((task, pool.submit(_run_task, task)))
                except BrokenProcessPool as exc:  # a worker died since the last result
                    raise _worker_died(pending[0][0] if pending else task) from exc
                if len(pending) >= 2 * n_jobs:
                    yield _result(*pending.popleft())
            while pending:
                yield _result(*pending.popleft())
        finally:
            for _, fut in pending:
                fut.cancel()


def _run_watched(source: _Source, tasks: Iterator[Any], plan: CompiledLFs, errors: str,
                 timeout: float) -> Iterator[tuple[int, ChunkResult]]:
    """Each chunk in a forked child that publishes which row LF runs on which row.

    A call running longer than ``timeout`` seconds gets the child killed and the
    chunk re-run in a fresh child where that (LF, row) call is a fault: an
    :class:`LFTimeoutError` naming both (``errors="raise"``), or a counted
    abstain (``"abstain"``).
    """
    ctx = mp.get_context("fork")
    poll = min(0.05, timeout / 4)
    for task in tasks:
        skip: set[tuple[int, int]] = set()
        while True:
            progress = ctx.Array("q", [-1, 0, 0], lock=False)
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_watched_child, daemon=True,
                                args=(source, task, plan, errors,
                                      Watch(progress, frozenset(skip), timeout), send))
            child.start()
            send.close()
            calls, since = -1, time.monotonic()
            while not receive.poll(poll):
                if progress[2] != calls or progress[0] < 0:
                    calls, since = progress[2], time.monotonic()
                elif time.monotonic() - since > timeout:
                    break
            else:
                try:
                    status, payload = receive.recv()
                except EOFError:  # the child died without answering
                    raise _worker_died(task) from None
                finally:
                    child.join()
                if status == "error":
                    raise payload
                yield payload
                break
            skip.add((int(progress[0]), int(progress[1])))  # re-run: that call is a fault
            child.kill()
            child.join()
            receive.close()


def _watched_child(source: _Source, task: Any, plan: CompiledLFs, errors: str, watch: Watch,
                   send: Any) -> None:
    try:
        start, df = source.load(task)
        send.send(("ok", (start, apply_chunk(plan, df, errors=errors, start=start,
                                             watch=watch))))
    except Exception as exc:  # noqa: BLE001 - re-raised in the parent
        send.send(("error", _sendable(exc)))


def _result(task: Any, fut: Any) -> tuple[int, ChunkResult]:
    try:
        return fut.result()
    except BrokenProcessPool as exc:
        raise _worker_died(task) from exc


def _worker_died(task: Any) -> WorkerDiedError:
    return WorkerDiedError(f"a worker process died (killed, out of memory or crashed) "
                           f"while applying LFs; the first unfinished chunk starts at row "
                           f"position {task[0]}; rerun with n_jobs=1 to see the error "
                           "in-process")


# ----------------------------------------------------------------------------- apply_lfs
@other_spellings({"df": "pass the data as the first argument, data",
                  "progress_bar": "wslib spells it progress=",
                  "fault_tolerant": "wslib spells it errors='abstain'",
                  "return_meta": "wslib spells it return_faults=True (a Series of fault counts)"})
def apply_lfs(data: Any, lfs: Sequence[LabelingFunction], *, n_jobs: int = 1,
              chunk_size: int | None = None, progress: bool = False, errors: str = "raise",
              cardinality: int | None = None, sparse: bool = False,
              return_faults: bool = False, timeout: float | None = None,
              classes: Sequence[str] | None = None
              ) -> VoteMatrix | tuple[VoteMatrix, pd.Series]:
    """Apply labeling functions to every row and return the vote matrix ``L``.

    Parameters
    ----------
    data : DataFrame, pyarrow Table, dict of arrays, or str / Path
        The items. A path is a Parquet file or a folder of Parquet files,
        streamed in batches of ``chunk_size`` rows.
    lfs : sequence of LabelingFunction
        Unique names; column ``j`` of ``L`` holds ``lfs[j]``'s votes.
    n_jobs : int
        Worker processes (``-1``: all cores). Uses the ``fork`` start method
        (Linux); LFs need not be picklable. Row order is preserved exactly.
    chunk_size : int, optional
        Rows per chunk (default 65,536, smaller when needed to keep every
        worker busy; in one process without row LFs up to 262,144 while the
        chunk's votes take at most 8 MiB). Bounds memory: only a few chunks
        are in flight at a time.
    progress : bool
        Show a tqdm progress bar (needs ``tqdm``).
    errors : {"raise", "abstain"}
        ``"raise"``: an LF that raises or returns an invalid vote stops the run
        with :class:`~wslib.apply.LFApplyError` / :class:`~wslib.apply.LFOutputError`
        naming the LF, the row's index label and its position.
        ``"abstain"``: such votes become ``-1``; one :class:`~wslib.exceptions.LFFaultWarning`
        lists the per-LF fault counts (get them as data with ``return_faults=True``).
    cardinality : int, optional
        Number of classes; votes ``>= cardinality`` are then invalid.
    classes : list of str, optional
        Class names in index order (``["HAM", "SPAM"]``: HAM is 0, SPAM 1), for
        LFs that vote names (``keyword_lf("free", "SPAM")``, a row LF returning
        ``"HAM"``); see :func:`wslib.lf.with_classes`. Sets ``cardinality``.
    sparse : bool
        Return a ``scipy.sparse.csr_matrix`` whose implicit entries are abstains
        (for mostly-abstain matrices). Dense is ``int8`` when votes fit.
    return_faults : bool
        Also return a ``pandas.Series`` of fault counts indexed by LF name.
    timeout : float, optional
        Seconds one row-LF call may take. Each chunk then runs in a watched,
        forked child process (one at a time; ``n_jobs`` is not used); a call
        that runs longer gets the child killed and the chunk re-run with that
        (LF, row) call counted as a fault: :class:`~wslib.apply.errors.LFTimeoutError`
        naming the LF and row (``errors="raise"``) or an abstain (``"abstain"``).
        Batch, numba and template LFs and preprocessors are not timed.

    Returns
    -------
    L : ndarray of int8/int16, shape (n_rows, n_lfs), or csr_matrix
    faults : pandas.Series (only with ``return_faults=True``)

    Examples
    --------
    >>> import pandas as pd
    >>> from wslib import apply_lfs, labeling_function, ABSTAIN
    >>> from wslib.lf import keyword_lf
    >>> @labeling_function()
    ... def short(x):
    ...     return 0 if len(x.text) < 10 else ABSTAIN
    >>> df = pd.DataFrame({"text": ["subscribe to my channel!", "nice"]})
    >>> apply_lfs(df, [short, keyword_lf("subscribe", 1)])
    array([[-1,  1],
           [ 0, -1]], dtype=int8)
    """
    timeout, cardinality = _check_options(errors, progress, sparse, return_faults, chunk_size,
                                          timeout, classes, cardinality)
    plan = compile_lfs(with_classes(lfs, classes), cardinality)
    source = _source(data, plan)
    if source.n_rows == 0:
        raise ValueError("data has zero rows; nothing to label")
    plan.check_columns(source.columns)
    results = _run_chunks(source, plan, errors, chunk_size, _n_jobs(n_jobs), timeout)
    L, faults = _collect(results, plan, source.n_rows, cardinality, sparse, progress)
    return (L, faults.series()) if return_faults else L


def _check_options(errors: str, progress: bool, sparse: bool, return_faults: bool,
                   chunk_size: int | None, timeout: float | None,
                   classes: Sequence[str] | None, cardinality: int | None
                   ) -> tuple[float | None, int | None]:
    """Check :func:`apply_lfs`'s options; return the timeout and the cardinality
    (``len(classes)`` when class names are given)."""
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    for name, flag in (("progress", progress), ("sparse", sparse),
                       ("return_faults", return_faults)):
        check_bool(name, flag)
    if chunk_size is not None:
        check_integer("chunk_size", chunk_size)
    if timeout is not None:
        timeout = _check_timeout(timeout)
    if classes is not None:
        if cardinality not in (None, len(classes)):
            raise ValueError(f"cardinality={cardinality} but classes lists {len(classes)} names")
        cardinality = len(classes)
    return timeout, cardinality


def _run_chunks(source: _Source, plan: CompiledLFs, errors: str, chunk_size: int | None,
                n_jobs: int, timeout: float | None) -> Iterator[tuple[int, ChunkResult]]:
    """The chunks' results in row order: watched children with a timeout, else in
    this process or a pool of ``n_jobs`` workers."""
    if chunk_size is None:
        chunk_size = _default_chunk_size(plan, source.n_rows, n_jobs)
    chunk_size = int(chunk_size)
    tasks = source.tasks(chunk_size)
    if timeout is not None:
        if "fork" not in mp.get_all_start_methods():
            raise RuntimeError("timeout= needs the 'fork' start method (Linux, macOS)")
        return _run_watched(source, tasks, plan, errors, timeout)
    if n_jobs == 1 or source.n_rows <= chunk_size:
        return _run_serial(source, tasks, plan, errors)
    return _run_pool(source, tasks, plan, errors, n_jobs)


def _collect(results: Iterable[tuple[int, ChunkResult]], plan: CompiledLFs, n: int,
             cardinality: int | None, sparse: bool, progress: bool
             ) -> tuple[Any, _FaultTally]:
    """Stack the chunks' votes into ``L`` (dense, widened to ``int16`` when a vote
    needs it, or CSR) and sum their faults, warning once when there are any."""
    bar = _progress_bar(n) if progress else None
    dense = None if sparse else np.empty((n, len(plan)), dtype=vote_dtype(cardinality or 2))
    blocks: list = []  # CSR blocks when sparse
    faults = _FaultTally(plan)
    try:
        for start, res in results:
            votes = res.votes
            if not sparse and votes.size and votes.max() > np.iinfo(dense.dtype).max:
                dense = dense.astype(np.int16)
            if sparse:
                blocks.append(to_sparse(votes))
            else:
                dense[start:start + len(votes)] = votes
            faults.add(res)
            if bar is not None:
                bar.update(len(votes))
    finally:
        if bar is not None:
            bar.close()
    faults.warn()
    if not sparse:
        return dense, faults
    import scipy.sparse as sp

    L = sp.vstack(blocks, format="csr")
    return sp.csr_matrix(L, dtype=vote_dtype(cardinality or infer_cardinality(L))), faults


class _FaultTally:
    """Each LF's faults summed over chunks, and its first fault (what and where)."""

    def __init__(self, plan: CompiledLFs):
        self.plan = plan
        self.counts = np.zeros(len(plan), dtype=np.int64)
        self.first: dict[int, str] = {}

    def add(self, res: ChunkResult) -> None:
        self.counts += res.faults
        for j, what in res.first_fault.items():
            self.first.setdefault(j, what)

    def warn(self) -> None:
        """One :class:`~wslib.exceptions.LFFaultWarning` when any LF faulted."""
        if self.counts.any():
            _warn_faults(self.plan, self.counts, self.first)

    def series(self) -> pd.Series:
        return pd.Series(self.counts, index=pd.Index(self.plan.names, name="lf"), name="faults")


def _default_chunk_size(plan: CompiledLFs, n: int, n_jobs: int) -> int:
    """65,536 rows; smaller when needed to keep ``n_jobs`` workers busy; larger (up
    to ``_BATCH_CHUNK_SIZE``) in one process when no row LF holds rows as Python
    objects."""
    if n_jobs > 1:
        return max(1024, min(DEFAULT_CHUNK_SIZE, math.ceil(n / (4 * n_jobs))))
    if plan.row:
        return DEFAULT_CHUNK_SIZE
    fit = _BATCH_VOTE_BYTES // (2 * len(plan))
    return int(min(_BATCH_CHUNK_SIZE, max(DEFAULT_CHUNK_SIZE, fit)))


def _check_timeout(timeout: Any) -> float:
    try:
        return check_number("timeout", timeout, low=0, open_low=True)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"timeout must be a positive number of seconds, got {timeout!r} "
                        f"({type(timeout).__name__})") from None


def _n_jobs(n_jobs: int) -> int:
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)) \
            or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
    n_jobs = os.cpu_count() or 1 if n_jobs == -1 else int(n_jobs)
    if n_jobs > 1 and "fork" not in mp.get_all_start_methods():
        warnings.warn("n_jobs > 1 needs the 'fork' start method, unavailable on this platform; "
                      "applying in one process", WslibWarning, stacklevel=user_stacklevel())
        return 1
    return n_jobs


def _progress_bar(n: int) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError("progress=True needs tqdm: pip install tqdm") from exc
    return tqdm(total=n, unit="rows", desc="apply_lfs")


def _warn_faults(plan: CompiledLFs, faults: np.ndarray, first: dict[int, str]) -> None:
    lines = [f"  {plan.names[j]!r}: {int(faults[j])} row(s), first: {first.get(j, '?')}"
             for j in np.flatnonzero(faults)]
    warnings.warn(f"{int(faults.sum())} faulty vote(s) recorded as abstains "
                  "(errors='abstain'):\n" + "\n".join(lines), LFFaultWarning, stacklevel=user_stacklevel())
