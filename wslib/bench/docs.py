"""Generate ``docs/benchmarks.md`` from results files; never edit that page by hand.

Every ``<name>.json`` in the results folder (a list of benchmark records) becomes
one section, written by the owning module ``wslib.bench.<name>``'s
``render_markdown(records)`` (the generic records table when there is no such
module), followed by the module's plots (``plot(records, img_dir)``) linked from
``docs/img/``. The environment beside each file (``<name>.env.json``) gives the
machine, versions, date, command and wall time shown above its section.

>>> import tempfile, pathlib, json
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "demo.json").write_text(json.dumps([{"dataset": "x", "method": "m",
...     "metric": "accuracy", "value": 0.5, "seconds": 1.0}]))
>>> "| x | m | accuracy | 0.500 |" in render_docs(d, d / "out.md", d / "img").read_text()
True

Other pages quote results through *generated blocks*: the lines between
``<!-- generated: NAME.BLOCK -->`` and ``<!-- end generated -->`` are replaced by
``wslib.bench.NAME.render_block(records, BLOCK)`` on the records of ``NAME.json``
(:func:`fill_blocks`), so their figures cannot go stale either.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from wslib.bench.core import BenchmarkError, read_results
from wslib.bench.report import format_table, records_table

__all__ = ["render_docs", "results_files", "fill_blocks", "MAX_PNG_BYTES", "BLOCK"]

#: plots larger than this are reported, since they bloat the repository
MAX_PNG_BYTES = 200_000
#: sections that come first, in this order; the others follow alphabetically
ORDER = ("labelmodel", "apply", "endmodel", "weaver", "autows", "scale", "coldstart")
#: environment fields shown in the versions table
VERSION_FIELDS = ("wslib", "python", "numpy", "scipy", "pandas",
                  "scikit-learn", "numba", "torch", "snorkel", "crowdkit", "hyperlm", "pyarrow",
                  "dask", "processor", "cpus", "system")


#: a generated block in another docs page: ``<!-- generated: labelmodel.bar -->`` ... the
#: module's ``render_block(records, "bar")`` ... ``<!-- end generated -->``
BLOCK = re.compile(r"(<!-- generated: (\w+)\.([\w-]+) -->\n)(.*?)(<!-- end generated -->)",
                   re.S)


def results_files(results_dir: Path) -> list[Path]:
    """Results files in ``results_dir`` (``*.json`` but not ``*.env.json``), in section order."""
    files = [p for p in Path(results_dir).glob("*.json") if not p.name.endswith(".env.json")]
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(files, key=lambda p: (rank.get(p.stem, len(ORDER)), p.stem))


def _module(name: str):
    module_name = f"wslib.bench.{name}"
    if importlib.util.find_spec(module_name) is None:
        return None
    return importlib.import_module(module_name)


def _env_line(env: dict[str, Any]) -> str:
    """One line per run that produced the results: date, wall and CPU time, load, command."""
    if not env.get("runs"):
        return "_No environment file beside these results._"
    lines = []
    for run in env["runs"]:
        load = run.get("load_average")
        parts = [f"measured {run.get('date', '?')}",
                 f"wall {run['wall_seconds']:.0f} s" if run.get("wall_seconds") else None,
                 f"CPU {run['cpu_seconds']:.0f} s" if run.get("cpu_seconds") else None,
                 f"load average {load[0]:.1f} on {env.get('cpus')} CPUs at the end"
                 if load else None,
                 _commit_note(run.get("wslib_commit")),
                 f"command `{run['command']}`" if run.get("command") else None]
        lines.append("_" + "; ".join(p for p in parts if p) + "._")
    return "\n\n".join(lines)


def _commit_note(commit: str | None) -> str | None:
    if not commit:
        return None
    return f"wslib {commit[:10]}" + (" with uncommitted changes" if commit.endswith("+dirty")
                                     else "")


def _versions(envs: dict[str, dict[str, Any]]) -> str:
    names = [n for n, e in envs.items() if e]
    if not names:
        return ""
    rows = [[field] + [str(envs[n].get(field, "-")) for n in names] for field in VERSION_FIELDS
            if any(field in envs[n] for n in names)]
    return format_table(["", *names], rows, markdown=True)


def render_docs(results_dir: Path, out: Path, img_dir: Path) -> Path:
    """Write the benchmarks page ``out`` from ``results_dir``; plots go to ``img_dir``
    (linked relative to ``out``). Returns ``out``."""
    files = results_files(results_dir)
    if not files:
        raise BenchmarkError(f"{results_dir} holds no results files (*.json)")
    sections, envs = [], {}
    for path in files:
        records, env = read_results(path)
        envs[path.stem] = env
        module = _module(path.stem)
        render = getattr(module, "render_markdown", None)
        body = render(records) if render else records_table(records, markdown=True) + "\n"
        images = []
        if module is not None and hasattr(module, "plot") and records:
            for png in module.plot(records, img_dir):
                if png.stat().st_size > MAX_PNG_BYTES:
                    raise BenchmarkError(f"{png} is {png.stat().st_size:,} bytes, over the "
                                         f"{MAX_PNG_BYTES:,} allowed for docs images")
                rel = Path(os.path.relpath(png, out.parent)).as_posix()
                images.append(f"![{png.stem}]({rel})")
        sections.append("\n\n".join([f"## {path.stem}", _env_line(env), body.rstrip(),
                                     *images]))
    header = ["# Benchmarks",
              "_Generated by `python benchmarks/make_docs.py` from `benchmarks/results/*.json`; "
              "do not edit by hand. Re-run a benchmark with `--json` to refresh its section "
              "(see `benchmarks/README.md`)._",
              "Versions and machine of each results file:", _versions(envs)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(p for p in header if p) + "\n\n" + "\n\n".join(sections) + "\n",
                   encoding="utf-8")
    return out


def fill_blocks(page: Path, results_dir: Path) -> bool:
    """Regenerate the :data:`BLOCK` sections of a docs page from ``results_dir``: each
    becomes the owning module's ``render_block(records, name)`` under a line naming
    its results file and command. Returns whether the page changed."""
    text = Path(page).read_text(encoding="utf-8")
    cache: dict[str, tuple[list, dict]] = {}

    def fill(match: re.Match) -> str:
        name, block = match[2], match[3]
        module = _module(name)
        if module is None or not hasattr(module, "render_block"):
            raise BenchmarkError(f"{page}: no wslib.bench.{name}.render_block for block "
                                 f"{name}.{block}")
        if name not in cache:
            cache[name] = read_results(Path(results_dir) / f"{name}.json")
        records, env = cache[name]
        commands = "; ".join(f"`{r['command']}`" for r in env.get("runs", [])
                             if r.get("command"))
        source = (f"_Generated by `python benchmarks/make_docs.py` from "
                  f"`benchmarks/results/{name}.json` ({commands or 'no command recorded'})._")
        return (match[1] + source + "\n\n" + module.render_block(records, block).rstrip()
                + "\n" + match[5])

    new = BLOCK.sub(fill, text)
    if new != text:
        Path(page).write_text(new, encoding="utf-8")
    return new != text
