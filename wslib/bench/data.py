"""Datasets a benchmark runs on: WRENCH folders, the embedded set, synthetic specs.

A :class:`BenchData` is what every benchmark needs from a dataset: the votes it
fits on, the votes and gold labels it scores on, and a plain statement of which
splits those are. Protocol: fit on ``train`` and score on ``test`` (``valid``
when ``test`` has no gold). A dataset without ``train`` is fitted transductively
on all its splits, and says so in ``fit_split``; a split without gold labels is
only ever used for fitting. Synthetic sets are fitted and scored on the same
rows (``fit_split="all (transductive)"``).

Synthetic specs are ``key=value`` lists, e.g.
``n=1000000,m=100,k=5,accuracy=0.55:0.9,coverage=0.05:0.5,balance=0.7:0.2:0.1,unipolar=20,correlated=5,seed=0``.

>>> spec = parse_synthetic("n=500,m=8,k=3")
>>> spec.name, spec.load().L_fit.shape
('synthetic-500x8-k3', (500, 8))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from wslib.bench.core import BenchmarkError, select
from wslib.datasets.wrench import (
    WrenchDataset,
    find_datasets,
    load_embedded,
    load_wrench,
    rule_agreement,
    rule_votes,
)
from wslib.matrix import VoteMatrix

__all__ = ["BenchData", "DatasetSpec", "default_data_dir", "wrench_specs", "rule_vote_specs",
           "parse_synthetic",
           "SYNTHETIC_KEYS", "resolve_datasets", "from_wrench"]

#: keys of a synthetic spec; see :func:`parse_synthetic`
SYNTHETIC_KEYS = ("n", "m", "k", "accuracy", "coverage", "balance", "unipolar", "correlated",
                  "seed", "name")


@dataclass
class BenchData:
    """Votes to fit on, votes and gold to score on, and how they were chosen."""

    name: str
    metric: str
    cardinality: int
    L_fit: VoteMatrix
    L_eval: VoteMatrix | None
    y_eval: np.ndarray | None
    fit_split: str
    eval_split: str | None
    source: str
    info: dict[str, Any] = field(default_factory=dict)
    #: gold labels of the fit rows, when every one has one (train of a WRENCH set):
    #: only read to score each method on the split it was fitted on, never to fit
    y_fit: np.ndarray | None = None

    @property
    def n_sources(self) -> int:
        return int(self.L_fit.shape[1])

    @property
    def same_rows(self) -> bool:
        """True when the evaluation rows are the fit rows (transductive on one matrix)."""
        return self.L_eval is self.L_fit

    @property
    def scores_fit_split(self) -> bool:
        """True when methods are also scored on their fit rows (``y_fit``), apart from
        the evaluation rows."""
        return self.y_fit is not None and self.L_eval is not None and not self.same_rows


@dataclass
class DatasetSpec:
    """A named dataset that is loaded (or generated) only when the benchmark reaches it."""

    name: str
    load: Callable[[], BenchData]
    source: str


def from_wrench(ds: WrenchDataset, source: str = "wrench") -> BenchData:
    """The benchmark protocol (module docstring) applied to a loaded WRENCH dataset."""
    eval_split = ds.eval_split
    y_fit = None
    if "train" in ds.splits:
        fit_split, L_fit = "train", ds["train"].L
        if len(ds["train"].y) and (ds["train"].y >= 0).all():
            y_fit = ds["train"].y
    else:
        names = [s for s in ds.splits if len(ds.splits[s])]
        fit_split = "+".join(names) + " (transductive)"
        L_fit = np.vstack([ds[s].L for s in names])
    L_eval = y_eval = None
    if eval_split is not None:
        L_eval, y_eval = ds[eval_split].L, ds[eval_split].y
    return BenchData(ds.name, ds.metric, ds.cardinality, L_fit, L_eval, y_eval, fit_split,
                     eval_split, source, {"path": None if ds.path is None else str(ds.path),
                                          "rule_agreement": rule_agreement(ds)}, y_fit)


def default_data_dir(kind: str = "wrench") -> Path | None:
    """The shared data folder ``../shared/data/<kind>`` (``wrench``, ``verifiers``; from
    the working directory or the repository root), or ``None`` when neither exists."""
    import wslib

    repo = Path(wslib.__file__).resolve().parents[1]
    for base in (Path.cwd(), repo):
        candidate = base.parent / "shared" / "data" / kind
        if candidate.is_dir():
            return candidate
    return None


def wrench_specs(data: Path | None) -> list[DatasetSpec]:
    """Datasets under ``data`` (a folder of dataset folders, or one); when ``data`` is
    None, the shared folder if present, else the embedded youtube. Folders are read
    on first ``load()`` (then kept); :func:`resolve_datasets` loads the chosen ones
    before any benchmark runs, so a broken folder fails early, naming the file."""
    if data is None:
        data = default_data_dir()
        if data is None:
            return [DatasetSpec("youtube", cache(lambda: from_wrench(load_embedded("youtube"),
                                                                     "embedded")), "embedded")]
    return [DatasetSpec(folder.name, cache(lambda folder=folder: from_wrench(load_wrench(folder))),
                        "wrench") for folder in find_datasets(data)]


def _range(key: str, text: str) -> float | tuple[float, float]:
    parts = [float(p) for p in text.split(":")]
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return (parts[0], parts[1])
    raise BenchmarkError(f"synthetic {key}={text!r}: give one number or low:high")


def _human(n: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def parse_synthetic(text: str) -> DatasetSpec:
    """A synthetic dataset from a ``key=value,...`` spec (keys: :data:`SYNTHETIC_KEYS`).

    ``balance`` is the class prior as ``p0:p1:...``; ``unipolar`` and ``correlated``
    count LFs of those kinds; ``name`` overrides the generated name.
    """
    values: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or key not in SYNTHETIC_KEYS:
            raise BenchmarkError(f"synthetic spec {text!r}: bad item {item!r}; use key=value "
                                 f"with keys {', '.join(SYNTHETIC_KEYS)}")
        values[key] = value
    try:
        n, m, k = int(values.get("n", 10_000)), int(values.get("m", 20)), int(values.get("k", 2))
        kwargs: dict[str, Any] = {"random_state": int(values.get("seed", 0)),
                                  "n_unipolar": int(values.get("unipolar", 0)),
                                  "n_correlated": int(values.get("correlated", 0))}
    except ValueError as exc:
        raise BenchmarkError(f"synthetic spec {text!r}: {exc}") from exc
    for key in ("accuracy", "coverage"):
        if key in values:
            kwargs[key] = _range(key, values[key])
    if "balance" in values:
        prior = np.array([float(p) for p in values["balance"].split(":")])
        if prior.shape != (k,):
            raise BenchmarkError(f"synthetic spec {text!r}: balance needs {k} numbers "
                                 f"(p0:...:p{k - 1}), got {prior.size}")
        kwargs["class_balance"] = prior / prior.sum()
    suffix = "".join(f"-{key[0]}{values[key]}" for key in ("unipolar", "correlated")
                     if int(values.get(key, 0)))
    name = values.get("name") or f"synthetic-{_human(n)}x{m}-k{k}{suffix}"

    def load() -> BenchData:
        from wslib.datasets.synthetic import make_votes

        data = make_votes(n, m, k, **kwargs)
        return BenchData(name, "accuracy", k, data.L, data.L, data.y, "all (transductive)",
                         "all", "synthetic", {"spec": text, "L_bytes": int(data.L.nbytes)})

    return DatasetSpec(name, load, "synthetic")


def rule_vote_specs(data: Path | None, names: list[str]) -> list[DatasetSpec]:
    """``<name>-rules`` for each WRENCH dataset in ``names``: its votes re-applied on
    every split from the regex rules its readme lists
    (:func:`wslib.datasets.wrench.rule_votes`, which checks that they reproduce the
    train votes). A name not under ``data`` raises :class:`BenchmarkError`."""
    folders = {f.name: f for f in find_datasets(data)} if data is not None else {}
    unknown = [n for n in names if n not in folders]
    if unknown:
        raise BenchmarkError(f"--rule-votes: no dataset {unknown} under {data}; "
                             f"there are {sorted(folders)}")

    def load(folder: Path) -> BenchData:
        shipped = load_wrench(folder)
        try:
            revoted = rule_votes(shipped)
        except ValueError as exc:
            raise BenchmarkError(f"--rule-votes {folder.name}: {exc}") from exc
        bench = from_wrench(revoted, "wrench, votes re-applied")
        return replace(bench, name=f"{folder.name}-rules",
                       info={**bench.info, "rows_as_shipped": rule_agreement(shipped)})

    return [DatasetSpec(f"{n}-rules", cache(lambda folder=folders[n]: load(folder)),
                        "wrench") for n in names]


def resolve_datasets(data: Path | None, synthetic: list[str], names: list[str] | None,
                     include_wrench: bool = True, revote: Sequence[str] = ()
                     ) -> list[DatasetSpec]:
    """WRENCH datasets (see :func:`wrench_specs`; ``revote``: see
    :func:`rule_vote_specs`) then synthetic ones, filtered by ``names`` (an unknown
    name raises :class:`BenchmarkError` listing the valid ones)."""
    specs = wrench_specs(data) if include_wrench else []
    if include_wrench and revote:
        specs += rule_vote_specs(data if data is not None else default_data_dir(), list(revote))
    specs += [parse_synthetic(s) for s in synthetic]
    by_name = {s.name: s for s in specs}
    if len(by_name) != len(specs):
        raise BenchmarkError("two datasets share a name: "
                             + ", ".join(s.name for s in specs) + "; give one a name=...")
    groups = {"wrench": [s.name for s in specs if s.source != "synthetic"],
              "synthetic": [s.name for s in specs if s.source == "synthetic"]}
    chosen = [by_name[n] for n in select(names, list(by_name), "dataset", groups)]
    for spec in chosen:
        if spec.source != "synthetic":
            spec.load()
    return chosen
