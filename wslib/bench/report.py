"""Tables and progress for benchmark results: terminal text and Markdown from one code path.

Records repeated over seeds are summarised by their median and spread
(``min-max``); a record whose ``status`` is not ``ok`` shows its note instead
of a number.

>>> print(format_table(["a", "b"], [["x", 1.5]]))
a  b
-  ---
x  1.5
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from typing import Any, Iterable, Iterator, Sequence

__all__ = ["summarize", "fmt", "cell", "format_table", "group_records", "records_table",
           "progress"]


def summarize(values: Iterable[float | None]) -> tuple[float, float, float, int] | None:
    """``(median, min, max, count)`` of the numbers in ``values`` (None when there are none)."""
    numbers = [float(v) for v in values if v is not None]
    if not numbers:
        return None
    return statistics.median(numbers), min(numbers), max(numbers), len(numbers)


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a table: fixed ``digits`` below 1000, thousands separators above."""
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value != 0 and abs(value) < 10 ** -digits:
        return f"{value:.1e}"
    return f"{value:.{digits}f}"


def cell(records: Sequence[dict[str, Any]], field: str = "value", digits: int = 3) -> str:
    """One table cell for repeats of the same measurement: ``median`` or
    ``median (min-max)`` over seeds; the status (``skipped``, ``error``) of runs that
    have no number (their notes belong under the table)."""
    ok = [r for r in records if r.get("status", "ok") == "ok"]
    if not ok:
        return "/".join(sorted({str(r.get("status")) for r in records})) or "-"
    stats = summarize(r.get(field) for r in ok)
    if stats is None:
        return "-"
    median, low, high, count = stats
    if count > 1 and high > low:
        return f"{fmt(median, digits)} ({fmt(low, digits)}-{fmt(high, digits)})"
    return fmt(median, digits)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]], markdown: bool = False
                 ) -> str:
    """Aligned plain-text table, or a GitHub Markdown table with ``markdown=True``."""
    text_rows = [[str(c) for c in row] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(_escape(h) for h in header) + " |",
                 "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in text_rows]
        return "\n".join(lines)
    widths = [max([len(h)] + [len(r[i]) for r in text_rows] + [1]) for i, h in
              enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in text_rows]
    return "\n".join(lines)


def group_records(records: Iterable[dict[str, Any]], *keys: str
                  ) -> dict[tuple, list[dict[str, Any]]]:
    """Records grouped by the values of ``keys``, in first-seen order."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        groups[tuple(rec.get(k) for k in keys)].append(rec)
    return dict(groups)


def records_table(records: Sequence[dict[str, Any]], markdown: bool = False) -> str:
    """The generic summary of any benchmark: one row per dataset x method x metric with
    the value and seconds (median and spread over seeds)."""
    rows = []
    for (dataset, method, metric), group in group_records(records, "dataset", "method",
                                                          "metric").items():
        rows.append([dataset, method, metric, cell(group, "value"),
                     cell(group, "seconds", 2) if group[0].get("status", "ok") == "ok" else "",
                     len(group)])
    return format_table(["dataset", "method", "metric", "value", "seconds", "runs"], rows,
                        markdown)


def progress(items: Sequence[Any], desc: str, enabled: bool = True) -> Iterator[Any]:
    """Iterate ``items`` with a tqdm progress bar on stderr (plain iteration without tqdm)."""
    if not enabled:
        yield from items
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield from items
        return
    bar = tqdm(items, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        for item in bar:
            bar.set_postfix_str(str(item)[:60], refresh=False)
            yield item
    finally:
        bar.close()
