"""Benchmark the error-analysis stage on a large synthetic test set.

The test set is compas (the shared copy) resampled with noise: rows drawn with replacement,
integer columns moved by -1..1, floats by ~5%, categories kept, 5% of labels flipped. The
model is a small LightGBM on C's feature pipeline (tests/support/evaluations.py); out-of-fold
predictions are resampled the same way (`--oof-rows`, default 4x the test rows, as a
80/20 split would give). Usage:

    .venv/bin/python benchmarks/errors.py [--rows 336776] [--oof-rows N] [--batch-rows N]

Prints wall time and peak RSS of the whole stage (`analyse_errors`: transform + predict +
every section) and of the expensive parts on their own (each part's peak above the RSS it
started at; Linux's VmHWM, reset before each part), plus the whole process's peak. Run one
size per process (`--rows 3367760 --oof-rows 3367760`) so the peaks do not mix. Never
asserts on time or memory.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.error_analysis import ErrorAnalysisOptions, analyse_errors  # noqa: E402
from pipelines.error_analysis.cohorts import error_cohorts  # noqa: E402
from pipelines.error_analysis.evaluation import row_error_and_loss  # noqa: E402
from pipelines.error_analysis.importance import feature_importance  # noqa: E402
from pipelines.error_analysis.labels import label_suspects  # noqa: E402
from pipelines.error_analysis.metrics import headline_metrics  # noqa: E402
from pipelines.error_analysis.slices import feature_slices  # noqa: E402
from tests.support.evaluations import compas_model  # noqa: E402


def resample(frame: pl.DataFrame, rows: int, seed: int, target: str | None) -> pl.DataFrame:
    """`rows` rows drawn with replacement, numbers jittered, some labels flipped."""
    rng = np.random.default_rng(seed)
    picked = frame[pl.Series(rng.integers(0, frame.height, rows))]
    columns = []
    for name, dtype in picked.schema.items():
        series = picked.get_column(name)
        if name in ("_row", "_source_line"):
            continue
        if name == target:
            flip = pl.Series(rng.random(rows) < 0.05)
            series = pl.when(flip).then(1 - series).otherwise(series).alias(name)
            columns.append(pl.select(series).to_series())
            continue
        if dtype.is_integer():
            noise = pl.Series(rng.integers(-1, 2, rows))
            series = (series + noise).clip(lower_bound=series.min()).cast(dtype)
        elif dtype.is_float():
            series = series * pl.Series(1 + rng.normal(0, 0.05, rows))
        columns.append(series.alias(name))
    out = pl.DataFrame(columns)
    return out.with_row_index("_row").with_columns(
        pl.col("_row").cast(pl.Int64), (pl.col("_row").cast(pl.Int64) + 2).alias("_source_line")
    )


def _status_mb(field: str) -> float:
    """`VmRSS` (now) or `VmHWM` (peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_PEAKS: list[float] = []
"""Every window's peak: resetting VmHWM also resets ru_maxrss, so the process peak is their max."""


def _reset_peak() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    _PEAKS.append(_status_mb("VmHWM"))
    gc.collect()
    # hand freed numpy memory back, so a part's peak is not hidden in the allocator's cache
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    # not Linux or not allowed: peaks are then whole-process peaks
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def timed(label: str, function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run one part; print its wall time and its peak RSS above the RSS it started at."""
    _reset_peak()
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    out = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    print(
        f"  {label:<52} {seconds:7.2f} s  peak RSS {peak:7,.0f} MB (+{peak - before:5,.0f})",
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=336_776)
    parser.add_argument("--oof-rows", type=int, default=None)
    parser.add_argument("--batch-rows", type=int, default=None)
    args = parser.parse_args()
    oof_rows = args.oof_rows or 4 * args.rows
    model, _, test_rows, oof = compas_model()
    target = model.task.target
    test = resample(test_rows, args.rows, 1, target)
    oof_big = oof[pl.Series(np.random.default_rng(2).integers(0, oof.height, oof_rows))]
    oof_big = oof_big.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
    options = ErrorAnalysisOptions(sensitive=("race", "sex"))
    if args.batch_rows:
        options = options.model_copy(update={"batch_rows": args.batch_rows})
    _reset_peak()
    inputs_rss = _status_mb("VmRSS")
    print(
        f"error analysis on {test.height:,} test rows x {test.width} columns "
        f"({test.estimated_size() / 1e6:,.0f} MB), {oof_big.height:,} out-of-fold rows "
        f"({oof_big.estimated_size() / 1e6:,.0f} MB), batches of {options.batch_rows:,} rows; "
        f"RSS with the inputs built {inputs_rss:,.0f} MB (machine shared: figures are noisy)"
    )
    started = time.perf_counter()
    result = timed(
        "whole stage (analyse_errors)", analyse_errors, model, test, options=options, oof=oof_big
    )
    whole = time.perf_counter() - started
    stage_peak = _status_mb("VmHWM")
    evaluation = result.evaluation
    error, loss = row_error_and_loss(evaluation)
    print("parts, each on its own (same inputs):")
    from pipelines.error_analysis import evaluation_from_model
    from pipelines.error_analysis.fairness import fairness

    inputs = timed(
        "predict (feature pipeline + booster)",
        evaluation_from_model,
        model,
        test,
        oof=oof_big,
        sensitive=options.sensitive,
        batch_rows=options.batch_rows,
    )
    timed(
        "fairness (fairlearn MetricFrame, 2 columns)",
        fairness,
        evaluation,
        inputs.sensitive,
        options,
    )
    timed(
        f"metrics + {options.bootstrap} bootstrap resamples", headline_metrics, evaluation, options
    )
    order = [
        f.feature for f in (result.report.importance.features if result.report.importance else [])
    ]
    timed("slices (every feature)", feature_slices, evaluation, error, loss, options, order)
    timed(
        f"cohorts (tree on {min(options.cohort_rows, evaluation.size):,} rows)",
        error_cohorts,
        evaluation,
        error,
        options,
    )
    timed(
        f"permutation importance ({options.permutation_rows:,} rows x "
        f"{options.permutation_repeats})",
        feature_importance,
        evaluation,
        options.model_copy(update={"shap_rows": 100}),
    )
    timed(
        f"SHAP pred_contrib ({options.shap_rows:,} rows)",
        feature_importance,
        evaluation,
        options.model_copy(update={"permutation_rows": 100, "permutation_repeats": 1}),
    )
    timed(
        f"label suspects (cleanlab, {min(oof_rows, options.max_oof_rows):,} OOF rows)",
        label_suspects,
        evaluation,
        options,
    )
    from reports.errors import render_errors_html

    html = timed("render errors.html", render_errors_html, result.report)
    peak = max([*_PEAKS, _status_mb("VmHWM")])
    print(
        f"whole stage {whole:.1f} s; errors.html {len(html.encode()) / 1e6:.2f} MB; "
        f"stage peak RSS {stage_peak:,.0f} MB ({stage_peak - inputs_rss:,.0f} MB above the "
        f"inputs, {(stage_peak - inputs_rss) * 1e6 / test.height:,.0f} bytes per test row); "
        f"process peak {peak:,.0f} MB"
    )
    print("sampling stated in the report:")
    for note in result.report.sampling:
        print(f"  {note.part}: {note.rows_used:,} of {note.rows_available:,} ({note.method})")


if __name__ == "__main__":
    main()
