"""Benchmark the ingest stage against a plain polars read, on a large generated messy CSV.

    .venv/bin/python benchmarks/ingest.py                 # 3,000,000 rows
    .venv/bin/python benchmarks/ingest.py --rows 200000   # quick run
    .venv/bin/python benchmarks/ingest.py --larger-than-ram   # file bigger than this machine's RAM

The file is generated into benchmarks/out/ (gitignored) and reused when present. Each
measurement runs in its own subprocess, so the peak RSS printed is that run's alone (the child
reports its own `ru_maxrss`). Modes:

- `polars`: `polars.read_csv` of the file as text (ragged lines truncated), no repairs: the
  floor of `ingest`.
- `ingest`: `pipelines.ingest.ingest()` in memory: sniffing, quarantine, repairs, inference.
- `polars-stream`: `scan_csv(...).sink_parquet(...)` of the file as text: the floor of `stream`.
- `stream`: `pipelines.ingest.ingest_to_parquet(source, out_path, options=options)`, when it exists.

`x floor` is each mode's wall time over its floor's (`ingest` over `polars`, `stream` over
`polars-stream`). On a shared machine pass `--rounds 3` (or more): the modes then run in turn,
round after round, each ratio is taken within a round and the median round is printed, so a
slow minute slows both sides of a ratio. `CPU %` is user+sys CPU time over wall time x cores
(200% is both cores of a 2-core machine busy for the whole run).

With `--larger-than-ram` the file is sized past total RAM and only the streaming modes run.
This is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "benchmarks" / "out"
CHUNK_ROWS = 500_000
POOL = 20_000

CHILD = r"""
import json, resource, sys, time
mode, source, out = sys.argv[1:4]
started = time.perf_counter()
rows = None
quarantined = None
if mode == "polars":
    import polars as pl
    frame = pl.read_csv(source, truncate_ragged_lines=True, infer_schema=False)
    rows = frame.height
elif mode == "polars-stream":
    import polars as pl
    pl.scan_csv(source, truncate_ragged_lines=True, infer_schema=False).sink_parquet(out)
    rows = pl.scan_parquet(out).select(pl.len()).collect().item()
elif mode == "ingest":
    from pipelines.ingest import ingest
    result = ingest(source)
    rows = result.report.rows_read
    quarantined = result.report.rows_quarantined
elif mode == "stream":
    from pipelines.ingest import ingest_to_parquet
    result = ingest_to_parquet(source, out)  # streaming default: 32 MiB chunks
    report = getattr(result, "report", result)
    rows = getattr(report, "rows_read", None)
    quarantined = getattr(report, "rows_quarantined", None)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps(
    {"seconds": seconds, "rows": rows, "quarantined": quarantined,
     "peak_mib": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}
))
"""


def _pools(seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    integers = rng.integers(0, 5_000_000, POOL)
    cents = rng.integers(0, 1_000_000, POOL)
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    tokens = ["NA", "", "null", "N/A", "-"]
    return {
        "population": [f"{value:,}" for value in integers],
        "amount": [f"${value / 100:,.2f}" for value in cents],
        "rate": [f"{value / 100:.1f}%" for value in rng.integers(0, 10_000, POOL)],
        "active": ["yes", "no", "Yes", "NO"],
        "signup": [
            f"{year}-{month:02d}-{day:02d}"
            for year, month, day in zip(
                rng.integers(2000, 2025, POOL),
                rng.integers(1, 13, POOL),
                rng.integers(1, 29, POOL),
                strict=True,
            )
        ],
        "name": [
            *(f"  {name} " for name in names),
            *names,
            *(f"{name}   " for name in names),
            *tokens,
        ],
        "score": [*(f"{value:.3f}" for value in rng.random(POOL) * 100), "NA"],
    }


def _chunk(rows: int, start: int, seed: int, pools):
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)

    def pick(name: str) -> pl.Series:
        pool = pools[name]
        return pl.Series(name, pool).gather(rng.integers(0, len(pool), rows))

    return pl.DataFrame(
        [
            pl.Series("id", np.arange(start, start + rows)),
            pl.Series("quantity", rng.integers(0, 1000, rows)),
            pl.Series("price", np.round(rng.random(rows) * 500, 2)),
            pick("population"),
            pick("amount"),
            pick("rate"),
            pick("active"),
            pick("signup"),
            pick("name"),
            pick("score"),
        ]
    )


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """Write `rows` good rows plus one too-long and one too-short line per chunk."""
    pools = _pools(seed)
    partial = path.with_suffix(".partial")
    ragged = 0
    with partial.open("wb") as handle:
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            size = min(CHUNK_ROWS, rows - start)
            frame = _chunk(size, start, seed + index + 1, pools)
            frame.write_csv(handle, include_header=index == 0)
            handle.write(f"{start},1,2.5,7,$1.00,1%,yes,2020-01-01,extra,1.0,SURPLUS\n".encode())
            handle.write(f"{start},1,2.5\n".encode())
            ragged += 2
    partial.rename(path)
    print(f"generated {path} ({rows:,} rows + {ragged} ragged lines)", file=sys.stderr)
    print("ingest should quarantine exactly the ragged lines", file=sys.stderr)


def measure(mode: str, source: Path) -> dict[str, object]:
    out = OUT / f"{mode}.parquet"
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(source), str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"mode": mode, "error": last[:100], "total": total}
    numbers = json.loads(done.stdout.strip().splitlines()[-1])
    return {"mode": mode, "total": total, **numbers}


def _ram_bytes() -> int:
    import psutil

    return int(psutil.virtual_memory().total)


def _has_streaming() -> bool:
    sys.path.insert(0, str(REPO_ROOT))
    try:
        import pipelines.ingest as ingest_package
    except ImportError:
        return False
    return hasattr(ingest_package, "ingest_to_parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="rows to generate")
    parser.add_argument(
        "--larger-than-ram",
        action="store_true",
        help="size the file past total RAM and run only the streaming paths",
    )
    parser.add_argument(
        "--modes", nargs="*", help="subset of polars, ingest, polars-stream, stream"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run every mode this many times, in turn"
    )
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    rows = args.rows
    if args.larger_than_ram:
        probe = OUT / "messy_probe.csv"
        if not probe.exists():
            generate(probe, 100_000)
        bytes_per_row = probe.stat().st_size / 100_000
        rows = max(rows, int(_ram_bytes() * 1.1 / bytes_per_row))
        print(f"--larger-than-ram: {rows:,} rows (~{rows * bytes_per_row / 2**30:.1f} GiB)")
    source = OUT / f"messy_{rows}.csv"
    if not source.exists():
        generate(source, rows)

    modes = args.modes or (
        ["polars-stream", "stream"]
        if args.larger_than_ram
        else ["polars", "ingest", "polars-stream", "stream"]
    )
    if "stream" in modes and not _has_streaming():
        print("pipelines.ingest has no ingest_to_parquet: skipping the streaming path")
        modes = [mode for mode in modes if mode != "stream"]

    size_mib = source.stat().st_size / 2**20
    print(f"\nsource: {source.relative_to(REPO_ROOT)}  {size_mib:,.0f} MiB  {rows:,} rows\n")
    rounds = [{mode: measure(mode, source) for mode in modes} for _ in range(max(1, args.rounds))]
    header = (
        f"{'mode':<14}{'wall s':>9}{'x floor':>9}{'rows/s':>14}{'peak MiB':>10}{'x file':>8}"
        f"{'CPU %':>7}{'rows':>12}{'quarantined':>13}"
    )
    print(header)
    print("-" * len(header))
    cores = os.cpu_count() or 1
    floors = ", ".join(f"{mode} over {floor}" for mode, floor in FLOOR.items())
    for mode in modes:
        _print_row(mode, [one[mode] for one in rounds], rounds, size_mib, cores)
    print(
        f"\n(x floor: wall time over its floor's ({floors}), median of {len(rounds)} round(s) "
        f"taken round by round; other columns: median round; CPU %: user+sys time over wall x "
        f"{cores} cores; load average now {os.getloadavg()[0]:.1f})"
    )
    return 0


FLOOR = {"ingest": "polars", "stream": "polars-stream"}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _print_row(
    mode: str,
    results: list[dict[str, object]],
    rounds: list[dict[str, dict[str, object]]],
    size_mib: float,
    cores: int,
) -> None:
    """One mode's line: its median round, and its ratio to its floor taken round by round."""
    good = [result for result in results if "error" not in result]
    if not good:
        print(f"{mode:<14}  failed after {results[0]['total']:.1f}s: {results[0]['error']}")
        return
    seconds_of = [float(result["seconds"]) for result in good]  # type: ignore[arg-type]
    seconds = _median(seconds_of)
    result = good[seconds_of.index(min(seconds_of, key=lambda value: abs(value - seconds)))]
    floor = FLOOR.get(mode)
    ratios = [
        float(one[mode]["seconds"]) / float(one[floor]["seconds"])  # type: ignore[arg-type]
        for one in rounds
        if floor in one and "error" not in one[mode] and "error" not in one[floor]
    ]
    ratio = f"{_median(ratios):.2f}" if ratios else ("1.00" if mode.startswith("polars") else "-")
    counted = result.get("rows")
    rate = f"{counted / seconds:,.0f}" if isinstance(counted, int) and seconds else "?"
    peak = _median([float(one["peak_mib"]) for one in good])  # type: ignore[arg-type]
    busy = _median(
        [
            100 * float(one.get("cpu_s", 0.0)) / (float(one["seconds"]) * cores)  # type: ignore[arg-type]
            for one in good
        ]
    )
    quarantined = result.get("quarantined")
    print(
        f"{mode:<14}{seconds:>9.2f}{ratio:>9}{rate:>14}{peak:>10,.0f}{peak / size_mib:>8.2f}"
        f"{busy:>7.0f}{counted if counted is not None else '?':>12}"
        f"{'-' if quarantined is None else quarantined:>13}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
