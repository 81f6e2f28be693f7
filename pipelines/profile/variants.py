"""Categories spelled several ways, within a column and across sibling columns.

Within a column, `spelling_variants` groups values that differ only in case, surrounding or
repeated spaces, and trailing `.`/`,` (`Yes`, `yes `, `Yes.`). Every other symbol keeps values
apart, because it can carry meaning: `<=5` / `>5`, `A+` / `A-`, `-1` / `1`, `C++` / `C`, `50%`,
`#1`. The features stage acts on these findings, so a wrong merge here would merge classes.
Across columns (Ames' `exterior1st` has `WdShing`, `CemntBd`, `BrkComm` where `exterior2nd` has
`Wd Shng`, `CmentBd`, `Brk Cmn`) spellings differ by a letter or two, so `sibling_spellings`
matches values found in only one of two columns that share most categories by edit distance.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from pipelines.profile.models import Alert
from pipelines.profile.wording import code

__all__ = [
    "SiblingSpellings",
    "sibling_spellings",
    "spelling_key",
    "spelling_variants",
    "variant_alerts",
]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TRAILING = re.compile(r"[\s.,]+$")
_WORD = re.compile(r"[^\W\d_]{3,}")
_SENTENCE = re.compile(r"[.!?;:]\s+")
_MIN_LENGTH = 5
_MAX_CATEGORIES = 200


@dataclass(frozen=True)
class SiblingSpellings:
    """Two columns and the value pairs that look like one category spelled two ways."""

    first: str
    second: str
    pairs: list[tuple[str, str]]


def spelling_key(value: str) -> str:
    """What spelling variants share: case-folded, spaces collapsed, trailing `.`/`,` dropped."""
    collapsed = " ".join(value.casefold().split())
    return _TRAILING.sub("", collapsed) or collapsed


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


def spelling_variants(counts: dict[str, int]) -> tuple[list[list[str]], list[str]]:
    """Find spelling variants and words written with inconsistent capitalisation.

    Returns groups of values with the same `spelling_key` (most frequent spelling first), and
    words written with different capitalisation across values (`Penguin` / `penguin`).
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for value in counts:
        groups[spelling_key(value)].append(value)
    variants = [sorted(v, key=lambda s: -counts[s]) for v in groups.values() if len(v) > 1]
    forms: dict[str, set[str]] = defaultdict(set)
    for value in counts:
        for sentence in _SENTENCE.split(value):
            for word in _WORD.findall(sentence)[1:]:  # first words are often capitalised
                forms[word.lower()].add(word)
    words = sorted(" / ".join(sorted(f)) for f in forms.values() if len(f) > 1)
    return sorted(variants, key=lambda v: -sum(counts[s] for s in v)), words


def variant_alerts(
    variants: dict[str, list[list[str]]],
    case_words: dict[str, list[str]],
    siblings: list[SiblingSpellings],
) -> list[Alert]:
    """Categories spelled several ways, within a column and across sibling columns."""

    def within(name: str, value: int, message: str) -> Alert:
        return Alert(
            kind="category_variants",
            column=name,
            columns=[name],
            severity="warning",
            value=value,
            message=message,
        )

    alerts: list[Alert] = []
    for name, groups in variants.items():
        example = " / ".join(code(v, 30) for v in groups[0][:3])
        alerts.append(
            within(
                name,
                len(groups),
                f"`{name}` has {len(groups):,} value(s) spelled several ways (e.g. "
                f"{example}): normalise case, spaces and punctuation before encoding.",
            )
        )
    for name, words in case_words.items():
        alerts.append(
            within(
                name,
                len(words),
                f"`{name}` writes the same word with different capitalisation "
                f"({', '.join(code(w, 30) for w in words[:3])}): labels are inconsistent; "
                "normalise them (and shorten long labels) before modelling.",
            )
        )
    for sibling in siblings:
        examples = ", ".join(f"{code(x, 20)} / {code(y, 20)}" for x, y in sibling.pairs[:3])
        alerts.append(
            Alert(
                kind="category_variants",
                column=sibling.second,
                columns=[sibling.first, sibling.second],
                severity="warning",
                value=len(sibling.pairs),
                message=f"`{sibling.first}` and `{sibling.second}` hold the same categories but "
                f"spell {len(sibling.pairs)} of them differently ({examples}): map them to one "
                "spelling before encoding or comparing the two columns.",
            )
        )
    return alerts
