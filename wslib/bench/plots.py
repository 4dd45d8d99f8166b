"""Matplotlib plots of benchmark records (Agg backend, small PNGs for the docs).

Both plots draw one panel per dataset from records alone, so they can be
redrawn from a results file (``benchmarks/make_docs.py`` does).

>>> recs = [{"dataset": "d", "method": "m", "metric": "accuracy", "value": 0.8,
...          "seconds": 0.1, "reliability": [[0.7, 0.8, 5], [0.9, 0.85, 5]]}]
>>> import tempfile, pathlib
>>> value_vs_seconds(recs, pathlib.Path(tempfile.mkdtemp()) / "t.png").exists()
True
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, Sequence

from wslib.bench.report import group_records, summarize

__all__ = ["value_vs_seconds", "reliability_curves"]

DPI = 90


def _figure(n_panels: int, size: float = 3.4):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(3, n_panels)
    rows = math.ceil(n_panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols + 1.8, size * rows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return plt, fig, list(axes.flat)


def _colours(methods: Sequence[str]) -> dict[str, Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab20"]
    return {m: cmap(i % 20) for i, m in enumerate(methods)}


def _save(plt, fig, path: Path, handles: dict[str, Any]) -> Path:
    fig.legend(list(handles.values()), list(handles), loc="center right", fontsize=7,
               frameon=False)
    fig.tight_layout(rect=(0, 0, 1 - 1.8 / fig.get_figwidth(), 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    from PIL import Image  # matplotlib's own dependency

    buffer.seek(0)
    with Image.open(buffer) as image:  # a 256-colour palette: a third of the bytes
        image.convert("RGB").quantize(256).save(path, format="PNG", optimize=True)
    return path


def value_vs_seconds(records: Sequence[dict[str, Any]], path: Path) -> Path:
    """Per dataset, each method's metric (median over seeds) against its seconds (log scale)."""
    by_dataset = group_records(records, "dataset")
    methods = list(dict.fromkeys(r["method"] for r in records))
    colours = _colours(methods)
    plt, fig, axes = _figure(len(by_dataset))
    handles: dict[str, Any] = {}
    for ax, ((dataset,), group) in zip(axes, by_dataset.items()):
        for (method,), runs in group_records(group, "method").items():
            value, seconds = summarize(r["value"] for r in runs), summarize(
                r["seconds"] for r in runs)
            if value is None or seconds is None:
                continue
            handles[method] = ax.scatter(max(seconds[0], 1e-4), value[0], color=colours[method],
                                         s=30, edgecolor="black", linewidth=0.4)
        ax.set_xscale("log")
        ax.set_title(dataset, fontsize=9)
        ax.set_xlabel("fit + predict seconds", fontsize=8)
        ax.set_ylabel(group[0]["metric"], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    return _save(plt, fig, path, handles)


def reliability_curves(records: Sequence[dict[str, Any]], path: Path) -> Path:
    """Per dataset, each method's reliability curve (confidence vs accuracy of the
    top class, first seed) against the diagonal of perfect calibration."""
    by_dataset = group_records([r for r in records if r.get("reliability")], "dataset")
    methods = list(dict.fromkeys(r["method"] for r in records))
    colours = _colours(methods)
    n = max(1, len(by_dataset))
    plt, fig, axes = _figure(n, size=3.4 if n <= 9 else 2.8)  # many sets: smaller panels
    handles: dict[str, Any] = {}
    for ax, ((dataset,), group) in zip(axes, by_dataset.items()):
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
        for (method,), runs in group_records(group, "method").items():
            conf, hit, _ = zip(*runs[0]["reliability"])
            (handles[method],) = ax.plot(conf, hit, marker="o", markersize=2.5, linewidth=1,
                                         color=colours[method])
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_title(dataset, fontsize=9)
        ax.set_xlabel("confidence (top-class probability)", fontsize=8)
        ax.set_ylabel("accuracy", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    return _save(plt, fig, path, handles)
