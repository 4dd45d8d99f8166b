"""The project's own promises: the README's commands, CI wiring, packaging."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [b.strip() for b in blocks if b.strip().startswith("pip install")]


def test_readme_has_exactly_two_setup_commands():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("wslib quickstart")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _readme_commands()[1] in [line.strip() for line in ci]


def test_embedded_dataset_ships_with_attribution():
    folder = ROOT / "wslib" / "datasets" / "data" / "youtube"
    assert (folder / "train.json").exists()
    assert "UCI YouTube Spam Collection" in (folder / "readme.txt").read_text()


def test_api_reference_is_current():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "make_api.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _package_modules() -> list[str]:
    import pkgutil

    import wslib

    names = (info.name for info in pkgutil.walk_packages(wslib.__path__, "wslib."))
    return sorted(n for n in names if not n.endswith("__main__"))  # importing it runs the CLI


OPTIONAL_IMPORTS = {"dask", "distributed", "sentence_transformers", "snorkel", "crowdkit",
                    "flyingsquid", "matplotlib"}


@pytest.mark.parametrize("name", _package_modules())
def test_docstring_examples_run(name):
    """Every example in a docstring of the package runs and prints what it shows."""
    import doctest
    import importlib
    import warnings

    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra that is not installed
        if exc.name and exc.name.split(".")[0] in OPTIONAL_IMPORTS:
            pytest.skip(f"{name} needs {exc.name}")
        raise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # coverage and dropped-verifier notes in the examples
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def _messages() -> list[tuple[str, int, str]]:
    """(file, line, text) of every string literal inside a ``raise`` or a
    ``warnings.warn(...)`` call of the package."""
    import ast

    out = []
    for path in sorted((ROOT / "wslib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_warn = isinstance(node, ast.Call) and getattr(node.func, "attr",
                                                             getattr(node.func, "id", "")) == "warn"
            if isinstance(node, ast.Raise) or is_warn:
                out += [(path.name, sub.lineno, sub.value) for sub in ast.walk(node)
                        if isinstance(sub, ast.Constant) and isinstance(sub.value, str)]
    return out


def test_errors_and_warnings_point_to_nothing_an_installed_user_lacks():
    """Messages name documentation an installed package has (a docstring section,
    ``help(...)``), never a path of the repository such as ``docs/contract.md``."""
    messages = _messages()
    assert len(messages) > 300  # the scan sees the package's messages
    repo_path = re.compile(r"\b(docs|benchmarks|examples|tests)/|\.md\b")
    bad = [m for m in messages if repo_path.search(m[2])]
    assert not bad, bad
    for name, line, text in messages:  # help(...) targets exist
        for target in re.findall(r"help\((wslib[\w.]*)\)", text):
            import importlib
            module, _, attr = target.rpartition(".")
            try:
                importlib.import_module(target)
            except ImportError:
                assert hasattr(importlib.import_module(module), attr), (name, line, target)


def test_code_and_docs_cite_no_issue_numbers():
    """Issues are the project's work log, not the user's: code, docs and their strings say
    what a thing is, never which issue asked for it ("issue 2", "Issue 3's table")."""
    cite = re.compile(r"\bissues?(?:'s)?\s*#?\d+|\bthe issue's\b", flags=re.I)
    files = [ROOT / "README.md", *[p for folder in ("wslib", "docs", "benchmarks", "examples",
                                                    "tests")
                                   for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md")]]
    bad = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in files
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if cite.search(line) and p.name != "test_project.py"]
    assert len(files) > 100 and not bad, "\n".join(bad)


def test_no_function_is_longer_than_80_lines():
    """A function, docstring included, fits on one screen: longer ones are split into
    named steps."""
    import ast

    long = []
    for path in sorted((ROOT / "wslib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT).as_posix()
        long += [(where, node.name, node.end_lineno - node.lineno + 1)
                 for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.end_lineno - node.lineno + 1 > 80]
    assert len(list((ROOT / "wslib").rglob("*.py"))) > 50  # the scan sees the package
    assert not long, long
