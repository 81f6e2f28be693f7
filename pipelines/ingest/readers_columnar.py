"""Readers for sources that are not delimited text: Parquet, NDJSON and JSON records.

Every reader returns a `RawRead` with the source's own column names; header normalisation and
value repair happen later. Each reader collects (reads the whole source into memory).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.errors import SourceError
from pipelines.ingest.models import QUARANTINE_SCHEMA, IngestOptions
from pipelines.ingest.raw import RawRead, raise_if_empty, row_numbers

__all__ = [
    "read_json_records",
    "read_ndjson",
    "read_parquet",
    "scan_parquet_lazy",
]


def scan_parquet_lazy(path: Path) -> pl.LazyFrame:
    """Lazy scan of a Parquet file, for streaming stages; nothing is read until collected.

    Parameters
    ----------
    path
        The Parquet file.

    Returns
    -------
    pl.LazyFrame
        The scan, with the file's own schema.
    """
    return pl.scan_parquet(path)


def read_parquet(path: Path, options: IngestOptions) -> RawRead:
    """Read a Parquet file, keeping its types; collects the whole file.

    Parameters
    ----------
    path
        The Parquet file.
    options
        Ingest options (unused by this format; accepted for a uniform reader signature).

    Returns
    -------
    RawRead
        The typed frame; `line_numbers` are row numbers 1..n.

    Raises
    ------
    SourceError
        The file is not readable Parquet, or has no columns and no rows.
    """
    del options
    try:
        data = scan_parquet_lazy(path).collect()
    except (pl.exceptions.PolarsError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        msg = f"{path}: not a readable Parquet file ({first_line}); check the file is complete"
        raise SourceError(msg) from error
    raise_if_empty(data, path, "write at least one column to it or pick another file")
    return RawRead(
        data=data,
        line_numbers=row_numbers(data.height),
        source_file=str(path),
        format="parquet",
    )


def _text_value(value: object) -> str | None:
    """One JSON value as text: strings as-is, null as null, anything else as compact JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _frame_from_records(records: list[dict[str, Any]]) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Build a frame from JSON objects: typed when the values agree, else every column text.

    Returns
    -------
    tuple[pl.DataFrame, tuple[str, ...]]
        The frame and notes on any fallback that was needed.
    """
    try:
        return pl.from_dicts(records, infer_schema_length=None), ()
    except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
        pass
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    text_columns = {name: [_text_value(record.get(name)) for record in records] for name in columns}
    data = pl.DataFrame(text_columns, schema=dict.fromkeys(columns, pl.String))
    note = "values of mixed JSON types in one field: every column was read as text"
    return data, (note,)


def _json_type(value: object) -> str:
    """Name a parsed JSON value's type as JSON does (object, array, string, number...)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _quarantine_row(path: Path, line: int, raw: str, detail: str) -> dict[str, object]:
    """One quarantine record for a line that is not a JSON object."""
    return {
        "_source_file": str(path),
        "_source_line": line,
        "_raw": raw,
        "_reason": "invalid_json",
        "_detail": detail,
    }


def _read_ndjson_by_line(path: Path) -> RawRead:
    """Slow path: parse NDJSON line by line, quarantining lines that are not JSON objects."""
    records: list[dict[str, Any]] = []
    good_lines: list[int] = []
    bad_rows: list[dict[str, object]] = []
    blank_lines = 0
    with path.open("rb") as handle:
        for line_number, raw_bytes in enumerate(handle, start=1):
            raw = raw_bytes.decode("utf-8", errors="replace").rstrip("\r\n")
            if not raw.strip():
                blank_lines += 1
                continue
            try:
                value = json.loads(raw_bytes.decode("utf-8"))
            except UnicodeDecodeError as error:
                bad_rows.append(_quarantine_row(path, line_number, raw, f"not UTF-8: {error}"))
                continue
            except json.JSONDecodeError as error:
                bad_rows.append(_quarantine_row(path, line_number, raw, str(error)))
                continue
            if not isinstance(value, dict):
                detail = f"expected a JSON object, got {_json_type(value)}"
                bad_rows.append(_quarantine_row(path, line_number, raw, detail))
                continue
            records.append(value)
            good_lines.append(line_number)
    data, notes = _frame_from_records(records)
    if data.width == 0 and data.height == 0 and not bad_rows:
        raise_if_empty(data, path, "add one JSON object per line or pick another file")
    return RawRead(
        data=data,
        line_numbers=pl.Series("line_number", good_lines, dtype=pl.Int64),
        source_file=str(path),
        format="ndjson",
        quarantine=pl.DataFrame(bad_rows, schema=QUARANTINE_SCHEMA),
        encoding="utf-8",
        blank_lines=blank_lines,
        notes=("some lines were not JSON objects and were quarantined", *notes)
        if bad_rows
        else notes,
    )


def _non_blank_line_numbers(path: Path) -> tuple[list[int], int]:
    """List the 1-based numbers of the file's non-blank lines and count the blank ones."""
    numbers: list[int] = []
    blank = 0
    with path.open("rb") as handle:
        for line_number, raw_bytes in enumerate(handle, start=1):
            if raw_bytes.strip():
                numbers.append(line_number)
            else:
                blank += 1
    return numbers, blank


def read_ndjson(path: Path, options: IngestOptions) -> RawRead:
    """Read newline-delimited JSON (one object per line); collects the whole file.

    The fast path is `pl.read_ndjson`. If it fails, every line is parsed on its own: lines that
    are not JSON objects go to quarantine (reason `invalid_json`, the JSON error as detail) and
    the frame is built from the good lines. Blank lines are skipped and counted.

    Parameters
    ----------
    path
        The NDJSON file.
    options
        Ingest options (unused by this format; accepted for a uniform reader signature).

    Returns
    -------
    RawRead
        The frame; `line_numbers` are each record's line in the file.

    Raises
    ------
    SourceError
        The file holds no records and no bad lines.
    """
    del options
    if path.stat().st_size == 0:
        raise_if_empty(pl.DataFrame(), path, "add one JSON object per line or pick another file")
    try:
        data = pl.read_ndjson(path, infer_schema_length=None)
    except (pl.exceptions.PolarsError, ValueError, TypeError, OSError):
        return _read_ndjson_by_line(path)
    line_numbers, blank_lines = _non_blank_line_numbers(path)
    if len(line_numbers) != data.height:
        return _read_ndjson_by_line(path)
    raise_if_empty(data, path, "add one JSON object per line or pick another file")
    return RawRead(
        data=data,
        line_numbers=pl.Series("line_number", line_numbers, dtype=pl.Int64),
        source_file=str(path),
        format="ndjson",
        encoding="utf-8",
        blank_lines=blank_lines,
    )


def _records_in(document: object, path: Path) -> list[dict[str, Any]]:
    """Return the list of objects a JSON document holds; `SourceError` for any other shape."""
    expected = 'expected an array of objects or {"<key>": [objects...]}'
    records: object = document
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            msg = (
                f"{path}: JSON object with {len(lists)} list-valued keys; {expected}; "
                "or convert it to NDJSON"
            )
            raise SourceError(msg)
        records = lists[0]
    if not isinstance(records, list):
        msg = f"{path}: JSON top level is {_json_type(document)}; {expected}"
        raise SourceError(msg)
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            msg = f"{path}: record {index} is {_json_type(record)}, not an object; {expected}"
            raise SourceError(msg)
    return records


def read_json_records(path: Path, options: IngestOptions) -> RawRead:
    """Read a `.json` file holding an array of objects, or one key holding such an array.

    Parameters
    ----------
    path
        The JSON file.
    options
        Ingest options (unused by this format; accepted for a uniform reader signature).

    Returns
    -------
    RawRead
        The frame; `line_numbers` are 1-based record indexes.

    Raises
    ------
    SourceError
        The file is not valid JSON, has another shape, or holds no records.
    """
    del options
    try:
        document = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        msg = (
            f"{path}: not valid JSON ({error}); fix the file, "
            "or for one object per line name it .ndjson"
        )
        raise SourceError(msg) from error
    records = _records_in(document, path)
    data, notes = _frame_from_records(records)
    raise_if_empty(data, path, "add records to the array or pick another file")
    return RawRead(
        data=data,
        line_numbers=row_numbers(data.height),
        source_file=str(path),
        format="json",
        encoding="utf-8",
        notes=notes,
    )
