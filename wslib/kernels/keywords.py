"""Multi-keyword matching in one pass: an Aho-Corasick automaton over UTF-8 bytes.

Many keyword LFs reading the same text column are fused: every keyword of
every LF goes into one automaton, and one scan of each text finds all of them.
Each automaton state lists the (LF slot, keyword length, word-boundary flag)
of every keyword that ends there, so a hit marks its LF directly.

Word boundary (``word_boundary=True``): the match is neither preceded nor
followed by a *word character*: an ASCII letter, digit or ``_``, or any
non-ASCII character (accented letters, CJK, emoji) except the invisible
format characters of Unicode category Cf (U+FEFF, zero-width joiners,
direction marks: :data:`FORMAT_CHARS`), which are decoded from the UTF-8
bytes next to a match and count as non-word, like a space.

ASCII case folding (``fold_ascii=True``) is baked into the transition table:
an upper-case ASCII byte moves like its lower-case twin, so ASCII-only
keywords match case-insensitively in the raw text without lower-casing it
first. The scan then flags the rare rows holding a character whose Unicode
lower case is ASCII (U+0130 ``İ``, U+212A Kelvin sign), which callers rescan
after full Unicode lower-casing.

The scan is bound by the latency of one table look-up per byte, so the table
is laid out for the shortest dependency chain: flat, with every state stored
as its row offset (``state * n_byte_classes``), so the next look-up is one add and
one load (no multiply), and indexed with unsigned integers (no negative-index
wrap-around check). States are numbered so that those with outputs come last:
the hot loop tests ``state >= first_out`` instead of loading a flag. With
``fold_ascii`` the two
lead bytes of those characters (``0xC4``, ``0xE2``) lead to one extra *sentinel*
state, numbered last, that behaves like the root: the same single test then
also catches them, so the hot loop has no per-byte check for special
characters (the sentinel path checks the full character).

Example
-------
>>> import numpy as np
>>> auto = build_automaton([b"check out", b"out"], [0, 1], [False, True], fold_ascii=True)
>>> data = np.frombuffer(b"CHECK out!shout", dtype=np.uint8)
>>> offsets = np.array([0, 10, 15])
>>> votes = np.full((2, 2), -1, dtype=np.int16)
>>> special = match_keywords(data, offsets, *auto, votes, [0, 1], [7, 8])
>>> votes.tolist(), special.tolist()
([[7, 8], [-1, -1]], [False, False])
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from wslib.kernels.jit import jit, use_jit

__all__ = ["Keywords", "build_automaton", "match_keywords"]

_WORD = np.zeros(256, dtype=np.bool_)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_":
    _WORD[_c] = True
_WORD[128:] = True
#: Unicode category Cf (format characters) as inclusive code-point ranges, Unicode 15.1:
#: invisible, so ``"Nice song\ufeff"`` holds the word ``song``
FORMAT_CHARS = np.array([
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F)], dtype=np.int64)
#: first bytes of U+0130 (C4 B0) and U+212A (E2 84 AA), whose lower case is ASCII
_SPECIAL_LEADS = (0xC4, 0xE2)
#: the NumPy matcher finds more words than this of one length (<= 8 bytes) in one pass
MANY_WORDS = 16
#: each byte with ASCII upper case folded to lower case
_FOLD = np.arange(256, dtype=np.uint8)
_FOLD[ord("A"):ord("Z") + 1] += 32


def build_automaton(keywords: list[bytes], slots: list[int], word_boundary: list[bool],
                    fold_ascii: bool = False) -> tuple:
    """Compile keywords into a dense Aho-Corasick automaton.

    ``keywords[t]`` belongs to LF slot ``slots[t]`` and is matched with
    ``word_boundary[t]``; with ``fold_ascii`` the keywords must be lower case
    and upper-case ASCII input bytes are matched as lower case. Returns
    ``(delta, n_byte_classes, byte_class, first_out, out_ptr, out_slot, out_len, out_wb,
    fold_ascii)``: the flat transition table (``delta[s + byte_class[byte]]`` is
    the next state; states are row offsets, multiples of ``n_byte_classes``), the
    class of each byte value, the first state with outputs (a row offset) and,
    per state number (``s // n_byte_classes``), the CSR list of the distinct (slot,
    keyword length, word boundary) of the keywords ending there (including
    those reached by failure links). The automaton is minimised
    (:func:`_minimize`) and byte classes that move alike are merged.
    """
    delta, outputs = _failure_closure(*_trie(keywords))
    n_states = delta.shape[0]
    # byte classes: every byte that occurs in no keyword behaves the same (class 0), so
    # the table shrinks to (n_states, n_byte_classes) and stays in the L1 cache
    used = sorted({byte for kw in keywords for byte in kw})
    byte_class = np.zeros(256, dtype=np.uint8 if len(used) < 256 else np.int32)
    byte_class[used] = np.arange(1, len(used) + 1)
    delta = np.concatenate([np.zeros((n_states, 1), dtype=delta.dtype), delta[:, used]], axis=1)
    kinds, outs = _output_kinds(keywords, slots, word_boundary, outputs)
    delta, outs = _minimize(delta, outs)
    n_states = len(outs)
    # byte classes moving alike from every state merge (the ten digits of [0-9]{4})
    merged = _row_ids(delta.T)
    delta = delta[:, np.unique(merged, return_index=True)[1]]
    byte_class = merged[byte_class].astype(byte_class.dtype)
    if fold_ascii:
        upper = np.arange(ord("A"), ord("Z") + 1)
        byte_class[upper] = byte_class[upper + 32]
        byte_class[list(_SPECIAL_LEADS)] = delta.shape[1]  # a class of their own
        delta = np.concatenate([delta, np.full((n_states, 1), n_states, dtype=delta.dtype)],
                               axis=1)  # ... leading to the sentinel state n_states
    delta, outs, first_out = _outputs_last(delta, outs, fold_ascii)
    out_ptr = np.zeros(len(outs) + 1, dtype=np.int64)
    out_ptr[1:] = np.cumsum([len(o) for o in outs])
    flat = np.array(kinds, dtype=np.int64).reshape(-1, 3)[[k for o in outs for k in o]]
    out_slot, out_len, out_wb = flat[:, 0].copy(), flat[:, 1].copy(), flat[:, 2].astype(np.bool_)
    n_byte_classes = delta.shape[1]
    if len(outs) * n_byte_classes >= 2**32:
        raise ValueError(f"{len(keywords):,} keywords make an automaton too large to scan")
    flat_delta = (delta.astype(np.uint64) * np.uint64(n_byte_classes)).astype(np.uint32).ravel()
    return (flat_delta, n_byte_classes, byte_class, first_out * n_byte_classes, out_ptr, out_slot,
            out_len, out_wb, bool(fold_ascii))


def _trie(keywords: list[bytes]) -> tuple[list[dict[int, int]], list[list[int]]]:
    """The keywords' trie: each state's byte transitions and the keywords ending there."""
    goto: list[dict[int, int]] = [{}]
    ends: list[list[int]] = [[]]
    for t, kw in enumerate(keywords):
        if not kw:
            raise ValueError("empty keyword")
        s = 0
        for byte in kw:
            nxt = goto[s].get(byte)
            if nxt is None:
                nxt = len(goto)
                goto[s][byte] = nxt
                goto.append({})
                ends.append([])
            s = nxt
        ends[s].append(t)
    return goto, ends


def _failure_closure(goto: list[dict[int, int]], ends: list[list[int]]
                     ) -> tuple[np.ndarray, list[list[int]]]:
    """The dense ``(n_states, 256)`` transition table with the failure links folded in,
    and each state's keywords including those its failure chain ends."""
    n_states = len(goto)
    delta = np.zeros((n_states, 256), dtype=np.uint16 if n_states < 2**16 - 1 else np.int32)
    fail = np.zeros(n_states, dtype=np.int64)
    outputs: list[list[int]] = [list(e) for e in ends]
    queue: deque[int] = deque()
    for byte, s in goto[0].items():
        delta[0, byte] = s
        queue.append(s)
    while queue:  # breadth first: a state's failure target is complete before it
        r = queue.popleft()
        outputs[r] = outputs[r] + outputs[fail[r]] if fail[r] else outputs[r]
        delta[r] = delta[fail[r]]
        for byte, s in goto[r].items():
            fail[s] = delta[fail[r], byte]
            delta[r, byte] = s
            queue.append(s)
    return delta, outputs


def _output_kinds(keywords: list[bytes], slots: list[int], word_boundary: list[bool],
                  outputs: list[list[int]]) -> tuple[list[tuple], list[tuple]]:
    """What a state outputs: the distinct (slot, keyword length, word boundary) ending
    there, as sorted ids into the returned ``kinds``."""
    kinds = sorted({(slots[t], len(keywords[t]), bool(word_boundary[t]))
                    for t in range(len(keywords))})
    kind_of = dict(zip(kinds, range(len(kinds))))
    kind = [kind_of[slots[t], len(keywords[t]), bool(word_boundary[t])]
            for t in range(len(keywords))]
    return kinds, [tuple(sorted(set(map(kind.__getitem__, o)))) if o else () for o in outputs]


def _outputs_last(delta: np.ndarray, outs: list[tuple], fold_ascii: bool
                  ) -> tuple[np.ndarray, list[tuple], int]:
    """Renumber the states, those without outputs first, so "has outputs" is
    "state >= first_out"; with ``fold_ascii`` append the sentinel state, which moves
    like the root and outputs nothing. Returns the table, the outputs, ``first_out``."""
    n_states = len(outs)
    order = np.argsort([len(o) > 0 for o in outs], kind="stable")
    new_id = np.empty(n_states, dtype=np.int64)
    new_id[order] = np.arange(n_states)
    new_id = np.append(new_id, n_states)  # the sentinel keeps its number, the last
    delta = new_id[delta[order]]
    outs = [outs[old] for old in order]
    first_out = int(sum(1 for o in outs if not o))
    if fold_ascii:
        delta = np.concatenate([delta, delta[new_id[0]][None]], axis=0)
        outs.append(())
    return delta, outs, first_out


def _minimize(delta: np.ndarray, outs: list[tuple]) -> tuple[np.ndarray, list[tuple]]:
    """Merge equivalent states (Moore's partition refinement): states with the same
    outputs whose moves lead to equivalent states on every byte class behave
    alike on any text. Keywords spelled out from a character set collapse: the
    10,000 strings of ``[0-9]{4}`` need 5 states instead of 11,111. The root
    stays state 0."""
    ids: dict[tuple, int] = {}
    part = np.array([ids.setdefault(o, len(ids)) for o in outs], dtype=np.int64)
    while True:
        refined = _row_ids(np.column_stack([part, part[delta]]))
        if refined.max() == part.max():  # no class split: stable
            break
        part = refined
    reps = np.sort(np.unique(part, return_index=True)[1])  # first state of each class
    relabel = np.empty(len(reps), dtype=np.int64)
    relabel[part[reps]] = np.arange(len(reps))  # classes in order of their first state
    return relabel[part[delta[reps]]], [outs[r] for r in reps]


def _row_ids(m: np.ndarray) -> np.ndarray:
    """Equal rows of ``m`` get equal ids ``0, 1, ...``: rows are grouped by a random
    64-bit hash, and the grouping is checked row by row; should two different
    rows ever share a hash, an exact lexicographic sort decides instead."""
    m = np.ascontiguousarray(m, dtype=np.int64)
    weights = np.random.default_rng(0).integers(1, 2**63, size=m.shape[1], dtype=np.int64)
    with np.errstate(over="ignore"):
        hashes = (m * weights).sum(axis=1)  # wraps around: fine for a hash
    _, first, ids = np.unique(hashes, return_index=True, return_inverse=True)
    if np.array_equal(m, m[first[ids]]):
        return ids.ravel()
    order = np.lexsort(m.T[::-1])
    ordered = m[order]
    new = np.ones(len(m), dtype=np.bool_)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    ids = np.empty(len(m), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


@jit(inline="always", cache=False)
def _special_at(data, p, b):
    """Does the text ``data[p:b]`` start with U+0130 or U+212A (lower case is ASCII)?"""
    byte = data[p]
    return (byte == 0xC4 and p + 1 < b and data[p + 1] == 0xB0) or (
        byte == 0xE2 and p + 2 < b and data[p + 1] == 0x84 and data[p + 2] == 0xAA)


@jit(inline="always", cache=False)
def _word_at(data, q, b, is_word):
    """Is the character whose UTF-8 encoding starts at byte ``q`` (row ends at ``b``) a
    word character? Non-ASCII ones are, except format characters (:data:`FORMAT_CHARS`)."""
    byte = data[q]
    if byte < 0xC0 or byte >= 0xF8:  # ASCII, or a byte that starts no character
        return is_word[byte]
    n = 1 if byte < 0xE0 else 2 if byte < 0xF0 else 3  # continuation bytes
    if q + n >= b:  # cut off by the end of the row
        return True
    code = np.int64(byte & (0x3F >> n))
    for t in range(1, n + 1):
        code = (code << 6) | (data[q + t] & 0x3F)
    for r in range(FORMAT_CHARS.shape[0]):
        if FORMAT_CHARS[r, 0] <= code <= FORMAT_CHARS[r, 1]:
            return False
    return True


@jit(inline="always", cache=False)
def _word_before(data, a, q, is_word):
    """Is the character ending just before byte ``q`` (row starts at ``a``) a word character?"""
    s = q - 1
    while s > a and q - s < 4 and (data[s] & 0xC0) == 0x80:  # back to the lead byte
        s -= 1
    return _word_at(data, s, q, is_word)


@jit(inline="always", cache=False)
def _emit(i, a, b, p, s, data, out_ptr, out_col, out_len, out_wb, is_word, out_label, votes):
    """Vote for the keywords ending at byte ``p`` (state ``s``) of row ``i`` = ``data[a:b]``."""
    for t in range(out_ptr[s], out_ptr[s + 1]):
        col = out_col[t]
        if votes[i, col] != -1:  # that LF already voted on this row
            continue
        if out_wb[t]:
            begin = p - out_len[t] + 1
            if begin > a and _word_before(data, a, begin, is_word):
                continue
            if p + 1 < b and _word_at(data, p + 1, b, is_word):
                continue
        votes[i, col] = out_label[t]


@jit(cache=False)
def _step(s, byte, delta, byte_class):
    """Next state (a row offset, unsigned: no wrap-around check on the hot path)."""
    return np.uint64(delta[s + np.uint64(byte_class[byte])])


@jit()
def _lane(p, end, i, b, s, data, offsets, delta, n_byte_classes, byte_class, first_out, sentinel,
          out_ptr, out_col, out_len, out_wb, is_word, out_label, votes, special):
    """Scan bytes ``p .. end`` (row ``i`` ends at ``b``, automaton in state ``s``)."""
    while p < end:
        while p == b:  # next row; empty rows are skipped
            i += 1
            b = offsets[i + 1]
            s = np.uint64(0)
        s = _step(s, data[p], delta, byte_class)
        if s >= first_out:
            if s != sentinel:
                _emit(i, offsets[i], b, p, np.int64(s // n_byte_classes), data, out_ptr, out_col,
                      out_len, out_wb, is_word, out_label, votes)
            elif _special_at(data, p, b):  # flag the row, skip the rest of it
                special[i] = True
                p = b - 1
        p += 1


@jit()
def _lockstep(pA, endA, iA, bA, pB, endB, iB, bB, data, offsets, delta, n_byte_classes, byte_class,
              first_out, sentinel, out_ptr, out_col, out_len, out_wb, is_word, out_label, votes, special):
    """Two lanes in lockstep until one ends; returns both lanes' positions, rows,
    row ends and states."""
    sA = sB = np.uint64(0)
    while pA < endA and pB < endB:
        while pA == bA:
            iA += 1
            bA = offsets[iA + 1]
            sA = np.uint64(0)
        while pB == bB:
            iB += 1
            bB = offsets[iB + 1]
            sB = np.uint64(0)
        sA = _step(sA, data[pA], delta, byte_class)
        sB = _step(sB, data[pB], delta, byte_class)
        if sA >= first_out:
            if sA != sentinel:
                _emit(iA, offsets[iA], bA, pA, np.int64(sA // n_byte_classes), data, out_ptr,
                      out_col, out_len, out_wb, is_word, out_label, votes)
            elif _special_at(data, pA, bA):
                special[iA] = True
                pA = bA - 1
        if sB >= first_out:
            if sB != sentinel:
                _emit(iB, offsets[iB], bB, pB, np.int64(sB // n_byte_classes), data, out_ptr,
                      out_col, out_len, out_wb, is_word, out_label, votes)
            elif _special_at(data, pB, bB):
                special[iB] = True
                pB = bB - 1
        pA += 1
        pB += 1
    return pA, iA, bA, sA, pB, iB, bB, sB


@jit()
def _scan(data, offsets, delta, n_byte_classes, byte_class, first_out, sentinel, out_ptr, out_col,
          out_len, out_wb, is_word, out_label, votes, special):
    """Two independent lanes (the rows holding the first and the second half of the
    bytes) advance in lockstep, so the CPU overlaps their dependent table
    look-ups; each lane then finishes alone."""
    n = offsets.shape[0] - 1
    h = min(np.searchsorted(offsets, (offsets[0] + offsets[n]) // 2), n)  # equal bytes
    endA, endB = offsets[h], offsets[n]
    pA, iA, bA, sA, pB, iB, bB, sB = _lockstep(
        offsets[0], endA, 0, offsets[min(1, n)], offsets[h], endB, h, offsets[min(h + 1, n)],
        data, offsets, delta, n_byte_classes, byte_class, first_out, sentinel, out_ptr, out_col,
        out_len, out_wb, is_word, out_label, votes, special)
    _lane(pA, endA, iA, bA, sA, data, offsets, delta, n_byte_classes, byte_class, first_out,
          sentinel, out_ptr, out_col, out_len, out_wb, is_word, out_label, votes, special)
    _lane(pB, endB, iB, bB, sB, data, offsets, delta, n_byte_classes, byte_class, first_out,
          sentinel, out_ptr, out_col, out_len, out_wb, is_word, out_label, votes, special)


def match_keywords(data: np.ndarray, offsets: np.ndarray, delta: np.ndarray, n_byte_classes: int,
                   byte_class: np.ndarray, first_out: int, out_ptr: np.ndarray,
                   out_slot: np.ndarray, out_len: np.ndarray, out_wb: np.ndarray,
                   fold_ascii: bool, votes: np.ndarray, columns: np.ndarray,
                   labels: np.ndarray) -> np.ndarray:
    """Scan texts for the automaton's keywords and vote (the automaton is
    ``build_automaton``'s tuple, unpacked).

    ``data`` is the UTF-8 byte buffer and ``offsets`` the ``n_texts + 1`` start
    offsets (an Arrow string array's buffers). When text ``i`` contains a
    keyword of slot ``j``, ``votes[i, columns[j]]`` (int16, holding ``-1``
    before the scan) becomes ``labels[j]``. Returns ``special``, ``(n_texts,)``
    bool: with ``fold_ascii``, the texts whose scan stopped at a character that
    lower-cases to ASCII (their votes are partial).
    """
    special = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)  # one specialisation, not two
    n_states = delta.shape[0] // n_byte_classes
    sentinel = (n_states - 1 if fold_ascii else n_states) * n_byte_classes  # unreachable without
    out_col = np.asarray(columns, dtype=np.int64)[out_slot]
    out_label = np.asarray(labels, dtype=votes.dtype)[out_slot]
    u64 = np.uint64
    _scan(data, offsets, delta, u64(n_byte_classes), byte_class, u64(first_out), u64(sentinel),
          out_ptr, out_col, out_len, out_wb, _WORD, out_label, votes, special)
    return special


class Keywords:
    """A keyword set ready to scan texts: vectorised NumPy on small inputs, the
    Aho-Corasick automaton (built on first need) and its compiled scan on large
    ones (:mod:`wslib.kernels.jit`); the votes are the same.

    Arguments as for :func:`build_automaton`.

    >>> kw = Keywords([b"check out", b"out"], [0, 1], [False, True], fold_ascii=True)
    >>> votes = np.full((2, 2), -1, dtype=np.int16)
    >>> data = np.frombuffer(b"CHECK out!shout", dtype=np.uint8)
    >>> kw.scan(data, np.array([0, 10, 15]), votes, [0, 1], [7, 8]).tolist()
    [False, False]
    >>> votes.tolist()
    [[7, 8], [-1, -1]]
    """

    def __init__(self, keywords: list[bytes], slots: list[int], word_boundary: list[bool],
                 fold_ascii: bool = False) -> None:
        if not all(keywords):
            raise ValueError("empty keyword")
        self.keywords, self.slots = list(keywords), np.asarray(slots, dtype=np.int64)
        self.word_boundary, self.fold_ascii = list(map(bool, word_boundary)), bool(fold_ascii)
        self._automaton: tuple | None = None
        self._lookups: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def automaton(self) -> tuple:
        """:func:`build_automaton`'s tuple, built on first use."""
        if self._automaton is None:
            self._automaton = build_automaton(self.keywords, self.slots.tolist(),
                                              self.word_boundary, self.fold_ascii)
        return self._automaton

    def lookup(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """The keywords of ``size`` <= 8 bytes, each packed into one integer (see
        :func:`_packed`), sorted, with their indices; built once per size."""
        if size not in self._lookups:
            group = np.array([t for t, w in enumerate(self.keywords) if len(w) == size])
            keys = _packed([np.frombuffer(bytes(self.keywords[t][q] for t in group),
                                          dtype=np.uint8) for q in range(size)])
            order = np.argsort(keys, kind="stable")
            self._lookups[size] = keys[order], group[order]
        return self._lookups[size]

    def scan(self, data: np.ndarray, offsets: np.ndarray, votes: np.ndarray,
             columns: np.ndarray, labels: np.ndarray, *, compiled: bool | None = None
             ) -> np.ndarray:
        """:func:`match_keywords` for this set: votes into ``votes``, returns ``special``.
        ``compiled`` picks the path; by default the texts' bytes (not their whole
        buffer, which an Arrow slice shares) decide."""
        offsets = np.asarray(offsets, dtype=np.int64)
        if compiled is None:
            compiled = use_jit(int(offsets[-1] - offsets[0]))
        if compiled:
            return match_keywords(data, offsets, *self.automaton, votes, columns, labels)
        return _match_numpy(self, data[offsets[0]:offsets[-1]], offsets - offsets[0], votes,
                            np.asarray(columns, dtype=np.int64),
                            np.asarray(labels, dtype=votes.dtype))


def _special_starts(data: np.ndarray, offsets: np.ndarray, row_of: Any
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Rows holding U+0130 or U+212A (with ``fold_ascii``) and where each first does."""
    at = np.flatnonzero(np.isin(data, _SPECIAL_LEADS))
    end = offsets[row_of(at) + 1]
    nxt = data[np.minimum(at + 1, data.shape[0] - 1)]
    nxt2 = data[np.minimum(at + 2, data.shape[0] - 1)]
    found = (((data[at] == 0xC4) & (at + 1 < end) & (nxt == 0xB0))
             | ((data[at] == 0xE2) & (at + 2 < end) & (nxt == 0x84) & (nxt2 == 0xAA)))
    return row_of(at[found]), at[found]


def _packed(chunks: list[np.ndarray]) -> np.ndarray:
    """Little-endian uint64 of up to 8 byte arrays: ``sum(chunks[q] << 8 q)``."""
    out = np.zeros(chunks[0].shape[0], dtype=np.uint64)
    for q, byte in enumerate(chunks):
        out |= byte.astype(np.uint64) << np.uint64(8 * q)
    return out


def _short_hits(text: np.ndarray, keys: np.ndarray, size: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(start, position in keys)`` where a word of ``size`` <= 8 bytes occurs in
    ``text``: each window of ``size`` bytes packed into one integer and looked up among
    the words' sorted ``keys`` (one pass whatever the number of words)."""
    n = text.shape[0] - size + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    windows = _packed([text[q:q + n] for q in range(size)])
    lo = np.searchsorted(keys, windows)
    at = np.flatnonzero(keys[np.minimum(lo, keys.size - 1)] == windows)
    lo = lo[at]
    many = np.searchsorted(keys, windows[at], side="right") - lo  # equal words of many LFs
    first = np.repeat(lo - np.cumsum(many) + many, many)
    return np.repeat(at, many), first + np.arange(first.size)


def _starts(text: np.ndarray, word: bytes, pairs: Any) -> np.ndarray:
    """Positions in ``text`` where ``word`` starts: the positions of its first two bytes
    (``pairs``, :func:`_pair_index`), then the rest byte by byte."""
    if len(word) == 1:
        return np.flatnonzero(text == word[0])
    at = pairs((word[0] << 8) | word[1])
    at = at[at + len(word) <= text.shape[0]]
    for q in range(2, len(word)):
        at = at[text[at + q] == word[q]]
    return at


def _pair_index(text: np.ndarray, n_pairs: int) -> Any:
    """``pair -> positions`` of each two-byte prefix in ``text``: one comparison per pair
    for a few pairs, one stable sort of all positions for many."""
    window = text.astype(np.uint16)
    pairs = (window[:-1] << 8) | window[1:]
    if n_pairs <= 16:
        return lambda pair: np.flatnonzero(pairs == pair)
    order = np.argsort(pairs, kind="stable")
    ordered = pairs[order]
    return lambda pair: order[np.searchsorted(ordered, pair):
                              np.searchsorted(ordered, pair, side="right")]



def _word_at_np(data: np.ndarray, q: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`_word_at` for arrays of positions ``q`` (rows ending at ``b``)."""
    last = data.shape[0] - 1
    byte = data[np.clip(q, 0, last)].astype(np.int64)
    word = _WORD[byte]
    lead = np.flatnonzero((byte >= 0xC0) & (byte < 0xF8))
    if lead.size:
        at, lead_byte = q[lead], byte[lead]
        n = np.where(lead_byte < 0xE0, 1, np.where(lead_byte < 0xF0, 2, 3))
        cut = at + n >= b[lead]
        code = lead_byte & (0x3F >> n)
        for t in range(1, 4):
            more = data[np.minimum(at + t, last)].astype(np.int64) & 0x3F
            code = np.where(t <= n, (code << 6) | more, code)
        fmt = np.zeros(lead.size, dtype=np.bool_)
        for low, high in FORMAT_CHARS:
            fmt |= (code >= low) & (code <= high)
        word[lead] = cut | ~fmt
    return word


def _word_before_np(data: np.ndarray, a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`_word_before` for arrays of positions ``q`` (rows starting at ``a``)."""
    s = q - 1
    for _ in range(3):  # back over continuation bytes to the lead byte
        back = (s > a) & (q - s < 4) & ((data[np.maximum(s, 0)] & 0xC0) == 0x80)
        s = np.where(back, s - 1, s)
    return _word_at_np(data, np.maximum(s, 0), q)


def _match_numpy(kw: Keywords, data: np.ndarray, offsets: np.ndarray, votes: np.ndarray,
                 columns: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The automaton scan's votes, found with array operations, a few passes over the
    text per keyword length (``data`` holds exactly the texts: ``offsets[0] == 0``).

    A match counts when it lies inside one text, passes the word-boundary test
    and, with ``fold_ascii``, ends before the text's first special character
    (where the scan stops and flags the text). Each ``votes[i, columns[j]]``
    still at ``-1`` takes the label of the slot whose match ends first (the
    lowest slot on a tie), as the scan would.
    """
    n = offsets.shape[0] - 1
    special = np.zeros(n, dtype=np.bool_)
    if n == 0 or data.shape[0] == 0:
        return special

    def row_of(pos: np.ndarray) -> np.ndarray:
        return np.searchsorted(offsets, pos, side="right") - 1

    limit = offsets[1:].copy()  # a text's matches end before this position
    if kw.fold_ascii:
        rows, at = _special_starts(data, offsets, row_of)
        special[rows] = True
        np.minimum.at(limit, rows, at)
    text = _FOLD[data] if kw.fold_ascii else data
    starts, words, few = [], [], []
    sizes = np.array([len(w) for w in kw.keywords])
    for size in np.unique(sizes):  # many words of one short length: one lookup pass
        group = np.flatnonzero(sizes == size)
        if size <= 8 and group.size > MANY_WORDS:
            keys, index = kw.lookup(int(size))
            at, which = _short_hits(text, keys, int(size))
            starts.append(at)
            words.append(index[which])
        else:
            few += group.tolist()
    if few:  # the others word by word, from the positions of their first two bytes
        pairs = _pair_index(text, len({kw.keywords[t][:2] for t in few}))
        for t in few:
            at = _starts(text, kw.keywords[t], pairs)
            starts.append(at)
            words.append(np.full(at.size, t))
    start, word = np.concatenate(starts), np.concatenate(words)
    end = start + sizes[word] - 1
    rows = row_of(start)
    ok = end < limit[rows]
    check = np.flatnonzero(ok & np.asarray(kw.word_boundary, dtype=np.bool_)[word])
    a, b = offsets[rows[check]], offsets[rows[check] + 1]
    first, past = start[check], end[check] + 1
    ok[check[((first > a) & _word_before_np(data, a, first))
             | ((past < b) & _word_at_np(data, past, b))]] = False
    rows, end, slot = rows[ok], end[ok], kw.slots[word[ok]]
    cols = columns[slot]
    order = np.lexsort((slot, end, cols, rows))
    rows, cols, slot = rows[order], cols[order], slot[order]
    first = np.ones(rows.size, dtype=np.bool_)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, slot = rows[first], cols[first], slot[first]
    free = votes[rows, cols] == -1
    votes[rows[free], cols[free]] = labels[slot[free]]
    return special
