"""``wslib bench scale``: data larger than memory, Dask, and the torch vote kernels.

One deterministic synthetic corpus (short spam/ham-like texts plus numeric
columns) is written as Parquet files in a temporary folder (``--rows``,
default 10 million), then:

1. **stream** — :func:`wslib.apply.parquet.apply_parquet` applies 20 batch LFs
   (keyword, regex, threshold templates and user batch LFs) to all rows,
   writing a ``.npy`` vote matrix and accumulating label-model statistics,
   in a child process whose peak RSS (``VmHWM``) is reported;
2. **prefix check** — the first ``--prefix-rows`` rows are loaded into pandas
   and labelled by :func:`wslib.apply_lfs`; the streamed votes must be identical;
3. **label model** — ``DawidSkene`` fitted from the streamed statistics vs
   fitted in memory on the prefix statistics' matrix (max parameter difference),
   and streamed soft labels for every row, in a child process (peak RSS);
4. **Dask** — ``apply_lfs_dask`` on a 2-worker ``LocalCluster`` vs
   ``apply_lfs`` in this process on the same ``--dask-rows`` rows (identical
   votes, throughput ratio);
5. **torch** — :mod:`wslib.kernels.torch_votes` on ``--device`` vs the numba
   kernels on the streamed vote matrix prefix (same results, time ratio);
6. **device path** — ``DawidSkene(device=...)`` fit and ``predict_proba`` on the
   prefix vs the numba path (parameter / soft-label difference, time ratio),
   and ``similarity_lf`` / ``threshold_lf`` with ``device=`` vs NumPy on
   ``--lf-rows`` synthetic 384-d embeddings and scores (identical votes, ratio).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wslib.bench.core import BenchmarkError, environment, record
from wslib.lf import LabelingFunction, keyword_lf, labeling_function, regex_lf, threshold_lf
from wslib.matrix import ABSTAIN

HELP = ("Scale: 10M rows streamed from Parquet (peak RSS, rows/s), streamed label-model fit, "
        "Dask LocalCluster vs in-process, torch vs numba vote kernels")

SPAM, HAM = 1, 0
SPAM_WORDS = ["subscribe", "check", "channel", "free", "money", "click", "win", "gift",
              "http", "www", "promo", "offer", "visit", "follow"]
HAM_WORDS = ["song", "love", "music", "beautiful", "voice", "lyrics", "best", "memories",
             "great", "amazing", "guitar", "dance", "video", "listen"]
FILLER = ["the", "a", "this", "is", "my", "you", "and", "to", "it", "so", "on", "me", "we",
          "i", "really", "now", "just", "what", "all", "like", "out", "here", "new", "good",
          "year", "time", "day", "people", "2015", "2016", "lol", "haha", "please", "omg",
          "wow!!"]


def make_corpus_table(n_rows: int, seed: int = 0, pool: int = 20_000) -> pa.Table:
    """``n_rows`` synthetic comments: ``text`` (two pooled sentence halves), ``n_links``,
    ``score`` and ``length`` (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    vocab = np.array(SPAM_WORDS + HAM_WORDS + FILLER, dtype=object)
    weights = np.r_[np.full(len(SPAM_WORDS), 0.5), np.full(len(HAM_WORDS), 0.5),
                    np.full(len(FILLER), 2.0)]
    weights /= weights.sum()

    def sentences() -> pa.Array:
        lengths = rng.integers(2, 9, pool)
        words = rng.choice(vocab, size=int(lengths.sum()), p=weights)
        cuts = np.cumsum(lengths)[:-1]
        return pa.array([" ".join(w) for w in np.split(words, cuts)], type=pa.string())

    heads, tails = sentences(), sentences()
    text = pc.binary_join_element_wise(heads.take(rng.integers(0, pool, n_rows)),
                                       tails.take(rng.integers(0, pool, n_rows)), " ")
    return pa.table({
        "text": text,
        "n_links": rng.poisson(0.3, n_rows).astype(np.int32),
        "score": rng.normal(0.0, 1.0, n_rows).round(3),
        "length": pc.utf8_length(text).cast(pa.int32()),
    })


def write_corpus(folder: str | Path, n_rows: int, *, rows_per_file: int = 1_000_000,
                 seed: int = 0) -> Path:
    """Write the corpus as ``part-00000.parquet``, ... (``rows_per_file`` rows each)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n_rows, rows_per_file)):
        size = min(rows_per_file, n_rows - start)
        pq.write_table(make_corpus_table(size, seed=seed * 100_003 + i), folder /
                       f"part-{i:05d}.parquet", row_group_size=131_072)
    return folder


def _links(df: pd.DataFrame) -> np.ndarray:
    return np.where(df["n_links"].to_numpy() >= 2, SPAM, ABSTAIN)


def _short_and_linked(df: pd.DataFrame) -> np.ndarray:
    hit = (df["length"].to_numpy() < 30) & (df["n_links"].to_numpy() >= 1)
    return np.where(hit, SPAM, ABSTAIN)


def _long_no_link(df: pd.DataFrame) -> np.ndarray:
    hit = (df["length"].to_numpy() > 60) & (df["n_links"].to_numpy() == 0)
    return np.where(hit, HAM, ABSTAIN)


def _shouting(df: pd.DataFrame) -> np.ndarray:
    hit = df["text"].str.contains("!!", regex=False, na=False).to_numpy(dtype=bool)
    return np.where(hit, SPAM, ABSTAIN)


def scale_lfs() -> list[LabelingFunction]:
    """The 20 batch LFs of the benchmark (templates and plain batch functions)."""
    lfs = [
        keyword_lf(["subscribe", "follow"], SPAM, name="kw_subscribe"),
        keyword_lf(["check", "visit"], SPAM, name="kw_check"),
        keyword_lf(["free", "win", "gift"], SPAM, name="kw_free"),
        keyword_lf(["money", "offer", "promo"], SPAM, name="kw_money"),
        keyword_lf(["http", "www"], SPAM, name="kw_link"),
        keyword_lf(["song", "lyrics"], HAM, name="kw_song"),
        keyword_lf(["love", "beautiful"], HAM, name="kw_love"),
        keyword_lf(["voice", "guitar", "dance"], HAM, name="kw_music"),
        keyword_lf("memories", HAM, name="kw_memories", word_boundary=True),
        regex_lf(r"check .* channel", SPAM, name="re_check_channel"),
        regex_lf(r"\bclick\b", SPAM, name="re_click"),
        regex_lf(r"(?:best|great|amazing) (?:song|music|video)", HAM, name="re_praise"),
        regex_lf(r"20[0-9]{2}", HAM, name="re_year"),
        regex_lf(r"(?:lol|haha)", HAM, name="re_laugh"),
        threshold_lf("score", 1.5, SPAM, name="th_score_high"),
        threshold_lf("score", -1.5, HAM, op="<=", name="th_score_low"),
        labeling_function("links", batch=True, columns=["n_links"])(_links),
        labeling_function("short_linked", batch=True, columns=["length", "n_links"])(
            _short_and_linked),
        labeling_function("long_no_link", batch=True, columns=["length", "n_links"])(
            _long_no_link),
        labeling_function("shouting", batch=True, columns=["text"])(_shouting),
    ]
    return lfs


# ----------------------------------------------------------------------------- child processes
def _child(spec_json: str) -> None:
    """One measured phase in a fresh process; prints a JSON line with its peak RSS."""
    import pickle

    from wslib.apply.parquet import apply_parquet
    from wslib.labelmodel.dawid_skene import DawidSkene
    from wslib.labelmodel.streaming import fit_streaming, predict_proba_streaming

    spec = json.loads(spec_json)
    work = Path(spec["work"])
    out: dict[str, Any] = {}
    if spec["phase"] == "stream":
        t0 = time.perf_counter()
        res = apply_parquet(work / "corpus", scale_lfs(), work / "L.npy", cardinality=2,
                            stats=True, batch_size=spec["batch_size"])
        out.update(seconds=time.perf_counter() - t0, rows=res.n_rows, batches=res.n_batches,
                   faults=int(res.faults.sum()))
        (work / "stats.pkl").write_bytes(pickle.dumps(res.stats))
    else:
        stats = pickle.loads((work / "stats.pkl").read_bytes())
        t0 = time.perf_counter()
        model = fit_streaming(DawidSkene(cardinality=2), stats)
        fit_s = time.perf_counter() - t0
        predict_proba_streaming(model, work / "L.npy", work / "P.npy",
                                batch_size=spec["batch_size"], dtype=np.float32)
        model.save(work / "model.npz")
        out.update(seconds=time.perf_counter() - t0, fit_seconds=fit_s,
                   patterns=int(stats.counts.size), exact=bool(stats.exact))
    out["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(out))


def _peak_rss_mb() -> float:
    """This process's peak resident set size in MiB.

    Linux: ``VmHWM`` of ``/proc/self/status``. Not ``ru_maxrss``, which Linux
    carries over ``fork`` + ``exec`` from the parent and so would include
    whatever the benchmark's own process held when it started this one.
    """
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            line = next(x for x in fh if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _in_child(phase: str, work: Path, batch_size: int) -> dict[str, Any]:
    spec = json.dumps({"phase": phase, "work": str(work), "batch_size": batch_size})
    done = subprocess.run([sys.executable, "-m", "wslib.bench.scale", spec],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"scale phase {phase!r} failed in its child process:\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- benchmark
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows streamed from Parquet")
    parser.add_argument("--prefix-rows", type=int, default=1_000_000,
                        help="prefix labelled in memory and compared with the streamed votes")
    parser.add_argument("--dask-rows", type=int, default=2_000_000,
                        help="rows applied by Dask (2-worker LocalCluster) and in-process")
    parser.add_argument("--batch-size", type=int, default=65_536, help="rows per streamed batch")
    parser.add_argument("--device", default="cpu",
                        help="torch device for the kernel, label-model and LF comparisons "
                             "(cpu, cuda, cuda:1, mps, auto)")
    parser.add_argument("--lf-rows", type=int, default=200_000,
                        help="rows of synthetic embeddings for the similarity/threshold LF timing")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for the generated Parquet files (default: a temp folder, "
                             "removed afterwards)")


def _timed(f: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def run(args: argparse.Namespace) -> list[dict]:
    import shutil

    if args.data is not None:
        raise BenchmarkError("bench scale generates its own corpus (--rows rows of synthetic "
                             "comments); it reads no --data")
    n = 20_000 if args.quick else args.rows
    n_prefix = min(n, 5_000 if args.quick else args.prefix_rows)
    n_dask = min(n, 10_000 if args.quick else args.dask_rows)
    per_file = max(1, min(1_000_000, n // 4 if args.quick else 1_000_000))
    work = Path(tempfile.mkdtemp(prefix="wslib-scale-", dir=args.workdir))
    env = environment()
    dataset = f"synthetic-{n:,}"
    common = dict(rows=n, n_lfs=len(scale_lfs()), env=env)
    try:
        _, sec = _timed(lambda: write_corpus(work / "corpus", n, rows_per_file=per_file))
        print(f"generated {n:,} rows in {sec:.1f} s under {work}")
        records = [record(dataset, "generate Parquet", "rows_per_s", n / sec, sec,
                          parquet_MB=sum(f.stat().st_size for f in (work / "corpus").iterdir())
                          / 2**20, **common)]
        records += _stream_records(work, dataset, n, n_prefix, args.batch_size, common)
        records += _dask_records(work, dataset, n_dask, per_file, env)
        records += _torch_records(work, dataset, n_prefix, args.device, env)
        records += _device_records(work, n_prefix, 2_000 if args.quick else args.lf_rows,
                                   args.device, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return records


def _stream_records(work: Path, dataset: str, n: int, n_prefix: int, batch_size: int,
                    common: dict) -> list[dict]:
    import pyarrow.dataset as pds

    from wslib.apply import apply_lfs
    from wslib.labelmodel import load
    from wslib.labelmodel.dawid_skene import DawidSkene

    stream = _in_child("stream", work, batch_size)
    print(f"streamed apply: {n:,} rows x 20 LFs in {stream['seconds']:.1f} s, "
          f"peak RSS {stream['peak_rss_mb']:.0f} MB")
    head = pds.dataset(sorted(map(str, (work / "corpus").glob("*.parquet")))).head(n_prefix)
    L_mem, sec_mem = _timed(lambda: apply_lfs(head.to_pandas(), scale_lfs()))
    L = np.load(work / "L.npy", mmap_mode="r")
    identical = bool(np.array_equal(L[:n_prefix], L_mem))
    out = [record(dataset, "apply_parquet (stream, .npy + stats)", "rows_per_s",
                  n / stream["seconds"], stream["seconds"], peak_rss_MB=stream["peak_rss_mb"],
                  batch_size=batch_size, **common),
           record(dataset, f"in-memory apply_lfs on {n_prefix:,}-row prefix", "identical_votes",
                  float(identical), sec_mem, prefix_rows=n_prefix, **common)]
    print(f"in-memory apply_lfs on the {n_prefix:,}-row prefix: identical={identical}")
    if not identical:
        raise AssertionError("streamed votes differ from apply_lfs on the prefix")

    lm = _in_child("labelmodel", work, 262_144)
    streamed = load(work / "model.npz")
    L_all = np.asarray(L)
    ref, sec_fit = _timed(lambda: DawidSkene(cardinality=2).fit(L_all))
    diff = max(float(np.abs(getattr(ref, a) - getattr(streamed, a)).max())
               for a in ("class_balance_", "confusion_", "accuracy_"))
    P = np.load(work / "P.npy", mmap_mode="r")
    head_diff = float(np.abs(P[:n_prefix] - ref.predict_proba(L_all[:n_prefix])).max())
    out += [record(dataset, "DawidSkene fit_streaming + predict_proba_streaming", "rows_per_s",
                   n / lm["seconds"], lm["seconds"], peak_rss_MB=lm["peak_rss_mb"],
                   fit_seconds=lm["fit_seconds"], patterns=lm["patterns"], exact=lm["exact"],
                   **common),
            record(dataset, "DawidSkene streamed vs in-memory fit", "max_param_diff", diff,
                   sec_fit, proba_diff_prefix=head_diff, **common)]
    print(f"label model: streamed fit + predict {lm['seconds']:.1f} s (peak RSS "
          f"{lm['peak_rss_mb']:.0f} MB); in-memory fit {sec_fit:.1f} s; max parameter "
          f"difference {diff:.2e}, soft-label difference {head_diff:.2e} (float32 output)")
    return out


def _dask_records(work: Path, dataset: str, n_dask: int, per_file: int, env: dict
                  ) -> list[dict]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from wslib.apply.dask import apply_lfs_dask, vote_stats_dask
    from wslib.apply.parquet import apply_parquet
    from wslib.vote_stats import VoteStats

    files = sorted((work / "corpus").glob("*.parquet"))[:max(1, -(-n_dask // per_file))]
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    lfs = scale_lfs()
    columns = ["text", "n_links", "score", "length"]
    local, sec_local = _timed(lambda: apply_parquet(files, lfs, work / "L_local.npy",
                                                    cardinality=2))
    L_local = local.votes(mmap=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        ddf = dd.read_parquet([str(f) for f in files], columns=columns, split_row_groups=True)
        client.run(importlib.import_module, "wslib.bench.scale")  # warm-up: imports, numba
        apply_lfs_dask(ddf.partitions[:2], lfs, client=client)
        L_dask, sec_dask = _timed(lambda: apply_lfs_dask(ddf, lfs, cardinality=2,
                                                         client=client))
        (stats, _), sec_stats = _timed(lambda: vote_stats_dask(ddf, lfs, 2, client=client))
    identical = bool(np.array_equal(L_local, L_dask))
    same_stats = bool(np.array_equal(stats.counts, VoteStats.from_votes(L_local, 2).counts))
    name = f"dask-{rows:,}"
    print(f"Dask 2-worker LocalCluster: {sec_dask:.1f} s vs in-process {sec_local:.1f} s "
          f"({sec_local / sec_dask:.2f}x); identical={identical}; stats identical={same_stats}")
    if not (identical and same_stats):
        raise AssertionError("Dask votes or statistics differ from the in-process run")
    common = dict(rows=rows, n_lfs=len(lfs), partitions=ddf.npartitions, env=env)
    return [record(name, "in-process apply_parquet", "rows_per_s", rows / sec_local, sec_local,
                   speedup_vs_in_process=1.0, identical=True, **common),
            record(name, "apply_lfs_dask (LocalCluster 2 workers)", "rows_per_s",
                   rows / sec_dask, sec_dask, speedup_vs_in_process=sec_local / sec_dask,
                   identical=identical, **common),
            record(name, "vote_stats_dask (LocalCluster 2 workers)", "rows_per_s",
                   rows / sec_stats, sec_stats, speedup_vs_in_process=sec_local / sec_stats,
                   identical=same_stats, **common)]


def _torch_records(work: Path, dataset: str, n_rows: int, device: str, env: dict
                   ) -> list[dict]:
    from wslib.kernels import accumulate_scores, count_votes
    from wslib.kernels import torch_votes as tv
    from wslib.kernels.stats import weighted_vote_counts

    L = np.ascontiguousarray(np.load(work / "L.npy", mmap_mode="r")[:n_rows])
    rng = np.random.default_rng(0)
    W, A, R = rng.normal(size=(L.shape[1], 2, 2)), rng.normal(size=(L.shape[1], 2)), \
        rng.random((n_rows, 2))
    sync = _sync(device)
    pairs = {
        "count_votes": (lambda: count_votes(L, 2),
                        lambda: sync(tv.count_votes(L, 2, device=device))),
        "accumulate_scores": (lambda: accumulate_scores(L, W, A),
                              lambda: sync(tv.accumulate_scores(L, W, A, device=device))),
        "weighted_vote_counts": (lambda: weighted_vote_counts(L, R),
                                 lambda: sync(tv.weighted_vote_counts(L, R, device=device))),
    }
    out = []
    for name, (numba_f, torch_f) in pairs.items():
        numba_f(), torch_f()  # warm-up: compilation, allocator
        ref, sec_numba = _timed(numba_f)
        got, sec_torch = _timed(torch_f)
        diff = float(np.abs(got.cpu().numpy() - ref).max())
        out.append(record(f"votes {n_rows:,}x{L.shape[1]}", f"torch {name} ({device})",
                          "max_abs_diff_vs_numba", diff, sec_torch, numba_seconds=sec_numba,
                          time_ratio_vs_numba=sec_torch / sec_numba, device=device, env=env))
        print(f"torch {name} on {device}: {sec_torch * 1e3:.1f} ms vs numba "
              f"{sec_numba * 1e3:.1f} ms; max |diff| {diff:.1e}")
    return out


def _best_of(f: Any, repeat: int = 3) -> tuple[Any, float]:
    """Result and the fastest of ``repeat`` timed calls (after one warm-up call)."""
    out = f()
    best = min(_timed(f)[1] for _ in range(repeat))
    return out, best


def _device_records(work: Path, n_rows: int, n_lf: int, device: str, env: dict
                    ) -> list[dict]:
    """The ``device=`` paths (DawidSkene, similarity/threshold LFs) vs their CPU paths.

    Every result comes back as NumPy, so no device sync is needed. On a CPU
    device the torch side is timed with torch's default thread pool and with
    one thread: on a small shared machine the pool's synchronisation can cost
    more than the work itself (``torch_threads`` in each record).
    """
    import warnings
    from functools import partial

    from wslib.device import resolve_device
    from wslib.device import require_torch
    from wslib.exceptions import ConvergenceWarning, CoverageWarning
    from wslib.labelmodel.dawid_skene import DawidSkene
    from wslib.lf import similarity_lf

    torch = require_torch()
    pool = torch.get_num_threads()
    threads = [pool, 1] if resolve_device(device).type == "cpu" and pool > 1 else [pool]
    L = np.ascontiguousarray(np.load(work / "L.npy", mmap_mode="r")[:n_rows])
    out: list[dict] = []

    def compare(dataset: str, method: str, peer: str, run_peer: Any, run_torch: Any,
                values: Any, repeat: int, **extra: Any) -> tuple[Any, Any]:
        """Time both sides; one record per torch thread setting. Returns both results."""
        ref, sec_peer = _best_of(run_peer, repeat)
        for n_threads in threads:
            torch.set_num_threads(n_threads)
            try:
                got, sec = _best_of(run_torch, repeat)
            finally:
                torch.set_num_threads(pool)
            diff = float(np.abs(values(got) - values(ref)).max())
            more = {k: (v(got, ref) if callable(v) else v) for k, v in extra.items()}
            out.append(record(dataset, f"{method} ({device}, {n_threads} thread"
                                       f"{'s' if n_threads > 1 else ''})",
                              "max_abs_diff_vs_cpu_path", diff, sec, peer=peer,
                              peer_seconds=sec_peer, time_ratio_vs_peer=sec / sec_peer,
                              device=device, torch_threads=n_threads, env=env, **more))
            print(f"{method} on {device} ({n_threads} torch threads): {sec * 1e3:.1f} ms vs "
                  f"{peer} {sec_peer * 1e3:.1f} ms ({sec / sec_peer:.2f}x); max |diff| {diff:.1e}")
        return got, ref

    name = f"votes {n_rows:,}x{L.shape[1]}"
    params = ("class_balance_", "confusion_", "accuracy_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", CoverageWarning)  # uncovered rows: expected here
        got, ref = compare(
            name, "DawidSkene.fit", "numba", partial(DawidSkene(cardinality=2).fit, L),
            partial(DawidSkene(cardinality=2, device=device).fit, L),
            lambda model: np.concatenate([getattr(model, a).ravel() for a in params]), 1,
            n_iter=lambda g, r: g.n_iter_, same_n_iter=lambda g, r: g.n_iter_ == r.n_iter_)
    compare(name, "DawidSkene.predict_proba", "numba", partial(ref.predict_proba, L),
            partial(got.predict_proba, L), np.asarray, 1)

    rng = np.random.default_rng(1)
    emb = rng.normal(size=(n_lf, 384)).astype(np.float32)
    emb[::101] = 0.0
    frame = pd.DataFrame({"emb": list(emb), "score": rng.normal(size=n_lf)})
    protos = rng.normal(size=(8, 384))
    name = f"embeddings {n_lf:,}x384"
    for method, make in (
            ("similarity_lf (8 prototypes)",
             partial(similarity_lf, "emb", 0.05, 1, prototype=protos)),
            ("threshold_lf", partial(threshold_lf, "score", 1.0, 1))):
        compare(name, method, "numpy", partial(make(device=None).apply_batch, frame),
                partial(make(device=device).apply_batch, frame),
                lambda v: v.astype(np.float64), 3,
                identical=lambda g, r: bool(np.array_equal(g, r)),
                votes=lambda g, r: int((r >= 0).sum()))
    return out


def _sync(device: str) -> Any:
    """Wait for the device's queued work, so a timing covers it."""
    from wslib.device import resolve_device
    from wslib.device import require_torch

    torch = require_torch()
    dev = resolve_device(device)

    def wait(t: Any) -> Any:
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)
        return t
    return wait


def render_markdown(records: list[dict]) -> str:
    """The scale section of ``docs/benchmarks.md`` (see ``docs/scale.md``)."""
    by = {r["method"]: r for r in records}
    lines = ["## Scale: Parquet streaming, Dask, torch (`wslib bench scale`)", ""]
    stream = by.get("apply_parquet (stream, .npy + stats)")
    if stream is not None:
        lines += [f"{stream['rows']:,} synthetic rows (text + 3 numeric columns) in Parquet, "
                  f"{stream['n_lfs']} batch LFs (keyword, regex, threshold templates and batch "
                  "functions). Each streamed phase runs in a fresh process; *peak RSS* is "
                  "its peak resident set size (`VmHWM`, imports included).", "",
                  "| phase | rows | seconds | rows/s | peak RSS (MB) | check |",
                  "|---|---:|---:|---:|---:|---|"]
        for r in records:
            if r["metric"] == "rows_per_s" and "peak_rss_MB" in r:
                check = ""
                if r["method"].startswith("apply_parquet"):
                    same = [x for x in records if x["metric"] == "identical_votes"]
                    check = "; ".join(f"votes identical to apply_lfs on a "
                                      f"{x['prefix_rows']:,}-row prefix: "
                                      f"{'yes' if x['value'] == 1.0 else '**no**'}"
                                      for x in same)
                elif r["method"].startswith("DawidSkene"):
                    diff = [x for x in records if x["metric"] == "max_param_diff"]
                    check = "; ".join(f"max parameter difference vs in-memory fit "
                                      f"{x['value']:.1e}" for x in diff)
                    check += f"; {r['patterns']:,} patterns, exact={r['exact']}"
                lines.append(f"| {r['method']} | {r['rows']:,} | {r['seconds']:.1f} | "
                             f"{r['value']:,.0f} | {r['peak_rss_MB']:,.0f} | {check} |")
    dask = [r for r in records if "speedup_vs_in_process" in r]
    if dask:
        lines += ["", f"Dask: the same LFs on {dask[0]['rows']:,} rows "
                      f"({dask[0]['partitions']} partitions), 2-worker `LocalCluster` "
                      "(processes, 1 thread each) vs one process.", "",
                  "| run | seconds | rows/s | × in-process | identical |",
                  "|---|---:|---:|---:|---|"]
        lines += [f"| {r['method']} | {r['seconds']:.2f} | {r['value']:,.0f} | "
                  f"{r['speedup_vs_in_process']:.2f} | {'yes' if r['identical'] else '**no**'} |"
                  for r in dask]
    kernels = [r for r in records if r["metric"] == "max_abs_diff_vs_numba"]
    if kernels:
        lines += ["", f"Torch vote kernels vs numba on {kernels[0]['dataset'].split()[-1]} "
                      "votes (time ratio > 1: torch slower).", "",
                  "| kernel | device | torch ms | numba ms | ratio | max abs diff |",
                  "|---|---|---:|---:|---:|---:|"]
        lines += [f"| {r['method'].split()[1]} | {r['device']} | {r['seconds'] * 1e3:.1f} | "
                  f"{r['numba_seconds'] * 1e3:.1f} | {r['time_ratio_vs_numba']:.2f} | "
                  f"{r['value']:.1e} |" for r in kernels]
    device = [r for r in records if r["metric"] == "max_abs_diff_vs_cpu_path"]
    if device:
        lines += ["", "The `device=` paths (torch) vs the default CPU paths on the same data: "
                      "`DawidSkene(device=...)` (vote patterns, EM, soft labels) vs numba, "
                      "`similarity_lf` / `threshold_lf(device=...)` vs NumPy (ratio > 1: "
                      f"torch slower). {_device_verdict(device)}", "",
                  "| data | method (device, torch threads) | torch ms | default ms | "
                  "default path | ratio | max abs diff |", "|---|---|---:|---:|---|---:|---:|"]
        lines += [f"| {r['dataset']} | {r['method']} | {r['seconds'] * 1e3:,.1f} | "
                  f"{r['peer_seconds'] * 1e3:,.1f} | {r['peer']} | "
                  f"{r['time_ratio_vs_peer']:.2f} | {r['value']:.1e} |" for r in device]
    env = (records[0].get("env") if records else None) or {}
    if env:
        lines += ["", f"Machine: {env.get('cpus')} CPUs ({env.get('processor')}), shared; "
                      f"pyarrow {env.get('pyarrow')}, dask {env.get('dask')}, "
                      f"torch {env.get('torch')}."]
    return "\n".join(lines) + "\n"


def _device_verdict(rows: list[dict[str, Any]]) -> str:
    """What the device table says, read from its ratios (one run, on a shared machine)."""
    faster = [r for r in rows if r["time_ratio_vs_peer"] < 1]
    if not faster:
        return "The default CPU path was faster in every row."
    ratios = [r["time_ratio_vs_peer"] for r in faster]
    return (f"Torch was faster in {len(faster)} of {len(rows)} rows ("
            + ", ".join(dict.fromkeys(r["method"] for r in faster))
            + f"; {min(ratios):.2f}-{max(ratios):.2f}x the default's time), slower in the "
            "others; these are single timings on a shared machine, so measure both paths on "
            "yours before choosing.")


if __name__ == "__main__":
    _child(sys.argv[1])
