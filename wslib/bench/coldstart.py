"""``wslib bench coldstart``: time to first result in fresh processes, next to Snorkel.

Every job runs in a new Python process (interpreter start and imports included),
timed step by step from inside and as a whole from outside:

* **readme** — the pipeline of ``README.md`` ("The pipeline in 25 lines"),
  executed statement by statement as written: imports, the embedded youtube
  data, the LFs, ``apply_lfs``, ``lf_summary``, ``LabelModel`` fit,
  ``predict_proba``, test accuracy;
* **quickstart** — ``wslib quickstart``, as a user types it (whole process);
* **large** — ``lf_summary`` and ``LabelModel`` fit / ``predict_proba`` on
  ``--large-rows`` synthetic rows x 10 LFs (2M cells by default): above the
  threshold of :mod:`wslib.kernels.jit`, so the cold run pays the compile;
* **snorkel** — the README job written for Snorkel 0.10 (the same five LFs as
  Snorkel LFs, ``PandasLFApplier``, ``LFAnalysis.lf_summary``, ``LabelModel``
  fit / ``predict_proba`` / score).

wslib's jobs run *cold* — ``NUMBA_CACHE_DIR`` a new, empty folder, as after a
fresh install, in a new virtualenv, a Docker image or CI — then *warm* (the same
folder again); each repeat takes a new folder, and the figures are medians over
``--repeat`` repeats, Snorkel's runs interleaved with wslib's. Also measured,
each in a fresh process: ``import wslib`` after ``import numpy, pandas``, and a
warm ``LabelModel`` fit + ``predict_proba`` on youtube's WRENCH votes
(1,586 x 10). A run that compiled numba kernels is marked (it printed
:data:`~wslib.kernels.jit.COMPILING_MESSAGE`).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from wslib.bench.core import BenchmarkError, record
from wslib.kernels.jit import COMPILING_MESSAGE

HELP = ("Time to first result: the README pipeline and wslib quickstart in fresh processes, "
        "cold (empty numba cache) and warm, next to Snorkel doing the same job")

JOBS = ("readme", "quickstart", "large")
#: the bar: cold job / Snorkel, warm job / Snorkel, import overhead (s), warm fit (s)
TARGETS = {"cold": 1.0, "warm": 0.5, "import": 0.2, "fit": 0.020}
README_COLD = "wslib README pipeline, cold cache"
README_WARM = "wslib README pipeline, warm cache"
SNORKEL = "snorkel 0.10, same job"
QUICK_COLD = "wslib quickstart, cold cache"
QUICK_WARM = "wslib quickstart, warm cache"
LARGE_COLD = "wslib large job, cold cache"
LARGE_WARM = "wslib large job, warm cache"
IMPORT = "import wslib after numpy, pandas"
FIT = "LabelModel fit + predict_proba, warm"
#: steps shorter than this (Snorkel's) get no ratio: timer noise, not speed
MIN_RATIO_SECONDS = 0.005
#: step order of the tables
STEPS = ("import", "load", "data", "define LFs", "apply", "lf_summary", "fit", "predict_proba",
         "score", "total")

#: prepended to every timed child: ``with _step(name):`` adds a block's seconds to a step
_HARNESS = """\
from __future__ import annotations
import json as _json, time as _time
_T = {}
class _step:
    def __init__(self, name):
        self.name = name
    def __enter__(self):
        self.t = _time.perf_counter()
    def __exit__(self, *exc):
        _T[self.name] = _T.get(self.name, 0.0) + _time.perf_counter() - self.t
"""
_REPORT = "print('\\n' + _json.dumps({'steps': _T, **_EXTRA}))\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=3,
                        help="fresh-process runs of each job (medians reported; 1 with --quick)")
    parser.add_argument("--jobs", nargs="+", choices=JOBS, default=list(JOBS),
                        help="wslib jobs to time (Snorkel always runs the README job)")
    parser.add_argument("--no-snorkel", action="store_true",
                        help="skip Snorkel (ratios are then not reported)")
    parser.add_argument("--readme", type=Path, default=None,
                        help="README.md holding the pipeline (default: the source checkout's)")
    parser.add_argument("--large-rows", type=int, default=200_000,
                        help="rows of the large job (10 LFs; 20,000 with --quick)")


# ----------------------------------------------------------------------------- children
def readme_pipeline(readme: Path) -> str:
    """The first Python block of ``readme`` (the pipeline the README shows)."""
    if not readme.exists():
        raise BenchmarkError(f"{readme} does not exist: the README job needs a source "
                             "checkout (pass --readme PATH, or --jobs quickstart)")
    text = readme.read_text(encoding="utf-8")
    start = text.find("```python\n")
    if start < 0:
        raise BenchmarkError(f"{readme} shows no Python block")
    start += len("```python\n")
    return text[start:text.index("```", start)]


def _step_of(node: ast.stmt, source: str) -> str:
    """The step a top-level statement of the README pipeline belongs to."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import"
    for call, step in (("load_embedded(", "load"), ("apply_lfs(", "apply"),
                       ("lf_summary(", "lf_summary"), (".fit(", "fit"),
                       (".predict_proba(", "predict_proba"), (".score(", "score")):
        if call in source:
            return step
    return "define LFs"


def timed_program(source: str) -> str:
    """``source`` with each top-level statement timed as its step (decorators included)."""
    lines = source.splitlines()
    parts = [_HARNESS, "_EXTRA = {}"]
    for node in ast.parse(source).body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "\n".join(lines[first - 1:node.end_lineno])
        parts.append(f"with _step({_step_of(node, text)!r}):\n{textwrap.indent(text, '    ')}")
    return "\n".join(parts) + "\n" + _REPORT


def _snorkel_job(folder: str, _step: Any) -> float:
    """The README job for Snorkel 0.10; returns the test accuracy."""
    with _step("import"):
        import json
        import re
        from pathlib import Path

        import numpy as np
        import pandas as pd
        from snorkel.labeling import LFAnalysis, PandasLFApplier, labeling_function
        from snorkel.labeling.model import LabelModel
    with _step("load"):
        def split(name: str) -> tuple:
            rows = json.loads(Path(folder, f"{name}.json").read_text(encoding="utf-8"))
            return (pd.DataFrame([r["data"] for r in rows.values()]),
                    np.array([r["label"] for r in rows.values()]))

        (train, y_train), (test, y_test) = split("train"), split("test")
    with _step("define LFs"):
        spam, ham, abstain = 1, 0, -1

        def keywords(words: list[str], label: int, name: str, bounded: bool = False) -> Any:
            pattern = re.compile("|".join(map(re.escape, words)) if not bounded else
                                 r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)",
                                 re.IGNORECASE)
            return labeling_function(name=name)(
                lambda x: label if pattern.search(x.text) else abstain)

        @labeling_function()
        def short_comment(x: Any) -> int:
            return ham if len(x.text.split()) < 5 else abstain

        url = re.compile(r"https?://", re.IGNORECASE)

        @labeling_function()
        def link(x: Any) -> int:
            return spam if url.search(x.text) else abstain

        lfs = [keywords(["check out", "check my"], spam, "check_out"),
               keywords(["subscribe"], spam, "subscribe"), link,
               keywords(["song", "love this"], ham, "song", bounded=True), short_comment]
        applier = PandasLFApplier(lfs)
    with _step("apply"):
        L_train = applier.apply(train, progress_bar=False)
        L_test = applier.apply(test, progress_bar=False)
    with _step("lf_summary"):
        print(LFAnalysis(L_train, lfs).lf_summary(y_train))
    with _step("fit"):
        model = LabelModel(cardinality=2, verbose=False)
        model.fit(L_train, progress_bar=False, seed=0)
    with _step("predict_proba"):
        model.predict_proba(L_train)
    with _step("score"):
        accuracy = model.score(L_test, y_test, tie_break_policy="random")["accuracy"]
        print(accuracy)
    return float(accuracy)


def snorkel_program(folder: Path) -> str:
    """A child program running :func:`_snorkel_job` on the youtube files in ``folder``."""
    return "\n".join([_HARNESS, textwrap.dedent(inspect.getsource(_snorkel_job)),
                      f"_EXTRA = {{'accuracy': _snorkel_job({str(folder)!r}, _step)}}", _REPORT])


_LARGE_PROGRAM = """\
with _step("import"):
    import warnings
    from wslib.analysis import lf_summary
    from wslib.datasets.synthetic import make_votes
    from wslib.labelmodel import LabelModel
with _step("data"):
    L = make_votes({rows}, 10, 2, n_unipolar=4, random_state=0).L
with _step("lf_summary"):
    lf_summary(L)
with _step("fit"), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = LabelModel().fit(L)
with _step("predict_proba"):
    model.predict_proba(L)
_EXTRA = {{"cells": int(L.size)}}
"""

_IMPORT_PROGRAM = """\
import json, time
t0 = time.perf_counter()
import numpy, pandas
t1 = time.perf_counter()
import wslib
t2 = time.perf_counter()
print(json.dumps({"numpy+pandas": t1 - t0, "wslib": t2 - t1}))
"""

_FIT_PROGRAM = """\
import json, statistics, time, warnings
from wslib.datasets import load_embedded
from wslib.labelmodel import LabelModel
L = load_embedded("youtube")["train"].L
warnings.simplefilter("ignore")
LabelModel().fit(L).predict_proba(L)
runs, cpu = [], []
for _ in range(30):
    t0, c0 = time.perf_counter(), time.process_time()
    LabelModel().fit(L).predict_proba(L)
    runs.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({"median": statistics.median(runs), "best": min(runs),
                  "cpu": statistics.median(cpu), "shape": L.shape}))
"""


def _run(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a child; its wall seconds, its last stdout line as JSON (if any), and whether
    it compiled kernels."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed:\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip()] or [""]
    try:
        out = json.loads(lines[-1])
    except json.JSONDecodeError:
        out = {}
    out.update(wall=wall, compiled=COMPILING_MESSAGE in done.stderr,
               printed=lines[-2] if len(lines) > 1 else "")
    return out


def _child_env(cache: Path | None) -> dict[str, str]:
    """This environment, importing this wslib, with ``cache`` as numba's cache folder."""
    import wslib

    env = dict(os.environ)
    root = str(Path(wslib.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    return env


# ----------------------------------------------------------------------------- benchmark
def run(args: argparse.Namespace) -> list[dict]:
    if args.data is not None:
        raise BenchmarkError("bench coldstart times the embedded youtube data; it reads no --data")
    repeat = 1 if args.quick else args.repeat
    if repeat < 1:
        raise BenchmarkError(f"--repeat must be at least 1, got {repeat}")
    import wslib

    package = Path(wslib.__file__).resolve().parent
    readme = args.readme or package.parent / "README.md"
    programs: dict[str, list[str]] = {}
    if "readme" in args.jobs:
        programs["readme"] = [sys.executable, "-c", timed_program(readme_pipeline(readme))]
    if "quickstart" in args.jobs:
        programs["quickstart"] = [sys.executable, "-m", "wslib", "quickstart"]
    if "large" in args.jobs:
        rows = 20_000 if args.quick else args.large_rows
        programs["large"] = [sys.executable, "-c", "\n".join(
            [_HARNESS, _LARGE_PROGRAM.format(rows=rows), _REPORT])]
    if not args.no_snorkel:
        programs["snorkel"] = [sys.executable, "-c",
                               snorkel_program(package / "datasets" / "data" / "youtube")]
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="wslib-coldstart-") as work:
        for r in range(repeat):
            for job, argv in programs.items():
                if job == "snorkel":
                    runs.setdefault(job, []).append(_run(argv, _child_env(None)))
                    continue
                cache = Path(work, f"{job}-{r}")  # new and empty: a cold start
                for state in ("cold", "warm"):
                    runs.setdefault(f"{job} {state}", []).append(_run(argv, _child_env(cache)))
                    print(f"{job} {state}: {runs[f'{job} {state}'][-1]['wall']:.1f} s",
                          file=sys.stderr)
        extra = [_run([sys.executable, "-c", program], _child_env(Path(work, name)))
                 for _ in range(repeat) for name, program in (("import", _IMPORT_PROGRAM),
                                                               ("fit", _FIT_PROGRAM))]
    return _records(runs, extra[0::2], extra[1::2], repeat)


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _job_records(runs: list[dict[str, Any]], method: str, peer: dict[str, float] | None,
                 repeat: int) -> list[dict]:
    """One record per step (``total``: the whole process, from outside) of a job."""
    steps = {"total": [x["wall"] for x in runs]}
    for x in runs:
        for name, sec in x.get("steps", {}).items():
            steps.setdefault(name, []).append(sec)
    out = []
    for step in sorted(steps, key=lambda s: STEPS.index(s) if s in STEPS else len(STEPS)):
        value = _median(steps[step])
        ratio = None if not peer or peer.get(step, 0.0) < MIN_RATIO_SECONDS else value / peer[step]
        out.append(record("youtube", method, "seconds", value, value, step=step,
                          runs=steps[step], repeats=repeat, ratio_vs_snorkel=ratio,
                          compiled=any(x["compiled"] for x in runs),
                          accuracy=_accuracy(runs), cells=runs[0].get("cells")))
    return out


def _accuracy(runs: list[dict[str, Any]]) -> float | None:
    """Test accuracy of a job: given by the Snorkel child, printed last by the README's."""
    x = runs[0]
    try:
        return float(x.get("accuracy", x["printed"]))
    except ValueError:
        return None


def _records(runs: dict[str, list[dict[str, Any]]], imports: list[dict], fits: list[dict],
             repeat: int) -> list[dict]:
    out: list[dict] = []
    peer = None
    if "snorkel" in runs:
        out += _job_records(runs["snorkel"], SNORKEL, None, repeat)
        peer = {r["step"]: r["value"] for r in out}
    for key, method in (("readme cold", README_COLD), ("readme warm", README_WARM)):
        if key in runs:
            out += _job_records(runs[key], method, peer, repeat)
    for key, method in (("quickstart cold", QUICK_COLD), ("quickstart warm", QUICK_WARM),
                        ("large cold", LARGE_COLD), ("large warm", LARGE_WARM)):
        if key in runs:
            out += _job_records(runs[key], method, None, repeat)
    beyond = [x["wslib"] for x in imports]
    out.append(record("youtube", IMPORT, "seconds", _median(beyond), _median(beyond),
                      runs=beyond, numpy_pandas=_median([x["numpy+pandas"] for x in imports]),
                      target=TARGETS["import"], repeats=repeat))
    fit = [x["median"] for x in fits]
    out.append(record("youtube", FIT, "seconds", _median(fit), _median(fit), runs=fit,
                      best=min(x["best"] for x in fits), cpu_seconds=_median([x["cpu"] for x in fits]),
                      shape=fits[0]["shape"], target=TARGETS["fit"], repeats=repeat))
    return out


# ----------------------------------------------------------------------------- report
def _by(records: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["method"], r.get("step", "")): r for r in records}


def _seconds(r: dict | None) -> str:
    return "-" if r is None else f"{r['value']:.2f}" + (" (compiled)" if r.get("compiled")
                                                         and r["step"] == "total" else "")


def _ratio(r: dict | None) -> str:
    return "-" if r is None or r.get("ratio_vs_snorkel") is None else \
        f"{r['ratio_vs_snorkel']:.2f}"


def bar_rows(records: list[dict]) -> list[list[str]]:
    """The bar (targets): ``[what, measured, target, met]`` rows."""
    by = _by(records)
    rows = []
    for method, key, what in ((README_COLD, "cold", "cold README job / Snorkel's"),
                              (README_WARM, "warm", "warm README job / Snorkel's")):
        r = by.get((method, "total"))
        if r is not None and r.get("ratio_vs_snorkel") is not None:
            ratio = r["ratio_vs_snorkel"]
            rows.append([what, f"{ratio:.2f}", f"<= {TARGETS[key]}",
                         "yes" if ratio <= TARGETS[key] else "**no**"])
    for method, unit, scale in ((IMPORT, "s", 1.0), (FIT, "ms", 1e3)):
        r = by.get((method, ""))
        if r is not None:
            detail = "" if "cpu_seconds" not in r else \
                f" (CPU {r['cpu_seconds'] * scale:.3g}, best {r['best'] * scale:.3g})"
            rows.append([method, f"{r['value'] * scale:.3g} {unit}{detail}",
                         f"<= {r['target'] * scale:g} {unit}",
                         "yes" if r["value"] <= r["target"] else "**no**"])
    return rows


def render_markdown(records: list[dict]) -> str:
    """The coldstart section of ``docs/benchmarks.md``."""
    by = _by(records)
    repeats = records[0].get("repeats", 1) if records else 1
    lines = ["Time to first result (`wslib bench coldstart`): each run is a new Python process "
             "(interpreter start and imports included). *Cold*: `NUMBA_CACHE_DIR` is a new, "
             "empty folder, as on a fresh install, a new virtualenv, a Docker image or CI; "
             "*warm*: the same folder again. Seconds are medians over "
             f"{repeats} repeat(s), Snorkel's runs interleaved with wslib's on the same "
             "machine; `total` is the whole process measured from outside.", "",
             "README pipeline on the embedded youtube data (the README's code, statement "
             "by statement), and the same job in Snorkel 0.10:", "",
             "| step | wslib cold s | wslib warm s | Snorkel s | cold / Snorkel | "
             "warm / Snorkel |", "|---|---:|---:|---:|---:|---:|"]
    steps = [s for s in STEPS if any((m, s) in by for m in (README_COLD, README_WARM, SNORKEL))]
    for step in steps:
        cold, warm = by.get((README_COLD, step)), by.get((README_WARM, step))
        lines.append(f"| {step} | {_seconds(cold)} | {_seconds(warm)} | "
                     f"{_seconds(by.get((SNORKEL, step)))} | {_ratio(cold)} | {_ratio(warm)} |")
    accuracy = [(m, by[(m, 'total')].get("accuracy")) for m in (README_COLD, SNORKEL)
                if (m, "total") in by and by[(m, "total")].get("accuracy") is not None]
    if accuracy:
        lines += ["", "Test accuracy: " + ", ".join(f"{m.split(',')[0]} {a:.3f}"
                                                    for m, a in accuracy) + "."]
    quick = [by.get((m, "total")) for m in (QUICK_COLD, QUICK_WARM)]
    if any(quick):
        lines += ["", "`wslib quickstart` (9 LFs of every kind, two label models, printed "
                      "tables), whole process:", "", "| cache | seconds |", "|---|---:|"]
        lines += [f"| {name} | {_seconds(r)} |" for name, r in zip(("cold", "warm"), quick) if r]
    large = [m for m in (LARGE_COLD, LARGE_WARM) if (m, "total") in by]
    if large:
        first = by[(large[0], "total")]
        what = ("above the size from which compiled kernels run: the cold run compiles them "
                "(and says so on stderr), the warm run loads them from numba's cache"
                if first.get("compiled") else
                "below the size from which compiled kernels run: nothing is compiled")
        lines += ["", f"A large job, {first.get('cells') or 0:,} vote cells (synthetic, 10 "
                      f"LFs): `lf_summary`, `LabelModel` fit and `predict_proba`; {what}:",
                  "", "| step | cold s | warm s |", "|---|---:|---:|"]
        for step in [s for s in STEPS if any((m, s) in by for m in large)]:
            lines.append(f"| {step} | {_seconds(by.get((LARGE_COLD, step)))} | "
                         f"{_seconds(by.get((LARGE_WARM, step)))} |")
    rows = bar_rows(records)
    if rows:
        lines += ["", "The bar:", "", "| measure | value | target | met |", "|---|---:|---:|---|"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines) + "\n"


def terminal_table(records: list[dict]) -> str:
    return render_markdown(records)
