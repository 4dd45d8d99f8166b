"""``wslib bench snorkel``: ``wslib.compat.snorkel`` against Snorkel 0.10, by Snorkel's own code.

Two parts (``--part``), each with only the import prefix rewritten
(``snorkel.`` -> ``wslib.compat.snorkel.``, :func:`rewrite_imports`):

* ``tutorial`` — the spam tutorial (snorkel-tutorials, ``spam/01_spam_tutorial.py``)
  on the embedded YouTube data: its LFs (the ``textblob`` ones only when
  TextBlob is installed; ``has_person_nlp`` needs a spaCy model and is left
  out), appliers, ``LFAnalysis``, ``get_label_buckets``, ``MajorityLabelVoter``,
  ``LabelModel`` fit and scoring, ``filter_unlabeled_dataframe`` and
  ``probs_to_preds``. Snorkel and the compat layer run it alternately in this
  one process, ``--repeat`` times; the records hold each step's seconds (the
  median), the accuracies, and whether the vote matrices, the LF summaries and
  the rows kept by the abstain idioms are identical.
* ``tests`` — Snorkel 0.10.0's ``test/labeling`` (minus Spark) and ``test/utils``,
  from its source distribution on PyPI (``pip download``, or ``--sdist PATH``),
  run by pytest in a subprocess. Tests of Snorkel internals (:data:`EXCLUDED`)
  are run but not counted; tests that need a spaCy model are counted only when
  one is installed (:data:`NEEDS_SPACY`). Snorkel's code is never copied into
  this repository.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from wslib.bench.core import record
from wslib.bench.report import format_table

__all__ = ["EXCLUDED", "HELP", "KNOWN_FAILURES", "NEEDS_SPACY", "TUTORIAL", "add_arguments",
           "render_block", "render_markdown", "rewrite_imports", "run", "run_snorkel_tests",
           "run_tutorial"]

HELP = "wslib.compat.snorkel vs Snorkel 0.10: the spam tutorial's speed and Snorkel's own tests"
SNORKEL = "snorkel==0.10.0"
COMPAT = "wslib.compat.snorkel"
TESTS_DATASET = "snorkel-0.10.0 tests"
TUTORIAL_DATASET = "youtube (embedded)"

_IMPORT = re.compile(r"^(\s*(?:from|import)\s+)snorkel(?=[.\s])", flags=re.M)


def rewrite_imports(source: str) -> tuple[str, int]:
    """``source`` with every ``from snorkel.`` / ``import snorkel.`` pointing at the compat
    namespace, and the number of imports rewritten.

    >>> rewrite_imports("from snorkel.labeling import LFAnalysis\\nx = 'snorkel.labeling'")
    ("from wslib.compat.snorkel.labeling import LFAnalysis\\nx = 'snorkel.labeling'", 1)
    """
    return _IMPORT.subn(rf"\1{COMPAT}", source)


# ---------------------------------------------------------------------------- the tutorial
#: the tutorial's code after its data loading, in timed steps; ``df_train``, ``df_test``,
#: ``Y_train`` and ``Y_test`` are given
TUTORIAL: dict[str, str] = {
    "imports": '''
import re
from importlib.util import find_spec
from snorkel.analysis import get_label_buckets
from snorkel.labeling import (LabelingFunction, LFAnalysis, PandasLFApplier,
                              filter_unlabeled_dataframe, labeling_function)
from snorkel.labeling.model import LabelModel, MajorityLabelVoter
from snorkel.preprocess import preprocessor
from snorkel.utils import probs_to_preds
''',
    "apply": '''
ABSTAIN, HAM, SPAM = -1, 0, 1

@labeling_function()
def check(x):
    return SPAM if "check" in x.text.lower() else ABSTAIN

@labeling_function()
def check_out(x):
    return SPAM if "check out" in x.text.lower() else ABSTAIN

lfs = [check_out, check]
L_train = PandasLFApplier(lfs=lfs).apply(df=df_train)
first_summary = LFAnalysis(L=L_train, lfs=lfs).lf_summary()
buckets = get_label_buckets(L_train[:, 0], L_train[:, 1])

@labeling_function()
def regex_check_out(x):
    return SPAM if re.search(r"check.*out", x.text, flags=re.I) else ABSTAIN

def keyword_lookup(x, keywords, label):
    if any(word in x.text.lower() for word in keywords):
        return label
    return ABSTAIN

def make_keyword_lf(keywords, label=SPAM):
    return LabelingFunction(name=f"keyword_{keywords[0]}", f=keyword_lookup,
                            resources=dict(keywords=keywords, label=label))

keyword_my = make_keyword_lf(keywords=["my"])
keyword_subscribe = make_keyword_lf(keywords=["subscribe"])
keyword_link = make_keyword_lf(keywords=["http"])
keyword_please = make_keyword_lf(keywords=["please", "plz"])
keyword_song = make_keyword_lf(keywords=["song"], label=HAM)

@labeling_function()
def short_comment(x):
    return HAM if len(x.text.split()) < 5 else ABSTAIN

lfs = [keyword_my, keyword_subscribe, keyword_link, keyword_please, keyword_song,
       regex_check_out, short_comment]
if find_spec("textblob"):
    from textblob import TextBlob

    @preprocessor(memoize=True)
    def textblob_sentiment(x):
        scores = TextBlob(x.text)
        x.polarity = scores.sentiment.polarity
        x.subjectivity = scores.sentiment.subjectivity
        return x

    @labeling_function(pre=[textblob_sentiment])
    def textblob_polarity(x):
        return HAM if x.polarity > 0.9 else ABSTAIN

    @labeling_function(pre=[textblob_sentiment])
    def textblob_subjectivity(x):
        return HAM if x.subjectivity >= 0.5 else ABSTAIN

    lfs += [textblob_polarity, textblob_subjectivity]
applier = PandasLFApplier(lfs=lfs)
L_train = applier.apply(df=df_train)
L_test = applier.apply(df=df_test)
''',
    "analysis": '''
summary = LFAnalysis(L=L_train, lfs=lfs).lf_summary()
test_summary = LFAnalysis(L=L_test, lfs=lfs).lf_summary(Y=Y_test)
''',
    "label_model": '''
majority_model = MajorityLabelVoter()
preds_train = majority_model.predict(L=L_train)
label_model = LabelModel(cardinality=2, verbose=True)
label_model.fit(L_train=L_train, n_epochs=500, log_freq=100, seed=123)
majority_acc = majority_model.score(L=L_test, Y=Y_test, tie_break_policy="random")["accuracy"]
label_model_acc = label_model.score(L=L_test, Y=Y_test, tie_break_policy="random")["accuracy"]
probs_train = label_model.predict_proba(L=L_train)
df_train_filtered, probs_train_filtered = filter_unlabeled_dataframe(
    X=df_train, y=probs_train, L=L_train)
preds_train_filtered = probs_to_preds(probs=probs_train_filtered)
kept_by_abstain = label_model.predict(L=L_train, tie_break_policy="abstain") != ABSTAIN
''',
}
#: the steps whose seconds make the tutorial's post-import work
WORK = ("apply", "analysis", "label_model")


def run_tutorial(root: str) -> tuple[dict[str, Any], dict[str, float]]:
    """The tutorial with its imports from ``root`` (``"snorkel"`` or the compat namespace):
    its final namespace and each step's seconds."""
    from wslib.datasets import load_embedded

    ds = load_embedded("youtube")
    space: dict[str, Any] = {"df_train": ds.splits["train"].data, "Y_train": ds.splits["train"].y,
                             "df_test": ds.splits["test"].data, "Y_test": ds.splits["test"].y}
    seconds = {}
    for step, source in TUTORIAL.items():
        code = compile(source if root == "snorkel" else rewrite_imports(source)[0],
                       f"<tutorial {step}>", "exec")
        start = time.perf_counter()
        exec(code, space)  # noqa: S102 - the tutorial's own code
        seconds[step] = time.perf_counter() - start
    return space, seconds


def _same(a: Any, b: Any) -> bool:
    import numpy as np
    import pandas as pd

    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
            return True
        except AssertionError:
            return False
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


def tutorial_records(repeat: int) -> list[dict[str, Any]]:
    """Snorkel and the compat layer alternately, ``repeat`` times: seconds, accuracies, checks."""
    roots = {"snorkel 0.10.0": "snorkel", COMPAT: COMPAT}
    if importlib.util.find_spec("snorkel") is None:
        raise FileNotFoundError("the tutorial benchmark needs Snorkel: pip install "
                                f"{SNORKEL} (the peers extra)")
    times: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
    spaces: dict[str, dict[str, Any]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Snorkel's and the compat layer's notes, as expected
        for _ in range(repeat):
            for name, root in roots.items():
                spaces[name], seconds = run_tutorial(root)
                times[name].append(seconds)
    out = []
    for name, runs in times.items():
        space = spaces[name]
        for step in (*WORK, "work"):
            values = [sum(r[s] for s in WORK) if step == "work" else r[step] for r in runs]
            out.append(record(TUTORIAL_DATASET, name, f"seconds.{step}",
                              statistics.median(values), statistics.median(values),
                              first=values[0], runs=len(values)))
        for metric in ("majority_acc", "label_model_acc"):
            out.append(record(TUTORIAL_DATASET, name, metric, space[metric], None))
        out.append(record(TUTORIAL_DATASET, name, "rows_kept_by_filter",
                          len(space["df_train_filtered"]), None))
        out.append(record(TUTORIAL_DATASET, name, "rows_kept_by_abstain",
                          int(space["kept_by_abstain"].sum()), None))
    theirs, ours = spaces["snorkel 0.10.0"], spaces[COMPAT]
    lfs = [lf.name for lf in ours["lfs"]]
    for name in ("L_train", "L_test", "first_summary", "summary", "test_summary",
                 "buckets", "df_train_filtered", "kept_by_abstain"):
        same = (theirs[name].keys() == ours[name].keys() and all(
            _same(theirs[name][k], ours[name][k]) for k in theirs[name])) \
            if isinstance(ours[name], dict) else _same(theirs[name], ours[name])
        out.append(record(TUTORIAL_DATASET, COMPAT, f"identical.{name}", float(same), None,
                          lfs=lfs))
    return out


# ---------------------------------------------------------------------------- Snorkel's tests
_MODEL = "labeling/model/test_label_model.py::LabelModelTest::"
_INTERNAL = "reaches into Snorkel's internals ({})"
#: tests of Snorkel internals: run, reported, not counted
EXCLUDED: dict[str, str] = {
    **{_MODEL + name: _INTERNAL.format(what) for name, what in {
        "test_L_form": "LabelModel._set_constants and its n, m",
        "test_class_balance": "LabelModel._set_class_balance and its p",
        "test_generate_O": "the overlap matrix O of the SGD objective",
        "test_augmented_L_construction": "LabelModel._get_augmented_label_matrix, c_tree",
        "test_conditional_probs": "a model assembled by the private _set_up_model steps",
        "test_build_mask": "the mask of the SGD objective",
        "test_init_params": "mu_init, the SGD starting point",
        "test_predict_proba": "setting mu as a torch nn.Parameter",
        "test_predict": "setting mu as a torch nn.Parameter",
        "test_score": "setting mu as a torch nn.Parameter",
        "test_loss": "the private SGD losses _loss_l2 and _loss_mu",
        "test_model_loss": "the private SGD loss _loss_mu",
        "test_optimizer_init": "the torch optimizer object",
        "test_scheduler_init": "the torch learning-rate scheduler object",
        "test_warmup": "the SGD warm-up schedule's warmup_steps",
        "test_symmetry_breaking": "_break_col_permutation_symmetry on a torch mu",
        "test_symmetry_breaking_multiclass": "_break_col_permutation_symmetry on a torch mu",
    }.items()},
    **{f"labeling/model/test_logger.py::LoggerTest::{name}":
       "Snorkel's SGD epoch logger (labeling.model.logger); there are no epochs to log"
       for name in ("test_basic", "test_bad_metrics_dict", "test_valid_metrics_dict")},
}
_SPACY = "needs spaCy and its en_core_web_sm model, which are not installed here"
#: tests that need a spaCy model: counted only where one is installed
NEEDS_SPACY: dict[str, str] = {
    f"labeling/apply/test_lf_applier.py::{name}": _SPACY for name in (
        "TestPandasApplier::test_lf_applier_pandas_spacy_preprocessor",
        "TestPandasApplier::test_lf_applier_pandas_spacy_preprocessor_memoized",
        "TestDaskApplier::test_lf_applier_dask_spacy_preprocessor",
        "TestDaskApplier::test_lf_applier_pandas_spacy_preprocessor_memoized")}
NEEDS_SPACY["labeling/preprocess/test_nlp.py::TestSpacyPreprocessor::test_spacy_preprocessor"] = \
    _SPACY
#: why a counted test fails (a failure not listed here shows its own message)
KNOWN_FAILURES: dict[str, str] = {
    "labeling/test_convergence.py::LabelingConvergenceTest::test_labeling_convergence": (
        "one of its 15 LFs is always wrong (it votes 0 on positives only); Snorkel's "
        "conditional-probability model learns to read its vote as 1, while wslib's LabelModel "
        "never lets an LF count against its own vote (accuracy >= 1/k): error 0.085 against "
        "the test's 0.06"),
}


def fetch_sdist(folder: Path) -> Path:
    """Download Snorkel 0.10.0's source distribution from PyPI into ``folder``."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--no-binary", ":all:", SNORKEL, "-d", str(folder)], check=True)
    return next(folder.glob("snorkel-0.10.0.tar.gz"))


def extract_tests(sdist: Path, folder: Path) -> int:
    """Snorkel's ``test/labeling`` (minus Spark) and ``test/utils`` into ``folder``, imports
    rewritten; returns the number of imports rewritten."""
    rewritten = 0
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not member.isfile() or len(parts) < 4 or parts[1] != "test" \
                    or parts[2] not in ("labeling", "utils") or "spark" in parts[-1]:
                continue
            target = folder.joinpath(*parts[2:])
            target.parent.mkdir(parents=True, exist_ok=True)
            text, n = rewrite_imports(tar.extractfile(member).read().decode("utf-8"))
            target.write_text(text, encoding="utf-8")
            rewritten += n
    (folder / "pytest.ini").write_text("[pytest]\nmarkers =\n    spark\n    complex\n")
    return rewritten


def _module_tests(path: Path) -> list[str]:
    """``Class::test`` names defined in a test file (for a module that failed to import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.name}::{item.name}" for node in tree.body if isinstance(node, ast.ClassDef)
            for item in node.body
            if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]


def _outcomes(junit: Path, folder: Path) -> dict[str, tuple[str, float, str]]:
    """``test id -> (outcome, seconds, message)`` from pytest's JUnit XML; a module that
    failed to import gives an error for each test it defines."""
    out = {}
    for case in ET.parse(junit).iter("testcase"):
        bad = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        outcome = "passed" if bad is None else {"failure": "failed"}.get(bad.tag, bad.tag)
        message = "" if bad is None else (bad.get("message") or "").splitlines()[0][:300]
        if not case.get("classname"):  # a collection error: name is the module
            path = case.get("name", "").replace(".", "/") + ".py"
            for name in _module_tests(folder / path):
                out[f"{path}::{name}"] = ("error", 0.0, message)
            continue
        module, cls = case.get("classname", "").rsplit(".", 1)
        test_id = f"{module.replace('.', '/')}.py::{cls}::{case.get('name')}"
        out[test_id] = (outcome, float(case.get("time", 0.0)), message)
    return out


def run_snorkel_tests(sdist: Path | None = None) -> list[dict[str, Any]]:
    """One record per Snorkel test: ``value`` 1 when it passed, its category and reason."""
    import wslib

    root = Path(wslib.__file__).resolve().parents[1]
    spacy_model = importlib.util.find_spec("en_core_web_sm") is not None
    with tempfile.TemporaryDirectory(prefix="wslib-snorkel-tests-") as tmp:
        tmp = Path(tmp)
        sdist = sdist or fetch_sdist(tmp)
        tests = tmp / "tests"
        n_imports = extract_tests(sdist, tests)
        env = {**os.environ, "PYTHONPATH": str(root)}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "--continue-on-collection-errors", "--junitxml",
                        str(tmp / "junit.xml"), "."], cwd=tests, env=env,
                       stdout=subprocess.DEVNULL, check=False)
        outcomes = _outcomes(tmp / "junit.xml", tests)
    records = []
    for test_id, (outcome, seconds, message) in sorted(outcomes.items()):
        if test_id in EXCLUDED:
            category, reason = "excluded", EXCLUDED[test_id]
        elif test_id in NEEDS_SPACY and not spacy_model:
            category, reason = "environment", NEEDS_SPACY[test_id]
        else:
            category = "counted"
            reason = "" if outcome == "passed" else KNOWN_FAILURES.get(test_id, message)
        records.append(record(TESTS_DATASET, test_id, "passed", outcome == "passed", seconds,
                              outcome=outcome, category=category, reason=reason,
                              imports_rewritten=n_imports))
    return records


# ---------------------------------------------------------------------------- the command
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--part", choices=("tutorial", "tests", "all"), default="all",
                        help="the tutorial benchmark, Snorkel's tests, or both (default)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="tutorial runs per library; the median counts (default 3)")
    parser.add_argument("--sdist", type=Path, default=None,
                        help="Snorkel 0.10.0's .tar.gz (default: pip download it from PyPI)")


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    records = []
    if args.part in ("tutorial", "all"):
        records += tutorial_records(1 if args.quick else args.repeat)
    if args.part in ("tests", "all"):
        records += run_snorkel_tests(args.sdist)
    return records


def _value(records: list[dict[str, Any]], method: str, metric: str) -> Any:
    return next((r["value"] for r in records if r["method"] == method and r["metric"] == metric),
                None)


def render_markdown(records: list[dict[str, Any]]) -> str:
    """The tutorial's speed and checks, then the tally of Snorkel's tests and every test
    that was excluded or did not pass, with its reason."""
    parts = []
    tutorial = [r for r in records if r["dataset"] == TUTORIAL_DATASET]
    if tutorial:
        rows = []
        for step in (*WORK, "work"):
            s, c = (next(r for r in tutorial if r["method"] == m
                         and r["metric"] == f"seconds.{step}") for m in ("snorkel 0.10.0", COMPAT))
            rows.append([step if step != "work" else "**all the work after the imports**",
                         f"{s['value']:.3f}", f"{c['value']:.4f}",
                         f"**{s['value'] / c['value']:.0f}x**", f"{s['first']:.3f}",
                         f"{c['first']:.3f}", f"{s['first'] / c['first']:.1f}x"])
        for metric in ("majority_acc", "label_model_acc", "rows_kept_by_filter",
                       "rows_kept_by_abstain"):
            s, c = (_value(tutorial, m, metric) for m in ("snorkel 0.10.0", COMPAT))
            fmt = "{:.3f}" if metric.endswith("acc") else "{:.0f}"
            rows.append([metric, fmt.format(s), fmt.format(c), "", "", "", ""])
        checks = [r for r in tutorial if r["metric"].startswith("identical.")]
        runs = next(r.get("runs") for r in tutorial if r["metric"] == "seconds.work")
        lfs = checks[0].get("lfs", []) if checks else []
        parts += [f"The spam tutorial on the embedded YouTube data ({len(lfs)} LFs: "
                  f"{', '.join(lfs)}); seconds are the median of {runs} alternating runs in "
                  "one process.", "",
                  format_table(["step / result", "snorkel 0.10.0 (s, median)",
                                f"{COMPAT} (s, median)", "speed-up", "snorkel, first run (s)",
                                "compat, first run (s)", "first-run speed-up"],
                               rows, markdown=True), "",
                  "Identical between the two: " + ", ".join(
                      f"{r['metric'].split('.', 1)[1]} {'yes' if r['value'] else '**no**'}"
                      for r in checks) + "."]
    tests = [r for r in records if r["dataset"] == TESTS_DATASET]
    if tests:
        counted = [r for r in tests if r["category"] == "counted"]
        env = [r for r in tests if r["category"] == "environment"]
        passed = sum(bool(r["value"]) for r in counted)
        parts += ["" if not parts else "\n", (
            f"Snorkel 0.10.0's own tests (`test/labeling` minus Spark, `test/utils`: "
            f"{len(tests)} tests, {tests[0].get('imports_rewritten', '?')} imports rewritten): "
            f"**{passed} of the {len(counted)} counted pass ({passed / len(counted):.0%})**; "
            f"{len(tests) - len(counted) - len(env)} test Snorkel internals and are not "
            f"counted; {len(env)} need spaCy's model, not installed here (counting them as "
            f"failures: {passed} of {len(counted) + len(env)}, "
            f"{passed / (len(counted) + len(env)):.0%})."), "",
            format_table(["test", "outcome", "counted", "why"],
                         [[r["method"], r["outcome"], r["category"], r["reason"]]
                          for r in tests if not (r["value"] and r["category"] == "counted")],
                         markdown=True)]
    return "\n".join(parts) + "\n"


def render_block(records: list[dict[str, Any]], block: str) -> str:
    """The ``tutorial`` block of docs/migration-snorkel.md (:func:`render_markdown`)."""
    if block != "tutorial":
        raise ValueError(f"unknown snorkel block {block!r}; the one block is 'tutorial'")
    return render_markdown(records)
