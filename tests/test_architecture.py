"""Imports flow one way: every module of wslib imports only its own layer and those below.

The layers, bottom to top (docs/architecture.md draws them). A part of the
package is its subpackage (``wslib.lf``) or top-level module (``wslib.matrix``);
``wslib`` itself, the facade that re-exports ``apply_lfs`` and the LF names,
sits with ``lf`` and ``apply``, whose names it re-exports.

Every ``import`` counts, including those inside functions and under
``TYPE_CHECKING``: a lazy import is still a dependency. A part never imports a
private name (``_name``) or a private module (``_module``) of another part;
the package's own private modules at the bottom (``wslib._validation``,
``wslib._spelling``, ``wslib._keys``) are the shared internals every part may use.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wslib"

LAYERS: list[tuple[str, ...]] = [
    # leaves: import nothing else from wslib (device, metrics: only exceptions, _validation)
    ("exceptions", "_validation", "_spelling", "_keys", "device", "metrics", "classes",
     "persist"),
    ("kernels", "matrix", "vote_stats"),  # hot loops and the vote-matrix type
    ("lf", "apply", ""),  # "" is the wslib facade (wslib/__init__.py)
    ("analysis", "labelmodel", "datasets"),  # datasets build vote matrices with lf and apply
    ("endmodel",),
    ("weaver", "autows"),
    ("pipeline",),
    ("bench", "cli", "quickstart", "compat", "__main__"),  # commands and adapters
]
LAYER = {part: i for i, parts in enumerate(LAYERS) for part in parts}
SHARED_PRIVATE = {"_validation", "_spelling", "_keys"}


class Import(NamedTuple):
    file: str
    line: int
    source: str  # importing module, e.g. wslib.apply.dask
    target: str  # imported module, e.g. wslib.vote_stats
    names: tuple[str, ...]  # names taken from it (empty for "import x")

    def __str__(self) -> str:
        what = f"from {self.target} import {', '.join(self.names)}" if self.names \
            else f"import {self.target}"
        return f"{self.file}:{self.line}: {what}"


def _module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    path = root.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path, root: Path = PACKAGE) -> Iterator[Import]:
    """Every import of a wslib module in ``path``, relative ones resolved; ``from a import b``
    with ``a.b`` a module counts as an import of ``a.b``."""
    source = _module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    file = str(path.relative_to(root.parent))
    for node in ast.walk(ast.parse(path.read_text(), filename=file)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "wslib":
                    yield Import(file, node.lineno, source, alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "wslib":
                continue
            names = []
            for alias in node.names:
                if _is_module(f"{target}.{alias.name}", root):
                    yield Import(file, node.lineno, source, f"{target}.{alias.name}", ())
                else:
                    names.append(alias.name)
            if names:
                yield Import(file, node.lineno, source, target, tuple(names))


def _part(module: str) -> str:
    """``wslib.apply.dask`` -> ``apply``; ``wslib`` -> ``""`` (the facade)."""
    return module.split(".")[1] if "." in module else ""


def _all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports(path)]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def upward_imports(imports: list[Import]) -> list[str]:
    """Imports of a part from a higher layer, with both layers named."""
    return [f"{imp} (layer {LAYER[_part(imp.source)]} {_part(imp.source) or 'wslib'} imports "
            f"layer {LAYER[_part(imp.target)]} {_part(imp.target) or 'wslib'})"
            for imp in imports if LAYER[_part(imp.target)] > LAYER[_part(imp.source)]]


def private_imports(imports: list[Import]) -> list[str]:
    """Imports of another part's private module or private name."""
    bad = []
    for imp in imports:
        part = _part(imp.target)
        if part == _part(imp.source) or part in SHARED_PRIVATE:
            continue
        modules = [m for m in imp.target.split(".")[2:] if _private(m)]
        names = [n for n in imp.names if _private(n)]
        if modules or names:
            bad.append(f"{imp} (private {', '.join(modules + names)} of {part or 'wslib'})")
    return bad


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert parts - set(LAYER) == set(), \
        "add the new part of wslib to LAYERS here and to docs/architecture.md"
    assert set(LAYER) - parts == set(), "LAYERS names a part wslib no longer has"


def test_the_architecture_page_draws_these_layers():
    """docs/architecture.md's diagram puts every part in the layer this test enforces."""
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = re.search(r"```text\n(.*?)```", page, flags=re.S).group(1)
    drawn, layer = {}, None
    for line in diagram.splitlines():
        number = re.match(r"\s*(\d+)\s", line)
        layer = int(number.group(1)) if number else layer
        drawn.update({m: layer for m in re.findall(r"\bwslib\.(\w+)", line)})
    assert drawn == {part: LAYER[part] for part in LAYER if part not in ("", "__main__")}


def test_imports_flow_down_the_layers():
    bad = upward_imports(_all_imports())
    assert not bad, "imports from a higher layer (move the shared piece down):\n" + "\n".join(bad)


def test_no_part_imports_another_part_s_private_names():
    bad = private_imports(_all_imports())
    assert not bad, "private imports across parts (make the piece public):\n" + "\n".join(bad)


@pytest.mark.parametrize("code, upward, private", [
    ("from wslib.bench.core import record", True, False),
    ("def f():\n    from wslib.endmodel._torch import require_torch", True, True),
    ("from ..apply.parquet import _ArrayWriter", False, True),
    ("from wslib import labelmodel", True, False),
    ("import wslib.matrix", False, False),
    ("from wslib._validation import check_params", False, False),
    ("from wslib import __version__", False, False),
])
def test_the_checks_catch_what_they_should(tmp_path, code, upward, private):
    """The walker resolves lazy, relative and submodule imports (a check that cannot fail
    would prove nothing); each line is written as if in wslib/lf/core.py."""
    root = tmp_path / "wslib"
    for name in ("lf/core.py", "bench/core.py", "endmodel/_torch.py", "apply/parquet.py",
                 "labelmodel/__init__.py", "matrix.py", "_validation.py", "__init__.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).touch()
    (root / "lf" / "core.py").write_text(code + "\n")
    imports = list(_imports(root / "lf" / "core.py", root))
    assert imports and all(i.file == "wslib/lf/core.py" and i.line >= 1 for i in imports)
    assert bool(upward_imports(imports)) is upward
    assert bool(private_imports(imports)) is private
