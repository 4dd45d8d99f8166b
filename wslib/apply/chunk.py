"""Apply a compiled LF set to ONE chunk: the unit every engine is built from.

:func:`compile_lfs` validates an LF list once and groups it by how it runs:

* keyword templates on the same ``(column, case_sensitive)`` — fused into one
  Aho-Corasick scan of the text (:mod:`wslib.kernels.keywords`), together with
  the literal prefilters of regex templates on that column: each regex then
  runs only on the rows its prefilter flagged;
* other batch LFs (regex / threshold / similarity templates, user batch LFs) —
  called once per chunk, each batch preprocessor chain computed once per chunk
  and shared by the LFs that use it;
* numba LFs — fused into one generated, numba-compiled loop over the rows;
* row LFs — called on light named-tuple rows built once per chunk, with
  preprocessor chains memoized per chunk.

:func:`apply_chunk` runs that plan on one ``pandas.DataFrame`` chunk and
returns its votes and per-LF fault counts. The in-memory and multiprocessing
engines in :mod:`wslib.apply.api` call it; streaming engines (Parquet, Dask)
call it the same way, once per batch / partition, passing ``start`` (the
chunk's first row position in the whole input) so errors name global rows.

Example
-------
>>> import pandas as pd
>>> from wslib.lf import keyword_lf
>>> plan = compile_lfs([keyword_lf("http", 1, name="link")])
>>> res = apply_chunk(plan, pd.DataFrame({"text": ["see http://x", "hi"]}))
>>> res.votes.tolist(), res.faults.tolist()
([[1], [-1]], [0])
"""

from __future__ import annotations

import functools
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from wslib.apply.errors import LFApplyError, LFOutputError, LFTimeoutError, MissingColumnError
from wslib.exceptions import LFRowError
from wslib.lf.core import MAX_CLASS, LabelingFunction, row_type
from wslib.lf.templates import (
    KeywordTemplate,
    RegexTemplate,
    match_keyword_templates,
    match_regex_template,
)
from wslib.matrix import ABSTAIN

__all__ = ["ERRORS", "ChunkResult", "CompiledLFs", "Watch", "apply_chunk", "compile_lfs"]

ERRORS = ("raise", "abstain")
_INT64 = np.iinfo(np.int64)


class ChunkResult(NamedTuple):
    """Output of :func:`apply_chunk`.

    votes : ndarray of int16, shape (n_rows, n_lfs)
        ``-1`` for abstains and (with ``errors="abstain"``) faults.
    faults : ndarray of int64, shape (n_lfs,)
        Rows on which each LF raised or returned an invalid vote.
    first_fault : dict
        LF position -> description of its first fault in this chunk.
    """

    votes: np.ndarray
    faults: np.ndarray
    first_fault: dict


class Watch(NamedTuple):
    """Row-LF progress shared with a supervising process (``apply_lfs(timeout=)``).

    progress : shared int64 array of 3
        ``[LF position or -1 between calls, chunk row, number of calls]``,
        written before and after every row-LF call.
    skip : frozenset of (LF position, chunk row)
        Calls that already exceeded the timeout: recorded as timeout faults
        without being made again.
    timeout : float
        Seconds, for the fault message.
    """

    progress: Any
    skip: frozenset
    timeout: float


class _Hung(Exception):
    """A watched call listed in ``Watch.skip``."""


class CompiledLFs:
    """A validated LF list grouped into execution plans (see the module docstring).

    Parameters
    ----------
    lfs : sequence of LabelingFunction
    cardinality : int, optional
        Number of classes; votes ``>= cardinality`` are then invalid.
    """

    def __init__(self, lfs: Sequence[LabelingFunction], cardinality: int | None = None) -> None:
        lfs = list(lfs) if not isinstance(lfs, LabelingFunction) else [lfs]
        if not lfs:
            raise ValueError("no labeling functions given")
        for j, lf in enumerate(lfs):
            if not isinstance(lf, LabelingFunction):
                raise TypeError(f"lfs[{j}] is a {type(lf).__name__}, not a LabelingFunction; "
                                "decorate it with @labeling_function()")
        dupes = [n for n, c in Counter(lf.name for lf in lfs).items() if c > 1]
        if dupes:
            raise ValueError(f"duplicate labeling function names {dupes}; every LF needs a "
                             "unique name (pass name=... to the decorator or template)")
        if cardinality is not None and (int(cardinality) != cardinality or cardinality < 2
                                        or cardinality > MAX_CLASS):
            raise ValueError(f"cardinality must be an integer in 2..{MAX_CLASS}, "
                             f"got {cardinality!r}")
        self.lfs = lfs
        self.names = [lf.name for lf in lfs]
        self.cardinality = None if cardinality is None else int(cardinality)
        self.keyword_groups: dict[tuple[str, bool], list[int]] = {}
        #: regex templates whose prefilter joins the keyword scan of its key
        self.prefiltered: dict[tuple[str, bool], list[int]] = {}
        self.batch: list[int] = []
        self.row: list[int] = []
        self.numba: list[int] = []
        for j, lf in enumerate(lfs):
            if isinstance(lf.template, KeywordTemplate):
                key = (lf.template.column, lf.template.case_sensitive)
                self.keyword_groups.setdefault(key, []).append(j)
            elif isinstance(lf.template, RegexTemplate) and lf.template.prefilter is not None:
                key = (lf.template.column, lf.template.prefilter.case_sensitive)
                self.prefiltered.setdefault(key, []).append(j)
            else:
                getattr(self, lf.kind).append(j)
        row_cols = [lfs[j].columns for j in self.row]
        #: columns row objects are built from (None: all columns of the chunk)
        self.row_columns = (None if any(c is None for c in row_cols)
                            else tuple(dict.fromkeys(c for cols in row_cols for c in cols)))
        self._fused: _FusedNumba | None = _FusedNumba([lfs[j] for j in self.numba]) \
            if self.numba else None

    @property
    def columns(self) -> tuple[str, ...] | None:
        """Columns the LFs read, or None when some LF does not declare its columns."""
        if any(lf.columns is None for lf in self.lfs):
            return None
        return tuple(dict.fromkeys(c for lf in self.lfs for c in lf.columns))

    def check_columns(self, available: Iterable[str], where: str = "the input") -> None:
        """Raise :class:`MissingColumnError` naming the first missing column, its LF and
        ``where`` the columns were looked for."""
        have = set(available)
        for lf in self.lfs:
            for c in lf.columns or ():
                if c not in have:
                    raise MissingColumnError(
                        f"column {c!r} needed by LF {lf.name!r} is missing from {where} "
                        f"(columns: {sorted(map(str, have))[:20]})", column=c, lf=lf.name)

    def check_sources(self, parts: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Check the columns of each part of a multi-file input, ``(where, names)``.

        Every part must hold the columns the LFs read; when some LF does not declare
        its columns, every part must also hold all the first part's columns (a file
        without one would give its rows nulls, or an error far from its cause).
        """
        for where, names in parts:
            self.check_columns(names, where)
        if self.columns is None and parts:
            first_where, first = parts[0]
            for where, names in parts[1:]:
                missing = [c for c in first if c not in set(names)]
                if missing:
                    raise MissingColumnError(
                        f"{where} lacks column(s) {missing[:10]} that {first_where} holds: "
                        "some LFs do not declare the columns they read (columns=...), so "
                        "every file must hold every column", column=missing[0])

    def __len__(self) -> int:
        return len(self.lfs)


def compile_lfs(lfs: Sequence[LabelingFunction], cardinality: int | None = None) -> CompiledLFs:
    """Validate and group ``lfs`` once; pass the result to :func:`apply_chunk`."""
    return lfs if isinstance(lfs, CompiledLFs) else CompiledLFs(lfs, cardinality)


class _Faults:
    """Collects faults of one chunk and turns bad votes into abstains or errors."""

    def __init__(self, plan: CompiledLFs, chunk: pd.DataFrame, start: int, errors: str,
                 watch: Watch | None = None):
        self.plan, self.chunk, self.start, self.errors = plan, chunk, start, errors
        self.watch = watch
        self.counts = np.zeros(len(plan), dtype=np.int64)
        self.first: dict[int, str] = {}

    def label(self, i: int) -> Any:
        """Index label of chunk row ``i`` as a plain Python value (numpy 2 reprs
        scalars as ``np.int64(10)``)."""
        label = self.chunk.index[i]
        if isinstance(label, tuple):  # a MultiIndex row
            return tuple(v.item() if isinstance(v, np.generic) else v for v in label)
        return label.item() if isinstance(label, np.generic) else label

    def where(self, i: int) -> tuple[Any, int, str]:
        label = self.label(i)
        return label, self.start + i, f"row {label!r} (position {self.start + i})"

    def span(self) -> str:
        n = len(self.chunk)
        if n == 0:
            return "an empty chunk"
        return (f"the chunk of rows {self.label(0)!r}..{self.label(n - 1)!r} "
                f"(positions {self.start}..{self.start + n - 1})")

    def record(self, j: int, count: int, what: str) -> None:
        self.counts[j] += count
        self.first.setdefault(j, what)

    def fault(self, j: int, i: int | None, problem: str, error: type[LFApplyError],
              cause: BaseException | None = None, summary: str | None = None) -> None:
        """LF ``j`` failed on row ``i`` (``None``: on the whole chunk): raise ``error``
        naming the LF and row, or (``errors="abstain"``) count the fault, described
        by ``summary`` (default ``problem``) in the fault report."""
        name = self.plan.names[j]
        if i is None:
            where, label, pos = self.span(), None, None
        else:
            label, pos, where = self.where(i)
        if self.errors == "raise":
            raise error(f"LF {name!r} {problem} on {where}", lf=name, index=label,
                        position=pos) from cause
        self.record(j, len(self.chunk) if i is None else 1, f"{summary or problem} on {where}")

    def raised(self, j: int, i: int | None, exc: BaseException) -> None:
        """LF ``j`` raised ``exc`` on row ``i``. An exception that derives from
        ``BaseException`` but not ``Exception`` stops the run whatever ``errors`` says
        (``KeyboardInterrupt``, ``SystemExit`` as they are; others as an
        :class:`LFApplyError` naming the LF and row, which crosses process bounds)."""
        what = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, Exception):
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise exc
            name = self.plan.names[j]
            label, pos, where = (None, None, self.span()) if i is None else self.where(i)
            raise LFApplyError(f"LF {name!r} raised {what} on {where}; it derives from "
                               "BaseException, not Exception, so the run stops whatever "
                               "errors= says", lf=name, index=label, position=pos) from exc
        self.fault(j, i, f"raised {what}", LFApplyError, exc, summary=what)

    def rows_raised(self, j: int, exc: LFRowError, n: int) -> np.ndarray:
        """LF ``j`` could not vote on ``exc.rows``: a fault on each; the votes of the
        other rows are kept."""
        rows = np.unique(np.asarray(exc.rows, dtype=np.int64))
        votes = (np.full(n, ABSTAIN, dtype=np.int64) if exc.votes is None
                 else np.array(exc.votes, dtype=np.int64))
        if rows.size == 0:
            self.raised(j, None, exc)
            return np.full(n, ABSTAIN, dtype=np.int64)
        self.raised(j, int(rows[0]), exc)
        self.counts[j] += rows.size - 1
        votes[rows] = ABSTAIN
        return votes

    def bad_output(self, j: int, i: int | None, problem: str) -> None:
        """LF ``j`` returned something that is not a valid vote on row ``i``."""
        self.fault(j, i, problem, LFOutputError)

    def check_range(self, j: int, v: np.ndarray) -> np.ndarray:
        """Validate integer votes of LF ``j`` (any integer dtype, integral floats or
        Python ints), compared as they are, never wrapped by a cast; invalid ones
        become abstains (or raise)."""
        k = self.plan.cardinality
        top = (k - 1) if k is not None else MAX_CLASS
        bad = (v < ABSTAIN) | (v > top)
        if bad.any():
            rows = np.flatnonzero(bad)
            allowed = (f"-1..{top}" if k is not None else
                       f"-1 (abstain) .. {top} (the largest class index stored without "
                       "cardinality=; pass cardinality=k for more classes)")
            value = v[rows[0]]  # as returned: an integer, an integral float, a Python int
            value = value.item() if isinstance(value, np.generic) else value
            self.bad_output(j, int(rows[0]), f"returned {value!r}, outside {allowed}")
            self.counts[j] += len(rows) - 1
            good, v = v[~bad], np.full(len(v), ABSTAIN, dtype=np.int64)
            v[~bad] = good  # in range: exact in int64
        return v


#: integer types that are not votes: booleans, and NumPy's timedelta (an integer subclass)
_NOT_VOTES = (bool, np.bool_, np.timedelta64)


def _is_vote_type(t: type) -> bool:
    return issubclass(t, (int, np.integer)) and not issubclass(t, _NOT_VOTES)


def _is_vote(v: Any) -> bool:
    return _is_vote_type(type(v))


def _row_votes(call: Callable[[Any], Any], xs: list, j: int, faults: _Faults,
               rows_at: np.ndarray | None = None) -> np.ndarray:
    """Call ``call`` exactly once on every row, then check the values: a fast path when
    all are integers, row by row only to name the faults.

    ``rows_at[i]`` is the chunk row of ``xs[i]`` (default: ``i``).
    """
    def row(i: int) -> int:
        return i if rows_at is None else int(rows_at[i])

    vals: list = []
    failed: dict[int, BaseException] = {}
    rest = iter(xs)
    while True:  # map() resumes after a row that raised: no row is called twice
        try:
            vals.extend(map(call, rest))
            break
        except BaseException as exc:  # noqa: BLE001 - every LF failure is reported
            i = len(vals)
            if faults.errors == "raise" or not isinstance(exc, Exception):
                _check_row_values(vals, {}, j, faults, row)  # an earlier bad vote first
                _row_raised(exc, j, row(i), faults)
            failed[i] = exc
            vals.append(None)
    if not failed and all(map(_is_vote_type, set(map(type, vals)))):
        try:
            return np.array(vals, dtype=np.int64).reshape(len(xs))
        except OverflowError:  # a vote beyond int64: named below
            pass
    return _check_row_values(vals, failed, j, faults, row)


def _row_raised(exc: BaseException, j: int, row: int, faults: _Faults) -> None:
    if isinstance(exc, _Hung):
        faults.fault(j, row, f"exceeded the timeout of {faults.watch.timeout:g} s",
                     LFTimeoutError)
    else:
        faults.raised(j, row, exc)


def _check_row_values(vals: list, failed: dict[int, BaseException], j: int, faults: _Faults,
                      row: Callable[[int], int]) -> np.ndarray:
    """Votes of one LF's returned values, each fault recorded (or raised) in row order."""
    out = np.full(len(vals), ABSTAIN, dtype=np.int64)
    for i, v in enumerate(vals):
        if i in failed:
            _row_raised(failed[i], j, row(i), faults)
        elif _is_vote(v) and _INT64.min <= v <= _INT64.max:
            out[i] = v
        elif _is_vote(v):
            faults.bad_output(j, row(i), f"returned {v}, outside -1 (abstain) .. k-1")
        else:
            faults.bad_output(j, row(i), f"returned {v!r} ({type(v).__name__}), "
                                         "not an integer vote")
    return out


def _batch_index(index: pd.Index, start: int) -> pd.Index:
    """The index batch LFs and preprocessors see: the chunk's own, except that repeated
    labels become the rows' positions (a reorder among them changes no label) and
    ``RangeIndex(n - 1, -1, -1)`` a plain index of the same labels (pandas would sort
    it into ``RangeIndex(0, n)``, which :func:`_match_rows` reads as a fresh frame)."""
    if not index.is_unique:
        return pd.RangeIndex(start, start + len(index))
    if isinstance(index, pd.RangeIndex) and index.step == -1 and index.stop == -1:
        return pd.Index(index.to_numpy())
    return index


def _match_rows(index: pd.Index, rows: pd.Index) -> np.ndarray | None:
    """How an output indexed by ``index`` maps onto the chunk's ``rows`` (the alignment
    rule of docs/contract.md): ``None`` to read it as it is, when the index is the
    rows' own or a fresh ``RangeIndex`` 0..n-1 (a new frame: rows by position; with
    ``rows`` from :func:`_batch_index`, sorting or taking rows never gives this
    index); else the position in the output of each row's label, when the index
    holds exactly the rows' (unique) labels in another order. Anything else raises
    ``ValueError``."""
    n = len(rows)
    if index.equals(rows):
        return None
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 \
            and len(index) == n:
        return None
    if len(index) != n:
        raise ValueError(f"it has {len(index)} rows, the chunk {n}")
    if not (index.is_unique and rows.is_unique):
        raise ValueError("its index differs from the chunk's and one of them repeats labels, "
                         "so rows cannot be matched by label")
    where = index.get_indexer(rows)
    if (where < 0).any():
        label = rows[int(np.flatnonzero(where < 0)[0])]
        raise ValueError(f"its index lacks the chunk's row label {label!r}")
    return where


#: what to return, said in every alignment fault
_ALIGN_HINT = ("return a Series on the chunk's index (any order), values in row order, or a "
               "fresh 0..n-1 Series or frame (read by position)")


def _batch_votes(out: Any, j: int, index: pd.Index, faults: _Faults) -> np.ndarray:
    """Validate a batch LF's output: array-like of one integer per row of ``index``.

    A pandas Series is matched to the rows by :func:`_match_rows`; one that cannot be
    is a fault: its votes would land on other rows.
    """
    n = len(index)
    if isinstance(out, pd.Series):
        try:
            where = _match_rows(out.index, index)
        except ValueError as exc:
            faults.bad_output(j, None, f"returned a Series whose votes cannot be matched to "
                                       f"rows of the chunk ({exc}); {_ALIGN_HINT}")
            return np.full(n, ABSTAIN, dtype=np.int64)
        if where is not None:
            out = out.iloc[where]
    if isinstance(out, (pa.Array, pa.ChunkedArray)):
        out = out.to_numpy(zero_copy_only=False)  # nulls become NaN: reported as non-integer
    elif hasattr(out, "to_numpy"):
        out = out.to_numpy()
    arr = _as_array(out)
    if arr.ndim != 1 or arr.shape[0] != n:
        faults.bad_output(j, None, f"returned output of shape {arr.shape}, expected ({n},): "
                                   "one vote per row of the chunk")
        return np.full(n, ABSTAIN, dtype=np.int64)
    kind = arr.dtype.kind
    if kind in "iu":  # the range is checked by check_range, in this dtype
        return arr
    if kind == "f":
        bad = ~np.isfinite(arr)
        bad[~bad] = arr[~bad] != np.round(arr[~bad])
    elif kind == "O":  # integers, and integral floats as in a float array
        bad = np.fromiter((not (_is_vote(v) or isinstance(v, float) and v.is_integer())
                           for v in arr), dtype=bool, count=n)
    else:  # bool, str, bytes, datetime, timedelta...: no row holds an integer vote
        bad = np.ones(n, dtype=bool)
    if bad.any():
        rows = np.flatnonzero(bad)
        v = arr[rows[0]]
        v = v.item() if isinstance(v, np.generic) and kind not in "mM" else v
        faults.bad_output(j, int(rows[0]), f"returned {v!r} ({arr.dtype} output), "
                                           "not an integer vote")
        faults.counts[j] += len(rows) - 1
    if bad.all():
        return np.full(n, ABSTAIN, dtype=np.int64)
    good = arr.copy()  # floats or Python ints, for check_range to compare as they are
    good[bad] = ABSTAIN
    return good


def _as_array(out: Any) -> np.ndarray:
    """A batch LF's output as an array; a list or tuple holding a bool stays an object
    array (``np.asarray`` would turn ``True`` into the vote 1)."""
    if isinstance(out, (list, tuple)) and \
            any(issubclass(t, _NOT_VOTES) for t in set(map(type, out))):
        return np.fromiter(out, dtype=object, count=len(out))
    return np.asarray(out)


def apply_chunk(plan: CompiledLFs, chunk: pd.DataFrame, *, errors: str = "raise",
                start: int = 0, watch: Watch | None = None) -> ChunkResult:
    """Votes of every LF in ``plan`` on one DataFrame chunk.

    Parameters
    ----------
    plan : CompiledLFs
        From :func:`compile_lfs`.
    chunk : pandas.DataFrame
        The rows; its index labels are used in error messages and passed to batch
        LFs and preprocessors, unless they repeat: then those see the rows' positions
        in the whole input as index, so any output they reorder can be matched (a
        ``RangeIndex`` running n-1..0 reaches them as a plain integer index).
    errors : {"raise", "abstain"}
        ``"raise"``: the first fault raises :class:`LFApplyError` (the LF raised)
        or :class:`LFOutputError` (bad output), naming the LF and row.
        ``"abstain"``: faulty votes become ``-1`` and are counted in ``faults``.
    start : int
        Position of the chunk's first row in the whole input.
    watch : Watch, optional
        Publish row-LF progress for a supervisor that enforces a timeout.

    Returns
    -------
    ChunkResult
        ``(votes, faults, first_fault)``.
    """
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    plan.check_columns(chunk.columns)
    n = len(chunk)
    votes = np.full((n, len(plan)), ABSTAIN, dtype=np.int16)
    faults = _Faults(plan, chunk, start, errors, watch)

    def store(j: int, v: np.ndarray) -> None:
        votes[:, j] = faults.check_range(j, v)

    for key in dict.fromkeys([*plan.keyword_groups, *plan.prefiltered]):
        _apply_keyword_scan(plan, chunk, key, faults, votes, store)
    index = _batch_index(chunk.index, start)
    rows = chunk if index is chunk.index else chunk.set_axis(index)
    frames: dict[tuple, Any] = {(): rows}  # batch preprocessor chain -> frame or error
    for j in plan.batch:
        try:
            out = plan.lfs[j]._call(_preprocessed(plan.lfs[j].pre, frames))
        except LFRowError as exc:  # votes on most rows, named faults on some
            store(j, faults.rows_raised(j, exc, n))
            continue
        except BaseException as exc:  # noqa: BLE001 - see _Faults.raised
            faults.raised(j, None, exc)
            continue
        store(j, _batch_votes(out, j, rows.index, faults))
    if plan.numba:
        for j, v in zip(plan.numba, plan._fused.run(chunk, faults, plan.numba)):
            store(j, v)
    if plan.row:
        with _gc_paused():
            _apply_rows(plan, chunk, faults, store)
    return ChunkResult(votes, faults.counts, faults.first)


def _preprocessed(pre: tuple, frames: dict[tuple, Any]) -> pd.DataFrame:
    """The chunk after batch preprocessors ``pre``; each chain prefix is computed
    once per chunk and shared by every LF using it (a failure too: it is raised
    again for each of them)."""
    chain: tuple = ()
    for p in pre:
        parent, chain = frames[chain], chain + (p,)
        if chain not in frames:
            try:
                frames[chain] = (_realigned(p(parent), parent, p)
                                 if not isinstance(parent, BaseException) else parent)
            except BaseException as exc:  # noqa: BLE001 - raised for each LF below
                if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                    raise
                frames[chain] = exc
    if isinstance(frames[chain], BaseException):
        raise frames[chain]
    return frames[chain]


def _realigned(out: Any, parent: Any, pre: Any) -> Any:
    """A batch preprocessor's frame in its input's row order and with its input's
    index, by the rule of :func:`_match_rows`: batch LFs vote row by row, so a
    preprocessor that sorted the rows would give each row another row's vote. A
    reordering is undone, a fresh 0..n-1 frame is relabelled with the input's index
    (its rows are read by position), anything else raises naming the preprocessor."""
    index, rows = getattr(out, "index", None), getattr(parent, "index", None)
    if index is None or rows is None or index.equals(rows):
        return out
    try:
        where = _match_rows(index, rows)
    except ValueError as exc:
        raise ValueError(f"batch preprocessor {pre.name!r} returned a frame whose rows could "
                         f"not be matched to rows of its input ({exc}); return a frame on its "
                         "input's index (any order) or a fresh 0..n-1 frame in row order"
                         ) from None
    return out.set_axis(rows, axis=0) if where is None else \
        out.iloc[where].set_axis(rows, axis=0)


def _apply_keyword_scan(plan: CompiledLFs, chunk: pd.DataFrame, key: tuple[str, bool],
                        faults: _Faults, votes: np.ndarray,
                        store: Callable[[int, np.ndarray], None]) -> None:
    """One automaton scan of ``key``'s column for its keyword templates and the
    prefilters of its regex templates; each regex then runs on its candidates."""
    js, rs = plan.keyword_groups.get(key, []), plan.prefiltered.get(key, [])
    specs = [plan.lfs[j].template for j in js] + [plan.lfs[j].template.prefilter for j in rs]
    try:  # votes straight into the LFs' columns; a regex's column first marks its candidates
        match_keyword_templates(chunk[key[0]], specs, [plan.names[j] for j in js + rs],
                                out=votes, columns=js + rs)
    except Exception as exc:  # noqa: BLE001 - e.g. a non-text column: every LF of the scan
        votes[:, js + rs] = ABSTAIN
        for j in sorted(js + rs):  # in the LFs' order, each under its own name
            faults.raised(j, None, exc)
        return
    top = MAX_CLASS if plan.cardinality is None else plan.cardinality - 1
    for j in js:
        if plan.lfs[j].template.label > top:  # a label the cardinality rules out
            store(j, votes[:, j].astype(np.int64))
    for j in rs:
        candidates = votes[:, j] != ABSTAIN
        votes[:, j] = ABSTAIN
        try:
            v = match_regex_template(chunk[key[0]], plan.lfs[j].template, plan.names[j],
                                     candidates)
        except Exception as exc:  # noqa: BLE001
            faults.raised(j, None, exc)
            continue
        store(j, v.astype(np.int64))


def _apply_rows(plan: CompiledLFs, chunk: pd.DataFrame, faults: _Faults,
                store: Callable[[int, np.ndarray], None]) -> None:
    cols = plan.row_columns if plan.row_columns is not None else tuple(chunk.columns)
    make = functools.partial(tuple.__new__, row_type(tuple(map(str, cols))))  # = Row._make
    rows = list(map(make, zip(*(_pylist(chunk[c]) for c in cols)))) if cols else \
        [make(())] * len(chunk)
    memo: dict[tuple, tuple[list, np.ndarray, str]] = {(): (rows, np.zeros(0, np.int64), "")}
    for j in plan.row:
        lf = plan.lfs[j]
        chain: tuple = ()
        for p in lf.pre:  # each chain prefix is computed once per chunk
            parent = memo[chain]
            chain = chain + (p,)
            if chain not in memo:
                memo[chain] = _preprocess(p, *parent, j, faults)
        xs, failed, first = memo[chain]
        call = lf._call
        if faults.watch is not None:  # calls take (chunk row, row) and publish progress
            call, xs = _watched(call, j, faults.watch), list(enumerate(xs))
        if failed.size:  # rows whose preprocessing failed: the LF abstains there
            faults.record(j, failed.size, first)
            keep = np.setdiff1d(np.arange(len(xs)), failed)
            v = np.full(len(xs), ABSTAIN, dtype=np.int64)
            v[keep] = _row_votes(call, [xs[i] for i in keep], j, faults, keep)
        else:
            v = _row_votes(call, xs, j, faults)
        store(j, v)


def _pylist(column: pd.Series) -> list:
    """``column.tolist()``; Arrow-backed string columns take the faster object-array
    route (same values, missing ones included)."""
    if isinstance(column.dtype, pd.StringDtype):
        return column.to_numpy(dtype=object).tolist()
    return column.tolist()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the row LFs of a chunk run.

    A chunk's row objects are tens of thousands of small GC-tracked tuples; each
    700 allocations trigger a collection, and the full collections these
    escalate to re-walk every live object, which cost up to 40% of the row path
    in the benchmark. Reference counting still frees everything at once; cycles
    LFs create are collected when the collector resumes after the chunk.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _watched(call: Callable[[Any], Any], j: int, watch: Watch) -> Callable[[tuple], Any]:
    """``call`` on ``(chunk row, row)`` pairs, publishing which LF runs on which row."""
    progress, skip = watch.progress, watch.skip

    def run(pair: tuple) -> Any:
        i, x = pair
        if (j, i) in skip:
            raise _Hung
        progress[0], progress[1] = j, i
        progress[2] += 1
        try:
            return call(x)
        finally:
            progress[0] = -1
    return run


def _preprocess(p: Any, xs: list, failed: np.ndarray, first: str, j: int, faults: _Faults
                ) -> tuple[list, np.ndarray, str]:
    """Run preprocessor ``p`` on every row not already failed.

    Returns the new rows, all failed rows so far and the first failure's
    description (``errors="raise"`` raises on the first failure instead).
    """
    out = list(xs)
    skip = set(failed.tolist())
    new_failures = []
    for i, x in enumerate(xs):
        if i in skip:
            continue
        try:
            out[i] = p(x)
        except BaseException as exc:  # noqa: BLE001
            what = f"preprocessor {p.name!r} failed: {type(exc).__name__}: {exc}"
            if not isinstance(exc, Exception):
                faults.raised(j, i, exc)  # stops the run
            if faults.errors == "raise":
                wrapped = RuntimeError(what)
                wrapped.__cause__ = exc
                faults.raised(j, i, wrapped)
            first = first or f"{what} on {faults.where(i)[2]}"
            new_failures.append(i)
    return out, np.union1d(failed, np.asarray(new_failures, dtype=np.int64)), first


class _FusedNumba:
    """All numba LFs of a plan fused into one generated, compiled loop over the rows."""

    _cache: ClassVar[dict[tuple, Callable]] = {}

    def __init__(self, lfs: list[LabelingFunction]):
        import numba  # only numba LFs need it: imported on first use

        self.lfs = lfs
        self.columns = tuple(dict.fromkeys(c for lf in lfs for c in lf.columns))
        self.jitted = [lf.f if isinstance(lf.f, numba.core.dispatcher.Dispatcher)
                       else numba.njit(nogil=True)(lf.f) for lf in lfs]
        key = (tuple(self.jitted), self.columns, tuple(lf.columns for lf in lfs))
        if key not in self._cache:
            args = ", ".join(f"c{i}" for i in range(len(self.columns)))
            lines = [f"def fused(out, {args}):", "    for i in range(out.shape[0]):"]
            for j, lf in enumerate(lfs):
                call = ", ".join(f"c{self.columns.index(c)}[i]" for c in lf.columns)
                lines.append(f"        out[i, {j}] = f{j}({call})")
            namespace = {f"f{j}": f for j, f in enumerate(self.jitted)}
            exec("\n".join(lines), namespace)  # noqa: S102 - generated from column names
            self._cache[key] = numba.njit(nogil=True)(namespace["fused"])
        self.kernel = self._cache[key]

    def arrays(self, chunk: pd.DataFrame) -> list[np.ndarray]:
        """The LFs' columns as contiguous NumPy arrays; a column whose dtype numba cannot
        compute with raises ``TypeError`` naming it and the LFs that read it."""
        out = []
        for c in self.columns:
            s = chunk[c]
            users = [lf.name for lf in self.lfs if c in lf.columns]
            if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
                raise TypeError(f"numba LF(s) {users} read column {c!r}, which has "
                                f"non-numeric dtype {s.dtype}; use a row or batch LF")
            if s.dtype == np.float16:  # numba has the type but no arithmetic on it
                raise TypeError(f"numba LF(s) {users} read column {c!r}, whose dtype float16 "
                                f"numba does not support; cast it first "
                                f"(df[{c!r}].astype('float32')) or use a row or batch LF")
            arr = s.to_numpy() if isinstance(s.dtype, np.dtype) else \
                s.to_numpy(dtype=np.float64, na_value=np.nan)
            out.append(np.ascontiguousarray(arr))
        return out

    def _check_types(self) -> None:
        from numba.core import types as nbtypes

        for lf, f in zip(self.lfs, self.jitted):
            for sig in f.nopython_signatures:
                if not isinstance(sig.return_type, nbtypes.Integer):
                    raise LFOutputError(f"numba LF {lf.name!r} returns {sig.return_type} for "
                                        f"arguments {sig.args}; it must return an integer vote "
                                        "on every path", lf=lf.name)

    def run(self, chunk: pd.DataFrame, faults: _Faults, positions: list[int]
            ) -> list[np.ndarray]:
        arrays = self.arrays(chunk)
        out = np.full((len(chunk), len(self.lfs)), ABSTAIN, dtype=np.int64)
        try:
            self.kernel(out, *arrays)
            failed = False
        except Exception:  # noqa: BLE001 - locate the LF and row below
            failed = True
        self._check_types()
        if failed:  # slow path: LF by LF, row by row, to name the culprit
            for t, (lf, f) in enumerate(zip(self.lfs, self.jitted)):
                cols = [arrays[self.columns.index(c)] for c in lf.columns]
                out[:, t] = _row_votes(lambda args, f=f: f(*args), list(zip(*cols)),
                                       positions[t], faults)
        return [out[:, t] for t in range(len(self.lfs))]
