"""``wslib bench apply``: LF application speed, wslib vs Snorkel's ``PandasLFApplier``.

Two sets of 10 LFs — trivial keyword LFs (the baseline) and keyword
sets plus real regexes — are each written four ways: Snorkel row LFs, wslib
row LFs (same bodies, wslib decorator), wslib batch LFs (pandas ``.str``
column operations) and wslib templates (``keyword_lf`` / ``regex_lf``). All
are applied to one deterministic corpus: the embedded YouTube comments (or the
texts of the WRENCH datasets under ``--data``) resampled to ``--rows`` rows,
each with a random corpus word appended. Snorkel runs on a ``--snorkel-rows`` prefix; every wslib variant's votes on that prefix
must equal Snorkel's. Wall and CPU seconds are both recorded (the CPU figure
is robust on a shared machine), each the best of ``--repeat`` runs. Two *ceiling* records time the LF bodies with
no applier at all: the row bodies called on prebuilt light rows (``x.text``)
over a ``--bare-rows`` prefix, and the batch bodies called once each on the
whole corpus; no applier of those LFs can beat them. A last record measures the
dense vote matrix of ``--memory-lfs`` template LFs on all rows (bytes, and
peak RSS growth).
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wslib.apply import apply_lfs
from wslib.bench.core import BenchmarkError, measure, record
from wslib.bench.report import format_table
from wslib.datasets import find_datasets, load_embedded, load_wrench
from wslib.kernels.jit import jit_threshold
from wslib.lf import LabelingFunction, keyword_lf, labeling_function, regex_lf
from wslib.lf.core import row_type
from wslib.matrix import ABSTAIN

HELP = "LF application speed: wslib row / batch / template LFs vs Snorkel PandasLFApplier"

SPAM, HAM = 1, 0
#: (name, kind, pattern(s), label): kind "kw" = any substring, case-insensitive;
#: "re" = regex search, case-insensitive (patterns valid in both Python re and RE2)
Spec = tuple[str, str, Any, int]
#: the baseline: trivial keyword LFs
KEYWORD_SPECS: list[Spec] = [
    ("kw_check_out", "kw", ("check out",), SPAM),
    ("kw_subscribe", "kw", ("subscribe",), SPAM),
    ("kw_http", "kw", ("http",), SPAM),
    ("kw_please", "kw", ("please",), SPAM),
    ("kw_my_channel", "kw", ("my channel",), SPAM),
    ("kw_song", "kw", ("song",), HAM),
    ("kw_free", "kw", ("free",), SPAM),
    ("kw_love", "kw", ("love",), HAM),
    ("kw_money", "kw", ("money",), SPAM),
    ("kw_lol", "kw", ("lol",), HAM),
]
#: keyword sets and real regexes (alternations, wildcards, repeats)
MIXED_SPECS: list[Spec] = [
    ("kw_check_out", "kw", ("check out", "check my"), SPAM),
    ("kw_subscribe", "kw", ("subscribe",), SPAM),
    ("kw_link", "kw", ("http", "www", ".com"), SPAM),
    ("kw_please", "kw", ("please", "plz"), SPAM),
    ("kw_my_channel", "kw", ("my channel", "my video"), SPAM),
    ("kw_song", "kw", ("song", "love this"), HAM),
    ("re_check_out", "re", r"check.*out", SPAM),
    ("re_money", "re", r"(?:gift|iphone|money|free)", SPAM),
    ("re_number", "re", r"[0-9]{4,}", SPAM),
    ("re_laugh", "re", r"(?:lol|haha|xd)", HAM),
]
LF_SETS = {"10 keyword LFs": KEYWORD_SPECS, "6 keyword + 4 regex LFs": MIXED_SPECS}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="corpus size for wslib")
    parser.add_argument("--snorkel-rows", type=int, default=50_000,
                        help="prefix applied by Snorkel (and checked for identical votes)")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes for the parallel run")
    parser.add_argument("--memory-lfs", type=int, default=100,
                        help="LF count for the vote-matrix memory measurement")
    parser.add_argument("--bare-rows", type=int, default=200_000,
                        help="prefix on which the bare row-LF bodies are timed (no applier)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per timing, the best one counts (Snorkel's too)")


def corpus_texts(data: Path | None = None) -> tuple[str, pd.Series]:
    """``(name, texts)``: the ``text`` field of every split of the WRENCH datasets under
    ``data`` (those that have one), or of the embedded YouTube comments."""
    datasets = ([load_embedded("youtube")] if data is None
                else [load_wrench(folder) for folder in find_datasets(data)])
    with_text = [ds for ds in datasets if all(
        s.data is not None and "text" in s.data.columns for s in ds.splits.values())]
    if not with_text:
        raise BenchmarkError(f"--data {data}: no WRENCH dataset there has a 'text' field "
                             "to build the corpus from")
    texts = pd.concat([s.data["text"].astype(str) for ds in with_text
                       for s in ds.splits.values()], ignore_index=True)
    return "+".join(ds.name for ds in with_text), texts


def make_corpus(n_rows: int, seed: int = 0, texts: pd.Series | None = None) -> pd.DataFrame:
    """``n_rows`` texts (default: the embedded YouTube comments) resampled with
    replacement, each with a random corpus word appended (deterministic for a seed)."""
    if texts is None:
        texts = corpus_texts()[1]
    words = pd.Series(sorted(set(" ".join(texts.tolist()).split())), dtype="str")
    rng = np.random.default_rng(seed)
    base = texts.iloc[rng.integers(0, len(texts), n_rows)].reset_index(drop=True)
    tail = words.iloc[rng.integers(0, len(words), n_rows)].reset_index(drop=True)
    return pd.DataFrame({"text": base + " " + tail})


def _row_body(kind: str, pattern: Any, label: int) -> Callable[[Any], int]:
    if kind == "kw":
        def f(x: Any) -> int:
            text = x.text.lower()
            for k in pattern:
                if k in text:
                    return label
            return ABSTAIN
        return f
    compiled = re.compile(pattern, flags=re.IGNORECASE)

    def g(x: Any) -> int:
        return label if compiled.search(x.text) else ABSTAIN
    return g


def _batch_body(kind: str, pattern: Any, label: int) -> Callable[[pd.DataFrame], np.ndarray]:
    regex = kind == "re"
    pat = pattern if regex else "|".join(re.escape(k) for k in pattern)

    def f(df: pd.DataFrame) -> np.ndarray:
        hit = df["text"].str.contains(pat, case=False, regex=True, na=False)
        return np.where(hit.to_numpy(dtype=bool), label, ABSTAIN)
    f.__doc__ = "substring" if not regex else "regex"
    return f


def lf_sets(specs: list[Spec] = MIXED_SPECS) -> dict[str, list[Any]]:
    """The same LFs written for each applier (Snorkel's only if snorkel is installed)."""
    sets: dict[str, list[Any]] = {
        "row": [labeling_function(name)(_row_body(kind, pat, lab))
                for name, kind, pat, lab in specs],
        "batch": [labeling_function(name, batch=True, columns=["text"])(
            _batch_body(kind, pat, lab)) for name, kind, pat, lab in specs],
        "template": [keyword_lf(list(pat), lab, name=name) if kind == "kw"
                     else regex_lf(pat, lab, name=name) for name, kind, pat, lab in specs],
    }
    try:
        from snorkel.labeling import labeling_function as snorkel_lf
    except ImportError:
        return sets
    sets["snorkel"] = [snorkel_lf(name=name)(_row_body(kind, pat, lab))
                       for name, kind, pat, lab in specs]
    return sets


def _timed(f: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds of this process (the CPU figure is
    robust to other processes competing for the cores), each the minimum over
    ``--repeat`` runs: what the code costs when nothing else interferes."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = f()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return out, min(walls), min(cpus)


def run(args: argparse.Namespace) -> list[dict]:
    n_rows = 2_000 if args.quick else args.rows
    n_snorkel = min(n_rows, 500 if args.quick else args.snorkel_rows)
    n_mem_lfs = 20 if args.quick else args.memory_lfs
    n_bare = min(n_rows, 1_000 if args.quick else args.bare_rows)
    repeat = 1 if args.quick else max(1, args.repeat)
    source, texts = corpus_texts(args.data)
    corpus = make_corpus(n_rows, texts=texts)
    dataset = f"{source}-resampled-{n_rows}"
    records: list[dict] = []
    for set_name, specs in LF_SETS.items():
        print(f"--- {set_name}")
        sets = lf_sets(specs)
        speed = _run_set(set_name, sets, corpus, n_snorkel, args.n_jobs, dataset, repeat)
        records += speed + _ceilings(set_name, sets, corpus, n_bare, dataset, speed[0], repeat)
    templates = lf_sets(MIXED_SPECS)["template"]
    many = [LabelingFunction(f"{lf.name}_{c}", lf.f, kind="batch", columns=lf.columns,
                             template=lf.template)
            for c in range(n_mem_lfs // len(templates) + 1) for lf in templates][:n_mem_lfs]
    with measure("rss") as m:
        L = apply_lfs(corpus, many)
    mb = L.nbytes / 1e6
    records.append(record(dataset, f"wslib templates x{n_mem_lfs}", "vote_matrix_MB", mb,
                          m.seconds, rows=n_rows, n_lfs=n_mem_lfs, dtype=str(L.dtype),
                          peak_rss_MiB=m.peak_mb))
    print(f"vote matrix {n_rows:,} x {n_mem_lfs} {L.dtype}: {mb:.1f} MB "
          f"(peak RSS growth during apply {m.peak_mb:.1f} MiB, {m.seconds:.2f} s)")
    return records


def _run_set(set_name: str, sets: dict[str, list[Any]], corpus: pd.DataFrame, n_snorkel: int,
             n_jobs_parallel: int, dataset: str, repeat: int) -> list[dict]:
    """Snorkel on the prefix, then each wslib form on the whole corpus, 1 and N processes."""
    n_rows = len(corpus)
    prefix = corpus.iloc[:n_snorkel]
    records: list[dict] = []
    common = {"lf_set": set_name, "n_lfs": len(sets["row"])}
    L_ref = None
    snorkel_rate = snorkel_cpu_rate = None
    if "snorkel" in sets:
        from snorkel.labeling import PandasLFApplier
        applier = PandasLFApplier(sets["snorkel"])
        L_ref, sec, cpu = _timed(lambda: applier.apply(prefix, progress_bar=False), repeat)
        snorkel_rate, snorkel_cpu_rate = n_snorkel / sec, n_snorkel / cpu
        records.append(record(dataset, "snorkel PandasLFApplier", "rows_per_s", snorkel_rate,
                              sec, rows=n_snorkel, cpu_seconds=cpu,
                              rows_per_cpu_s=snorkel_cpu_rate, ratio_vs_snorkel=1.0,
                              ratio_vs_snorkel_cpu=1.0, identical=True, repeat=repeat,
                              **common))
        print(f"snorkel PandasLFApplier     {n_snorkel:>9,} rows  {sec:8.2f} s  "
              f"{snorkel_rate:>12,.0f} rows/s")
    else:
        print("snorkel is not installed: wslib rates are reported without a ratio")

    for kind in ("row", "batch", "template"):
        lfs = sets[kind]
        for size in (0, None):  # warm-up: compiled kernels (large chunks), NumPy, regexes
            with jit_threshold(size):
                apply_lfs(prefix.iloc[:200], lfs)
        for n_jobs in (1, n_jobs_parallel):
            L, sec, cpu = _timed(lambda lfs=lfs, n_jobs=n_jobs: apply_lfs(corpus, lfs,
                                                                        n_jobs=n_jobs), repeat)
            rate = n_rows / sec
            cpu_rate = n_rows / cpu if n_jobs == 1 else None  # workers' CPU is not counted
            identical = None if L_ref is None else bool(np.array_equal(L[:n_snorkel], L_ref))
            ratio = None if snorkel_rate is None else rate / snorkel_rate
            ratio_cpu = None if snorkel_rate is None or cpu_rate is None \
                else cpu_rate / snorkel_cpu_rate
            method = f"wslib {kind} LFs" + (f" n_jobs={n_jobs}" if n_jobs > 1 else "")
            records.append(record(dataset, method, "rows_per_s", rate, sec, rows=n_rows,
                                  cpu_seconds=cpu if n_jobs == 1 else None,
                                  rows_per_cpu_s=cpu_rate, ratio_vs_snorkel=ratio,
                                  ratio_vs_snorkel_cpu=ratio_cpu, identical=identical,
                                  repeat=repeat, **common))
            print(f"{method:<27} {n_rows:>9,} rows  {sec:8.2f} s  {rate:>12,.0f} rows/s"
                  + ("" if ratio is None else f"  {ratio:8.1f}x snorkel (wall)")
                  + ("" if ratio_cpu is None else f"  {ratio_cpu:8.1f}x (CPU time)")
                  + ("" if identical is None else f"  identical={identical}"))
            if identical is False:
                raise AssertionError(f"{method} votes differ from Snorkel's on the prefix")
    return records


def _ceilings(set_name: str, sets: dict[str, list[Any]], corpus: pd.DataFrame, n_bare: int,
              dataset: str, snorkel: dict, repeat: int) -> list[dict]:
    """The LF bodies alone, no applier: row bodies on prebuilt ``x.text`` rows (a
    prefix), batch bodies once each on the whole corpus."""
    rows = list(map(row_type(("text",))._make, zip(corpus["text"].iloc[:n_bare].tolist())))
    row_fs, batch_fs = [lf.f for lf in sets["row"]], [lf.f for lf in sets["batch"]]
    runs = {"bare row-LF bodies (no applier)":
            (n_bare, lambda: [list(map(f, rows)) for f in row_fs]),
            "bare batch-LF bodies (no applier)":
            (len(corpus), lambda: [f(corpus) for f in batch_fs])}
    records = []
    for method, (n, run) in runs.items():
        _, sec, cpu = _timed(run, repeat)
        ratio = None if snorkel["method"] != "snorkel PandasLFApplier" \
            else (n / cpu) / snorkel["rows_per_cpu_s"]
        records.append(record(dataset, method, "rows_per_s", n / sec, sec, rows=n,
                              cpu_seconds=cpu, rows_per_cpu_s=n / cpu, ratio_vs_snorkel=None,
                              ratio_vs_snorkel_cpu=ratio, identical=None, lf_set=set_name,
                              n_lfs=len(row_fs), repeat=repeat))
        print(f"{method:<34} {n:>9,} rows  {n / cpu:>12,.0f} rows/CPU-s"
              + ("" if ratio is None else f"  {ratio:8.1f}x snorkel (CPU time): a ceiling"))
    return records


#: (row label, applier method, target ratio) of the summary table
_SUMMARY = [("row LFs", "wslib row LFs", "≥ 10×"), ("batch LFs", "wslib batch LFs", "≥ 300×"),
            ("templates", "wslib template LFs", "≥ 300×")]


def _summary(speed: list[dict]) -> str:
    """Ratios vs Snorkel per applier and LF set: single-process CPU (wall), and the
    wall-clock ratio of the parallel run next to it."""
    by = {(r.get("lf_set", ""), r["method"]): r for r in speed}
    sets = list(dict.fromkeys(r.get("lf_set", "") for r in speed))
    jobs = next((r["method"].split(" n_jobs=")[1] for r in speed if " n_jobs=" in r["method"]),
                None)
    header = ["vs Snorkel", "target"]
    for name in sets:
        header += [f"{name}: 1 process, CPU (wall)"] + \
            ([f"{name}: n_jobs={jobs}, wall"] if jobs else [])
    rows = []
    for label, method, target in _SUMMARY:
        row = [label, target]
        for name in sets:
            one, par = by.get((name, method)), by.get((name, f"{method} n_jobs={jobs}"))
            row.append("–" if one is None else
                       f"{_num(one.get('ratio_vs_snorkel_cpu'))}× "
                       f"({_num(one.get('ratio_vs_snorkel'))}×)")
            if jobs:
                row.append("–" if par is None else f"{_num(par.get('ratio_vs_snorkel'))}×")
        rows.append(row)
    for label, method in (("ceiling: row bodies alone", "bare row-LF bodies (no applier)"),
                          ("ceiling: batch bodies alone", "bare batch-LF bodies (no applier)")):
        if any(m == method for _, m in by):
            row = [label, ""]
            for name in sets:
                row.append(f"{_num(by[(name, method)].get('ratio_vs_snorkel_cpu'))}× (CPU)"
                           if (name, method) in by else "–")
                if jobs:
                    row.append("")
            rows.append(row)
    return format_table(header, rows, markdown=True)


def render_markdown(records: list[dict]) -> str:
    """The applier section of ``docs/benchmarks.md`` (the generator adds the heading)."""
    lines = [("The same LFs written as Snorkel row LFs, wslib row LFs (same bodies), wslib batch "
             "LFs (pandas `.str`) and wslib templates (`keyword_lf`/`regex_lf`), applied to "
             "YouTube comments resampled to 1M rows (`make_corpus`), timed after a warm-up, best of "
             f"{_repeats(records)} runs (Snorkel's too). "
             "Snorkel's `PandasLFApplier` runs on a prefix; *identical* compares each wslib vote "
             "matrix with Snorkel's on that prefix. Targets: row LFs ≥ 10×, "
             "batch/template LFs ≥ 300× Snorkel. The machine is shared, so besides wall-clock "
             "rows/s the table gives rows per CPU-second of the applying process "
             "(single-process runs), which other processes' load does not distort. The "
             "summary gives each single-process ratio as CPU (wall), and the wall-clock ratio "
             "of the parallel run next to it. The *ceiling* rows time the LF bodies with no "
             "applier (row bodies on prebuilt `x.text` rows, batch bodies once on the whole "
             "corpus): what the user's own code costs, which no applier can beat.")]
    speed = [r for r in records if r["metric"] == "rows_per_s"]
    lines += ["", _summary(speed)]
    for set_name in dict.fromkeys(r.get("lf_set", "") for r in speed):
        rows = [[r["method"], f"{r['rows']:,}", f"{r['seconds']:.2f}", f"{r['value']:,.0f}",
                 _num(r.get("ratio_vs_snorkel")), _num(r.get("rows_per_cpu_s"), ",.0f"),
                 _num(r.get("ratio_vs_snorkel_cpu")),
                 "–" if r.get("identical") is None else ("yes" if r["identical"] else "**no**")]
                for r in speed if r.get("lf_set", "") == set_name]
        lines += ["", f"**{set_name}**", "",
                  format_table(["applier", "rows", "wall s", "rows/s", "× Snorkel",
                                "rows/CPU-s", "× Snorkel (CPU)", "identical votes"], rows,
                               markdown=True)]
    for r in (r for r in records if r["metric"] == "vote_matrix_MB"):
        lines += ["", (f"Dense vote matrix of {r['rows']:,} rows × {r['n_lfs']} template LFs: "
                       f"**{r['value']:.1f} MB** ({r['dtype']}; target ≤ 100 MB); peak RSS "
                       f"growth while applying {r['peak_rss_MiB']:.0f} MiB; "
                       f"{r['seconds']:.1f} s.")]
    return "\n".join(lines) + "\n"


def _repeats(records: list[dict]) -> int:
    """Runs per timing of a results file (1 for files written before ``--repeat``)."""
    return max((r.get("repeat", 1) for r in records if r["metric"] == "rows_per_s"), default=1)


def _num(value: Any, fmt: str = ",.1f") -> str:
    return "–" if value is None else format(value, fmt)
