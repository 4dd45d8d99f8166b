"""Datasets a benchmark runs on: WRENCH folders, the embedded set, synthetic specs.

A :class:`BenchData` is what every benchmark needs from a dataset: the votes it
fits on, the votes and gold labels it scores on, and a plain statement of which
splits those are. Protocol: fit on ``train`` and score on ``test`` (``valid``
when ``test`` has no gold). A dataset without ``train`` is fitted transductively
on all its splits, and says so in ``fit_split`` (with one split, the evaluation
rows are the fit rows); a split without gold labels is only ever used for
fitting. Synthetic sets are fitted and scored on the same rows
(``fit_split="all (transductive)"``).

Methods that read gold dev labels get a sample of them from
:meth:`BenchData.dev_sample`: from ``valid`` when it has gold (and is not the
evaluation split), else from the fit rows' gold, else from the evaluation rows,
which are then left out of scoring.

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

__all__ = ["BenchData", "DevSample", "DatasetSpec", "default_data_dir", "default_data_dirs",
           "wrench_specs", "rule_vote_specs", "parse_synthetic",
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
    #: only read to score each method on the split it was fitted on, and to draw dev
    #: labels (:meth:`dev_sample`) when there is no labelled ``valid``
    y_fit: np.ndarray | None = None
    #: votes and gold of a labelled ``valid`` split that is not the evaluation split
    L_valid: VoteMatrix | None = None
    y_valid: np.ndarray | None = None

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

    def dev_sample(self, n: int, seed: int) -> DevSample | None:
        """``n`` gold-labelled items drawn with ``seed`` for a method that reads dev labels:
        from ``valid`` (all of it when smaller), else from the fit rows, else from the
        evaluation rows (at most half of them), which are then kept out of scoring
        (``keep``). ``None`` when no split has gold."""
        rng = np.random.default_rng(seed)
        if self.L_valid is not None and self.y_valid is not None:
            rows = rng.choice(len(self.y_valid), min(n, len(self.y_valid)), replace=False)
            return DevSample(self.L_valid[rows], self.y_valid[rows], "valid")
        if self.y_fit is not None and not self.same_rows:
            rows = rng.choice(len(self.y_fit), min(n, len(self.y_fit)), replace=False)
            return DevSample(self.L_fit[rows], self.y_fit[rows], self.fit_split)
        if self.y_eval is None or self.L_eval is None:
            return None
        n_eval = len(self.y_eval)
        rows = rng.choice(n_eval, min(n, n_eval // 2), replace=False)
        keep = np.ones(n_eval, dtype=bool)
        keep[rows] = False
        return DevSample(self.L_eval[rows], self.y_eval[rows],
                         f"{self.eval_split} (left out of scoring)", keep)

    def map_votes(self, fn: Callable[[VoteMatrix], VoteMatrix], **changes: Any) -> BenchData:
        """This dataset with ``fn`` applied to the votes of every split (rows unchanged; the
        evaluation votes stay the fit votes when they are the same rows), and ``changes``.

        >>> data = parse_synthetic("n=20,m=4,k=2").load()
        >>> half = data.map_votes(lambda L: L[:, :2], name="half")
        >>> half.name, half.L_fit.shape, half.same_rows
        ('half', (20, 2), True)
        """
        def apply(L):
            return None if L is None else fn(L)

        L_fit = fn(self.L_fit)
        return replace(self, L_fit=L_fit,
                       L_eval=L_fit if self.same_rows else apply(self.L_eval),
                       L_valid=apply(self.L_valid), **changes)

    def without(self, keep: np.ndarray) -> BenchData:
        """This dataset scored on the evaluation rows in ``keep`` only (fit rows unchanged)."""
        return replace(self, L_eval=self.L_eval[np.flatnonzero(keep)],
                       y_eval=self.y_eval[keep])


@dataclass
class DevSample:
    """Gold dev labels for a method: votes, labels, where they come from, and which
    evaluation rows stay scored (``None``: all of them)."""

    L: VoteMatrix
    y: np.ndarray
    split: str
    keep: np.ndarray | None = None


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
        L_fit = ds[names[0]].L if len(names) == 1 else np.vstack([ds[s].L for s in names])
    L_eval = y_eval = None
    if eval_split is not None:
        L_eval, y_eval = ds[eval_split].L, ds[eval_split].y
    valid = ds.splits.get("valid")
    labelled_valid = valid is not None and valid.has_labels and eval_split != "valid"
    return BenchData(ds.name, ds.metric, ds.cardinality, L_fit, L_eval, y_eval, fit_split,
                     eval_split, source, {"path": None if ds.path is None else str(ds.path),
                                          "rule_agreement": rule_agreement(ds)}, y_fit,
                     valid.L if labelled_valid else None, valid.y if labelled_valid else None)


def _repo_root() -> Path:
    import wslib

    return Path(wslib.__file__).resolve().parents[1]


def default_data_dir(kind: str = "wrench") -> Path | None:
    """The shared data folder ``../shared/data/<kind>`` (``wrench``, ``verifiers``; from
    the working directory or the repository root), or ``None`` when neither exists."""
    for base in (Path.cwd(), _repo_root()):
        candidate = base.parent / "shared" / "data" / kind
        if candidate.is_dir():
            return candidate
    return None


def default_data_dirs() -> list[Path]:
    """The data folders a benchmark reads by default: the shared WRENCH folder and
    ``benchmarks/data`` (written by ``benchmarks/get_data.py``), those that exist."""
    folders = [default_data_dir()]
    for base in dict.fromkeys((Path.cwd(), _repo_root())):
        candidate = base / "benchmarks" / "data"
        if candidate.is_dir() and any((p / "label.json").exists() for p in candidate.iterdir()):
            folders.append(candidate)
            break
    return [f for f in folders if f is not None]


def _folders(data: Path | Sequence[Path] | None) -> list[Path]:
    if data is None:
        return default_data_dirs()
    return [Path(data)] if isinstance(data, (str, Path)) else [Path(d) for d in data]


def wrench_specs(data: Path | Sequence[Path] | None) -> list[DatasetSpec]:
    """Datasets under ``data`` (a folder of dataset folders, or one, or a list of such
    folders); when ``data`` is None, :func:`default_data_dirs`, else the embedded
    youtube. Folders are read on first ``load()`` (then kept);
    :func:`resolve_datasets` loads the chosen ones before any benchmark runs, so a
    broken folder fails early, naming the file."""
    folders = _folders(data)
    if not folders:
        return [DatasetSpec("youtube", cache(lambda: from_wrench(load_embedded("youtube"),
                                                                 "embedded")), "embedded")]
    return [DatasetSpec(folder.name, cache(lambda folder=folder: from_wrench(load_wrench(folder))),
                        "wrench") for root in folders for folder in find_datasets(root)]


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


def rule_vote_specs(data: Path | Sequence[Path] | None, names: list[str]) -> list[DatasetSpec]:
    """``<name>-rules`` for each WRENCH dataset in ``names``: its votes re-applied on
    every split from the regex rules its readme lists
    (:func:`wslib.datasets.wrench.rule_votes`, which checks that they reproduce the
    train votes). A name not under ``data`` (see :func:`wrench_specs`) raises
    :class:`BenchmarkError`."""
    roots = _folders(data)
    folders = {f.name: f for root in roots for f in find_datasets(root)}
    unknown = [n for n in names if n not in folders]
    if unknown:
        raise BenchmarkError(f"--rule-votes: no dataset {unknown} under "
                             f"{', '.join(map(str, roots)) or 'the default folders'}; "
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


def resolve_datasets(data: Path | Sequence[Path] | None, synthetic: list[str],
                     names: list[str] | None, include_wrench: bool = True,
                     revote: Sequence[str] = ()) -> list[DatasetSpec]:
    """WRENCH datasets (see :func:`wrench_specs`; ``revote``: see
    :func:`rule_vote_specs`) then synthetic ones, filtered by ``names`` (an unknown
    name raises :class:`BenchmarkError` listing the valid ones)."""
    specs = wrench_specs(data) if include_wrench else []
    if include_wrench and revote:
        specs += rule_vote_specs(data, list(revote))
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
