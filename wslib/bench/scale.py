"""``wslib bench scale``: data larger than memory, Dask, and the torch vote kernels.

One deterministic synthetic corpus (short spam/ham-like texts plus numeric
columns) is written as Parquet files in a temporary folder (``--rows``,
default 10 million), then:

1. **stream** — :func:`wslib.apply.parquet.apply_parquet` applies 20 batch LFs
   (keyword, regex, threshold templates and user batch LFs) to all rows,
   writing a ``.npy`` vote matrix and accumulating label-model statistics,
   in a child process whose peak RSS (``ru_maxrss``) is reported;
2. **prefix check** — the first ``--prefix-rows`` rows are loaded into pandas
   and labelled by :func:`wslib.apply_lfs`; the streamed votes must be identical;
3. **label model** — ``DawidSkene`` fitted from the streamed statistics vs
   fitted in memory on the prefix statistics' matrix (max parameter difference),
   and streamed soft labels for every row, in a child process (peak RSS);
4. **Dask** — ``apply_lfs_dask`` on a 2-worker ``LocalCluster`` vs
   ``apply_lfs`` in this process on the same ``--dask-rows`` rows (identical
   votes, throughput ratio);
5. **torch** — :mod:`wslib.kernels.torch_votes` on ``--device`` vs the numba
   kernels on the streamed vote matrix prefix (same results, time ratio).
"""

from __future__ import annotations

import argparse
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

from wslib.bench.core import environment, record
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
