"""Compare two benchmark results files record by record, ignoring what timing changes.

Usage, from the repository root::

    python benchmarks/diff_records.py BEFORE.json AFTER.json [--ignore FIELD ...]

A refactoring must not change what wslib computes: run the same ``wslib bench ...
--json`` command on the commit before and after it, then compare. Records are
matched by their identity fields (dataset, method, metric, seed, features, ...);
every other field must be equal, except the measured ones (``seconds`` and other
timings, memory, load, dates), which a shared machine never repeats. Floats are
compared exactly unless ``--tolerance`` is given. Exit status 0 when the files
agree, 1 with one line per difference otherwise.

>>> a = [{"dataset": "d", "method": "m", "metric": "acc", "value": 0.5, "seconds": 1.0}]
>>> b = [{"dataset": "d", "method": "m", "metric": "acc", "value": 0.5, "seconds": 9.0}]
>>> differences(a, b)
[]
>>> differences(a, [dict(b[0], value=0.6)])
['d / m / acc: value 0.5 -> 0.6']
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

#: fields that name a record (those a benchmark's records carry)
IDENTITY = ("dataset", "method", "metric", "seed", "features", "selection", "suite", "n_labels",
            "lf_set", "lfs", "rows", "step", "dev_fraction")
#: measured fields, different on every run (besides any ``*_seconds`` and ``*ratio_*``)
MEASURED = {"seconds", "peak_mem_mb", "peak_rss_MB", "peak_rss_MiB", "prepared_mb",
            "rows_per_cpu_s", "speedup_vs_in_process"}
#: metrics that are themselves measurements: their ``value`` is skipped too
MEASURED_METRICS = {"rows_per_s", "rows_per_cpu_s", "seconds", "peak_mem_mb", "peak_rss_MiB"}


def _key(record: dict[str, Any]) -> tuple:
    return tuple((f, json.dumps(record.get(f), sort_keys=True)) for f in IDENTITY if f in record)


def _by_key(records: list[dict[str, Any]], side: str) -> dict[tuple, dict[str, Any]]:
    """Records by identity; two records with one identity cannot be compared."""
    out: dict[tuple, dict[str, Any]] = {}
    for record in records:
        key = _key(record)
        if key in out:
            raise ValueError(f"two records {side} are both {_name(key)}: add the field that "
                             f"tells them apart to IDENTITY")
        out[key] = record
    return out


def _name(key: tuple) -> str:
    return " / ".join(json.loads(v) if isinstance(json.loads(v), str) else v for _, v in key)


def _measured(field: str, ignore: set[str], metric: Any = None) -> bool:
    return (field in MEASURED or field in ignore or "ratio_" in field
            or field.endswith("_seconds")
            or (field == "value" and metric in MEASURED_METRICS))


def _equal(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= tolerance
    return a == b


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]],
                ignore: set[str] | None = None, tolerance: float = 0.0) -> list[str]:
    """One line per record present on one side only, and per differing field."""
    ignore = set(ignore or ())
    old, new = _by_key(before, "before"), _by_key(after, "after")
    out = [f"{_name(k)}: only before" for k in old if k not in new]
    out += [f"{_name(k)}: only after" for k in new if k not in old]
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        for field in sorted(a.keys() | b.keys()):
            if _measured(field, ignore, a.get("metric")):
                continue
            if field not in a or field not in b or not _equal(a[field], b[field], tolerance):
                out.append(f"{_name(key)}: {field} {a.get(field)!r} -> {b.get(field)!r}")
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore", nargs="*", default=[], help="more fields to skip")
    parser.add_argument("--tolerance", type=float, default=0.0,
                        help="absolute tolerance for floats (default: exact)")
    args = parser.parse_args(argv)
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (args.before,
                                                                          args.after))
    diff = differences(before, after, set(args.ignore), args.tolerance)
    for line in diff:
        print(line)
    print(f"{len(before)} records before, {len(after)} after: "
          f"{'identical except measured fields' if not diff else f'{len(diff)} differences'}",
          file=sys.stderr)
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
