"""Load weak-supervision datasets in the WRENCH layout.

A WRENCH dataset is a folder with ``train.json``, ``valid.json``, ``test.json``
(any subset), ``label.json`` (class id -> name) and optionally
``labeled_ids.json``. Each split maps an item id to
``{"label": int, "weak_labels": [int, ...], "data": {...}}``; ``-1`` abstains.

Example
-------
>>> from wslib.datasets import load_embedded
>>> ds = load_embedded("youtube")
>>> ds["train"].L.shape
(1586, 10)
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wslib.exceptions import WslibWarning, user_stacklevel
from wslib.matrix import ABSTAIN, VoteMatrix, to_dense, vote_dtype

if TYPE_CHECKING:
    from wslib.lf import LabelingFunction

SPLITS = ("train", "valid", "test")
EMBEDDED = ("youtube",)

__all__ = ["Split", "WrenchDataset", "load_wrench", "write_wrench", "load_embedded",
           "find_datasets", "wrench_metric", "readme_rules", "rule_votes", "rule_agreement",
           "SPLITS", "EMBEDDED"]


@dataclass(repr=False)
class Split:
    """One split of a dataset: votes ``L``, gold ``y`` (``-1`` where unknown), raw ``data``.

    >>> from wslib.datasets import load_embedded
    >>> load_embedded("youtube")["test"]
    Split(250 items, 10 LFs, 250 labelled, columns ['text'])
    """

    L: np.ndarray
    y: np.ndarray
    data: pd.DataFrame
    ids: list[str]

    @property
    def has_labels(self) -> bool:
        return bool(np.all(self.y >= 0)) and self.y.size > 0

    def __len__(self) -> int:
        return int(self.L.shape[0])

    def __repr__(self) -> str:
        columns = [str(c) for c in self.data.columns]
        shown = repr(columns[:8])[:-1] + (", ...]" if len(columns) > 8 else "]")
        return (f"Split({len(self)} items, {self.L.shape[1]} LFs, "
                f"{int(np.count_nonzero(self.y >= 0))} labelled, columns {shown})")


@dataclass(repr=False)
class WrenchDataset:
    """A dataset: named splits, class names, and the WRENCH metric to report.

    >>> from wslib.datasets import load_embedded
    >>> load_embedded("youtube")
    WrenchDataset('youtube', classes ['HAM', 'SPAM'], 10 LFs, splits train=1586 valid=120 ...)
    """

    name: str
    splits: dict[str, Split]
    label_names: list[str]
    path: Path | None = None
    labeled_ids: list[str] = field(default_factory=list)

    @property
    def cardinality(self) -> int:
        return len(self.label_names)

    @property
    def n_sources(self) -> int:
        return int(next(iter(self.splits.values())).L.shape[1])

    @property
    def metric(self) -> str:
        return wrench_metric(self.name, self.cardinality)

    @property
    def fit_split(self) -> str:
        """Split used to fit models: ``train`` when present, else the first available."""
        return "train" if "train" in self.splits else next(iter(self.splits))

    @property
    def eval_split(self) -> str | None:
        """Split used for scores: ``test`` when labelled, else ``valid``, else ``None``."""
        for name in ("test", "valid"):
            if name in self.splits and self.splits[name].has_labels:
                return name
        return None

    def __repr__(self) -> str:
        splits = " ".join(f"{name}={len(split)}" for name, split in self.splits.items())
        return (f"WrenchDataset({self.name!r}, classes {self.label_names}, {self.n_sources} LFs, "
                f"splits {splits}, metric {self.metric})")

    def __getitem__(self, split: str) -> Split:
        if split not in self.splits:
            raise KeyError(f"dataset {self.name!r} has no split {split!r}; "
                           f"it has {sorted(self.splits)}")
        return self.splits[split]


#: Datasets whose WRENCH metric is F1 of the positive class (binary, imbalanced).
F1_DATASETS = {"sms", "spouse", "cdr", "basketball", "tennis", "census", "commercial"}


def wrench_metric(name: str, cardinality: int) -> str:
    """The metric WRENCH reports for a dataset: F1 of class 1 for imbalanced binary sets
    (named as in WRENCH, case aside; ``sms-rules`` is sms).

    >>> wrench_metric("CDR", 2), wrench_metric("sms-rules", 2), wrench_metric("trec", 6)
    ('f1', 'f1', 'accuracy')
    """
    base = name.lower().removesuffix("-rules")
    return "f1" if cardinality == 2 and base in F1_DATASETS else "accuracy"


def _read_split(path: Path, cardinality: int) -> Split:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path} must map item ids to records, got {type(raw).__name__}")
    ids = list(raw)
    if not ids:
        return Split(np.empty((0, 0), dtype=np.int8), np.empty(0, dtype=np.int64),
                     pd.DataFrame(), [])
    no_votes = next((i for i in ids if not isinstance(raw[i], dict)
                     or not isinstance(raw[i].get("weak_labels"), list)), None)
    if no_votes is not None:
        raise ValueError(f"{path}: item {no_votes!r} has no 'weak_labels' list")
    widths = {len(rec["weak_labels"]) for rec in raw.values()}
    if len(widths) != 1:
        first_bad = next(i for i in ids if len(raw[i]["weak_labels"])
                         != len(raw[ids[0]]["weak_labels"]))
        raise ValueError(f"{path}: items have different numbers of weak labels {sorted(widths)} "
                         f"(e.g. item {first_bad!r})")
    L = _integer_table(path, ids, [raw[i]["weak_labels"] for i in ids], "weak label")
    L = L.reshape(len(ids), -1)
    bad = (L < ABSTAIN) | (L >= cardinality)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"{path}: item {ids[r]!r} has weak label {L[r, c]} in column {c}, "
                         f"outside -1..{cardinality - 1}")
    y = _integer_table(path, ids, [[-1 if raw[i].get("label") is None else raw[i]["label"]]
                                   for i in ids], "label")[:, 0]
    bad_y = np.flatnonzero((y < ABSTAIN) | (y >= cardinality))
    if bad_y.size:
        raise ValueError(f"{path}: item {ids[bad_y[0]]!r} has label {y[bad_y[0]]}, outside "
                         f"0..{cardinality - 1} (or -1 / null for unknown)")
    data = pd.DataFrame([raw[i].get("data", {}) for i in ids])
    data.index = pd.Index(ids, name="id")
    return Split(L.astype(vote_dtype(cardinality)), y, data, ids)


def _integer_table(path: Path, ids: list[str], rows: list[list], what: str) -> np.ndarray:
    """``rows`` as an int64 array; a value that is not a JSON number (a string, a
    boolean, a nested list), or a fractional, non-finite or huge one, is an error naming
    the file, item and column (never converted or truncated silently)."""
    # JSON values have exact types (a boolean is not an int here); the cell-by-cell
    # search for the first bad one runs only when some value is not a number
    bad = None
    if not set(map(type, itertools.chain.from_iterable(rows))) <= {int, float}:
        bad = next((r, c) for r, row in enumerate(rows) for c, v in enumerate(row)
                   if type(v) not in (int, float))
    arr = None if bad is not None else np.array(rows, dtype=np.float64)
    if arr is not None and arr.size:
        wrong = ~np.isfinite(arr) | (arr != np.round(arr)) | (np.abs(arr) > 2.0 ** 53)
        if wrong.any():
            bad = tuple(int(i) for i in np.argwhere(wrong)[0])
    if bad is not None:
        r, c = bad
        raise ValueError(f"{path}: item {ids[r]!r} has {what} {rows[r][c]!r} in column {c}; "
                         "expected an integer")
    return arr.astype(np.int64)


def load_wrench(path: str | Path, splits: str | tuple[str, ...] = SPLITS) -> WrenchDataset:
    """Load one WRENCH-format dataset folder.

    ``splits`` names the splits to read (one name or several). Missing splits
    are skipped, but at least one must exist; LF counts must agree across
    splits. Errors name the offending file.
    """
    path = Path(path)
    if isinstance(splits, str):  # one split by name, not its letters
        splits = (splits,)
    if not path.is_dir():
        raise FileNotFoundError(f"dataset folder {path} does not exist")
    label_file = path / "label.json"
    if not label_file.exists():
        raise FileNotFoundError(f"{label_file} is missing: a WRENCH dataset needs label.json")
    try:
        with open(label_file, encoding="utf-8") as fh:
            labels = json.load(fh)
        label_names = [labels[str(c)] for c in sorted(int(c) for c in labels)]
    except (json.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{label_file} must be a JSON object mapping class ids 0..k-1 to "
                         f"names: {exc}") from exc
    if [int(c) for c in sorted(int(c) for c in labels)] != list(range(len(label_names))):
        raise ValueError(f"{label_file}: class ids must be 0..k-1, got {sorted(labels)}")
    found: dict[str, Split] = {}
    for split in splits:
        file = path / f"{split}.json"
        if file.exists():
            found[split] = _read_split(file, len(label_names))
    if not found:
        raise FileNotFoundError(
            f"{path} has none of the split files {[s + '.json' for s in splits]}"
        )
    widths = {name: s.L.shape[1] for name, s in found.items() if len(s)}
    if len(set(widths.values())) > 1:
        raise ValueError(f"{path}: splits have different numbers of labeling functions: "
                         + ", ".join(f"{n}.json has {w}" for n, w in widths.items()))
    m = next(iter(widths.values()), 0)
    found = {name: s if len(s) else replace(s, L=np.empty((0, m), dtype=s.L.dtype))
             for name, s in found.items()}  # an empty split has the other splits' LFs
    labeled: list[str] = []
    if (path / "labeled_ids.json").exists():
        with open(path / "labeled_ids.json", encoding="utf-8") as fh:
            content = json.load(fh)
        if isinstance(content, dict):
            content = content.get("labeled_ids", [])
        labeled = [str(i) for i in content]
    return WrenchDataset(path.name, found, label_names, path, labeled)


def write_wrench(path: str | Path, splits: Mapping[str, Split | tuple[VoteMatrix, np.ndarray]],
                 label_names: Sequence[str]) -> Path:
    """Write a WRENCH-layout folder that :func:`load_wrench` reads back.

    ``splits`` maps ``train`` / ``valid`` / ``test`` to a :class:`Split` (its
    ids and ``data`` columns are kept) or to ``(L, y)``, items then numbered
    ``0..n-1`` with no data; ``y = -1`` is written as an unknown (``null``)
    label; ``data`` cells are written as JSON values that read back as written
    (floats at full precision, timestamps as ISO 8601 text, missing as ``null``).
    JSON has no infinity: a ``±inf`` cell raises ``ValueError`` naming the split,
    row and column. Votes and labels are checked against ``label_names`` first,
    with an error naming the split, row and column; nothing is written until every
    split passes; ``path`` is created.

    >>> import tempfile, numpy as np
    >>> votes, gold = np.array([[0, -1], [1, 1]]), np.array([0, -1])
    >>> folder = write_wrench(tempfile.mkdtemp() + "/toy", {"test": (votes, gold)}, ["no", "yes"])
    >>> load_wrench(folder)["test"].y.tolist()
    [0, -1]
    """
    k = len(label_names)
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise ValueError(f"split names must be among {list(SPLITS)}, got {unknown}")
    parts = {name: _split_of(name, split) for name, split in splits.items()}
    widths = {name: s.L.shape[1] for name, s in parts.items()}
    if len(set(widths.values())) > 1:
        raise ValueError("splits have different numbers of labeling functions: " + ", ".join(
            f"{name} has {w}" for name, w in widths.items()))
    for name, part in parts.items():
        _check_written(name, part, k)
    texts = {"label": json.dumps({str(c): str(n) for c, n in enumerate(label_names)})}
    for name, part in parts.items():
        items = {str(i): {"label": None if t < 0 else int(t), "weak_labels": votes,
                          "data": row}
                 for i, t, votes, row in zip(part.ids, part.y.tolist(), part.L.tolist(),
                                             _json_rows(name, part))}
        texts[name] = json.dumps(items, allow_nan=False)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (path / f"{name}.json").write_text(text, encoding="utf-8")
    return path


def _json_rows(name: str, part: Split) -> list[dict]:
    """The ``data`` rows of split ``name`` as JSON objects (see :func:`_json_cell`); a
    cell JSON cannot hold raises ``ValueError`` naming the split, row and column."""
    if not len(part.data.columns):
        return [{}] * len(part)
    rows = []
    for r, record in enumerate(part.data.to_dict(orient="records")):
        row: dict = {}
        rows.append(row)
        for column, value in record.items():
            try:
                row[str(column)] = _json_cell(value)
            except ValueError as exc:
                raise ValueError(f"split {name!r}: row {r} (id {part.ids[r]!r}) has {exc} in "
                                 f"data column {column!r}; JSON has no infinity: replace it (a "
                                 "finite number, or NaN / None for a missing value)") from None
    return rows


def _json_cell(value):
    """A ``data`` cell as a JSON value that reads back as written: floats at full
    precision (JSON's shortest round-trip form), NumPy values as Python ones, lists
    and arrays element by element, timestamps as ISO 8601 text, missing as ``null``;
    ``ValueError`` for ``±inf``, which JSON cannot hold.

    >>> _json_cell(np.float64(0.1) + 0.2), _json_cell(np.array([1 / 3])), _json_cell(np.nan)
    (0.30000000000000004, [0.3333333333333333], None)
    """
    if isinstance(value, np.ndarray | list | tuple):
        return [_json_cell(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isinf(value):
        raise ValueError(f"the value {value!r}")
    if isinstance(value, float) and np.isnan(value) or value is None or value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _split_of(name: str, split: Split | tuple[VoteMatrix, np.ndarray]) -> Split:
    """A :class:`Split` with a dense 2-D ``L`` and as many labels, ids and data rows."""
    if not isinstance(split, Split):
        L, y = split
        n = int(L.shape[0])
        split = Split(L, np.asarray(y), pd.DataFrame(index=range(n)), [str(i) for i in range(n)])
    L, y = to_dense(split.L), np.asarray(split.y)
    if L.ndim != 2 or y.shape != (L.shape[0],):
        raise ValueError(f"split {name!r}: L must be 2-D with one label per row, got L of "
                         f"shape {L.shape} and y of shape {y.shape}")
    if len(split.ids) != L.shape[0] or len(split.data) != L.shape[0]:
        raise ValueError(f"split {name!r}: {len(split.ids)} ids and {len(split.data)} data rows "
                         f"for {L.shape[0]} rows of votes")
    keys = pd.Series([str(i) for i in split.ids])  # the file's item keys
    if keys.duplicated().any():
        row = int(np.flatnonzero(keys.duplicated().to_numpy())[0])
        raise ValueError(f"split {name!r}: row {row} has id {split.ids[row]!r}, the key of an "
                         "earlier row as the file writes it (text); each item needs its own "
                         "id, or the file would keep one of them")
    return replace(split, L=L, y=y)


def _check_written(name: str, split: Split, k: int) -> None:
    for what, values in (("vote", split.L), ("label", split.y[:, None])):
        if values.dtype == bool:  # True/False would be written as JSON booleans
            raise TypeError(f"split {name!r}: the {what}s have boolean dtype; write class ids "
                            f"0..{k - 1} (-1 = abstain or unknown) as integers")
        bad = (values < ABSTAIN) | (values >= k) | (values != np.round(values))
        if bad.any():
            r, c = np.argwhere(bad)[0]
            where = f"column {c}" if what == "vote" else "its label"
            raise ValueError(f"split {name!r}: row {r} has {what} {values[r, c].item()!r} in "
                             f"{where}, outside -1..{k - 1}")


def load_embedded(name: str = "youtube") -> WrenchDataset:
    """Load a dataset shipped inside wslib (``youtube``: UCI YouTube Spam Collection,
    WRENCH release, 10 LFs; see ``wslib/datasets/data/youtube/readme.txt``)."""
    if name not in EMBEDDED:
        raise ValueError(f"unknown embedded dataset {name!r}; available: {list(EMBEDDED)}")
    with resources.as_file(resources.files("wslib.datasets") / "data" / name) as folder:
        return load_wrench(folder)


def find_datasets(path: str | Path) -> list[Path]:
    """Dataset folders under ``path``: ``path`` itself if it holds ``label.json``,
    else its sub-folders that do (sorted by name). A sub-folder that looks like a
    dataset but is not read (split files without ``label.json``, or datasets one level
    down) is named in a warning."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"data folder {path} does not exist")
    if (path / "label.json").exists():
        return [path]
    folders = sorted(p for p in path.iterdir() if p.is_dir())
    found = [p for p in folders if (p / "label.json").exists()]
    skipped = [f"{p.name} ({why})" for p in folders if p not in found
               for why in [_not_a_dataset(p)] if why]
    if not found:
        raise FileNotFoundError(f"{path} holds no WRENCH dataset (no label.json in it or "
                                "its sub-folders)" + (f"; skipped: {', '.join(skipped)}"
                                                      if skipped else ""))
    if skipped:
        warnings.warn(f"{path}: sub-folders that look like datasets were skipped: "
                      f"{', '.join(skipped)}", WslibWarning, stacklevel=user_stacklevel())
    return found


def _not_a_dataset(folder: Path) -> str | None:
    """Why a folder without ``label.json`` that looks like a dataset is not read: it has
    split files, or holds datasets one level down; ``None`` when it looks like neither."""
    splits = [f"{s}.json" for s in SPLITS if (folder / f"{s}.json").exists()]
    if splits:
        return f"{', '.join(splits)} but no label.json"
    if any((child / "label.json").exists() for child in folder.iterdir() if child.is_dir()):
        return "it holds datasets one level down: pass it as the data folder itself"
    return None


def readme_rules(ds: WrenchDataset) -> list[LabelingFunction]:
    r"""The regex LFs a dataset's ``readme.txt`` lists, as :func:`wslib.lf.regex_lf` LFs.

    A rule is a line ``<class>\t<pattern>[\t<example>]`` (the layout of
    WRENCH's sms and trec readmes), where ``<class>`` is a class name or a
    word it abbreviates (``NUMERIC`` for ``NUM``, case ignored); the pattern
    matches case-sensitively anywhere in the ``text`` field. No readme or no
    such line gives an empty list.

    >>> from wslib.datasets import load_embedded
    >>> readme_rules(load_embedded("youtube"))  # its LFs are Python code, not rules
    []
    """
    from wslib.lf import regex_lf

    readme = None if ds.path is None else ds.path / "readme.txt"
    if readme is None or not readme.exists():
        return []
    rules = [line.split("\t") for line in readme.read_text(encoding="utf-8").splitlines()]
    rules = [(_rule_class(r[0], ds.label_names), r[1]) for r in rules if len(r) >= 2 and r[1]]
    return [regex_lf(pattern, label, "text", name=f"rule_{j}", case_sensitive=True)
            for j, (label, pattern) in enumerate(r for r in rules if r[0] is not None)]


def _rule_class(word: str, names: list[str]) -> int | None:
    """The class a readme rule names: the one class whose name is ``word`` or is
    abbreviated by it (same first letter, letters in order), case ignored."""
    word = word.strip().lower()

    def abbreviates(name: str) -> bool:
        rest = iter(word)
        return name[:1] == word[:1] and all(ch in rest for ch in name)

    names = [n.lower() for n in names]
    if word in names:
        return names.index(word)
    hits = [c for c, name in enumerate(names) if name and abbreviates(name)]
    return hits[0] if len(hits) == 1 else None


def rule_votes(ds: WrenchDataset) -> WrenchDataset:
    """``ds`` with every split's votes recomputed by applying its readme rules to the texts.

    A check that the shipped votes belong to their rows: the rules count as the
    dataset's LFs only when they reproduce the fit split's votes exactly, and
    then any other split whose shipped votes differ from the recomputed ones
    does not match its texts: it holds votes of other items, or its texts
    were changed after voting. (WRENCH's sms: the readme's 73 rules reproduce
    every train vote, but only 41 % of the valid and 42 % of the test rows,
    whose shipped votes belong to other messages; trec's test texts gained a
    leading label word and their capitals.)

    Raises ``ValueError`` when the readme lists no rules, a number other than
    the dataset's LFs, or rules that do not reproduce the fit split's votes.
    """
    from wslib.apply import apply_lfs

    lfs = readme_rules(ds)
    if len(lfs) != ds.n_sources:
        raise ValueError(f"dataset {ds.name!r}: its readme lists {len(lfs)} rules for "
                         f"{ds.n_sources} LFs")
    splits = {}
    for name, split in ds.splits.items():
        if not len(split):
            splits[name] = split
            continue
        if "text" not in split.data:
            raise ValueError(f"dataset {ds.name!r}: split {name!r} has no 'text' field")
        L = np.asarray(apply_lfs(split.data, lfs, cardinality=ds.cardinality))
        splits[name] = replace(split, L=L.astype(split.L.dtype))
    fit = ds.fit_split
    same = splits[fit].L == ds[fit].L
    if not same.all():
        row = int(np.argmax(~same.all(axis=1)))
        raise ValueError(f"dataset {ds.name!r}: the readme rules do not reproduce the "
                         f"{fit} votes ({same.mean():.1%} of cells agree; first differing item "
                         f"{ds[fit].ids[row]!r}), so they are not its LFs")
    return replace(ds, splits=splits)


def rule_agreement(ds: WrenchDataset) -> dict[str, float] | None:
    """Per split, the share of rows whose shipped votes equal those of the readme rules.

    ``None`` when the readme lists no rules or they do not reproduce the fit
    split's votes (then they are not the dataset's LFs). A split far below
    1.0 was shipped with votes of other items, or with texts changed after
    voting; :func:`rule_votes` gives the re-applied votes.

    >>> from wslib.datasets import load_embedded
    >>> rule_agreement(load_embedded("youtube")) is None  # no rules in its readme
    True
    """
    if not readme_rules(ds):
        return None
    try:
        revoted = rule_votes(ds)
    except ValueError:
        return None
    return {name: float((revoted[name].L == split.L).all(axis=1).mean()) if len(split) else 1.0
            for name, split in ds.splits.items()}
