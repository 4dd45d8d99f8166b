"""The migration benchmark's machinery (offline) and the migration page's promises."""

import io
import re
import tarfile
import warnings
from pathlib import Path

import pytest

from wslib.bench.core import read_results
from wslib.bench.snorkel import (EXCLUDED, extract_tests, render_markdown,
                                 rewrite_imports)

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "migration-snorkel.md"
RESULTS = ROOT / "benchmarks" / "results" / "snorkel.json"


def test_rewrite_touches_only_import_prefixes():
    source = ("from snorkel.labeling import LFAnalysis\nimport snorkel.utils as u\n"
              "    from snorkel.types import DataPoint\nname = 'snorkel.labeling'\n"
              "from snorkelish import x\n")
    out, n = rewrite_imports(source)
    assert n == 3
    assert out.count("wslib.compat.snorkel.") == 3
    assert "'snorkel.labeling'" in out and "from snorkelish" in out


def _sdist(tmp_path: Path) -> Path:
    path = tmp_path / "snorkel-0.10.0.tar.gz"
    files = {"snorkel-0.10.0/test/labeling/test_a.py": "from snorkel.utils import x\n",
             "snorkel-0.10.0/test/labeling/apply/test_spark.py": "import pyspark\n",
             "snorkel-0.10.0/test/utils/test_b.py": "from snorkel.types import y\n",
             "snorkel-0.10.0/test/slicing/test_c.py": "from snorkel.slicing import z\n",
             "snorkel-0.10.0/snorkel/labeling/__init__.py": "code = 1\n"}
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_extract_takes_labeling_and_utils_tests_only(tmp_path):
    out = tmp_path / "tests"
    assert extract_tests(_sdist(tmp_path), out) == 2
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py"))
    assert found == ["labeling/test_a.py", "utils/test_b.py"]
    assert "wslib.compat.snorkel.utils" in (out / "labeling" / "test_a.py").read_text()


def test_every_exclusion_has_a_reason():
    assert len(EXCLUDED) == 20
    assert all(reason for reason in EXCLUDED.values())


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_migration_page_code_runs_top_to_bottom(capsys):
    blocks = _python_blocks(PAGE.read_text())
    assert len(blocks) >= 3
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, block in enumerate(blocks):
            exec(compile(block, f"{PAGE.name} block {i + 1}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "keyword_my" in out and "no argument 'n_epochs'" in out
    assert "fault_tolerant" in out and "native label model" in out


def test_migration_page_results_are_current():
    if not RESULTS.exists():
        pytest.skip("no results file yet")
    text = PAGE.read_text()
    generated = text.split("<!-- generated: snorkel.tutorial -->", 1)[1].split(
        "<!-- end generated -->", 1)[0]
    assert render_markdown(read_results(RESULTS)[0]).strip() in generated, \
        "run python benchmarks/make_docs.py to refresh the page"


def test_migration_page_is_linked_from_the_index():
    assert "(migration-snorkel.md)" in (ROOT / "docs" / "index.md").read_text()
