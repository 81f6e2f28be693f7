"""Excel reader: every cell as text (so one repair step types all sources alike), true row numbers.

fastexcel is called directly rather than through `polars.read_excel`, which drops empty rows
and would shift row numbers.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

import fastexcel
import polars as pl

from pipelines.errors import SourceError
from pipelines.ingest.excel_cells import cell_text, fix_clock_columns, patch_cells
from pipelines.ingest.models import IngestOptions
from pipelines.ingest.raw import RawRead, raise_if_empty

__all__ = ["read_excel"]

_MIDNIGHT_SUFFIX = " 00:00:00"
_DATETIME_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"
_SHEET_XML_PREFIX = 4 * 1024 * 1024
_FIRST_VALUE_CELL = re.compile(
    r'<c\b[^>/]*\br="[A-Z]+(\d+)"[^>/]*>(?:(?!</c>|<c\b).)*?<(?:v|is)\b', re.S
)


def _first_used_row(path: Path, sheet_name: str) -> int:
    """Find the Excel row of the sheet's first cell with a value (calamine starts there).

    Best effort from the xlsx XML; 1 when the file is not a zip of the expected layout.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8")
            relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            for sheet in re.finditer(r"<sheet\b[^>]*>", workbook):
                name = re.search(r'\bname="([^"]*)"', sheet.group(0))
                rel_id = re.search(r'\br:id="([^"]*)"', sheet.group(0))
                if name is None or rel_id is None or _xml_unescape(name.group(1)) != sheet_name:
                    continue
                target = re.search(
                    rf'<Relationship\b[^>]*\bId="{re.escape(rel_id.group(1))}"[^>]*>', relations
                )
                where = re.search(r'\bTarget="([^"]*)"', target.group(0)) if target else None
                if where is None:
                    return 1
                member = where.group(1).lstrip("/")
                member = member if member.startswith("xl/") else f"xl/{member}"
                with archive.open(member) as sheet_xml:
                    head = sheet_xml.read(_SHEET_XML_PREFIX).decode("utf-8", errors="replace")
                cell = _FIRST_VALUE_CELL.search(head)
                return int(cell.group(1)) if cell else 1
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError, ValueError):
        return 1
    return 1


def _xml_unescape(text: str) -> str:
    """Undo the five XML entity escapes in an attribute value."""
    for entity, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, character)
    return text.replace("&amp;", "&")


def _strip_midnight(column: str) -> pl.Expr:
    """Drop ` 00:00:00` from a text column when every date-time value in it is at midnight."""
    values = pl.col(column)
    is_datetime = values.str.contains(_DATETIME_TEXT)
    all_midnight = (~is_datetime | values.str.ends_with(_MIDNIGHT_SUFFIX)).all()
    any_datetime = is_datetime.any()
    stripped = pl.when(is_datetime).then(values.str.head(10)).otherwise(values)
    return pl.when(any_datetime & all_midnight).then(stripped).otherwise(values).alias(column)


def read_excel(path: Path, options: IngestOptions) -> RawRead:
    """Read one sheet of an `.xlsx`/`.xls`/`.ods` file with every column as text; collects it.

    Cells are read by fastexcel (calamine) with `dtypes="string"`, so mixed columns lose
    nothing: integral numbers come as `2` (not `2.0`), others as plain decimals, booleans as
    `true`/`false`, date-times as `YYYY-MM-DD HH:MM:SS`. In a column whose date-times are all
    at midnight the time is dropped, so dates read as ISO `YYYY-MM-DD`. Times of day and
    durations become `HH:MM:SS` text and error values their `#DIV/0!` text (`excel_cells`),
    so no cell is nulled by the reader. Fully empty rows are dropped and counted as blank lines.

    Parameters
    ----------
    path
        The workbook.
    options
        `options.sheet` names the sheet; the first sheet when None.

    Returns
    -------
    RawRead
        String columns; `line_numbers` are Excel row numbers (header row + 1 onwards).

    Raises
    ------
    SourceError
        The workbook is unreadable, the sheet does not exist, or the sheet is empty.
    """
    try:
        reader = fastexcel.read_excel(path)
    except Exception as error:  # fastexcel raises its own exception types
        msg = (
            f"{path}: not a readable Excel workbook or OpenDocument spreadsheet "
            f"({_one_line(error)}); if it is password-"
            "protected remove the password, else save it as .xlsx or .ods and retry"
        )
        raise SourceError(msg) from error
    sheet_names = list(reader.sheet_names)
    if not sheet_names:
        msg = f"{path}: workbook has no sheets; pick another file"
        raise SourceError(msg)
    sheet_name = options.sheet if options.sheet is not None else sheet_names[0]
    if sheet_name not in sheet_names:
        listed = ", ".join(f"`{name}`" for name in sheet_names)
        msg = f"{path}: no sheet `{sheet_name}`; sheets are {listed}; pass one with --sheet"
        raise SourceError(msg)
    try:
        batch, errors = reader.load_sheet(sheet_name, dtypes="string").to_arrow_with_errors()
        kinds = _guessed_kinds(reader, sheet_name)
    except Exception as error:  # fastexcel raises its own exception types
        msg = f"{path}: sheet `{sheet_name}` could not be read ({_one_line(error)}); check it"
        raise SourceError(msg) from error
    data = pl.DataFrame(pl.from_arrow(batch))
    raise_if_empty(data, Path(f"{path}[{sheet_name}]"), "put a header row and data in it")
    cells = [
        (e.offset_position[0], e.offset_position[1], cell_text(e.detail))
        for e in (errors.errors if errors is not None else [])
    ]
    data, patched = patch_cells(data, cells)
    data, clocks = fix_clock_columns(data, kinds)
    first_data_row = _first_used_row(path, sheet_name) + 1
    data = data.with_columns(_strip_midnight(name) for name in data.columns)
    numbered = data.with_row_index("__excel_row", offset=first_data_row)
    kept = numbered.filter(~pl.all_horizontal(pl.exclude("__excel_row").is_null()))
    blank_lines = numbered.height - kept.height
    return RawRead(
        data=kept.drop("__excel_row"),
        line_numbers=kept.get_column("__excel_row").cast(pl.Int64).rename("line_number"),
        source_file=str(path),
        format="excel",
        blank_lines=blank_lines,
        notes=(
            f"sheet `{sheet_name}` read with every column as text",
            *(f"column `{n}`: {k} cell(s) kept as their text" for n, k in patched.items()),
            *(f"column `{n}`: times / durations kept as HH:MM:SS text" for n in clocks),
        ),
    )


def _guessed_kinds(reader: fastexcel.ExcelReader, sheet_name: str) -> dict[str, str]:
    """The dtype fastexcel guesses per column (quietly: it logs a warning per mixed column)."""
    logger = logging.getLogger("fastexcel")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return {c.name: str(c.dtype) for c in reader.load_sheet(sheet_name).available_columns()}
    finally:
        logger.setLevel(level)


def _one_line(error: BaseException) -> str:
    """A reader's (often multi-line) error as one line."""
    return " ".join(str(error).split())
