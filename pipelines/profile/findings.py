"""What the profile's alerts need beyond column profiles: copies, gaps, spelling variants."""

from __future__ import annotations

import polars as pl

from pipelines.profile.alerts import Findings
from pipelines.profile.batch import BatchSummary
from pipelines.profile.detail import DetailSummary
from pipelines.profile.missing import co_missing_groups, structural_missingness
from pipelines.profile.models import ColumnProfile, Missingness
from pipelines.profile.options import ProfileOptions
from pipelines.profile.variants import sibling_spellings, spelling_variants

__all__ = ["gather_findings"]


def gather_findings(
    first: BatchSummary,
    columns: list[ColumnProfile],
    detail: DetailSummary,
    missing: Missingness,
    sample: pl.DataFrame,
    opts: ProfileOptions,
) -> Findings:
    """What the alerts need beyond column profiles: copies, gaps, spelling variants."""
    variants: dict[str, list[list[str]]] = {}
    case_words: dict[str, list[str]] = {}
    categories: dict[str, set[str]] = {}
    for col in columns:
        summary = first.columns[col.name]
        if summary.kind != "string" or col.semantic_type not in ("categorical", "text"):
            continue
        groups, words = spelling_variants(summary.top.counts)
        if groups:
            variants[col.name] = groups
        if col.semantic_type == "categorical":
            categories[col.name] = set(summary.top.counts)
            if words:
                case_words[col.name] = words
    return Findings(
        duplicate_columns=[p for p, n in detail.mismatches.items() if n == 0],
        co_missing=co_missing_groups(missing, columns),
        explained_missing=structural_missingness(sample, columns, opts),
        variants=variants,
        case_words=case_words,
        siblings=sibling_spellings(categories),
    )
