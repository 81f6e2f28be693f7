"""`profile()`: two passes of mergeable batch summaries, then sample-based pairwise work.

Pass one summarises every batch in one `select` (moments, sketches, top values, patterns);
pass two counts what needs pass-one results (histograms, outliers, duplicate-column checks)
and draws a seeded Bernoulli sample. Columns with at most `tracked_values` distinct values get
their pass-two counts exactly from their value counts instead of another scan. An in-memory
frame is one batch (exact quantiles and distinct counts); a LazyFrame is streamed in slices
of `batch_rows` (cheap for Parquet/IPC scans, whose slices read only the row groups needed),
so memory stays bounded by one batch plus the summaries and 8 bytes per distinct row (exact
duplicate-row count).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import reduce

import polars as pl

from pipelines.columns import ColumnNames
from pipelines.errors import ColumnNotFoundError, TaskError
from pipelines.profile.alerts import build_alerts
from pipelines.profile.associations import (
    numeric_matrix,
    pairwise_pearson,
    unified_matrix,
    values_of,
)
from pipelines.profile.batch import BatchSummary
from pipelines.profile.columns import build_column_plan, column_profile, duplicate_candidates
from pipelines.profile.detail import (
    DetailPlan,
    DetailSummary,
    combine,
    detail_from_counts,
    summarise_detail,
)
from pipelines.profile.drift import compare_profiles
from pipelines.profile.errors import ReferenceMismatchError, TargetNotFoundError
from pipelines.profile.findings import gather_findings
from pipelines.profile.leakage import find_leaks
from pipelines.profile.missing import missingness
from pipelines.profile.models import (
    Associations,
    ColumnProfile,
    DatasetSummary,
    DriftSummary,
    Matrix,
    Missingness,
    ProfileReport,
    ProfileResult,
    SourceFacts,
    finite,
)
from pipelines.profile.options import ProfileOptions
from pipelines.profile.partitions import PartitionMap, mapped_details, mapped_summaries, slices
from pipelines.profile.pass_one import summarise_batch
from pipelines.profile.target import target_profile
from pipelines.task import TaskKind, TaskSpec, resolve_task

__all__ = ["profile"]

Frame = pl.DataFrame | pl.LazyFrame
_Mapped = tuple[list[pl.LazyFrame], PartitionMap]


def _batches(frame: Frame, opts: ProfileOptions) -> Iterator[pl.DataFrame]:
    if isinstance(frame, pl.DataFrame):  # already in memory: one batch, exact statistics
        yield frame
        return
    # Slices, not `collect_batches`: that one reads ahead and buffered a whole 3.4M-row file.
    # Parquet/IPC scans push the slice down to row groups, so memory stays at one batch.
    rows = frame.select(pl.len()).collect().item()
    if rows == 0:
        yield pl.DataFrame(schema=frame.collect_schema())
        return
    for offset in range(0, rows, opts.batch_rows):
        yield frame.slice(offset, opts.batch_rows).collect()


def _pass_one(frame: Frame, opts: ProfileOptions, mapped: _Mapped | None) -> BatchSummary:
    if mapped is not None:
        return mapped_summaries(mapped[0], opts, mapped[1])
    single = isinstance(frame, pl.DataFrame)
    summaries = (summarise_batch(b, opts, sketch=not single) for b in _batches(frame, opts))
    return reduce(lambda a, b: a.merge(b), summaries)


def _pass_two(
    frame: Frame, plan: DetailPlan, opts: ProfileOptions, mapped: _Mapped | None
) -> DetailSummary:
    if mapped is not None:
        return mapped_details(mapped[0], plan, mapped[1])
    details = (summarise_detail(b, plan, i) for i, b in enumerate(_batches(frame, opts)))
    return reduce(lambda a, b: a.merge(b), details)


def _association_columns(
    columns: list[ColumnProfile], opts: ProfileOptions
) -> tuple[list[str], list[str]]:
    usable = [c for c in columns if c.count >= 10 and c.distinct >= 2]
    numeric = [c.name for c in usable if c.semantic_type == "numeric"]
    categorical = [
        c.name
        for c in usable
        if c.semantic_type in ("categorical", "boolean") and c.distinct <= opts.max_categories
    ]
    return numeric[: opts.max_association_columns], categorical[: opts.max_association_columns]


def _associations(
    sample: pl.DataFrame, columns: list[ColumnProfile], rows: int, opts: ProfileOptions
) -> Associations:
    numeric, categorical = _association_columns(columns, opts)
    matrices: list[Matrix] = []
    values = {n: values_of(sample.get_column(n)) for n in numeric}
    pearson = pairwise_pearson([values[n] for n in numeric]) if numeric else None
    if len(numeric) + len(categorical) >= 2:
        matrices.append(unified_matrix(sample, values, categorical, pearson))
    if len(numeric) >= 2:
        matrices.append(numeric_matrix(values, "pearson", pearson))
        matrices.append(numeric_matrix(values, "spearman"))
    if len(categorical) >= 2 and matrices:
        unified = matrices[0]
        index = [unified.columns.index(c) for c in categorical]
        matrices.append(
            Matrix(
                method="cramers v",
                columns=categorical,
                values=[[unified.values[i][j] for j in index] for i in index],
            )
        )
    notes = [
        "Unified association: |Pearson r| for numeric pairs, bias-corrected Cramér's V for "
        "categorical pairs, correlation ratio (eta) for numeric-categorical pairs; all 0..1."
    ]
    total = len(numeric) + len(categorical)
    if total >= 2 * opts.max_association_columns:
        notes.append(f"Only the first {opts.max_association_columns} columns of each kind.")
    return Associations(
        sample_rows=sample.height, sampled=sample.height < rows, matrices=matrices, notes=notes
    )


def _reference_columns(
    reference: Frame | ProfileReport, opts: ProfileOptions
) -> tuple[list[ColumnProfile], int]:
    if isinstance(reference, ProfileReport):
        return reference.columns, reference.dataset.rows
    ref = profile(reference, options=opts).report
    return ref.columns, ref.dataset.rows


_DEFAULT_OPTIONS = ProfileOptions()

RepairCounts = Mapping[str, Mapping[str, int]]
"""Per-column repair counts, column -> {repair kind -> cells} (ingest's `ColumnReport.repairs`)."""


def profile(
    frame: Frame,
    *,
    task: TaskSpec | None = None,
    reference: Frame | ProfileReport | None = None,
    options: ProfileOptions = _DEFAULT_OPTIONS,
    repairs: RepairCounts | None = None,
    source: SourceFacts | None = None,
    names: ColumnNames | None = None,
    map_partitions: PartitionMap | None = None,
) -> ProfileResult:
    """Profile `frame` (in memory, or a LazyFrame streamed in batches) into a `ProfileReport`.

    Parameters
    ----------
    frame
        The data. A LazyFrame is read twice in batches (bounded memory); a DataFrame is used
        as it is and never mutated.
    task
        Optional task: its target (source or normalised name) adds the target's distribution,
        class balance and feature associations; `kind` other than `auto` fixes classes vs
        regression.
    reference
        Optional reference data (or a saved `ProfileReport`) to compare against: adds drift.
    options
        Thresholds and sizes.
    repairs
        Optional per-column repair counts (from ingest), shown per column.
    source
        Optional facts about where the data came from (ingest's counts and header mapping).
    names
        Column names as the user knows them; built from `source.header_mapping` when None.
    map_partitions
        Optional `map(function, items)` (a Dask client's, a pool's) that runs both passes of a
        LazyFrame's `batch_rows` slices in parallel; same report as the sequential stream.

    Returns
    -------
    ProfileResult
        Holds the JSON-native `report`; collects the data (in batches for a LazyFrame).

    Raises
    ------
    TargetNotFoundError
        When the task's target is not a column of `frame`.
    ReferenceMismatchError
        When the reference shares no column with `frame`.
    """
    opts = options
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    if names is None:
        names = ColumnNames.from_header_mapping(
            schema.names(), source.header_mapping if source else None
        )
    target = _target_column(task, names)
    mapped = None
    if map_partitions is not None and isinstance(frame, pl.LazyFrame):
        parts = slices(frame, opts.batch_rows)
        mapped = (parts, map_partitions) if parts else None
    first = _pass_one(frame, opts, mapped)
    rows = first.rows
    plans = {n: build_column_plan(c, opts) for n, c in first.columns.items()}
    counted = [
        (plan, numbers)
        for name, plan in plans.items()
        if plan is not None and (numbers := first.columns[name].numbers) is not None
    ]
    counted_names = {plan.name for plan, _ in counted}
    detail_plan = DetailPlan(
        columns=tuple(p for p in plans.values() if p is not None and p.name not in counted_names),
        duplicate_candidates=tuple(duplicate_candidates(first)),
        sample_fraction=min(1.0, opts.sample_rows / rows) if rows else 1.0,
        seed=opts.seed,
    )
    detail = combine(detail_from_counts(counted), _pass_two(frame, detail_plan, opts, mapped))
    repaired = repairs or {}
    columns = [
        column_profile(
            first.columns[n],
            plans[n],
            detail,
            opts,
            batches=first.batches,
            repairs=dict(repaired[n]) if n in repaired else None,
            original_name=_original(names, n),
        )
        for n in schema.names()
    ]
    sample = detail.sample
    missing = missingness(first, opts)
    findings = gather_findings(first, columns, detail, missing, sample, opts)
    associations = _associations(sample, columns, rows, opts)
    target_result = None
    if target is not None:
        kind, decided = _decide_task(frame, task, target)
        target_column = next(c for c in columns if c.name == target)
        target_result = target_profile(
            sample, target_column, columns, kind=kind, label_variants=findings.variants.get(target)
        )
        leaks = (
            find_leaks(
                sample,
                target_column,
                columns,
                classes=target_result.task == "classification",
                already={
                    a.column
                    for a in target_result.associations
                    if max(a.value, a.missingness_value or 0.0) >= opts.leakage
                },
                opts=opts,
            )
            if opts.leakage_checks
            else []
        )
        target_result = target_result.model_copy(
            update={"kind": None if kind == "auto" else kind, "decided": decided, "leaks": leaks}
        )
    drift = _drift(reference, columns, schema.names(), rows, opts)
    dataset = _dataset_summary(first, columns, missing, streamed=isinstance(frame, pl.LazyFrame))
    unified = associations.matrices[0] if associations.matrices else None
    alerts = build_alerts(columns, dataset, unified, target_result, drift, findings, opts)
    notes = _notes(associations.sampled, sample.height, rows, first.batches)
    report = ProfileReport(
        title=opts.title,
        dataset=dataset,
        columns=columns,
        alerts=alerts,
        missingness=missing,
        associations=associations,
        target=target_result,
        drift=drift,
        ingest=source,
        notes=notes,
        options=opts.model_dump(mode="json"),
    )
    return ProfileResult(report=report)


def _target_column(task: TaskSpec | None, names: ColumnNames) -> str | None:
    """The frame's column for the task's target (source or normalised name), if any."""
    if task is None or task.target is None:
        return None
    try:
        return names.resolve(task.target, role="target column")
    except ColumnNotFoundError as exc:
        raise TargetNotFoundError(str(exc)) from exc


def _decide_task(frame: Frame, task: TaskSpec | None, target: str) -> tuple[TaskKind, str | None]:
    """The task kind `resolve_task` decides for `target` (collects that column), and why."""
    if task is None:
        return "auto", None
    try:
        resolved = resolve_task(frame, task.model_copy(update={"target": target}))
    except TaskError as exc:
        return "auto", f"the task kind could not be decided: {exc}"
    return resolved.kind, resolved.decided


def _original(names: ColumnNames, column: str) -> str | None:
    original = names.original(column)
    return None if original == column else original


def _drift(
    reference: Frame | ProfileReport | None,
    columns: list[ColumnProfile],
    names: list[str],
    rows: int,
    opts: ProfileOptions,
) -> DriftSummary | None:
    """Compare with the reference, when there is one that shares columns with the data."""
    if reference is None:
        return None
    ref_columns, ref_rows = _reference_columns(reference, opts)
    if not {c.name for c in ref_columns} & set(names):
        msg = "the reference shares no column with the data: compare like with like"
        raise ReferenceMismatchError(msg)
    return compare_profiles(columns, ref_columns, rows=rows, reference_rows=ref_rows, opts=opts)


def _dataset_summary(
    first: BatchSummary, columns: list[ColumnProfile], missing: Missingness, *, streamed: bool
) -> DatasetSummary:
    """Table-level facts from the first pass and the column profiles."""
    rows = first.rows
    types: dict[str, int] = {}
    for col in columns:
        types[col.semantic_type] = types.get(col.semantic_type, 0) + 1
    duplicates = first.duplicate_rows
    return DatasetSummary(
        rows=rows,
        columns=len(columns),
        memory_bytes=first.memory_bytes,
        duplicate_rows=duplicates,
        duplicate_share=finite(duplicates / rows if rows else 0.0, 4) or 0.0,
        null_cells=missing.null_cells,
        types=dict(sorted(types.items())),
        batches=first.batches,
        streamed=streamed,
    )


def _notes(sampled: bool, sample_rows: int, rows: int, batches: int) -> list[str]:  # noqa: FBT001
    """What a reader must know about how the figures were computed."""
    notes = []
    if sampled:
        notes.append(
            f"Associations, target statistics and structural-missingness checks use a seeded "
            f"random sample of {sample_rows:,} of {rows:,} rows."
        )
    if batches > 1:
        notes.append(
            f"Read in {batches} batches: counts, sums, moments, min and max are exact; "
            "quantiles (about 1% rank error) and distinct counts (about 1.6%) are estimates."
        )
    return notes
