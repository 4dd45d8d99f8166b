"""``wslib bench endmodel``: label model vs end model vs gold ceiling, with PGR.

Per dataset: fit :class:`~wslib.labelmodel.LabelModel` on the train votes and
score it on test (``labelmodel/LabelModel``); train the end model on its soft
labels with plain soft cross-entropy (``endmodel/<head>-<features>``), with
the weak-to-strong confidence loss (``endmodel/<head>-<features>+confidence``),
on the soft labels rescaled to a class balance
(``endmodel/<head>-<features>[balanced]``, with and without the confidence
loss), on the arg-max labels (``[hard]``, with and without it) and on the
arg-max labels with rows weighted per class towards the class balance
(``[hard-balanced]``, with and without it);
train the same end model on the gold train labels (``ceiling/<head>-<features>``).
Rows with ``seed="median"`` hold the medians over ``--seeds`` seeds and the
performance gap recovered ``PGR = (end model - label model) / (ceiling - label model)``
(metric ``pgr``).

Protocols (``--selection``; every record says which in ``selection``):

* ``gold-valid`` (default, the WRENCH protocol of Zhang et al., 2021): the gold
  *valid* split selects the end model — early stopping on its WRENCH metric,
  and a small hyper-parameter grid (:data:`GRIDS`: learning rate, weight
  decay, the temperature of the soft labels, hidden size) searched with seed
  0; the chosen setting (``params``) then trains every seed. ``[valid-best]``
  is, per seed, the weak-label variant with the best valid score (model
  selection over the losses). ``[balanced]`` and ``[hard-balanced]`` aim at
  the valid split's class frequencies, and ``labelmodel/LabelModel[dev-balance]`` shows
  the label model given the same class balance. Test labels are only scored.
* ``held-out``: no gold label at all — the end model keeps its defaults and
  early-stops on a held-out slice of the soft labels; ``[balanced]`` uses the
  arg-max labels' balance, ``[hard-balanced]`` equal class shares.

``--defaults`` runs only what a user gets without choosing anything:
``EndModel()`` with every default, fitted with
``fit(X, label_model=LabelModel().fit(L), L=L)`` (``endmodel/default``, no gold
label, the ``held-out`` protocol), against the label model. ``--rule-votes sms``
adds ``sms-rules``: sms with its votes re-applied from its readme's rules
(:func:`wslib.datasets.wrench.rule_votes`), because the shipped valid and test
votes belong to other messages.

Example::

    wslib bench endmodel --data ../shared/data/wrench --features both --seeds 3 \\
        --json benchmarks/results/endmodel.json
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from collections import Counter
from typing import Any

import numpy as np

from wslib.bench.core import NamesAction, record
from wslib.bench.data import default_data_dir

HELP = "end model on label-model soft labels vs the label model and a gold-label ceiling (PGR)"
DEFAULT_DATASETS = ("youtube", "sms", "trec", "semeval")
SELECTIONS = ("gold-valid", "held-out")

#: Hyper-parameter grids searched on the gold valid split (``--grid``).
#: ``label_temperature`` (1: the label model's probabilities; 0.25: sharpened towards
#: the arg-max, see :func:`~wslib.endmodel.targets.sharpen`) is searched only where it
#: changes the fit: soft and balanced targets from the label model.
GRIDS: dict[str, dict[str, tuple[Any, ...]]] = {
    "none": {},
    "small": {"lr": (1e-3, 3e-3), "weight_decay": (1e-4, 1.0), "label_temperature": (1.0, 0.25)},
    "full": {"lr": (1e-3, 3e-3), "weight_decay": (1e-4, 1.0), "label_temperature": (1.0, 0.25),
             "hidden": (128, 512)},
}

__all__ = ["GRIDS", "HELP", "add_arguments", "render_markdown", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", nargs="+", action=NamesAction,
                        default=list(DEFAULT_DATASETS), metavar="A,B",
                        help="dataset folder names under --data (default: %(default)s; without "
                             "--data and without ../shared/data/wrench: the embedded youtube)")
    parser.add_argument("--features", choices=("tfidf", "embeddings", "both"), default="tfidf",
                        help="TF-IDF, MiniLM sentence embeddings, or both in turn")
    parser.add_argument("--head", choices=("mlp", "logreg"), default="mlp")
    parser.add_argument("--confidence-coef", type=float, default=0.5,
                        help="final alpha of the confidence loss (default %(default)s)")
    parser.add_argument("--targets", default="soft,balanced,hard,hard-balanced",
                        help="end-model targets to run, each with and without the confidence "
                             "loss: soft, balanced, hard, hard-balanced (default: %(default)s)")
    parser.add_argument("--selection", choices=SELECTIONS, default="gold-valid",
                        help="model selection: the gold valid split (early stopping, --grid "
                             "and the best variant per seed, [valid-best]) or a label-free "
                             "held-out slice (default %(default)s)")
    parser.add_argument("--grid", choices=tuple(GRIDS), default="small",
                        help="hyper-parameter grid searched on the valid split with "
                             "--selection gold-valid (default %(default)s)")
    parser.add_argument("--defaults", action="store_true",
                        help="only EndModel() with its default settings (no gold label: "
                             "held-out early stopping) against the label model")
    parser.add_argument("--rule-votes", nargs="+", action=NamesAction, default=[], metavar="A,B",
                        help="also run <name>-rules: the dataset with its votes re-applied from "
                             "its readme's rules (e.g. sms)")
    parser.add_argument("--batch-size", type=int, default=256,
                        help="end-model mini-batch size (default %(default)s)")
    parser.add_argument("--device", default="cpu")


def _datasets(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """(record name, dataset) pairs; ``<name>-rules`` sets keep their dataset's name,
    so its WRENCH metric (F1 for sms) still applies."""
    from wslib.datasets import load_embedded, load_wrench, rule_votes

    names = list(args.datasets)
    if args.quick:
        names = names[:1]
    root = args.data if args.data is not None else default_data_dir()
    if root is None:
        return [("youtube", load_embedded("youtube"))]
    if (root / "label.json").exists():
        return [(root.name, load_wrench(root))]
    missing = [n for n in names + list(args.rule_votes) if not (root / n / "label.json").exists()]
    if missing:
        raise FileNotFoundError(f"{root} has no WRENCH dataset(s) {missing}")
    return [(n, load_wrench(root / n)) for n in names] + \
        [(f"{n}-rules", rule_votes(load_wrench(root / n))) for n in args.rule_votes]


def _grid(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Hyper-parameter settings to search (one empty setting: the defaults)."""
    grid = GRIDS[args.grid] if args.selection == "gold-valid" and not args.quick else {}
    return [dict(zip(grid, values)) for values in itertools.product(*grid.values())]


def _applicable(grid: list[dict[str, Any]], target: str, weak: bool) -> list[dict[str, Any]]:
    """The settings of ``grid`` that differ for this run: the soft labels' temperature
    changes nothing for one-hot targets (``hard``, ``hard-balanced``, and the gold labels
    of the ceiling)."""
    from wslib.endmodel.targets import ONE_HOT_TARGETS

    if weak and target not in ONE_HOT_TARGETS:
        return grid
    out: list[dict[str, Any]] = []
    for params in grid:
        kept = {k: v for k, v in params.items() if k != "label_temperature"}
        if kept not in out:
            out.append(kept)
    return out


def _runs(name: str, targets: list[str]) -> dict[str, tuple[str, str, bool]]:
    """method -> (labels: "weak" or "gold", target, confidence loss on)."""
    runs: dict[str, tuple[str, str, bool]] = {}
    for target in targets:
        suffix = "" if target == "soft" else f"[{target}]"
        runs[f"endmodel/{name}{suffix}"] = ("weak", target, False)
        runs[f"endmodel/{name}{suffix}+confidence"] = ("weak", target, True)
    runs[f"ceiling/{name}"] = ("gold", "soft", False)
    return runs


def _dev_balance(ds: Any) -> np.ndarray:
    counts = np.bincount(ds["valid"].y, minlength=ds.cardinality).astype(np.float64)
    return counts / counts.sum()


def _fit_timed(params: dict[str, Any], seed: int, X: Any, y: Any,
               fit_kw: dict[str, Any]) -> tuple[Any, float]:
    """An ``EndModel(**params)`` fitted with ``random_state=seed``, and its fit time."""
    from wslib.endmodel import EndModel

    t0 = time.perf_counter()
    model = EndModel(**params, random_state=seed).fit(X, y, **fit_kw)
    return model, time.perf_counter() - t0


def _best(scores: list[float | None]) -> int:
    """Index of the best validation score; the first one wins ties (and ``None`` scores)."""
    values = [-np.inf if v is None else v for v in scores]
    return int(np.argmax(values))


def _median(method: str, per_seed: list[dict[str, Any]], context: dict[str, Any],
            **extra: Any) -> dict[str, Any]:
    return record(context["dataset"], method, context["metric"],
                  float(np.median([r["value"] for r in per_seed])), None, seed="median",
                  features=context["features"], selection=context["selection"],
                  n_seeds=len(per_seed), **extra)


def _seed_runs(method: str, fixed: dict[str, Any], grid: list[dict[str, Any]], seeds: list[int],
               fit_data: tuple[Any, Any, dict[str, Any]], X_test: Any, y_test: np.ndarray,
               context: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per seed and their median: the grid searched with the first seed and the
    setting with the best valid score trained with every seed, scored on test."""
    X, y, fit_kw = fit_data
    searched = [(params, *_fit_timed({**fixed, **params}, seeds[0], X, y, fit_kw))
                for params in grid]
    params, first_model, first_seconds = searched[_best(
        [model.best_score_ for _, model, _ in searched])]
    out = []
    for seed in seeds:
        model, seconds = (first_model, first_seconds) if seed == seeds[0] \
            else _fit_timed({**fixed, **params}, seed, X, y, fit_kw)
        out.append(record(context["dataset"], method, context["metric"],
                          model.score(X_test, y_test, metric=context["metric"]), seconds,
                          seed=seed, features=context["features"],
                          selection=context["selection"], params=params,
                          best_epoch=model.best_epoch_, valid_score=model.best_score_,
                          feature_seconds=context["feature_seconds"]))
    return out + [_median(method, out, context, params=params, grid_size=len(grid))]


def _valid_best(method: str, groups: list[list[dict[str, Any]]], context: dict[str, Any]
                ) -> list[dict[str, Any]]:
    """Per seed, the weak-label variant with the best valid score (first wins ties): model
    selection over the loss variants on the gold valid split, scored on test."""
    out = []
    for runs in zip(*[g[:-1] for g in groups]):
        chosen = runs[_best([r["valid_score"] for r in runs])]
        out.append({**chosen, "method": method, "chosen": chosen["method"],
                    "seconds": sum(r["seconds"] for r in runs)})  # selection fits them all
    return out + [_median(method, out, context, chosen=[r["chosen"] for r in out],
                          valid_score=float(np.median([r["valid_score"] for r in out])))]


def _default_runs(args: argparse.Namespace, seeds: list[int]) -> list[dict[str, Any]]:
    """``EndModel()`` as shipped, fitted from ``LabelModel()`` and the train votes, scored
    on test beside the label model's score (``label_model``): no gold label is read
    before scoring. One record per seed and their median, per dataset and features."""
    from wslib.endmodel import EndModel
    from wslib.endmodel.features import texts_of
    from wslib.exceptions import CoverageWarning
    from wslib.labelmodel import LabelModel
    from wslib.pipeline import make_features

    kinds = ["tfidf", "embeddings"] if args.features == "both" else [args.features]
    quick = {"max_epochs": 8, "patience": 2} if args.quick else {}
    records: list[dict[str, Any]] = []
    for dataset, ds in _datasets(args):
        train, test = ds[ds.fit_split], ds[ds.eval_split]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            lm = LabelModel().fit(train.L)
        weak = lm.score(test.L, test.y, metric=ds.metric)
        for kind in kinds:
            X = make_features(kind, texts_of(train.data), texts_of(test.data), device=args.device)
            context = {"dataset": dataset, "metric": ds.metric, "features": kind,
                       "selection": "held-out"}
            per_seed = []
            for seed in seeds:
                t0 = time.perf_counter()
                model = EndModel(device=args.device, random_state=seed, **quick).fit(
                    X[0], label_model=lm, L=train.L)
                per_seed.append(record(
                    dataset, "endmodel/default", ds.metric,
                    model.score(X[1], test.y, metric=ds.metric), time.perf_counter() - t0,
                    seed=seed, features=kind, selection="held-out", label_model=weak,
                    params=model.get_params(), best_epoch=model.best_epoch_,
                    n_uncovered=model.n_uncovered_))
            records += per_seed + [_median("endmodel/default", per_seed, context,
                                           label_model=weak, params=per_seed[0]["params"])]
    return records


def _label_model_runs(dataset: str, ds: Any, gold_valid: bool, balance: Any
                      ) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray, float]:
    """The label model's records on ``ds`` (and, with a gold valid split, its
    dev-balance variant's), its soft labels and coverage on the training split, and
    its test score."""
    from wslib.exceptions import CoverageWarning
    from wslib.labelmodel import LabelModel

    train, test, metric = ds[ds.fit_split], ds[ds.eval_split], ds.metric
    records: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        lm = LabelModel().fit(train.L)
        P, coverage = lm.predict_proba(train.L), lm.coverage(train.L)
        weak = lm.score(test.L, test.y, metric=metric)
        extra = {"valid_score": lm.score(ds["valid"].L, ds["valid"].y, metric=metric)} \
            if gold_valid else {}
        records.append(record(dataset, "labelmodel/LabelModel", metric, weak,
                              time.perf_counter() - t0, seed="median",
                              train_coverage=float(coverage.mean()),
                              test_coverage=float(lm.coverage(test.L).mean()), **extra))
        if gold_valid:
            t0 = time.perf_counter()
            lm_dev = LabelModel().fit(train.L, class_balance=balance)
            records.append(record(dataset, "labelmodel/LabelModel[dev-balance]", metric,
                                  lm_dev.score(test.L, test.y, metric=metric),
                                  time.perf_counter() - t0, seed="median"))
    return records, P, coverage, weak


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from wslib.endmodel.features import texts_of
    from wslib.endmodel.targets import TARGETS
    from wslib.metrics import performance_gap_recovered
    from wslib.pipeline import make_features

    kinds = ["tfidf", "embeddings"] if args.features == "both" else [args.features]
    seeds = list(range(1 if args.quick else max(1, args.seeds)))
    targets = [t for t in args.targets.split(",") if t]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown or not targets:
        raise ValueError(f"--targets {args.targets!r}: choose from {TARGETS}")
    if args.defaults:
        return _default_runs(args, seeds)
    gold_valid = args.selection == "gold-valid"
    grid = _grid(args)
    base = {"head": args.head, "batch_size": args.batch_size, "device": args.device}
    if args.quick:
        base.update(max_epochs=8, patience=2)
    records: list[dict[str, Any]] = []
    for dataset, ds in _datasets(args):
        train, test = ds[ds.fit_split], ds[ds.eval_split]
        metric = ds.metric
        if gold_valid and not ("valid" in ds.splits and ds["valid"].has_labels):
            raise ValueError(f"dataset {dataset!r} has no labelled valid split; "
                             "use --selection held-out")
        balance = _dev_balance(ds) if gold_valid else None
        lm_records, P, coverage, weak = _label_model_runs(dataset, ds, gold_valid, balance)
        records += lm_records
        groups = [train.data, test.data] + ([ds["valid"].data] if gold_valid else [])
        for kind in kinds:
            t0 = time.perf_counter()
            X = make_features(kind, *[texts_of(g) for g in groups], device=args.device)
            feat_seconds = time.perf_counter() - t0
            dev = {"X_dev": X[2], "y_dev": ds["valid"].y, "dev_metric": metric} \
                if gold_valid else {}
            fit_dev = {k: v for k, v in dev.items() if k != "dev_metric"}
            name = f"{args.head}-{kind}"
            runs = _runs(name, targets)
            context = {"dataset": dataset, "metric": metric, "features": kind,
                       "selection": args.selection, "feature_seconds": feat_seconds}
            weak_methods = []
            for method, (source, target, confidence) in runs.items():
                weak_labels = source == "weak"
                fixed = dict(base, target=target,
                             confidence_coef=args.confidence_coef if confidence else 0.0,
                             dev_metric=dev.get("dev_metric", "accuracy"))
                if target in ("balanced", "hard-balanced"):
                    fixed["class_balance"] = balance
                fit_data = (X[0], P if weak_labels else train.y,
                            dict(fit_dev, coverage=coverage if weak_labels else None))
                runs_of_seeds = _seed_runs(method, fixed,
                                           _applicable(grid, target, weak_labels), seeds,
                                           fit_data, X[1], test.y, context)
                records += runs_of_seeds
                if weak_labels:
                    weak_methods.append(runs_of_seeds)
                else:
                    ceiling = runs_of_seeds[-1]["value"]
            if gold_valid:
                weak_methods.append(_valid_best(f"endmodel/{name}[valid-best]", weak_methods,
                                                context))
                records += weak_methods[-1]
            for group in weak_methods:
                # PGR is undefined when the gold-label ceiling does not beat the label model
                pgr = performance_gap_recovered(group[-1]["value"], weak, ceiling) \
                    if ceiling > weak else None
                records.append(record(dataset, group[-1]["method"], "pgr", pgr, None,
                                      seed="median", features=kind, selection=args.selection))
    return records


#: Weak-label methods (suffix after ``<head>-<features>``) and their column titles.
COLUMNS = (("", "soft CE"), ("+confidence", "soft +conf"), ("[balanced]", "balanced"),
           ("[balanced]+confidence", "balanced +conf"), ("[hard]", "hard"),
           ("[hard]+confidence", "hard +conf"), ("[hard-balanced]", "hard bal."),
           ("[hard-balanced]+confidence", "hard bal. +conf"), ("[valid-best]", "best on valid"))


def _fmt(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else f"{value:.3f}"


def _index(records: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """(dataset, method, metric, features) -> median record; label-model rows have no features."""
    return {(r["dataset"], r["method"], r["metric"], r.get("features")): r
            for r in records if r.get("seed") == "median"}


#: Short names of the searched hyper-parameters in the tables.
_SHORT = {"weight_decay": "wd", "label_temperature": "T"}


def _picked(idx: dict[tuple[Any, ...], dict[str, Any]], best: dict[str, Any], name: str) -> str:
    """The variants ``[valid-best]`` picked (how many seeds each) and their grid setting."""
    titles = dict(COLUMNS)
    parts = []
    for method, count in Counter(best.get("chosen") or []).most_common():
        run = idx.get((best["dataset"], method, best["metric"], best["features"])) or {}
        params = ", ".join(f"{_SHORT.get(k, k)}={v:g}"
                           for k, v in (run.get("params") or {}).items())
        title = titles.get(method.removeprefix(f"endmodel/{name}"), method)
        parts.append(f"{title} ×{count}" + (f" ({params})" if params else ""))
    return "; ".join(parts) or "–"


def _table(idx: dict[tuple[Any, ...], dict[str, Any]], datasets: list[str], head: str,
           kind: str) -> list[str]:
    name = f"{head}-{kind}"
    cols = [(suffix, title) for suffix, title in COLUMNS
            if any((ds, f"endmodel/{name}{suffix}", "pgr", kind) in idx for ds in datasets)]
    dev_lm = any((ds, "labelmodel/LabelModel[dev-balance]") == k[:2] for ds in datasets
                 for k in idx)
    header = ["dataset", "metric", "LM"] + (["LM dev-balance"] if dev_lm else []) + \
        [title for _, title in cols] + ["ceiling", "seeds", "valid: LM / best", "picked on valid"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for ds in datasets:
        lm = idx.get((ds, "labelmodel/LabelModel", None, None)) or next(
            (r for k, r in idx.items() if k[:2] == (ds, "labelmodel/LabelModel")), None)
        ceiling = lm and idx.get((ds, f"ceiling/{name}", lm["metric"], kind))
        if lm is None or ceiling is None:
            continue
        metric = lm["metric"]
        cells = [ds, metric, _fmt(lm["value"])]
        if dev_lm:
            ref = idx.get((ds, "labelmodel/LabelModel[dev-balance]", metric, None))
            cells.append(_fmt(ref["value"] if ref else None))
        for suffix, _ in cols:
            score = idx.get((ds, f"endmodel/{name}{suffix}", metric, kind))
            pgr = idx.get((ds, f"endmodel/{name}{suffix}", "pgr", kind))
            if score is None:
                cells.append("–")
                continue
            cell = _fmt(score["value"])
            cell = f"**{cell}**" if score["value"] > lm["value"] else cell
            if pgr:
                cell += " (n/a)" if pgr["value"] is None else f" ({pgr['value']:+.2f})"
            cells.append(cell)
        best = idx.get((ds, f"endmodel/{name}[valid-best]", metric, kind)) or {}
        valid = f"{_fmt(lm.get('valid_score'))} / {_fmt(best.get('valid_score'))}"
        cells += [_fmt(ceiling["value"]), str(ceiling.get("n_seeds", 1)), valid,
                  _picked(idx, best, name)]
        out.append("| " + " | ".join(cells) + " |")
    return out + [""]


def _defaults_table(records: list[dict[str, Any]]) -> list[str]:
    """``EndModel()`` with its defaults against the label model, per dataset and features."""
    med = [r for r in records if r["method"] == "endmodel/default" and r.get("seed") == "median"]
    if not med:
        return []
    out = ["### `EndModel()` with its defaults, no gold label", "",
           "`EndModel()` as shipped, trained by `fit(X, label_model=LabelModel().fit(L), L=L)` "
           "(rows without a vote dropped, early stopping on a held-out slice of the soft "
           "labels: no gold label is read before scoring); test metric, median over seeds.", "",
           "| dataset | metric | features | LabelModel | EndModel() | seeds | at least LM |",
           "|---|---|---|---|---|---|---|"]
    for r in med:
        runs = [x["value"] for x in records if x["method"] == "endmodel/default"
                and x["dataset"] == r["dataset"] and x.get("features") == r["features"]
                and x.get("seed") != "median"]
        seeds = ", ".join(f"{v:.3f}" for v in runs)
        out.append(f"| {r['dataset']} | {r['metric']} | {r['features']} | "
                   f"{_fmt(r['label_model'])} | {_fmt(r['value'])} | {seeds} | "
                   f"{'yes' if r['value'] >= r['label_model'] else 'no'} |")
    return out + [""]


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The end-model section of ``docs/benchmarks.md``: the defaults' table, then one
    table per head, features and protocol."""
    defaults = _defaults_table(records)
    med = [r for r in records if r.get("seed") == "median" and "features" in r
           and r["method"] != "endmodel/default"]
    if not med:
        return "\n".join(defaults) + "\n" if defaults else "_No end-model results._\n"
    out = defaults + [("End model trained on the label model's labels (`wslib bench endmodel`). "
           "Test metric (WRENCH: accuracy; F1 of spam for sms), median over seeds, with "
           "PGR = (end - LM) / (ceiling - LM) in brackets (n/a where the ceiling is not above LM). `LM` = `LabelModel` on the test "
           "votes; `LM dev-balance` = the same given the valid split's class balance; "
           "`soft CE` = end model on its soft labels; `+conf` = with the weak-to-strong "
           "confidence loss; `balanced` = soft labels rescaled to the class balance (valid "
           "split's under `gold-valid`, arg-max labels' under `held-out`); `hard` = arg-max "
           "labels; `hard bal.` = the same, rows weighted per class towards the class "
           "balance (valid split's; equal shares under `held-out`); `ceiling` = the "
           "same end model on gold train labels; `valid: LM / best` = the valid-split metric of "
           "the label model and of `best on valid`; `picked on valid` = the variant "
           "`best on valid` chose (in how many seeds) and its grid setting (`wd` = weight "
           "decay, `T` = temperature of the soft labels). Bold: above the label model. Protocol "
           "`gold-valid` (WRENCH): early stopping and the hyper-parameter grid on the gold "
           "valid split; `held-out`: no gold label, early stopping on held-out soft labels."),
           ""]
    idx = _index(records)
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    for kind, selection, head in sorted({(r["features"], r.get("selection", "held-out"),
                                          r["method"].split("/", 1)[1].split("-", 1)[0])
                                         for r in med}):
        grid = max((r.get("grid_size") or 1 for r in med if r.get("features") == kind),
                   default=1)
        out += [f"### {head}, features: {kind}, selection: {selection}"
                + (f" (grid of up to {grid} settings)" if grid > 1 else ""), ""]
        out += _table(idx, datasets, head, kind)
    return "\n".join(out) + "\n"
