"""Per-file ingest parts combined into one ingest folder (`flows.ingest_combine`), no Prefect.

The lending-club file (10,000 real rows) is split into three CSV files; each is ingested on
its own, as the flow's per-file tasks do, and the parts are combined.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.fanout import fans_out, part_name
from flows.files import INGEST, write_parquet
from flows.ingest_combine import (
    SOURCE_LINES,
    IngestPart,
    combine_parts,
    reconcile_schemas,
)
from flows.ingest_outputs import run_ingest
from pipelines.ingest import IngestOptions, ingest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LOANS = SHARED / "lending_club_loans.csv"


def split_csv(source: Path, folder: Path, files: int) -> list[Path]:
    """Write `source`'s rows into `files` CSV files (each with the header), in order."""
    head, *body = source.read_text(encoding="utf-8").splitlines(keepends=True)
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(body) // files)
    paths = []
    for i in range(files):
        path = folder / f"part{i}.csv"
        path.write_text(head + "".join(body[i * size : (i + 1) * size]), encoding="utf-8")
        paths.append(path)
    return paths


def ingest_parts(files: list[Path], out: Path, options: IngestOptions) -> list[IngestPart]:
    """Each file ingested into its own folder, as `flows.fanout.ingest_file_task` does."""
    parts = []
    for file in files:
        folder = out / part_name(file)
        outputs = run_ingest(str(file), folder, options=options, source_lines=True)
        assert outputs.source_lines is not None
        write_parquet(outputs.source_lines.to_frame(), folder / SOURCE_LINES)
        parts.append(IngestPart(str(file), folder))
    return parts


@pytest.mark.skipif(not LOANS.is_file(), reason="needs ../shared/data")
def test_parts_of_a_real_file_combine_to_what_one_ingest_of_the_glob_reads(
    tmp_path: Path,
) -> None:
    files = split_csv(LOANS, tmp_path / "data", 3)
    glob = str(tmp_path / "data" / "*.csv")
    assert fans_out(glob) and not fans_out(str(files[0]))
    options = IngestOptions()
    combined = combine_parts(
        ingest_parts(files, tmp_path / "parts", options), glob, tmp_path / "ingest"
    )
    whole = ingest(glob, options=options)
    data = pl.read_parquet(tmp_path / "ingest" / INGEST.data)
    assert_frame_equal(data, whole.data)  # same values, same types, `_source_file` per row
    report = combined.report
    assert report.rows_read == 10_000 == report.rows_ok + report.rows_quarantined
    assert report.files == [str(f) for f in files]
    assert combined.schema_notes == ()
    lines = pl.read_parquet(tmp_path / "ingest" / SOURCE_LINES).to_series()
    assert lines.len() == data.height and lines[0] == 2  # each file's own line numbers


def test_quarantined_rows_keep_their_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.csv").write_text("id,score\n1,10\n2,20\n3,30\n")
    (folder / "b.csv").write_text("id,score\n4,40\n5,50,extra,fields\n6,60\n")
    files = sorted(folder.glob("*.csv"))
    combined = combine_parts(
        ingest_parts(files, tmp_path / "parts", IngestOptions()),
        str(folder / "*.csv"),
        tmp_path / "ingest",
    )
    report = combined.report
    per_file = [p.report().rows_read for p in ingest_parts(files, tmp_path / "p2", IngestOptions())]
    assert report.rows_read == sum(per_file) == report.rows_ok + report.rows_quarantined
    quarantine = pl.read_parquet(tmp_path / "ingest" / INGEST.quarantine)
    assert quarantine.select("_source_file", "_source_line").rows() == [(str(files[1]), 3)]
    data = pl.read_parquet(tmp_path / "ingest" / INGEST.data)
    assert data.get_column("id").to_list() == [1, 2, 3, 4, 6]
    assert data.get_column("_source_file").to_list() == [str(files[0])] * 3 + [str(files[1])] * 2


def test_files_with_different_columns_are_combined_and_each_difference_is_reported(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.csv").write_text("id,score,city\n1,10,Oslo\n2,20,Rome\n")
    (folder / "b.csv").write_text("id,score\n3,2.5\n4,3.5\n")  # no city; score has decimals
    (folder / "c.csv").write_text("id,score,city\n5,high,Lima\n6,low,Kyiv\n")  # score is text
    files = sorted(folder.glob("*.csv"))
    combined = combine_parts(
        ingest_parts(files, tmp_path / "parts", IngestOptions()),
        str(folder / "*.csv"),
        tmp_path / "ingest",
    )
    data = pl.read_parquet(tmp_path / "ingest" / INGEST.data)
    assert data.height == 6
    assert data.schema["score"] == pl.String  # numbers and words: kept as text, not lost
    assert data.get_column("score").to_list() == ["10", "20", "2.5", "3.5", "high", "low"]
    assert data.get_column("city").to_list() == ["Oslo", "Rome", None, None, "Lima", "Kyiv"]
    notes = combined.report.notes
    assert any("type of `score`" in n and "b.csv" in n and "c.csv" in n for n in notes)
    assert any("`city` is missing from 1 of 3 files (b.csv)" in n for n in notes)


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        ((pl.Int64(), pl.Int64()), pl.Int64()),
        ((pl.Int32(), pl.Int64()), pl.Int64()),
        ((pl.Int64(), pl.Float64()), pl.Float64()),
        ((pl.Date(), pl.String()), pl.String()),
        ((pl.Boolean(), pl.Int64()), pl.String()),
    ],
    ids=["same", "ints-widen", "int-float", "date-text", "bool-int"],
)
def test_reconcile_schemas_picks_a_common_type(
    dtypes: tuple[pl.DataType, pl.DataType], expected: pl.DataType
) -> None:
    target, notes = reconcile_schemas(
        [("a.csv", pl.Schema({"x": dtypes[0]})), ("b.csv", pl.Schema({"x": dtypes[1]}))]
    )
    assert target == {"x": expected}
    assert len(notes) == (0 if dtypes[0] == dtypes[1] else 1)


def test_part_names_are_stable_and_distinct_for_same_named_files(tmp_path: Path) -> None:
    a, b = tmp_path / "x" / "data.csv", tmp_path / "y" / "data.csv"
    assert part_name(a) == part_name(a) != part_name(b)
    assert part_name(a).startswith("data-")
