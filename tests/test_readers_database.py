"""SQLite files made with sqlite3 and a real throwaway PostgreSQL cluster, read via connectorx."""

from __future__ import annotations

import csv
import datetime as dt
import socket
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from pipelines.errors import SourceError
from pipelines.ingest.models import IngestOptions
from pipelines.ingest.readers_database import (
    mask_password,
    quote_identifier,
    read_postgres,
    read_sqlite,
)

PENGUINS = Path(__file__).parent / "data" / "real" / "penguins_raw.csv"


def _lines(count: int) -> pl.Series:
    return pl.Series("line_number", range(1, count + 1), dtype=pl.Int64)


def _make_sqlite(path: Path, statements: list[str]) -> Path:
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    return path


@pytest.fixture
def birds_db(tmp_path: Path) -> Path:
    return _make_sqlite(
        tmp_path / "birds.db",
        [
            'CREATE TABLE "bird ""list""" (id INTEGER, name TEXT, mass REAL)',
            'INSERT INTO "bird ""list""" VALUES '
            "(1, 'ann', 3.5), (2, NULL, 4.0), (3, 'cy', NULL)",
        ],
    )


# --- SQLite ----------------------------------------------------------------------------------


def test_sqlite_single_table_is_picked(birds_db: Path) -> None:
    raw = read_sqlite(str(birds_db), IngestOptions())
    expected = pl.DataFrame(
        {"id": [1, 2, 3], "name": ["ann", None, "cy"], "mass": [3.5, 4.0, None]}
    )
    assert_frame_equal(raw.data, expected)
    assert_series_equal(raw.line_numbers, _lines(3))
    assert raw.format == "sqlite"
    assert raw.source_file == str(birds_db)
    assert raw.notes == ()


def test_sqlite_named_table_with_quotes_and_uri(birds_db: Path) -> None:
    raw = read_sqlite(f"sqlite:///{birds_db}", IngestOptions(table='bird "list"'))
    assert raw.data.height == 3
    assert quote_identifier('bird "list"') == '"bird ""list"""'


def test_sqlite_relative_uri(birds_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(birds_db.parent)
    raw = read_sqlite("sqlite:///birds.db", IngestOptions())
    assert raw.source_file == str(birds_db.resolve())


def test_sqlite_query(birds_db: Path) -> None:
    query = 'SELECT name, mass * 2 AS double_mass FROM "bird ""list""" WHERE mass IS NOT NULL'
    raw = read_sqlite(str(birds_db), IngestOptions(query=query))
    assert_frame_equal(raw.data, pl.DataFrame({"name": ["ann", None], "double_mass": [7.0, 8.0]}))
    assert_series_equal(raw.line_numbers, _lines(2))


def test_sqlite_several_tables_need_a_choice(tmp_path: Path) -> None:
    path = _make_sqlite(tmp_path / "two.sqlite", ["CREATE TABLE b (x)", "CREATE TABLE a (y)"])
    with pytest.raises(
        SourceError, match=r"two\.sqlite: several tables \(`a`, `b`\); pass --table or --query"
    ):
        read_sqlite(str(path), IngestOptions())
    with pytest.raises(SourceError, match=r"no table `c`; tables are `a`, `b`"):
        read_sqlite(str(path), IngestOptions(table="c"))


def test_sqlite_mixed_type_column_falls_back_to_text(tmp_path: Path) -> None:
    path = _make_sqlite(
        tmp_path / "mixed.sqlite3",
        [
            "CREATE TABLE m (id INTEGER, reading)",
            "INSERT INTO m VALUES (1, 10), (2, 'broken'), (3, 2.5), (4, NULL)",
        ],
    )
    raw = read_sqlite(str(path), IngestOptions())
    expected = pl.DataFrame({"id": ["1", "2", "3", "4"], "reading": ["10", "broken", "2.5", None]})
    assert_frame_equal(raw.data, expected)
    assert any("read as text with sqlite3" in note for note in raw.notes)


def test_sqlite_missing_file_and_bad_query(tmp_path: Path, birds_db: Path) -> None:
    with pytest.raises(SourceError, match=r"SQLite database not found"):
        read_sqlite(str(tmp_path / "nope.db"), IngestOptions())
    with pytest.raises(SourceError, match=r"birds\.db: query failed \(no such table: zzz\)"):
        read_sqlite(str(birds_db), IngestOptions(query="SELECT * FROM zzz"))


def test_sqlite_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "fake.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(SourceError, match=r"fake\.db: not a readable SQLite database"):
        read_sqlite(str(path), IngestOptions())


# --- PostgreSQL ------------------------------------------------------------------------------


def test_mask_password() -> None:
    assert mask_password("postgresql://u:s3cret@h:5/db") == "postgresql://u:***@h:5/db"
    assert mask_password("postgresql://u@h/db") == "postgresql://u@h/db"


@pytest.fixture(scope="module")
def loaded_postgres(postgres_uri: str, psql: list[str]) -> str:
    """Load penguins_raw.csv (all text) and a small typed table into the session cluster."""
    with PENGUINS.open(newline="") as handle:
        header = next(csv.reader(handle))
    columns = ", ".join(f"{quote_identifier(name)} text" for name in header)
    script = f"""
        DROP TABLE IF EXISTS penguins;
        CREATE TABLE penguins ({columns});
        \\copy penguins FROM '{PENGUINS}' WITH (FORMAT csv, HEADER true)
        CREATE SCHEMA IF NOT EXISTS field;
        DROP TABLE IF EXISTS field."Nest Sites";
        CREATE TABLE field."Nest Sites" (id integer, mass double precision, seen date, ok boolean);
        INSERT INTO field."Nest Sites" VALUES
            (1, 3.5, '2007-11-11', true), (2, NULL, '2008-01-02', false), (3, 4.25, NULL, NULL);
    """
    subprocess.run([*psql], input=script, text=True, check=True, capture_output=True, timeout=60)
    return postgres_uri


@pytest.mark.postgres
def test_postgres_reads_real_penguins(loaded_postgres: str) -> None:
    raw = read_postgres(loaded_postgres, IngestOptions(table="penguins"))
    expected = pl.read_csv(PENGUINS, infer_schema=False)
    assert raw.data.height == expected.height == 344
    assert_frame_equal(raw.data, expected)
    assert_series_equal(raw.line_numbers, _lines(344))
    assert raw.format == "postgres"
    assert raw.source_file == loaded_postgres


@pytest.mark.postgres
def test_postgres_schema_qualified_table_keeps_types(loaded_postgres: str) -> None:
    raw = read_postgres(loaded_postgres, IngestOptions(table="field.Nest Sites"))
    expected = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "mass": [3.5, None, 4.25],
            "seen": [dt.date(2007, 11, 11), dt.date(2008, 1, 2), None],
            "ok": [True, False, None],
        },
        schema={"id": pl.Int32, "mass": pl.Float64, "seen": pl.Date, "ok": pl.Boolean},
    )
    assert_frame_equal(raw.data, expected, check_dtypes=False)
    assert raw.data.schema["seen"] == pl.Date


@pytest.mark.postgres
def test_postgres_query(loaded_postgres: str) -> None:
    query = 'SELECT "Species", count(*) AS n FROM penguins GROUP BY 1 ORDER BY 1'
    raw = read_postgres(
        loaded_postgres.replace("postgresql://", "postgres://"), IngestOptions(query=query)
    )
    assert raw.data.get_column("n").to_list() == [152, 68, 124]
    assert raw.data.get_column("Species")[0].startswith("Adelie")


@pytest.mark.postgres
def test_postgres_missing_table(loaded_postgres: str) -> None:
    with pytest.raises(
        SourceError, match=r"reading table `no_such` failed .*does not exist.*check the table name"
    ):
        read_postgres(loaded_postgres, IngestOptions(table="no_such"))


def test_postgres_unreachable_masks_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"postgresql://alice:hunter2@127.0.0.1:{port}/db"
    with pytest.raises(
        SourceError, match=r"check the host/port and that the server is running"
    ) as caught:
        read_postgres(uri, IngestOptions(table="t"))
    message = str(caught.value)
    assert "hunter2" not in message
    assert f"postgresql://alice:***@127.0.0.1:{port}/db" in message
    assert "\n" not in message


def test_postgres_needs_table_or_query() -> None:
    with pytest.raises(SourceError, match=r"no table or query given; pass --table or --query"):
        read_postgres("postgresql://u:pw@127.0.0.1:1/db", IngestOptions())


@pytest.mark.parametrize("variable", ["CI", "THRESHER_REQUIRE_SERVICES"])
def test_missing_postgres_fails_in_ci(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    from tests.conftest_postgres import _missing_services

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("THRESHER_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _missing_services("no binaries")
    monkeypatch.setenv(variable, "1")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is required here"):
        _missing_services("no binaries")
