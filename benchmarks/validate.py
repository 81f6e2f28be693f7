"""Benchmark: the validation stage vs the same checks as plain polars expressions, and GX.

    .venv/bin/python benchmarks/validate.py [--rows 3000000] [--repeat 2] [--no-gx]

The stage time includes everything `validate()` does: coercion checks, pandera in lazy mode,
the quarantine split with reasons and the report. The polars baseline evaluates the same 12
checks in one `select` and splits valid/invalid rows (no reasons). GX runs the translated suite
(pandas conversion included), without rendering Data Docs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from pipelines.validate import ValidateOptions, ValidationPolicy, validate
from schemas import checks


class Orders(pa.DataFrameModel):
    """Twelve checks over eight columns."""

    order_id: pl.Int64 = pa.Field(unique=True)  # 1 uniqueness
    customer: str = pa.Field(str_matches=r"^C\d{6}$")  # 2 pattern
    region: str = pa.Field(isin=["north", "south", "east", "west"])  # 3 set
    quantity: pl.Int64 = pa.Field(ge=1, le=1000)  # 4, 5 range
    price: pl.Float64 = pa.Field(ge=0.0, le=10_000.0, nullable=True)  # 6, 7 range
    discount: pl.Float64 = pa.Field(in_range={"min_value": 0.0, "max_value": 0.9})  # 8 range
    status: str = pa.Field(isin=["open", "paid", "shipped", "returned"])  # 9 set
    weight_kg: pl.Float64 = pa.Field()  # 10 not-null, 11 positive (below)

    @pa.check("weight_kg", name="positive")
    def positive(cls, data: PolarsData) -> pl.LazyFrame:
        """Weights are positive."""
        return checks.positive(data)

    @pa.check("status", name="not_blank")
    def not_blank(cls, data: PolarsData) -> pl.LazyFrame:  # 12
        """Status says something."""
        return checks.not_blank(data)


STATUSES = ["open", "paid", "shipped", "returned", "lost"]


def make_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    bad = rng.random(rows) < 0.01
    quantity = rng.integers(1, 1000, rows)
    quantity[bad] = 0
    return pl.DataFrame(
        {
            "order_id": np.arange(rows, dtype=np.int64),
            "customer": pl.Series(rng.integers(0, 999_999, rows)).cast(pl.String).str.zfill(6),
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "quantity": quantity,
            "price": np.where(rng.random(rows) < 0.02, np.nan, rng.random(rows) * 9_000),
            "discount": rng.random(rows) * 0.9,
            "status": rng.choice(STATUSES, rows, p=[0.3, 0.3, 0.3, 0.095, 0.005]),
            "weight_kg": rng.random(rows) * 20 + 0.1,
        }
    ).with_columns(
        ("C" + pl.col("customer")).alias("customer"),
        pl.col("price").fill_nan(None),
    )


def plain_polars(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    ok = [
        pl.col("order_id").is_unique(),
        pl.col("customer").str.contains(r"^C\d{6}$"),
        pl.col("region").is_in(["north", "south", "east", "west"]),
        pl.col("quantity") >= 1,
        pl.col("quantity") <= 1000,
        (pl.col("price") >= 0.0).fill_null(True),
        (pl.col("price") <= 10_000.0).fill_null(True),
        pl.col("discount").is_between(0.0, 0.9),
        pl.col("status").is_in(["open", "paid", "shipped", "returned"]),
        pl.col("weight_kg").is_not_null(),
        (pl.col("weight_kg") > 0).fill_null(True),
        (pl.col("status").str.strip_chars().str.len_chars() > 0).fill_null(True),
    ]
    passed = frame.select(pl.all_horizontal(ok).alias("ok")).to_series()
    return frame.filter(passed), frame.filter(~passed)


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-gx", action="store_true")
    args = parser.parse_args()

    frame = make_frame(args.rows)
    print(f"frame: {frame.height:,} rows x {frame.width} columns, 12 checks")
    policy = ValidationPolicy(max_invalid_fraction=1.0)
    baseline, (valid, invalid) = best_of(args.repeat, lambda: plain_polars(frame))
    stage, result = best_of(
        args.repeat, lambda: validate(frame, schema=Orders, options=ValidateOptions(policy=policy))
    )
    assert result.report.rows_valid == valid.height, (result.report.rows_valid, valid.height)
    print(f"plain polars (12 expressions + split):  {baseline:7.3f} s   {invalid.height:,} invalid")
    print(f"validate() stage (quarantine + report): {stage:7.3f} s   ratio {stage / baseline:.2f}x")
    if not args.no_gx:
        from pipelines.validate.gx_adapter import run_gx

        started = time.perf_counter()
        import great_expectations  # noqa: F401 - import time reported separately

        imported = time.perf_counter() - started
        gx_time, gx_run = best_of(1, lambda: run_gx(frame, Orders.to_schema(), render_docs=False))
        summary = gx_run.summaries[0]
        print(
            f"GX path (pandas conversion + {summary.expectations} expectations): {gx_time:7.3f} s "
            f"(+ {imported:.1f} s import), unmapped: {', '.join(summary.unmapped_checks)}"
        )


if __name__ == "__main__":
    main()
