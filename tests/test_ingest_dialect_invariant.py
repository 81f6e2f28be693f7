"""Property test: in any detected dialect, every record is kept or quarantined exactly once.

Files use a random delimiter from the detector's candidates (and sometimes `'` as the quote),
quoted fields that hold the delimiter, and rows with too many or too few fields; the delimiter
must be detected and the accounting must match the generator's, at any chunk size.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DELIMITERS = [",", ";", "\t", "|", ":", "+", "~", "^"]
WORDS = st.text(alphabet="abcxyz019", min_size=1, max_size=5)


@st.composite
def dialect_files(draw: st.DrawFn) -> tuple[bytes, str, str, list[tuple[int, str]]]:
    delimiter = draw(st.sampled_from(DELIMITERS))
    quote = draw(st.sampled_from(['"', "'"]))
    columns = draw(st.integers(min_value=2, max_value=5))
    kinds = draw(
        st.lists(st.sampled_from(["ok"] * 5 + ["too_many", "too_few"]), min_size=0, max_size=12)
    )
    kinds = ["ok", "ok", "ok", *kinds]
    lines = [delimiter.join(f"c{i}" for i in range(columns))]
    records = []
    for number, kind in enumerate(kinds, start=2):
        width = {"ok": columns, "too_many": columns + 1, "too_few": columns - 1}[kind]
        width = max(width, 1)
        cells = [draw(WORDS) for _ in range(width)]
        if kind == "ok" and draw(st.booleans()):  # a quoted defect could read as a good row
            at = draw(st.integers(min_value=0, max_value=width - 1))
            cells[at] = f"{quote}{cells[at]}{delimiter}{draw(WORDS)}{quote}"
        lines.append(delimiter.join(cells))
        records.append((number, kind))
    return ("\n".join(lines) + "\n").encode(), delimiter, quote, records


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=dialect_files(), chunk_bytes=st.sampled_from([9, 70, 128 * 1024 * 1024]))
def test_dialect_detected_and_every_record_accounted_for(
    case: tuple[bytes, str, str, list[tuple[int, str]]], chunk_bytes: int
) -> None:
    from pipelines.ingest import IngestOptions, ingest

    payload, delimiter, quote, records = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dialect.csv"
        path.write_bytes(payload)
        result = ingest(path, options=IngestOptions(add_line_numbers=True, chunk_bytes=chunk_bytes))
    dialect = result.report.dialect
    assert dialect is not None
    assert dialect.delimiter == delimiter
    report = result.report
    assert report.rows_read == report.rows_ok + report.rows_quarantined == len(records)
    seen = sorted(
        result.data["_source_line"].to_list() + result.quarantine["_source_line"].to_list()
    )
    assert seen == [line for line, _ in records]
    expected_bad = {line for line, kind in records if kind != "ok"}
    assert set(result.quarantine["_source_line"].to_list()) == expected_bad
    if quote == "'" and "'" in payload.decode():
        assert dialect.quote_char == "'"
