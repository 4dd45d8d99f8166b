"""Vectorized LF templates: the LFs to reach for first.

Each template returns a batch :class:`~wslib.lf.LabelingFunction` that knows
its column and carries a ``template`` spec. Matching semantics, exactly:

``keyword_lf``
    Votes ``label`` when the text **contains** any keyword as a substring
    (``"out"`` matches ``"shout"``). ``case_sensitive=False`` (default) compares
    Unicode-lowercased text and keywords (Arrow's ``utf8_lower``: the simple
    per-character mapping). ``word_boundary=True`` only counts a match that is
    neither preceded nor followed by a word character (ASCII letter, digit,
    ``_`` or any non-ASCII character except the invisible format characters of
    Unicode category Cf, such as U+FEFF and zero-width joiners, which count as
    non-word). Missing (null) texts abstain. All keyword
    LFs on the same column and case mode are fused by :func:`wslib.apply_lfs`
    into one Aho-Corasick pass over the text, however many there are.
``regex_lf``
    Votes ``label`` when the pattern matches **anywhere** in the text (like
    :func:`re.search`). Patterns use RE2 syntax (Arrow's regex engine: no
    look-around or back-references; ``\\w``, ``\\b`` and ``\\d`` are ASCII-only);
    an unsupported pattern is rejected when the LF is created. Null texts abstain.
    A pattern that only spells out literal alternatives (``(?:gift|money)``,
    ``\\.com``) is run as keywords in the fused automaton instead (same
    matches; case folding as for ``keyword_lf``). Any other pattern gets a
    *literal prefilter* when it has one (:func:`required_literals`): a set of
    strings one of which every match must contain (``chec`` for ``check.*out``,
    the 10,000 four-digit strings for ``[0-9]{4,}``). The prefilter joins the fused
    keyword scan and the regex runs only on the rows holding one of them, so
    the votes are the regex's own.
``threshold_lf``
    Votes ``label`` when ``value <op> threshold`` on a numeric column; NaN and
    missing values abstain.
``similarity_lf``
    With ``prototype``: votes ``label`` when the cosine similarity between the
    row's embedding (a vector per cell, or a 2-D array column in dict input) and
    the prototype — the best of several prototypes if a matrix is given — is
    ``>= threshold``; zero vectors abstain. Without ``prototype``: the column
    already holds a model score, compared ``>= threshold``.

``threshold_lf`` and ``similarity_lf`` take ``device=`` (``"cuda"``, ``"cpu"``,
...) to compare / compute the similarities in torch on that device, block by
block (:mod:`wslib.kernels.torch_lf`), with the same votes; the default is NumPy.

Example
-------
>>> import pandas as pd
>>> from wslib.lf import keyword_lf, regex_lf
>>> df = pd.DataFrame({"text": ["Check out my channel", "great song", None]})
>>> spam = keyword_lf(["check out", "subscribe"], label=1)
>>> spam.apply_batch(df).tolist()
[1, -1, -1]
>>> regex_lf(r"\\bsong\\b", label=0).apply_batch(df).tolist()
[-1, 0, -1]
"""

from __future__ import annotations

import fractions
import functools
import inspect
import math
import numbers
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wslib._validation import check_bool, check_number
from wslib.exceptions import LFRowError
from wslib.kernels.jit import use_jit
from wslib.kernels.keywords import Keywords
from wslib.lf.core import MAX_CLASS, LabelingFunction, named_class
from wslib.matrix import ABSTAIN

__all__ = [
    "KeywordTemplate",
    "RegexTemplate",
    "Template",
    "keyword_lf",
    "literal_alternatives",
    "match_keyword_templates",
    "match_regex_template",
    "prefilter_decides",
    "regex_lf",
    "required_literals",
    "similarity_lf",
    "text_array",
    "threshold_lf",
]

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class KeywordTemplate:
    """What a keyword LF matches; LFs sharing ``(column, case_sensitive)`` are fused."""

    column: str
    keywords: tuple[str, ...]
    label: int
    case_sensitive: bool
    word_boundary: bool


@dataclass(frozen=True)
class RegexTemplate:
    """What a regex LF matches. ``prefilter`` (or None) is a keyword template
    on the same column one of whose keywords every match contains; the fused
    scan runs it and the regex then only sees the rows it flags."""

    column: str
    pattern: str
    label: int
    case_sensitive: bool
    prefilter: KeywordTemplate | None
    #: the prefilter's hits are exactly the regex's matches (:func:`prefilter_decides`)
    decided: bool = False


@dataclass(frozen=True)
class Template:
    """Spec of a regex / threshold / similarity template (``LabelingFunction.template``)."""

    kind: str
    column: str
    label: int
    params: tuple


def _class_name_label(factory: Any) -> Any:
    """Let ``factory``'s ``label`` be a class name (``keyword_lf(..., "SPAM")``): the
    LF then waits for ``classes=`` (:func:`wslib.lf.with_classes`), which remakes it
    with the name's index. The other arguments are checked at once."""
    signature = inspect.signature(factory)

    @functools.wraps(factory)
    def make(*args: Any, **kwargs: Any) -> LabelingFunction:
        bound = signature.bind(*args, **kwargs)
        label = bound.arguments["label"]
        if not isinstance(label, str):
            return factory(*args, **kwargs)

        def remake(index: int) -> LabelingFunction:
            bound.arguments["label"] = index
            return factory(*bound.args, **bound.kwargs)

        return named_class(remake(0), label, remake)

    return make


def _check_label(label: Any, name: str) -> int:
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) \
            or label < 0:
        raise ValueError(f"LF {name!r}: label must be a class index >= 0, got {label!r}")
    if label > MAX_CLASS:
        raise ValueError(f"LF {name!r}: label {int(label)} is above {MAX_CLASS}, the largest "
                         "class index a vote can be")
    return int(label)


def text_array(values: Any, column: str, lf: str | None) -> pa.Array:
    """The column as one contiguous Arrow (large) string array; errors name the column
    (and the LF, when one LF reads it). A categorical (dictionary) column of strings is
    decoded."""
    who = "" if lf is None else f"LF {lf!r}: "
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else None
    if arr is None:
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise TypeError(f"{who}column {column!r} must hold strings ({exc})") from exc
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.large_string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"{who}column {column!r} must hold strings, got {arr.type}")
    return arr


def match_keyword_templates(values: Any, templates: Sequence[KeywordTemplate],
                            names: Sequence[str], out: np.ndarray | None = None,
                            columns: Sequence[int] | None = None) -> np.ndarray:
    """Votes ``(n, len(templates))`` of keyword templates over one text column.

    All templates must share the column and ``case_sensitive``; the text is
    scanned once (see :mod:`wslib.kernels.keywords`). With ``out`` (int16,
    ``(n, m)``, ``-1`` in ``columns``) the votes of ``templates[t]`` are written
    into ``out[:, columns[t]]`` instead, and ``out`` is returned.
    """
    arr = text_array(values, templates[0].column, names[0] if len(names) == 1 else None)
    keywords, labels, sigma = _compile_keywords(tuple(templates))
    if out is None:
        out = np.full((len(arr), len(templates)), ABSTAIN, dtype=np.int16)
        columns = range(len(templates))
    columns = np.asarray(columns, dtype=np.int64)
    if not templates[0].case_sensitive and not keywords.fold_ascii:
        arr = pc.utf8_lower(arr)
        if sigma:  # the final sigma ς folds to σ, as in the keywords
            arr = pc.replace_substring(arr, _FINAL_SIGMA, "σ")
    special, compiled = _scan_array(arr, keywords, out, columns, labels)
    if special.any():  # rows with a character whose lower case is ASCII: full Unicode path
        rows = np.flatnonzero(special)
        sub = np.full((len(rows), len(templates)), ABSTAIN, dtype=out.dtype)
        _scan_array(pc.utf8_lower(arr.take(pa.array(rows))), keywords, sub,
                    np.arange(len(templates)), labels, compiled)  # the same path
        out[rows[:, None], columns] = sub
    return out


@functools.lru_cache(maxsize=64)
def _compile_keywords(templates: tuple[KeywordTemplate, ...]
                      ) -> tuple[Keywords, np.ndarray, bool]:
    """Keyword set and per-slot labels of a template group (built once, reused per chunk),
    and whether a case-folded keyword holds a σ (then the text's ς are folded too)."""
    case_sensitive = templates[0].case_sensitive
    keywords, slots, bounds = [], [], []
    for slot, t in enumerate(templates):
        kws = t.keywords if case_sensitive else _lower(t.keywords)
        keywords += [k.encode("utf-8") for k in kws]
        slots += [slot] * len(kws)
        bounds += [t.word_boundary] * len(kws)
    # ASCII keywords: fold ASCII case in the automaton instead of lower-casing the text
    fold = not case_sensitive and all(k.isascii() for k in keywords)
    sigma = not case_sensitive and any("σ".encode() in k for k in keywords)
    return (Keywords(keywords, slots, bounds, fold),
            np.array([t.label for t in templates], dtype=np.int16), sigma)


def _scan_array(arr: pa.Array, keywords: Keywords, out: np.ndarray, columns: np.ndarray,
                labels: np.ndarray, compiled: bool | None = None) -> tuple[np.ndarray, bool]:
    """Scan an Arrow string array's buffers in place; votes into ``out[:, columns]``.
    Returns the rows to rescan after Unicode lower-casing, and whether the compiled
    scan ran (``compiled``: which to run; by default chosen by the texts' size)."""
    wide = pa.types.is_large_string(arr.type)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[arr.offset: arr.offset + len(arr) + 1]
    data = (np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None
            else np.zeros(0, dtype=np.uint8))
    if compiled is None:
        compiled = use_jit(int(offsets[-1] - offsets[0]) if len(offsets) else 0)
    special = keywords.scan(data, offsets, out, columns, labels, compiled=compiled)
    if arr.null_count:  # a null's bytes (normally none) never vote
        null = np.flatnonzero(np.asarray(arr.is_null()))
        out[null[:, None], columns] = ABSTAIN
        special[null] = False
    return special, compiled


#: Greek small final sigma: ``str.lower()`` writes Σ as ς at the end of a word and σ
#: elsewhere; case-insensitive matching reads both as σ, so "ΟΔΟΣ" matches "οδος"
_FINAL_SIGMA = "ς"


def _lower(words: Sequence[str]) -> list[str]:
    """Keywords case-folded like the text: Unicode lower case, ς read as σ."""
    return [w.replace(_FINAL_SIGMA, "σ")
            for w in pc.utf8_lower(pa.array(list(words), pa.string())).to_pylist()]


@_class_name_label
def keyword_lf(keywords: str | Sequence[str], label: int | str, column: str = "text", *,
               name: str | None = None, case_sensitive: bool = False,
               word_boundary: bool = False) -> LabelingFunction:
    """LF voting ``label`` when ``column`` contains any of ``keywords`` (substring).

    See the module docstring for the exact semantics. ``label`` is a class
    index, or a class name that ``apply_lfs(..., classes=[...])`` maps to its
    index (as for every template).

    >>> import pandas as pd
    >>> lf = keyword_lf(["song"], label=0, word_boundary=True, name="song")
    >>> lf.apply_batch(pd.DataFrame({"text": ["Song!", "songs", "Nice song\ufeff"]})).tolist()
    [0, -1, 0]
    """
    one = isinstance(keywords, (str, bytes)) or not isinstance(keywords, Iterable)
    keywords = (keywords,) if one else tuple(keywords)
    if not keywords or not all(isinstance(k, str) and k for k in keywords):
        raise ValueError(f"LF {name or 'keyword_lf'!r}: keywords must be non-empty strings, "
                         f"got {keywords!r}")
    name = name or "keyword_" + "|".join(keywords)[:40]
    check_bool("case_sensitive", case_sensitive)
    check_bool("word_boundary", word_boundary)
    spec = KeywordTemplate(column, keywords, _check_label(label, name), bool(case_sensitive),
                           bool(word_boundary))

    def votes(df: pd.DataFrame) -> np.ndarray:
        return match_keyword_templates(df[column], [spec], [name])[:, 0]

    return LabelingFunction(name, votes, kind="batch", columns=[column], template=spec)


def literal_alternatives(pattern: str, limit: int = 256) -> tuple[str, ...] | None:
    """The finite set of strings a pattern matches, if it is only literal text,
    alternations (``a|b``, ``(?:gift|money)``) and character sets of literals;
    else None. Such patterns run as keywords in the fused automaton.

    >>> literal_alternatives(r"(?:lol|haha)!"), literal_alternatives(r"check.*out")
    (('lol!', 'haha!'), None)
    """
    parsed = _parse_regex(pattern)
    if parsed is None:
        return None
    words = _expand(parsed.items, limit, parsed.ops)
    return tuple(dict.fromkeys(words)) if words and all(words) else None


class _ParsedRegex(NamedTuple):
    items: list  #: the top-level sequence of (opcode, argument) pairs
    flags: int  #: the pattern's global flags (``re.IGNORECASE`` from ``(?i)``)
    ops: Any  #: the parser's opcode namespace (``LITERAL``, ``BRANCH``, ...)


def _parse_regex(pattern: str) -> _ParsedRegex | None:
    """``pattern`` as CPython's regular-expression parser reads it, or None when it
    does not parse or this Python has no such parser.

    The parser is private to CPython (``re._parser`` since 3.11) and may change
    between versions; this is the one place that reads it. The literal analysis
    built on it is only a speed-up: None turns it off (no prefilter, the regex
    runs on every row), never changes a vote.
    """
    try:
        parser, ops = re._parser, re._constants  # type: ignore[attr-defined]
        parsed = parser.parse(pattern)
        return _ParsedRegex(list(parsed), int(parsed.state.flags), ops)
    except (re.error, AttributeError, RecursionError, OverflowError):
        return None


def _expand(items: list, limit: int, constants: Any) -> list[str] | None:
    out = [""]
    for op, arg in items:
        if op is constants.LITERAL:
            options = [chr(arg)]
        elif op is constants.IN and all(o in (constants.LITERAL, constants.RANGE)
                                        for o, _ in arg):
            options = [chr(c) for o, a in arg
                       for c in ((a,) if o is constants.LITERAL else range(a[0], a[1] + 1))]
            if len(options) > limit:
                return None
        elif op is constants.BRANCH:
            options = []
            for branch in arg[1]:
                sub = _expand(list(branch), limit, constants)
                if sub is None:
                    return None
                options += sub
        elif op is constants.SUBPATTERN and not arg[1] and not arg[2]:
            options = _expand(list(arg[3]), limit, constants)
            if options is None:
                return None
        else:
            return None
        out = [a + b for a in out for b in options]
        if len(out) > limit:
            return None
    return out


@_class_name_label
def regex_lf(pattern: str, label: int | str, column: str = "text", *, name: str | None = None,
             case_sensitive: bool = False) -> LabelingFunction:
    """LF voting ``label`` when RE2 ``pattern`` matches anywhere in ``column``.

    A pattern that only spells out literal alternatives (``(?:gift|money)``,
    ``colou?r`` is *not* one) runs as keywords, fused with the keyword LFs;
    other patterns are prefiltered by their required literals
    (:func:`required_literals`).

    >>> import pandas as pd
    >>> lf = regex_lf(r"check.*out", label=1)
    >>> lf.apply_batch(pd.DataFrame({"text": ["CHECK it out", "out, check"]})).tolist()
    [1, -1]
    """
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"regex_lf: pattern must be a non-empty string, got {pattern!r}")
    name = name or f"regex_{pattern}"[:46]
    label = _check_label(label, name)
    check_bool("case_sensitive", case_sensitive)
    literals = literal_alternatives(pattern)
    if literals is not None:
        return keyword_lf(literals, label, column, name=name,
                          case_sensitive=_literal_case(pattern, case_sensitive))
    try:
        pc.match_substring_regex(pa.array([""]), pattern, ignore_case=not case_sensitive)
    except (pa.ArrowInvalid, TypeError) as exc:
        raise ValueError(f"LF {name!r}: pattern {pattern!r} is not valid RE2 syntax ({exc}); "
                         "use a row LF with Python's re for look-around or back-references"
                         ) from exc
    required = required_literals(pattern, case_sensitive)
    literal_case = _literal_case(pattern, case_sensitive)
    spec = RegexTemplate(column, pattern, label, bool(case_sensitive), None if required is None
                         else KeywordTemplate(column, required, label, literal_case, False),
                         required is not None and prefilter_decides(pattern, required,
                                                                    literal_case))

    def votes(df: pd.DataFrame) -> np.ndarray:
        return match_regex_template(df[column], spec, name)

    return LabelingFunction(name, votes, kind="batch", columns=[column], template=spec)


def match_regex_template(values: Any, spec: RegexTemplate, name: str,
                         candidates: np.ndarray | None = None) -> np.ndarray:
    """Votes of regex template ``spec`` on a text column.

    ``candidates`` (bool, one per row) marks the rows the prefilter flagged;
    when None and ``spec`` has a prefilter, it is computed here. The regex runs
    on candidate rows only.
    """
    arr = text_array(values, spec.column, name)
    if candidates is None and spec.prefilter is not None:
        candidates = match_keyword_templates(arr, [spec.prefilter], [name])[:, 0] != ABSTAIN
    out = np.full(len(arr), ABSTAIN, dtype=np.int16)
    if spec.decided:
        out[candidates] = spec.label
        return out
    rows = None if candidates is None else np.flatnonzero(candidates)
    sub = arr if rows is None else arr.take(pa.array(rows))
    hit = pc.fill_null(pc.match_substring_regex(sub, spec.pattern,
                                                ignore_case=not spec.case_sensitive), False)
    hit = hit.to_numpy(zero_copy_only=False)
    out[np.flatnonzero(hit) if rows is None else rows[hit]] = spec.label
    return out


#: ASCII letters that RE2's case folding also matches with a non-ASCII character
#: (``k``: U+212A Kelvin sign, ``s``: U+017F long s); a case-insensitive
#: prefilter leaves them out, so it never misses a row the regex matches
_FOLDS_OUTSIDE_ASCII = frozenset("ks")


def _literal_case(pattern: str, case_sensitive: bool) -> bool:
    """Is the pattern matched case-sensitively (``(?i)`` turns folding on)?"""
    return case_sensitive and not re.match(r"\(\?[a-zA-Z]*i", pattern)


def required_literals(pattern: str, case_sensitive: bool = False, limit: int = 10_000
                      ) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None.

    The pattern is read as a sequence: runs of literal characters, small
    character sets (``[0-9]``) and required repeats of them (``x{4,}``) form
    *factors*, sets of at most ``limit`` strings every match contains one of.
    The factor whose shortest string is longest wins. Case-insensitively,
    strings are lower-cased and cut at non-ASCII characters and at ``k`` /
    ``s`` (their RE2 case folds include non-ASCII characters), keeping the
    longest piece. Patterns the analysis does not understand get None (no
    prefilter), never a wrong one.

    >>> required_literals(r"check.*out"), required_literals(r"(?:a|the) win(ner)?")
    (('chec',), ('a win', 'the win'))
    >>> len(required_literals(r"[0-9]{4,}")), required_literals(r"a?.+")
    (10000, None)
    """
    if "[:" in pattern:  # RE2 POSIX classes read as literal sets by Python's parser
        return None
    parsed = _parse_regex(pattern)
    if parsed is None:
        return None
    fold = not _literal_case(pattern, case_sensitive) or bool(parsed.flags & re.IGNORECASE)
    best: tuple[tuple[int, int], tuple[str, ...]] | None = None
    for factor in _factors(parsed.items, limit, parsed.ops):
        if fold:
            factor = [_safe_piece(w.lower()) for w in factor]
        words = tuple(dict.fromkeys(factor))
        if not words or not all(words):
            continue
        score = (min(map(len, words)), -len(words))
        if best is None or score > best[0]:
            best = score, words
    return None if best is None else best[1]


def prefilter_decides(pattern: str, words: Sequence[str], case_sensitive: bool) -> bool:
    """Is "the text contains one of ``words``" exactly "``pattern`` matches somewhere"?

    True when the pattern is one required part — literal text or a repeated
    literal set ``x{m,}`` — between parts that can match the empty string
    (``.*``, ``x?``), and ``words`` spell that part out in full (for ``x{m,}``,
    all of ``x`` repeated ``m`` times). Case-insensitively only for words
    without letters, whose matching does not depend on case folding rules.
    The regex is then not run at all.

    >>> prefilter_decides(r"[0-9]{4,}", required_literals(r"[0-9]{4,}"), False)
    True
    >>> prefilter_decides(r"check.*out", required_literals(r"check.*out"), False)
    False
    """
    if not case_sensitive and any(not c.isascii() or c.isalpha() for w in words for c in w):
        return False
    parsed = _parse_regex(pattern)
    if parsed is None:
        return False
    items, constants = parsed.items, parsed.ops

    def nullable(item: tuple) -> bool:
        return item[0] in (constants.MAX_REPEAT, constants.MIN_REPEAT) and item[1][0] == 0

    while items and nullable(items[0]):
        items.pop(0)
    while items and nullable(items[-1]):
        items.pop()
    if len(items) == 1 and items[0][0] in (constants.MAX_REPEAT, constants.MIN_REPEAT):
        low, _, body = items[0][1]
        items = list(body) * low
    spelled = _expand(items, len(words), constants)
    return spelled is not None and set(spelled) == set(words)


def _safe_piece(word: str) -> str:
    """Longest piece of ``word`` free of characters whose case folds leave ASCII."""
    pieces = re.split("[^\x00-\x7f" + "".join(_FOLDS_OUTSIDE_ASCII) + "]|["
                      + "".join(_FOLDS_OUTSIDE_ASCII) + "]", word)
    return max(pieces, key=len)


def _factors(items: list, limit: int, constants: Any) -> list[list[str]]:
    """Required factors of a parsed sequence (see :func:`required_literals`)."""
    found: list[list[str]] = []
    run = [""]

    def extend(run: list[str], options: list[str]) -> list[str] | None:
        out = [a + b for a in run for b in options]
        return out if len(out) <= limit else None

    for op, arg in items:
        exact = _expand([(op, arg)], limit, constants)
        if exact is not None:
            longer = extend(run, exact)
            if longer is None:
                found.append(run)
                longer = exact
            run = longer
            continue
        if run != [""]:
            found.append(run)
        run = [""]
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and arg[0] >= 1:
            body = _expand(list(arg[2]), limit, constants)
            if body is None:
                found += _factors(list(arg[2]), limit, constants)
                continue
            repeated = body
            for _ in range(arg[0] - 1):  # the body repeated as often as the limit allows
                longer = extend(repeated, body)
                if longer is None:
                    break
                repeated = longer
            found.append(repeated)
        elif op is constants.SUBPATTERN and not arg[1] and not arg[2]:
            found += _factors(list(arg[3]), limit, constants)
    if run != [""]:
        found.append(run)
    return found


def _compared(values: Any, threshold: float, op: str, column: str, lf: str
              ) -> tuple[np.ndarray, float, np.ndarray | None]:
    """The column and the threshold to compare it with, and the rows that abstain.

    Floats: float64, NaN for missing values (``None`` as the mask). Integer, datetime
    and duration columns: exact integers (datetimes and durations in their unit), the
    threshold (nanoseconds for datetimes and durations) turned into the integer that
    gives the same comparison, and the mask of missing values.
    """
    s = pd.Series(values, copy=False)
    ns = 1
    if s.dtype.kind in "mM":
        ns = int(np.timedelta64(1, s.dt.unit) // np.timedelta64(1, "ns"))
        if isinstance(s.dtype, pd.ArrowDtype):
            s = s.astype("int64[pyarrow]")
    else:
        try:
            s = pd.to_numeric(s)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"LF {lf!r}: column {column!r} must be numeric ({exc})") from exc
    if s.dtype.kind not in "iumM":
        return np.asarray(s, dtype=np.float64), threshold, None
    x = s.to_numpy(dtype=np.uint64 if s.dtype.kind == "u" else np.int64, na_value=0)
    exact = fractions.Fraction(threshold) / ns  # x >= 2.5 is x >= 3, x > 2.5 is x > 2
    return x, math.ceil(exact) if op in (">=", "<") else math.floor(exact), \
        s.isna().to_numpy()


def _check_device(device: Any) -> None:
    """Resolve a template's ``device`` once, when the LF is made (an absent one raises)."""
    if device is not None:
        from wslib.device import resolve_device

        resolve_device(device)


@_class_name_label
def threshold_lf(column: str, threshold: float, label: int | str, *, op: str = ">=",
                 name: str | None = None, device: str | None = None) -> LabelingFunction:
    """LF voting ``label`` when ``column <op> threshold``; NaN / missing abstain.

    Integer columns are compared exactly (not as float64, which rounds beyond
    2**53), and so are datetime and duration columns, as integer nanoseconds
    (since the epoch): ``threshold=pd.Timestamp("2024-01-01").value``.

    ``device`` (``"cpu"``, ``"cuda"``, ...): compare float columns on that torch
    device, block by block (:func:`wslib.kernels.torch_lf.threshold_hits`); the
    votes are the NumPy path's. An unavailable device raises when the LF is made.

    >>> import pandas as pd
    >>> lf = threshold_lf("n_links", 2, label=1, op=">")
    >>> lf.apply_batch(pd.DataFrame({"n_links": [0, 3, None]})).tolist()
    [-1, 1, -1]
    """
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}, got {op!r}")
    name = name or f"{column}{op}{threshold}"
    label = _check_label(label, name)
    check_number(f"LF {name!r}: threshold", threshold)
    threshold = int(threshold) if isinstance(threshold, numbers.Integral) else float(threshold)
    compare = _OPS[op]
    _check_device(device)

    def votes(df: pd.DataFrame) -> np.ndarray:
        values, limit, missing = _compared(df[column], threshold, op, column, name)
        if missing is not None:  # exact integers, in NumPy
            hit = compare(values, limit) & ~missing
        elif device is None:
            hit = compare(values, limit)
        else:
            from wslib.kernels.torch_lf import threshold_hits

            hit = threshold_hits(values, limit, compare, device=device).cpu().numpy()
        return np.where(hit, np.int16(label), np.int16(ABSTAIN))

    return LabelingFunction(name, votes, kind="batch", columns=[column],
                            template=Template("threshold", column, label, (threshold, op)))


@_class_name_label
def similarity_lf(column: str, threshold: float, label: int | str, *, prototype: Any = None,
                  name: str | None = None, device: str | None = None) -> LabelingFunction:
    """LF voting ``label`` when an embedding is close to a prototype, or a score is high.

    Parameters
    ----------
    column : str
        Embedding column (one vector per row) when ``prototype`` is given,
        else a numeric score column (e.g. a pretrained classifier's probability).
    threshold : float
        Minimum cosine similarity (or score) to vote.
    label : int or str
        A class index, or a class name mapped by ``apply_lfs(..., classes=...)``.
    prototype : array-like of shape (d,) or (p, d), optional
        Prototype embedding(s); the best similarity over the ``p`` rows counts.
    device : str, optional
        Torch device (``"cpu"``, ``"cuda"``, ...) for the similarities (or score
        comparison), computed there block by block
        (:func:`wslib.kernels.torch_lf.max_cosine`); the votes are the NumPy
        path's. ``None`` (default): NumPy. An unavailable device raises here.

    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"emb": [np.array([1.0, 0.0]), np.array([0.0, 1.0])]})
    >>> similarity_lf("emb", 0.9, label=1, prototype=[2.0, 0.1]).apply_batch(df).tolist()
    [1, -1]
    """
    name = name or f"similar_{column}"
    label = _check_label(label, name)
    if prototype is not None:  # a cosine similarity: beyond [-1, 1] it never / always votes
        check_number(f"LF {name!r}: threshold", threshold, low=-1, high=1)
    if prototype is None:
        return threshold_lf(column, threshold, label, op=">=", name=name, device=device)
    _check_device(device)
    proto = np.atleast_2d(np.asarray(prototype, dtype=np.float64))
    if proto.ndim != 2 or not np.all(np.isfinite(proto)):
        raise ValueError(f"LF {name!r}: prototype must be finite, shape (d,) or (p, d)")
    norms = np.linalg.norm(proto, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"LF {name!r}: a prototype is the zero vector")
    proto = proto / norms

    def votes(df: pd.DataFrame) -> np.ndarray:
        if len(df) == 0:
            return np.full(0, ABSTAIN, dtype=np.int16)
        emb, bad = _embeddings(df[column], column, name)
        if emb.shape[1] != proto.shape[1]:
            raise ValueError(f"LF {name!r}: column {column!r} holds {emb.shape[1]}-d vectors, "
                             f"the prototype is {proto.shape[1]}-d")
        if device is None:
            norm = np.linalg.norm(emb, axis=1)
            cos = np.max(emb @ proto.T, axis=1)
            cos = np.divide(cos, norm, out=np.full(len(cos), -np.inf), where=norm > 0)
        else:
            from wslib.kernels.torch_lf import max_cosine

            cos = max_cosine(emb, proto, device=device).cpu().numpy()
        out = np.where(cos >= threshold, np.int16(label), np.int16(ABSTAIN))
        if bad.any():
            rows = np.flatnonzero(bad)
            raise LFRowError(f"LF {name!r}: column {column!r} holds a missing or non-finite "
                             f"(NaN, inf) embedding in {rows.size} row(s), the first is row "
                             f"{df.index[rows[0]]!r}", rows=rows, votes=out)
        return out

    return LabelingFunction(name, votes, kind="batch", columns=[column],
                            template=Template("similarity", column, label,
                                              (threshold, proto.shape)))


def _embeddings(values: pd.Series, column: str, lf: str) -> tuple[np.ndarray, np.ndarray]:
    """The vectors as an ``(n, d)`` array, and the rows whose vector is missing or not
    finite (zeros there, so they never vote)."""
    cells = values.to_numpy()
    missing = pd.isna(cells) if cells.dtype == object else np.zeros(len(cells), dtype=bool)
    if missing.all():
        raise ValueError(f"LF {lf!r}: column {column!r} holds no embedding (every row is "
                         "missing)")
    if missing.any():
        width = np.shape(cells[np.flatnonzero(~missing)[0]])
        cells = cells.copy()
        for i in np.flatnonzero(missing):
            cells[i] = np.zeros(width)
    try:
        emb = np.stack(cells).astype(np.float64, copy=False)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"LF {lf!r}: column {column!r} must hold equal-length numeric vectors "
                        f"({exc})") from exc
    if emb.ndim != 2:
        raise ValueError(f"LF {lf!r}: column {column!r} must hold 1-D vectors, got cells of "
                         f"shape {emb.shape[1:]}")
    bad = missing | ~np.isfinite(emb).all(axis=1)
    emb[bad] = 0.0
    return emb, bad
