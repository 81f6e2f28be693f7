"""Sibling columns that hold the same categories but spell some of them differently.

Ames' `exterior1st` has `WdShing`, `CemntBd`, `BrkComm` where `exterior2nd` has `Wd Shng`,
`CmentBd`, `Brk Cmn`. Within one column `alerts.spelling_variants` catches case and spacing;
across columns the spellings differ by a letter or two, so values found in only one of two
columns that share most categories are matched by edit distance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

__all__ = ["SiblingSpellings", "sibling_spellings"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MIN_LENGTH = 5
_MAX_CATEGORIES = 200


@dataclass(frozen=True)
class SiblingSpellings:
    """Two columns and the value pairs that look like one category spelled two ways."""

    first: str
    second: str
    pairs: list[tuple[str, str]]


def _normal(value: str) -> str:
    return _NON_ALNUM.sub("", value.lower())


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _close(a: str, b: str) -> bool:
    na, nb = _normal(a), _normal(b)
    shortest = min(len(na), len(nb))
    if shortest < _MIN_LENGTH or na == nb:
        return False
    limit = 2
    distance = _distance(na, nb, limit)
    return distance <= limit and distance * 3 <= shortest


def sibling_spellings(categories: dict[str, set[str]]) -> list[SiblingSpellings]:
    """Pairs of columns sharing at least half their categories, with near-identical leftovers.

    `categories` maps each categorical column to its distinct values (columns with more than
    200 are skipped). Each leftover value is paired with at most one value of the other column.
    """
    usable = {n: v for n, v in categories.items() if 3 <= len(v) <= _MAX_CATEGORIES}
    found: list[SiblingSpellings] = []
    for first, second in combinations(sorted(usable), 2):
        a, b = usable[first], usable[second]
        if len(a & b) * 2 < min(len(a), len(b)):
            continue
        pairs: list[tuple[str, str]] = []
        unmatched = sorted(b - a)
        for value in sorted(a - b):
            match = next((other for other in unmatched if _close(value, other)), None)
            if match is not None:
                pairs.append((value, match))
                unmatched.remove(match)
        if pairs:
            found.append(SiblingSpellings(first, second, pairs))
    return found
