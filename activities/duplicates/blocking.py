"""Blocking: which pairs are worth scoring at all.

Two activities are candidates only if they are within a grid cell of each other (cells a little
wider than ``Policy.nearby_km``), or both online, or at the same venue, and they share a topic
token (``text.blocking_tokens``). The index answers that for one activity (the single check)
and for every pair at once (a numpy self-join, for the full scan), by the same rule.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .records import DEFAULT_POLICY, ActivityRecord, Policy
from .text import blocking_tokens, normalise_text

# Grid cells are this much wider than the "nearby" distance, so that two activities within it
# always fall in the same or neighbouring cells despite the flat-earth projection.
_CELL_MARGIN = 1.1


def _cells(record: ActivityRecord, policy: Policy, lon_ref: float) -> list[tuple]:
    """The blocking cells a record belongs to: a grid square, "online", or its venue."""
    cells: list[tuple] = []
    if record.online:
        cells.append(("online",))
    if record.point is not None:
        size = policy.nearby_km * _CELL_MARGIN
        y = record.latitude * 110.574
        x = (record.longitude - lon_ref) * 111.320 * math.cos(math.radians(record.latitude))
        cells.append(("grid", math.floor(x / size), math.floor(y / size)))
    elif record.venue_key is not None:
        cells.append(("venue", record.venue_key))
    elif record.postcode:
        cells.append(("postcode", normalise_text(record.postcode)))
    return cells


_FORWARD = ((0, 1), (1, -1), (1, 0), (1, 1))


def _neighbours(cell: tuple) -> list[tuple]:
    if cell[0] != "grid":
        return [cell]
    _, x, y = cell
    return [("grid", x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


class BlockingIndex:
    """Finds, for one activity, the others worth scoring: near it (or online, or at its
    venue) and sharing a topic token. Build once for many single checks."""

    def __init__(self, records: Sequence[ActivityRecord], *, policy: Policy = DEFAULT_POLICY):
        self.policy = policy
        self.records = list(records)
        points = [r.longitude for r in self.records if r.point is not None]
        self.lon_ref = float(np.median(points)) if points else 0.0
        self.groups: dict[tuple, list[int]] = defaultdict(list)
        for index, record in enumerate(self.records):
            tokens = blocking_tokens(record)
            for cell in _cells(record, policy, self.lon_ref):
                for token in tokens:
                    self.groups[(token, *cell)].append(index)

    def candidate_indices(self, record: ActivityRecord) -> list[int]:
        """Positions (in the indexed records) of the record's candidates, in order."""
        found: set[int] = set()
        tokens = blocking_tokens(record)
        for cell in _cells(record, self.policy, self.lon_ref):
            for neighbour in _neighbours(cell):
                for token in tokens:
                    found.update(self.groups.get((token, *neighbour), ()))
        return [
            k
            for k in sorted(found)
            if self.records[k].key != record.key
            and (record.provider_key is None or self.records[k].provider_key != record.provider_key)
        ]

    def candidates(self, record: ActivityRecord) -> list[ActivityRecord]:
        return [self.records[k] for k in self.candidate_indices(record)]

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate pair (i < j) once, as two index arrays.

        A self-join of (token, cell) memberships in numpy: each membership looks up its own
        cell and four "forward" neighbours (so each neighbouring pair of cells is joined
        once) among the memberships sorted by key.
        """
        token_ids: dict[str, int] = {}
        special_ids: dict[tuple, int] = {}
        grid: tuple[list[int], ...] = ([], [], [], [])  # token, x, y, record
        other: tuple[list[int], ...] = ([], [], [])  # token, cell, record
        for (token, *cell), members in self.groups.items():
            token_id = token_ids.setdefault(token, len(token_ids))
            if cell[0] == "grid":
                grid[0].extend([token_id] * len(members))
                grid[1].extend([cell[1]] * len(members))
                grid[2].extend([cell[2]] * len(members))
                grid[3].extend(members)
            else:
                cell_id = special_ids.setdefault(tuple(cell), len(special_ids))
                other[0].extend([token_id] * len(members))
                other[1].extend([cell_id] * len(members))
                other[2].extend(members)
        lefts: list[np.ndarray] = []
        rights: list[np.ndarray] = []
        if grid[3]:
            token, x, y, members = (np.array(column, dtype=np.int64) for column in grid)
            x, y = x - x.min() + 1, y - y.min() + 1
            width, height = int(x.max()) + 2, int(y.max()) + 2
            keys = (token * width + x) * height + y
            for dx, dy in ((0, 0), *_FORWARD):
                left, right = _key_join(
                    keys, members, keys + dx * height + dy, same=(dx, dy) == (0, 0)
                )
                lefts.append(left)
                rights.append(right)
        if other[2]:
            token, cell, members = (np.array(column, dtype=np.int64) for column in other)
            keys = token * len(special_ids) + cell
            left, right = _key_join(keys, members, keys, same=True)
            lefts.append(left)
            rights.append(right)
        if not lefts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        left, right = np.concatenate(lefts), np.concatenate(rights)
        low, high = np.minimum(left, right), np.maximum(left, right)
        n = len(self.records)
        keys = np.unique(low[low != high] * n + high[low != high])
        return keys // n, keys % n


def _key_join(
    keys: np.ndarray, members: np.ndarray, wanted: np.ndarray, *, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (members[k], members[m]) for every k and every m with keys[m] == wanted[k].
    ``same``: wanted is keys itself, so keep each unordered pair once."""
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_members = keys[order], members[order]
    low = np.searchsorted(sorted_keys, wanted, side="left")
    count = np.searchsorted(sorted_keys, wanted, side="right") - low
    total = int(count.sum())
    left = np.repeat(members, count)
    starts = np.repeat(low - (np.cumsum(count) - count), count)
    right = sorted_members[np.arange(total) + starts]
    if same:
        keep = left < right
        return left[keep], right[keep]
    return left, right
