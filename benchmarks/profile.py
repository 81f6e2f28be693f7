"""Benchmark `thresher profile` against the floor: a plain one-pass polars aggregation.

Generates flights-shaped CSVs (ints, floats with nulls, strings with 3-4,000 distinct values,
a timestamp; 19 columns) and runs each command in its own process, printing wall time and
peak RSS (from `os.wait4`). Usage:

    .venv/bin/python benchmarks/profile.py [--rows 336776 3367760] [--dir /tmp/thresher-bench]
        [--stream-rows 33677600]

`--stream-rows` adds a Parquet file (written directly, 1M-row row groups) profiled with
`--stream` to show bounded memory. Prints figures; never asserts on time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

FLOOR = """
import sys, polars as pl
path = sys.argv[1]
if path.endswith(".parquet"):
    frame = pl.read_parquet(path)
else:
    frame = pl.read_csv(path, try_parse_dates=True, infer_schema_length=10000)
exprs = []
for name, dtype in frame.schema.items():
    col = pl.col(name)
    exprs += [col.null_count().alias(name + ":nulls"), col.n_unique().alias(name + ":distinct")]
    if dtype.is_numeric():
        exprs += [col.mean().alias(name + ":mean"), col.std().alias(name + ":std"),
                  col.min().alias(name + ":min"), col.max().alias(name + ":max")]
print(frame.select(exprs).width)
"""


def flights(rows: int, seed: int = 0) -> pl.DataFrame:
    """A flights-shaped table (like nycflights13): 19 columns."""
    rng = np.random.default_rng(seed)
    carriers = np.array([f"C{i}" for i in range(16)])
    tails = np.array([f"N{i:04d}{chr(65 + i % 26)}" for i in range(4_044)])
    dests = np.array([f"D{i:02d}" for i in range(105)])
    sched = rng.integers(500, 2359, rows)
    missing = rng.random(rows) < 0.025
    dep_delay = np.round(rng.gamma(1.2, 15, rows) - 10)
    start = np.datetime64("2013-01-01T00:00")
    stamps = (start + rng.integers(0, 365 * 24, rows).astype("timedelta64[h]")).astype(
        "datetime64[us]"
    )
    air = rng.normal(150, 90, rows).clip(20, 700).round()
    frame = pl.DataFrame({
        "year": np.full(rows, 2013),
        "month": rng.integers(1, 13, rows),
        "day": rng.integers(1, 32, rows),
        "dep_time": sched + rng.integers(-10, 60, rows),
        "sched_dep_time": sched,
        "dep_delay": np.where(missing, np.nan, dep_delay),
        "arr_time": (sched + 200) % 2400,
        "sched_arr_time": (sched + 190) % 2400,
        "arr_delay": np.where(missing | (rng.random(rows) < 0.003), np.nan,
                              dep_delay + rng.normal(0, 12, rows).round()),
        "carrier": carriers[rng.integers(0, 16, rows)],
        "flight": rng.integers(1, 3_845, rows),
        "tailnum": tails[rng.integers(0, 4_044, rows)],
        "origin": np.array(["EWR", "JFK", "LGA"])[rng.integers(0, 3, rows)],
        "dest": dests[rng.integers(0, 105, rows)],
        "air_time": np.where(missing, np.nan, air),
        "distance": (air * 7.5).round(),
        "hour": sched // 100,
        "minute": sched % 100,
        "time_hour": stamps,
    }, nan_to_null=True)
    gone = pl.Series(missing)
    return frame.with_columns(
        pl.when(gone).then(None).otherwise(pl.col(c)).alias(c) for c in ("dep_time", "arr_time")
    )


def measure(command: list[str]) -> tuple[float, float, int]:
    """Run `command`; return (seconds, peak RSS in MB, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status:
        sys.stderr.write(process.stderr.read().decode() if process.stderr else "")
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def ensure_csv(folder: Path, rows: int) -> Path:
    """Write the flights CSV of `rows` rows once (in 1M-row chunks for big files)."""
    path = folder / f"flights_{rows}.csv"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 1_000_000
    with path.open("wb") as handle:
        for i, start in enumerate(range(0, rows, chunk)):
            flights(min(chunk, rows - start), seed=i).write_csv(handle, include_header=i == 0)
    return path


def ensure_parquet(folder: Path, rows: int) -> Path:
    """Write a big flights Parquet file chunk by chunk (no CSV: saves minutes of disk I/O)."""
    import pyarrow.parquet as pq

    path = folder / f"flights_{rows}.parquet"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    chunk = 1_000_000
    writer = None
    for i, start in enumerate(range(0, rows, chunk)):
        table = flights(min(chunk, rows - start), seed=i).to_arrow()
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=chunk)
    if writer is not None:
        writer.close()
    return path


def report(label: str, seconds: float, rss: float, code: int, floor: float | None) -> None:
    """Print one result line."""
    ratio = f"{seconds / floor:4.1f}x floor" if floor else "           "
    status = "" if code == 0 else f"  (exit {code})"
    print(f"  {label:<34} {seconds:7.2f} s  {rss:7.0f} MB peak  {ratio}{status}", flush=True)


def main() -> None:
    """Generate data, run floor and thresher per size, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[336_776, 3_367_760])
    parser.add_argument("--stream-rows", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/thresher-bench"))
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, polars {pl.__version__}, {os.cpu_count()} cores")
    for rows in args.rows:
        path = ensure_csv(args.dir, rows)
        size = path.stat().st_size / 1e6
        print(f"{rows:,} rows x 19 columns ({size:.0f} MB CSV)")
        floor = measure([PYTHON, "-c", FLOOR, str(path)])
        report("floor: polars read CSV + aggregate", *floor, None)
        out = args.dir / f"eda_{rows}"
        cli = [PYTHON, "-m", "flows.cli", "profile", str(path), "--target", "arr_delay",
               "--out", str(out)]
        report("thresher profile CSV (ingest + EDA)", *measure(cli), floor[0])
        parquet = args.dir / f"flights_{rows}.parquet"
        if not parquet.exists():
            pl.scan_csv(path, try_parse_dates=True).sink_parquet(parquet)
        cli_parquet = [PYTHON, "-m", "flows.cli", "profile", str(parquet), "--target",
                       "arr_delay", "--out", str(out) + "_pq"]
        floor_pq = measure([PYTHON, "-c", FLOOR, str(parquet)])
        report("floor: same, from Parquet", *floor_pq, None)
        report("thresher profile (Parquet)", *measure(cli_parquet), floor_pq[0])
        report("thresher profile (Parquet, --stream)",
               *measure([*cli_parquet, "--stream"]), floor_pq[0])
        html = out / "eda.html"
        if html.exists():
            print(f"  eda.html {html.stat().st_size / 1e6:.2f} MB")
    if args.stream_rows:
        parquet = ensure_parquet(args.dir, args.stream_rows)
        size = parquet.stat().st_size / 1e6
        print(f"{args.stream_rows:,} rows x 19 columns, streamed from Parquet ({size:.0f} MB)")
        cli = [PYTHON, "-m", "flows.cli", "profile", str(parquet), "--stream", "--out",
               str(args.dir / "eda_stream")]
        report("thresher profile --stream", *measure(cli), None)


if __name__ == "__main__":
    main()
