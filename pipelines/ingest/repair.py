"""Whole-column value repair: trim, null tokens, then the type every value (within tolerance) fits.

Three steps, so chunks of a file can be processed in two passes with bounded memory:
`propose` picks candidate types from a sample of the first chunk; `measure` counts, per chunk,
how many values fail each candidate (counts merge by addition); `decide` chooses each column's
plan from the merged counts; `apply` converts a chunk and lists every value it had to null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from pipelines.ingest.candidates import parse_candidates, parsed_name
from pipelines.ingest.cleaning import clean_frame, repair_count_exprs, tally
from pipelines.ingest.models import CELL_ISSUES_SCHEMA, IngestOptions
from pipelines.ingest.parsers import (
    CANDIDATE_KIND,
    CANDIDATES,
    candidate_expr,
)

__all__ = [
    "ColumnPlan",
    "Evidence",
    "add_counts",
    "apply_plans",
    "clean_frame",
    "decide",
    "measure",
    "parse_candidates",
    "proposal_sample",
    "propose",
    "propose_from_sample",
]

LINE = "_source_line"
SOURCE_FILE = "_source_file"
_SAMPLE_ROWS = 600
_PROPOSE_SHARE = 0.9
_KIND_DTYPE: dict[str, pl.DataType] = {
    "boolean": pl.Boolean(),
    "integer": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
}
_FAIL_REASON = {
    "boolean": "not_a_boolean",
    "integer": "not_a_number",
    "float": "not_a_number",
    "number": "not_a_number",
    "date": "not_a_date",
    "datetime": "not_a_datetime",
}


@dataclass(frozen=True)
class ColumnPlan:
    """What to do with one text column: the chosen candidate (None keeps text) and why."""

    name: str
    candidate: str | None
    dtype: str
    integral: bool = False
    expected_failures: int = 0
    notes: tuple[str, ...] = ()


@dataclass
class Evidence:
    """Per-column counts that add up across chunks."""

    non_null: dict[str, int] = field(default_factory=dict)
    failures: dict[str, dict[str, int]] = field(default_factory=dict)
    fractional: dict[str, dict[str, int]] = field(default_factory=dict)
    leading_zero: dict[str, int] = field(default_factory=dict)

    def merge(self, other: Evidence) -> Evidence:
        """Add `other`'s counts to this evidence (in place) and return it."""
        for target, source in (
            (self.non_null, other.non_null),
            (self.leading_zero, other.leading_zero),
        ):
            for key, value in source.items():
                target[key] = target.get(key, 0) + value
        add_counts(self.failures, other.failures)
        add_counts(self.fractional, other.fractional)
        return self


def add_counts(totals: dict[str, dict[str, int]], more: Mapping[str, Mapping[str, int]]) -> None:
    """Add per-column counts `more` into `totals` (in place): {column: {kind: count}}."""
    for name, per in more.items():
        mine = totals.setdefault(name, {})
        for kind, value in per.items():
            mine[kind] = mine.get(kind, 0) + value


_CHEAP = ("boolean", "integer", "float", "date_iso")
_DIGITS = list("0123456789")


def propose(
    cleaned: pl.DataFrame, columns: Iterable[str], options: IngestOptions
) -> dict[str, list[str]]:
    """Candidates that fit at least 90% of the non-null values in a sample of rows.

    The sample is the first rows plus rows spread over the frame; `cleaned` comes from
    `clean_frame`. Cheap candidates are tried on every column; costly ones (regex numbers,
    other date forms) only where cheap ones fall short and most values hold a digit. The whole
    column is checked later by `measure`.
    """
    return propose_from_sample(proposal_sample(cleaned), columns, options)


def proposal_sample(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows `propose` looks at: the first rows plus rows spread over the frame.

    Cleaning is row by row, so cleaning this sample equals sampling the cleaned frame.
    """
    step = max(1, frame.height // _SAMPLE_ROWS)
    return pl.concat([frame.head(_SAMPLE_ROWS // 2), frame.gather_every(step)])


def propose_from_sample(
    sample: pl.DataFrame, columns: Iterable[str], options: IngestOptions
) -> dict[str, list[str]]:
    """`propose` on a cleaned `proposal_sample`."""
    columns = list(columns)
    allowed = _allowed_candidates(options)
    cheap = [c for c in allowed if c in _CHEAP]
    costly = [c for c in allowed if c not in _CHEAP]
    pivot = options.two_digit_year_pivot
    share = _shares(sample, {column: cheap for column in columns}, with_digits=True, pivot=pivot)
    second = {
        column: costly
        for column in columns
        if share[column]["n"]
        and share[column]["digits"] >= _PROPOSE_SHARE
        and max(share[column][c] for c in cheap) < 1.0
    }
    for column, extra in _shares(sample, second, with_digits=False, pivot=pivot).items():
        share[column] |= extra
    proposals: dict[str, list[str]] = {}
    for column in columns:
        fits = [c for c in allowed if share[column].get(c, 0.0) >= _PROPOSE_SHARE]
        proposals[column] = _gate(fits, share[column])
    return proposals


def _shares(
    sample: pl.DataFrame,
    candidates: Mapping[str, list[str]],
    *,
    with_digits: bool,
    pivot: int,
) -> dict[str, dict[str, float]]:
    """Share of each column's non-null sample values that each candidate reads (one select)."""
    exprs: list[pl.Expr] = []
    for column, names in candidates.items():
        text = pl.col(column)
        exprs.append(text.is_not_null().sum().alias(f"{column}\x00n"))
        if with_digits:
            exprs.append(text.str.contains_any(_DIGITS).sum().alias(f"{column}\x00digits"))
        exprs += [
            candidate_expr(c, text, pivot=pivot).is_not_null().sum().alias(f"{column}\x00{c}")
            for c in names
        ]
    if not exprs:
        return {}
    row = sample.select(exprs).row(0, named=True)
    result: dict[str, dict[str, float]] = {}
    for key, value in row.items():
        column, what = key.split("\x00")
        result.setdefault(column, {})[what] = float(value or 0)
    for values in result.values():
        present = values["n"]
        for what in list(values):
            if what != "n":
                values[what] = values[what] / present if present else 0.0
    return result


def _gate(fitting: list[str], share: Mapping[str, float]) -> list[str]:
    """Drop costly candidates when a cheap one already reads the whole sample."""
    if share.get("float", 0.0) == 1.0:
        fitting = [c for c in fitting if c not in {"number_us", "number_eu"}]
    if share.get("date_iso", 0.0) == 1.0:
        fitting = [
            c for c in fitting if c not in {"date_mdy", "date_dmy", "month_year", "datetime"}
        ]
    return fitting


def _allowed_candidates(options: IngestOptions) -> list[str]:
    if options.date_order == "mdy":
        return [c for c in CANDIDATES if c != "date_dmy"]
    if options.date_order == "dmy":
        return [c for c in CANDIDATES if c != "date_mdy"]
    return list(CANDIDATES)


def measure(
    parsed: pl.DataFrame, proposals: Mapping[str, list[str]], *, weight: str | None = None
) -> Evidence:
    """Count non-null values and each candidate's failures in a `parse_candidates` frame.

    `weight` names a column of row counts when `parsed` is a table of distinct values.
    """
    exprs: list[pl.Expr] = []
    for column, candidates in proposals.items():
        clean = pl.col(column)
        exprs.append(tally(clean.is_not_null(), weight).alias(f"{column}\x00n"))
        for candidate in candidates:
            value = pl.col(parsed_name(column, candidate))
            failed = clean.is_not_null() & value.is_null()
            exprs.append(tally(failed, weight).alias(f"{column}\x00{candidate}"))
            if CANDIDATE_KIND[candidate] == "number":
                fraction = (value.round(0) != value) | clean.str.ends_with("%")
                exprs.append(tally(fraction, weight).alias(f"{column}\x00frac:{candidate}"))
        if any(CANDIDATE_KIND[c] in {"integer", "float", "number"} for c in candidates):
            zero = clean.str.contains(r"^[-+]?0[0-9]")
            exprs.append(tally(zero, weight).alias(f"{column}\x00zero"))
    evidence = Evidence()
    if not exprs:
        return evidence
    for key, value in parsed.select(exprs).row(0, named=True).items():
        column, what = key.split("\x00")
        count = int(value or 0)
        if what == "n":
            evidence.non_null[column] = count
        elif what == "zero":
            evidence.leading_zero[column] = count
        elif what.startswith("frac:"):
            evidence.fractional.setdefault(column, {})[what[5:]] = count
        else:
            evidence.failures.setdefault(column, {})[what] = count
    return evidence


def decide(
    proposals: Mapping[str, list[str]], evidence: Evidence, options: IngestOptions
) -> dict[str, ColumnPlan]:
    """Pick, per column, the candidate with fewest failures within tolerance (else keep text)."""
    plans: dict[str, ColumnPlan] = {}
    for column, candidates in proposals.items():
        total = evidence.non_null.get(column, 0)
        if total == 0:
            plans[column] = ColumnPlan(column, None, "String", notes=("every value is null",))
            continue
        limit = int(options.type_tolerance * total)
        failures = evidence.failures.get(column, {})
        fitting = [c for c in candidates if failures.get(c, total) <= limit]
        notes: list[str] = []
        if evidence.leading_zero.get(column, 0) and any(
            CANDIDATE_KIND[c] in {"integer", "float", "number"} for c in fitting
        ):
            fitting = [
                c for c in fitting if CANDIDATE_KIND[c] not in {"integer", "float", "number"}
            ]
            notes.append("kept as text: values with leading zeros look like codes, not numbers")
        both_orders = {"date_mdy", "date_dmy"} <= set(fitting) and not (
            {"date_iso", "date_named"} & set(fitting)
        )
        if both_orders and failures["date_mdy"] == failures["date_dmy"]:
            fitting = [c for c in fitting if c not in {"date_mdy", "date_dmy"}]
            notes.append(
                "kept as text: day/month order is ambiguous (no day above 12); "
                "set ingest option date_order to mdy or dmy"
            )
        if not fitting:
            plans[column] = ColumnPlan(column, None, "String", notes=tuple(notes))
            continue
        best = min(fitting, key=lambda c: (failures.get(c, 0), CANDIDATES.index(c)))
        kind = CANDIDATE_KIND[best]
        integral = kind == "integer" or (
            kind == "number" and evidence.fractional.get(column, {}).get(best, 0) == 0
        )
        dtype_kind = "integer" if integral and kind in {"integer", "number"} else kind
        if dtype_kind == "number":
            dtype_kind = "float"
        plans[column] = ColumnPlan(
            column,
            best,
            str(_KIND_DTYPE[dtype_kind]),
            integral=integral,
            expected_failures=failures.get(best, 0),
            notes=tuple(notes),
        )
    return plans


def apply_plans(
    frame: pl.DataFrame,
    plans: Mapping[str, ColumnPlan],
    options: IngestOptions,
    parsed: pl.DataFrame | None = None,
    clean_counts: dict[str, dict[str, int]] | None = None,
    *,
    weight: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, dict[str, int]]]:
    """Convert one raw chunk: (typed frame, cell issues, repair counts per column and kind).

    `frame` must carry `_source_file` and `_source_line`, which the cell issues point to.
    `parsed` (from `parse_candidates` on the same chunk, with the `clean_frame` counts in
    `clean_counts`) saves cleaning and parsing again. `weight` names a column of row counts
    when `frame` is a table of distinct values: the repair counts are then weighted.
    """
    if parsed is None or clean_counts is None:
        cleaned, clean_counts = clean_frame(frame, plans, options, weight=weight)
    else:
        cleaned = parsed
    typed_counts: list[pl.Expr] = []
    failing: list[tuple[str, pl.Expr, str]] = []
    finals: list[pl.Expr] = []
    missing = {
        column: [plan.candidate]
        for column, plan in plans.items()
        if plan.candidate is not None and parsed_name(column, plan.candidate) not in cleaned.columns
    }
    if missing:
        cleaned = parse_candidates(cleaned, missing, pivot=options.two_digit_year_pivot)
    for column, plan in plans.items():
        if plan.candidate is None:
            continue
        value = pl.col(parsed_name(column, plan.candidate))
        kind = CANDIDATE_KIND[plan.candidate]
        typed_counts += repair_count_exprs(column, pl.col(column), value, plan.candidate, weight)
        integral_number = plan.integral and kind == "number"
        final = value.round(0).cast(pl.Int64, strict=False) if integral_number else value
        finals.append(final.alias(column))
        if plan.expected_failures:
            mask = pl.col(column).is_not_null() & value.is_null()
            failing.append((column, mask, _FAIL_REASON[kind]))
    counts = {column: dict(per) for column, per in clean_counts.items() if column in plans}
    found = cleaned.select(typed_counts).row(0, named=True) if typed_counts else {}
    for key, value in found.items():
        column, kind = key.split("\x00")
        if value:
            counts.setdefault(column, {})[kind] = int(value)
    issues = _cell_issues(frame, cleaned, failing)
    for row in issues.group_by("column").len().iter_rows():
        counts.setdefault(row[0], {})["value_nulled"] = int(row[1])
    temporaries = [c for c in cleaned.columns if "\x00" in c]
    return cleaned.with_columns(finals).drop(temporaries), issues, counts


def _cell_issues(
    frame: pl.DataFrame, cleaned: pl.DataFrame, failing: list[tuple[str, pl.Expr, str]]
) -> pl.DataFrame:
    """One row per nulled cell: where it was, its raw (untrimmed) text and why."""
    parts = [
        frame.filter(cleaned.select(mask).to_series()).select(
            pl.col(SOURCE_FILE).alias("_source_file"),
            pl.col(LINE).cast(pl.Int64).alias("_source_line"),
            pl.lit(column).alias("column"),
            pl.col(column).alias("value"),
            pl.lit(reason).alias("reason"),
        )
        for column, mask, reason in failing
    ]
    if not parts:
        return pl.DataFrame(schema=CELL_ISSUES_SCHEMA)
    return pl.concat(parts).cast(CELL_ISSUES_SCHEMA)
