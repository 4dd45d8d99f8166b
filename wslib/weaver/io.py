"""Verifier tables: read, validate and align (problem, candidate, verifier scores).

Two layouts are read:

* **long** (one row per candidate): a problem-id column, a candidate-id column,
  one numeric column per verifier, optionally the candidate's final answer and
  a 0/1 correctness column. Any pandas frame, Parquet, CSV or JSON-lines file.
* **Weaver's published layout** (one row per problem, as in the
  ``hazyresearch/*_with_Llama_3.1_*`` Hugging Face datasets): list-valued
  columns ``samples``, ``extracted_answers``, ``answer_correct`` and one list
  column per verifier (``*_scores`` for reward models, ``*_verdicts`` for
  LM judges). It is detected by its list-valued cells and exploded to long form;
  the problem id is the row position (or ``problem_id`` / ``instruction`` when
  present) and the candidate id is the sample's position in its list.

Rows are sorted by (problem id, candidate id), so the order of rows in the file
never changes a result. ``VerifierTable.frame_index`` keeps each row's position
in the input for writing results back.

Example
-------
>>> import pandas as pd
>>> from wslib.weaver import VerifierTable
>>> df = pd.DataFrame({"problem_id": [1, 1, 2], "candidate_id": [1, 0, 0],
...                    "rm": [0.2, 0.9, 0.5], "correct": [0, 1, 1]})
>>> t = VerifierTable.from_frame(df)
>>> t.verifiers, t.scores[:, 0].tolist(), t.labels.tolist()
(['rm'], [0.9, 0.2, 0.5], [1, 0, 1])
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wslib.exceptions import WslibWarning, user_stacklevel

__all__ = [
    "ANSWER_COLUMNS",
    "IgnoredColumnWarning",
    "LABEL_COLUMNS",
    "VERDICTS",
    "VerifierTable",
    "from_weaver_layout",
    "read_table",
]

#: column names tried, in order, when ``labels="auto"`` / ``answer="auto"``
LABEL_COLUMNS = ("correct", "answer_correct", "is_correct", "label")
ANSWER_COLUMNS = ("answer", "extracted_answers", "extracted_answer", "final_answer")
#: text columns of Weaver's layout that are never verifiers
_TEXT_COLUMNS = ("instruction", "samples", "question", "prompt", "response")
#: id columns that are never verifiers, even when not used as ids (e.g. ``candidate=None``)
_ID_COLUMNS = ("problem_id", "candidate_id", "sample_id", "id")
#: text verdicts of a judge, read as scores (case and surrounding spaces ignored)
VERDICTS = {"yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0, "y": 1.0, "n": 0.0,
            "pass": 1.0, "fail": 0.0, "correct": 1.0, "incorrect": 0.0}


class IgnoredColumnWarning(WslibWarning):
    """A table column was not taken as a verifier because it holds text."""


@dataclass(frozen=True)
class VerifierTable:
    """A validated verifier table, rows sorted by (problem, candidate).

    Attributes
    ----------
    problem : int64 array (n,)
        Problem index of each row (``0..n_problems-1``, non-decreasing).
    starts : int64 array (n_problems + 1,)
        Row offsets: rows ``starts[i]:starts[i+1]`` are problem ``i``'s candidates.
    problem_ids, candidate_ids : arrays
        Original ids (``problem_ids[i]`` names problem ``i``).
    scores : float64 array (n, m)
        Raw verifier scores, ``NaN`` where missing.
    verifiers : list of str
        Verifier (column) names.
    labels : int8 array (n,) or None
        1 when the candidate is correct, 0 when not, -1 where unknown (a missing
        cell: e.g. only the dev problems labelled).
    answers : int64 array (n,) or None
        Code of the candidate's final answer; equal codes in a problem are the same answer.
    frame_index : int64 array (n,)
        Position of each row in the input frame.
    roles : dict
        The input column used as ``problem``, ``candidate``, ``answer`` and ``labels``
        (``None`` where there is none).
    """

    problem: np.ndarray
    starts: np.ndarray
    problem_ids: np.ndarray
    candidate_ids: np.ndarray
    scores: np.ndarray
    verifiers: list[str]
    labels: np.ndarray | None = None
    answers: np.ndarray | None = None
    frame_index: np.ndarray | None = None
    roles: dict | None = None

    @property
    def n_problems(self) -> int:
        return int(self.starts.size - 1)

    @property
    def sizes(self) -> np.ndarray:
        """Number of candidates of each problem."""
        return np.diff(self.starts)

    @property
    def labelled(self) -> np.ndarray:
        """Boolean mask over the problems: those whose every candidate has a label (all
        of them when the table has no unknown label; none without a labels column)."""
        if self.labels is None:
            return np.zeros(self.n_problems, dtype=bool)
        return np.minimum.reduceat(self.labels, self.starts[:-1]) >= 0

    def with_scores(self, scores: np.ndarray, verifiers: list[str]) -> VerifierTable:
        """The same rows with other score columns (e.g. after filtering)."""
        return VerifierTable(self.problem, self.starts, self.problem_ids, self.candidate_ids,
                             np.asarray(scores, dtype=np.float64), list(verifiers), self.labels,
                             self.answers, self.frame_index, self.roles)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, problem: str = "problem_id",
                   candidate: str | None = "candidate_id", answer: str | None = "auto",
                   labels: str | None = "auto", verifiers: list[str] | None = None
                   ) -> VerifierTable:
        """Validate a long frame; see :func:`read_table` for the parameters."""
        if len(df) == 0:
            raise ValueError("the verifier table has zero rows")
        lists = [c for c in df.columns if _is_list_column(df[c])]
        if lists:
            if candidate is not None and candidate in df.columns:
                # a long table (one row per candidate) with list cells, e.g. a process
                # reward model's step scores: exploding it as Weaver's layout would read
                # the steps as candidates and drop the other columns
                raise ValueError(
                    f"columns {lists[:5]} hold lists in a table with a candidate column "
                    f"{candidate!r} (one row per candidate); lists are read only in Weaver's "
                    "one-row-per-problem layout (one entry per sample). Reduce step scores "
                    "to numbers, e.g. prm_min, prm_mean, prm_last (read as one process "
                    "reward model's family)")
            df = from_weaver_layout(df)
            if problem not in df.columns:
                problem = "problem_id"
            if candidate is not None and candidate not in df.columns:
                candidate = "candidate_id"
        labels = _auto_column(df, labels, LABEL_COLUMNS)
        answer = _auto_column(df, answer, ANSWER_COLUMNS)
        for role, col in (("problem", problem), ("candidate", candidate), ("labels", labels),
                          ("answer", answer)):
            if col is not None and col not in df.columns:
                raise KeyError(f"{role} column {col!r} not in the table; columns are "
                               f"{list(df.columns)}")
        used = {c for c in (problem, candidate, labels, answer) if c is not None}
        if verifiers is None:
            verifiers = [c for c in df.columns if c not in used and _numeric_column(df[c])]
            _warn_text_columns(df, used, verifiers)
        else:
            verifiers = list(verifiers)
            missing = [v for v in verifiers if v not in df.columns]
            if missing:
                raise KeyError(f"verifier columns {missing} not in the table")
            overlap = [v for v in verifiers if v in used]
            if overlap:
                raise ValueError(f"columns {overlap} are used as ids/labels/answers, "
                                 "not verifiers")
        if not verifiers:
            raise ValueError("no numeric verifier columns found; name them with verifiers=")
        scores = np.column_stack([_to_scores(df[v], v) for v in verifiers])

        pid = df[problem].to_numpy()
        if pd.isna(df[problem]).any():
            row = int(np.flatnonzero(pd.isna(df[problem]).to_numpy())[0])
            raise ValueError(f"problem column {problem!r} is missing at row {row}")
        if candidate is None:  # position of appearance within the problem
            cid = df.groupby(problem, sort=False).cumcount().to_numpy()
        else:
            cid = df[candidate].to_numpy()
            if pd.isna(df[candidate]).any():
                row = int(np.flatnonzero(pd.isna(df[candidate]).to_numpy())[0])
                raise ValueError(f"candidate column {candidate!r} is missing at row {row}")
        pcode, pids = _sorted_codes(pid)
        ccode, _ = _sorted_codes(cid)
        order = np.lexsort((ccode, pcode))
        pcode, ccode = pcode[order], ccode[order]
        dup = np.flatnonzero((np.diff(pcode) == 0) & (np.diff(ccode) == 0))
        if dup.size:
            pairs = [(_plain(pid[order[i]]), _plain(cid[order[i]])) for i in dup[:5]]
            raise ValueError(f"{dup.size} duplicate (problem, candidate) rows, e.g. "
                             f"{pairs}; each candidate of a problem must appear once")
        starts = np.searchsorted(pcode, np.arange(pids.size + 1)).astype(np.int64)
        y = None if labels is None else _to_labels(df[labels], labels)[order]
        ans = None
        if answer is not None:
            # a missing answer pools with nothing: its key is unique to its row
            keys = np.where(pd.isna(df[answer]).to_numpy()[order],
                            "\x1e" + pd.Series(np.arange(order.size)).astype(str),
                            df[answer].astype(str).to_numpy()[order])
            ans = pd.factorize(pd.Series(pcode).astype(str) + "\x1f" + keys)[0].astype(np.int64)
        roles = {"problem": problem, "candidate": candidate, "answer": answer, "labels": labels}
        return cls(pcode.astype(np.int64), starts, pids, cid[order], scores[order], verifiers,
                   y, ans, order.astype(np.int64), roles)


def read_table(source: str | Path | pd.DataFrame, **kwargs) -> VerifierTable:
    """Read a verifier table from a frame or a ``.parquet``, ``.csv``, ``.tsv``, ``.jsonl`` or
    ``.json`` file (one JSON document or JSON lines).

    Parameters
    ----------
    source : path or DataFrame
    problem : str
        Problem-id column (default ``problem_id``).
    candidate : str or None
        Candidate-id column (default ``candidate_id``); ``None`` numbers the
        candidates of a problem in order of appearance (then row order matters).
    answer, labels : str, "auto" or None
        Final-answer column and 0/1 correctness column (a missing cell is an unknown
        label, ``-1``: label only the problems you may read, e.g. the dev set);
        ``"auto"`` takes the first of :data:`ANSWER_COLUMNS` / :data:`LABEL_COLUMNS`
        present, ``None`` none.
    verifiers : list of str, optional
        Verifier columns; by default every numeric column that is not an id,
        answer or label column, nor named like one (:data:`ANSWER_COLUMNS`,
        :data:`LABEL_COLUMNS`); text columns are ignored.

    Ids and answers are names, not numbers: a CSV's id and answer columns are read as
    text (``007`` stays ``007``, and ``01`` and ``1`` are two problems), as integers
    only when every value is one written plainly; JSON values keep their JSON types.
    Cells that pandas reads as missing in a CSV (empty, ``NA``, ``n/a``, ``null``, ...)
    are missing scores.
    """
    if isinstance(source, pd.DataFrame):
        return VerifierTable.from_frame(source, **kwargs)
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"verifier table {path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        df = pd.read_parquet(path)
    elif suffix in (".csv", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        header = pd.read_csv(path, sep=sep, nrows=0).columns
        text = [c for c in _text_columns(kwargs) if c in header]
        df = pd.read_csv(path, sep=sep, dtype=dict.fromkeys(text, str))
        for c in text:  # integers only where the text round-trips (no ``007``)
            if df[c].notna().all() and df[c].str.fullmatch(r"0|-?[1-9][0-9]{0,17}").all():
                df[c] = df[c].astype(np.int64)
    elif suffix in (".json", ".jsonl"):
        # JSON says which values are strings: no type guessing (``"007"`` stays text);
        # numbers parsed exactly, as in a CSV or a frame
        options = dict(dtype=False, convert_dates=False, precise_float=True)
        try:
            df = pd.read_json(path, lines=suffix == ".jsonl", **options)
        except ValueError as exc:
            if suffix == ".jsonl":
                raise
            try:  # JSON lines under a .json name
                df = pd.read_json(path, lines=True, **options)
            except ValueError:
                raise ValueError(f"cannot read {path} as JSON or as JSON lines: {exc}"
                                 ) from None
    else:
        raise ValueError(f"cannot read {path}: use .parquet, .csv, .tsv, .json or .jsonl")
    return VerifierTable.from_frame(df, **kwargs)


def _text_columns(options: dict) -> list[str]:
    """The id and answer columns that :func:`read_table` reads from a CSV as text."""
    answer = options.get("answer", "auto")
    columns = [options.get("problem", "problem_id"), options.get("candidate", "candidate_id")]
    columns += list(ANSWER_COLUMNS) if answer == "auto" else [answer]
    return [c for c in columns if c is not None]


def from_weaver_layout(df: pd.DataFrame) -> pd.DataFrame:
    """Explode Weaver's one-row-per-problem layout into one row per candidate.

    Every list-valued column must hold, for each problem, one value per sample
    (or ``None`` for a verifier that did not score that problem).
    """
    list_cols = [c for c in df.columns if _is_list_column(df[c])]
    lengths = np.column_stack([df[c].map(lambda v: -1 if v is None or (np.isscalar(v) and
                                                                         pd.isna(v))
                                         else len(v)).to_numpy() for c in list_cols])
    n_samples = lengths.max(axis=1)
    bad = (lengths != n_samples[:, None]) & (lengths != -1)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        found = {c: int(n) for c, n in zip(list_cols, lengths[row]) if n >= 0}
        raise ValueError(f"problem row {row}: the list columns hold different numbers of "
                         f"values (one per sample each): {found}")
    empty = np.flatnonzero(n_samples <= 0)
    if empty.size:
        raise ValueError(f"{empty.size} problem rows have no candidates (every list column "
                         f"empty or missing), e.g. row {int(empty[0])}; drop them or give "
                         "their samples")
    scalar = [c for c in df.columns if c not in list_cols and c not in _TEXT_COLUMNS
              and c != "problem_id"]
    if scalar:  # one value per problem: not a score of each sample
        warnings.warn(f"columns {scalar[:10]} hold one value per problem, not a list with one "
                      "value per sample, and are not used", IgnoredColumnWarning,
                      stacklevel=user_stacklevel())
    if "problem_id" in df.columns:
        pid = df["problem_id"].to_numpy()
    else:
        pid = np.arange(len(df))
    out = {"problem_id": np.repeat(pid, n_samples),
           "candidate_id": np.arange(n_samples.sum()) - np.repeat(np.cumsum(n_samples)
                                                                   - n_samples, n_samples)}
    for c in list_cols:
        if c in _TEXT_COLUMNS:
            continue
        cells = [np.full(k, np.nan) if n < 0 else np.asarray(v, dtype=object)
                 for v, n, k in zip(df[c], lengths[:, list_cols.index(c)], n_samples)]
        values = np.concatenate(cells) if cells else np.empty(0)
        out[c] = pd.Series(values).infer_objects().to_numpy()
    return pd.DataFrame(out)


def _is_list_column(col: pd.Series) -> bool:
    first = col.dropna().head(1)
    return bool(len(first)) and isinstance(first.iloc[0], (list, tuple, np.ndarray))


def _auto_column(df: pd.DataFrame, name: str | None, choices: tuple[str, ...]) -> str | None:
    if name != "auto":
        return name
    return next((c for c in choices if c in df.columns), None)


def _known_column(name) -> bool:
    """A column that is never a verifier, even when not used (e.g. ``answer=None``): named
    like an id, answer, label or text column, or a frame index written to CSV."""
    return (name in _TEXT_COLUMNS + ANSWER_COLUMNS + LABEL_COLUMNS + _ID_COLUMNS
            or re.fullmatch(r"Unnamed: \d+", str(name)) is not None)


def _numeric_column(col: pd.Series) -> bool:
    """Numeric, boolean, yes/no verdicts, or text that is mostly numbers (then validated
    as scores)."""
    if _known_column(col.name):
        return False
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return True
    values = col.dropna()
    if values.empty:
        return True  # an all-missing column: kept so the filter reports it
    if _verdicts(col) is not None:
        return True
    parsed = pd.to_numeric(values.astype(str), errors="coerce")
    return bool(parsed.notna().mean() >= 0.5)


def _verdicts(col: pd.Series) -> np.ndarray | None:
    """A text column of judge verdicts (:data:`VERDICTS`, e.g. "yes" / "no") as 1 / 0,
    NaN where missing; ``None`` when some value is not a verdict."""
    present = col.notna().to_numpy()
    words = col[present].astype(str).str.strip().str.lower()
    if words.empty or not words.isin(list(VERDICTS)).all():
        return None
    out = np.full(len(col), np.nan)
    out[present] = words.map(VERDICTS).to_numpy(dtype=np.float64)
    return out


def _warn_text_columns(df: pd.DataFrame, used: set, verifiers: list) -> None:
    """Say which columns are left out because they hold text (a judge's free-text
    output, or verdicts in words wslib does not read), so none is dropped silently."""
    text = [c for c in df.columns
            if c not in used and c not in verifiers and not _known_column(c)]
    if text:
        warnings.warn(f"columns {text[:10]} hold text and are not used as verifiers (yes/no "
                      f"style verdicts are read as 1/0: {sorted(VERDICTS)}); name score "
                      "columns with verifiers=[...] (--verifiers)", IgnoredColumnWarning,
                      stacklevel=user_stacklevel())


def _to_scores(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col):
        return col.astype(np.float64).to_numpy()
    verdicts = None if pd.api.types.is_numeric_dtype(col) else _verdicts(col)
    if verdicts is not None:
        values = verdicts
    elif pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        present = col.notna().to_numpy()
        parsed = pd.to_numeric(col.astype(str).where(present), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(present & np.isnan(parsed))
        if bad.size:
            raise TypeError(f"verifier column {name!r} holds non-numeric scores, e.g. "
                            f"{col.iloc[bad[0]]!r} at row {bad[0]} ({bad.size} rows)")
        values = parsed
    inf = np.flatnonzero(np.isinf(values))
    if inf.size:
        raise ValueError(f"verifier column {name!r} holds infinite scores at rows "
                         f"{inf[:5].tolist()}")
    return values


def _to_labels(col: pd.Series, name: str) -> np.ndarray:
    """0/1 (or boolean) correctness; a missing cell is an unknown label, ``-1``."""
    values = pd.to_numeric(col.astype(object).where(col.notna()).replace({True: 1, False: 0}),
                           errors="coerce")
    known = col.notna().to_numpy()
    bad = np.flatnonzero(known & ~values.isin([0, 1]).to_numpy())
    if bad.size:
        raise ValueError(f"labels column {name!r} must be 0/1 (or boolean); row {bad[0]} holds "
                         f"{_plain(col.iloc[bad[0]])!r} ({bad.size} bad rows)")
    return np.where(known, values.fillna(-1).to_numpy(), -1).astype(np.int8)


def _sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` in sorted order of the distinct values (strings if mixed)."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def _plain(value):
    """A numpy scalar as the Python value, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value
