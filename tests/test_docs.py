"""Every ```python block of README.md and docs/**/*.md runs as written, and every
script in examples/ runs end to end.

Each page runs in a fresh Python process, its blocks in order and sharing one
namespace, as a reader copying them top to bottom would run them; a failure
names the page and its line (the blocks are compiled with their position in the
page). Pages and scripts are collected when the module loads, so a new page or
example is tested without touching this file. They all run concurrently, a few
processes at a time, so the suite waits for the slowest one rather than their sum.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
#: fenced blocks: the info string's first word, the body, and where the body starts
FENCE = re.compile(r"^```[ \t]*(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
PYTHON = {"python", "py", "python3"}
TIMEOUT = 600

#: runs one page: its blocks, each compiled at its line of the page, in one namespace
RUNNER = """
import json, sys
page, blocks = sys.argv[1], json.loads(sys.argv[2])
namespace = {"__name__": "__main__"}
for line, source in blocks:
    exec(compile("\\n" * (line - 1) + source, page, "exec"), namespace)
"""


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """``(first line, source)`` of each python block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in FENCE.finditer(text)
            if m.group(1).lower() in PYTHON]


PAGES_WITH_CODE = [p for p in PAGES if python_blocks(p)]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", WSLIB_EXAMPLE_OUT=str(cwd),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory) -> dict[str, Future]:
    """Every selected page and example started at once, at most one process per CPU."""
    selected = {item.callspec.params.get("page", item.callspec.params.get("script"))
                for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1))
    futures = {}
    for page in PAGES_WITH_CODE:
        if page in selected:
            blocks = json.dumps(python_blocks(page))
            futures[str(page.relative_to(ROOT))] = pool.submit(
                _run, [sys.executable, "-c", RUNNER, str(page), blocks],
                tmp_path_factory.mktemp(page.stem))
    for script in EXAMPLES:
        if script in selected:
            futures[script.name] = pool.submit(_run, [sys.executable, str(script)],
                                               tmp_path_factory.mktemp(script.stem))
    yield futures
    pool.shutdown(cancel_futures=True)


def _check(proc: subprocess.CompletedProcess, what: str) -> None:
    assert proc.returncode == 0, (f"{what} failed:\n{proc.stdout[-2000:]}\n"
                                  f"{proc.stderr[-4000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=[p.name for p in PAGES_WITH_CODE])
def test_page_code_runs(page, runs):
    _check(runs[str(page.relative_to(ROOT))].result(), str(page.relative_to(ROOT)))


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, runs):
    proc = runs[script.name].result()
    _check(proc, script.name)
    assert proc.stdout.strip(), f"{script.name} printed nothing"


def test_blocks_are_found_where_they_are(tmp_path):
    """The block finder: info strings, line numbers, and non-python fences skipped."""
    page = tmp_path / "p.md"
    page.write_text("# t\n\n```python\nx = 1\n```\n\ntext\n\n```text\nf(a, *, b)\n```\n"
                    "```py title\ny = x\n```\n")
    assert python_blocks(page) == [(4, "x = 1\n"), (13, "y = x\n")]


def test_every_page_with_code_is_collected():
    """Pages added to docs/ later are picked up; the README is one of them."""
    assert ROOT / "README.md" in PAGES_WITH_CODE
    assert {p.name for p in PAGES_WITH_CODE} >= {"lfs.md", "quickstart.md", "endmodel.md"}
