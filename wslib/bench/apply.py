"""``wslib bench apply``: LF application speed, wslib vs Snorkel's ``PandasLFApplier``.

The same 10 keyword / regex LFs are written four ways — Snorkel row LFs, wslib
row LFs (same bodies, wslib decorator), wslib batch LFs (pandas ``.str``
column operations) and wslib templates (``keyword_lf`` / ``regex_lf``) — and
applied to one deterministic text corpus: the embedded YouTube comments
resampled to ``--rows`` rows, each with a random corpus word appended. Snorkel
(about 5k rows/s) runs on a ``--snorkel-rows`` prefix; every wslib variant's
votes on that prefix must equal Snorkel's. A last record measures the dense
vote matrix of 100 template LFs on all rows (bytes, and peak traced memory).
"""

from __future__ import annotations

import argparse
import re
import time
import tracemalloc
from typing import Any, Callable

import numpy as np
import pandas as pd

from wslib.apply import apply_lfs
from wslib.bench.core import environment, record
from wslib.datasets import load_embedded
from wslib.lf import LabelingFunction, keyword_lf, labeling_function, regex_lf
from wslib.matrix import ABSTAIN

HELP = "LF application speed: wslib row / batch / template LFs vs Snorkel PandasLFApplier"

SPAM, HAM = 1, 0
#: (name, kind, pattern(s), label): kind "kw" = any substring, case-insensitive;
#: "re" = regex search, case-insensitive (patterns valid in both Python re and RE2)
SPECS: list[tuple[str, str, Any, int]] = [
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="corpus size for wslib")
    parser.add_argument("--snorkel-rows", type=int, default=50_000,
                        help="prefix applied by Snorkel (and checked for identical votes)")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes for the parallel run")
    parser.add_argument("--memory-lfs", type=int, default=100,
                        help="LF count for the vote-matrix memory measurement")


def make_corpus(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` YouTube comments resampled with replacement, each with a random
    corpus word appended (deterministic for a seed)."""
    ds = load_embedded("youtube")
    texts = pd.concat([s.data["text"] for s in ds.splits.values()], ignore_index=True)
    words = pd.Series(sorted(set(" ".join(texts.tolist()).split())), dtype="str")
    rng = np.random.default_rng(seed)
    base = texts.iloc[rng.integers(0, len(texts), n_rows)].reset_index(drop=True)
    tail = words.iloc[rng.integers(0, len(words), n_rows)].reset_index(drop=True)
    return pd.DataFrame({"text": base + " " + tail})


def _row_body(kind: str, pattern: Any, label: int) -> Callable[[Any], int]:
    if kind == "kw":
        def f(x: Any) -> int:
            text = x.text.lower()
            return label if any(k in text for k in pattern) else ABSTAIN
        return f
    compiled = re.compile(pattern, flags=re.I)

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


def lf_sets() -> dict[str, list[Any]]:
    """The same LFs written for each applier (Snorkel's only if snorkel is installed)."""
    sets: dict[str, list[Any]] = {
        "row": [labeling_function(name)(_row_body(kind, pat, lab))
                for name, kind, pat, lab in SPECS],
        "batch": [labeling_function(name, batch=True, columns=["text"])(
            _batch_body(kind, pat, lab)) for name, kind, pat, lab in SPECS],
        "template": [keyword_lf(list(pat), lab, name=name) if kind == "kw"
                     else regex_lf(pat, lab, name=name) for name, kind, pat, lab in SPECS],
    }
    try:
        from snorkel.labeling import labeling_function as snorkel_lf
    except ImportError:
        return sets
    sets["snorkel"] = [snorkel_lf(name=name)(_row_body(kind, pat, lab))
                       for name, kind, pat, lab in SPECS]
    return sets


def _timed(f: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def run(args: argparse.Namespace) -> list[dict]:
    n_rows = 5_000 if args.quick else args.rows
    n_snorkel = min(n_rows, 1_000 if args.quick else args.snorkel_rows)
    n_mem_lfs = 20 if args.quick else args.memory_lfs
    corpus = make_corpus(n_rows)
    prefix = corpus.iloc[:n_snorkel]
    sets = lf_sets()
    dataset = f"youtube-resampled-{n_rows}"
    env = environment()
    records: list[dict] = []
    common = dict(n_lfs=len(SPECS), env=env)

    L_ref = None
    snorkel_rate = None
    if "snorkel" in sets:
        from snorkel.labeling import PandasLFApplier
        applier = PandasLFApplier(sets["snorkel"])
        L_ref, sec = _timed(lambda: applier.apply(prefix, progress_bar=False))
        snorkel_rate = n_snorkel / sec
        records.append(record(dataset, "snorkel PandasLFApplier", "rows_per_s", snorkel_rate,
                              sec, rows=n_snorkel, ratio_vs_snorkel=1.0, identical=True,
                              **common))
        print(f"snorkel PandasLFApplier   {n_snorkel:>9,} rows  {sec:8.2f} s  "
              f"{snorkel_rate:>12,.0f} rows/s")
    else:
        print("snorkel is not installed: wslib rates are reported without a ratio")

    runs = [("row", 1), ("row", args.n_jobs), ("batch", 1), ("template", 1)]
    for kind, n_jobs in runs:
        lfs = sets[kind]
        apply_lfs(prefix.iloc[:200], lfs)  # warm-up: numba / regex compilation
        L, sec = _timed(lambda: apply_lfs(corpus, lfs, n_jobs=n_jobs))
        rate = n_rows / sec
        identical = None if L_ref is None else bool(np.array_equal(L[:n_snorkel], L_ref))
        ratio = None if snorkel_rate is None else rate / snorkel_rate
        method = f"wslib {kind} LFs" + (f" n_jobs={n_jobs}" if n_jobs > 1 else "")
        records.append(record(dataset, method, "rows_per_s", rate, sec, rows=n_rows,
                              ratio_vs_snorkel=ratio, identical=identical, **common))
        print(f"{method:<25} {n_rows:>9,} rows  {sec:8.2f} s  {rate:>12,.0f} rows/s"
              + ("" if ratio is None else f"  {ratio:8.1f}x snorkel  identical={identical}"))
        if identical is False:
            raise AssertionError(f"{method} votes differ from Snorkel's on the prefix")

    many = [LabelingFunction(f"{lf.name}_{c}", lf.f, kind="batch", columns=lf.columns,
                             template=lf.template)
            for c in range(n_mem_lfs // len(SPECS) + 1) for lf in sets["template"]][:n_mem_lfs]
    tracemalloc.start()
    L, sec = _timed(lambda: apply_lfs(corpus, many))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    mb = L.nbytes / 1e6
    records.append(record(dataset, f"wslib templates x{n_mem_lfs}", "vote_matrix_MB", mb, sec,
                          rows=n_rows, n_lfs=n_mem_lfs, dtype=str(L.dtype),
                          peak_traced_MB=peak / 1e6, env=env))
    print(f"vote matrix {n_rows:,} x {n_mem_lfs} {L.dtype}: {mb:.1f} MB "
          f"(peak traced during apply {peak / 1e6:.1f} MB, {sec:.2f} s)")
    return records


def render_markdown(records: list[dict]) -> str:
    """The applier section of ``docs/benchmarks.md``."""
    speed = [r for r in records if r["metric"] == "rows_per_s"]
    memory = [r for r in records if r["metric"] == "vote_matrix_MB"]
    lines = ["## Applying labeling functions (`wslib bench apply`)", "",
             f"{SPECS.__len__()} keyword/regex LFs on resampled YouTube comments; the same "
             "LFs written as Snorkel row LFs, wslib row LFs, wslib batch LFs (pandas `.str`) "
             "and wslib templates (`keyword_lf`/`regex_lf`). Snorkel runs on a prefix; "
             "*identical* compares each wslib vote matrix with Snorkel's on that prefix.", "",
             "| applier | rows | seconds | rows/s | × Snorkel | identical votes |",
             "|---|---:|---:|---:|---:|---|"]
    for r in speed:
        ratio = "–" if r.get("ratio_vs_snorkel") is None else f"{r['ratio_vs_snorkel']:,.1f}"
        same = "–" if r.get("identical") is None else ("yes" if r["identical"] else "**no**")
        lines.append(f"| {r['method']} | {r['rows']:,} | {r['seconds']:.2f} | "
                     f"{r['value']:,.0f} | {ratio} | {same} |")
    for r in memory:
        lines += ["", f"Dense vote matrix of {r['rows']:,} rows × {r['n_lfs']} LFs: "
                      f"**{r['value']:.1f} MB** ({r['dtype']}); peak memory traced while "
                      f"applying: {r['peak_traced_MB']:.1f} MB; {r['seconds']:.1f} s."]
    env = (speed or memory or [{}])[0].get("env") or {}
    if env:
        lines += ["", f"Machine: {env.get('cpus')} CPUs, {env.get('processor')}; "
                      f"Python {env.get('python')}, pandas {env.get('pandas')}, "
                      f"pyarrow {env.get('pyarrow')}, snorkel {env.get('snorkel')}."]
    return "\n".join(lines) + "\n"
