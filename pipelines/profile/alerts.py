"""Alerts: each finding with one plain sentence of what it means and what to do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from pipelines.profile.missing import CoMissingGroup, ExplainedMissing
from pipelines.profile.models import (
    Alert,
    AlertKind,
    ColumnProfile,
    DatasetSummary,
    DriftSummary,
    Matrix,
    TargetProfile,
    finite,
)
from pipelines.profile.options import ProfileOptions
from pipelines.profile.variants import SiblingSpellings, variant_alerts
from pipelines.profile.wording import code, percent

Severity = Literal["high", "warning", "info"]

__all__ = ["Findings", "build_alerts"]

_SEVERITY: dict[AlertKind, Severity] = {
    "constant": "high",
    "duplicate_columns": "high",
    "target_leakage": "high",
    "impossible_dates": "high",
    "duplicate_rows": "warning",
    "high_missing": "warning",
    "structural_missing": "warning",
    "unique": "warning",
    "repeated_ids": "warning",
    "near_constant": "warning",
    "mixed_types": "warning",
    "category_variants": "warning",
    "target_imbalance": "warning",
    "drift": "high",
    "high_cardinality": "info",
    "skewed": "info",
    "zero_inflated": "info",
    "high_correlation": "info",
}


@dataclass(frozen=True)
class Findings:
    """What the compute steps found that is not already in the column profiles."""

    duplicate_columns: list[tuple[str, str]]
    co_missing: list[CoMissingGroup]
    explained_missing: list[ExplainedMissing]
    variants: dict[str, list[list[str]]]
    case_words: dict[str, list[str]]
    siblings: list[SiblingSpellings] = field(default_factory=list)


def _column_alerts(col: ColumnProfile, rows: int, opts: ProfileOptions) -> list[Alert]:
    out: list[Alert] = []
    name = f"`{col.name}`"

    def add(kind: AlertKind, message: str, value: float | None = None) -> None:
        out.append(
            Alert(
                kind=kind,
                column=col.name,
                columns=[col.name],
                severity=_SEVERITY[kind],
                message=message,
                value=finite(value, 4),
            )
        )

    if col.count == 0:
        add("constant", f"{name} is empty in every row: it carries no information; drop it.", 1)
        return out
    top_share = col.top_values[0].count / col.count if col.top_values else 0.0
    if col.distinct == 1:
        value = code(col.top_values[0].value) if col.top_values else "one value"
        add(
            "constant",
            f"{name} holds the single value {value} in every non-null row: "
            "it carries no information; drop it.",
            1,
        )
    elif top_share >= opts.near_constant and col.top_values:
        add(
            "near_constant",
            f"{name} is {code(col.top_values[0].value)} in {percent(top_share)} "
            "of non-null rows: it barely varies; drop it or group the rare values unless they "
            "matter.",
            top_share,
        )
    if col.null_share >= opts.high_missing:
        add(
            "high_missing",
            f"{name} is missing in {percent(col.null_share)} of rows: add a "
            "missing indicator and impute with care, or drop it.",
            col.null_share,
        )
    if col.semantic_type == "id":
        if col.unique_share >= opts.unique_ratio:
            add(
                "unique",
                f"{name} is unique in {percent(col.unique_share)} of rows (ID-like): it "
                "names rows rather than describing them; keep it out of the features.",
                col.unique_share,
            )
        elif col.unique_share < 1.0:
            per_id = col.count / max(col.distinct, 1)
            add(
                "repeated_ids",
                f"{name} repeats: {col.distinct:,} distinct IDs over "
                f"{col.count:,} rows ({per_id:.1f} rows each on average): rows of one entity "
                "must stay in the same fold, so split by group (e.g. GroupKFold on it).",
                col.unique_share,
            )
    elif col.semantic_type == "text" and col.distinct > opts.high_cardinality:
        add(
            "high_cardinality",
            f"{name} has {col.distinct:,} distinct values: one-hot encoding "
            "would explode; group rare values, use frequency/target encoding, or treat it as "
            "text.",
            col.distinct,
        )
    numeric = col.numeric
    if numeric is not None and col.semantic_type == "numeric" and col.distinct > 2:
        if numeric.skew is not None and abs(numeric.skew) >= opts.skew:
            add(
                "skewed",
                f"{name} is highly skewed (skew {numeric.skew:.1f}): consider a log "
                "or rank transform, and metrics that are robust to the long tail.",
                numeric.skew,
            )
        zero_share = numeric.zeros / col.count
        if zero_share >= opts.zero_inflated and top_share < opts.near_constant:
            add(
                "zero_inflated",
                f"{name} is 0 in {percent(zero_share)} of non-null rows: model it "
                "as a has-any indicator plus the amount, rather than one skewed number.",
                zero_share,
            )
    if col.text is not None and col.count:
        share = col.text.numeric_like / col.count
        if 0.05 <= share <= 0.95 and col.semantic_type != "id":
            add(
                "mixed_types",
                f"{name} mixes numbers and text ({percent(share)} of values are "
                "numeric): fix the source, or split codes from amounts before using it.",
                share,
            )
    if col.impossible_dates:
        add(
            "impossible_dates",
            f"{name} has {col.impossible_dates:,} dates outside "
            f"{opts.earliest_plausible_date} to {opts.latest_plausible_date or 'today'}: check "
            "them at the source and set them to null if they are entry errors.",
            col.impossible_dates,
        )
    return out


def _pair_alerts(
    matrix: Matrix | None, skip: set[frozenset[str]], target: str | None, opts: ProfileOptions
) -> list[Alert]:
    if matrix is None:
        return []
    out: list[Alert] = []
    for i, a in enumerate(matrix.columns):
        for j in range(i + 1, len(matrix.columns)):
            b, value = matrix.columns[j], matrix.values[i][j]
            if value is None or value < opts.high_correlation or target in (a, b):
                continue
            if frozenset((a, b)) in skip:
                continue
            out.append(
                Alert(
                    kind="high_correlation",
                    column=a,
                    columns=[a, b],
                    severity="info",
                    value=value,
                    message=f"`{a}` and `{b}` are strongly associated ({value:.2f}): "
                    "they carry overlapping information; keep one, or combine them, for linear "
                    "models.",
                )
            )
    return sorted(out, key=lambda x: -(x.value or 0.0))[:30]


def build_alerts(
    columns: list[ColumnProfile],
    dataset: DatasetSummary,
    association: Matrix | None,
    target: TargetProfile | None,
    drift: DriftSummary | None,
    findings: Findings,
    opts: ProfileOptions,
) -> list[Alert]:
    """Every alert, most severe first, then in column order."""
    alerts: list[Alert] = []
    if dataset.duplicate_rows:
        alerts.append(
            Alert(
                kind="duplicate_rows",
                column=None,
                severity="warning",
                value=dataset.duplicate_share,
                message=f"{dataset.duplicate_rows:,} rows "
                f"({percent(dataset.duplicate_share)}) repeat an earlier row exactly: remove "
                "them unless repeats are real events, and split before de-duplicating so "
                "copies cannot straddle train and test.",
            )
        )
    alerts += _duplicate_column_alerts(findings)
    for col in columns:
        alerts += _column_alerts(col, dataset.rows, opts)
    alerts += _missingness_alerts(findings)
    alerts += variant_alerts(findings.variants, findings.case_words, findings.siblings)
    skip = {frozenset(p) for p in findings.duplicate_columns}
    alerts += _pair_alerts(association, skip, target.column if target else None, opts)
    if target is not None:
        alerts += _target_alerts(target, opts)
    if drift is not None and drift.drifted:
        for name in drift.drifted:
            alerts.append(
                Alert(
                    kind="drift",
                    column=name,
                    columns=[name],
                    severity="high",
                    message=f"`{name}` has drifted from the reference (verdict: {drift.verdict}): "
                    "check the upstream source and retrain or recalibrate if the change is real.",
                )
            )
    order = {"high": 0, "warning": 1, "info": 2}
    return sorted(alerts, key=lambda a: order[a.severity])


def _duplicate_column_alerts(findings: Findings) -> list[Alert]:
    """One alert per column that has identical copies, naming the copies."""
    alerts: list[Alert] = []
    original: dict[str, str] = {}
    for a, b in findings.duplicate_columns:
        root = original.get(a, a)
        if b not in original and b != root:
            original[b] = root
    copies: dict[str, list[str]] = defaultdict(list)
    for copy, root in original.items():
        copies[root].append(copy)
    for a, bs in copies.items():
        names = ", ".join(f"`{b}`" for b in bs)
        verb = "is" if len(bs) == 1 else "are"
        alerts.append(
            Alert(
                kind="duplicate_columns",
                column=bs[0],
                columns=[a, *bs],
                severity="high",
                value=1.0,
                message=f"{names} {verb} identical to `{a}` in every row: keep `{a}` and drop the "
                "copies.",
            )
        )
    return alerts


def _missingness_alerts(findings: Findings) -> list[Alert]:
    """Columns missing together, and columns missing because of another column."""
    alerts: list[Alert] = []
    for group in findings.co_missing:
        names = ", ".join(f"`{c}`" for c in group.columns[:6])
        more = f" and {len(group.columns) - 6} more" if len(group.columns) > 6 else ""
        alerts.append(
            Alert(
                kind="structural_missing",
                column=group.columns[0],
                columns=list(group.columns),
                severity="warning",
                value=group.rows,
                message=f"{names}{more} are missing together (in about {group.rows:,} rows): the "
                "gap is structural (likely 'not applicable'), not random; encode it as its own "
                "category or indicator instead of imputing.",
            )
        )
    explained: dict[tuple[str, str], list[ExplainedMissing]] = defaultdict(list)
    for found in findings.explained_missing:
        explained[(found.explained_by, found.level)].append(found)
    for (by, level), items in explained.items():
        names = ", ".join(f"`{f.column}`" for f in items[:6])
        more = f" and {len(items) - 6} more" if len(items) > 6 else ""
        share = min(f.null_share_in_level for f in items)
        alerts.append(
            Alert(
                kind="structural_missing",
                column=items[0].column,
                columns=[f.column for f in items] + [by],
                severity="warning",
                value=finite(min(f.strength for f in items), 4),
                message=f"{names}{more} {'is' if len(items) == 1 else 'are'} missing because of "
                f"`{by}` ({'always' if share >= 0.999 else 'at least ' + percent(share)} "
                f"null where it is {code(level)}): the gap means "
                "'not applicable'; impute within groups or encode it, rather than impute globally.",
            )
        )
    return alerts


def _target_alerts(target: TargetProfile, opts: ProfileOptions) -> list[Alert]:
    out: list[Alert] = []
    for assoc in target.associations:
        strongest = max(assoc.value, assoc.missingness_value or 0.0)
        if strongest < opts.leakage:
            continue
        via = (
            f"through its missingness alone ({strongest:.2f})"
            if (assoc.missingness_value or 0.0) > assoc.value
            else f"({assoc.method} {strongest:.2f})"
        )
        out.append(
            Alert(
                kind="target_leakage",
                column=assoc.column,
                columns=[assoc.column, target.column],
                severity="high",
                value=strongest,
                message=f"`{assoc.column}` predicts the target `{target.column}` almost perfectly "
                f"{via}: check it is known at prediction time; if not, drop it (leakage).",
            )
        )
    for leak in target.leaks:
        out.append(
            Alert(
                kind="target_leakage",
                column=leak.column,
                columns=[leak.column, *leak.columns[1:], target.column],
                severity="high",
                value=leak.score,
                message=f"`{leak.column}` {leak.reason}: it is probably recorded with or after "
                f"the outcome `{target.column}`; drop it unless it is known when predicting.",
            )
        )
    if target.imbalance_ratio is not None and target.imbalance_ratio < opts.imbalance:
        out.append(
            Alert(
                kind="target_imbalance",
                column=target.column,
                columns=[target.column],
                severity="warning",
                value=target.imbalance_ratio,
                message=f"Target `{target.column}` is imbalanced (smallest/largest class "
                f"{target.imbalance_ratio:.2f}): use stratified splits, class weights, and metrics "
                "such as balanced accuracy or PR-AUC.",
            )
        )
    return out
