"""The label-model bar, read from ``wslib bench labelmodel`` records of real datasets.

* ``LabelModel`` is at least majority vote − ``MV_MARGIN`` on every set;
* its mean beats the best single peer's mean (majority vote, Snorkel, crowd-kit,
  HyperLM: every method of another library, and ``MajorityVote``) by
  ``PEER_MARGIN``, and is at least the mean of the best peer on each set;
* ``LabelModel+dev100`` beats majority vote on the same scored rows by
  ``DEV_MARGIN`` on the mean; ``reference.logreg-dev100`` (a logistic regression
  on the same dev items) is shown beside it.

Values are medians over seeds. With ``<name>-rules`` sets (``--rule-votes``) the
means are taken twice: over the sets as shipped, and with each ``<name>-rules``
in place of ``<name>``.

>>> rec = lambda d, m, v, lib="wslib": {"dataset": d, "method": m, "value": v, "status": "ok",
...                                     "library": lib, "source": "wrench"}
>>> recs = [rec("a", "LabelModel", 0.8), rec("a", "MajorityVote", 0.7),
...         rec("a", "snorkel.LabelModel-100ep", 0.75, "snorkel")]
>>> bar_table(recs)[1][0]
['a', '0.800', '-', '0.700', '+0.100', 'snorkel.LabelModel-100ep', '0.750', '+0.050']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wslib.bench.peers import DEV_ITEMS
from wslib.bench.report import fmt, group_records, summarize

__all__ = ["DEFAULT", "MAJORITY", "DEV", "LOGREG", "MV_MARGIN", "PEER_MARGIN", "DEV_MARGIN",
           "bar_table", "dev_table", "bar_checks", "estimator_cell"]

DEFAULT, MAJORITY = "LabelModel", "MajorityVote"
DEV, LOGREG = f"LabelModel+dev{DEV_ITEMS}", f"reference.logreg-dev{DEV_ITEMS}"
#: how far below majority vote LabelModel may fall on one set (noise)
MV_MARGIN = 0.005
#: by how much LabelModel's mean must beat the best single peer's mean
PEER_MARGIN = 0.02
#: by how much LabelModel+dev100's mean must beat majority vote's on the same rows
DEV_MARGIN = 0.02
_NOT_PEERS = ("wslib", "reference", "baseline")

Table = tuple[list[str], list[list[str]]]


def _is_peer(rec: dict[str, Any]) -> bool:
    return rec["method"] == MAJORITY or rec.get("library") not in _NOT_PEERS


def _median(group: list[dict[str, Any]], field: str = "value") -> float | None:
    stats = summarize(r.get(field) for r in group if r.get("status") == "ok")
    return None if stats is None else stats[0]


def _by_set(records: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Real datasets with a LabelModel and a majority-vote value: method -> records."""
    out = {}
    for (dataset,), group in group_records(
            [r for r in records if r.get("source") != "synthetic"], "dataset").items():
        methods = {m: g for (m,), g in group_records(group, "method").items()}
        if all(_median(methods.get(m, [])) is not None for m in (DEFAULT, MAJORITY)):
            out[dataset] = methods
    return out


def _set_lists(datasets: list[str]) -> list[tuple[str, list[str]]]:
    """The sets to average: as shipped, and with each ``<name>-rules`` in place of ``<name>``
    when there are such sets."""
    shipped = [d for d in datasets if not (d.endswith("-rules") and d[:-6] in datasets)]
    revoted = [f"{d}-rules" if f"{d}-rules" in datasets else d for d in shipped]
    if revoted == shipped:
        return [("mean", shipped)]
    return [("mean, as shipped", shipped), ("mean, -rules sets in place", revoted)]


def _best_peer(methods: dict[str, list[dict[str, Any]]]) -> tuple[str, float] | None:
    values = [(_median(g), m) for m, g in methods.items() if g and _is_peer(g[0])]
    values = [(v, m) for v, m in values if v is not None]
    return None if not values else max(values)[::-1]


def estimator_cell(rec: dict[str, Any]) -> str:
    """What a structure-reading model's record says it picked: posterior, identified LFs,
    multipolar share ("" for other records)."""
    if not rec.get("posterior"):
        return ""
    return (f"{rec['posterior']}, {rec['n_identified']}/{rec['n_sources']} identified, "
            f"multipolar {rec['multipolar_share']:.2f}")


def _decision(group: list[dict[str, Any]]) -> str:
    """The estimator LabelModel picked (its fit is deterministic: the first ok record's)."""
    rec = next((r for r in group if r.get("status") == "ok" and r.get("posterior")), None)
    return "-" if rec is None else estimator_cell(rec)


def _diff(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a - b:+.3f}"


def bar_table(records: list[dict[str, Any]]) -> Table:
    """Per real set: LabelModel and the estimator it picked, majority vote, the best peer,
    and the differences; then the means (best peer: the mean of the per-set best)."""
    header = ["dataset", DEFAULT, "estimator (posterior, identified LFs, multipolar share)",
              MAJORITY, "LM - MV", "best peer", "best peer value", "LM - best peer"]
    by_set, rows = _by_set(records), []
    for dataset, methods in by_set.items():
        ours, mv = _median(methods[DEFAULT]), _median(methods[MAJORITY])
        name, best = _best_peer(methods) or ("-", None)
        rows.append([dataset, fmt(ours), _decision(methods[DEFAULT]), fmt(mv), _diff(ours, mv),
                     name, fmt(best), _diff(ours, best)])
    for label, sets in _set_lists(list(by_set)) if len(by_set) > 1 else []:
        ours = float(np.mean([_median(by_set[d][DEFAULT]) for d in sets]))
        mv = float(np.mean([_median(by_set[d][MAJORITY]) for d in sets]))
        bests = [(_best_peer(by_set[d]) or (None, None))[1] for d in sets]
        best = None if None in bests else float(np.mean(bests))
        rows.append([f"{label} ({len(sets)} sets)", fmt(ours), "", fmt(mv), _diff(ours, mv),
                     "best on each set", fmt(best), _diff(ours, best)])
    return header, rows


def _dev_values(methods: dict[str, list[dict[str, Any]]]) -> tuple | None:
    """(LabelModel+dev, MV on its rows, logreg-dev, LabelModel) medians, or None."""
    dev = methods.get(DEV, [])
    if _median(dev) is None:
        return None
    return (_median(dev), _median(dev, "mv_value"), _median(methods.get(LOGREG, [])),
            _median(methods[DEFAULT]))


def dev_table(records: list[dict[str, Any]]) -> Table:
    """Per real set: LabelModel+dev100 against majority vote on the rows it is scored on,
    the logistic regression on the same dev items, and LabelModel without them."""
    header = ["dataset", "dev items from", "n dev", DEV, "MajorityVote (same rows)",
              "+dev - MV", LOGREG, "+dev - logreg", f"{DEFAULT} (no dev)",
              "LFs whose estimate the dev votes kept"]
    by_set, rows, kept = _by_set(records), [], {}
    for dataset, methods in by_set.items():
        values = _dev_values(methods)
        if values is None:
            continue
        kept[dataset] = values
        dev, mv, logreg, ours = values
        first = next(r for r in methods[DEV] if r.get("status") == "ok")
        trusted = (f"{first['n_dev_trusted']}/{first['n_sources']}"
                   if first.get("posterior") == "votes" else "- (confusion)")
        rows.append([dataset, first.get("dev_split", "-"), str(first.get("n_dev", "-")),
                     fmt(dev), fmt(mv), _diff(dev, mv), fmt(logreg), _diff(dev, logreg),
                     fmt(ours), trusted])
    for label, sets in _set_lists(list(kept)) if len(kept) > 1 else []:
        cols = list(zip(*(kept[d] for d in sets)))
        dev, mv, logreg, ours = (None if None in c else float(np.mean(c)) for c in cols)
        rows.append([f"{label} ({len(sets)} sets)", "", "", fmt(dev), fmt(mv), _diff(dev, mv),
                     fmt(logreg), _diff(dev, logreg), fmt(ours), ""])
    return header, rows


def _single_peers(by_set: dict, sets: list[str]) -> tuple[dict[str, float], list[str]]:
    """Each peer's mean over ``sets`` (peers with a value on all of them), and the peers
    left out because they lack one."""
    names = dict.fromkeys(m for d in sets for m, g in by_set[d].items() if g and _is_peer(g[0]))
    means, incomplete = {}, []
    for name in names:
        values = [_median(by_set[d].get(name, [])) for d in sets]
        if None not in values:
            means[name] = float(np.mean(values))
        elif any(v is not None for v in values):  # never run at all: in the skipped notes
            incomplete.append(name)
    return means, incomplete


def _yes(ok: bool | None) -> str:
    return "-" if ok is None else "yes" if ok else "no"


def bar_checks(records: list[dict[str, Any]]) -> Table:
    """The bar, one line per condition and set list: what was measured and whether it is met."""
    header = ["condition", "sets", "measured", "met"]
    by_set, rows = _by_set(records), []
    for label, sets in _set_lists(list(by_set)) if by_set else []:
        where = f"{label.removeprefix('mean').lstrip(', ') or 'all'} ({len(sets)})"
        diffs = {d: _median(by_set[d][DEFAULT]) - _median(by_set[d][MAJORITY]) for d in sets}
        worst = min(diffs, key=diffs.get)
        below = [d for d in sets if diffs[d] < -MV_MARGIN]
        rows.append([f"{DEFAULT} >= {MAJORITY} - {MV_MARGIN} on every set", where,
                     f"min difference {diffs[worst]:+.3f} ({worst}); below: "
                     f"{', '.join(below) or 'none'}", _yes(not below)])
        ours = float(np.mean([_median(by_set[d][DEFAULT]) for d in sets]))
        means, incomplete = _single_peers(by_set, sets)
        if means:
            peer = max(means, key=means.get)
            rows.append([f"{DEFAULT} mean >= best single peer's mean + {PEER_MARGIN}", where,
                         f"{ours:.3f} vs {means[peer]:.3f} ({peer}): {ours - means[peer]:+.3f}"
                         + (f"; not ranked (no value on every set): {', '.join(incomplete)}"
                            if incomplete else ""),
                         _yes(ours >= means[peer] + PEER_MARGIN)])
        bests = [(_best_peer(by_set[d]) or (None, None))[1] for d in sets]
        if None not in bests:
            best = float(np.mean(bests))
            rows.append([f"{DEFAULT} mean >= mean of the best peer on each set", where,
                         f"{ours:.3f} vs {best:.3f}: {ours - best:+.3f}", _yes(ours >= best)])
        dev = [_dev_values(by_set[d]) for d in sets]
        if dev and None not in dev:
            plus, mv, logreg, _ = (list(c) for c in zip(*dev))
            plus_mean, mv_mean = float(np.mean(plus)), float(np.mean(mv))
            rows.append([f"{DEV} mean >= {MAJORITY} mean + {DEV_MARGIN} (same rows)", where,
                         f"{plus_mean:.3f} vs {mv_mean:.3f}: {plus_mean - mv_mean:+.3f}",
                         _yes(plus_mean >= mv_mean + DEV_MARGIN)])
            if None not in logreg:
                lr_mean = float(np.mean(logreg))
                rows.append([f"{DEV} mean against {LOGREG} (no bar)", where,
                             f"{plus_mean:.3f} vs {lr_mean:.3f}: {plus_mean - lr_mean:+.3f}",
                             "-"])
    return header, rows
