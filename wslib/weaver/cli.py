"""``wslib weaver TABLE.parquet|csv [--labels COLUMN] --out DIR``.

Reads a verifier table (long layout or Weaver's published layout), fits Weaver
without gold, and writes to ``DIR``:

* ``selected.csv``: one row per problem: ``problem_id``, ``candidate_id``,
  ``n_candidates``, ``score`` (log-odds the candidate is correct), ``row`` (its
  row in the input file; for Weaver's layout, its position once exploded) and
  ``correct`` when labels are present;
* ``scores.csv``: every candidate's P(correct) (``problem_id``, ``candidate_id``,
  ``p_correct``);
* ``verifiers.csv``: each verifier column, kept or why dropped, learned quality;
* ``metrics.json`` (when a correctness column is present): ``selection_accuracy``
  (expected over tied candidates), ``selected_accuracy`` (of the rows in
  ``selected.csv``), ``pass_at_1``, ``majority_vote``, ``naive_mean``,
  ``best_single_verifier``, ``oracle_pass_at_n`` and more (see
  :mod:`wslib.weaver.metrics`), on the labelled problems *outside* the dev set when
  there is one. A missing label is unknown: a table may be labelled on its dev
  problems only (then no metrics are written).

With a few labelled problems, ``--dev FILE`` (one problem id per line: the problems
whose labels may be read) or ``--dev-fraction F`` (that share of the labelled
problems, drawn with ``--seed``; their ids are written to ``dev.txt``) fits Weaver's
dev mode;
``selected.csv`` then marks the dev problems in a ``dev`` column.

``DIR`` must be a new or empty folder; ``--force`` lets a folder holding a previous
run be reused: wslib's own output files there are removed first (no stale
``metrics.json`` beside a new ``selected.csv``), anything else is left alone. Each
file is written under a temporary name and renamed when all are complete.

Example::

    wslib weaver runs.parquet --labels correct --answer answer --out weaver_out/
    wslib weaver runs.parquet --dev-fraction 0.1 --seed 0 --out weaver_dev/
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from wslib.weaver.filter import VerifierDroppedWarning
from wslib.weaver.io import read_table
from wslib.weaver.metrics import selection_metrics
from wslib.weaver.weaver import MODES, REPRESENTATIONS, Weaver
from wslib.weaver.select import AGGREGATES, selection_frame

__all__ = ["OUTPUTS", "add_arguments", "run"]

#: the files ``wslib weaver`` writes to ``--out`` (the ones ``--force`` replaces)
OUTPUTS = ("selected.csv", "scores.csv", "verifiers.csv", "metrics.json", "dev.txt")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", type=Path, help="verifier table: .parquet, .csv, .tsv, .jsonl or .json")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="a new or empty folder for selected.csv, scores.csv, verifiers.csv, "
                             "metrics.json")
    parser.add_argument("--force", action="store_true",
                        help="reuse a non-empty --out folder: remove wslib's previous output "
                             "files there first (other files are kept)")
    parser.add_argument("--labels", default="auto", metavar="COLUMN",
                        help="0/1 correctness column, used only for metrics (default: the first "
                             "of correct, answer_correct, is_correct, label; 'none' for none)")
    parser.add_argument("--problem", default="problem_id", metavar="COLUMN",
                        help="problem-id column (default problem_id)")
    parser.add_argument("--candidate", default="candidate_id", metavar="COLUMN",
                        help="candidate-id column (default candidate_id; 'none': order of rows)")
    parser.add_argument("--answer", default="auto", metavar="COLUMN",
                        help="final-answer column, for majority vote and --aggregate answer "
                             "(default: answer, extracted_answers, ... if present; 'none')")
    parser.add_argument("--verifiers", default=None, metavar="A,B,...",
                        help="verifier columns (default: every other numeric column)")
    parser.add_argument("--mode", choices=MODES, default="label-free",
                        help="label-free (no gold anywhere, default) or faithful (the published "
                             "pipeline; reads the class balance from the labels)")
    parser.add_argument("--class-balance", type=float, default=None, metavar="P",
                        help="share of correct candidates, if known (the faithful mode "
                             "otherwise reads it from the labels)")
    parser.add_argument("--representation", choices=REPRESENTATIONS, default=None,
                        help="model continuous scores or binary votes (default: by mode)")
    parser.add_argument("--aggregate", choices=AGGREGATES, default=None,
                        help="select the best candidate, or the best answer by the answer-level "
                             "model (default: answer in label-free mode with continuous scores "
                             "when the table has an answer column, else candidate)")
    parser.add_argument("--max-correlation", type=float, default=0.95,
                        help="drop a verifier whose rank correlation with a kept one of "
                             "another family is at least this in absolute value (an inverted "
                             "copy is a duplicate too; 1 disables)")
    dev = parser.add_mutually_exclusive_group()
    dev.add_argument("--dev", type=Path, default=None, metavar="FILE",
                     help="problems whose labels may be read: one problem id per line")
    dev.add_argument("--dev-fraction", type=float, default=None, metavar="F",
                     help="label this share of the problems, drawn with --seed")
    parser.add_argument("--seed", type=_seed, default=0, metavar="S",
                        help="seed of --dev-fraction's draw and of Weaver's tie-break")


def _seed(value: str) -> int:
    """A non-negative integer seed."""
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value!r}")
    return seed


def _column(value: str | None) -> str | None:
    return None if value is None or value.lower() == "none" else value


def check_out(out: Path, force: bool) -> list[Path]:
    """Refuse an ``--out`` that is a file, or a non-empty folder without ``force``;
    returns wslib's previous outputs there (to remove before writing)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; give a new or empty folder")
    held = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if held and not force:
        raise ValueError(f"--out {out} is not empty (it holds {', '.join(held[:5])}"
                         f"{', ...' if len(held) > 5 else ''}); give a new or empty folder, or "
                         "pass --force to replace wslib's previous outputs there")
    return [out / name for name in OUTPUTS if name in held]


def write_outputs(out: Path, writers: dict[str, Callable[[Path], None]],
                  stale: list[Path]) -> None:
    """Each ``writers[name](path)`` writes a temporary file in ``out``; when all
    succeeded, ``stale`` outputs are removed and the files renamed into place."""
    out.mkdir(parents=True, exist_ok=True)
    done: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=out)
            os.close(fd)
            done[name] = Path(tmp)
            write(done[name])
        for path in stale:
            path.unlink(missing_ok=True)
        for name, tmp in done.items():
            os.replace(tmp, out / name)
    finally:
        for tmp in done.values():
            tmp.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    stale = check_out(args.out, args.force)  # before any work: a bad --out fails at once
    verifiers = None if args.verifiers is None else [v.strip() for v in args.verifiers.split(",")]
    twice = sorted({v for v in verifiers or [] if verifiers.count(v) > 1})
    if twice:  # else each copy is dropped as a duplicate of the other: "every verifier dropped"
        raise ValueError(f"--verifiers names {', '.join(map(repr, twice))} more than once")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = read_table(args.table, problem=args.problem, candidate=_column(args.candidate),
                           answer=_column(args.answer), labels=_column(args.labels),
                           verifiers=verifiers)
    for w in caught:
        print(f"warning: {w.message}")
    print(f"{table.n_problems} problems, {table.problem.size} candidates "
          f"({table.sizes.min()}-{table.sizes.max()} per problem), "
          f"{len(table.verifiers)} verifier columns: {', '.join(table.verifiers)}")
    print("columns used: " + ", ".join(f"{role}={col or '-'}" for role, col in table.roles.items()))
    dev = _dev_problems(args, table)
    weaver = Weaver(args.mode, representation=args.representation, aggregate=args.aggregate,
                    class_balance=args.class_balance, max_correlation=args.max_correlation,
                    random_state=args.seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        weaver.fit(table, dev=None if dev is None else table.problem_ids[dev])
    for name, why in weaver.dropped_.items():  # the drop warnings, with their reasons
        print(f"dropped verifier {name!r}: {why}")
    for w in caught:  # any other warning is shown, not swallowed
        if not issubclass(w.category, VerifierDroppedWarning):
            print(f"warning: {w.message}")
    print(f"kept {len(weaver.verifiers_)} verifiers; estimated share of correct candidates "
          f"{weaver.class_balance_:.3f}")
    if dev is not None:
        print(f"dev set: {int(dev.sum())} labelled problems; selection by the "
              f"{weaver.selector_} model; metrics on the other "
              f"{int((~dev & table.labelled).sum())} labelled problems")
    log_odds = weaver.decision_function(table)
    rows = weaver.select(table)
    selected = selection_frame(table, rows, log_odds)
    if dev is not None:
        selected["dev"] = dev.astype(np.int64)
    scores = pd.DataFrame({"problem_id": table.problem_ids[table.problem],
                           "candidate_id": table.candidate_ids,
                           "p_correct": weaver.predict_proba(table)[:, 1]})
    if weaver.aggregate_ == "answer":
        scores["p_answer_correct"] = weaver.predict_answer_proba(table)
    writers = {"selected.csv": lambda p: selected.to_csv(p, index=False),
               "scores.csv": lambda p: scores.to_csv(p, index=False),
               "verifiers.csv": lambda p: weaver.report_.to_csv(p, index=False)}
    if args.dev_fraction is not None:
        dev_ids = "".join(f"{p}\n" for p in table.problem_ids[dev])  # as --dev reads them
        writers["dev.txt"] = lambda p: p.write_text(dev_ids, encoding="utf-8")
    outside = np.ones(table.n_problems, dtype=bool) if dev is None else ~dev
    scored = table.labelled & outside  # none without a labels column
    if table.labels is not None and not scored.any():
        print("no problem outside the dev set is labelled: no metrics")
    elif table.labels is not None:
        metrics = selection_metrics(table, scores=weaver.selection_score(table),
                                    problems=outside)
        metrics.update(selected_accuracy=float(table.labels[rows[scored]].mean()), mode=args.mode,
                       aggregate=weaver.aggregate_, n_verifiers_kept=len(weaver.verifiers_),
                       n_dev_problems=0 if dev is None else int(dev.sum()),
                       selector=weaver.selector_, seed=args.seed)
        writers["metrics.json"] = lambda p: p.write_text(json.dumps(metrics, indent=1),
                                                         encoding="utf-8")
        for key in ("selection_accuracy", "pass_at_1", "majority_vote", "naive_mean",
                    "best_single_verifier", "oracle_pass_at_n"):
            value = metrics[key]
            print(f"{key:>22}: {'-' if value is None else f'{value:.4f}'}")
    write_outputs(args.out, writers, stale)
    print(f"wrote {', '.join(str(args.out / w) for w in writers)}")
    return 0


def _dev_problems(args: argparse.Namespace, table) -> np.ndarray | None:
    """Boolean mask of the dev problems (``--dev FILE`` or ``--dev-fraction``), or None."""
    if args.dev is None and args.dev_fraction is None:
        return None
    if table.labels is None:
        raise ValueError("--dev/--dev-fraction name labelled problems, but the table has no "
                         "labels column (--labels)")
    if args.dev_fraction is not None:
        if not 0.0 < args.dev_fraction < 1.0:
            raise ValueError(f"--dev-fraction must lie strictly between 0 and 1, got "
                             f"{args.dev_fraction}")
        labelled = np.flatnonzero(table.labelled)  # drawn among the labelled problems
        if not labelled.size:
            raise ValueError("--dev-fraction draws labelled problems, and no problem has a "
                             "label on every candidate")
        mask = np.zeros(table.n_problems, dtype=bool)
        mask[np.random.default_rng(args.seed).choice(
            labelled, max(1, int(round(args.dev_fraction * labelled.size))),
            replace=False)] = True
        return mask
    if not args.dev.exists():
        raise ValueError(f"--dev file {args.dev} does not exist")
    if not args.dev.is_file():
        raise ValueError(f"--dev {args.dev} is not a file (one problem id per line)")
    lines = [line.strip() for line in args.dev.read_text(encoding="utf-8").splitlines()]
    ids = [line for line in lines if line]
    if not ids:
        raise ValueError(f"--dev file {args.dev} names no problem (one id per line)")
    known = {str(p): i for i, p in enumerate(table.problem_ids)}
    absent = [i for i in ids if i not in known]
    if len(absent) == len(ids):
        raise ValueError(f"none of the {len(ids)} problem ids in {args.dev} is in the table "
                         f"(e.g. {absent[:3]}); ids are matched as text against the "
                         f"{table.roles['problem']!r} column")
    if absent:
        print(f"warning: {len(absent)} problem ids in {args.dev} are not in the table and are "
              f"ignored: {absent[:5]}")
    mask = np.zeros(table.n_problems, dtype=bool)
    mask[[known[i] for i in ids if i in known]] = True
    return mask
