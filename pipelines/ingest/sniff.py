"""Guess the delimiter of a text table from a sample: the candidate with the steadiest count."""

from __future__ import annotations

from collections import Counter

__all__ = ["CANDIDATE_DELIMITERS", "sniff_delimiter"]

CANDIDATE_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


def _count_outside_quotes(line: str, delimiter: str, quote: str) -> int:
    count, inside = 0, False
    for char in line:
        if char == quote:
            inside = not inside
        elif char == delimiter and not inside:
            count += 1
    return count


def sniff_delimiter(sample: str, quote: str = '"', default: str = ",") -> str:
    """Pick the delimiter that appears most consistently (same count on most lines, > 0).

    Scores each candidate by the share of lines carrying its most common non-zero count, then
    by that count; ties go to the earlier candidate (comma first).
    """
    lines = [line for line in sample.splitlines()[:200] if line.strip()]
    if not lines:
        return default
    best, best_score = default, (0.0, 0)
    for delimiter in CANDIDATE_DELIMITERS:
        if delimiter not in sample:
            continue
        counts = Counter(_count_outside_quotes(line, delimiter, quote) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        mode, hits = counts.most_common(1)[0]
        score = (hits / len(lines), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best
