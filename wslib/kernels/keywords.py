"""Multi-keyword matching in one pass: an Aho-Corasick automaton over UTF-8 bytes.

Many keyword LFs reading the same text column are fused: every keyword of
every LF goes into one automaton, and one scan of each text finds all of them.
Each automaton state lists the (LF slot, keyword length, word-boundary flag)
of every keyword that ends there, so a hit marks its LF directly.

Word boundary (``word_boundary=True``): the match is neither preceded nor
followed by a *word byte*, i.e. an ASCII letter, digit or ``_``, or any
non-ASCII byte (so accented letters, CJK, emoji count as word characters).

Example
-------
>>> import numpy as np
>>> auto = build_automaton([b"check out", b"out"], [0, 1], [False, True])
>>> data = np.frombuffer(b"check out!shout", dtype=np.uint8)
>>> offsets = np.array([0, 10, 15])
>>> match_keywords(data, offsets, *auto, 2).astype(int).tolist()
[[1, 1], [0, 0]]
"""

from __future__ import annotations

from collections import deque

import numba
import numpy as np

__all__ = ["build_automaton", "match_keywords"]

_WORD = np.zeros(256, dtype=np.bool_)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_":
    _WORD[_c] = True
_WORD[128:] = True


def build_automaton(keywords: list[bytes], slots: list[int], word_boundary: list[bool]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Compile keywords into a dense Aho-Corasick automaton.

    ``keywords[t]`` belongs to LF slot ``slots[t]`` and is matched with
    ``word_boundary[t]``. Returns ``(delta, out_ptr, out_slot, out_len, out_wb)``:
    the full transition table ``(n_states, 256)`` and, per state, the CSR list
    of the keywords ending there (including those reached by failure links).
    """
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
    n_states = len(goto)
    delta = np.zeros((n_states, 256), dtype=np.uint16 if n_states < 2**16 else np.int32)
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
    out_ptr = np.zeros(n_states + 1, dtype=np.int64)
    out_ptr[1:] = np.cumsum([len(o) for o in outputs])
    flat = [t for o in outputs for t in o]
    out_slot = np.asarray([slots[t] for t in flat], dtype=np.int64)
    out_len = np.asarray([len(keywords[t]) for t in flat], dtype=np.int64)
    out_wb = np.asarray([word_boundary[t] for t in flat], dtype=np.bool_)
    return delta, out_ptr, out_slot, out_len, out_wb


@numba.njit(nogil=True, cache=True)
def _scan(data, offsets, delta, out_ptr, out_slot, out_len, out_wb, is_word, hits):
    n = offsets.shape[0] - 1
    has_out = out_ptr[1:] > out_ptr[:-1]
    for i in range(n):
        a = offsets[i]
        b = offsets[i + 1]
        s = 0
        for p in range(a, b):
            s = delta[s, data[p]]
            if not has_out[s]:
                continue
            for t in range(out_ptr[s], out_ptr[s + 1]):
                slot = out_slot[t]
                if hits[i, slot]:
                    continue
                if out_wb[t]:
                    start = p - out_len[t] + 1
                    if start > a and is_word[data[start - 1]]:
                        continue
                    if p + 1 < b and is_word[data[p + 1]]:
                        continue
                hits[i, slot] = True


def match_keywords(data: np.ndarray, offsets: np.ndarray, delta: np.ndarray,
                   out_ptr: np.ndarray, out_slot: np.ndarray, out_len: np.ndarray,
                   out_wb: np.ndarray, n_slots: int) -> np.ndarray:
    """``(n_texts, n_slots)`` bool: does text ``i`` contain a keyword of slot ``j``.

    ``data`` is the UTF-8 byte buffer and ``offsets`` the ``n_texts + 1`` start
    offsets (an Arrow string array's buffers).
    """
    hits = np.zeros((offsets.shape[0] - 1, n_slots), dtype=np.bool_)
    _scan(data, offsets, delta, out_ptr, out_slot, out_len, out_wb, _WORD, hits)
    return hits
