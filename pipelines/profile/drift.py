"""Compare mode: per-column drift from a reference profile, and a dataset-level verdict.

Numeric columns: PSI on the reference's deciles plus the Kolmogorov-Smirnov statistic, both
read from the two mergeable quantile sketches (rank error about 1/(points-1)). Categorical
columns: chi-square test when both sides are small, Jensen-Shannon distance when large (with
many rows every test is significant, so an effect size decides instead).
"""

from __future__ import annotations

import math

import numpy as np

from pipelines.profile.models import ColumnDrift, ColumnProfile, DriftSummary, finite
from pipelines.profile.options import ProfileOptions
from pipelines.profile.sketches import QuantileSketch

__all__ = ["compare_profiles"]

_EPS = 1e-4


def _sketch(col: ColumnProfile) -> QuantileSketch | None:
    if col.numeric is None or not col.numeric.sketch:
        return None
    return QuantileSketch(tuple(col.numeric.sketch), col.count)


def _numeric_drift(cur: ColumnProfile, ref: ColumnProfile, opts: ProfileOptions) -> ColumnDrift:
    a, b = _sketch(ref), _sketch(cur)
    if a is None or b is None or a.count == 0 or b.count == 0:
        return ColumnDrift(column=cur.name, method="none", statistic=None, drifted=False,
                           note="no values on one side")
    xs = np.unique(np.concatenate([a.values, b.values]))
    ks = float(np.max(np.abs(a.cdf(xs) - b.cdf(xs))))
    edges = np.unique([a.quantile(q / 10) or 0.0 for q in range(1, 10)])
    ref_cdf = np.r_[0.0, a.cdf(edges), 1.0]
    cur_cdf = np.r_[0.0, b.cdf(edges), 1.0]
    expected = np.clip(np.diff(ref_cdf), _EPS, None)
    actual = np.clip(np.diff(cur_cdf), _EPS, None)
    psi = float(np.sum((actual - expected) * np.log(actual / expected)))
    small = max(a.count, b.count) <= opts.drift_large_sample
    p_value = None
    if small:
        from scipy.stats import kstwo

        effective = a.count * b.count / (a.count + b.count)
        p_value = float(kstwo.sf(ks, max(1, round(effective))))
        drifted = p_value < opts.drift_p_value
        method = "ks test"
    else:
        drifted = psi > opts.drift_psi
        method = "psi"
    return ColumnDrift(
        column=cur.name, method=method, statistic=finite(ks if small else psi, 4),
        p_value=finite(p_value, 4), psi=finite(psi, 4), drifted=drifted,
    )


def _categorical_drift(
    cur: ColumnProfile, ref: ColumnProfile, opts: ProfileOptions
) -> ColumnDrift:
    keys = sorted(set(cur.tracked_counts) | set(ref.tracked_counts))
    p = np.array([ref.tracked_counts.get(k, 0) for k in keys], dtype=float)
    q = np.array([cur.tracked_counts.get(k, 0) for k in keys], dtype=float)
    if p.sum() == 0 or q.sum() == 0:
        return ColumnDrift(column=cur.name, method="none", statistic=None, drifted=False,
                           note="no values on one side")
    pn, qn = p / p.sum(), q / q.sum()
    mid = (pn + qn) / 2
    js = math.sqrt(max(0.0, 0.5 * (_kl(pn, mid) + _kl(qn, mid))))
    if max(p.sum(), q.sum()) <= opts.drift_large_sample and len(keys) >= 2:
        from scipy.stats import chi2_contingency

        table = np.vstack([p, q])
        table = table[:, table.sum(axis=0) > 0]
        result = chi2_contingency(table)
        p_value = float(result.pvalue)
        return ColumnDrift(
            column=cur.name, method="chi-square", statistic=finite(float(result.statistic), 4),
            p_value=finite(p_value, 4), drifted=p_value < opts.drift_p_value,
            note=f"Jensen-Shannon distance {js:.3f}",
        )
    return ColumnDrift(
        column=cur.name, method="jensen-shannon", statistic=finite(js, 4),
        drifted=js > opts.drift_js,
    )


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))


def compare_profiles(
    current: list[ColumnProfile],
    reference: list[ColumnProfile],
    *,
    rows: int,
    reference_rows: int,
    opts: ProfileOptions,
) -> DriftSummary:
    """Drift of every shared column, and a verdict: share drifted > 30 % is `drift`."""
    ref_by_name = {c.name: c for c in reference}
    results: list[ColumnDrift] = []
    for col in current:
        ref = ref_by_name.get(col.name)
        if ref is None or col.semantic_type in ("id", "text", "other"):
            continue
        if col.numeric is not None and ref.numeric is not None:
            results.append(_numeric_drift(col, ref, opts))
        elif col.tracked_counts and ref.tracked_counts:
            results.append(_categorical_drift(col, ref, opts))
    drifted = [r.column for r in results if r.drifted]
    share = len(drifted) / len(results) if results else 0.0
    verdict = "drift" if share > 0.3 else "some drift" if drifted else "no drift"
    current_names = {c.name for c in current}
    return DriftSummary(
        reference_rows=reference_rows,
        rows=rows,
        columns=results,
        drifted=drifted,
        share_drifted=finite(share, 4) or 0.0,
        verdict=verdict,  # type: ignore[arg-type]
        method_note=(
            f"Up to {opts.drift_large_sample:,} rows a side: KS test (numeric) and chi-square "
            f"(categorical), drifted when p < {opts.drift_p_value}. Above that, effect sizes: "
            f"PSI > {opts.drift_psi} (numeric, reference deciles) and Jensen-Shannon distance > "
            f"{opts.drift_js} (categorical). Numeric statistics come from quantile sketches."
        ),
        missing_in_current=sorted(set(ref_by_name) - current_names),
        new_in_current=sorted(current_names - set(ref_by_name)),
    )
