"""Shared pieces of every benchmark: records, environment description, writers."""

from __future__ import annotations

import csv
import json
import os
import platform
from pathlib import Path
from typing import Any, Iterable

REQUIRED_FIELDS = ("dataset", "method", "metric", "value", "seconds")

__all__ = ["REQUIRED_FIELDS", "record", "environment", "write_json", "write_csv"]


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
    for name in ("numba", "torch", "pyarrow", "snorkel", "crowdkit", "dask"):
        try:
            env[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - optional package absent or broken
            env[name] = None
    return env


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


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
