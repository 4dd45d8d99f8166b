"""``wslib bench autows``: generated LFs vs few-shot and zero-shot on the same 100 labels.

Runs :func:`wslib.autows.protocol.run_protocol` on the ``--datasets`` found under
``--data`` (WRENCH layout with raw text in ``data.text``; default
``../shared/data/wrench`` when it exists, else the embedded youtube) plus scikit-learn's
bundled ``load_digits`` (8x8 images, 10 classes; no download), over seeds
``0..--seeds-1``, and times generation on 100 labels x 10k items x 384
features (``--timing``).

Text features: MiniLM sentence embeddings (``minilm``, the main view: end
model, few-shot, prototypes, zero-shot), their 32-component PCA (Snuba) and
binary unigram counts (keywords). With ``--no-embeddings`` (and in
``--quick``) TF-IDF replaces the embeddings and zero-shot is skipped.
Digits: pixels scaled to [0, 1] for everything.

Zero-shot class descriptions: ``descriptions.json`` in the dataset folder
(class id -> text) when present, else the built-in description of the class
name in :data:`CLASS_DESCRIPTIONS`, else the name itself.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from wslib.bench.core import NamesAction
from wslib.bench.data import default_data_dir

HELP = "AutoWS: generated LFs -> label model -> end model vs few-shot and zero-shot (100 labels)"

#: Descriptions of WRENCH class names embedded for the zero-shot baseline and LFs.
CLASS_DESCRIPTIONS = {
    "ham": "a normal personal message or comment about the video",
    "spam": "spam: an advertisement, a link, a promotion, or a request to subscribe, "
            "call, text or win a prize",
    "desc": "a question asking for a description, definition, reason or manner",
    "enty": "a question asking for an entity: an object, animal, color, food, product or term",
    "hum": "a question asking who: a person, group or organization",
    "abbr": "a question asking what an abbreviation or acronym stands for",
    "loc": "a question asking where: a location, city, country or place",
    "num": "a question asking for a number: how many, how much, a date, year or quantity",
}

DEFAULT_DATASETS = ("youtube", "sms", "trec", "digits")
QUICK_TRAIN = 400


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", nargs="+", action=NamesAction, default=None, metavar="A,B",
                        help="dataset names to run (folders under --data, and 'digits'); "
                             f"default: those of {', '.join(DEFAULT_DATASETS)} that are found")
    parser.add_argument("--n-labels", type=int, default=100, help="labelled items per seed")
    parser.add_argument("--generators", nargs="+", action=NamesAction, default=None,
                        help="generators to run (default: snuba goggles keywords zeroshot)")
    parser.add_argument("--no-embeddings", action="store_true",
                        help="use TF-IDF instead of MiniLM embeddings for text")
    parser.add_argument("--device", default="cpu", help="torch device for embeddings")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="embedding cache folder (default ~/.cache/wslib/embeddings)")
    parser.add_argument("--eval-split", choices=["test", "valid"], default="test",
                        help="split scored (valid: for development, keeps test unseen)")
    parser.add_argument("--timing", action="store_true",
                        help="also time generation on 100 labels x 10k items x 384 features")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="torch CPU threads for the end model (1 is fastest on shared cores)")


def _descriptions(folder: Path | None, names: list[str]) -> list[str]:
    if folder is not None and (folder / "descriptions.json").exists():
        with open(folder / "descriptions.json", encoding="utf-8") as fh:
            given = json.load(fh)
        return [given[str(c)] for c in range(len(names))]
    return [CLASS_DESCRIPTIONS.get(n.lower(), n) for n in names]


def text_task(folder: Path, args: argparse.Namespace):
    """An :class:`AutoWSTask` from a WRENCH folder with ``data.text``."""
    from wslib.autows.features import embedding_view, pca_view, term_view, tfidf_view
    from wslib.autows.protocol import AutoWSTask
    from wslib.datasets import load_wrench
    from wslib.endmodel.features import embed_texts, texts_of

    ds = load_wrench(folder)
    train, test = ds[ds.fit_split], ds[getattr(args, "eval_split", "test")]
    tr_text, te_text = texts_of(train.data), texts_of(test.data)
    y_train = train.y
    if args.quick:
        keep = np.random.default_rng(0).permutation(len(tr_text))[:QUICK_TRAIN]
        tr_text, y_train = [tr_text[i] for i in keep], y_train[keep]
    views = {"terms": term_view(tr_text, te_text)}
    class_embeddings = None
    if args.no_embeddings or args.quick:
        main = tfidf_view(tr_text, te_text)
    else:
        main = embedding_view(tr_text, te_text, device=args.device, cache_dir=args.cache_dir)
        class_embeddings = embed_texts(_descriptions(folder, ds.label_names), device=args.device,
                                       cache_dir=args.cache_dir)
    snuba = pca_view(main, n_components=32)
    views.update({main.name: main, snuba.name: snuba})
    return AutoWSTask(ds.name, views, y_train, test.y, ds.label_names, metric=ds.metric,
                      main_view=main.name, snuba_view=snuba.name, term_view="terms",
                      class_embeddings=class_embeddings)


def digits_task(args: argparse.Namespace):
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes), a fixed 70/30 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from wslib.autows.features import raw_view
    from wslib.autows.protocol import AutoWSTask

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.3, random_state=0,
                                              stratify=y)
    pixels = raw_view(X_tr, X_te, name="pixels")
    return AutoWSTask("digits", {"pixels": pixels}, y_tr, y_te, [str(d) for d in range(10)],
                      main_view="pixels", snuba_view="pixels")


def timing_records(seed: int = 0) -> list[dict[str, Any]]:
    """Generation seconds of each generator on 100 labels x 10k items x 384 features."""
    from wslib.autows import PrototypeGenerator, SnubaGenerator, ZeroShotGenerator
    from wslib.bench.core import record

    rng = np.random.default_rng(seed)
    k, n, d = 4, 10_000, 384
    centres = rng.normal(size=(k, d))
    y_true = rng.integers(k, size=n)
    X = (centres[y_true] + 2.0 * rng.normal(size=(n, d))).astype(np.float32)
    y = np.full(n, -1)
    lab = rng.choice(n, 100, replace=False)
    y[lab] = y_true[lab]
    out = []
    for name, gen in (("snuba", SnubaGenerator(k)), ("goggles", PrototypeGenerator(k)),
                      ("zeroshot", ZeroShotGenerator(centres, k))):
        t0 = time.perf_counter()
        gen.fit(X, y).transform(X)
        out.append(record("synthetic-10k-384", f"autows/{name}", "generation_seconds",
                          time.perf_counter() - t0, time.perf_counter() - t0,
                          n_items=n, n_features=d, n_labels=100, n_lfs=len(gen.lfs_)))
    return out


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from wslib.autows.protocol import run_protocol
    from wslib.datasets import find_datasets

    try:
        import torch

        torch.set_num_threads(max(1, args.torch_threads))
    except ImportError:  # the end model reports the missing extra itself
        pass
    root = args.data if args.data is not None else default_data_dir()
    if root is not None:
        folders = {p.name: p for p in find_datasets(root)}
        where = f"under {root}"
    else:  # no data folder anywhere: the youtube set shipped inside wslib
        folders = {"youtube": Path(str(resources.files("wslib.datasets") / "data" / "youtube"))}
        where = "(no --data given and no ../shared/data/wrench: only the embedded youtube)"
    if args.datasets is None:
        wanted = [d for d in DEFAULT_DATASETS if d == "digits" or d in folders]
        print(f"datasets: {', '.join(wanted)}")
    else:
        wanted = list(args.datasets)
    unknown = [w for w in wanted if w != "digits" and w not in folders]
    if unknown:
        raise ValueError(f"datasets {unknown} not found {where}; have {sorted(folders)} "
                         "and the built-in 'digits'")
    seeds = range(1 if args.quick else args.seeds)
    records: list[dict[str, Any]] = []
    for name in wanted:
        task = digits_task(args) if name == "digits" else text_task(folders[name], args)
        for seed in seeds:
            recs = run_protocol(task, seed=seed, n_labels=args.n_labels,
                                generators=args.generators)
            records += recs
            _print_seed(task.name, seed, recs, task.metric)
    if args.timing:
        records += timing_records()
        for r in records[-3:]:
            print(f"{r['dataset']:>18} {r['method']:<16} generation {r['value']:.2f}s")
    return records


def _print_seed(dataset: str, seed: int, recs: list[dict[str, Any]], metric: str) -> None:
    line = ", ".join(f"{r['method']} {r['value']:.3f}" for r in recs if r["metric"] == metric)
    print(f"{dataset} seed {seed} ({metric}): {line}", flush=True)


def _mean_sd(values: list[float]) -> str:
    arr = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if arr.size == 0:
        return "–"
    return f"{arr.mean():.3f} ± {arr.std():.3f}" if arr.size > 1 else f"{arr.mean():.3f}"


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The AutoWS section of docs/benchmarks.md: bar summary, per-dataset tables, timing."""
    from wslib.autows.protocol import PRIMARY_PIPELINE

    runs = [r for r in records if r["dataset"] != "synthetic-10k-384"]
    datasets = list(dict.fromkeys(r["dataset"] for r in runs))
    lines = ["AutoWS: generated LFs vs few-shot and zero-shot on the same 100 labels and "
             "features (see docs/autows.md).", ""]
    lines += [f"Mean ± sd over seeds; test split; each seed draws its own 100 labels from train. "
              f"The AutoWS pipeline compared with few-shot logistic regression is fixed in "
              f"advance: `{PRIMARY_PIPELINE}` (all generators' LFs -> LabelModel -> "
              "MLP end model, same features as few-shot).", ""]
    lines += ["| dataset | metric | fewshot/logreg | fewshot/logreg-cv | zero-shot | "
              f"{PRIMARY_PIPELINE} | beats logreg? | beats logreg-cv? | seeds |",
              "|---|---|---|---|---|---|---|---|---|"]
    wins = wins_cv = 0
    for ds in datasets:
        metric = next((r["metric"] for r in runs if r["dataset"] == ds
                       and r["metric"] not in ("accuracy", "accuracy_covered", "coverage")),
                      "accuracy")
        vals = {m: [r["value"] for r in runs if r["dataset"] == ds and r["method"] == m
                    and r["metric"] == metric]
                for m in dict.fromkeys(r["method"] for r in runs if r["dataset"] == ds)}
        zs = next((m for m in vals if m.startswith("zeroshot/")), None)
        few, auto = vals.get("fewshot/logreg", []), vals.get(PRIMARY_PIPELINE, [])
        few_cv = vals.get("fewshot/logreg-cv", [])
        win = bool(few and auto and np.mean(auto) > np.mean(few))
        win_cv = bool(few_cv and auto and np.mean(auto) > np.mean(few_cv))
        wins += win
        wins_cv += win_cv
        lines.append(f"| {ds} | {metric} | {_mean_sd(few)} | {_mean_sd(few_cv)} | "
                     f"{_mean_sd(vals[zs]) if zs else '–'} | {_mean_sd(auto)} | "
                     f"{'yes' if win else 'no'} | {'yes' if win_cv else 'no'} | {len(few)} |")
    lines += ["", f"`{PRIMARY_PIPELINE}` beats few-shot logistic regression (default C = 1, the "
              f"AutoWS-Bench-101 baseline) on {wins} of {len(datasets)} datasets, and the "
              f"cross-validated one on {wins_cv} of {len(datasets)}.", ""]
    for ds in datasets:
        lines += [f"### {ds}", "", "| method | accuracy | acc. on covered | coverage | "
                  "F1 | LFs | seconds | runs |", "|---|---|---|---|---|---|---|---|"]
        methods = dict.fromkeys(r["method"] for r in runs if r["dataset"] == ds)
        for m in methods:
            get = lambda metric: [r["value"] for r in runs  # noqa: E731
                                  if r["dataset"] == ds and r["method"] == m
                                  and r["metric"] == metric]
            cov = [r for r in runs if r["dataset"] == ds and r["method"] == m
                   and r["metric"] == "coverage"]
            n_lfs = [r.get("n_lfs") for r in cov if r.get("n_lfs") is not None]
            lfs = f"{np.mean(n_lfs):.1f}" if n_lfs else "–"
            lines.append(f"| {m} | {_mean_sd(get('accuracy'))} | "
                         f"{_mean_sd(get('accuracy_covered'))} | {_mean_sd(get('coverage'))} | "
                         f"{_mean_sd(get('f1'))} | {lfs} | "
                         f"{np.mean([r['seconds'] for r in cov]):.1f} | {len(cov)} |")
        lines.append("")
    timing = [r for r in records if r["dataset"] == "synthetic-10k-384"]
    if timing:
        lines += ["### Generation time (100 labels x 10,000 items x 384 features)", "",
                  "| generator | seconds | LFs |", "|---|---|---|"]
        lines += [f"| {r['method']} | {r['value']:.2f} | {r.get('n_lfs', '–')} |" for r in timing]
        lines.append("")
    return "\n".join(lines)
