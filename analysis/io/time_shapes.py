"""Time texts grouped by shape, so an XML reader converts thousands of timestamps as numpy columns.

A shape is the text with every ASCII digit replaced by one mark: a time regex treats all digits alike, so
one match of a group's first text decides validity and field positions for the whole group. Used by the
fast GPX and TCX readers (`gpx_fast.parse_times`, `tcx_fast.parse_times`), which differ only in what a
shape's digits mean and how a text is converted alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_TIME_CHARS = 40  # longer texts are not timestamps read in bulk; they go one by one
MAX_TIME_SHAPES = 16  # a file writes its times in one or two layouts; beyond this many, one by one
DIGIT_MARK = 1  # a code point XML text cannot contain stands for "a digit", so it never meets a real character


def group_by_shape(texts: Sequence[str | None]) -> tuple[list[tuple[str, np.ndarray, np.ndarray]], list[int]]:
    """(groups, one by one) for these texts (None = no text: in neither).

    Each group is (one of its texts, its texts' ASCII codes as a rows × width uint8 array, their positions in
    `texts`); texts are grouped by length, then shape. Non-ASCII texts, texts longer than `MAX_TIME_CHARS`
    and texts beyond the first `MAX_TIME_SHAPES` shapes are the positions to convert one by one.
    """
    n = len(texts)
    present = np.asarray([i for i, t in enumerate(texts) if t is not None] if None in texts else range(n),
                         dtype=np.int64)
    strings = [texts[i] for i in present.tolist()]
    lengths = np.fromiter(map(len, strings), np.int64, len(strings))
    groups: list[tuple[str, np.ndarray, np.ndarray]] = []
    slow: list[int] = []
    shapes_left = MAX_TIME_SHAPES
    for width in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == width)
        chunk = strings if len(rows) == len(strings) else [strings[k] for k in rows]
        joined = "".join(chunk)
        # isascii() is O(1) in CPython: a str knows whether it is ASCII.
        if not 0 < width <= MAX_TIME_CHARS or not joined.isascii() or not shapes_left:
            slow.extend(present[rows].tolist())
            continue
        # One byte per character: the texts of one width side by side, a row each.
        codes = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(len(rows), width)
        shapes = np.where((codes >= 48) & (codes <= 57), np.uint8(DIGIT_MARK), codes)
        todo = np.ones(len(rows), dtype=bool)
        while todo.any() and shapes_left:
            shapes_left -= 1
            row = int(np.argmax(todo))
            group = todo & (shapes == shapes[row]).all(axis=1)
            todo &= ~group
            groups.append((chunk[row], codes[group], present[rows[group]]))
        slow.extend(present[rows[todo]].tolist())
    return groups, slow
