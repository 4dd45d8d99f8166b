"""``wslib quickstart``: the whole pipeline on the embedded YouTube spam data.

1. load the comments (WRENCH release of the UCI YouTube Spam Collection);
2. apply 9 labeling functions written with the decorator (row, batch) and the
   templates (keyword, regex) to the raw text;
3. print the LF summary on the training split, with gold accuracy;
4. majority-vote soft labels, test accuracy; then ``wslib.labelmodel.LabelModel``
   when it is available.

``--data DIR`` points at another WRENCH dataset folder with a ``text`` column
(the LFs are the YouTube ones, so expect them to be poor elsewhere).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wslib import ABSTAIN, apply_lfs, labeling_function, preprocessor
from wslib.analysis import lf_summary
from wslib.datasets import load_embedded, load_wrench
from wslib.exceptions import CoverageWarning
from wslib.lf import LabelingFunction, keyword_lf, regex_lf

__all__ = ["add_arguments", "run", "youtube_lfs"]

HAM, SPAM = 0, 1


@preprocessor()
def words(x: Any) -> Any:
    """Lower-cased tokens of the comment, computed once per row for all LFs using it."""
    x.words = x.text.lower().split()
    return x


@labeling_function(pre=[words], columns=["text"])
def short_comment(x: Any) -> int:
    """Spam usually asks for something; very short comments are mostly reactions."""
    return HAM if len(x.words) < 5 else ABSTAIN


@labeling_function(pre=[words], columns=["text"])
def mentions_video_part(x: Any) -> int:
    """Talking about the video itself ('the part at 2:30', 'this song') is ham."""
    return HAM if any(w in ("part", "views", "billion", "lyrics") for w in x.words) else ABSTAIN


@labeling_function(batch=True, columns=["text"])
def long_comment(df: pd.DataFrame) -> np.ndarray:
    """Long comments are usually sales pitches (a pandas column operation per chunk)."""
    return np.where(df["text"].str.len().fillna(0).to_numpy() > 150, SPAM, ABSTAIN)


def youtube_lfs() -> list[LabelingFunction]:
    """The quickstart LF set: 6 templates, 2 row LFs (sharing a preprocessor), 1 batch LF."""
    return [
        keyword_lf(["check out", "check my"], SPAM, name="check_out"),
        keyword_lf(["subscribe"], SPAM, name="subscribe"),
        keyword_lf(["http", "www.", ".com"], SPAM, name="link"),
        keyword_lf(["my channel", "my video", "my page"], SPAM, name="my_channel"),
        regex_lf(r"\b(please|plz|pls)\b", SPAM, name="please"),
        keyword_lf(["song", "love this"], HAM, name="song", word_boundary=True),
        short_comment,
        mentions_video_part,
        long_comment,
    ]


def _fit(model: Any, L: np.ndarray) -> Any:
    """Fit a label model; coverage is printed by the quickstart, so skip its warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        return model.fit(L)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="a WRENCH dataset folder with a 'text' column "
                             "(default: the embedded YouTube data)")


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    ds = load_embedded("youtube") if args.data is None else load_wrench(args.data)
    train = ds[ds.fit_split]
    test = ds[ds.eval_split] if ds.eval_split else None
    if "text" not in train.data.columns:
        raise ValueError(f"dataset {ds.name!r} has no 'text' column in its data "
                         f"(columns: {list(train.data.columns)})")
    lfs = youtube_lfs()
    print(f"dataset {ds.name}: {len(train)} {ds.fit_split} items, classes {ds.label_names}")
    print(f"applying {len(lfs)} labeling functions "
          f"({', '.join(sorted({lf.kind if lf.template is None else 'template' for lf in lfs}))})"
          " to the raw text ...")
    L_train = apply_lfs(train.data, lfs, cardinality=ds.cardinality)
    print("\nLF summary on the training split" + (" (gold used for analysis only)"
                                                  if train.has_labels else "") + ":")
    print(lf_summary(L_train, train.y if train.has_labels else None, lfs,
                     cardinality=ds.cardinality))

    from wslib import labelmodel
    mv = _fit(labelmodel.MajorityVote(cardinality=ds.cardinality), L_train)
    proba = mv.predict_proba(L_train)
    print("\nmajority-vote soft labels (first 5 training items):")
    head = pd.DataFrame(proba[:5], columns=[f"P({c})" for c in ds.label_names])
    text = train.data["text"].iloc[:5].str.replace("\ufeff", "")  # byte-order marks
    head.insert(0, "text", text.str.slice(0, 50).to_numpy())
    with pd.option_context("display.width", 120, "display.precision", 2):
        print(head.to_string(index=False))
    covered = float((L_train >= 0).any(axis=1).mean())
    print(f"\ncoverage (items with at least one vote): {covered:.1%}")
    if test is None or not test.has_labels:
        print("no labelled evaluation split: skipping test accuracy")
    else:
        L_test = apply_lfs(test.data, lfs, cardinality=ds.cardinality)
        models = [("MajorityVote", mv)]
        if hasattr(labelmodel, "LabelModel"):
            models.append(("LabelModel",
                           _fit(labelmodel.LabelModel(cardinality=ds.cardinality), L_train)))
        for name, model in models:  # ties count as their expected value: no draw
            acc = model.score(L_test, test.y, metric="accuracy")
            print(f"{name:<13} test accuracy: {acc:.3f}  ({len(test)} {ds.eval_split} items)")
    print(f"\ndone in {time.perf_counter() - t0:.1f} s")
    return 0
