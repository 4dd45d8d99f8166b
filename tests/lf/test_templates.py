"""Templates: exact matching semantics, fusion, bad arguments."""

import operator
import re
import unicodedata
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from wslib import apply_lfs
from wslib.lf import keyword_lf, regex_lf, similarity_lf, threshold_lf

TEXTS = ["Check out my channel", "shout OUT", "a song!", "songs", "Ünïcode SÖNG", None, "",
         "check-out", "x_song_x", "éout"]
#: format characters (category Cf) around matches: non-word for ``word_boundary``
FORMAT_TEXTS = ["Nice song\ufeff", "\u200dout\u200c", "söng\u2060", "\ufeff\ufeffsong", "x\u200dsong",
                "song\U000e0041", "song\u00e9"]


@pytest.fixture
def df():
    return pd.DataFrame({"text": TEXTS})


def _word(c):
    """A word character for ``word_boundary``: ASCII letter, digit, ``_``, or non-ASCII
    other than a format character (category Cf)."""
    if c.isascii():
        return c.isalnum() or c == "_"
    return unicodedata.category(c) != "Cf"


def py_keyword(texts, keywords, case_sensitive=False, word_boundary=False):
    """Reference semantics written with Python's re (Unicode lower-casing)."""
    out = []
    for t in texts:
        if t is None:
            out.append(False)
            continue
        t = t if case_sensitive else t.lower()
        hit = False
        for k in keywords:
            k = k if case_sensitive else k.lower()
            for m in re.finditer(re.escape(k), t):
                if not word_boundary:
                    hit = True
                else:
                    before = t[m.start() - 1] if m.start() else " "
                    after = t[m.end()] if m.end() < len(t) else " "
                    hit |= not _word(before) and not _word(after)
        out.append(hit)
    return np.array(out)


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("word_boundary", [False, True])
def test_keyword_semantics_match_reference(case_sensitive, word_boundary):
    kws = ["out", "song", "ÖNG", "check out"]
    lf = keyword_lf(kws, 1, case_sensitive=case_sensitive, word_boundary=word_boundary)
    texts = TEXTS + FORMAT_TEXTS
    got = np.asarray(lf.apply_batch(pd.DataFrame({"text": texts}))) == 1
    np.testing.assert_array_equal(got, py_keyword(texts, kws, case_sensitive, word_boundary))


def test_many_keyword_lfs_fuse_and_agree_with_single_application(df):
    lfs = [keyword_lf(["out"], 1, name="a"), keyword_lf(["song"], 0, name="b"),
           keyword_lf(["check out", "out"], 1, name="c", word_boundary=True),
           keyword_lf(["SONG"], 1, name="d", case_sensitive=True)]
    L = apply_lfs(df, lfs)
    for j, lf in enumerate(lfs):
        np.testing.assert_array_equal(L[:, j], lf.apply_batch(df))
    assert L[:, 3].tolist() == [-1] * 10  # case-sensitive "SONG" is not in "SÖNG"


def test_overlapping_keywords_all_found():
    # "she" ends inside "ushers"; "he" and "hers" overlap it: every LF must fire
    lfs = [keyword_lf([k], 1, name=k) for k in ["he", "she", "his", "hers"]]
    L = apply_lfs(pd.DataFrame({"text": ["ushers"]}), lfs)
    assert L.tolist() == [[1, 1, -1, 1]]


def test_regex_semantics(df):
    lf = regex_lf(r"check.*out", 1)
    expected = [t is not None and re.search(r"check.*out", t, re.IGNORECASE) is not None for t in TEXTS]
    assert (lf.apply_batch(df) == 1).tolist() == expected
    sensitive = regex_lf(r"OUT", 0, case_sensitive=True, name="OUT")
    assert np.flatnonzero(sensitive.apply_batch(df) == 0).tolist() == [1]


def test_regex_rejects_non_re2_pattern_at_creation():
    with pytest.raises(ValueError, match="lookbehind.*RE2"):
        regex_lf(r"(?<=a)b", 1, name="lookbehind")


def test_keyword_on_arrow_and_object_columns():
    lf = keyword_lf("x", 1)
    obj = pd.DataFrame({"text": pd.Series(["x", "y", None], dtype=object)})
    assert lf.apply_batch(obj).tolist() == [1, -1, -1]
    table = pa.table({"text": ["ax", "b"]})
    assert apply_lfs(table, [lf])[:, 0].tolist() == [1, -1]


def test_keyword_on_non_text_column_names_column():
    with pytest.raises(TypeError, match="column 'text' must hold strings"):
        keyword_lf("1", 1, name="num").apply_batch(pd.DataFrame({"text": [1, 2]}))


def test_threshold():
    df = pd.DataFrame({"score": [0.1, 0.5, np.nan, 0.9]})
    assert threshold_lf("score", 0.5, 1).apply_batch(df).tolist() == [-1, 1, -1, 1]
    assert threshold_lf("score", 0.5, 0, op="<").apply_batch(df).tolist() == [0, -1, -1, -1]
    with pytest.raises(ValueError, match="op must be"):
        threshold_lf("score", 0.5, 1, op="==")
    with pytest.raises(TypeError, match="'score' must be numeric"):
        threshold_lf("score", 0.5, 1).apply_batch(pd.DataFrame({"score": ["a"]}))


OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("threshold", [2**53 - 1, 2**53, 2**53 + 1, 2**53 + 1.5, 2**53 + 4.0,
                                       -(2**63) - 1, 2**64, 7])
def test_threshold_compares_integer_columns_exactly(op, threshold):
    """int64, uint64 and nullable Int64 columns are compared exactly with the threshold
    (float64 would read 2**53 + 1 as 2**53); missing values abstain."""
    values = [2**53 - 1, 2**53, 2**53 + 1, 2**53 + 2, 2**53 + 3, 0, 7]
    lf = threshold_lf("id", threshold, 1, op=op, name="t")
    expected = [1 if OPS[op](Fraction(v), Fraction(threshold)) else -1 for v in values]
    for dtype in ("int64", "uint64", "Int64"):
        df = pd.DataFrame({"id": pd.Series(values, dtype=dtype)})
        assert apply_lfs(df, [lf])[:, 0].tolist() == expected, dtype
    with_na = pd.DataFrame({"id": pd.Series([2**53 + 1, None], dtype="Int64")})
    assert lf.apply_batch(with_na).tolist()[1] == -1


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
def test_threshold_compares_datetimes_as_exact_nanoseconds(unit, tz):
    """Datetime columns compare as integer nanoseconds since the epoch, whatever their unit;
    NaT abstains. Durations likewise."""
    start = pd.Timestamp("2024-01-01", tz=tz)
    stamps = pd.Series([start, start + pd.Timedelta(1, unit), None]).dt.as_unit(unit)
    df = pd.DataFrame({"ts": stamps, "age": stamps - start})
    step = pd.Timedelta(1, unit).value
    lfs = [threshold_lf("ts", start.value + 1, 1, name="after", op=">="),
           threshold_lf("ts", start.value + step, 0, name="before", op="<"),
           threshold_lf("age", 0.5, 1, name="older", op=">")]
    assert apply_lfs(df, lfs).T.tolist() == [[-1, 1, -1], [0, -1, -1], [-1, 1, -1]]


def test_similarity_with_prototypes_and_scores():
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.7, 0.7]])
    lf = similarity_lf("emb", 0.9, 1, prototype=[[1.0, 0.0], [0.5, 0.5]])
    assert apply_lfs({"emb": emb}, [lf])[:, 0].tolist() == [1, -1, -1, 1]
    score = similarity_lf("p_spam", 0.8, 1)
    assert score.apply_batch(pd.DataFrame({"p_spam": [0.79, 0.8]})).tolist() == [-1, 1]
    with pytest.raises(ValueError, match="3-d vectors, the prototype is 2-d"):
        lf.apply_batch(pd.DataFrame({"emb": [np.ones(3)]}))
    with pytest.raises(ValueError, match="zero vector"):
        similarity_lf("emb", 0.5, 1, prototype=[0.0, 0.0])


def test_bad_labels_and_keywords():
    with pytest.raises(ValueError, match="label must be a class index"):
        keyword_lf("a", -1)
    with pytest.raises(ValueError, match="keywords must be non-empty"):
        keyword_lf([""], 1, name="empty")
    with pytest.raises(ValueError, match="label must be a class index"):
        threshold_lf("x", 1, True)


@pytest.mark.parametrize("make", [lambda label: keyword_lf("money", label, name="bad"),
                                  lambda label: regex_lf("mon.y", label, name="bad"),
                                  lambda label: regex_lf("money|cash", label, name="bad"),
                                  lambda label: threshold_lf("n", 1, label, name="bad"),
                                  lambda label: similarity_lf("n", 0.5, label, name="bad")])
def test_labels_beyond_int16_votes_are_refused_naming_the_lf(make):
    """A label no vote can hold is refused when the template is made, so it never reaches
    (nor is blamed on) the other LFs fused with it; 32766 is the largest allowed."""
    with pytest.raises(ValueError, match=r"LF 'bad': label 40000 is above 32766"):
        make(40000)
    df = pd.DataFrame({"text": ["free money", "check it out", "xx"], "n": [2.0, 0.0, 1.0]})
    lfs = [keyword_lf("free", 1, name="free"), regex_lf("check.*out", 0, name="check"),
           make(32766)]
    L = apply_lfs(df, lfs)
    assert L[:, :2].tolist() == [[1, -1], [-1, 0], [-1, -1]] and L.dtype == np.int16
    assert set(L[:, 2].tolist()) <= {-1, 32766} and (L[:, 2] == 32766).any()


@pytest.mark.parametrize("pattern", [r"(?:gift|money)", r"lol|haha|xd", r"\.com", r"ch(?:eck|at)",
                                     r"[sS]ong"])
def test_literal_regex_runs_as_keywords_with_re2_matches(pattern):
    import pyarrow.compute as pc

    from wslib.lf.templates import KeywordTemplate

    texts = ["free GIFT", "LOL", "x.com", "chat", "check", "songs", "nothing", "moneyy"]
    lf = regex_lf(pattern, 1, name="p")
    assert isinstance(lf.template, KeywordTemplate)
    re2 = pc.match_substring_regex(pa.array(texts), pattern, ignore_case=True).to_pylist()
    assert (lf.apply_batch(pd.DataFrame({"text": texts})) == 1).tolist() == re2


def test_case_folding_follows_arrow_utf8_lower_even_for_special_characters():
    import pyarrow.compute as pc

    # U+0130 and the Kelvin sign lower-case to ASCII: the fast ASCII-folding scan
    # must hand those rows to the full Unicode path
    texts = ["\u0130stanbul", "\u212aelvin", "KELVIN", "ok \u0130STANBUL", "Ärger", "ärger"]
    for keywords in (["istanbul", "kelvin"], ["ärger"]):
        lowered = pc.utf8_lower(pa.array(texts)).to_pylist()
        expected = [any(k in t for k in keywords) for t in lowered]
        got = keyword_lf(keywords, 1).apply_batch(pd.DataFrame({"text": texts})) == 1
        assert got.tolist() == expected, keywords


@pytest.mark.parametrize("ascii_only", [True, False])  # ASCII folding in the automaton or not
@pytest.mark.parametrize("n_rows", [0, 1, 2, 3, 50, 401, 3000])
def test_two_lane_scan_matches_reference_on_random_texts(n_rows, ascii_only, kernel_path):
    """Random rows (empty ones, special characters, uneven lengths) across both lanes
    of the compiled scan, and through the NumPy matcher.

    Besides U+0130 and U+212A (lower case is ASCII) the alphabet holds other
    characters sharing their lead bytes C4 / E2 (``Ą``, ``€``, ``—``), which
    reach the kernel's sentinel state but are not special."""
    import pyarrow.compute as pc

    rng = np.random.default_rng(n_rows)
    alphabet = np.array(list("abAB _") + ["\u0130", "\u212a", "é", "ab", "BA", "\u0104",
                                           "\u20ac", "\u2014"])
    texts = ["".join(rng.choice(alphabet, rng.integers(0, 3 if i % 7 else 40)))
             for i in range(n_rows)]
    keywords = [["ab"], ["ba", "k"], ["i"], ["a b" if ascii_only else "é a"]]
    lfs = [keyword_lf(k, 1, name=str(j), word_boundary=j == 1) for j, k in enumerate(keywords)]
    specs = [lf.template for lf in lfs]
    from wslib.lf.templates import _compile_keywords, match_keyword_templates
    assert _compile_keywords(tuple(specs))[0].fold_ascii is ascii_only
    if n_rows == 0:  # apply_lfs refuses empty data; the kernel itself must cope
        assert match_keyword_templates(pd.Series([], dtype="str"), specs, ["x"] * 4).shape == (0, 4)
        return
    L = apply_lfs(pd.DataFrame({"text": texts}), lfs)
    lowered = pc.utf8_lower(pa.array(texts)).to_pylist()
    for j, kws in enumerate(keywords):
        expected = py_keyword(lowered, kws, case_sensitive=True, word_boundary=j == 1)
        np.testing.assert_array_equal(L[:, j] == 1, expected, err_msg=str(kws))


PREFILTER_TEXTS = ["CHECK it out", "check", "chec out", "out, check", "CHE\u212aK it out",
                   "call 5551234 now", "no 123 here", "year 2024!", "\u017fee", "SEE", None, ""]


@pytest.mark.parametrize(("pattern", "case_sensitive", "expected"), [
    (r"check.*out", False, ("chec",)),  # 'k' folds to the Kelvin sign in RE2: cut there
    (r"check.*out", True, ("check",)),
    (r"(?i)check.*out", True, ("chec",)),
    (r"\bwin(ner)?\b", False, ("win",)),
    (r"(?:foo|bar)baz.*", False, ("foobaz", "barbaz")),
    (r"\w+", False, None),
    (r"[[:digit:]]{4}", False, None),  # RE2 POSIX class: not analysed, never misread
])
def test_required_literals(pattern, case_sensitive, expected):
    from wslib.lf.templates import required_literals
    assert required_literals(pattern, case_sensitive) == expected


def test_required_literals_of_repeated_class():
    from wslib.lf.templates import required_literals
    assert required_literals(r"[0-9]{4,}") == tuple(f"{i:04d}" for i in range(10_000))
    assert required_literals(r"[0-9]{4,}", limit=100) == tuple(f"{i:02d}" for i in range(100))


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("pattern", [r"check.*out", r"[0-9]{4,}", r"(?i)s.e", r"k.*out",
                                     r"colou?r|see"])
def test_prefiltered_regex_votes_equal_plain_re2(pattern, case_sensitive):
    import pyarrow.compute as pc
    arr = pa.array(PREFILTER_TEXTS * 3)
    hit = pc.fill_null(pc.match_substring_regex(arr, pattern, ignore_case=not case_sensitive),
                       False).to_numpy(zero_copy_only=False)
    expected = np.where(hit, 1, -1)
    lf = regex_lf(pattern, 1, case_sensitive=case_sensitive, name="r")
    df = pd.DataFrame({"text": PREFILTER_TEXTS * 3})
    np.testing.assert_array_equal(lf.apply_batch(df), expected)  # standalone
    fused = apply_lfs(df, [keyword_lf("out", 0, name="kw", case_sensitive=case_sensitive), lf],
                      chunk_size=7)  # prefilter fused into the keyword scan, several chunks
    np.testing.assert_array_equal(fused[:, 1], expected)
    assert lf.template.prefilter is not None or pattern == r"colou?r|see"


@pytest.mark.parametrize("pattern", [r"check.*out", r"[0-9]{4,}", r"(?:lol|haha)!", r"colou?r|see"])
def test_regex_votes_without_cpythons_private_parser(monkeypatch, pattern):
    """The literal analysis reads CPython's private regex parser in one place; on a
    Python without it the analysis turns off and the votes stay the regex's own."""
    from wslib.lf import templates
    df = pd.DataFrame({"text": PREFILTER_TEXTS * 3})
    with_parser = regex_lf(pattern, 1, name="r")
    monkeypatch.delattr(re, "_parser")
    assert templates._parse_regex(pattern) is None
    assert templates.literal_alternatives(pattern) is None
    assert templates.required_literals(pattern) is None
    assert templates.prefilter_decides(pattern, ("out",), True) is False
    without = regex_lf(pattern, 1, name="r")
    assert without.template.prefilter is None
    np.testing.assert_array_equal(without.apply_batch(df), with_parser.apply_batch(df))
    fused = apply_lfs(df, [keyword_lf("out", 0, name="kw"), without], chunk_size=7)
    np.testing.assert_array_equal(fused[:, 1], with_parser.apply_batch(df))


def test_inline_ignore_case_flag_of_a_literal_pattern():
    lf = regex_lf(r"(?i)see", 1, case_sensitive=True, name="see")
    assert lf.apply_batch(pd.DataFrame({"text": ["SEE", "sea"]})).tolist() == [1, -1]


@pytest.mark.parametrize(("pattern", "case_sensitive", "decides"), [
    (r"[0-9]{4,}", False, True),   # no letters: case folding cannot matter
    (r"x*abc.*", True, True),      # the parts around 'abc' may match the empty string
    (r"x*abc.*", False, False),    # letters under case folding: RE2 decides
    (r"^abc", True, False),        # anchors are not empty-matching parts
    (r"check.*out", False, False),
])
def test_prefilter_decides(pattern, case_sensitive, decides):
    from wslib.lf.templates import prefilter_decides, required_literals
    words = required_literals(pattern, case_sensitive)
    assert prefilter_decides(pattern, words, case_sensitive) is decides
    lf = regex_lf(pattern, 1, case_sensitive=case_sensitive, name="r")
    assert lf.template.decided is decides
    texts = ["abc", "xxabcz", "ABC", "zabc", "1234", "12a34", "year 20245", None, "check out"]
    import pyarrow.compute as pc
    hit = pc.fill_null(pc.match_substring_regex(pa.array(texts), pattern,
                                                ignore_case=not case_sensitive), False)
    assert lf.apply_batch(pd.DataFrame({"text": texts})).tolist() == \
        np.where(hit.to_numpy(zero_copy_only=False), 1, -1).tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_minimised_automaton_votes_like_the_reference(seed, kernel_path):
    """Keyword sets whose automaton minimisation merges states and byte classes
    (character-set expansions, shared suffixes), with and without word boundaries,
    in one fused scan: every LF votes exactly as the plain Python reference."""
    from wslib.kernels.keywords import build_automaton

    rng = np.random.default_rng(seed)
    digits = [f"{i:02d}" for i in range(100)]
    keywords = [digits, ["x" + d for d in "0123456789"], ["ab", "cab", "bab"], ["b"],
                ["a1", "a2", "b1", "b2"], ["ba ", "ab_"]]
    alphabet = np.array(list("ab12x _9") + ["AB", "X3", "\u212a", "ä", "\ufeff", "\u200d",
                                            "\U000e0041"])
    texts = ["".join(rng.choice(alphabet, rng.integers(0, 12))) for _ in range(2000)]
    lfs = [keyword_lf(k, j % 3, name=f"k{j}", word_boundary=bool(j % 2))
           for j, k in enumerate(keywords)]
    L = apply_lfs(pd.DataFrame({"text": texts}), lfs, chunk_size=512)
    for j, kws in enumerate(keywords):
        expected = py_keyword(texts, kws, word_boundary=bool(j % 2))
        np.testing.assert_array_equal(L[:, j] == j % 3, expected, err_msg=str(kws))
        assert set(np.unique(L[:, j])) <= {-1, j % 3}
    auto = build_automaton([d.encode() for d in digits], [0] * 100, [False] * 100)
    assert len(auto[0]) // auto[1] == 3  # root, one digit, two digits (was 111 states)


@pytest.mark.parametrize("collide", [False, True])
def test_row_ids_group_equal_rows_exactly(collide, monkeypatch):
    """The automaton minimiser's row grouping; ``collide`` forces every hash equal,
    so the exact lexicographic fallback decides."""
    from wslib.kernels import keywords

    m = np.random.default_rng(3).integers(0, 3, size=(500, 4))
    if collide:
        class Zeros:
            def integers(self, low, high, size, dtype):
                return np.zeros(size, dtype=dtype)
        monkeypatch.setattr(keywords.np.random, "default_rng", lambda seed: Zeros())
    ids = keywords._row_ids(m)
    _, expected = np.unique(m, axis=0, return_inverse=True)
    same = ids[:, None] == ids[None, :]
    np.testing.assert_array_equal(same, expected.ravel()[:, None] == expected.ravel()[None, :])
    assert set(ids.tolist()) == set(range(ids.max() + 1))


def test_format_characters_table_is_unicode_category_cf():
    """The kernel's table of format characters holds every Cf code point this Python
    knows, and nothing that is assigned to another category (a newer Unicode may
    add Cf characters that this Python's database does not know yet)."""
    import sys

    from wslib.kernels.keywords import FORMAT_CHARS

    table = {c for lo, hi in FORMAT_CHARS.tolist() for c in range(lo, hi + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert cf <= table
    assert {unicodedata.category(chr(c)) for c in table - cf} <= {"Cn"}


def test_word_boundary_on_the_embedded_youtube_comments():
    """The README's ``song`` LF fires on every training comment holding the word
    ``song`` or ``love this``, also the comments ending in U+FEFF (``"Nice song\\ufeff"``)."""
    from wslib.datasets import load_embedded

    data = load_embedded("youtube")["train"].data
    song = keyword_lf(["song", "love this"], 0, name="song", word_boundary=True)
    fires = np.asarray(apply_lfs(data, [song]))[:, 0] == 0
    texts = data["text"].tolist()
    np.testing.assert_array_equal(fires, py_keyword(texts, ["song", "love this"],
                                                    word_boundary=True))
    assert fires.sum() == 202
    before_bom = [bool(re.search(r"(?i)(song|love this)\ufeff", t)) for t in texts]
    assert sum(before_bom) == 22 and fires[before_bom].all()
    # RE2's \b is ASCII-only: U+FEFF is a non-word character there too
    regex = regex_lf(r"\b(song|love this)\b", 0, name="song_re")
    assert np.asarray(apply_lfs(data, [regex]))[:, 0].tolist().count(0) >= 202
