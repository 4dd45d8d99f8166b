"""Every figure of docs/benchmarks.md and of the generated docs blocks comes from a results
file, and every results file is as its generator wrote it."""

import json
import re
import shutil
from pathlib import Path

import pytest

from wslib.bench.core import env_path, read_results, results_digest, write_env, write_json
from wslib.bench.docs import BLOCK, fill_blocks, render_docs, results_files

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
#: results files written before environment files recorded their SHA-256; each loses its
#: place here when its benchmark is run again (the generator then records the digest)
UNSTAMPED = {"apply", "autows", "scale", "weaver"}


def test_benchmarks_page_is_exactly_what_the_results_give(tmp_path):
    """The page is a function of the results files: regenerated, it is byte-identical."""
    page = render_docs(RESULTS, tmp_path / "benchmarks.md", tmp_path / "img")
    assert page.read_text() == (DOCS / "benchmarks.md").read_text(), (
        "docs/benchmarks.md differs from what benchmarks/results/ gives: run "
        "python benchmarks/make_docs.py, never edit the page by hand")


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")
                                        if BLOCK.search(p.read_text())))
def test_generated_blocks_are_current(page, tmp_path):
    copy = shutil.copy(DOCS / page, tmp_path / page)
    assert not fill_blocks(Path(copy), RESULTS), (
        f"docs/{page}: a generated block differs from benchmarks/results/: run "
        "python benchmarks/make_docs.py")


@pytest.mark.parametrize("path", results_files(RESULTS), ids=lambda p: p.stem)
def test_results_files_are_as_their_generator_wrote_them(path):
    records, env = read_results(path)
    assert records and env.get("runs"), f"{path.name}: no records or no run recorded"
    assert all(run.get("command") for run in env["runs"]), f"{path.name}: a run without command"
    if path.stem in UNSTAMPED and "results_sha256" not in env:
        pytest.skip(f"{path.name} predates recorded digests; re-run its benchmark to stamp it")
    assert env.get("results_sha256") == results_digest(path), (
        f"{path.name} changed after its benchmark wrote it: re-run the command in "
        f"{env_path(path).name} instead of editing it")


def test_a_hand_edit_breaks_the_digest(tmp_path):
    path = write_json(tmp_path / "x.json", [{"dataset": "d", "method": "m", "metric": "a",
                                              "value": 0.5, "seconds": 1.0}])
    write_env(path, command="wslib bench x")
    env = json.loads(env_path(path).read_text())
    assert env["results_sha256"] == results_digest(path)
    path.write_text(path.read_text().replace("0.5", "0.6"))
    assert results_digest(path) != env["results_sha256"]


#: pages whose figures are not checked here: generated whole (benchmarks.md by
#: benchmarks/make_docs.py, api.md by docs/make_api.py), and weaver.md, whose figures
#: move to the Weaver benchmark's results with its supervised reference
UNCHECKED_PAGES = {"benchmarks.md", "api.md", "weaver.md"}
#: a table cell of figures: numbers with decimals, ranges, arrows, ratios, nothing else
_FIGURE_CELL = re.compile(r"(?=.*\d\.\d)[\s\d.,+\-−–→>/x×%*()]+")


def _sections(text: str) -> list[str]:
    return re.split(r"^(?=#{1,4} )", text, flags=re.M)


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")
                                        if p.name not in UNCHECKED_PAGES))
def test_figures_in_docs_pages_are_generated_or_one_off(page):
    """A table of measured figures (rows with two or more numbers; a parameter table's
    single default is not one) sits in a generated block, or in a section that says it
    is a one-off measurement (with the command that produced it)."""
    for section in _sections((DOCS / page).read_text()):
        text = BLOCK.sub("", section)  # generated blocks are checked above
        rows = [line.strip() for line in text.splitlines() if line.lstrip().startswith("|")]
        figures = [row for row in rows  # two or more figures in a row
                   if sum(bool(_FIGURE_CELL.fullmatch(c)) for c in row.strip("|").split("|")) > 1]
        if figures and "one-off" not in text.lower():
            heading = section.splitlines()[0] if section.startswith("#") else "(top)"
            pytest.fail(f"docs/{page}, section {heading!r}: a table of figures that is "
                        f"neither generated nor marked one-off, e.g. {figures[0][:80]}")
