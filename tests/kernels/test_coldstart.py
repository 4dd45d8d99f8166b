"""Fresh processes: what ``import wslib`` loads, that small data never compiles, and
numba's cache under bad conditions (unwritable folder, two processes compiling at once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wslib.kernels.jit import COMPILING_MESSAGE, JIT_MIN_SIZE_ENV

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, *, cache: Path | None = None, compiled: bool = False,
               **env: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter importing this checkout's wslib; ``compiled``
    forces the numba kernels whatever the input size."""
    environ = {k: v for k, v in os.environ.items() if k != JIT_MIN_SIZE_ENV}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")])
    if cache is not None:
        environ["NUMBA_CACHE_DIR"] = str(cache)
    if compiled:
        environ[JIT_MIN_SIZE_ENV] = "0"
    environ.update(env)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_import_wslib_loads_no_compiler_and_no_heavy_library():
    out = run_python("import sys, json, wslib; print(json.dumps(sorted(m for m in "
                     "('numba', 'llvmlite', 'torch', 'scipy.sparse', 'sklearn') "
                     "if m in sys.modules)))")
    assert json.loads(out.stdout) == []


def test_readme_pipeline_on_small_data_never_compiles(tmp_path):
    """The README's job on the embedded data, with an empty numba cache: nothing is
    compiled, and numba is never even imported."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("```python\n") + len("```python\n")
    pipeline = text[start:text.index("```", start)]
    code = pipeline + "\nimport sys\nprint('numba' in sys.modules)\n"
    out = run_python(code, cache=tmp_path / "cache")
    assert out.stdout.strip().splitlines()[-1] == "False"
    assert COMPILING_MESSAGE not in out.stderr
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.nbi"))


COVERAGE = ("import numpy as np\n"
            "from wslib.matrix import to_sparse\n"
            "from wslib.kernels import row_coverage\n"
            "L = np.array([[0, -1, 1], [-1, -1, -1], [2, 2, -1]], dtype=np.int8)\n"
            "print(row_coverage(L).tolist(), row_coverage(to_sparse(L)).tolist())\n")


@pytest.mark.slow
def test_a_compile_is_announced_once_and_cached(tmp_path):
    """Two kernels compiled in one process: one line on stderr; the next process loads
    them from the cache and says nothing."""
    cache = tmp_path / "cache"
    first = run_python(COVERAGE, cache=cache, compiled=True)
    assert first.stdout.split() == ["[2,", "0,", "2]", "[2,", "0,", "2]"]
    assert first.stderr.count(COMPILING_MESSAGE) == 1
    assert any(cache.rglob("*.nbi"))
    again = run_python(COVERAGE, cache=cache, compiled=True)
    assert again.stdout == first.stdout and COMPILING_MESSAGE not in again.stderr


@pytest.mark.slow
def test_an_unwritable_cache_folder_warns_once_and_works(tmp_path):
    """NUMBA_CACHE_DIR under a file (no folder can be made there, whoever runs the test),
    and numba allowed no other cache location: the kernels compile in memory, with one
    CacheWarning for the two of them."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = run_python(COVERAGE, cache=blocker / "cache", compiled=True,
                     NUMBA_CACHE_LOCATOR_CLASSES="_UserProvidedCacheLocator")
    assert out.stdout.split() == ["[2,", "0,", "2]", "[2,", "0,", "2]"]
    assert out.stderr.count("CacheWarning") == 1, out.stderr
    assert "not writable" in out.stderr


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_a_read_only_cache_folder_warns_once_and_works(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        out = run_python(COVERAGE, cache=cache, compiled=True,
                         NUMBA_CACHE_LOCATOR_CLASSES="_UserProvidedCacheLocator")
    finally:
        cache.chmod(0o700)
    assert out.stdout.split() == ["[2,", "0,", "2]", "[2,", "0,", "2]"]
    assert out.stderr.count("CacheWarning") == 1, out.stderr


@pytest.mark.slow
def test_two_workers_compiling_into_one_cold_cache(tmp_path):
    """apply_lfs(n_jobs=2) on a cold cache with the compiled keyword scan: both worker
    processes compile and write the same cache entries at once. No crash, the votes
    of one process, and a later process loads the cache without compiling."""
    code = ("import numpy as np, pandas as pd\n"
            "from wslib import apply_lfs\n"
            "from wslib.lf import keyword_lf\n"
            "texts = ['check out my song', 'nice song', 'SUBSCRIBE now', 'ok'] * 500\n"
            "lfs = [keyword_lf(['check out', 'subscribe'], 1, name='spam'),\n"
            "       keyword_lf('song', 0, name='song', word_boundary=True)]\n"
            "L = apply_lfs(pd.DataFrame({'text': texts}), lfs, n_jobs={n_jobs}, "
            "chunk_size=500)\n"
            "print(L.sum(axis=0).tolist(), (L >= 0).sum(axis=0).tolist())\n")
    cache = tmp_path / "cache"
    both = run_python(code.replace("{n_jobs}", "2"), cache=cache, compiled=True)
    assert both.stdout.strip() == "[0, -1000] [1000, 1000]"
    later = run_python(code.replace("{n_jobs}", "1"), cache=cache, compiled=True)
    assert later.stdout == both.stdout
    assert COMPILING_MESSAGE not in later.stderr
