"""Shared pieces of every benchmark: records, environment description, writers."""

from __future__ import annotations

import argparse
import csv
import ctypes
import gc
import hashlib
import json
import os
import platform
import subprocess
import threading
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator

REQUIRED_FIELDS = ("dataset", "method", "metric", "value", "seconds")
#: how :func:`measure` tracks peak memory
MEMORY_METHODS = ("rss", "tracemalloc", "off")

__all__ = ["REQUIRED_FIELDS", "MEMORY_METHODS", "BenchmarkError", "Measurement", "NamesAction",
           "record", "environment", "measure", "select", "write_json", "write_csv", "write_env",
           "env_path", "read_results", "results_digest", "merge_records", "source_commit"]


class BenchmarkError(ValueError):
    """A benchmark was asked for something that does not exist (method, dataset, option)."""


def record(dataset: str, method: str, metric: str, value: float, seconds: float,
           **extra: Any) -> dict[str, Any]:
    """One benchmark result; ``extra`` adds any further fields (seed, coverage, ...)."""
    out = {"dataset": dataset, "method": method, "metric": metric,
           "value": None if value is None else float(value),
           "seconds": None if seconds is None else float(seconds)}
    out.update(extra)
    return out


def environment() -> dict[str, Any]:
    """Versions and machine description stored beside every result file."""
    import numpy
    import pandas
    import scipy
    import sklearn

    import wslib

    env = {
        "wslib": wslib.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "scikit-learn": sklearn.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
    }
    for name, dist in (("numba", "numba"), ("torch", "torch"), ("pyarrow", "pyarrow"),
                       ("snorkel", "snorkel"), ("crowdkit", "crowd-kit"), ("hyperlm", "hyperlm"),
                       ("dask", "dask")):
        try:
            env[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # optional package absent
            env[name] = None
    return env


def source_commit() -> str | None:
    """The git commit of the wslib checkout that runs (``+dirty`` with uncommitted changes
    to tracked files), or None outside a git checkout."""
    import wslib

    repo = Path(wslib.__file__).resolve().parents[1]

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                                  text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    head = git("rev-parse", "HEAD")
    if head is None:
        return None
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


@dataclass
class Measurement:
    """Wall seconds, CPU seconds (all threads of the process) and peak memory (MiB above
    the starting point) of a block, and how the memory was measured (``memory``). On a
    busy machine wall time grows with the load; CPU time much less."""

    method: str = "rss"
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: float | None = None
    memory: str | None = None


def _status_mib(key: str) -> float:
    """A ``VmRSS`` / ``VmHWM`` line of ``/proc/self/status`` in MiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise OSError(f"/proc/self/status has no {key}")


def _hand_back_free_memory() -> None:
    """Collect garbage and return the allocator's free pages to the system
    (``malloc_trim``, glibc), so that memory the block reuses counts in its RSS."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to hand back
        pass


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (``VmHWM``) of this process (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        _status_mib("VmHWM")
        return True
    except OSError:
        return False


class _RssSampler(threading.Thread):
    """Samples the process RSS every ``interval`` seconds and keeps the maximum: the
    fallback where the kernel's peak mark cannot be reset (misses short peaks)."""

    def __init__(self, interval: float = 0.002):
        super().__init__(daemon=True)
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._halt = threading.Event()
        self.start_rss = self.peak_rss = self._proc.memory_info().rss

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)
            self._halt.wait(self._interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)
        return (self.peak_rss - self.start_rss) / 2**20


@contextmanager
def measure(memory: str = "rss") -> Iterator[Measurement]:
    """Time a block and measure its peak memory, including what it still holds at the end
    (keep the block's result referenced until it exits).

    ``memory="rss"``: peak resident set size above the value at entry, for every
    allocator (numpy, numba, torch, pandas). Free allocator pages are first handed
    back to the system, so memory the block reuses counts; on Linux the kernel's
    peak mark is reset and read after the block (exact, ``Measurement.memory ==
    "peak-rss"``), elsewhere a thread samples RSS every 2 ms (``"sampled-rss"``, a
    lower bound). ``"tracemalloc"``: peak of Python and numpy allocations (blind
    to numba and torch, slows Python code). ``"off"``: time only.

    >>> import numpy as np
    >>> with measure("rss") as m:
    ...     block = np.ones(2_000_000)  # 15.3 MiB, held at the end
    >>> m.memory in ("peak-rss", "sampled-rss") and m.peak_mb is not None
    True
    """
    if memory not in MEMORY_METHODS:
        raise BenchmarkError(f"unknown memory method {memory!r}; choose one of {MEMORY_METHODS}")
    out = Measurement(method=memory)
    sampler = start_rss = None
    if memory == "rss":
        _hand_back_free_memory()
        if _reset_peak_rss():
            out.memory, start_rss = "peak-rss", _status_mib("VmRSS")
        else:
            out.memory, sampler = "sampled-rss", _RssSampler()
            sampler.start()
    elif memory == "tracemalloc":
        out.memory = "tracemalloc"
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        yield out
    finally:
        out.seconds = time.perf_counter() - start
        out.cpu_seconds = time.process_time() - cpu_start
        if start_rss is not None:
            out.peak_mb = max(_status_mib("VmHWM") - start_rss, 0.0)
        elif sampler is not None:
            out.peak_mb = sampler.stop()
        elif memory == "tracemalloc":
            out.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()


class NamesAction(argparse.Action):
    """A list-of-names option (``nargs="+"``): ``a,b``, ``a b`` and ``a, b`` all give
    ``["a", "b"]``, so every sub-command takes ``--datasets`` / ``--methods`` alike.

    >>> parser = argparse.ArgumentParser()
    >>> _ = parser.add_argument("--datasets", nargs="+", action=NamesAction)
    >>> parser.parse_args(["--datasets", "youtube,sms", "trec"]).datasets
    ['youtube', 'sms', 'trec']
    """

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        names = [t.strip() for v in values for t in str(v).split(",") if t.strip()]
        if not names:
            parser.error(f"{option_string} needs at least one name")
        setattr(namespace, self.dest, names)


def select(requested: Iterable[str] | None, valid: list[str], what: str,
           groups: dict[str, list[str]] | None = None) -> list[str]:
    """Names chosen by a ``--methods`` / ``--datasets`` filter, in ``valid``'s order.

    Each requested name is a valid name or a group name (``groups``); an unknown
    one raises :class:`BenchmarkError` listing what is valid.

    >>> select(["b"], ["a", "b"], "method")
    ['b']
    """
    if requested is None:
        return list(valid)
    groups = groups or {}
    chosen: set[str] = set()
    for name in requested:
        if name in groups:
            chosen.update(groups[name])
        elif name in valid:
            chosen.add(name)
        else:
            listing = ", ".join(valid + [f"{g} (group)" for g in groups])
            raise BenchmarkError(f"unknown {what} {name!r}; valid {what}s: {listing}")
    return [name for name in valid if name in chosen]


def write_json(path: str | Path, records: Iterable[dict[str, Any]]) -> Path:
    """Write the records as a JSON list (the stable machine-readable contract)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(list(records), fh, indent=1, default=_jsonable)
    return path


def write_csv(path: str | Path, records: list[dict[str, Any]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fields: list[str] = list(REQUIRED_FIELDS)
    for rec in records:
        fields += [k for k in rec if k not in fields]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for rec in records:
            writer.writerow({k: _jsonable(v) if isinstance(v, (dict, list)) else v
                             for k, v in rec.items()})
    return path


def env_path(results_path: str | Path) -> Path:
    """Where the environment of a results file lives: ``x.json`` -> ``x.env.json``."""
    path = Path(results_path)
    return path.with_name(path.name.removesuffix(".json") + ".env.json")


def write_env(results_path: str | Path, merge: bool = False, **run: Any) -> Path:
    """Write :func:`environment` beside a results file, with this run (``run``: command,
    wall seconds, ...; plus date and load average) in its ``runs`` list and the
    SHA-256 of the results file as written (``results_sha256``: a later edit by
    hand no longer matches it). With ``merge`` the runs already recorded there are
    kept before this one."""
    env = environment()
    run = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None, **run}
    path = env_path(results_path)
    previous = []
    if merge and path.exists():
        previous = json.loads(path.read_text(encoding="utf-8")).get("runs", [])
    env["runs"] = previous + [run]
    if Path(results_path).exists():
        env["results_sha256"] = results_digest(results_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(env, indent=1, default=_jsonable), encoding="utf-8")
    return path


def results_digest(path: str | Path) -> str:
    """SHA-256 of a results file's bytes, as :func:`write_env` records it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def merge_records(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``old`` without the (dataset, method) pairs that ``new`` measured again, then ``new``.

    >>> merge_records([{"dataset": "a", "method": "m", "value": 1},
    ...                {"dataset": "b", "method": "m", "value": 2}],
    ...               [{"dataset": "a", "method": "m", "value": 3}])
    [{'dataset': 'b', 'method': 'm', 'value': 2}, {'dataset': 'a', 'method': 'm', 'value': 3}]
    """
    redone = {(r["dataset"], r["method"]) for r in new}
    return [r for r in old if (r["dataset"], r["method"]) not in redone] + list(new)


def read_results(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Records of a results file and its environment (empty when no ``.env.json``)."""
    path = Path(path)
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list) or any(
            not isinstance(r, dict) or not set(REQUIRED_FIELDS) <= set(r) for r in records):
        raise BenchmarkError(f"{path} is not a list of benchmark records with fields "
                             f"{REQUIRED_FIELDS}")
    env_file = env_path(path)
    env = json.loads(env_file.read_text(encoding="utf-8")) if env_file.exists() else {}
    return records, env


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
