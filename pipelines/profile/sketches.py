"""Mergeable per-batch summaries, exact or with a stated error.

Counts, sums, moments, min and max merge exactly; quantiles, distinct counts and the counts
of rarer values merge approximately, with the error stated on each class.

Every summary has `merge(other)`, so a profile can be built from one in-memory frame, from
batches of a file larger than memory, or from partitions summarised on other workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DistinctSketch", "Moments", "QuantileSketch", "TopCounts", "grid_from_counts"]

_HASH_SPACE = float(2**64)


@dataclass(frozen=True)
class Moments:
    """Count, mean and central moment sums (M2..M4) with min, max, sum, zeros and negatives.

    Merging uses Pébay's pairwise update formulas, which are exact up to float rounding.
    """

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    m3: float = 0.0
    m4: float = 0.0
    minimum: float | None = None
    maximum: float | None = None
    total: float = 0.0
    zeros: int = 0
    negatives: int = 0

    def merge(self, other: Moments) -> Moments:
        """Combine two summaries of disjoint batches into the summary of their union."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        na, nb = float(self.count), float(other.count)
        n = na + nb
        delta = other.mean - self.mean
        mean = self.mean + delta * nb / n
        m2 = self.m2 + other.m2 + delta**2 * na * nb / n
        m3 = (
            self.m3
            + other.m3
            + delta**3 * na * nb * (na - nb) / n**2
            + 3 * delta * (na * other.m2 - nb * self.m2) / n
        )
        m4 = (
            self.m4
            + other.m4
            + delta**4 * na * nb * (na**2 - na * nb + nb**2) / n**3
            + 6 * delta**2 * (na**2 * other.m2 + nb**2 * self.m2) / n**2
            + 4 * delta * (na * other.m3 - nb * self.m3) / n
        )
        return Moments(
            count=self.count + other.count,
            mean=mean,
            m2=m2,
            m3=m3,
            m4=m4,
            minimum=_opt(min, self.minimum, other.minimum),
            maximum=_opt(max, self.maximum, other.maximum),
            total=self.total + other.total,
            zeros=self.zeros + other.zeros,
            negatives=self.negatives + other.negatives,
        )

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof=1); None below two values."""
        if self.count < 2:
            return None
        return math.sqrt(max(self.m2, 0.0) / (self.count - 1))

    @property
    def skew(self) -> float | None:
        """Adjusted Fisher-Pearson skewness (as pandas and ydata-profiling report it)."""
        n = self.count
        if n < 3 or self.m2 <= 0:
            return None
        spread = (self.m2 / n) ** 1.5
        if spread == 0:  # m2 so small that its power underflows: no measurable spread
            return None
        g1 = (self.m3 / n) / spread
        return g1 * math.sqrt(n * (n - 1)) / (n - 2)

    @property
    def kurtosis(self) -> float | None:
        """Excess kurtosis (population form, g2)."""
        n = self.count
        if n < 4 or self.m2 <= 0:
            return None
        squared = self.m2**2
        if squared == 0:  # underflow, as in `skew`
            return None
        return n * self.m4 / squared - 3.0


def _opt(pick: object, a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return pick(a, b)  # type: ignore[operator,no-any-return]


@dataclass(frozen=True)
class QuantileSketch:
    """Values at evenly spaced ranks (min ... max) of `count` non-null values.

    Built from one sorted batch it holds exact "lower" quantiles on its grid. Merging mixes the
    two piecewise-linear CDFs and re-reads the grid: the rank error stays within about
    1/(points - 1) per merge level (1 % for the default 101 points). Min and max stay exact.
    """

    values: tuple[float, ...] = ()
    count: int = 0

    @property
    def points(self) -> int:
        """Number of grid points."""
        return len(self.values)

    def merge(self, other: QuantileSketch) -> QuantileSketch:
        """Combine two sketches; see the class docstring for the error."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        points = max(self.points, other.points)
        xs = np.unique(np.concatenate([self.values, other.values]))
        n = self.count + other.count
        cdf = (self.count * self.cdf(xs) + other.count * other.cdf(xs)) / n
        probs = np.linspace(0.0, 1.0, points)
        values = np.interp(probs, cdf, xs)
        values[0], values[-1] = xs[0], xs[-1]
        return QuantileSketch(tuple(float(v) for v in values), n)

    def cdf(self, xs: np.ndarray) -> np.ndarray:
        """Approximate share of values <= each of `xs`."""
        grid = np.asarray(self.values, dtype=float)
        probs = np.linspace(0.0, 1.0, len(grid))
        grid, keep = np.unique(grid, return_index=True)
        # for repeated grid values take the highest rank reached by that value
        last = np.r_[keep[1:] - 1, len(probs) - 1]
        return np.interp(xs, grid, probs[last], left=0.0, right=1.0)

    def quantile(self, q: float) -> float | None:
        """Approximate q-quantile (0 <= q <= 1); None when empty."""
        if self.count == 0:
            return None
        probs = np.linspace(0.0, 1.0, self.points)
        return float(np.interp(q, probs, self.values))


def grid_from_counts(values: np.ndarray, counts: np.ndarray, points: int) -> tuple[float, ...]:
    """Exact lower quantiles on the grid, from distinct values and their counts."""
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1]) if len(cumulative) else 0
    if n == 0:
        return ()
    positions = np.arange(points, dtype=np.int64) * (n - 1) // (points - 1)
    return tuple(float(v) for v in values[np.searchsorted(cumulative, positions, side="right")])


@dataclass(frozen=True)
class DistinctSketch:
    """K-minimum-values sketch of 64-bit hashes, plus the exact count when known.

    Below k distinct values the count is exact; above, the estimate (k-1)/h_k has a relative
    standard error of about 1/sqrt(k - 2) (1.6 % for k = 4096).
    """

    hashes: tuple[int, ...] = ()
    k: int = 4096
    exact: int | None = 0

    def merge(self, other: DistinctSketch) -> DistinctSketch:
        """Union of two sketches; the exact count is lost unless both are small."""
        union = sorted(set(self.hashes) | set(other.hashes))[: self.k]
        exact = len(union) if len(union) < self.k else None
        return DistinctSketch(tuple(union), self.k, exact)

    @property
    def estimate(self) -> int:
        """Distinct non-null values, exact or estimated."""
        if self.exact is not None:
            return self.exact
        if len(self.hashes) < self.k:
            return len(self.hashes)
        kth = (self.hashes[self.k - 1] + 1) / _HASH_SPACE
        return round((self.k - 1) / kth)

    @property
    def is_exact(self) -> bool:
        """Whether `estimate` is an exact count."""
        return self.exact is not None or len(self.hashes) < self.k


@dataclass(frozen=True)
class TopCounts:
    """Counts of the most frequent values (as text), capped at `capacity` entries.

    `complete` means every distinct value is present, so counts are exact. Otherwise each
    kept count may be low by at most `error` (the largest count dropped along the way).
    """

    counts: dict[str, int] = field(default_factory=dict)
    capacity: int = 10_000
    complete: bool = True
    error: int = 0

    def merge(self, other: TopCounts) -> TopCounts:
        """Add counts; keep the `capacity` largest and widen the error by what was dropped."""
        merged = dict(self.counts)
        for key, value in other.counts.items():
            merged[key] = merged.get(key, 0) + value
        complete = self.complete and other.complete
        error = self.error + other.error
        if len(merged) > self.capacity:
            ordered = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
            error += ordered[self.capacity][1]
            merged = dict(ordered[: self.capacity])
            complete = False
        return TopCounts(merged, self.capacity, complete, error)

    def most_common(self, limit: int) -> list[tuple[str, int]]:
        """Return the `limit` largest counts, ties broken by value for a stable order."""
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
