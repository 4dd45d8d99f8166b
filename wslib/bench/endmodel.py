"""``wslib bench endmodel``: label model vs end model vs gold ceiling, with PGR.

Per dataset: fit :class:`~wslib.labelmodel.LabelModel` on the train votes and
score it on test (``labelmodel/LabelModel``); train the end model on its soft
labels with plain soft cross-entropy (``endmodel/<head>-<features>``), with
the weak-to-strong confidence loss (``endmodel/<head>-<features>+confidence``)
and on the arg-max hard labels (``endmodel/<head>-<features>[hard]``, with
``--targets soft,hard``); train the same end model on the gold train labels
(``ceiling/<head>-<features>``).
Every end-model row is repeated over ``--seeds`` seeds; rows with
``seed="median"`` hold the medians and the performance gap recovered
``PGR = (end model - label model) / (ceiling - label model)`` (metric ``pgr``).
Early stopping uses a label-free held-out slice of the soft labels unless
``--use-dev`` (gold valid split) is given; each record says which
(``selection``).

Example::

    wslib bench endmodel --data ../shared/data/wrench --features both --seeds 3 \\
        --json benchmarks/results/endmodel.json
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

import numpy as np

from wslib.bench.core import record

HELP = "end model on label-model soft labels vs the label model and a gold-label ceiling (PGR)"
DEFAULT_DATASETS = ("youtube", "sms", "trec")

__all__ = ["HELP", "add_arguments", "render_markdown", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS),
                        help="comma-separated dataset folder names under --data "
                             "(default: %(default)s; without --data: the embedded youtube)")
    parser.add_argument("--features", choices=("tfidf", "embeddings", "both"), default="tfidf",
                        help="TF-IDF, MiniLM sentence embeddings, or both in turn")
    parser.add_argument("--head", choices=("mlp", "logreg"), default="mlp")
    parser.add_argument("--confidence-coef", type=float, default=0.5,
                        help="final alpha of the confidence loss (default %(default)s)")
    parser.add_argument("--targets", default="soft,hard",
                        help="end-model targets to run: soft (with and without the "
                             "confidence loss), hard, balanced (default: %(default)s)")
    parser.add_argument("--use-dev", action="store_true",
                        help="early-stop on the gold valid split (default: label-free held-out)")
    parser.add_argument("--device", default="cpu")


def _datasets(args: argparse.Namespace) -> list[Any]:
    from wslib.datasets import load_embedded, load_wrench

    names = [n for n in args.datasets.split(",") if n]
    if args.quick:
        names = names[:1]
    if args.data is None:
        return [load_embedded("youtube")]
    root = args.data
    if (root / "label.json").exists():
        return [load_wrench(root)]
    missing = [n for n in names if not (root / n / "label.json").exists()]
    if missing:
        raise FileNotFoundError(f"{root} has no WRENCH dataset(s) {missing}")
    return [load_wrench(root / n) for n in names]


def _end_model(args: argparse.Namespace, seed: int, target: str, confidence: bool) -> Any:
    from wslib.endmodel import EndModel

    extra = {"max_epochs": 8, "patience": 2} if args.quick else {}
    return EndModel(head=args.head, target=target,
                    confidence_coef=args.confidence_coef if confidence else 0.0,
                    device=args.device, random_state=seed, **extra)


def _runs(name: str, targets: list[str]) -> dict[str, tuple[str, str, bool]]:
    """method -> (labels: "weak" or "gold", target, confidence loss on)."""
    runs: dict[str, tuple[str, str, bool]] = {}
    for target in targets:
        suffix = "" if target == "soft" else f"[{target}]"
        runs[f"endmodel/{name}{suffix}"] = ("weak", target, False)
        if target == "soft":
            runs[f"endmodel/{name}+confidence"] = ("weak", "soft", True)
    runs[f"ceiling/{name}"] = ("gold", "soft", False)
    return runs


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from wslib.endmodel.features import texts_of
    from wslib.endmodel.targets import TARGETS
    from wslib.exceptions import CoverageWarning
    from wslib.labelmodel import LabelModel
    from wslib.metrics import performance_gap_recovered
    from wslib.pipeline import make_features

    kinds = ["tfidf", "embeddings"] if args.features == "both" else [args.features]
    seeds = range(1 if args.quick else max(1, args.seeds))
    targets = [t for t in args.targets.split(",") if t]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown or not targets:
        raise ValueError(f"--targets {args.targets!r}: choose from {TARGETS}")
    selection = "gold-valid" if args.use_dev else "held-out"
    records: list[dict[str, Any]] = []
    for ds in _datasets(args):
        train, test = ds[ds.fit_split], ds[ds.eval_split]
        metric = ds.metric
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            lm = LabelModel().fit(train.L)
        P, coverage = lm.predict_proba(train.L), lm.coverage(train.L)
        weak = lm.score(test.L, test.y, metric=metric)
        records.append(record(ds.name, "labelmodel/LabelModel", metric, weak,
                              time.perf_counter() - t0, seed="median",
                              train_coverage=float(coverage.mean())))
        groups = [train.data, test.data] + ([ds["valid"].data] if args.use_dev else [])
        for kind in kinds:
            t0 = time.perf_counter()
            X = make_features(kind, *[texts_of(g) for g in groups], device=args.device)
            feat_seconds = time.perf_counter() - t0
            dev = {"X_dev": X[2], "y_dev": ds["valid"].y} if args.use_dev else {}
            name = f"{args.head}-{kind}"
            runs = _runs(name, targets)
            for method, (source, target, confidence) in runs.items():
                values = []
                weak_labels = source == "weak"
                for seed in seeds:
                    t0 = time.perf_counter()
                    model = _end_model(args, seed, target, confidence)
                    model.fit(X[0], P if weak_labels else train.y,
                              coverage=coverage if weak_labels else None, **dev)
                    value = model.score(X[1], test.y, metric=metric)
                    values.append(value)
                    records.append(record(ds.name, method, metric, value,
                                          time.perf_counter() - t0, seed=seed, features=kind,
                                          selection=selection, best_epoch=model.best_epoch_,
                                          feature_seconds=feat_seconds))
                records.append(record(ds.name, method, metric, float(np.median(values)), None,
                                      seed="median", features=kind, selection=selection,
                                      n_seeds=len(values)))
            ceiling = records[-1]["value"]
            for method in [m for m, (source, _, _) in runs.items() if source == "weak"]:
                student = next(r["value"] for r in records if r["dataset"] == ds.name
                               and r["method"] == method and r["seed"] == "median"
                               and r["metric"] == metric)
                records.append(record(ds.name, method, "pgr",
                                      performance_gap_recovered(student, weak, ceiling), None,
                                      seed="median", features=kind, selection=selection))
    return records


def _fmt(value: Any) -> str:
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else f"{value:.3f}"


def _find(records: list[dict[str, Any]], dataset: str, method: str, metric: str | None,
          kind: str) -> dict[str, Any] | None:
    """The first record of ``dataset``/``method`` (and ``metric``) for feature set ``kind``."""
    for r in records:
        if r["dataset"] == dataset and r["method"] == method and \
                (metric is None or r["metric"] == metric) and r.get("features") in (kind, None):
            return r
    return None


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The end-model section of ``docs/benchmarks.md``: one table per feature set."""
    med = [r for r in records if r.get("seed") == "median"]
    if not med:
        return "_No end-model results._\n"
    out = ["End model trained on the label model's labels (`wslib bench endmodel`). "
           "Test metric (WRENCH: accuracy; F1 of spam for sms), median over seeds. "
           "`LM` = LabelModel on the test votes; `soft CE` = end model trained on its soft "
           "labels; `+conf` = with the weak-to-strong confidence loss; `hard` = trained on "
           "its arg-max labels (`target=\"hard\"`); `ceiling` = the same end model on gold "
           "train labels; PGR = (end - LM) / (ceiling - LM). Bold: above the label model.",
           ""]
    kinds = sorted({r["features"] for r in med if "features" in r})
    for kind in kinds:
        rows = [r for r in med if r.get("features") == kind]
        selection = rows[0].get("selection", "held-out")
        heads = sorted({r["method"].split("/", 1)[1].split("+")[0].split("[")[0] for r in rows})
        for head in heads:
            out += [f"### {head} (features: {kind}; early stopping: {selection})", "",
                    "| dataset | metric | LM | soft CE | +conf | hard | ceiling | PGR soft CE "
                    "| PGR +conf | PGR hard | seeds |",
                    "|---|---|---|---|---|---|---|---|---|---|---|"]
            for ds in sorted({r["dataset"] for r in rows}):
                def get(method: str, metric: str | None = None, ds: str = ds,
                        kind: str = kind) -> Any:
                    return _find(med, ds, method, metric, kind)
                lm = get("labelmodel/LabelModel")
                if lm is None or get(f"endmodel/{head}", lm["metric"]) is None:
                    continue
                metric = lm["metric"]
                scores = [get(f"endmodel/{head}{s}", metric)
                          for s in ("", "+confidence", "[hard]")]
                pgrs = [get(f"endmodel/{head}{s}", "pgr") for s in ("", "+confidence", "[hard]")]
                ceiling = get(f"ceiling/{head}", metric)
                cells = [_fmt(lm["value"])]
                for r in scores:
                    cell = _fmt(r["value"] if r else None)
                    cells.append(f"**{cell}**" if r and r["value"] > lm["value"] else cell)
                cells.append(_fmt(ceiling["value"] if ceiling else None))
                cells += [_fmt(r["value"] if r else None) for r in pgrs]
                n_seeds = scores[0].get("n_seeds", 1)
                out.append(f"| {ds} | {metric} | " + " | ".join(cells) + f" | {n_seeds} |")
            out.append("")
    return "\n".join(out) + "\n"
