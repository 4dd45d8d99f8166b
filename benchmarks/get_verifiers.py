"""Build the real verifier tables of ``wslib bench weaver --data DIR`` from public repositories.

Usage, from the repository root::

    python benchmarks/get_verifiers.py [--out benchmarks/verifier-data] [--tables judgebench_rm]
                                       [--shared PATH] [--repo owner/name=PATH ...]
                                       [--cache DIR] [--list]

Writes one long-layout CSV per table into ``--out`` (columns ``problem_id``,
``candidate_id``, ``label`` (0/1), ``answer`` where the table has one, then one
column per verifier; missing scores are empty cells), with ``SOURCES.json`` and
``README.md`` recording repository, commit and path per table. The data are not
committed (``benchmarks/verifier-data/`` is git-ignored): the JudgeBench outputs
and the Multi-Agent Verification repository carry no licence, so those tables are
not shipped and the benchmark reads them from ``--out``.

* ``rewardmath``: the shared ``rewardmath.csv`` (``--shared``, built from RewardMATH's
  ``results/RewardMATH/*_reward.json``; its README gives the source), copied as is;
  ``rewardmath_classifiers``, ``rewardmath_prms``, ``rewardmath_judges_binary``: its
  rows with only the classifier reward models, only the process reward models
  (``_min``/``_mean``/``_last``), or only the LLM judges cut to 0/1 (a judge whose
  largest score is above 5 is on a 1-10 scale, yes at 9 or 10; else on 1-5, yes at 5).
* ``rewardbench_math``: RewardBench's math subset as scored in RewardMATH's
  ``results/Rewardbench/*.json``: a chosen (correct) and a rejected solution per
  problem; classifier files hold both scores per problem, process reward model
  files one entry per solution with its step scores (reduced to min, mean, last).
* ``judgebench_rm``: JudgeBench's GPT-4o response pairs scored by its reward models
  (``outputs/*judge_name=reward_model*``); each response's score is the mean over
  the two orders in which the pair was judged.
* ``mav_math``: Multi-Agent Verification's example run
  (``runs/example_math_gemini-1.5-flash.zip``): 300 MATH problems, 16 solutions of
  gemini-1.5-flash-001 each, with the extracted final answer and the True/False
  verdicts of 6 aspect verifiers (gpt-4o-mini on five aspects, gemini-1.5-flash on
  one). A candidate is correct when the repository's own MATH grader
  (``is_equiv`` of ``src/dataset_files/math_files/math_equivalence.py``) finds its
  answer equal to the gold answer; the ``answer`` column is the answer normalised by
  the same grader (``_strip_string``), empty when none was extracted (an empty
  answer matches nothing). The grader is loaded from the repository at run time,
  not copied here: the repository has no licence.

Candidates of a problem are numbered in a seeded random order, so row order
carries no information. Repositories are read with git, as in
``benchmarks/get_data.py``: a local git directory given with
``--repo owner/name=PATH``, else a blob-less clone from GitHub into ``--cache``.
A table whose source cannot be read is reported and skipped; the exit code is then 1.

Trusted input: ``mav_math`` runs the repository's grader (Python code read from the
commit) to label and normalise the answers. Only run this script on repositories
you trust; the grader is run here only, never by the library.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import types
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(ROOT))
from benchmarks.get_data import (
    GitTree,
    add_source_options,
    chosen,
    convert_each,
    merge_sources,
    open_repo,
)

OUT = ROOT / "benchmarks" / "verifier-data"
SHARED = ROOT.parent / "shared" / "data" / "verifiers" / "rewardmath" / "rewardmath.csv"
REWARDMATH, REWARDMATH_COMMIT = ("kimsh0507/RewardMATH_official",
                                 "cde06ab3f5466e1f94e74ba4fadf0e6561434ecb")
JUDGEBENCH, JUDGEBENCH_COMMIT = "ScalerLab/JudgeBench", "e2c52c284e735e139b3daa61c206ee208f36c461"
REWARDBENCH_FOLDER, JUDGEBENCH_FOLDER = "results/Rewardbench", "outputs"
JUDGEBENCH_FILES = "response_model=gpt-4o-2024-05-13,judge_name=reward_model,"
MAV, MAV_COMMIT = ("Shalev-Lifshitz/MultiAgentVerification",
                   "f1205c4315e13ebffc69b1f60963f71876da2294")
MAV_ZIP = "runs/example_math_gemini-1.5-flash.zip"
MAV_GRADER = "src/dataset_files/math_files/math_equivalence.py"
MAV_PROBLEM = re.compile(r"solutions/problem_(\d+)\.json")
SEED = 0
KEYS = ["problem_id", "candidate_id", "label"]

CLASSIFIERS = ["ArmoRM", "Eurus-RM", "beaver", "grm_gemma", "grm_llama3", "internlm2_20b",
               "internlm2", "oasst-rm", "skywork_llama3"]
PRMS = ["Easy_to_hard", "Math_Shepherd", "ReasonEval_34B", "ReasonEval_7B"]
REDUCTIONS = ("min", "mean", "last")
PRM_COLUMNS = [f"{prm}_{r}" for prm in PRMS for r in REDUCTIONS]
JUDGES = ["chatgpt", "gpt4", "gpt4o", "llama3_70B", "llama3_8B", "opus", "prometheus_7B",
          "prometheus_8x7B", "sonnet-3-5"]
#: RewardBench result files (``rewardbench_<stem>.json``) whose model RewardMATH's own
#: results name otherwise; the others keep their stem
REWARDBENCH_NAMES = {"GRM-Llama3-8B": "grm_llama3", "GRM_Gemma_2B": "grm_gemma",
                     "Skywork-Llama-3.1-8B": "skywork_llama3", "internlm2-20b": "internlm2_20b"}
#: first and second entries of a classifier file's ``solution_reference``
CHOSEN, REJECTED = {"chosen", "human_to_GPT-4"}, {"rejected", "modified_with_GPT-4"}


# ------------------------------------------------------------------------ conversions
def binarize_judge(scores: pd.Series) -> pd.Series:
    """A judge's scores cut to 0/1 (missing stays missing): on a 1-10 scale (largest
    score above 5) yes at 9 or 10, on a 1-5 scale yes at 5."""
    threshold = 9 if scores.max() > 5 else 5
    return (scores >= threshold).astype("Int64").mask(scores.isna())


def reduce_steps(step_scores: list[float | None]) -> dict[str, float]:
    """Min, mean and last of a solution's step scores (missing steps left out; all
    missing when no step has a score)."""
    steps = np.array([np.nan if s is None else s for s in step_scores], dtype=np.float64)
    steps = steps[~np.isnan(steps)]
    if steps.size == 0:
        return dict.fromkeys(REDUCTIONS, np.nan)
    return {"min": float(steps.min()), "mean": float(steps.mean()), "last": float(steps[-1])}


def pair_scores(judgments: list[dict | None]) -> tuple[float, float]:
    """Scores of responses A and B, each the mean over the orders (A, B) and (B, A) in
    which JudgeBench judged the pair (a failed judgment, ``None``, is left out)."""
    a, b = [], []
    for order, judgment in enumerate(judgments):
        if judgment is None or judgment.get("judgment") is None:
            continue
        first, second = judgment["judgment"]["scores"]
        a.append(first if order == 0 else second)
        b.append(second if order == 0 else first)
    return (float(np.mean(a)) if a else np.nan, float(np.mean(b)) if b else np.nan)


def shuffle_candidates(frame: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """``frame`` with ``candidate_id`` a seeded random order inside each ``problem_id``,
    sorted by problem and candidate: row order no longer tells which one is correct."""
    keys = np.random.default_rng(seed).random(len(frame))
    candidate = pd.Series(keys, index=frame.index).groupby(frame["problem_id"]).rank(
        method="first").astype(np.int64) - 1
    out = frame.drop(columns="candidate_id", errors="ignore").assign(candidate_id=candidate)
    columns = KEYS + [c for c in out.columns if c not in KEYS]
    return out[columns].sort_values(["problem_id", "candidate_id"]).reset_index(drop=True)


def load_grader(source: bytes, name: str = MAV_GRADER) -> types.ModuleType:
    """The MATH grader as a module, from its source (code from the repository, run here:
    trusted input only)."""
    module = types.ModuleType("math_equivalence")
    try:
        exec(compile(source.decode(), name, "exec"), module.__dict__)  # noqa: S102 - trusted
    except SyntaxError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    return module


def normalize_answer(answer: str | None, grader: object) -> str:
    """An extracted answer as the grader compares it: its ``_strip_string`` of the answer,
    or the answer as is where that fails (``is_equiv`` then compares raw strings too);
    ``""`` for no answer. ``grader``: the module of :func:`load_grader` or a stand-in."""
    if answer is None:
        return ""
    try:
        return grader._strip_string(answer)
    except Exception:  # noqa: BLE001 - the grader's own fallback
        return answer


def mav_rows(problem: dict, problem_id: int, grader: object) -> list[dict]:
    """The candidates of one Multi-Agent Verification problem file, in file order: label
    by the grader's ``is_equiv`` against the gold answer (0 without an answer), the
    normalised answer, and each verifier's approval as 0/1 (absent: missing)."""
    solutions, answers = problem["solutions"], problem["extracted_answers"]
    approvals = problem["all_solution_vera_approvals"]
    if problem.get("dataset_name") != "math" or not len(solutions) == len(answers) == \
            len(approvals):
        raise ValueError(f"problem {problem_id}: dataset {problem.get('dataset_name')!r}, "
                         f"{len(solutions)} solutions, {len(answers)} answers, "
                         f"{len(approvals)} approval sets")
    rows = []
    for answer, approval in zip(answers, approvals):
        correct = answer is not None and bool(grader.is_equiv(answer, problem["correct_answer"]))
        rows.append({"problem_id": problem_id, "label": int(correct),
                     "answer": normalize_answer(answer, grader),
                     **{v: int(bool(ok)) for v, ok in approval.items()}})
    return rows


# ------------------------------------------------------------------------ tables
def _shared_frame(csv: Path) -> pd.DataFrame:
    """The shared ``rewardmath.csv``, checked to hold exactly the known verifiers."""
    frame = pd.read_csv(csv)
    expected = set(KEYS + CLASSIFIERS + PRM_COLUMNS + JUDGES)
    if set(frame.columns) != expected:
        raise ValueError(f"{csv}: unexpected columns {sorted(set(frame.columns) ^ expected)}")
    return frame


def rewardmath(csv: Path) -> bytes:
    """The shared table as is."""
    _shared_frame(csv)
    return csv.read_bytes()


def _shared_columns(csv: Path, verifiers: list[str]) -> pd.DataFrame:
    """The shared table with only ``verifiers``, in the table's column order."""
    frame = _shared_frame(csv)
    return frame[KEYS + [c for c in frame.columns if c in verifiers]]


def rewardmath_classifiers(csv: Path) -> pd.DataFrame:
    """The shared table's classifier reward models."""
    return _shared_columns(csv, CLASSIFIERS)


def rewardmath_prms(csv: Path) -> pd.DataFrame:
    """The shared table's process reward models (min, mean, last of the step scores)."""
    return _shared_columns(csv, PRM_COLUMNS)


def rewardmath_judges_binary(csv: Path) -> pd.DataFrame:
    """The shared table's LLM judges cut to 0/1 (:func:`binarize_judge`)."""
    frame = _shared_columns(csv, JUDGES)
    return frame[KEYS].join(frame.drop(columns=KEYS).apply(binarize_judge))


def _rewardbench_scores(entries: list[dict], name: str) -> dict[tuple[str, int], dict]:
    """Scores of one RewardBench result file by (problem text, label): a classifier
    file has ``score: [chosen, rejected]`` per problem, a process reward model file one
    entry per solution with ``output.step_scores`` (reduced by :func:`reduce_steps`)."""
    out: dict[tuple[str, int], dict] = {}
    for entry in entries:
        if "score" in entry:
            first, second = entry["solution_reference"]
            if first not in CHOSEN or second not in REJECTED:
                raise ValueError(f"{name}: solution_reference {entry['solution_reference']}")
            for label, score in zip((1, 0), entry["score"]):
                out[entry["problem"], label] = {name: float(score)}
        else:
            label = {"chosen": 1, "rejected": 0}[entry["solution_type"]]
            steps = reduce_steps(entry["output"]["step_scores"])
            out[entry["problem"], label] = {f"{name}_{r}": v for r, v in steps.items()}
    return out


def rewardbench_math(tree: GitTree) -> pd.DataFrame:
    """RewardBench's math subset as scored in RewardMATH: a row per (problem, chosen or
    rejected solution). The files list the problems in two different orders, so scores
    are joined on the problem text (never on position); problems are numbered by the
    process reward model files' ``problem_id`` (the classifier files have none)."""
    rows: dict[tuple[str, int], dict] = {}
    ids: dict[str, int] = {}
    for file in sorted(tree.names(REWARDBENCH_FOLDER)):
        if not (file.startswith("rewardbench_") and file.endswith(".json")):
            continue
        stem = file.removeprefix("rewardbench_").removesuffix(".json")
        entries = json.loads(tree.read(f"{REWARDBENCH_FOLDER}/{file}"))
        for key, scores in _rewardbench_scores(entries, REWARDBENCH_NAMES.get(stem, stem)).items():
            rows.setdefault(key, {}).update(scores)
        for entry in entries:
            if "problem_id" in entry and \
                    ids.setdefault(entry["problem"], entry["problem_id"]) != entry["problem_id"]:
                raise ValueError(f"{file}: problem {entry['problem_id']} has another id before")
    missing = {text for text, _ in rows} - ids.keys()
    if not rows or missing or len(set(ids.values())) < len(ids):
        raise ValueError(f"{REWARDBENCH_FOLDER}: {len(rows)} rows, {len(missing)} problems "
                         "without a problem_id, or two problems with one id")
    frame = pd.DataFrame([{"problem_id": ids[text], "label": label, **scores}
                          for (text, label), scores in rows.items()])
    return shuffle_candidates(frame)


def _judgebench_rows(lines: list[dict], model: str) -> dict[str, list[dict]]:
    """Two rows per pair id (responses A and B) of one JudgeBench output file."""
    out = {}
    for pair in lines:
        if pair["label"] not in ("A>B", "B>A"):
            raise ValueError(f"{model}: pair {pair['pair_id']} has label {pair['label']!r}")
        a, b = pair_scores(pair["judgments"])
        out[pair["pair_id"]] = [{"label": int(pair["label"] == "A>B"), model: a},
                                {"label": int(pair["label"] == "B>A"), model: b}]
    return out


def judgebench_rm(tree: GitTree) -> pd.DataFrame:
    """JudgeBench's GPT-4o pairs scored by each reward model (named by the model, its
    owner dropped); pairs numbered in the order of their ``pair_id``."""
    pairs: dict[str, list[dict]] = {}
    for file in sorted(tree.names(JUDGEBENCH_FOLDER)):
        if JUDGEBENCH_FILES not in file or not file.endswith(".jsonl"):
            continue
        model = file.split("judge_model=")[1].removesuffix(".jsonl").split("_", 1)[-1]
        text = tree.read(f"{JUDGEBENCH_FOLDER}/{file}").decode()
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        for pair_id, (a, b) in _judgebench_rows(lines, model).items():
            old = pairs.setdefault(pair_id, [{}, {}])
            if old[0].get("label", a["label"]) != a["label"]:
                raise ValueError(f"{file}: pair {pair_id} has another label than before")
            old[0].update(a)
            old[1].update(b)
    if not pairs:
        raise FileNotFoundError(f"no *{JUDGEBENCH_FILES}*.jsonl in {JUDGEBENCH_FOLDER}")
    frame = pd.DataFrame([{"problem_id": i, **row} for i, pair_id in enumerate(sorted(pairs))
                          for row in pairs[pair_id]])
    return shuffle_candidates(frame)


def mav_math(tree: GitTree) -> pd.DataFrame:
    """Multi-Agent Verification's MATH run: a row per (problem, solution), labelled and
    normalised by the repository's grader (:func:`mav_rows`), verifier columns sorted by
    name; problems numbered by their file names."""
    grader = load_grader(tree.read(MAV_GRADER))
    try:
        archive = zipfile.ZipFile(io.BytesIO(tree.read(MAV_ZIP)))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{MAV_ZIP}: {exc}") from exc
    files = {int(m[1]): name for name in archive.namelist() if (m := MAV_PROBLEM.fullmatch(name))}
    if not files:
        raise FileNotFoundError(f"no solutions/problem_<i>.json in {MAV_ZIP}")
    rows = [row for pid in sorted(files)
            for row in mav_rows(json.loads(archive.read(files[pid])), pid, grader)]
    frame = pd.DataFrame(rows)
    verifiers = sorted(c for c in frame.columns if c not in ("problem_id", "label", "answer"))
    frame[verifiers] = frame[verifiers].astype("Int64")
    return shuffle_candidates(frame[["problem_id", "label", "answer", *verifiers]])


@dataclass(frozen=True)
class Table:
    """One table: the repository, commit and path its scores come from, and how it is
    made (from the shared CSV when ``shared``, else from a :class:`GitTree`)."""

    repo: str
    commit: str
    path: str
    make: Callable[..., pd.DataFrame | bytes]
    note: str
    shared: bool = False


_FROM_SHARED = "the shared rewardmath.csv"
TABLES: dict[str, Table] = {
    "rewardmath": Table(REWARDMATH, REWARDMATH_COMMIT, "results/RewardMATH/*_reward.json",
                        rewardmath, f"{_FROM_SHARED}, copied", shared=True),
    "rewardmath_classifiers": Table(
        REWARDMATH, REWARDMATH_COMMIT, "results/RewardMATH/*_reward.json",
        rewardmath_classifiers, f"{_FROM_SHARED}: classifier reward models", shared=True),
    "rewardmath_prms": Table(
        REWARDMATH, REWARDMATH_COMMIT, "results/RewardMATH/*_reward.json", rewardmath_prms,
        f"{_FROM_SHARED}: process reward models (min/mean/last)", shared=True),
    "rewardmath_judges_binary": Table(
        REWARDMATH, REWARDMATH_COMMIT, "results/RewardMATH/*_reward.json",
        rewardmath_judges_binary, f"{_FROM_SHARED}: LLM judges cut to 0/1 (1-10 scales: "
        "yes at 9 or 10; 1-5 scales: yes at 5)", shared=True),
    "rewardbench_math": Table(
        REWARDMATH, REWARDMATH_COMMIT, f"{REWARDBENCH_FOLDER}/rewardbench_*.json",
        rewardbench_math, "chosen and rejected solution per problem; process reward models "
        "as min/mean/last of the step scores; MIT licence"),
    "judgebench_rm": Table(
        JUDGEBENCH, JUDGEBENCH_COMMIT, f"{JUDGEBENCH_FOLDER}/*{JUDGEBENCH_FILES}*.jsonl",
        judgebench_rm, "GPT-4o response pairs; each score the mean over both orders of the "
                       "pair; no licence"),
    "mav_math": Table(
        MAV, MAV_COMMIT, f"{MAV_ZIP}: solutions/problem_*.json", mav_math,
        "300 MATH problems x 16 gemini-1.5-flash-001 solutions, 6 yes/no verifiers, answer "
        f"column; labelled and normalised by the repository's grader ({MAV_GRADER}, run at "
        "build time); no licence"),
}


# ------------------------------------------------------------------------ building
def write_table(data: pd.DataFrame | bytes, file: Path) -> dict[str, int]:
    """Write a table (bytes as they are); its problem, row and verifier counts."""
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        file.write_bytes(data)
    else:
        data.to_csv(file, index=False)
    frame = pd.read_csv(file)
    return {"problems": int(frame["problem_id"].nunique()), "rows": len(frame),
            "verifiers": len(frame.columns.difference(KEYS + ["answer"]))}


def build(names: list[str], out: Path, shared: Path, local: dict[str, Path], cache: Path
          ) -> tuple[dict[str, dict], dict[str, str]]:
    """Make and write ``names``; returns what was written per table and why others failed."""
    def convert(name: str, table: Table) -> dict:
        source = shared if table.shared else GitTree(open_repo(table.repo, local, cache),
                                                     table.commit)
        return write_table(table.make(source), out / f"{name}.csv")
    return convert_each(names, TABLES, convert, (OSError, ValueError, KeyError), "get_verifiers")


def write_index(out: Path, written: dict[str, dict]) -> None:
    """``SOURCES.json`` and ``README.md`` beside the tables (merged with earlier runs)."""
    index = merge_sources(out, written)
    lines = ["# Verifier tables", "",
             ("Written by `python benchmarks/get_verifiers.py`; not part of the repository. "
              "Each table is converted from the public repository, commit and path below "
              "(the `rewardmath*` tables through the shared `rewardmath.csv`, built from "
              "those files); its licence is that repository's."), "",
             "| table | repository | commit | path | problems | rows | verifiers | note |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {n} | {s['repository']} | `{s['commit']}` | `{s['path']}` | {s['problems']} "
              f"| {s['rows']} | {s['verifiers']} | {s['note']} |" for n, s in index.items()]
    (out / "README.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="table folder (default: %(default)s)")
    parser.add_argument("--tables", default=",".join(TABLES),
                        help="comma-separated names (default: all)")
    parser.add_argument("--shared", type=Path, default=SHARED,
                        help="the shared rewardmath.csv (default: %(default)s)")
    add_source_options(parser, "tables")
    args = parser.parse_args(argv)
    names = chosen(parser, args.tables, TABLES, "tables", args.list)
    if names is None:
        return 0
    written, failed = build(names, args.out, args.shared, dict(args.repo), args.cache)
    if written:
        write_index(args.out, written)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
